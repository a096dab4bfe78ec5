//! The one place that catches SIGINT, SIGTERM and SIGHUP, for every
//! command. A signal only *counts*: the handler adds one to a counter and
//! notes which signal it was; each command's loop polls the count and acts
//! on the normal path (restoring the terminal, shutting the run down,
//! printing what was measured), never inside a handler.
//!
//! Counting, not a flag: two signals 1 ms apart are two signals, so a
//! second Ctrl-C always escalates, however fast it follows the first.
//!
//! `main` installs the handlers before anything opens a file
//! ([`install`]), so no stage of a command is left with the default
//! action half-way; a stage that may block on the outside world (opening a
//! FIFO, reading a scenario from a pipe, waiting for a slow reader) runs
//! through [`interruptible`], which gives up when a signal arrives. As a
//! last resort, once [`arm_force_exit`] is called, the third signal ends
//! the process at once whatever it is doing.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The signals that ask queuescope to stop.
pub const STOP_SIGNALS: [libc::c_int; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Once armed, this many signals end the process at once.
pub const FORCE_EXIT_AFTER: usize = 3;

/// Stop signals received since [`install`].
static RECEIVED: AtomicUsize = AtomicUsize::new(0);
/// The last one's number (0 before any).
static LAST: AtomicI32 = AtomicI32::new(0);
/// Whether the third signal ends the process.
static FORCE: AtomicBool = AtomicBool::new(false);
/// The outcome of installing the handlers (once per process).
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

/// What the handler does: count, remember, and past [`FORCE_EXIT_AFTER`]
/// (when armed) leave at once. Only atomics, `write(2)` and `_exit(2)`:
/// all async-signal-safe.
fn on_signal(sig: libc::c_int) {
    let n = RECEIVED.fetch_add(1, Ordering::SeqCst) + 1;
    LAST.store(sig, Ordering::SeqCst);
    if n >= FORCE_EXIT_AFTER && FORCE.load(Ordering::SeqCst) {
        let msg = b"\nqueuescope: third signal: exiting at once\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe; the buffer
        // is a static byte string.
        unsafe {
            libc::write(libc::STDERR_FILENO, msg.as_ptr().cast(), msg.len());
            libc::_exit(i32::from(crate::error::Exit::Failure.code()));
        }
    }
}

/// Installs the counting handlers for the [`STOP_SIGNALS`] (once per
/// process; later calls return the first outcome). From then on a stop
/// signal never ends the process by itself: every waiting stage polls
/// [`received`].
pub fn install() -> io::Result<()> {
    INSTALLED
        .get_or_init(|| {
            for sig in STOP_SIGNALS {
                // SAFETY: the action only touches atomics and, past the
                // force-exit count, calls write(2) and _exit(2).
                unsafe { signal_hook::low_level::register(sig, move || on_signal(sig)) }
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .clone()
        .map_err(io::Error::other)
}

/// From now on the [`FORCE_EXIT_AFTER`]th signal ends the process at once
/// (exit 1), whatever it is stuck in. `main` arms it; tests that raise
/// signals in-process do not.
pub fn arm_force_exit() {
    FORCE.store(true, Ordering::SeqCst);
}

/// Stop signals received since the handlers were installed.
pub fn received() -> usize {
    RECEIVED.load(Ordering::SeqCst)
}

/// The number of the last stop signal received, if any.
pub fn last() -> Option<libc::c_int> {
    match LAST.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// A signal's usual name.
pub fn name(sig: libc::c_int) -> &'static str {
    match sig {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// A command's view of the signals: those that arrived since it started
/// catching them ([`Signals::catch`]). Also sets a flag that loops which
/// only need "stop now?" can poll.
#[derive(Debug)]
pub struct Signals {
    /// Signals already handed out by [`Signals::take_count`].
    seen: AtomicUsize,
    flag: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    /// Starts catching the [`STOP_SIGNALS`] (installing the counting
    /// handlers if `main` has not). Fails only if the OS refuses a handler.
    pub fn catch() -> io::Result<Signals> {
        install()?;
        let mut signals = Signals {
            seen: AtomicUsize::new(received()),
            flag: Arc::new(AtomicBool::new(false)),
            ids: Vec::new(),
        };
        for sig in STOP_SIGNALS {
            // On an error `signals` is dropped, removing what was registered.
            let id = signal_hook::flag::register(sig, Arc::clone(&signals.flag))?;
            signals.ids.push(id);
        }
        Ok(signals)
    }

    /// The flag a signal sets, for loops that poll it (it stays set).
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }

    /// Signals that arrived since the last call (or since [`Signals::catch`]).
    pub fn take_count(&self) -> usize {
        let now = received();
        let before = self.seen.swap(now, Ordering::AcqRel);
        now.saturating_sub(before)
    }

    /// True if a signal arrived since the last call; a loop can tell a
    /// second signal from the first, however close together they came,
    /// with [`Signals::take_count`].
    pub fn take(&self) -> bool {
        self.take_count() > 0
    }
}

impl Drop for Signals {
    /// Stops setting the flag (the counting goes on).
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// A wait that a stop signal ended (`signal` 0: the thread doing the
/// work died without an answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interrupted {
    /// The signal's number.
    pub signal: libc::c_int,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.signal {
            // Only when the thread doing the work died without an answer.
            0 => f.write_str("the waiting thread failed"),
            sig => write!(f, "interrupted by {}", name(sig)),
        }
    }
}

impl std::error::Error for Interrupted {}

/// How often a wait looks at the signal count.
const POLL: Duration = Duration::from_millis(10);

/// Runs `op` (a blocking open, read or write) on a thread of its own and
/// waits for it, giving up as soon as a stop signal arrives after the call
/// began: the thread is then abandoned (it ends with the process). If `op`
/// is still running after `slow.0`, `slow.1` is called once (to say what
/// it waits for).
pub fn interruptible<T: Send + 'static, F: FnOnce() -> T + Send + 'static>(
    op: F,
    slow: Option<(Duration, &mut dyn FnMut())>,
) -> Result<T, Interrupted> {
    run_interruptible(op, slow, Duration::ZERO)
}

/// [`interruptible`] for an operation that is normally quick and whose
/// result matters (the final report): a signal abandons it only once it
/// has been stuck for `patience`, so a Ctrl-C that lands while the report
/// is being written does not lose it, and a reader that never reads still
/// cannot hold the process.
pub fn interruptible_after<T: Send + 'static, F: FnOnce() -> T + Send + 'static>(
    op: F,
    patience: Duration,
) -> Result<T, Interrupted> {
    run_interruptible(op, None, patience)
}

/// The thread and the wait behind [`interruptible`] and
/// [`interruptible_after`].
fn run_interruptible<T: Send + 'static, F: FnOnce() -> T + Send + 'static>(
    op: F,
    slow: Option<(Duration, &mut dyn FnMut())>,
    patience: Duration,
) -> Result<T, Interrupted> {
    let start = received();
    let (tx, rx) = crossbeam_channel::bounded(1);
    // Shared so that, if no thread can be started, `op` runs here instead.
    let slot = Arc::new(std::sync::Mutex::new(Some(op)));
    let theirs = Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name("blocking-io".into())
        .spawn(move || {
            let op = theirs.lock().ok().and_then(|mut s| s.take());
            if let Some(op) = op {
                let _ = tx.send(op());
            }
        });
    if spawned.is_err() {
        // Out of threads: wait the old way, uninterruptibly.
        let op = slot.lock().ok().and_then(|mut s| s.take());
        return op.map(|op| op()).ok_or(Interrupted { signal: 0 });
    }
    wait_for(&rx, start, slow, patience)
}

/// Waits on `rx` until it answers or a signal arrives after `start` (and
/// the wait has lasted at least `patience`).
fn wait_for<T>(
    rx: &crossbeam_channel::Receiver<T>,
    start: usize,
    mut slow: Option<(Duration, &mut dyn FnMut())>,
    patience: Duration,
) -> Result<T, Interrupted> {
    let began = Instant::now();
    loop {
        match rx.recv_timeout(POLL) {
            Ok(v) => return Ok(v),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                // The thread died (a panic in `op`): nothing will come.
                return Err(Interrupted { signal: 0 });
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
        }
        if received() > start && began.elapsed() >= patience {
            return Err(Interrupted {
                signal: last().unwrap_or(SIGINT),
            });
        }
        if let Some((after, say)) = slow.as_mut()
            && began.elapsed() >= *after
        {
            say();
            slow = None;
        }
    }
}

/// Waits until `done()` or a stop signal arrives after the call began,
/// polling every few milliseconds; `Err` on the signal.
pub fn wait_until(mut done: impl FnMut() -> bool) -> Result<(), Interrupted> {
    let start = received();
    while !done() {
        if received() > start {
            return Err(Interrupted {
                signal: last().unwrap_or(SIGINT),
            });
        }
        std::thread::sleep(POLL);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Raises SIGHUP (the one this test binary does not otherwise see) and
    /// waits until the handler has counted it.
    fn hup() {
        let before = received();
        signal_hook::low_level::raise(SIGHUP).expect("raise");
        while received() == before {
            std::thread::yield_now();
        }
    }

    #[test]
    fn signals_are_counted_not_merged() {
        let signals = Signals::catch().expect("handlers");
        assert_eq!(signals.take_count(), 0);
        // Two signals back to back, before anyone looks: two, not one.
        hup();
        hup();
        assert!(signals.flag().load(Ordering::Acquire));
        assert!(signals.take_count() >= 2);
        assert_eq!(signals.take_count(), 0, "counted once");
        hup();
        assert!(signals.take(), "a later signal is seen again");
        assert_eq!(last(), Some(SIGHUP));
        assert_eq!(name(SIGTERM), "SIGTERM");
    }

    #[test]
    fn a_blocking_wait_gives_up_on_a_signal() {
        install().expect("handlers");
        let (_hold, rx) = crossbeam_channel::bounded::<()>(0);
        let raiser = std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(50));
            hup();
        });
        let t0 = Instant::now();
        // Blocks forever on its own: nothing is ever sent.
        let out = interruptible(move || rx.recv().is_ok(), None);
        raiser.join().expect("raiser");
        assert!(out.is_err(), "{out:?}");
        assert!(t0.elapsed() < Duration::from_secs(5));
        // And a quick one just answers, saying nothing about being slow.
        let mut said = false;
        let mut say = || said = true;
        let quick = interruptible(|| 7, Some((Duration::from_secs(5), &mut say)));
        assert_eq!(quick, Ok(7));
        assert!(!said);
    }

    #[test]
    fn a_patient_wait_lets_a_slow_write_finish_after_a_signal() {
        install().expect("handlers");
        let raiser = std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(20));
            hup();
        });
        // 150 ms of work, a signal 20 ms in: within the patience, so it ends.
        let out = interruptible_after(
            || {
                std::thread::sleep(Duration::from_millis(150));
                7
            },
            Duration::from_secs(5),
        );
        raiser.join().expect("raiser");
        assert_eq!(out, Ok(7));
        // Past the patience, a signal still ends a wait that never would.
        let (_hold, rx) = crossbeam_channel::bounded::<()>(0);
        let raiser = std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(20));
            hup();
        });
        let t0 = Instant::now();
        let stuck = interruptible_after(move || rx.recv().is_ok(), Duration::from_millis(100));
        raiser.join().expect("raiser");
        assert!(stuck.is_err(), "{stuck:?}");
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
}
