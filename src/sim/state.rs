//! The one vocabulary of thread states and roles, shared by the engine, the
//! screen and the JSON reports (see DESIGN.md).

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a thread is doing right now. Set only by the thread itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum ThreadState {
    /// Spawned, not yet in its loop.
    Starting = 0,
    /// Producer making its next item (its interval).
    Producing = 1,
    /// A `send` is waiting because the queue is full (or, at capacity 0, for a receiver).
    BlockedFull = 2,
    /// Consumer's `recv` is waiting because the queue is empty.
    WaitingEmpty = 3,
    /// Consumer processing an item.
    Working = 4,
    /// Parked by the user's pause.
    Paused = 5,
    /// Coordinator waiting for the producers to finish (joining them).
    Joining = 6,
    /// Left its loop.
    Exited = 7,
    /// Its code panicked.
    Crashed = 8,
    /// CPU work waiting for the emulated global interpreter lock (GIL).
    WaitingGil = 9,
    /// Textbook buffers: blocked acquiring the buffer's mutex.
    WaitingLock = 10,
    /// Textbook buffers: asleep on a condition variable (which one: see
    /// the thread's `cv`).
    WaitingCv = 11,
}

impl ThreadState {
    /// Number of states (size of per-state arrays).
    pub const COUNT: usize = 12;
    /// All states, in `repr` order.
    pub const ALL: [ThreadState; Self::COUNT] = [
        ThreadState::Starting,
        ThreadState::Producing,
        ThreadState::BlockedFull,
        ThreadState::WaitingEmpty,
        ThreadState::Working,
        ThreadState::Paused,
        ThreadState::Joining,
        ThreadState::Exited,
        ThreadState::Crashed,
        ThreadState::WaitingGil,
        ThreadState::WaitingLock,
        ThreadState::WaitingCv,
    ];

    /// From the `repr` byte; unknown bytes read as `Starting`.
    pub fn from_u8(b: u8) -> ThreadState {
        Self::ALL
            .get(b as usize)
            .copied()
            .unwrap_or(ThreadState::Starting)
    }

    /// The kebab-case name used on screen and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            ThreadState::Starting => "starting",
            ThreadState::Producing => "producing",
            ThreadState::BlockedFull => "blocked-full",
            ThreadState::WaitingEmpty => "waiting-empty",
            ThreadState::Working => "working",
            ThreadState::Paused => "paused",
            ThreadState::Joining => "joining",
            ThreadState::Exited => "exited",
            ThreadState::Crashed => "crashed",
            ThreadState::WaitingGil => "waiting-gil",
            ThreadState::WaitingLock => "waiting-lock",
            ThreadState::WaitingCv => "waiting-cv",
        }
    }

    /// True once the thread has left its loop for good.
    pub fn is_final(self) -> bool {
        matches!(self, ThreadState::Exited | ThreadState::Crashed)
    }

    /// Time in this state counts as busy (doing its own job).
    pub fn is_busy(self) -> bool {
        matches!(self, ThreadState::Producing | ThreadState::Working)
    }

    /// Time in this state counts as blocked on the queue.
    pub fn is_blocked(self) -> bool {
        matches!(
            self,
            ThreadState::BlockedFull
                | ThreadState::WaitingEmpty
                | ThreadState::WaitingLock
                | ThreadState::WaitingCv
        )
    }
}

impl fmt::Display for ThreadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A thread's job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Puts items on the queue.
    Producer,
    /// Takes items (and its pill) off the queue.
    Consumer,
    /// `main`: waits for the producers, then puts the pills.
    Coordinator,
}

impl Role {
    /// Lower-case name used on screen and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Role::Producer => "producer",
            Role::Consumer => "consumer",
            Role::Coordinator => "coordinator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a thread left its loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitReason {
    /// Producer: its share of the workload is done.
    Finished,
    /// Producer: stopped by shutdown or removal.
    Stopped,
    /// Consumer: took a poison pill.
    Pill,
    /// Consumer: its retire flag was set (live removal).
    Retired,
    /// Its work panicked.
    Crashed,
    /// The run was aborted.
    Aborted,
    /// Coordinator: every pill sent and every consumer gone.
    Done,
}

impl ExitReason {
    /// Lower-case name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            ExitReason::Finished => "finished",
            ExitReason::Stopped => "stopped",
            ExitReason::Pill => "pill",
            ExitReason::Retired => "retired",
            ExitReason::Crashed => "crashed",
            ExitReason::Aborted => "aborted",
            ExitReason::Done => "done",
        }
    }
}

/// The run as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Producers producing.
    Running,
    /// Parked by the user.
    Paused,
    /// Producers stopped; pills going out; consumers draining.
    ShuttingDown,
    /// Every thread has left; `Done! Time taken` is known.
    Done,
    /// Stopped by abort: blocked threads were released.
    Aborted,
}

impl Phase {
    /// Lower-case name for screen and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Running => "running",
            Phase::Paused => "paused",
            Phase::ShuttingDown => "shutting down",
            Phase::Done => "done",
            Phase::Aborted => "aborted",
        }
    }

    /// True when no thread runs any more.
    pub fn is_over(self) -> bool {
        matches!(self, Phase::Done | Phase::Aborted)
    }
}
