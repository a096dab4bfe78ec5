//! The default `run` output: the seed programs' `Done! Time taken: X s`, then
//! totals, latencies, Little's law and a per-thread table.

use std::fmt::Write as _;

use super::{idle, little_rhs, secs};
use crate::analysis::lint::Lint;
use crate::analysis::theory::epoch_theory;
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
    // Active time: a paused run says how long it stood still beside it.
    let paused = if s.paused() > std::time::Duration::from_millis(1) {
        format!(
            " (wall {:.4} s, paused {:.4} s)",
            secs(s.wall),
            secs(s.paused())
        )
    } else {
        String::new()
    };
    match s.phase {
        Phase::Done => {
            let _ = writeln!(out, "Done! Time taken: {:.4} s{paused}", secs(s.elapsed));
        }
        other => {
            let _ = writeln!(
                out,
                "Stopped ({}) after {:.4} s{paused}",
                other.name(),
                secs(s.elapsed)
            );
        }
    }
    let _ = writeln!(out, "scenario {}: {}", s.scenario, s.lesson);
    let _ = writeln!(
        out,
        "produced {}  consumed {}  failed {}  left in queue {}  {}",
        c.produced,
        c.consumed,
        c.failed,
        c.queued,
        pills_words(&c)
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
    epoch_lines(&mut out, s);
    for w in warnings {
        let _ = writeln!(out, "warning: {}", w.message);
    }
    let _ = writeln!(out, "{}", super::mmc::comparison(s)); // M/M/c runs: Erlang C
    let _ = writeln!(out);
    thread_table(&mut out, s);
    out
}

/// `pills 4/4 received`, or the exact accounting when it was not simple:
/// `pills planned 5, sent 2, received 2, 3 not delivered`.
fn pills_words(c: &crate::sim::Counts) -> String {
    let planned = c.pills_planned.unwrap_or(c.pills_sent);
    if planned == c.pills_sent && c.pills_undelivered == 0 {
        return format!("pills {}/{} received", c.pills_received, c.pills_sent);
    }
    let mut s = format!(
        "pills planned {planned}, sent {}, received {}",
        c.pills_sent, c.pills_received
    );
    if c.pills_undelivered > 0 {
        let _ = write!(s, ", {} not delivered", c.pills_undelivered);
    }
    s
}

/// With more than one epoch, one line each: its setup's measurements
/// beside Erlang-C's.
fn epoch_lines(out: &mut String, s: &Snapshot) {
    if s.epochs.len() < 2 {
        return;
    }
    let secs_text = |x: f64| human(std::time::Duration::from_secs_f64(x.clamp(0.0, 1e9)));
    for e in &s.epochs {
        let th = epoch_theory(e);
        let (wq, p) = match &th.predicted {
            Some(m) => (secs_text(m.wq_s), format!("{:.3}", m.p_wait)),
            None => ("-".into(), "-".into()),
        };
        let p_wait = th.measured_p_wait.map_or("-".into(), |p| format!("{p:.3}"));
        let _ = writeln!(
            out,
            "epoch {} ({}) from {:.2} s, {}, {} items{}: λ {:.2}/s  S {}  Wq {} (Erlang-C {wq})  P(wait) {p_wait} (Erlang-C {p})",
            e.index,
            e.cause,
            secs(e.started),
            crate::units::n_of(e.config.consumers, "consumer"),
            e.measured.delta.done,
            if e.warm { "" } else { " (warming up)" },
            th.lambda_per_s,
            secs_text(th.service_s),
            secs_text(th.measured_wq_s),
        );
    }
}

/// One row per thread: where its time went, waiting (queue empty) apart
/// from blocked (queue full).
fn thread_table(out: &mut String, s: &Snapshot) {
    let _ = writeln!(
        out,
        "{:<14} {:<12} {:<18} {:>8} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "thread", "role", "state", "items", "busy s", "blocked s", "waiting s", "idle s", "busy%"
    );
    for t in &s.threads {
        let _ = writeln!(
            out,
            "{:<14} {:<12} {:<18} {:>8} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>5.0}%",
            t.name,
            t.role.name(),
            state_words(t),
            t.items,
            secs(t.busy()),
            secs(t.blocked()),
            secs(t.waiting()),
            secs(idle(t)),
            t.busy_fraction() * 100.0
        );
    }
}
