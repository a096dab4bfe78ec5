//! The coordinator's sampler: every millisecond (slower with many threads) it
//! reads the queue depth and the number of items in the system and
//! integrates them over time (the time-weighted means Little's law checks);
//! every [`HISTORY_STEP`] it closes a history bucket and appends each
//! thread's dominant state to its swimlane.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::assemble::{counts, dominant};
use super::shared::{Shared, Worker};
use super::snapshot::{HISTORY_LEN, HISTORY_STEP, HistoryPoint};
use super::state::ThreadState;
use super::sync::lock;

/// The sampler's own state (lives on the coordinator thread).
#[derive(Default)]
pub struct Sampler {
    last_ns: u64,
    bucket_start: u64,
    bucket_max: u64,
    bucket_area: f64,
    last_produced: u64,
    last_done: u64,
    prev_time_in: HashMap<usize, [u64; ThreadState::COUNT]>,
}

/// Time between samples for `threads` threads: 1 ms, slower past 500
/// threads so sampling stays well under 1 % of a core.
pub fn period(threads: usize) -> Duration {
    Duration::from_micros((threads as u64 * 2).max(1000))
}

impl Sampler {
    /// Take one sample at `now_ns` with the channel's current length.
    pub fn sample(&mut self, sh: &Shared, workers: &[Arc<Worker>], channel_len: u64, now_ns: u64) {
        let c = counts(workers);
        let dt = now_ns.saturating_sub(self.last_ns) as f64;
        self.last_ns = now_ns;
        {
            let mut s = lock(&sh.sampled);
            s.depth_area += channel_len as f64 * dt;
            s.system_area += (c.queued + c.in_flight) as f64 * dt;
            s.covered_ns = now_ns;
            s.max_depth = s.max_depth.max(channel_len);
        }
        self.bucket_max = self.bucket_max.max(channel_len);
        self.bucket_area += channel_len as f64 * dt;
        let step = HISTORY_STEP.as_nanos() as u64;
        if now_ns.saturating_sub(self.bucket_start) >= step {
            let span = now_ns.saturating_sub(self.bucket_start).max(1) as f64;
            let done = c.consumed + c.failed;
            let point = HistoryPoint {
                at: Duration::from_nanos(now_ns),
                max_depth: self.bucket_max,
                mean_depth: self.bucket_area / span,
                produced: c.produced - self.last_produced.min(c.produced),
                done: done - self.last_done.min(done),
            };
            self.last_produced = c.produced;
            self.last_done = done;
            self.bucket_start = now_ns;
            self.bucket_max = channel_len;
            self.bucket_area = 0.0;
            {
                let mut s = lock(&sh.sampled);
                if s.history.len() == HISTORY_LEN {
                    s.history.pop_front();
                }
                s.history.push_back(point);
            }
            self.lanes(workers, now_ns);
        }
    }

    fn lanes(&mut self, workers: &[Arc<Worker>], now_ns: u64) {
        for w in workers {
            let (t, _) = w.stats.time_in(now_ns);
            let prev = self.prev_time_in.insert(w.id, t).unwrap_or_default();
            let state = w.stats.state();
            let mut lane = lock(&w.lane);
            if lane.len() == HISTORY_LEN {
                lane.pop_front();
            }
            lane.push_back(dominant(&prev, &t, state));
        }
    }
}
