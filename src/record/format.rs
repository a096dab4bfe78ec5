//! The recording file format, version 2: JSON lines.
//!
//! Line 1 is the [`Header`]: `{"format":"queuescope-recording","version":1,
//! "scenario":..,"seed":..,"config":{..},..}`. Every later line is one
//! [`Record`], tagged by `"t"`:
//!
//! | `t` | what |
//! |---|---|
//! | `event` | one lifecycle event: `seq` (1, 2, ... over the run), `at_ns`, `who`, `kind` |
//! | `snap` | a periodic snapshot (every `snapshot_every_ms`, and the final one); its `history` holds only the depth-history points new since the previous `snap` |
//! | `detail` | one thread's latency (since version 2): `at_ns`, and `detail` with its queue-wait and end-to-end summaries and end-to-end histogram; written about once a second for each consumer whose counts moved, and at the end |
//! | `dropped` | the recorder fell behind: `events` lost (evicted from the engine's ring before it read them), `snapshots` skipped (its write queue was full) |
//! | `end` | the last line: totals of what was dropped, and `summary`, the document `run --json` prints |
//!
//! Durations are whole nanoseconds (`_ns`). A reader must refuse a
//! `version` it does not know (the layout of a later version may differ);
//! within a version, fields are only ever added, never changed, so a
//! reader ignores fields it does not know. Version 1 is version 2 without
//! `detail` records; this build reads both.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sim::{Config, Event, HistoryPoint, Snapshot, ThreadDetail};

/// The `format` field of every recording's header.
pub const FORMAT: &str = "queuescope-recording";
/// The version this build writes (it reads 1 to this).
pub const VERSION: u32 = 2;
/// The first version with `detail` records.
pub const DETAIL_VERSION: u32 = 2;

/// The first line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] when written by this build.
    pub version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Scenario's one-line lesson.
    pub lesson: String,
    /// Seed of every thread's randomness.
    pub seed: u64,
    /// Time between periodic snapshots, milliseconds.
    pub snapshot_every_ms: u64,
    /// `queuescope <version>` that wrote the file.
    pub created_by: String,
    /// The validated configuration the run started from.
    pub config: Config,
}

impl Header {
    /// The header for a run of `config`, sampled every `every`.
    pub fn new(config: &Config, every: Duration) -> Header {
        Header {
            format: FORMAT.into(),
            version: VERSION,
            scenario: config.name.clone(),
            lesson: config.lesson.clone(),
            seed: config.seed,
            snapshot_every_ms: every.as_millis() as u64,
            created_by: format!("queuescope {}", env!("CARGO_PKG_VERSION")),
            config: config.clone(),
        }
    }
}

/// A periodic snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapRecord {
    /// Depth-history points new since the previous snapshot record (the
    /// snapshot itself carries none: the reader rebuilds the history).
    pub history: Vec<HistoryPoint>,
    /// The snapshot, without history, events or thread details.
    pub snap: Snapshot,
}

/// One thread's latency at one moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetailRecord {
    /// When it was taken, since the run started.
    #[serde(rename = "at_ns", with = "crate::sim::serde_fmt::nanos")]
    pub at: Duration,
    /// The thread's summaries and histogram (its timeline is left empty:
    /// the snapshots carry the lanes).
    pub detail: ThreadDetail,
}

/// The recorder fell behind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// When it noticed, since the run started.
    #[serde(rename = "at_ns", with = "crate::sim::serde_fmt::nanos")]
    pub at: Duration,
    /// Events lost: the engine's ring evicted them before they were read.
    pub events: u64,
    /// Snapshots skipped because the write queue was full.
    pub snapshots: u64,
}

/// The last line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct End {
    /// Events lost over the whole recording.
    pub dropped_events: u64,
    /// Snapshots skipped over the whole recording.
    pub dropped_snapshots: u64,
    /// What `run --json` prints for this run.
    pub summary: Value,
}

/// One line after the header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "kebab-case")]
pub enum Record {
    /// A lifecycle event.
    Event(Event),
    /// A periodic (or the final) snapshot (boxed: it is far larger than
    /// an event, and most records are events).
    Snap(Box<SnapRecord>),
    /// One thread's latency (boxed: far larger than an event).
    Detail(Box<DetailRecord>),
    /// The recorder fell behind.
    Dropped(Dropped),
    /// The end of the recording.
    End(End),
}
