//! Headless reports of a finished run: the seed-style text ending with a
//! per-thread table, one JSON document, CSV, and the `--log` narration. All
//! of them read only a final [`Snapshot`] (plus `map` results).

pub mod csv;
pub mod json;
pub mod log;
pub mod mmc;
pub mod paint;
pub mod text;

use std::time::Duration;

use crate::sim::{Snapshot, ThreadSnap, ThreadState};

/// Seconds as a float.
pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Time a thread was alive but neither busy nor waiting on the queue
/// (starting, paused, joining, waiting for the GIL).
pub fn idle(t: &ThreadSnap) -> Duration {
    let gone = t.time_in[ThreadState::Exited as usize] + t.time_in[ThreadState::Crashed as usize];
    t.lifetime()
        .saturating_sub(gone)
        .saturating_sub(t.busy())
        .saturating_sub(t.blocked())
        .saturating_sub(t.waiting())
}

/// λ·W, the right-hand side of Little's law, from the run's measurements.
pub fn little_rhs(s: &Snapshot) -> f64 {
    s.arrival_rate() * s.latency.mean_in_system.as_secs_f64()
}
