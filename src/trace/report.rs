//! `queuescope trace --json` / `--log` / no terminal: the traced program
//! without a screen, then the same report `run` prints (the JSON has the
//! same fields as `run --json`, plus a `trace` object).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use super::source::{Outcome, Setup, TraceSource, config_of};
use crate::analysis::lint::{Lint, lints};
use crate::report;
use crate::sim::{Snapshot, ThreadState, lock};

// The exit codes `run` uses: 2 for bad input (here a program that cannot
// be started, a `--record` file that cannot be created), 1 for a runtime
// failure (stopped by a signal, a recording that failed), 3 for a hang.
pub use crate::headless::{EXIT_FAILURE, EXIT_HANG, EXIT_USAGE};

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

/// The exit code for how the run ended (`stopped` is a user's signal).
pub fn exit_code(outcome: Option<&Outcome>, stopped: i32) -> i32 {
    match outcome {
        Some(Outcome::Exited(e)) => e.code(),
        Some(Outcome::Hang { .. }) => EXIT_HANG,
        Some(Outcome::Stopped) | None => stopped,
    }
}

/// Runs the program headless and prints the report; returns the exit code.
pub fn run(setup: Setup, json: bool) -> i32 {
    let signalled = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        // Without the handler a signal just kills us, and the child with us.
        let _ = signal_hook::flag::register(sig, signalled.clone());
    }
    let mut src = match TraceSource::start(&setup) {
        Ok(s) => s,
        Err(line) => {
            eprintln!("error: {line}");
            return EXIT_USAGE;
        }
    };
    while !src.wait_over(Duration::from_millis(100)) {
        if signalled.swap(false, Ordering::AcqRel) {
            eprintln!("queuescope: stopping the program");
            src.stop();
        }
    }
    src.join();
    let outcome = src.outcome();
    if let Some(Outcome::Hang { message, .. }) = &outcome {
        eprintln!("queuescope: hang: {message}; the program was stopped");
    }
    let (hello, foreign) = {
        let fold = lock(&src.shared().fold);
        (fold.hello.is_some(), fold.stats.foreign_version)
    };
    if let Some(v) = foreign {
        eprintln!(
            "queuescope: '{}' speaks trace protocol version {v}; this queuescope reads \
             version {}",
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
    match exit_code(outcome.as_ref(), EXIT_FAILURE) {
        0 if record_failed => EXIT_FAILURE,
        code => code,
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
