//! The coordinator's sampler: at random moments it reads the queue depth,
//! the items queued and the items in the system and integrates them over
//! active time (the time-weighted means Little's law checks), and it ends
//! the current epoch's warm-up once that has lasted long enough; at the end
//! of every history step the coordinator has it close a history bucket and
//! append each thread's dominant state to its swimlane.
//!
//! **Why random moments, and how few.** A time average sampled at moments
//! that do not depend on the run is unbiased however rarely it samples; a
//! fixed period could beat in time with a fixed producer interval and
//! always catch the queue at the same phase. So the gaps are drawn uniformly
//! from ½ to 1½ of a target that follows the run: half the mean time in
//! system (so an item is seen about twice on its way through), between
//! 1 ms and 50 ms, never more than a history bucket. The sampler stays
//! an independent witness: Little's law compares its L with λ·W from the
//! items' own timestamps. It does not run while the run clock stands still
//! (nothing can change the averages then) nor once the run is over.
//!
//! **History resolution adapts.** A run starts with buckets of
//! [`HISTORY_FIRST_STEP`](super::snapshot::HISTORY_FIRST_STEP); whenever the history is full the buckets pair up and
//! double, until they reach [`HISTORY_STEP`], after which the oldest are
//! dropped. A run that is over in 0.2 s still gets dozens of swimlane cells.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::assemble::{counts, dominant, totals};
use super::shared::{Shared, Worker};
use super::snapshot::{HISTORY_LEN, HISTORY_STEP, HistoryPoint};
use super::state::ThreadState;
use super::sync::lock;

use super::snapshot::HISTORY_FIRST_STEP as FIRST_STEP;

/// Shortest and longest target gap between samples.
const MIN_GAP: Duration = Duration::from_millis(1);
const MAX_GAP: Duration = Duration::from_millis(50);
/// Target gap before any item has been timed.
const FIRST_GAP: Duration = Duration::from_millis(5);

/// A swimlane cell: the dominant state and its share of the bucket (0–255).
pub type Cell = (ThreadState, u8);

/// The sampler's own state (lives on the coordinator thread).
pub struct Sampler {
    last_ns: u64,
    bucket_start: u64,
    bucket_max: u64,
    bucket_area: f64,
    last_produced: u64,
    last_done: u64,
    prev_time_in: HashMap<usize, [u64; ThreadState::COUNT]>,
    /// Current history step, ns.
    step_ns: u64,
    /// Mean time in system seen at the last sample, ns (0: none yet).
    sojourn_ns: u64,
    /// xorshift state for the gaps.
    rng: u64,
}

impl Sampler {
    /// A sampler for a run with `seed` (the gaps are random, reproducibly).
    pub fn new(seed: u64) -> Sampler {
        Sampler {
            last_ns: 0,
            bucket_start: 0,
            bucket_max: 0,
            bucket_area: 0.0,
            last_produced: 0,
            last_done: 0,
            prev_time_in: HashMap::new(),
            step_ns: FIRST_STEP.as_nanos() as u64,
            sojourn_ns: 0,
            rng: seed | 1,
        }
    }

    /// The current history step.
    pub fn step(&self) -> Duration {
        Duration::from_nanos(self.step_ns)
    }

    /// Time until the next sample with `threads` threads: random, around a
    /// target that follows the run (see the module docs).
    pub fn gap(&mut self, threads: usize) -> Duration {
        let target = if self.sojourn_ns == 0 {
            FIRST_GAP
        } else {
            Duration::from_nanos(self.sojourn_ns / 2).clamp(MIN_GAP, MAX_GAP)
        };
        // Many threads: slower, so sampling stays well under 1 % of a core.
        let target = target
            .min(self.step())
            .max(Duration::from_micros(threads as u64 * 2));
        // xorshift64: uniform in [½, 1½) of the target.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let u = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        target.mul_f64(0.5 + u)
    }

    /// Take one sample at `now_ns` with the channel's current length.
    pub fn sample(&mut self, sh: &Shared, workers: &[Arc<Worker>], channel_len: u64, now_ns: u64) {
        let c = counts(workers);
        let dt = now_ns.saturating_sub(self.last_ns) as f64;
        self.last_ns = now_ns;
        {
            let mut s = lock(&sh.sampled);
            s.depth_area += channel_len as f64 * dt;
            s.queued_area += c.queued as f64 * dt;
            s.system_area += (c.queued + c.in_flight) as f64 * dt;
            s.covered_ns = now_ns;
            s.max_depth = s.max_depth.max(channel_len);
        }
        self.bucket_max = self.bucket_max.max(channel_len);
        self.bucket_area += channel_len as f64 * dt;
        self.sojourn_ns = mean_sojourn(workers);
        self.warm_up(sh, workers, now_ns);
    }

    /// When the bucket in progress ends, active ns: the coordinator closes
    /// it then (not at a sample), so every bucket is exactly one step wide.
    pub fn bucket_end(&self) -> u64 {
        self.bucket_start + self.step_ns
    }

    /// Closes the bucket in progress at `now_ns`: at its end, or (a partial
    /// one) at the end of a run, so its last moments show. A bucket's depth
    /// figures come from the samples taken in it.
    pub fn close_bucket(
        &mut self,
        sh: &Shared,
        workers: &[Arc<Worker>],
        channel_len: u64,
        now_ns: u64,
    ) {
        if now_ns <= self.bucket_start {
            return;
        }
        let c = counts(workers);
        let span = now_ns.saturating_sub(self.bucket_start).max(1) as f64;
        let done = c.consumed + c.failed;
        let point = HistoryPoint {
            at: Duration::from_nanos(now_ns),
            max_depth: self.bucket_max,
            mean_depth: self.bucket_area / span,
            produced: c.produced - self.last_produced.min(c.produced),
            done: done - self.last_done.min(done),
        };
        self.last_produced = c.produced;
        self.last_done = done;
        // Keep to the grid: a close a moment late does not shift the next.
        let end = self.bucket_end();
        self.bucket_start = if now_ns >= end && now_ns - end < self.step_ns {
            end
        } else {
            now_ns
        };
        self.bucket_max = channel_len;
        self.bucket_area = 0.0;
        let coarsen = {
            let mut s = lock(&sh.sampled);
            s.history.push_back(point);
            s.history.len() > HISTORY_LEN
        };
        self.lanes(workers, now_ns);
        if coarsen {
            self.coarsen(sh, workers);
        }
    }

    /// The history is full: pair its buckets up (while they are finer
    /// than [`HISTORY_STEP`]) or drop the oldest.
    fn coarsen(&mut self, sh: &Shared, workers: &[Arc<Worker>]) {
        let mut s = lock(&sh.sampled);
        let len = s.history.len();
        if self.step_ns < HISTORY_STEP.as_nanos() as u64 {
            let merged = pairs(s.history.iter().copied(), merge_points);
            s.history = merged.into();
            for w in workers {
                let mut lane = lock(&w.lane);
                // Lanes end at the newest bucket; pair them as the history.
                let offset = len.saturating_sub(lane.len());
                let mut padded: Vec<Option<Cell>> = vec![None; offset];
                padded.extend(lane.iter().copied().map(Some));
                let merged = pairs(padded, |a, b| match (a, b) {
                    (Some(a), Some(b)) => Some(merge_cells(a, b)),
                    (a, b) => a.or(b),
                });
                *lane = merged.into_iter().flatten().collect();
            }
            self.step_ns *= 2;
            s.step_ns = self.step_ns;
        } else {
            s.history.pop_front();
            for w in workers {
                let mut lane = lock(&w.lane);
                if lane.len() > HISTORY_LEN {
                    lane.pop_front();
                }
            }
        }
    }

    fn lanes(&mut self, workers: &[Arc<Worker>], now_ns: u64) {
        for w in workers {
            let (t, _) = w.stats.time_in(now_ns);
            let prev = self.prev_time_in.insert(w.id, t).unwrap_or_default();
            let state = w.stats.state();
            let cell = dominant(&prev, &t, state);
            lock(&w.lane).push_back(cell);
        }
    }

    /// Ends the current epoch's warm-up once it has lasted (see
    /// [`super::epoch::Mark::warmed_up`]).
    fn warm_up(&self, sh: &Shared, workers: &[Arc<Worker>], now_ns: u64) {
        let mut epochs = lock(&sh.epochs);
        let Some(mark) = epochs.current() else { return };
        if mark.steady.is_some() {
            return;
        }
        let now = totals(sh, workers, now_ns);
        if mark.warmed_up(&now, mark.config.work.dist.mean()) {
            mark.steady = Some(now);
        }
    }
}

/// Whole-run mean time in system of the timed items, ns (0: none yet).
fn mean_sojourn(workers: &[Arc<Worker>]) -> u64 {
    use super::stats::read;
    let (sum, n) = workers
        .iter()
        .filter(|w| w.role == super::state::Role::Consumer)
        .fold((0u64, 0u64), |(s, n), w| {
            (s + read(&w.stats.sojourn_ns), n + read(&w.stats.timed))
        });
    sum.checked_div(n).unwrap_or(0)
}

/// Merges neighbours two by two (an odd one out at the end stays alone).
fn pairs<T: Clone>(xs: impl IntoIterator<Item = T>, f: impl Fn(T, T) -> T) -> Vec<T> {
    let mut out = Vec::new();
    let mut it = xs.into_iter();
    while let Some(a) = it.next() {
        out.push(match it.next() {
            Some(b) => f(a, b),
            None => a,
        });
    }
    out
}

/// Two neighbouring history points as one.
fn merge_points(a: HistoryPoint, b: HistoryPoint) -> HistoryPoint {
    HistoryPoint {
        at: b.at,
        max_depth: a.max_depth.max(b.max_depth),
        mean_depth: (a.mean_depth + b.mean_depth) / 2.0,
        produced: a.produced + b.produced,
        done: a.done + b.done,
    }
}

/// Two neighbouring swimlane cells as one: the state that had the larger
/// share, which halves (the same state on both sides keeps its average).
pub fn merge_cells(a: Cell, b: Cell) -> Cell {
    if a.0 == b.0 {
        (a.0, ((a.1 as u16 + b.1 as u16) / 2) as u8)
    } else if b.1 >= a.1 {
        (b.0, b.1 / 2)
    } else {
        (a.0, a.1 / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_random_around_a_target_that_follows_the_run() {
        let mut s = Sampler::new(42);
        s.step_ns = HISTORY_STEP.as_nanos() as u64;
        let gaps: Vec<Duration> = (0..1000).map(|_| s.gap(8)).collect();
        let (lo, hi) = (FIRST_GAP / 2, FIRST_GAP * 3 / 2);
        assert!(gaps.iter().all(|g| *g >= lo && *g < hi), "{gaps:?}");
        assert!(gaps.windows(2).any(|w| w[0] != w[1]), "not fixed");
        let mean = gaps.iter().sum::<Duration>() / 1000;
        assert!(
            mean.abs_diff(FIRST_GAP) < Duration::from_micros(200),
            "{mean:?}"
        );
        // Items spend 60 ms in the system: a gap of about 30 ms.
        s.sojourn_ns = 60_000_000;
        let mean = (0..1000).map(|_| s.gap(8)).sum::<Duration>() / 1000;
        assert!(mean.abs_diff(Duration::from_millis(30)) < Duration::from_millis(1));
        // Never more than a bucket (fine buckets early in a run).
        s.step_ns = FIRST_STEP.as_nanos() as u64;
        assert!((0..100).all(|_| s.gap(8) < FIRST_STEP * 3 / 2));
    }

    #[test]
    fn cells_merge_to_the_state_with_the_larger_share() {
        use ThreadState::*;
        assert_eq!(merge_cells((Working, 200), (Working, 100)), (Working, 150));
        assert_eq!(
            merge_cells((Working, 250), (WaitingEmpty, 130)),
            (Working, 125)
        );
        assert_eq!(merge_cells((Working, 100), (Exited, 255)), (Exited, 127));
        assert_eq!(pairs(vec![1, 2, 3, 4, 5], |a, b| a + b), vec![3, 7, 5]);
    }
}
