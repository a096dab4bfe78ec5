//! A sweep's results as a text table (with the knee marked and a verdict
//! line), one JSON document, or CSV. Field names are documented in
//! `docs/tuning.md`.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::range::show_counts;
use super::trial::Outcome;
use super::{KNEE_TOLERANCE, Point, SweepResult, best_index, knee_index};
use crate::units::{self as fmt, millis as ms};

/// Draws a result's charts as lines of text: the terminal UI's chart widget
/// drawn off-screen. The command printing the report hands it to [`table`],
/// so `sweep` itself needs no drawing library.
pub type ChartText = fn(&SweepResult) -> String;

/// The first line: what was swept.
pub fn title(r: &SweepResult) -> String {
    let producers = match r.producers.as_slice() {
        [1] => "1 producer".to_string(),
        [n] => format!("{n} producers"),
        v => format!("producers {}", show_counts(v)),
    };
    let consumers = match r.consumers.as_slice() {
        [n] => fmt::n_of(*n, "consumer"),
        v => format!("consumers {}", show_counts(v)),
    };
    let trial = if r.batch {
        "each run to completion".to_string()
    } else {
        format!("trials of {}", crate::units::exact(r.trial))
    };
    let repeat = if r.repeat == 1 {
        String::new()
    } else {
        format!(", median of {}", r.repeat)
    };
    // The channel is the default; a textbook buffer is named.
    let queue = match r.queue {
        crate::sim::QueueKind::Channel => String::new(),
        kind => format!(" on {}", kind.name()),
    };
    format!(
        "sweep {}{queue}: {producers} × {consumers}, {trial}{repeat}",
        r.scenario
    )
}

/// What the note column says about a point.
fn note(p: &Point, is_knee: bool, is_best: bool) -> String {
    let mut parts = Vec::new();
    if is_knee {
        parts.push("◀ knee".to_string());
    }
    if is_best && !is_knee {
        parts.push("best".to_string());
    }
    match p.outcome.name() {
        "ok" => {}
        other => parts.push(other.to_string()),
    }
    if p.failed > 0 {
        parts.push(format!("{} failed", p.failed));
    }
    parts.join(", ")
}

/// The text table, the verdict and, given `charts`, the charts (when some
/// point was measured).
pub fn table(r: &SweepResult, charts: Option<ChartText>) -> String {
    let knee = knee_index(&r.points);
    let best = best_index(&r.points);
    let mut out = String::new();
    let _ = writeln!(out, "{}", title(r));
    let _ = write!(
        out,
        "{:>9} {:>9} {:>11} {:>10} {:>9} {:>9} {:>9}",
        "producers", "consumers", "throughput", "mean depth", "wait p50", "wait p99", "cons util"
    );
    if r.batch {
        let _ = write!(out, " {:>9}", "makespan");
    }
    out.push('\n');
    for (i, p) in r.points.iter().enumerate() {
        let _ = write!(
            out,
            "{:>9} {:>9} {:>11} {:>10.1} {:>9} {:>9} {:>9}",
            p.producers,
            p.consumers,
            fmt::rate(p.throughput),
            p.mean_depth,
            fmt::short(p.wait_p50),
            fmt::short(p.wait_p99),
            fmt::pct(p.utilization),
        );
        if r.batch {
            let m = p.makespan.map_or_else(|| "-".to_string(), fmt::short);
            let _ = write!(out, " {m:>9}");
        }
        let n = note(p, Some(i) == knee, Some(i) == best);
        if !n.is_empty() {
            let _ = write!(out, "  {n}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", verdict(r));
    if let Some(charts) = charts.filter(|_| !r.points.is_empty()) {
        out.push('\n');
        out.push_str(&charts(r));
    }
    out
}

/// One line: where the knee is and why.
pub fn verdict(r: &SweepResult) -> String {
    let cancelled = if r.cancelled {
        " (sweep interrupted: partial results)"
    } else {
        ""
    };
    match (r.knee(), r.best()) {
        (Some(k), Some(b)) => {
            let who = |p: &Point| {
                if r.producers.len() > 1 {
                    format!(
                        "{} + {}",
                        fmt::n_of(p.producers, "producer"),
                        fmt::n_of(p.consumers, "consumer")
                    )
                } else if r.consumers.len() == 1 {
                    fmt::n_of(p.producers, "producer")
                } else {
                    fmt::n_of(p.consumers, "consumer")
                }
            };
            if k == b {
                format!(
                    "knee: {} ({}) is the best; no smaller count comes within {:.0} %{cancelled}",
                    who(k),
                    fmt::rate(k.throughput),
                    KNEE_TOLERANCE * 100.0
                )
            } else {
                format!(
                    "knee: {} ({}), within {:.0} % of the best {} ({}){cancelled}",
                    who(k),
                    fmt::rate(k.throughput),
                    KNEE_TOLERANCE * 100.0,
                    fmt::rate(b.throughput),
                    who(b)
                )
            }
        }
        _ => format!("knee: none ({}){cancelled}", no_knee_reason(r)),
    }
}

/// Why a result has no knee, in words: the points that could count (those
/// that ran as planned) are missing, or none of them finished an item.
pub fn no_knee_reason(r: &SweepResult) -> String {
    let count = |o: Outcome| r.points.iter().filter(|p| p.outcome == o).count();
    let (hung, cancelled) = (count(Outcome::Hang), count(Outcome::Cancelled));
    let measured = r.points.len() - hung - cancelled;
    if r.points.is_empty() {
        "no point was measured".into()
    } else if measured > 0 && hung + cancelled == 0 {
        // Every point ran as planned, and none moved an item.
        "no point finished an item".into()
    } else if measured > 0 {
        format!(
            "none of the {measured} points that ran as planned finished an item; \
             {hung} hung, {cancelled} cancelled"
        )
    } else if cancelled == 0 {
        let every = if hung == 1 {
            "the only point"
        } else {
            "every point"
        };
        format!(
            "{every} hung: a run that can never finish, e.g. with too few pills, does not count"
        )
    } else {
        format!(
            "no point ran as planned: {} hung, {} cancelled",
            hung, cancelled
        )
    }
}

fn point_json(p: &Point, knee: bool) -> Value {
    json!({
        "producers": p.producers,
        "consumers": p.consumers,
        "throughput_per_s": p.throughput,
        "mean_depth": p.mean_depth,
        "queue_wait_p50_ms": ms(p.wait_p50),
        "queue_wait_p99_ms": ms(p.wait_p99),
        "consumer_utilization": p.utilization,
        "makespan_s": p.makespan.map(|d| d.as_secs_f64()),
        "trials": p.trials,
        "failed": p.failed,
        "outcome": p.outcome.name(),
        "knee": knee,
    })
}

/// The JSON document.
pub fn json(r: &SweepResult) -> Value {
    let knee = knee_index(&r.points);
    let pick = |i: Option<usize>| {
        i.map(|i| {
            let p = &r.points[i];
            json!({"producers": p.producers, "consumers": p.consumers, "throughput_per_s": p.throughput})
        })
    };
    json!({
        "scenario": r.scenario,
        "queue": r.queue.name(),
        "batch": r.batch,
        "producers": r.producers,
        "consumers": r.consumers,
        "trial_s": r.trial.as_secs_f64(),
        "repeat": r.repeat,
        "knee_tolerance": KNEE_TOLERANCE,
        "points": r.points.iter().enumerate().map(|(i, p)| point_json(p, Some(i) == knee)).collect::<Vec<_>>(),
        "knee": pick(knee),
        "best": pick(best_index(&r.points)),
        "cancelled": r.cancelled,
    })
}

/// The CSV columns, in order.
pub const CSV_HEADER: &str = "producers,consumers,throughput_per_s,mean_depth,queue_wait_p50_ms,queue_wait_p99_ms,consumer_utilization,makespan_s,trials,failed,outcome,knee";

/// CSV: a header line, then one line per point.
pub fn csv(r: &SweepResult) -> String {
    let knee = knee_index(&r.points);
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for (i, p) in r.points.iter().enumerate() {
        let _ = writeln!(
            out,
            "{},{},{:.3},{:.3},{:.3},{:.3},{:.4},{},{},{},{},{}",
            p.producers,
            p.consumers,
            p.throughput,
            p.mean_depth,
            ms(p.wait_p50),
            ms(p.wait_p99),
            p.utilization,
            p.makespan
                .map_or_else(String::new, |d| format!("{:.4}", d.as_secs_f64())),
            p.trials,
            p.failed,
            p.outcome.name(),
            Some(i) == knee,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::tests::pt;
    use std::time::Duration;

    fn result() -> SweepResult {
        SweepResult {
            scenario: "mmc".into(),
            queue: crate::sim::QueueKind::Channel,
            producers: vec![1],
            consumers: vec![1, 2, 3],
            trial: Duration::from_secs(2),
            repeat: 3,
            batch: false,
            points: vec![pt(1, 1, 10.0), pt(1, 2, 19.5), pt(1, 3, 20.0)],
            cancelled: false,
        }
    }

    #[test]
    fn table_marks_the_knee_and_says_why() {
        let t = table(&result(), None);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "sweep mmc: 1 producer × consumers 1..3, trials of 2s, median of 3"
        );
        assert!(lines[1].contains("throughput") && lines[1].contains("wait p99"));
        assert!(lines[3].ends_with("◀ knee"), "{t}");
        assert!(lines[4].ends_with("best"), "{t}");
        assert_eq!(
            lines[5],
            "knee: 2 consumers (19.5/s), within 5 % of the best 20.0/s (3 consumers)"
        );
    }

    #[test]
    fn no_knee_says_why() {
        let mut r = result();
        for p in &mut r.points {
            p.outcome = Outcome::Hang;
        }
        let v = verdict(&r);
        assert!(v.starts_with("knee: none (every point hung: "), "{v}");
        assert!(!v.contains("finished"), "{v}");
        r.points[0].outcome = Outcome::Cancelled;
        r.cancelled = true;
        assert_eq!(
            verdict(&r),
            "knee: none (no point ran as planned: 2 hung, 1 cancelled) \
             (sweep interrupted: partial results)"
        );
        for p in &mut r.points {
            p.outcome = Outcome::Ok;
            p.throughput = 0.0;
        }
        assert!(verdict(&r).contains("no point finished an item"));
        r.points.clear();
        assert!(verdict(&r).contains("no point was measured"));
    }

    #[test]
    fn csv_and_json_shapes() {
        let r = result();
        let c = csv(&r);
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], CSV_HEADER);
        assert!(lines[2].starts_with("1,2,19.500,"), "{c}");
        assert!(lines[2].ends_with(",1,0,ok,true"), "{c}");
        let cols = CSV_HEADER.split(',').count();
        assert!(lines.iter().all(|l| l.split(',').count() == cols));
        let j = json(&r);
        assert_eq!(j["knee"]["consumers"], 2);
        assert_eq!(j["best"]["consumers"], 3);
        assert_eq!(j["points"].as_array().map(Vec::len), Some(3));
        assert_eq!(j["points"][1]["knee"], true);
    }
}
