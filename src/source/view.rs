//! What a source says about itself for the header and the keys: a live
//! run, a run being recorded, or a recording played back. Plain data,
//! copied from the [`Source`](super::Source) every frame.

use std::time::Duration;

/// What drives the screen: a live engine (maybe being recorded) or a
/// recording played back. The header and the keys depend on it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SourceView {
    /// A live run.
    #[default]
    Live,
    /// A live run being recorded (`--record`).
    Recording(RecordingView),
    /// A recording played back (`queuescope replay`).
    Replay(ReplayView),
}

/// What the screen says about a recording in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordingView {
    /// Bytes written so far.
    pub bytes: u64,
    /// Events the recorder lost so far.
    pub dropped_events: u64,
    /// The write error that stopped the recording, if any.
    pub error: Option<String>,
}

/// Where a replay is, for the header and footer.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayView {
    /// The cursor, since the recorded run started.
    pub at: Duration,
    /// The recording's length.
    pub duration: Duration,
    /// Playback speed (1.0 = as recorded).
    pub speed: f64,
    /// Playing (else paused).
    pub playing: bool,
    /// Events up to the cursor, and in all.
    pub events: (usize, usize),
    /// Events the recorder lost while recording.
    pub dropped_events: u64,
    /// Whether the recording has each thread's latency (version 2 on).
    pub latency_recorded: bool,
}

impl ReplayView {
    /// The cursor as a fraction of the recording (0..=1).
    pub fn fraction(&self) -> f64 {
        if self.duration.is_zero() {
            1.0
        } else {
            (self.at.as_secs_f64() / self.duration.as_secs_f64()).clamp(0.0, 1.0)
        }
    }
}
