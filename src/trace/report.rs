//! `queuescope trace --json` / `--log` / no terminal: the traced program
//! without a screen, then the same report `run` prints (the JSON has the
//! same fields as `run --json`, plus a `trace` object).

use std::io::Write;
use std::time::Duration;

use serde_json::{Value, json};

use super::source::{Outcome, Setup, TraceSource, config_of};
use crate::analysis::lint::{Lint, lints};
use crate::error::{Error, Exit};
use crate::report;
use crate::signals::Signals;
use crate::sim::{Snapshot, ThreadState, lock};

/// The run's document: `run --json`'s fields, plus `trace`.
pub fn document(snap: &Snapshot, warnings: &[Lint], extra: &Value) -> Value {
    let mut doc = report::json::render(&config_of(snap), snap, &[], warnings);
    doc["trace"] = extra.clone();
    doc
}

/// The `trace` object: the command, how it ended, who waited on what,
/// every queue, each thread's time per state, and how the stream went.
pub fn extra(src: &TraceSource) -> Value {
    let sh = src.shared();
    let snap = sh.snapshot(crate::sim::SnapshotRequest::default());
    let fold = lock(&sh.fold);
    let (outcome, code, hang, wait_for) = match src.outcome() {
        Some(Outcome::Exited(e)) => ("exited", Some(e.code()), None, Vec::new()),
        Some(Outcome::Hang { message, wait_for }) => ("hang", None, Some(message), wait_for),
        Some(Outcome::Stopped) => ("stopped", None, None, Vec::new()),
        None => ("running", None, None, Vec::new()),
    };
    let threads: Vec<Value> = snap
        .threads
        .iter()
        .map(|t| {
            let states: serde_json::Map<String, Value> = ThreadState::ALL
                .iter()
                .filter(|s| !t.time_in[**s as usize].is_zero())
                .map(|s| {
                    (
                        s.name().to_string(),
                        json!(t.time_in[*s as usize].as_secs_f64()),
                    )
                })
                .collect();
            json!({ "name": &*t.name, "role": t.role.name(), "states_s": states })
        })
        .collect();
    json!({
        "command": src.command(),
        "pid": src.pid(),
        "language": fold.hello.as_ref().map(|h| h.1.clone()),
        "outcome": outcome,
        "exit_code": code,
        "hang": hang,
        "wait_for": wait_for,
        "queues": fold.queue_summaries(),
        "threads": threads,
        "stream": {
            "events": fold.stats.events,
            "bad_lines": fold.stats.bad_lines,
            "unknown_events": fold.stats.unknown,
            "skipped_operations": fold.stats.skipped_ops,
            "ended_cleanly": fold.ended_cleanly,
            "foreign_version": fold.stats.foreign_version,
        },
    })
}

/// Every lint seen during the run and at its end (latest message of each).
fn warnings(src: &TraceSource, last: &Snapshot) -> Vec<Lint> {
    let mut seen = lock(&src.shared().warnings).clone();
    for l in lints(last) {
        match seen.iter_mut().find(|x| x.kind == l.kind) {
            Some(x) => x.message = l.message,
            None => seen.push(l),
        }
    }
    seen
}

/// How the process ends for how the run ended: the program's own code,
/// [`Exit::Hang`] after a hang, and `stopped` when queuescope stopped it.
pub fn exit_for(outcome: Option<&Outcome>, stopped: Exit) -> Exit {
    match outcome {
        Some(Outcome::Exited(e)) => e.exit(),
        Some(Outcome::Hang { .. }) => Exit::Hang,
        Some(Outcome::Stopped) | None => stopped,
    }
}

/// Runs the program headless and prints the report. A program that cannot
/// be started (or a `--record` file that cannot be created) is bad input;
/// a program stopped by a signal, or a recording that failed, ends in
/// [`Exit::Failure`] after the report.
pub fn run(setup: Setup, json: bool) -> crate::error::Result {
    // Without the handlers a signal just kills us, and the child with us.
    let signals = Signals::catch().map_err(|e| Error::failure(format!("signals: {e}")))?;
    let mut src = TraceSource::start(&setup).map_err(Error::usage)?;
    while !src.wait_over(Duration::from_millis(100)) {
        if signals.take() {
            eprintln!("queuescope: stopping the program");
            src.stop();
        }
    }
    src.join();
    let outcome = src.outcome();
    if let Some(Outcome::Hang { message, .. }) = &outcome {
        eprintln!("queuescope: hang: {message}; the program was stopped");
    }
    explain_silence(&src);
    let snap = src.last_snapshot();
    let warnings = warnings(&src, &snap);
    let extra = src.report_extra();
    let record_failed = match src.close_recording() {
        Ok(()) => false,
        Err(e) => {
            eprintln!("queuescope: {e}");
            true
        }
    };
    print_report(&snap, &warnings, &extra, json);
    Ok(match exit_for(outcome.as_ref(), Exit::Failure) {
        Exit::Program(0) if record_failed => Exit::Failure,
        exit => exit,
    })
}

/// Says why no events came, when none did (or in a protocol this
/// queuescope does not read).
fn explain_silence(src: &TraceSource) {
    let (hello, foreign) = {
        let fold = lock(&src.shared().fold);
        (fold.hello.is_some(), fold.stats.foreign_version)
    };
    if let Some(v) = foreign {
        eprintln!(
            "queuescope: '{}' speaks trace protocol version {v}; this queuescope reads \
             versions 1 to {}",
            src.command(),
            super::protocol::VERSION
        );
    } else if !hello {
        eprintln!(
            "queuescope: no trace events from '{}': is it Python 3.8 or later, run \
             without -I, -E or -S?",
            src.command()
        );
    }
}

fn print_report(snap: &Snapshot, warnings: &[Lint], extra: &Value, json: bool) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (`| head`) is not an error.
    let _ = if json {
        let doc = document(snap, warnings, extra);
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )
    } else {
        // The lesson line names the command, the queue and how it ended.
        write!(out, "{}", report::text::render(snap, &[], warnings))
    };
    let _ = out.flush();
}
