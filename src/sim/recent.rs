//! A small ring of a producer's most recent enqueues (item id + enqueue
//! time), written only by that producer. Merging every producer's ring by
//! time gives the queue's contents in FIFO order without any shared write on
//! the hot path; the snapshot uses it for the queue strip.

use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept per producer: enough for a screen-wide strip.
pub const RECENT_LEN: usize = 256;

/// Id marking a pill in the coordinator's ring.
pub const PILL_ID: u64 = u64::MAX;

/// One producer's ring of recent enqueues: (id, enqueue ns) side by side,
/// so a push writes one cache line.
#[derive(Debug)]
pub struct RecentRing {
    written: AtomicU64,
    entries: Box<[[AtomicU64; 2]]>,
}

impl Default for RecentRing {
    fn default() -> Self {
        RecentRing::with_len(RECENT_LEN)
    }
}

impl RecentRing {
    /// A ring of `len` entries (rounded up to a power of two; threads that
    /// never push take 1).
    pub fn with_len(len: usize) -> RecentRing {
        let len = len.max(1).next_power_of_two();
        RecentRing {
            written: AtomicU64::new(0),
            entries: (0..len).map(|_| Default::default()).collect(),
        }
    }

    /// Owner only: record an enqueue.
    #[inline]
    pub fn push(&self, id: u64, at_ns: u64) {
        let n = self.written.load(Ordering::Relaxed);
        let e = &self.entries[(n as usize) & (self.entries.len() - 1)];
        e[0].store(id, Ordering::Relaxed);
        e[1].store(at_ns, Ordering::Relaxed);
        self.written.store(n + 1, Ordering::Release);
    }

    /// Up to `want` newest entries as (enqueue ns, id), oldest first. Entries
    /// being overwritten while read may be stale; callers use them for display.
    pub fn newest(&self, want: usize, out: &mut Vec<(u64, u64)>) {
        let n = self.written.load(Ordering::Acquire);
        let len = self.entries.len();
        let take = (want.min(len) as u64).min(n);
        for k in (n - take)..n {
            let e = &self.entries[(k as usize) & (len - 1)];
            out.push((e[1].load(Ordering::Relaxed), e[0].load(Ordering::Relaxed)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_in_order() {
        let r = RecentRing::default();
        for i in 0..(RECENT_LEN as u64 + 10) {
            r.push(i, i * 10);
        }
        let mut out = Vec::new();
        r.newest(3, &mut out);
        let n = RECENT_LEN as u64 + 10;
        assert_eq!(
            out,
            vec![
                ((n - 3) * 10, n - 3),
                ((n - 2) * 10, n - 2),
                ((n - 1) * 10, n - 1)
            ]
        );
    }
}
