//! The consumer loop, as in the seed programs: `get()` → pill? exit : work,
//! one [`Consumer::turn`] per message. Marks itself `waiting-empty` only when
//! a non-blocking receive and a short spin both fail; keeps its latency
//! samples in a small local buffer published into the histograms every 50 ms
//! (or when full); catches a panic in its work so the item is counted as
//! failed and the thread as crashed, while every other thread goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use super::condvar::{Cv, Hooks, Wake};
use super::cv_kit::CvKit;
use super::event::EventKind;
use super::gate::{Gate, calm, gate};
use super::handoff::{Item, Message, Outcome, Queue, Stamp, Waiter};
use super::panic_filter::{CaughtPanic, in_caught_work};
use super::shared::{EndTurnOnExit, LatencyHists, Shared, Worker};
use super::spend::spend;
use super::state::{ExitReason, ThreadState};
use super::stats::{NO_ITEM, bump};
use super::sync::lock;
use super::trace::{ItemResult, Trace, TraceKind};
use super::work::{WorkSpec, lower_timer_slack};
use super::worker_kit::{BlockNarrator, CHECK_EVERY, thread_seed};

/// How often a consumer publishes its latency samples.
const FLUSH_PERIOD: Duration = Duration::from_millis(50);
const FLUSH_EVERY_NS: u64 = FLUSH_PERIOD.as_nanos() as u64;
/// ... or when this many wait in its buffer.
const SAMPLES: usize = 64;

/// One timed item's latencies, waiting in a consumer's buffer.
#[derive(Clone, Copy)]
struct Sample {
    /// Enqueue → dequeue, ns.
    wait: u64,
    /// Created → done, ns.
    e2e: u64,
    /// Items it stands for.
    weight: u64,
}

/// Runs one consumer until it leaves; records why.
pub fn run(sh: Arc<Shared>, w: Arc<Worker>, q: Queue) {
    lower_timer_slack();
    let _worker = super::sleep::Worker::enter();
    // A few samples, not a histogram: a thread-local histogram per consumer
    // was most of the memory a thousand threads took.
    let mut local = Vec::with_capacity(SAMPLES);
    let reason = {
        let _turn = EndTurnOnExit(&sh, &w);
        consume(&sh, &w, &q, &mut local)
    };
    flush(&sh, &w, &mut local);
    let now = sh.now_ns();
    w.stats.set_exit(reason, now);
    if reason != ExitReason::Pill {
        sh.emit(Some(&w.name), EventKind::Exited(reason));
    }
    sh.wake_coordinator();
}

/// Record the buffered samples in the run's and the thread's histograms.
fn flush(sh: &Shared, w: &Worker, local: &mut Vec<Sample>) {
    if local.is_empty() {
        return;
    }
    let put = |h: &mut LatencyHists| {
        for s in local.iter() {
            h.record(s.wait, s.e2e, s.weight);
        }
    };
    put(&mut lock(&sh.hists));
    put(lock(&w.hists).get_or_insert_with(LatencyHists::default));
    local.clear();
}

fn consume(sh: &Shared, w: &Worker, q: &Queue, local: &mut Vec<Sample>) -> ExitReason {
    let mut c = Consumer::new(sh, w, q, local);
    w.stats.set_state(ThreadState::WaitingEmpty, sh.now_ns());
    sh.emit(Some(&w.name), EventKind::Started);
    loop {
        if let Err(why) = c.turn() {
            return why;
        }
    }
}

/// One consumer's loop state, on its own thread. Each step of
/// [`Consumer::turn`] returns `Err` with the reason when the thread leaves.
struct Consumer<'a> {
    sh: &'a Shared,
    w: &'a Worker,
    q: &'a Queue,
    /// Latency samples not yet published (see [`flush`]).
    local: &'a mut Vec<Sample>,
    trace: Option<&'a Sender<Trace>>,
    rng: SmallRng,
    /// The knob version `spec` was read at.
    version: u64,
    spec: WorkSpec,
    /// An untimed item needs nothing but its counts: no work, no trace, no
    /// result, no injected crash.
    plain: bool,
    /// Turns left before it looks at its flags again (see [`CHECK_EVERY`]).
    unchecked: u32,
    narrator: BlockNarrator,
    /// When the latencies were last published, ns.
    last_flush: u64,
    /// Σ time in the system of its timed items, ns (each counted by its
    /// weight).
    sojourn: u64,
    /// Σ queue wait of its timed items, ns (each counted by its weight, so
    /// that over `timed` it is Wq).
    wait_sum: u64,
    /// Items its timed items stand for.
    timed: u64,
    /// The message in hand was already in the queue when this consumer
    /// came for it (its first try took it): the item waited for a consumer.
    found_waiting: bool,
    /// While waiting: since when, ns.
    waiting_since: u64,
    /// While waiting: when to publish the samples (once).
    flush_at: Option<Instant>,
    /// Its side of a textbook buffer.
    cv: CvKit,
}

/// An item just taken off the queue.
#[derive(Clone, Copy)]
struct Taken {
    item: Item,
    /// Its times, when it was timed.
    stamp: Option<Stamp>,
    /// Its work time.
    d: Duration,
    /// When it was taken, ns (0 when nothing needed the clock).
    dequeued: u64,
}

impl<'a> Consumer<'a> {
    fn new(sh: &'a Shared, w: &'a Worker, q: &'a Queue, local: &'a mut Vec<Sample>) -> Self {
        Consumer {
            sh,
            w,
            q,
            local,
            trace: sh.trace.as_ref(),
            rng: SmallRng::seed_from_u64(thread_seed(sh.config.seed, 2, w.index)),
            version: u64::MAX,
            spec: WorkSpec::zero(),
            plain: false,
            unchecked: 0,
            narrator: BlockNarrator::default(),
            last_flush: 0,
            sojourn: 0,
            wait_sum: 0,
            timed: 0,
            found_waiting: false,
            waiting_since: 0,
            flush_at: None,
            cv: CvKit::new(sh, w),
        }
    }

    /// One message: check in, get it, and either leave on the pill or take
    /// the item, work on it and count it.
    #[inline]
    fn turn(&mut self) -> Result<(), ExitReason> {
        self.check_in()?;
        // Woken while waiting: back to the gate (pause, retire or abort).
        let Some(msg) = self.get()? else {
            return Ok(());
        };
        let Message::Item(item) = msg else {
            return Err(self.pill());
        };
        if self.sh.paused.load(Ordering::Relaxed) {
            super::gate::narrate_step(self.sh, self.w, EventKind::StepGet { item: item.id() });
        }
        if self.plain && !item.timed() {
            self.count_plain(item);
            return Ok(());
        }
        let taken = self.take(item);
        let done = self.work(taken)?;
        self.finish(item, done);
        Ok(())
    }

    /// The flat-out path: an item that needs nothing but its counts is
    /// received and done at once (and shown `working`).
    #[inline]
    fn count_plain(&mut self, item: Item) {
        let (sh, w) = (self.sh, self.w);
        bump(&w.stats.received, 1);
        self.count_waited();
        w.stats.set_item(item.id());
        w.stats.set_state_lazy(ThreadState::Working, || sh.now_ns());
        bump(&w.stats.items, 1);
    }

    /// P(wait): count the item just received if it was waiting for a
    /// consumer. Every item, sampled or not (it needs no clock).
    #[inline]
    fn count_waited(&self) {
        if self.found_waiting {
            bump(&self.w.stats.waited, 1);
        }
    }

    /// Before each `get()` (flat out, each [`CHECK_EVERY`]th): leave if
    /// told to, reload changed knobs.
    #[inline]
    fn check_in(&mut self) -> Result<(), ExitReason> {
        // A pause is seen at the next item, even flat out: while paused each
        // get needs a step (the flags' slow path keeps `unchecked` at 0).
        if self.unchecked > 0 && !self.sh.paused.load(Ordering::Relaxed) {
            self.unchecked -= 1;
            return Ok(());
        }
        let (sh, w, q) = (self.sh, self.w, self.q);
        if !calm(sh, w, false) {
            if let Gate::Leave(why) =
                gate(sh, w, false, ThreadState::WaitingEmpty, &|| !q.is_empty())
            {
                return Err(why);
            }
        } else if self.plain {
            self.unchecked = CHECK_EVERY - 1;
        }
        let v = sh.knob_version.load(Ordering::Acquire);
        if v != self.version {
            self.version = v;
            self.spec = sh.knobs().work;
            self.plain = self.spec.dist.is_zero()
                && self.trace.is_none()
                && !sh.config.collect_results
                && sh.crash_items.is_empty();
            self.unchecked = 0;
        }
        Ok(())
    }

    /// `get()`, shown `waiting-empty` only if it has to wait. `None` if
    /// woken before a message came.
    #[inline]
    fn get(&mut self) -> Result<Option<Message>, ExitReason> {
        // Until the queue says its first try missed (see `Waiter::missed`).
        self.found_waiting = true;
        let q = self.q;
        match q.take(self) {
            Outcome::Done(m) => Ok(Some(m)),
            // Back to the gate, at once: pause, retire or abort.
            Outcome::Woken => {
                self.unchecked = 0;
                Ok(None)
            }
            Outcome::Disconnected => Err(ExitReason::Aborted),
            Outcome::Bug(why) => Err(self.bug(why)),
        }
    }

    /// A textbook buffer's bug: woken, it did not re-check and found the
    /// buffer empty. Caught before any slot was read: it holds no item.
    #[cold]
    fn bug(&mut self, why: &'static str) -> ExitReason {
        let w = self.w;
        w.stats.set_item(NO_ITEM);
        let kind = EventKind::Crashed {
            item: None,
            message: why.into(),
        };
        self.sh.emit(Some(&w.name), kind);
        ExitReason::Crashed
    }

    /// Took the poison pill: count it and leave.
    fn pill(&mut self) -> ExitReason {
        let (sh, w) = (self.sh, self.w);
        let now = sh.now_ns();
        bump(&w.stats.pills, 1);
        w.stats.set_item(NO_ITEM);
        if let Some(t) = self.trace {
            let _ = t.send(Trace {
                who: w.name.clone(),
                at: Duration::from_nanos(now),
                kind: TraceKind::Pill,
            });
        }
        sh.emit(Some(&w.name), EventKind::PillReceived);
        ExitReason::Pill
    }

    /// Took an item: count it received, show `working`, record its queue
    /// wait.
    #[inline]
    fn take(&mut self, item: Item) -> Taken {
        let (sh, w) = (self.sh, self.w);
        let d = self.spec.dist.sample(&mut self.rng);
        let stamp = self.q.stamp(item);
        // Read the clock only when something needs it (see TIME_EVERY).
        let dequeued = if stamp.is_some() || !d.is_zero() || self.trace.is_some() {
            sh.now_ns()
        } else {
            0
        };
        bump(&w.stats.received, 1);
        w.stats.set_item(item.id());
        // Usually already `working` (busy streak): then no clock read at all.
        w.stats.set_state_lazy(ThreadState::Working, || {
            if dequeued != 0 { dequeued } else { sh.now_ns() }
        });
        self.count_waited();
        if let Some(t) = self.trace {
            let _ = t.send(Trace {
                who: w.name.clone(),
                at: Duration::from_nanos(dequeued),
                kind: TraceKind::Received(item.id()),
            });
        }
        Taken {
            item,
            stamp,
            d,
            dequeued,
        }
    }

    /// Do the work and record the item's end-to-end time; `Crashed` if the
    /// work panicked. Returns when it was done, ns (0 if untimed at zero work).
    #[inline]
    fn work(&mut self, t: Taken) -> Result<u64, ExitReason> {
        let (sh, w, item) = (self.sh, self.w, t.item);
        let crash = !sh.crash_items.is_empty() && sh.crash_items.binary_search(&item.id()).is_ok();
        let outcome = if crash || !t.d.is_zero() {
            do_work(sh, w, self.spec, t.d, crash, item)
        } else {
            Ok(())
        };
        let done = if t.d.is_zero() {
            t.dequeued
        } else {
            sh.now_ns()
        };
        if let Some(s) = t.stamp {
            let wait = t.dequeued.saturating_sub(s.enqueued_ns);
            self.local.push(Sample {
                wait,
                e2e: done.saturating_sub(s.created_ns),
                weight: s.weight,
            });
            // Weighted like `timed`: Wq = wait_ns / timed, W = sojourn / timed.
            self.wait_sum += wait * s.weight;
            self.sojourn += done.saturating_sub(s.enqueued_ns) * s.weight;
            self.timed += s.weight;
            w.stats.wait_ns.store(self.wait_sum, Ordering::Relaxed);
            w.stats.sojourn_ns.store(self.sojourn, Ordering::Relaxed);
            w.stats.timed.store(self.timed, Ordering::Release);
        }
        match outcome {
            Ok(()) => Ok(done),
            Err(message) => Err(self.crashed(item.id(), message)),
        }
    }

    /// The work panicked: the item counts as done and failed; the thread
    /// leaves as crashed.
    #[cold]
    fn crashed(&mut self, id: u64, message: String) -> ExitReason {
        let w = self.w;
        bump(&w.stats.failed, 1);
        bump(&w.stats.items, 1);
        let kind = EventKind::Crashed {
            item: Some(id),
            message,
        };
        self.sh.emit(Some(&w.name), kind);
        ExitReason::Crashed
    }

    /// The item is done: count it, keep its result for `map`, and publish
    /// the latencies now and then.
    #[inline]
    fn finish(&mut self, item: Item, done: u64) {
        let (sh, w) = (self.sh, self.w);
        bump(&w.stats.items, 1);
        if sh.config.collect_results {
            lock(&sh.results).push(ItemResult {
                id: item.id(),
                word: word(sh, item.id()),
                by: w.name.to_string(),
                done_at: Duration::from_nanos(done),
            });
        }
        // `done` is 0 for untimed items at zero work: they add no sample.
        if self.local.len() >= SAMPLES
            || (done != 0 && done.saturating_sub(self.last_flush) >= FLUSH_EVERY_NS)
        {
            flush(sh, w, self.local);
            if done != 0 {
                self.last_flush = done;
            }
        }
    }
}

/// Its side of a textbook buffer (see `cv_kit`).
impl Hooks for Consumer<'_> {
    fn thread_id(&self) -> u32 {
        self.w.id as u32
    }

    fn point(&mut self, n: usize) {
        self.cv.point(self.sh, self.w, n);
    }

    fn lock_contended(&mut self) {
        self.cv.lock_contended(self.sh, self.w);
    }

    fn lock_acquired(&mut self) {
        self.cv.lock_acquired(self.sh, self.w);
    }

    fn cv_sleep(&mut self, cv: Cv) {
        // What it gets now did not wait for it.
        self.found_waiting = false;
        self.w.stats.set_item(NO_ITEM);
        // Nothing wakes it to publish its samples while it sleeps (a wait on
        // the channel does, see `idle`): publish them now if they are due.
        let now = self.sh.now_ns();
        if !self.local.is_empty() && now.saturating_sub(self.last_flush) >= FLUSH_EVERY_NS {
            flush(self.sh, self.w, self.local);
            self.last_flush = now;
        }
        self.cv.cv_sleep(self.sh, self.w, cv);
    }

    fn cv_woke(&mut self, wake: &Wake) {
        self.cv.cv_woke(self.sh, self.w, wake);
    }
}

/// A consumer waits on an empty queue as `waiting-empty`; a wake sends it
/// back to its gate; a long wait publishes its samples, so an idle screen is
/// current.
impl Waiter for Consumer<'_> {
    fn now_ns(&self) -> u64 {
        self.sh.now_ns()
    }

    fn wake_rx(&self) -> &Receiver<()> {
        &self.w.wake_rx
    }

    fn blocked(&mut self, at_ns: u64) -> bool {
        let (sh, w) = (self.sh, self.w);
        self.waiting_since = at_ns;
        w.stats.set_item(NO_ITEM);
        w.stats.set_state(ThreadState::WaitingEmpty, at_ns);
        self.narrator.blocked(sh, w, at_ns, EventKind::WaitingEmpty);
        // A flush costs microseconds, too much for every short wait at zero
        // work: publish only if the wait outlasts the flush period.
        self.flush_at = (!self.local.is_empty()).then(|| Instant::now() + FLUSH_PERIOD);
        true
    }

    fn missed(&mut self) {
        // The item it gets now (after a spin or a wait) did not wait for it.
        self.found_waiting = false;
    }

    fn woken(&mut self) -> bool {
        false
    }

    fn unblocked(&mut self, at_ns: u64) {
        let after = Duration::from_nanos(at_ns.saturating_sub(self.waiting_since));
        self.narrator.unblocked(self.sh, self.w, after);
    }

    fn idle_deadline(&self) -> Option<Instant> {
        self.flush_at
    }

    fn idle(&mut self) {
        flush(self.sh, self.w, self.local);
        self.flush_at = None;
    }
}

/// The item's word for word workloads.
pub fn word(sh: &Shared, id: u64) -> Option<String> {
    match &sh.config.workload {
        super::config::Workload::Words(ws) => ws.get(id as usize).cloned(),
        _ => None,
    }
}

/// The work itself, with panics caught: `Err` carries the panic message.
fn do_work(
    sh: &Shared,
    w: &Worker,
    spec: WorkSpec,
    d: Duration,
    crash: bool,
    item: Item,
) -> Result<(), String> {
    let start = Instant::now();
    let aborted = || sh.aborted.load(Ordering::Relaxed);
    let r = in_caught_work(|| {
        catch_unwind(AssertUnwindSafe(|| {
            // An abort cuts the work short; the item still counts as done
            // (its time is recorded as it really was).
            spend(sh, w, spec.mode, start, d, ThreadState::Working, &aborted);
            if crash {
                std::panic::panic_any(CaughtPanic(format!(
                    "injected fault: item {} (crash_items)",
                    item.id()
                )));
            }
        }))
    });
    r.map_err(|payload| super::panic_filter::message(&*payload))
}
