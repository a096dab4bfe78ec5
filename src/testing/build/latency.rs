//! Latencies that agree with the counters: queue wait from Little's law
//! (Lq / λ) when saturated, end to end = wait + work.

use super::{Run, WORK_MEAN_S};
use crate::sim::{Counts, Latency};
use crate::testing::parts::summary_us;
use std::time::Duration;

/// The latency summaries and the mean number of items in the system (L).
pub(super) fn latency(run: &Run, c: Counts) -> (Latency, f64) {
    let arrival_rate = c.produced as f64 / run.elapsed.as_secs_f64();
    let wait = if run.saturated() {
        c.queued as f64 / run.service
    } else {
        0.004
    };
    let in_system = wait + WORK_MEAN_S;
    let mean_in_system = arrival_rate * in_system * 0.985;
    let w = (wait * 1e6) as u64;
    let sys = (in_system * 1e6) as u64;
    // Saturated, every item waits about Lq/λ; with spare consumers most
    // items wait almost nothing and a few wait a whole work time.
    let queue_wait = if run.saturated() {
        [w * 93 / 100, w, w * 110 / 100, w * 121 / 100, w * 126 / 100]
    } else {
        [w, w / 4, w * 3, w * 18, w * 40]
    };
    let end_to_end = [
        sys * 96 / 100 + 20_000,
        sys + 12_000,
        sys * 124 / 100 + 30_000,
        sys * 160 / 100 + 40_000,
        sys * 180 / 100 + 60_000,
    ];
    let latency = Latency {
        queue_wait: summary_us(c.consumed, queue_wait),
        end_to_end: summary_us(c.consumed, end_to_end),
        mean_in_system: Duration::from_secs_f64(in_system),
    };
    (latency, mean_in_system)
}
