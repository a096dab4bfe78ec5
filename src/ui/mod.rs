//! Drawing: one [`Snapshot`] plus the [`ViewState`] in, one frame out.
//!
//! [`render`] lays the screen out and hands each region to its panel's
//! module (one file per panel). Nothing here talks to the engine or the
//! terminal, so every screen can be rendered into a `TestBackend` and
//! compared, and the cost of a frame can be benchmarked.

pub mod details;
pub mod done;
pub mod draw;
pub mod events;
pub mod fmt;
pub mod footer;
pub mod header;
pub mod help;
pub mod queue;
pub mod stats;
pub mod theme;
pub mod threads;
pub mod too_small;
pub mod tune;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};

use crate::app::{Geometry, Overlay, ViewState, visible_threads};
use crate::sim::Snapshot;
pub use theme::{Theme, ThemeKind};

/// Smallest terminal the full screen is drawn in; below it a plain message
/// asks for a bigger window instead of drawing a broken layout.
pub const MIN_WIDTH: u16 = 60;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 16;

/// Where each panel goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    /// One line at the top.
    pub header: Rect,
    /// Depth gauge, strip, chart, rates.
    pub queue: Rect,
    /// Throughput, latency, Little's law (empty when too narrow).
    pub stats: Rect,
    /// The thread rows.
    pub threads: Rect,
    /// Narrated events.
    pub events: Rect,
    /// One line of keys at the bottom.
    pub footer: Rect,
}

/// Splits the screen. Panels stack: queue and stats on top, threads, then
/// the event log. `thread_rows` is how many thread rows there are to show:
/// a short list leaves its spare height to the event log instead of blank
/// rows. When the threads need more height than that leaves and the screen
/// is wide (≥ 150 columns), stats and events move to a right-hand column so
/// the threads panel gets the full height.
pub fn layout(area: Rect, thread_rows: usize) -> Areas {
    // Border, column header, rows.
    let threads_want = u16::try_from(thread_rows)
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    let header = Rect { height: 1, ..area };
    let footer = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1,
        ..area
    };
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(2),
        ..area
    };
    let h = body.height;
    let q = (h * 9 / 25).clamp(8, 14).min(h);
    let ev_min = (h / 5).clamp(3, 10);
    let room = h.saturating_sub(q + ev_min);
    if area.width >= 150 && h >= 30 && threads_want > room {
        let right_w = (area.width * 8 / 25).clamp(52, 72);
        let left_w = area.width - right_w;
        let queue = Rect::new(body.x, body.y, left_w, q);
        let threads = Rect::new(body.x, body.y + q, left_w, h - q);
        let stats = Rect::new(body.x + left_w, body.y, right_w, q);
        let events = Rect::new(body.x + left_w, body.y + q, right_w, h - q);
        return Areas {
            header,
            queue,
            stats,
            threads,
            events,
            footer,
        };
    }
    let stats_w = if area.width >= 76 {
        (area.width * 2 / 5).clamp(34, 52)
    } else {
        0
    };
    let threads_h = room.min(threads_want.max(6));
    let ev = h.saturating_sub(q + threads_h);
    Areas {
        header,
        queue: Rect::new(body.x, body.y, body.width - stats_w, q),
        stats: Rect::new(body.x + body.width - stats_w, body.y, stats_w, q),
        threads: Rect::new(body.x, body.y + q, body.width, threads_h),
        events: Rect::new(body.x, body.y + q + threads_h, body.width, ev),
        footer,
    }
}

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
        let rows = visible_threads(snap, view);
        let a = layout(area, rows.len());
        header::render(buf, a.header, snap, &view.source, theme);
        queue::render(buf, a.queue, snap, theme);
        if a.stats.width > 0 {
            stats::render(buf, a.stats, snap, theme);
        }
        geometry.threads_body = threads::render(buf, a.threads, snap, &rows, view, theme);
        geometry.event_rows = events::render(buf, a.events, snap, theme);
        footer::render(buf, a.footer, snap, view, theme);
        match view.overlay {
            Overlay::Help => help::render(
                buf,
                area,
                theme,
                matches!(view.source, crate::app::SourceView::Replay(_)),
            ),
            Overlay::Details => details::render(buf, area, snap, view, theme),
            Overlay::Tune => {
                if let Some(tv) = &view.tune {
                    tune::render(buf, area, snap, tv, theme);
                }
            }
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

/// A bordered panel with a title, in the theme's border glyphs.
pub(crate) fn panel<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_set(theme.glyphs.border)
        .border_style(theme.border)
        .title_style(theme.title)
        .title(title)
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
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
                _ => '?',
            };
            cell.set_char(repl);
        }
    }
}
