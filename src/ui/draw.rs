//! Text output for the per-frame panels. ratatui's `set_stringn` splits
//! every string into grapheme clusters and looks up each one's width; for
//! the ASCII that makes up nearly all of this UI's text, a byte is a cell,
//! and writing cells directly costs a fraction of that. Anything not ASCII
//! still goes through ratatui.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;

/// Writes `s` at (`x`, `y`) in at most `max` cells (and never past the
/// buffer's right edge); returns the column after the last cell written.
pub fn put(buf: &mut Buffer, x: u16, y: u16, s: &str, max: usize, style: Style) -> u16 {
    let area = buf.area;
    if y < area.top() || y >= area.bottom() || x < area.left() || x >= area.right() {
        return x;
    }
    if !s.is_ascii() {
        return buf.set_stringn(x, y, s, max, style).0;
    }
    let n = s.len().min(max).min(usize::from(area.right() - x));
    let start = buf.index_of(x, y);
    for (cell, b) in buf.content[start..start + n].iter_mut().zip(s.bytes()) {
        // Control characters would move the terminal's cursor.
        let ch = if b.is_ascii_control() {
            ' '
        } else {
            char::from(b)
        };
        cell.set_char(ch).set_style(style);
    }
    x + n as u16
}

/// Writes `spans` left to right on the first row of `area`, clipped to it;
/// returns the column after the last cell written.
pub fn spans(buf: &mut Buffer, area: Rect, spans: &[Span<'_>]) -> u16 {
    let mut x = area.x;
    let right = area.right();
    for s in spans {
        if x >= right {
            break;
        }
        x = put(buf, x, area.y, &s.content, usize::from(right - x), s.style);
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_unicode_land_the_same() {
        let area = Rect::new(2, 1, 10, 2);
        let mut a = Buffer::empty(area);
        let mut b = Buffer::empty(area);
        let style = Style::new().fg(ratatui::style::Color::Red);
        assert_eq!(put(&mut a, 3, 1, "hello world, long", 6, style), 9);
        b.set_stringn(3, 1, "hello world, long", 6, style);
        assert_eq!(a, b);
        // Clipped at the right edge, and out-of-area writes do nothing.
        assert_eq!(put(&mut a, 9, 2, "abcdef", 99, style), 12);
        assert_eq!(put(&mut a, 0, 0, "x", 9, style), 0);
        assert_eq!(put(&mut a, 3, 2, "→ok", 9, style), 6);
    }
}
