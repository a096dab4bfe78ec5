//! `main`, the coordinator, as in the seed programs: it waits for every
//! producer to finish, then puts one poison pill per consumer and waits for
//! them to exit. It also applies live commands (so the registry has one
//! writer) and runs the sampler between them.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::assemble::counts;
use super::command::{Command, Removal};
use super::config::PillTrigger;
use super::config::limits::MAX_THREADS;
use super::event::EventKind;
use super::queue::{Msg, try_send};
use super::recent::PILL_ID;
use super::sampler::{Sampler, period};
use super::shared::{Shared, Worker};
use super::spawn::Spawner;
use super::state::{ExitReason, Phase, Role, ThreadState};
use super::stats::bump;
use super::sync::{lock, lock_write};
use super::work::{WorkSpec, lower_timer_slack};

struct Coordinator {
    sp: Spawner,
    sh: Arc<Shared>,
    me: Arc<Worker>,
    sampler: Sampler,
    /// Pills still to put (shutdown pills and removal pills).
    pills_due: u64,
    shutting_down: bool,
    paused_at: Option<Instant>,
}

/// Runs the coordinator until the run is done or aborted.
/// `done` is dropped when the run is over, which wakes [`super::Engine::wait`].
pub fn run(sp: Spawner, me: Arc<Worker>, ctl: Receiver<Command>, done: Sender<()>) {
    lower_timer_slack();
    let sh = sp.sh.clone();
    let mut c = Coordinator {
        sp,
        sh: sh.clone(),
        me,
        sampler: Sampler::default(),
        pills_due: 0,
        shutting_down: false,
        paused_at: None,
    };
    c.me.stats.set_state(ThreadState::Joining, sh.now_ns());
    sh.emit(Some(&c.me.name), EventKind::Started);
    if sh.config.start_paused {
        // Shared started paused (before any thread ran); record it here.
        c.paused_at = Some(Instant::now());
        c.me.stats.set_state(ThreadState::Paused, sh.now_ns());
        sh.emit(
            None,
            EventKind::Run("started paused: stepping one queue operation at a time".into()),
        );
    }
    let reason = c.main_loop(&ctl);
    let now = sh.now_ns();
    c.me.stats.set_exit(reason, now);
    let workers = sh.workers();
    c.sampler.sample(&sh, &workers, c.sp.tx.len() as u64, now);
    lock(&sh.run).done_at = Some(now);
    let phase = if reason == ExitReason::Aborted {
        Phase::Aborted
    } else {
        Phase::Done
    };
    let took = Duration::from_nanos(now);
    sh.emit(
        None,
        EventKind::Run(if phase == Phase::Done {
            format!("Done! Time taken: {:.4} s", took.as_secs_f64())
        } else {
            format!("Aborted after {:.4} s", took.as_secs_f64())
        }),
    );
    sh.set_phase(phase);
    drop(done);
}

impl Coordinator {
    fn live(&self, workers: &[Arc<Worker>], role: Role) -> usize {
        workers
            .iter()
            .filter(|w| w.role == role && !w.stats.state().is_final())
            .count()
    }

    fn main_loop(&mut self, ctl: &Receiver<Command>) -> ExitReason {
        let mut next_sample = Instant::now();
        loop {
            let workers = self.sh.workers();
            let now = Instant::now();
            if now >= next_sample {
                let ns = self.sh.ns_at(now);
                self.sampler
                    .sample(&self.sh, &workers, self.sp.tx.len() as u64, ns);
                next_sample = now + period(workers.len());
            }
            if self.sh.aborted.load(Ordering::Relaxed) {
                if self.live(&workers, Role::Producer) + self.live(&workers, Role::Consumer) == 0 {
                    return ExitReason::Aborted;
                }
            } else if self.paused_at.is_none() {
                if let Some(r) = self.advance(&workers) {
                    return r;
                }
            } else if self.pills_due > 0 && !self.sp.tx.is_full() && self.sh.take_step() {
                // Stepping through a shutdown: a pill is one queue operation too.
                self.put_pill();
            }
            // Commands, or a thread leaving (it wakes `main`), or the next sample.
            crossbeam_channel::select! {
                recv(ctl) -> cmd => match cmd {
                    Ok(cmd) => self.apply(cmd),
                    // The engine handle is gone: nobody can see or steer the run.
                    Err(_) => self.abort(),
                },
                recv(self.me.wake_rx) -> _ => {},
                default(next_sample.saturating_duration_since(Instant::now())) => {},
            }
        }
    }

    /// Moves the shutdown along; `Some` when the run is over.
    fn advance(&mut self, workers: &[Arc<Worker>]) -> Option<ExitReason> {
        let producers = self.live(workers, Role::Producer);
        let consumers = self.live(workers, Role::Consumer);
        if !self.shutting_down && self.pill_time(workers, producers) {
            self.begin_shutdown(workers, consumers);
        }
        if self.pills_due > 0 {
            if consumers == 0 {
                self.sh.emit(
                    Some(&self.me.name),
                    EventKind::Run(format!(
                        "no consumer left to take {} more pill{}",
                        self.pills_due,
                        plural(self.pills_due as usize)
                    )),
                );
                self.pills_due = 0;
            } else {
                while self.pills_due > 0 && self.put_pill() {}
            }
        }
        if self.shutting_down && self.pills_due == 0 && consumers == 0 && producers == 0 {
            self.me
                .stats
                .set_state(ThreadState::Joining, self.sh.now_ns());
            return Some(ExitReason::Done);
        }
        // While pills are still due, put_pill has set the state.
        if self.pills_due == 0 {
            self.me
                .stats
                .set_state(ThreadState::Joining, self.sh.now_ns());
        }
        None
    }

    /// Whether the pills should go out now (`producers` of them still live).
    fn pill_time(&self, workers: &[Arc<Worker>], producers: usize) -> bool {
        match self.sh.config.pills_when {
            PillTrigger::AllProducers => producers == 0,
            // The early-pill bug: as soon as any producer is done.
            PillTrigger::FirstProducer => {
                producers == 0
                    || workers.iter().any(|w| {
                        w.role == Role::Producer && w.stats.exit() == Some(ExitReason::Finished)
                    })
            }
        }
    }

    /// The seed's `for t in producers: t.join()` has returned: plan the
    /// pills and enter the shutting-down phase.
    fn begin_shutdown(&mut self, workers: &[Arc<Worker>], consumers: usize) {
        self.shutting_down = true;
        // One pill per consumer that will still be there to take one:
        // not those retiring, nor those a removal pill (queued or due) is for.
        let staying = staying(workers, Role::Consumer).len() as u64;
        let c = counts(workers);
        let removal_pills = self.pills_due + c.pills_sent - c.pills_received;
        let planned = self
            .sh
            .config
            .pills
            .map_or(staying.saturating_sub(removal_pills), |p| p as u64);
        let mut run = lock(&self.sh.run);
        run.shutdown_at.get_or_insert(self.sh.now_ns());
        let sent = self.me.stats.items.load(Ordering::Relaxed);
        run.pills_planned = Some(sent + self.pills_due + planned);
        drop(run);
        self.pills_due += planned;
        self.sh.set_phase(Phase::ShuttingDown);
        self.sh.emit(
            Some(&self.me.name),
            EventKind::Run(format!(
                "all producers finished: main puts {planned} pill{} for {consumers} consumer{}",
                plural(planned as usize),
                plural(consumers)
            )),
        );
    }

    /// Try to put one pill; on a full queue show `blocked-full` and retry at
    /// the next tick (the coordinator must keep serving commands meanwhile).
    fn put_pill(&mut self) -> bool {
        match try_send(&self.sp.tx, Msg::PILL) {
            Ok(()) => {
                let now = self.sh.now_ns();
                self.pills_due -= 1;
                bump(&self.me.stats.items, 1);
                self.me.recent.push(PILL_ID, now);
                let k = self.me.stats.items.load(Ordering::Relaxed) as usize;
                let n = lock(&self.sh.run).pills_planned.map_or(k, |p| p as usize);
                self.me.stats.set_state(ThreadState::Joining, now);
                self.sh
                    .emit(Some(&self.me.name), EventKind::PillSent { k, n });
                true
            }
            Err(Some(_)) => {
                self.me
                    .stats
                    .set_state(ThreadState::BlockedFull, self.sh.now_ns());
                false
            }
            Err(None) => {
                self.abort();
                false
            }
        }
    }

    fn abort(&mut self) {
        if !self.sh.aborted.swap(true, Ordering::AcqRel) {
            self.sh
                .emit(None, EventKind::Run("abort: releasing every thread".into()));
        }
        self.sh.paused.store(false, Ordering::Release);
        self.sh.wake_all();
    }

    fn changed(&self, what: String) {
        self.sh
            .emit(Some(&self.me.name), EventKind::ConfigChanged(what));
    }

    /// Apply one live command (ignored once the run is aborting).
    fn apply(&mut self, cmd: Command) {
        if self.sh.aborted.load(Ordering::Relaxed) {
            return;
        }
        let workers = self.sh.workers();
        match cmd {
            Command::Pause => self.pause(),
            Command::Resume => self.resume(),
            Command::Step => self.step(),
            Command::AddConsumer => self.add(&workers, Role::Consumer),
            Command::AddProducer => self.add(&workers, Role::Producer),
            Command::RemoveConsumer(how) => self.remove_consumer(&workers, how),
            Command::RemoveProducer => self.remove_producer(&workers),
            Command::SetInterval(spec) => self.set_knob(spec, true),
            Command::SetWork(spec) => self.set_knob(spec, false),
            Command::SetGil(on) => self.set_gil(on),
            Command::Shutdown => self.shutdown(),
            Command::Abort => self.abort(),
        }
    }

    fn pause(&mut self) {
        if self.paused_at.is_none() {
            let sh = &self.sh;
            self.paused_at = Some(Instant::now());
            sh.paused.store(true, Ordering::Release);
            sh.set_phase(Phase::Paused);
            self.me.stats.set_state(ThreadState::Paused, sh.now_ns());
            sh.wake_all();
            sh.emit(None, EventKind::Run("paused".into()));
        }
    }

    /// While paused: hand out one step token.
    fn step(&mut self) {
        if self.paused_at.is_some() {
            let sh = &self.sh;
            sh.steps.fetch_add(1, Ordering::AcqRel);
            sh.wake_all();
            sh.emit(None, EventKind::Run("step: one queue operation".into()));
        }
    }

    /// Start one more thread of `role`, within the limit and not during shutdown.
    fn add(&mut self, workers: &[Arc<Worker>], role: Role) {
        let noun = match role {
            Role::Producer => "producer",
            _ => "consumer",
        };
        let closing = self.shutting_down
            || (role == Role::Producer && self.sh.stop_producers.load(Ordering::Relaxed));
        if self.live(workers, role) >= MAX_THREADS {
            self.changed(format!("already {MAX_THREADS} {noun}s (the limit)"));
        } else if closing {
            self.changed(format!("no new {noun}s while shutting down"));
        } else {
            match self.sp.spawn(role) {
                Ok(w) => self.changed(format!("added {}", w.name)),
                Err(e) => self.changed(format!("could not start a {noun}: {e}")),
            }
        }
    }

    /// Ask the newest staying producer to stop; one always stays.
    fn remove_producer(&mut self, workers: &[Arc<Worker>]) {
        let live = staying(workers, Role::Producer);
        match live.last() {
            Some(w) if live.len() > 1 => {
                w.retire.store(true, Ordering::Release);
                w.wake();
                self.changed(format!("removing {} (stop flag)", w.name));
            }
            _ => self.changed("one producer stays (use shutdown to stop producing)".into()),
        }
    }

    fn set_gil(&mut self, on: bool) {
        let gil = &self.sh.gil;
        if gil.enabled() != on {
            gil.set_enabled(on);
            self.changed(format!(
                "GIL emulation {} (switch interval {})",
                if on { "on" } else { "off" },
                super::work::fmt_duration(gil.switch_interval())
            ));
        }
    }

    /// Graceful shutdown: producers stop; the pills follow once they have.
    fn shutdown(&mut self) {
        self.resume();
        let sh = &self.sh;
        if !sh.stop_producers.swap(true, Ordering::AcqRel) {
            lock(&sh.run).shutdown_at.get_or_insert(sh.now_ns());
            sh.set_phase(Phase::ShuttingDown);
            sh.emit(
                None,
                EventKind::Run("shutdown requested: producers stop".into()),
            );
            sh.wake_all();
        }
    }

    fn resume(&mut self) {
        if let Some(at) = self.paused_at.take() {
            let sh = &self.sh;
            let paused_for = at.elapsed().as_nanos() as u64;
            sh.paused_ns.fetch_add(paused_for, Ordering::AcqRel);
            sh.paused.store(false, Ordering::Release);
            sh.set_phase(
                if self.shutting_down || sh.stop_producers.load(Ordering::Relaxed) {
                    Phase::ShuttingDown
                } else {
                    Phase::Running
                },
            );
            self.me.stats.set_state(ThreadState::Joining, sh.now_ns());
            sh.wake_all();
            sh.emit(None, EventKind::Run("resumed".into()));
        }
    }

    fn remove_consumer(&mut self, workers: &[Arc<Worker>], how: Removal) {
        let live = staying(workers, Role::Consumer);
        if self.shutting_down || self.sh.stop_producers.load(Ordering::Relaxed) {
            // Every remaining consumer has (or will have) its pill.
            self.changed("consumers leave with their pills during shutdown".into());
            return;
        }
        // Pills already on their way will remove consumers too.
        if live.len() <= 1 + self.pills_due as usize {
            self.changed("one consumer stays".into());
            return;
        }
        match how {
            Removal::Retire => {
                if let Some(w) = live.last() {
                    w.retire.store(true, Ordering::Release);
                    w.wake();
                    self.changed(format!("retiring {} (retire flag)", w.name));
                }
            }
            Removal::Pill => {
                self.pills_due += 1;
                if let Some(p) = lock(&self.sh.run).pills_planned.as_mut() {
                    *p += 1;
                }
                self.changed("removing a consumer with an extra pill".into());
            }
        }
    }

    fn set_knob(&self, spec: WorkSpec, interval: bool) {
        let mut k = lock_write(&self.sh.knobs);
        if interval {
            k.base.interval = spec;
            k.per_producer.clear();
        } else {
            k.base.work = spec;
        }
        drop(k);
        self.sh.knob_version.fetch_add(1, Ordering::AcqRel);
        self.changed(format!(
            "{} now {spec}",
            if interval {
                "producer interval"
            } else {
                "consumer work"
            }
        ));
    }
}

/// Threads of `role` still in their loop and not asked to leave.
fn staying(workers: &[Arc<Worker>], role: Role) -> Vec<&Arc<Worker>> {
    workers
        .iter()
        .filter(|w| {
            w.role == role && !w.stats.state().is_final() && !w.retire.load(Ordering::Relaxed)
        })
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
