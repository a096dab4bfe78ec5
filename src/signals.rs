//! The one place that catches SIGINT, SIGTERM and SIGHUP, for the live
//! view, `run` and `sweep`. A signal only sets a flag; each command's loop
//! polls it and acts on the normal path (restoring the terminal, shutting
//! the run down, printing what was measured), never inside a handler.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The signals that ask queuescope to stop.
pub const STOP_SIGNALS: [libc::c_int; 3] = [SIGINT, SIGTERM, SIGHUP];

/// SIGINT, SIGTERM and SIGHUP caught into one flag, from [`Signals::catch`]
/// until dropped.
#[derive(Debug)]
pub struct Signals {
    flag: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    /// Starts catching the [`STOP_SIGNALS`]. Fails only if the OS refuses a
    /// handler.
    pub fn catch() -> io::Result<Signals> {
        let flag = Arc::new(AtomicBool::new(false));
        let mut signals = Signals {
            flag,
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

    /// True if a signal arrived since the last call; clears the flag, so
    /// a loop can tell a second signal from the first.
    pub fn take(&self) -> bool {
        self.flag.swap(false, Ordering::AcqRel)
    }
}

impl Drop for Signals {
    /// Stops catching: the flag is no longer set.
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_sets_the_flag_and_take_clears_it() {
        let signals = Signals::catch().expect("handlers");
        assert!(!signals.take());
        // SIGHUP: the one this test binary does not otherwise see.
        signal_hook::low_level::raise(SIGHUP).expect("raise");
        assert!(signals.flag().load(Ordering::Acquire));
        assert!(signals.take());
        assert!(!signals.take(), "cleared");
        signal_hook::low_level::raise(SIGHUP).expect("raise");
        assert!(signals.take(), "a second signal is seen again");
    }
}
