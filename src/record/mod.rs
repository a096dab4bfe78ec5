//! Recording a run to a file, and reading it back for `queuescope replay`.
//!
//! A recording is JSON lines (see [`format`] for every record): a header
//! with the format name, version, scenario, seed and config; then the run's
//! lifecycle events, each as it happened, and a snapshot every 100 ms (and
//! the final one) so a replay can seek anywhere quickly; and last the same
//! summary `run --json` prints. [`writer`] samples the engine on threads of
//! its own and never makes a worker wait; [`read`] checks a file and loads it.
//!
//! [`RecordedEngine`] pairs a live [`Engine`] with its recorder for the TUI
//! (`queuescope --record FILE`); `queuescope run --record FILE` uses the
//! [`Recorder`] directly.

pub mod check;
pub mod format;
pub mod pretty;
pub mod read;
pub mod target;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use format::{FORMAT, VERSION};
pub use read::{LoadError, Recording, load};
pub use target::{Opened, Target};
pub use writer::{Details, Options, RecStatus, RecordError, Recorder, create, final_request};

use crate::sim::{Command, Config, Engine, Snapshot, SnapshotRequest};
pub use crate::source::RecordingView;
use crate::source::{self, SourceView};

/// The snapshot source of a recorder on `engine`.
pub fn engine_source(engine: &Arc<Engine>) -> writer::Source {
    let e = Arc::clone(engine);
    Box::new(move |req: SnapshotRequest| e.snapshot_with(req))
}

/// The threads' latency source of a recorder on `engine`.
pub fn engine_details(engine: &Arc<Engine>) -> writer::Details {
    let e = Arc::clone(engine);
    Box::new(move || e.latency_details())
}

/// Starts recording `engine` (running `config`) into `file`, with its
/// threads' latency.
pub fn record_engine(
    engine: &Arc<Engine>,
    config: &Config,
    file: Opened,
) -> std::io::Result<Recorder> {
    Recorder::start_file(
        engine_source(engine),
        Some(engine_details(engine)),
        config,
        file,
        Options::default(),
    )
}

/// The `run --json` document for a finished (or stopped) run.
pub fn summary(
    config: &Config,
    engine: &Engine,
    snap: &Snapshot,
    warnings: &[crate::analysis::lint::Lint],
) -> serde_json::Value {
    crate::report::json::render(config, snap, &engine.results(), warnings)
}

/// What the screen shows of a recording in progress.
pub fn view_of(status: &RecStatus) -> RecordingView {
    RecordingView {
        bytes: status.bytes.load(Ordering::Relaxed),
        dropped_events: status.dropped_events.load(Ordering::Relaxed),
        error: status.error().map(|e| e.to_string()),
    }
}

/// A live engine being recorded, for the TUI. Dropping it writes the final
/// snapshot and the end record.
pub struct RecordedEngine {
    engine: Arc<Engine>,
    recorder: Option<Recorder>,
    status: Arc<RecStatus>,
    config: Config,
    path: PathBuf,
    /// Set when closing failed (a write error), for the caller to report.
    failure: Option<RecordError>,
}

impl RecordedEngine {
    /// Starts `config` and records it into `file` (opened from a
    /// `--record` target; it is moved into place when the run is closed).
    pub fn start(config: Config, file: Opened) -> std::io::Result<RecordedEngine> {
        let path = file.target().path.clone();
        let engine = Arc::new(Engine::start(config.clone())?);
        let recorder = record_engine(&engine, &config, file)?;
        Ok(RecordedEngine {
            status: recorder.status(),
            engine,
            recorder: Some(recorder),
            config,
            path,
            failure: None,
        })
    }

    /// Starts `config` without recording it, because `why` (a FIFO without
    /// a reader on a restart): the header says the recording failed.
    pub fn start_unrecorded(
        config: Config,
        path: &Path,
        why: RecordError,
    ) -> std::io::Result<RecordedEngine> {
        let engine = Arc::new(Engine::start(config.clone())?);
        let status = Arc::new(RecStatus::default());
        *status
            .error
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))? = Some(why.clone());
        Ok(RecordedEngine {
            status,
            engine,
            recorder: None,
            config,
            path: path.to_path_buf(),
            failure: Some(why),
        })
    }

    /// Starts a run recorded to `target` again (the live view's restart):
    /// the earlier recording there is replaced; a FIFO nobody reads any
    /// more leaves the run unrecorded rather than waiting.
    pub fn restart(config: Config, target: &Target) -> std::io::Result<RecordedEngine> {
        match target.reopen() {
            Ok(file) => RecordedEngine::start(config, file),
            Err(e) => RecordedEngine::start_unrecorded(config, &target.path, e),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The recording's live counters.
    pub fn view(&self) -> RecordingView {
        view_of(&self.status)
    }

    /// Where it records.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the final snapshot and the end record (once); the error is
    /// the one that stopped the recording (every call returns it).
    pub fn close(&mut self) -> Result<(), RecordError> {
        let Some(recorder) = self.recorder.take() else {
            return self.failure.clone().map_or(Ok(()), Err);
        };
        let last = self.engine.snapshot_with(final_request());
        let (config, engine) = (&self.config, &self.engine);
        let result = recorder.finish(last, |snap, lints| summary(config, engine, snap, lints));
        if let Err(e) = &result {
            self.failure = Some(e.clone());
        }
        result
    }

    /// Stops the run (blocked threads are released), waits up to `wait`
    /// for its threads, and closes the recording.
    pub fn stop(&mut self, wait: Duration) -> Result<(), RecordError> {
        self.engine.send(Command::Abort);
        self.engine.wait(wait);
        self.close()
    }
}

/// A live run being recorded: steered like the engine, and the header
/// shows the recording's counters.
impl source::Source for RecordedEngine {
    fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot {
        self.engine.snapshot_with(req)
    }
    fn send(&self, cmd: Command) {
        self.engine.send(cmd)
    }
    fn wait(&self, timeout: Duration) -> bool {
        self.engine.wait(timeout)
    }
    fn source_view(&self) -> SourceView {
        SourceView::Recording(self.view())
    }
    fn config(&self) -> Option<Config> {
        Some(self.engine.config())
    }
    fn close(&mut self) -> Result<(), String> {
        RecordedEngine::close(self).map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

impl Drop for RecordedEngine {
    /// Closes the recording. An error is not printed here (the screen may
    /// still be up): the header showed it, and [`RecordedEngine::close`]
    /// returns it to a caller that asks.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests;
