//! Number and duration formatting for the screen: short, fixed-ish widths,
//! three significant digits. Durations come from [`crate::units`], their
//! one home; here a reader wants `1.21s`, not `1.214637s`.

/// A duration in three significant digits: `840µs`, `4.20ms`, `35.1ms`, `1.21s`.
pub use crate::units::short as dur;

/// Run time: `12.6s`, `3m07s`, `1h02m`.
pub use crate::units::clock as elapsed;

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

/// Counts with a `k`/`M` suffix once they would crowd a column.
pub fn count(n: u64) -> String {
    if n < 100_000 {
        n.to_string()
    } else if n < 100_000_000 {
        format!("{}k", n / 1000)
    } else {
        format!("{}M", n / 1_000_000)
    }
}

/// `s` in at most `width` cells, cut with `ellipsis` when it does not fit.
pub fn ellipsize(s: &str, width: usize, ellipsis: &str) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let keep = width.saturating_sub(ellipsis.chars().count());
    if keep == 0 {
        return s.chars().take(width).collect();
    }
    let mut out: String = s.chars().take(keep).collect();
    // Cut at a word end when one is near, so a word is not left half-shown.
    if let Some(sp) = out.rfind(' ')
        && out[sp..].chars().count() <= 12
        && sp > 0
    {
        out.truncate(sp);
    }
    out.truncate(out.trim_end_matches([' ', ',', ':', ';']).len());
    out.push_str(ellipsis);
    out
}

/// Word-wraps `s` into lines of at most `width` cells (a word longer than
/// a line is cut). Always returns at least one line.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in s.split_whitespace() {
        let w = word.chars().count();
        if len > 0 && len + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        if w > width {
            // Only a word wider than the whole line gets cut.
            line.extend(word.chars().take(width - len));
            len = width;
        } else {
            line.push_str(word);
            len += w;
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    // Durations (`dur`, `elapsed`) are tested where they live, in `units`.
    #[test]
    fn three_significant_digits() {
        assert_eq!(rate(26.66), "26.7/s");
        assert_eq!(rate(1234.0), "1.23k/s");
        assert_eq!(pct(0.976), "98%");
        assert_eq!(count(1_234_567), "1234k");
    }

    #[test]
    fn wrap_and_ellipsize() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc"]);
        assert_eq!(ellipsize("short", 10, "…"), "short");
        assert_eq!(ellipsize("three consumers wait", 12, "…"), "three…");
        assert_eq!(ellipsize("abcdefghij", 4, "..."), "a...");
        assert!(ellipsize("λ·W is long here", 8, "…").chars().count() <= 8);
    }
}
