//! The producer loop: claim an item, spend the interval making it, put it on
//! the queue (marking itself `blocked-full` only when a non-blocking send and
//! a short spin both fail), repeat until its workload is done or it is told
//! to stop. Each item is one [`Producer::turn`], a call per step.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use rand::SeedableRng;
use rand::rngs::SmallRng;

use super::config::{Capacity, Workload};
use super::event::EventKind;
use super::gate::{Gate, gate};
use super::queue::{
    Blocked, Item, Msg, NOT_TIMED, TIME_ALL_FIRST, TIME_EVERY, send_blocking, send_waiting,
    spin_send, try_send,
};
use super::shared::{Shared, Worker};
use super::spend::spend;
use super::state::{ExitReason, ThreadState};
use super::stats::{NO_ITEM, bump};
use super::trace::{Trace, TraceKind};
use super::work::{WorkSpec, lower_timer_slack};
use super::worker_kit::{BlockNarrator, thread_seed};

/// Ids claimed at once when producing flat out (amortises the shared counter).
const FAST_BLOCK: u64 = 64;

/// Runs one producer until it leaves; records why.
pub fn run(sh: Arc<Shared>, w: Arc<Worker>, tx: Sender<Msg>) {
    lower_timer_slack();
    let reason = produce(&sh, &w, &tx);
    let now = sh.now_ns();
    w.stats.set_item(NO_ITEM);
    w.stats.set_exit(reason, now);
    sh.emit(Some(&w.name), EventKind::Exited(reason));
    sh.wake_coordinator();
}

fn produce(sh: &Shared, w: &Worker, tx: &Sender<Msg>) -> ExitReason {
    let mut p = Producer::new(sh, w, tx);
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
    tx: &'a Sender<Msg>,
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
    /// Ids claimed and not yet produced.
    ids: Range<u64>,
    /// When the current interval ends (the absolute schedule).
    deadline: Instant,
    narrator: BlockNarrator,
    /// Items made so far (wrapping): decides which ones are timed.
    tick: u64,
    /// The last real enqueue stamp (untimed items reuse it).
    last_stamp: u64,
}

impl<'a> Producer<'a> {
    fn new(sh: &'a Shared, w: &'a Worker, tx: &'a Sender<Msg>) -> Self {
        let trace = sh.trace.as_ref();
        Producer {
            sh,
            w,
            tx,
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
            ids: sh.initial_share(w.index),
            deadline: Instant::now(),
            narrator: BlockNarrator::default(),
            tick: 0,
            last_stamp: 0,
        }
    }

    /// One item: check in, claim an id, make the item, put it, count it.
    #[inline]
    fn turn(&mut self) -> Result<(), ExitReason> {
        self.check_in()?;
        let id = self.claim()?;
        let (item, timed) = self.make(id)?;
        let enqueued_ns = self.put(item, timed)?;
        self.account(id, enqueued_ns);
        Ok(())
    }

    /// Before each item: leave if told to, reload changed knobs, end a
    /// duration workload on time, wait at an unbounded queue's safety limit.
    #[inline]
    fn check_in(&mut self) -> Result<(), ExitReason> {
        let (sh, w, tx) = (self.sh, self.w, self.tx);
        if let Gate::Leave(why) = gate(sh, w, true, ThreadState::Producing, &|| !tx.is_full()) {
            return Err(self.leave(why));
        }
        let v = sh.knob_version.load(Ordering::Acquire);
        if v != self.version {
            self.version = v;
            self.spec = sh.interval_for(w.index);
        }
        // Checking the clock every 16th item is enough at zero interval.
        if let Some(d) = self.until
            && (!self.spec.dist.is_zero() || self.tick.is_multiple_of(TIME_EVERY))
        {
            let active = sh
                .now_ns()
                .saturating_sub(sh.paused_ns.load(Ordering::Relaxed));
            if active >= d.as_nanos() as u64 {
                return Err(self.leave(ExitReason::Finished));
            }
        }
        // Unbounded queues get a safety limit, checked every 1024 items.
        if self.unbounded
            && self.tick.is_multiple_of(1024)
            && tx.len() >= sh.config.unbounded_limit
            && let Some(why) = hold_at_safety_limit(sh, w, tx)
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
            let block = if self.spec.dist.is_zero() {
                FAST_BLOCK
            } else {
                1
            };
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

    /// Make item `id`, spending the interval; also says whether it is timed
    /// (see [`TIME_EVERY`]).
    #[inline]
    fn make(&mut self, id: u64) -> Result<(Item, bool), ExitReason> {
        let d = self.spec.dist.sample(&mut self.rng);
        let tick = self.tick;
        let timed = !d.is_zero()
            || self.every_item
            || tick < TIME_ALL_FIRST
            || tick.is_multiple_of(TIME_EVERY);
        self.tick = tick.wrapping_add(1);
        let created = if d.is_zero() {
            if timed { self.sh.now_ns() } else { NOT_TIMED }
        } else {
            self.spend_interval(id, d)?
        };
        let enqueued_ns = if !timed || d.is_zero() {
            created
        } else {
            self.sh.now_ns()
        };
        let item = Item {
            id,
            producer: self.w.index as u32,
            created_ns: created,
            enqueued_ns,
        };
        Ok((item, timed))
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

    /// Put the item on the queue: one try, a short spin, and only then a
    /// blocking send. Returns its enqueue stamp.
    #[inline]
    fn put(&mut self, item: Item, timed: bool) -> Result<u64, ExitReason> {
        let sh = self.sh;
        let mut stamped = item.enqueued_ns;
        let sent = match try_send(self.tx, Msg::item(item)) {
            Ok(()) => Ok(()),
            Err(Some(msg)) => spin_send(self.tx, msg, |m| {
                if timed {
                    stamped = sh.now_ns();
                    m.stamp(stamped);
                }
            }),
            Err(None) => Err(None),
        };
        match sent {
            Ok(()) => Ok(stamped),
            Err(None) => Err(self.leave(ExitReason::Aborted)),
            Err(Some(msg)) => self.put_blocked(item.id, msg, timed),
        }
    }

    /// The queue stayed full: show `blocked-full` until the send goes
    /// through or the thread is told to leave. Returns the enqueue stamp.
    fn put_blocked(&mut self, id: u64, mut msg: Msg, timed: bool) -> Result<u64, ExitReason> {
        let (sh, w, tx) = (self.sh, self.w, self.tx);
        let blocked_at = sh.now_ns();
        w.stats.set_state(ThreadState::BlockedFull, blocked_at);
        // Write the shared flag once: a store per block would bounce its
        // cache line between every thread that reads the flags.
        if !sh.ever_full.load(Ordering::Relaxed) {
            sh.ever_full.store(true, Ordering::Relaxed);
        }
        let capacity = self.capacity.min(u32::MAX as usize);
        let kind = EventKind::BlockedFull { capacity };
        self.narrator.blocked(sh, w, blocked_at, kind);
        let mut stamped = blocked_at;
        loop {
            // A wake may have been spent during the interval: look at the
            // flags before blocking, or a pause could be missed.
            if let Gate::Leave(why) = gate(sh, w, true, ThreadState::BlockedFull, &|| !tx.is_full())
            {
                return Err(self.leave_with(id, why));
            }
            let r = if timed {
                send_blocking(tx, msg, &w.wake_rx, |m| {
                    stamped = sh.now_ns();
                    m.stamp(stamped);
                })
            } else {
                // No stamp needed: the cheaper wait (see FAST_WAIT).
                stamped = sh.now_ns();
                send_waiting(tx, msg, &w.wake_rx)
            };
            match r {
                Blocked::Done(()) => break,
                // send_blocking has no deadline; treat it like abort.
                Blocked::Disconnected | Blocked::TimedOut => {
                    return Err(self.leave(ExitReason::Aborted));
                }
                // Pause, stop or abort: checked by the gate above (an item
                // never put gives its id back for another producer).
                Blocked::Woken(m) => msg = m,
            }
        }
        let now = sh.now_ns();
        self.narrator
            .unblocked(sh, w, Duration::from_nanos(now - blocked_at));
        w.stats.set_state(ThreadState::Producing, now);
        Ok(stamped)
    }

    /// Count the item as produced and note it for the queue strip and `--log`.
    #[inline]
    fn account(&mut self, id: u64, enqueued_ns: u64) {
        let w = self.w;
        bump(&w.stats.items, 1);
        // Untimed items take the last timed stamp: the strip's order is then
        // exact to within one sampling group.
        if enqueued_ns != NOT_TIMED {
            self.last_stamp = enqueued_ns;
        }
        w.recent.push(id, self.last_stamp);
        if let Some(t) = self.trace {
            let _ = t.send(Trace {
                who: w.name.clone(),
                at: Duration::from_nanos(enqueued_ns),
                kind: TraceKind::Produced(id),
            });
        }
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

/// Waits (shown as `blocked-full`) while an unbounded queue is at its safety
/// limit; `Some` if the thread must leave meanwhile.
fn hold_at_safety_limit(sh: &Shared, w: &Worker, tx: &Sender<Msg>) -> Option<ExitReason> {
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
    while tx.len() >= limit - limit / 100 {
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
