//! The bottom line: the keys that matter right now (or the filter being
//! typed), after a passing notice such as where `x` saved a picture. Every
//! key is in the `?` help; this line only shows the few that make sense in
//! the current phase.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::draw;
use super::theme::Theme;
use crate::app::{Overlay, ViewState};
use crate::sim::{Phase, Snapshot};
use crate::source::SourceView;

/// `(key, what it does)` pairs for the current situation.
pub fn keys_now(
    snap: &Snapshot,
    view: &ViewState,
    theme: &Theme,
) -> Vec<(&'static str, &'static str)> {
    let g = &theme.glyphs;
    if view.threads.filter_editing {
        return vec![
            (g.enter, "keep filter"),
            ("esc", "clear"),
            (g.updown, "select"),
        ];
    }
    match &view.overlay {
        Overlay::Help => return vec![("?/esc", "close help"), ("q", "quit")],
        Overlay::Details => {
            return vec![("esc", "close"), ("j/k", "other thread"), ("q", "quit")];
        }
        // The view draws its own keys.
        Overlay::Tune(_) => return vec![("esc", "close tune"), ("q", "quit")],
        Overlay::None => {}
    }
    if let SourceView::Replay(_) = view.source {
        return vec![
            ("q", "quit"),
            ("space", "play/pause"),
            ("n", "next event"),
            ("←/→", "seek 1s"),
            ("0-9", "jump"),
            ("-/+", "speed"),
            ("r", "from start"),
            (g.enter, "details"),
            ("?", "help"),
        ];
    }
    // A traced program (it has output) cannot be steered: only the
    // viewer's keys, and `q` ends the program too.
    if snap.output.is_some() && !snap.phase.is_over() {
        return vec![
            ("q", "quit (stops it)"),
            ("t", "theory"),
            ("j/k", "select"),
            (theme.glyphs.enter, "details"),
            ("o", "sort"),
            ("/", "filter"),
            ("?", "help"),
        ];
    }
    live_keys(snap.phase, theme)
}

/// The main screen's keys for a live run in `phase`.
fn live_keys(phase: Phase, theme: &Theme) -> Vec<(&'static str, &'static str)> {
    let g = &theme.glyphs;
    match phase {
        Phase::Done | Phase::Aborted => vec![
            ("r", "restart"),
            ("q", "quit"),
            ("t", "theory"),
            (g.enter, "details"),
            ("x", "picture"),
            ("?", "help"),
        ],
        Phase::ShuttingDown => vec![
            ("q", "quit"),
            ("space", "pause"),
            ("t", "theory"),
            ("j/k", "select"),
            (g.enter, "details"),
            ("r", "restart"),
            ("?", "help"),
        ],
        Phase::Paused => vec![
            ("q", "quit"),
            ("space", "resume"),
            ("n", "step"),
            ("s", "shutdown"),
            ("+/-", "consumers"),
            ("t", "theory"),
            ("]/[", "producers"),
            ("g", "GIL"),
            ("x", "picture"),
            ("?", "help"),
        ],
        Phase::Running => vec![
            ("q", "quit"),
            ("space", "pause"),
            ("s", "shutdown"),
            ("+/-", "consumers"),
            ("t", "theory"),
            ("]/[", "producers"),
            ("g", "GIL"),
            ("</>", "rate"),
            ("{/}", "work"),
            (g.enter, "details"),
            ("T", "tune"),
            ("o", "sort"),
            ("/", "filter"),
            ("?", "help"),
        ],
    }
}

/// Draws the footer.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, view: &ViewState, theme: &Theme) {
    let mut spans = Vec::new();
    if let Some(notice) = &view.notice {
        let style = if notice.error { theme.bad } else { theme.note };
        spans.push(Span::styled(
            format!(" {} ", theme.text_of(&notice.text)),
            style,
        ));
    }
    if view.threads.filter_editing {
        spans.push(Span::styled(" filter: ", theme.key));
        spans.push(Span::styled(
            format!("{}_ ", theme.text_of(&view.threads.filter)),
            theme.text,
        ));
    }
    let mut keys = keys_now(snap, view, theme);
    // Keys are listed most important first, `?` last: when the line is too
    // narrow, drop from the end but keep the way to the full help.
    let used: usize = spans.iter().map(Span::width).sum();
    let width = |keys: &[(&str, &str)]| -> usize {
        keys.iter()
            .map(|(k, w)| k.chars().count() + w.chars().count() + 3)
            .sum()
    };
    while keys.len() > 2 && used + width(&keys) > area.width as usize {
        keys.remove(keys.len() - 2);
    }
    for (k, what) in keys {
        spans.push(Span::styled(format!(" {k}"), theme.key));
        spans.push(Span::styled(format!(" {what} "), theme.dim));
    }
    draw::spans(buf, area, &spans);
}
