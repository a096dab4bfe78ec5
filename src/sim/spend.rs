//! How a thread spends its interval or work time: sleeping (abortable, to
//! an absolute deadline, and on time: see `sleep`) or spinning, and spinning
//! under the emulated GIL when it is on — showing `waiting-gil` while it
//! waits its turn. Each sleep's actual length is recorded beside the asked.
//!
//! Work is measured on the run clock, so a pause freezes it: a thread in
//! the middle of its work when the clock stops parks (shown `paused`) with
//! the rest of its time still owed, and spends that once the clock runs
//! again. Otherwise work done during a pause would take no active time,
//! and a producer would make an item for free on every pause.

use super::shared::{Shared, Worker};
use super::sleep;
use super::state::ThreadState;
use super::work::{WorkMode, spin_until};
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
    if !d.is_zero() {
        // Time spent lets the others have the buffer (lesson order).
        sh.end_turn(w);
    }
    if mode == WorkMode::Spin && sh.gil.enabled() {
        // Turns under the GIL are not frozen mid-way: its slices are short.
        return sh.gil.spin(
            d,
            &|| w.stats.set_state(ThreadState::WaitingGil, sh.now_ns()),
            &|| w.stats.set_state(busy, sh.now_ns()),
            stop,
        );
    }
    if d.is_zero() {
        return true;
    }
    // The end on the run clock: what is owed after a pause is exact, even
    // though the thread notices the pause a moment after the clock stopped.
    let end_ns = sh.ns_at(start).saturating_add(d.as_nanos() as u64);
    let (mut start, mut d, mut whole) = (start, d, true);
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
            (start, d, whole) = (Instant::now(), Duration::from_nanos(owed), false);
        }
        if stint(w, mode, start, d, whole, &stop_or_frozen) {
            return true;
        }
        if stop() {
            return false;
        }
    }
}

/// One uninterrupted stretch of the work: to the wall deadline `start + d`
/// (while the clock runs, wall and run time advance alike). A sleep waits to
/// the deadline less this thread's margin, then spins (see `sleep`).
///
/// Only a `whole` sleep, never frozen by a pause, is recorded as asked vs
/// actual: a sleep cut by a pause has no true length, and the remainder
/// spent after it is not what the user asked for, so recording either would
/// skew the mean the details view shows. The margin still learns from all.
fn stint(
    w: &Worker,
    mode: WorkMode,
    start: Instant,
    d: Duration,
    whole: bool,
    stop: &dyn Fn() -> bool,
) -> bool {
    let deadline = start + d;
    if mode == WorkMode::Spin {
        return spin_until(deadline, stop);
    }
    // A sleeper waits on its wake channel, so an abort or a pause reaches it
    // at once.
    let mut margin = w.stats.sleep_margin();
    let done = sleep::until(deadline, &mut margin, &w.wake_rx, stop);
    w.stats.set_sleep_margin(margin);
    if done && whole {
        // What the sleep really took, against what was asked.
        w.stats.add_sleep(d, start.elapsed());
    }
    done
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
