//! One traced thread: its state over time (the same accounting the
//! engine's per-thread stats do: time per state, a swimlane of dominant
//! states), what it waits on, the item in its hands, and its operations
//! per queue.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::sim::snapshot::HISTORY_LEN;
use crate::sim::{ExitReason, ThreadState};

use super::super::protocol::{Tid, Why};

/// Queues a thread keeps per-queue counts for (a thread touching more is
/// still counted in each queue's totals).
const MAX_QUEUES_PER_THREAD: usize = 64;

/// What a thread is blocked in, for the wait-for graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Waiting {
    /// A put or get on queue `q` (index), full or empty.
    Queue {
        /// The queue (index into the fold's queues).
        q: usize,
        /// Full or empty.
        why: Why,
        /// The call can time out: not forever.
        timeout: bool,
    },
    /// `Queue.join()` on queue `q`.
    QueueJoin {
        /// The queue.
        q: usize,
    },
    /// `Thread.join()` on `target` (index), or every thread (`None`).
    Join {
        /// The thread waited for.
        target: Option<usize>,
        /// The join can time out.
        timeout: bool,
    },
}

impl Waiting {
    /// True when only another thread can end the wait (no timeout).
    pub fn forever(&self) -> bool {
        match *self {
            Waiting::Queue { timeout, .. } | Waiting::Join { timeout, .. } => !timeout,
            Waiting::QueueJoin { .. } => true,
        }
    }
}

/// An item a thread took: the one in its hands, or its last take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Took {
    /// The queue it came from (index).
    pub q: usize,
    /// Its number on that queue (`None`: a message the fold could not place).
    pub seq: Option<u64>,
    /// When it was put, if known.
    pub put_at: Option<u64>,
    /// The thread that put it (index), if known.
    pub by: Option<usize>,
    /// Its short repr, if sent.
    pub repr: Option<Box<str>>,
    /// It was a pill.
    pub pill: bool,
}

/// A thread's operations on one queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerQueue {
    /// Items put.
    pub items_put: u64,
    /// Pills put.
    pub pills_put: u64,
    /// Items taken.
    pub items_got: u64,
    /// Pills taken.
    pub pills_got: u64,
    /// Items finished (consumed).
    pub done: u64,
    /// Items whose thread crashed holding them.
    pub failed: u64,
    /// Waits in a get on the empty queue.
    pub waits_empty: u64,
    /// Waits in a put on the full queue.
    pub waits_full: u64,
}

impl PerQueue {
    /// Took anything off the queue.
    pub fn took(&self) -> bool {
        self.items_got + self.pills_got > 0
    }

    /// Put anything on the queue.
    pub fn put(&self) -> bool {
        self.items_put + self.pills_put > 0
    }
}

/// One thread.
#[derive(Clone, Debug)]
pub struct Thread {
    /// The sender's id for it.
    pub tid: Tid,
    /// Its name.
    pub name: Arc<str>,
    /// The program's main thread.
    pub main: bool,
    /// Current state.
    pub state: ThreadState,
    /// Since when (sender's clock, ns).
    since: u64,
    /// Time per state up to `since`.
    time_in: [u64; ThreadState::COUNT],
    /// Dominant state per history bucket, oldest first.
    pub lane: VecDeque<ThreadState>,
    /// `time_in` at the last bucket boundary.
    lane_mark: [u64; ThreadState::COUNT],
    /// Why it left.
    pub exit: Option<ExitReason>,
    /// What it waits on now.
    pub waiting: Option<Waiting>,
    /// The item in hand (never a pill).
    pub held: Option<Took>,
    /// Its last take (an item or a pill).
    pub last_take: Option<Took>,
    /// Ever took anything off any queue (then its own time is `working`).
    pub takes: bool,
    /// Per-queue counts, by queue index.
    per_queue: Vec<(usize, PerQueue)>,
    /// Last time a block was narrated (rate limit).
    pub narrated_block: Option<u64>,
}

impl Thread {
    /// A thread first seen at `t`.
    pub fn new(tid: Tid, name: Arc<str>, main: bool, t: u64) -> Thread {
        Thread {
            tid,
            name,
            main,
            state: ThreadState::Starting,
            since: t,
            time_in: [0; ThreadState::COUNT],
            lane: VecDeque::new(),
            lane_mark: [0; ThreadState::COUNT],
            exit: None,
            waiting: None,
            held: None,
            last_take: None,
            takes: false,
            per_queue: Vec::new(),
            narrated_block: None,
        }
    }

    /// Moves to `next` at `t` (never before the current state began).
    pub fn set(&mut self, next: ThreadState, t: u64) {
        if self.state.is_final() {
            return;
        }
        let t = t.max(self.since);
        let slot = &mut self.time_in[self.state as usize];
        *slot = slot.saturating_add(t - self.since);
        self.since = t;
        self.state = next;
    }

    /// The state its own code runs in: working once it has taken items,
    /// else producing.
    pub fn busy_state(&self) -> ThreadState {
        if self.takes {
            ThreadState::Working
        } else {
            ThreadState::Producing
        }
    }

    /// Back to its own code at `t` (after an operation or a wait).
    pub fn run(&mut self, t: u64) {
        self.waiting = None;
        let s = self.busy_state();
        self.set(s, t);
    }

    /// Time per state up to `at`, and the time in the current state.
    pub fn times(&self, at: u64) -> ([u64; ThreadState::COUNT], u64) {
        let mut out = self.time_in;
        let current = at.saturating_sub(self.since);
        out[self.state as usize] = out[self.state as usize].saturating_add(current);
        (out, current)
    }

    /// Closes a history bucket at `at`: one swimlane cell.
    pub fn close_bucket(&mut self, at: u64) {
        let (now, _) = self.times(at);
        let mut best = self.state;
        let mut best_ns = 0;
        for s in ThreadState::ALL {
            let d = now[s as usize].saturating_sub(self.lane_mark[s as usize]);
            if d > best_ns {
                best_ns = d;
                best = s;
            }
        }
        self.lane_mark = now;
        if self.lane.len() == HISTORY_LEN {
            self.lane.pop_front();
        }
        self.lane.push_back(best);
    }

    /// Its counts on queue `q`.
    pub fn on(&self, q: usize) -> PerQueue {
        self.per_queue
            .iter()
            .find(|(i, _)| *i == q)
            .map_or_else(PerQueue::default, |(_, c)| *c)
    }

    /// Its counts on queue `q`, for update (`None` past the per-thread cap).
    pub fn on_mut(&mut self, q: usize) -> Option<&mut PerQueue> {
        let pos = match self.per_queue.iter().position(|(i, _)| *i == q) {
            Some(p) => p,
            None if self.per_queue.len() < MAX_QUEUES_PER_THREAD => {
                self.per_queue.push((q, PerQueue::default()));
                self.per_queue.len() - 1
            }
            None => return None,
        };
        Some(&mut self.per_queue[pos].1)
    }

    /// Leaves for `reason` at `t`.
    pub fn leave(&mut self, reason: ExitReason, t: u64) {
        let state = if reason == ExitReason::Crashed {
            ThreadState::Crashed
        } else {
            ThreadState::Exited
        };
        self.waiting = None;
        self.set(state, t);
        self.exit = Some(reason);
    }

    /// Still in its loop.
    pub fn live(&self) -> bool {
        !self.state.is_final()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_goes_to_the_state_it_was_spent_in() {
        let mut t = Thread::new(1, "T".into(), false, 100);
        t.set(ThreadState::Producing, 110);
        t.set(ThreadState::BlockedFull, 150);
        // An event stamped before the current state began counts from it.
        t.set(ThreadState::Producing, 140);
        let (times, current) = t.times(200);
        assert_eq!(times[ThreadState::Starting as usize], 10);
        assert_eq!(times[ThreadState::Producing as usize], 40 + 50);
        assert_eq!(current, 50);
        assert_eq!(times.iter().sum::<u64>(), 100);
        t.leave(ExitReason::Finished, 250);
        t.set(ThreadState::Working, 260); // nothing after the exit
        assert_eq!(t.state, ThreadState::Exited);
    }

    #[test]
    fn a_lane_cell_is_the_bucket_s_dominant_state() {
        let mut t = Thread::new(1, "T".into(), false, 0);
        t.set(ThreadState::Working, 10);
        t.set(ThreadState::WaitingEmpty, 200);
        t.close_bucket(250);
        t.close_bucket(500);
        assert_eq!(
            t.lane.iter().copied().collect::<Vec<_>>(),
            vec![ThreadState::Working, ThreadState::WaitingEmpty]
        );
    }
}
