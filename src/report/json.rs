//! `run --json`: one JSON document describing the finished run. Field names
//! are stable (documented in `docs/headless.md` and `docs/run-clock.md`);
//! durations are seconds (`_s`) or milliseconds (`_ms`) as their names say,
//! on the run clock (active time) except `wall_s`.

use serde_json::{Value, json};

use super::{idle, little_rhs, secs};
use crate::analysis::lint::Lint;
use crate::analysis::theory::{epoch_theory, makespan, measured_service, whole_run};
use crate::sim::{
    Config, ItemResult, LatencySummary, Snapshot, Span, ThreadSnap, ThreadState, Workload,
};

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
        "waiting_s": secs(t.waiting()),
        "idle_s": secs(idle(t)),
        "busy_fraction": t.busy_fraction(),
        "gil_wait_s": secs(t.time_in[ThreadState::WaitingGil as usize]),
    })
}

/// The settings the run used. `interval` is every producer's, unless
/// `producer_intervals` lists one per producer (producer i uses entry i).
fn config_doc(config: &Config, s: &Snapshot) -> Value {
    let mut doc = json!({
        "producers": config.producers,
        "consumers": config.consumers,
        "capacity": config.capacity.to_string(),
        "workload": workload(&config.workload),
        "interval": s.interval.to_string(),
        "work": s.work.to_string(),
        "pills": config.pills,
    });
    if !config.producer_intervals.is_empty() {
        let each: Vec<String> = config
            .producer_intervals
            .iter()
            .map(|i| i.to_string())
            .collect();
        doc["producer_intervals"] = json!(each);
    }
    if config.queue.is_textbook() {
        doc["queue"] = json!(config.queue.name());
        doc["producer_sleeps"] = json!(config.producer_sleeps.to_string());
        doc["consumer_sleeps"] = json!(config.consumer_sleeps.to_string());
    }
    doc
}

/// A textbook buffer's story: who holds the mutex, the last wake-up that
/// found nothing, and the wake-ups and crashes the event log still holds,
/// in order (the fatal one among them).
fn textbook_doc(s: &Snapshot) -> Option<Value> {
    use crate::sim::EventKind;
    let tb = s.textbook.as_ref()?;
    let told: Vec<Value> = s
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Woke { .. } | EventKind::Crashed { .. }))
        .map(|e| json!({ "at_s": secs(e.at), "event": e.to_string() }))
        .collect();
    let holder = tb
        .lock_holder
        .and_then(|id| s.threads.get(id))
        .map(|t| t.name.to_string());
    Some(json!({
        "kind": tb.kind.name(),
        "lock_holder": holder,
        "bad_wake": tb.bad_wake.as_ref().map(|w| w.to_string()),
        "wakeups": told,
    }))
}

/// Measured figures of a span of the run.
fn measured_doc(m: &Span, consumers: usize) -> Value {
    let rho = m
        .lambda()
        .zip(m.service_s())
        .map(|(l, s)| l * s / consumers.max(1) as f64);
    json!({
        "lambda_per_s": m.lambda(),
        "throughput_per_s": m.throughput(),
        "service_s": m.service_s(),
        "rho": rho,
        "wq_s": m.wq_s(),
        "w_s": m.w_s(),
        "lq": m.lq(),
        "l": m.l(),
        "p_wait": m.p_wait(),
    })
}

/// Every epoch: its setup, what it measured (after its warm-up) and what
/// Erlang-C predicts from its own λ and S.
fn epochs_doc(s: &Snapshot) -> Value {
    let epochs: Vec<Value> = s
        .epochs
        .iter()
        .map(|e| {
            let th = epoch_theory(e);
            json!({
                "index": e.index,
                "cause": e.cause,
                "started_s": secs(e.started),
                "duration_s": secs(e.duration),
                "config": {
                    "producers": e.config.producers,
                    "consumers": e.config.consumers,
                    "interval": e.config.interval.to_string(),
                    "work": e.config.work.to_string(),
                    "gil": e.config.gil,
                },
                "warm": e.warm,
                "items": e.measured.delta.done,
                "measured": measured_doc(&e.measured, e.config.consumers),
                "predicted": th.predicted,
            })
        })
        .collect();
    Value::Array(epochs)
}

/// Queueing theory's view of the whole run, with the predicted and
/// measured makespan of a run with a fixed number of items.
fn theory_doc(config: &Config, s: &Snapshot) -> Value {
    let mut doc = serde_json::to_value(whole_run(s)).unwrap_or_default();
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
        "wall_s": secs(s.wall.max(s.elapsed)),
        "paused_s": secs(s.paused()),
        "shutdown_s": s.shutdown_took.map(secs),
        "produced": c.produced,
        "consumed": c.consumed,
        "failed": c.failed,
        "left_in_queue": c.queued,
        "pills_planned": c.pills_planned,
        "pills_sent": c.pills_sent,
        "pills_received": c.pills_received,
        "pills_undelivered": c.pills_undelivered,
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
    doc["epochs"] = epochs_doc(s);
    doc["gil"] = gil_doc(config, s);
    if let Some(tb) = textbook_doc(s) {
        doc["textbook"] = tb;
    }
    if !results.is_empty() {
        doc["map"] = map_doc(results);
    }
    doc
}
