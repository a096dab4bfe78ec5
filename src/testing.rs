//! Hand-built, realistic [`Snapshot`]s for screen tests and the render
//! benchmark, so both can run without starting threads.
//!
//! They picture the built-in default scenario (2 producers every 50 ms,
//! 4 consumers with exp:150ms work, a queue of 32, seed 42) at moments worth
//! looking at. Arrival (40/s) outruns service (4 / 150 ms = 26.7/s), so the
//! queue is full and producers block, exactly as the real run looks. The
//! numbers agree with each other (counters add up, Little's law holds) so a
//! screen that shows them reads like a real one. Randomness comes from a
//! fixed LCG: the fixtures are the same on every run.

use std::sync::Arc;
use std::time::Duration;

use crate::sim::snapshot::{HISTORY_LEN, HISTORY_STEP};
use crate::sim::{
    Bucket, Capacity, Counts, Dist, Event, EventKind, ExitReason, HistoryPoint, Latency,
    LatencySummary, Phase, QueueStrip, Role, Slot, Snapshot, ThreadDetail, ThreadSnap, ThreadState,
    WorkMode, WorkSpec,
};

/// Deterministic pseudo-random numbers (Knuth's MMIX LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn summary(count: u64, mean: u64, p50: u64, p90: u64, p99: u64, max: u64) -> LatencySummary {
    summary_us(count, [mean, p50, p90, p99, max].map(|m| m * 1000))
}

/// A latency summary from `[mean, p50, p90, p99, max]` in microseconds.
fn summary_us(count: u64, [mean, p50, p90, p99, max]: [u64; 5]) -> LatencySummary {
    let us = Duration::from_micros;
    LatencySummary {
        count,
        mean: us(mean),
        p50: us(p50),
        p90: us(p90),
        p99: us(p99),
        max: us(max),
    }
}

fn ev(seq: u64, at_ms: u64, who: Option<&str>, kind: EventKind) -> Event {
    Event {
        seq,
        at: ms(at_ms),
        who: who.map(Arc::from),
        kind,
    }
}

fn thread(id: usize, name: String, role: Role, state: ThreadState) -> ThreadSnap {
    ThreadSnap {
        id,
        name: name.into(),
        role,
        state,
        in_state_for: Duration::ZERO,
        current_item: None,
        items: 0,
        failed: 0,
        time_in: [Duration::ZERO; ThreadState::COUNT],
        lane: Vec::new(),
        exit: None,
        retiring: false,
    }
}

/// Spreads `total` over the states in `shares` (weights) into `time_in`.
fn share_time(t: &mut ThreadSnap, total: Duration, shares: &[(ThreadState, f64)]) {
    let sum: f64 = shares.iter().map(|s| s.1).sum();
    for &(s, w) in shares {
        t.time_in[s as usize] += total.mul_f64(w / sum);
    }
}

/// The lane for `buckets` buckets: `start` first, then mostly `main` with
/// `other` sprinkled in with probability `p`.
fn lane(
    rng: &mut Lcg,
    buckets: usize,
    start: &[ThreadState],
    main: ThreadState,
    other: ThreadState,
    p: f64,
) -> Vec<ThreadState> {
    let mut v: Vec<ThreadState> = start.iter().copied().take(buckets).collect();
    while v.len() < buckets {
        v.push(if rng.chance(p) { other } else { main });
    }
    v
}

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

/// The same run, paused by the user at 14.2 s.
pub fn paused() -> Snapshot {
    let mut s = running(4);
    s.phase = Phase::Paused;
    s.elapsed = ms(14_200);
    for t in &mut s.threads {
        if !t.state.is_final() {
            t.state = ThreadState::Paused;
            t.in_state_for = ms(1_600);
            t.time_in[ThreadState::Paused as usize] = ms(1_600);
            let n = t.lane.len();
            for cell in t.lane.iter_mut().skip(n.saturating_sub(6)) {
                *cell = ThreadState::Paused;
            }
        }
    }
    let last = s.events.last().map_or(0, |e| e.seq);
    s.events.push(ev(
        last + 1,
        12_600,
        None,
        EventKind::Run("paused by the user".into()),
    ));
    s.events_total = last + 1;
    s
}

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
            Role::Coordinator => {
                t.state = ThreadState::BlockedFull;
                t.in_state_for = ms(180);
                t.items = 3;
                t.lane.pop();
                t.lane.push(ThreadState::BlockedFull);
            }
            Role::Producer => {
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
            Role::Consumer => {}
        }
    }
    let mut seq = s.events_total;
    let mut push = |at, who: Option<&str>, kind| {
        seq += 1;
        s.events.push(ev(seq, at, who, kind));
    };
    push(
        20_000,
        None,
        EventKind::Run("shutdown requested: producers stop, then 4 pills".into()),
    );
    push(
        20_010,
        Some("Producer-1"),
        EventKind::Exited(ExitReason::Stopped),
    );
    push(
        20_031,
        Some("Producer-2"),
        EventKind::Exited(ExitReason::Stopped),
    );
    push(
        20_032,
        None,
        EventKind::Run("producers joined; main sends 4 pills".into()),
    );
    push(20_090, Some("main"), EventKind::PillSent { k: 1, n: 4 });
    push(20_270, Some("main"), EventKind::PillSent { k: 2, n: 4 });
    push(20_620, Some("main"), EventKind::PillSent { k: 3, n: 4 });
    push(
        20_620,
        Some("main"),
        EventKind::BlockedFull { capacity: 32 },
    );
    s.events_total = seq;
    s
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
                t.items += 8;
                if consumer_no % 2 == 1 {
                    t.state = ThreadState::Exited;
                    t.exit = Some(ExitReason::Pill);
                    t.current_item = None;
                    t.in_state_for = ms(300 + 100 * consumer_no);
                    t.time_in[ThreadState::Exited as usize] = t.in_state_for;
                    t.lane.push(ThreadState::Exited);
                } else {
                    t.current_item = Some(item);
                    item += 1;
                    t.lane.push(ThreadState::Working);
                }
            }
            Role::Producer => t.lane.push(ThreadState::Exited),
        }
        t.lane.push(*t.lane.last().unwrap_or(&t.state));
        t.lane.remove(0);
        t.lane.remove(0);
    }
    let mut seq = s.events_total;
    let mut push = |at, who: Option<&str>, kind| {
        seq += 1;
        s.events.push(ev(seq, at, who, kind));
    };
    push(
        21_260,
        Some("main"),
        EventKind::Unblocked {
            after: ms(640),
            folded: 0,
        },
    );
    push(21_260, Some("main"), EventKind::PillSent { k: 4, n: 4 });
    push(
        21_262,
        None,
        EventKind::Run("every pill sent; main joins the consumers".into()),
    );
    push(21_640, Some("Consumer-1"), EventKind::PillReceived);
    push(21_870, Some("Consumer-3"), EventKind::PillReceived);
    s.events_total = seq;
    s
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
    let mut seq = s.events_total;
    let mut push = |at, who: Option<&str>, kind| {
        seq += 1;
        s.events.push(ev(seq, at, who, kind));
    };
    push(22_120, Some("Consumer-2"), EventKind::PillReceived);
    push(22_380, Some("Consumer-4"), EventKind::PillReceived);
    push(22_410, Some("main"), EventKind::Exited(ExitReason::Done));
    push(
        22_410,
        None,
        EventKind::Run("done: time taken 22.41 s".into()),
    );
    s.events_total = seq;
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
    });
    s
}

/// A snapshot of scenario `name` with no threads, history or events yet:
/// the classroom fixtures fill in the rest.
fn blank(name: &str, lesson: &str, elapsed: Duration, capacity: Capacity) -> Snapshot {
    let mut s = build(1, 1, elapsed, 42);
    s.scenario = name.into();
    s.lesson = lesson.into();
    s.capacity = capacity;
    s.threads.clear();
    s.history.clear();
    s.events.clear();
    s.events_total = 0;
    s.strip = QueueStrip::default();
    s
}

/// A worker thread that spent `elapsed` as `shares` say, with `items` and
/// a lane of `main` sprinkled with `other`.
#[allow(clippy::too_many_arguments)]
fn worker(
    rng: &mut Lcg,
    id: usize,
    name: String,
    role: Role,
    state: ThreadState,
    items: u64,
    elapsed: Duration,
    shares: &[(ThreadState, f64)],
    other_p: f64,
) -> ThreadSnap {
    let mut t = thread(id, name, role, state);
    t.items = items;
    share_time(&mut t, elapsed, shares);
    let buckets = ((elapsed.as_millis() / HISTORY_STEP.as_millis()) as usize).min(HISTORY_LEN);
    let main = shares.first().map_or(state, |s| s.0);
    let other = shares.get(1).map_or(main, |s| s.0);
    t.lane = lane(rng, buckets, &[ThreadState::Starting], main, other, other_p);
    if let Some(last) = t.lane.last_mut() {
        *last = state;
    }
    t
}

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
    let mut rng = Lcg(5);
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
    let mut main = thread(0, "main".into(), Role::Coordinator, ThreadState::Joining);
    main.items = 1;
    main.in_state_for = ms(3_900);
    main.time_in[ThreadState::Joining as usize] = elapsed;
    main.lane = vec![ThreadState::Joining; 16];
    s.threads.push(main);
    let mut p = worker(
        &mut rng,
        1,
        "Producer-1".into(),
        Role::Producer,
        ThreadState::Exited,
        8,
        elapsed,
        &[(ThreadState::Exited, 0.99), (ThreadState::Producing, 0.01)],
        0.0,
    );
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
        let mut t = worker(
            &mut rng,
            1 + c,
            format!("Consumer-{c}"),
            Role::Consumer,
            state,
            2,
            elapsed,
            &[(state, 0.975), (ThreadState::Working, 0.025)],
            0.0,
        );
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
    s.history = (1..=16u32)
        .map(|b| HistoryPoint {
            at: HISTORY_STEP * b,
            max_depth: if b == 1 { 7 } else { 0 },
            mean_depth: if b == 1 { 1.4 } else { 0.0 },
            produced: if b == 1 { 8 } else { 0 },
            done: if b == 1 { 8 } else { 0 },
        })
        .collect();
    let mut seq = 0;
    let mut push = |at, who: Option<&str>, kind| {
        seq += 1;
        s.events.push(ev(seq, at, who, kind));
    };
    push(
        0,
        None,
        EventKind::Run("run started: too-few-pills (seed 42)".into()),
    );
    push(
        1,
        Some("Producer-1"),
        EventKind::Exited(ExitReason::Finished),
    );
    push(
        2,
        None,
        EventKind::Run("all producers finished: main puts 1 pill for 4 consumers".into()),
    );
    push(3, Some("main"), EventKind::PillSent { k: 1, n: 1 });
    push(100, Some("Consumer-1"), EventKind::PillReceived);
    push(101, Some("Consumer-2"), EventKind::WaitingEmpty);
    push(102, Some("Consumer-3"), EventKind::WaitingEmpty);
    push(103, Some("Consumer-4"), EventKind::WaitingEmpty);
    s.events_total = seq;
    s
}

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
    let per_consumer = [197u64, 198, 197];
    let consumed: u64 = per_consumer.iter().sum();
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
    s.latency = Latency {
        queue_wait: summary_us(consumed, [334_000, 168_000, 905_000, 1_690_000, 2_310_000]),
        end_to_end: summary_us(
            consumed,
            [586_000, 452_000, 1_190_000, 2_020_000, 2_700_000],
        ),
        mean_in_system: ms(584),
    };
    let mut main = thread(0, "main".into(), Role::Coordinator, ThreadState::Joining);
    main.in_state_for = elapsed;
    main.time_in[ThreadState::Joining as usize] = elapsed;
    main.lane = vec![ThreadState::Joining; HISTORY_LEN];
    s.threads.push(main);
    s.threads.push(worker(
        &mut rng,
        1,
        "Producer-1".into(),
        Role::Producer,
        ThreadState::Producing,
        s.counts.produced,
        elapsed,
        &[(ThreadState::Producing, 1.0)],
        0.0,
    ));
    for (c, &items) in per_consumer.iter().enumerate() {
        let mut t = worker(
            &mut rng,
            2 + c,
            format!("Consumer-{}", c + 1),
            Role::Consumer,
            ThreadState::Working,
            items,
            elapsed,
            &[
                (ThreadState::Working, 0.83),
                (ThreadState::WaitingEmpty, 0.17),
            ],
            0.17,
        );
        // Busy exactly 250 ms per item: the measured S.
        t.time_in = [Duration::ZERO; ThreadState::COUNT];
        t.time_in[ThreadState::Working as usize] = ms(250) * items as u32;
        t.time_in[ThreadState::WaitingEmpty as usize] = elapsed - ms(250) * items as u32;
        t.current_item = Some(consumed + c as u64 + 1);
        t.in_state_for = ms(40 + rng.below(200));
        s.threads.push(t);
    }
    // Depth wanders around its mean: a queue that is busy, not running away.
    let mut depth = 3i64;
    s.history = (1..=HISTORY_LEN as u32)
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
        .collect();
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
    let mut seq = 0;
    let mut push = |at, who: Option<&str>, kind| {
        seq += 1;
        s.events.push(ev(seq, at, who, kind));
    };
    push(0, None, EventKind::Run("run started: mmc (seed 7)".into()));
    for (k, c) in [(58_210, 2), (58_930, 1), (59_400, 3), (59_870, 2)] {
        push(
            k,
            Some(["Consumer-1", "Consumer-2", "Consumer-3"][c - 1]),
            EventKind::WaitingEmpty,
        );
        push(
            k + 60,
            Some(["Consumer-1", "Consumer-2", "Consumer-3"][c - 1]),
            EventKind::Unblocked {
                after: ms(60),
                folded: 11,
            },
        );
    }
    s.events_total = seq + 2_400;
    s
}

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
    s.latency = Latency {
        queue_wait: summary_us(
            consumed,
            [5_020_000, 5_010_000, 9_000_000, 9_900_000, 9_990_000],
        ),
        end_to_end: summary_us(
            consumed,
            [5_060_000, 5_050_000, 9_040_000, 9_940_000, 10_030_000],
        ),
        mean_in_system: ms(5_020),
    };
    let mut main = thread(0, "main".into(), Role::Coordinator, ThreadState::Joining);
    main.in_state_for = elapsed;
    main.time_in[ThreadState::Joining as usize] = elapsed;
    main.lane = vec![ThreadState::Joining; 80];
    s.threads.push(main);
    for p in 0..2 {
        let mut t = worker(
            &mut rng,
            1 + p,
            format!("Producer-{}", p + 1),
            Role::Producer,
            ThreadState::Producing,
            s.counts.produced / 2,
            elapsed,
            &[(ThreadState::Producing, 1.0)],
            0.0,
        );
        t.current_item = Some(s.counts.produced + 1 + p as u64);
        s.threads.push(t);
    }
    for c in 0..2 {
        let items = consumed / 2;
        let mut t = worker(
            &mut rng,
            3 + c,
            format!("Consumer-{}", c + 1),
            Role::Consumer,
            ThreadState::Working,
            items,
            elapsed,
            &[(ThreadState::Working, 1.0)],
            0.0,
        );
        t.time_in = [Duration::ZERO; ThreadState::COUNT];
        t.time_in[ThreadState::Working as usize] = ms(40) * items as u32;
        t.time_in[ThreadState::WaitingEmpty as usize] = elapsed - ms(40) * items as u32;
        t.current_item = Some(consumed + 1 + c as u64);
        s.threads.push(t);
    }
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
    let listed = 256u64;
    let first = s.counts.produced - listed + 1;
    s.strip = QueueStrip {
        hidden: queued - listed,
        slots: (0..listed)
            .map(|k| Slot::Item {
                id: first + k,
                producer: (k % 2) as usize,
            })
            .collect(),
    };
    let mut seq = 0;
    let mut push = |at, who: Option<&str>, kind| {
        seq += 1;
        s.events.push(ev(seq, at, who, kind));
    };
    push(
        0,
        None,
        EventKind::Run("run started: runaway (seed 42)".into()),
    );
    push(1, Some("Producer-1"), EventKind::Started);
    push(1, Some("Producer-2"), EventKind::Started);
    push(2, Some("Consumer-1"), EventKind::Started);
    push(2, Some("Consumer-2"), EventKind::Started);
    s.events_total = seq;
    s
}

/// A run of the default scenario with `producers` and `consumers`, `elapsed`
/// in, with the queue saturated. Producers block on a full queue; consumers
/// work nearly all the time.
fn build(producers: usize, consumers: usize, elapsed: Duration, seed: u64) -> Snapshot {
    let mut rng = Lcg(seed);
    let cap = 32u64;
    let buckets = ((elapsed.as_millis() / HISTORY_STEP.as_millis()) as usize).min(HISTORY_LEN);
    let work_mean = 0.150;
    let service = consumers as f64 / work_mean;
    let arrival = producers as f64 / 0.050;
    let secs = elapsed.as_secs_f64();

    // History: depth climbs at (arrival - service) until the queue is full,
    // or stays low when consumers keep up.
    let step = HISTORY_STEP.as_secs_f64();
    let mut history = Vec::with_capacity(buckets);
    let mut depth = 0.0f64;
    let mut produced_total = 0u64;
    let mut done_total = 0u64;
    for b in 0..buckets {
        let noise = rng.below(5) as f64 - 2.0;
        let room = cap as f64 - depth;
        let net = (arrival - service) * step + noise;
        let prev = depth;
        depth = (depth + net).clamp(0.0, cap as f64);
        if arrival < service {
            depth = (rng.below(6) as f64).min(cap as f64);
        }
        let done = (arrival.min(service) * step + noise / 2.0).max(0.0).round() as u64;
        let produced = (done as f64 + (depth - prev).min(room)).max(0.0).round() as u64;
        produced_total += produced;
        done_total += done.min(produced_total - done_total);
        history.push(HistoryPoint {
            at: HISTORY_STEP * (b as u32 + 1),
            max_depth: (depth.ceil() as u64 + rng.below(2)).min(cap),
            mean_depth: (prev + depth) / 2.0,
            produced,
            done,
        });
    }

    let queued = (depth.round() as u64).min(cap);
    let in_flight = consumers as u64;
    let failed = 0;
    let consumed = done_total;
    let produced = consumed + failed + queued + in_flight;

    let mut threads = Vec::with_capacity(1 + producers + consumers);
    let mut main = thread(0, "main".into(), Role::Coordinator, ThreadState::Joining);
    main.in_state_for = elapsed;
    main.time_in[ThreadState::Starting as usize] = ms(1);
    main.time_in[ThreadState::Joining as usize] = elapsed;
    main.lane = vec![ThreadState::Joining; buckets];
    threads.push(main);

    let saturated = arrival > service;
    let mut given = 0u64;
    for (p, next_item) in (0..producers).zip(produced + 1..) {
        let state = if saturated && p % 2 == 0 {
            ThreadState::BlockedFull
        } else {
            ThreadState::Producing
        };
        let mut t = thread(
            threads.len(),
            format!("Producer-{}", p + 1),
            Role::Producer,
            state,
        );
        t.items = if p + 1 == producers {
            produced - given
        } else {
            produced / producers as u64 + rng.below(3)
        };
        given += t.items;
        t.current_item = Some(next_item);
        t.in_state_for = ms(5 + rng.below(60));
        let busy = t.items as f64 * 0.050;
        let blocked = (secs - busy).max(0.0);
        share_time(
            &mut t,
            elapsed,
            &[
                (ThreadState::Producing, busy),
                (ThreadState::BlockedFull, blocked),
            ],
        );
        let p_block = if saturated { 0.35 } else { 0.0 };
        t.lane = lane(
            &mut rng,
            buckets,
            &[
                ThreadState::Starting,
                ThreadState::Producing,
                ThreadState::Producing,
            ],
            ThreadState::Producing,
            ThreadState::BlockedFull,
            p_block,
        );
        if let Some(last) = t.lane.last_mut() {
            *last = state;
        }
        threads.push(t);
    }

    let mut item = consumed + 1;
    let mut finished = 0u64;
    for c in 0..consumers {
        let idle_share = if saturated { 0.02 } else { 0.35 };
        let state = if saturated || rng.chance(0.6) {
            ThreadState::Working
        } else {
            ThreadState::WaitingEmpty
        };
        let mut t = thread(
            threads.len(),
            format!("Consumer-{}", c + 1),
            Role::Consumer,
            state,
        );
        t.items = if c + 1 == consumers {
            consumed - finished
        } else {
            (consumed / consumers as u64).saturating_sub(2) + rng.below(5)
        };
        finished += t.items;
        if state == ThreadState::Working {
            t.current_item = Some(item);
            item += 1;
        }
        t.in_state_for = ms(rng.below(300));
        share_time(
            &mut t,
            elapsed,
            &[
                (ThreadState::Working, 1.0 - idle_share),
                (ThreadState::WaitingEmpty, idle_share),
            ],
        );
        t.lane = lane(
            &mut rng,
            buckets,
            &[ThreadState::Starting, ThreadState::WaitingEmpty],
            ThreadState::Working,
            ThreadState::WaitingEmpty,
            idle_share,
        );
        if let Some(last) = t.lane.last_mut() {
            *last = state;
        }
        threads.push(t);
    }

    // The strip: the queue in order, newest 256 listed.
    let listed = queued.min(256);
    let strip = QueueStrip {
        hidden: queued - listed,
        slots: (0..listed)
            .map(|k| Slot::Item {
                id: produced - listed + 1 + k,
                producer: ((k + rng.below(2)) % producers as u64) as usize,
            })
            .collect(),
    };

    let arrival_rate = produced as f64 / secs;
    let wait = if saturated {
        queued as f64 / service
    } else {
        0.004
    };
    let in_system = wait + work_mean;
    let mean_in_system = arrival_rate * in_system * 0.985;
    let w = (wait * 1e6) as u64;
    let sys = (in_system * 1e6) as u64;
    // Saturated, every item waits about Lq/λ; with spare consumers most
    // items wait almost nothing and a few wait a whole work time.
    let queue_wait = if saturated {
        [w * 93 / 100, w, w * 110 / 100, w * 121 / 100, w * 126 / 100]
    } else {
        [w, w / 4, w * 3, w * 18, w * 40]
    };
    let latency = Latency {
        queue_wait: summary_us(consumed, queue_wait),
        end_to_end: summary_us(
            consumed,
            [
                sys * 96 / 100 + 20_000,
                sys + 12_000,
                sys * 124 / 100 + 30_000,
                sys * 160 / 100 + 40_000,
                sys * 180 / 100 + 60_000,
            ],
        ),
        mean_in_system: Duration::from_secs_f64(in_system),
    };

    let mut events = Vec::new();
    let mut seq = 0;
    let mut push = |at, who: Option<&str>, kind| {
        seq += 1;
        events.push(ev(seq, at, who, kind));
    };
    push(
        0,
        None,
        EventKind::Run("run started: default (seed 42)".into()),
    );
    push(1, Some("main"), EventKind::Started);
    push(1, Some("Producer-1"), EventKind::Started);
    push(1, Some("Producer-2"), EventKind::Started);
    push(2, Some("Consumer-1"), EventKind::WaitingEmpty);
    push(2, Some("Consumer-2"), EventKind::WaitingEmpty);
    push(
        51,
        Some("Consumer-1"),
        EventKind::Unblocked {
            after: ms(49),
            folded: 0,
        },
    );
    push(
        51,
        Some("Consumer-2"),
        EventKind::Unblocked {
            after: ms(49),
            folded: 1,
        },
    );
    push(
        2_450,
        Some("Producer-1"),
        EventKind::BlockedFull { capacity: 32 },
    );
    push(
        2_490,
        Some("Producer-1"),
        EventKind::Unblocked {
            after: ms(40),
            folded: 0,
        },
    );
    push(
        2_500,
        Some("Producer-2"),
        EventKind::BlockedFull { capacity: 32 },
    );
    push(
        6_400,
        Some("main"),
        EventKind::ConfigChanged("work exp:150ms → exp:120ms".into()),
    );
    push(
        9_100,
        Some("main"),
        EventKind::ConfigChanged("work exp:120ms → exp:150ms".into()),
    );
    push(
        11_930,
        Some("Producer-2"),
        EventKind::Unblocked {
            after: ms(61),
            folded: 37,
        },
    );
    push(
        12_210,
        Some("Producer-1"),
        EventKind::Unblocked {
            after: ms(44),
            folded: 41,
        },
    );
    push(
        12_480,
        Some("Producer-1"),
        EventKind::BlockedFull { capacity: 32 },
    );
    let events_total = seq + 180;
    for (k, e) in events.iter_mut().enumerate() {
        // Spread the sequence numbers like a ring that dropped older
        // block/unblock pairs.
        if k > 8 {
            e.seq += 180;
        }
    }

    Snapshot {
        scenario: "default".into(),
        lesson: "2 steady producers, 4 consumers with random work, a queue of 32".into(),
        seed,
        elapsed,
        phase: Phase::Running,
        capacity: Capacity::Bounded(cap as usize),
        interval: WorkSpec::new(WorkMode::Sleep, Dist::Fixed(ms(50))),
        work: WorkSpec::new(WorkMode::Sleep, Dist::Exp { mean: ms(150) }),
        gil: false,
        total_items: None,
        counts: Counts {
            produced,
            consumed,
            failed,
            queued,
            in_flight,
            pills_sent: 0,
            pills_received: 0,
            pills_planned: None,
        },
        channel_len: queued,
        max_depth: history.iter().map(|h| h.max_depth).max().unwrap_or(0),
        mean_depth: history.iter().map(|h| h.mean_depth).sum::<f64>() / buckets.max(1) as f64,
        mean_in_system,
        latency,
        threads,
        strip,
        history,
        events,
        events_total,
        shutdown_took: None,
        detail: None,
        output: None,
    }
}

/// The Tune view of the default scenario (2 producers, 4 consumers):
/// consumers 1..8, with the first `points` measured; `done` when all 8 are.
/// Arrival is 40/s and each consumer serves 12.5/s, so throughput climbs to
/// 40/s and levels off from 4 consumers (the knee) while p99 wait falls.
pub fn tune_view(points: usize) -> crate::tune::TuneView {
    use crate::sweep::{Point, SweepSpec, trial::Outcome};
    let spec = SweepSpec::new(
        crate::sim::Config::default(),
        vec![2],
        (1..=8).collect(),
        crate::tune::TUNE_TRIAL,
        1,
    )
    .expect("a valid sweep");
    let mut tv = crate::tune::TuneView::new(&spec);
    let table: [(f64, u64, u64, f64); 8] = [
        (12.4, 1_900, 2_560, 1.0),
        (24.6, 880, 1_300, 0.99),
        (35.9, 210, 620, 0.96),
        (39.2, 40, 180, 0.79),
        (39.8, 12, 95, 0.64),
        (40.0, 5, 60, 0.53),
        (39.9, 2, 41, 0.46),
        (40.1, 1, 30, 0.40),
    ];
    for (i, &(tput, p50, p99, util)) in table.iter().enumerate().take(points.min(8)) {
        tv.result.points.push(Point {
            producers: 2,
            consumers: i + 1,
            throughput: tput,
            mean_depth: 32.0 / (i + 1) as f64,
            wait_p50: ms(p50),
            wait_p99: ms(p99),
            utilization: util,
            makespan: None,
            trials: 1,
            failed: 0,
            outcome: Outcome::Ok,
        });
    }
    if points >= 8 {
        tv.state = crate::tune::TuneState::Done;
        tv.progress = 1.0;
    } else {
        tv.progress = (points as f64 + 0.4) / 8.0;
        tv.point = (2, points + 1);
    }
    tv
}

/// A replay paused 5.8 s into a 22.4 s recording at 2x, 61 of 139 events
/// shown, with `dropped` events lost while recording.
pub fn replay_view(dropped: u64) -> crate::replay::ReplayView {
    crate::replay::ReplayView {
        at: ms(5_800),
        duration: ms(22_400),
        speed: 2.0,
        playing: false,
        events: (61, 139),
        dropped_events: dropped,
    }
}

#[cfg(test)]
mod tests {
    //! The classroom fixtures show what their doc comments promise: the
    //! screen tests built on them would mean little otherwise.

    use super::*;
    use crate::analysis::lint::{LintKind, lints};
    use crate::analysis::theory::theory;

    fn kinds(s: &Snapshot) -> Vec<LintKind> {
        lints(s).iter().map(|l| l.kind).collect()
    }

    fn conserved(s: &Snapshot) -> bool {
        let c = s.counts;
        c.produced == c.consumed + c.failed + c.queued + c.in_flight
    }

    #[test]
    fn hang_is_a_hang() {
        let s = hang();
        assert!(conserved(&s));
        let found = lints(&s);
        assert_eq!(kinds(&s), vec![LintKind::PillsMismatch, LintKind::Hang]);
        let hang = found.iter().find(|l| l.kind == LintKind::Hang);
        assert_eq!(
            hang.map(|l| l.message.as_str()),
            Some("3 consumers will wait forever: 1 pill sent for 4 consumers")
        );
    }

    #[test]
    fn mmc_is_healthy_and_near_erlang_c() {
        let s = mmc();
        assert!(conserved(&s));
        assert!(kinds(&s).is_empty(), "{:?}", lints(&s));
        let th = theory(&s);
        assert!((th.lambda_per_s - 10.0).abs() < 1e-9);
        assert!((th.service_s - 0.25).abs() < 1e-9);
        let m = th.predicted.expect("stable");
        assert!((m.p_wait - 0.7022).abs() < 1e-3, "{}", m.p_wait);
        assert!((m.wq_s - th.measured_wq_s).abs() / m.wq_s < 0.1);
    }

    #[test]
    fn runaway_runs_away() {
        let s = runaway();
        assert!(conserved(&s));
        assert_eq!(kinds(&s), vec![LintKind::Runaway]);
        let th = theory(&s);
        assert!(th.rho >= 1.0 && th.predicted.is_none(), "{th:?}");
    }
}
