//! The colours a picture of the screen is painted in: the terminal colours
//! the [`Theme`](crate::ui::Theme) names (ratatui's `Color`), as RGB. A
//! terminal chooses its own shades for the sixteen named colours; a picture
//! has to pick some, and these are a common dark palette (VS Code's
//! terminal), so an SVG looks like the screen it was taken from.

use ratatui::style::Color;

/// The canvas: a terminal's default background.
pub const BACKGROUND: Rgb = Rgb(0x1e, 0x1e, 0x1e);
/// A terminal's default foreground, for text with no colour of its own.
pub const FOREGROUND: Rgb = Rgb(0xcc, 0xcc, 0xcc);

/// A colour as red, green and blue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, for SVG.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The sixteen ANSI colours, in index order (0 black .. 15 bright white).
const ANSI: [Rgb; 16] = [
    Rgb(0x00, 0x00, 0x00),
    Rgb(0xcd, 0x31, 0x31),
    Rgb(0x0d, 0xbc, 0x79),
    Rgb(0xe5, 0xe5, 0x10),
    Rgb(0x24, 0x72, 0xc8),
    Rgb(0xbc, 0x3f, 0xbc),
    Rgb(0x11, 0xa8, 0xcd),
    Rgb(0xe5, 0xe5, 0xe5),
    Rgb(0x66, 0x66, 0x66),
    Rgb(0xf1, 0x4c, 0x4c),
    Rgb(0x23, 0xd1, 0x8b),
    Rgb(0xf5, 0xf5, 0x43),
    Rgb(0x3b, 0x8e, 0xea),
    Rgb(0xd6, 0x70, 0xd6),
    Rgb(0x29, 0xb8, 0xdb),
    Rgb(0xff, 0xff, 0xff),
];

/// `c` as RGB; `None` for `Reset` (the terminal's default, which depends
/// on whether it is a foreground or a background).
pub fn rgb(c: Color) -> Option<Rgb> {
    let ansi = |i: usize| Some(ANSI[i]);
    match c {
        Color::Reset => None,
        Color::Black => ansi(0),
        Color::Red => ansi(1),
        Color::Green => ansi(2),
        Color::Yellow => ansi(3),
        Color::Blue => ansi(4),
        Color::Magenta => ansi(5),
        Color::Cyan => ansi(6),
        Color::Gray => ansi(7),
        Color::DarkGray => ansi(8),
        Color::LightRed => ansi(9),
        Color::LightGreen => ansi(10),
        Color::LightYellow => ansi(11),
        Color::LightBlue => ansi(12),
        Color::LightMagenta => ansi(13),
        Color::LightCyan => ansi(14),
        Color::White => ansi(15),
        Color::Rgb(r, g, b) => Some(Rgb(r, g, b)),
        Color::Indexed(i) => Some(indexed(i)),
    }
}

/// The xterm 256-colour table: 16 named colours, a 6×6×6 cube, 24 greys.
fn indexed(i: u8) -> Rgb {
    match i {
        0..=15 => ANSI[usize::from(i)],
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let n = i - 16;
            Rgb(level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            Rgb(v, v, v)
        }
    }
}

/// A foreground colour (`Reset` is the default text colour).
pub fn fg(c: Color) -> Rgb {
    rgb(c).unwrap_or(FOREGROUND)
}

/// A background colour (`Reset` is the canvas).
pub fn bg(c: Color) -> Rgb {
    rgb(c).unwrap_or(BACKGROUND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_indexed_and_rgb_colours() {
        assert_eq!(rgb(Color::Reset), None);
        assert_eq!(fg(Color::Reset), FOREGROUND);
        assert_eq!(bg(Color::Reset), BACKGROUND);
        assert_eq!(fg(Color::Red).hex(), "#cd3131");
        assert_eq!(fg(Color::Indexed(1)), fg(Color::Red));
        // The header bar's grey, and the corners of the cube.
        assert_eq!(fg(Color::Indexed(236)), Rgb(48, 48, 48));
        assert_eq!(fg(Color::Indexed(16)), Rgb(0, 0, 0));
        assert_eq!(fg(Color::Indexed(231)), Rgb(255, 255, 255));
        assert_eq!(fg(Color::Indexed(255)), Rgb(238, 238, 238));
        assert_eq!(fg(Color::Rgb(1, 2, 3)).hex(), "#010203");
    }
}
