//! The textbook buffers' lints: everyone asleep on a condition variable
//! with nobody left to signal (the one-cv bug), and a woken thread that did
//! not re-check (the `if` bug). Each names the wake-up that caused it, from
//! the snapshot's record of the last wake-up that found nothing.

use std::time::Duration;

use super::lint::{Lint, LintKind};
use crate::sim::{ExitReason, Phase, QueueKind, Role, Snapshot, ThreadState};

/// How long every thread must have slept before it counts: the states are
/// read one by one, and a thread just signalled shows `waiting-cv` until it
/// has the mutex back, so an instant where all seem asleep proves nothing.
const ASLEEP_FOR: Duration = Duration::from_millis(100);

/// Every live producer and consumer asleep on a condition variable (for
/// [`ASLEEP_FOR`] at least), and `main` unable to signal (joining the
/// producers, or its pill finding the buffer full).
pub fn deadlock(s: &Snapshot) -> Option<Lint> {
    let tb = s.textbook.as_ref()?;
    if s.phase.is_over() || s.phase == Phase::Paused {
        return None;
    }
    let mut live = s
        .threads
        .iter()
        .filter(|t| t.role != Role::Coordinator && !t.state.is_final())
        .peekable();
    live.peek()?;
    let mut cvs: Vec<String> = Vec::new();
    for t in live {
        if t.state != ThreadState::WaitingCv || t.in_state_for < ASLEEP_FOR {
            return None;
        }
        let cv =
            t.cv.map_or("a condition variable".into(), |c| c.to_string());
        if !cvs.contains(&cv) {
            cvs.push(cv);
        }
    }
    let full = s
        .capacity
        .limit()
        .is_some_and(|c| s.counts.depth() >= c as u64);
    let main_stuck = s.role(Role::Coordinator).all(|t| {
        matches!(t.state, ThreadState::Joining | ThreadState::Exited)
            || (t.state == ThreadState::BlockedFull && full)
    });
    if !main_stuck {
        return None;
    }
    let mut message = format!(
        "every thread is asleep on {} and nobody is left to signal",
        cvs.join(" and ")
    );
    if let Some(w) = &tb.bad_wake {
        message.push_str(&format!(": {w}"));
    }
    if tb.kind == QueueKind::CondvarOneCv {
        message.push_str(" (one variable for both sides: use two, empty and fill)");
    }
    Some(Lint {
        kind: LintKind::CvDeadlock,
        message,
    })
}

/// A thread that crashed after a wake-up it did not re-check.
pub fn no_recheck(s: &Snapshot) -> Option<Lint> {
    let tb = s.textbook.as_ref()?;
    if tb.kind != QueueKind::CondvarIf {
        return None;
    }
    let t = s.threads.iter().find(|t| {
        t.exit == Some(ExitReason::Crashed)
            && t.woke_held == Some(false)
            && t.current_item.is_none()
    })?;
    let what = if t.role == Role::Consumer {
        "took from an empty buffer"
    } else {
        "put into a full buffer"
    };
    let mut message = format!("{} woke, did not re-check, {what}", t.name);
    if let Some(w) = tb.bad_wake.as_ref().filter(|w| w.woke == *t.name) {
        message.push_str(&format!(" ({w}, but another thread got the lock first)"));
    }
    message.push_str(": wait in a while loop, not an if");
    Some(Lint {
        kind: LintKind::NoRecheck,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn a_lasting_sleep_of_every_thread_is_a_deadlock_naming_the_wrong_wake_up() {
        let s = testing::cv_deadlock();
        let l = deadlock(&s).expect("a deadlock");
        assert!(l.kind.is_hang());
        assert_eq!(
            l.message,
            "every thread is asleep on cond and nobody is left to signal: Consumer-2 signalled \
             cond → woke Consumer-1 instead of the producer (one variable for both sides: use \
             two, empty and fill)"
        );
    }

    #[test]
    fn an_instant_or_a_busy_thread_or_a_pause_is_not_a_deadlock() {
        let mut s = testing::cv_deadlock();
        // Just signalled: still shown asleep until it has the mutex back.
        s.threads[2].in_state_for = Duration::from_millis(5);
        assert_eq!(deadlock(&s), None);
        let mut s = testing::cv_deadlock();
        s.threads[1].state = ThreadState::Producing;
        assert_eq!(deadlock(&s), None);
        let mut s = testing::cv_deadlock();
        s.phase = Phase::Paused;
        assert_eq!(deadlock(&s), None);
        let mut s = testing::cv_deadlock();
        s.textbook = None;
        assert_eq!(deadlock(&s), None);
    }

    #[test]
    fn a_crash_after_a_wake_up_under_if_is_explained() {
        let mut s = testing::cv_deadlock();
        let tb = s.textbook.as_mut().expect("textbook");
        tb.kind = QueueKind::CondvarIf;
        assert_eq!(no_recheck(&s), None, "nobody crashed");
        s.threads[2].state = ThreadState::Crashed;
        s.threads[2].exit = Some(ExitReason::Crashed);
        s.threads[2].woke_held = Some(false);
        s.threads[2].current_item = None;
        let l = no_recheck(&s).expect("the if bug");
        assert_eq!(
            l.message,
            "Consumer-1 woke, did not re-check, took from an empty buffer (Consumer-2 signalled \
             cond → woke Consumer-1 instead of the producer, but another thread got the lock \
             first): wait in a while loop, not an if"
        );
    }
}
