//! The saturated default run at any size and moment: the snapshot most
//! screen fixtures start from. Built in named steps, each drawing from one
//! pseudo-random sequence in a fixed order (history, producers, consumers,
//! queue strip), so the same arguments always give the same snapshot.

mod events;
mod history;
mod latency;
mod threads;

use std::time::Duration;

use super::parts::{Lcg, ms};
use crate::sim::snapshot::{HISTORY_LEN, HISTORY_STEP};
use crate::sim::{Capacity, Counts, Dist, Phase, QueueStrip, Slot, Snapshot, WorkMode, WorkSpec};

/// Queue capacity of the default scenario.
const CAPACITY: u64 = 32;
/// Producer interval, seconds (fixed 50 ms).
const INTERVAL_S: f64 = 0.050;
/// Mean work time, seconds: exp:150ms, slower than the shipped default so
/// that arrival outruns service.
const WORK_MEAN_S: f64 = 0.150;

/// The shape of the run being pictured and the rates that follow from it.
struct Run {
    producers: usize,
    consumers: usize,
    elapsed: Duration,
    /// History buckets covered by `elapsed`.
    buckets: usize,
    /// Items per second the producers offer.
    arrival: f64,
    /// Items per second the consumers can take.
    service: f64,
}

impl Run {
    fn new(producers: usize, consumers: usize, elapsed: Duration) -> Run {
        Run {
            producers,
            consumers,
            elapsed,
            buckets: ((elapsed.as_millis() / HISTORY_STEP.as_millis()) as usize).min(HISTORY_LEN),
            arrival: producers as f64 / INTERVAL_S,
            service: consumers as f64 / WORK_MEAN_S,
        }
    }

    /// Producers outrun consumers: the queue fills and producers block.
    fn saturated(&self) -> bool {
        self.arrival > self.service
    }
}

/// A run of the default scenario with `producers` and `consumers`, `elapsed`
/// in, with the queue saturated. Producers block on a full queue; consumers
/// work nearly all the time.
pub(crate) fn build(producers: usize, consumers: usize, elapsed: Duration, seed: u64) -> Snapshot {
    let mut rng = Lcg(seed);
    let run = Run::new(producers, consumers, elapsed);
    let (history, depth, consumed) = history::history(&mut rng, &run);
    let queued = (depth.round() as u64).min(CAPACITY);
    let counts = Counts {
        produced: consumed + queued + consumers as u64,
        consumed,
        failed: 0,
        queued,
        in_flight: consumers as u64,
        pills_sent: 0,
        pills_received: 0,
        pills_planned: None,
        ..Counts::default()
    };
    let mut threads = vec![threads::main_thread(&run)];
    threads::producers(&mut rng, &run, counts.produced, &mut threads);
    threads::consumers(&mut rng, &run, consumed, &mut threads);
    let strip = strip(&mut rng, &run, counts.produced, queued);
    let (latency, mean_in_system) = latency::latency(&run, counts);
    let mut s = Snapshot {
        scenario: "default".into(),
        lesson: "2 steady producers, 4 consumers with random work, a queue of 32".into(),
        seed,
        elapsed,
        phase: Phase::Running,
        capacity: Capacity::Bounded(CAPACITY as usize),
        interval: WorkSpec::new(WorkMode::Sleep, Dist::Fixed(ms(50))),
        work: WorkSpec::new(WorkMode::Sleep, Dist::Exp { mean: ms(150) }),
        gil: false,
        total_items: None,
        counts,
        channel_len: queued,
        max_depth: history.iter().map(|h| h.max_depth).max().unwrap_or(0),
        mean_depth: history.iter().map(|h| h.mean_depth).sum::<f64>() / run.buckets.max(1) as f64,
        mean_in_system,
        latency,
        threads,
        strip,
        history,
        events: Vec::new(),
        events_total: 0,
        shutdown_took: None,
        detail: None,
        output: None,
        wall: elapsed,
        ..Snapshot::default()
    };
    events::opening(&mut s);
    s
}

/// The queue in order, the newest 256 items listed.
fn strip(rng: &mut Lcg, run: &Run, produced: u64, queued: u64) -> QueueStrip {
    let listed = queued.min(256);
    QueueStrip {
        hidden: queued - listed,
        slots: (0..listed)
            .map(|k| Slot::Item {
                id: produced - listed + 1 + k,
                producer: ((k + rng.below(2)) % run.producers as u64) as usize,
            })
            .collect(),
    }
}
