//! `too-few-pills` stuck: three consumers wait for a pill that never comes.

use std::time::Duration;

use super::classroom::{Who, blank, joining_main, worker};
use super::parts::{Lcg, append, ms, summary_us};
use crate::sim::snapshot::HISTORY_STEP;
use crate::sim::{
    Capacity, Counts, Dist, EventKind, ExitReason, HistoryPoint, Latency, Phase, Snapshot,
    ThreadState, WorkMode, WorkSpec,
};

/// `too-few-pills` 4.0 s in: 4 consumers, 1 pill. The producer made its 8
/// items and exited, `main` sent its one pill, Consumer-1 took it and
/// exited, and the other three wait on the empty queue for ever: the hang
/// lint fires, with the pill-count lint beside it.
pub fn hang() -> Snapshot {
    let elapsed = ms(4_000);
    let mut s = blank(
        "too-few-pills",
        "4 consumers, 1 pill: three consumers wait forever",
        elapsed,
        Capacity::Unbounded,
    );
    s.phase = Phase::ShuttingDown;
    s.interval = WorkSpec::new(WorkMode::Sleep, Dist::Fixed(Duration::ZERO));
    s.work = WorkSpec::new(WorkMode::Sleep, Dist::Fixed(ms(50)));
    s.total_items = Some(8);
    s.counts = Counts {
        produced: 8,
        consumed: 8,
        failed: 0,
        queued: 0,
        in_flight: 0,
        pills_sent: 1,
        pills_received: 1,
        pills_planned: Some(1),
        pills_needed: Some(4),
        pills_undelivered: 0,
    };
    s.channel_len = 0;
    s.max_depth = 7;
    s.mean_depth = 0.09;
    s.mean_in_system = 0.15;
    s.latency = Latency {
        queue_wait: summary_us(8, [26_100, 725, 51_600, 51_600, 51_700]),
        end_to_end: summary_us(8, [76_400, 51_100, 102_000, 102_000, 102_300]),
        mean_in_system: ms(76),
    };
    threads(&mut s, elapsed);
    // Everything happened in the first bucket; nothing since.
    s.history = (1..=16u32)
        .map(|b| HistoryPoint {
            at: HISTORY_STEP * b,
            max_depth: if b == 1 { 7 } else { 0 },
            mean_depth: if b == 1 { 1.4 } else { 0.0 },
            produced: if b == 1 { 8 } else { 0 },
            done: if b == 1 { 8 } else { 0 },
        })
        .collect();
    events(&mut s);
    s
}

/// `main` joining, the producer finished, Consumer-1 gone with the pill and
/// the other three waiting on the empty queue.
fn threads(s: &mut Snapshot, elapsed: Duration) {
    let mut rng = Lcg(5);
    let mut main = joining_main(elapsed, 16);
    main.items = 1;
    main.in_state_for = ms(3_900);
    s.threads.push(main);
    let shares = [(ThreadState::Exited, 0.99), (ThreadState::Producing, 0.01)];
    let who = Who::producer(1, 1, ThreadState::Exited);
    let mut p = worker(&mut rng, who, 8, elapsed, &shares, 0.0);
    p.exit = Some(ExitReason::Finished);
    p.lane = [ThreadState::Producing]
        .into_iter()
        .chain([ThreadState::Exited; 15])
        .collect();
    s.threads.push(p);
    for c in 1..=4 {
        let (state, exit) = if c == 1 {
            (ThreadState::Exited, Some(ExitReason::Pill))
        } else {
            (ThreadState::WaitingEmpty, None)
        };
        let shares = [(state, 0.975), (ThreadState::Working, 0.025)];
        let who = Who::consumer(1 + c, c, state);
        let mut t = worker(&mut rng, who, 2, elapsed, &shares, 0.0);
        t.exit = exit;
        t.in_state_for = ms(3_890);
        t.lane = [ThreadState::Working]
            .into_iter()
            .chain([state; 15])
            .collect();
        // Working time is exactly 2 items × 50 ms, so S reads 50 ms.
        t.time_in = [Duration::ZERO; ThreadState::COUNT];
        t.time_in[ThreadState::Working as usize] = ms(100);
        t.time_in[state as usize] += ms(3_900);
        s.threads.push(t);
    }
}

/// One pill for four consumers, and three of them starting to wait.
fn events(s: &mut Snapshot) {
    let run = |text: &str| EventKind::Run(text.into());
    append(
        s,
        [
            (0, None, run("run started: too-few-pills (seed 42)")),
            (
                1,
                Some("Producer-1"),
                EventKind::Exited(ExitReason::Finished),
            ),
            (
                2,
                None,
                run("all producers finished: main puts 1 pill for 4 consumers"),
            ),
            (3, Some("main"), EventKind::PillSent { k: 1, n: 1 }),
            (100, Some("Consumer-1"), EventKind::PillReceived),
            (101, Some("Consumer-2"), EventKind::WaitingEmpty),
            (102, Some("Consumer-3"), EventKind::WaitingEmpty),
            (103, Some("Consumer-4"), EventKind::WaitingEmpty),
        ],
    );
}
