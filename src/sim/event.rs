//! Lifecycle events (never per-item): what the event log narrates. Kept in a
//! bounded ring so a long run cannot grow memory.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::state::ExitReason;
use super::work::fmt_duration;

/// Something that happened to a thread or to the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// A thread entered its loop.
    Started,
    /// A producer's send found the queue full (depth/capacity at that moment).
    BlockedFull {
        /// Capacity of the queue (0 = rendezvous).
        capacity: usize,
    },
    /// A consumer's recv found the queue empty.
    WaitingEmpty,
    /// The thread's blocked send/recv completed after this long.
    Unblocked {
        /// How long it was blocked.
        #[serde(rename = "after_ns", with = "super::serde_fmt::nanos")]
        after: Duration,
        /// Further block/unblock pairs folded into this one (rate limit).
        folded: u64,
    },
    /// The coordinator put pill `k` of `n`.
    PillSent {
        /// 1-based pill number.
        k: usize,
        /// Pills planned.
        n: usize,
    },
    /// A consumer took a pill.
    PillReceived,
    /// A thread left its loop.
    Exited(ExitReason),
    /// A thread's work panicked while it held `item`.
    Crashed {
        /// The failed item.
        item: Option<u64>,
        /// Panic message.
        message: String,
    },
    /// While stepping: the one queue operation a step let happen, a put.
    StepPut {
        /// The item put.
        item: u64,
    },
    /// While stepping: the one queue operation a step let happen, a get.
    StepGet {
        /// The item taken.
        item: u64,
    },
    /// Textbook buffers: the thread woke on a condition variable.
    Woke {
        /// Who signalled (`None`: nobody, a spurious wake-up).
        by: Option<String>,
        /// The variable.
        cv: super::condvar::Cv,
        /// Its condition held when it woke.
        held: bool,
        /// The code checks the condition again (`while`).
        rechecks: bool,
        /// Whom the signal was meant for, when the woken thread's condition
        /// was false and such a thread slept on the same variable.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        instead_of: Option<String>,
    },
    /// A live change took effect.
    ConfigChanged(String),
    /// Phase changes and run-level notes.
    Run(String),
}

/// A timestamped event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Sequence number, counting from 1, over the whole run.
    pub seq: u64,
    /// Time since the run started.
    #[serde(rename = "at_ns", with = "super::serde_fmt::nanos")]
    pub at: Duration,
    /// The thread concerned (`main` for the coordinator), if any.
    pub who: Option<Arc<str>>,
    /// What happened.
    pub kind: EventKind,
}

impl fmt::Display for Event {
    /// Narrates the event in the seed programs' words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = self.who.as_deref().unwrap_or("run");
        match &self.kind {
            EventKind::Started => write!(f, "{who} started"),
            EventKind::BlockedFull { capacity: 0 } => {
                write!(f, "{who} blocked: waiting for a receiver (rendezvous)")
            }
            EventKind::BlockedFull { capacity } => {
                write!(f, "{who} blocked: queue full {capacity}/{capacity}")
            }
            EventKind::WaitingEmpty => write!(f, "{who} waiting: queue empty"),
            EventKind::Unblocked { after, folded } => {
                write!(f, "{who} unblocked after {}", fmt_duration(*after))?;
                if *folded > 0 {
                    write!(f, " (+{folded} more blocks)")?;
                }
                Ok(())
            }
            EventKind::PillSent { k, n } => write!(f, "{who} sent pill {k}/{n}"),
            EventKind::PillReceived => write!(f, "{who} received the pill → exited"),
            EventKind::Exited(reason) => match reason {
                ExitReason::Finished => write!(f, "{who} finished producing → exited"),
                ExitReason::Stopped => write!(f, "{who} stopped → exited"),
                ExitReason::Pill => write!(f, "{who} exited (pill)"),
                ExitReason::Retired => write!(f, "{who} retired → exited"),
                ExitReason::Crashed => write!(f, "{who} crashed → exited"),
                ExitReason::Aborted => write!(f, "{who} aborted"),
                ExitReason::Done => write!(f, "{who} joined every thread"),
            },
            EventKind::Crashed { item, message } => match item {
                Some(id) => write!(f, "{who} crashed on item {id}: {message}"),
                None => write!(f, "{who} crashed: {message}"),
            },
            EventKind::StepPut { item } => write!(f, "put #{item} by {who}"),
            EventKind::StepGet { item } => write!(f, "get #{item} by {who}"),
            EventKind::Woke {
                by,
                cv,
                held,
                rechecks,
                instead_of,
            } => {
                match by {
                    Some(by) => write!(f, "{by} signalled {cv} → woke {who}")?,
                    None => write!(f, "{who} woke on {cv} with no signal (spurious)")?,
                }
                if let Some(o) = instead_of {
                    write!(f, " instead of {o}")?;
                }
                match (held, rechecks) {
                    (true, _) => Ok(()),
                    (false, true) => f.write_str(": nothing for it, back to sleep"),
                    (false, false) => f.write_str(": it does not re-check"),
                }
            }
            EventKind::ConfigChanged(what) => write!(f, "{who}: {what}"),
            EventKind::Run(what) => f.write_str(what),
        }
    }
}

/// Bounded ring of the most recent events plus a running sequence number.
#[derive(Debug)]
pub struct EventRing {
    cap: usize,
    next_seq: u64,
    buf: VecDeque<Event>,
}

impl EventRing {
    /// A ring keeping the last `cap` events.
    pub fn new(cap: usize) -> Self {
        EventRing {
            cap: cap.max(1),
            next_seq: 1,
            buf: VecDeque::with_capacity(cap.max(1)),
        }
    }

    /// Append, dropping the oldest when full; returns the sequence number.
    pub fn push(&mut self, at: Duration, who: Option<Arc<str>>, kind: EventKind) -> u64 {
        if self.buf.len() == self.cap {
            self.buf.pop_front();
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.buf.push_back(Event { seq, at, who, kind });
        seq
    }

    /// Events with `seq > after`, oldest first (those still in the ring).
    pub fn since(&self, after: u64) -> Vec<Event> {
        self.buf.iter().filter(|e| e.seq > after).cloned().collect()
    }

    /// The last `n` events, oldest first.
    pub fn last(&self, n: usize) -> Vec<Event> {
        let skip = self.buf.len().saturating_sub(n);
        self.buf.iter().skip(skip).cloned().collect()
    }

    /// Total events ever pushed.
    pub fn total(&self) -> u64 {
        self.next_seq - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_newest_and_counts_all() {
        let mut r = EventRing::new(3);
        for i in 0..5 {
            r.push(
                Duration::from_millis(i),
                None,
                EventKind::Run(format!("e{i}")),
            );
        }
        assert_eq!(r.total(), 5);
        let seqs: Vec<u64> = r.last(10).iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 4, 5]);
        assert_eq!(r.since(4).len(), 1);
    }

    #[test]
    fn narration_reads_like_the_seed_programs() {
        let e = Event {
            seq: 1,
            at: Duration::ZERO,
            who: Some("main".into()),
            kind: EventKind::PillSent { k: 3, n: 4 },
        };
        assert_eq!(e.to_string(), "main sent pill 3/4");
        let e = Event {
            seq: 2,
            at: Duration::ZERO,
            who: Some("Producer-1".into()),
            kind: EventKind::BlockedFull { capacity: 32 },
        };
        assert_eq!(e.to_string(), "Producer-1 blocked: queue full 32/32");
    }
}
