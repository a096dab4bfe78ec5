//! The view state the screen is drawn from: which overlay is open (each
//! owns its sub-view: the Tune view owns its sweep), which panels show,
//! the threads table's state, and where things landed in the last frame.

use ratatui::layout::Rect;

use super::threads::ThreadTable;
use crate::sim::{Snapshot, SnapshotRequest};
use crate::source::SourceView;
use crate::tune::TuneSession;

/// A window drawn over the main screen.
#[derive(Debug, Default)]
pub enum Overlay {
    /// Nothing over the main screen.
    #[default]
    None,
    /// The key reference (`?`).
    Help,
    /// Details of the selected thread (Enter).
    Details,
    /// The Tune view (`T`): a sweep of the consumer count, and its knee.
    Tune(TuneSession),
}

/// Where things landed on screen in the last frame. The renderer reports it
/// so mouse clicks can be mapped to rows and paging knows the page size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Geometry {
    /// The thread rows (without the column header).
    pub threads_body: Rect,
    /// Event log lines visible.
    pub event_rows: usize,
}

impl Geometry {
    /// Thread rows visible at once.
    pub fn threads_rows(&self) -> usize {
        self.threads_body.height as usize
    }
}

/// Everything the viewer chose: the threads table, which overlay is open,
/// which panels show.
#[derive(Debug, Default)]
pub struct ViewState {
    /// Selection, scroll, sort and filter of the threads table.
    pub threads: ThreadTable,
    /// The open overlay.
    pub overlay: Overlay,
    /// The done banner was put away with Esc (the header still says done).
    pub banner_dismissed: bool,
    /// The theory panel is shown (`t`): queueing theory beside the
    /// measurements, in place of the stats panel.
    pub theory: bool,
    /// Block and wait events are hidden from the event log (`b`).
    pub hide_chatter: bool,
    /// When each warning appeared, for the event log.
    pub lint_notes: super::notes::LintNotes,
    /// Presentation mode (`--present`): few large panels and the key
    /// numbers in block digits, for a projector. Set once at start.
    pub present: bool,
    /// Layout of the last frame.
    pub geometry: Geometry,
    /// Live, recording or replay (set by the event loop every frame).
    pub source: SourceView,
    /// A short message for the footer (where `x` saved a picture), until
    /// the event loop takes it away.
    pub notice: Option<Notice>,
}

/// A message the footer shows for a few seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// It reports a failure.
    pub error: bool,
}

impl ViewState {
    /// A fresh view.
    pub fn new() -> ViewState {
        ViewState::default()
    }

    /// What the next snapshot must include: the selected thread's details
    /// only while the details overlay is open (they cost the engine a copy
    /// of its histograms), and only as many events as the log shows.
    pub fn snapshot_request(&self) -> SnapshotRequest {
        SnapshotRequest {
            detail: match self.overlay {
                Overlay::Details => self.threads.selected,
                _ => None,
            },
            // Hidden chatter leaves gaps: ask for more to fill the log.
            events: (self.geometry.event_rows * if self.hide_chatter { 4 } else { 1 })
                .clamp(16, 200),
        }
    }

    /// Forget per-run state before a restart (overlays, which stops a Tune
    /// sweep, and the banner); keep the viewer's sort, filter, theory panel
    /// and presentation mode.
    pub fn reset_for_restart(&mut self) {
        self.overlay = Overlay::None;
        self.banner_dismissed = false;
        self.lint_notes = Default::default();
        self.threads.forget_position();
    }

    /// Reconcile with a new snapshot: note the warnings that appeared,
    /// select the first row when nothing is selected and keep the scroll
    /// offset inside the list.
    pub fn sync(&mut self, snap: &Snapshot) {
        self.lint_notes.observe(snap);
        let rows = self.visible_threads(snap);
        let page = self.page();
        self.threads.sync(snap, &rows, page);
    }

    /// Indices into `snap.threads` of the table's rows, filtered and
    /// sorted as the view says (live threads first in presentation mode).
    pub fn visible_threads(&self, snap: &Snapshot) -> Vec<usize> {
        self.threads.rows(snap, self.present)
    }

    /// The Tune view's session, while it is open.
    pub fn tune(&self) -> Option<&TuneSession> {
        match &self.overlay {
            Overlay::Tune(session) => Some(session),
            _ => None,
        }
    }

    /// Thread rows on screen (at least one, before the first frame).
    pub(super) fn page(&self) -> usize {
        self.geometry.threads_rows().max(1)
    }

    /// Move the selection by `delta` rows (clamped) and scroll it into view.
    pub(super) fn move_selection(&mut self, snap: &Snapshot, delta: isize) {
        let rows = self.visible_threads(snap);
        let page = self.page();
        self.threads.move_selection(snap, &rows, page, delta);
    }
}
