//! Shown instead of the screen when the terminal is below the minimum size:
//! a plain message beats a layout with panels cut in half.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::layout::{MIN_HEIGHT, MIN_WIDTH};
use super::theme::Theme;

/// Draws the too-small message.
pub fn render(buf: &mut Buffer, area: Rect, theme: &Theme) {
    let lines = vec![
        Line::styled("Terminal too small", theme.title),
        Line::styled(format!("{}x{}", area.width, area.height), theme.bad),
        Line::styled(
            format!("queuescope needs at least {MIN_WIDTH}x{MIN_HEIGHT}."),
            theme.text,
        ),
        Line::styled("Enlarge the window, or press q to quit.", theme.dim),
    ];
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let rect = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    Paragraph::new(lines)
        .centered()
        .wrap(Wrap { trim: true })
        .render(rect, buf);
}
