//! `run --json`: one JSON document describing the finished run. Field names
//! are stable (documented in `docs/headless.md`); durations are seconds
//! (`_s`) or milliseconds (`_ms`) as their names say.

use serde_json::{Value, json};

use super::{idle, little_rhs, secs};
use crate::analysis::lint::Lint;
use crate::analysis::theory::{makespan, measured_service, theory};
use crate::sim::{Config, ItemResult, LatencySummary, Snapshot, ThreadSnap, ThreadState, Workload};

fn latency(l: &LatencySummary) -> Value {
    use crate::units::millis as ms;
    json!({
        "count": l.count,
        "mean_ms": ms(l.mean),
        "p50_ms": ms(l.p50),
        "p90_ms": ms(l.p90),
        "p99_ms": ms(l.p99),
        "max_ms": ms(l.max),
    })
}

fn workload(w: &Workload) -> Value {
    match w {
        Workload::Endless => json!({"kind": "endless"}),
        Workload::Items(n) => json!({"kind": "items", "items": n}),
        Workload::Duration(d) => json!({"kind": "duration", "duration_s": secs(*d)}),
        Workload::Words(ws) => json!({"kind": "words", "words": ws.as_ref()}),
    }
}

/// One thread's row: its role, how it ended and where its time went.
fn thread(t: &ThreadSnap) -> Value {
    json!({
        "name": &*t.name,
        "role": t.role.name(),
        "state": t.state.name(),
        "exit": t.exit.map(|e| e.name()),
        "items": t.items,
        "failed": t.failed,
        "busy_s": secs(t.busy()),
        "blocked_s": secs(t.blocked()),
        "idle_s": secs(idle(t)),
        "busy_fraction": t.busy_fraction(),
        "gil_wait_s": secs(t.time_in[ThreadState::WaitingGil as usize]),
    })
}

/// The settings the run used.
fn config_doc(config: &Config, s: &Snapshot) -> Value {
    json!({
        "producers": config.producers,
        "consumers": config.consumers,
        "capacity": config.capacity.to_string(),
        "workload": workload(&config.workload),
        "interval": s.interval.to_string(),
        "work": s.work.to_string(),
        "pills": config.pills,
    })
}

/// Queueing theory's view, with the predicted and measured makespan of a
/// run with a fixed number of items.
fn theory_doc(config: &Config, s: &Snapshot) -> Value {
    let mut doc = serde_json::to_value(theory(s)).unwrap_or_default();
    if let Some(n) = config.workload.total_items()
        && let Some(service) = measured_service(s)
    {
        doc["makespan_predicted_s"] =
            json!(makespan(n, config.consumers as u32, service).as_secs_f64());
        doc["makespan_measured_s"] = json!(secs(s.elapsed));
    }
    doc
}

/// The GIL's setting and the time threads spent waiting for it.
fn gil_doc(config: &Config, s: &Snapshot) -> Value {
    let waited = s
        .threads
        .iter()
        .map(|t| t.time_in[ThreadState::WaitingGil as usize])
        .sum();
    json!({
        "enabled": config.gil,
        "switch_interval_s": secs(config.switch_interval),
        "wait_s": secs(waited),
    })
}

/// `map` results in input order, with the makespan.
fn map_doc(results: &[ItemResult]) -> Value {
    let makespan = results.iter().map(|r| r.done_at).max().map_or(0.0, secs);
    let results: Vec<Value> = results
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "word": r.word,
                "by": r.by,
                "done_s": secs(r.done_at),
            })
        })
        .collect();
    json!({ "makespan_s": makespan, "results": results })
}

/// The JSON document.
pub fn render(config: &Config, s: &Snapshot, results: &[ItemResult], warnings: &[Lint]) -> Value {
    let c = s.counts;
    let threads: Vec<Value> = s.threads.iter().map(thread).collect();
    let mut doc = json!({
        "scenario": s.scenario,
        "lesson": s.lesson,
        "seed": s.seed,
        "phase": s.phase.name(),
        "config": config_doc(config, s),
        "elapsed_s": secs(s.elapsed),
        "shutdown_s": s.shutdown_took.map(secs),
        "produced": c.produced,
        "consumed": c.consumed,
        "failed": c.failed,
        "left_in_queue": c.queued,
        "pills_sent": c.pills_sent,
        "pills_received": c.pills_received,
        "throughput_per_s": s.throughput(),
        "max_depth": s.max_depth,
        "mean_depth": s.mean_depth,
        "threads": threads,
        "latency": {
            "queue_wait": latency(&s.latency.queue_wait),
            "end_to_end": latency(&s.latency.end_to_end),
        },
        "littles_law": {
            "mean_in_system": s.mean_in_system,
            "arrival_rate_per_s": s.arrival_rate(),
            "mean_time_in_system_s": secs(s.latency.mean_in_system),
            "lambda_w": little_rhs(s),
        },
    });
    doc["warnings"] = serde_json::to_value(warnings).unwrap_or_default();
    doc["theory"] = theory_doc(config, s);
    doc["gil"] = gil_doc(config, s);
    if !results.is_empty() {
        doc["map"] = map_doc(results);
    }
    doc
}
