//! The instrumented queue: a crossbeam channel of [`Msg`] plus the two
//! blocking operations every thread uses. Each tries the non-blocking
//! operation first and marks the thread blocked only when that fails, so the
//! uncontended path costs one `try_send`/`try_recv` and the state shown is
//! exactly what the thread is doing. A blocked thread also listens on its wake
//! channel so pause, retire and abort reach it at once.

use crossbeam_channel::{Receiver, Sender, TryRecvError, TrySendError, select};

/// A unit of work as it travels through the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// Item id (the index into `words` for word workloads).
    pub id: u64,
    /// 0-based index of the producer that made it.
    pub producer: u32,
    /// When the producer started making it, ns since the run's start.
    pub created_ns: u64,
    /// When it was put on the queue, ns since the run's start.
    pub enqueued_ns: u64,
}

/// What the queue carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Work.
    Item(Item),
    /// The poison pill: the consumer that takes it exits.
    Pill,
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
}

/// Try to send without blocking. `Err` gives the message back when the queue
/// is full (the caller then marks itself blocked and calls [`send_blocking`]).
#[inline]
pub fn try_send(tx: &Sender<Msg>, msg: Msg) -> Result<(), Option<Msg>> {
    match tx.try_send(msg) {
        Ok(()) => Ok(()),
        Err(TrySendError::Full(m)) => Err(Some(m)),
        Err(TrySendError::Disconnected(_)) => Err(None),
    }
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

/// Wait for a message unless `wake` fires first.
pub fn recv_blocking(rx: &Receiver<Msg>, wake: &Receiver<()>) -> Blocked<Msg> {
    select! {
        recv(rx) -> m => match m {
            Ok(m) => Blocked::Done(m),
            Err(_) => Blocked::Disconnected,
        },
        recv(wake) -> w => match w {
            Ok(()) => Blocked::Woken(Msg::Pill),
            Err(_) => Blocked::Disconnected,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_full_queue_refuses_then_accepts_when_drained() {
        let (tx, rx) = channel(Some(1));
        let (_wtx, wrx) = crossbeam_channel::bounded::<()>(1);
        assert_eq!(try_send(&tx, Msg::Pill), Ok(()));
        assert_eq!(try_send(&tx, Msg::Pill), Err(Some(Msg::Pill)));
        let h = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            rx.recv().ok()
        });
        let mut stamped = 0;
        let r = send_blocking(&tx, Msg::Pill, &wrx, |_| stamped += 1);
        assert_eq!(r, Blocked::Done(()));
        assert!(stamped >= 1);
        assert_eq!(h.join().ok().flatten(), Some(Msg::Pill));
    }

    #[test]
    fn a_wake_releases_a_blocked_receiver() {
        let (_tx, rx) = channel(Some(4));
        let (wtx, wrx) = crossbeam_channel::bounded::<()>(1);
        wtx.send(()).ok();
        assert!(matches!(recv_blocking(&rx, &wrx), Blocked::Woken(_)));
        drop(wtx);
        assert_eq!(recv_blocking(&rx, &wrx), Blocked::Disconnected);
    }
}
