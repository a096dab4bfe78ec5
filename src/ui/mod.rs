//! Drawing: one [`Snapshot`] plus the [`ViewState`] in, one frame out.
//!
//! [`render`] lays the screen out and hands each region to its panel's
//! module (one file per panel). Nothing here talks to the engine or the
//! terminal, so every screen can be rendered into a `TestBackend` and
//! compared, and the cost of a frame can be benchmarked. The lints are
//! computed once per frame (they decide whether the warnings panel takes
//! rows); the theory only while its panel is open.

pub mod bigtext;
pub mod child_output;
pub mod details;
pub mod done;
pub mod draw;
pub mod events;
pub mod fmt;
pub mod footer;
pub mod header;
pub mod help;
pub mod present;
pub mod queue;
pub mod stats;
pub mod theme;
pub mod theory;
pub mod threads;
pub mod too_small;
pub mod tune;
pub mod warnings;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders};

use crate::analysis::lint::{Lint, lints};
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
    /// The warnings panel under the header (empty when there are none).
    pub warnings: Rect,
    /// Depth gauge, strip, chart, rates (empty while a narrow screen
    /// shows the theory panel in its place).
    pub queue: Rect,
    /// Throughput, latency, Little's law (empty when too narrow, or while
    /// the theory panel takes its place).
    pub stats: Rect,
    /// The theory panel (empty unless it is open).
    pub theory: Rect,
    /// The thread rows.
    pub threads: Rect,
    /// Narrated events.
    pub events: Rect,
    /// One line of keys at the bottom.
    pub footer: Rect,
}

/// What the layout has to make room for besides the fixed panels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LayoutNeeds {
    /// Thread rows there are to show.
    pub thread_rows: usize,
    /// Rows the warnings panel wants (0: none, and no space taken).
    pub warnings: u16,
    /// The theory panel is open.
    pub theory: bool,
}

/// Splits the screen for `thread_rows` threads, no warnings, no theory;
/// see [`layout_for`].
pub fn layout(area: Rect, thread_rows: usize) -> Areas {
    layout_for(
        area,
        LayoutNeeds {
            thread_rows,
            ..LayoutNeeds::default()
        },
    )
}

/// Splits the screen. Warnings, when there are any, go right under the
/// header where they cannot be missed. Panels stack: queue and stats on
/// top, threads, then the event log. A short thread list leaves its spare
/// height to the event log instead of blank rows. When the threads need
/// more height than that leaves and the screen is wide (≥ 150 columns),
/// stats and events move to a right-hand column so the threads panel gets
/// the full height. The theory panel takes the stats panel's place (the
/// queue's on a screen too narrow for stats), and the top row grows to fit it.
pub fn layout_for(area: Rect, needs: LayoutNeeds) -> Areas {
    // Border, column header, rows.
    let threads_want = u16::try_from(needs.thread_rows)
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    let header = Rect { height: 1, ..area };
    let footer = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1,
        ..area
    };
    let inner_h = area.height.saturating_sub(2);
    let warn_h = needs.warnings.min(inner_h / 3);
    let warnings = Rect::new(area.x, area.y + 1, area.width, warn_h);
    let body = Rect {
        y: area.y + 1 + warn_h,
        height: inner_h - warn_h,
        ..area
    };
    let h = body.height;
    let mut q = (h * 9 / 25).clamp(8, 14).min(h);
    if needs.theory {
        q = q.max(theory::HEIGHT.min(h * 3 / 5));
    }
    let ev_min = (h / 5).clamp(3, 10);
    let room = h.saturating_sub(q + ev_min);
    if area.width >= 150 && h >= 30 && threads_want > room {
        let right_w = (area.width * 8 / 25).clamp(52, 72);
        let left_w = area.width - right_w;
        let queue = Rect::new(body.x, body.y, left_w, q);
        let threads = Rect::new(body.x, body.y + q, left_w, h - q);
        let stats = Rect::new(body.x + left_w, body.y, right_w, q);
        let events = Rect::new(body.x + left_w, body.y + q, right_w, h - q);
        let (stats, theory) = if needs.theory {
            (Rect::default(), stats)
        } else {
            (stats, Rect::default())
        };
        return Areas {
            header,
            warnings,
            queue,
            stats,
            theory,
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
    let mut queue = Rect::new(body.x, body.y, body.width - stats_w, q);
    let mut stats = Rect::new(body.x + body.width - stats_w, body.y, stats_w, q);
    let mut theory = Rect::default();
    if needs.theory {
        if stats_w > 0 {
            theory = std::mem::take(&mut stats);
        } else {
            theory = std::mem::take(&mut queue);
        }
    }
    Areas {
        header,
        warnings,
        queue,
        stats,
        theory,
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
        let found = lints(snap);
        let rows = visible_threads(snap, view);
        if view.present {
            geometry = present::render(buf, area, snap, view, &rows, &found, theme);
        } else {
            geometry = main_screen(buf, area, snap, view, &rows, &found, theme);
        }
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
            warnings: warnings::height(found, area.width, warn_max),
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
        threads_body: threads::render(buf, a.threads, snap, rows, view, theme),
        event_rows: events::render(buf, events_area, snap, theme),
    };
    footer::render(buf, a.footer, snap, view, theme);
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
