//! The engine: spawns and joins the threads, owns the control channel, hands
//! out snapshots. (Interface stub; the implementation lands next.)

use std::time::Duration;

use crossbeam_channel::Sender;

use super::command::Command;
use super::config::Config;
use super::snapshot::{Snapshot, SnapshotRequest};

/// One item's result, for `map`-style scenarios.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemResult {
    /// Item id (its position in the input).
    pub id: u64,
    /// The word, for word workloads.
    pub word: Option<String>,
    /// Consumer that did it.
    pub by: String,
    /// When it finished, since start.
    pub done_at: Duration,
}

/// What a per-item trace line is about (`--log` only; off by default).
#[derive(Clone, Debug, PartialEq)]
pub enum TraceKind {
    /// A producer put an item.
    Produced(u64),
    /// A consumer took an item.
    Received(u64),
    /// A consumer took a pill.
    Pill,
    /// A lifecycle event.
    Event(super::event::Event),
}

/// A per-item trace line for `--log`.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// Thread name.
    pub who: std::sync::Arc<str>,
    /// Time since start.
    pub at: Duration,
    /// What happened.
    pub kind: TraceKind,
}

/// A running (or finished) simulation.
pub struct Engine {
    _private: (),
}

impl Engine {
    /// Spawn every thread and start the run.
    pub fn start(config: Config) -> std::io::Result<Engine> {
        Self::start_traced(config, None)
    }

    /// Like [`Engine::start`], also sending per-item trace lines to `trace`.
    pub fn start_traced(_config: Config, _trace: Option<Sender<Trace>>) -> std::io::Result<Engine> {
        todo!()
    }

    /// The run's configuration (with live changes applied).
    pub fn config(&self) -> Config {
        todo!()
    }

    /// A snapshot with the default parts.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot_with(SnapshotRequest::default())
    }

    /// A snapshot, with the extras `req` asks for.
    pub fn snapshot_with(&self, _req: SnapshotRequest) -> Snapshot {
        todo!()
    }

    /// Apply a live change. Never blocks.
    pub fn send(&self, _cmd: Command) {
        todo!()
    }

    /// True once every thread has left (done or aborted).
    pub fn is_over(&self) -> bool {
        todo!()
    }

    /// Wait until the run is over or `timeout` passes; true if over.
    pub fn wait(&self, _timeout: Duration) -> bool {
        todo!()
    }

    /// Results in input order (only when the config collects results).
    pub fn results(&self) -> Vec<ItemResult> {
        todo!()
    }
}
