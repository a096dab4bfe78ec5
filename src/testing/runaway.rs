//! `runaway` 20 s in: a queue that grows without bound.

use std::time::Duration;

use super::classroom::{Who, blank, joining_main, worker};
use super::parts::{Lcg, append, ms, summary_us};
use crate::sim::snapshot::HISTORY_STEP;
use crate::sim::{
    Capacity, Counts, Dist, EventKind, HistoryPoint, Latency, QueueStrip, Slot, Snapshot,
    ThreadState, WorkMode, WorkSpec,
};

/// `runaway` 20 s in: arrivals (about 100/s) outpace two consumers (about
/// 50/s): ρ = 2, the unbounded queue holds a thousand items and grows
/// every quarter second. Theory has no steady state to offer; the runaway
/// lint says how many consumers it would take.
pub fn runaway() -> Snapshot {
    let elapsed = ms(20_000);
    let mut s = blank(
        "runaway",
        "Arrivals faster than service on an unbounded queue: the depth grows without bound",
        elapsed,
        Capacity::Unbounded,
    );
    let mut rng = Lcg(11);
    s.interval = WorkSpec::new(WorkMode::Sleep, Dist::Exp { mean: ms(20) });
    s.work = WorkSpec::new(WorkMode::Sleep, Dist::Exp { mean: ms(40) });
    let (consumed, in_flight, queued) = (998u64, 2u64, 1_000u64);
    s.counts = Counts {
        produced: consumed + in_flight + queued,
        consumed,
        queued,
        in_flight,
        ..Counts::default()
    };
    s.channel_len = queued;
    s.max_depth = queued;
    s.mean_depth = 500.0;
    s.mean_in_system = 502.0;
    let wait = [5_020_000, 5_010_000, 9_000_000, 9_900_000, 9_990_000];
    let end_to_end = [5_060_000, 5_050_000, 9_040_000, 9_940_000, 10_030_000];
    s.latency = Latency {
        queue_wait: summary_us(consumed, wait),
        end_to_end: summary_us(consumed, end_to_end),
        mean_in_system: ms(5_020),
    };
    threads(&mut s, &mut rng, elapsed);
    // Fifty more items every second, every bucket deeper than the last.
    s.history = (1..=80u32)
        .map(|b| HistoryPoint {
            at: HISTORY_STEP * b,
            max_depth: u64::from(b) * 25 / 2 + 1,
            mean_depth: f64::from(b) * 12.5 - 6.0,
            produced: 25,
            done: 12 + rng.below(2),
        })
        .collect();
    s.strip = strip(s.counts.produced, queued);
    events(&mut s);
    s
}

/// `main` joining, two producers producing, two consumers never idle.
fn threads(s: &mut Snapshot, rng: &mut Lcg, elapsed: Duration) {
    s.threads.push(joining_main(elapsed, 80));
    let produced = s.counts.produced;
    for p in 0..2 {
        let who = Who::producer(1 + p, p + 1, ThreadState::Producing);
        let shares = [(ThreadState::Producing, 1.0)];
        let mut t = worker(rng, who, produced / 2, elapsed, &shares, 0.0);
        t.current_item = Some(produced + 1 + p as u64);
        s.threads.push(t);
    }
    let consumed = s.counts.consumed;
    for c in 0..2 {
        let items = consumed / 2;
        let who = Who::consumer(3 + c, c + 1, ThreadState::Working);
        let shares = [(ThreadState::Working, 1.0)];
        let mut t = worker(rng, who, items, elapsed, &shares, 0.0);
        let busy = ms(40) * items as u32;
        t.time_in = [Duration::ZERO; ThreadState::COUNT];
        t.time_in[ThreadState::Working as usize] = busy;
        t.time_in[ThreadState::WaitingEmpty as usize] = elapsed - busy;
        t.current_item = Some(consumed + 1 + c as u64);
        s.threads.push(t);
    }
}

/// The newest 256 of the `queued` items, alternating producers.
fn strip(produced: u64, queued: u64) -> QueueStrip {
    let listed = 256u64;
    let first = produced - listed + 1;
    QueueStrip {
        hidden: queued - listed,
        slots: (0..listed)
            .map(|k| Slot::Item {
                id: first + k,
                producer: (k % 2) as usize,
            })
            .collect(),
    }
}

/// Only the start: every thread has been busy since.
fn events(s: &mut Snapshot) {
    append(
        s,
        [
            (
                0,
                None,
                EventKind::Run("run started: runaway (seed 42)".into()),
            ),
            (1, Some("Producer-1"), EventKind::Started),
            (1, Some("Producer-2"), EventKind::Started),
            (2, Some("Consumer-1"), EventKind::Started),
            (2, Some("Consumer-2"), EventKind::Started),
        ],
    );
}
