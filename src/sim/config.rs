//! The validated run configuration the engine starts from. Plain data: every
//! value here is already checked against [`limits`], so the engine never has to
//! reject user input.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::condvar::{QueueKind, SleepPlan};
use super::work::WorkSpec;

/// Upper bounds on everything a user can set. The scenario layer checks them;
/// the engine enforces the thread limits again on live changes.
pub mod limits {
    use std::time::Duration;
    /// Most producers or consumers (each) a run may have, also on live changes.
    pub const MAX_THREADS: usize = 1024;
    /// Largest bounded queue capacity.
    pub const MAX_CAPACITY: usize = 1_000_000;
    /// An "unbounded" queue stops growing here (~240 MB of messages): past
    /// it producers wait as if it were full, so a runaway run cannot eat
    /// the machine's memory. The event log says when it happens.
    pub const UNBOUNDED_SAFETY_DEPTH: usize = 10_000_000;
    /// Most items a finite run may produce.
    pub const MAX_ITEMS: u64 = 1_000_000_000;
    /// Most words in a `words` list.
    pub const MAX_WORDS: usize = 100_000;
    /// Longest `duration` of a run.
    pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
    /// Longest single interval or work time (also any distribution parameter).
    pub const MAX_STEP: Duration = Duration::from_secs(3600);
    /// Most poison pills that may be sent explicitly.
    pub const MAX_PILLS: usize = 1024;
}

/// Python's default GIL switch interval (`sys.getswitchinterval()`).
pub const DEFAULT_SWITCH: Duration = Duration::from_millis(5);

/// Queue capacity, as in crossbeam-channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capacity {
    /// `bounded(0)`: every send waits for a receiver (a hand-off).
    Rendezvous,
    /// `bounded(n)` with `n >= 1`.
    Bounded(usize),
    /// `unbounded()`.
    Unbounded,
}

impl Capacity {
    /// The numeric capacity, `None` for unbounded.
    pub fn limit(self) -> Option<usize> {
        match self {
            Capacity::Rendezvous => Some(0),
            Capacity::Bounded(n) => Some(n),
            Capacity::Unbounded => None,
        }
    }
}

impl std::fmt::Display for Capacity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capacity::Rendezvous => f.write_str("0"),
            Capacity::Bounded(n) => write!(f, "{n}"),
            Capacity::Unbounded => f.write_str("unbounded"),
        }
    }
}

/// What the producers produce, and so when they stop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// Produce until the user shuts the run down.
    Endless,
    /// This many items in total, shared by all producers.
    Items(u64),
    /// Each producer produces until this much time has passed since the start.
    Duration(#[serde(with = "super::serde_fmt::nanos")] Duration),
    /// One item per word, in order, shared by all producers.
    Words(Arc<[String]>),
}

impl Workload {
    /// Number of items when it is known up front.
    pub fn total_items(&self) -> Option<u64> {
        match self {
            Workload::Items(n) => Some(*n),
            Workload::Words(w) => Some(w.len() as u64),
            Workload::Endless | Workload::Duration(_) => None,
        }
    }
}

/// A validated scenario: everything the engine needs to start a run.
///
/// Recordings store it (their header): a key missing from an older file
/// takes the default config's value, so adding a field never breaks
/// replaying old recordings (`tests/fixtures/recordings/` checks it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Scenario name (preset name or file stem).
    pub name: String,
    /// One-line lesson or description shown with the scenario.
    pub lesson: String,
    /// Producer threads at start (1..=MAX_THREADS).
    pub producers: usize,
    /// Consumer threads at start (1..=MAX_THREADS).
    pub consumers: usize,
    /// Queue capacity.
    pub capacity: Capacity,
    /// What is produced.
    pub workload: Workload,
    /// Time a producer spends making each item.
    pub interval: WorkSpec,
    /// Time a consumer spends on each item.
    pub work: WorkSpec,
    /// Seed for every thread's random durations.
    pub seed: u64,
    /// Pills the coordinator sends at shutdown; `None` = one per live consumer
    /// (the correct protocol).
    pub pills: Option<usize>,
    /// Items whose work panics (fault injection): the consumer that takes one crashes.
    pub crash_items: Vec<u64>,
    /// Keep each item's result and report them in input order, as `Pool.map` does.
    pub collect_results: bool,
    /// Emulate Python's GIL: CPU (spin) work must hold one global lock.
    pub gil: bool,
    /// How long a GIL holder runs before handing the lock over.
    #[serde(rename = "switch_interval_ns", with = "super::serde_fmt::nanos")]
    pub switch_interval: Duration,
    /// When `main` puts the pills.
    pub pills_when: PillTrigger,
    /// Start paused, for stepping through hand-offs one by one.
    pub start_paused: bool,
    /// Give each starting producer its own equal share of a finite workload
    /// up front (as in the seed programs, where each producer loops over its
    /// own range) instead of all drawing from one shared pool.
    pub split_even: bool,
    /// Per-producer intervals (producer i uses entry i mod len); empty = all
    /// use `interval`. A live interval change replaces them.
    pub producer_intervals: Vec<WorkSpec>,
    /// Which queue: the channel or a textbook buffer (mutex + condition
    /// variables; then `capacity` is bounded and at least 1).
    pub queue: QueueKind,
    /// Textbook buffers: producer i sleeps at points p0–p6 as piece i says.
    pub producer_sleeps: SleepPlan,
    /// Textbook buffers: consumer i sleeps at points c0–c6 as piece i says.
    pub consumer_sleeps: SleepPlan,
    /// Depth at which an unbounded queue stops growing (not user-settable;
    /// [`limits::UNBOUNDED_SAFETY_DEPTH`] unless a test lowers it).
    pub unbounded_limit: usize,
}

impl Config {
    /// Sleep strings are given: the run is a lesson in one interleaving
    /// (the textbook buffer keeps the lesson order, every wake-up is told).
    pub fn has_sleep_strings(&self) -> bool {
        !(self.producer_sleeps.is_empty() && self.consumer_sleeps.is_empty())
    }

    /// The same scenario played at `speed` (0.25 = four times slower): every
    /// interval, work time, run duration and GIL switch interval is divided
    /// by it, so a class can follow each hand-off.
    pub fn at_speed(mut self, speed: f64) -> Config {
        let f = 1.0 / speed.clamp(0.01, 100.0);
        self.interval = self.interval.scaled(f);
        self.work = self.work.scaled(f);
        self.producer_intervals = self
            .producer_intervals
            .iter()
            .map(|s| s.scaled(f))
            .collect();
        self.switch_interval = self.switch_interval.mul_f64(f).min(limits::MAX_STEP);
        self.producer_sleeps = self.producer_sleeps.scaled(f);
        self.consumer_sleeps = self.consumer_sleeps.scaled(f);
        if let Workload::Duration(d) = self.workload {
            self.workload = Workload::Duration(d.mul_f64(f).min(limits::MAX_DURATION));
        }
        self
    }
}

/// When the coordinator starts putting the poison pills.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PillTrigger {
    /// After every producer has finished (the correct protocol).
    #[default]
    AllProducers,
    /// As soon as the first producer finishes (the `early-pill` bug: items
    /// put later sit behind the pills and are never consumed).
    FirstProducer,
}

impl Default for Config {
    /// The built-in default scenario: alive on first sight, runs until stopped.
    fn default() -> Self {
        use super::work::{Dist, WorkMode};
        Config {
            name: "default".into(),
            lesson: "2 steady producers, 4 consumers with random work, a queue of 32".into(),
            producers: 2,
            consumers: 4,
            capacity: Capacity::Bounded(32),
            workload: Workload::Endless,
            interval: WorkSpec::new(WorkMode::Sleep, Dist::Fixed(Duration::from_millis(50))),
            work: WorkSpec::new(
                WorkMode::Sleep,
                Dist::Exp {
                    mean: Duration::from_millis(80),
                },
            ),
            seed: 42,
            pills: None,
            crash_items: Vec::new(),
            collect_results: false,
            gil: false,
            switch_interval: DEFAULT_SWITCH,
            pills_when: PillTrigger::AllProducers,
            start_paused: false,
            split_even: false,
            producer_intervals: Vec::new(),
            queue: QueueKind::Channel,
            producer_sleeps: SleepPlan::default(),
            consumer_sleeps: SleepPlan::default(),
            unbounded_limit: limits::UNBOUNDED_SAFETY_DEPTH,
        }
    }
}
