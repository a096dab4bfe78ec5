//! Thread-count ranges as a user types them: `4`, `1..16` (both ends
//! included, as people read it), `1..=16`, lists `1,2,4,8` and mixes
//! `1..4,8,16`. The result is sorted and free of duplicates.

use std::fmt;

use crate::sim::config::limits;

/// Why a range is not acceptable. `Display` is the `expected ...` part of a
/// one-line message; the caller adds the flag and what was typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RangeError {
    /// Not a number, a range or a list.
    Malformed,
    /// A count outside `1..=MAX_THREADS`.
    OutOfRange(u64),
    /// `HI..LO` with `LO < HI`.
    Reversed(usize, usize),
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let max = limits::MAX_THREADS;
        match self {
            RangeError::Malformed => write!(
                f,
                "expected a count, a range like 1..16, or a list like 1,2,4,8 (counts 1 to {max})"
            ),
            RangeError::OutOfRange(n) => {
                write!(f, "expected counts from 1 to {max} (found {n})")
            }
            RangeError::Reversed(a, b) => {
                write!(f, "expected a range from low to high, like {b}..{a}")
            }
        }
    }
}

fn count(text: &str) -> Result<usize, RangeError> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RangeError::Malformed);
    }
    // Digits only: a parse failure is an overflow, i.e. far out of range.
    let n: u64 = t.parse().unwrap_or(u64::MAX);
    if n == 0 || n > limits::MAX_THREADS as u64 {
        return Err(RangeError::OutOfRange(n));
    }
    Ok(n as usize)
}

/// Parses a count, range or list into sorted, distinct counts.
///
/// ```
/// use queuescope::sweep::range::parse_counts;
/// assert_eq!(parse_counts("1..4"), Ok(vec![1, 2, 3, 4]));
/// assert_eq!(parse_counts("8,1..=2,8"), Ok(vec![1, 2, 8]));
/// assert!(parse_counts("0..3").is_err());
/// ```
pub fn parse_counts(text: &str) -> Result<Vec<usize>, RangeError> {
    let mut out = Vec::new();
    for part in text.split(',') {
        match part.split_once("..") {
            Some((lo, hi)) => {
                let hi = hi.strip_prefix('=').unwrap_or(hi);
                let (lo, hi) = (count(lo)?, count(hi)?);
                if lo > hi {
                    return Err(RangeError::Reversed(lo, hi));
                }
                out.extend(lo..=hi);
            }
            None => out.push(count(part)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// `1..16` for a contiguous run, else the list: how a range is shown back.
pub fn show_counts(counts: &[usize]) -> String {
    match counts {
        [] => String::new(),
        [one] => one.to_string(),
        [first, .., last] if last - first + 1 == counts.len() => format!("{first}..{last}"),
        _ => counts
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// Up to `max` counts from 1 to `hi`, evenly spread, always including both
/// ends: the Tune view's consumer axis when `2 × current` is large.
pub fn spread(hi: usize, max: usize) -> Vec<usize> {
    let hi = hi.max(1);
    let max = max.max(2);
    if hi <= max {
        return (1..=hi).collect();
    }
    let mut out: Vec<usize> = (0..max)
        .map(|i| 1 + ((hi - 1) as f64 * i as f64 / (max - 1) as f64).round() as usize)
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse_counts("4"), Ok(vec![4]));
        assert_eq!(parse_counts("1..3"), Ok(vec![1, 2, 3]));
        assert_eq!(parse_counts("1..=3"), Ok(vec![1, 2, 3]));
        assert_eq!(parse_counts(" 2 .. 3 "), Ok(vec![2, 3]));
        assert_eq!(parse_counts("16,1..2,4"), Ok(vec![1, 2, 4, 16]));
        assert_eq!(parse_counts("3..3"), Ok(vec![3]));
    }

    #[test]
    fn errors() {
        assert_eq!(parse_counts("0..3"), Err(RangeError::OutOfRange(0)));
        assert_eq!(parse_counts("1..2000"), Err(RangeError::OutOfRange(2000)));
        assert_eq!(
            parse_counts("99999999999999999999999"),
            Err(RangeError::OutOfRange(u64::MAX))
        );
        assert_eq!(parse_counts("8..1"), Err(RangeError::Reversed(8, 1)));
        for bad in ["", "a", "1..", "..4", "1-4", "1,,2", "-1", "1.5", "1..2..3"] {
            assert!(parse_counts(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            RangeError::Reversed(8, 1).to_string(),
            "expected a range from low to high, like 1..8"
        );
    }

    #[test]
    fn shown_back() {
        assert_eq!(show_counts(&[1, 2, 3]), "1..3");
        assert_eq!(show_counts(&[1, 2, 4]), "1,2,4");
        assert_eq!(show_counts(&[7]), "7");
    }

    #[test]
    fn spread_keeps_the_ends() {
        assert_eq!(spread(4, 16), vec![1, 2, 3, 4]);
        let s = spread(100, 16);
        assert_eq!(s.len(), 16);
        assert_eq!((s[0], s[15]), (1, 100));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(spread(0, 16), vec![1]);
    }
}
