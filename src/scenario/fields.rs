//! What each scenario key accepts, in one place, so a TOML key and its
//! command-line flag accept the same values and reject them with the same
//! words. A rule takes a [`Raw`] value (from TOML, or a flag's text read as
//! TOML would) and returns the typed value or the "expected ..." half of an
//! error; the caller adds where the value came from and what it was.

use std::time::Duration;

use super::dist::parse_work_spec;
use super::duration::{DurationError, parse_duration};
use crate::sim::config::{Capacity, limits};
use crate::sim::work::WorkSpec;

/// Most entries in `crash_items` / `--crash-item`: fault injection is for a
/// handful of items, and the engine may check the list on every item.
pub const MAX_CRASH_ITEMS: usize = 1024;

/// Longest scenario name, in characters (it sits in the TUI's title bar).
pub const MAX_NAME_CHARS: usize = 64;

/// Longest lesson, in characters (one line under the title).
pub const MAX_LESSON_CHARS: usize = 200;

/// A scalar value before validation. Lists are walked by the file loader,
/// which checks each element with the element's rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Raw<'a> {
    /// An integer (wide enough for any `u64` given on the command line).
    Int(i128),
    /// A string.
    Str(&'a str),
    /// A boolean.
    Bool(bool),
    /// Anything else: a float, a list, a table, a date. Always wrong for
    /// scalar keys; the message quotes the source text, so no detail is kept.
    Other,
}

impl<'a> Raw<'a> {
    /// Reads a flag's text the way TOML would read a bare value: digits with
    /// an optional minus sign are a number, `true`/`false` a boolean,
    /// anything else a string. So `--capacity 32` and `capacity = 32` agree.
    pub(crate) fn from_flag(text: &'a str) -> Raw<'a> {
        let t = text.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            // Too many digits for i128 is still "a number", just far too big.
            return Raw::Int(t.parse::<i128>().unwrap_or(if t.starts_with('-') {
                i128::MIN
            } else {
                i128::MAX
            }));
        }
        match t {
            "true" => Raw::Bool(true),
            "false" => Raw::Bool(false),
            _ => Raw::Str(text),
        }
    }
}

/// The "expected ..." text of a rejected value.
pub(crate) type Expected = String;

/// A whole number in `lo..=hi`, or the given message.
fn whole(
    raw: Raw<'_>,
    lo: u64,
    hi: u64,
    expected: impl FnOnce() -> String,
) -> Result<u64, Expected> {
    match raw {
        Raw::Int(n) if n >= i128::from(lo) && n <= i128::from(hi) => Ok(n as u64),
        _ => Err(expected()),
    }
}

/// `producers` / `consumers`: 1 to [`limits::MAX_THREADS`].
pub(crate) fn threads(raw: Raw<'_>) -> Result<usize, Expected> {
    let max = limits::MAX_THREADS as u64;
    whole(raw, 1, max, || {
        format!("expected a whole number from 1 to {max}")
    })
    .map(|n| n as usize)
}

/// `capacity`: 0 (rendezvous), 1..=[`limits::MAX_CAPACITY`], or `"unbounded"`.
pub(crate) fn capacity(raw: Raw<'_>) -> Result<Capacity, Expected> {
    let max = limits::MAX_CAPACITY as u64;
    let expected = || format!("expected 0 (rendezvous), a number up to {max}, or \"unbounded\"");
    match raw {
        Raw::Str(s) if s.trim() == "unbounded" => Ok(Capacity::Unbounded),
        _ => match whole(raw, 0, max, expected)? {
            0 => Ok(Capacity::Rendezvous),
            n => Ok(Capacity::Bounded(n as usize)),
        },
    }
}

/// `items`: 1 to [`limits::MAX_ITEMS`].
pub(crate) fn items(raw: Raw<'_>) -> Result<u64, Expected> {
    let max = limits::MAX_ITEMS;
    whole(raw, 1, max, || {
        format!("expected a whole number from 1 to {max}")
    })
}

/// A duration string; a TOML integer is read as its digits, so a bare `0` is
/// zero and `5` asks for a unit rather than being a type error.
fn duration_of(raw: Raw<'_>) -> Result<Duration, DurationError> {
    match raw {
        Raw::Str(s) => parse_duration(s),
        Raw::Int(n) => parse_duration(&n.to_string()),
        Raw::Bool(_) | Raw::Other => Err(DurationError::Malformed),
    }
}

/// `duration`: longer than zero and at most [`limits::MAX_DURATION`].
pub(crate) fn run_duration(raw: Raw<'_>) -> Result<Duration, Expected> {
    let d = duration_of(raw).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err(format!(
            "expected a duration greater than 0 and up to {}, like 5s",
            crate::units::limit(limits::MAX_DURATION)
        ));
    }
    if d > limits::MAX_DURATION {
        return Err(DurationError::TooLong(limits::MAX_DURATION).to_string());
    }
    Ok(d)
}

/// `interval` / `work`: a work spec (see [`super::dist`]).
pub(crate) fn spec(raw: Raw<'_>) -> Result<WorkSpec, Expected> {
    match raw {
        Raw::Str(s) => parse_work_spec(s).map_err(|e| e.to_string()),
        Raw::Int(n) => parse_work_spec(&n.to_string()).map_err(|e| e.to_string()),
        Raw::Bool(_) | Raw::Other => Err(format!("expected {}", super::dist::SPEC_FORMS)),
    }
}

/// `seed`: any `u64` (TOML itself stops at `i64::MAX`).
pub(crate) fn seed(raw: Raw<'_>) -> Result<u64, Expected> {
    whole(raw, 0, u64::MAX, || {
        format!("expected a whole number from 0 to {}", u64::MAX)
    })
}

/// `pills`: 0 to [`limits::MAX_PILLS`], or `"auto"` (one per consumer, the
/// correct protocol; lets a flag undo a file's deliberate mistake).
pub(crate) fn pills(raw: Raw<'_>) -> Result<Option<usize>, Expected> {
    let max = limits::MAX_PILLS as u64;
    match raw {
        Raw::Str(s) if s.trim() == "auto" => Ok(None),
        _ => whole(raw, 0, max, || {
            format!("expected a whole number from 0 to {max}, or \"auto\" (one per consumer)")
        })
        .map(|n| Some(n as usize)),
    }
}

/// One `crash_items` entry: an item id, 0 to [`limits::MAX_ITEMS`].
pub(crate) fn crash_item(raw: Raw<'_>) -> Result<u64, Expected> {
    let max = limits::MAX_ITEMS;
    whole(raw, 0, max, || {
        format!("expected an item id, a whole number from 0 to {max}")
    })
}

/// Shown when `crash_items` is longer than [`MAX_CRASH_ITEMS`].
pub(crate) fn crash_items_too_many() -> Expected {
    format!("expected at most {MAX_CRASH_ITEMS} item ids")
}

/// True for text that fits on one line of the screen.
fn one_line(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// One `words` entry: a non-empty string on one line (it is drawn in the queue).
pub(crate) fn word(raw: Raw<'_>) -> Result<String, Expected> {
    match raw {
        Raw::Str(s) if !s.is_empty() && one_line(s) => Ok(s.to_string()),
        _ => Err("expected a non-empty one-line string".into()),
    }
}

/// Shown when `words` is empty or too long, or not a list.
pub(crate) fn words_shape() -> Expected {
    format!(
        "expected a list of 1 to {} strings, like [\"this\", \"is\", \"a\", \"test\"]",
        limits::MAX_WORDS
    )
}

/// `map`: a boolean.
pub(crate) fn map(raw: Raw<'_>) -> Result<bool, Expected> {
    match raw {
        Raw::Bool(b) => Ok(b),
        _ => Err("expected true or false".into()),
    }
}

/// `gil`: a boolean.
pub(crate) fn gil(raw: Raw<'_>) -> Result<bool, Expected> {
    map(raw)
}

/// `switch_interval`: the GIL hand-over period, 100µs to 1s.
pub(crate) fn switch_interval(raw: Raw<'_>) -> Result<Duration, Expected> {
    let expected = || "expected a duration from 100µs to 1s, like \"5ms\"".to_string();
    match duration_of(raw) {
        Ok(d) if d >= Duration::from_micros(100) && d <= Duration::from_secs(1) => Ok(d),
        _ => Err(expected()),
    }
}

/// `pills_when`: when `main` puts the pills.
pub(crate) fn pills_when(raw: Raw<'_>) -> Result<crate::sim::PillTrigger, Expected> {
    use crate::sim::PillTrigger;
    match raw {
        Raw::Str(s) if s.trim() == "all-producers" => Ok(PillTrigger::AllProducers),
        Raw::Str(s) if s.trim() == "first-producer" => Ok(PillTrigger::FirstProducer),
        _ => Err(
            "expected \"all-producers\" (correct) or \"first-producer\" (the early-pill bug)"
                .into(),
        ),
    }
}

/// `split`: how a finite workload is shared by the producers.
pub(crate) fn split(raw: Raw<'_>) -> Result<bool, Expected> {
    match raw {
        Raw::Str(s) if s.trim() == "shared" => Ok(false),
        Raw::Str(s) if s.trim() == "even" => Ok(true),
        _ => Err("expected \"shared\" (one pool) or \"even\" (an equal share each)".into()),
    }
}

/// `--speed`: a factor from 0.01 (100x slower) to 100.
pub(crate) fn speed(raw: Raw<'_>) -> Result<f64, Expected> {
    let expected = || "expected a factor from 0.01 to 100, like 0.25 (4x slower)".to_string();
    let x = match raw {
        Raw::Int(n) => n as f64,
        Raw::Str(s) => s.trim().parse::<f64>().map_err(|_| expected())?,
        _ => return Err(expected()),
    };
    if x.is_finite() && (0.01..=100.0).contains(&x) {
        Ok(x)
    } else {
        Err(expected())
    }
}

/// `name`: a short, non-empty, one-line string.
pub(crate) fn name(raw: Raw<'_>) -> Result<String, Expected> {
    match raw {
        Raw::Str(s)
            if !s.trim().is_empty() && one_line(s) && s.chars().count() <= MAX_NAME_CHARS =>
        {
            Ok(s.trim().to_string())
        }
        _ => Err(format!(
            "expected a non-empty one-line string of at most {MAX_NAME_CHARS} characters"
        )),
    }
}

/// `lesson`: a one-line string (may be empty).
pub(crate) fn lesson(raw: Raw<'_>) -> Result<String, Expected> {
    match raw {
        Raw::Str(s) if one_line(s) && s.chars().count() <= MAX_LESSON_CHARS => {
            Ok(s.trim().to_string())
        }
        _ => Err(format!(
            "expected a one-line string of at most {MAX_LESSON_CHARS} characters"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::work::{Dist, WorkMode};

    #[test]
    fn flag_text_reads_like_toml() {
        assert_eq!(Raw::from_flag("32"), Raw::Int(32));
        assert_eq!(Raw::from_flag(" -4 "), Raw::Int(-4));
        assert_eq!(Raw::from_flag("true"), Raw::Bool(true));
        assert_eq!(Raw::from_flag("unbounded"), Raw::Str("unbounded"));
        assert_eq!(Raw::from_flag("4.5"), Raw::Str("4.5"));
        assert_eq!(Raw::from_flag("-"), Raw::Str("-"));
        assert_eq!(Raw::from_flag(&"9".repeat(60)), Raw::Int(i128::MAX));
    }

    #[test]
    fn thread_counts() {
        assert_eq!(threads(Raw::Int(1)), Ok(1));
        assert_eq!(threads(Raw::Int(1024)), Ok(1024));
        let msg = "expected a whole number from 1 to 1024";
        assert_eq!(threads(Raw::Int(0)), Err(msg.into()));
        assert_eq!(threads(Raw::Int(1025)), Err(msg.into()));
        assert_eq!(threads(Raw::Str("4")), Err(msg.into()));
        assert_eq!(threads(Raw::Other), Err(msg.into()));
    }

    #[test]
    fn capacities() {
        assert_eq!(capacity(Raw::Int(0)), Ok(Capacity::Rendezvous));
        assert_eq!(capacity(Raw::Int(32)), Ok(Capacity::Bounded(32)));
        assert_eq!(
            capacity(Raw::Int(1_000_000)),
            Ok(Capacity::Bounded(1_000_000))
        );
        assert_eq!(capacity(Raw::Str("unbounded")), Ok(Capacity::Unbounded));
        let msg = "expected 0 (rendezvous), a number up to 1000000, or \"unbounded\"";
        for bad in [
            Raw::Int(1_000_001),
            Raw::Int(-4),
            Raw::Str("infinite"),
            Raw::Bool(true),
        ] {
            assert_eq!(capacity(bad), Err(msg.into()), "{bad:?}");
        }
    }

    #[test]
    fn items_and_run_duration() {
        assert_eq!(items(Raw::Int(7)), Ok(7));
        assert_eq!(
            items(Raw::Int(0)),
            Err("expected a whole number from 1 to 1000000000".into())
        );
        assert!(items(Raw::Int(1_000_000_001)).is_err());
        assert_eq!(run_duration(Raw::Str("5s")), Ok(Duration::from_secs(5)));
        assert_eq!(
            run_duration(Raw::Str("24h")),
            Ok(Duration::from_secs(86_400))
        );
        assert_eq!(
            run_duration(Raw::Str("25h")),
            Err("expected a duration up to 24h".into())
        );
        assert_eq!(
            run_duration(Raw::Str("0s")),
            Err("expected a duration greater than 0 and up to 24h, like 5s".into())
        );
        assert_eq!(
            run_duration(Raw::Int(5)),
            Err("expected a unit after the number (ns, µs or us, ms, s, m, h), like 10ms".into())
        );
    }

    #[test]
    fn specs_seeds_pills() {
        let ms = Duration::from_millis;
        assert_eq!(
            spec(Raw::Str("cpu:10ms")),
            Ok(WorkSpec::new(WorkMode::Spin, Dist::Fixed(ms(10))))
        );
        assert_eq!(spec(Raw::Int(0)), Ok(WorkSpec::zero()));
        assert_eq!(
            spec(Raw::Str("exp:2h")),
            Err("expected every time in the spec to be at most 1h".into())
        );
        assert_eq!(seed(Raw::Int(i128::from(u64::MAX))), Ok(u64::MAX));
        assert!(seed(Raw::Int(-1)).is_err());
        assert_eq!(pills(Raw::Int(0)), Ok(Some(0)));
        assert_eq!(pills(Raw::Str("auto")), Ok(None));
        assert_eq!(
            pills(Raw::Int(1025)),
            Err("expected a whole number from 0 to 1024, or \"auto\" (one per consumer)".into())
        );
    }

    #[test]
    fn text_fields() {
        assert_eq!(word(Raw::Str("!")), Ok("!".into()));
        assert!(word(Raw::Str("")).is_err());
        assert!(word(Raw::Str("two\nlines")).is_err());
        assert!(word(Raw::Int(3)).is_err());
        assert_eq!(name(Raw::Str(" classic ")), Ok("classic".into()));
        assert!(name(Raw::Str("  ")).is_err());
        assert!(name(Raw::Str(&"x".repeat(65))).is_err());
        assert_eq!(lesson(Raw::Str("")), Ok(String::new()));
        assert!(lesson(Raw::Str("a\tb")).is_err());
        assert_eq!(map(Raw::Bool(true)), Ok(true));
        assert_eq!(map(Raw::Str("yes")), Err("expected true or false".into()));
        assert_eq!(crash_item(Raw::Int(0)), Ok(0));
        assert!(crash_item(Raw::Int(-1)).is_err());
    }
}
