//! The Tune view's model: a sweep of the live scenario run in a background
//! thread ([`TuneJob`]), its progress and results as plain data for the
//! renderer ([`TuneView`]), the two together while the view is open
//! ([`TuneSession`]), and the commands that bring the live run to the knee.
//!
//! `T` sweeps the consumers from 1 to twice the live count (at most
//! [`TUNE_POINTS`] counts) with the live producer count, one short trial
//! each. The live run keeps going meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, TryRecvError};

use crate::sim::{Command, Config, Removal, Role, Snapshot};
use crate::sweep::{self, Point, Progress, SweepResult, SweepSpec};

/// Trial length of the Tune view's sweep.
pub const TUNE_TRIAL: Duration = Duration::from_secs(2);
/// Most consumer counts the Tune view tries.
pub const TUNE_POINTS: usize = 12;

/// Where the background sweep is.
#[derive(Clone, Debug, PartialEq)]
pub enum TuneState {
    /// Trials are running.
    Running,
    /// Every point is measured.
    Done,
    /// The sweep could not run (threads could not start).
    Failed(String),
}

/// Everything the Tune view draws.
#[derive(Clone, Debug, PartialEq)]
pub struct TuneView {
    /// Results so far (points are added as they finish).
    pub result: SweepResult,
    /// Fraction of the sweep done (0..=1).
    pub progress: f64,
    /// The point being measured.
    pub point: (usize, usize),
    /// Running, done or failed.
    pub state: TuneState,
}

impl TuneView {
    /// A view of a sweep that is about to start.
    pub fn new(spec: &SweepSpec) -> TuneView {
        TuneView {
            result: SweepResult::empty(spec),
            progress: 0.0,
            point: spec.points().first().copied().unwrap_or((1, 1)),
            state: TuneState::Running,
        }
    }

    /// The knee, once the sweep is done.
    pub fn knee(&self) -> Option<&Point> {
        match self.state {
            TuneState::Done => self.result.knee(),
            _ => None,
        }
    }

    /// Takes in one message from the sweep.
    pub fn update(&mut self, msg: TuneMsg) {
        match msg {
            TuneMsg::Progress(p) => {
                self.progress = p.fraction();
                self.point = p.point;
                if let Some(point) = p.finished {
                    self.result.points.push(point);
                }
            }
            TuneMsg::Done(Ok(r)) => {
                self.result = r;
                self.progress = 1.0;
                self.state = TuneState::Done;
            }
            TuneMsg::Done(Err(e)) => self.state = TuneState::Failed(e),
        }
    }
}

/// What the sweep thread reports.
#[derive(Clone, Debug, PartialEq)]
pub enum TuneMsg {
    /// A trial advanced or a point finished.
    Progress(Progress),
    /// The sweep ended.
    Done(Result<SweepResult, String>),
}

/// The sweep for the live run: its current config, its live producer count,
/// consumers from 1 to twice the live count.
pub fn spec_for(mut config: Config, snap: &Snapshot) -> Result<SweepSpec, sweep::SpecError> {
    config.start_paused = false;
    let producers = live(snap, Role::Producer).max(1);
    let consumers = live(snap, Role::Consumer).max(1);
    let counts = sweep::range::spread(
        consumers
            .saturating_mul(2)
            .min(crate::sim::config::limits::MAX_THREADS),
        TUNE_POINTS,
    );
    SweepSpec::new(config, vec![producers], counts, TUNE_TRIAL, 1)
}

/// Threads of `role` still in their loop and not on their way out.
pub fn live(snap: &Snapshot, role: Role) -> usize {
    snap.role(role)
        .filter(|t| !t.state.is_final() && !t.retiring)
        .count()
}

/// Pushes `add` or `remove` as many times as it takes to go from `now` to `want`.
fn adjust(out: &mut Vec<Command>, now: usize, want: usize, add: Command, remove: Command) {
    if want > now {
        out.extend(std::iter::repeat_n(add, want - now));
    } else {
        out.extend(std::iter::repeat_n(remove, now - want));
    }
}

/// The commands that take the live run from `snap` to `target`'s counts.
pub fn apply(target: &Point, snap: &Snapshot) -> Vec<Command> {
    let mut out = Vec::new();
    let (c, p) = (live(snap, Role::Consumer), live(snap, Role::Producer));
    // Consumers retire as `-` does: each leaves after its current item.
    adjust(
        &mut out,
        c,
        target.consumers,
        Command::AddConsumer,
        Command::RemoveConsumer(Removal::Retire),
    );
    adjust(
        &mut out,
        p,
        target.producers,
        Command::AddProducer,
        Command::RemoveProducer,
    );
    out
}

/// A sweep running in the background for the Tune view.
#[derive(Debug)]
pub struct TuneJob {
    rx: Receiver<TuneMsg>,
    cancel: Arc<AtomicBool>,
}

impl TuneJob {
    /// Starts sweeping `spec` on a thread of its own.
    pub fn start(spec: SweepSpec) -> std::io::Result<TuneJob> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&cancel);
        std::thread::Builder::new()
            .name("tune-sweep".into())
            .spawn(move || {
                let mut last = std::time::Instant::now();
                let result = sweep::run(&spec, &stop, &mut |p| {
                    // The view redraws at most ~10 times a second anyway.
                    if p.finished.is_some() || last.elapsed() >= Duration::from_millis(100) {
                        last = std::time::Instant::now();
                        let _ = tx.send(TuneMsg::Progress(p.clone()));
                    }
                });
                let _ =
                    tx.send(TuneMsg::Done(result.map_err(|e| {
                        format!("could not start the sweep's threads: {e}")
                    })));
            })?;
        Ok(TuneJob { rx, cancel })
    }

    /// Messages that arrived since the last call (never blocks).
    pub fn poll(&self) -> Vec<TuneMsg> {
        let mut out = Vec::new();
        loop {
            match self.rx.try_recv() {
                Ok(m) => out.push(m),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }

    /// Asks the sweep to stop (its current trial is aborted).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Drop for TuneJob {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The open Tune view: what it shows and the sweep feeding it. The view's
/// whole life is this value's: dropping it (closing the view, applying the
/// knee, restarting the run) cancels the sweep.
#[derive(Debug)]
pub struct TuneSession {
    /// What the view draws.
    pub view: TuneView,
    /// The background sweep; `None` once it could not start.
    job: Option<TuneJob>,
}

impl TuneSession {
    /// Starts sweeping `spec`; a sweep that cannot start shows as failed.
    pub fn start(spec: SweepSpec) -> TuneSession {
        let mut view = TuneView::new(&spec);
        let job = match TuneJob::start(spec) {
            Ok(job) => Some(job),
            Err(e) => {
                view.state = TuneState::Failed(e.to_string());
                None
            }
        };
        TuneSession { view, job }
    }

    /// Takes in what the sweep reported since the last call (never
    /// blocks); true if the view changed.
    pub fn poll(&mut self) -> bool {
        let Some(job) = &self.job else {
            return false;
        };
        let msgs = job.poll();
        let changed = !msgs.is_empty();
        for msg in msgs {
            self.view.update(msg);
        }
        changed
    }

    /// The knee, once the sweep is done.
    pub fn knee(&self) -> Option<&Point> {
        self.view.knee()
    }
}

/// A session showing `view` with no sweep behind it (screens in tests).
impl From<TuneView> for TuneSession {
    fn from(view: TuneView) -> TuneSession {
        TuneSession { view, job: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn spec_doubles_the_live_consumers() {
        let snap = testing::running(4);
        let spec = spec_for(Config::default(), &snap).expect("spec");
        assert_eq!(spec.consumers, (1..=8).collect::<Vec<_>>());
        assert_eq!(spec.producers, vec![2]);
        assert_eq!((spec.trial, spec.repeat), (TUNE_TRIAL, 1));
        let many = testing::many(100);
        let spec = spec_for(Config::default(), &many).expect("spec");
        assert_eq!(spec.consumers.len(), TUNE_POINTS);
        assert_eq!(
            spec.consumers.last(),
            Some(&(2 * live(&many, Role::Consumer)))
        );
    }

    #[test]
    fn apply_adds_or_retires_to_match_the_knee() {
        let snap = testing::running(4);
        let mut target = crate::sweep::tests::pt(2, 6, 1.0);
        assert_eq!(apply(&target, &snap), vec![Command::AddConsumer; 2]);
        target.consumers = 1;
        assert_eq!(
            apply(&target, &snap),
            vec![Command::RemoveConsumer(Removal::Retire); 3]
        );
        target.consumers = 4;
        target.producers = 1;
        assert_eq!(apply(&target, &snap), vec![Command::RemoveProducer]);
    }

    #[test]
    fn view_collects_progress_then_the_result() {
        let spec = spec_for(Config::default(), &testing::running(2)).expect("spec");
        let mut v = TuneView::new(&spec);
        assert_eq!(v.knee(), None);
        let p = crate::sweep::tests::pt(2, 1, 5.0);
        v.update(TuneMsg::Progress(Progress {
            done: 1,
            total: 4,
            within: 0.0,
            point: (2, 2),
            finished: Some(p.clone()),
        }));
        assert_eq!(
            (v.progress, v.point, v.result.points.len()),
            (0.25, (2, 2), 1)
        );
        let mut r = v.result.clone();
        r.points.push(crate::sweep::tests::pt(2, 2, 10.0));
        v.update(TuneMsg::Done(Ok(r)));
        assert_eq!(v.state, TuneState::Done);
        assert_eq!(v.knee().map(|k| k.consumers), Some(2));
    }

    #[test]
    fn a_session_without_a_sweep_shows_its_view() {
        let spec = spec_for(Config::default(), &testing::running(2)).expect("spec");
        let mut s = TuneSession::from(TuneView::new(&spec));
        assert!(!s.poll(), "nothing to take in");
        assert_eq!(s.view.state, TuneState::Running);
        assert_eq!(s.knee(), None);
    }
}
