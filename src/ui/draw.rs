//! Text output for the per-frame panels. ratatui's `set_stringn` splits
//! every string into grapheme clusters and looks up each one's width; for
//! the ASCII that makes up nearly all of this UI's text, a byte is a cell,
//! and writing cells directly costs a fraction of that. Anything not ASCII
//! still goes through ratatui.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::theme::Theme;

/// A bordered panel with a title, in the theme's border glyphs, as a
/// ratatui [`Block`] for widgets and overlays that draw inside one.
pub fn block<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_set(theme.glyphs.border)
        .border_style(theme.border)
        .title_style(theme.title)
        .title(title)
}

#[cfg(any(test, feature = "testing"))]
thread_local! {
    /// Text cut short while drawing on this thread (see [`take_cuts`]).
    static CUTS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Notes that `text` was drawn cut short. Screen tests read the notes with
/// [`take_cuts`]; in a build without them this does nothing.
#[inline]
pub fn note_cut(text: &str) {
    #[cfg(any(test, feature = "testing"))]
    CUTS.with(|c| c.borrow_mut().push(text.to_string()));
    #[cfg(not(any(test, feature = "testing")))]
    let _ = text;
}

/// Every text cut short on this thread since the last call (for tests:
/// a screen that fits draws no value or label cut).
#[cfg(any(test, feature = "testing"))]
pub fn take_cuts() -> Vec<String> {
    CUTS.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

/// Writes `s` at (`x`, `y`) in at most `max` cells (and never past the
/// buffer's right edge); returns the column after the last cell written.
/// Text cut off (more than blanks) is noted (see [`note_cut`]).
pub fn put(buf: &mut Buffer, x: u16, y: u16, s: &str, max: usize, style: Style) -> u16 {
    let area = buf.area;
    if y < area.top() || y >= area.bottom() || x < area.left() || x >= area.right() {
        if !s.trim().is_empty() {
            note_cut(s);
        }
        return x;
    }
    if !s.is_ascii() {
        let room = max.min(usize::from(area.right() - x));
        let end = buf.set_stringn(x, y, s, max, style).0;
        if Span::raw(s).width() > room && !s.trim_end().is_empty() {
            let shown = usize::from(end - x);
            let rest: String = s.chars().skip(shown).collect();
            if !rest.trim().is_empty() {
                note_cut(s);
            }
        }
        return end;
    }
    let n = s.len().min(max).min(usize::from(area.right() - x));
    if n < s.len() && !s[n..].trim().is_empty() {
        note_cut(s);
    }
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

/// A bordered panel with titles on its top and bottom edges, as
/// [`block`] draws it, without first restyling every cell
/// of the area (a Block's fill is a tenth of a frame's cost, and these
/// panels are repainted on every frame). Returns the inner area.
pub fn panel(
    buf: &mut Buffer,
    area: Rect,
    title: &Line<'_>,
    bottom: Option<&Line<'_>>,
    theme: &Theme,
) -> Rect {
    let area = area.intersection(buf.area);
    if area.width < 2 || area.height < 2 {
        return Rect::default();
    }
    let b = &theme.glyphs.border;
    let (l, r, t, btm) = (area.left(), area.right() - 1, area.top(), area.bottom() - 1);
    for x in l + 1..r {
        buf[(x, t)]
            .set_symbol(b.horizontal_top)
            .set_style(theme.border);
        buf[(x, btm)]
            .set_symbol(b.horizontal_bottom)
            .set_style(theme.border);
    }
    for y in t + 1..btm {
        buf[(l, y)]
            .set_symbol(b.vertical_left)
            .set_style(theme.border);
        buf[(r, y)]
            .set_symbol(b.vertical_right)
            .set_style(theme.border);
    }
    for (x, y, s) in [
        (l, t, b.top_left),
        (r, t, b.top_right),
        (l, btm, b.bottom_left),
        (r, btm, b.bottom_right),
    ] {
        buf[(x, y)].set_symbol(s).set_style(theme.border);
    }
    for (line, y) in [(Some(title), t), (bottom, btm)] {
        let Some(line) = line else { continue };
        let row = Rect::new(l + 1, y, area.width - 2, 1);
        let w = (line.width() as u16).min(row.width);
        buf.set_style(Rect { width: w, ..row }, theme.title);
        spans(buf, row, &line.spans);
    }
    Rect::new(l + 1, t + 1, area.width - 2, area.height - 2)
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

    #[test]
    fn panel_matches_the_block_it_replaces() {
        use ratatui::widgets::Widget;
        let theme = Theme::default();
        let area = Rect::new(1, 1, 30, 6);
        let title = Line::from(" Queue 32 ");
        let bottom = Line::from(vec![Span::raw(" "), Span::styled("x", theme.bad)]);
        let mut a = Buffer::empty(Rect::new(0, 0, 32, 8));
        let mut b = a.clone();
        let inner = panel(&mut a, area, &title, Some(&bottom), &theme);
        let block = block(title.clone(), &theme).title_bottom(bottom.clone());
        assert_eq!(inner, block.inner(area));
        block.render(area, &mut b);
        assert_eq!(a, b);
    }
}
