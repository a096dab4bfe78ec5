//! The instrumented queue: a crossbeam channel of [`Msg`] plus the two
//! blocking operations every thread uses. Each tries the non-blocking
//! operation first and marks the thread blocked only when that fails, so the
//! uncontended path costs one `try_send`/`try_recv` and the state shown is
//! exactly what the thread is doing. A blocked thread also listens on its wake
//! channel so pause, retire and abort reach it at once.

use crossbeam_channel::{Receiver, Sender, TryRecvError, TrySendError, select};

/// Timestamp of an item that is not timed (see [`TIME_EVERY`]).
pub const NOT_TIMED: u64 = u64::MAX;

/// When producers have no interval, only one item in this many is timed:
/// a clock read costs about as much as a whole hand-off, and at millions of
/// items a second a 1-in-16 sample gives the same percentiles. Counters stay
/// exact; every item is timed whenever producing or working takes time.
pub const TIME_EVERY: u64 = 16;

/// Each producer times all of its first this many items, so short runs
/// (a handful of tasks) are measured exactly, not from a sample of one.
pub const TIME_ALL_FIRST: u64 = 1024;

/// A unit of work as it travels through the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// Item id (the index into `words` for word workloads).
    pub id: u64,
    /// 0-based index of the producer that made it.
    pub producer: u32,
    /// When the producer started making it, ns since the run's start
    /// ([`NOT_TIMED`] for untimed items).
    pub created_ns: u64,
    /// When it was put on the queue, ns since the run's start
    /// ([`NOT_TIMED`] for untimed items).
    pub enqueued_ns: u64,
}

/// What the queue carries: an item or the poison pill, packed into 24 bytes.
///
/// Message size is most of what an instrumented hand-off costs over a bare
/// one (the channel copies it into and out of a shared slot), so the
/// producer index rides in the top bits of the id and the pill is a reserved
/// id instead of an enum tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg {
    /// Producer index << 48 | item id, or [`PILL_WORD`].
    word: u64,
    created_ns: u64,
    enqueued_ns: u64,
}

/// Bits of the packed word that hold the item id (ids stay far below 2^48).
const ID_BITS: u32 = 48;
const ID_MASK: u64 = (1 << ID_BITS) - 1;
/// The packed word of a pill (no producer index reaches 0xFFFF).
const PILL_WORD: u64 = u64::MAX;

impl Msg {
    /// The poison pill: the consumer that takes it exits.
    pub const PILL: Msg = Msg {
        word: PILL_WORD,
        created_ns: 0,
        enqueued_ns: 0,
    };

    /// Packs an item.
    pub fn item(it: Item) -> Msg {
        Msg {
            word: ((it.producer as u64) << ID_BITS) | (it.id & ID_MASK),
            created_ns: it.created_ns,
            enqueued_ns: it.enqueued_ns,
        }
    }

    /// The item, or `None` for a pill.
    #[inline]
    pub fn get(self) -> Option<Item> {
        (self.word != PILL_WORD).then_some(Item {
            id: self.word & ID_MASK,
            producer: (self.word >> ID_BITS) as u32,
            created_ns: self.created_ns,
            enqueued_ns: self.enqueued_ns,
        })
    }

    /// Stamps the enqueue time (just before the message goes in).
    #[inline]
    pub fn stamp(&mut self, ns: u64) {
        self.enqueued_ns = ns;
    }
}

/// Creates the queue's channel for a capacity (`None` = unbounded).
pub fn channel(capacity: Option<usize>) -> (Sender<Msg>, Receiver<Msg>) {
    match capacity {
        Some(n) => crossbeam_channel::bounded(n),
        None => crossbeam_channel::unbounded(),
    }
}

/// Outcome of a blocking queue operation.
#[derive(Debug, PartialEq, Eq)]
pub enum Blocked<T> {
    /// It completed.
    Done(T),
    /// The thread's wake channel fired first: re-check control, maybe retry.
    Woken(Msg),
    /// The other side is gone (abort).
    Disconnected,
    /// The deadline passed first.
    TimedOut,
}

/// Try to send without blocking. `Err` gives the message back when the queue
/// is full (the caller then tries [`spin_send`] before it marks itself blocked).
#[inline]
pub fn try_send(tx: &Sender<Msg>, msg: Msg) -> Result<(), Option<Msg>> {
    match tx.try_send(msg) {
        Ok(()) => Ok(()),
        Err(TrySendError::Full(m)) => Err(Some(m)),
        Err(TrySendError::Disconnected(_)) => Err(None),
    }
}

/// Spin briefly (as crossbeam's own `send` does before it parks), retrying
/// the send; `restamp` runs before each try. `Err(Some)` gives the message
/// back when the queue stayed full: only then does the caller count itself
/// blocked. A hand-off that waits a microsecond is not worth a state change.
pub fn spin_send(
    tx: &Sender<Msg>,
    mut msg: Msg,
    mut restamp: impl FnMut(&mut Msg),
) -> Result<(), Option<Msg>> {
    let backoff = crossbeam_utils::Backoff::new();
    while !backoff.is_completed() {
        backoff.snooze();
        restamp(&mut msg);
        match tx.try_send(msg) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Full(m)) => msg = m,
            Err(TrySendError::Disconnected(_)) => return Err(None),
        }
    }
    Err(Some(msg))
}

/// Spin briefly retrying a receive; `None` when the queue stayed empty (or
/// was disconnected: the blocking receive that follows reports that).
pub fn spin_recv(rx: &Receiver<Msg>) -> Option<Msg> {
    let backoff = crossbeam_utils::Backoff::new();
    while !backoff.is_completed() {
        backoff.snooze();
        if let Ok(m) = rx.try_recv() {
            return Some(m);
        }
    }
    None
}

/// Wait until the queue has room (or a receiver, at capacity 0) and send,
/// unless `wake` fires first. `stamp` runs right before the message goes in so
/// the item carries its true enqueue time.
pub fn send_blocking(
    tx: &Sender<Msg>,
    mut msg: Msg,
    wake: &Receiver<()>,
    mut stamp: impl FnMut(&mut Msg),
) -> Blocked<()> {
    loop {
        // Readiness first, then a try: the item is stamped only when it can go in.
        let mut sel = crossbeam_channel::Select::new();
        let send_i = sel.send(tx);
        let wake_i = sel.recv(wake);
        let ready = sel.ready();
        if ready == wake_i {
            return match wake.try_recv() {
                Ok(()) | Err(TryRecvError::Empty) => Blocked::Woken(msg),
                Err(TryRecvError::Disconnected) => Blocked::Disconnected,
            };
        }
        debug_assert_eq!(ready, send_i);
        stamp(&mut msg);
        match tx.try_send(msg) {
            Ok(()) => return Blocked::Done(()),
            // Another sender took the slot, or the receiver left: wait again.
            Err(TrySendError::Full(m)) => msg = m,
            Err(TrySendError::Disconnected(_)) => return Blocked::Disconnected,
        }
    }
}

/// How long a blocked thread first waits on the data channel alone.
///
/// Waiting on the data and wake channels together (a select) costs more per
/// park and wake-up than a bare `recv`/`send`, and on a busy queue threads
/// park and wake once per hand-off. So a thread first waits like a bare
/// operation for this long, then checks its wake channel and, if the wait
/// goes on, falls back to the select (so an idle thread still wakes at once
/// for pause, retire or abort, and costs nothing while it waits). A pause
/// thus reaches a thread in its first wait within 2 ms.
pub const FAST_WAIT: std::time::Duration = std::time::Duration::from_millis(2);

/// Wait for a message: [`FAST_WAIT`] on the data channel alone, then
/// [`recv_blocking`].
pub fn recv_waiting(
    rx: &Receiver<Msg>,
    wake: &Receiver<()>,
    deadline: Option<std::time::Instant>,
) -> Blocked<Msg> {
    match rx.recv_timeout(FAST_WAIT) {
        Ok(m) => return Blocked::Done(m),
        Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Blocked::Disconnected,
        Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
    }
    recv_blocking(rx, wake, deadline)
}

/// Send a message that needs no enqueue stamp: [`FAST_WAIT`] on the data
/// channel alone, then [`send_blocking`].
pub fn send_waiting(tx: &Sender<Msg>, msg: Msg, wake: &Receiver<()>) -> Blocked<()> {
    match tx.send_timeout(msg, FAST_WAIT) {
        Ok(()) => Blocked::Done(()),
        Err(crossbeam_channel::SendTimeoutError::Disconnected(_)) => Blocked::Disconnected,
        Err(crossbeam_channel::SendTimeoutError::Timeout(m)) => send_blocking(tx, m, wake, |_| {}),
    }
}

/// Wait for a message unless `wake` fires first, or until `deadline`.
pub fn recv_blocking(
    rx: &Receiver<Msg>,
    wake: &Receiver<()>,
    deadline: Option<std::time::Instant>,
) -> Blocked<Msg> {
    // Two arms when there is no deadline: `at()` would allocate a timer
    // channel on every wait.
    match deadline {
        None => select! {
            recv(rx) -> m => got(m),
            recv(wake) -> w => woken(w),
        },
        Some(at) => select! {
            recv(rx) -> m => got(m),
            recv(wake) -> w => woken(w),
            default(at.saturating_duration_since(std::time::Instant::now())) => Blocked::TimedOut,
        },
    }
}

fn got(m: Result<Msg, crossbeam_channel::RecvError>) -> Blocked<Msg> {
    m.map_or(Blocked::Disconnected, Blocked::Done)
}

fn woken(w: Result<(), crossbeam_channel::RecvError>) -> Blocked<Msg> {
    w.map_or(Blocked::Disconnected, |()| Blocked::Woken(Msg::PILL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn messages_pack_into_24_bytes_and_round_trip() {
        assert_eq!(std::mem::size_of::<Msg>(), 24);
        let it = Item {
            id: 123_456_789,
            producer: 1023,
            created_ns: 5,
            enqueued_ns: 7,
        };
        assert_eq!(Msg::item(it).get(), Some(it));
        assert_eq!(Msg::PILL.get(), None);
    }

    #[test]
    fn a_full_queue_refuses_then_accepts_when_drained() {
        let (tx, rx) = channel(Some(1));
        let (_wtx, wrx) = crossbeam_channel::bounded::<()>(1);
        assert_eq!(try_send(&tx, Msg::PILL), Ok(()));
        assert_eq!(try_send(&tx, Msg::PILL), Err(Some(Msg::PILL)));
        let h = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            let got = rx.recv().ok();
            // Keep the receiver alive until the sender is done with it.
            (got, rx)
        });
        let mut stamped = 0;
        let r = send_blocking(&tx, Msg::PILL, &wrx, |_| stamped += 1);
        assert_eq!(r, Blocked::Done(()));
        assert!(stamped >= 1);
        assert_eq!(h.join().ok().and_then(|(got, _rx)| got), Some(Msg::PILL));
    }

    #[test]
    fn a_wake_releases_a_blocked_receiver() {
        let (_tx, rx) = channel(Some(4));
        let (wtx, wrx) = crossbeam_channel::bounded::<()>(1);
        wtx.send(()).ok();
        assert!(matches!(recv_blocking(&rx, &wrx, None), Blocked::Woken(_)));
        drop(wtx);
        assert_eq!(recv_blocking(&rx, &wrx, None), Blocked::Disconnected);
        let (_tx2, rx2) = channel(Some(4));
        let (_w2, wrx2) = crossbeam_channel::bounded::<()>(1);
        let soon = std::time::Instant::now() + Duration::from_millis(5);
        assert_eq!(recv_blocking(&rx2, &wrx2, Some(soon)), Blocked::TimedOut);
    }
}
