//! The hang watchdog: collects the lints a run raises and says when a hang
//! has lasted long enough to stop the run. Shared by `run`, the sweep's
//! trials and the recorder, so they all warn alike. A hang lasts on the run
//! clock: a paused run is not hung, however long it stays paused.

use std::time::Duration;

use super::lint::{Lint, lints};
use crate::sim::Snapshot;

/// How long a hang must persist before the watchdog calls it (a pill may be
/// a moment from the queue).
pub const HANG_AFTER: Duration = Duration::from_secs(1);

/// Collects the lints seen during a run (latest message per kind) and says
/// when a hang has persisted for [`HANG_AFTER`].
#[derive(Debug, Default)]
pub struct Watchdog {
    seen: Vec<Lint>,
    /// When the current hang began, on the run clock.
    hang_since: Option<Duration>,
}

impl Watchdog {
    /// The lints seen so far, the latest message of each kind.
    pub fn warnings(&self) -> &[Lint] {
        &self.seen
    }

    /// Record this snapshot's lints; `Some(message)` once a hang has lasted
    /// [`HANG_AFTER`] of active time (the snapshot's `elapsed`).
    pub fn observe(&mut self, s: &Snapshot) -> Option<String> {
        let now = s.elapsed;
        let found = lints(s);
        for l in &found {
            match self.seen.iter_mut().find(|x| x.kind == l.kind) {
                Some(x) => x.message = l.message.clone(),
                None => self.seen.push(l.clone()),
            }
        }
        let Some(hang) = found.iter().find(|l| l.kind.is_hang()) else {
            // The hang went away (a late pill): the next one starts afresh.
            self.hang_since = None;
            return None;
        };
        let since = *self.hang_since.get_or_insert(now);
        (now.saturating_sub(since) >= HANG_AFTER).then(|| hang.message.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::lint::LintKind;
    use crate::sim::Snapshot;
    use crate::testing;

    /// `s` at `t` on the run clock.
    fn at(mut s: Snapshot, t: Duration) -> Snapshot {
        s.elapsed = t;
        s
    }

    #[test]
    fn a_hang_is_called_only_once_it_has_lasted() {
        let mut w = Watchdog::default();
        let t0 = Duration::from_secs(3);
        let s = testing::hang();
        assert_eq!(w.observe(&at(s.clone(), t0)), None, "too soon");
        let half = at(s.clone(), t0 + HANG_AFTER / 2);
        assert_eq!(w.observe(&half), None, "too soon");
        assert_eq!(
            w.observe(&at(s, t0 + HANG_AFTER)).as_deref(),
            Some("3 consumers will wait forever: 1 pill sent for 4 consumers")
        );
    }

    #[test]
    fn a_paused_hang_does_not_last() {
        let mut w = Watchdog::default();
        let s = testing::hang();
        // Wall time passes, the run clock does not: no call.
        for _ in 0..5 {
            assert_eq!(w.observe(&s), None);
        }
    }

    #[test]
    fn a_hang_that_goes_away_starts_the_clock_again() {
        let mut w = Watchdog::default();
        let t0 = Duration::from_secs(3);
        let (hang, fine) = (testing::hang(), testing::running(4));
        assert_eq!(w.observe(&at(hang.clone(), t0)), None);
        assert_eq!(w.observe(&at(fine, t0 + HANG_AFTER / 2)), None);
        assert_eq!(
            w.observe(&at(hang.clone(), t0 + HANG_AFTER)),
            None,
            "clock restarted"
        );
        assert!(w.observe(&at(hang, t0 + HANG_AFTER * 2)).is_some());
    }

    #[test]
    fn warnings_keep_every_kind_seen_in_order() {
        let mut w = Watchdog::default();
        assert!(w.warnings().is_empty());
        w.observe(&testing::hang());
        // A healthy snapshot later does not erase what was seen.
        w.observe(&testing::mmc());
        w.observe(&testing::running(4));
        w.observe(&testing::hang());
        let kinds: Vec<LintKind> = w.warnings().iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![
                LintKind::PillsMismatch,
                LintKind::Hang,
                LintKind::ConsumerBound
            ]
        );
    }
}
