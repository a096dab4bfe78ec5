//! What the producer and consumer loops share: each thread's private RNG
//! seed, and the narrator that folds frequent block/unblock events into a
//! readable event log (one block line per thread per period; an unblock
//! line only after a long stall).

use std::time::Duration;

use super::event::EventKind;
use super::shared::{Shared, Worker};

/// Block/unblock events from one thread are folded when closer than this:
/// a busy queue blocks threads many times a second, and the event log is
/// for what changes, not for every wait. One line per thread per period.
pub const BLOCK_EVENT_GAP: Duration = Duration::from_secs(10);

/// An announced block that ends sooner than this ends quietly: only a
/// stall worth noticing gets an `unblocked after …` line of its own.
pub const UNBLOCK_WORTH_SAYING: Duration = Duration::from_secs(1);

/// A thread moving items flat out (no interval or work) looks at its control
/// flags and knobs once per this many items, not on every one: a pause,
/// stop or knob change then lands within a few microseconds, and a hand-off
/// costs less. After a step or a pause it looks again at its next turn.
pub const CHECK_EVERY: u32 = 64;

/// Seed for a thread's private RNG: the run seed mixed with role and index,
/// so the same seed gives every thread the same sequence of durations.
pub fn thread_seed(seed: u64, role: u64, index: usize) -> u64 {
    // splitmix64 of the combination: well spread even for adjacent indices.
    let mut z = seed ^ (role << 56) ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Folds frequent block/unblock events into one per [`BLOCK_EVENT_GAP`].
#[derive(Debug, Default)]
pub struct BlockNarrator {
    last_ns: Option<u64>,
    folded: u64,
    announced: bool,
}

impl BlockNarrator {
    /// A block began: announce it unless one was announced very recently.
    pub fn blocked(&mut self, sh: &Shared, w: &Worker, now_ns: u64, kind: EventKind) {
        let due = self
            .last_ns
            .is_none_or(|t| now_ns.saturating_sub(t) >= BLOCK_EVENT_GAP.as_nanos() as u64);
        if due {
            sh.emit(Some(&w.name), kind);
            self.last_ns = Some(now_ns);
            self.announced = true;
        } else {
            self.folded += 1;
            self.announced = false;
        }
    }

    /// The block ended after `after`.
    pub fn unblocked(&mut self, sh: &Shared, w: &Worker, after: Duration) {
        if self.announced && after >= UNBLOCK_WORTH_SAYING {
            sh.emit(
                Some(&w.name),
                EventKind::Unblocked {
                    after,
                    folded: std::mem::take(&mut self.folded),
                },
            );
            self.announced = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::work::Dist;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    #[test]
    fn each_thread_gets_its_own_reproducible_stream() {
        let d = Dist::Exp {
            mean: Duration::from_millis(10),
        };
        let draw = |seed, role, index| {
            let mut rng = SmallRng::seed_from_u64(thread_seed(seed, role, index));
            (0..20).map(|_| d.sample(&mut rng)).collect::<Vec<_>>()
        };
        // Same seed, same thread: same durations, run after run.
        assert_eq!(draw(42, 2, 3), draw(42, 2, 3));
        // Other threads, roles or seeds draw different sequences.
        assert_ne!(draw(42, 2, 3), draw(42, 2, 4));
        assert_ne!(draw(42, 1, 3), draw(42, 2, 3));
        assert_ne!(draw(42, 2, 3), draw(43, 2, 3));
    }
}
