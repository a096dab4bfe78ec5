//! One traced queue: what is in it (in order, so a get without an item id
//! takes the right one), exact counts, latency histograms, and its depth
//! integrated over time into the same history the engine keeps.

use std::collections::{BTreeMap, HashMap, VecDeque};

use hdrhistogram::Histogram;

use crate::sim::snapshot::{HISTORY_LEN, HistoryPoint};
use crate::sim::{Counts, new_histogram, record};

use super::super::protocol::{Order, Qid};

/// Most learned pill reprs kept per queue.
const MAX_LEARNED: usize = 8;

/// One message in a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its number on the queue (0, 1, ... in put order).
    pub seq: u64,
    /// The sender's identity for the item, when it sends one.
    pub id: Option<u64>,
    /// When it was put, if the put had a time.
    pub put_at: Option<u64>,
    /// The thread that put it (index).
    pub by: usize,
    /// A poison pill.
    pub pill: bool,
    /// Its short repr, when sent.
    pub repr: Option<Box<str>>,
}

/// A message taken off a queue, or `None` fields for one the fold could
/// not place (past the tracking cap, or never seen put).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The entry, when it was tracked.
    pub entry: Option<Entry>,
    /// It was a pill.
    pub pill: bool,
}

/// Time-weighted depth and the history buckets.
#[derive(Clone, Debug, Default)]
pub struct Depth {
    /// Last time integrated to.
    last_t: u64,
    /// ∫ depth dt (messages × ns).
    pub area: f64,
    /// ∫ (queued + in flight) dt.
    pub system_area: f64,
    /// Deepest seen.
    pub max: u64,
    bucket_max: u64,
    bucket_area: f64,
    bucket_start: u64,
    last_produced: u64,
    last_done: u64,
    /// Closed buckets, oldest first.
    pub history: VecDeque<HistoryPoint>,
}

/// Operations a queue's events have accounted for so far, to compare with
/// a counting sender's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Puts.
    pub puts: u64,
    /// Gets.
    pub gets: u64,
    /// `task_done()` calls.
    pub dones: u64,
}

/// One queue.
#[derive(Clone, Debug)]
pub struct Queue {
    /// The sender's id.
    pub qid: Qid,
    /// A variable name, or `queue-N`.
    pub name: String,
    /// The class (`Queue`, `SimpleQueue`, ...).
    pub kind: String,
    /// How gets pick their item.
    pub order: Order,
    /// Capacity; 0 = unbounded.
    pub maxsize: u64,
    /// When it was made.
    pub created: u64,
    /// The thread of its compact events (index).
    pub who: Option<usize>,
    /// Operations accounted for (sent, or counted and applied).
    pub applied: Applied,
    entries: BTreeMap<u64, Entry>,
    by_id: HashMap<u64, VecDeque<u64>>,
    /// Items and pills past the tracking cap (counted, not listed).
    untracked: (u64, u64),
    next_seq: u64,
    /// Exact counters.
    pub counts: Counts,
    /// Puts + gets: how busy it is.
    pub ops: u64,
    /// Put → get.
    pub wait: Histogram<u64>,
    /// Put → done.
    pub e2e: Histogram<u64>,
    /// Sum and count of put → done, for the mean time in system.
    pub sojourn: (u128, u64),
    /// Depth over time.
    pub depth: Depth,
    /// Pill reprs learned from consumers leaving right after taking one.
    pub learned: Vec<Box<str>>,
}

impl Depth {
    /// Integrated up to this time.
    pub fn last_t(&self) -> u64 {
        self.last_t
    }
}

impl Queue {
    /// A queue made at `t`.
    pub fn new(qid: Qid, name: String, kind: String, order: Order, maxsize: u64, t: u64) -> Self {
        Queue {
            qid,
            name,
            kind,
            order,
            maxsize,
            created: t,
            who: None,
            applied: Applied::default(),
            entries: BTreeMap::new(),
            by_id: HashMap::new(),
            untracked: (0, 0),
            next_seq: 0,
            counts: Counts::default(),
            ops: 0,
            wait: new_histogram(),
            e2e: new_histogram(),
            sojourn: (0, 0),
            depth: Depth {
                last_t: t,
                bucket_start: t,
                ..Depth::default()
            },
            learned: Vec::new(),
        }
    }

    /// Messages in it now.
    pub fn len(&self) -> u64 {
        self.counts.depth()
    }

    /// Messages listed (tracked), head first.
    pub fn listed(&self) -> Box<dyn Iterator<Item = &Entry> + '_> {
        match self.order {
            Order::Lifo => Box::new(self.entries.values().rev()),
            Order::Fifo | Order::Priority => Box::new(self.entries.values()),
        }
    }

    /// Messages in it that are not listed.
    #[cfg(test)]
    pub fn unlisted(&self) -> u64 {
        self.untracked.0 + self.untracked.1
    }

    /// Integrates depth up to `t`.
    pub fn advance(&mut self, t: u64) {
        let d = &mut self.depth;
        if t <= d.last_t {
            return;
        }
        let dt = (t - d.last_t) as f64;
        let depth = self.counts.depth();
        d.area += depth as f64 * dt;
        d.bucket_area += depth as f64 * dt;
        d.system_area += (self.counts.queued + self.counts.in_flight) as f64 * dt;
        d.last_t = t;
    }

    fn note_depth(&mut self) {
        let depth = self.counts.depth();
        self.depth.max = self.depth.max.max(depth);
        self.depth.bucket_max = self.depth.bucket_max.max(depth);
    }

    /// Closes the history bucket ending at `at` (`origin` is time zero).
    pub fn close_bucket(&mut self, at: u64, origin: u64) {
        self.advance(at);
        let c = self.counts;
        let d = &mut self.depth;
        let span = at.saturating_sub(d.bucket_start).max(1) as f64;
        let done = c.consumed + c.failed;
        if d.history.len() == HISTORY_LEN {
            d.history.pop_front();
        }
        d.history.push_back(HistoryPoint {
            at: std::time::Duration::from_nanos(at.saturating_sub(origin)),
            max_depth: d.bucket_max,
            mean_depth: d.bucket_area / span,
            produced: c.produced.saturating_sub(d.last_produced),
            done: done.saturating_sub(d.last_done),
        });
        d.last_produced = c.produced;
        d.last_done = done;
        d.bucket_start = at;
        d.bucket_max = c.depth();
        d.bucket_area = 0.0;
    }

    /// Puts a message at `t`; `track` says whether it may be listed
    /// (the fold's memory cap). Returns its number.
    pub fn put(&mut self, mut e: Entry, t: u64, track: bool) -> u64 {
        self.advance(t);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.ops += 1;
        e.seq = seq;
        if e.pill {
            self.counts.pills_sent += 1;
        } else {
            self.counts.produced += 1;
            self.counts.queued += 1;
        }
        if track {
            if let Some(id) = e.id {
                self.by_id.entry(id).or_default().push_back(seq);
            }
            self.entries.insert(seq, e);
        } else if e.pill {
            self.untracked.1 += 1;
        } else {
            self.untracked.0 += 1;
        }
        self.note_depth();
        seq
    }

    /// Puts `n` counted messages (no repr, no time: plain items) by thread
    /// `by` at `t`, listing at most `room` of them: what `n` calls of
    /// [`put`](Self::put) would do, without building each entry's parts.
    pub fn put_counted(&mut self, n: u64, by: usize, t: u64, room: usize) {
        self.advance(t);
        let listed = n.min(u64::try_from(room).unwrap_or(u64::MAX));
        for _ in 0..listed {
            let seq = self.next_seq;
            self.next_seq += 1;
            let e = Entry {
                seq,
                id: None,
                put_at: None,
                by,
                pill: false,
                repr: None,
            };
            self.entries.insert(seq, e);
        }
        self.next_seq += n - listed;
        self.untracked.0 += n - listed;
        self.ops += n;
        self.counts.produced += n;
        self.counts.queued += n;
        self.note_depth();
    }

    /// Takes the message a get at `t` took: the one with `id`, or the head
    /// (tail, for LIFO). A message never seen put counts as put just now.
    /// `timed`: the get had a time of its own, so its wait is measured.
    #[inline]
    pub fn take(&mut self, id: Option<u64>, t: u64, timed: bool) -> Taken {
        self.advance(t);
        self.ops += 1;
        let entry = match (id, self.order) {
            // The head, without a search for it (most gets on a busy queue).
            (None, Order::Fifo | Order::Priority) => self.pop_head(),
            _ => self.find(id).and_then(|seq| self.remove(seq)),
        };
        let pill = self.count_take(entry.as_ref().map(|e| e.pill));
        if let Some(e) = &entry
            && !e.pill
            && timed
            && let Some(put) = e.put_at
        {
            record(&mut self.wait, t.saturating_sub(put), 1);
        }
        Taken { entry, pill }
    }

    /// `n` counted gets at `t` (no time of their own, so no waits
    /// measured), each finishing the item the one before took: what `n`
    /// calls of [`take`](Self::take) and [`finish`](Self::finish) would do,
    /// without handing each entry out. Returns the items (not pills)
    /// taken, the pills, the items finished, and the last take.
    pub fn take_counted(&mut self, n: u64, t: u64) -> (u64, u64, u64, Option<Taken>) {
        let (mut items, mut pills, mut finished) = (0, 0, 0);
        let mut held = false;
        for _ in 1..n {
            if held {
                self.finish(None, t, false);
                finished += 1;
            }
            self.advance(t);
            self.ops += 1;
            let found = match self.order {
                Order::Lifo => self.find(None).and_then(|seq| self.remove(seq)),
                Order::Fifo | Order::Priority => self.pop_head(),
            };
            let pill = self.count_take(found.map(|e| e.pill));
            held = !pill;
            if pill {
                pills += 1;
            } else {
                items += 1;
            }
        }
        if n == 0 {
            return (0, 0, 0, None);
        }
        if held {
            self.finish(None, t, false);
            finished += 1;
        }
        let last = self.take(None, t, false);
        if last.pill {
            pills += 1;
        } else {
            items += 1;
        }
        (items, pills, finished, Some(last))
    }

    /// Counts a take of a listed message (`Some(pill)`) or of one not
    /// listed; returns whether it was a pill.
    fn count_take(&mut self, found: Option<bool>) -> bool {
        let pill = match found {
            Some(pill) => pill,
            None if self.untracked.0 > 0 => {
                self.untracked.0 -= 1;
                false
            }
            None if self.untracked.1 > 0 => {
                self.untracked.1 -= 1;
                true
            }
            None => {
                // Never seen put (lost lines, a hostile stream): it was
                // produced, or the counts would not add up.
                self.counts.produced += 1;
                self.counts.queued += 1;
                false
            }
        };
        if pill {
            self.counts.pills_received += 1;
        } else {
            self.counts.queued = self.counts.queued.saturating_sub(1);
            self.counts.in_flight += 1;
        }
        pill
    }

    fn find(&self, id: Option<u64>) -> Option<u64> {
        match id {
            Some(id) => self.by_id.get(&id).and_then(|v| v.front().copied()),
            None => match self.order {
                Order::Lifo => self.entries.last_key_value().map(|(k, _)| *k),
                Order::Fifo | Order::Priority => self.entries.first_key_value().map(|(k, _)| *k),
            },
        }
    }

    /// Takes the oldest listed message.
    #[inline]
    fn pop_head(&mut self) -> Option<Entry> {
        let (_, e) = self.entries.pop_first()?;
        if e.id.is_some() {
            self.forget_id(&e);
        }
        Some(e)
    }

    fn forget_id(&mut self, e: &Entry) {
        if let Some(id) = e.id
            && let Some(v) = self.by_id.get_mut(&id)
        {
            v.retain(|s| *s != e.seq);
            if v.is_empty() {
                self.by_id.remove(&id);
            }
        }
    }

    fn remove(&mut self, seq: u64) -> Option<Entry> {
        let e = self.entries.remove(&seq)?;
        self.forget_id(&e);
        Some(e)
    }

    /// An item taken off this queue was finished at `t` (`failed`: its
    /// thread crashed holding it).
    pub fn finish(&mut self, put_at: Option<u64>, t: u64, failed: bool) {
        self.advance(t);
        self.counts.in_flight = self.counts.in_flight.saturating_sub(1);
        if failed {
            self.counts.failed += 1;
        } else {
            self.counts.consumed += 1;
        }
        if let Some(put) = put_at {
            let ns = t.saturating_sub(put);
            record(&mut self.e2e, ns, 1);
            self.sojourn.0 += u128::from(ns);
            self.sojourn.1 += 1;
        }
    }

    /// An item taken (in flight if `held`, else already finished) turns
    /// out to have been a pill: the counts move from items to pills.
    pub fn item_was_pill(&mut self, held: bool, t: u64) {
        self.advance(t);
        let c = &mut self.counts;
        if held {
            c.in_flight = c.in_flight.saturating_sub(1);
        } else {
            c.consumed = c.consumed.saturating_sub(1);
        }
        c.produced = c.produced.saturating_sub(1);
        c.pills_sent += 1;
        c.pills_received += 1;
    }

    /// Learns `repr` as a pill; every listed item with it becomes one.
    /// Returns the putters of the items that changed (thread indices).
    pub fn learn(&mut self, repr: &str, t: u64) -> Vec<usize> {
        if self.learned.iter().any(|r| &**r == repr) || self.learned.len() >= MAX_LEARNED {
            return Vec::new();
        }
        self.advance(t);
        self.learned.push(repr.into());
        let mut putters = Vec::new();
        for e in self.entries.values_mut() {
            if !e.pill && e.repr.as_deref() == Some(repr) {
                e.pill = true;
                putters.push(e.by);
                self.counts.queued -= 1;
                self.counts.produced -= 1;
                self.counts.pills_sent += 1;
            }
        }
        putters
    }

    /// Listed messages (for the fold's memory cap).
    pub fn tracked(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(by: usize, pill: bool, repr: &str) -> Entry {
        Entry {
            seq: 0,
            id: None,
            put_at: Some(0),
            by,
            pill,
            repr: Some(repr.into()),
        }
    }

    fn conserved(q: &Queue) {
        let c = q.counts;
        assert_eq!(
            c.produced,
            c.consumed + c.failed + c.queued + c.in_flight,
            "{c:?}"
        );
        assert_eq!(q.len(), q.tracked() as u64 + q.unlisted());
    }

    #[test]
    fn fifo_and_lifo_take_from_their_ends() {
        for (order, first) in [(Order::Fifo, "'a'"), (Order::Lifo, "'b'")] {
            let mut q = Queue::new(1, "q".into(), "Queue".into(), order, 0, 0);
            q.put(entry(0, false, "'a'"), 1, true);
            q.put(entry(0, false, "'b'"), 2, true);
            let got = q.take(None, 3, true);
            assert_eq!(got.entry.and_then(|e| e.repr).as_deref(), Some(first));
            conserved(&q);
        }
    }

    #[test]
    fn ids_pick_the_item_and_counts_stay_exact() {
        let mut q = Queue::new(1, "q".into(), "SimpleQueue".into(), Order::Fifo, 0, 0);
        for (i, id) in [7u64, 8, 7].into_iter().enumerate() {
            let mut e = entry(0, false, "x");
            e.id = Some(id);
            q.put(e, i as u64, true);
        }
        let got = q.take(Some(8), 10, true);
        assert_eq!(got.entry.map(|e| e.seq), Some(1));
        q.finish(Some(1), 20, false);
        // A get of an item never seen put is counted as produced.
        let got = q.take(Some(99), 21, true);
        assert!(got.entry.is_none() && !got.pill);
        conserved(&q);
        assert_eq!(q.counts.produced, 4);
        assert_eq!(q.counts.consumed, 1);
        assert_eq!(q.counts.in_flight, 1);
    }

    #[test]
    fn untracked_messages_are_still_counted() {
        let mut q = Queue::new(1, "q".into(), "Queue".into(), Order::Fifo, 0, 0);
        q.put(entry(0, false, "1"), 1, false);
        q.put(entry(0, true, "None"), 2, false);
        assert_eq!(q.len(), 2);
        assert_eq!(q.unlisted(), 2);
        assert!(!q.take(None, 3, true).pill);
        assert!(q.take(None, 4, true).pill);
        conserved(&q);
        assert_eq!(q.counts.pills_received, 1);
    }

    #[test]
    fn learning_a_pill_moves_queued_items_to_pills() {
        let mut q = Queue::new(1, "q".into(), "Queue".into(), Order::Fifo, 0, 0);
        q.put(entry(0, false, "None"), 1, true);
        q.put(entry(3, false, "None"), 2, true);
        q.put(entry(0, false, "5"), 3, true);
        q.take(None, 4, true);
        q.item_was_pill(true, 5);
        assert_eq!(q.learn("None", 5), vec![3]);
        assert_eq!(q.learn("None", 5), Vec::<usize>::new());
        conserved(&q);
        assert_eq!(
            (
                q.counts.pills_sent,
                q.counts.pills_received,
                q.counts.queued
            ),
            (2, 1, 1)
        );
    }

    #[test]
    fn depth_is_integrated_over_time_and_bucketed() {
        let mut q = Queue::new(1, "q".into(), "Queue".into(), Order::Fifo, 4, 0);
        q.put(entry(0, false, "1"), 0, true);
        q.put(entry(0, false, "2"), 100, true);
        q.take(None, 300, true);
        q.close_bucket(400, 0);
        // 1 for 100 ns, 2 for 200 ns, 1 for 100 ns: 600 over 400.
        assert!((q.depth.area - 600.0).abs() < 1e-9);
        let h = q.depth.history[0];
        assert_eq!((h.max_depth, h.produced), (2, 2));
        assert!((h.mean_depth - 1.5).abs() < 1e-9);
    }
}
