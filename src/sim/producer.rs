//! The producer loop: claim an item, spend the interval making it, put it on
//! the queue (marking itself `blocked-full` only when a non-blocking send
//! fails), repeat until its workload is done or it is told to stop.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use rand::SeedableRng;
use rand::rngs::SmallRng;

use super::config::Workload;
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
    let mut rng = SmallRng::seed_from_u64(thread_seed(sh.config.seed, 1, w.index));
    let total = sh.config.workload.total_items();
    let until = match sh.config.workload {
        Workload::Duration(d) => Some(d),
        _ => None,
    };
    let capacity = sh.config.capacity.limit().unwrap_or(usize::MAX);
    let mut version = u64::MAX;
    let mut spec = WorkSpec::zero();
    let mut ids = sh.initial_share(w.index);
    let mut deadline = Instant::now();
    let mut narrator = BlockNarrator::default();
    let trace = sh.trace.as_ref();
    let mut tick = 0u64;
    let unbounded = sh.config.capacity == super::config::Capacity::Unbounded;
    // --log and map results need every item's times.
    let every_item = trace.is_some() || sh.config.collect_results;
    let mut last_stamp = 0u64;

    w.stats.set_state(ThreadState::Producing, sh.now_ns());
    sh.emit(Some(&w.name), EventKind::Started);
    let leave = |ids: std::ops::Range<u64>, why: ExitReason| {
        sh.return_ids(ids);
        why
    };
    loop {
        if let Gate::Leave(why) = gate(sh, w, true, ThreadState::Producing, &|| !tx.is_full()) {
            return leave(ids, why);
        }
        let v = sh.knob_version.load(Ordering::Acquire);
        if v != version {
            version = v;
            spec = sh.interval_for(w.index);
        }
        // Checking the clock every 16th item is enough at zero interval.
        if let Some(d) = until
            && (!spec.dist.is_zero() || tick.is_multiple_of(TIME_EVERY))
        {
            let active = sh
                .now_ns()
                .saturating_sub(sh.paused_ns.load(Ordering::Relaxed));
            if active >= d.as_nanos() as u64 {
                return leave(ids, ExitReason::Finished);
            }
        }
        // Unbounded queues get a safety limit, checked every 1024 items.
        if unbounded
            && tick.is_multiple_of(1024)
            && tx.len() >= sh.config.unbounded_limit
            && let Some(why) = hold_at_safety_limit(sh, w, tx)
        {
            return leave(ids, why);
        }
        if ids.is_empty() {
            let block = if spec.dist.is_zero() { FAST_BLOCK } else { 1 };
            ids = sh.claim_ids(block, total);
            if ids.is_empty() {
                return ExitReason::Finished;
            }
        }
        let id = ids.start;
        ids.start += 1;
        w.stats.set_item(id);

        // Make the item: the interval, to an absolute deadline so timer
        // overshoot does not drift the rate; after a long block, restart the
        // schedule from now instead of bursting to catch up.
        let d = spec.dist.sample(&mut rng);
        let timed =
            !d.is_zero() || every_item || tick < TIME_ALL_FIRST || tick.is_multiple_of(TIME_EVERY);
        tick = tick.wrapping_add(1);
        let created = if d.is_zero() {
            if timed { sh.now_ns() } else { NOT_TIMED }
        } else {
            let now = Instant::now();
            let late = now.saturating_duration_since(deadline);
            let start = if late <= d.max(Duration::from_millis(1)) {
                deadline.min(now)
            } else {
                now
            };
            deadline = start + d;
            let stop = || {
                sh.aborted.load(Ordering::Relaxed)
                    || sh.stop_producers.load(Ordering::Relaxed)
                    || w.retire.load(Ordering::Relaxed)
            };
            if !spend(sh, w, spec.mode, start, d, ThreadState::Producing, &stop) {
                // Stopped while making it: the item is never put.
                let why = gate_reason(sh, w);
                return leave(id..ids.end, why);
            }
            sh.ns_at(start)
        };

        let enq = if !timed || d.is_zero() {
            created
        } else {
            sh.now_ns()
        };
        let item = Item {
            id,
            producer: w.index as u32,
            created_ns: created,
            enqueued_ns: enq,
        };
        let mut stamped = enq;
        let restamp = |m: &mut Msg, stamped: &mut u64| {
            if timed {
                *stamped = sh.now_ns();
                m.stamp(*stamped);
            }
        };
        let sent = match try_send(tx, Msg::item(item)) {
            Ok(()) => Ok(()),
            Err(Some(msg)) => spin_send(tx, msg, |m| restamp(m, &mut stamped)),
            Err(None) => Err(None),
        };
        let enqueued_ns = match sent {
            Ok(()) => stamped,
            Err(None) => return leave(ids, ExitReason::Aborted),
            Err(Some(msg)) => {
                let blocked_at = sh.now_ns();
                w.stats.set_state(ThreadState::BlockedFull, blocked_at);
                // Write the shared flag once: a store per block would bounce
                // its cache line between every thread that reads the flags.
                if !sh.ever_full.load(Ordering::Relaxed) {
                    sh.ever_full.store(true, Ordering::Relaxed);
                }
                narrator.blocked(
                    sh,
                    w,
                    blocked_at,
                    EventKind::BlockedFull {
                        capacity: capacity.min(u32::MAX as usize),
                    },
                );
                let mut msg = msg;
                let mut stamped = blocked_at;
                loop {
                    // A wake may have been spent during the interval: look at
                    // the flags before blocking, or a pause could be missed.
                    if let Gate::Leave(why) =
                        gate(sh, w, true, ThreadState::BlockedFull, &|| !tx.is_full())
                    {
                        return leave(id..ids.end, why);
                    }
                    let r = if !timed {
                        // No stamp needed: the cheaper wait (see FAST_WAIT).
                        stamped = sh.now_ns();
                        send_waiting(tx, msg, &w.wake_rx)
                    } else {
                        send_blocking(tx, msg, &w.wake_rx, |m| {
                            stamped = sh.now_ns();
                            if timed {
                                m.stamp(stamped);
                            }
                        })
                    };
                    match r {
                        Blocked::Done(()) => break,
                        // send_blocking has no deadline; treat it like abort.
                        Blocked::Disconnected | Blocked::TimedOut => {
                            return leave(ids, ExitReason::Aborted);
                        }
                        // Pause, stop or abort: checked at the loop's top (an
                        // item never put gives its id back for another producer).
                        Blocked::Woken(m) => msg = m,
                    }
                }
                let now = sh.now_ns();
                narrator.unblocked(sh, w, Duration::from_nanos(now - blocked_at));
                w.stats.set_state(ThreadState::Producing, now);
                stamped
            }
        };
        bump(&w.stats.items, 1);
        // Untimed items take the last timed stamp: the strip's order is then
        // exact to within one sampling group.
        if enqueued_ns != NOT_TIMED {
            last_stamp = enqueued_ns;
        }
        w.recent.push(id, last_stamp);
        if let Some(t) = trace {
            let _ = t.send(Trace {
                who: w.name.clone(),
                at: Duration::from_nanos(enqueued_ns),
                kind: TraceKind::Produced(id),
            });
        }
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
