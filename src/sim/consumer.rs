//! The consumer loop, as in the seed programs: `get()` → pill? exit : work,
//! one [`Consumer::turn`] per message. Marks itself `waiting-empty` only when
//! a non-blocking receive and a short spin both fail; keeps latencies in
//! thread-local histograms published every 50 ms; catches a panic in its work
//! so the item is counted as failed and the thread as crashed, while every
//! other thread goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use super::event::EventKind;
use super::gate::{Gate, gate};
use super::panic_filter::{CaughtPanic, in_caught_work};
use super::queue::{Blocked, Item, Msg, NOT_TIMED, recv_waiting, spin_recv};
use super::shared::{LatencyHists, Shared, Worker, record};
use super::spend::spend;
use super::state::{ExitReason, ThreadState};
use super::stats::{NO_ITEM, bump};
use super::sync::lock;
use super::trace::{ItemResult, Trace, TraceKind};
use super::work::{WorkSpec, lower_timer_slack};
use super::worker_kit::{BlockNarrator, thread_seed};

/// How often a consumer publishes its thread-local histograms.
const FLUSH_PERIOD: Duration = Duration::from_millis(50);
const FLUSH_EVERY_NS: u64 = FLUSH_PERIOD.as_nanos() as u64;
/// ... or, for untimed zero-work items, every this many items.
const FLUSH_EVERY_ITEMS: u64 = 65_536;

/// Runs one consumer until it leaves; records why.
pub fn run(sh: Arc<Shared>, w: Arc<Worker>, rx: Receiver<Msg>) {
    lower_timer_slack();
    let mut local = LatencyHists::default();
    let reason = consume(&sh, &w, &rx, &mut local);
    flush(&sh, &w, &mut local);
    let now = sh.now_ns();
    w.stats.set_exit(reason, now);
    if reason != ExitReason::Pill {
        sh.emit(Some(&w.name), EventKind::Exited(reason));
    }
    sh.wake_coordinator();
}

fn flush(sh: &Shared, w: &Worker, local: &mut LatencyHists) {
    if local.is_empty() {
        return;
    }
    lock(&sh.hists).add(local);
    lock(&w.hists)
        .get_or_insert_with(LatencyHists::default)
        .add(local);
    local.reset();
}

fn consume(sh: &Shared, w: &Worker, rx: &Receiver<Msg>, local: &mut LatencyHists) -> ExitReason {
    let mut c = Consumer::new(sh, w, rx, local);
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
    rx: &'a Receiver<Msg>,
    /// Thread-local latencies, published by [`flush`].
    local: &'a mut LatencyHists,
    trace: Option<&'a Sender<Trace>>,
    rng: SmallRng,
    /// The knob version `spec` was read at.
    version: u64,
    spec: WorkSpec,
    narrator: BlockNarrator,
    /// When the latencies were last published, ns.
    last_flush: u64,
    /// Σ time in the system of its timed items, ns.
    sojourn: u64,
}

/// An item just taken off the queue.
#[derive(Clone, Copy)]
struct Taken {
    item: Item,
    /// Its work time.
    d: Duration,
    /// When it was taken, ns (0 when nothing needed the clock).
    dequeued: u64,
    /// Whether it carries timestamps (see [`super::queue::TIME_EVERY`]).
    timed: bool,
}

impl<'a> Consumer<'a> {
    fn new(
        sh: &'a Shared,
        w: &'a Worker,
        rx: &'a Receiver<Msg>,
        local: &'a mut LatencyHists,
    ) -> Self {
        Consumer {
            sh,
            w,
            rx,
            local,
            trace: sh.trace.as_ref(),
            rng: SmallRng::seed_from_u64(thread_seed(sh.config.seed, 2, w.index)),
            version: u64::MAX,
            spec: WorkSpec::zero(),
            narrator: BlockNarrator::default(),
            last_flush: 0,
            sojourn: 0,
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
        let Some(item) = msg.get() else {
            return Err(self.pill());
        };
        let taken = self.take(item);
        let done = self.work(taken)?;
        self.finish(item, done);
        Ok(())
    }

    /// Before each `get()`: leave if told to, reload changed knobs.
    #[inline]
    fn check_in(&mut self) -> Result<(), ExitReason> {
        let (sh, w, rx) = (self.sh, self.w, self.rx);
        if let Gate::Leave(why) = gate(sh, w, false, ThreadState::WaitingEmpty, &|| !rx.is_empty())
        {
            return Err(why);
        }
        let v = sh.knob_version.load(Ordering::Acquire);
        if v != self.version {
            self.version = v;
            self.spec = sh.knobs().work;
        }
        Ok(())
    }

    /// `get()`: one try, a short spin, and only then a wait shown as
    /// `waiting-empty`. `None` if woken before a message came.
    #[inline]
    fn get(&mut self) -> Result<Option<Msg>, ExitReason> {
        match self.rx.try_recv() {
            Ok(m) => Ok(Some(m)),
            Err(TryRecvError::Disconnected) => Err(ExitReason::Aborted),
            Err(TryRecvError::Empty) => match spin_recv(self.rx) {
                Some(m) => Ok(Some(m)),
                None => self.wait_for_message(),
            },
        }
    }

    /// The queue stayed empty: show `waiting-empty` until a message comes
    /// or the thread is woken.
    fn wait_for_message(&mut self) -> Result<Option<Msg>, ExitReason> {
        let (sh, w) = (self.sh, self.w);
        let since = sh.now_ns();
        w.stats.set_item(NO_ITEM);
        w.stats.set_state(ThreadState::WaitingEmpty, since);
        self.narrator.blocked(sh, w, since, EventKind::WaitingEmpty);
        // A flush costs microseconds, too much for every short wait at zero
        // work: publish latencies only if the wait outlasts the flush period,
        // so an idle screen is current.
        let mut flush_at = (!self.local.is_empty()).then(|| Instant::now() + FLUSH_PERIOD);
        loop {
            match recv_waiting(self.rx, &w.wake_rx, flush_at) {
                Blocked::Done(m) => {
                    let after = Duration::from_nanos(sh.now_ns() - since);
                    self.narrator.unblocked(sh, w, after);
                    return Ok(Some(m));
                }
                Blocked::TimedOut => {
                    flush(sh, w, self.local);
                    flush_at = None;
                }
                Blocked::Woken(_) => return Ok(None),
                Blocked::Disconnected => return Err(ExitReason::Aborted),
            }
        }
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
        let timed = item.enqueued_ns != NOT_TIMED;
        // Read the clock only when something needs it (see TIME_EVERY).
        let dequeued = if timed || !d.is_zero() || self.trace.is_some() {
            sh.now_ns()
        } else {
            0
        };
        bump(&w.stats.received, 1);
        w.stats.set_item(item.id);
        // Usually already `working` (busy streak): then no clock read at all.
        w.stats.set_state_lazy(ThreadState::Working, || {
            if dequeued != 0 { dequeued } else { sh.now_ns() }
        });
        if timed {
            record(
                &mut self.local.wait,
                dequeued.saturating_sub(item.enqueued_ns),
            );
        }
        if let Some(t) = self.trace {
            let _ = t.send(Trace {
                who: w.name.clone(),
                at: Duration::from_nanos(dequeued),
                kind: TraceKind::Received(item.id),
            });
        }
        Taken {
            item,
            d,
            dequeued,
            timed,
        }
    }

    /// Do the work and record the item's end-to-end time; `Crashed` if the
    /// work panicked. Returns when it was done, ns (0 if untimed at zero work).
    #[inline]
    fn work(&mut self, t: Taken) -> Result<u64, ExitReason> {
        let (sh, w, item) = (self.sh, self.w, t.item);
        let crash = !sh.crash_items.is_empty() && sh.crash_items.binary_search(&item.id).is_ok();
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
        if t.timed {
            record(&mut self.local.e2e, done.saturating_sub(item.created_ns));
            self.sojourn += done.saturating_sub(item.enqueued_ns);
            w.stats.sojourn_ns.store(self.sojourn, Ordering::Relaxed);
            bump(&w.stats.timed, 1);
        }
        match outcome {
            Ok(()) => Ok(done),
            Err(message) => Err(self.crashed(item.id, message)),
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
                id: item.id,
                word: word(sh, item.id),
                by: w.name.to_string(),
                done_at: Duration::from_nanos(done),
            });
        }
        // `done` is 0 for untimed items: those flush on the item count instead.
        if (done != 0 && done.saturating_sub(self.last_flush) >= FLUSH_EVERY_NS)
            || (done == 0
                && w.stats
                    .received
                    .load(Ordering::Relaxed)
                    .is_multiple_of(FLUSH_EVERY_ITEMS))
        {
            flush(sh, w, self.local);
            self.last_flush = done;
        }
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
                    item.id
                )));
            }
        }))
    });
    r.map_err(|payload| super::panic_filter::message(&*payload))
}
