//! How a thread spends its interval or work time: sleeping (abortable, to
//! an absolute deadline, and on time: see `sleep`) or spinning, and spinning
//! under the emulated GIL when it is on — showing `waiting-gil` while it
//! waits its turn. Each sleep's actual length is recorded beside the asked.

use super::shared::{Shared, Worker};
use super::sleep;
use super::state::ThreadState;
use super::work::{WorkMode, spin_until};
use std::time::{Duration, Instant};

/// Spend `d` from `start` as `mode` says; `busy` is the state to show while
/// actually working. False if `stop()` cut it short.
pub fn spend(
    sh: &Shared,
    w: &Worker,
    mode: WorkMode,
    start: Instant,
    d: Duration,
    busy: ThreadState,
    stop: &dyn Fn() -> bool,
) -> bool {
    if mode == WorkMode::Spin && sh.gil.enabled() {
        return sh.gil.spin(
            d,
            &|| w.stats.set_state(ThreadState::WaitingGil, sh.now_ns()),
            &|| w.stats.set_state(busy, sh.now_ns()),
            stop,
        );
    }
    if d.is_zero() {
        return true;
    }
    let deadline = start + d;
    if mode == WorkMode::Spin {
        return spin_until(deadline, stop);
    }
    // A sleeper waits on its wake channel, so an abort reaches it at once.
    let mut margin = w.stats.sleep_margin();
    let done = sleep::until(deadline, &mut margin, &w.wake_rx, stop);
    w.stats.set_sleep_margin(margin);
    if done {
        // What the sleep really took, against what was asked.
        w.stats.add_sleep(d, start.elapsed());
    }
    done
}
