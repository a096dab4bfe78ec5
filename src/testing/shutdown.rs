//! The saturated default run shutting down with poison pills: `main` blocked
//! putting the last pill, then the consumers draining, then done.

use super::build::build;
use super::parts::{append, ms};
use crate::sim::{
    EventKind, ExitReason, Phase, QueueStrip, Role, Slot, Snapshot, ThreadSnap, ThreadState,
};

/// Shutdown in progress, 20.8 s in: the producers have stopped, `main` has
/// put 3 of 4 pills behind 29 items and is blocked on the 4th because the
/// queue is full; every consumer is still draining items.
pub fn shutting_down() -> Snapshot {
    let mut s = build(2, 4, ms(20_800), 42);
    s.phase = Phase::ShuttingDown;
    s.counts.pills_planned = Some(4);
    s.counts.pills_sent = 3;
    s.counts.queued = 29;
    s.counts.produced = s.counts.consumed + s.counts.failed + s.counts.queued + s.counts.in_flight;
    let first = s.counts.produced - 29 + 1;
    let mut slots: Vec<Slot> = (0..29)
        .map(|k| Slot::Item {
            id: first + k,
            producer: (k % 2) as usize,
        })
        .collect();
    slots.extend([Slot::Pill; 3]);
    s.strip = QueueStrip { hidden: 0, slots };
    for t in &mut s.threads {
        match t.role {
            Role::Coordinator => blocked_on_the_last_pill(t),
            Role::Producer => stopped(t),
            Role::Consumer => {}
        }
    }
    let run = |text: &str| EventKind::Run(text.into());
    let stopped = || EventKind::Exited(ExitReason::Stopped);
    let pill = |k| EventKind::PillSent { k, n: 4 };
    append(
        &mut s,
        [
            (
                20_000,
                None,
                run("shutdown requested: producers stop, then 4 pills"),
            ),
            (20_010, Some("Producer-1"), stopped()),
            (20_031, Some("Producer-2"), stopped()),
            (20_032, None, run("producers joined; main sends 4 pills")),
            (20_090, Some("main"), pill(1)),
            (20_270, Some("main"), pill(2)),
            (20_620, Some("main"), pill(3)),
            (
                20_620,
                Some("main"),
                EventKind::BlockedFull { capacity: 32 },
            ),
        ],
    );
    s
}

/// `main` after 3 pills, blocked putting the 4th into the full queue.
fn blocked_on_the_last_pill(t: &mut ThreadSnap) {
    t.state = ThreadState::BlockedFull;
    t.in_state_for = ms(180);
    t.items = 3;
    t.lane.pop();
    t.lane.push(ThreadState::BlockedFull);
}

/// A producer told to stop 0.8 s ago.
fn stopped(t: &mut ThreadSnap) {
    t.state = ThreadState::Exited;
    t.exit = Some(ExitReason::Stopped);
    t.current_item = None;
    t.in_state_for = ms(800);
    t.time_in[ThreadState::Exited as usize] = ms(800);
    let n = t.lane.len();
    for cell in t.lane.iter_mut().skip(n - 3) {
        *cell = ThreadState::Exited;
    }
}

/// Later in the same shutdown, 22.0 s in: every pill is out, two consumers
/// have taken theirs and exited, two finish their last items with two pills
/// waiting for them in the queue.
pub fn draining() -> Snapshot {
    let mut s = shutting_down();
    s.elapsed = ms(22_000);
    s.counts.pills_sent = 4;
    s.counts.pills_received = 2;
    let done = s.counts.queued + s.counts.in_flight - 2;
    s.counts.consumed += done;
    s.counts.queued = 0;
    s.counts.in_flight = 2;
    s.strip = QueueStrip {
        hidden: 0,
        slots: vec![Slot::Pill; 2],
    };
    let mut item = s.counts.produced - 1;
    let mut consumer_no = 0;
    for t in &mut s.threads {
        match t.role {
            Role::Coordinator => {
                t.state = ThreadState::Joining;
                t.items = 4;
                t.in_state_for = ms(600);
                t.lane.push(ThreadState::Joining);
            }
            Role::Consumer => {
                consumer_no += 1;
                drain(t, consumer_no, &mut item);
            }
            Role::Producer => t.lane.push(ThreadState::Exited),
        }
        // Two buckets on: the lane shifts left by two.
        t.lane.push(*t.lane.last().unwrap_or(&t.state));
        t.lane.remove(0);
        t.lane.remove(0);
    }
    let unblocked = EventKind::Unblocked {
        after: ms(640),
        folded: 0,
    };
    let joins = EventKind::Run("every pill sent; main joins the consumers".into());
    append(
        &mut s,
        [
            (21_260, Some("main"), unblocked),
            (21_260, Some("main"), EventKind::PillSent { k: 4, n: 4 }),
            (21_262, None, joins),
            (21_640, Some("Consumer-1"), EventKind::PillReceived),
            (21_870, Some("Consumer-3"), EventKind::PillReceived),
        ],
    );
    s
}

/// Consumer number `no` (from 1) eight items later: the odd ones took their
/// pill and exited, the even ones work on the next `item`.
fn drain(t: &mut ThreadSnap, no: u64, item: &mut u64) {
    t.items += 8;
    if no % 2 == 1 {
        t.state = ThreadState::Exited;
        t.exit = Some(ExitReason::Pill);
        t.current_item = None;
        t.in_state_for = ms(300 + 100 * no);
        t.time_in[ThreadState::Exited as usize] = t.in_state_for;
        t.lane.push(ThreadState::Exited);
    } else {
        t.current_item = Some(*item);
        *item += 1;
        t.lane.push(ThreadState::Working);
    }
}

/// The finished run: every pill taken, every thread joined, 22.41 s.
pub fn done() -> Snapshot {
    let mut s = draining();
    s.phase = Phase::Done;
    s.elapsed = ms(22_410);
    s.counts.pills_received = 4;
    s.counts.consumed += 2;
    s.counts.in_flight = 0;
    s.strip = QueueStrip::default();
    s.shutdown_took = Some(ms(2_410));
    for t in &mut s.threads {
        if !t.state.is_final() {
            t.state = ThreadState::Exited;
            t.exit = Some(match t.role {
                Role::Coordinator => ExitReason::Done,
                _ => ExitReason::Pill,
            });
            t.current_item = None;
            if t.role == Role::Consumer {
                t.items += 1;
            }
        }
        if let Some(last) = t.lane.last_mut() {
            *last = ThreadState::Exited;
        }
    }
    append(
        &mut s,
        [
            (22_120, Some("Consumer-2"), EventKind::PillReceived),
            (22_380, Some("Consumer-4"), EventKind::PillReceived),
            (22_410, Some("main"), EventKind::Exited(ExitReason::Done)),
            (
                22_410,
                None,
                EventKind::Run("done: time taken 22.41 s".into()),
            ),
        ],
    );
    s
}
