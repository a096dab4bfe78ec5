//! `queuescope replay FILE`: the live view driven by a recording instead of
//! an engine. The [`Player`] is a [`Source`] like the engine: every frame
//! it hands out the state at the
//! replay *cursor*, the nearest recorded snapshot at or before it plus the
//! events up to it. The cursor moves with the wall clock times the speed
//! while playing; the keys pause it, step it one event at a time, seek it
//! and jump it to 0 %–90 %.
//!
//! The cursor arithmetic is [`Cursor`], plain data with no clock of its own,
//! so it is unit-tested without a terminal.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::record::Recording;
use crate::record::read::history_window;
use crate::sim::{Command, Snapshot, SnapshotRequest, ThreadDetail};
pub use crate::source::{ReplayAction, ReplayView};
use crate::source::{Source, SourceView};

/// The playback speeds `-` and `+` step through.
pub const SPEEDS: [f64; 6] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0];
/// Index of 1× in [`SPEEDS`].
const NORMAL: usize = 2;
/// How far `←` and `→` move the cursor.
pub const SEEK_STEP: Duration = Duration::from_secs(1);
/// Events the log gets when a request does not say.
const DEFAULT_EVENTS: usize = 200;

/// The replay cursor: a time and how many events are shown. Normally the
/// events are exactly those at or before the time; after a step they are
/// counted one by one, so events recorded at the same instant still come
/// one per step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cursor {
    /// Time since the recorded run started.
    pub at: Duration,
    /// Events shown: a prefix of the recording's events.
    pub events: usize,
    /// Playing (else paused).
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            at: Duration::ZERO,
            events: 0,
            playing: true,
            speed: NORMAL,
        }
    }
}

/// Events at or before `at`.
fn events_until(rec: &Recording, at: Duration) -> usize {
    rec.events_until(at)
}

impl Cursor {
    /// Playback speed.
    pub fn speed(&self) -> f64 {
        SPEEDS[self.speed.min(SPEEDS.len() - 1)]
    }

    /// Moves to `at` (clamped to the recording) with the events up to it.
    pub fn seek_to(&mut self, rec: &Recording, at: Duration) {
        self.at = at.min(rec.duration());
        self.events = events_until(rec, self.at);
    }

    /// Plays `wall` of real time at the current speed; stops at the end.
    pub fn advance(&mut self, rec: &Recording, wall: Duration) {
        if !self.playing {
            return;
        }
        let end = rec.duration();
        let at = self.at + wall.mul_f64(self.speed());
        self.seek_to(rec, at);
        if self.at >= end {
            self.playing = false;
        }
    }

    /// Applies one replay key.
    pub fn apply(&mut self, rec: &Recording, a: ReplayAction) {
        match a {
            ReplayAction::TogglePlay => {
                if !self.playing && self.at >= rec.duration() {
                    self.seek_to(rec, Duration::ZERO);
                }
                self.playing = !self.playing;
            }
            ReplayAction::StepEvent => {
                self.playing = false;
                if let Some(next) = rec.event_time(self.events) {
                    self.events += 1;
                    self.at = self.at.max(next);
                } else {
                    // No event left: step to the end of the recording.
                    self.at = rec.duration();
                }
            }
            ReplayAction::Forward => self.seek_to(rec, self.at + SEEK_STEP),
            ReplayAction::Back => self.seek_to(rec, self.at.saturating_sub(SEEK_STEP)),
            ReplayAction::Jump(tenths) => {
                let f = f64::from(tenths.min(9)) / 10.0;
                self.seek_to(rec, rec.duration().mul_f64(f));
            }
            ReplayAction::Faster => self.speed = (self.speed + 1).min(SPEEDS.len() - 1),
            ReplayAction::Slower => self.speed = self.speed.saturating_sub(1),
        }
    }

    /// The index of the frame shown: the last snapshot at or before the
    /// cursor (the first one before any).
    pub fn frame(&self, rec: &Recording) -> usize {
        rec.frame_at(self.at)
    }

    /// The snapshot to draw: the frame, its history, the last
    /// `req.events` events shown, and the details asked for: the thread's
    /// lane, and its latency as last recorded by then (recordings from
    /// before version 2 have none).
    pub fn snapshot(&self, rec: &Recording, req: SnapshotRequest) -> Snapshot {
        let frame = rec.frame(self.frame(rec));
        let mut snap = frame.snap;
        snap.history = history_window(rec.history(), frame.history_len);
        let shown = self.events.min(rec.events_len());
        let n = if req.events == 0 {
            DEFAULT_EVENTS
        } else {
            req.events
        };
        snap.events = rec.events(shown.saturating_sub(n)..shown);
        snap.events_total = snap.events.last().map_or(0, |e| e.seq);
        let at = snap.elapsed;
        snap.detail = req.detail.and_then(|id| {
            let t = snap.threads.iter().find(|t| t.id == id)?;
            let latency = rec.detail(id, at).unwrap_or_default();
            Some(ThreadDetail {
                id,
                timeline: t.lane.clone(),
                ..latency
            })
        });
        snap
    }

    /// What the header shows.
    pub fn view(&self, rec: &Recording) -> ReplayView {
        ReplayView {
            at: self.at,
            duration: rec.duration(),
            speed: self.speed(),
            playing: self.playing,
            events: (self.events, rec.events_len()),
            dropped_events: rec.dropped_events(),
            latency_recorded: rec.has_details(),
        }
    }
}

/// A recording played back as a [`Source`].
pub struct Player {
    rec: Arc<Recording>,
    cursor: RefCell<Cursor>,
    /// When the cursor last moved with the clock.
    last: RefCell<Instant>,
}

impl Player {
    /// A player at the start of `rec`, playing at 1×.
    pub fn new(rec: Arc<Recording>) -> Player {
        Player {
            rec,
            cursor: RefCell::new(Cursor::default()),
            last: RefCell::new(Instant::now()),
        }
    }

    /// The cursor now (after moving it with the clock).
    pub fn cursor(&self) -> Cursor {
        self.tick();
        *self.cursor.borrow()
    }

    /// Moves the cursor by the wall time since the last call.
    fn tick(&self) {
        let now = Instant::now();
        let wall = now.saturating_duration_since(*self.last.borrow());
        *self.last.borrow_mut() = now;
        self.cursor.borrow_mut().advance(&self.rec, wall);
    }
}

impl Source for Player {
    fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot {
        self.tick();
        self.cursor.borrow().snapshot(&self.rec, req)
    }

    /// A recording cannot be steered: commands are ignored.
    fn send(&self, _: Command) {}

    fn wait(&self, _: Duration) -> bool {
        true
    }

    fn source_view(&self) -> SourceView {
        SourceView::Replay(self.cursor.borrow().view(&self.rec))
    }

    fn replay(&mut self, a: ReplayAction) {
        self.tick();
        self.cursor.get_mut().apply(&self.rec, a);
    }
}

/// `queuescope replay FILE --json`: prints the summary the original
/// `run --json` printed, byte for byte. A bad file is bad input.
pub fn print_json(path: &Path) -> crate::error::Result {
    let rec = load(path)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed stdout is not an error.
    let _ = crate::record::pretty::write(rec.summary_json(), &mut out)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    Ok(crate::error::Exit::Ok)
}

/// Loads the recording at `path`; a bad file is bad input (one line), and
/// a wait for it that a signal ended is a runtime failure.
pub fn load(path: &Path) -> crate::error::Result<Recording> {
    crate::record::load(path).map_err(|e| {
        if e.is_usage() {
            crate::error::Error::usage(e)
        } else {
            crate::error::Error::failure(e)
        }
    })
}

/// Refuses the live replay when stdout is not a terminal, pointing to the
/// form that prints.
pub fn need_terminal(path: &Path) -> crate::error::Result<()> {
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Ok(());
    }
    Err(crate::error::Error::usage(format!(
        "stdout is not a terminal, so the replay cannot be shown; for the recorded run's \
         report use: queuescope replay --json {}",
        path.display()
    )))
}

#[cfg(test)]
mod tests;
