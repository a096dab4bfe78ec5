//! Sleeping to a deadline, on time: a hybrid sleep. A timed wait wakes a
//! little late (the timer's expiry, then the scheduler: tens of µs on a busy
//! box, so `--work 100us` would last half as long again). So a thread waits
//! until the deadline minus a margin, then spins the rest of the way. The
//! margin starts from a calibration on this machine (once per process) and
//! then follows each thread's own wake-ups: about one wait in twenty may
//! wake after the deadline. Spinning costs CPU: while there are no more
//! worker threads than cores each may spin, but with more, only one at a
//! time and only while spinning has taken under a tenth of a core lately;
//! otherwise a sleeper waits to the deadline itself and is as late as the
//! timer makes it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

/// Bounds of the margin: at least this much spin...
const MIN_MARGIN: Duration = Duration::from_micros(20);
/// ... and never more than this per sleep.
const MAX_MARGIN: Duration = Duration::from_millis(2);
/// Sleeps timed for the calibration, and how long each.
const CALIBRATION_SLEEPS: usize = 24;
const CALIBRATION_SLEEP: Duration = Duration::from_micros(200);
/// With more workers than cores, spinning may take this share of one core.
const SPIN_SHARE: f64 = 0.1;
/// Most spin time saved up while nobody spins.
const MAX_CREDIT_NS: i64 = 20_000_000;

/// Worker threads alive in this process (they may spin).
static WORKERS: AtomicUsize = AtomicUsize::new(0);
/// Threads spinning now.
static SPINNING: AtomicUsize = AtomicUsize::new(0);
/// Spin time still allowed, ns, and when it was last topped up (ns since
/// [`anchor`]). While the budget applies only one thread spins, and only it
/// touches them.
static CREDIT_NS: AtomicI64 = AtomicI64::new(MAX_CREDIT_NS);
static TOPPED_AT_NS: AtomicU64 = AtomicU64::new(0);

fn anchor() -> Instant {
    static ANCHOR: OnceLock<Instant> = OnceLock::new();
    *ANCHOR.get_or_init(Instant::now)
}

fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The calibrated margin every thread starts from: measured once per
/// process, the first time it is asked for, as the 90th percentile of how
/// late short waits wake on this machine, a quarter more.
pub fn margin() -> Duration {
    static MARGIN: OnceLock<Duration> = OnceLock::new();
    *MARGIN.get_or_init(calibrate)
}

/// Times [`CALIBRATION_SLEEPS`] waits of the kind sleepers use, on a
/// short-lived thread with the workers' timer slack (a few ms, once).
fn calibrate() -> Duration {
    let measure = || {
        lower_timer_slack();
        let (_tx, rx) = crossbeam_channel::bounded::<()>(1);
        let mut late: Vec<Duration> = (0..CALIBRATION_SLEEPS)
            .map(|_| {
                let at = Instant::now() + CALIBRATION_SLEEP;
                let _ = rx.recv_deadline(at);
                Instant::now().saturating_duration_since(at)
            })
            .collect();
        late.sort_unstable();
        late[late.len() * 9 / 10]
    };
    let p90 = std::thread::Builder::new()
        .name("calibrate".into())
        .spawn(measure)
        .ok()
        .and_then(|h| h.join().ok())
        .unwrap_or(MAX_MARGIN);
    (p90 + p90 / 4).clamp(MIN_MARGIN, MAX_MARGIN)
}

/// A worker thread's membership in [`WORKERS`], for its lifetime.
#[derive(Debug)]
pub struct Worker(());

impl Worker {
    /// Count the calling thread as a worker until the guard drops.
    pub fn enter() -> Worker {
        WORKERS.fetch_add(1, Ordering::Relaxed);
        Worker(())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        WORKERS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One thread's margin: how early before a deadline it stops waiting and
/// spins. It tracks the 95th percentile of how late the thread's waits
/// wake (a stochastic quantile estimate: up a step when a wait wakes later
/// than the margin, down a twentieth of one otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Margin(Duration);

/// The margin's step.
const STEP: Duration = Duration::from_micros(4);

impl Margin {
    /// The calibrated start.
    pub fn calibrated() -> Margin {
        Margin(margin())
    }

    /// A margin of `d`, within bounds.
    pub fn of(d: Duration) -> Margin {
        Margin(d.clamp(MIN_MARGIN, MAX_MARGIN))
    }

    /// Its length.
    pub fn get(self) -> Duration {
        self.0
    }

    /// A wait meant to end at the margin woke `late` after it.
    fn learn(&mut self, late: Duration) {
        let m = if late > self.0 {
            self.0 + STEP * 19 / 20
        } else {
            self.0.saturating_sub(STEP / 20)
        };
        *self = Margin::of(m);
    }
}

/// Sleep until `deadline` unless `stop()` says so when `wake` fires (false:
/// cut short); `margin` learns from the wait. Wakes for other reasons are
/// ignored here.
pub fn until(
    deadline: Instant,
    margin: &mut Margin,
    wake: &Receiver<()>,
    stop: &dyn Fn() -> bool,
) -> bool {
    let early = deadline.checked_sub(margin.get()).unwrap_or(deadline);
    if Instant::now() < early {
        if let Some(done) = wait(early, wake, stop) {
            return done;
        }
        margin.learn(Instant::now().saturating_duration_since(early));
    } else {
        // Too short to wait at all: drift down, to try waiting again.
        margin.learn(Duration::ZERO);
    }
    if Instant::now() >= deadline {
        return true;
    }
    match Spin::take() {
        Some(_spin) => spin_until(deadline, stop),
        None => wait(deadline, wake, stop).unwrap_or(true),
    }
}

/// Wait on `wake` until `at`: `None` when it passes, `Some(false)` if
/// stopped, `Some(true)` if the wake channel is gone (then slept to `at`).
fn wait(at: Instant, wake: &Receiver<()>, stop: &dyn Fn() -> bool) -> Option<bool> {
    loop {
        match wake.recv_deadline(at) {
            Ok(()) if stop() => return Some(false),
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => {
                if let Some(d) = at.checked_duration_since(Instant::now()) {
                    std::thread::sleep(d);
                }
                return None;
            }
        }
    }
}

/// Lower this thread's timer slack to 1 ns so a 1 ms sleep lasts ~1 ms instead
/// of ~1.05 ms (Linux's default slack is 50 µs). A no-op elsewhere.
pub fn lower_timer_slack() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and only affects
    // the calling thread.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0);
    }
}

/// Burn CPU until `deadline`; false if `stop()` cut it short.
pub fn spin_until(deadline: Instant, stop: &dyn Fn() -> bool) -> bool {
    let mut n = 0u32;
    while Instant::now() < deadline {
        std::hint::spin_loop();
        n = n.wrapping_add(1);
        if n.is_multiple_of(1024) && stop() {
            return false;
        }
    }
    true
}

/// The right to spin: one thread at a time, within the budget.
struct Spin {
    from: Instant,
    budgeted: bool,
}

impl Spin {
    fn take() -> Option<Spin> {
        // A core for each worker: each may spin. Else one at a time, on budget.
        let budgeted = WORKERS.load(Ordering::Relaxed) > cores();
        let most = if budgeted { 1 } else { cores() };
        if SPINNING.fetch_add(1, Ordering::Acquire) >= most
            || (budgeted && top_up() < margin().as_nanos() as i64)
        {
            SPINNING.fetch_sub(1, Ordering::Release);
            return None;
        }
        Some(Spin {
            from: Instant::now(),
            budgeted,
        })
    }
}

impl Drop for Spin {
    fn drop(&mut self) {
        if self.budgeted {
            let spent = self.from.elapsed().as_nanos() as i64;
            CREDIT_NS.fetch_sub(spent, Ordering::Relaxed);
        }
        SPINNING.fetch_sub(1, Ordering::Release);
    }
}

/// Add the credit earned since the last top-up; the credit now.
fn top_up() -> i64 {
    let now = anchor().elapsed().as_nanos() as u64;
    let then = TOPPED_AT_NS.swap(now, Ordering::Relaxed);
    let earned = (now.saturating_sub(then) as f64 * SPIN_SHARE) as i64;
    let credit = (CREDIT_NS.load(Ordering::Relaxed) + earned).min(MAX_CREDIT_NS);
    CREDIT_NS.store(credit, Ordering::Relaxed);
    credit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_is_calibrated_within_bounds() {
        let m = margin();
        assert!((MIN_MARGIN..=MAX_MARGIN).contains(&m), "{m:?}");
        assert_eq!(margin(), m, "measured once");
    }

    #[test]
    fn a_sleep_ends_at_its_deadline_not_before() {
        let (_tx, rx) = crossbeam_channel::bounded(1);
        let mut m = Margin::calibrated();
        for _ in 0..5 {
            let deadline = Instant::now() + Duration::from_millis(3);
            assert!(until(deadline, &mut m, &rx, &|| false));
            assert!(Instant::now() >= deadline);
        }
    }

    #[test]
    fn a_stop_cuts_a_sleep_short() {
        let (tx, rx) = crossbeam_channel::bounded(1);
        tx.send(()).ok();
        let deadline = Instant::now() + Duration::from_secs(10);
        assert!(!until(deadline, &mut Margin::calibrated(), &rx, &|| true));
        assert!(Instant::now() < deadline);
    }

    #[test]
    fn the_margin_settles_where_one_wait_in_twenty_is_later() {
        // Waits that wake 0..100 µs late, evenly: the 95th percentile is 95 µs.
        let mut m = Margin::of(MIN_MARGIN);
        let mut late = (0..100u64).cycle().map(Duration::from_micros);
        for _ in 0..40_000 {
            m.learn(late.next().unwrap_or_default());
        }
        let us = m.get().as_micros();
        assert!((85..=105).contains(&us), "{us} µs");
        // Spikes move it by a step, not to the spike.
        m.learn(Duration::from_secs(1));
        assert!(m.get().as_micros() <= 110);
    }
}
