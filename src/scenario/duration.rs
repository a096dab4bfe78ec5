//! Duration syntax for scenario files and flags: `250us`, `10ms`, `0.5s`, `2s`,
//! `5m`, `1h` (also `µs`, and a bare `0`). Parsed exactly in decimal, not via
//! `f64`, so `0.1s` is exactly 100 ms and a value printed by
//! [`crate::units::exact`] parses back to itself.

use std::fmt;
use std::time::Duration;

use crate::units;

/// The units accepted after a number, with their length in nanoseconds.
/// Both the micro sign (U+00B5) and the Greek mu (U+03BC) spell `µs`, since
/// keyboards and fonts disagree about which one a user types.
const UNITS: &[(&str, u128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Fraction digits kept: 13 already resolve a nanosecond of an hour, and
/// keeping the count bounded keeps the arithmetic inside `u128`.
const MAX_FRACTION_DIGITS: usize = 18;

/// Why a string is not a duration. Its `Display` is the "expected ..." part of
/// a message; the caller adds which key or flag it was and what was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DurationError {
    /// Not a number followed by a unit at all (empty, garbage, `NaN`, `1e3s`).
    Malformed,
    /// A number without a unit, other than a bare `0`.
    MissingUnit,
    /// A number followed by something that is not a known unit.
    UnknownUnit(String),
    /// A minus sign: time does not run backwards.
    Negative,
    /// Larger than a `Duration` can hold.
    Overflow,
    /// Parsed, but longer than the limit for this key.
    TooLong(Duration),
    /// Parsed, but zero where a positive duration is needed.
    Zero,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Malformed => {
                f.write_str("expected a duration like 250µs, 10ms, 0.5s or 2s")
            }
            DurationError::MissingUnit => f.write_str(
                "expected a unit after the number (ns, µs or us, ms, s, m, h), like 10ms",
            ),
            DurationError::UnknownUnit(u) => write!(
                f,
                "expected a unit ns, µs (or us), ms, s, m or h after the number, not {u:?}"
            ),
            DurationError::Negative => f.write_str("expected a duration that is not negative"),
            DurationError::Overflow => {
                f.write_str("expected a duration that fits in 64 bits of seconds")
            }
            DurationError::TooLong(max) => {
                write!(f, "expected a duration up to {}", units::limit(*max))
            }
            DurationError::Zero => f.write_str("expected a duration greater than 0"),
        }
    }
}

impl std::error::Error for DurationError {}

/// Parses a duration: a decimal number (`2`, `0.5`, `.5`) and a unit (`ns`,
/// `us`/`µs`, `ms`, `s`, `m`, `h`), optionally separated by spaces. A bare `0`
/// needs no unit because zero is zero in every unit; any other bare number is
/// rejected rather than guessed (is `10` seconds or milliseconds?).
///
/// ```
/// use std::time::Duration;
/// use queuescope::scenario::duration::parse_duration;
/// assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
/// assert_eq!(parse_duration("0.5s"), Ok(Duration::from_millis(500)));
/// assert!(parse_duration("10").is_err());
/// ```
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let s = input.trim();
    if s.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let number_len = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, rest) = s.split_at(number_len);
    let unit = rest.trim_start();
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    // A second '.' lands in frac_part; "." alone has no digits at all.
    if (int_part.is_empty() && frac_part.is_empty()) || frac_part.contains('.') {
        return Err(DurationError::Malformed);
    }
    let unit_ns = if unit.is_empty() {
        let all_zero = int_part.chars().chain(frac_part.chars()).all(|c| c == '0');
        if all_zero && !number.contains('.') {
            return Ok(Duration::ZERO);
        }
        return Err(DurationError::MissingUnit);
    } else if let Some(&(_, ns)) = UNITS.iter().find(|(name, _)| *name == unit) {
        ns
    } else if unit.starts_with(|c: char| c.is_alphabetic()) && unit.chars().all(char::is_alphabetic)
    {
        return Err(DurationError::UnknownUnit(unit.to_string()));
    } else {
        // Signs, exponents, commas, spaces inside the unit, "NaN"-like tails.
        return Err(DurationError::Malformed);
    };

    let whole = digits_value(int_part).ok_or(DurationError::Overflow)?;
    let frac_digits = &frac_part[..frac_part.len().min(MAX_FRACTION_DIGITS)];
    let frac = digits_value(frac_digits).ok_or(DurationError::Overflow)?;
    let scale = 10u128.pow(frac_digits.len() as u32);
    let total_ns = whole
        .checked_mul(unit_ns)
        .and_then(|w| w.checked_add(frac * unit_ns / scale))
        .ok_or(DurationError::Overflow)?;
    let secs = u64::try_from(total_ns / 1_000_000_000).map_err(|_| DurationError::Overflow)?;
    // The remainder is below 1e9, so it always fits in u32.
    let nanos = (total_ns % 1_000_000_000) as u32;
    Ok(Duration::new(secs, nanos))
}

/// Parses a duration and checks it is at most `max`.
pub fn parse_duration_max(input: &str, max: Duration) -> Result<Duration, DurationError> {
    let d = parse_duration(input)?;
    if d > max {
        return Err(DurationError::TooLong(max));
    }
    Ok(d)
}

/// Value of a string of ASCII digits (empty is 0); `None` on overflow.
fn digits_value(digits: &str) -> Option<u128> {
    digits.bytes().try_fold(0u128, |acc, b| {
        acc.checked_mul(10)?.checked_add(u128::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> Duration {
        match parse_duration(s) {
            Ok(d) => d,
            Err(e) => panic!("{s:?} should parse, got {e}"),
        }
    }

    #[test]
    fn accepts_the_documented_forms() {
        assert_eq!(ok("250us"), Duration::from_micros(250));
        assert_eq!(ok("250µs"), Duration::from_micros(250));
        assert_eq!(ok("250\u{3bc}s"), Duration::from_micros(250));
        assert_eq!(ok("10ms"), Duration::from_millis(10));
        assert_eq!(ok("0.5s"), Duration::from_millis(500));
        assert_eq!(ok(".5s"), Duration::from_millis(500));
        assert_eq!(ok("2s"), Duration::from_secs(2));
        assert_eq!(ok("5m"), Duration::from_secs(300));
        assert_eq!(ok("1.5h"), Duration::from_secs(5400));
        assert_eq!(ok("40ns"), Duration::from_nanos(40));
        assert_eq!(ok("0"), Duration::ZERO);
        assert_eq!(ok("000"), Duration::ZERO);
        assert_eq!(ok("0ms"), Duration::ZERO);
        assert_eq!(ok(" 10 ms "), Duration::from_millis(10));
    }

    #[test]
    fn decimal_fractions_are_exact() {
        // 0.1 is not exact in binary floating point; here it must be.
        assert_eq!(ok("0.1s"), Duration::from_millis(100));
        assert_eq!(ok("1.234567891s"), Duration::new(1, 234_567_891));
        assert_eq!(ok("0.0005ms"), Duration::from_nanos(500));
        // Below a nanosecond is dropped, and long fractions do not overflow.
        assert_eq!(ok("1.00000000000000000000000001s"), Duration::from_secs(1));
    }

    #[test]
    fn rejects_bad_input_with_the_reason() {
        assert_eq!(parse_duration("10"), Err(DurationError::MissingUnit));
        assert_eq!(parse_duration("0.0"), Err(DurationError::MissingUnit));
        assert_eq!(parse_duration("-5ms"), Err(DurationError::Negative));
        assert_eq!(parse_duration(" -0"), Err(DurationError::Negative));
        assert_eq!(
            parse_duration("5 days"),
            Err(DurationError::UnknownUnit("days".into()))
        );
        assert_eq!(
            parse_duration("5MS"),
            Err(DurationError::UnknownUnit("MS".into()))
        );
        for bad in [
            "", " ", "ms", ".", "1.2.3s", "NaN", "nans", "inf", "1e3s", "+5s", "5s5", "1,5s",
            "5 m s", "0x10s",
        ] {
            let got = parse_duration(bad);
            assert!(
                matches!(
                    got,
                    Err(DurationError::Malformed) | Err(DurationError::UnknownUnit(_))
                ),
                "{bad:?} gave {got:?}"
            );
        }
        assert_eq!(
            parse_duration("99999999999999999999999h"),
            Err(DurationError::Overflow)
        );
        assert_eq!(
            parse_duration("999999999999999999999999999999999999999999s"),
            Err(DurationError::Overflow)
        );
    }

    #[test]
    fn limits_are_checked_and_named() {
        let hour = Duration::from_secs(3600);
        assert_eq!(parse_duration_max("1h", hour), Ok(hour));
        assert_eq!(
            parse_duration_max("3600.000000001s", hour),
            Err(DurationError::TooLong(hour))
        );
        assert_eq!(
            DurationError::TooLong(Duration::from_secs(24 * 3600)).to_string(),
            "expected a duration up to 24h"
        );
        assert_eq!(
            DurationError::TooLong(Duration::from_secs(90)).to_string(),
            "expected a duration up to 90s"
        );
    }

    #[test]
    fn messages_say_what_is_accepted() {
        assert_eq!(
            DurationError::MissingUnit.to_string(),
            "expected a unit after the number (ns, µs or us, ms, s, m, h), like 10ms"
        );
        assert_eq!(
            DurationError::Malformed.to_string(),
            "expected a duration like 250µs, 10ms, 0.5s or 2s"
        );
    }

    proptest! {
        #[test]
        fn exact_text_round_trips(
            ns in 0u64..1_000_000,
            any_ns in 0u64..=u64::MAX,
            us in 0u64..1_000_000,
            ms in 0u64..=3_600_000,
        ) {
            for d in [
                Duration::from_nanos(ns),
                Duration::from_nanos(any_ns),
                Duration::from_micros(us),
                Duration::from_millis(ms),
            ] {
                prop_assert_eq!(parse_duration(&units::exact(d)), Ok(d));
                prop_assert_eq!(parse_duration(&units::limit(d)), Ok(d));
            }
        }
    }

    #[test]
    fn exact_text_round_trips_at_the_extremes() {
        for d in [
            Duration::MAX,
            Duration::new(u64::MAX, 0),
            Duration::new(1, 1),
        ] {
            assert_eq!(parse_duration(&units::exact(d)), Ok(d));
        }
    }
}
