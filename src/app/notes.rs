//! When each warning appeared: the event log narrates the engine's events,
//! and a lint (a hang, a runaway queue, a pills mistake) is a lifecycle
//! event of the run too. The engine does not compute lints, so the view
//! notes, frame by frame, the moment (on the run clock) each one starts.

use std::time::Duration;

use crate::analysis::lint::{LintKind, lints};
use crate::sim::Snapshot;

/// Notes kept (the oldest are dropped).
const MAX_NOTES: usize = 32;

/// A warning that appeared.
#[derive(Clone, Debug, PartialEq)]
pub struct LintNote {
    /// When it appeared, on the run clock.
    pub at: Duration,
    /// Which lint.
    pub kind: LintKind,
    /// Its message then.
    pub message: String,
}

/// The warnings seen appearing, oldest first.
#[derive(Clone, Debug, Default)]
pub struct LintNotes {
    notes: Vec<LintNote>,
    /// The lints of the last snapshot looked at, and its time.
    active: Vec<LintKind>,
    last_at: Duration,
}

impl LintNotes {
    /// Looks at the next snapshot: a lint not there in the previous one
    /// is noted. A snapshot earlier than the last (a replay seeking back)
    /// forgets the notes after it.
    pub fn observe(&mut self, snap: &Snapshot) {
        if snap.elapsed < self.last_at {
            self.notes.retain(|n| n.at <= snap.elapsed);
            self.active.clear();
        }
        self.last_at = snap.elapsed;
        let found = lints(snap);
        for l in &found {
            if !self.active.contains(&l.kind) {
                if self.notes.len() == MAX_NOTES {
                    self.notes.remove(0);
                }
                self.notes.push(LintNote {
                    at: snap.elapsed,
                    kind: l.kind,
                    message: l.message.clone(),
                });
            }
        }
        self.active = found.iter().map(|l| l.kind).collect();
    }

    /// The notes, oldest first.
    pub fn notes(&self) -> &[LintNote] {
        &self.notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn a_warning_is_noted_once_when_it_appears() {
        let mut n = LintNotes::default();
        let fine = testing::running(4);
        n.observe(&fine);
        // The saturated fixture: the queue is pinned full.
        assert_eq!(n.notes().len(), 1);
        assert_eq!(n.notes()[0].kind, LintKind::ConsumerBound);
        n.observe(&fine);
        assert_eq!(n.notes().len(), 1, "still there: not noted again");
        let mut hang = testing::hang();
        hang.elapsed = fine.elapsed + Duration::from_secs(1);
        n.observe(&hang);
        let kinds: Vec<LintKind> = n.notes().iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            [
                LintKind::ConsumerBound,
                LintKind::PillsMismatch,
                LintKind::Hang
            ]
        );
        // A replay back to the start forgets what came later, and notes
        // what is wrong there as it appears.
        let mut early = testing::running(4);
        early.elapsed = Duration::from_secs(1);
        n.observe(&early);
        assert_eq!(n.notes().len(), 1, "{:?}", n.notes());
        assert_eq!(n.notes()[0].at, early.elapsed);
    }
}
