//! Counted operations (protocol version 2): a busy FIFO queue's sender
//! sends its running totals of puts, gets and `task_done`s at marks (`who`
//! when the thread changes, `ops` otherwise) instead of an event per
//! operation. Everything between two marks that no event accounted for
//! was done by the thread the queue's `who` named, and is applied here at
//! the mark's time, item by item, so the counts stay exactly those of
//! events sent one by one.
//!
//! Order within a run: its puts, then its gets. In a FIFO queue that takes
//! the same items a get-by-get replay would (the k-th get takes the k-th
//! put), and a get never finds the queue emptier than the program did.

use super::thread::{Took, Waiting};
use super::{Fold, MAX_LISTED};
use crate::trace::protocol::Totals;

/// Most operations one mark may add (each kind). A real program does a
/// few hundred thousand between two marks at most (the sender marks every
/// 25 ms); a hostile line claiming more has the rest counted as skipped,
/// so one line never costs more than this much work.
pub const MAX_COUNTED: u64 = 1 << 20;

impl Fold {
    /// Applies what queue `qi`'s totals say happened since the last mark,
    /// by its `who` thread, at `t`.
    pub(super) fn counted(&mut self, qi: usize, t: u64, totals: Totals) {
        let a = self.queues[qi].applied;
        let puts = totals.puts.saturating_sub(a.puts);
        let gets = totals.gets.saturating_sub(a.gets);
        let dones = totals.dones.saturating_sub(a.dones);
        // Totals never go back; lower ones (a hostile line) change nothing.
        let applied = &mut self.queues[qi].applied;
        applied.puts = applied.puts.max(totals.puts);
        applied.gets = applied.gets.max(totals.gets);
        applied.dones = applied.dones.max(totals.dones);
        if puts == 0 && gets == 0 && dones == 0 {
            return;
        }
        let over = puts
            .saturating_sub(MAX_COUNTED)
            .saturating_add(gets.saturating_sub(MAX_COUNTED));
        self.stats.skipped_ops = self.stats.skipped_ops.saturating_add(over);
        let th = match self.queues[qi].who {
            Some(th) => th,
            None => self.thread(0, t),
        };
        // The item in its hands was finished at an operation without a
        // time of its own: no end-to-end latency from it.
        if let Some(h) = self.threads[th].held.as_mut() {
            h.put_at = None;
        }
        let running = self.threads[th].live() && self.threads[th].waiting.is_none();
        let (puts, gets) = (puts.min(MAX_COUNTED), gets.min(MAX_COUNTED));
        if self.opts.log {
            // A line per item, as events sent one by one would give.
            for _ in 0..puts {
                self.put_item(qi, th, t, None, None, None);
            }
            for _ in 0..gets {
                self.take_item(qi, th, t, None, false);
            }
        } else {
            if puts + gets > 0 {
                self.finish_held(th, t, false);
            }
            let room = MAX_LISTED.saturating_sub(self.listed());
            self.queues[qi].put_counted(puts, th, t, room);
            if let Some(c) = self.threads[th].on_mut(qi) {
                c.items_put += puts;
            }
            self.take_counted(qi, th, t, gets);
        }
        let finished = dones > 0 && totals.finished;
        if finished && self.threads[th].held.as_ref().is_some_and(|h| h.q == qi) {
            self.finish_held(th, t, false);
        }
        // A thread that waits keeps waiting: its counted operations came
        // before the wait (senders need not mark before a `block`).
        let waiting = self.threads[th].waiting;
        if running {
            self.threads[th].run(t);
        } else if !self.threads[th].live()
            || matches!(
                waiting,
                Some(Waiting::Queue { .. } | Waiting::QueueJoin { .. })
            )
        {
            // A queue call after them (the one that waits), or the thread's
            // exit (the sender marks before one; this is a hostile stream),
            // finished the item in its hands.
            self.finish_held(th, t, false);
        }
    }

    /// `n` counted gets by `th` at `t`: what `n` calls of `take_item`
    /// would do (each get finishes the item before it), counted at once.
    fn take_counted(&mut self, qi: usize, th: usize, t: u64, n: u64) {
        let (items, pills, finished, last) = self.queues[qi].take_counted(n, t);
        let Some(taken) = last else { return };
        let last = Took {
            q: qi,
            seq: taken.entry.as_ref().map(|e| e.seq),
            put_at: None,
            by: taken.entry.as_ref().map(|e| e.by),
            repr: taken.entry.and_then(|e| e.repr),
            pill: taken.pill,
        };
        let thread = &mut self.threads[th];
        if let Some(c) = thread.on_mut(qi) {
            c.items_got += items;
            c.pills_got += pills;
            c.done += finished;
        }
        thread.takes = true;
        thread.held = (!last.pill).then(|| last.clone());
        thread.last_take = Some(last);
    }
}
