//! The textbook buffers on screen: `ostep-one-cv` at its deadlock (every
//! thread asleep on `cond`, the wrong wake-up in the log), and a moment of
//! `ostep-two-cvs` with the lock held, one thread queued for it and one
//! asleep on `fill`.

use std::time::Duration;

use super::classroom::{Who, blank, joining_main, worker};
use super::parts::{Lcg, append, ms};
use crate::sim::{
    Capacity, Counts, Cv, EventKind, Phase, QueueKind, Snapshot, TextbookSnap, ThreadState,
    WakeNote,
};

/// `ostep-one-cv` 1.2 s in: 1 producer, 2 consumers, 1 slot, all three
/// asleep on `cond` since Consumer-2 woke Consumer-1 instead of the producer.
pub fn cv_deadlock() -> Snapshot {
    let elapsed = ms(1_200);
    let mut s = blank(
        "ostep-one-cv",
        "One condition variable: a consumer's signal wakes the other consumer, not the producer",
        elapsed,
        Capacity::Bounded(1),
    );
    s.total_items = Some(20);
    s.counts = Counts {
        produced: 3,
        consumed: 3,
        ..Counts::default()
    };
    s.max_depth = 1;
    s.mean_depth = 0.23;
    let mut rng = Lcg(14);
    s.threads.push(joining_main(elapsed, 8));
    let asleep = [(ThreadState::WaitingCv, 0.8), (ThreadState::Producing, 0.2)];
    let who = [
        Who::producer(1, 1, ThreadState::WaitingCv),
        Who::consumer(2, 1, ThreadState::WaitingCv),
        Who::consumer(3, 2, ThreadState::WaitingCv),
    ];
    for (k, who) in who.into_iter().enumerate() {
        let mut t = worker(&mut rng, who, [3, 2, 1][k], elapsed, &asleep, 0.0);
        t.cv = Some(Cv::Cond);
        t.in_state_for = ms(1_000);
        t.woke_held = [Some(true), Some(false), Some(true)][k];
        s.threads.push(t);
    }
    s.textbook = Some(TextbookSnap {
        kind: QueueKind::CondvarOneCv,
        lock_holder: None,
        turn: None,
        bad_wake: Some(WakeNote {
            by: Some("Consumer-2".into()),
            woke: "Consumer-1".into(),
            cv: Cv::Cond,
            instead_of: Some("the producer".into()),
        }),
    });
    let woke = |by: &str, held: bool, instead: Option<&str>| EventKind::Woke {
        by: Some(by.into()),
        cv: Cv::Cond,
        held,
        rechecks: true,
        instead_of: instead.map(String::from),
    };
    append(
        &mut s,
        [
            (100, Some("Consumer-1"), woke("Producer-1", true, None)),
            (101, Some("Producer-1"), woke("Consumer-1", true, None)),
            (200, Some("Consumer-2"), woke("Producer-1", true, None)),
            (
                201,
                Some("Consumer-1"),
                woke("Consumer-2", false, Some("the producer")),
            ),
        ],
    );
    s
}

/// `ostep-two-cvs` mid-run: Producer-1 holds the mutex, Producer-2 waits for
/// it, Consumer-1 sleeps on `fill` and Consumer-2 works.
pub fn cv_lock_held() -> Snapshot {
    let elapsed = ms(2_000);
    let mut s = blank(
        "ostep-two-cvs",
        "Two condition variables and while: a wake-up is re-checked",
        elapsed,
        Capacity::Bounded(2),
    );
    s.phase = Phase::Running;
    s.total_items = Some(300);
    s.counts = Counts {
        produced: 41,
        consumed: 39,
        queued: 1,
        in_flight: 1,
        ..Counts::default()
    };
    s.channel_len = 1;
    s.max_depth = 2;
    s.mean_depth = 0.8;
    let mut rng = Lcg(15);
    s.threads.push(joining_main(elapsed, 8));
    let who = [
        Who::producer(1, 1, ThreadState::Producing),
        Who::producer(2, 2, ThreadState::WaitingLock),
        Who::consumer(3, 1, ThreadState::WaitingCv),
        Who::consumer(4, 2, ThreadState::Working),
    ];
    let shares = [(ThreadState::Producing, 0.5), (ThreadState::WaitingCv, 0.5)];
    for (k, who) in who.into_iter().enumerate() {
        let mut t = worker(&mut rng, who, 20, elapsed, &shares, 0.1);
        t.in_state_for = Duration::from_millis(120);
        if k == 2 {
            t.cv = Some(Cv::Fill);
        }
        s.threads.push(t);
    }
    s.textbook = Some(TextbookSnap {
        kind: QueueKind::Condvar,
        lock_holder: Some(1),
        turn: None,
        bad_wake: None,
    });
    s
}
