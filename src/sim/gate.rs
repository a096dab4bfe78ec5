//! The check every thread makes before each step: leave (abort, retire,
//! producers stopping), park while paused, or go on. On the normal path it
//! costs at most four flag loads and no call.
//!
//! While paused there are two kinds of gate. Before a queue operation
//! ([`gate`]) a thread needs a step token, and taking it is the one
//! operation the step lets happen. Before work that only takes time
//! ([`gate_timed`]: a producer about to make its next item) a thread goes
//! on whenever the run clock runs, as it does while a step is open; its
//! work then freezes when the clock stops (see [`super::clock`]).

use std::cell::Cell;
use std::sync::atomic::Ordering;

use super::event::EventKind;
use super::shared::{Shared, Worker};
use super::state::{ExitReason, Role, ThreadState};
use super::stats::NO_ITEM;

/// What a thread should do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    /// Carry on.
    Go,
    /// Leave the loop for this reason.
    Leave(ExitReason),
}

/// What lets a paused thread through.
enum Passage<'a> {
    /// A queue operation: a step token, if `can()` says it can happen.
    Operation(&'a dyn Fn() -> bool),
    /// Time passing: the run clock running.
    Time,
}

thread_local! {
    /// This thread took a step token and has not yet said what it did.
    static STEPPED: Cell<bool> = const { Cell::new(false) };
}

/// The gate before a queue operation: checks control flags; parks (state
/// `paused`) while the run is paused. `resume_state` is the state to show
/// again after a pause. While paused, a step token (see
/// [`Shared::take_step`]) lets the thread through for its operation if
/// `can_step()` says the operation can happen.
#[inline]
pub fn gate(
    sh: &Shared,
    w: &Worker,
    stops_with_producers: bool,
    resume_state: ThreadState,
    can_step: &dyn Fn() -> bool,
) -> Gate {
    if calm(sh, w, stops_with_producers) {
        return Gate::Go;
    }
    let passage = Passage::Operation(can_step);
    gate_slow(sh, w, stops_with_producers, resume_state, passage)
}

/// The gate before work that only takes time: like [`gate`], but while
/// paused it lets the thread through whenever the run clock runs.
#[inline]
pub fn gate_timed(
    sh: &Shared,
    w: &Worker,
    stops_with_producers: bool,
    resume_state: ThreadState,
) -> Gate {
    if calm(sh, w, stops_with_producers) {
        return Gate::Go;
    }
    gate_slow(sh, w, stops_with_producers, resume_state, Passage::Time)
}

/// After a queue operation while paused: if a step token let it happen,
/// says which (`put #17 by Producer-1`).
#[cold]
pub fn narrate_step(sh: &Shared, w: &Worker, kind: EventKind) {
    if STEPPED.replace(false) {
        sh.emit(Some(&w.name), kind);
    }
}

/// The gate's one fast path, for [`gate`] and [`gate_timed`] and for the
/// loops that look at their flags only once per `CHECK_EVERY` items: no flag
/// asks the thread to stop or park. Up to four loads (the last one acquire),
/// no call.
#[inline]
pub fn calm(sh: &Shared, w: &Worker, stops_with_producers: bool) -> bool {
    !(sh.aborted.load(Ordering::Relaxed)
        || w.retire.load(Ordering::Relaxed)
        || (stops_with_producers && sh.stop_producers.load(Ordering::Relaxed))
        || sh.paused.load(Ordering::Acquire))
}

#[cold]
fn gate_slow(
    sh: &Shared,
    w: &Worker,
    stops_with_producers: bool,
    resume_state: ThreadState,
    passage: Passage<'_>,
) -> Gate {
    sh.end_turn(w);
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
        let through = match passage {
            Passage::Operation(can) => {
                let took = can() && sh.take_step();
                STEPPED.set(took);
                took
            }
            Passage::Time => !sh.clock.is_stopped(),
        };
        if through {
            w.stats.set_state(resume_state, sh.now_ns());
            return Gate::Go;
        }
        // Parked between items, a thread holds none (a producer about to
        // put holds the item it made, and says so).
        if matches!(passage, Passage::Time) || w.role == Role::Consumer {
            w.stats.set_item(NO_ITEM);
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
