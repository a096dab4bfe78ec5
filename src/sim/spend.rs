//! How a thread spends its interval or work time: sleeping (abortable, to
//! an absolute deadline) or spinning, and spinning under the emulated GIL
//! when it is on — showing `waiting-gil` while it waits its turn.

use super::shared::{Shared, Worker};
use super::state::ThreadState;
use super::work::{WorkMode, spend_unless};
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
    spend_unless(mode, start, d, &w.wake_rx, stop)
}
