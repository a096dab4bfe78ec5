//! `queuescope run`: the engine without a screen. Runs the scenario to its
//! end (an endless one until Ctrl-C or SIGTERM, which shut it down
//! gracefully; a second signal aborts), then prints the text or JSON report.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::analysis::watchdog::Watchdog;
use crate::record;
use crate::report;
use crate::sim::{Command, Config, Engine, Phase, Workload};

/// Output options of `run`.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// One JSON document instead of the text report.
    pub json: bool,
    /// Seed-style lines as things happen.
    pub log: bool,
    /// Record the run to this file (`--record`).
    pub record: Option<std::path::PathBuf>,
}

/// Exit code for a run that completed.
pub const EXIT_OK: i32 = 0;
/// Exit code for bad input (here: a `--record` file that cannot be created).
pub const EXIT_USAGE: i32 = 2;
/// Exit code for a runtime failure (failed items, abort, no threads).
/// (A watchdog-stopped hang exits with [`EXIT_HANG`].)
pub const EXIT_FAILURE: i32 = 1;
/// Exit code when the watchdog stopped a run that would never finish.
pub const EXIT_HANG: i32 = 3;

/// Runs `config` headless and prints the report; returns the exit code.
pub fn run(config: Config, opts: RunOptions) -> i32 {
    let signalled = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        // Without the handler a signal just kills us, which is still safe.
        let _ = signal_hook::flag::register(sig, signalled.clone());
    }
    if config.workload == Workload::Endless && !opts.json {
        eprintln!(
            "queuescope: scenario '{}' runs until stopped: Ctrl-C shuts it down \
             (or give --items N / --duration TIME)",
            config.name
        );
    }
    let (trace_tx, printer) = if opts.log {
        let (tx, rx) = crossbeam_channel::unbounded::<crate::sim::Trace>();
        let words = match &config.workload {
            Workload::Words(w) => Some(w.clone()),
            _ => None,
        };
        let to_stderr = opts.json; // keep stdout a single JSON document
        let h = std::thread::spawn(move || {
            let word = |id: u64| words.as_ref().and_then(|w| w.get(id as usize).cloned());
            let print = |line: &str| {
                if to_stderr {
                    writeln!(std::io::stderr().lock(), "{line}").is_ok()
                } else {
                    writeln!(std::io::stdout().lock(), "{line}").is_ok()
                }
            };
            let mut order = report::log::Reorder::default();
            let mut open = true;
            while open {
                match rx.recv_timeout(report::log::REORDER_WINDOW) {
                    Ok(t) => order.push(t),
                    Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                    Err(crossbeam_channel::RecvTimeoutError::Disconnected) => open = false,
                }
                let until = if open { order.ripe() } else { None };
                for t in order.drain(until) {
                    if let Some(line) = report::log::line(&t, word)
                        && !print(&line)
                    {
                        return; // closed pipe: stop printing, let the run finish
                    }
                }
            }
        });
        (Some(tx), Some(h))
    } else {
        (None, None)
    };
    // Open the recording first: a bad path is bad input, before any thread runs.
    let record_file = match opts.record.as_deref().map(record::create).transpose() {
        Ok(f) => f,
        Err(line) => {
            eprintln!("error: {line}");
            return EXIT_USAGE;
        }
    };
    let engine = match Engine::start_traced(config.clone(), trace_tx) {
        Ok(e) => Arc::new(e),
        Err(e) => {
            eprintln!("queuescope: could not start the threads: {e}");
            return EXIT_FAILURE;
        }
    };
    let recorder = match record_file
        .map(|f| {
            record::Recorder::start(
                record::engine_source(&engine),
                &config,
                f,
                record::Options::default(),
            )
        })
        .transpose()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("queuescope: could not start the recorder: {e}");
            engine.send(Command::Abort);
            return EXIT_FAILURE;
        }
    };
    let mut asked_shutdown = false;
    let mut watch = Watchdog::default();
    let mut hung = None;
    while !engine.wait(Duration::from_millis(50)) {
        if let Some(message) = watch.observe(&engine.snapshot()) {
            // The run can never finish on its own: say why, stop, report.
            eprintln!("queuescope: hang: {message}");
            engine.send(Command::Abort);
            hung = Some(message);
            let _ = engine.wait(Duration::from_secs(5));
            break;
        }
        if signalled.swap(false, Ordering::AcqRel) {
            if asked_shutdown {
                eprintln!("queuescope: second signal: aborting");
                engine.send(Command::Abort);
            } else {
                eprintln!("queuescope: shutting down (pills going out); again to abort");
                engine.send(Command::Shutdown);
                asked_shutdown = true;
            }
        }
    }
    let snap = engine.snapshot_with(record::final_request());
    watch.observe(&snap);
    let warnings = watch.warnings().to_vec();
    let results = engine.results();
    let doc = (opts.json || recorder.is_some())
        .then(|| report::json::render(&config, &snap, &results, &warnings));
    let mut record_failed = false;
    if let (Some(rec), Some(doc)) = (recorder, &doc) {
        // The recording ends with the very document `--json` prints.
        if let Err(e) = rec.finish(snap.clone(), |_, _| doc.clone()) {
            eprintln!("queuescope: {e}");
            record_failed = true;
        }
    }
    drop(engine); // closes the trace channel
    if let Some(h) = printer {
        let _ = h.join();
    }
    let mut out = std::io::stdout().lock();
    // A closed stdout (`| head`) is not an error: ignore write failures.
    let _ = if let (true, Some(doc)) = (opts.json, &doc) {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(doc).unwrap_or_default()
        )
    } else {
        write!(out, "{}", report::text::render(&snap, &results, &warnings))
    };
    let _ = out.flush();
    if hung.is_some() {
        EXIT_HANG
    } else if snap.phase != Phase::Done || snap.counts.failed > 0 || record_failed {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}
