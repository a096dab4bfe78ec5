//! The simulation engine: real producer and consumer OS threads on an
//! instrumented crossbeam-channel queue, poison-pill shutdown and live
//! control. It knows nothing of terminals; front ends read [`Snapshot`]s.

mod assemble;
pub mod command;
pub mod config;
mod consumer;
mod coordinator;
pub mod engine;
pub mod event;
mod gate;
pub mod gil;
pub mod panic_filter;
mod producer;
mod queue;
mod recent;
mod sampler;
pub mod serde_fmt;
mod shared;
pub mod snapshot;
mod spawn;
mod spend;
pub mod state;
pub mod stats;
mod sync;
pub mod trace;
pub mod work;
mod worker_kit;

pub use command::{Command, Removal};
pub use config::{Capacity, Config, PillTrigger, Workload};
pub use engine::Engine;
pub use event::{Event, EventKind};
pub use snapshot::{
    Bucket, Counts, HistoryPoint, Latency, LatencySummary, QueueStrip, Slot, Snapshot,
    SnapshotRequest, ThreadDetail, ThreadSnap,
};
pub use state::{ExitReason, Phase, Role, ThreadState};
pub use trace::{ItemResult, Trace, TraceKind};
pub use work::{Dist, WorkMode, WorkSpec};

#[cfg(test)]
mod layering;
