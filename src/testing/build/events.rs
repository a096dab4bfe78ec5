//! The events of a run under way: its opening, a change of work time and
//! back, producers blocking on the full queue, with a gap the ring dropped.

use crate::sim::{EventKind, Snapshot};
use crate::testing::parts::{append, ms};

/// Events the ring dropped between the opening ones and the recent ones.
const DROPPED: u64 = 180;

/// Fills in the events of a fresh run: the opening, a change of work time
/// and back, then producers blocking on the full queue.
pub(super) fn opening(s: &mut Snapshot) {
    let unblocked = |after, folded| EventKind::Unblocked {
        after: ms(after),
        folded,
    };
    let full = || EventKind::BlockedFull { capacity: 32 };
    let changed = |what: &str| EventKind::ConfigChanged(what.into());
    append(
        s,
        [
            (
                0,
                None,
                EventKind::Run("run started: default (seed 42)".into()),
            ),
            (1, Some("main"), EventKind::Started),
            (1, Some("Producer-1"), EventKind::Started),
            (1, Some("Producer-2"), EventKind::Started),
            (2, Some("Consumer-1"), EventKind::WaitingEmpty),
            (2, Some("Consumer-2"), EventKind::WaitingEmpty),
            (51, Some("Consumer-1"), unblocked(49, 0)),
            (51, Some("Consumer-2"), unblocked(49, 1)),
            (2_450, Some("Producer-1"), full()),
            (2_490, Some("Producer-1"), unblocked(40, 0)),
            (2_500, Some("Producer-2"), full()),
            (6_400, Some("main"), changed("work exp:150ms → exp:120ms")),
            (9_100, Some("main"), changed("work exp:120ms → exp:150ms")),
            (11_930, Some("Producer-2"), unblocked(61, 37)),
            (12_210, Some("Producer-1"), unblocked(44, 41)),
            (12_480, Some("Producer-1"), full()),
        ],
    );
    // Spread the sequence numbers like a ring that dropped older
    // block/unblock pairs.
    for e in s.events.iter_mut().skip(9) {
        e.seq += DROPPED;
    }
    s.events_total += DROPPED;
}
