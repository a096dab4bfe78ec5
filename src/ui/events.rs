//! The event log: the engine's lifecycle events narrated in the seed
//! programs' words (`Producer-1 blocked: queue full 32/32`,
//! `main sent pill 3/4`), newest at the bottom.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

use super::draw;
use super::theme::Theme;
use crate::sim::{Event, EventKind, ExitReason, Snapshot};

/// The style an event is narrated in.
pub fn event_style(e: &Event, theme: &Theme) -> Style {
    match &e.kind {
        EventKind::BlockedFull { .. } => theme.bad,
        EventKind::WaitingEmpty => theme.warn,
        EventKind::Unblocked { .. } | EventKind::Started => theme.dim,
        EventKind::PillSent { .. } | EventKind::PillReceived => theme.pill,
        EventKind::Exited(ExitReason::Crashed) | EventKind::Crashed { .. } => theme.bad,
        EventKind::Exited(_) => theme.text,
        EventKind::StepPut { .. } | EventKind::StepGet { .. } => theme.title,
        EventKind::ConfigChanged(_) => theme.note,
        EventKind::Run(_) => theme.title,
    }
}

/// Draws the log; returns how many event lines fit.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) -> usize {
    render_with(buf, area, snap, theme, false)
}

/// Draws the log, in bold when `prominent` (presentation mode, where the
/// narration is what the class reads); returns how many event lines fit.
pub fn render_with(
    buf: &mut Buffer,
    area: Rect,
    snap: &Snapshot,
    theme: &Theme,
    prominent: bool,
) -> usize {
    let title = if prominent {
        format!(" What just happened ({} events) ", snap.events_total)
    } else {
        format!(" Events ({} in all) ", snap.events_total)
    };
    let inner = draw::panel(buf, area, &Line::from(title), None, theme);
    let rows = inner.height as usize;
    let skip = snap.events.len().saturating_sub(rows);
    for (k, e) in snap.events.iter().skip(skip).enumerate() {
        let y = inner.y + k as u16;
        let stamp = if prominent {
            format!("{:>6.1}s  ", e.at.as_secs_f64())
        } else {
            format!("{:>8.2}s ", e.at.as_secs_f64())
        };
        let x = draw::put(buf, inner.x, y, &stamp, inner.width as usize, theme.dim);
        let text = e.to_string();
        let room = inner.right().saturating_sub(x) as usize;
        let mut style = event_style(e, theme);
        if prominent {
            style = style.add_modifier(ratatui::style::Modifier::BOLD);
        }
        draw::put(buf, x, y, &theme.text_of(&text), room, style);
    }
    rows
}
