//! Where the live view's [`Snapshot`]s come from. Three things make one: the
//! engine (a simulation), a recording played back, and a traced real
//! program. The event loop drives any of them through one trait,
//! [`Source`]; this module holds it with the plain data a source reports
//! about itself ([`SourceView`]) and the replay keys it may take
//! ([`ReplayAction`]), and implements it for the engine. Every other source
//! implements it beside its own code (`record::RecordedEngine`,
//! `replay::Player`, `trace::TraceSource`).

mod view;

use std::time::Duration;

use crate::sim::{Command, Config, Engine, Snapshot, SnapshotRequest};
pub use view::{RecordingView, ReplayView, SourceView};

/// What the live view drives: something that hands out a [`Snapshot`] per
/// frame and takes the user's commands. The event loop knows sources only
/// through this trait, so tests drive it with a fake.
pub trait Source {
    /// A snapshot with the parts `req` asks for.
    fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot;
    /// Apply a live change (a source that cannot be steered ignores it).
    fn send(&self, cmd: Command);
    /// Wait until every thread has left or `timeout` passes; true if over.
    fn wait(&self, timeout: Duration) -> bool;
    /// What drives the screen, for the header: live, recording or replay.
    fn source_view(&self) -> SourceView {
        SourceView::Live
    }
    /// The run's configuration with its current knobs, for the Tune view's
    /// sweep; `None` when there is no engine to sweep (a replay).
    fn config(&self) -> Option<Config> {
        None
    }
    /// A replay key; a live source ignores it.
    fn replay(&mut self, _: ReplayAction) {}
    /// Called once after the UI has ended and the run has been stopped;
    /// an error is one line for stderr (e.g. a recording that failed).
    fn close(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// A replay key, resolved by the player.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayAction {
    /// Space: play / pause (at the end, play starts over).
    TogglePlay,
    /// `n`: pause and move to the next event.
    StepEvent,
    /// `→`: forward by the player's seek step.
    Forward,
    /// `←`: back by the player's seek step.
    Back,
    /// `0`–`9`: jump to that many tenths of the recording.
    Jump(u8),
    /// `+` / `>`: next speed up.
    Faster,
    /// `-` / `<`: next speed down.
    Slower,
}

/// The simulation: a live run, steered by the keys.
impl Source for Engine {
    fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot {
        Engine::snapshot_with(self, req)
    }
    fn send(&self, cmd: Command) {
        Engine::send(self, cmd)
    }
    fn wait(&self, timeout: Duration) -> bool {
        Engine::wait(self, timeout)
    }
    fn config(&self) -> Option<Config> {
        Some(Engine::config(self))
    }
}
