//! Live commands, as `main` applies them: pause, resume and step (which
//! hold and release the run clock), adding and removing threads, the
//! knobs, the GIL and shutdown. Every change of the setup starts a new
//! epoch, named by what changed.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::command::{Command, Removal};
use super::config::limits::MAX_THREADS;
use super::coordinator::{Coordinator, staying};
use super::event::EventKind;
use super::shared::Worker;
use super::state::{Phase, Role, ThreadState};
use super::sync::{lock, lock_write};
use super::work::WorkSpec;

impl Coordinator {
    /// Apply one live command (ignored once the run is aborting).
    pub fn apply(&mut self, cmd: Command) {
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

    fn changed(&self, what: String) {
        self.sh
            .emit(Some(&self.me.name), EventKind::ConfigChanged(what));
    }

    /// Park every thread; the run clock stops (before the threads are
    /// woken, so those in the middle of their work park too).
    fn pause(&mut self) {
        if !self.paused {
            let sh = &self.sh;
            self.paused = true;
            sh.paused.store(true, Ordering::Release);
            sh.clock.set_paused(true);
            sh.set_phase(Phase::Paused);
            self.me.stats.set_state(ThreadState::Paused, sh.now_ns());
            sh.wake_all();
            sh.emit(None, EventKind::Run("paused".into()));
        }
    }

    /// While paused: hand out one step token. The run clock runs until a
    /// thread takes it for its next queue operation (and narrates it).
    fn step(&mut self) {
        if self.paused {
            let sh = &self.sh;
            sh.clock.add_step();
            sh.wake_all();
        }
    }

    /// Un-park; the run clock runs again.
    pub fn resume(&mut self) {
        if self.paused {
            self.paused = false;
            let sh = &self.sh;
            sh.clock.set_paused(false);
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
                Ok(w) => {
                    self.changed(format!("added {}", w.name));
                    self.new_epoch(format!("+1 {noun}"));
                }
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
                self.new_epoch("-1 producer".into());
            }
            _ => self.changed("one producer stays (use shutdown to stop producing)".into()),
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
        // A retire flag cannot reach a consumer asleep on a textbook
        // buffer's condition variable (only a signal wakes it, and none may
        // come): there, a consumer leaves the textbook way, on a pill.
        let how = if self.sh.config.queue.is_textbook() {
            Removal::Pill
        } else {
            how
        };
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
        self.new_epoch("-1 consumer".into());
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
            self.new_epoch(format!("GIL {}", if on { "on" } else { "off" }));
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

    fn set_knob(&mut self, spec: WorkSpec, interval: bool) {
        let mut k = lock_write(&self.sh.knobs);
        if interval {
            k.base.interval = spec;
            k.per_producer.clear();
        } else {
            k.base.work = spec;
        }
        drop(k);
        self.sh.knob_version.fetch_add(1, Ordering::AcqRel);
        let what = if interval { "interval" } else { "work" };
        self.changed(format!(
            "{} now {spec}",
            if interval {
                "producer interval"
            } else {
                "consumer work"
            }
        ));
        self.new_epoch(format!("{what} {spec}"));
    }
}
