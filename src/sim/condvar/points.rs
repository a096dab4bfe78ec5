//! OSTEP's sleep points and sleep strings. The homework's `put` and `get`
//! carry numbered points (p0–p6 in the producer, c0–c6 in the consumer);
//! a sleep string says how long each thread sleeps at each point, every
//! time it passes it, so an interleaving can be forced on any machine.
//!
//! As in `main-header.h`: `"1,0,2:0"` is one piece per thread (colons), each
//! a list of up to seven sleeps (commas) for points 0..6; missing ones are 0.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Sleep points per thread: 0 to 6.
pub const POINTS: usize = 7;

/// Longest sleep at one point (the homework sleeps whole seconds; a lesson
/// needs no more than this).
pub const MAX_POINT_SLEEP: Duration = Duration::from_secs(10);

/// Where each point is, in the homework's producer loop (the consumer's
/// c0–c6 sit at the same places in `get`).
pub const PRODUCER_POINTS: [&str; POINTS] = [
    "top of the loop, before Mutex_lock",
    "holding the lock, before checking for room",
    "buffer full: just before Cond_wait(empty)",
    "back from Cond_wait (holding the lock), before the check",
    "after do_fill (holding the lock)",
    "after Cond_signal(fill), before Mutex_unlock",
    "after Mutex_unlock",
];

/// The consumer's points, as [`PRODUCER_POINTS`].
pub const CONSUMER_POINTS: [&str; POINTS] = [
    "top of the loop, before Mutex_lock",
    "holding the lock, before checking for an item",
    "buffer empty: just before Cond_wait(fill)",
    "back from Cond_wait (holding the lock), before the check",
    "after do_get (holding the lock)",
    "after Cond_signal(empty), before Mutex_unlock",
    "after Mutex_unlock",
];

/// A point's name: `p3`, `c0`.
pub fn point_name(producer: bool, n: usize) -> String {
    format!("{}{n}", if producer { 'p' } else { 'c' })
}

/// Sleeps per thread (thread i uses piece i) and point, in ns. Empty: no
/// thread sleeps at any point.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SleepPlan(Vec<[u64; POINTS]>);

impl SleepPlan {
    /// A plan of these pieces.
    pub fn new(pieces: Vec<[u64; POINTS]>) -> SleepPlan {
        SleepPlan(pieces)
    }

    /// True when no thread sleeps anywhere.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|p| p.iter().all(|&ns| ns == 0))
    }

    /// Pieces given (one per thread).
    pub fn pieces(&self) -> usize {
        self.0.len()
    }

    /// Thread `index`'s sleeps (a thread beyond the pieces, added live,
    /// sleeps nowhere).
    pub fn for_thread(&self, index: usize) -> [u64; POINTS] {
        self.0.get(index).copied().unwrap_or([0; POINTS])
    }

    /// Every sleep scaled by `f` (see `Config::at_speed`), capped at
    /// [`MAX_POINT_SLEEP`].
    pub fn scaled(&self, f: f64) -> SleepPlan {
        let cap = MAX_POINT_SLEEP.as_nanos() as f64;
        SleepPlan(
            self.0
                .iter()
                .map(|p| p.map(|ns| (ns as f64 * f).min(cap) as u64))
                .collect(),
        )
    }
}

/// As written: seconds, `:` between threads, `,` between points.
impl fmt::Display for SleepPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, piece) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            let last = piece.iter().rposition(|&ns| ns != 0).map_or(1, |k| k + 1);
            for (k, ns) in piece[..last].iter().enumerate() {
                if k > 0 {
                    f.write_str(",")?;
                }
                let s = format!("{:.6}", *ns as f64 / 1e9);
                f.write_str(s.trim_end_matches('0').trim_end_matches('.'))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_reads_back_as_written_and_missing_threads_sleep_nowhere() {
        let mut a = [0; POINTS];
        a[3] = 1_500_000_000;
        let plan = SleepPlan::new(vec![a, [0; POINTS]]);
        assert_eq!(plan.to_string(), "0,0,0,1.5:0");
        assert_eq!(plan.for_thread(0)[3], 1_500_000_000);
        assert_eq!(plan.for_thread(7), [0; POINTS]);
        assert!(!plan.is_empty() && SleepPlan::default().is_empty());
        assert_eq!(plan.scaled(100.0).for_thread(0)[3], 10_000_000_000);
        assert_eq!(point_name(false, 6), "c6");
    }
}
