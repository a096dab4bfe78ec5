//! The plain-data picture of a run at one moment. The TUI renders it, the
//! headless reports summarise it; neither touches the engine's internals.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::config::Capacity;
use super::event::Event;
use super::state::{ExitReason, Phase, Role, ThreadState};
use super::work::WorkSpec;

/// Exact item counters. Always `produced = consumed + failed + queued + in_flight`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Items put on the queue (a producer's item counts once its send succeeds).
    pub produced: u64,
    /// Items whose work completed.
    pub consumed: u64,
    /// Items whose work panicked.
    pub failed: u64,
    /// Items on the queue now.
    pub queued: u64,
    /// Items taken off the queue and not yet finished.
    pub in_flight: u64,
    /// Pills put on the queue.
    pub pills_sent: u64,
    /// Pills taken off the queue.
    pub pills_received: u64,
    /// Pills the coordinator will send in all (known once shutdown starts).
    pub pills_planned: Option<u64>,
    /// Live consumers the pills were planned for (known once shutdown
    /// starts): one pill each is the protocol.
    #[serde(default)]
    pub pills_needed: Option<u64>,
    /// Planned pills that could not be delivered: no consumer was left.
    #[serde(default)]
    pub pills_undelivered: u64,
}

impl Counts {
    /// Pills on the queue now.
    pub fn pills_in_queue(&self) -> u64 {
        self.pills_sent - self.pills_received
    }

    /// Messages (items + pills) on the queue now.
    pub fn depth(&self) -> u64 {
        self.queued + self.pills_in_queue()
    }
}

/// Percentiles of one latency histogram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Items recorded: at zero interval a timed item stands for the 64 it
    /// was sampled from, so this counts items, not samples.
    pub count: u64,
    /// Mean.
    #[serde(rename = "mean_ns", with = "super::serde_fmt::nanos")]
    pub mean: Duration,
    /// Median.
    #[serde(rename = "p50_ns", with = "super::serde_fmt::nanos")]
    pub p50: Duration,
    /// 90th percentile.
    #[serde(rename = "p90_ns", with = "super::serde_fmt::nanos")]
    pub p90: Duration,
    /// 99th percentile.
    #[serde(rename = "p99_ns", with = "super::serde_fmt::nanos")]
    pub p99: Duration,
    /// Largest.
    #[serde(rename = "max_ns", with = "super::serde_fmt::nanos")]
    pub max: Duration,
}

/// One bar of a latency histogram: `count` samples at most `upto`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Upper edge of the bucket.
    #[serde(rename = "upto_ns", with = "super::serde_fmt::nanos")]
    pub upto: Duration,
    /// Samples in it.
    pub count: u64,
}

/// Queue-wait and end-to-end latencies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Enqueue → dequeue.
    pub queue_wait: LatencySummary,
    /// Created → work done (includes a producer's blocked time).
    pub end_to_end: LatencySummary,
    /// Mean enqueue → done (time in system, the W of Little's law).
    #[serde(rename = "mean_in_system_ns", with = "super::serde_fmt::nanos")]
    pub mean_in_system: Duration,
}

/// One thread's row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadSnap {
    /// Stable id (index in spawn order, `main` is 0).
    pub id: usize,
    /// `Producer-1`, `Consumer-3`, `main`.
    pub name: Arc<str>,
    /// Its job.
    pub role: Role,
    /// Current state, set by the thread itself.
    pub state: ThreadState,
    /// Time in the current state.
    #[serde(rename = "in_state_for_ns", with = "super::serde_fmt::nanos")]
    pub in_state_for: Duration,
    /// Item being made / worked on / sent, when there is one.
    pub current_item: Option<u64>,
    /// Producer: items sent. Consumer: items finished (consumed + failed).
    /// Coordinator: pills sent.
    pub items: u64,
    /// Consumer: items whose work panicked.
    pub failed: u64,
    /// Accumulated time per state, indexed by `ThreadState as usize`.
    #[serde(rename = "time_in_ns", with = "super::serde_fmt::nanos_per_state")]
    pub time_in: [Duration; ThreadState::COUNT],
    /// Recent states, oldest first, one per history bucket (dominant state).
    #[serde(with = "super::serde_fmt::lane")]
    pub lane: Vec<ThreadState>,
    /// Why it left, once it has.
    pub exit: Option<ExitReason>,
    /// Removal requested (retire flag set), not yet exited.
    pub retiring: bool,
    /// Textbook buffers: the condition variable it sleeps on (while
    /// `waiting-cv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv: Option<super::condvar::Cv>,
    /// Textbook buffers: whether its condition held after its last
    /// wake-up (`false`: woken for nothing, or, under `if`, the bug).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub woke_held: Option<bool>,
}

impl ThreadSnap {
    /// Total time this thread has existed (sum over states).
    pub fn lifetime(&self) -> Duration {
        self.time_in.iter().sum()
    }

    /// Time doing its job (producing / working).
    pub fn busy(&self) -> Duration {
        self.sum_where(ThreadState::is_busy)
    }

    /// Time a producer's put waited because the queue was full (or, at
    /// capacity 0, for a receiver): `blocked-full`.
    /// On a textbook buffer also: waiting for its mutex, and a producer
    /// asleep on a condition variable (the buffer was full).
    pub fn blocked(&self) -> Duration {
        let mut d = self.time_in[ThreadState::BlockedFull as usize]
            + self.time_in[ThreadState::WaitingLock as usize];
        if self.role != Role::Consumer {
            d += self.time_in[ThreadState::WaitingCv as usize];
        }
        d
    }

    /// Time a consumer's get waited because the queue was empty:
    /// `waiting-empty`.
    /// On a textbook buffer also: asleep on a condition variable (the
    /// buffer was empty).
    pub fn waiting(&self) -> Duration {
        let mut d = self.time_in[ThreadState::WaitingEmpty as usize];
        if self.role == Role::Consumer {
            d += self.time_in[ThreadState::WaitingCv as usize];
        }
        d
    }

    /// Busy time as a fraction of the time alive before exiting (0..=1).
    pub fn busy_fraction(&self) -> f64 {
        let alive = self.lifetime()
            - self.time_in[ThreadState::Exited as usize]
            - self.time_in[ThreadState::Crashed as usize];
        if alive.is_zero() {
            0.0
        } else {
            self.busy().as_secs_f64() / alive.as_secs_f64()
        }
    }

    fn sum_where(&self, f: impl Fn(ThreadState) -> bool) -> Duration {
        ThreadState::ALL
            .iter()
            .filter(|s| f(**s))
            .map(|s| self.time_in[*s as usize])
            .sum()
    }
}

/// What sits in one slot of the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Slot {
    /// An item: its id and the 0-based index of its producer.
    Item {
        /// Item id.
        id: u64,
        /// Producer index (0 = Producer-1).
        producer: usize,
    },
    /// A poison pill.
    Pill,
}

/// A slot as `(id, producer)`, `None` for a pill (its recorded shape).
impl From<Slot> for Option<(u64, usize)> {
    fn from(slot: Slot) -> Self {
        match slot {
            Slot::Item { id, producer } => Some((id, producer)),
            Slot::Pill => None,
        }
    }
}

impl From<Option<(u64, usize)>> for Slot {
    fn from(x: Option<(u64, usize)>) -> Self {
        match x {
            Some((id, producer)) => Slot::Item { id, producer },
            None => Slot::Pill,
        }
    }
}

/// The queue's contents in order, head (next out) first. Only the newest
/// `slots.len()` messages are listed; `hidden` older ones sit ahead of them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueStrip {
    /// Messages ahead of the listed ones (nearer the head, not listed).
    pub hidden: u64,
    /// The listed messages, head first.
    #[serde(with = "super::serde_fmt::slots")]
    pub slots: Vec<Slot>,
}

/// One point of the engine's history (one per [`HISTORY_STEP`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// End of the bucket, since start.
    #[serde(rename = "at_ns", with = "super::serde_fmt::nanos")]
    pub at: Duration,
    /// Deepest queue depth sampled in the bucket (items + pills).
    pub max_depth: u64,
    /// Mean sampled depth in the bucket.
    pub mean_depth: f64,
    /// Items produced in the bucket.
    pub produced: u64,
    /// Items finished (consumed + failed) in the bucket.
    pub done: u64,
}

/// Width of one history bucket (depth chart points and swimlane cells) once
/// a run is long enough: a run starts with finer buckets, which pair up
/// whenever the history is full (see [`Snapshot::history_step`]).
pub const HISTORY_STEP: Duration = Duration::from_millis(250);

/// The first (finest) history step: [`HISTORY_STEP`] / 64, about 3.9 ms.
pub const HISTORY_FIRST_STEP: Duration = Duration::from_nanos(HISTORY_STEP.as_nanos() as u64 / 64);

fn default_history_step() -> Duration {
    HISTORY_STEP
}
/// History buckets kept (60 s).
pub const HISTORY_LEN: usize = 240;

/// Details of one thread, included on request (the details view).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadDetail {
    /// The thread's id.
    pub id: usize,
    /// Its queue-wait latency summary (consumers).
    pub queue_wait: LatencySummary,
    /// Its end-to-end latency summary (consumers).
    pub end_to_end: LatencySummary,
    /// Its end-to-end histogram, coarse buckets.
    pub histogram: Vec<Bucket>,
    /// Its longer state history (every bucket kept), oldest first.
    #[serde(with = "super::serde_fmt::lane")]
    pub timeline: Vec<ThreadState>,
    /// How its sleeps went (absent from older recordings).
    #[serde(default)]
    pub sleeps: SleepTiming,
}

/// How a thread's sleeps (interval or work spent sleeping) went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SleepTiming {
    /// Sleeps finished.
    pub count: u64,
    /// Their asked total.
    #[serde(rename = "asked_ns", with = "super::serde_fmt::nanos")]
    pub asked: Duration,
    /// Their actual total.
    #[serde(rename = "actual_ns", with = "super::serde_fmt::nanos")]
    pub actual: Duration,
    /// How early before each deadline it now stops waiting and spins
    /// (calibrated on this machine at start, then learned from its waits).
    #[serde(rename = "margin_ns", with = "super::serde_fmt::nanos")]
    pub margin: Duration,
}

impl SleepTiming {
    /// Mean actual length over mean asked, minus one (0.003 = 0.3 % long).
    pub fn error(&self) -> Option<f64> {
        let asked = self.asked.as_secs_f64();
        (self.count > 0 && asked > 0.0).then(|| self.actual.as_secs_f64() / asked - 1.0)
    }
}

/// One line a traced program printed (`queuescope trace`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputLine {
    /// It went to stderr (else stdout).
    pub err: bool,
    /// The text, control characters removed.
    pub text: String,
}

/// What a traced program printed: its newest lines, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramOutput {
    /// The newest lines.
    pub lines: Vec<OutputLine>,
    /// Lines printed in all.
    pub total: u64,
}

/// Everything the UI and reports know about a run at one moment.
///
/// Recordings store snapshots: a field added later must read as absent
/// from older files (an `Option`, or `#[serde(default)]`), or old
/// recordings stop loading (`tests/fixtures/recordings/` checks it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Scenario name.
    pub scenario: String,
    /// Scenario's one-line lesson.
    pub lesson: String,
    /// Seed of every thread's randomness.
    pub seed: u64,
    /// Active time since start, on the run clock: it stops while the run
    /// is paused or waits for a step (frozen once done).
    #[serde(rename = "elapsed_ns", with = "super::serde_fmt::nanos")]
    pub elapsed: Duration,
    /// Wall time since start (frozen once done); `wall - elapsed` is the
    /// time the run stood paused.
    #[serde(default, rename = "wall_ns", with = "super::serde_fmt::nanos")]
    pub wall: Duration,
    /// Run phase.
    pub phase: Phase,
    /// Queue capacity.
    pub capacity: Capacity,
    /// Current producer interval.
    pub interval: WorkSpec,
    /// Current consumer work.
    pub work: WorkSpec,
    /// GIL emulation on (CPU work holds one global lock).
    pub gil: bool,
    /// Items the whole run makes, for a finite (`items` / `words`)
    /// workload; `None` for an endless or timed one.
    pub total_items: Option<u64>,
    /// Exact counters.
    pub counts: Counts,
    /// Raw `len()` of the underlying channel (items + pills), read separately
    /// from the counters: equal to `counts.depth()` whenever the queue is still.
    pub channel_len: u64,
    /// Largest depth seen (items + pills).
    pub max_depth: u64,
    /// Time-weighted mean depth (sampled at random moments, on the run clock).
    pub mean_depth: f64,
    /// Time-weighted mean number in system (queued + in flight), sampled.
    pub mean_in_system: f64,
    /// Latencies over the whole run.
    pub latency: Latency,
    /// Threads in spawn order (`main` first).
    pub threads: Vec<ThreadSnap>,
    /// The queue's contents.
    pub strip: QueueStrip,
    /// Width of the history's buckets and swimlane cells now.
    #[serde(
        default = "default_history_step",
        rename = "history_step_ns",
        with = "super::serde_fmt::nanos"
    )]
    pub history_step: Duration,
    /// Cumulative totals (the whole run's measures; zero in recordings
    /// made before they existed).
    #[serde(default)]
    pub totals: super::epoch::Totals,
    /// The recent epochs, oldest first: one per knob change, the last one
    /// current.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub epochs: Vec<super::epoch::EpochSnap>,
    /// Recent history, oldest first (at most [`HISTORY_LEN`]).
    // A recording stores history and events as records of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryPoint>,
    /// Most recent events, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Events ever emitted (the ring keeps only the recent ones).
    pub events_total: u64,
    /// Time from the shutdown request (or producers finishing) to the last join.
    #[serde(rename = "shutdown_took_ns", with = "super::serde_fmt::nanos_opt")]
    pub shutdown_took: Option<Duration>,
    /// Details of the thread asked for in [`SnapshotRequest`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<ThreadDetail>,
    /// A traced program's own output (`None` for a simulation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<ProgramOutput>,
    /// A textbook buffer's mutex and wake-ups (`None` for the channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub textbook: Option<TextbookSnap>,
}

/// What a textbook buffer (mutex + condition variables) shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextbookSnap {
    /// Which buffer.
    pub kind: super::condvar::QueueKind,
    /// Registry id of the thread holding the mutex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_holder: Option<usize>,
    /// Lesson order (sleep strings given): the registry id of the thread
    /// whose turn it is, which gets the mutex before anyone waiting for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<usize>,
    /// The last wake-up after which the woken thread's condition was false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_wake: Option<WakeNote>,
}

/// A wake-up, in names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WakeNote {
    /// Who signalled (`None`: a spurious wake-up).
    pub by: Option<String>,
    /// Who woke.
    pub woke: String,
    /// On which variable.
    pub cv: super::condvar::Cv,
    /// Whom the signal was meant for, when such a thread slept on the same
    /// variable (`the producer`, `a consumer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instead_of: Option<String>,
}

impl std::fmt::Display for WakeNote {
    /// `Consumer-1 signalled cond → woke Consumer-2 instead of the producer`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.by {
            Some(by) => write!(f, "{by} signalled {} → woke {}", self.cv, self.woke)?,
            None => write!(
                f,
                "{} woke on {} with no signal (spurious)",
                self.woke, self.cv
            )?,
        }
        if let Some(o) = &self.instead_of {
            write!(f, " instead of {o}")?;
        }
        Ok(())
    }
}

impl Default for Snapshot {
    /// An empty run at its start: for sources that fill in what they know
    /// (`Snapshot { scenario, ..Default::default() }`).
    fn default() -> Self {
        Snapshot {
            scenario: String::new(),
            lesson: String::new(),
            seed: 0,
            elapsed: Duration::ZERO,
            wall: Duration::ZERO,
            phase: Phase::Running,
            capacity: Capacity::Unbounded,
            interval: WorkSpec::zero(),
            work: WorkSpec::zero(),
            gil: false,
            total_items: None,
            counts: Counts::default(),
            channel_len: 0,
            max_depth: 0,
            mean_depth: 0.0,
            mean_in_system: 0.0,
            latency: Latency::default(),
            threads: Vec::new(),
            strip: QueueStrip::default(),
            history_step: HISTORY_STEP,
            totals: Default::default(),
            epochs: Vec::new(),
            history: Vec::new(),
            events: Vec::new(),
            events_total: 0,
            shutdown_took: None,
            detail: None,
            output: None,
            textbook: None,
        }
    }
}

impl Snapshot {
    /// Time the run stood still: paused, or waiting for a step.
    pub fn paused(&self) -> Duration {
        self.wall.saturating_sub(self.elapsed)
    }

    /// The whole run's measures, when the source reports totals.
    pub fn whole(&self) -> Option<super::epoch::Span> {
        (self.totals.at_ns > 0).then(|| self.totals.since(&Default::default()))
    }

    /// The current epoch, if the source reports epochs.
    pub fn epoch(&self) -> Option<&super::epoch::EpochSnap> {
        self.epochs.last()
    }

    /// Threads with `role`.
    pub fn role(&self, role: Role) -> impl Iterator<Item = &ThreadSnap> {
        self.threads.iter().filter(move |t| t.role == role)
    }

    /// Threads with `role` still in their loop.
    pub fn live(&self, role: Role) -> usize {
        self.role(role).filter(|t| !t.state.is_final()).count()
    }

    /// Items per second put on the queue over the whole run.
    pub fn arrival_rate(&self) -> f64 {
        per_s(self.counts.produced, self.elapsed)
    }

    /// Items per second finished over the whole run.
    pub fn throughput(&self) -> f64 {
        per_s(self.counts.consumed + self.counts.failed, self.elapsed)
    }
}

fn per_s(n: u64, d: Duration) -> f64 {
    if d.is_zero() {
        0.0
    } else {
        n as f64 / d.as_secs_f64()
    }
}

/// What a snapshot should include beyond the always-present parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SnapshotRequest {
    /// Include [`ThreadDetail`] for this thread id.
    pub detail: Option<usize>,
    /// How many recent events to include (0 = the default 200).
    pub events: usize,
}
