//! Numbers and durations for people: short, fixed-ish widths, three
//! significant digits. The screen and the headless sweep report share them
//! (the scenario syntax's `fmt_duration` is exact and so can be long; here
//! a reader wants `1.21s`, not `1.214637s`).

use std::time::Duration;

/// A duration in three significant digits: `840us`, `4.20ms`, `35.1ms`, `1.21s`.
pub fn dur(d: Duration) -> String {
    let s = d.as_secs_f64();
    if d.is_zero() {
        "0".into()
    } else if s < 1e-3 {
        format!("{:.0}us", s * 1e6)
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
        elapsed(d)
    }
}

/// Run time: `12.6s`, `3m07s`, `1h02m`.
pub fn elapsed(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        format!("{:.1}s", d.as_secs_f64())
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
    }
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

    #[test]
    fn three_significant_digits() {
        let ms = Duration::from_millis;
        assert_eq!(dur(Duration::ZERO), "0");
        assert_eq!(dur(Duration::from_micros(840)), "840us");
        assert_eq!(dur(Duration::from_micros(4200)), "4.20ms");
        assert_eq!(dur(ms(35)), "35.0ms");
        assert_eq!(dur(ms(350)), "350ms");
        assert_eq!(dur(ms(1214)), "1.21s");
        assert_eq!(dur(ms(22_410)), "22.4s");
        assert_eq!(elapsed(ms(12_600)), "12.6s");
        assert_eq!(elapsed(ms(187_000)), "3m07s");
        assert_eq!(rate(26.66), "26.7/s");
        assert_eq!(rate(1234.0), "1.23k/s");
        assert_eq!(pct(0.976), "98%");
        assert_eq!(n_of(1, "producer"), "1 producer");
        assert_eq!(n_of(3, "consumer"), "3 consumers");
    }
}
