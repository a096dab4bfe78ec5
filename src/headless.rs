//! `queuescope run`: the engine without a screen. Runs the scenario to its
//! end (an endless one until Ctrl-C or SIGTERM, which shut it down
//! gracefully; a second signal aborts), then prints the text or JSON report.
//!
//! [`run`] reads as its steps: catch signals, start the log printer, open
//! the recording, start the engine and the recorder, supervise the run
//! (watchdog and signals), then finish the recording and print the report.

use std::io::Write;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{RecvTimeoutError, Sender};
use serde_json::Value;

use crate::analysis::watchdog::Watchdog;
use crate::error::{Error, Exit};
use crate::record::{self, Recorder};
use crate::report;
use crate::signals::Signals;
use crate::sim::{Command, Config, Engine, Phase, Snapshot, Trace, Workload};

/// How often the run is looked at (watchdog, signals).
const POLL: Duration = Duration::from_millis(50);
/// How long a hung run may take to abort before the report is printed.
const ABORT_WAIT: Duration = Duration::from_secs(5);

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

/// Runs `config` headless and prints the report. `Ok` once the report is
/// printed: [`Exit::Ok`] for a run that completed, [`Exit::Failure`] for
/// failed items, an abort or a recording that failed, [`Exit::Hang`] when
/// the watchdog stopped it. `Err` when it could not start: a `--record`
/// file that cannot be created (bad input), threads that would not start.
pub fn run(config: Config, opts: RunOptions) -> crate::error::Result {
    let signals = Signals::catch().map_err(|e| Error::failure(format!("signals: {e}")))?;
    if config.workload == Workload::Endless && !opts.json {
        eprintln!(
            "queuescope: scenario '{}' runs until stopped: Ctrl-C shuts it down \
             (or give --items N / --duration TIME)",
            config.name
        );
    }
    // Keep stdout a single JSON document.
    let printer = opts.log.then(|| LogPrinter::start(&config, opts.json));
    // Open the recording first: a bad path is bad input, before any thread runs.
    let record_file = opts.record.as_deref().map(record::create).transpose();
    let record_file = record_file.map_err(Error::usage)?;
    let trace = printer.as_ref().map(|p| p.tx.clone());
    let engine = Engine::start_traced(config.clone(), trace)
        .map_err(|e| Error::failure(format!("could not start the threads: {e}")))?;
    let engine = Arc::new(engine);
    let recorder = start_recorder(&engine, &config, record_file)?;
    let mut watch = Watchdog::default();
    let hung = supervise(&engine, &signals, &mut watch);

    let snap = engine.snapshot_with(record::final_request());
    watch.observe(&snap);
    let warnings = watch.warnings();
    let results = engine.results();
    let doc = (opts.json || recorder.is_some())
        .then(|| report::json::render(&config, &snap, &results, warnings));
    let record_failed = !finish_recording(recorder, &snap, doc.as_ref());
    let text = match &doc {
        Some(doc) if opts.json => serde_json::to_string_pretty(doc).unwrap_or_default() + "\n",
        _ => report::text::render(&snap, &results, warnings),
    };
    drop(engine); // closes the trace channel: the printer drains and ends
    if let Some(p) = printer {
        p.join();
    }
    print(&text);
    Ok(outcome(hung, &snap, record_failed))
}

/// The exit of a run that printed its report.
fn outcome(hung: bool, snap: &Snapshot, record_failed: bool) -> Exit {
    if hung {
        Exit::Hang
    } else if snap.phase != Phase::Done || snap.counts.failed > 0 || record_failed {
        Exit::Failure
    } else {
        Exit::Ok
    }
}

/// Starts recording `engine` into `file`, if one was opened. On failure the
/// engine is aborted.
fn start_recorder(
    engine: &Arc<Engine>,
    config: &Config,
    file: Option<std::fs::File>,
) -> crate::error::Result<Option<Recorder>> {
    let Some(file) = file else { return Ok(None) };
    let source = record::engine_source(engine);
    match Recorder::start(source, config, file, record::Options::default()) {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            engine.send(Command::Abort);
            Err(Error::failure(format!("could not start the recorder: {e}")))
        }
    }
}

/// Waits for the run to end. The watchdog stops a run that can never
/// finish (true: it hung); the first signal shuts it down gracefully (pills
/// go out), a second aborts it.
fn supervise(engine: &Engine, signals: &Signals, watch: &mut Watchdog) -> bool {
    let mut asked_shutdown = false;
    while !engine.wait(POLL) {
        if let Some(message) = watch.observe(&engine.snapshot()) {
            // The run can never finish on its own: say why, stop, report.
            eprintln!("queuescope: hang: {message}");
            engine.send(Command::Abort);
            let _ = engine.wait(ABORT_WAIT);
            return true;
        }
        if signals.take() {
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
    false
}

/// Ends the recording with `doc`, the very document `--json` prints; false
/// (after saying why) if the recording failed.
fn finish_recording(recorder: Option<Recorder>, snap: &Snapshot, doc: Option<&Value>) -> bool {
    let (Some(rec), Some(doc)) = (recorder, doc) else {
        return true;
    };
    match rec.finish(snap.clone(), |_, _| doc.clone()) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("queuescope: {e}");
            false
        }
    }
}

/// Writes the report to stdout. A closed stdout (`| head`) is not an error.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// `--log`: prints the engine's trace as seed-style lines, in order, on a
/// thread of its own.
struct LogPrinter {
    tx: Sender<Trace>,
    handle: JoinHandle<()>,
}

impl LogPrinter {
    /// Starts printing to stdout, or to stderr when `to_stderr`.
    fn start(config: &Config, to_stderr: bool) -> LogPrinter {
        let (tx, rx) = crossbeam_channel::unbounded::<Trace>();
        let words = match &config.workload {
            Workload::Words(w) => Some(w.clone()),
            _ => None,
        };
        let handle = std::thread::spawn(move || {
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
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => open = false,
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
        LogPrinter { tx, handle }
    }

    /// Waits until every trace line is printed (the engine must be gone).
    fn join(self) {
        drop(self.tx);
        let _ = self.handle.join();
    }
}
