//! Big block digits for presentation mode: a 3×5-pixel font drawn at the
//! largest scale that fits, so the key numbers can be read from the back
//! of a room.
//!
//! A terminal cell is about twice as tall as it is wide, so a pixel is
//! square at 2 columns × 1 row. Three sizes: half-block cells (`▀▄█`, one
//! column and half a row per pixel: 3 rows tall), 2×1 full blocks (5 rows)
//! and 4×2 full blocks (10 rows). `--ascii` has no half blocks, so its
//! smallest size is `#` at 1×1.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// One glyph: its rows of pixels, `#` set, anything else clear. Every row
/// of a glyph has the same width.
type Glyph = [&'static str; 5];

/// The font: digits and the few signs the key numbers use.
fn glyph(c: char) -> Option<Glyph> {
    Some(match c {
        '0' => ["###", "# #", "# #", "# #", "###"],
        '1' => [" # ", "## ", " # ", " # ", "###"],
        '2' => ["###", "  #", "###", "#  ", "###"],
        '3' => ["###", "  #", "###", "  #", "###"],
        '4' => ["# #", "# #", "###", "  #", "  #"],
        '5' => ["###", "#  ", "###", "  #", "###"],
        '6' => ["###", "#  ", "###", "# #", "###"],
        '7' => ["###", "  #", "  #", "  #", "  #"],
        '8' => ["###", "# #", "###", "# #", "###"],
        '9' => ["###", "# #", "###", "  #", "###"],
        '.' => [" ", " ", " ", " ", "#"],
        ':' => [" ", "#", " ", "#", " "],
        '/' => ["  #", "  #", " # ", "#  ", "#  "],
        '-' => ["   ", "   ", "###", "   ", "   "],
        'k' => ["#  ", "# #", "## ", "# #", "# #"],
        'M' => ["#   #", "## ##", "# # #", "#   #", "#   #"],
        '%' => ["# #", "  #", " # ", "#  ", "# #"],
        ' ' => [" ", " ", " ", " ", " "],
        _ => return None,
    })
}

/// Pixel rows in every glyph.
const ROWS: usize = 5;

/// How big to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// Half-block cells: 1 column × ½ row per pixel (3 rows tall).
    Half,
    /// Full cells, `sx` columns × `sy` rows per pixel.
    Blocks {
        /// Columns per pixel.
        sx: u16,
        /// Rows per pixel.
        sy: u16,
    },
}

impl Size {
    /// Largest first; `ascii` leaves out the half-block size.
    pub fn all(ascii: bool) -> &'static [Size] {
        const UNICODE: [Size; 3] = [
            Size::Blocks { sx: 4, sy: 2 },
            Size::Blocks { sx: 2, sy: 1 },
            Size::Half,
        ];
        const ASCII: [Size; 3] = [
            Size::Blocks { sx: 4, sy: 2 },
            Size::Blocks { sx: 2, sy: 1 },
            Size::Blocks { sx: 1, sy: 1 },
        ];
        if ascii { &ASCII } else { &UNICODE }
    }

    /// Rows a line of text takes.
    pub fn height(self) -> u16 {
        match self {
            Size::Half => ROWS.div_ceil(2) as u16,
            Size::Blocks { sy, .. } => ROWS as u16 * sy,
        }
    }

    fn sx(self) -> u16 {
        match self {
            Size::Half => 1,
            Size::Blocks { sx, .. } => sx,
        }
    }
}

/// Columns `text` takes at `size` (one pixel of space between glyphs);
/// `None` if a character is not in the font.
pub fn width(text: &str, size: Size) -> Option<u16> {
    let mut px = 0usize;
    for (k, c) in text.chars().enumerate() {
        if k > 0 {
            px += 1;
        }
        px += glyph(c)?[0].len();
    }
    Some(px as u16 * size.sx())
}

/// The largest size at which every one of `texts` fits `w`×`h` cells.
pub fn fit(texts: &[&str], w: u16, h: u16, ascii: bool) -> Option<Size> {
    Size::all(ascii)
        .iter()
        .copied()
        .find(|&s| s.height() <= h && texts.iter().all(|t| width(t, s).is_some_and(|tw| tw <= w)))
}

/// Draws `text` at `size` with its top-left corner at `at` (x, y), clipped
/// to `area`. Returns false (drawing nothing) if a character is not in the
/// font.
pub fn draw(
    buf: &mut Buffer,
    area: Rect,
    (x, y): (u16, u16),
    text: &str,
    size: Size,
    style: Style,
    ascii: bool,
) -> bool {
    let Some(glyphs) = text.chars().map(glyph).collect::<Option<Vec<Glyph>>>() else {
        return false;
    };
    let full = if ascii { "#" } else { "█" };
    let area = area.intersection(buf.area);
    let mut set = |cx: u16, cy: u16, sym: &str| {
        if area.contains(ratatui::layout::Position::new(cx, cy)) {
            buf[(cx, cy)].set_symbol(sym).set_style(style);
        }
    };
    let mut gx = x;
    for g in glyphs {
        let gw = g[0].len() as u16;
        for px in 0..gw {
            let on = |row: usize| row < ROWS && g[row].as_bytes()[px as usize] == b'#';
            match size {
                Size::Half => {
                    for r in 0..size.height() {
                        let (top, bottom) = (on(2 * r as usize), on(2 * r as usize + 1));
                        let sym = match (top, bottom) {
                            (true, true) => "█",
                            (true, false) => "▀",
                            (false, true) => "▄",
                            (false, false) => continue,
                        };
                        set(gx + px, y + r, sym);
                    }
                }
                Size::Blocks { sx, sy } => {
                    for row in 0..ROWS {
                        if !on(row) {
                            continue;
                        }
                        for dy in 0..sy {
                            for dx in 0..sx {
                                set(gx + px * sx + dx, y + row as u16 * sy + dy, full);
                            }
                        }
                    }
                }
            }
        }
        gx += (gw + 1) * size.sx();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str, size: Size, ascii: bool) -> Vec<String> {
        let w = width(text, size).expect("in the font");
        let area = Rect::new(0, 0, w, size.height());
        let mut buf = Buffer::empty(area);
        assert!(draw(
            &mut buf,
            area,
            (0, 0),
            text,
            size,
            Style::new(),
            ascii
        ));
        (0..area.height)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect()
    }

    #[test]
    fn half_blocks_pack_two_pixel_rows_per_cell() {
        assert_eq!(
            show("1.5", Size::Half, false),
            ["▄█    █▀▀", " █    ▀▀█", "▀▀▀ ▀ ▀▀▀",]
        );
    }

    #[test]
    fn ascii_blocks() {
        assert_eq!(
            show("4/", Size::Blocks { sx: 1, sy: 1 }, true),
            ["# #   #", "# #   #", "###  # ", "  # #  ", "  # #  ",]
        );
    }

    #[test]
    fn the_largest_size_that_fits_is_chosen() {
        // "26.7" is 13 pixels wide.
        assert_eq!(width("26.7", Size::Half), Some(13));
        assert_eq!(fit(&["26.7"], 18, 4, false), Some(Size::Half));
        assert_eq!(
            fit(&["26.7", "0:12"], 30, 6, false),
            Some(Size::Blocks { sx: 2, sy: 1 })
        );
        assert_eq!(fit(&["26.7"], 12, 6, false), None);
        assert_eq!(fit(&["2?"], 90, 20, false), None, "not in the font");
        assert_eq!(
            fit(&["1"], 80, 12, true),
            Some(Size::Blocks { sx: 4, sy: 2 })
        );
    }
}
