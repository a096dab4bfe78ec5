//! Everything a replay does with a recording, in one call, for the
//! hostile-input tests and the fuzz target: a file that loads must then
//! survive being played, stepped, sought, shown on screen (the main view
//! and every thread's details) and printed as JSON, without a panic.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::{Overlay, ViewState};
use crate::record::Recording;
use crate::replay::{Cursor, ReplayAction};
use crate::sim::SnapshotRequest;
use crate::source::SourceView;
use crate::ui::{self, Theme};

/// Plays `rec` through: every step key, a few positions, each drawn at
/// 80×24 (with the details of each thread the frame lists, up to 8), and
/// its summary pretty-printed. Panics only where the replay would.
pub fn replay_everything(rec: &Arc<Recording>) {
    let mut c = Cursor::default();
    let actions = [
        ReplayAction::StepEvent,
        ReplayAction::StepEvent,
        ReplayAction::Forward,
        ReplayAction::Jump(5),
        ReplayAction::Faster,
        ReplayAction::Jump(9),
        ReplayAction::Back,
        ReplayAction::TogglePlay,
        ReplayAction::TogglePlay,
    ];
    let mut terminal = match Terminal::new(TestBackend::new(80, 24)) {
        Ok(t) => t,
        Err(_) => return,
    };
    let theme = Theme::default();
    for a in actions {
        c.apply(rec, a);
        c.advance(rec, std::time::Duration::from_millis(700));
        draw(rec, &c, &mut terminal, &theme);
    }
    let _ = crate::record::pretty::write(rec.summary_json(), &mut std::io::sink());
    let _ = rec.summary();
}

/// Draws the frame at `c`, then each listed thread's details.
fn draw(rec: &Recording, c: &Cursor, terminal: &mut Terminal<TestBackend>, theme: &Theme) {
    let mut view = ViewState::new();
    view.source = SourceView::Replay(c.view(rec));
    let snap = c.snapshot(rec, view.snapshot_request());
    let ids: Vec<usize> = snap.threads.iter().map(|t| t.id).take(8).collect();
    render(terminal, &snap, &mut view, theme);
    for id in ids {
        view.threads.selected = Some(id);
        view.overlay = Overlay::Details;
        let req = SnapshotRequest {
            detail: Some(id),
            events: 0,
        };
        let snap = c.snapshot(rec, req);
        render(terminal, &snap, &mut view, theme);
    }
}

fn render(
    terminal: &mut Terminal<TestBackend>,
    snap: &crate::sim::Snapshot,
    view: &mut ViewState,
    theme: &Theme,
) {
    view.sync(snap);
    let mut geometry = view.geometry;
    let _ = terminal.draw(|f| geometry = ui::render(f, snap, view, theme));
    view.geometry = geometry;
}
