//! `main`, the coordinator, as in the seed programs: it waits for every
//! producer to finish, then puts one poison pill per consumer and waits for
//! them to exit. It also applies live commands (so the registry has one
//! writer; see `control`), marks the epochs they start, and runs the
//! sampler between them — only while the run clock runs.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::assemble::{counts, totals};
use super::command::Command;
use super::config::PillTrigger;
use super::epoch::EpochConfig;
use super::event::EventKind;
use super::handoff::Offer;
use super::recent::PILL_ID;
use super::sampler::Sampler;
use super::shared::{Shared, Worker};
use super::spawn::Spawner;
use super::state::{ExitReason, Phase, Role, ThreadState};
use super::stats::bump;
use super::sync::lock;
use super::work::lower_timer_slack;

/// How often `main` looks around while the run clock stands still (a pill
/// to step onto a full queue, a step that has started the clock).
const STOPPED_POLL: Duration = Duration::from_millis(250);

/// `main`'s state, on its own thread.
pub struct Coordinator {
    /// Starts threads.
    pub sp: Spawner,
    /// Shared state.
    pub sh: Arc<Shared>,
    /// `main` itself.
    pub me: Arc<Worker>,
    /// The time averages and the history.
    pub sampler: Sampler,
    /// Pills still to put (shutdown pills and removal pills).
    pub pills_due: u64,
    /// Shutdown has begun: the pills are planned.
    pub shutting_down: bool,
    /// The user has paused the run.
    pub paused: bool,
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
        sampler: Sampler::new(sh.config.seed),
        pills_due: 0,
        shutting_down: false,
        paused: sh.config.start_paused,
    };
    c.me.stats.set_state(ThreadState::Joining, sh.now_ns());
    sh.emit(Some(&c.me.name), EventKind::Started);
    c.new_epoch("start".into());
    if c.paused {
        // Shared started paused (before any thread ran); record it here.
        c.me.stats.set_state(ThreadState::Paused, sh.now_ns());
        sh.emit(
            None,
            EventKind::Run("started paused: press n to step one queue operation".into()),
        );
    }
    let reason = c.main_loop(&ctl);
    c.finish(reason);
    drop(done);
}

impl Coordinator {
    /// Threads of `role` still in their loop.
    pub fn live(&self, workers: &[Arc<Worker>], role: Role) -> usize {
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
            let running = !self.sh.clock.is_stopped();
            let mut to_bucket_end = STOPPED_POLL;
            if running {
                let ns = self.sh.now_ns();
                let len = self.sp.queue.len() as u64;
                if now >= next_sample {
                    self.sampler.sample(&self.sh, &workers, len, ns);
                    next_sample = now + self.sampler.gap(workers.len());
                }
                if ns >= self.sampler.bucket_end() {
                    self.sampler.close_bucket(&self.sh, &workers, len, ns);
                }
                let left = self.sampler.bucket_end().saturating_sub(self.sh.now_ns());
                to_bucket_end = Duration::from_nanos(left);
            }
            if self.sh.aborted.load(Ordering::Relaxed) {
                if self.live(&workers, Role::Producer) + self.live(&workers, Role::Consumer) == 0 {
                    return ExitReason::Aborted;
                }
            } else if !self.paused {
                if let Some(r) = self.advance(&workers) {
                    return r;
                }
            } else if self.pills_due > 0 && !self.sp.queue.is_full() && self.sh.take_step() {
                // Stepping through a shutdown: a pill is one queue operation too.
                self.put_pill();
            }
            drop(workers);
            let wait = if running {
                next_sample
                    .saturating_duration_since(Instant::now())
                    .min(to_bucket_end)
            } else {
                STOPPED_POLL
            };
            // Commands, or a thread leaving (it wakes `main`), or the next sample.
            crossbeam_channel::select! {
                recv(ctl) -> cmd => match cmd {
                    Ok(cmd) => self.apply(cmd),
                    // The engine handle is gone: nobody can see or steer the run.
                    Err(_) => self.abort(),
                },
                recv(self.me.wake_rx) -> _ => {},
                default(wait) => {},
            }
        }
    }

    /// The last thread has left: close the time averages and the history,
    /// and say how it ended.
    fn finish(&mut self, reason: ExitReason) {
        let sh = Arc::clone(&self.sh);
        let (now, wall) = sh.clock.read();
        self.me.stats.set_exit(reason, now);
        let workers = sh.workers();
        let len = self.sp.queue.len() as u64;
        self.sampler.sample(&sh, &workers, len, now);
        self.sampler.close_bucket(&sh, &workers, len, now);
        {
            let mut run = lock(&sh.run);
            run.done_at = Some(now);
            run.done_wall = Some(wall);
        }
        let took = Duration::from_nanos(now);
        let done = reason != ExitReason::Aborted;
        sh.emit(
            None,
            EventKind::Run(if done {
                format!("Done! Time taken: {:.4} s", took.as_secs_f64())
            } else {
                format!("Aborted after {:.4} s", took.as_secs_f64())
            }),
        );
        sh.set_phase(if done { Phase::Done } else { Phase::Aborted });
    }

    /// Starts an epoch now: the sampler is brought up to this moment so
    /// the epoch's time averages start exactly here.
    pub fn new_epoch(&mut self, cause: String) {
        let workers = self.sh.workers();
        let now = self.sh.now_ns();
        let len = self.sp.queue.len() as u64;
        self.sampler.sample(&self.sh, &workers, len, now);
        let start = totals(&self.sh, &workers, now);
        let knobs = self.sh.knobs();
        let config = EpochConfig {
            producers: staying(&workers, Role::Producer).len(),
            consumers: staying(&workers, Role::Consumer)
                .len()
                .saturating_sub(self.pills_due as usize),
            interval: self.sh.interval_for(0),
            work: knobs.work,
            gil: self.sh.gil.enabled(),
        };
        lock(&self.sh.epochs).begin(cause, config, start);
    }

    /// Moves the shutdown along; `Some` when the run is over.
    fn advance(&mut self, workers: &[Arc<Worker>]) -> Option<ExitReason> {
        let producers = self.live(workers, Role::Producer);
        let consumers = self.live(workers, Role::Consumer);
        if !self.shutting_down && self.pill_time(workers, producers) {
            self.begin_shutdown(workers, producers, consumers);
        }
        if self.pills_due > 0 {
            if consumers == 0 {
                self.undeliverable();
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

    /// No consumer is left to take the pills still due: count them as
    /// undeliverable and say so.
    fn undeliverable(&mut self) {
        let n = std::mem::take(&mut self.pills_due);
        lock(&self.sh.run).pills_undelivered += n;
        self.sh.emit(
            Some(&self.me.name),
            EventKind::Run(format!(
                "no consumer left to take {n} more pill{}: not delivered",
                plural(n as usize)
            )),
        );
    }

    /// Whether the pills should go out now (`producers` of them still live).
    fn pill_time(&self, workers: &[Arc<Worker>], producers: usize) -> bool {
        match self.sh.config.pills_when {
            PillTrigger::AllProducers => producers == 0,
            // The early-pill bug: as soon as any producer is done.
            PillTrigger::FirstProducer => producers == 0 || first_finished(workers).is_some(),
        }
    }

    /// The seed's `for t in producers: t.join()` has returned (or, with
    /// the early-pill bug, the first of them): plan the pills and enter the
    /// shutting-down phase.
    fn begin_shutdown(&mut self, workers: &[Arc<Worker>], producers: usize, consumers: usize) {
        self.shutting_down = true;
        // One pill per consumer that will still be there to take one:
        // not those retiring, nor those a removal pill (queued or due) is for.
        let staying = staying(workers, Role::Consumer).len() as u64;
        let c = counts(workers);
        let removal_pills = self.pills_due + c.pills_sent - c.pills_received;
        let needed = staying.saturating_sub(removal_pills);
        let planned = self.sh.config.pills.map_or(needed, |p| p as u64);
        let mut run = lock(&self.sh.run);
        run.shutdown_at.get_or_insert(self.sh.now_ns());
        let sent = self.me.stats.items.load(Ordering::Relaxed);
        run.pills_planned = Some(sent + self.pills_due + planned);
        run.pills_needed = Some(sent + self.pills_due + needed);
        drop(run);
        self.pills_due += planned;
        self.sh.set_phase(Phase::ShuttingDown);
        let why = self.why_pills_now(workers, producers);
        self.sh.emit(
            Some(&self.me.name),
            EventKind::Run(format!(
                "{why}: main puts {planned} pill{} for {consumers} consumer{}",
                plural(planned as usize),
                plural(consumers)
            )),
        );
    }

    /// What made the pills go out, in facts: every producer finished, or
    /// stopped, or (the early-pill bug) the first one finished while others
    /// still produce.
    fn why_pills_now(&self, workers: &[Arc<Worker>], producers: usize) -> String {
        if producers > 0 {
            let first = first_finished(workers).map_or("a producer".into(), |w| w.name.clone());
            return format!(
                "{first} finished first ({producers} producer{} still producing)",
                plural(producers)
            );
        }
        let stopped = workers
            .iter()
            .any(|w| w.role == Role::Producer && w.stats.exit() == Some(ExitReason::Stopped));
        if stopped && self.sh.stop_producers.load(Ordering::Relaxed) {
            "all producers stopped".into()
        } else {
            "all producers finished".into()
        }
    }

    /// Try to put one pill; on a full queue show `blocked-full` and retry at
    /// the next tick (the coordinator must keep serving commands meanwhile).
    pub fn put_pill(&mut self) -> bool {
        match self.sp.queue.try_pill() {
            Offer::Sent => {
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
            Offer::Full => {
                self.me
                    .stats
                    .set_state(ThreadState::BlockedFull, self.sh.now_ns());
                false
            }
            Offer::Disconnected => {
                self.abort();
                false
            }
        }
    }

    /// Stop everything now: blocked and parked threads are released.
    pub fn abort(&mut self) {
        if !self.sh.aborted.swap(true, Ordering::AcqRel) {
            self.sh
                .emit(None, EventKind::Run("abort: releasing every thread".into()));
        }
        self.sh.paused.store(false, Ordering::Release);
        self.sh.clock.set_paused(false);
        self.sh.wake_all();
        self.sp.queue.close();
    }
}

/// The first producer that finished its share, if one has: the one that
/// has been exited longest.
fn first_finished(workers: &[Arc<Worker>]) -> Option<&Arc<Worker>> {
    workers
        .iter()
        .filter(|w| w.role == Role::Producer && w.stats.exit() == Some(ExitReason::Finished))
        .max_by_key(|w| w.stats.time_in(u64::MAX).1)
}

/// Threads of `role` still in their loop and not asked to leave.
pub fn staying(workers: &[Arc<Worker>], role: Role) -> Vec<&Arc<Worker>> {
    workers
        .iter()
        .filter(|w| {
            w.role == role && !w.stats.state().is_final() && !w.retire.load(Ordering::Relaxed)
        })
        .collect()
}

/// `""` for one, `"s"` otherwise.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
