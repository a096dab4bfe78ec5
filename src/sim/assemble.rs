//! Snapshot assembly: reads every thread's owner-written counters in an order
//! that makes the conservation law hold exactly in every snapshot, merges the
//! producers' recent-enqueue rings into the queue strip, and summarises the
//! histograms.

use std::sync::Arc;
use std::time::Duration;

use hdrhistogram::Histogram;

use super::condvar::Textbook;
use super::epoch::Totals;
use super::recent::PILL_ID;
use super::shared::{Shared, Worker};
use super::snapshot::{
    Bucket, Counts, Latency, LatencySummary, QueueStrip, SleepTiming, Slot, Snapshot,
    SnapshotRequest, TextbookSnap, ThreadDetail, ThreadSnap, WakeNote,
};
use super::state::{Role, ThreadState};
use super::stats::read;
use super::sync::{lock, lock_read};

/// Most queue slots listed in a snapshot's strip.
pub const STRIP_MAX: usize = 256;
/// Swimlane cells per thread in a snapshot: the whole history, so a lane
/// can show a run of any length (a snapshot stores them run-length encoded).
pub const LANE_CELLS: usize = super::snapshot::HISTORY_LEN;
/// Events included by default.
pub const DEFAULT_EVENTS: usize = 200;

/// Exact counts from the threads' counters.
///
/// Each item moves producer `items` → consumer `received` → consumer `items`
/// (done). Reading the later stages first means no stage can appear to hold
/// more than the earlier one handed over: done ≤ received. A producer bumps its
/// counter just after its send returns, so a consumer may already have
/// received the item; the receipt proves it was produced, hence
/// `produced = max(sent, received)`. The identity
/// `produced = consumed + failed + queued + in_flight` then holds exactly.
pub fn counts(workers: &[Arc<Worker>]) -> Counts {
    let mut failed = 0;
    let mut done = 0;
    let mut received = 0;
    let mut pills_received = 0;
    for w in workers.iter().filter(|w| w.role == Role::Consumer) {
        let (f, d, r) = consumer_counts(w);
        failed += f;
        done += d;
        received += r;
        pills_received += read(&w.stats.pills);
    }
    let mut sent = 0;
    let mut pills_sent = 0;
    for w in workers {
        match w.role {
            Role::Producer => sent += read(&w.stats.items),
            Role::Coordinator => pills_sent += read(&w.stats.items),
            Role::Consumer => {}
        }
    }
    let produced = sent.max(received);
    Counts {
        produced,
        consumed: done - failed,
        failed,
        queued: produced - received,
        in_flight: received - done,
        pills_sent: pills_sent.max(pills_received),
        pills_received,
        pills_planned: None,
        pills_needed: None,
        pills_undelivered: 0,
    }
}

/// One consumer's (failed, done, received), read so that at most one item
/// is in flight: `done` acts as a version number (a consumer must finish an
/// item before it can receive the next), so an unchanged `done` around the
/// read of `received` proves the pair was consistent.
fn consumer_counts(w: &Worker) -> (u64, u64, u64) {
    let mut tries = 0;
    loop {
        let f = read(&w.stats.failed);
        let d1 = read(&w.stats.items);
        let r = read(&w.stats.received);
        let d2 = read(&w.stats.items);
        tries += 1;
        if d1 == d2 || tries == 8 {
            let d = d2.max(f);
            return (f, d, r.max(d));
        }
    }
}

/// Percentiles of a histogram.
pub fn summary(h: &Histogram<u64>) -> LatencySummary {
    if h.is_empty() {
        return LatencySummary::default();
    }
    let d = Duration::from_nanos;
    LatencySummary {
        count: h.len(),
        mean: d(h.mean() as u64),
        p50: d(h.value_at_quantile(0.50)),
        p90: d(h.value_at_quantile(0.90)),
        p99: d(h.value_at_quantile(0.99)),
        max: d(h.max()),
    }
}

/// Coarse histogram bars (powers of two from 1 µs).
pub fn buckets(h: &Histogram<u64>) -> Vec<Bucket> {
    if h.is_empty() {
        return Vec::new();
    }
    h.iter_log(1_000, 2.0)
        .map(|v| Bucket {
            upto: Duration::from_nanos(v.value_iterated_to()),
            count: v.count_since_last_iteration(),
        })
        .collect()
}

fn strip(workers: &[Arc<Worker>], depth: u64) -> QueueStrip {
    let want = (depth as usize).min(STRIP_MAX);
    if want == 0 {
        return QueueStrip::default();
    }
    // (enqueue time, id, producer index or usize::MAX for pills)
    let mut all: Vec<(u64, u64, usize)> = Vec::new();
    let mut buf = Vec::with_capacity(want);
    for w in workers.iter().filter(|w| w.role != Role::Consumer) {
        buf.clear();
        w.recent.newest(want, &mut buf);
        let who = if w.role == Role::Producer {
            w.index
        } else {
            usize::MAX
        };
        all.extend(buf.iter().map(|&(t, id)| (t, id, who)));
    }
    all.sort_unstable_by_key(|e| e.0);
    let from = all.len().saturating_sub(want);
    let slots: Vec<Slot> = all[from..]
        .iter()
        .map(|&(_, id, who)| {
            if who == usize::MAX || id == PILL_ID {
                Slot::Pill
            } else {
                Slot::Item { id, producer: who }
            }
        })
        .collect();
    QueueStrip {
        hidden: depth - slots.len() as u64,
        slots,
    }
}

/// The run's cumulative totals at `now_ns` (see [`Totals`]): the
/// consumers' counters and working time, and what the sampler integrated.
pub fn totals(sh: &Shared, workers: &[Arc<Worker>], now_ns: u64) -> Totals {
    let c = counts(workers);
    let mut t = Totals {
        at_ns: now_ns,
        produced: c.produced,
        done: c.consumed + c.failed,
        ..Totals::default()
    };
    for w in workers.iter().filter(|w| w.role == Role::Consumer) {
        let s = &w.stats;
        // `waited` first: a consumer bumps `received` before `waited`, so
        // this order never sees more items waited than received.
        t.waited += read(&s.waited);
        t.received += read(&s.received);
        t.timed += read(&s.timed);
        t.wait_ns += read(&s.wait_ns);
        t.sojourn_ns += read(&s.sojourn_ns);
        t.busy_ns += s.time_in(now_ns).0[ThreadState::Working as usize];
    }
    t.received = t.received.max(t.done);
    let sampled = lock(&sh.sampled);
    t.depth_area = sampled.depth_area;
    t.queued_area = sampled.queued_area;
    t.system_area = sampled.system_area;
    t.sampled_ns = sampled.covered_ns;
    t
}

fn thread_snap(w: &Worker, now_ns: u64) -> ThreadSnap {
    let (time_in, current) = w.stats.time_in(now_ns);
    let lane = lock(&w.lane);
    let skip = lane.len().saturating_sub(LANE_CELLS);
    ThreadSnap {
        id: w.id,
        name: w.name.clone(),
        role: w.role,
        state: w.stats.state(),
        in_state_for: Duration::from_nanos(current),
        current_item: w.stats.current_item(),
        items: read(&w.stats.items),
        failed: read(&w.stats.failed),
        time_in: time_in.map(Duration::from_nanos),
        lane: lane.iter().skip(skip).map(|c| c.0).collect(),
        exit: w.stats.exit(),
        retiring: w.retire.load(std::sync::atomic::Ordering::Relaxed)
            && !w.stats.state().is_final(),
        cv: (w.stats.state() == ThreadState::WaitingCv)
            .then(|| w.stats.cv())
            .flatten(),
        woke_held: w.stats.woke_held(),
    }
}

fn detail(w: &Worker) -> ThreadDetail {
    let hists = lock(&w.hists);
    let (queue_wait, end_to_end, histogram) = match hists.as_ref() {
        Some(h) => (summary(&h.wait), summary(&h.e2e), buckets(&h.e2e)),
        None => Default::default(),
    };
    ThreadDetail {
        id: w.id,
        queue_wait,
        end_to_end,
        histogram,
        timeline: lock(&w.lane).iter().map(|c| c.0).collect(),
        sleeps: sleep_timing(w),
    }
}

/// How a thread's sleeps went, and its hybrid sleep's margin now.
fn sleep_timing(w: &Worker) -> SleepTiming {
    let (count, asked, actual) = w.stats.sleeps();
    SleepTiming {
        count,
        asked,
        actual,
        margin: w.stats.margin_now().unwrap_or_default(),
    }
}

/// Every thread's latency that has any (consumers), without timelines:
/// what a recording keeps of each thread's details.
pub fn latency_details(sh: &Shared) -> Vec<ThreadDetail> {
    let workers = lock_read(&sh.threads).clone();
    workers
        .iter()
        .filter_map(|w| {
            let hists = lock(&w.hists);
            hists.as_ref().map(|h| ThreadDetail {
                id: w.id,
                queue_wait: summary(&h.wait),
                end_to_end: summary(&h.e2e),
                histogram: buckets(&h.e2e),
                timeline: Vec::new(),
                sleeps: sleep_timing(w),
            })
        })
        .collect()
}

/// The last events `req` asks for (a default number when it says none),
/// and how many there were in all.
fn recent_events(sh: &Shared, req: &SnapshotRequest) -> (Vec<super::event::Event>, u64) {
    let n_events = if req.events == 0 {
        DEFAULT_EVENTS
    } else {
        req.events
    };
    let ring = lock(&sh.events);
    (ring.last(n_events), ring.total())
}

/// Builds a snapshot. `channel_len` is the raw channel length.
pub fn snapshot(sh: &Shared, channel_len: u64, req: SnapshotRequest) -> Snapshot {
    let workers = lock_read(&sh.threads).clone();
    let run = lock(&sh.run).clone();
    let (now, wall_now) = sh.clock.read();
    // Frozen once done: the threads' clocks stop there too.
    let at = run.done_at.map_or(now, |d| d.min(now));
    let wall = run.done_wall.unwrap_or(wall_now);
    let mut counts = counts(&workers);
    counts.pills_planned = run.pills_planned;
    counts.pills_needed = run.pills_needed;
    counts.pills_undelivered = run.pills_undelivered;
    let totals = totals(sh, &workers, at);
    let epochs = lock(&sh.epochs).report(&totals);
    let (wait, e2e) = {
        let h = lock(&sh.hists);
        (summary(&h.wait), summary(&h.e2e))
    };
    let (sojourn, finished) = workers
        .iter()
        .filter(|w| w.role == Role::Consumer)
        .fold((0u64, 0u64), |(s, n), w| {
            (s + read(&w.stats.sojourn_ns), n + read(&w.stats.timed))
        });
    let sampled = lock(&sh.sampled).clone();
    let covered = sampled.covered_ns.max(1) as f64;
    let mut max_depth = sampled.max_depth.max(counts.depth());
    if sh.ever_full.load(std::sync::atomic::Ordering::Relaxed) {
        // A producer found it full: it was at capacity at that moment.
        max_depth = max_depth.max(sh.config.capacity.limit().unwrap_or(0) as u64);
    }
    let knobs = sh.knobs();
    let (events, events_total) = recent_events(sh, &req);
    Snapshot {
        scenario: sh.config.name.clone(),
        lesson: sh.config.lesson.clone(),
        seed: sh.config.seed,
        elapsed: Duration::from_nanos(at),
        wall: Duration::from_nanos(wall.max(at)),
        phase: sh.phase(),
        capacity: sh.config.capacity,
        interval: knobs.interval,
        work: knobs.work,
        gil: sh.gil.enabled(),
        total_items: sh.config.workload.total_items(),
        counts,
        channel_len,
        max_depth,
        mean_depth: sampled.depth_area / covered,
        mean_in_system: sampled.system_area / covered,
        latency: Latency {
            queue_wait: wait,
            end_to_end: e2e,
            mean_in_system: Duration::from_nanos(sojourn.checked_div(finished).unwrap_or(0)),
        },
        threads: workers.iter().map(|w| thread_snap(w, at)).collect(),
        strip: strip(&workers, counts.depth()),
        history_step: match sampled.step_ns {
            0 => super::snapshot::HISTORY_FIRST_STEP,
            ns => Duration::from_nanos(ns),
        },
        totals,
        epochs,
        history: sampled.history.iter().copied().collect(),
        events,
        events_total,
        shutdown_took: match (run.shutdown_at, run.done_at) {
            (Some(s), Some(d)) => Some(Duration::from_nanos(d.saturating_sub(s))),
            _ => None,
        },
        detail: req.detail.and_then(|id| workers.get(id)).map(|w| detail(w)),
        output: None,
        textbook: None,
    }
}

/// The textbook buffer's part of a snapshot, names resolved from `s`.
pub fn textbook(sh: &Shared, tb: &Textbook, s: &Snapshot) -> TextbookSnap {
    let name = |id: u32| {
        s.threads
            .get(id as usize)
            .map_or_else(|| format!("thread {id}"), |t| t.name.to_string())
    };
    let side = |putter: bool| match (putter, putter_count(sh, putter)) {
        (true, 1) => "the producer".to_string(),
        (true, _) => "a producer".to_string(),
        (false, 1) => "the consumer".to_string(),
        (false, _) => "a consumer".to_string(),
    };
    TextbookSnap {
        kind: sh.config.queue,
        lock_holder: tb.holder().map(|id| id as usize),
        turn: tb.turn().map(|id| id as usize),
        bad_wake: tb.last_bad_wake().map(|b| WakeNote {
            by: b.by.map(name),
            woke: name(b.woke),
            cv: b.cv,
            instead_of: b.other_waiting.then(|| side(!b.woke_putter)),
        }),
    }
}

/// Producers (`putter`) or consumers configured.
fn putter_count(sh: &Shared, putter: bool) -> usize {
    if putter {
        sh.config.producers
    } else {
        sh.config.consumers
    }
}

/// Dominant state over a bucket from two readings of time-in-state, with
/// its share of the bucket (0–255).
pub fn dominant(
    prev: &[u64; ThreadState::COUNT],
    now: &[u64; ThreadState::COUNT],
    current: ThreadState,
) -> (ThreadState, u8) {
    let mut best = current;
    let mut best_ns = 0;
    let mut all = 0u64;
    for s in ThreadState::ALL {
        let d = now[s as usize].saturating_sub(prev[s as usize]);
        all += d;
        if d > best_ns {
            best_ns = d;
            best = s;
        }
    }
    let share = if all == 0 {
        255
    } else {
        (best_ns as u128 * 255 / all as u128) as u8
    };
    (best, share)
}
