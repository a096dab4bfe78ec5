//! What the user asked for beyond changing the view ([`Action`]), and the
//! engine [`Command`] each one means for the run as it is now.

use crate::sim::{Command, Phase, Removal, Snapshot};
use crate::source::ReplayAction;

/// Factor for `<` (longer producer interval) and `{` (longer consumer work).
pub const SLOWER: f64 = 1.25;
/// Factor for `>` (shorter producer interval) and `}` (shorter consumer work).
pub const FASTER: f64 = 0.8;

/// Something the event loop must do beyond changing the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave the UI (`q`, Esc, Ctrl-C).
    Quit,
    /// Drop the engine and start the same scenario again (`r`).
    Restart,
    /// Pause, or resume when paused (space).
    TogglePause,
    /// While paused, let exactly one queue operation happen (`n`, or `.`).
    Step,
    /// Turn the emulated GIL on or off (`g`), the opposite of what the
    /// snapshot says it is now.
    ToggleGil,
    /// Graceful poison-pill shutdown (`s`).
    Shutdown,
    /// One more consumer (`+`).
    AddConsumer,
    /// Retire the newest consumer (`-`).
    RemoveConsumer,
    /// One more producer (`]`).
    AddProducer,
    /// Stop the newest producer (`[`).
    RemoveProducer,
    /// Producer interval × 1.25 (`<`).
    SlowerProducers,
    /// Producer interval × 0.8 (`>`).
    FasterProducers,
    /// Consumer work time × 1.25 (`{`).
    SlowerConsumers,
    /// Consumer work time × 0.8 (`}`).
    FasterConsumers,
    /// A replay key (`queuescope replay` only).
    Replay(ReplayAction),
    /// Open the Tune view and start its sweep (`T`).
    OpenTune,
    /// Bring the live counts to the Tune view's knee (Enter in the view).
    ApplyTune,
    /// Close the Tune view, stopping its sweep (Esc in the view).
    CloseTune,
    /// Save a picture of the screen as it is: SVG and text (`x`).
    SavePicture,
}

/// The engine command for `action`, given the run as it is now; `None` for
/// actions the event loop handles itself (quit, restart), for a step while
/// not paused, and for knobs pressed after the run is over.
pub fn command(action: Action, snap: &Snapshot) -> Option<Command> {
    if snap.phase.is_over() {
        return None;
    }
    Some(match action {
        Action::Quit
        | Action::Restart
        | Action::Replay(_)
        | Action::OpenTune
        | Action::ApplyTune
        | Action::CloseTune
        | Action::SavePicture => return None,
        Action::ToggleGil => Command::SetGil(!snap.gil),
        Action::Step if snap.phase == Phase::Paused => Command::Step,
        // Stepping is for a paused run; running, it would mean nothing.
        Action::Step => return None,
        Action::TogglePause => {
            if snap.phase == Phase::Paused {
                Command::Resume
            } else {
                Command::Pause
            }
        }
        Action::Shutdown => Command::Shutdown,
        Action::AddConsumer => Command::AddConsumer,
        // Retire rather than an extra pill: the consumer leaves after its
        // current item instead of after everything queued ahead of a pill,
        // so the change is visible at once.
        Action::RemoveConsumer => Command::RemoveConsumer(Removal::Retire),
        Action::AddProducer => Command::AddProducer,
        Action::RemoveProducer => Command::RemoveProducer,
        Action::SlowerProducers => Command::SetInterval(snap.interval.scaled(SLOWER)),
        Action::FasterProducers => Command::SetInterval(snap.interval.scaled(FASTER)),
        Action::SlowerConsumers => Command::SetWork(snap.work.scaled(SLOWER)),
        Action::FasterConsumers => Command::SetWork(snap.work.scaled(FASTER)),
    })
}
