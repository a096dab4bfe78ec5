//! What a textbook buffer tells the thread using it, so the thread can show
//! what it does (its state is set by itself) and sleep at the numbered
//! points. Every hook but [`Hooks::thread_id`] defaults to nothing.

use super::kind::Cv;

/// A wake-up from a condition variable, as the woken thread saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wake {
    /// The variable it slept on.
    pub cv: Cv,
    /// Who signalled it (registry id; `None`: nobody did, a spurious wake-up).
    pub by: Option<u32>,
    /// Whether its condition held when it woke (room for a put, an item for
    /// a get).
    pub held: bool,
    /// Whether the code checks the condition again (`while`) or not (`if`).
    pub rechecks: bool,
    /// A thread of the other side (a producer for a woken consumer) was
    /// asleep on the same variable: the signal was meant for it.
    pub other_waiting: bool,
}

/// The thread's side of a textbook buffer operation.
pub trait Hooks {
    /// The thread's registry id (`main` is 0).
    fn thread_id(&self) -> u32;
    /// Sleep here as the sleep string says: point `n` (0..=6) of `put` for
    /// a producer, of `get` for a consumer.
    fn point(&mut self, _n: usize) {}
    /// The mutex is held by another thread: the thread waits for it.
    fn lock_contended(&mut self) {}
    /// The thread holds the mutex.
    fn lock_acquired(&mut self) {}
    /// The thread goes to sleep on `cv` (the mutex is released).
    fn cv_sleep(&mut self, _cv: Cv) {}
    /// The thread woke on a variable and holds the mutex again.
    fn cv_woke(&mut self, _wake: &Wake) {}
}
