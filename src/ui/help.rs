//! The `?` overlay: every key, and a legend for the state symbols and
//! swimlane cells.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::draw::block;
use super::layout::centered;
use super::theme::Theme;
use crate::sim::ThreadState;

/// Every key with what it does, in the order the help lists them.
pub const KEYS: &[(&str, &str)] = &[
    ("+  -", "add a consumer / retire the newest consumer"),
    ("]  [", "add a producer / stop the newest producer"),
    (">  <", "producers faster / slower (interval x0.8 / x1.25)"),
    ("}  {", "consumers faster / slower (work x0.8 / x1.25)"),
    ("space", "pause / resume every thread"),
    ("n  .", "while paused: let one queue operation happen"),
    ("t", "theory panel: queueing theory beside the measurements"),
    ("b", "event log: hide / show block and wait events"),
    ("g", "emulated GIL on / off (CPU work holds one lock)"),
    (
        "s",
        "graceful shutdown: producers stop, poison pills go out",
    ),
    ("r", "restart the scenario from the start"),
    ("T", "tune: sweep the consumer count, then apply the knee"),
    ("j k  up down", "select a thread (PgUp PgDn Home End too)"),
    ("enter", "details of the selected thread"),
    ("o", "sort threads: name, state, items, busy%"),
    ("/", "filter threads by name or state (esc clears)"),
    ("x", "save the screen as a picture: .svg and .txt"),
    ("?", "this help"),
    ("q  esc  ctrl-c", "quit (esc first closes a window)"),
    ("mouse", "click selects a thread, wheel scrolls"),
];

/// The keys of `queuescope replay` (the knobs above do nothing there).
pub const REPLAY_KEYS: &[(&str, &str)] = &[
    ("space", "play / pause (at the end: play again)"),
    ("n", "pause and step to the next event"),
    ("left right", "seek 1 s back / forward"),
    ("0 .. 9", "jump to 0 % .. 90 % of the recording"),
    ("-  +", "slower / faster: 0.25x to 8x"),
    ("r", "replay from the start"),
];

/// Keys of [`KEYS`] that steer the engine: a replay has none of them.
const LIVE_ONLY: &[&str] = &[
    "+  -", "]  [", ">  <", "}  {", "space", "n  .", "g", "s", "r", "T",
];

/// Draws the help overlay centred on `area`; `replay` lists the replay keys
/// instead of the engine's knobs.
pub fn render(buf: &mut Buffer, area: Rect, theme: &Theme, replay: bool) {
    let keys: Vec<(&str, &str)> = if replay {
        REPLAY_KEYS
            .iter()
            .chain(KEYS.iter().filter(|(k, _)| !LIVE_ONLY.contains(k)))
            .copied()
            .collect()
    } else {
        KEYS.to_vec()
    };
    let mut lines: Vec<Line> = keys
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<15}"), theme.key),
                Span::styled(what.to_string(), theme.text),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    let mut legend = vec![Span::styled(" states ", theme.dim)];
    for (s, word) in [
        (ThreadState::Working, "busy"),
        (ThreadState::BlockedFull, "full"),
        (ThreadState::WaitingEmpty, "empty"),
        (ThreadState::WaitingGil, "GIL"),
        (ThreadState::Paused, "paused"),
        (ThreadState::Exited, "exited"),
        (ThreadState::Crashed, "crashed"),
    ] {
        legend.push(Span::styled(theme.state_symbol(s), theme.state(s)));
        legend.push(Span::styled(format!(" {word}  "), theme.text));
    }
    lines.push(Line::from(legend));
    let mut cv = vec![Span::styled(" mutex  ", theme.dim)];
    for (s, word) in [
        (ThreadState::WaitingLock, "waiting for the lock"),
        (ThreadState::WaitingCv, "asleep on a condition variable"),
    ] {
        cv.push(Span::styled(theme.state_symbol(s), theme.state(s)));
        cv.push(Span::styled(format!(" {word}  "), theme.text));
    }
    cv.push(Span::styled(super::threads::holder_mark(theme), theme.key));
    cv.push(Span::styled("holds the lock", theme.text));
    lines.push(Line::from(cv));
    let mut lane = vec![Span::styled(" lanes  ", theme.dim)];
    for (s, what) in [
        (ThreadState::Working, "busy"),
        (ThreadState::BlockedFull, "blocked"),
        (ThreadState::WaitingEmpty, "waiting"),
        (ThreadState::WaitingGil, "GIL"),
        (ThreadState::Paused, "paused"),
        (ThreadState::Starting, "starting"),
    ] {
        let g = theme.lane_glyph(s);
        lane.push(Span::styled(format!("{g}{g}"), theme.state(s)));
        lane.push(Span::styled(format!(" {what}  "), theme.text));
    }
    lines.push(Line::from(lane));
    let g = &theme.glyphs;
    lines.push(Line::from(vec![
        Span::styled(" queue  ", theme.dim),
        Span::styled(g.item, theme.producer(0)),
        Span::styled(g.item, theme.producer(1)),
        Span::styled(" items (colour = producer)  ", theme.text),
        Span::styled(g.pill, theme.pill),
        Span::styled(" poison pill  ", theme.text),
        Span::styled(g.free, theme.dim),
        Span::styled(" free slot", theme.text),
    ]));

    let h = lines.len() as u16 + 2;
    let rect = centered(area, 76, h);
    Clear.render(rect, buf);
    let block =
        block(" Keys ", theme).title_bottom(Line::from(" ? or esc closes ").right_aligned());
    Paragraph::new(lines).block(block).render(rect, buf);
}
