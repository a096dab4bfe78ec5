//! The banner at the end of a run: `Done! Time taken: X s` with the totals.
//! It stays until the user quits (`q`), restarts (`r`) or puts it away (Esc).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::draw::block;
use super::fmt;
use super::layout::centered;
use super::theme::Theme;
use crate::sim::{Phase, Role, Snapshot};

/// Draws the banner centred on `area`.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let c = &snap.counts;
    let dot = theme.glyphs.dot;
    let headline = match snap.phase {
        Phase::Aborted => format!("Aborted after {:.2} s", snap.elapsed.as_secs_f64()),
        _ => format!("Done! Time taken: {:.2} s", snap.elapsed.as_secs_f64()),
    };
    let mut lines = vec![
        Line::styled(
            headline,
            theme.good.add_modifier(ratatui::style::Modifier::BOLD),
        ),
        Line::raw(""),
        Line::styled(
            format!(
                "produced {}{dot}consumed {}{dot}failed {}",
                c.produced, c.consumed, c.failed
            ),
            if c.failed > 0 { theme.bad } else { theme.text },
        ),
        Line::styled(
            format!(
                "pills sent {}{dot}taken {}{dot}left in queue {}",
                c.pills_sent,
                c.pills_received,
                c.depth()
            ),
            theme.text,
        ),
        Line::styled(
            format!(
                "{}{dot}{}{dot}throughput {}",
                fmt::n_of(snap.role(Role::Producer).count(), "producer"),
                fmt::n_of(snap.role(Role::Consumer).count(), "consumer"),
                fmt::rate(snap.throughput())
            ),
            theme.text,
        ),
    ];
    if let Some(d) = snap.shutdown_took {
        lines.push(Line::styled(
            format!(
                "shutdown took {} (stop {} last join)",
                fmt::dur(d),
                theme.glyphs.arrow
            ),
            theme.text,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("r", theme.key),
        Span::styled(" restart   ", theme.dim),
        Span::styled("q", theme.key),
        Span::styled(" quit   ", theme.dim),
        Span::styled("esc", theme.key),
        Span::styled(" hide this", theme.dim),
    ]));
    let w = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 6;
    let rect = centered(area, w, lines.len() as u16 + 2);
    Clear.render(rect, buf);
    let title = if snap.phase == Phase::Aborted {
        " Aborted "
    } else {
        " Done! "
    };
    Paragraph::new(lines)
        .centered()
        .block(block(title, theme))
        .render(rect, buf);
}
