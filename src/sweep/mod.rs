//! Sweeps: tuning thread counts with numbers. A sweep runs the same scenario
//! at every (producers, consumers) point of a grid, on real threads, one
//! [`Engine`](crate::sim::Engine) per trial and `repeat` trials per point,
//! and summarises each point by the medians of its trials. The *knee* is the
//! cheapest point (fewest threads) within [`KNEE_TOLERANCE`] of the best
//! throughput: adding threads past it buys almost nothing.
//!
//! The same [`run`] serves `queuescope sweep` (with a progress bar on
//! stderr) and the TUI's Tune view (in a background thread).
//!
//! ```no_run
//! use std::sync::atomic::AtomicBool;
//! use std::time::Duration;
//! use queuescope::sim::Config;
//! use queuescope::sweep::{self, SweepSpec};
//! let spec = SweepSpec::new(Config::default(), vec![2], vec![1, 2, 4, 8],
//!     Duration::from_secs(2), 1).unwrap();
//! let result = sweep::run(&spec, &AtomicBool::new(false), &mut |_| {}).unwrap();
//! println!("knee at {:?} consumers", result.knee().map(|k| k.consumers));
//! ```

pub mod command;
pub mod output;
pub mod progress;
pub mod range;
pub mod trial;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::sim::Config;
use trial::{Outcome, TrialResult};

/// Most points (producer counts × consumer counts) in one sweep.
pub const MAX_POINTS: usize = 256;
/// Longest trial.
pub const MAX_TRIAL: Duration = Duration::from_secs(600);
/// Shortest trial: below it start-up dominates the numbers.
pub const MIN_TRIAL: Duration = Duration::from_millis(10);
/// Most trials per point.
pub const MAX_REPEAT: u32 = 20;
/// The knee is the cheapest point with at least this fraction of the best
/// throughput missing: within 5 %.
pub const KNEE_TOLERANCE: f64 = 0.05;

/// Why a sweep cannot be set up. `Display` is one line naming the flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// The flag, with its dashes.
    pub flag: &'static str,
    /// `expected ...; got ...`.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.flag, self.message)
    }
}

impl std::error::Error for SpecError {}

/// A validated sweep: the base scenario and the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// The scenario every trial starts from (its counts are replaced per point).
    pub base: Config,
    /// Producer counts, ascending.
    pub producers: Vec<usize>,
    /// Consumer counts, ascending.
    pub consumers: Vec<usize>,
    /// Trial time (endless scenarios) or the base of the limit (finite ones).
    pub trial: Duration,
    /// Trials per point.
    pub repeat: u32,
}

impl SweepSpec {
    /// Checks the grid against the limits.
    pub fn new(
        base: Config,
        producers: Vec<usize>,
        consumers: Vec<usize>,
        trial: Duration,
        repeat: u32,
    ) -> Result<SweepSpec, SpecError> {
        let points = producers.len() * consumers.len();
        if points == 0 {
            return Err(SpecError {
                flag: "--consumers",
                message: "expected at least one count".into(),
            });
        }
        if points > MAX_POINTS {
            return Err(SpecError {
                flag: if producers.len() > 1 {
                    "--producers/--consumers"
                } else {
                    "--consumers"
                },
                message: format!(
                    "expected at most {MAX_POINTS} points in all; got {points} ({} producer × {} consumer counts)",
                    producers.len(),
                    consumers.len()
                ),
            });
        }
        if !(MIN_TRIAL..=MAX_TRIAL).contains(&trial) {
            return Err(SpecError {
                flag: "--trial",
                message: format!(
                    "expected a time from 10ms to 10m; got {}",
                    crate::sim::work::fmt_duration(trial)
                ),
            });
        }
        if !(1..=MAX_REPEAT).contains(&repeat) {
            return Err(SpecError {
                flag: "--repeat",
                message: format!("expected a whole number from 1 to {MAX_REPEAT}; got {repeat}"),
            });
        }
        Ok(SweepSpec {
            base,
            producers,
            consumers,
            trial,
            repeat,
        })
    }

    /// The grid in run order: producers outer, consumers inner.
    pub fn points(&self) -> Vec<(usize, usize)> {
        self.producers
            .iter()
            .flat_map(|&p| self.consumers.iter().map(move |&c| (p, c)))
            .collect()
    }

    /// Trials in all.
    pub fn trials(&self) -> usize {
        self.points().len() * self.repeat as usize
    }

    /// True when the scenario ends by itself (points have a makespan).
    pub fn batch(&self) -> bool {
        trial::is_batch(&self.base)
    }

    /// The config of one point.
    pub fn config_for(&self, producers: usize, consumers: usize) -> Config {
        let mut c = self.base.clone();
        c.producers = producers;
        c.consumers = consumers;
        c
    }
}

/// One point's summary: the median of each measurement over its trials.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Producer threads.
    pub producers: usize,
    /// Consumer threads.
    pub consumers: usize,
    /// Median items finished per second.
    pub throughput: f64,
    /// Median time-weighted mean queue depth.
    pub mean_depth: f64,
    /// Median of the trials' p50 queue wait.
    pub wait_p50: Duration,
    /// Median of the trials' p99 queue wait.
    pub wait_p99: Duration,
    /// Median consumer utilisation (0..=1).
    pub utilization: f64,
    /// Median makespan of the trials that completed (finite scenarios).
    pub makespan: Option<Duration>,
    /// Trials run.
    pub trials: usize,
    /// Items that failed, over all its trials.
    pub failed: u64,
    /// The worst outcome among its trials (ok < cut < hang < cancelled).
    pub outcome: Outcome,
}

impl Point {
    /// Threads this point uses (what the knee minimises).
    pub fn threads(&self) -> usize {
        self.producers + self.consumers
    }
}

fn median_f(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn median_d(v: Vec<Duration>) -> Duration {
    Duration::from_secs_f64(median_f(v.iter().map(Duration::as_secs_f64).collect()).max(0.0))
}

fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Ok => 0,
        Outcome::Cut => 1,
        Outcome::Hang => 2,
        Outcome::Cancelled => 3,
    }
}

/// Summarises one point's trials by their medians.
pub fn summarise(producers: usize, consumers: usize, trials: &[TrialResult]) -> Point {
    let f = |g: fn(&TrialResult) -> f64| median_f(trials.iter().map(g).collect());
    let makespans: Vec<Duration> = trials.iter().filter_map(|t| t.makespan).collect();
    Point {
        producers,
        consumers,
        throughput: f(|t| t.throughput),
        mean_depth: f(|t| t.mean_depth),
        wait_p50: median_d(trials.iter().map(|t| t.wait_p50).collect()),
        wait_p99: median_d(trials.iter().map(|t| t.wait_p99).collect()),
        utilization: f(|t| t.utilization),
        makespan: (!makespans.is_empty()).then(|| median_d(makespans)),
        trials: trials.len(),
        failed: trials.iter().map(|t| t.failed).sum(),
        outcome: trials
            .iter()
            .map(|t| t.outcome)
            .max_by_key(|&o| rank(o))
            .unwrap_or(Outcome::Ok),
    }
}

/// The knee of `points`: the fewest threads (then fewest consumers) whose
/// throughput is within [`KNEE_TOLERANCE`] of the best. Points whose trials
/// hung or were cancelled do not count. `None` when nothing was measured.
///
/// ```
/// use queuescope::sweep::{knee_index, Point, trial::Outcome};
/// use std::time::Duration;
/// let p = |c, tput| Point { producers: 1, consumers: c, throughput: tput, mean_depth: 0.0,
///     wait_p50: Duration::ZERO, wait_p99: Duration::ZERO, utilization: 0.0, makespan: None,
///     trials: 1, failed: 0, outcome: Outcome::Ok };
/// // 96 is within 5 % of 100, so 3 consumers is the knee.
/// let points = [p(1, 40.0), p(2, 80.0), p(3, 96.0), p(4, 100.0)];
/// assert_eq!(knee_index(&points), Some(2));
/// ```
pub fn knee_index(points: &[Point]) -> Option<usize> {
    let counts = |p: &Point| matches!(p.outcome, Outcome::Ok | Outcome::Cut);
    let best = points
        .iter()
        .filter(|p| counts(p) && p.throughput.is_finite())
        .map(|p| p.throughput)
        .fold(f64::NAN, f64::max);
    // NaN (nothing measured) and zero (nothing finished) have no knee.
    if best.is_nan() || best <= 0.0 {
        return None;
    }
    let floor = best * (1.0 - KNEE_TOLERANCE);
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| counts(p) && p.throughput >= floor)
        .min_by_key(|(_, p)| (p.threads(), p.consumers))
        .map(|(i, _)| i)
}

/// Index of the best throughput (ties: fewer threads).
pub fn best_index(points: &[Point]) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.outcome, Outcome::Ok | Outcome::Cut))
        .max_by(|(_, a), (_, b)| {
            a.throughput
                .total_cmp(&b.throughput)
                .then(b.threads().cmp(&a.threads()))
        })
        .map(|(i, _)| i)
}

/// A finished (or cancelled) sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepResult {
    /// Scenario name.
    pub scenario: String,
    /// The queue every trial used (`channel`, or a textbook buffer).
    pub queue: crate::sim::QueueKind,
    /// The grid asked for.
    pub producers: Vec<usize>,
    /// The grid asked for.
    pub consumers: Vec<usize>,
    /// Trial time.
    pub trial: Duration,
    /// Trials per point.
    pub repeat: u32,
    /// Finite scenario: points have a makespan.
    pub batch: bool,
    /// Points measured so far, in run order.
    pub points: Vec<Point>,
    /// True when the sweep was cancelled before every point was measured.
    pub cancelled: bool,
}

impl SweepResult {
    /// An empty result for `spec` (points are added as they finish).
    pub fn empty(spec: &SweepSpec) -> SweepResult {
        SweepResult {
            scenario: spec.base.name.clone(),
            queue: spec.base.queue,
            producers: spec.producers.clone(),
            consumers: spec.consumers.clone(),
            trial: spec.trial,
            repeat: spec.repeat,
            batch: spec.batch(),
            points: Vec::new(),
            cancelled: false,
        }
    }

    /// The knee point, if any.
    pub fn knee(&self) -> Option<&Point> {
        knee_index(&self.points).map(|i| &self.points[i])
    }

    /// The best point, if any.
    pub fn best(&self) -> Option<&Point> {
        best_index(&self.points).map(|i| &self.points[i])
    }
}

/// Where a running sweep is, for progress bars.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Trials finished.
    pub done: usize,
    /// Trials in all.
    pub total: usize,
    /// Fraction of the current trial done (0..=1).
    pub within: f64,
    /// The point being measured (producers, consumers).
    pub point: (usize, usize),
    /// Set when a point has just been summarised.
    pub finished: Option<Point>,
}

impl Progress {
    /// Fraction of the whole sweep done (0..=1).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            ((self.done as f64 + self.within.clamp(0.0, 1.0)) / self.total as f64).min(1.0)
        }
    }
}

/// Runs every point of `spec`, calling `progress` as trials advance and as
/// each point is summarised. Stops early (result marked cancelled) when
/// `cancel` is set. An error means threads could not be started.
pub fn run(
    spec: &SweepSpec,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
) -> std::io::Result<SweepResult> {
    let mut result = SweepResult::empty(spec);
    let total = spec.trials();
    let mut done = 0;
    for (p, c) in spec.points() {
        let mut trials = Vec::new();
        for _ in 0..spec.repeat {
            if cancel.load(Ordering::Relaxed) {
                result.cancelled = true;
                return Ok(result);
            }
            let mut tick = |within: f64| {
                progress(&Progress {
                    done,
                    total,
                    within,
                    point: (p, c),
                    finished: None,
                })
            };
            let t = trial::run(spec.config_for(p, c), spec.trial, cancel, &mut tick)?;
            if t.outcome == Outcome::Cancelled {
                result.cancelled = true;
                return Ok(result);
            }
            trials.push(t);
            done += 1;
        }
        let point = summarise(p, c, &trials);
        progress(&Progress {
            done,
            total,
            within: 0.0,
            point: (p, c),
            finished: Some(point.clone()),
        });
        result.points.push(point);
    }
    Ok(result)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A point with only the throughput (and counts) set.
    pub(crate) fn pt(producers: usize, consumers: usize, throughput: f64) -> Point {
        Point {
            producers,
            consumers,
            throughput,
            mean_depth: 1.0,
            wait_p50: Duration::from_millis(consumers as u64),
            wait_p99: Duration::from_millis(10 * consumers as u64),
            utilization: 0.5,
            makespan: None,
            trials: 1,
            failed: 0,
            outcome: Outcome::Ok,
        }
    }

    #[test]
    fn knee_is_the_fewest_threads_within_five_percent_of_the_best() {
        let points = [
            pt(1, 1, 10.0),
            pt(1, 2, 19.0),
            pt(1, 3, 26.0),
            pt(1, 4, 27.0),
            pt(1, 5, 27.2),
            pt(1, 6, 26.9),
        ];
        // Best 27.2; 95 % of it is 25.84; 3 consumers (26.0) clears it.
        assert_eq!(knee_index(&points), Some(2));
        assert_eq!(best_index(&points), Some(4));
        // Exactly at the 5 % line counts as within.
        let edge = [pt(1, 1, 95.0), pt(1, 2, 100.0)];
        assert_eq!(knee_index(&edge), Some(0));
        let below = [pt(1, 1, 94.9), pt(1, 2, 100.0)];
        assert_eq!(knee_index(&below), Some(1));
    }

    #[test]
    fn knee_counts_producers_too_and_skips_hangs() {
        // 2 producers + 2 consumers (4 threads) beats 1 + 4 (5 threads).
        let mut points = vec![pt(1, 4, 100.0), pt(2, 2, 99.0), pt(2, 4, 100.0)];
        assert_eq!(knee_index(&points), Some(1));
        // A hung point is not a candidate, and does not set the best.
        points[1].outcome = Outcome::Hang;
        points.push(pt(1, 1, 500.0));
        points[3].outcome = Outcome::Hang;
        assert_eq!(knee_index(&points), Some(0));
        assert_eq!(knee_index(&[]), None);
        assert_eq!(knee_index(&[pt(1, 1, 0.0)]), None);
        assert_eq!(knee_index(&[pt(1, 1, f64::NAN)]), None);
    }

    #[test]
    fn medians_over_repeats() {
        let t = |tput: f64, ms: u64, out: Outcome| TrialResult {
            throughput: tput,
            mean_depth: tput / 10.0,
            wait_p50: Duration::from_millis(ms),
            wait_p99: Duration::from_millis(ms * 10),
            utilization: 0.5,
            makespan: (out == Outcome::Ok).then(|| Duration::from_millis(ms * 100)),
            failed: 1,
            outcome: out,
        };
        let p = summarise(
            2,
            3,
            &[
                t(10.0, 1, Outcome::Ok),
                t(30.0, 3, Outcome::Cut),
                t(20.0, 2, Outcome::Ok),
            ],
        );
        assert_eq!(p.throughput, 20.0);
        assert_eq!(p.wait_p50, Duration::from_millis(2));
        assert_eq!(p.wait_p99, Duration::from_millis(20));
        // Makespan over the trials that completed: 100 ms and 200 ms.
        assert_eq!(p.makespan, Some(Duration::from_millis(150)));
        assert_eq!((p.outcome, p.failed, p.trials), (Outcome::Cut, 3, 3));
    }

    #[test]
    fn spec_limits() {
        let c = Config::default();
        let s = Duration::from_secs;
        assert!(SweepSpec::new(c.clone(), vec![1], vec![1, 2], s(1), 1).is_ok());
        let e = SweepSpec::new(c.clone(), (1..=16).collect(), (1..=17).collect(), s(1), 1);
        assert_eq!(
            e.map(|_| ()).unwrap_err().to_string(),
            "--producers/--consumers: expected at most 256 points in all; got 272 (16 producer × 17 consumer counts)"
        );
        let e = SweepSpec::new(c.clone(), vec![1], vec![1], s(601), 1);
        assert_eq!(
            e.map(|_| ()).unwrap_err().to_string(),
            "--trial: expected a time from 10ms to 10m; got 601s"
        );
        let e = SweepSpec::new(c.clone(), vec![1], vec![1], s(1), 21);
        assert_eq!(e.map(|_| ()).unwrap_err().flag, "--repeat");
        let e = SweepSpec::new(c, vec![1], vec![1], s(1), 0);
        assert_eq!(e.map(|_| ()).unwrap_err().flag, "--repeat");
    }

    #[test]
    fn progress_fraction() {
        let p = Progress {
            done: 1,
            total: 4,
            within: 0.5,
            point: (1, 2),
            finished: None,
        };
        assert_eq!(p.fraction(), 0.375);
    }
}
