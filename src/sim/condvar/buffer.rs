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
//!   thread back from a wait leaves when it sees it;
//! - with sleep strings, the lesson order (see [`super::lesson`]): the
//!   mutex goes to the running thread first, then by ticket, and a thread
//!   waits for that on `turns` (so no OS wake-up order decides a lesson).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};

use super::hooks::{Hooks, Wake};
use super::kind::{Cv, QueueKind};
use super::lesson::Lesson;
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
    /// The lesson order, when sleep strings are given.
    lesson: Option<Lesson>,
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
    /// Sleep strings given: the lesson order is on.
    lessons: bool,
    /// Lesson order: where threads wait for their turn or ticket.
    turns: Condvar,
    /// Lesson order: tickets handed out (taken before blocking on `m`).
    tickets: AtomicU64,
    /// Lesson order: registry id + 1 of the thread whose turn it is; 0:
    /// nobody (read without the lock by [`Textbook::end_turn`]).
    turn: AtomicU64,
}

impl Textbook {
    /// A buffer of `capacity` slots (at least 1) of the `kind` given (a
    /// textbook kind; `channel` builds the two-cv buffer), in lesson order
    /// (see [`super::lesson`]) when `lesson` is set.
    pub fn new(kind: QueueKind, capacity: usize, lesson: bool) -> Textbook {
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
                lesson: lesson.then(Lesson::default),
            }),
            cvs: [Condvar::new(), Condvar::new(), Condvar::new()],
            len: AtomicUsize::new(0),
            holder: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            last_bad: Mutex::new(None),
            lessons: lesson,
            turns: Condvar::new(),
            tickets: AtomicU64::new(0),
            turn: AtomicU64::new(0),
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

    /// Lesson order: the thread whose turn it is (it unlocked and has not
    /// blocked since, so the mutex is its if it asks again).
    pub fn turn(&self) -> Option<u32> {
        match self.turn.load(Ordering::Relaxed) {
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
        self.turns.notify_all();
    }

    /// Lesson order: thread `me` sleeps, works, pauses or leaves, so its
    /// turn (if it has it) ends and the next ticket gets the mutex. Costs
    /// one atomic load otherwise. Never called with the mutex held in the
    /// turn: taking the mutex ends the turn.
    pub fn end_turn(&self, me: u32) {
        if self.turn.load(Ordering::Acquire) != u64::from(me) + 1 {
            return;
        }
        let mut g = lock(&self.m);
        if let Some(l) = g.lesson.as_mut()
            && l.end_turn(me)
        {
            self.turn.store(0, Ordering::Release);
            self.turns.notify_all();
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
        if g.num_full == self.cap || !self.main_may_take(&mut g, by) {
            return Op::Done(false);
        }
        self.fill(&mut g, word);
        self.signal(&mut g, self.kind.cv_for(false), by);
        self.unlock(g, None);
        Op::Done(true)
    }

    /// Lesson order: `main` (which never waits for the mutex) takes it only
    /// when nobody is owed it, with the next ticket.
    fn main_may_take(&self, g: &mut Ring, by: u32) -> bool {
        let Some(l) = g.lesson.as_mut() else {
            return true;
        };
        let next = self.tickets.load(Ordering::Acquire);
        if l.busy(next) {
            return false;
        }
        let got =
            self.tickets
                .compare_exchange(next, next + 1, Ordering::AcqRel, Ordering::Acquire);
        got.is_ok() && l.may_take(by, Some(next))
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
            self.unlock(g, None);
            return Op::Bug(FULL_BUG);
        }
        let word = word(h);
        self.fill(&mut g, word);
        h.point(4);
        self.signal(&mut g, self.kind.cv_for(false), h.thread_id());
        h.point(5);
        self.unlock(g, Some(h.thread_id()));
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
            self.unlock(g, None);
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
        self.unlock(g, Some(h.thread_id()));
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
                self.unlock(g, None);
                return None;
            }
            g.waiting[cv.index()][side] += 1;
            self.holder.store(0, Ordering::Relaxed);
            h.cv_sleep(cv);
            g = self.wait(g, h, cv);
            g.waiting[cv.index()][side] -= 1;
            self.holder
                .store(u64::from(h.thread_id()) + 1, Ordering::Relaxed);
            if self.closed.load(Ordering::Acquire) {
                self.unlock(g, None);
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
        let me = h.thread_id();
        // Lesson order: anyone but the thread whose turn it is asks first,
        // before it can block (only `me` ends its own turn: this read holds).
        let ticket = (self.lessons && self.turn.load(Ordering::Acquire) != u64::from(me) + 1)
            .then(|| self.tickets.fetch_add(1, Ordering::AcqRel));
        let mut contended = false;
        let mut g = match self.m.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => {
                contended = true;
                h.lock_contended();
                lock(&self.m)
            }
        };
        if g.lesson.is_some() {
            g = self.in_lesson_order(g, h, ticket, contended);
        }
        self.holder.store(u64::from(me) + 1, Ordering::Relaxed);
        h.lock_acquired();
        g
    }

    /// Lesson order: hold `m` only when it is `me`'s turn or ticket (or
    /// the buffer is closed), waiting on `turns` until then.
    fn in_lesson_order<'a, H: Hooks>(
        &'a self,
        mut g: MutexGuard<'a, Ring>,
        h: &mut H,
        ticket: Option<u64>,
        mut contended: bool,
    ) -> MutexGuard<'a, Ring> {
        let me = h.thread_id();
        loop {
            let Some(l) = g.lesson.as_mut() else {
                return g;
            };
            if l.may_take(me, ticket) {
                if ticket.is_none() {
                    self.turn.store(0, Ordering::Release);
                }
                return g;
            }
            if self.closed.load(Ordering::Acquire) {
                return g;
            }
            if !contended {
                contended = true;
                h.lock_contended();
            }
            g = self.turns.wait(g).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// `Cond_wait(cv, m)`: the mutex is released while asleep and held
    /// again on return. In lesson order, the wake-up is the buffer's (see
    /// [`Textbook::signal`]) and the mutex comes back by ticket.
    fn wait<'a, H: Hooks>(
        &'a self,
        mut g: MutexGuard<'a, Ring>,
        h: &mut H,
        cv: Cv,
    ) -> MutexGuard<'a, Ring> {
        let me = h.thread_id();
        match g.lesson.as_mut() {
            None => {
                return self.cvs[cv.index()]
                    .wait(g)
                    .unwrap_or_else(|e| e.into_inner());
            }
            Some(l) => l.sleep(cv.index(), me),
        }
        // The mutex is free: the next ticket may go.
        self.turns.notify_all();
        loop {
            g = self.turns.wait(g).unwrap_or_else(|e| e.into_inner());
            if self.closed.load(Ordering::Acquire) {
                return g;
            }
            if let Some(t) = g.lesson.as_mut().and_then(|l| l.woken(me)) {
                return self.in_lesson_order(g, h, Some(t), true);
            }
        }
    }

    /// `Mutex_unlock`. In lesson order the thread keeps the turn (`turn`:
    /// its id) or, without one, the next ticket may go.
    fn unlock(&self, mut g: MutexGuard<'_, Ring>, turn: Option<u32>) {
        self.holder.store(0, Ordering::Relaxed);
        if let Some(l) = g.lesson.as_mut() {
            match turn {
                Some(me) => {
                    l.keep_turn(me);
                    self.turn.store(u64::from(me) + 1, Ordering::Release);
                }
                None => self.turns.notify_all(),
            }
        }
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
        match g.lesson.as_mut() {
            // The longest sleeper asks for the mutex now.
            Some(l) => l.signal(cv.index(), || self.tickets.fetch_add(1, Ordering::AcqRel)),
            None => self.cvs[cv.index()].notify_one(),
        }
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
        /// Sleep this long at this point.
        sleep_at: Option<(usize, Duration)>,
    }

    impl Hooks for T {
        fn thread_id(&self) -> u32 {
            self.id
        }
        fn point(&mut self, n: usize) {
            if let Some((at, d)) = self.sleep_at
                && at == n
            {
                std::thread::sleep(d);
            }
        }
        fn cv_woke(&mut self, w: &Wake) {
            self.wakes.push(*w);
        }
    }

    fn t(id: u32) -> T {
        T {
            id,
            wakes: vec![],
            sleep_at: None,
        }
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
        let b = Textbook::new(QueueKind::Condvar, 2, false);
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
        let b = Arc::new(Textbook::new(QueueKind::CondvarOneCv, 1, false));
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
        let b = Arc::new(Textbook::new(QueueKind::CondvarIf, 1, false));
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
        let b = Arc::new(Textbook::new(QueueKind::Condvar, 1, false));
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

    /// Lesson order, the step no sleep point can force: a producer that
    /// unlocks and comes straight back gets the lock before the consumer
    /// its signal woke, however long that consumer has been runnable.
    #[test]
    fn in_lesson_order_the_signaller_comes_back_before_the_thread_it_woke() {
        let b = Arc::new(Textbook::new(QueueKind::CondvarOneCv, 1, true));
        let b2 = b.clone();
        // A thread that leaves ends its turn (the workers' exit does it).
        let c = std::thread::spawn(move || {
            let r = b2.take(&mut t(2));
            b2.end_turn(2);
            r
        });
        until_sleeping(&b, Cv::Cond, 1);
        assert_eq!(b.put(&mut t(1), |_| 7), Op::Done(()));
        // Ample time for the woken consumer to run: it waits for the turn.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!((b.len(), c.is_finished()), (1, false));
        // The producer's next put finds the slot full and sleeps on `cond`,
        // which lets the consumer in; its signal then wakes the producer.
        let b3 = b.clone();
        let p = std::thread::spawn(move || {
            let r = b3.put(&mut t(1), |_| 8);
            b3.end_turn(1);
            r
        });
        assert_eq!(c.join().expect("consumer"), Op::Done(7));
        assert_eq!(p.join().expect("producer"), Op::Done(()));
        assert_eq!(b.take(&mut t(3)), Op::Done(8));
    }

    /// Lesson order: the mutex goes by when a thread asked for it. A
    /// consumer that asked while the producer held the lock goes before
    /// the one the producer's signal woke afterwards, so under `if` the
    /// woken one finds the buffer empty, on every run.
    #[test]
    fn in_lesson_order_a_thread_that_asked_first_gets_the_lock_first() {
        let b = Arc::new(Textbook::new(QueueKind::CondvarIf, 1, true));
        let b1 = b.clone();
        let woken = std::thread::spawn(move || b1.take(&mut t(2)));
        until_sleeping(&b, Cv::Fill, 1);
        let b2 = b.clone();
        let producer = std::thread::spawn(move || {
            let mut p = t(1);
            p.sleep_at = Some((4, Duration::from_millis(300)));
            let r = b2.put(&mut p, |_| 5);
            b2.end_turn(1);
            r
        });
        // The producer holds the lock at p4: ask for it then.
        while b.holder() != Some(1) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let b3 = b.clone();
        let first = std::thread::spawn(move || {
            let r = b3.take(&mut t(3));
            b3.end_turn(3);
            r
        });
        assert_eq!(producer.join().expect("producer"), Op::Done(()));
        assert_eq!(first.join().expect("asked first"), Op::Done(5));
        assert_eq!(woken.join().expect("woken"), Op::Bug(EMPTY_BUG));
    }
}
