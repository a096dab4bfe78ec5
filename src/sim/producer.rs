//! The producer loop: claim an item, spend the interval making it, put it on
//! the queue (marking itself `blocked-full` only when a non-blocking send and
//! a short spin both fail), repeat until its workload is done or it is told
//! to stop. Each item is one [`Producer::turn`], a call per step.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use super::condvar::{Cv, Hooks, Wake};
use super::config::{Capacity, Workload};
use super::cv_kit::CvKit;
use super::event::EventKind;
use super::gate::{Gate, calm, gate, gate_timed};
use super::handoff::{MAX_PRODUCER_FIELD, Outcome, Outgoing, Queue, Stamp, Waiter};
use super::shared::{EndTurnOnExit, Shared, Worker};
use super::spend::spend;
use super::state::{ExitReason, ThreadState};
use super::stats::{NO_ITEM, bump};
use super::trace::{Trace, TraceKind};
use super::work::{WorkSpec, lower_timer_slack};
use super::worker_kit::{BlockNarrator, CHECK_EVERY, thread_seed};

/// Ids claimed at once when producing flat out (amortises the shared counter).
pub const FAST_BLOCK: u64 = 64;

/// When producers have no interval, only one item in this many is timed
/// (and stands for all of them in the histograms): a clock read costs about
/// as much as a whole hand-off, and at millions of items a second a 1-in-64
/// sample gives the same percentiles. Counters stay exact; every item is
/// timed whenever producing takes time or a trace or results need it.
pub const TIME_EVERY: u64 = 64;

/// Each producer times all of its first this many items, so short runs
/// (a handful of tasks) are measured exactly, not from a sample of one.
pub const TIME_ALL_FIRST: u64 = 1024;

/// Runs one producer until it leaves; records why.
pub fn run(sh: Arc<Shared>, w: Arc<Worker>, q: Queue) {
    lower_timer_slack();
    let _worker = super::sleep::Worker::enter();
    let reason = {
        let _turn = EndTurnOnExit(&sh, &w);
        produce(&sh, &w, &q)
    };
    let now = sh.now_ns();
    w.stats.set_item(NO_ITEM);
    w.stats.set_exit(reason, now);
    sh.emit(Some(&w.name), EventKind::Exited(reason));
    sh.wake_coordinator();
}

fn produce(sh: &Shared, w: &Worker, q: &Queue) -> ExitReason {
    let mut p = Producer::new(sh, w, q);
    w.stats.set_state(ThreadState::Producing, sh.now_ns());
    sh.emit(Some(&w.name), EventKind::Started);
    loop {
        if let Err(why) = p.turn() {
            return why;
        }
    }
}

/// One producer's loop state, on its own thread. Each step of [`Producer::turn`]
/// returns `Err` with the reason when the thread must leave (having given
/// back the ids it claimed and did not produce).
struct Producer<'a> {
    sh: &'a Shared,
    w: &'a Worker,
    q: &'a Queue,
    trace: Option<&'a Sender<Trace>>,
    rng: SmallRng,
    /// Items in the whole workload (`None`: no fixed number).
    total: Option<u64>,
    /// Run time of a duration workload.
    until: Option<Duration>,
    /// Queue capacity, for the `blocked-full` event.
    capacity: usize,
    unbounded: bool,
    /// --log and map results need every item's times.
    every_item: bool,
    /// The knob version `spec` was read at.
    version: u64,
    spec: WorkSpec,
    /// `spec` is zero: no interval to draw or spend.
    flat_out: bool,
    /// Its index as the queue carries it.
    producer_field: u32,
    /// Turns left before it looks at its flags again (see [`CHECK_EVERY`]).
    unchecked: u32,
    /// Ids claimed and not yet produced.
    ids: Range<u64>,
    /// When the current interval ends (the absolute schedule).
    deadline: Instant,
    narrator: BlockNarrator,
    /// Items made so far (wrapping): decides which ones are timed.
    tick: u64,
    /// The last real enqueue stamp (untimed items reuse it).
    last_stamp: u64,
    /// While blocked: since when, ns.
    blocked_at: u64,
    /// Why a blocked put gave up.
    why: Option<ExitReason>,
    /// Its side of a textbook buffer.
    cv: CvKit,
    /// The item in hand was counted inside a textbook buffer's `put`.
    accounted: bool,
}

impl<'a> Producer<'a> {
    fn new(sh: &'a Shared, w: &'a Worker, q: &'a Queue) -> Self {
        let trace = sh.trace.as_ref();
        Producer {
            sh,
            w,
            q,
            trace,
            rng: SmallRng::seed_from_u64(thread_seed(sh.config.seed, 1, w.index)),
            total: sh.config.workload.total_items(),
            until: match sh.config.workload {
                Workload::Duration(d) => Some(d),
                _ => None,
            },
            capacity: sh.config.capacity.limit().unwrap_or(usize::MAX),
            unbounded: sh.config.capacity == Capacity::Unbounded,
            every_item: trace.is_some() || sh.config.collect_results,
            version: u64::MAX,
            spec: WorkSpec::zero(),
            flat_out: true,
            producer_field: w.index.min(MAX_PRODUCER_FIELD as usize) as u32,
            unchecked: 0,
            ids: sh.initial_share(w.index),
            deadline: Instant::now(),
            narrator: BlockNarrator::default(),
            tick: 0,
            last_stamp: 0,
            blocked_at: 0,
            why: None,
            cv: CvKit::new(sh, w),
            accounted: false,
        }
    }

    /// One item: check in, claim an id, make the item, put it, count it.
    #[inline]
    fn turn(&mut self) -> Result<(), ExitReason> {
        self.check_in()?;
        let id = self.claim()?;
        let item = self.make(id)?;
        self.ready_to_put(id)?;
        let enqueued_ns = self.put(item)?;
        // A textbook buffer's put has counted it already (see `Hooks::point`).
        if !std::mem::take(&mut self.accounted) {
            self.account(id, enqueued_ns);
        }
        if self.sh.paused.load(Ordering::Relaxed) {
            super::gate::narrate_step(self.sh, self.w, EventKind::StepPut { item: id });
        }
        Ok(())
    }

    /// Before each item (flat out, each [`CHECK_EVERY`]th): leave if told
    /// to, reload changed knobs, end a duration workload on time, wait at an
    /// unbounded queue's safety limit.
    #[inline]
    fn check_in(&mut self) -> Result<(), ExitReason> {
        if self.unchecked > 0 {
            self.unchecked -= 1;
            return Ok(());
        }
        self.check_in_now()
    }

    fn check_in_now(&mut self) -> Result<(), ExitReason> {
        let (sh, w, q) = (self.sh, self.w, self.q);
        if !calm(sh, w, true) {
            // Making an item only takes time: while paused, a step's time
            // lets it on (its put then waits for the step: `ready_to_put`).
            if let Gate::Leave(why) = gate_timed(sh, w, true, ThreadState::Producing) {
                return Err(self.leave(why));
            }
        } else if self.flat_out {
            self.unchecked = CHECK_EVERY - 1;
        }
        let v = sh.knob_version.load(Ordering::Acquire);
        if v != self.version {
            self.version = v;
            self.spec = sh.interval_for(w.index);
            self.flat_out = self.spec.dist.is_zero();
            self.unchecked = 0;
        }
        if let Some(d) = self.until {
            // On the run clock: paused time and time waiting for a step do not count.
            if sh.now_ns() >= d.as_nanos() as u64 {
                return Err(self.leave(ExitReason::Finished));
            }
        }
        // Unbounded queues get a safety limit.
        if self.unbounded
            && q.len() >= sh.config.unbounded_limit
            && let Some(why) = hold_at_safety_limit(sh, w, q)
        {
            return Err(self.leave(why));
        }
        Ok(())
    }

    /// The next item's id, claiming a new block when the last is used up;
    /// `Finished` when the workload has no ids left.
    #[inline]
    fn claim(&mut self) -> Result<u64, ExitReason> {
        if self.ids.is_empty() {
            let block = if self.flat_out { FAST_BLOCK } else { 1 };
            self.ids = self.sh.claim_ids(block, self.total);
            if self.ids.is_empty() {
                return Err(ExitReason::Finished);
            }
        }
        let id = self.ids.start;
        self.ids.start += 1;
        self.w.stats.set_item(id);
        Ok(id)
    }

    /// Make item `id`, spending the interval; it is timed (see
    /// [`TIME_EVERY`]) with the weight of the items it stands for.
    #[inline]
    fn make(&mut self, id: u64) -> Result<Outgoing, ExitReason> {
        let tick = self.tick;
        self.tick = tick.wrapping_add(1);
        let stamp = if self.flat_out {
            let weight = if self.every_item || tick < TIME_ALL_FIRST {
                1
            } else if tick.is_multiple_of(TIME_EVERY) {
                TIME_EVERY
            } else {
                0
            };
            // No interval: made the moment it is put.
            (weight > 0).then(|| {
                let now = self.sh.now_ns();
                Stamp {
                    created_ns: now,
                    enqueued_ns: now,
                    weight,
                }
            })
        } else {
            let d = self.spec.dist.sample(&mut self.rng);
            let created_ns = self.spend_interval(id, d)?;
            Some(Stamp {
                created_ns,
                enqueued_ns: self.sh.now_ns(),
                weight: 1,
            })
        };
        Ok(Outgoing {
            id,
            producer: self.producer_field,
            stamp,
        })
    }

    /// Spend the interval `d` making item `id`, to an absolute deadline so
    /// timer overshoot does not drift the rate; after a long block, restart
    /// the schedule from now instead of bursting to catch up. Returns when
    /// making began.
    fn spend_interval(&mut self, id: u64, d: Duration) -> Result<u64, ExitReason> {
        let (sh, w) = (self.sh, self.w);
        let now = Instant::now();
        let late = now.saturating_duration_since(self.deadline);
        let start = if late <= d.max(Duration::from_millis(1)) {
            self.deadline.min(now)
        } else {
            now
        };
        self.deadline = start + d;
        let stop = || {
            sh.aborted.load(Ordering::Relaxed)
                || sh.stop_producers.load(Ordering::Relaxed)
                || w.retire.load(Ordering::Relaxed)
        };
        if !spend(
            sh,
            w,
            self.spec.mode,
            start,
            d,
            ThreadState::Producing,
            &stop,
        ) {
            // Stopped while making it: the item is never put.
            let why = gate_reason(sh, w);
            return Err(self.leave_with(id, why));
        }
        Ok(sh.ns_at(start))
    }

    /// While paused, the put is a queue operation: it waits for a step. One
    /// load per item, even flat out between flag checks (see
    /// [`CHECK_EVERY`]), so a pause stops a producer within one item.
    #[inline]
    fn ready_to_put(&mut self, id: u64) -> Result<(), ExitReason> {
        if self.sh.paused.load(Ordering::Relaxed) {
            return self.put_when_stepped(id);
        }
        Ok(())
    }

    /// Paused: park until a step lets this put happen (or the thread must
    /// leave); after it, look at every flag and knob at the next turn.
    #[cold]
    fn put_when_stepped(&mut self, id: u64) -> Result<(), ExitReason> {
        let (sh, w, q) = (self.sh, self.w, self.q);
        self.unchecked = 0;
        if let Gate::Leave(why) = gate(sh, w, true, ThreadState::Producing, &|| !q.is_full()) {
            return Err(self.leave_with(id, why));
        }
        Ok(())
    }

    /// Put the item on the queue (shown `blocked-full` only if it has to
    /// wait). Returns its enqueue stamp (`None`: untimed).
    #[inline]
    fn put(&mut self, item: Outgoing) -> Result<Option<u64>, ExitReason> {
        let q = self.q;
        match q.put(item, self) {
            Outcome::Done(stamped) => Ok(stamped),
            Outcome::Disconnected => Err(self.leave_with(item.id, ExitReason::Aborted)),
            Outcome::Bug(why) => Err(self.bug(item.id, why)),
            // Pause, stop or abort, seen by the gate: an item never put
            // gives its id back for another producer.
            Outcome::Woken => {
                let why = self.why.take().unwrap_or(ExitReason::Aborted);
                Err(self.leave_with(item.id, why))
            }
        }
    }

    /// Count the item as produced and note it for the queue strip and `--log`.
    #[inline]
    fn account(&mut self, id: u64, enqueued_ns: Option<u64>) {
        let w = self.w;
        bump(&w.stats.items, 1);
        // Untimed items take the last timed stamp: the strip's order is then
        // exact to within one sampling group.
        if let Some(ns) = enqueued_ns {
            self.last_stamp = ns;
        }
        w.recent.push(id, self.last_stamp);
        if let Some(t) = self.trace {
            let _ = t.send(Trace {
                who: w.name.clone(),
                at: Duration::from_nanos(self.last_stamp),
                kind: TraceKind::Produced(id),
            });
        }
    }

    /// A textbook buffer's bug: the put found the buffer full after a
    /// wake-up it did not re-check. Nothing was put; the item's id goes back.
    #[cold]
    fn bug(&mut self, id: u64, why: &'static str) -> ExitReason {
        let kind = EventKind::Crashed {
            item: None,
            message: why.into(),
        };
        self.sh.emit(Some(&self.w.name), kind);
        self.leave_with(id, ExitReason::Crashed)
    }

    /// Leave for `why`, giving back the ids claimed and not produced.
    #[cold]
    fn leave(&mut self, why: ExitReason) -> ExitReason {
        self.sh.return_ids(std::mem::take(&mut self.ids));
        why
    }

    /// Leave with item `id` claimed but never put: its id goes back too.
    #[cold]
    fn leave_with(&mut self, id: u64, why: ExitReason) -> ExitReason {
        self.ids.start = id;
        self.leave(why)
    }
}

/// Its side of a textbook buffer (see `cv_kit`).
impl Hooks for Producer<'_> {
    fn thread_id(&self) -> u32 {
        self.w.id as u32
    }

    fn point(&mut self, n: usize) {
        if n == 4 {
            // p4: the item is in the buffer and the lock still held. Count
            // and log it now, as the homework's trace prints at each point:
            // done after `unlock`, a `--log` line's work would sit between
            // the producer's unlock and its next lock, the window the
            // one-cv lesson depends on.
            if let Some(id) = self.w.stats.current_item() {
                let now = self.sh.now_ns();
                self.account(id, Some(now));
                self.accounted = true;
            }
        }
        self.cv.point(self.sh, self.w, n);
    }

    fn lock_contended(&mut self) {
        self.cv.lock_contended(self.sh, self.w);
    }

    fn lock_acquired(&mut self) {
        self.cv.lock_acquired(self.sh, self.w);
    }

    fn cv_sleep(&mut self, cv: Cv) {
        self.cv.cv_sleep(self.sh, self.w, cv);
    }

    fn cv_woke(&mut self, wake: &Wake) {
        self.cv.cv_woke(self.sh, self.w, wake);
    }
}

/// A producer waits on a full queue as `blocked-full`, and leaves the wait
/// when its gate says so.
impl Waiter for Producer<'_> {
    fn now_ns(&self) -> u64 {
        self.sh.now_ns()
    }

    fn wake_rx(&self) -> &Receiver<()> {
        &self.w.wake_rx
    }

    fn blocked(&mut self, at_ns: u64) -> bool {
        let (sh, w) = (self.sh, self.w);
        self.blocked_at = at_ns;
        w.stats.set_state(ThreadState::BlockedFull, at_ns);
        // Write the shared flag once: a store per block would bounce its
        // cache line between every thread that reads the flags.
        if !sh.ever_full.load(Ordering::Relaxed) {
            sh.ever_full.store(true, Ordering::Relaxed);
        }
        let capacity = self.capacity.min(u32::MAX as usize);
        let kind = EventKind::BlockedFull { capacity };
        self.narrator.blocked(sh, w, at_ns, kind);
        // A wake may have been spent during the interval: look at the flags
        // before blocking, or a pause could be missed.
        self.woken()
    }

    fn woken(&mut self) -> bool {
        let (sh, w, q) = (self.sh, self.w, self.q);
        match gate(sh, w, true, ThreadState::BlockedFull, &|| !q.is_full()) {
            Gate::Go => true,
            Gate::Leave(why) => {
                self.why = Some(why);
                false
            }
        }
    }

    fn unblocked(&mut self, at_ns: u64) {
        let (sh, w) = (self.sh, self.w);
        let after = Duration::from_nanos(at_ns.saturating_sub(self.blocked_at));
        self.narrator.unblocked(sh, w, after);
        w.stats.set_state(ThreadState::Producing, at_ns);
    }
}

/// Waits (shown as `blocked-full`) while an unbounded queue is at its safety
/// limit; `Some` if the thread must leave meanwhile.
fn hold_at_safety_limit(sh: &Shared, w: &Worker, q: &Queue) -> Option<ExitReason> {
    let limit = sh.config.unbounded_limit.max(1);
    w.stats.set_state(ThreadState::BlockedFull, sh.now_ns());
    sh.emit(
        Some(&w.name),
        EventKind::Run(format!(
            "{} waits: the unbounded queue reached its safety limit of {} messages",
            w.name, limit
        )),
    );
    // Resume a little below the limit, so the wait is not one item long.
    while q.len() >= limit - limit / 100 {
        if let Gate::Leave(why) = gate(sh, w, true, ThreadState::BlockedFull, &|| false) {
            return Some(why);
        }
        // Sleep on the wake channel so pause/stop/abort still reach it.
        let _ = w.wake_rx.recv_timeout(Duration::from_millis(5));
    }
    w.stats.set_state(ThreadState::Producing, sh.now_ns());
    None
}

fn gate_reason(sh: &Shared, w: &Worker) -> ExitReason {
    match gate(sh, w, true, ThreadState::Producing, &|| false) {
        Gate::Leave(why) => why,
        Gate::Go => ExitReason::Stopped,
    }
}
