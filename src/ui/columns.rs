//! A panel's table of figures, as the stats and theory panels draw it: a
//! label column, then right-aligned value columns, with shorter labels and
//! narrower columns on a narrow panel.

use ratatui::style::Style;
use ratatui::text::Span;

use super::theme::Theme;

/// Column widths, narrow and wide.
#[derive(Clone, Copy, Debug)]
pub struct Widths {
    /// Panels at least this wide get the wide columns.
    pub wide_from: u16,
    /// Label column: (narrow, wide).
    pub label: (usize, usize),
    /// Each value column: (narrow, wide).
    pub value: (usize, usize),
}

/// The columns at one panel width.
#[derive(Clone, Copy, Debug)]
pub struct Columns<'t> {
    /// Room for the long labels (and any extra figures).
    pub wide: bool,
    /// Cells in the panel's row.
    pub width: usize,
    /// Cells in the label column.
    pub label_w: usize,
    /// Cells in each value column.
    pub value_w: usize,
    /// The theme the spans are styled in.
    pub theme: &'t Theme,
}

impl<'t> Columns<'t> {
    /// The columns for a panel `width` cells wide.
    pub fn new(width: u16, w: Widths, theme: &'t Theme) -> Columns<'t> {
        let wide = width >= w.wide_from;
        let pick = |(narrow, wide_w): (usize, usize)| if wide { wide_w } else { narrow };
        Columns {
            wide,
            width: width as usize,
            label_w: pick(w.label),
            value_w: pick(w.value),
            theme,
        }
    }

    /// The long label or the short one, as the width allows.
    pub fn pick<'a>(&self, long: &'a str, short: &'a str) -> &'a str {
        if self.wide { long } else { short }
    }

    /// `s` padded to the label column, dimmed.
    pub fn label(&self, s: &str) -> Span<'static> {
        let w = self.label_w;
        Span::styled(format!("{:<w$}", self.tx(s)), self.theme.dim)
    }

    /// `s` right-aligned in a value column.
    pub fn value(&self, s: String, style: Style) -> Span<'static> {
        let w = self.value_w;
        Span::styled(format!("{s:>w$}"), style)
    }

    /// `s` in the theme's glyphs (Greek letters become ASCII under `--ascii`).
    pub fn tx(&self, s: &str) -> String {
        self.theme.text_of(s).into_owned()
    }
}
