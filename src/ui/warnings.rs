//! The warnings panel: what [`crate::analysis::lint`] found wrong with the
//! run, in plain words, most serious first. It takes rows only while there
//! is something to say; a hang (the run can never finish) is drawn in the
//! error colour with a border to match, and says how to get out.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::theme::Theme;
use super::{draw, fmt};
use crate::analysis::lint::{Lint, LintKind};

/// How serious a lint is: decides its colour and order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The run can never finish on its own.
    Error,
    /// Something is going wrong (items lost, the queue running away).
    Warning,
    /// Worth knowing: where the bottleneck is.
    Info,
}

/// The severity of a lint kind.
pub fn severity(kind: LintKind) -> Severity {
    match kind {
        LintKind::Hang | LintKind::StuckProducer | LintKind::CvDeadlock => Severity::Error,
        LintKind::NoRecheck => Severity::Error,
        LintKind::Stranded | LintKind::Runaway | LintKind::PillsMismatch => Severity::Warning,
        LintKind::ConsumerBound | LintKind::ProducerBound => Severity::Info,
    }
}

/// A short name for the lint, shown before its message.
pub fn label(kind: LintKind) -> &'static str {
    match kind {
        LintKind::Hang => "hang",
        LintKind::StuckProducer => "stuck",
        LintKind::Stranded => "stranded",
        LintKind::Runaway => "runaway",
        LintKind::ConsumerBound => "bottleneck",
        LintKind::ProducerBound => "bottleneck",
        LintKind::PillsMismatch => "pills",
        LintKind::CvDeadlock => "deadlock",
        LintKind::NoRecheck => "no re-check",
    }
}

/// The style of a severity.
pub fn style(sev: Severity, theme: &Theme) -> Style {
    match sev {
        Severity::Error => theme.bad,
        Severity::Warning => theme.warn.add_modifier(Modifier::BOLD),
        Severity::Info => theme.note,
    }
}

/// True when any lint means the run can never finish.
pub fn any_hang(lints: &[Lint]) -> bool {
    lints.iter().any(|l| l.kind.is_hang())
}

/// Width of the label column: the longest label and a space.
const LABEL_W: usize = 11;
/// Symbol, space, label column.
const LEAD_W: usize = 2 + LABEL_W;

/// The lines each lint takes at `width` (inner width), most serious first:
/// each wraps onto at most two lines, the second indented under the
/// first (a message is never cut where two lines hold it).
fn lines(lints: &[Lint], width: usize, theme: &Theme) -> Vec<(Severity, LintKind, bool, String)> {
    let mut order: Vec<&Lint> = lints.iter().collect();
    order.sort_by_key(|l| severity(l.kind));
    let room = width.saturating_sub(LEAD_W).max(8);
    let mut out = Vec::new();
    for l in order {
        let sev = severity(l.kind);
        // Wrapped as drawn: `--ascii` spells some symbols in more cells.
        let mut wrapped = fmt::wrap(&theme.text_of(&l.message), room);
        if wrapped.len() > 2 {
            let rest = wrapped[1..].join(" ");
            wrapped.truncate(1);
            wrapped.push(fmt::ellipsize(&rest, room, "…"));
        }
        for (k, text) in wrapped.into_iter().enumerate() {
            out.push((sev, l.kind, k == 0, text));
        }
    }
    out
}

/// True when every lint is informational: then the panel is drawn without
/// a border, one line each, to spare the rows below it.
fn only_info(lints: &[Lint]) -> bool {
    lints.iter().all(|l| severity(l.kind) == Severity::Info)
}

/// Rows the panel needs for `lints` in a panel `width` wide, at most
/// `max_rows` (borders included); 0 when there is nothing to say.
pub fn height(lints: &[Lint], width: u16, max_rows: u16, theme: &Theme) -> u16 {
    if lints.is_empty() {
        return 0;
    }
    if only_info(lints) {
        let n = lines(lints, width.saturating_sub(1) as usize, theme).len() as u16;
        return n.min(max_rows);
    }
    let n = lines(lints, width.saturating_sub(2) as usize, theme).len() as u16;
    (n + 2).min(max_rows).max(3.min(max_rows))
}

/// Draws the panel. The bottom border says what a hang means for the user.
pub fn render(buf: &mut Buffer, area: Rect, lints: &[Lint], theme: &Theme) {
    if lints.is_empty() || area.height == 0 {
        return;
    }
    if only_info(lints) {
        // Bare lines: worth knowing, not worth a frame.
        for (k, (sev, kind, first, text)) in lines(lints, area.width as usize - 1, theme)
            .iter()
            .take(area.height as usize)
            .enumerate()
        {
            let y = area.y + k as u16;
            let sym = if theme.ascii { "i" } else { "ℹ" };
            let lead = if *first {
                format!(" {sym} {:<LABEL_W$}", label(*kind))
            } else {
                " ".repeat(LEAD_W + 1)
            };
            let x = draw::put(
                buf,
                area.x,
                y,
                &lead,
                area.width as usize,
                style(*sev, theme),
            );
            let room = area.right().saturating_sub(x) as usize;
            draw::put(buf, x, y, text, room, theme.text);
        }
        return;
    }
    if area.height < 3 {
        return;
    }
    let worst = lints
        .iter()
        .map(|l| severity(l.kind))
        .min()
        .unwrap_or(Severity::Info);
    let border_style = style(worst, theme);
    let sign = if theme.ascii { "!" } else { "⚠" };
    let title = Line::from(format!(" {sign} Warnings {} ", lints.len()));
    let bottom = any_hang(lints).then(|| {
        Line::from(Span::styled(
            " this run will never finish on its own: q quits, r restarts ",
            border_style,
        ))
    });
    // The panel's border takes the colour of its worst warning, so a hang
    // turns the whole frame red.
    let mut t = theme.clone();
    t.border = border_style;
    t.title = border_style.add_modifier(Modifier::BOLD);
    let inner = draw::panel(buf, area, &title, bottom.as_ref(), &t);
    let rows = lines(lints, inner.width as usize, theme);
    for (k, (sev, kind, first, text)) in rows.iter().take(inner.height as usize).enumerate() {
        let y = inner.y + k as u16;
        let st = style(*sev, theme);
        let lead = if *first {
            let sym = match (sev, theme.ascii) {
                (Severity::Error, false) => "✗",
                (Severity::Warning, false) => "⚠",
                (Severity::Info, false) => "ℹ",
                (Severity::Error, true) => "x",
                (Severity::Warning, true) => "!",
                (Severity::Info, true) => "i",
            };
            format!("{sym} {:<LABEL_W$}", label(*kind))
        } else {
            " ".repeat(LEAD_W)
        };
        let x = draw::put(buf, inner.x, y, &lead, inner.width as usize, st);
        let room = inner.right().saturating_sub(x) as usize;
        let text_style = match sev {
            Severity::Info => theme.text,
            _ => st,
        };
        draw::put(buf, x, y, text, room, text_style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(kind: LintKind, message: &str) -> Lint {
        Lint {
            kind,
            message: message.into(),
        }
    }

    #[test]
    fn no_warnings_take_no_rows() {
        assert_eq!(height(&[], 80, 8, &Theme::default()), 0);
    }

    #[test]
    fn most_serious_first_and_wrapped() {
        let lints = [
            lint(LintKind::ConsumerBound, "queue pinned full"),
            lint(
                LintKind::Hang,
                "3 consumers will wait forever: 1 pill sent for 4 consumers",
            ),
        ];
        let t = Theme::default();
        let rows = lines(&lints, 40, &t);
        assert_eq!(rows[0].1, LintKind::Hang);
        assert!(rows[0].2 && !rows[1].2, "the hang wraps onto a second line");
        assert_eq!(rows.last().map(|r| r.1), Some(LintKind::ConsumerBound));
        assert_eq!(height(&lints, 42, 20, &t), rows.len() as u16 + 2);
        assert_eq!(height(&lints, 42, 4, &t), 4);
        // Information alone: bare lines, wrapped like the others.
        assert_eq!(height(&lints[..1], 42, 4, &t), 1);
        let long = [lint(
            LintKind::ConsumerBound,
            "queue pinned full (32/32): consumers are the bottleneck; add consumers",
        )];
        assert_eq!(height(&long, 60, 4, &t), 2, "not cut: a second line");
    }
}
