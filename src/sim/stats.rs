//! Per-thread instrumentation. Each thread owns one cache-padded
//! [`ThreadStats`] and is its only writer, so counters are bumped with plain
//! load+store (no locked read-modify-write) and never share a cache line with
//! another thread's. Readers (the snapshot) only load.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use crossbeam_utils::CachePadded;

use super::condvar::Cv;
use super::sleep::Margin;
use super::state::{ExitReason, ThreadState};

/// No current item.
pub const NO_ITEM: u64 = u64::MAX;

/// Counters and state of one thread, written only by that thread.
#[derive(Debug)]
pub struct ThreadStats {
    state: AtomicU8,
    exit: AtomicU8,
    since_ns: AtomicU64,
    time_in: [AtomicU64; ThreadState::COUNT],
    current_item: AtomicU64,
    /// Producer: items sent. Consumer: items finished (consumed + failed).
    /// Coordinator: pills sent.
    pub items: AtomicU64,
    /// Consumer: items taken off the queue.
    pub received: AtomicU64,
    /// Consumer: items whose work panicked.
    pub failed: AtomicU64,
    /// Consumer: pills taken off the queue.
    pub pills: AtomicU64,
    /// Consumer: sum of enqueue → done times of timed items, ns (Little's W).
    pub sojourn_ns: AtomicU64,
    /// Consumer: items its timed items stand for (all, unless sampling at
    /// zero interval).
    pub timed: AtomicU64,
    /// Consumer: sum of queue waits (enqueue → dequeue) of timed items, ns,
    /// each counted by its weight as in `timed`, so `wait_ns / timed` is Wq.
    pub wait_ns: AtomicU64,
    /// Consumer: items it found already in the queue when it came for one
    /// (its first try took it): they waited for a consumer, as Erlang-C's
    /// P(wait) counts. Items it had to wait for did not. Every item counts,
    /// sampled or not.
    pub waited: AtomicU64,
    /// Sleeps finished (interval or work spent sleeping), and their asked
    /// and actual totals, ns.
    sleeps: AtomicU64,
    sleep_asked_ns: AtomicU64,
    sleep_actual_ns: AtomicU64,
    /// Its hybrid sleep's margin, ns (0 until its first sleep).
    sleep_margin_ns: AtomicU64,
    /// Textbook buffers: the condition variable it sleeps or last slept on
    /// (`Cv::to_u8`; 0 none).
    cv: AtomicU8,
    /// Textbook buffers: after its last wake-up, whether its condition held
    /// (0 never woke, 1 held, 2 did not).
    woke: AtomicU8,
}

/// Exit reason byte meaning "still running".
const NOT_EXITED: u8 = u8::MAX;

impl ThreadStats {
    /// Fresh stats in `Starting` at time `now_ns`.
    pub fn new(now_ns: u64) -> CachePadded<ThreadStats> {
        CachePadded::new(ThreadStats {
            state: AtomicU8::new(ThreadState::Starting as u8),
            exit: AtomicU8::new(NOT_EXITED),
            since_ns: AtomicU64::new(now_ns),
            time_in: Default::default(),
            current_item: AtomicU64::new(NO_ITEM),
            items: AtomicU64::new(0),
            received: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            pills: AtomicU64::new(0),
            sojourn_ns: AtomicU64::new(0),
            timed: AtomicU64::new(0),
            wait_ns: AtomicU64::new(0),
            waited: AtomicU64::new(0),
            sleeps: AtomicU64::new(0),
            sleep_asked_ns: AtomicU64::new(0),
            sleep_actual_ns: AtomicU64::new(0),
            sleep_margin_ns: AtomicU64::new(0),
            cv: AtomicU8::new(0),
            woke: AtomicU8::new(0),
        })
    }

    /// Owner only: move to `next` at `now_ns`, crediting the time spent in the
    /// previous state. A no-op when the state does not change.
    pub fn set_state(&self, next: ThreadState, now_ns: u64) {
        let prev = self.state.load(Ordering::Relaxed);
        if prev == next as u8 {
            return;
        }
        let since = self.since_ns.load(Ordering::Relaxed);
        let slot = &self.time_in[prev as usize];
        slot.store(
            slot.load(Ordering::Relaxed) + now_ns.saturating_sub(since),
            Ordering::Relaxed,
        );
        self.since_ns.store(now_ns, Ordering::Relaxed);
        self.state.store(next as u8, Ordering::Release);
    }

    /// Like [`ThreadStats::set_state`], reading the clock only if the state
    /// really changes (the hot path stays in one state for long streaks).
    #[inline]
    pub fn set_state_lazy(&self, next: ThreadState, now_ns: impl FnOnce() -> u64) {
        if self.state.load(Ordering::Relaxed) != next as u8 {
            self.set_state(next, now_ns());
        }
    }

    /// Owner only: a sleep of `asked` took `actual`.
    pub fn add_sleep(&self, asked: Duration, actual: Duration) {
        bump(&self.sleep_asked_ns, asked.as_nanos() as u64);
        bump(&self.sleep_actual_ns, actual.as_nanos() as u64);
        bump(&self.sleeps, 1);
    }

    /// Owner only: its margin (the calibrated one before its first sleep).
    pub fn sleep_margin(&self) -> Margin {
        match self.sleep_margin_ns.load(Ordering::Relaxed) {
            0 => Margin::calibrated(),
            ns => Margin::of(Duration::from_nanos(ns)),
        }
    }

    /// Owner only: keep its margin.
    pub fn set_sleep_margin(&self, m: Margin) {
        let ns = m.get().as_nanos() as u64;
        self.sleep_margin_ns.store(ns.max(1), Ordering::Relaxed);
    }

    /// Its margin now, if it has slept.
    pub fn margin_now(&self) -> Option<Duration> {
        match self.sleep_margin_ns.load(Ordering::Relaxed) {
            0 => None,
            ns => Some(Duration::from_nanos(ns)),
        }
    }

    /// Sleeps finished, and their asked and actual totals.
    pub fn sleeps(&self) -> (u64, Duration, Duration) {
        // Count last in, first out: the totals cover at least `n` sleeps.
        let n = read(&self.sleeps);
        let asked = Duration::from_nanos(read(&self.sleep_asked_ns));
        let actual = Duration::from_nanos(read(&self.sleep_actual_ns));
        (n, asked, actual)
    }

    /// Owner only: leave the loop for `reason`.
    pub fn set_exit(&self, reason: ExitReason, now_ns: u64) {
        self.exit.store(reason as u8, Ordering::Relaxed);
        let state = if reason == ExitReason::Crashed {
            ThreadState::Crashed
        } else {
            ThreadState::Exited
        };
        self.set_state(state, now_ns);
    }

    /// Owner only: it goes to sleep on `cv`.
    pub fn set_cv(&self, cv: Cv) {
        self.cv.store(cv.to_u8(), Ordering::Relaxed);
    }

    /// Owner only: it woke, and its condition `held` or not.
    pub fn set_woke(&self, held: bool) {
        self.woke.store(if held { 1 } else { 2 }, Ordering::Relaxed);
    }

    /// The variable it sleeps or last slept on.
    pub fn cv(&self) -> Option<Cv> {
        Cv::from_u8(self.cv.load(Ordering::Relaxed))
    }

    /// Whether its condition held after its last wake-up.
    pub fn woke_held(&self) -> Option<bool> {
        match self.woke.load(Ordering::Relaxed) {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
    }

    /// Owner only: the item in hand.
    pub fn set_item(&self, id: u64) {
        self.current_item.store(id, Ordering::Relaxed);
    }

    /// Current state.
    pub fn state(&self) -> ThreadState {
        ThreadState::from_u8(self.state.load(Ordering::Acquire))
    }

    /// Why it exited, once it has.
    pub fn exit(&self) -> Option<ExitReason> {
        exit_from_u8(self.exit.load(Ordering::Relaxed))
    }

    /// Item in hand, if any.
    pub fn current_item(&self) -> Option<u64> {
        match self.current_item.load(Ordering::Relaxed) {
            NO_ITEM => None,
            id => Some(id),
        }
    }

    /// Accumulated ns per state up to `now_ns` (the current state included)
    /// and the ns spent in the current state.
    pub fn time_in(&self, now_ns: u64) -> ([u64; ThreadState::COUNT], u64) {
        let state = self.state.load(Ordering::Acquire) as usize;
        let since = self.since_ns.load(Ordering::Relaxed);
        let mut out = [0u64; ThreadState::COUNT];
        for (o, a) in out.iter_mut().zip(&self.time_in) {
            *o = a.load(Ordering::Relaxed);
        }
        let current = now_ns.saturating_sub(since);
        if let Some(o) = out.get_mut(state) {
            *o += current;
        }
        (out, current)
    }
}

/// Owner-only increment: a plain load and store, which is correct because no
/// other thread writes this counter, and avoids a locked instruction per item.
#[inline]
pub fn bump(counter: &AtomicU64, by: u64) {
    counter.store(counter.load(Ordering::Relaxed) + by, Ordering::Release);
}

/// Read a counter for a snapshot.
#[inline]
pub fn read(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Acquire)
}

fn exit_from_u8(b: u8) -> Option<ExitReason> {
    use ExitReason::*;
    [Finished, Stopped, Pill, Retired, Crashed, Aborted, Done]
        .into_iter()
        .find(|r| *r as u8 == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_credited_to_the_state_it_was_spent_in() {
        let s = ThreadStats::new(0);
        s.set_state(ThreadState::Working, 10);
        s.set_state(ThreadState::WaitingEmpty, 40);
        s.set_state(ThreadState::WaitingEmpty, 45); // no change, no credit
        let (t, cur) = s.time_in(100);
        assert_eq!(t[ThreadState::Starting as usize], 10);
        assert_eq!(t[ThreadState::Working as usize], 30);
        assert_eq!(t[ThreadState::WaitingEmpty as usize], 60);
        assert_eq!(cur, 60);
        assert_eq!(t.iter().sum::<u64>(), 100);
    }

    #[test]
    fn exit_reason_round_trips() {
        let s = ThreadStats::new(0);
        assert_eq!(s.exit(), None);
        s.set_exit(ExitReason::Crashed, 5);
        assert_eq!(s.exit(), Some(ExitReason::Crashed));
        assert_eq!(s.state(), ThreadState::Crashed);
    }
}
