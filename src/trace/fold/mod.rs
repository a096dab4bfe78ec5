//! Events → the model a [`Snapshot`](crate::sim::Snapshot) is read from:
//! threads with their states over time, queues with their contents and
//! exact counts, pills, latencies and narrated events.
//!
//! The rules, in the engine's vocabulary (see DESIGN.md):
//! - **States.** A thread is `starting` until its first queue call,
//!   `blocked-full` inside a put that waits, `waiting-empty` inside a get
//!   that waits, `joining` in `Thread.join` / `Queue.join`, and otherwise
//!   running its own code: `working` once it has taken items (between a get
//!   and its next queue call), else `producing`.
//! - **Items.** A put counts as produced; the get that takes it puts it in
//!   the taker's hands (in flight) until the taker's next queue call (or
//!   `task_done`, or its exit) finishes it. Every count moves one step at a
//!   time, so `produced = consumed + failed + queued + in flight` always.
//! - **Pills.** With `--pill VALUE` the items whose repr matches are pills.
//!   Without it, the item a thread took right before it left is taken to
//!   have been its pill, and its repr is learned as the queue's pill (items
//!   with it still in the queue, and those in other threads' hands, become
//!   pills too).
//!
//! Everything kept is bounded: threads, queues, listed queue entries, text.

mod counted;
mod hang;
mod ids;
mod queue;
mod thread;
mod view;

use std::sync::Arc;

use crate::sim::config::limits;
use crate::sim::event::EventRing;
use crate::sim::snapshot::HISTORY_STEP;
use crate::sim::{EventKind, ExitReason, ThreadState};

use super::protocol::{At, Event, Order, Qid, Tid, VERSION, Why};
pub use hang::WaitFor;
use ids::IdMap;
use queue::{Entry, Queue};
use thread::{Thread, Took, Waiting};

/// Most threads kept; later ones share one row.
pub const MAX_THREADS: usize = limits::MAX_THREADS;
/// Most queues kept; operations on later ones are counted and skipped.
pub const MAX_QUEUES: usize = 256;
/// Most queue entries listed over all queues (past it they are counted only).
pub const MAX_LISTED: usize = 200_000;
/// Events kept for the log.
const EVENT_RING: usize = 2048;
/// Lines `--log` may have waiting before more are dropped.
const MAX_LOG: usize = 1 << 20;
/// A thread's blocks are narrated at most this often.
const NARRATE_BLOCK_EVERY: u64 = 500_000_000;

/// What the user asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--pill VALUE`: items whose repr is one of these are pills.
    pub pills: Vec<String>,
    /// `--queue NAME`: the queue to show (else the busiest).
    pub queue: Option<String>,
    /// Keep seed-style lines for `--log`.
    pub log: bool,
}

/// How the stream went, for the report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Events applied.
    pub events: u64,
    /// Lines that were not valid events (skipped).
    pub bad_lines: u64,
    /// Events of a kind this version does not know (skipped).
    pub unknown: u64,
    /// Operations on queues past [`MAX_QUEUES`], or on queues never announced.
    pub skipped_ops: u64,
    /// The sender speaks a protocol version this build does not.
    pub foreign_version: Option<u64>,
}

/// How the traced run ended, once it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Over {
    /// The program ended by itself.
    Exited,
    /// queuescope stopped it.
    Stopped,
}

/// The folded trace.
#[derive(Debug)]
pub struct Fold {
    opts: Options,
    /// Time zero (the hello), sender's clock.
    origin: Option<u64>,
    /// Latest time seen.
    now: u64,
    /// When the run ended (frozen), and how.
    end: Option<(u64, Over)>,
    /// The program's process id and language, from the hello.
    pub hello: Option<(u64, String)>,
    main_tid: Option<Tid>,
    threads: Vec<Thread>,
    by_tid: IdMap<Tid, usize>,
    queues: Vec<Queue>,
    by_qid: IdMap<Qid, usize>,
    /// Index of the queue shown.
    shown: Option<usize>,
    events: EventRing,
    next_bucket: u64,
    /// How the stream went.
    pub stats: StreamStats,
    /// The sender said goodbye (`end`).
    pub ended_cleanly: bool,
    /// `--log` lines not yet taken.
    log: Vec<String>,
    /// The latest time a snapshot showed: the end is never before it, so
    /// time never runs backwards on screen or in a recording.
    shown_at: std::cell::Cell<u64>,
    /// Time of the latest narrated event.
    narrated_at: u64,
}

impl Fold {
    /// An empty fold.
    pub fn new(opts: Options) -> Fold {
        Fold {
            opts,
            origin: None,
            now: 0,
            end: None,
            hello: None,
            main_tid: None,
            threads: Vec::new(),
            by_tid: IdMap::default(),
            queues: Vec::new(),
            by_qid: IdMap::default(),
            shown: None,
            events: EventRing::new(EVENT_RING),
            next_bucket: u64::MAX,
            stats: StreamStats::default(),
            ended_cleanly: false,
            log: Vec::new(),
            shown_at: std::cell::Cell::new(0),
            narrated_at: 0,
        }
    }

    /// The `--log` lines since the last call.
    pub fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    fn log(&mut self, line: impl FnOnce() -> String) {
        if self.opts.log && self.log.len() < MAX_LOG {
            self.log.push(line());
        }
    }

    /// Time zero, once known.
    pub fn origin(&self) -> Option<u64> {
        self.origin
    }

    /// Latest time seen (sender's clock).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// When and how the run ended.
    pub fn end(&self) -> Option<(u64, Over)> {
        self.end
    }

    /// Applies one event.
    pub fn apply(&mut self, ev: Event) {
        if self.stats.foreign_version.is_some() || self.end.is_some() {
            return;
        }
        self.stats.events += 1;
        match ev {
            Event::Hello {
                version,
                t,
                pid,
                main,
                lang,
            } => self.hello(version, t, pid, main, lang),
            Event::Thread { t, tid, name } => self.thread_started(t, tid, name),
            Event::Exit { t, tid, error } => {
                let t = self.clock(t);
                // The exit of a thread that has left already is no news.
                if self
                    .by_tid
                    .get(&tid)
                    .is_none_or(|&i| self.threads[i].live())
                {
                    let th = self.thread(tid, t);
                    self.exit(th, t, error);
                }
            }
            Event::Queue {
                t,
                tid,
                q,
                kind,
                order,
                maxsize,
                name,
            } => self.queue_made(t, tid, q, kind, order, maxsize, name),
            Event::Who { t, tid, q, totals } => {
                let t = self.clock(t);
                if let Some(qi) = self.queue(q) {
                    // What was counted so far was the previous thread's.
                    if let Some(totals) = totals {
                        self.counted(qi, t, totals);
                    }
                    let th = self.thread(tid, t);
                    self.queues[qi].who = Some(th);
                } else {
                    self.thread(tid, t);
                }
            }
            Event::Ops { t, q, totals } => {
                let t = self.clock(t);
                if let Some(qi) = self.queue(q) {
                    self.counted(qi, t, totals);
                }
            }
            Event::Put { at, q, repr, id } => self.put(at, q, repr, id),
            Event::Get { at, q, id } => self.get(at, q, id),
            Event::Done { at, q } => self.done(at, q),
            other => self.wait_event(other),
        }
    }

    /// Blocks, wakes, joins and the end.
    fn wait_event(&mut self, ev: Event) {
        match ev {
            Event::Block {
                t,
                tid,
                q,
                why,
                timeout,
            } => self.block(t, tid, q, why, timeout.is_some()),
            Event::Wake { t, tid, .. }
            | Event::QueueJoined { t, tid, .. }
            | Event::Joined { t, tid, .. } => {
                let t = self.clock(t);
                let th = self.thread(tid, t);
                self.threads[th].run(t);
            }
            Event::QueueJoin { t, tid, q } => {
                let t = self.clock(t);
                let th = self.thread(tid, t);
                self.finish_held(th, t, false);
                if let Some(qi) = self.queue(q) {
                    self.threads[th].waiting = Some(Waiting::QueueJoin { q: qi });
                    self.threads[th].set(ThreadState::Joining, t);
                }
            }
            Event::Join {
                t,
                tid,
                target,
                timeout,
            } => {
                let t = self.clock(t);
                let th = self.thread(tid, t);
                let target = (target != 0).then(|| self.by_tid.get(&target).copied());
                self.threads[th].waiting = Some(Waiting::Join {
                    target: target.flatten(),
                    timeout: timeout.is_some(),
                });
                self.threads[th].set(ThreadState::Joining, t);
            }
            Event::End { t } => {
                let t = self.clock(t);
                self.ended_cleanly = true;
                self.finish(t, Over::Exited);
            }
            _ => {}
        }
    }

    fn hello(&mut self, version: u64, t: u64, pid: u64, main: Tid, lang: String) {
        // Only the first hello counts: a later one (hostile) changes nothing.
        if self.hello.is_some() {
            return;
        }
        if !(1..=VERSION).contains(&version) {
            self.stats.foreign_version = Some(version);
            return;
        }
        self.hello = Some((pid, lang));
        self.main_tid = Some(main);
        let t = self.clock(t);
        self.thread(main, t);
    }

    /// Moves the clock to `t` (it never goes back), closing history
    /// buckets on the way; returns `t`.
    fn clock(&mut self, t: u64) -> u64 {
        let origin = *self.origin.get_or_insert(t);
        if self.next_bucket == u64::MAX {
            self.next_bucket = origin.saturating_add(step());
        }
        if t > self.now {
            self.now = t;
            self.close_buckets(t);
        }
        t
    }

    /// Closes every history bucket ending at or before `t` (after a long
    /// quiet spell, only the last [`HISTORY_LEN`](crate::sim::snapshot::HISTORY_LEN) matter).
    fn close_buckets(&mut self, t: u64) {
        let len = crate::sim::snapshot::HISTORY_LEN as u64;
        if t >= self.next_bucket {
            let behind = (t - self.next_bucket) / step();
            if behind > len {
                self.next_bucket += (behind - len) * step();
            }
        }
        let origin = self.origin.unwrap_or(0);
        while t >= self.next_bucket {
            let at = self.next_bucket;
            for q in &mut self.queues {
                q.close_bucket(at, origin);
            }
            for th in &mut self.threads {
                th.close_bucket(at);
            }
            self.next_bucket += step();
        }
    }

    /// Advances the clock without an event (the program is quiet, or hung).
    pub fn tick(&mut self, t: u64) {
        if self.origin.is_some() && self.end.is_none() {
            self.clock(t);
        }
    }

    /// The thread `tid` (made on first sight; past [`MAX_THREADS`] they share one).
    fn thread(&mut self, tid: Tid, t: u64) -> usize {
        if let Some(&i) = self.by_tid.get(&tid) {
            // A thread that has left does nothing more: an id seen again is
            // a new thread (the system reuses ids).
            if self.threads[i].live() || self.threads.len() >= MAX_THREADS {
                return i;
            }
            self.by_tid.remove(&tid);
        }
        let main = Some(tid) == self.main_tid;
        if self.threads.len() >= MAX_THREADS {
            let last = self.threads.len() - 1;
            self.threads[last].name = "(more threads)".into();
            self.by_tid.insert(tid, last);
            return last;
        }
        let name: Arc<str> = if main {
            "MainThread".into()
        } else {
            format!("thread-{}", self.threads.len()).into()
        };
        self.threads.push(Thread::new(tid, name, main, t));
        self.by_tid.insert(tid, self.threads.len() - 1);
        self.threads.len() - 1
    }

    fn thread_started(&mut self, t: u64, tid: Tid, name: String) {
        let t = self.clock(t);
        let th = self.thread(tid, t);
        if self.threads.len() < MAX_THREADS || th != self.threads.len() - 1 {
            self.threads[th].name = name.into();
        }
        self.narrate(t, th, EventKind::Started);
    }

    #[allow(clippy::too_many_arguments)]
    fn queue_made(
        &mut self,
        t: u64,
        tid: Tid,
        q: Qid,
        kind: String,
        order: Order,
        maxsize: u64,
        name: Option<String>,
    ) {
        let t = self.clock(t);
        self.thread(tid, t);
        if self.by_qid.contains_key(&q) || self.queues.len() >= MAX_QUEUES {
            return;
        }
        let n = self.queues.len() + 1;
        let mut name = name.unwrap_or_else(|| format!("queue-{n}"));
        if self.queues.iter().any(|x| x.name == name) {
            name = format!("{name}#{n}");
        }
        self.queues
            .push(Queue::new(q, name, kind, order, maxsize, t));
        self.by_qid.insert(q, self.queues.len() - 1);
    }

    /// The queue `q`; an operation on a queue never announced (or past the
    /// cap) is counted and skipped.
    fn queue(&mut self, q: Qid) -> Option<usize> {
        let found = self.by_qid.get(&q).copied();
        if found.is_none() {
            self.stats.skipped_ops += 1;
        }
        found
    }

    /// Time and thread of an operation: its own, or (compact form) the
    /// clock's and the queue's `who`.
    fn actor(&mut self, at: Option<At>, qi: usize) -> (u64, usize) {
        match at {
            Some(At { t, tid }) => {
                let t = self.clock(t);
                (t, self.thread(tid, t))
            }
            None => {
                let t = self.now;
                let tid = self.queues[qi].who.map_or(0, |th| self.threads[th].tid);
                let th = self.thread(tid, t);
                self.queues[qi].who = Some(th);
                (t, th)
            }
        }
    }

    /// Finishes the item in `th`'s hands (consumed, or failed).
    fn finish_held(&mut self, th: usize, t: u64, failed: bool) {
        let Some(h) = self.threads[th].held.take() else {
            return;
        };
        self.queues[h.q].finish(h.put_at, t, failed);
        if let Some(c) = self.threads[th].on_mut(h.q) {
            if failed {
                c.failed += 1;
            } else {
                c.done += 1;
            }
        }
    }

    /// Whether an item with `repr` put on queue `qi` is a pill.
    fn is_pill(&self, qi: usize, repr: Option<&str>) -> bool {
        let Some(r) = repr else { return false };
        if !self.opts.pills.is_empty() {
            return self.opts.pills.iter().any(|v| pill_matches(v, r));
        }
        self.queues[qi].learned.iter().any(|l| &**l == r)
    }

    fn put(&mut self, at: Option<At>, q: Qid, repr: Option<String>, id: Option<u64>) {
        let Some(qi) = self.queue(q) else { return };
        let (t, th) = self.actor(at, qi);
        self.queues[qi].applied.puts += 1;
        self.put_item(qi, th, t, at.map(|a| a.t), repr, id);
        self.threads[th].run(t);
    }

    /// One put by thread `th` at `t` (`put_at`: when it had a time).
    fn put_item(
        &mut self,
        qi: usize,
        th: usize,
        t: u64,
        put_at: Option<u64>,
        repr: Option<String>,
        id: Option<u64>,
    ) {
        self.finish_held(th, t, false);
        let pill = self.is_pill(qi, repr.as_deref());
        let track = self.listed() < MAX_LISTED;
        let entry = Entry {
            seq: 0,
            id,
            put_at,
            by: th,
            pill,
            repr: repr.map(String::into_boxed_str),
        };
        let repr_for_log = pill.then(|| entry.repr.clone()).flatten();
        let item_repr = (!pill && self.opts.log)
            .then(|| entry.repr.clone())
            .flatten();
        let seq = self.queues[qi].put(entry, t, track);
        if !pill && self.opts.log {
            let who = Arc::clone(&self.threads[th].name);
            self.log(|| item_line(&who, "put", seq, item_repr.as_deref()));
        }
        if let Some(c) = self.threads[th].on_mut(qi) {
            if pill {
                c.pills_put += 1;
            } else {
                c.items_put += 1;
            }
        }
        if let Some(r) = repr_for_log {
            let what = format!(
                "{} put a pill ({r}) on {}",
                self.threads[th].name, self.queues[qi].name
            );
            self.narrate(t, th, EventKind::Run(what));
        }
    }

    fn get(&mut self, at: Option<At>, q: Qid, id: Option<u64>) {
        let Some(qi) = self.queue(q) else { return };
        let (t, th) = self.actor(at, qi);
        self.queues[qi].applied.gets += 1;
        // A compact get happens at the latest time seen: timed, as before.
        self.take_item(qi, th, t, id, true);
        self.threads[th].run(t);
    }

    /// One get by thread `th` at `t`; `timed`: the get had its own time
    /// (else no latency is measured from it).
    fn take_item(&mut self, qi: usize, th: usize, t: u64, id: Option<u64>, timed: bool) {
        self.finish_held(th, t, false);
        let taken = self.queues[qi].take(id, t, timed);
        let took = Took {
            q: qi,
            seq: taken.entry.as_ref().map(|e| e.seq),
            put_at: taken
                .entry
                .as_ref()
                .and_then(|e| e.put_at)
                .filter(|_| timed),
            by: taken.entry.as_ref().map(|e| e.by),
            repr: taken.entry.and_then(|e| e.repr),
            pill: taken.pill,
        };
        let thread = &mut self.threads[th];
        if let Some(c) = thread.on_mut(qi) {
            if took.pill {
                c.pills_got += 1;
            } else {
                c.items_got += 1;
            }
        }
        thread.takes = true;
        thread.held = (!took.pill).then(|| took.clone());
        if self.opts.log {
            let who = Arc::clone(&self.threads[th].name);
            self.log(|| match (&took.pill, took.seq) {
                (true, _) => format!("{who} received the pill: bye"),
                (false, Some(seq)) => item_line(&who, "received", seq, took.repr.as_deref()),
                (false, None) => format!("{who} received an item"),
            });
        }
        self.threads[th].last_take = Some(took);
    }

    fn done(&mut self, at: Option<At>, q: Qid) {
        let Some(qi) = self.queue(q) else { return };
        let (t, th) = self.actor(at, qi);
        self.queues[qi].applied.dones += 1;
        if self.threads[th].held.as_ref().is_some_and(|h| h.q == qi) {
            self.finish_held(th, t, false);
        }
        self.threads[th].run(t);
    }

    fn block(&mut self, t: u64, tid: Tid, q: Qid, why: Why, timeout: bool) {
        let t = self.clock(t);
        let th = self.thread(tid, t);
        let Some(qi) = self.queue(q) else { return };
        self.finish_held(th, t, false);
        let thread = &mut self.threads[th];
        if let Some(c) = thread.on_mut(qi) {
            match why {
                Why::Full => c.waits_full += 1,
                Why::Empty => c.waits_empty += 1,
            }
        }
        thread.waiting = Some(Waiting::Queue {
            q: qi,
            why,
            timeout,
        });
        let state = match why {
            Why::Full => ThreadState::BlockedFull,
            Why::Empty => ThreadState::WaitingEmpty,
        };
        thread.set(state, t);
        let quiet = thread
            .narrated_block
            .is_some_and(|last| t < last.saturating_add(NARRATE_BLOCK_EVERY));
        if !quiet {
            thread.narrated_block = Some(t);
            let kind = match why {
                Why::Full => EventKind::BlockedFull {
                    capacity: usize::try_from(self.queues[qi].maxsize).unwrap_or(usize::MAX),
                },
                Why::Empty => EventKind::WaitingEmpty,
            };
            self.narrate(t, th, kind);
        }
    }

    /// Entries listed over all queues.
    fn listed(&self) -> usize {
        self.queues.iter().map(Queue::tracked).sum()
    }

    fn narrate(&mut self, t: u64, th: usize, kind: EventKind) {
        // Threads stamp their events a moment before writing them: keep
        // the log in time order (a replay seeks in it by time).
        let t = t.max(self.narrated_at);
        self.narrated_at = t;
        let at = std::time::Duration::from_nanos(t.saturating_sub(self.origin.unwrap_or(t)));
        let who = self.threads.get(th).map(|x| Arc::clone(&x.name));
        if self.opts.log {
            let trace = crate::sim::Trace {
                who: who.clone().unwrap_or_else(|| "?".into()),
                at,
                kind: crate::sim::TraceKind::Event(crate::sim::Event {
                    seq: 0,
                    at,
                    who: who.clone(),
                    kind: kind.clone(),
                }),
            };
            if let Some(line) = crate::report::log::line(&trace, |_| None) {
                self.log(|| line);
            }
        }
        self.events.push(at, who, kind);
    }

    /// Ends the run at `t`: nothing more is applied, and the clock stops.
    pub fn finish(&mut self, t: u64, how: Over) {
        if self.end.is_some() {
            return;
        }
        let t = t.max(self.now).max(self.shown_at.get());
        self.tick(t);
        for q in &mut self.queues {
            q.advance(t);
        }
        if how == Over::Exited {
            // Threads still in their loops when the program ended (daemon
            // threads) ended with it, and an item in their hands was never
            // finished. A stopped program keeps its last picture instead:
            // that is what a hang looks like.
            for th in 0..self.threads.len() {
                if self.threads[th].live() {
                    self.finish_held(th, t, true);
                    self.threads[th].leave(ExitReason::Stopped, t);
                }
            }
        }
        self.end = Some((t, how));
    }
}

/// `Thread-1 put item 3 ('hello')`, as `run --log` says it.
fn item_line(who: &str, verb: &str, seq: u64, repr: Option<&str>) -> String {
    match repr {
        Some(r) => format!("{who} {verb} item {seq} ({r})"),
        None => format!("{who} {verb} item {seq}"),
    }
}

/// Width of a history bucket, ns.
fn step() -> u64 {
    HISTORY_STEP.as_nanos() as u64
}

/// `--pill quit` matches the repr `'quit'` (and `"quit"`); any value
/// matches its own repr (`--pill None`, `--pill "'quit'"`, `--pill -1`).
pub fn pill_matches(value: &str, repr: &str) -> bool {
    repr == value
        || (repr.len() == value.len() + 2
            && (repr.starts_with('\'') && repr.ends_with('\'')
                || repr.starts_with('"') && repr.ends_with('"'))
            && &repr[1..repr.len() - 1] == value)
}

impl Fold {
    /// A thread leaves: on an exception its item failed; after taking a
    /// pill (or, without `--pill`, what is then taken to be one) it left
    /// on its pill; otherwise it finished.
    fn exit(&mut self, th: usize, t: u64, error: Option<String>) {
        if !self.threads[th].live() {
            return;
        }
        if let Some(message) = error {
            let item = self.threads[th].held.as_ref().and_then(|h| h.seq);
            self.finish_held(th, t, true);
            self.threads[th].leave(ExitReason::Crashed, t);
            self.narrate(t, th, EventKind::Crashed { item, message });
            self.narrate(t, th, EventKind::Exited(ExitReason::Crashed));
            return;
        }
        let main = self.threads[th].main;
        let pill = match &self.threads[th].last_take {
            Some(took) if took.pill => true,
            Some(_) if !main && self.opts.pills.is_empty() => {
                self.infer_pill(th, t);
                true
            }
            _ => false,
        };
        let reason = if pill {
            self.narrate(t, th, EventKind::PillReceived);
            ExitReason::Pill
        } else if main {
            ExitReason::Done
        } else {
            ExitReason::Finished
        };
        self.finish_held(th, t, false);
        self.threads[th].leave(reason, t);
        self.narrate(t, th, EventKind::Exited(reason));
    }

    /// `th` left right after taking an item: that item was its pill.
    fn infer_pill(&mut self, th: usize, t: u64) {
        let Some(took) = self.threads[th].last_take.clone() else {
            return;
        };
        let thread = &mut self.threads[th];
        let held = thread.held.as_ref() == Some(&took);
        if held {
            thread.held = None;
        }
        self.reclassify(th, &took, held, t);
        if let Some(repr) = took.repr.as_deref() {
            let learned = self.learn(took.q, repr, t);
            if learned {
                let what = format!(
                    "{repr} is the pill on {}: {} left right after taking it",
                    self.queues[took.q].name, self.threads[th].name
                );
                self.narrate(t, th, EventKind::Run(what));
            }
        }
    }

    /// An item `th` took is counted as a pill from now on (`held`: it was
    /// still in its hands, else it had been finished).
    fn reclassify(&mut self, th: usize, took: &Took, held: bool, t: u64) {
        self.queues[took.q].item_was_pill(held, t);
        let thread = &mut self.threads[th];
        if let Some(c) = thread.on_mut(took.q) {
            c.items_got = c.items_got.saturating_sub(1);
            c.pills_got += 1;
            if !held {
                c.done = c.done.saturating_sub(1);
            }
        }
        if let Some(last) = thread.last_take.as_mut()
            && last.q == took.q
            && last.seq == took.seq
        {
            last.pill = true;
        }
        if let Some(by) = took.by
            && let Some(c) = self.threads[by].on_mut(took.q)
        {
            c.items_put = c.items_put.saturating_sub(1);
            c.pills_put += 1;
        }
    }

    /// Learns `repr` as queue `qi`'s pill: queued items and items in other
    /// threads' hands with it become pills. False if it was known already.
    fn learn(&mut self, qi: usize, repr: &str, t: u64) -> bool {
        if self.queues[qi].learned.iter().any(|l| &**l == repr) {
            return false;
        }
        for by in self.queues[qi].learn(repr, t) {
            if let Some(c) = self.threads[by].on_mut(qi) {
                c.items_put = c.items_put.saturating_sub(1);
                c.pills_put += 1;
            }
        }
        for th in 0..self.threads.len() {
            let holding = self.threads[th]
                .held
                .as_ref()
                .is_some_and(|h| h.q == qi && h.repr.as_deref() == Some(repr));
            if holding && let Some(took) = self.threads[th].held.take() {
                self.reclassify(th, &took, true, t);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests;
