//! `mmc` a minute in: the queue the theory panel can predict.

use std::time::Duration;

use super::classroom::{Who, blank, joining_main, worker};
use super::parts::{Lcg, append, ms, summary_us};
use crate::sim::snapshot::{HISTORY_LEN, HISTORY_STEP};
use crate::sim::{
    Capacity, Counts, Dist, EpochConfig, EpochSnap, EventKind, HistoryPoint, Latency, QueueStrip,
    Slot, Snapshot, Span, ThreadState, Totals, WorkMode, WorkSpec,
};

/// Items each consumer has finished.
const PER_CONSUMER: [u64; 3] = [197, 198, 197];

/// `mmc` a minute in: an M/M/3 queue, exponential arrivals (λ = 10/s) and
/// service (S = 250 ms), so a = 2.5 and ρ ≈ 0.83. Erlang-C predicts
/// P(wait) 0.702, Lq 3.51 and Wq 351 ms; the measurements sit near them,
/// and Little's law holds. No lint fires: a healthy, busy queue.
pub fn mmc() -> Snapshot {
    let elapsed = ms(60_000);
    let mut s = blank(
        "mmc",
        "Exponential arrivals and service (M/M/3): compare the measured wait with Erlang-C",
        elapsed,
        Capacity::Unbounded,
    );
    let mut rng = Lcg(7);
    s.seed = 7;
    s.interval = WorkSpec::new(WorkMode::Sleep, Dist::Exp { mean: ms(100) });
    s.work = WorkSpec::new(WorkMode::Sleep, Dist::Exp { mean: ms(250) });
    let (queued, in_flight) = (5, 3);
    let consumed: u64 = PER_CONSUMER.iter().sum();
    s.counts = Counts {
        produced: consumed + queued + in_flight,
        consumed,
        queued,
        in_flight,
        ..Counts::default()
    };
    s.channel_len = queued;
    s.max_depth = 19;
    s.mean_depth = 3.30;
    s.mean_in_system = 5.79;
    let wait = [334_000, 168_000, 905_000, 1_690_000, 2_310_000];
    let end_to_end = [586_000, 452_000, 1_190_000, 2_020_000, 2_700_000];
    s.latency = Latency {
        queue_wait: summary_us(consumed, wait),
        end_to_end: summary_us(consumed, end_to_end),
        mean_in_system: ms(584),
    };
    threads(&mut s, &mut rng, elapsed);
    s.history = history(&mut rng);
    let first = s.counts.produced - queued + 1;
    s.strip = QueueStrip {
        hidden: 0,
        slots: (0..queued)
            .map(|k| Slot::Item {
                id: first + k,
                producer: 0,
            })
            .collect(),
    };
    events(&mut s);
    s
}

/// `main` joining, the producer producing, three consumers busy 83% of the
/// time, each on an item now.
fn threads(s: &mut Snapshot, rng: &mut Lcg, elapsed: Duration) {
    s.threads.push(joining_main(elapsed, HISTORY_LEN));
    let who = Who::producer(1, 1, ThreadState::Producing);
    let shares = [(ThreadState::Producing, 1.0)];
    let producer = worker(rng, who, s.counts.produced, elapsed, &shares, 0.0);
    s.threads.push(producer);
    let shares = [
        (ThreadState::Working, 0.83),
        (ThreadState::WaitingEmpty, 0.17),
    ];
    for (c, &items) in PER_CONSUMER.iter().enumerate() {
        let who = Who::consumer(2 + c, c + 1, ThreadState::Working);
        let mut t = worker(rng, who, items, elapsed, &shares, 0.17);
        // Busy exactly 250 ms per item: the measured S.
        let busy = ms(250) * items as u32;
        t.time_in = [Duration::ZERO; ThreadState::COUNT];
        t.time_in[ThreadState::Working as usize] = busy;
        t.time_in[ThreadState::WaitingEmpty as usize] = elapsed - busy;
        t.current_item = Some(s.counts.consumed + c as u64 + 1);
        t.in_state_for = ms(40 + rng.below(200));
        s.threads.push(t);
    }
}

/// Depth wanders around its mean: a queue that is busy, not running away.
fn history(rng: &mut Lcg) -> Vec<HistoryPoint> {
    let mut depth = 3i64;
    (1..=HISTORY_LEN as u32)
        .map(|b| {
            depth = (depth + rng.below(5) as i64 - 2).clamp(0, 12);
            let produced = 2 + rng.below(2);
            HistoryPoint {
                at: HISTORY_STEP * b,
                max_depth: depth as u64 + rng.below(3),
                mean_depth: depth as f64,
                produced,
                done: 2 + rng.below(2),
            }
        })
        .collect()
}

/// The start, then consumers now and again finding the queue empty; the
/// ring has long since dropped the thousands of events in between.
fn events(s: &mut Snapshot) {
    let mut events = vec![(0, None, EventKind::Run("run started: mmc (seed 7)".into()))];
    for (at, c) in [(58_210, 2), (58_930, 1), (59_400, 3), (59_870, 2)] {
        let who = Some(["Consumer-1", "Consumer-2", "Consumer-3"][c - 1]);
        events.push((at, who, EventKind::WaitingEmpty));
        let after = ms(60);
        events.push((at + 60, who, EventKind::Unblocked { after, folded: 11 }));
    }
    append(s, events);
    s.events_total += 2_400;
}

/// `mmc` a minute in, 12.4 s after the class pressed `+`: a second epoch
/// with 4 consumers (ρ = 0.63) beside the first 47.6 s with 3. Erlang-C for the new
/// setup predicts P(wait) 0.32 and Wq 53 ms; the epoch, past its warm-up,
/// measured 91 items: P(wait) 0.36, Wq 61 ms. The whole run still carries
/// the first minute's longer waits.
pub fn mmc_after_change() -> Snapshot {
    let mut s = mmc();
    let change = ms(47_600);
    let config = |consumers| EpochConfig {
        producers: 1,
        consumers,
        interval: s.interval,
        work: s.work,
        gil: false,
    };
    let first = Figures {
        secs: 44.6,
        items: 445,
        wq: 0.334,
        s: 0.25,
        lq: 3.3,
        p_wait: 0.69,
    };
    let second = Figures {
        secs: 9.1,
        items: 91,
        wq: 0.061,
        s: 0.25,
        lq: 0.6,
        p_wait: 0.36,
    };
    s.epochs = vec![
        EpochSnap {
            index: 1,
            cause: "start".into(),
            started: Duration::ZERO,
            duration: change,
            config: config(3),
            warm: true,
            measured: first.span(),
        },
        EpochSnap {
            index: 2,
            cause: "+1 consumer".into(),
            started: change,
            duration: s.elapsed - change,
            config: config(4),
            warm: true,
            measured: second.span(),
        },
    ];
    s.totals = first.span().delta;
    s.totals.at_ns = s.elapsed.as_nanos() as u64;
    let mut rng = Lcg(8);
    let who = Who::consumer(5, 4, ThreadState::Working);
    let shares = [
        (ThreadState::Working, 0.6),
        (ThreadState::WaitingEmpty, 0.4),
    ];
    let mut t = worker(&mut rng, who, 31, s.elapsed - change, &shares, 0.4);
    t.current_item = Some(s.counts.produced - 1);
    s.threads.push(t);
    s.events.push(crate::sim::Event {
        seq: s.events_total + 1,
        at: change,
        who: Some("main".into()),
        kind: EventKind::ConfigChanged("added Consumer-4".into()),
    });
    s.events.sort_by_key(|e| e.at);
    s.events_total += 1;
    s
}

/// An epoch's measurements, to build its totals from.
struct Figures {
    secs: f64,
    items: u64,
    wq: f64,
    s: f64,
    lq: f64,
    p_wait: f64,
}

impl Figures {
    fn span(&self) -> Span {
        let ns = |x: f64| (x * 1e9) as u64;
        let t = ns(self.secs);
        let n = self.items;
        let w = self.wq + self.s;
        Span {
            duration: Duration::from_nanos(t),
            delta: Totals {
                at_ns: t,
                produced: n,
                done: n,
                received: n,
                waited: (n as f64 * self.p_wait).round() as u64,
                timed: n,
                wait_ns: ns(self.wq) * n,
                sojourn_ns: ns(w) * n,
                busy_ns: ns(self.s) * n,
                depth_area: self.lq * t as f64,
                queued_area: self.lq * t as f64,
                system_area: n as f64 / self.secs * w * t as f64,
                sampled_ns: t,
            },
        }
    }
}
