//! The textbook queues: OSTEP's bounded buffer (threads-cv homework) built
//! from a `std::sync::Mutex` and `Condvar`s over a ring of slots, in its
//! three versions (two variables with `while`, one variable with `while`,
//! two with `if`), with the homework's numbered sleep points.
//!
//! A leaf of the engine: it knows words (the hand-off's packed messages),
//! not items, and tells the thread what happens through [`Hooks`].

mod buffer;
mod hooks;
mod kind;
mod lesson;
pub mod points;

pub use buffer::{BadWake, EMPTY_BUG, FULL_BUG, Op, Textbook};
pub use hooks::{Hooks, Wake};
pub use kind::{Cv, QueueKind};
pub use points::{POINTS, SleepPlan};
