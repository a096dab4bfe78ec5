//! The check every thread makes before each step: leave (abort, retire,
//! producers stopping), park while paused, or go on. On the normal path it
//! costs at most four flag loads and no call.

use std::sync::atomic::Ordering;

use super::shared::{Shared, Worker};
use super::state::{ExitReason, ThreadState};

/// What a thread should do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    /// Carry on.
    Go,
    /// Leave the loop for this reason.
    Leave(ExitReason),
}

/// Check control flags; parks (state `paused`) while the run is paused.
/// `resume_state` is the state to show again after a pause. While paused, a
/// step token (see [`Shared::take_step`]) lets the thread through for one
/// turn of its loop if `can_step()` says its queue operation can happen.
#[inline]
pub fn gate(
    sh: &Shared,
    w: &Worker,
    stops_with_producers: bool,
    resume_state: ThreadState,
    can_step: &dyn Fn() -> bool,
) -> Gate {
    // The per-item fast path: up to four loads (the last one acquire), no call.
    let attention = sh.aborted.load(Ordering::Relaxed)
        || w.retire.load(Ordering::Relaxed)
        || (stops_with_producers && sh.stop_producers.load(Ordering::Relaxed))
        || sh.paused.load(Ordering::Acquire);
    if !attention {
        return Gate::Go;
    }
    gate_slow(sh, w, stops_with_producers, resume_state, can_step)
}

#[cold]
fn gate_slow(
    sh: &Shared,
    w: &Worker,
    stops_with_producers: bool,
    resume_state: ThreadState,
    can_step: &dyn Fn() -> bool,
) -> Gate {
    loop {
        if sh.aborted.load(Ordering::Relaxed) {
            return Gate::Leave(ExitReason::Aborted);
        }
        if w.retire.load(Ordering::Relaxed) {
            return Gate::Leave(if stops_with_producers {
                ExitReason::Stopped
            } else {
                ExitReason::Retired
            });
        }
        if stops_with_producers && sh.stop_producers.load(Ordering::Relaxed) {
            return Gate::Leave(ExitReason::Stopped);
        }
        if !sh.paused.load(Ordering::Acquire) {
            return Gate::Go;
        }
        if can_step() && sh.take_step() {
            w.stats.set_state(resume_state, sh.now_ns());
            return Gate::Go;
        }
        w.stats.set_state(ThreadState::Paused, sh.now_ns());
        // Parked until woken by resume/step/abort/retire (or the wake channel dies).
        if w.wake_rx.recv().is_err() {
            return Gate::Leave(ExitReason::Aborted);
        }
        if !sh.paused.load(Ordering::Acquire) {
            w.stats.set_state(resume_state, sh.now_ns());
        }
    }
}
