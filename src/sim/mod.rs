//! The simulation engine: real producer and consumer OS threads on an
//! instrumented crossbeam-channel queue, poison-pill shutdown and live
//! control. It knows nothing of terminals; front ends read [`Snapshot`]s.

pub mod command;
pub mod config;
pub mod engine;
pub mod event;
pub mod snapshot;
pub mod state;
pub mod work;

pub use command::{Command, Removal};
pub use config::{Capacity, Config, Workload};
pub use engine::{Engine, ItemResult, Trace, TraceKind};
pub use event::{Event, EventKind};
pub use snapshot::{
    Bucket, Counts, HistoryPoint, Latency, LatencySummary, QueueStrip, Slot, Snapshot,
    SnapshotRequest, ThreadDetail, ThreadSnap,
};
pub use state::{ExitReason, Phase, Role, ThreadState};
pub use work::{Dist, WorkMode, WorkSpec};
