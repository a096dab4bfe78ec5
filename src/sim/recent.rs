//! A small ring of a producer's most recent enqueues (item id + enqueue
//! time), written only by that producer. Merging every producer's ring by
//! time gives the queue's contents in FIFO order without any shared write on
//! the hot path; the snapshot uses it for the queue strip.

use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept per producer: enough for a screen-wide strip.
pub const RECENT_LEN: usize = 256;

/// Id marking a pill in the coordinator's ring.
pub const PILL_ID: u64 = u64::MAX;

/// One producer's ring of recent enqueues.
#[derive(Debug)]
pub struct RecentRing {
    written: AtomicU64,
    ids: Box<[AtomicU64]>,
    at_ns: Box<[AtomicU64]>,
}

impl Default for RecentRing {
    fn default() -> Self {
        RecentRing {
            written: AtomicU64::new(0),
            ids: (0..RECENT_LEN).map(|_| AtomicU64::new(0)).collect(),
            at_ns: (0..RECENT_LEN).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl RecentRing {
    /// Owner only: record an enqueue.
    #[inline]
    pub fn push(&self, id: u64, at_ns: u64) {
        let n = self.written.load(Ordering::Relaxed);
        let i = (n % RECENT_LEN as u64) as usize;
        self.ids[i].store(id, Ordering::Relaxed);
        self.at_ns[i].store(at_ns, Ordering::Relaxed);
        self.written.store(n + 1, Ordering::Release);
    }

    /// Up to `want` newest entries as (enqueue ns, id), oldest first. Entries
    /// being overwritten while read may be stale; callers use them for display.
    pub fn newest(&self, want: usize, out: &mut Vec<(u64, u64)>) {
        let n = self.written.load(Ordering::Acquire);
        let take = (want.min(RECENT_LEN) as u64).min(n);
        for k in (n - take)..n {
            let i = (k % RECENT_LEN as u64) as usize;
            out.push((
                self.at_ns[i].load(Ordering::Relaxed),
                self.ids[i].load(Ordering::Relaxed),
            ));
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
