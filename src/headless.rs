//! `queuescope run`: the engine without a screen. Runs the scenario to its
//! end (an endless one until Ctrl-C or SIGTERM), then prints the text or
//! JSON report.
//!
//! Stopping is bounded: the first stop signal starts a graceful shutdown
//! (pills go out, the queue drains) that may take at most `--grace`
//! (default 10 s) before the run is aborted; a second signal aborts at
//! once, however soon it follows the first. While a drain lasts, a progress
//! line on stderr says how many items are left and about how long they
//! will take. Exit codes: 0 when the run did what was asked (an endless
//! run stopped gracefully counts), 1 for failed items, an abort, a finite
//! run cut short by a signal, or a recording that failed; 3 for a hang the
//! watchdog stopped.
//!
//! [`run`] reads as its steps: catch signals, start the log printer, open
//! the recording, start the engine and the recorder, supervise the run
//! (watchdog, signals, grace period, drain progress), then finish the
//! recording and print the report.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, Sender};
use serde_json::Value;

use crate::analysis::drain;
use crate::analysis::watchdog::Watchdog;
use crate::error::{Error, Exit};
use crate::record::{self, Opened, RecordError, Recorder, Target};
use crate::report;
use crate::signals::{self, Signals};
use crate::sim::{Command, Config, Engine, Phase, Snapshot, Trace, Workload};

/// How often the run is looked at (watchdog, signals, grace period).
const POLL: Duration = Duration::from_millis(50);
/// How long a hung or aborted run may take to stop before the report is printed.
const ABORT_WAIT: Duration = Duration::from_secs(5);
/// How long writing the report may be stuck (a reader that does not read)
/// before a signal gives up on it; a signal sooner than that lets it finish.
const REPORT_PATIENCE: Duration = Duration::from_secs(1);
/// The grace period when none is given.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);
/// The longest grace period `--grace` takes.
pub const MAX_GRACE: Duration = Duration::from_secs(3600);
/// A drain shorter than this gets no progress line.
const PROGRESS_AFTER: Duration = Duration::from_secs(1);
/// Between progress lines on a terminal (one line, rewritten in place) ...
const PROGRESS_TTY: Duration = Duration::from_millis(500);
/// ... and on a pipe or file (a new line each time).
const PROGRESS_PIPE: Duration = Duration::from_secs(5);

/// Why `run --step` is refused: there is nothing to step in without a screen.
pub const STEP_REFUSED: &str = "--step: run has no screen to step in, so it would wait \
    forever; step in the live view instead (queuescope --step)";

/// Output options of `run`.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// One JSON document instead of the text report.
    pub json: bool,
    /// CSV instead of the text report (`--csv`, `--csv-summary`).
    pub csv: Option<Csv>,
    /// Seed-style lines as things happen.
    pub log: bool,
    /// How those lines look: timestamps (`--log-format`), colour.
    pub log_format: report::log::Format,
    /// Colour the text report's warnings (`--color`).
    pub paint: report::paint::Paint,
    /// Record the run here (`--record`, checked).
    pub record: Option<Target>,
    /// How long a graceful shutdown after a signal may take (`--grace`).
    pub grace: Duration,
    /// A picture of the final screen (`--snapshot`).
    pub picture: Option<FinalPicture>,
}

/// Which CSV `run` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Csv {
    /// One row per thread (`--csv`).
    Threads,
    /// One row for the run (`--csv-summary`).
    Summary,
}

/// `--snapshot FILE`: the final screen as a picture. The caller hands in
/// the function that draws and writes it, so this module needs no
/// drawing code; it returns what to tell the user, or why it failed.
#[derive(Clone, Debug)]
pub struct FinalPicture {
    /// Where (`FILE.svg` and `FILE.txt`).
    pub path: std::path::PathBuf,
    /// Screen columns.
    pub cols: u16,
    /// Screen rows.
    pub rows: u16,
    /// In colour.
    pub color: bool,
    /// Draws `snap` and writes the files.
    pub write: fn(&Snapshot, &FinalPicture) -> Result<String, String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            json: false,
            csv: None,
            log: false,
            log_format: report::log::Format::default(),
            paint: report::paint::Paint::default(),
            record: None,
            grace: DEFAULT_GRACE,
            picture: None,
        }
    }
}

/// A `--record` error as the exit code wants it: a path that cannot be
/// used is bad input; a wait the user ended is a runtime failure.
pub fn record_error(e: RecordError) -> Error {
    if e.is_usage() {
        Error::usage(e)
    } else {
        Error::failure(e)
    }
}

/// Runs `config` headless and prints the report. `Ok` once the report is
/// printed, with the exit the module docs list. `Err` when it could not
/// start: a `--record` file that cannot be created or a start-paused run
/// (bad input), threads that would not start, a signal while waiting for
/// a FIFO's reader.
pub fn run(config: Config, opts: RunOptions) -> crate::error::Result {
    if config.start_paused {
        return Err(Error::usage(STEP_REFUSED));
    }
    let signals = Signals::catch().map_err(|e| Error::failure(format!("signals: {e}")))?;
    // JSON and CSV keep stdout to themselves: everything else goes to stderr.
    let machine = opts.json || opts.csv.is_some();
    if config.workload == Workload::Endless && !machine {
        eprintln!(
            "queuescope: scenario '{}' runs until stopped: Ctrl-C shuts it down \
             (or give --items N / --duration TIME)",
            config.name
        );
    }
    // Open the recording first: a bad path is bad input, before any thread runs.
    let record_file = opts.record.as_ref().map(Target::open).transpose();
    let record_file = record_file.map_err(record_error)?;
    // Keep stdout a single JSON document.
    let printer = opts
        .log
        .then(|| LogPrinter::start(&config, machine, opts.log_format));
    let trace = printer.as_ref().map(|p| p.tx.clone());
    let engine = Engine::start_traced(config.clone(), trace)
        .map_err(|e| Error::failure(format!("could not start the threads: {e}")))?;
    let engine = Arc::new(engine);
    let recorder = start_recorder(&engine, &config, record_file)?;
    let mut watch = Watchdog::default();
    let ending = supervise(&engine, &signals, &mut watch, opts.grace);

    let snap = engine.snapshot_with(record::final_request());
    watch.observe(&snap);
    let warnings = watch.warnings();
    let results = engine.results();
    let doc = (opts.json || recorder.is_some())
        .then(|| report::json::render(&config, &snap, &results, warnings));
    let record_failed = !finish_recording(recorder, &snap, doc.as_ref());
    let picture_failed = !write_picture(opts.picture.as_ref(), &snap);
    let text = match (&doc, opts.csv) {
        (Some(doc), _) if opts.json => serde_json::to_string_pretty(doc).unwrap_or_default() + "\n",
        (_, Some(Csv::Threads)) => report::csv::threads(&snap),
        (_, Some(Csv::Summary)) => report::csv::summary(&config, &snap, warnings),
        _ => opts
            .paint
            .report(&report::text::render(&snap, &results, warnings)),
    };
    drop(engine); // closes the trace channel: the printer drains and ends
    if let Some(p) = printer {
        p.join();
    }
    print(text);
    let exit = outcome(&ending, &config, &snap, record_failed || picture_failed);
    explain(exit, &ending, &config, &snap);
    Ok(exit)
}

/// Writes the `--snapshot` picture, if one was asked for, and says where
/// (on stderr); false (after saying why) if it could not be written.
fn write_picture(picture: Option<&FinalPicture>, snap: &Snapshot) -> bool {
    let Some(pic) = picture else { return true };
    match (pic.write)(snap, pic) {
        Ok(done) => {
            eprintln!("queuescope: {done}");
            true
        }
        Err(e) => {
            eprintln!("queuescope: {e}");
            false
        }
    }
}

/// How supervision ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ending {
    /// The watchdog stopped a run that could never finish.
    pub hung: bool,
    /// A stop signal arrived.
    pub signalled: bool,
    /// It arrived while producers were still producing (the run did not
    /// make everything it was asked to).
    pub cut_short: bool,
    /// The run was aborted (a second signal, or the grace period ran out).
    pub aborted: bool,
}

/// The exit of a run that printed its report.
pub fn outcome(ending: &Ending, config: &Config, snap: &Snapshot, record_failed: bool) -> Exit {
    // An endless run ends only by a signal: stopping it is its success.
    let cut_short = ending.cut_short && config.workload != Workload::Endless;
    if ending.hung {
        Exit::Hang
    } else if snap.phase != Phase::Done
        || snap.counts.failed > 0
        || crashed(snap) > 0
        || record_failed
        || cut_short
        || ending.aborted
    {
        Exit::Failure
    } else {
        Exit::Ok
    }
}

/// Threads that crashed (a failed item, or a textbook buffer's caught bug).
fn crashed(snap: &Snapshot) -> usize {
    snap.threads
        .iter()
        .filter(|t| t.exit == Some(crate::sim::ExitReason::Crashed))
        .count()
}

/// One line on stderr for an exit 1 that the report alone does not explain.
fn explain(exit: Exit, ending: &Ending, config: &Config, snap: &Snapshot) {
    if exit != Exit::Failure {
        return;
    }
    let failed = snap.counts.failed;
    if failed > 0 {
        let injected = if config.crash_items.is_empty() {
            String::new()
        } else {
            " (--crash-item / crash_items made their consumers panic)".to_string()
        };
        eprintln!(
            "queuescope: {} failed{injected}; exit 1",
            crate::units::n_of(failed as usize, "item")
        );
    } else if crashed(snap) > 0 {
        eprintln!(
            "queuescope: {} crashed (the report says why); exit 1",
            crate::units::n_of(crashed(snap), "thread")
        );
    } else if ending.cut_short && !ending.aborted && config.workload != Workload::Endless {
        eprintln!("queuescope: stopped by a signal before the run finished; exit 1");
    }
}

/// Starts recording `engine` into `file`, if one was opened. On failure the
/// engine is aborted.
fn start_recorder(
    engine: &Arc<Engine>,
    config: &Config,
    file: Option<Opened>,
) -> crate::error::Result<Option<Recorder>> {
    let Some(file) = file else { return Ok(None) };
    match record::record_engine(engine, config, file) {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            engine.send(Command::Abort);
            Err(Error::failure(format!("could not start the recorder: {e}")))
        }
    }
}

/// Waits for the run to end. The watchdog stops a run that can never
/// finish; the first signal shuts it down gracefully (pills go out) for at
/// most `grace`; a second signal, or the end of the grace period, aborts.
fn supervise(engine: &Engine, signals: &Signals, watch: &mut Watchdog, grace: Duration) -> Ending {
    let mut ending = Ending::default();
    let mut shutdown_at: Option<Instant> = None;
    let mut aborted_at: Option<Instant> = None;
    let mut progress = Progress::new();
    while !engine.wait(POLL) {
        let snap = engine.snapshot();
        if let Some(message) = watch.observe(&snap) {
            // The run can never finish on its own: say why, stop, report.
            progress.clear();
            eprintln!("queuescope: hang: {message}");
            engine.send(Command::Abort);
            let _ = engine.wait(ABORT_WAIT);
            ending.hung = true;
            return ending;
        }
        let abort = |why: &str, progress: &mut Progress| {
            progress.clear();
            eprintln!("queuescope: {why}: aborting");
            engine.send(Command::Abort);
        };
        let n = signals.take_count();
        if n > 0 && aborted_at.is_none() {
            if !ending.signalled {
                ending.cut_short = matches!(snap.phase, Phase::Running | Phase::Paused);
            }
            ending.signalled = true;
            if shutdown_at.is_some() || n >= 2 {
                abort("second signal", &mut progress);
                aborted_at = Some(Instant::now());
            } else if grace.is_zero() {
                abort("signal with --grace 0", &mut progress);
                aborted_at = Some(Instant::now());
            } else {
                progress.clear();
                let sig = signals::last().map_or("signal", signals::name);
                eprintln!(
                    "queuescope: {sig}: shutting down (pills going out); aborting in {} \
                     unless done, or at a second signal",
                    crate::units::clock(grace)
                );
                engine.send(Command::Shutdown);
                shutdown_at = Some(Instant::now());
            }
        }
        if let Some(t) = shutdown_at
            && aborted_at.is_none()
            && t.elapsed() >= grace
        {
            abort("the graceful shutdown outlasted --grace", &mut progress);
            aborted_at = Some(Instant::now());
        }
        if aborted_at.is_some_and(|t| t.elapsed() >= ABORT_WAIT) {
            // Threads that do not stop are left to end with the process.
            break;
        }
        ending.aborted = aborted_at.is_some();
        progress.show(&snap);
    }
    progress.clear();
    ending.aborted = aborted_at.is_some();
    ending
}

/// The drain's progress line on stderr: rewritten in place on a terminal,
/// a new line every few seconds otherwise.
struct Progress {
    since: Option<Instant>,
    last: Option<Instant>,
    tty: bool,
    /// A line is on the terminal without its newline.
    open: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            since: None,
            last: None,
            tty: std::io::stderr().is_terminal(),
            open: false,
        }
    }

    fn show(&mut self, snap: &Snapshot) {
        let Some(d) = drain::estimate(snap) else {
            self.since = None;
            return;
        };
        let now = Instant::now();
        let since = *self.since.get_or_insert(now);
        let every = if self.tty {
            PROGRESS_TTY
        } else {
            PROGRESS_PIPE
        };
        if now - since < PROGRESS_AFTER || self.last.is_some_and(|t| now - t < every) {
            return;
        }
        self.last = Some(now);
        let mut err = std::io::stderr().lock();
        let line = drain::line(&d);
        let _ = if self.tty {
            self.open = true;
            write!(err, "\r\x1b[K{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
    }

    /// Ends a line left open, so the next message starts on its own.
    fn clear(&mut self) {
        if self.open {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
            self.open = false;
        }
    }
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

/// Writes the report to stdout. A closed stdout (`| head`) is not an
/// error, and a reader that stops reading holds the process only until a
/// stop signal.
fn print(text: String) {
    let _ = signals::interruptible_after(
        move || {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        },
        REPORT_PATIENCE,
    );
}

/// `--log`: prints the engine's trace as seed-style lines, in order, on a
/// thread of its own.
struct LogPrinter {
    tx: Sender<Trace>,
    handle: JoinHandle<()>,
}

impl LogPrinter {
    /// Starts printing to stdout, or to stderr when `to_stderr`.
    fn start(config: &Config, to_stderr: bool, format: report::log::Format) -> LogPrinter {
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
                    if let Some(line) = report::log::printed(&t, word, format)
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
