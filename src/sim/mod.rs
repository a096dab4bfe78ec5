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
pub mod work;

pub use assemble::{LANE_CELLS, STRIP_MAX, buckets, summary};
pub use command::{Command, Removal};
pub use config::{Capacity, Config, PillTrigger, Workload};
pub use engine::{Engine, ItemResult, Trace, TraceKind};
pub use event::{Event, EventKind};
pub use shared::{lock, new_histogram, record};
pub use snapshot::{
    Bucket, Counts, HistoryPoint, Latency, LatencySummary, OutputLine, ProgramOutput, QueueStrip,
    Slot, Snapshot, SnapshotRequest, ThreadDetail, ThreadSnap,
};
pub use state::{ExitReason, Phase, Role, ThreadState};
pub use work::{Dist, WorkMode, WorkSpec};
