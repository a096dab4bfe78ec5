//! The consumer loop, as in the seed programs: `get()` → pill? exit : work.
//! Marks itself `waiting-empty` only when a non-blocking receive fails;
//! keeps latencies in thread-local histograms flushed every 50 ms; catches a
//! panic in its work so the item is counted as failed and the thread as
//! crashed, while every other thread goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
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
    let mut rng = SmallRng::seed_from_u64(thread_seed(sh.config.seed, 2, w.index));
    let mut version = u64::MAX;
    let mut spec = WorkSpec::zero();
    let mut narrator = BlockNarrator::default();
    let mut last_flush = 0u64;
    let mut sojourn = 0u64;
    let trace = sh.trace.as_ref();

    w.stats.set_state(ThreadState::WaitingEmpty, sh.now_ns());
    sh.emit(Some(&w.name), EventKind::Started);
    loop {
        if let Gate::Leave(why) = gate(sh, w, false, ThreadState::WaitingEmpty, &|| !rx.is_empty())
        {
            return why;
        }
        let v = sh.knob_version.load(Ordering::Acquire);
        if v != version {
            version = v;
            spec = sh.knobs().work;
        }
        let msg = match rx.try_recv() {
            Ok(m) => m,
            Err(TryRecvError::Disconnected) => return ExitReason::Aborted,
            Err(TryRecvError::Empty) => match spin_recv(rx) {
                Some(m) => m,
                None => {
                    let since = sh.now_ns();
                    w.stats.set_item(NO_ITEM);
                    w.stats.set_state(ThreadState::WaitingEmpty, since);
                    narrator.blocked(sh, w, since, EventKind::WaitingEmpty);
                    // A flush costs microseconds, too much for every short
                    // wait at zero work: publish latencies only if the wait
                    // outlasts the flush period, so an idle screen is current.
                    let mut flush_at = (!local.is_empty()).then(|| Instant::now() + FLUSH_PERIOD);
                    let got = loop {
                        match recv_waiting(rx, &w.wake_rx, flush_at) {
                            Blocked::Done(m) => break Some(m),
                            Blocked::TimedOut => {
                                flush(sh, w, local);
                                flush_at = None;
                            }
                            Blocked::Woken(_) => break None,
                            Blocked::Disconnected => return ExitReason::Aborted,
                        }
                    };
                    match got {
                        Some(m) => {
                            narrator.unblocked(sh, w, Duration::from_nanos(sh.now_ns() - since));
                            m
                        }
                        None => continue,
                    }
                }
            },
        };
        let item = match msg.get() {
            None => {
                let now = sh.now_ns();
                bump(&w.stats.pills, 1);
                w.stats.set_item(NO_ITEM);
                if let Some(t) = trace {
                    let _ = t.send(Trace {
                        who: w.name.clone(),
                        at: Duration::from_nanos(now),
                        kind: TraceKind::Pill,
                    });
                }
                sh.emit(Some(&w.name), EventKind::PillReceived);
                return ExitReason::Pill;
            }
            Some(item) => item,
        };
        let d = spec.dist.sample(&mut rng);
        let timed = item.enqueued_ns != NOT_TIMED;
        // Read the clock only when something needs it (see TIME_EVERY).
        let dequeued = if timed || !d.is_zero() || trace.is_some() {
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
            record(&mut local.wait, dequeued.saturating_sub(item.enqueued_ns));
        }
        if let Some(t) = trace {
            let _ = t.send(Trace {
                who: w.name.clone(),
                at: Duration::from_nanos(dequeued),
                kind: TraceKind::Received(item.id),
            });
        }

        let crash = !sh.crash_items.is_empty() && sh.crash_items.binary_search(&item.id).is_ok();
        let outcome = if crash || !d.is_zero() {
            do_work(sh, w, spec, d, crash, item)
        } else {
            Ok(())
        };
        let done = if d.is_zero() { dequeued } else { sh.now_ns() };
        if timed {
            record(&mut local.e2e, done.saturating_sub(item.created_ns));
            sojourn += done.saturating_sub(item.enqueued_ns);
            w.stats.sojourn_ns.store(sojourn, Ordering::Relaxed);
            bump(&w.stats.timed, 1);
        }
        if let Err(message) = outcome {
            bump(&w.stats.failed, 1);
            bump(&w.stats.items, 1);
            sh.emit(
                Some(&w.name),
                EventKind::Crashed {
                    item: Some(item.id),
                    message,
                },
            );
            return ExitReason::Crashed;
        }
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
        if (done != 0 && done.saturating_sub(last_flush) >= FLUSH_EVERY_NS)
            || (done == 0
                && w.stats
                    .received
                    .load(Ordering::Relaxed)
                    .is_multiple_of(FLUSH_EVERY_ITEMS))
        {
            flush(sh, w, local);
            last_flush = done;
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
