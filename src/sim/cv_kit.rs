//! A worker's side of a textbook buffer: the states it shows while it
//! waits for the mutex or sleeps on a condition variable, its sleeps at the
//! numbered points, and the narration of its wake-ups.
//!
//! Narration is bounded: every wake-up is told when the run is a lesson
//! (sleep strings given, or stepping), since that is the point of it; at
//! full speed only a few wake-ups that found nothing are, per thread (the
//! fatal one is also named by the hang report, from the snapshot).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::condvar::{Cv, POINTS, Wake};
use super::event::EventKind;
use super::shared::{Shared, Worker};
use super::spend::spend;
use super::state::{Role, ThreadState};
use super::work::WorkMode;

/// Wake-ups that found nothing, told per thread at full speed.
const TOLD_AT_SPEED: u32 = 3;

/// One thread's textbook-buffer state.
#[derive(Debug)]
pub struct CvKit {
    /// Sleep at each point, ns.
    sleeps: [u64; POINTS],
    /// Tell every wake-up.
    tell_all: bool,
    /// Wake-ups that found nothing told so far.
    told: u32,
    /// The state it shows while it holds the mutex.
    busy: ThreadState,
}

impl CvKit {
    /// The kit for worker `w` (a producer or a consumer).
    pub fn new(sh: &Shared, w: &Worker) -> CvKit {
        let c = &sh.config;
        let (plan, busy) = match w.role {
            Role::Producer => (&c.producer_sleeps, ThreadState::Producing),
            _ => (&c.consumer_sleeps, ThreadState::Working),
        };
        CvKit {
            sleeps: plan.for_thread(w.index),
            tell_all: c.has_sleep_strings() || c.start_paused,
            told: 0,
            busy,
        }
    }

    /// Sleep at point `n` as the sleep string says, on the run clock (a
    /// pause freezes it; an abort ends it).
    pub fn point(&self, sh: &Shared, w: &Worker, n: usize) {
        let ns = self.sleeps.get(n).copied().unwrap_or(0);
        if ns == 0 {
            return;
        }
        let stop = || sh.aborted.load(Ordering::Relaxed);
        let state = w.stats.state();
        let d = Duration::from_nanos(ns);
        spend(sh, w, WorkMode::Sleep, Instant::now(), d, state, &stop);
    }

    /// Blocked acquiring the mutex.
    pub fn lock_contended(&self, sh: &Shared, w: &Worker) {
        w.stats.set_state(ThreadState::WaitingLock, sh.now_ns());
    }

    /// Holding the mutex.
    #[inline]
    pub fn lock_acquired(&self, sh: &Shared, w: &Worker) {
        w.stats.set_state_lazy(self.busy, || sh.now_ns());
    }

    /// Asleep on `cv`.
    pub fn cv_sleep(&self, sh: &Shared, w: &Worker, cv: Cv) {
        w.stats.set_cv(cv);
        w.stats.set_state(ThreadState::WaitingCv, sh.now_ns());
    }

    /// Woke on a variable, holding the mutex again.
    pub fn cv_woke(&mut self, sh: &Shared, w: &Worker, wake: &Wake) {
        w.stats.set_woke(wake.held);
        w.stats.set_state(self.busy, sh.now_ns());
        let tell = self.tell_all || (!wake.held && self.told < TOLD_AT_SPEED);
        if !tell {
            return;
        }
        if !wake.held {
            self.told += 1;
        }
        let threads = sh.workers();
        let name = |id: u32| {
            threads
                .get(id as usize)
                .map_or_else(|| format!("thread {id}"), |t| t.name.to_string())
        };
        let instead_of = (!wake.held && wake.other_waiting).then(|| other_side(sh, w.role));
        let kind = EventKind::Woke {
            by: wake.by.map(name),
            cv: wake.cv,
            held: wake.held,
            rechecks: wake.rechecks,
            instead_of,
        };
        sh.emit(Some(&w.name), kind);
    }
}

/// The side a signal meant for someone else was meant for, in words.
fn other_side(sh: &Shared, role: Role) -> String {
    match (role, sh.config.producers, sh.config.consumers) {
        (Role::Consumer, 1, _) => "the producer".into(),
        (Role::Consumer, _, _) => "a producer".into(),
        (_, _, 1) => "the consumer".into(),
        _ => "a consumer".into(),
    }
}
