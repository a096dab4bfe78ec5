//! The simulation engine: real producer and consumer OS threads on an
//! instrumented crossbeam-channel queue, poison-pill shutdown and live
//! control. It knows nothing of terminals; front ends read [`Snapshot`]s.
//!
//! The files form layers; each imports only from the layers below it (the
//! `layering` test fails on an import cycle):
//!
//! - facade: `engine` ([`Engine`]: start, commands, snapshots)
//! - steering: `coordinator` (`main`: pills), `control` (its live
//!   commands), `sampler`,
//!   `assemble` (snapshot building), `spawn`
//! - worker loops: `producer`, `consumer`, and what they share: `worker_kit`,
//!   `gate`, `spend`, `cv_kit` (their side of a textbook buffer)
//! - shared state: `shared` (registry, flags, knobs, events), `gil`
//! - plain data and leaves: `config`, `command`, `snapshot`, `event`,
//!   `trace`, `state`, `stats`, `handoff`, `recent`, `work`, `sleep`,
//!   `serde_fmt`, `sync`, `panic_filter`, `clock`, `epoch`, `condvar` (the
//!   textbook buffers)

mod assemble;
pub mod clock;
pub mod command;
pub mod condvar;
pub mod config;
mod consumer;
mod control;
mod coordinator;
mod cv_kit;
pub mod engine;
pub mod epoch;
pub mod event;
mod gate;
pub mod gil;
mod handoff;
pub mod panic_filter;
mod producer;
mod recent;
mod sampler;
pub mod serde_fmt;
mod shared;
mod sleep;
pub mod snapshot;
mod spawn;
mod spend;
pub mod state;
pub mod stats;
mod sync;
pub mod trace;
pub mod work;
mod worker_kit;

pub use assemble::STRIP_MAX;
pub use command::{Command, Removal};
pub use condvar::{Cv, QueueKind, SleepPlan};
pub use config::{Capacity, Config, PillTrigger, Workload};
pub use engine::Engine;
pub use epoch::{EpochConfig, EpochSnap, Span, Totals};
pub use event::{Event, EventKind};
pub use snapshot::{
    Bucket, Counts, HistoryPoint, Latency, LatencySummary, OutputLine, ProgramOutput, QueueStrip,
    SleepTiming, Slot, Snapshot, SnapshotRequest, TextbookSnap, ThreadDetail, ThreadSnap, WakeNote,
};
pub use state::{ExitReason, Phase, Role, ThreadState};
pub use trace::{ItemResult, Trace, TraceKind};
pub use work::{Dist, WorkMode, WorkSpec};

// What another snapshot source (a traced program) needs to build the same
// Snapshot the engine does: the strip and lane sizes, the histogram
// helpers, and the lock that survives poisoning.
pub use assemble::{LANE_CELLS, summary};
pub use shared::{new_histogram, record};
pub use sync::lock;

#[cfg(test)]
mod layering;
