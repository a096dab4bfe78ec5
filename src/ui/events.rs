//! The event log: the engine's lifecycle events narrated in the seed
//! programs' words (`main sent pill 3/4`, `Consumer-2 received the pill →
//! exited`, `put #17 by Producer-1` while stepping), newest at the bottom.
//!
//! Lifecycle events (a start, a pill, an exit, a knob, a crash, the run's
//! own notes, a step) stand out: a symbol of their kind and bold words.
//! Block and wait events (`Producer-1 blocked: queue full 32/32`) are the
//! chatter of a busy queue: the engine already folds them to one per
//! thread every few seconds, they are drawn dim, and `b` hides them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::draw;
use super::theme::Theme;
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
        EventKind::Run(_) => ("»", ">"),
    };
    if theme.ascii { a } else { u }
}

/// How the log is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogOpts {
    /// Presentation mode: bigger title, every line bold.
    pub prominent: bool,
    /// Block and wait events hidden (`b`).
    pub hide_chatter: bool,
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
    opts: LogOpts,
) -> usize {
    let title = if opts.prominent {
        format!(" What just happened ({} events) ", snap.events_total)
    } else {
        format!(" Events ({} in all) ", snap.events_total)
    };
    let shown: Vec<&Event> = snap
        .events
        .iter()
        .filter(|e| !(opts.hide_chatter && is_chatter(e)))
        .collect();
    let hidden = snap.events.len() - shown.len();
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
    let skip = shown.len().saturating_sub(rows);
    for (k, e) in shown.iter().skip(skip).enumerate() {
        line(buf, inner, inner.y + k as u16, e, theme, opts.prominent);
    }
    rows
}

/// One event: time, symbol, words.
fn line(buf: &mut Buffer, inner: Rect, y: u16, e: &Event, theme: &Theme, prominent: bool) {
    let stamp = if prominent {
        format!("{:>6.1}s ", e.at.as_secs_f64())
    } else {
        format!("{:>8.2}s ", e.at.as_secs_f64())
    };
    let width = inner.width as usize;
    let mut x = draw::put(buf, inner.x, y, &stamp, width, theme.dim);
    let mut style = event_style(e, theme);
    if prominent {
        style = style.add_modifier(Modifier::BOLD);
    }
    let room = |x: u16| inner.right().saturating_sub(x) as usize;
    x = draw::put(buf, x, y, event_symbol(e, theme), room(x), style);
    x = draw::put(buf, x, y, " ", room(x), style);
    let text = e.to_string();
    draw::put(buf, x, y, &theme.text_of(&text), room(x), style);
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
