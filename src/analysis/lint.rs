//! Lints and the hang watchdog: plain-words warnings about what a run is
//! doing wrong, computed from a snapshot alone (so the TUI's Warnings panel,
//! `run --json` and the watchdog agree).

use serde::Serialize;

use super::theory::{consumers_for, current_rates};
use crate::sim::snapshot::HISTORY_STEP;
use crate::sim::{Capacity, ExitReason, HistoryPoint, Phase, Role, Snapshot, ThreadState};

/// Which lint fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LintKind {
    /// Consumers wait on an empty queue with no pill coming: the run never ends.
    Hang,
    /// A producer is blocked on a full queue that no consumer will drain.
    StuckProducer,
    /// Items were left behind the pills when the last consumer exited.
    Stranded,
    /// Arrivals outpace service: the queue grows without bound.
    Runaway,
    /// The queue is pinned full: consumers are the bottleneck.
    ConsumerBound,
    /// The queue is pinned empty: producers are the bottleneck.
    ProducerBound,
    /// The shutdown's pill count does not match the consumers.
    PillsMismatch,
    /// Textbook buffers: every live thread sleeps on a condition variable
    /// and nobody is left to signal (the one-cv bug).
    CvDeadlock,
    /// Textbook buffers: a woken thread did not re-check its condition and
    /// found the buffer not as it assumed (the `if` bug).
    NoRecheck,
}

impl LintKind {
    /// True for lints that mean the run can never finish on its own.
    pub fn is_hang(self) -> bool {
        matches!(
            self,
            LintKind::Hang | LintKind::StuckProducer | LintKind::CvDeadlock
        )
    }
}

/// One warning, in plain words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lint {
    /// Which lint.
    pub kind: LintKind,
    /// What is wrong and, where it can, what to do.
    pub message: String,
}

/// History buckets a trend lint looks at (5 s at 250 ms).
const TREND: usize = 20;

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Who is still around, as the lints need it.
struct Census {
    producers_live: u64,
    consumers_live: u64,
    /// Consumers that exited on a pill.
    took_pill: u64,
    /// Consumers waiting on an empty queue.
    waiting: u64,
    /// `main` does nothing that could wake anyone: joining, or gone.
    main_idle: bool,
}

impl Census {
    fn of(s: &Snapshot) -> Census {
        Census {
            producers_live: s.live(Role::Producer) as u64,
            consumers_live: s.live(Role::Consumer) as u64,
            took_pill: s
                .role(Role::Consumer)
                .filter(|t| t.exit == Some(ExitReason::Pill))
                .count() as u64,
            waiting: s
                .role(Role::Consumer)
                .filter(|t| t.state == ThreadState::WaitingEmpty)
                .count() as u64,
            main_idle: s
                .role(Role::Coordinator)
                .all(|t| matches!(t.state, ThreadState::Joining | ThreadState::Exited)),
        }
    }
}

/// Every lint that applies to `s`.
pub fn lints(s: &Snapshot) -> Vec<Lint> {
    let mut out = Vec::new();
    let who = Census::of(s);
    out.extend(pill_count(s, &who));
    out.extend(hang(s, &who));
    stuck_producers(s, &who, &mut out);
    out.extend(stranded(s, &who));
    out.extend(super::cv_lint::deadlock(s));
    out.extend(super::cv_lint::no_recheck(s));
    if s.phase == Phase::Running {
        trend_lints(s, &mut out);
    }
    out
}

/// Pill count at shutdown, in either direction, against the consumers
/// that were live when the pills were planned: one pill each is the
/// protocol, so a consumer that crashes later does not make it wrong.
/// Extra pills are counted where they went: left in the queue, or not
/// delivered because no consumer was left to take them.
fn pill_count(s: &Snapshot, who: &Census) -> Option<Lint> {
    let c = s.counts;
    let planned = c.pills_planned?;
    // Recordings made before `pills_needed` existed: the consumers seen.
    let needed = c.pills_needed.unwrap_or(who.took_pill + who.consumers_live);
    let pills_for = format!(
        "{} for {}",
        plural(planned, "pill", "pills"),
        plural(needed, "consumer", "consumers")
    );
    let message = if planned < needed {
        format!("{pills_for}: each consumer needs its own pill")
    } else if planned > needed {
        let mut where_ = Vec::new();
        if c.pills_undelivered > 0 {
            where_.push(format!(
                "{} not delivered (no consumer left)",
                plural(c.pills_undelivered, "pill", "pills")
            ));
        }
        if (s.phase.is_over() || who.consumers_live == 0) && c.pills_in_queue() > 0 {
            where_.push(format!(
                "{} left in the queue",
                plural(c.pills_in_queue(), "pill", "pills")
            ));
        }
        if where_.is_empty() {
            format!("{pills_for}: one pill per consumer is enough")
        } else {
            format!("{pills_for}: {}", where_.join(", "))
        }
    } else {
        return None;
    };
    Some(Lint {
        kind: LintKind::PillsMismatch,
        message,
    })
}

/// Hang: nothing left that could ever wake the waiting consumers.
fn hang(s: &Snapshot, who: &Census) -> Option<Lint> {
    let c = s.counts;
    let hung = who.producers_live == 0
        && who.main_idle
        && c.pills_planned
            .is_some_and(|p| c.pills_sent + c.pills_undelivered >= p)
        && c.depth() == 0
        && who.waiting > 0
        && who.waiting == who.consumers_live;
    hung.then(|| Lint {
        kind: LintKind::Hang,
        message: format!(
            "{} will wait forever: {} sent for {}",
            plural(who.waiting, "consumer", "consumers"),
            plural(c.pills_sent, "pill", "pills"),
            plural(who.took_pill + who.consumers_live, "consumer", "consumers")
        ),
    })
}

/// A producer blocked on a full queue that nobody will drain.
fn stuck_producers(s: &Snapshot, who: &Census, out: &mut Vec<Lint>) {
    if who.consumers_live > 0 || s.phase.is_over() {
        return;
    }
    for t in s
        .role(Role::Producer)
        .filter(|t| t.state == ThreadState::BlockedFull)
    {
        out.push(Lint {
            kind: LintKind::StuckProducer,
            message: format!(
                "{} will block forever: the queue is full and no consumer is left",
                t.name
            ),
        });
    }
}

/// Items left behind the pills.
fn stranded(s: &Snapshot, who: &Census) -> Option<Lint> {
    let c = s.counts;
    (who.consumers_live == 0 && c.queued > 0 && c.pills_received > 0).then(|| Lint {
        kind: LintKind::Stranded,
        message: format!(
            "{} stranded behind the pills: no consumer is left to take {}",
            plural(c.queued, "item", "items"),
            if c.queued == 1 { "it" } else { "them" }
        ),
    })
}

/// The mean depth over the last [`TREND`] steps of [`HISTORY_STEP`] (5 s),
/// oldest first, whatever the history's own resolution; `None` until the
/// history covers that long.
fn recent_depths(history: &[HistoryPoint]) -> Option<Vec<f64>> {
    let end = history.last()?.at;
    let from = end.checked_sub(HISTORY_STEP * TREND as u32)?;
    let mut sum = [0.0; TREND];
    let mut n = [0u32; TREND];
    for p in history.iter().filter(|p| p.at > from) {
        // A point closes the bucket that ends at its `at`.
        let into = (p.at - from).as_nanos().saturating_sub(1);
        let k = (into * TREND as u128 / (end - from).as_nanos().max(1)) as usize;
        let k = k.min(TREND - 1);
        sum[k] += p.mean_depth;
        n[k] += 1;
    }
    if n.contains(&0) {
        return None;
    }
    Some((0..TREND).map(|k| sum[k] / n[k] as f64).collect())
}

fn trend_lints(s: &Snapshot, out: &mut Vec<Lint>) {
    let Some(recent) = recent_depths(&s.history) else {
        return;
    };
    let first = recent[0];
    let last = recent[TREND - 1];
    let rising = recent.windows(2).filter(|w| w[1] > w[0]).count();
    let mean: f64 = recent.iter().sum::<f64>() / TREND as f64;
    // The setup now (the current epoch), not the whole run's average.
    let (lambda, service) = current_rates(s);
    let c = s.live(Role::Consumer).max(1) as f64;
    let rho = lambda * service / c;

    let unbounded_or_room = match s.capacity {
        Capacity::Unbounded => true,
        Capacity::Bounded(n) => last < n as f64 * 0.9,
        Capacity::Rendezvous => false,
    };
    if unbounded_or_room && last > first + 2.0 && rising * 4 >= (TREND - 1) * 3 && rho >= 1.0 {
        let need = consumers_for(lambda, service, 0.999).unwrap_or(0);
        let need80 = consumers_for(lambda, service, 0.8).unwrap_or(0);
        out.push(Lint {
            kind: LintKind::Runaway,
            message: format!(
                "consumers can't keep up (ρ = {rho:.2}): need ≥ {need} consumers, {need80} for ρ ≤ 0.8"
            ),
        });
        return;
    }
    if let Capacity::Bounded(n) = s.capacity
        && mean >= n as f64 * 0.9
    {
        out.push(Lint {
            kind: LintKind::ConsumerBound,
            message: format!(
                "queue pinned full ({mean:.0}/{n}): consumers are the bottleneck; add consumers or shorten work"
            ),
        });
    } else if mean <= 0.1
        // A rendezvous queue is empty by construction: its depth says
        // nothing about which side is slower.
        && s.capacity != Capacity::Rendezvous
        && s.role(Role::Consumer)
            .any(|t| t.state == ThreadState::WaitingEmpty)
    {
        out.push(Lint {
            kind: LintKind::ProducerBound,
            message: "queue pinned empty: producers are the bottleneck; consumers mostly wait"
                .into(),
        });
    }
}
