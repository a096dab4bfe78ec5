//! Colours and glyphs. Every style and symbol the screen uses comes from a
//! [`Theme`], so `NO_COLOR`, `--ascii` and `--theme contrast` are decided in
//! one place instead of in every panel.
//!
//! Thread states are always shown by shape *and* colour (never colour alone),
//! so the screen stays readable without colour and for colour-blind viewers.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

use crate::sim::ThreadState;

/// Which palette to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThemeKind {
    /// Normal colours for a dark terminal.
    #[default]
    Default,
    /// Bright colours, no dim text: readable on a washed-out projector.
    Contrast,
}

impl ThemeKind {
    /// Parses `default` / `contrast` (what `--theme` accepts).
    pub fn parse(s: &str) -> Option<ThemeKind> {
        match s.to_ascii_lowercase().as_str() {
            "default" => Some(ThemeKind::Default),
            "contrast" | "high-contrast" => Some(ThemeKind::Contrast),
            _ => None,
        }
    }
}

/// The glyphs that differ between Unicode and `--ascii` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Glyphs {
    /// An item in the queue strip.
    pub item: &'static str,
    /// A poison pill in the queue strip.
    pub pill: &'static str,
    /// A free slot of a bounded queue.
    pub free: &'static str,
    /// The flow arrow in `got pill → exited`.
    pub arrow: &'static str,
    /// Left-pointing arrow for the strip's in/out labels.
    pub left: &'static str,
    /// Head/tail markers under the strip.
    pub up: &'static str,
    /// Filled part of a gauge or bar.
    pub full: &'static str,
    /// Empty part of a gauge.
    pub empty: &'static str,
    /// Vertical bar eighths, index 0 = empty, 8 = full.
    pub eighths: [&'static str; 9],
    /// Capacity line in the depth chart.
    pub cap_line: &'static str,
    /// Separator between header fields.
    pub sep: &'static str,
    /// Separator inside a field (`2 producers · 4 consumers`).
    pub dot: &'static str,
    /// Up / down arrows (sort direction, keys).
    pub updown: &'static str,
    /// The Enter key.
    pub enter: &'static str,
    /// Ellipsis for truncated text.
    pub ellipsis: &'static str,
    /// Border set for panels.
    pub border: border::Set<'static>,
}

const UNICODE: Glyphs = Glyphs {
    item: "■",
    pill: "●",
    free: "·",
    arrow: "→",
    left: "◂",
    up: "↑",
    full: "█",
    empty: "░",
    eighths: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
    cap_line: "╌",
    sep: " │ ",
    dot: " · ",
    updown: "↑↓",
    enter: "↵",
    ellipsis: "…",
    border: border::ROUNDED,
};

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

const ASCII: Glyphs = Glyphs {
    item: "o",
    pill: "*",
    free: ".",
    arrow: "->",
    left: "<",
    up: "^",
    full: "#",
    empty: ".",
    eighths: [" ", ".", ".", ":", ":", "|", "|", "#", "#"],
    cap_line: "-",
    sep: " | ",
    dot: " - ",
    updown: "up/dn",
    enter: "enter",
    ellipsis: "~",
    border: ASCII_BORDER,
};

/// Colours, modifiers and glyphs for one run of the UI.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Palette.
    pub kind: ThemeKind,
    /// False under `NO_COLOR`: styles carry modifiers only.
    pub color: bool,
    /// True under `--ascii`: every glyph is 7-bit ASCII.
    pub ascii: bool,
    /// Glyph set.
    pub glyphs: Glyphs,
    /// Plain text.
    pub text: Style,
    /// Secondary text (labels, timestamps).
    pub dim: Style,
    /// Panel titles.
    pub title: Style,
    /// Panel borders.
    pub border: Style,
    /// The header bar.
    pub bar: Style,
    /// Key names in the footer and help.
    pub key: Style,
    /// The selected thread row.
    pub selected: Style,
    /// Something good (low utilisation of the queue, Little's law agreeing).
    pub good: Style,
    /// Something to watch (queue filling up).
    pub warn: Style,
    /// Something wrong (queue full, crash).
    pub bad: Style,
    /// Poison pills, in the strip and in the log.
    pub pill: Style,
    /// Live-change notes in the log, and informational warnings.
    pub note: Style,
    /// The header bar while the run is hung: it must be seen from the back
    /// of a classroom.
    pub alarm: Style,
    states: [Style; ThreadState::COUNT],
    producers: [Style; 6],
}

/// The colours of one palette: the default, the contrast one (bright
/// colours only, never DarkGray, which disappears on projectors), or none.
#[derive(Clone, Copy)]
struct Palette {
    color: bool,
    contrast: bool,
}

impl Palette {
    /// `normal` in the default palette, `bright` in the contrast one.
    fn c(self, normal: Color, bright: Color) -> Style {
        if !self.color {
            Style::new()
        } else if self.contrast {
            Style::new().fg(bright)
        } else {
            Style::new().fg(normal)
        }
    }

    fn text(self) -> Style {
        if self.color && self.contrast {
            Style::new().fg(Color::White)
        } else {
            Style::new()
        }
    }

    fn dim(self) -> Style {
        if !self.color {
            Style::new().add_modifier(Modifier::DIM)
        } else if self.contrast {
            Style::new().fg(Color::Gray)
        } else {
            Style::new().fg(Color::DarkGray)
        }
    }

    fn border(self) -> Style {
        if self.color && !self.contrast {
            Style::new().fg(Color::DarkGray)
        } else {
            self.c(Color::Gray, Color::White)
        }
    }

    /// The header bar.
    fn bar(self) -> Style {
        if !self.color {
            Style::new().add_modifier(Modifier::REVERSED)
        } else if self.contrast {
            Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            // A dark grey bar: state colours stay readable on it.
            Style::new().fg(Color::White).bg(Color::Indexed(236))
        }
    }

    /// The header bar of a hung run.
    fn alarm(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A thread state's colour.
    fn state(self, s: ThreadState) -> Style {
        let bold = Modifier::BOLD;
        match s {
            ThreadState::Starting | ThreadState::Exited => self.dim(),
            ThreadState::Producing => self.c(Color::Cyan, Color::LightCyan),
            ThreadState::BlockedFull => self.c(Color::Red, Color::LightRed).add_modifier(bold),
            ThreadState::WaitingEmpty => self.c(Color::Yellow, Color::LightYellow),
            ThreadState::Working => self.c(Color::Green, Color::LightGreen),
            ThreadState::Paused => self.c(Color::Blue, Color::LightBlue),
            ThreadState::Joining => self.c(Color::Magenta, Color::LightMagenta),
            ThreadState::Crashed => self
                .c(Color::LightRed, Color::LightRed)
                .add_modifier(bold)
                .add_modifier(Modifier::REVERSED),
            ThreadState::WaitingGil => self.c(Color::LightMagenta, Color::LightMagenta),
            ThreadState::WaitingLock => self.c(Color::Red, Color::LightRed),
            ThreadState::WaitingCv => self.c(Color::Yellow, Color::LightYellow).add_modifier(bold),
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::new(ThemeKind::Default, true, false)
    }
}

impl Theme {
    /// A theme; `color == false` strips every colour (NO_COLOR), `ascii`
    /// swaps every glyph for a 7-bit one.
    pub fn new(kind: ThemeKind, color: bool, ascii: bool) -> Theme {
        let p = Palette {
            color,
            contrast: kind == ThemeKind::Contrast,
        };
        let bold = Modifier::BOLD;
        Theme {
            kind,
            color,
            ascii,
            glyphs: if ascii { ASCII } else { UNICODE },
            text: p.text(),
            dim: p.dim(),
            title: p.c(Color::Cyan, Color::White).add_modifier(bold),
            border: p.border(),
            bar: p.bar(),
            key: p.c(Color::Yellow, Color::LightYellow).add_modifier(bold),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            good: p.c(Color::Green, Color::LightGreen),
            warn: p.c(Color::Yellow, Color::LightYellow),
            bad: p.c(Color::Red, Color::LightRed).add_modifier(bold),
            pill: p.c(Color::LightRed, Color::LightRed).add_modifier(bold),
            note: p.c(Color::Cyan, Color::LightCyan),
            alarm: p.alarm(),
            states: ThreadState::ALL.map(|s| p.state(s)),
            producers: [
                p.c(Color::Cyan, Color::LightCyan),
                p.c(Color::Green, Color::LightGreen),
                p.c(Color::Blue, Color::LightBlue),
                p.c(Color::Yellow, Color::LightYellow),
                p.c(Color::Magenta, Color::LightMagenta),
                p.c(Color::White, Color::White),
            ],
        }
    }

    /// The style of a thread state (its colour, also in swimlanes).
    pub fn state(&self, s: ThreadState) -> Style {
        self.states[s as usize]
    }

    /// The colour of an item made by producer `index` (0-based).
    pub fn producer(&self, index: usize) -> Style {
        self.producers[index % self.producers.len()]
    }

    /// The state's symbol in the threads panel (one cell wide).
    pub fn state_symbol(&self, s: ThreadState) -> &'static str {
        let (u, a) = match s {
            ThreadState::Starting => ("○", "o"),
            ThreadState::Producing => ("▶", ">"),
            ThreadState::BlockedFull => ("■", "!"),
            ThreadState::WaitingEmpty => ("◌", "."),
            ThreadState::Working => ("▶", ">"),
            ThreadState::Paused => ("‖", "|"),
            ThreadState::Joining => ("◷", "~"),
            ThreadState::Exited => ("✓", "-"),
            ThreadState::Crashed => ("✗", "x"),
            ThreadState::WaitingGil => ("◎", "@"),
            ThreadState::WaitingLock => ("⊘", "L"),
            ThreadState::WaitingCv => ("◍", "z"),
        };
        if self.ascii { a } else { u }
    }

    /// One swimlane cell for a state. Shapes differ by state so the lane
    /// reads without colour: full = busy, medium shade = blocked, light = waiting.
    pub fn lane_glyph(&self, s: ThreadState) -> &'static str {
        let (u, a) = match s {
            ThreadState::Starting => ("·", "."),
            ThreadState::Producing | ThreadState::Working => ("█", "#"),
            ThreadState::BlockedFull => ("▒", "!"),
            ThreadState::WaitingEmpty => ("░", "-"),
            ThreadState::Paused => ("‖", "|"),
            ThreadState::Joining => ("─", "~"),
            ThreadState::Exited => (" ", " "),
            ThreadState::Crashed => ("✗", "x"),
            // Ready to run but not allowed to: a dense shade, like blocked.
            ThreadState::WaitingGil => ("▚", "%"),
            // Blocked on the buffer's mutex, like a full queue; asleep on a
            // condition variable, like an empty one.
            ThreadState::WaitingLock => ("▓", "L"),
            ThreadState::WaitingCv => ("┄", "z"),
        };
        if self.ascii { a } else { u }
    }

    /// `s` with the few non-ASCII characters the engine's narration uses
    /// replaced, in `--ascii` mode; borrowed unchanged otherwise.
    pub fn text_of<'a>(&self, s: &'a str) -> std::borrow::Cow<'a, str> {
        if !self.ascii || s.is_ascii() {
            return std::borrow::Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len() + 4);
        for ch in s.chars() {
            match ch {
                '→' => out.push_str("->"),
                '←' => out.push_str("<-"),
                '…' => out.push_str("..."),
                '·' | '•' => out.push('.'),
                '×' => out.push('x'),
                'λ' => out.push('l'),
                'µ' | 'μ' => out.push('u'),
                'ρ' => out.push('p'),
                '≥' => out.push_str(">="),
                '≤' => out.push_str("<="),
                '⌈' => out.push('['),
                '⌉' => out.push(']'),
                '⚠' => out.push('!'),
                '–' | '—' => out.push('-'),
                c if c.is_ascii() => out.push(c),
                _ => out.push('?'),
            }
        }
        std::borrow::Cow::Owned(out)
    }
}
