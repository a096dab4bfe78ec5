//! The pieces every fixture is made of: a fixed pseudo-random sequence,
//! latency summaries, threads with their lanes, and numbered events.

use std::sync::Arc;
use std::time::Duration;

use crate::sim::{Event, EventKind, LatencySummary, Role, Snapshot, ThreadSnap, ThreadState};

/// Deterministic pseudo-random numbers (Knuth's MMIX LCG): the fixtures are
/// the same on every run and every machine.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
}

/// `n` milliseconds.
pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A latency summary from mean, p50, p90, p99 and max in milliseconds.
pub(crate) fn summary(
    count: u64,
    mean: u64,
    p50: u64,
    p90: u64,
    p99: u64,
    max: u64,
) -> LatencySummary {
    summary_us(count, [mean, p50, p90, p99, max].map(|m| m * 1000))
}

/// A latency summary from `[mean, p50, p90, p99, max]` in microseconds.
pub(crate) fn summary_us(count: u64, [mean, p50, p90, p99, max]: [u64; 5]) -> LatencySummary {
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

/// Event number `seq`, `at_ms` into the run.
pub(crate) fn ev(seq: u64, at_ms: u64, who: Option<&str>, kind: EventKind) -> Event {
    Event {
        seq,
        at: ms(at_ms),
        who: who.map(Arc::from),
        kind,
    }
}

/// Appends `events` (`(at_ms, who, kind)`) to `s`, numbered on from
/// `s.events_total`, which then counts them too.
pub(crate) fn append<'a>(
    s: &mut Snapshot,
    events: impl IntoIterator<Item = (u64, Option<&'a str>, EventKind)>,
) {
    for (at, who, kind) in events {
        s.events_total += 1;
        s.events.push(ev(s.events_total, at, who, kind));
    }
}

/// A thread that has done nothing yet.
pub(crate) fn thread(id: usize, name: String, role: Role, state: ThreadState) -> ThreadSnap {
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
        cv: None,
        woke_held: None,
    }
}

/// Spreads `total` over the states in `shares` (weights) into `time_in`.
pub(crate) fn share_time(t: &mut ThreadSnap, total: Duration, shares: &[(ThreadState, f64)]) {
    let sum: f64 = shares.iter().map(|s| s.1).sum();
    for &(s, w) in shares {
        t.time_in[s as usize] += total.mul_f64(w / sum);
    }
}

/// The lane for `buckets` buckets: `start` first, then mostly `main` with
/// `other` sprinkled in with probability `p`.
pub(crate) fn lane(
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
