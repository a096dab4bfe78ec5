//! The bounded buffer itself, line for line as OSTEP writes it:
//!
//! ```text
//! put:  p0; lock(m); p1; while (num_full == max) { p2; wait(&empty, &m); p3; }
//!       do_fill(v); p4; signal(&fill); p5; unlock(m); p6;
//! get:  c0; lock(m); c1; while (num_full == 0)   { c2; wait(&fill, &m);  c3; }
//!       v = do_get(); c4; signal(&empty); c5; unlock(m); c6;
//! ```
//!
//! The one-cv version waits and signals on `cond` for both; the `if`
//! version has `if` where the others have `while`. Around that logic, and
//! never changing it, the buffer keeps:
//!
//! - who holds the mutex (an atomic, for the snapshot);
//! - a FIFO of pending signals under the mutex: a signaller pushes its id
//!   when the variable has a waiter not yet signalled; a thread returning
//!   from a wait pops the oldest one for its variable (none: a spurious
//!   wake-up). A condition variable does not say whom it woke; this is the
//!   honest pairing of each wake-up with the signal that caused it;
//! - the fatal check: a `get` that would read an empty buffer (or a `put`
//!   a full one) stops before touching a slot and reports the bug;
//! - a closed flag for abort: [`Textbook::close`] wakes every sleeper, and a
//!   thread back from a wait leaves when it sees it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};

use super::hooks::{Hooks, Wake};
use super::kind::{Cv, QueueKind};
use crate::sim::sync::lock;

/// What a `get` under `if` finds when another thread took the item first.
pub const EMPTY_BUG: &str = "woke, did not re-check, buffer empty";
/// What a `put` under `if` finds when another thread filled the slot first.
pub const FULL_BUG: &str = "woke, did not re-check, buffer full";

/// Outcome of a buffer operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op<T> {
    /// It happened.
    Done(T),
    /// The textbook bug struck: the thread did not re-check and the buffer
    /// is not as it assumed. Nothing was read or written.
    Bug(&'static str),
    /// The buffer was closed (abort).
    Closed,
}

/// The last wake-up after which the woken thread's condition did not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadWake {
    /// Who signalled (`None`: spurious).
    pub by: Option<u32>,
    /// Who woke.
    pub woke: u32,
    /// On which variable.
    pub cv: Cv,
    /// The woken thread was a producer (or `main`).
    pub woke_putter: bool,
    /// A thread of the other side slept on the same variable.
    pub other_waiting: bool,
}

/// Sides of the buffer: puts (producers, `main`) and gets (consumers).
const PUT: usize = 0;
const GET: usize = 1;

/// A slot with nothing in it (no packed message has this value).
const EMPTY_SLOT: u64 = u64::MAX - 1;

/// A pending signal: who signalled which variable.
#[derive(Clone, Copy, Debug)]
struct Signal {
    by: u32,
    cv: Cv,
}

/// What the mutex guards.
#[derive(Debug)]
struct Ring {
    slots: Box<[u64]>,
    fill_ptr: usize,
    use_ptr: usize,
    num_full: usize,
    /// Sleepers per variable and side.
    waiting: [[u32; 2]; 3],
    /// Signals not yet matched with a wake-up, oldest first (at most one
    /// per sleeper).
    pending: VecDeque<Signal>,
}

impl Ring {
    fn sleepers(&self, cv: Cv) -> u32 {
        self.waiting[cv.index()].iter().sum()
    }

    /// The oldest signal on `cv`, taken by a thread back from its wait.
    fn pop(&mut self, cv: Cv) -> Option<u32> {
        let at = self.pending.iter().position(|s| s.cv == cv)?;
        self.pending.remove(at).map(|s| s.by)
    }
}

/// One of OSTEP's bounded buffers. Share it in an `Arc`.
#[derive(Debug)]
pub struct Textbook {
    kind: QueueKind,
    cap: usize,
    m: Mutex<Ring>,
    /// `empty`, `fill`, `cond` (indexed by [`Cv`]).
    cvs: [Condvar; 3],
    /// `num_full`, readable without the lock (depth, full, empty).
    len: AtomicUsize,
    /// Registry id + 1 of the thread holding the mutex; 0: nobody.
    holder: AtomicU64,
    closed: AtomicBool,
    last_bad: Mutex<Option<BadWake>>,
}

impl Textbook {
    /// A buffer of `capacity` slots (at least 1) of the `kind` given (a
    /// textbook kind; `channel` builds the two-cv buffer).
    pub fn new(kind: QueueKind, capacity: usize) -> Textbook {
        let cap = capacity.max(1);
        Textbook {
            kind,
            cap,
            m: Mutex::new(Ring {
                slots: vec![EMPTY_SLOT; cap].into_boxed_slice(),
                fill_ptr: 0,
                use_ptr: 0,
                num_full: 0,
                waiting: [[0; 2]; 3],
                pending: VecDeque::new(),
            }),
            cvs: [Condvar::new(), Condvar::new(), Condvar::new()],
            len: AtomicUsize::new(0),
            holder: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            last_bad: Mutex::new(None),
        }
    }

    /// Messages in the buffer.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// True when the buffer holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its slots.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// The registry id of the thread holding the mutex.
    pub fn holder(&self) -> Option<u32> {
        match self.holder.load(Ordering::Relaxed) {
            0 => None,
            n => Some((n - 1) as u32),
        }
    }

    /// The last wake-up that found its condition false.
    pub fn last_bad_wake(&self) -> Option<BadWake> {
        *lock(&self.last_bad)
    }

    /// Abort: every sleeper wakes and leaves. Waits for the mutex, which
    /// no thread holds for long once the run is aborted (its point sleeps
    /// end on abort).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let _g = lock(&self.m);
        for cv in &self.cvs {
            cv.notify_all();
        }
    }

    /// `main`'s pill, without waiting: `Full` also when the mutex is busy
    /// (`main` tries again at its next tick, as it does on a full channel).
    /// Signals as a producer does.
    pub fn try_put_now(&self, by: u32, word: u64) -> Op<bool> {
        let mut g = match self.m.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return Op::Done(false),
        };
        if self.closed.load(Ordering::Acquire) {
            return Op::Closed;
        }
        if g.num_full == self.cap {
            return Op::Done(false);
        }
        self.fill(&mut g, word);
        self.signal(&mut g, self.kind.cv_for(false), by);
        Op::Done(true)
    }

    /// `put`: `word(h)` is called under the lock, just before the slot is
    /// filled (so a stamp taken there is the moment the item goes in).
    pub fn put<H: Hooks>(&self, h: &mut H, word: impl FnOnce(&mut H) -> u64) -> Op<()> {
        h.point(0);
        let mut g = self.lock(h);
        h.point(1);
        if g.num_full == self.cap {
            g = match self.sleep_until(g, h, PUT, |r| r.num_full < self.cap) {
                Some(g) => g,
                None => return Op::Closed,
            };
        }
        if g.num_full == self.cap {
            self.unlock(g);
            return Op::Bug(FULL_BUG);
        }
        let word = word(h);
        self.fill(&mut g, word);
        h.point(4);
        self.signal(&mut g, self.kind.cv_for(false), h.thread_id());
        h.point(5);
        self.unlock(g);
        h.point(6);
        Op::Done(())
    }

    /// `get`: the word taken.
    pub fn take<H: Hooks>(&self, h: &mut H) -> Op<u64> {
        h.point(0);
        let mut g = self.lock(h);
        h.point(1);
        if g.num_full == 0 {
            g = match self.sleep_until(g, h, GET, |r| r.num_full > 0) {
                Some(g) => g,
                None => return Op::Closed,
            };
        }
        if g.num_full == 0 {
            // Caught before any slot is read.
            self.unlock(g);
            return Op::Bug(EMPTY_BUG);
        }
        let at = g.use_ptr;
        let word = std::mem::replace(&mut g.slots[at], EMPTY_SLOT);
        g.use_ptr = (at + 1) % self.cap;
        g.num_full -= 1;
        self.len.store(g.num_full, Ordering::Release);
        h.point(4);
        self.signal(&mut g, self.kind.cv_for(true), h.thread_id());
        h.point(5);
        self.unlock(g);
        h.point(6);
        Op::Done(word)
    }

    /// The wait: `while (!ok) { p2; wait; p3; }`, or with `if`, once.
    /// `None` when closed (the mutex is released).
    fn sleep_until<'a, H: Hooks>(
        &'a self,
        mut g: MutexGuard<'a, Ring>,
        h: &mut H,
        side: usize,
        ok: impl Fn(&Ring) -> bool,
    ) -> Option<MutexGuard<'a, Ring>> {
        let cv = self.kind.cv_for(side == PUT);
        loop {
            h.point(2);
            if self.closed.load(Ordering::Acquire) {
                self.unlock(g);
                return None;
            }
            g.waiting[cv.index()][side] += 1;
            self.holder.store(0, Ordering::Relaxed);
            h.cv_sleep(cv);
            g = self.cvs[cv.index()]
                .wait(g)
                .unwrap_or_else(|e| e.into_inner());
            g.waiting[cv.index()][side] -= 1;
            self.holder
                .store(u64::from(h.thread_id()) + 1, Ordering::Relaxed);
            if self.closed.load(Ordering::Acquire) {
                self.unlock(g);
                return None;
            }
            let wake = Wake {
                cv,
                by: g.pop(cv),
                held: ok(&g),
                rechecks: self.kind.rechecks(),
                other_waiting: g.waiting[cv.index()][1 - side] > 0,
            };
            if !wake.held {
                *lock(&self.last_bad) = Some(BadWake {
                    by: wake.by,
                    woke: h.thread_id(),
                    cv,
                    woke_putter: side == PUT,
                    other_waiting: wake.other_waiting,
                });
            }
            h.cv_woke(&wake);
            h.point(3);
            if wake.held || !wake.rechecks {
                return Some(g);
            }
        }
    }

    fn lock<H: Hooks>(&self, h: &mut H) -> MutexGuard<'_, Ring> {
        let g = match self.m.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => {
                h.lock_contended();
                lock(&self.m)
            }
        };
        self.holder
            .store(u64::from(h.thread_id()) + 1, Ordering::Relaxed);
        h.lock_acquired();
        g
    }

    fn unlock(&self, g: MutexGuard<'_, Ring>) {
        self.holder.store(0, Ordering::Relaxed);
        drop(g);
    }

    /// `do_fill` (the caller has checked there is room).
    fn fill(&self, g: &mut Ring, word: u64) {
        let at = g.fill_ptr;
        g.slots[at] = word;
        g.fill_ptr = (at + 1) % self.cap;
        g.num_full += 1;
        self.len.store(g.num_full, Ordering::Release);
    }

    /// `Cond_signal(cv)`, remembering who signalled if a sleeper will wake.
    fn signal(&self, g: &mut Ring, cv: Cv, by: u32) {
        let pending = g.pending.iter().filter(|s| s.cv == cv).count() as u32;
        if pending < g.sleepers(cv) {
            g.pending.push_back(Signal { by, cv });
        }
        self.cvs[cv.index()].notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    /// A thread's hooks that remember its wake-ups.
    struct T {
        id: u32,
        wakes: Vec<Wake>,
    }

    impl Hooks for T {
        fn thread_id(&self) -> u32 {
            self.id
        }
        fn cv_woke(&mut self, w: &Wake) {
            self.wakes.push(*w);
        }
    }

    fn t(id: u32) -> T {
        T { id, wakes: vec![] }
    }

    /// Wait until `n` threads sleep on `cv`.
    fn until_sleeping(b: &Textbook, cv: Cv, n: u32) {
        for _ in 0..2000 {
            if lock(&b.m).sleepers(cv) == n {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("{n} sleepers on {cv} never came");
    }

    #[test]
    fn words_come_out_in_order_and_the_ring_wraps() {
        let b = Textbook::new(QueueKind::Condvar, 2);
        let mut p = t(1);
        for round in 0..3u64 {
            assert_eq!(b.put(&mut p, |_| round * 2), Op::Done(()));
            assert_eq!(b.put(&mut p, |_| round * 2 + 1), Op::Done(()));
            assert_eq!(b.try_put_now(0, 99), Op::Done(false), "full");
            assert_eq!(b.take(&mut p), Op::Done(round * 2));
            assert_eq!(b.take(&mut p), Op::Done(round * 2 + 1));
        }
        assert_eq!((b.len(), b.holder()), (0, None));
    }

    #[test]
    fn a_wake_up_names_its_signaller() {
        let b = Arc::new(Textbook::new(QueueKind::CondvarOneCv, 1));
        let b2 = b.clone();
        let c = std::thread::spawn(move || {
            let mut c = t(2);
            let got = b2.take(&mut c);
            (got, c.wakes)
        });
        until_sleeping(&b, Cv::Cond, 1);
        assert_eq!(b.put(&mut t(1), |_| 7), Op::Done(()));
        let (got, wakes) = c.join().expect("consumer");
        assert_eq!(got, Op::Done(7));
        assert_eq!(wakes.len(), 1);
        assert_eq!(
            (wakes[0].cv, wakes[0].by, wakes[0].held),
            (Cv::Cond, Some(1), true)
        );
    }

    #[test]
    fn an_if_wait_that_finds_the_buffer_empty_is_caught_not_read() {
        let b = Arc::new(Textbook::new(QueueKind::CondvarIf, 1));
        let b2 = b.clone();
        let c = std::thread::spawn(move || b2.take(&mut t(2)));
        until_sleeping(&b, Cv::Fill, 1);
        // Hold the mutex so the sleeper cannot run: signal it, then let
        // another consumer take the item before it gets the lock back.
        {
            let mut g = lock(&b.m);
            b.fill(&mut g, 5);
            b.signal(&mut g, Cv::Fill, 1);
            let w = std::mem::replace(&mut g.slots[0], EMPTY_SLOT);
            assert_eq!(w, 5);
            g.num_full = 0;
            b.len.store(0, Ordering::Release);
        }
        assert_eq!(c.join().expect("consumer"), Op::Bug(EMPTY_BUG));
        let bad = b.last_bad_wake().expect("recorded");
        assert_eq!((bad.by, bad.woke, bad.cv), (Some(1), 2, Cv::Fill));
    }

    #[test]
    fn close_releases_every_sleeper() {
        let b = Arc::new(Textbook::new(QueueKind::Condvar, 1));
        let sleepers: Vec<_> = (0..3)
            .map(|i| {
                let b = b.clone();
                std::thread::spawn(move || b.take(&mut t(i)))
            })
            .collect();
        until_sleeping(&b, Cv::Fill, 3);
        b.close();
        for s in sleepers {
            assert_eq!(s.join().expect("sleeper"), Op::Closed);
        }
        assert_eq!(b.try_put_now(0, 1), Op::Closed);
    }
}
