//! The run clock: *active* time, which stops while the run is paused and
//! while a step-mode run waits for the next step, beside wall time.
//!
//! Everything that divides by time reads this clock: item timestamps, the
//! threads' time per state, rates, utilization, the sampled time averages,
//! Little's law, the history, `duration` workloads and the watchdog. A run
//! paused for any length thus shows the same figures after resuming as
//! before.
//!
//! **Steps.** While paused, each step (`n`) is a token: the clock runs —
//! and with it every thread's work and interval, which are measured on it
//! (see `spend`) — until a thread takes the token for its next queue
//! operation. Then the clock stops again. A step thus advances the run to
//! its next hand-off exactly as an untouched run would have got there, so a
//! stepped run measures the same as one left alone.
//!
//! Transitions are rare and go through a mutex; reading the clock is
//! lock-free and costs about one `Instant::now()` plus three atomic loads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::sync::lock;

/// `frozen_at` while the clock runs.
const RUNNING: u64 = u64::MAX;

/// Why the clock may run: the user's pause and the step tokens not yet taken.
#[derive(Debug, Default)]
struct Holds {
    /// The user paused the run.
    paused: bool,
    /// Step tokens handed out and not yet taken by a queue operation.
    steps: u64,
}

impl Holds {
    fn runs(&self) -> bool {
        !self.paused || self.steps > 0
    }
}

#[derive(Debug)]
struct Inner {
    start: Instant,
    /// Wall ns of every stop that has ended, summed.
    stopped_ns: AtomicU64,
    /// Active ns at which the clock stopped, or [`RUNNING`].
    frozen_at: AtomicU64,
    holds: Mutex<Holds>,
}

/// The run clock (cheap to clone: every clone is the same clock).
#[derive(Clone, Debug)]
pub struct RunClock {
    inner: Arc<Inner>,
}

impl RunClock {
    /// A clock starting now at 0, stopped from the start when `paused`.
    pub fn new(paused: bool) -> RunClock {
        RunClock {
            inner: Arc::new(Inner {
                start: Instant::now(),
                stopped_ns: AtomicU64::new(0),
                frozen_at: AtomicU64::new(if paused { 0 } else { RUNNING }),
                holds: Mutex::new(Holds { paused, steps: 0 }),
            }),
        }
    }

    /// Wall ns since the run started.
    #[inline]
    pub fn wall_ns(&self) -> u64 {
        self.inner.start.elapsed().as_nanos() as u64
    }

    /// Active ns since the run started.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        self.read().0
    }

    /// Active and wall ns since the run started, read together (their
    /// difference is exactly the time the clock has stood still).
    #[inline]
    pub fn read(&self) -> (u64, u64) {
        let i = &self.inner;
        loop {
            let stopped = i.stopped_ns.load(Ordering::Acquire);
            let frozen = i.frozen_at.load(Ordering::Acquire);
            let wall = self.wall_ns();
            if frozen != RUNNING {
                return (frozen, wall.max(frozen));
            }
            // A stop that ended meanwhile changed the offset: read again.
            if i.stopped_ns.load(Ordering::Acquire) == stopped {
                return (wall.saturating_sub(stopped), wall);
            }
        }
    }

    /// Active ns at the instant `t` (a moment ago, typically): now less the
    /// wall time since `t`, and never more than now.
    pub fn ns_at(&self, t: Instant) -> u64 {
        let now = self.now_ns();
        if self.is_stopped() {
            return now;
        }
        now.saturating_sub(Instant::now().saturating_duration_since(t).as_nanos() as u64)
    }

    /// True while the clock stands still.
    #[inline]
    pub fn is_stopped(&self) -> bool {
        self.inner.frozen_at.load(Ordering::Relaxed) != RUNNING
    }

    /// Wall ns the clock has stood still (ended stops and the current one).
    pub fn stopped_ns(&self) -> u64 {
        let (active, wall) = self.read();
        wall - active
    }

    /// The user paused (`true`) or resumed the run. Resuming drops the
    /// step tokens not taken.
    pub fn set_paused(&self, paused: bool) {
        self.change(|h| {
            h.paused = paused;
            if !paused {
                h.steps = 0;
            }
        });
    }

    /// While paused: one more step token; the clock runs until it is taken.
    pub fn add_step(&self) {
        self.change(|h| h.steps += 1);
    }

    /// Takes a step token for one queue operation, if there is one; the
    /// clock stops again when it was the last.
    pub fn take_step(&self) -> bool {
        let mut took = false;
        self.change(|h| {
            if h.steps > 0 {
                h.steps -= 1;
                took = true;
            }
        });
        took
    }

    /// Applies a change of the holds, stopping or starting the clock.
    fn change(&self, f: impl FnOnce(&mut Holds)) {
        let i = &self.inner;
        let mut holds = lock(&i.holds);
        let before = holds.runs();
        f(&mut holds);
        let after = holds.runs();
        if before && !after {
            let wall = self.wall_ns();
            let active = wall.saturating_sub(i.stopped_ns.load(Ordering::Acquire));
            i.frozen_at.store(active, Ordering::Release);
        } else if !before && after {
            let wall = self.wall_ns();
            let frozen = i.frozen_at.load(Ordering::Acquire);
            i.stopped_ns
                .store(wall.saturating_sub(frozen), Ordering::Release);
            i.frozen_at.store(RUNNING, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const MS: u64 = 1_000_000;

    fn sleep_ms(n: u64) {
        std::thread::sleep(Duration::from_millis(n));
    }

    #[test]
    fn a_pause_stops_active_time_and_wall_time_goes_on() {
        let c = RunClock::new(false);
        sleep_ms(30);
        c.set_paused(true);
        let at_pause = c.now_ns();
        sleep_ms(60);
        assert_eq!(c.now_ns(), at_pause, "stands still while paused");
        c.set_paused(false);
        sleep_ms(30);
        let active = c.now_ns();
        let wall = c.wall_ns();
        assert!((55 * MS..90 * MS).contains(&active), "{active}");
        assert!(wall >= active + 58 * MS, "wall {wall} active {active}");
        assert!(c.stopped_ns() >= 58 * MS);
    }

    #[test]
    fn a_step_runs_the_clock_until_its_token_is_taken() {
        let c = RunClock::new(true);
        sleep_ms(20);
        assert_eq!(c.now_ns(), 0);
        assert!(!c.take_step(), "no token");
        c.add_step();
        sleep_ms(30);
        assert!(c.now_ns() >= 29 * MS);
        assert!(c.take_step());
        assert!(c.is_stopped(), "stopped at the operation");
        let t = c.now_ns();
        sleep_ms(20);
        assert_eq!(c.now_ns(), t);
    }

    #[test]
    fn resuming_drops_the_tokens_not_taken() {
        let c = RunClock::new(true);
        c.add_step();
        c.add_step();
        c.set_paused(false);
        assert!(!c.take_step());
        c.set_paused(true);
        assert!(c.is_stopped());
    }

    #[test]
    fn ns_at_an_earlier_instant_is_earlier() {
        let c = RunClock::new(false);
        let t = Instant::now();
        sleep_ms(10);
        let now = c.now_ns();
        let then = c.ns_at(t);
        assert!(then + 9 * MS <= now, "{then} {now}");
    }
}
