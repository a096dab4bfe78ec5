//! An emulated global interpreter lock, for the seed's "threads vs
//! processes" lesson. CPU work (spinning) must hold it, and hands it over
//! every switch interval (Python's `sys.getswitchinterval()`, 5 ms by
//! default) in strict FIFO order; sleeping work releases it. With it on,
//! CPU-bound consumers cannot use more than one core between them, while
//! sleep-bound ones still overlap.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::sync::lock;

// The default lives with the rest of the config; still reachable here.
pub use super::config::DEFAULT_SWITCH;

/// How often a waiter re-checks for abort.
const WAIT_SLICE: Duration = Duration::from_millis(20);

/// The lock: a ticket lock (FIFO, so a releasing thread cannot grab it
/// straight back while others wait) over a mutex and condvar.
#[derive(Debug)]
pub struct Gil {
    enabled: AtomicBool,
    switch: Duration,
    tickets: Mutex<Tickets>,
    turn: Condvar,
}

#[derive(Debug, Default)]
struct Tickets {
    next: u64,
    serving: u64,
    /// Tickets given up before their turn: skipped when reached.
    abandoned: std::collections::BTreeSet<u64>,
}

impl Tickets {
    /// Pass the turn on, skipping given-up tickets.
    fn advance(&mut self) {
        self.serving += 1;
        while self.abandoned.remove(&self.serving) {
            self.serving += 1;
        }
    }
}

impl Gil {
    /// A GIL, on or off, handing over every `switch`.
    pub fn new(enabled: bool, switch: Duration) -> Gil {
        Gil {
            enabled: AtomicBool::new(enabled),
            switch: switch.max(Duration::from_micros(100)),
            tickets: Mutex::new(Tickets::default()),
            turn: Condvar::new(),
        }
    }

    /// Whether CPU work must hold the lock.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Turn emulation on or off (live).
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
        // Waiters re-check their slices and carry on without it if off.
        self.turn.notify_all();
    }

    /// The switch interval.
    pub fn switch_interval(&self) -> Duration {
        self.switch
    }

    /// Take a ticket and wait for its turn, calling `waiting()` once if the
    /// lock is not free at once. Returns `None` (without the lock) when
    /// `stop()` turns true or the GIL is switched off meanwhile.
    pub fn acquire(&self, waiting: impl FnOnce(), stop: &dyn Fn() -> bool) -> Option<GilTurn<'_>> {
        let mut t = lock(&self.tickets);
        let me = t.next;
        t.next += 1;
        let mut waiting = Some(waiting);
        while t.serving != me {
            if let Some(f) = waiting.take() {
                f();
            }
            if stop() || !self.enabled() {
                // Give the ticket up; the queue behind it moves on.
                t.abandoned.insert(me);
                return None;
            }
            t = self
                .turn
                .wait_timeout(t, WAIT_SLICE)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        Some(GilTurn { gil: self })
    }

    /// Spin for `d` from `start`, holding the lock one switch interval at a
    /// time. `waiting()`/`running()` report state changes; returns false if
    /// `stop()` cut it short.
    pub fn spin(
        &self,
        d: Duration,
        waiting: &dyn Fn(),
        running: &dyn Fn(),
        stop: &dyn Fn() -> bool,
    ) -> bool {
        // CPU time owed; time spent waiting for the lock does not count.
        let mut owed = d;
        while !owed.is_zero() {
            if !self.enabled() {
                return super::work::spin_for(owed, stop);
            }
            let mut waited = false;
            let turn = self.acquire(
                || {
                    waited = true;
                    waiting();
                },
                stop,
            );
            if waited {
                running();
            }
            let Some(turn) = turn else {
                if stop() {
                    return false;
                }
                continue; // switched off while waiting
            };
            let slice = owed.min(self.switch);
            let ok = super::work::spin_for(slice, stop);
            drop(turn);
            if !ok {
                return false;
            }
            owed -= slice;
        }
        true
    }
}

/// Holding the lock; dropping it passes the lock to the next ticket.
pub struct GilTurn<'a> {
    gil: &'a Gil,
}

impl Drop for GilTurn<'_> {
    fn drop(&mut self) {
        let mut t = lock(&self.gil.tickets);
        t.advance();
        drop(t);
        self.gil.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn cpu_work_does_not_scale_past_one_thread_with_the_gil() {
        let run = |on: bool| {
            let gil = Arc::new(Gil::new(on, Duration::from_millis(2)));
            let t0 = Instant::now();
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    let g = gil.clone();
                    std::thread::spawn(move || {
                        g.spin(Duration::from_millis(60), &|| {}, &|| {}, &|| false)
                    })
                })
                .collect();
            for h in hs {
                assert!(h.join().unwrap());
            }
            t0.elapsed()
        };
        // Two threads of 60 ms CPU each: with the GIL they take turns (~120 ms).
        let with = run(true);
        assert!(with >= Duration::from_millis(118), "{with:?}");
    }

    #[test]
    fn a_stopped_waiter_gives_up_and_does_not_block_the_queue() {
        let gil = Gil::new(true, Duration::from_millis(5));
        let held = gil.acquire(|| {}, &|| false).unwrap();
        let mut called = false;
        assert!(gil.acquire(|| called = true, &|| true).is_none());
        assert!(called);
        drop(held);
        // The abandoned ticket is skipped: the next one gets the lock.
        assert!(gil.acquire(|| {}, &|| false).is_some());
    }
}
