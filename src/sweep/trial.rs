//! One trial of a sweep: one [`Engine`] on real threads, measured, then shut
//! down. An endless scenario runs for the trial time, is measured at that
//! moment, then shut down gracefully (producers stop, pills go out) so its
//! threads are gone before the next trial starts. A finite one runs to
//! completion (its makespan is the point), for at most [`batch_limit`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::analysis::watchdog::Watchdog;
use crate::sim::{Command, Config, Engine, Phase, Role, Snapshot, Workload};

/// How often a trial looks at its engine (watchdog, limit, progress).
const POLL: Duration = Duration::from_millis(50);
/// Longest a graceful shutdown may take before the trial aborts the run.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// How a trial ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Measured as planned.
    Ok,
    /// A finite run was still going at its limit: measured then, makespan unknown.
    Cut,
    /// The watchdog saw a hang (e.g. too few pills): stopped, measured then.
    Hang,
    /// The sweep was cancelled during this trial.
    Cancelled,
}

impl Outcome {
    /// Lower-case word for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Cut => "cut",
            Outcome::Hang => "hang",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// What one trial measured.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialResult {
    /// Items finished per second.
    pub throughput: f64,
    /// Time-weighted mean queue depth.
    pub mean_depth: f64,
    /// Median queue wait.
    pub wait_p50: Duration,
    /// 99th-percentile queue wait.
    pub wait_p99: Duration,
    /// Mean busy fraction of the consumers (0..=1).
    pub utilization: f64,
    /// Start to last join, for a finite run that completed.
    pub makespan: Option<Duration>,
    /// Items that failed (a consumer panicked).
    pub failed: u64,
    /// How it ended.
    pub outcome: Outcome,
}

/// Longest a finite trial may run: ten trial times, plus the run's own
/// duration for a `duration` workload (which cannot finish sooner).
pub fn batch_limit(config: &Config, trial: Duration) -> Duration {
    let own = match config.workload {
        Workload::Duration(d) => d,
        _ => Duration::ZERO,
    };
    trial.saturating_mul(10).saturating_add(own)
}

/// True when the scenario ends by itself (it has a makespan).
pub fn is_batch(config: &Config) -> bool {
    config.workload != Workload::Endless
}

/// Mean busy fraction over the consumers that did anything.
pub fn utilization(s: &Snapshot) -> f64 {
    let busy: Vec<f64> = s
        .role(Role::Consumer)
        .filter(|t| !t.lifetime().is_zero())
        .map(|t| t.busy_fraction())
        .collect();
    if busy.is_empty() {
        0.0
    } else {
        busy.iter().sum::<f64>() / busy.len() as f64
    }
}

/// The measurements of a snapshot.
pub fn measure(s: &Snapshot, makespan: Option<Duration>, outcome: Outcome) -> TrialResult {
    TrialResult {
        throughput: s.throughput(),
        mean_depth: s.mean_depth,
        wait_p50: s.latency.queue_wait.p50,
        wait_p99: s.latency.queue_wait.p99,
        utilization: utilization(s),
        makespan,
        failed: s.counts.failed,
        outcome,
    }
}

/// Runs one trial of `config`. `tick` gets the fraction of the trial done
/// (0..=1) about every 50 ms; `cancel` stops it early.
pub fn run(
    config: Config,
    trial: Duration,
    cancel: &AtomicBool,
    tick: &mut dyn FnMut(f64),
) -> std::io::Result<TrialResult> {
    let batch = is_batch(&config);
    let limit = if batch {
        batch_limit(&config, trial)
    } else {
        trial
    };
    let mut config = config;
    // A sweep measures; it never starts paused.
    config.start_paused = false;
    let engine = Engine::start(config)?;
    let t0 = Instant::now();
    let mut watch = Watchdog::default();
    let mut outcome = Outcome::Ok;
    while !engine.wait(POLL) {
        let elapsed = t0.elapsed();
        // A finite run's progress is unknown ahead: show the part of the
        // trial time spent, held just short of full until it ends.
        tick((elapsed.as_secs_f64() / trial.as_secs_f64()).min(if batch { 0.99 } else { 1.0 }));
        if cancel.load(Ordering::Relaxed) {
            outcome = Outcome::Cancelled;
            break;
        }
        if watch.observe(&engine.snapshot()).is_some() {
            outcome = Outcome::Hang;
            break;
        }
        if elapsed >= limit {
            if batch {
                outcome = Outcome::Cut;
            }
            break;
        }
    }
    let snap = engine.snapshot();
    let over = snap.phase.is_over();
    let makespan = (batch && over && snap.phase == Phase::Done).then_some(snap.elapsed);
    let result = measure(&snap, makespan, outcome);
    if !over {
        // Graceful for a clean finish, abort when that is hopeless or asked.
        if outcome == Outcome::Ok || outcome == Outcome::Cut {
            engine.send(Command::Shutdown);
            if !engine.wait(DRAIN_LIMIT) {
                engine.send(Command::Abort);
            }
        } else {
            engine.send(Command::Abort);
        }
        engine.wait(Duration::from_secs(5));
    }
    tick(1.0);
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn limits_and_kinds() {
        let mut c = Config::default();
        assert!(!is_batch(&c));
        c.workload = Workload::Items(10);
        assert!(is_batch(&c));
        let s = Duration::from_secs;
        assert_eq!(batch_limit(&c, s(2)), s(20));
        c.workload = Workload::Duration(s(30));
        assert_eq!(batch_limit(&c, s(2)), s(50));
    }

    #[test]
    fn measures_a_snapshot() {
        let snap = testing::running(4);
        let r = measure(&snap, None, Outcome::Ok);
        assert_eq!(r.throughput, snap.throughput());
        assert!(r.utilization > 0.5 && r.utilization <= 1.0, "{r:?}");
        assert_eq!(r.wait_p99, snap.latency.queue_wait.p99);
    }
}
