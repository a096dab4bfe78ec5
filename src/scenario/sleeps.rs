//! Sleep strings, as OSTEP's threads-cv homework writes them
//! (`-P 0,0,1:0`): one piece per thread, separated by `:`, each a list of
//! up to seven sleeps separated by `,`, for points 0..6 (missing ones are 0).
//! A bare number is seconds, as in the homework (`0.25` too); a value may
//! also carry a unit (`50ms`).

use super::duration::parse_duration_max;
use super::fields::{Expected, Raw};
use crate::sim::SleepPlan;
use crate::sim::condvar::points::{MAX_POINT_SLEEP, POINTS};
use crate::sim::config::limits;

/// Longest sleep string, in bytes (1,024 threads of seven short values fit).
pub const MAX_SLEEPS_BYTES: usize = 64 * 1024;

/// What a sleep string may be.
pub(crate) fn expected() -> Expected {
    "expected a sleep string like \"0,0,1:0\": for each thread (separated by :) up to 7 \
     sleeps at points 0-6 (separated by ,), in seconds or with a unit (50ms), each at most 10s"
        .into()
}

/// `producer_sleeps` / `consumer_sleeps`.
pub(crate) fn sleeps(raw: Raw<'_>) -> Result<SleepPlan, Expected> {
    match raw {
        Raw::Int(n) => parse(&n.to_string()),
        Raw::Str(s) => parse(s),
        _ => None,
    }
    .ok_or_else(expected)
}

/// A sleep string, or `None` if it is not one.
fn parse(s: &str) -> Option<SleepPlan> {
    if s.len() > MAX_SLEEPS_BYTES || s.trim().is_empty() {
        return None;
    }
    let mut pieces = Vec::new();
    for piece in s.split(':') {
        if pieces.len() == limits::MAX_THREADS {
            return None;
        }
        let mut at = [0u64; POINTS];
        for (k, value) in piece.split(',').enumerate() {
            *at.get_mut(k)? = one(value.trim())?;
        }
        pieces.push(at);
    }
    Some(SleepPlan::new(pieces))
}

/// One sleep, ns: a bare number is seconds; empty is 0 (as `atoi`).
fn one(v: &str) -> Option<u64> {
    if v.is_empty() {
        return Some(0);
    }
    let bare = v.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let d = if bare {
        parse_duration_max(&format!("{v}s"), MAX_POINT_SLEEP)
    } else {
        parse_duration_max(v, MAX_POINT_SLEEP)
    };
    d.ok().map(|d| d.as_nanos() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> SleepPlan {
        sleeps(Raw::Str(s)).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_homework_forms_read_as_it_reads_them() {
        let p = ok("1,0,0,0,0,0,0");
        assert_eq!((p.pieces(), p.for_thread(0)[0]), (1, 1_000_000_000));
        let p = ok("0,0,0.25:0,50ms");
        assert_eq!(p.pieces(), 2);
        assert_eq!(p.for_thread(0)[2], 250_000_000);
        assert_eq!(p.for_thread(1)[1], 50_000_000);
        assert_eq!(p.to_string(), "0,0,0.25:0,0.05");
        assert_eq!(sleeps(Raw::Int(0)).map(|p| p.is_empty()), Ok(true));
    }

    #[test]
    fn bad_strings_are_refused() {
        for s in [
            "",
            "0,0,0,0,0,0,0,1",
            "11",
            "-1",
            "1e3",
            "2h",
            "a,b",
            "0:0,x",
        ] {
            assert_eq!(sleeps(Raw::Str(s)), Err(expected()), "{s}");
        }
        assert_eq!(sleeps(Raw::Bool(true)), Err(expected()));
        let many = vec!["0"; limits::MAX_THREADS + 1].join(":");
        assert!(sleeps(Raw::Str(&many)).is_err());
        let long = "0,".repeat(MAX_SLEEPS_BYTES);
        assert!(sleeps(Raw::Str(&long)).is_err());
    }
}
