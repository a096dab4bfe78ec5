//! Lesson order: who gets a textbook buffer's mutex next when sleep
//! strings are given, fixed as on the textbook's single CPU.
//!
//! A sleep string is meant to force one interleaving on any machine. The
//! homework's traces assume what a single CPU does: the thread that
//! unlocks keeps running, and the threads it made ready run after it has
//! blocked. On a real multi-core machine that order is the scheduler's: a
//! woken consumer can be placed on the producer's core and take the lock
//! back before the producer comes for it, and the one-cv deadlock then does
//! not happen. So with sleep strings the buffer decides the order itself:
//!
//! - **The running thread keeps the lock's turn.** A thread that unlocks
//!   gets the lock back before anyone else if it comes for it before it
//!   sleeps (at a point, on its work), waits, pauses or exits: those end its
//!   turn ([`crate::sim::shared::Shared::end_turn`]).
//! - **The others get it in the order they asked.** A thread asks when it
//!   calls `lock`, before it blocks, and takes a ticket; a thread asleep on a
//!   variable asks when it is signalled (the signaller takes its ticket), as
//!   a textbook scheduler moves it to the ready queue.
//! - **A signal wakes the thread that waited longest** on that variable.
//!
//! Only the order is fixed: the threads, the mutex and the waits are real,
//! and every state shown is the thread's own.

use std::collections::VecDeque;

/// The lesson-order state, kept under the buffer's mutex.
#[derive(Debug, Default)]
pub struct Lesson {
    /// The ticket whose holder gets the lock next (tickets are handed out by
    /// the buffer's atomic counter, outside the mutex).
    serving: u64,
    /// The thread whose turn it is (it unlocked and has not blocked since).
    turn: Option<u32>,
    /// Sleepers per variable, longest first.
    sleeping: [VecDeque<u32>; 3],
    /// Signalled sleepers and their tickets.
    woken: Vec<(u32, u64)>,
}

impl Lesson {
    /// Whether `me`, holding ticket `ticket` (`None`: it comes back in its
    /// turn), may take the lock now. Taking it consumes the turn or the
    /// ticket.
    pub fn may_take(&mut self, me: u32, ticket: Option<u64>) -> bool {
        match (self.turn, ticket) {
            (Some(t), _) if t == me => {
                self.turn = None;
                true
            }
            (None, Some(k)) if k == self.serving => {
                self.serving += 1;
                true
            }
            _ => false,
        }
    }

    /// Whether anyone other than the next ticket is owed the lock: a turn,
    /// or tickets handed out and not served (`issued`: the counter's value).
    pub fn busy(&self, issued: u64) -> bool {
        self.turn.is_some() || issued != self.serving
    }

    /// `me` unlocks and keeps the turn.
    pub fn keep_turn(&mut self, me: u32) {
        self.turn = Some(me);
    }

    /// `me` blocked, slept or left: its turn (if it has it) ends. True if it
    /// had it.
    pub fn end_turn(&mut self, me: u32) -> bool {
        if self.turn == Some(me) {
            self.turn = None;
            return true;
        }
        false
    }

    /// `me` goes to sleep on variable `cv` (an index).
    pub fn sleep(&mut self, cv: usize, me: u32) {
        if let Some(q) = self.sleeping.get_mut(cv) {
            q.push_back(me);
        }
    }

    /// A signal on `cv`: the longest sleeper, if any, gets `ticket()`.
    pub fn signal(&mut self, cv: usize, ticket: impl FnOnce() -> u64) {
        if let Some(who) = self.sleeping.get_mut(cv).and_then(VecDeque::pop_front) {
            self.woken.push((who, ticket()));
        }
    }

    /// `me`'s ticket once it has been signalled.
    pub fn woken(&mut self, me: u32) -> Option<u64> {
        let at = self.woken.iter().position(|&(who, _)| who == me)?;
        Some(self.woken.swap_remove(at).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_served_in_order_and_a_turn_comes_first() {
        let mut l = Lesson::default();
        assert!(l.may_take(1, Some(0)));
        l.keep_turn(1);
        // Ticket 1 waits while thread 1 has the turn; thread 1 comes back.
        assert!(!l.may_take(2, Some(1)));
        assert!(l.busy(2));
        assert!(l.may_take(1, None));
        l.keep_turn(1);
        assert!(l.end_turn(1) && !l.end_turn(1));
        assert!(!l.may_take(3, Some(2)), "ticket 1 is first");
        assert!(l.may_take(2, Some(1)) && l.may_take(3, Some(2)));
        assert!(!l.busy(3));
    }

    #[test]
    fn a_signal_wakes_the_longest_sleeper_with_a_ticket() {
        let mut l = Lesson::default();
        l.sleep(2, 5);
        l.sleep(2, 6);
        l.signal(2, || 9);
        l.signal(1, || unreachable!("nobody sleeps on 1"));
        assert_eq!((l.woken(6), l.woken(5)), (None, Some(9)));
    }
}
