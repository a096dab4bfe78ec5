//! The whole frame: the standard screen or the presentation screen, the
//! open overlay over it, and the `--ascii` safety net, all from one
//! [`Snapshot`] and the [`ViewState`].

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::layout::{LayoutNeeds, MIN_HEIGHT, MIN_WIDTH, layout_for};
use super::theme::Theme;
use super::{
    child_output, details, done, events, footer, header, help, present, queue, stats, theory,
    threads, too_small, tune, warnings,
};
use crate::analysis::lint::{Lint, lints};
use crate::app::{Geometry, Overlay, ViewState};
use crate::sim::Snapshot;

/// Draws the whole screen and reports where the thread rows and event
/// lines landed (for mouse hit-testing and paging).
pub fn render(frame: &mut Frame, snap: &Snapshot, view: &ViewState, theme: &Theme) -> Geometry {
    let area = frame.area();
    render_buffer(frame.buffer_mut(), area, snap, view, theme)
}

/// [`render`] into a buffer (what the frame wraps); used directly by tests.
pub fn render_buffer(
    buf: &mut Buffer,
    area: Rect,
    snap: &Snapshot,
    view: &ViewState,
    theme: &Theme,
) -> Geometry {
    let mut geometry = Geometry::default();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small::render(buf, area, theme);
    } else {
        let found = lints(snap);
        let rows = view.visible_threads(snap);
        if view.present {
            geometry = present::render(buf, area, snap, view, &rows, &found, theme);
        } else {
            geometry = main_screen(buf, area, snap, view, &rows, &found, theme);
        }
        match &view.overlay {
            Overlay::Help => help::render(
                buf,
                area,
                theme,
                matches!(view.source, crate::source::SourceView::Replay(_)),
            ),
            Overlay::Details => details::render(buf, area, snap, view, theme),
            Overlay::Tune(session) => tune::render(buf, area, snap, &session.view, theme),
            Overlay::None => {
                if snap.phase.is_over() && !view.banner_dismissed {
                    done::render(buf, area, snap, theme);
                }
            }
        }
    }
    if theme.ascii {
        asciify(buf, area);
    }
    geometry
}

/// The standard screen: every panel.
fn main_screen(
    buf: &mut Buffer,
    area: Rect,
    snap: &Snapshot,
    view: &ViewState,
    rows: &[usize],
    found: &[Lint],
    theme: &Theme,
) -> Geometry {
    let warn_max = (area.height.saturating_sub(2) / 4).max(3);
    let a = layout_for(
        area,
        LayoutNeeds {
            thread_rows: rows.len(),
            warnings: warnings::height(found, area.width, warn_max, theme),
            theory: view.theory,
        },
    );
    let opts = header::HeaderOpts {
        hang: warnings::any_hang(found),
        lesson: true,
        source: Some(&view.source),
    };
    header::render(buf, a.header, snap, opts, theme);
    warnings::render(buf, a.warnings, found, theme);
    if a.queue.width > 0 {
        queue::render(buf, a.queue, snap, theme);
    }
    if a.stats.width > 0 {
        stats::render(buf, a.stats, snap, theme);
    }
    if a.theory.width > 0 {
        theory::render(buf, a.theory, snap, theme);
    }
    // A traced program's output shares the event log's place.
    let (events_area, output_area) = child_output::split(a.events, snap);
    child_output::render(buf, output_area, snap, theme);
    let geometry = Geometry {
        threads_body: threads::render(
            buf,
            a.threads,
            snap,
            rows,
            &view.threads,
            view.present,
            theme,
        ),
        event_rows: events::render_with(
            buf,
            events_area,
            snap,
            theme,
            events::LogOpts {
                prominent: false,
                hide_chatter: view.hide_chatter,
                notes: view.lint_notes.notes(),
            },
        ),
    };
    footer::render(buf, a.footer, snap, view, theme);
    geometry
}

/// Safety net for `--ascii`: panels choose ASCII glyphs themselves, but any
/// character that still slipped through (from a widget or from user text
/// such as a scenario name) is replaced here so the promise holds for every
/// cell.
fn asciify(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if cell.symbol().is_ascii() {
                continue;
            }
            let c = cell.symbol().chars().next().unwrap_or(' ');
            let repl = match c {
                '─' | '━' | '╌' | '┄' | '═' => '-',
                '│' | '┃' | '║' | '▏' | '▕' => '|',
                '┌' | '┐' | '└' | '┘' | '╭' | '╮' | '╰' | '╯' | '├' | '┤' | '┬' | '┴' | '┼' => {
                    '+'
                }
                '█' | '▉' | '▊' | '▋' | '▌' | '▍' | '▎' | '▓' | '▒' => '#',
                '░' | '·' | '•' | '…' => '.',
                '→' | '▶' | '▸' => '>',
                '←' | '◀' | '◂' => '<',
                'µ' | 'μ' => 'u',
                _ => '?',
            };
            cell.set_char(repl);
        }
    }
}
