//! The wait-for graph: who waits on what, and whether every thread waits
//! for something only another (waiting) thread could give it: then the
//! program can never go on by itself.

use serde::Serialize;

use super::Fold;
use super::thread::Waiting;
use crate::trace::protocol::Why;

/// One waiting thread and what it waits for, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaitFor {
    /// The thread.
    pub thread: String,
    /// `queue 'q' (empty)`, `Thread-2`, `every other thread`, ...
    pub waits_on: String,
}

impl Fold {
    /// True when at least one thread lives and every live thread waits,
    /// without a timeout, in a put, a get or a join: nothing can happen
    /// any more (the waits only end when another thread acts).
    pub fn settled(&self) -> bool {
        let mut live = self.threads.iter().filter(|t| t.live()).peekable();
        live.peek().is_some()
            && live.all(|t| {
                t.waiting
                    .as_ref()
                    .is_some_and(|w| w.forever() && !self.answered(w))
            })
    }

    /// A wait on a queue that now has an item to take (or room to put):
    /// the put (or get) that made it so woke a waiter, whose `wake` is
    /// only still to come. A program whose threads are short of CPU (a
    /// loaded machine) can show that state for a while, and it is no hang.
    fn answered(&self, w: &Waiting) -> bool {
        let Waiting::Queue { q, why, .. } = *w else {
            return false;
        };
        self.queues.get(q).is_some_and(|x| match why {
            Why::Empty => x.len() > 0,
            Why::Full => x.maxsize == 0 || x.len() < x.maxsize,
        })
    }

    /// Every live thread that waits, and on what.
    pub fn wait_for(&self) -> Vec<WaitFor> {
        self.threads
            .iter()
            .filter(|t| t.live())
            .filter_map(|t| {
                let w = t.waiting.as_ref()?;
                Some(WaitFor {
                    thread: t.name.to_string(),
                    waits_on: self.describe(w),
                })
            })
            .collect()
    }

    fn describe(&self, w: &Waiting) -> String {
        let queue = |q: usize| {
            self.queues
                .get(q)
                .map_or_else(|| "a queue".to_string(), |x| format!("queue '{}'", x.name))
        };
        match *w {
            Waiting::Queue { q, why, .. } => {
                let how = match why {
                    Why::Full => "full",
                    Why::Empty => "empty",
                };
                format!("{} ({how})", queue(q))
            }
            Waiting::QueueJoin { q } => format!("{} (join: items not done)", queue(q)),
            Waiting::Join { target: None, .. } => "every other thread (exit)".into(),
            Waiting::Join {
                target: Some(t), ..
            } => self
                .threads
                .get(t)
                .map_or_else(|| "a thread".into(), |x| x.name.to_string()),
        }
    }

    /// One line: who waits on what, threads waiting on the same thing
    /// grouped (`Thread-2, Thread-3 wait on queue 'q' (empty)`).
    pub fn wait_for_line(&self) -> String {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for w in self.wait_for() {
            match groups.iter_mut().find(|(on, _)| *on == w.waits_on) {
                Some((_, who)) => who.push(w.thread),
                None => groups.push((w.waits_on, vec![w.thread])),
            }
        }
        groups
            .into_iter()
            .map(|(on, who)| {
                let verb = if who.len() == 1 { "waits" } else { "wait" };
                let on = if on.starts_with("queue") {
                    format!("on {on}")
                } else {
                    format!("for {on}")
                };
                format!("{} {verb} {on}", who.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}
