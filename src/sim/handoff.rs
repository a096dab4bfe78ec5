//! The hand-off: the queue every producer, consumer and `main` use, and the
//! one place that knows how a message travels and how a thread waits for it.
//!
//! The channel carries one packed `u64` per message (see [`Message`]), as
//! the simplest user program would: a wider message is most of what
//! watching a hand-off would otherwise cost. A timed item's times travel
//! beside it in [`Stamps`], a table indexed by item id that the producer
//! writes before the send and the consumer reads after the receive (the
//! channel's own release/acquire hand-off orders the two), with a check that
//! the entry was not overwritten in between.
//!
//! Blocking-state contract: [`Queue::put`] and [`Queue::take`] first try at
//! once, then spin briefly, and only then tell their [`Waiter`] that the
//! thread is blocked; so a thread is shown blocked exactly when its queue
//! operation really has to wait. While blocked, the thread also listens on
//! its wake channel so pause, retire and abort reach it at once.
//!
//! The same queue may instead be one of OSTEP's textbook buffers (a mutex
//! and condition variables, see `condvar`): each operation then dispatches
//! once, on the `textbook` field, to the buffer, which carries the same
//! packed words and tells the thread what it does through
//! [`Waiter`]'s supertrait [`Hooks`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::time::{Duration, Instant};

use crossbeam_channel::{
    Receiver, RecvTimeoutError, Select, SendTimeoutError, Sender, TryRecvError, TrySendError,
    select,
};
use crossbeam_utils::{Backoff, CachePadded};

use super::condvar::{Hooks, Op, QueueKind, Textbook};

/// Bits of the packed word that hold the item id (ids stay far below 2^48).
const ID_BITS: u32 = 48;
const ID_MASK: u64 = (1 << ID_BITS) - 1;
/// Set when the item's times wait in [`Stamps`].
const TIMED: u64 = 1 << 63;
/// The producer index field (15 bits); the all-ones value is the pill's.
const PRODUCER_MASK: u64 = 0x7FFF;
/// The packed word of a pill (no item has the producer field all ones).
const PILL_WORD: u64 = u64::MAX;

/// Most producer indices carried exactly; later ones share this value
/// (the index is for display; nothing routes on it).
pub const MAX_PRODUCER_FIELD: u32 = (PRODUCER_MASK - 1) as u32;

/// How long a blocked thread first waits on the data channel alone.
///
/// Waiting on the data and wake channels together (a select) costs more per
/// park and wake-up than a bare `recv`/`send`, and on a busy queue threads
/// park and wake once per hand-off. So a thread first waits like a bare
/// operation for this long, then checks its wake channel and, if the wait
/// goes on, falls back to the select (so an idle thread still wakes at once
/// for pause, retire or abort, and costs nothing while it waits). A pause
/// thus reaches a thread in its first wait within 2 ms.
pub const FAST_WAIT: Duration = Duration::from_millis(2);

/// An item's times, ns on the run clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// When the producer started making it.
    pub created_ns: u64,
    /// When it went on the queue.
    pub enqueued_ns: u64,
    /// How many items this one stands for in the latency histograms (1, or
    /// the sampling interval when only one item in so many is timed).
    pub weight: u64,
}

/// An item as a producer offers it.
#[derive(Clone, Copy, Debug)]
pub struct Outgoing {
    /// Item id (below 2^48).
    pub id: u64,
    /// 0-based index of its producer, at most [`MAX_PRODUCER_FIELD`].
    pub producer: u32,
    /// Its times when it is timed; `enqueued_ns` is the stamp for the first
    /// try (a later try restamps it).
    pub stamp: Option<Stamp>,
}

/// An item as a consumer receives it: its packed word (one register on
/// the hot path; the stamp is looked up only for timed items, see
/// [`Queue::stamp`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item(u64);

impl Item {
    /// Item id.
    #[inline]
    pub fn id(self) -> u64 {
        self.0 & ID_MASK
    }

    /// 0-based index of the producer that made it (saturates at
    /// [`MAX_PRODUCER_FIELD`]).
    // The engine's loops do not need it today (the strip reads the
    // producers' own rings); the word carries it for queues that will.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn producer(self) -> u32 {
        ((self.0 >> ID_BITS) & PRODUCER_MASK) as u32
    }

    /// Whether its producer stamped it.
    #[inline]
    pub fn timed(self) -> bool {
        self.0 & TIMED != 0
    }
}

/// What comes off the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// An item.
    Item(Item),
    /// The poison pill: the consumer that takes it exits.
    Pill,
}

/// Outcome of a queue operation that may wait.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    /// It completed.
    Done(T),
    /// The waiter gave up after a wake (pause, retire, abort): the operation
    /// did not happen.
    Woken,
    /// The other side is gone (abort).
    Disconnected,
    /// A textbook buffer's bug struck (a woken thread did not re-check):
    /// nothing was put or taken.
    Bug(&'static str),
}

/// Outcome of a non-blocking pill.
#[derive(Debug, PartialEq, Eq)]
pub enum Offer {
    /// It went in.
    Sent,
    /// The queue is full.
    Full,
    /// Nobody can take it any more.
    Disconnected,
}

/// What a thread does while its queue operation waits. The queue calls
/// [`Waiter::missed`] when the first try fails, [`Waiter::blocked`] once,
/// only when a try and a short spin failed, and [`Waiter::unblocked`] when
/// the operation then completes.
pub trait Waiter: Hooks {
    /// The run clock, ns.
    fn now_ns(&self) -> u64;
    /// The operation's first try failed (the queue was empty for a take,
    /// full for a put): whatever it completes with then was not waiting
    /// for this thread. Costs nothing on the path where the try succeeds.
    fn missed(&mut self) {}
    /// The thread's wake channel.
    fn wake_rx(&self) -> &Receiver<()>;
    /// The operation must wait, from `at_ns`: show it. `false` gives up at
    /// once (a wake may have been spent before: look at the flags now).
    fn blocked(&mut self, at_ns: u64) -> bool;
    /// Woken while waiting: `true` waits on, `false` gives up.
    fn woken(&mut self) -> bool;
    /// The operation completed at `at_ns` after waiting.
    fn unblocked(&mut self, at_ns: u64);
    /// While waiting, [`Waiter::idle`] runs once this deadline passes.
    fn idle_deadline(&self) -> Option<Instant> {
        None
    }
    /// See [`Waiter::idle_deadline`].
    fn idle(&mut self) {}
}

/// The queue: a crossbeam channel of packed words plus the stamp table.
/// Clones share both.
#[derive(Clone, Debug)]
pub struct Queue {
    tx: Sender<u64>,
    rx: Receiver<u64>,
    stamps: Arc<Stamps>,
    /// A textbook buffer in place of the channel (which then stays unused).
    textbook: Option<Arc<Textbook>>,
}

impl Queue {
    /// A queue of `capacity` (`None` = unbounded). `in_flight` is how far
    /// apart, beyond what the queue holds, the ids of items between their
    /// stamp and its read may be (it sizes the stamp table, see
    /// [`Stamps::slots_for`]).
    pub fn new(capacity: Option<usize>, in_flight: usize) -> Queue {
        let (tx, rx) = match capacity {
            Some(n) => crossbeam_channel::bounded(n),
            None => crossbeam_channel::unbounded(),
        };
        let stamps = Arc::new(Stamps::new(Stamps::slots_for(capacity, in_flight)));
        Queue {
            tx,
            rx,
            stamps,
            textbook: None,
        }
    }

    /// A queue of `kind`: the channel as [`Queue::new`], or a textbook
    /// buffer of `capacity` slots (the config guarantees it is bounded and
    /// at least 1), in lesson order when `lesson` is set (sleep strings
    /// given, see `condvar::lesson`).
    pub fn of_kind(
        kind: QueueKind,
        capacity: Option<usize>,
        in_flight: usize,
        lesson: bool,
    ) -> Queue {
        if !kind.is_textbook() {
            return Queue::new(capacity, in_flight);
        }
        let slots = capacity.unwrap_or(1).max(1);
        let mut q = Queue::new(Some(1), in_flight.saturating_add(slots));
        q.textbook = Some(Arc::new(Textbook::new(kind, slots, lesson)));
        q
    }

    /// The textbook buffer, when the queue is one.
    pub fn textbook(&self) -> Option<&Textbook> {
        self.textbook.as_deref()
    }

    /// The textbook buffer, shared (see `Shared::end_turn`).
    pub fn textbook_shared(&self) -> Option<Arc<Textbook>> {
        self.textbook.clone()
    }

    /// Abort: release every thread asleep on a textbook buffer's condition
    /// variables (a channel's waiters are released by their wake channels).
    pub fn close(&self) {
        if let Some(tb) = &self.textbook {
            tb.close();
        }
    }

    /// Messages on the queue now.
    pub fn len(&self) -> usize {
        match &self.textbook {
            None => self.tx.len(),
            Some(tb) => tb.len(),
        }
    }

    /// True when nothing is on the queue.
    pub fn is_empty(&self) -> bool {
        match &self.textbook {
            None => self.tx.is_empty(),
            Some(tb) => tb.len() == 0,
        }
    }

    /// True when a bounded queue is at capacity.
    pub fn is_full(&self) -> bool {
        match &self.textbook {
            None => self.tx.is_full(),
            Some(tb) => tb.len() >= tb.capacity(),
        }
    }

    /// Timed items that went untimed because another item's stamp still
    /// held their entry (they count, untimed).
    pub fn stamps_lost(&self) -> u64 {
        self.stamps.lost.load(Ordering::Relaxed)
    }

    /// Put a pill without waiting.
    pub fn try_pill(&self) -> Offer {
        if let Some(tb) = &self.textbook {
            // `main` is registry id 0.
            return match tb.try_put_now(0, PILL_WORD) {
                Op::Done(true) => Offer::Sent,
                Op::Done(false) | Op::Bug(_) => Offer::Full,
                Op::Closed => Offer::Disconnected,
            };
        }
        match self.tx.try_send(PILL_WORD) {
            Ok(()) => Offer::Sent,
            Err(TrySendError::Full(_)) => Offer::Full,
            Err(TrySendError::Disconnected(_)) => Offer::Disconnected,
        }
    }

    /// Put an item: one try, a short spin, then a wait shown through `w`.
    /// Done with the enqueue stamp the item carries (`None`: untimed).
    #[inline]
    pub fn put<W: Waiter>(&self, out: Outgoing, w: &mut W) -> Outcome<Option<u64>> {
        if let Some(tb) = &self.textbook {
            return self.put_textbook(tb, out, w);
        }
        let mut word = pack(out.id, out.producer);
        let mut stamped = None;
        if let Some(s) = out.stamp
            && self.stamps.write(out.id, s)
        {
            word |= TIMED;
            stamped = Some(s.enqueued_ns);
        }
        match self.tx.try_send(word) {
            Ok(()) => Outcome::Done(stamped),
            Err(TrySendError::Disconnected(_)) => {
                self.stamps.release(out.id);
                Outcome::Disconnected
            }
            Err(TrySendError::Full(_)) => {
                let r = self.put_slow(out, word, w);
                if !matches!(r, Outcome::Done(_)) && out.stamp.is_some() {
                    // Never sent: its stamp must not hold the entry.
                    self.stamps.release(out.id);
                }
                r
            }
        }
    }

    /// A put on a textbook buffer: a timed item is stamped under the lock,
    /// as it goes in.
    #[cold]
    fn put_textbook<W: Waiter>(
        &self,
        tb: &Textbook,
        out: Outgoing,
        w: &mut W,
    ) -> Outcome<Option<u64>> {
        let mut stamped = None;
        let stamps = &self.stamps;
        let r = tb.put(w, |w: &mut W| {
            let mut word = pack(out.id, out.producer);
            if let Some(s) = out.stamp {
                // Made before the wait; in the buffer from now.
                let s = Stamp {
                    enqueued_ns: w.now_ns().max(s.enqueued_ns),
                    ..s
                };
                if stamps.write(out.id, s) {
                    word |= TIMED;
                    stamped = Some(s.enqueued_ns);
                }
            }
            word
        });
        match r {
            Op::Done(()) => Outcome::Done(stamped),
            Op::Bug(why) => Outcome::Bug(why),
            Op::Closed => Outcome::Disconnected,
        }
    }

    /// The queue was full: spin, then wait.
    fn put_slow<W: Waiter>(&self, out: Outgoing, mut word: u64, w: &mut W) -> Outcome<Option<u64>> {
        w.missed();
        let backoff = Backoff::new();
        while !backoff.is_completed() {
            backoff.snooze();
            if self.tx.is_full() {
                continue;
            }
            let stamped = self.restamp(&out, &mut word, w);
            match self.tx.try_send(word) {
                Ok(()) => return Outcome::Done(stamped),
                Err(TrySendError::Disconnected(_)) => return Outcome::Disconnected,
                Err(TrySendError::Full(_)) => {}
            }
        }
        if !w.blocked(w.now_ns()) {
            return Outcome::Woken;
        }
        let r = if word & TIMED != 0 {
            self.put_waiting_timed(out, word, w)
        } else {
            self.put_waiting(word, w)
        };
        if let Outcome::Done(_) = r {
            w.unblocked(w.now_ns());
        }
        r
    }

    /// Stamp a timed item again just before a try, so its queue wait starts
    /// when it really goes in; returns the stamp (`None` once untimed).
    fn restamp<W: Waiter>(&self, out: &Outgoing, word: &mut u64, w: &W) -> Option<u64> {
        let s = out.stamp.filter(|_| *word & TIMED != 0)?;
        let now = w.now_ns();
        let s = Stamp {
            enqueued_ns: now,
            ..s
        };
        if self.stamps.write(out.id, s) {
            Some(now)
        } else {
            *word &= !TIMED;
            None
        }
    }

    /// A timed item waits for room, then is stamped and tried: readiness
    /// first, so the stamp is the moment it goes in.
    fn put_waiting_timed<W: Waiter>(
        &self,
        out: Outgoing,
        mut word: u64,
        w: &mut W,
    ) -> Outcome<Option<u64>> {
        loop {
            let mut sel = Select::new();
            let send_i = sel.send(&self.tx);
            let wake_i = sel.recv(w.wake_rx());
            let ready = sel.ready();
            if ready == wake_i {
                match w.wake_rx().try_recv() {
                    Err(TryRecvError::Disconnected) => return Outcome::Disconnected,
                    Ok(()) | Err(TryRecvError::Empty) if !w.woken() => return Outcome::Woken,
                    Ok(()) | Err(TryRecvError::Empty) => continue,
                }
            }
            debug_assert_eq!(ready, send_i);
            let stamped = self.restamp(&out, &mut word, w);
            match self.tx.try_send(word) {
                Ok(()) => return Outcome::Done(stamped),
                // Another sender took the slot: wait again.
                Err(TrySendError::Full(_)) => {}
                Err(TrySendError::Disconnected(_)) => return Outcome::Disconnected,
            }
        }
    }

    /// An untimed item: [`FAST_WAIT`] on the data channel alone, then a
    /// select with the wake channel.
    fn put_waiting<W: Waiter>(&self, word: u64, w: &mut W) -> Outcome<Option<u64>> {
        match self.tx.send_timeout(word, FAST_WAIT) {
            Ok(()) => return Outcome::Done(None),
            Err(SendTimeoutError::Disconnected(_)) => return Outcome::Disconnected,
            Err(SendTimeoutError::Timeout(_)) => {}
        }
        loop {
            let wake = w.wake_rx();
            select! {
                send(self.tx, word) -> r => {
                    return r.map_or(Outcome::Disconnected, |()| Outcome::Done(None));
                }
                recv(wake) -> r => {
                    if r.is_err() {
                        return Outcome::Disconnected;
                    }
                    if !w.woken() {
                        return Outcome::Woken;
                    }
                }
            }
        }
    }

    /// Take a message: one try, a short spin, then a wait shown through `w`.
    #[inline]
    pub fn take<W: Waiter>(&self, w: &mut W) -> Outcome<Message> {
        if let Some(tb) = &self.textbook {
            return self.take_textbook(tb, w);
        }
        match self.rx.try_recv() {
            Ok(word) => Outcome::Done(self.open(word)),
            Err(TryRecvError::Disconnected) => Outcome::Disconnected,
            Err(TryRecvError::Empty) => self.take_slow(w),
        }
    }

    /// A get on a textbook buffer (out of line: the channel is the hot path).
    #[cold]
    fn take_textbook<W: Waiter>(&self, tb: &Textbook, w: &mut W) -> Outcome<Message> {
        match tb.take(w) {
            Op::Done(word) => Outcome::Done(self.open(word)),
            Op::Bug(why) => Outcome::Bug(why),
            Op::Closed => Outcome::Disconnected,
        }
    }

    /// The queue was empty: spin, then wait.
    fn take_slow<W: Waiter>(&self, w: &mut W) -> Outcome<Message> {
        w.missed();
        let backoff = Backoff::new();
        while !backoff.is_completed() {
            backoff.snooze();
            if let Ok(word) = self.rx.try_recv() {
                return Outcome::Done(self.open(word));
            }
        }
        if !w.blocked(w.now_ns()) {
            return Outcome::Woken;
        }
        let r = self.take_waiting(w);
        if let Outcome::Done(_) = r {
            w.unblocked(w.now_ns());
        }
        r
    }

    /// [`FAST_WAIT`] on the data channel alone, then a select with the wake
    /// channel and the waiter's idle deadline.
    fn take_waiting<W: Waiter>(&self, w: &mut W) -> Outcome<Message> {
        match self.rx.recv_timeout(FAST_WAIT) {
            Ok(word) => return Outcome::Done(self.open(word)),
            Err(RecvTimeoutError::Disconnected) => return Outcome::Disconnected,
            Err(RecvTimeoutError::Timeout) => {}
        }
        loop {
            let wake = w.wake_rx();
            // Two arms when there is no deadline: `default(..)` would
            // allocate a timer channel on every wait.
            let got = match w.idle_deadline() {
                None => select! {
                    recv(self.rx) -> m => Some(m.map_err(|_| ())),
                    recv(wake) -> r => r.err().map(|_| Err(())),
                },
                Some(at) => select! {
                    recv(self.rx) -> m => Some(m.map_err(|_| ())),
                    recv(wake) -> r => r.err().map(|_| Err(())),
                    default(at.saturating_duration_since(Instant::now())) => {
                        w.idle();
                        continue;
                    }
                },
            };
            match got {
                Some(Ok(word)) => return Outcome::Done(self.open(word)),
                Some(Err(())) => return Outcome::Disconnected,
                None if !w.woken() => return Outcome::Woken,
                None => {}
            }
        }
    }

    /// A received word as a message.
    #[inline]
    fn open(&self, word: u64) -> Message {
        if word == PILL_WORD {
            Message::Pill
        } else {
            Message::Item(Item(word))
        }
    }

    /// A taken item's stamp, freeing its entry: `None` when it was not
    /// timed. Call it once per item.
    #[inline]
    pub fn stamp(&self, item: Item) -> Option<Stamp> {
        if item.timed() {
            self.stamps.read(item.id())
        } else {
            None
        }
    }
}

/// The word of an untimed item (`producer` at most [`MAX_PRODUCER_FIELD`],
/// `id` below 2^48).
#[inline]
fn pack(id: u64, producer: u32) -> u64 {
    debug_assert!(producer <= MAX_PRODUCER_FIELD && id <= ID_MASK);
    (u64::from(producer) << ID_BITS) | id
}

/// One stamp-table entry: a tag (0 free, id + 1 holding that item's times,
/// [`BUSY`] while being written) guarding the times. 32 bytes, so two share
/// a cache line and none straddles one.
#[derive(Debug)]
#[repr(C, align(32))]
struct Entry {
    tag: AtomicU64,
    created_ns: AtomicU64,
    enqueued_ns: AtomicU64,
    weight: AtomicU64,
}

/// `n` (2 ..= [`MAX_SLOTS`]) free entries in zeroed memory, not a loop of
/// writes: a large table's pages then cost nothing until ids reach them.
/// (`Box::new_zeroed_slice` does the same but is newer than the MSRV.)
fn zeroed_entries(n: usize) -> Box<[Entry]> {
    let Ok(layout) = std::alloc::Layout::array::<Entry>(n) else {
        unreachable!("at most MAX_SLOTS entries of 32 bytes");
    };
    // SAFETY: the layout has a non-zero size (n ≥ 2); the pointer is checked
    // for null; an `Entry` is four `AtomicU64`s, for which all-zero bytes are
    // a valid value (0, and a tag of FREE); and a `Box<[Entry]>` of length
    // `n` frees exactly `Layout::array::<Entry>(n)` with the global
    // allocator, which allocated it.
    unsafe {
        let p = std::alloc::alloc_zeroed(layout).cast::<Entry>();
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, n))
    }
}

/// The tag of a free entry.
const FREE: u64 = 0;
/// The tag of an entry being written.
const BUSY: u64 = u64::MAX;

/// Side table of timed items' stamps, indexed by id modulo its size.
///
/// An entry holds one item's times from its producer's write until its
/// consumer's read, which frees it. A producer only writes a free entry (or
/// its own, to restamp): if an unread item still holds it — a producer that
/// stalled for a whole table of ids, or an unbounded backlog deeper than the
/// table — the new item goes untimed instead, so no stamp is ever
/// overwritten or read wrong. Tags change by compare-and-swap, and a reader
/// checks the tag before and after reading the times (a seqlock).
#[derive(Debug)]
pub struct Stamps {
    entries: Box<[Entry]>,
    mask: u64,
    /// Timed items that went untimed (rare: on its own cache line).
    lost: CachePadded<AtomicU64>,
}

/// Fewest and most entries in a stamp table (32 bytes each; untouched pages
/// cost no memory). The floor leaves room for a producer that stalls while
/// thousands of ids go by.
const MIN_SLOTS: usize = 1 << 14;
const MAX_SLOTS: usize = 1 << 18;

impl Stamps {
    /// A table of `slots` entries (a power of two, at most [`MAX_SLOTS`]).
    pub fn new(slots: usize) -> Stamps {
        let slots = slots.clamp(2, MAX_SLOTS).next_power_of_two();
        let entries = zeroed_entries(slots);
        Stamps {
            entries,
            mask: slots as u64 - 1,
            lost: CachePadded::new(AtomicU64::new(0)),
        }
    }

    /// Entries for a queue of `capacity` whose in-flight ids (claimed, queued
    /// or in hand) span at most `capacity + in_flight` consecutive ids: an
    /// entry comes round again only a whole table of ids later, so twice that
    /// span finds it free. An unbounded queue gets the most.
    pub fn slots_for(capacity: Option<usize>, in_flight: usize) -> usize {
        let held = capacity.unwrap_or(MAX_SLOTS).saturating_add(in_flight);
        held.saturating_mul(2)
            .clamp(MIN_SLOTS, MAX_SLOTS)
            .next_power_of_two()
    }

    fn entry(&self, id: u64) -> &Entry {
        &self.entries[(id & self.mask) as usize]
    }

    /// Write item `id`'s stamp; `false` (the item goes untimed) if another
    /// item holds the entry.
    #[inline]
    pub fn write(&self, id: u64, s: Stamp) -> bool {
        let e = self.entry(id);
        let cur = e.tag.load(Ordering::Relaxed);
        if (cur != FREE && cur != id + 1)
            || e.tag
                .compare_exchange(cur, BUSY, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            self.lost.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        // The BUSY tag is visible before any of the new times.
        fence(Ordering::Release);
        e.created_ns.store(s.created_ns, Ordering::Relaxed);
        e.enqueued_ns.store(s.enqueued_ns, Ordering::Relaxed);
        e.weight.store(s.weight, Ordering::Relaxed);
        e.tag.store(id + 1, Ordering::Release);
        true
    }

    /// Take item `id`'s stamp and free its entry (`None`, counted lost, if
    /// the entry does not hold it: it cannot happen while writers keep to
    /// [`Stamps::write`]).
    #[inline]
    pub fn read(&self, id: u64) -> Option<Stamp> {
        let e = self.entry(id);
        let tag = id + 1;
        if e.tag.load(Ordering::Acquire) == tag {
            let s = Stamp {
                created_ns: e.created_ns.load(Ordering::Relaxed),
                enqueued_ns: e.enqueued_ns.load(Ordering::Relaxed),
                weight: e.weight.load(Ordering::Relaxed),
            };
            // Any newer write seen above is seen by the tag load below.
            fence(Ordering::Acquire);
            // Freeing it releases the reads above before the next writer's.
            if e.tag
                .compare_exchange(tag, FREE, Ordering::Release, Ordering::Relaxed)
                .is_ok()
            {
                return Some(s);
            }
        }
        self.lost.fetch_add(1, Ordering::Relaxed);
        None
    }

    /// Free item `id`'s entry: it was stamped but never sent.
    pub fn release(&self, id: u64) {
        let e = self.entry(id);
        let _ = e
            .tag
            .compare_exchange(id + 1, FREE, Ordering::Release, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A waiter that counts what the queue tells it.
    struct Probe {
        wake: Receiver<()>,
        missed: u32,
        blocked: u32,
        unblocked: u32,
        woken: u32,
        wait_on: bool,
        idle_at: Option<Instant>,
        idled: u32,
        t0: Instant,
    }

    impl Probe {
        fn new(wake: Receiver<()>) -> Probe {
            Probe {
                wake,
                missed: 0,
                blocked: 0,
                unblocked: 0,
                woken: 0,
                wait_on: false,
                idle_at: None,
                idled: 0,
                t0: Instant::now(),
            }
        }
    }

    impl Hooks for Probe {
        fn thread_id(&self) -> u32 {
            1
        }
    }

    impl Waiter for Probe {
        fn now_ns(&self) -> u64 {
            self.t0.elapsed().as_nanos() as u64
        }
        fn wake_rx(&self) -> &Receiver<()> {
            &self.wake
        }
        fn missed(&mut self) {
            self.missed += 1;
        }
        fn blocked(&mut self, _: u64) -> bool {
            self.blocked += 1;
            true
        }
        fn woken(&mut self) -> bool {
            self.woken += 1;
            self.wait_on
        }
        fn unblocked(&mut self, _: u64) {
            self.unblocked += 1;
        }
        fn idle_deadline(&self) -> Option<Instant> {
            self.idle_at
        }
        fn idle(&mut self) {
            self.idled += 1;
            self.idle_at = None;
        }
    }

    fn stamp(at: u64) -> Stamp {
        Stamp {
            created_ns: at,
            enqueued_ns: at + 1,
            weight: 3,
        }
    }

    fn item(id: u64, stamp: Option<Stamp>) -> Outgoing {
        Outgoing {
            id,
            producer: 7,
            stamp,
        }
    }

    #[test]
    fn a_word_carries_id_producer_and_the_timed_flag() {
        let (_w, wake) = crossbeam_channel::bounded(1);
        let mut p = Probe::new(wake);
        let q = Queue::new(Some(4), 0);
        let big = (1 << ID_BITS) - 2;
        let out = Outgoing {
            id: big,
            producer: MAX_PRODUCER_FIELD,
            stamp: None,
        };
        assert_eq!(q.put(out, &mut p), Outcome::Done(None));
        assert_eq!(
            q.put(item(5, Some(stamp(10))), &mut p),
            Outcome::Done(Some(11))
        );
        assert_eq!(q.try_pill(), Offer::Sent);
        let Outcome::Done(Message::Item(a)) = q.take(&mut p) else {
            panic!("an item first");
        };
        assert_eq!(
            (a.id(), a.producer(), a.timed()),
            (big, MAX_PRODUCER_FIELD, false)
        );
        assert_eq!(q.stamp(a), None);
        let Outcome::Done(Message::Item(b)) = q.take(&mut p) else {
            panic!("then the timed item");
        };
        assert_eq!((b.id(), b.producer(), b.timed()), (5, 7, true));
        assert_eq!(q.stamp(b), Some(stamp(10)));
        assert_eq!(q.take(&mut p), Outcome::Done(Message::Pill));
        // Every first try succeeded: no miss, no block.
        assert_eq!((p.missed, p.blocked, q.stamps_lost()), (0, 0, 0));
    }

    #[test]
    fn a_stamp_is_never_overwritten_before_it_is_read() {
        let s = Stamps::new(8);
        assert!(s.write(3, stamp(1)));
        // A restamp rewrites its own entry.
        assert!(s.write(3, stamp(2)));
        // An id a table later finds the entry held: it goes untimed.
        assert!(!s.write(11, stamp(5)));
        assert_eq!(s.read(3), Some(stamp(2)));
        // Read, the entry is free again; a second read finds nothing.
        assert!(s.write(11, stamp(5)));
        assert_eq!(s.read(3), None);
        assert_eq!(s.read(11), Some(stamp(5)));
        // A stamp never sent is released.
        assert!(s.write(19, stamp(6)));
        s.release(19);
        assert!(s.write(27, stamp(7)));
        assert_eq!(s.lost.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn the_table_covers_the_queue_twice_within_bounds() {
        assert_eq!(Stamps::slots_for(Some(64), 4 * 64 + 4), MIN_SLOTS);
        assert_eq!(Stamps::slots_for(Some(10_000), 10_000), 65_536);
        assert_eq!(Stamps::slots_for(None, 0), MAX_SLOTS);
        assert_eq!(Stamps::slots_for(Some(usize::MAX), usize::MAX), MAX_SLOTS);
    }

    #[test]
    fn a_full_queue_blocks_once_then_restamps_when_the_item_goes_in() {
        let q = Queue::new(Some(1), 0);
        let (_w, wake) = crossbeam_channel::bounded(1);
        let mut p = Probe::new(wake);
        assert_eq!(q.put(item(1, None), &mut p), Outcome::Done(None));
        let q2 = q.clone();
        let drain = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            let (_w, wake) = crossbeam_channel::bounded(1);
            let mut c = Probe::new(wake);
            let first = q2.take(&mut c);
            let second = q2.take(&mut c);
            (first, second, q2)
        });
        let r = q.put(item(2, Some(stamp(0))), &mut p);
        let Outcome::Done(Some(enqueued)) = r else {
            panic!("it goes in: {r:?}");
        };
        // Stamped when it went in, after the wait, not at the first try.
        assert!(enqueued >= 20_000_000, "{enqueued}");
        assert_eq!((p.missed, p.blocked, p.unblocked), (1, 1, 1));
        let (first, second, _q) = drain.join().expect("drain thread");
        assert!(matches!(first, Outcome::Done(Message::Item(i)) if i.id() == 1));
        let Outcome::Done(Message::Item(i)) = second else {
            panic!("the second item");
        };
        assert_eq!(q.stamp(i).map(|s| s.enqueued_ns), Some(enqueued));
    }

    #[test]
    fn a_wake_releases_a_waiter_that_gives_up_and_idle_runs_once() {
        let q = Queue::new(Some(4), 0);
        let (wake_tx, wake) = crossbeam_channel::bounded(1);
        let mut p = Probe::new(wake);
        p.idle_at = Some(Instant::now() + Duration::from_millis(5));
        let waker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(40));
            let _ = wake_tx.send(());
            wake_tx
        });
        assert_eq!(q.take(&mut p), Outcome::Woken);
        assert_eq!(
            (p.missed, p.blocked, p.woken, p.idled, p.unblocked),
            (1, 1, 1, 1, 0)
        );
        drop(waker.join());
        // With the wake channel gone, a wait ends as disconnected.
        assert_eq!(q.take(&mut p), Outcome::Disconnected);
    }

    #[test]
    fn stamps_survive_a_busy_bounded_queue() {
        // As the engine claims ids: blocks of 64 from one shared counter.
        let q = Queue::new(Some(64), 2 * 64 + 2);
        let next = Arc::new(AtomicU64::new(0));
        let n = 200_000u64;
        let producers: Vec<_> = (0..2u32)
            .map(|k| {
                let (q, next) = (q.clone(), next.clone());
                std::thread::spawn(move || {
                    let (_w, wake) = crossbeam_channel::bounded(1);
                    let mut p = Probe::new(wake);
                    let mut untimed = 0u64;
                    loop {
                        let start = next.fetch_add(64, Ordering::Relaxed);
                        if start >= n {
                            return untimed;
                        }
                        for id in start..start + 64 {
                            let out = Outgoing {
                                id,
                                producer: k,
                                stamp: Some(stamp(id * 10)),
                            };
                            match q.put(out, &mut p) {
                                Outcome::Done(Some(_)) => {}
                                Outcome::Done(None) => untimed += 1,
                                r => panic!("{r:?}"),
                            }
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let q = q.clone();
                std::thread::spawn(move || {
                    let (_w, wake) = crossbeam_channel::bounded(1);
                    let mut c = Probe::new(wake);
                    let mut bad = 0;
                    while let Outcome::Done(Message::Item(i)) = q.take(&mut c) {
                        // Untimed, or its own times (a restamp moves only
                        // the enqueue time).
                        match (i.timed(), q.stamp(i)) {
                            (false, None) => {}
                            (true, Some(s)) if s.created_ns == i.id() * 10 && s.weight == 3 => {}
                            _ => bad += 1,
                        }
                    }
                    bad
                })
            })
            .collect();
        let untimed: u64 = producers
            .into_iter()
            .map(|p| p.join().expect("producer"))
            .sum();
        for _ in 0..2 {
            while q.try_pill() == Offer::Full {
                std::thread::yield_now();
            }
        }
        let bad: u32 = consumers
            .into_iter()
            .map(|c| c.join().expect("consumer"))
            .sum();
        assert_eq!(bad, 0);
        assert_eq!(q.stamps_lost(), untimed);
        // Only a producer stalled for a whole table of ids loses stamps.
        assert!(untimed < n / 20, "{untimed} of {n} untimed");
    }
}
