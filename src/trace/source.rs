//! A traced program as a snapshot source: it starts the program and the
//! [`pump`](super::pump) thread, hands out snapshots of the fold, and
//! stops the program when the view ends. The live view drives it through
//! the same trait as the engine and a replay.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Sender;

use super::child::{self, Ended};
use super::fold::{self, Fold, WaitFor};
use super::output::OutputRing;
use crate::analysis::lint::Lint;
use crate::record::{self, Recorder};
use crate::sim::{Command, Config, Role, Snapshot, SnapshotRequest, Workload, lock};
use crate::source::{Source, SourceView};

/// Output lines a snapshot carries.
const OUTPUT_LINES: usize = 200;

/// How far behind the clock a running program is shown: its events come
/// in batches (the shim writes every 25 ms), and a picture drawn ahead of
/// them would have to move back when they arrive.
pub const LAG: Duration = Duration::from_millis(100);

/// The time a running program is shown at: [`LAG`] behind [`mono_ns`].
pub fn view_ns() -> u64 {
    mono_ns().saturating_sub(LAG.as_nanos() as u64)
}

/// The sender's monotonic clock, ns (Python's `time.monotonic_ns` reads
/// the same `CLOCK_MONOTONIC`).
pub fn mono_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    u64::try_from(ts.tv_sec)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(ts.tv_nsec).unwrap_or(0))
}

/// How a trace ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The program ended by itself.
    Exited(Ended),
    /// Every thread waited for ever: the program was stopped.
    Hang {
        /// What the watchdog said.
        message: String,
        /// Who waited on what.
        wait_for: Vec<WaitFor>,
    },
    /// queuescope stopped it (quit, a signal).
    Stopped,
}

/// What to trace and how.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The program.
    pub spec: child::Spec,
    /// Pills, the queue to show, the log.
    pub fold: fold::Options,
    /// Where `--log` lines go.
    pub log: Option<Sender<String>>,
    /// `--record FILE`.
    pub record: Option<PathBuf>,
}

/// What the pump thread and the readers share.
pub struct Shared {
    /// The folded trace.
    pub fold: Mutex<Fold>,
    /// The program's output.
    pub output: Mutex<OutputRing>,
    /// Asks the pump to stop the program.
    pub stop: AtomicBool,
    /// How it ended, once it has.
    pub outcome: Mutex<Option<Outcome>>,
    /// The lints seen so far (latest message of each kind).
    pub warnings: Mutex<Vec<Lint>>,
    /// Set when the pump is done.
    over: (Mutex<bool>, Condvar),
    /// The header's name for the run.
    scenario: String,
    /// The command line, as shown.
    command: String,
    pid: u32,
}

impl Shared {
    /// A snapshot (without the program's output).
    pub fn snapshot(&self, req: SnapshotRequest) -> Snapshot {
        let fold = lock(&self.fold);
        let lesson = format!(
            "{} · pid {} · {}{}",
            self.command,
            self.pid,
            fold.queue_line(),
            self.ending()
        );
        fold.snapshot(view_ns(), req, &self.scenario, &lesson)
    }

    fn ending(&self) -> String {
        match &*lock(&self.outcome) {
            None => String::new(),
            Some(Outcome::Exited(e)) => format!(" · exited {}", e.code()),
            Some(Outcome::Hang { .. }) => " · hung: stopped".into(),
            Some(Outcome::Stopped) => " · stopped".into(),
        }
    }
}

/// A traced program.
pub struct TraceSource {
    shared: Arc<Shared>,
    pump: Option<JoinHandle<()>>,
    recorder: Option<(Recorder, PathBuf)>,
    rec_status: Option<Arc<record::RecStatus>>,
}

/// The header's name for a command: the script of `python3 prog.py`, else
/// the program.
pub fn label(command: &[std::ffi::OsString]) -> String {
    let name = |s: &std::ffi::OsString| {
        Path::new(s)
            .file_name()
            .map_or_else(|| s.to_string_lossy(), |n| n.to_string_lossy())
            .into_owned()
    };
    command
        .iter()
        .find(|a| a.to_string_lossy().ends_with(".py"))
        .or(command.first())
        .map_or_else(|| "trace".into(), name)
}

impl TraceSource {
    /// Starts the program and the pump. The error is one line.
    pub fn start(setup: &Setup) -> Result<TraceSource, String> {
        let record_file = setup
            .record
            .as_deref()
            .map(record::create)
            .transpose()
            .map_err(|e| e.to_string())?;
        let running = child::spawn(&setup.spec)?;
        let command: Vec<String> = setup
            .spec
            .command
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let shared = Arc::new(Shared {
            fold: Mutex::new(Fold::new(setup.fold.clone())),
            output: Mutex::new(OutputRing::default()),
            stop: AtomicBool::new(false),
            outcome: Mutex::new(None),
            warnings: Mutex::new(Vec::new()),
            over: (Mutex::new(false), Condvar::new()),
            scenario: label(&setup.spec.command),
            command: command.join(" "),
            pid: running.pid(),
        });
        let sh = Arc::clone(&shared);
        let log = setup.log.clone();
        let pump = std::thread::Builder::new()
            .name("trace".into())
            .spawn(move || {
                super::pump::run(&sh, running, log);
                let (done, cv) = &sh.over;
                *lock(done) = true;
                cv.notify_all();
            })
            .map_err(|e| format!("trace: cannot start a thread: {e}"))?;
        let mut source = TraceSource {
            shared,
            pump: Some(pump),
            recorder: None,
            rec_status: None,
        };
        if let (Some(file), Some(path)) = (record_file, &setup.record) {
            let sh = Arc::clone(&source.shared);
            let sample: record::writer::Source = Box::new(move |req| sh.snapshot(req));
            let config = config_of(&source.shared.snapshot(SnapshotRequest::default()));
            let rec = Recorder::start(sample, &config, file, record::Options::default())
                .map_err(|e| format!("trace: cannot start the recorder: {e}"))?;
            source.rec_status = Some(rec.status());
            source.recorder = Some((rec, path.clone()));
        }
        Ok(source)
    }

    /// What the pump and the readers share.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Asks the pump to stop the program (SIGTERM, then SIGKILL).
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
    }

    /// Waits up to `timeout` for the trace to end; true once it has.
    pub fn wait_over(&self, timeout: Duration) -> bool {
        let (done, cv) = &self.shared.over;
        let guard = lock(done);
        let (guard, _) = cv
            .wait_timeout_while(guard, timeout, |d| !*d)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }

    /// Waits for the pump (and so the program) to end.
    pub fn join(&mut self) {
        if let Some(p) = self.pump.take() {
            let _ = p.join();
        }
    }

    /// How it ended, once it has.
    pub fn outcome(&self) -> Option<Outcome> {
        lock(&self.shared.outcome).clone()
    }

    /// The final snapshot, with every event kept.
    pub fn last_snapshot(&self) -> Snapshot {
        self.shared.snapshot(record::final_request())
    }

    /// Ends the recording, if any: the final snapshot and the summary
    /// `--json` prints. The error is one line.
    pub fn close_recording(&mut self) -> Result<(), String> {
        let Some((rec, path)) = self.recorder.take() else {
            return Ok(());
        };
        let last = self.last_snapshot();
        let extra = self.report_extra();
        rec.finish(last, |snap, lints| {
            super::report::document(snap, lints, &extra)
        })
        .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The `trace` part of the JSON report.
    pub fn report_extra(&self) -> serde_json::Value {
        super::report::extra(self)
    }

    /// The command line, as shown.
    pub fn command(&self) -> &str {
        &self.shared.command
    }

    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.shared.pid
    }
}

impl Drop for TraceSource {
    /// Never leaves the program running.
    fn drop(&mut self) {
        self.stop();
        self.join();
        let _ = self.close_recording();
    }
}

/// A run configuration describing a traced program, for the reports and
/// the recording's header (thread counts and capacity as seen).
pub fn config_of(s: &Snapshot) -> Config {
    Config {
        name: s.scenario.clone(),
        lesson: s.lesson.clone(),
        producers: s.role(Role::Producer).count(),
        consumers: s.role(Role::Consumer).count(),
        capacity: s.capacity,
        workload: Workload::Endless,
        interval: s.interval,
        work: s.work,
        seed: 0,
        pills: s.counts.pills_planned.and_then(|p| usize::try_from(p).ok()),
        ..Config::default()
    }
}

impl Source for TraceSource {
    fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot {
        let mut s = self.shared.snapshot(req);
        s.output = Some(lock(&self.shared.output).snapshot(OUTPUT_LINES));
        s
    }

    /// A real program cannot be steered: only quitting (Abort) reaches it.
    fn send(&self, cmd: Command) {
        if cmd == Command::Abort {
            self.stop();
        }
    }

    fn wait(&self, timeout: Duration) -> bool {
        self.wait_over(timeout)
    }

    fn source_view(&self) -> SourceView {
        match &self.rec_status {
            Some(st) => SourceView::Recording(record::view_of(st)),
            None => SourceView::Live,
        }
    }

    fn close(&mut self) -> Result<(), String> {
        self.stop();
        self.join();
        self.close_recording()
    }
}

#[cfg(test)]
mod tests {
    use super::label;
    use std::ffi::OsString;

    #[test]
    fn the_header_names_the_script() {
        let l = |args: &[&str]| label(&args.iter().map(OsString::from).collect::<Vec<_>>());
        assert_eq!(
            l(&["python3", "-u", "tests/trace/classic.py", "x"]),
            "classic.py"
        );
        assert_eq!(l(&["/usr/bin/myprog", "--fast"]), "myprog");
        assert_eq!(l(&[]), "trace");
    }
}
