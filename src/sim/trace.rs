//! What a run hands out item by item, beside its snapshots: `map` results
//! (kept in input order) and the opt-in `--log` trace lines. Plain data, so
//! the worker loops, the shared state and the engine facade can all name it
//! without importing one another.

use std::sync::Arc;
use std::time::Duration;

use super::event::Event;

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
    Event(Event),
}

/// A per-item trace line for `--log`.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// Thread name.
    pub who: Arc<str>,
    /// Time since start.
    pub at: Duration,
    /// What happened.
    pub kind: TraceKind,
}
