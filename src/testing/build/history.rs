//! The depth history: the queue climbs at (arrival − service) until it is
//! full, or stays low when the consumers keep up.

use super::{CAPACITY, Run};
use crate::sim::HistoryPoint;
use crate::sim::snapshot::HISTORY_STEP;
use crate::testing::parts::Lcg;

/// One point per bucket of the run, with the depth the last one ends at
/// and the number of items done over the whole history.
pub(super) fn history(rng: &mut Lcg, run: &Run) -> (Vec<HistoryPoint>, f64, u64) {
    let cap = CAPACITY as f64;
    let step = HISTORY_STEP.as_secs_f64();
    let mut history = Vec::with_capacity(run.buckets);
    let mut depth = 0.0f64;
    let mut produced_total = 0u64;
    let mut done_total = 0u64;
    for b in 0..run.buckets {
        let noise = rng.below(5) as f64 - 2.0;
        let room = cap - depth;
        let net = (run.arrival - run.service) * step + noise;
        let prev = depth;
        depth = (depth + net).clamp(0.0, cap);
        if run.arrival < run.service {
            depth = (rng.below(6) as f64).min(cap);
        }
        let done = (run.arrival.min(run.service) * step + noise / 2.0)
            .max(0.0)
            .round() as u64;
        let produced = (done as f64 + (depth - prev).min(room)).max(0.0).round() as u64;
        produced_total += produced;
        done_total += done.min(produced_total - done_total);
        history.push(HistoryPoint {
            at: HISTORY_STEP * (b as u32 + 1),
            max_depth: (depth.ceil() as u64 + rng.below(2)).min(CAPACITY),
            mean_depth: (prev + depth) / 2.0,
            produced,
            done,
        });
    }
    (history, depth, done_total)
}
