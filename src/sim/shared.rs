//! State shared by the engine's threads: the thread registry, run-wide flags,
//! live knobs, the event ring and merged latency histograms. On a per-item
//! path a thread only reads shared flags, writes its own atomics or an
//! uncontended local, and claims item ids (in blocks when producing flat out).

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use crossbeam_utils::CachePadded;
use hdrhistogram::Histogram;

use super::config::Config;
use super::event::{EventKind, EventRing};
use super::recent::RecentRing;
use super::state::{Phase, Role, ThreadState};
use super::stats::ThreadStats;
use super::sync::{lock, lock_read};
use super::trace::{ItemResult, Trace, TraceKind};
use super::work::WorkSpec;

/// Events kept in the ring.
pub const EVENT_RING: usize = 2048;

/// Highest latency a histogram records (1 hour, in ns); larger values clamp.
const HIST_MAX_NS: u64 = 3_600_000_000_000;

/// A latency histogram in ns with 2 significant digits that grows to the
/// largest value recorded (see [`record`]): 1 KB per power of two of range,
/// so a few KB for microseconds, 24 KB up to a second, 36 KB at its full
/// hour. One per consumer adds up.
pub fn new_histogram() -> Histogram<u64> {
    sized_histogram(2)
}

/// A histogram tracking 1 ns to `high` ns, or an empty one if `high` is out
/// of range.
fn sized_histogram(high: u64) -> Histogram<u64> {
    let high = high.clamp(2, HIST_MAX_NS);
    // 1 ≤ 2 ≤ high and 2 digits are valid bounds: this cannot fail.
    Histogram::new_with_bounds(1, high, 2).expect("valid histogram bounds")
}

/// Records a latency `weight` times, clamped into the histogram's range.
#[inline]
pub fn record(h: &mut Histogram<u64>, ns: u64, weight: u64) {
    let ns = ns.clamp(1, HIST_MAX_NS);
    if ns > h.high() {
        grow(h, ns);
    }
    h.saturating_record_n(ns, weight);
}

/// Replace `h` with one that covers `ns` with a power of two to spare: sized
/// exactly, where hdrhistogram's own auto-resize keeps a growing `Vec`'s
/// doubled capacity.
#[cold]
fn grow(h: &mut Histogram<u64>, ns: u64) {
    let mut bigger = sized_histogram(ns.saturating_mul(2));
    // Same precision and a wider range: adding cannot fail.
    if bigger.add(&*h).is_ok() {
        *h = bigger;
    }
}

/// Queue-wait and end-to-end histograms.
#[derive(Debug, Clone)]
pub struct LatencyHists {
    /// Enqueue → dequeue.
    pub wait: Histogram<u64>,
    /// Created → done.
    pub e2e: Histogram<u64>,
}

impl Default for LatencyHists {
    fn default() -> Self {
        LatencyHists {
            wait: new_histogram(),
            e2e: new_histogram(),
        }
    }
}

impl LatencyHists {
    /// One item's latencies, standing for `weight` items.
    pub fn record(&mut self, wait_ns: u64, e2e_ns: u64, weight: u64) {
        record(&mut self.wait, wait_ns, weight);
        record(&mut self.e2e, e2e_ns, weight);
    }
}

/// One thread known to the engine.
#[derive(Debug)]
pub struct Worker {
    /// Registry index.
    pub id: usize,
    /// Thread name.
    pub name: Arc<str>,
    /// Its job.
    pub role: Role,
    /// 0-based index within its role (Producer-1 is 0).
    pub index: usize,
    /// Instrumentation, written only by the thread.
    pub stats: CachePadded<ThreadStats>,
    /// Recent enqueues (producers and the coordinator's pills).
    pub recent: RecentRing,
    /// Set by the engine to ask this thread to leave after its current step.
    pub retire: AtomicBool,
    /// Wakes the thread from a blocking queue operation or a pause.
    pub wake_tx: Sender<()>,
    /// The thread's end of the wake channel.
    pub wake_rx: Receiver<()>,
    /// Its latencies (consumers), flushed periodically from a few local samples.
    pub hists: Mutex<Option<LatencyHists>>,
    /// Recent dominant states and their shares, one per history bucket
    /// (written by the sampler).
    pub lane: Mutex<std::collections::VecDeque<(ThreadState, u8)>>,
    /// Join handle, taken when joined.
    pub handle: Mutex<Option<JoinHandle<()>>>,
}

impl Worker {
    /// Wake the thread if it waits (never blocks: the wake channel holds one).
    pub fn wake(&self) {
        let _ = self.wake_tx.try_send(());
    }
}

/// Live-changeable knobs: producer interval and consumer work.
#[derive(Debug, Clone, Copy)]
pub struct Knobs {
    /// Producer interval.
    pub interval: WorkSpec,
    /// Consumer work.
    pub work: WorkSpec,
}

/// The knobs plus per-producer intervals.
#[derive(Debug, Clone)]
pub struct KnobState {
    /// Interval and work.
    pub base: Knobs,
    /// Per-producer intervals (empty = all use `base.interval`).
    pub per_producer: Vec<WorkSpec>,
}

impl KnobState {
    fn deref_knobs(&self) -> &Knobs {
        &self.base
    }
}

/// Everything the engine's threads share.
#[derive(Debug)]
pub struct Shared {
    /// The run clock: active time (stops while paused), and wall time.
    pub clock: super::clock::RunClock,
    /// The starting configuration.
    pub config: Config,
    /// Live knobs; `knob_version` bumps on every change so threads reload cheaply.
    pub knobs: RwLock<KnobState>,
    /// Bumped on each knob change.
    pub knob_version: AtomicU64,
    /// User pause.
    pub paused: AtomicBool,
    /// Producers must stop (graceful shutdown).
    pub stop_producers: AtomicBool,
    /// Everything must stop now.
    pub aborted: AtomicBool,
    /// Run phase (`Phase as u8`).
    pub phase: AtomicU8,
    /// Registry of every thread ever started, index = id.
    pub threads: RwLock<Vec<Arc<Worker>>>,
    /// Lifecycle events.
    pub events: Mutex<EventRing>,
    /// Run-wide latency histograms.
    pub hists: Mutex<LatencyHists>,
    /// Next unclaimed item id (own cache line: producers write it often,
    /// while every thread reads the flags above on each step).
    pub next_id: CachePadded<AtomicU64>,
    /// Ids given back by producers that left with part of a claimed block.
    pub spare_ids: Mutex<Vec<Range<u64>>>,
    /// Quick check for `spare_ids` being non-empty.
    pub has_spare: AtomicBool,
    /// Item results for `map` scenarios.
    pub results: Mutex<Vec<ItemResult>>,
    /// Per-item trace (`--log`), off when `None`.
    pub trace: Option<Sender<Trace>>,
    /// Item ids whose work panics (sorted).
    pub crash_items: Vec<u64>,
    /// Set once any producer has found the queue full (max depth = capacity).
    pub ever_full: CachePadded<AtomicBool>,
    /// Run-level facts kept by the coordinator.
    pub run: Mutex<RunInfo>,
    /// What the sampler measured.
    pub sampled: Mutex<Sampled>,
    /// The run's epochs: one per knob change (written by the coordinator).
    pub epochs: Mutex<super::epoch::Epochs>,
    /// The emulated global interpreter lock.
    pub gil: super::gil::Gil,
    /// The textbook buffer, when the queue is one: a thread that sleeps,
    /// works, pauses or leaves ends its turn there (see [`Shared::end_turn`]).
    pub textbook: Option<Arc<super::condvar::Textbook>>,
}

/// Run-level facts the coordinator records.
#[derive(Debug, Default, Clone)]
pub struct RunInfo {
    /// Pills the coordinator will send (known once shutdown starts), extra
    /// removal pills included.
    pub pills_planned: Option<u64>,
    /// When shutdown began (request or producers finishing), ns.
    pub shutdown_at: Option<u64>,
    /// When the last thread left, ns (active).
    pub done_at: Option<u64>,
    /// When the last thread left, ns of wall time.
    pub done_wall: Option<u64>,
    /// Live consumers the pills were planned for (one each is the protocol).
    pub pills_needed: Option<u64>,
    /// Pills planned that could not be delivered: no consumer was left.
    pub pills_undelivered: u64,
}

/// Time-weighted queue measurements from the coordinator's sampler.
#[derive(Debug, Default, Clone)]
pub struct Sampled {
    /// Σ depth·dt (messages · ns).
    pub depth_area: f64,
    /// Σ items queued·dt (items · ns): Lq.
    pub queued_area: f64,
    /// Σ (queued + in flight)·dt (items · ns).
    pub system_area: f64,
    /// Time covered by samples, ns.
    pub covered_ns: u64,
    /// Deepest depth sampled.
    pub max_depth: u64,
    /// History buckets, oldest first.
    pub history: std::collections::VecDeque<super::snapshot::HistoryPoint>,
    /// Their width, ns (0 before the sampler has coarsened them: the first step).
    pub step_ns: u64,
}

/// Phase from its byte.
pub fn phase_from_u8(b: u8) -> Phase {
    [
        Phase::Running,
        Phase::Paused,
        Phase::ShuttingDown,
        Phase::Done,
        Phase::Aborted,
    ]
    .into_iter()
    .find(|p| *p as u8 == b)
    .unwrap_or(Phase::Running)
}

/// Ends a worker's turn (see [`Shared::end_turn`]) on every way out of
/// its thread, a panic included: nobody may wait for a thread that is gone.
pub struct EndTurnOnExit<'a>(pub &'a Shared, pub &'a Worker);

impl Drop for EndTurnOnExit<'_> {
    fn drop(&mut self) {
        self.0.end_turn(self.1);
    }
}

impl Shared {
    /// Worker `w` is about to sleep, work, wait at a gate or leave: in a
    /// textbook buffer's lesson order, the mutex's turn passes on (see
    /// `condvar::lesson`). One atomic load otherwise.
    #[inline]
    pub fn end_turn(&self, w: &Worker) {
        if let Some(tb) = &self.textbook {
            tb.end_turn(w.id as u32);
        }
    }

    /// Shared state for a run starting now.
    pub fn new(config: Config, trace: Option<Sender<Trace>>) -> Shared {
        let gil = super::gil::Gil::new(config.gil, config.switch_interval);
        let first_shared_id = if config.split_even {
            config.workload.total_items().unwrap_or(0)
        } else {
            0
        };
        let start_paused = config.start_paused;
        let mut crash_items = config.crash_items.clone();
        crash_items.sort_unstable();
        Shared {
            clock: super::clock::RunClock::new(start_paused),
            knobs: RwLock::new(KnobState {
                base: Knobs {
                    interval: config.interval,
                    work: config.work,
                },
                per_producer: config.producer_intervals.clone(),
            }),
            config,
            knob_version: AtomicU64::new(0),
            paused: AtomicBool::new(start_paused),
            stop_producers: AtomicBool::new(false),
            aborted: AtomicBool::new(false),
            phase: AtomicU8::new(if start_paused {
                Phase::Paused
            } else {
                Phase::Running
            } as u8),
            threads: RwLock::new(Vec::new()),
            events: Mutex::new(EventRing::new(EVENT_RING)),
            hists: Mutex::new(LatencyHists::default()),
            // With even shares the starting producers own [0, n) up front.
            next_id: CachePadded::new(AtomicU64::new(first_shared_id)),
            spare_ids: Mutex::new(Vec::new()),
            has_spare: AtomicBool::new(false),
            results: Mutex::new(Vec::new()),
            trace,
            crash_items,
            textbook: None,
            ever_full: CachePadded::new(AtomicBool::new(false)),
            run: Mutex::new(RunInfo::default()),
            sampled: Mutex::new(Sampled::default()),
            epochs: Mutex::new(Default::default()),
            gil,
        }
    }

    /// Active ns since the run's start: the run clock, which stops while
    /// the run is paused (see [`super::clock`]). Every timestamp is on it.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        self.clock.now_ns()
    }

    /// Active ns at an instant a moment ago.
    #[inline]
    pub fn ns_at(&self, t: Instant) -> u64 {
        self.clock.ns_at(t)
    }

    /// Current phase.
    pub fn phase(&self) -> Phase {
        phase_from_u8(self.phase.load(Ordering::Acquire))
    }

    /// Set the phase.
    pub fn set_phase(&self, p: Phase) {
        self.phase.store(p as u8, Ordering::Release);
    }

    /// Current knobs.
    pub fn knobs(&self) -> Knobs {
        *lock_read(&self.knobs).deref_knobs()
    }

    /// The interval producer `index` uses now.
    pub fn interval_for(&self, index: usize) -> WorkSpec {
        let k = lock_read(&self.knobs);
        match k.per_producer.len() {
            0 => k.base.interval,
            n => k.per_producer[index % n],
        }
    }

    /// Record a lifecycle event (and trace it for `--log`).
    pub fn emit(&self, who: Option<&Arc<str>>, kind: EventKind) {
        let at = Duration::from_nanos(self.now_ns());
        let mut ring = lock(&self.events);
        let seq = ring.push(at, who.cloned(), kind.clone());
        drop(ring);
        if let Some(t) = &self.trace {
            let _ = t.send(Trace {
                who: who.cloned().unwrap_or_else(|| Arc::from("run")),
                at,
                kind: TraceKind::Event(super::event::Event {
                    seq,
                    at,
                    who: who.cloned(),
                    kind,
                }),
            });
        }
    }

    /// Wake `main` (id 0) so it notices a thread leaving without waiting
    /// for its next tick.
    pub fn wake_coordinator(&self) {
        if let Some(main) = lock_read(&self.threads).first() {
            main.wake();
        }
    }

    /// Take a step token for one queue operation, if there is one (see
    /// [`super::clock`]). When that stops the run clock, threads in the
    /// middle of their work are woken so they park until it runs again.
    pub fn take_step(&self) -> bool {
        let took = self.clock.take_step();
        if took && self.clock.is_stopped() {
            self.wake_all();
        }
        took
    }

    /// Snapshot of the registry.
    pub fn workers(&self) -> Vec<Arc<Worker>> {
        lock_read(&self.threads).clone()
    }

    /// Wake every thread (after a pause, resume, stop or abort).
    pub fn wake_all(&self) {
        for w in lock_read(&self.threads).iter() {
            w.wake();
        }
    }

    /// Claim up to `block` item ids for a finite workload of `total` items, or
    /// ids without end when `total` is `None`. Empty when the workload is done.
    pub fn claim_ids(&self, block: u64, total: Option<u64>) -> Range<u64> {
        if self.has_spare.load(Ordering::Acquire) {
            let mut spare = lock(&self.spare_ids);
            if let Some(r) = spare.pop() {
                self.has_spare.store(!spare.is_empty(), Ordering::Release);
                return r;
            }
        }
        let start = self.next_id.fetch_add(block, Ordering::Relaxed);
        match total {
            None => start..start + block,
            Some(t) => start.min(t)..(start + block).min(t),
        }
    }

    /// Producer `index`'s own share when the config splits work evenly.
    pub fn initial_share(&self, index: usize) -> Range<u64> {
        let (Some(n), true) = (self.config.workload.total_items(), self.config.split_even) else {
            return 0..0;
        };
        let p = self.config.producers as u64;
        let i = index as u64;
        if i >= p {
            return 0..0;
        }
        (i * n / p)..((i + 1) * n / p)
    }

    /// Give back ids a leaving producer had claimed but not produced.
    pub fn return_ids(&self, r: Range<u64>) {
        if !r.is_empty() {
            lock(&self.spare_ids).push(r);
            self.has_spare.store(true, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_grow_to_what_they_hold_and_no_further() {
        let mut h = new_histogram();
        let small = h.distinct_values();
        record(&mut h, 5_000, 2); // 5 µs
        record(&mut h, 3_000_000, 1); // 3 ms
        assert_eq!(h.len(), 3);
        assert_eq!(h.max(), h.highest_equivalent(3_000_000));
        assert_eq!(h.value_at_quantile(0.5), h.highest_equivalent(5_000));
        // Up to 6 ms: about 16 powers of two of 128 counters each, not the
        // full hour's 4,608.
        assert!(h.distinct_values() > small);
        assert!(h.distinct_values() <= 18 * 128, "{}", h.distinct_values());
        // An hour and beyond clamp to the top.
        record(&mut h, u64::MAX, 1);
        assert_eq!(h.len(), 4);
        assert!(h.max() >= HIST_MAX_NS);
    }
}
