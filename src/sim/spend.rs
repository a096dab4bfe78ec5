//! How a thread spends its interval or work time: sleeping (abortable, to
//! an absolute deadline) or spinning, and spinning under the emulated GIL
//! when it is on — showing `waiting-gil` while it waits its turn.
//!
//! Work is measured on the run clock, so a pause freezes it: a thread in
//! the middle of its work when the clock stops parks (shown `paused`) with
//! the rest of its time still owed, and spends that once the clock runs
//! again. Otherwise work done during a pause would take no active time,
//! and a producer would make an item for free on every pause.

use super::shared::{Shared, Worker};
use super::state::ThreadState;
use super::work::{WorkMode, spend_unless};
use std::time::{Duration, Instant};

/// Spend `d` from `start` as `mode` says; `busy` is the state to show while
/// actually working. False if `stop()` cut it short.
pub fn spend(
    sh: &Shared,
    w: &Worker,
    mode: WorkMode,
    start: Instant,
    d: Duration,
    busy: ThreadState,
    stop: &dyn Fn() -> bool,
) -> bool {
    if mode == WorkMode::Spin && sh.gil.enabled() {
        // Turns under the GIL are not frozen mid-way: its slices are short.
        return sh.gil.spin(
            d,
            &|| w.stats.set_state(ThreadState::WaitingGil, sh.now_ns()),
            &|| w.stats.set_state(busy, sh.now_ns()),
            stop,
        );
    }
    // The end on the run clock: what is owed after a pause is exact, even
    // though the thread notices the pause a moment after the clock stopped.
    let end_ns = sh.ns_at(start).saturating_add(d.as_nanos() as u64);
    let (mut start, mut d) = (start, d);
    let stop_or_frozen = || stop() || sh.clock.is_stopped();
    loop {
        if sh.clock.is_stopped() {
            // Park, then spend what is still owed.
            if !park_while_stopped(sh, w, busy, stop) {
                return false;
            }
            let owed = end_ns.saturating_sub(sh.now_ns());
            if owed == 0 {
                return true;
            }
            (start, d) = (Instant::now(), Duration::from_nanos(owed));
        }
        if spend_unless(mode, start, d, &w.wake_rx, &stop_or_frozen) {
            return true;
        }
        if stop() {
            return false;
        }
    }
}

/// Parks (shown `paused`) while the run clock stands still; false if
/// `stop()` turned true meanwhile.
#[cold]
fn park_while_stopped(sh: &Shared, w: &Worker, busy: ThreadState, stop: &dyn Fn() -> bool) -> bool {
    w.stats.set_state(ThreadState::Paused, sh.now_ns());
    while sh.clock.is_stopped() {
        if stop() {
            return false;
        }
        // Resume, a step, stop and abort all wake every thread.
        if w.wake_rx.recv().is_err() {
            return false;
        }
    }
    w.stats.set_state(busy, sh.now_ns());
    !stop()
}
