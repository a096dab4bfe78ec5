//! A frame as SVG: the cells of a rendered [`Buffer`] on a monospace grid,
//! in the theme's colours ([`palette`](super::palette) turns them into RGB),
//! bold, dim, italic, underlined and reversed as on the screen.
//!
//! Text is placed cell-exactly (each run of equally styled cells is one
//! `<text>` stretched to its columns with `textLength`), so columns line up
//! whatever font the viewer has. Box-drawing lines and block elements are
//! drawn as paths and rectangles rather than glyphs: borders join up and
//! bars fill their cells in any font. Neighbouring pieces of the same
//! style are merged, so a 120×40 screen is a few hundred elements.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::Modifier;
use unicode_width::UnicodeWidthStr;

use super::palette::{self, Rgb};

/// Width of a cell, in px (a 14 px monospace font advances about 0.6 em).
const CELL_W: f64 = 8.4;
/// Height of a row, in px.
const CELL_H: f64 = 18.0;
/// Font size, in px.
const FONT_SIZE: f64 = 14.0;
/// From a row's top to the text's baseline, in px.
const BASELINE: f64 = 13.5;
/// Margin around the grid, in px.
const PAD: f64 = 10.0;
/// Fonts to try, most terminal-like first.
const FONTS: &str = "'DejaVu Sans Mono','Cascadia Mono',Menlo,Consolas,'Liberation Mono',monospace";

/// How a cell's text looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ink {
    fg: Rgb,
    bold: bool,
    dim: bool,
    italic: bool,
    underline: bool,
    strike: bool,
}

impl Ink {
    fn css(self) -> String {
        let mut s = format!("fill:{}", self.fg.hex());
        if self.bold {
            s.push_str(";font-weight:bold");
        }
        if self.italic {
            s.push_str(";font-style:italic");
        }
        if self.dim {
            s.push_str(";opacity:.55");
        }
        match (self.underline, self.strike) {
            (true, true) => s.push_str(";text-decoration:underline line-through"),
            (true, false) => s.push_str(";text-decoration:underline"),
            (false, true) => s.push_str(";text-decoration:line-through"),
            (false, false) => {}
        }
        s
    }

    /// Spaces can join a run of this ink without showing (no line under them).
    fn spaces_invisible(self) -> bool {
        !self.underline && !self.strike
    }
}

/// A cell as drawn: its ink, its background (`None`: the canvas) and
/// whether its text is hidden.
fn look(cell: &Cell) -> (Ink, Option<Rgb>, bool) {
    let m = cell.modifier;
    let (fg, bg) = if m.contains(Modifier::REVERSED) {
        (palette::bg(cell.bg), Some(palette::fg(cell.fg)))
    } else {
        (palette::fg(cell.fg), palette::rgb(cell.bg))
    };
    let ink = Ink {
        fg,
        bold: m.contains(Modifier::BOLD),
        dim: m.contains(Modifier::DIM),
        italic: m.contains(Modifier::ITALIC),
        underline: m.contains(Modifier::UNDERLINED),
        strike: m.contains(Modifier::CROSSED_OUT),
    };
    let bg = bg.filter(|&c| c != palette::BACKGROUND);
    (ink, bg, m.contains(Modifier::HIDDEN))
}

/// Which ways a box-drawing character reaches from the cell's centre.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Arms {
    left: bool,
    right: bool,
    up: bool,
    down: bool,
    heavy: bool,
    dashed: bool,
    /// A rounded corner (`╭╮╰╯`): one curve instead of two arms.
    rounded: bool,
}

/// The arms of a box-drawing character, if `c` is one this draws.
fn arms(c: char) -> Option<Arms> {
    let a = |l, r, u, d| Arms {
        left: l,
        right: r,
        up: u,
        down: d,
        ..Arms::default()
    };
    Some(match c {
        '─' => a(true, true, false, false),
        '━' => Arms {
            heavy: true,
            ..a(true, true, false, false)
        },
        '│' => a(false, false, true, true),
        '┃' => Arms {
            heavy: true,
            ..a(false, false, true, true)
        },
        '╌' | '┄' | '┈' => Arms {
            dashed: true,
            ..a(true, true, false, false)
        },
        '╎' | '┆' | '┊' => Arms {
            dashed: true,
            ..a(false, false, true, true)
        },
        '┌' => a(false, true, false, true),
        '┐' => a(true, false, false, true),
        '└' => a(false, true, true, false),
        '┘' => a(true, false, true, false),
        '╭' => Arms {
            rounded: true,
            ..a(false, true, false, true)
        },
        '╮' => Arms {
            rounded: true,
            ..a(true, false, false, true)
        },
        '╰' => Arms {
            rounded: true,
            ..a(false, true, true, false)
        },
        '╯' => Arms {
            rounded: true,
            ..a(true, false, true, false)
        },
        '├' => a(false, true, true, true),
        '┤' => a(true, false, true, true),
        '┬' => a(true, true, false, true),
        '┴' => a(true, true, true, false),
        '┼' => a(true, true, true, true),
        '╴' => a(true, false, false, false),
        '╶' => a(false, true, false, false),
        '╵' => a(false, false, true, false),
        '╷' => a(false, false, false, true),
        _ => return None,
    })
}

/// Rectangles (in eighths of a cell: x0, y0, x1, y1) and the shade (1.0 =
/// solid) of a block element, if `c` is one this draws.
fn block(c: char) -> Option<(Vec<[u8; 4]>, f64)> {
    const UL: [u8; 4] = [0, 0, 4, 4];
    const UR: [u8; 4] = [4, 0, 8, 4];
    const LL: [u8; 4] = [0, 4, 4, 8];
    const LR: [u8; 4] = [4, 4, 8, 8];
    const FULL: [u8; 4] = [0, 0, 8, 8];
    let one = |r: [u8; 4]| Some((vec![r], 1.0));
    match c {
        '█' => one(FULL),
        '▁'..='▇' => one([0, 8 - (c as u32 - '▁' as u32 + 1) as u8, 8, 8]),
        '▀' => one([0, 0, 8, 4]),
        '▔' => one([0, 0, 8, 1]),
        '▉'..='▏' => one([0, 0, 8 - (c as u32 - '▉' as u32 + 1) as u8, 8]),
        '▐' => one([4, 0, 8, 8]),
        '▕' => one([7, 0, 8, 8]),
        '░' => Some((vec![FULL], 0.25)),
        '▒' => Some((vec![FULL], 0.5)),
        '▓' => Some((vec![FULL], 0.75)),
        '▘' => one(UL),
        '▝' => one(UR),
        '▖' => one(LL),
        '▗' => one(LR),
        '▚' => Some((vec![UL, LR], 1.0)),
        '▞' => Some((vec![UR, LL], 1.0)),
        '▙' => Some((vec![UL, LL, LR], 1.0)),
        '▛' => Some((vec![UL, UR, LL], 1.0)),
        '▜' => Some((vec![UL, UR, LR], 1.0)),
        '▟' => Some((vec![UR, LL, LR], 1.0)),
        _ => None,
    }
}

/// A number for an attribute: at most two decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// `s` safe inside XML text or a quoted attribute. Characters XML 1.0 does
/// not allow at all (most control characters) become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// CSS classes, named in order of first use (`t0`, `t1`, ...), so the same
/// frame always gives the same file.
#[derive(Default)]
struct Classes {
    names: BTreeMap<String, String>,
    order: Vec<(String, String)>,
}

impl Classes {
    /// The class for `css`, with `prefix` naming its kind.
    fn class(&mut self, prefix: &str, css: String) -> String {
        if let Some(name) = self.names.get(&css) {
            return name.clone();
        }
        let name = format!("{prefix}{}", self.order.len());
        self.names.insert(css.clone(), name.clone());
        self.order.push((name.clone(), css));
        name
    }

    fn style(&self) -> String {
        let mut out = String::from("text{white-space:pre}");
        for (name, css) in &self.order {
            let _ = write!(out, ".{name}{{{css}}}");
        }
        out
    }
}

/// Block pieces that can merge: one look, one row, one vertical extent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct BlockKey {
    fg: Rgb,
    dim: bool,
    /// Shade in percent (100: solid).
    shade: u8,
    row: u16,
    /// Top and bottom, in eighths of the row.
    top: u8,
    bottom: u8,
}

/// Line pieces that can merge: one look, on one row (horizontal) or
/// column (vertical), in half cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct LineKey {
    fg: Rgb,
    dim: bool,
    heavy: bool,
    dashed: bool,
    horizontal: bool,
    at: u32,
}

/// What the SVG is made of, collected cell by cell.
#[derive(Default)]
struct Layers {
    classes: Classes,
    /// Backgrounds: colour, row → runs of columns.
    backgrounds: BTreeMap<(Rgb, u16), Vec<(u16, u16)>>,
    /// Block pieces → x ranges in eighths of a cell.
    blocks: BTreeMap<BlockKey, Vec<(u32, u32)>>,
    /// Line pieces → ranges along the line, in half cells.
    lines: BTreeMap<LineKey, Vec<(u32, u32)>>,
    /// Rounded corners: (colour, dim, heavy) → path data.
    curves: BTreeMap<(Rgb, bool, bool), String>,
    /// The `<text>` elements.
    text: String,
}

/// Sorted ranges with the touching ones joined.
fn merged<T: Copy + Ord>(mut v: Vec<(T, T)>) -> Vec<(T, T)> {
    v.sort();
    let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

impl Layers {
    fn background(&mut self, bg: Rgb, x: u16, y: u16, w: u16) {
        self.backgrounds
            .entry((bg, y))
            .or_default()
            .push((x, x + w));
    }

    fn block(&mut self, ink: Ink, x: u16, y: u16, rects: &[[u8; 4]], shade: f64) {
        let pct = (shade * 100.0).round() as u8;
        for r in rects {
            let x0 = u32::from(x) * 8 + u32::from(r[0]);
            let x1 = u32::from(x) * 8 + u32::from(r[2]);
            let key = BlockKey {
                fg: ink.fg,
                dim: ink.dim,
                shade: pct,
                row: y,
                top: r[1],
                bottom: r[3],
            };
            self.blocks.entry(key).or_default().push((x0, x1));
        }
    }

    fn line(&mut self, ink: Ink, x: u16, y: u16, a: Arms) {
        let (cx, cy) = (u32::from(x) * 2 + 1, u32::from(y) * 2 + 1);
        if a.rounded {
            let (h, v) = (
                if a.left { -1.0 } else { 1.0 },
                if a.up { -1.0 } else { 1.0 },
            );
            let (px, py) = (half(cx) * CELL_W / 2.0, half(cy) * CELL_H / 2.0);
            let d = self.curves.entry((ink.fg, ink.dim, a.heavy)).or_default();
            let _ = write!(
                d,
                "M{} {}Q{} {} {} {}",
                num(PAD + px + h * CELL_W / 2.0),
                num(PAD + py),
                num(PAD + px),
                num(PAD + py),
                num(PAD + px),
                num(PAD + py + v * CELL_H / 2.0)
            );
            return;
        }
        let mut piece = |horizontal: bool, at: u32, from: u32, to: u32| {
            let key = LineKey {
                fg: ink.fg,
                dim: ink.dim,
                heavy: a.heavy,
                dashed: a.dashed,
                horizontal,
                at,
            };
            self.lines.entry(key).or_default().push((from, to));
        };
        if a.left {
            piece(true, cy, cx - 1, cx);
        }
        if a.right {
            piece(true, cy, cx, cx + 1);
        }
        if a.up {
            piece(false, cx, cy - 1, cy);
        }
        if a.down {
            piece(false, cx, cy, cy + 1);
        }
    }
}

/// A half-cell coordinate as a float.
fn half(v: u32) -> f64 {
    f64::from(v)
}

/// A run of equally styled text cells being collected.
struct Run {
    x: u16,
    ink: Ink,
    text: String,
    cols: u16,
}

impl Run {
    /// Writes the run as a `<text>` element (trailing blanks dropped).
    fn flush(self, y: u16, layers: &mut Layers) {
        let trimmed = self.text.trim_end_matches(' ');
        let cols = self.cols - (self.text.len() - trimmed.len()) as u16;
        if trimmed.is_empty() {
            return;
        }
        let class = layers.classes.class("t", self.ink.css());
        let _ = writeln!(
            layers.text,
            "<text x=\"{}\" y=\"{}\" textLength=\"{}\" class=\"{class}\">{}</text>",
            num(PAD + f64::from(self.x) * CELL_W),
            num(PAD + f64::from(y) * CELL_H + BASELINE),
            num(f64::from(cols) * CELL_W),
            escape(trimmed)
        );
    }
}

/// The end of a run: written out, if there is one.
fn flush(run: &mut Option<Run>, y: u16, layers: &mut Layers) {
    if let Some(r) = run.take() {
        r.flush(y, layers);
    }
}

/// The one character of `symbol`, if it is one and `hidden` is false.
fn single_char(symbol: &str, hidden: bool) -> Option<char> {
    let mut chars = symbol.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if !hidden => Some(c),
        _ => None,
    }
}

/// Collects row `y` of `buf` into `layers`.
fn row(buf: &Buffer, y: u16, layers: &mut Layers) {
    let area = buf.area;
    let cy = y - area.top();
    let mut run: Option<Run> = None;
    let mut x = area.left();
    while x < area.right() {
        let cell = &buf[(x, y)];
        let cx = x - area.left();
        let symbol = cell.symbol();
        let cols = (symbol.width().max(1) as u16).min(area.right() - x);
        x += cols;
        let (ink, bg, hidden) = look(cell);
        if let Some(bg) = bg {
            layers.background(bg, cx, cy, cols);
        }
        let c = single_char(symbol, hidden);
        if let Some(a) = c.and_then(arms) {
            flush(&mut run, cy, layers);
            layers.line(ink, cx, cy, a);
            continue;
        }
        if let Some((rects, shade)) = c.and_then(block) {
            flush(&mut run, cy, layers);
            layers.block(ink, cx, cy, &rects, shade);
            continue;
        }
        let blank = hidden || symbol.trim().is_empty();
        match &mut run {
            Some(r) if r.ink == ink || (blank && r.ink.spaces_invisible()) => {
                r.text.push_str(if blank { " " } else { symbol });
                r.cols += cols;
            }
            _ => {
                flush(&mut run, cy, layers);
                if !blank {
                    run = Some(Run {
                        x: cx,
                        ink,
                        text: symbol.to_string(),
                        cols,
                    });
                }
            }
        }
    }
    flush(&mut run, cy, layers);
}

/// The background and block layers as SVG rectangles.
fn rects(layers: &mut Layers) -> String {
    let mut out = String::new();
    let backgrounds = std::mem::take(&mut layers.backgrounds);
    for ((bg, y), runs) in backgrounds {
        let class = layers.classes.class("g", format!("fill:{}", bg.hex()));
        for (x0, x1) in merged(runs) {
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{class}\"/>",
                num(PAD + f64::from(x0) * CELL_W),
                num(PAD + f64::from(y) * CELL_H),
                num(f64::from(x1 - x0) * CELL_W),
                num(CELL_H)
            );
        }
    }
    let blocks = std::mem::take(&mut layers.blocks);
    for (k, runs) in blocks {
        let (fg, dim, pct, y, y0, y1) = (k.fg, k.dim, k.shade, k.row, k.top, k.bottom);
        let mut css = format!("fill:{}", fg.hex());
        if pct < 100 || dim {
            let opacity = f64::from(pct) / 100.0 * if dim { 0.55 } else { 1.0 };
            let _ = write!(css, ";fill-opacity:{}", num(opacity));
        }
        let class = layers.classes.class("b", css);
        for (x0, x1) in merged(runs) {
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{class}\"/>",
                num(PAD + f64::from(x0) * CELL_W / 8.0),
                num(PAD + (f64::from(y) + f64::from(y0) / 8.0) * CELL_H),
                num(f64::from(x1 - x0) * CELL_W / 8.0),
                num(f64::from(y1 - y0) / 8.0 * CELL_H)
            );
        }
    }
    out
}

/// The line layer: one `<path>` per line style.
fn lines(layers: &mut Layers) -> String {
    let stroke = |fg: Rgb, dim: bool, heavy: bool, dashed: bool| {
        let mut css = format!(
            "fill:none;stroke:{};stroke-width:{}",
            fg.hex(),
            if heavy { 2 } else { 1 }
        );
        if dashed {
            css.push_str(";stroke-dasharray:2.8 1.4");
        }
        if dim {
            css.push_str(";stroke-opacity:.55");
        }
        css
    };
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    for (k, ranges) in std::mem::take(&mut layers.lines) {
        let (fg, dim, heavy, dashed, horizontal, at) =
            (k.fg, k.dim, k.heavy, k.dashed, k.horizontal, k.at);
        let class = layers.classes.class("l", stroke(fg, dim, heavy, dashed));
        let d = paths.entry(class).or_default();
        for (a, b) in merged(ranges) {
            let (a, b, at) = (half(a), half(b), half(at));
            let _ = if horizontal {
                write!(
                    d,
                    "M{} {}H{}",
                    num(PAD + a * CELL_W / 2.0),
                    num(PAD + at * CELL_H / 2.0),
                    num(PAD + b * CELL_W / 2.0)
                )
            } else {
                write!(
                    d,
                    "M{} {}V{}",
                    num(PAD + at * CELL_W / 2.0),
                    num(PAD + a * CELL_H / 2.0),
                    num(PAD + b * CELL_H / 2.0)
                )
            };
        }
    }
    for ((fg, dim, heavy), curve) in std::mem::take(&mut layers.curves) {
        let class = layers.classes.class("l", stroke(fg, dim, heavy, false));
        paths.entry(class).or_default().push_str(&curve);
    }
    let mut out = String::new();
    for (class, d) in paths {
        let _ = writeln!(out, "<path class=\"{class}\" d=\"{d}\"/>");
    }
    out
}

/// The frame in `buf` as a standalone SVG document; `title` becomes its
/// `<title>` (what a screen reader or a browser tab says).
pub fn svg(buf: &Buffer, title: &str) -> String {
    let area = buf.area;
    let mut layers = Layers::default();
    for y in area.top()..area.bottom() {
        row(buf, y, &mut layers);
    }
    let rects = rects(&mut layers);
    let lines = lines(&mut layers);
    let width = num(2.0 * PAD + f64::from(area.width) * CELL_W);
    let height = num(2.0 * PAD + f64::from(area.height) * CELL_H);
    let mut out = String::with_capacity(rects.len() + lines.len() + layers.text.len() + 1024);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"{FONTS}\" font-size=\"{}\" xml:space=\"preserve\">",
        num(FONT_SIZE)
    );
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<style>{}</style>", layers.classes.style());
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" rx=\"6\" fill=\"{}\"/>",
        palette::BACKGROUND.hex()
    );
    // Rectangles on whole pixels, so neighbouring cells leave no seams.
    let _ = writeln!(out, "<g shape-rendering=\"crispEdges\">");
    out.push_str(&rects);
    out.push_str("</g>\n");
    out.push_str(&lines);
    out.push_str(&layers.text);
    out.push_str("</svg>\n");
    out
}
