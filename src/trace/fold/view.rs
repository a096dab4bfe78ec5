//! The fold seen as the engine's [`Snapshot`], for one queue: the shown
//! queue's counts, contents, depth history and latencies, and the threads
//! that use it, with their roles inferred from what they did to it.

use std::time::Duration;

use crate::sim::{
    Capacity, Dist, Latency, Phase, QueueStrip, Role, Slot, Snapshot, SnapshotRequest,
    ThreadDetail, ThreadSnap, ThreadState, WorkMode, WorkSpec, summary,
};
use crate::sim::{LANE_CELLS, STRIP_MAX};

use super::queue::Queue;
use super::thread::{PerQueue, Thread, Waiting};
use super::{Fold, Over};

/// Events a snapshot carries when the request does not say.
const DEFAULT_EVENTS: usize = 200;

/// A thread's role on a queue, from what it did to it; `None` when it
/// did nothing with it (then it is not shown, unless it is `main`).
pub fn role(t: &Thread, c: &PerQueue) -> Option<Role> {
    if t.main {
        return Some(if c.pills_put > 0 {
            Role::Coordinator
        } else if c.took() || c.waits_empty > 0 {
            Role::Consumer
        } else if c.put() || c.waits_full > 0 {
            Role::Producer
        } else {
            Role::Coordinator
        });
    }
    if c.took() || c.waits_empty > 0 {
        Some(Role::Consumer)
    } else if c.put() || c.waits_full > 0 {
        Some(Role::Producer)
    } else {
        None
    }
}

fn ns(n: u64) -> Duration {
    Duration::from_nanos(n)
}

impl Fold {
    /// Chooses the queue to show: the one `--queue` names (by name or
    /// number), else the busiest, kept until another is clearly busier
    /// (so the view does not flap between two).
    pub fn reselect(&mut self) {
        if let Some(want) = self.opts.queue.as_deref() {
            self.shown = self
                .queues
                .iter()
                .position(|q| q.name == want || q.qid.to_string() == want);
            return;
        }
        let busiest = (0..self.queues.len()).max_by_key(|&i| (self.queues[i].ops, usize::MAX - i));
        self.shown = match (self.shown, busiest) {
            (Some(cur), Some(b)) if b != cur => {
                let (c, n) = (self.queues[cur].ops, self.queues[b].ops);
                if n > c + c / 2 + 10 {
                    Some(b)
                } else {
                    Some(cur)
                }
            }
            (cur, b) => cur.or(b),
        };
    }

    /// The queue shown, if any.
    fn shown_queue(&self) -> Option<&Queue> {
        self.shown.and_then(|i| self.queues.get(i))
    }

    /// `queue 'q'`, with the other queues' names when there are several.
    pub fn queue_line(&self) -> String {
        let Some(q) = self.shown_queue() else {
            return match &self.opts.queue {
                Some(want) => format!("no queue '{want}' yet"),
                None => "no queue yet".into(),
            };
        };
        let others: Vec<String> = self
            .queues
            .iter()
            .filter(|x| x.qid != q.qid)
            .take(4)
            .map(|x| format!("'{}'", x.name))
            .collect();
        let mut line = format!("queue '{}' ({})", q.name, q.kind);
        if !others.is_empty() {
            let more = self.queues.len() - 1 - others.len();
            line.push_str(&format!(
                " · also {}{}",
                others.join(", "),
                if more > 0 {
                    format!(" +{more}")
                } else {
                    String::new()
                }
            ));
        }
        line
    }

    /// The time a snapshot taken at `now` shows: the end, once there is one.
    fn at(&self, now: u64) -> u64 {
        let at = match self.end {
            Some((t, _)) => t,
            None => now.max(self.now),
        };
        self.shown_at.set(self.shown_at.get().max(at));
        at
    }

    fn phase(&self, q: Option<&Queue>) -> Phase {
        match self.end {
            Some((_, Over::Exited)) => Phase::Done,
            Some((_, Over::Stopped)) => Phase::Aborted,
            None => {
                let exiting = self.threads.iter().any(|t| {
                    t.main && matches!(t.waiting, Some(Waiting::Join { target: None, .. }))
                });
                if exiting || q.is_some_and(|q| q.counts.pills_sent > 0) {
                    Phase::ShuttingDown
                } else {
                    Phase::Running
                }
            }
        }
    }

    /// The snapshot at `now` (sender's clock): `scenario` and `lesson` are
    /// the header's words.
    pub fn snapshot(
        &self,
        now: u64,
        req: SnapshotRequest,
        scenario: &str,
        lesson: &str,
    ) -> Snapshot {
        let at = self.at(now);
        let origin = self.origin.unwrap_or(at);
        let q = self.shown_queue();
        let qi = self.shown.unwrap_or(usize::MAX);
        let threads = self.rows(qi, at);
        let mut counts = q.map(|q| q.counts).unwrap_or_default();
        if self.settled() || self.end.is_some() {
            // Nothing can put another pill: the pills sent are all there will be.
            counts.pills_planned = Some(counts.pills_sent);
        }
        let covered = q.map_or(1.0, |q| at.saturating_sub(q.created).max(1) as f64);
        let (area, system) = q.map_or((0.0, 0.0), |q| area_at(q, at));
        let n_events = if req.events == 0 {
            DEFAULT_EVENTS
        } else {
            req.events
        };
        let (interval, work) = measured_specs(&threads, counts.produced, counts.consumed);
        Snapshot {
            scenario: scenario.to_string(),
            lesson: lesson.to_string(),
            seed: 0,
            elapsed: ns(at.saturating_sub(origin)),
            // A real program cannot be paused: its run clock is the wall's.
            wall: ns(at.saturating_sub(origin)),
            phase: self.phase(q),
            capacity: match q.map_or(0, |q| q.maxsize) {
                0 => Capacity::Unbounded,
                n => Capacity::Bounded(usize::try_from(n).unwrap_or(usize::MAX)),
            },
            interval,
            work,
            gil: false,
            total_items: None,
            counts,
            channel_len: counts.depth(),
            max_depth: q.map_or(0, |q| q.depth.max),
            mean_depth: area / covered,
            mean_in_system: system / covered,
            latency: q.map_or_else(Latency::default, latency),
            strip: q.map_or_else(QueueStrip::default, |q| self.strip(q, &threads)),
            history: q.map_or_else(Vec::new, |q| q.depth.history.iter().copied().collect()),
            events: self.events.last(n_events),
            events_total: self.events.total(),
            shutdown_took: None,
            detail: req.detail.and_then(|id| self.detail(id)),
            output: None,
            threads,
            // No epochs or run totals: a traced program has no knobs.
            ..Snapshot::default()
        }
    }

    /// The rows: `main` and every thread that used queue `qi`.
    fn rows(&self, qi: usize, at: u64) -> Vec<ThreadSnap> {
        self.threads
            .iter()
            .enumerate()
            .filter_map(|(id, t)| {
                let c = t.on(qi);
                let role = role(t, &c)?;
                let (time_in, current) = t.times(at);
                let skip = t.lane.len().saturating_sub(LANE_CELLS);
                Some(ThreadSnap {
                    id,
                    name: t.name.clone(),
                    role,
                    state: t.state,
                    in_state_for: ns(current),
                    current_item: t.held.as_ref().filter(|h| h.q == qi).and_then(|h| h.seq),
                    items: match role {
                        Role::Producer => c.items_put,
                        Role::Consumer => c.done + c.failed,
                        Role::Coordinator => c.items_put + c.pills_put,
                    },
                    failed: c.failed,
                    time_in: time_in.map(ns),
                    lane: t.lane.iter().skip(skip).copied().collect(),
                    exit: t.exit,
                    retiring: false,
                    cv: None,
                    woke_held: None,
                })
            })
            .collect()
    }

    /// The queue's contents, head first: the newest [`STRIP_MAX`] listed.
    fn strip(&self, q: &Queue, rows: &[ThreadSnap]) -> QueueStrip {
        let producers: Vec<usize> = rows
            .iter()
            .filter(|r| r.role != Role::Consumer)
            .map(|r| r.id)
            .collect();
        let listed = q.listed().count();
        let skip = listed.saturating_sub(STRIP_MAX);
        let slots: Vec<Slot> = q
            .listed()
            .skip(skip)
            .map(|e| {
                if e.pill {
                    Slot::Pill
                } else {
                    Slot::Item {
                        id: e.seq,
                        producer: producers.iter().position(|&p| p == e.by).unwrap_or(0),
                    }
                }
            })
            .collect();
        QueueStrip {
            hidden: q.len().saturating_sub(slots.len() as u64),
            slots,
        }
    }

    fn detail(&self, id: usize) -> Option<ThreadDetail> {
        let t = self.threads.get(id)?;
        Some(ThreadDetail {
            id,
            timeline: t.lane.iter().copied().collect(),
            ..ThreadDetail::default()
        })
    }
}

/// ∫depth and ∫(in system) up to `at`, without moving the queue's clock.
fn area_at(q: &Queue, at: u64) -> (f64, f64) {
    let d = &q.depth;
    let (area, system) = (d.area, d.system_area);
    let last = d.last_t();
    if at <= last {
        return (area, system);
    }
    let dt = (at - last) as f64;
    let c = q.counts;
    (
        area + c.depth() as f64 * dt,
        system + (c.queued + c.in_flight) as f64 * dt,
    )
}

fn latency(q: &Queue) -> Latency {
    Latency {
        queue_wait: summary(&q.wait),
        end_to_end: summary(&q.e2e),
        mean_in_system: match q.sojourn {
            (_, 0) => Duration::ZERO,
            (sum, n) => ns(u64::try_from(sum / u128::from(n)).unwrap_or(u64::MAX)),
        },
    }
}

/// Mean time producers spent making an item and consumers working on one,
/// as the measured "interval" and "work" the queue panel shows.
fn measured_specs(rows: &[ThreadSnap], produced: u64, finished: u64) -> (WorkSpec, WorkSpec) {
    let sum = |role: Role, s: ThreadState| -> Duration {
        rows.iter()
            .filter(|r| r.role == role)
            .map(|r| r.time_in[s as usize])
            .sum()
    };
    let mean = |total: Duration, n: u64| -> WorkSpec {
        let d = u32::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .map_or(Duration::ZERO, |n| total / n);
        WorkSpec::new(WorkMode::Sleep, Dist::Fixed(d))
    };
    (
        mean(sum(Role::Producer, ThreadState::Producing), produced),
        mean(sum(Role::Consumer, ThreadState::Working), finished),
    )
}

/// One queue in the report.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct QueueSummary {
    /// Its name.
    pub name: String,
    /// Its class.
    pub kind: String,
    /// Capacity (0: unbounded).
    pub maxsize: u64,
    /// Items put.
    pub produced: u64,
    /// Items finished.
    pub consumed: u64,
    /// Items still in it.
    pub left_in_queue: u64,
    /// Pills put.
    pub pills_sent: u64,
    /// Pills taken.
    pub pills_received: u64,
    /// Deepest it got.
    pub max_depth: u64,
    /// Puts and gets.
    pub operations: u64,
    /// The one the snapshot shows.
    pub shown: bool,
}

impl Fold {
    /// Every queue, in the order they were made.
    pub fn queue_summaries(&self) -> Vec<QueueSummary> {
        self.queues
            .iter()
            .enumerate()
            .map(|(i, q)| QueueSummary {
                name: q.name.clone(),
                kind: q.kind.clone(),
                maxsize: q.maxsize,
                produced: q.counts.produced,
                consumed: q.counts.consumed,
                left_in_queue: q.counts.queued,
                pills_sent: q.counts.pills_sent,
                pills_received: q.counts.pills_received,
                max_depth: q.depth.max,
                operations: q.ops,
                shown: Some(i) == self.shown,
            })
            .collect()
    }
}
