//! Durations (and rates and percentages) as text, in one place for the whole crate, so a duration reads
//! the same in a scenario file, on the screen and in a report, and micro-
//! seconds are always `µs`. A leaf: it uses nothing else in the crate, so
//! the engine, the reports and the screens can all depend on it.
//!
//! - [`exact`]: loses nothing and parses back (`80ms`, `150µs`, `1.5s`),
//!   for configs, `Display` of work specs, and messages naming a setting.
//! - [`limit`]: exact too, but in whole hours or minutes when it is some
//!   (`24h`, `90m`), for error messages that state a bound.
//! - [`short`]: three significant digits for screens and tables (`4.20ms`).
//! - [`clock`]: a run's running time, for headers (`12.6s`, `3m07s`).
//! - [`human`]: reports, more digits and the largest unit that fits
//!   (`12.34 ms`, `3m 15.3s`).
//! - [`millis`]: milliseconds as a number, for JSON and CSV fields.
//! - [`rate`], [`pct`], [`n_of`]: rates, fractions and counted nouns for
//!   screens and tables.

use std::time::Duration;

/// Nanoseconds per microsecond, millisecond and second.
const NS_PER_US: u128 = 1_000;
const NS_PER_MS: u128 = 1_000_000;
const NS_PER_S: u128 = 1_000_000_000;

/// The duration exactly, in the largest of `s`, `ms` and `µs` that keeps it
/// at least 1, with as many decimals as it takes and no more: `0ms`, `40µs`,
/// `0.5µs`, `250ms`, `1.5ms`, `2s`, `3600s`, `1.000000001s`. The scenario
/// parser reads every value back to the same duration.
pub fn exact(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        "0ms".into()
    } else if ns >= NS_PER_S {
        decimal(ns, NS_PER_S, "s")
    } else if ns >= NS_PER_MS {
        decimal(ns, NS_PER_MS, "ms")
    } else {
        decimal(ns, NS_PER_US, "µs")
    }
}

/// `ns / unit` written out exactly in decimal, then `suffix`.
fn decimal(ns: u128, unit: u128, suffix: &str) -> String {
    let whole = ns / unit;
    let rest = ns % unit;
    if rest == 0 {
        return format!("{whole}{suffix}");
    }
    let width = unit.ilog10() as usize;
    let frac = format!("{rest:0width$}");
    format!("{whole}.{}{suffix}", frac.trim_end_matches('0'))
}

/// A bound the way a person states it: `1h`, `24h`, `90m` when it is a
/// whole number of hours or minutes, else [`exact`] (`90s`, `1.5s`). Parses
/// back like [`exact`].
pub fn limit(d: Duration) -> String {
    let secs = d.as_secs();
    let whole = d.subsec_nanos() == 0 && secs > 0;
    if whole && secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if whole && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        exact(d)
    }
}

/// Three significant digits, for screens where a reader wants `1.21s`, not
/// `1.214637s`: `0`, `840µs`, `4.20ms`, `35.1ms`, `350ms`, `1.21s`, `22.4s`;
/// from 100 s on, as [`clock`] (`3m15s`).
pub fn short(d: Duration) -> String {
    let s = d.as_secs_f64();
    if d.is_zero() {
        "0".into()
    } else if s < 1e-3 {
        format!("{:.0}µs", s * 1e6)
    } else if s < 0.01 {
        format!("{:.2}ms", s * 1e3)
    } else if s < 0.1 {
        format!("{:.1}ms", s * 1e3)
    } else if s < 1.0 {
        format!("{:.0}ms", s * 1e3)
    } else if s < 10.0 {
        format!("{s:.2}s")
    } else if s < 100.0 {
        format!("{s:.1}s")
    } else {
        clock(d)
    }
}

/// Running time, to the tenth of a second under a minute: `12.6s`, `3m07s`,
/// `1h02m`.
pub fn clock(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        format!("{:.1}s", d.as_secs_f64())
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
    }
}

/// For reports: finer than [`short`], a space before a single unit, and
/// the largest unit that fits: `840.0 µs`, `12.34 ms`, `150 ms`, `1.500 s`, `3m 15.3s`,
/// `2h 05m 03s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    let ns = d.as_nanos();
    // Rounded before choosing the unit, so 59.9996 s reads `1m 00.0s`.
    let millis = (ns + NS_PER_MS / 2) / NS_PER_MS;
    let tenths = (ns + NS_PER_S / 20) / (NS_PER_S / 10);
    let secs = (ns + NS_PER_S / 2) / NS_PER_S;
    if s < 1e-3 {
        format!("{:.1} µs", s * 1e6)
    } else if s < 0.1 {
        format!("{:.2} ms", s * 1e3)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else if millis < 60_000 {
        format!("{}.{:03} s", millis / 1000, millis % 1000)
    } else if tenths < 36_000 {
        let (m, t) = (tenths / 600, tenths % 600);
        format!("{m}m {:02}.{}s", t / 10, t % 10)
    } else {
        let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
        format!("{h}h {m:02}m {s:02}s")
    }
}

/// Milliseconds as a number, for JSON and CSV fields named `_ms`.
pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A rate per second: `0.50/s`, `26.7/s`, `1.23k/s`, `14.2M/s`.
pub fn rate(x: f64) -> String {
    if !x.is_finite() || x <= 0.0 {
        "0/s".into()
    } else if x < 10.0 {
        format!("{x:.2}/s")
    } else if x < 1000.0 {
        format!("{x:.1}/s")
    } else if x < 1e4 {
        format!("{:.2}k/s", x / 1e3)
    } else if x < 1e5 {
        format!("{:.1}k/s", x / 1e3)
    } else if x < 1e6 {
        format!("{:.0}k/s", x / 1e3)
    } else {
        format!("{:.2}M/s", x / 1e6)
    }
}

/// A fraction as a whole percentage: `0.976` → `98%`.
pub fn pct(f: f64) -> String {
    if f.is_finite() {
        format!("{:.0}%", (f * 100.0).clamp(0.0, 100.0))
    } else {
        "-".into()
    }
}

/// `1 producer`, `2 producers`.
pub fn n_of(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn exact_is_exact_in_s_ms_or_micros() {
        assert_eq!(exact(Duration::ZERO), "0ms");
        assert_eq!(exact(Duration::from_nanos(500)), "0.5µs");
        assert_eq!(exact(Duration::from_nanos(40)), "0.04µs");
        assert_eq!(exact(Duration::from_micros(150)), "150µs");
        assert_eq!(exact(Duration::from_nanos(150_250)), "150.25µs");
        assert_eq!(exact(ms(80)), "80ms");
        assert_eq!(exact(Duration::from_micros(1_500)), "1.5ms");
        assert_eq!(exact(Duration::from_nanos(1_234_567)), "1.234567ms");
        assert_eq!(exact(ms(2_000)), "2s");
        assert_eq!(exact(ms(3_600_000)), "3600s");
        assert_eq!(exact(Duration::new(1, 1)), "1.000000001s");
        assert_eq!(exact(ms(195_261)), "195.261s");
    }

    #[test]
    fn limits_use_hours_and_minutes_when_whole() {
        assert_eq!(limit(Duration::from_secs(24 * 3600)), "24h");
        assert_eq!(limit(Duration::from_secs(3600)), "1h");
        assert_eq!(limit(Duration::from_secs(120)), "2m");
        assert_eq!(limit(Duration::from_secs(5400)), "90m");
        assert_eq!(limit(Duration::from_secs(90)), "90s");
        assert_eq!(limit(ms(1500)), "1.5s");
        assert_eq!(limit(Duration::from_micros(100)), "100µs");
        assert_eq!(limit(Duration::ZERO), "0ms");
    }

    #[test]
    fn short_keeps_three_significant_digits() {
        assert_eq!(short(Duration::ZERO), "0");
        assert_eq!(short(Duration::from_micros(840)), "840µs");
        assert_eq!(short(Duration::from_micros(4200)), "4.20ms");
        assert_eq!(short(ms(35)), "35.0ms");
        assert_eq!(short(ms(350)), "350ms");
        assert_eq!(short(ms(1214)), "1.21s");
        assert_eq!(short(ms(22_410)), "22.4s");
        assert_eq!(short(ms(195_261)), "3m15s");
    }

    #[test]
    fn clock_counts_minutes_and_hours() {
        assert_eq!(clock(ms(12_600)), "12.6s");
        assert_eq!(clock(ms(187_000)), "3m07s");
        assert_eq!(clock(ms(3_725_000)), "1h02m");
    }

    #[test]
    fn human_picks_the_largest_unit_that_fits() {
        assert_eq!(human(Duration::ZERO), "0.0 µs");
        assert_eq!(human(Duration::from_micros(840)), "840.0 µs");
        assert_eq!(human(Duration::from_micros(12_346)), "12.35 ms");
        assert_eq!(human(ms(150)), "150 ms");
        assert_eq!(human(ms(1_500)), "1.500 s");
        assert_eq!(human(ms(59_999)), "59.999 s");
        assert_eq!(human(ms(195_261)), "3m 15.3s");
        assert_eq!(human(ms(119_990)), "2m 00.0s");
        assert_eq!(human(Duration::from_micros(59_999_600)), "1m 00.0s");
        assert_eq!(human(ms(65_000)), "1m 05.0s");
        assert_eq!(human(ms(7_503_000)), "2h 05m 03s");
    }

    #[test]
    fn millis_are_fractional() {
        assert_eq!(millis(Duration::from_micros(1_500)), 1.5);
        assert_eq!(millis(Duration::ZERO), 0.0);
    }

    #[test]
    fn rates_and_percentages_in_three_digits() {
        assert_eq!(rate(26.66), "26.7/s");
        assert_eq!(rate(1234.0), "1.23k/s");
        assert_eq!(pct(0.976), "98%");
        assert_eq!(n_of(1, "producer"), "1 producer");
        assert_eq!(n_of(2, "producer"), "2 producers");
    }
}
