//! Where each panel goes on the standard screen, for a given terminal
//! size and what there is to show.

use ratatui::layout::Rect;

use super::theory;

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

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
