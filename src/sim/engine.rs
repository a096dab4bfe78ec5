//! The engine's public face: starts a run, takes live commands, hands out
//! snapshots. It starts the first threads and the coordinator (`main`), which
//! steers the run from then on; the engine only talks to it through a channel
//! and reads shared counters. The top of `sim`'s layers: nothing in `sim`
//! imports it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use super::assemble;
use super::command::Command;
use super::config::Config;
use super::coordinator;
use super::handoff::Queue;
use super::panic_filter;
use super::shared::Shared;
use super::snapshot::{Snapshot, SnapshotRequest};
use super::spawn::Spawner;
use super::state::Role;
use super::sync::lock;

// Kept reachable here too: these types were first defined in this module.
pub use super::trace::{ItemResult, Trace, TraceKind};

/// A running (or finished) simulation. Dropping it aborts the run without
/// waiting: threads blocked on the queue are released, and a thread in the
/// middle of its work stops there.
pub struct Engine {
    sh: Arc<Shared>,
    ctl: Sender<Command>,
    queue: Queue,
    /// Disconnects when the coordinator finishes.
    done: crossbeam_channel::Receiver<()>,
}

impl Engine {
    /// Spawn every thread and start the run.
    ///
    /// ```
    /// use queuescope::sim::{Config, Engine, Workload};
    /// use std::time::Duration;
    /// let config = Config { workload: Workload::Items(20), ..Config::default() };
    /// let mut cfg = config;
    /// cfg.interval = queuescope::sim::WorkSpec::zero();
    /// cfg.work = queuescope::sim::WorkSpec::zero();
    /// let engine = Engine::start(cfg).unwrap();
    /// assert!(engine.wait(Duration::from_secs(10)));
    /// let s = engine.snapshot();
    /// assert_eq!(s.counts.consumed, 20);
    /// assert_eq!(s.counts.pills_received, 4);
    /// ```
    pub fn start(config: Config) -> std::io::Result<Engine> {
        Self::start_traced(config, None)
    }

    /// Like [`Engine::start`], also sending per-item trace lines to `trace`.
    pub fn start_traced(config: Config, trace: Option<Sender<Trace>>) -> std::io::Result<Engine> {
        panic_filter::install();
        if sleeps(&config) {
            // Calibrate the hybrid sleep now, before the run's clock starts.
            super::sleep::margin();
        }
        let (producers, consumers) = (config.producers, config.consumers);
        // Sleep strings ask for one interleaving: the buffer keeps the
        // lesson order so it happens on every run.
        let lesson = config.has_sleep_strings();
        let queue = Queue::of_kind(
            config.queue,
            config.capacity.limit(),
            in_flight(&config),
            lesson,
        );
        let mut shared = Shared::new(config, trace);
        shared.textbook = queue.textbook_shared();
        let sh = Arc::new(shared);
        let sp = Spawner {
            sh: sh.clone(),
            queue: queue.clone(),
        };
        let (ctl, ctl_rx) = crossbeam_channel::unbounded();
        let (done_tx, done) = crossbeam_channel::bounded(0);
        let engine = Engine {
            sh: sh.clone(),
            ctl,
            queue,
            done,
        };
        // `main` is registered first (id 0) so it heads the thread list.
        let me = sp.register(Role::Coordinator);
        // Consumers first, as in the seed programs: they wait on the queue.
        for _ in 0..consumers {
            sp.spawn(Role::Consumer)?;
        }
        for _ in 0..producers {
            sp.spawn(Role::Producer)?;
        }
        let me2 = me.clone();
        let handle = std::thread::Builder::new()
            .name("main".into())
            .spawn(move || coordinator::run(sp, me2, ctl_rx, done_tx))?;
        *lock(&me.handle) = Some(handle);
        Ok(engine)
    }

    /// The configuration the run started from, with the current knobs.
    pub fn config(&self) -> Config {
        let mut c = self.sh.config.clone();
        let k = self.sh.knobs();
        c.interval = k.interval;
        c.work = k.work;
        c.gil = self.sh.gil.enabled();
        c
    }

    /// A snapshot with the default parts.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot_with(SnapshotRequest::default())
    }

    /// A snapshot, with the extras `req` asks for.
    pub fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot {
        let mut s = assemble::snapshot(&self.sh, self.queue.len() as u64, req);
        if let Some(tb) = self.queue.textbook() {
            s.textbook = Some(assemble::textbook(&self.sh, tb, &s));
        }
        s
    }

    /// Every thread's latency summaries and histogram (consumers), for a
    /// recording; timelines are left out.
    pub fn latency_details(&self) -> Vec<super::snapshot::ThreadDetail> {
        assemble::latency_details(&self.sh)
    }

    /// Apply a live change. Never blocks. An abort takes effect at once,
    /// even if the coordinator is busy.
    pub fn send(&self, cmd: Command) {
        if cmd == Command::Abort {
            self.sh.aborted.store(true, Ordering::Release);
            self.sh.paused.store(false, Ordering::Release);
            self.sh.clock.set_paused(false);
            self.sh.wake_all();
            // Threads asleep on a textbook buffer's condition variables.
            self.queue.close();
        }
        let _ = self.ctl.send(cmd);
    }

    /// True once every thread has left (done or aborted).
    pub fn is_over(&self) -> bool {
        self.sh.phase().is_over()
    }

    /// Wait until the run is over or `timeout` passes; true if over. Joins
    /// the threads once over.
    pub fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        // The coordinator drops its end when the run is over.
        if self.done.recv_deadline(deadline).is_ok() || !self.is_over() {
            return false;
        }
        self.join_all(deadline.saturating_duration_since(Instant::now()));
        true
    }

    /// Join every thread that has left, waiting at most `timeout` in all.
    fn join_all(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        for w in self.sh.workers() {
            // A thread that has set its exit state only has a few instructions left.
            while !w.stats.state().is_final() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            let handle = lock(&w.handle).take();
            match handle {
                // Joining a thread still in its loop could hang: leave it.
                Some(h) if h.is_finished() || w.stats.state().is_final() => {
                    let _ = h.join();
                }
                Some(h) => *lock(&w.handle) = Some(h),
                None => {}
            }
        }
    }

    /// Timed items whose stamp was lost (overwritten before it was read):
    /// they count, untimed. Zero unless an unbounded queue's backlog
    /// outgrows the stamp table or a thread stalls for a whole table of ids.
    pub fn stamps_lost(&self) -> u64 {
        self.queue.stamps_lost()
    }

    /// Results in input order (only when the config collects results).
    pub fn results(&self) -> Vec<ItemResult> {
        let mut r = lock(&self.sh.results).clone();
        r.sort_by_key(|x| x.id);
        r
    }
}

/// Whether the run starts with sleeping producers or consumers.
fn sleeps(config: &Config) -> bool {
    let sleeping =
        |s: &super::work::WorkSpec| s.mode == super::work::WorkMode::Sleep && !s.dist.is_zero();
    sleeping(&config.interval)
        || sleeping(&config.work)
        || config.producer_intervals.iter().any(sleeping)
}

/// How far apart, beyond what the queue holds, the ids of items in flight
/// may be: producers claim a block of ids at a time when producing flat
/// out, and with even shares each works through its own range of the whole
/// workload.
fn in_flight(config: &Config) -> usize {
    if config.split_even {
        let total = config.workload.total_items().unwrap_or(0);
        return usize::try_from(total).unwrap_or(usize::MAX);
    }
    let block = if config.interval.dist.is_zero() {
        super::producer::FAST_BLOCK as usize
    } else {
        1
    };
    config.producers * block + config.consumers
}

impl Drop for Engine {
    fn drop(&mut self) {
        if !self.is_over() {
            self.send(Command::Abort);
        }
    }
}
