//! The saturated default run while it runs: at 12.6 s, paused, with a
//! thread's details open, and as a crowd of a thousand threads.

use super::build::build;
use super::parts::{Lcg, ev, lane, ms, summary};
use crate::sim::snapshot::HISTORY_LEN;
use crate::sim::{
    Bucket, Capacity, EventKind, Phase, SleepTiming, Snapshot, ThreadDetail, ThreadState,
};

/// A running default scenario with `consumers` consumers, 12.6 s in.
pub fn running(consumers: usize) -> Snapshot {
    build(2, consumers, ms(12_600), 42)
}

/// The default scenario with `n` worker threads (a tenth of them producers)
/// plus `main`: the 1,000-thread case of the threads panel.
pub fn many(n: usize) -> Snapshot {
    let producers = (n / 10).max(1);
    let consumers = n.saturating_sub(producers).max(1);
    let mut s = build(producers, consumers, ms(31_250), 7);
    s.scenario = "crowd".into();
    s.lesson = format!("{producers} producers, {consumers} consumers on one queue");
    s.capacity = Capacity::Bounded(1024);
    // Consumers keep up in this crowd: nobody ever found the queue full.
    s.events
        .retain(|e| !matches!(e.kind, EventKind::BlockedFull { .. }));
    s
}

/// The same run, paused by the user at 12.6 s and left paused for 10 s:
/// the run clock (and so every figure) stopped there; wall time went on.
/// Threads parked in the middle of their work hold their item.
pub fn paused() -> Snapshot {
    let mut s = running(4);
    s.phase = Phase::Paused;
    s.wall = s.elapsed + ms(10_000);
    for t in &mut s.threads {
        if !t.state.is_final() {
            t.state = ThreadState::Paused;
            t.in_state_for = ms(0);
        }
    }
    let last = s.events.last().map_or(0, |e| e.seq);
    s.events
        .push(ev(last + 1, 12_600, None, EventKind::Run("paused".into())));
    s.events_total = last + 1;
    s
}

/// The running scenario with the details of `Consumer-2` (id 4) included,
/// as the details overlay asks for them.
pub fn with_detail() -> Snapshot {
    let mut s = running(4);
    let mut rng = Lcg(99);
    let timeline = lane(
        &mut rng,
        HISTORY_LEN.min(s.history.len() + 10),
        &[ThreadState::Starting, ThreadState::WaitingEmpty],
        ThreadState::Working,
        ThreadState::WaitingEmpty,
        0.03,
    );
    let counts = [2, 9, 21, 30, 14, 6, 2, 1];
    let edges = [250, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000];
    s.detail = Some(ThreadDetail {
        id: 4,
        queue_wait: summary(84, 1_090, 1_160, 1_310, 1_420, 1_460),
        end_to_end: summary(84, 1_240, 1_290, 1_590, 2_080, 2_350),
        histogram: edges
            .iter()
            .zip(counts)
            .map(|(&e, c)| Bucket {
                upto: ms(e),
                count: c,
            })
            .collect(),
        timeline,
        // 84 sleeps of exp:150ms work, each a few µs long.
        sleeps: SleepTiming {
            count: 84,
            asked: ms(12_480),
            actual: ms(12_480) + std::time::Duration::from_micros(84 * 4),
            margin: std::time::Duration::from_micros(62),
        },
    });
    s
}
