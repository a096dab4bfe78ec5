//! A frame as plain text: one line per row, what the terminal shows with
//! the colours taken away, trailing blanks trimmed. For handouts that are
//! pasted into a document, and for `diff`.

use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

/// The frame in `buf`, one line per row, each ending in a newline.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::with_capacity(usize::from(area.width + 1) * usize::from(area.height));
    for y in area.top()..area.bottom() {
        let mut line = String::with_capacity(usize::from(area.width));
        let mut x = area.left();
        while x < area.right() {
            let cell = &buf[(x, y)];
            let symbol = cell.symbol();
            line.push_str(symbol);
            // A wide character covers the cells after it: skip them.
            x += symbol.width().max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn rows_are_lines_without_trailing_blanks() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 3));
        buf.set_string(0, 0, "ab  c", Style::new());
        buf.set_string(1, 2, "世x", Style::new());
        assert_eq!(text(&buf), "ab  c\n\n 世x\n");
    }
}
