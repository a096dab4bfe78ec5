//! The default `run` output: the seed programs' `Done! Time taken: X s`, then
//! totals, latencies, Little's law and a per-thread table.

use std::fmt::Write as _;

use super::{idle, little_rhs, secs};
use crate::analysis::lint::Lint;
use crate::sim::{ItemResult, LatencySummary, Phase, Snapshot, ThreadSnap};
use crate::units::human;

fn latency_line(name: &str, l: &LatencySummary) -> String {
    format!(
        "{name:<12} mean {:>9}  p50 {:>9}  p90 {:>9}  p99 {:>9}  max {:>9}",
        human(l.mean),
        human(l.p50),
        human(l.p90),
        human(l.p99),
        human(l.max)
    )
}

fn state_words(t: &ThreadSnap) -> String {
    match t.exit {
        Some(reason) => format!("{} ({})", t.state, reason.name()),
        None => t.state.to_string(),
    }
}

/// The whole text report.
pub fn render(s: &Snapshot, results: &[ItemResult], warnings: &[Lint]) -> String {
    let mut out = String::new();
    let c = s.counts;
    match s.phase {
        Phase::Done => {
            let _ = writeln!(out, "Done! Time taken: {:.4} s", secs(s.elapsed));
        }
        other => {
            let _ = writeln!(
                out,
                "Stopped ({}) after {:.4} s",
                other.name(),
                secs(s.elapsed)
            );
        }
    }
    let _ = writeln!(out, "scenario {}: {}", s.scenario, s.lesson);
    let _ = writeln!(
        out,
        "produced {}  consumed {}  failed {}  left in queue {}  pills {}/{} received",
        c.produced, c.consumed, c.failed, c.queued, c.pills_received, c.pills_sent
    );
    let _ = writeln!(
        out,
        "throughput {:.1}/s  max depth {}  mean depth {:.2}{}",
        s.throughput(),
        s.max_depth,
        s.mean_depth,
        s.shutdown_took
            .map(|d| format!("  shutdown took {:.4} s", secs(d)))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "{}", latency_line("queue wait", &s.latency.queue_wait));
    let _ = writeln!(out, "{}", latency_line("end to end", &s.latency.end_to_end));
    let _ = writeln!(
        out,
        "Little's law: L = {:.3} in system (sampled)   λ·W = {:.2}/s × {:.4} s = {:.3}",
        s.mean_in_system,
        s.arrival_rate(),
        secs(s.latency.mean_in_system),
        little_rhs(s)
    );
    if !results.is_empty() {
        let shown: Vec<String> = results
            .iter()
            .map(|r| r.word.clone().unwrap_or_else(|| r.id.to_string()))
            .collect();
        let _ = writeln!(
            out,
            "map: {} results in input order [{}]; makespan {:.4} s",
            results.len(),
            shown.join(", "),
            results.iter().map(|r| r.done_at).max().map_or(0.0, secs)
        );
    }
    for w in warnings {
        let _ = writeln!(out, "warning: {}", w.message);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<14} {:<12} {:<18} {:>8} {:>9} {:>9} {:>9} {:>6}",
        "thread", "role", "state", "items", "busy s", "blocked s", "idle s", "busy%"
    );
    for t in &s.threads {
        let _ = writeln!(
            out,
            "{:<14} {:<12} {:<18} {:>8} {:>9.3} {:>9.3} {:>9.3} {:>5.0}%",
            t.name,
            t.role.name(),
            state_words(t),
            t.items,
            secs(t.busy()),
            secs(t.blocked()),
            secs(idle(t)),
            t.busy_fraction() * 100.0
        );
    }
    out
}
