//! Text formatting for the screen: counts for narrow columns, cutting and
//! wrapping to a width. Numbers and durations come from the crate's
//! [`units`](crate::units), re-exported here so every panel has one `fmt`.

pub use crate::units::{clock as elapsed, n_of, pct, rate, short as dur};

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
    super::draw::note_cut(s);
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
    fn counts_get_a_suffix_past_five_digits() {
        assert_eq!(count(99_999), "99999");
        assert_eq!(count(1_234_567), "1234k");
        assert_eq!(count(123_456_789), "123M");
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
