//! The traced program's own output (`queuescope trace`): its newest
//! lines, stderr in the warning colour. It shares the event log's place,
//! beside it on a wide screen and under it on a narrow one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::draw;
use super::theme::Theme;
use crate::sim::Snapshot;

/// Narrowest screen on which the panel goes beside the event log.
const SIDE_BY_SIDE: u16 = 100;

/// Splits the event log's area into (events, output); the output part is
/// empty for a simulation, or when there is no room.
pub fn split(area: Rect, snap: &Snapshot) -> (Rect, Rect) {
    if snap.output.is_none() || area.height < 3 {
        return (area, Rect::default());
    }
    if area.width >= SIDE_BY_SIDE {
        let w = area.width * 9 / 20;
        let events = Rect {
            width: area.width - w,
            ..area
        };
        let output = Rect {
            x: area.x + area.width - w,
            width: w,
            ..area
        };
        (events, output)
    } else if area.height >= 6 {
        let h = area.height / 2;
        let events = Rect {
            height: area.height - h,
            ..area
        };
        let output = Rect {
            y: area.y + area.height - h,
            height: h,
            ..area
        };
        (events, output)
    } else {
        (area, Rect::default())
    }
}

/// Draws the panel (nothing for an empty area or a simulation).
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let Some(out) = &snap.output else { return };
    if area.is_empty() {
        return;
    }
    let title = format!(" Program output ({} lines) ", out.total);
    let inner = draw::panel(buf, area, &Line::from(title), None, theme);
    if out.lines.is_empty() {
        let note = "nothing printed yet";
        draw::put(buf, inner.x, inner.y, note, inner.width as usize, theme.dim);
        return;
    }
    let rows = inner.height as usize;
    let skip = out.lines.len().saturating_sub(rows);
    for (k, line) in out.lines.iter().skip(skip).enumerate() {
        let style = if line.err { theme.warn } else { theme.text };
        let y = inner.y + k as u16;
        draw::put(
            buf,
            inner.x,
            y,
            &theme.text_of(&line.text),
            inner.width as usize,
            style,
        );
    }
}
