//! The event log: the engine's lifecycle events narrated in the seed
//! programs' words (`main sent pill 3/4`, `Consumer-2 received the pill →
//! exited`, `put #17 by Producer-1` while stepping), newest at the bottom.
//!
//! Lifecycle events (a start, a pill, an exit, a knob, a crash, the run's
//! own notes, a step, a warning appearing) stand out: a symbol of their
//! kind and bold words.
//! Block and wait events (`Producer-1 blocked: queue full 32/32`) are the
//! chatter of a busy queue: the engine already folds them to one per
//! thread every few seconds, they are drawn dim, and `b` hides them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::theme::Theme;
use super::{draw, fmt, warnings};
use crate::app::LintNote;
use crate::sim::{Event, EventKind, ExitReason, Snapshot};

/// True for block, wait and unblock events: what `b` hides.
pub fn is_chatter(e: &Event) -> bool {
    matches!(
        e.kind,
        EventKind::BlockedFull { .. } | EventKind::WaitingEmpty | EventKind::Unblocked { .. }
    )
}

/// The style an event is narrated in.
pub fn event_style(e: &Event, theme: &Theme) -> Style {
    let style = match &e.kind {
        EventKind::BlockedFull { .. } => theme.bad,
        EventKind::WaitingEmpty => theme.warn,
        EventKind::Unblocked { .. } => theme.dim,
        EventKind::Started => theme.text,
        EventKind::PillSent { .. } | EventKind::PillReceived => theme.pill,
        EventKind::Exited(ExitReason::Crashed) | EventKind::Crashed { .. } => theme.bad,
        EventKind::Exited(_) => theme.text,
        EventKind::StepPut { .. } | EventKind::StepGet { .. } => theme.title,
        EventKind::ConfigChanged(_) => theme.note,
        EventKind::Woke { held: true, .. } => theme.text,
        EventKind::Woke { .. } => theme.warn,
        EventKind::Run(_) => theme.title,
    };
    if is_chatter(e) {
        style.remove_modifier(Modifier::BOLD)
    } else {
        style.add_modifier(Modifier::BOLD)
    }
}

/// The symbol in front of an event: its kind at a glance (blank for chatter).
pub fn event_symbol(e: &Event, theme: &Theme) -> &'static str {
    let (u, a) = match &e.kind {
        EventKind::BlockedFull { .. } | EventKind::WaitingEmpty | EventKind::Unblocked { .. } => {
            (" ", " ")
        }
        EventKind::Started => ("+", "+"),
        EventKind::PillSent { .. } | EventKind::PillReceived => ("●", "o"),
        EventKind::Exited(ExitReason::Crashed) | EventKind::Crashed { .. } => ("✗", "x"),
        EventKind::Exited(_) => ("✓", "v"),
        EventKind::StepPut { .. } | EventKind::StepGet { .. } => ("→", ">"),
        EventKind::ConfigChanged(_) => ("◆", "*"),
        EventKind::Woke { .. } => ("↯", "^"),
        EventKind::Run(_) => ("»", ">"),
    };
    if theme.ascii { a } else { u }
}

/// How the log is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LogOpts<'a> {
    /// Presentation mode: bigger title, every line bold.
    pub prominent: bool,
    /// Block and wait events hidden (`b`).
    pub hide_chatter: bool,
    /// Warnings as they appeared, told among the events.
    pub notes: &'a [LintNote],
}

/// One line of the log: an engine event or a warning that appeared.
enum Told<'a> {
    Event(&'a Event),
    Warning(&'a LintNote),
}

impl Told<'_> {
    fn at(&self) -> std::time::Duration {
        match self {
            Told::Event(e) => e.at,
            Told::Warning(n) => n.at,
        }
    }
}

/// Draws the log; returns how many event lines fit.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) -> usize {
    render_with(buf, area, snap, theme, LogOpts::default())
}

/// Draws the log as `opts` says; returns how many event lines fit.
pub fn render_with(
    buf: &mut Buffer,
    area: Rect,
    snap: &Snapshot,
    theme: &Theme,
    opts: LogOpts<'_>,
) -> usize {
    let title = if opts.prominent {
        format!(" What just happened ({} events) ", snap.events_total)
    } else {
        format!(" Events ({} in all) ", snap.events_total)
    };
    let events: Vec<&Event> = snap
        .events
        .iter()
        .filter(|e| !(opts.hide_chatter && is_chatter(e)))
        .collect();
    let hidden = snap.events.len() - events.len();
    // Warnings from the time the oldest event shown on: each in its place.
    let since = events.first().map_or(std::time::Duration::ZERO, |e| e.at);
    let mut shown: Vec<Told> = events.into_iter().map(Told::Event).collect();
    shown.extend(
        opts.notes
            .iter()
            .filter(|n| n.at >= since)
            .map(Told::Warning),
    );
    shown.sort_by_key(Told::at);
    let bottom = Line::from(vec![
        Span::raw(" "),
        Span::styled("b", theme.key),
        Span::styled(
            if opts.hide_chatter {
                format!(" shows block/wait events ({hidden} hidden) ")
            } else {
                " hides block/wait events ".to_string()
            },
            theme.dim,
        ),
    ]);
    let inner = draw::panel(buf, area, &Line::from(title), Some(&bottom), theme);
    let rows = inner.height as usize;
    // Newest at the bottom; a long line wraps onto a second row.
    let stamp_w = if opts.prominent { 8 } else { 10 };
    let text_w = (inner.width as usize).saturating_sub(stamp_w + 2).max(1);
    let mut drawn: Vec<(&Told, Vec<String>)> = Vec::new();
    let mut used = 0;
    for told in shown.iter().rev() {
        if used >= rows {
            break;
        }
        let (_, text, _) = words(told, theme);
        let mut wrapped = fmt::wrap(&theme.text_of(&text), text_w);
        if wrapped.len() > 2 {
            let rest = wrapped[1..].join(" ");
            wrapped.truncate(1);
            wrapped.push(fmt::ellipsize(&rest, text_w, theme.glyphs.ellipsis));
        }
        wrapped.truncate(rows - used);
        used += wrapped.len();
        drawn.push((told, wrapped));
    }
    let mut y = inner.y;
    for (told, wrapped) in drawn.iter().rev() {
        line(buf, inner, y, told, wrapped, theme, opts.prominent);
        y += wrapped.len() as u16;
    }
    rows
}

/// An entry's symbol, words and style.
fn words(told: &Told, theme: &Theme) -> (&'static str, String, Style) {
    match told {
        Told::Event(e) => (event_symbol(e, theme), e.to_string(), event_style(e, theme)),
        Told::Warning(n) => {
            let sev = warnings::severity(n.kind);
            let symbol = if theme.ascii { "!" } else { "⚠" };
            let text = format!("warning {}: {}", warnings::label(n.kind), n.message);
            let style = warnings::style(sev, theme).add_modifier(Modifier::BOLD);
            (symbol, text, style)
        }
    }
}

/// One entry: time, symbol, words (wrapped onto the rows below).
fn line(
    buf: &mut Buffer,
    inner: Rect,
    y: u16,
    told: &Told,
    wrapped: &[String],
    theme: &Theme,
    prominent: bool,
) {
    let at = told.at().as_secs_f64();
    let stamp = if prominent {
        format!("{at:>6.1}s ")
    } else {
        format!("{at:>8.2}s ")
    };
    let (symbol, _, mut style) = words(told, theme);
    if prominent {
        style = style.add_modifier(Modifier::BOLD);
    }
    let width = inner.width as usize;
    let mut x = draw::put(buf, inner.x, y, &stamp, width, theme.dim);
    let room = |x: u16| inner.right().saturating_sub(x) as usize;
    x = draw::put(buf, x, y, symbol, room(x), style);
    x = draw::put(buf, x, y, " ", room(x), style);
    for (k, text) in wrapped.iter().enumerate() {
        draw::put(buf, x, y + k as u16, text, room(x), style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ev(kind: EventKind) -> Event {
        Event {
            seq: 1,
            at: Duration::ZERO,
            who: Some("Producer-1".into()),
            kind,
        }
    }

    #[test]
    fn lifecycle_events_stand_out_and_chatter_does_not() {
        let theme = Theme::default();
        let pill = ev(EventKind::PillSent { k: 1, n: 2 });
        let block = ev(EventKind::BlockedFull { capacity: 4 });
        let step = ev(EventKind::StepPut { item: 17 });
        assert!(!is_chatter(&pill) && is_chatter(&block));
        let bold = |e: &Event| event_style(e, &theme).add_modifier.contains(Modifier::BOLD);
        assert!(bold(&pill) && bold(&step) && !bold(&block));
        assert_eq!(event_symbol(&pill, &theme), "●");
        assert_eq!(event_symbol(&block, &theme), " ");
        assert_eq!(step.to_string(), "put #17 by Producer-1");
    }
}
