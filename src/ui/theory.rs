//! The theory panel (`t`): queueing theory beside the measurements, so a
//! class can see the formulas predict what the threads do. From the
//! measured arrival rate λ and mean service time S: utilisation
//! ρ = λS/c; for a stable run the M/M/c (Erlang-C) predictions of P(wait),
//! Lq and Wq next to the measured mean depth and queue wait; Little's law;
//! for a finite workload the makespan ⌈n/c⌉·S; and the consumers needed
//! for ρ ≤ 0.8. The measured side is the current epoch's (since the last
//! knob change, after its warm-up, which a mark shows while it lasts), so
//! pressing `+` is seen to change the wait. Every number comes from
//! [`crate::analysis::theory`]; this file only lays them out, "theory" and
//! "measured" in two columns.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::columns::{Columns, Widths};
use super::stats::since_words;
use super::theme::Theme;
use super::{draw, fmt};
use crate::analysis::theory::{Scope, Theory, makespan, theory};
use crate::sim::{Capacity, Dist, EpochSnap, Phase, Role, Snapshot};

/// Rows the panel wants, borders included (it makes do with fewer).
pub const HEIGHT: u16 = 12;

/// True when both the interval and the work are exponential: the run is an
/// M/M/c queue and Erlang-C applies exactly (otherwise it is a guide).
pub fn is_mmc(snap: &Snapshot) -> bool {
    matches!(snap.interval.dist, Dist::Exp { .. }) && matches!(snap.work.dist, Dist::Exp { .. })
}

/// The style of a utilisation: comfortable, busy, overloaded.
pub fn rho_style(rho: f64, theme: &Theme) -> Style {
    if rho >= 1.0 {
        theme.bad
    } else if rho > 0.8 {
        theme.warn
    } else {
        theme.good
    }
}

/// A seconds value as a short duration.
fn secs(s: f64) -> String {
    if s.is_finite() && s >= 0.0 {
        fmt::dur(Duration::from_secs_f64(s.min(1e9)))
    } else {
        "-".into()
    }
}

/// A count or mean in three significant figures or so: `0.702`, `3.51`,
/// `58.4`, `502`.
fn num(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x.abs() < 10.0 {
        format!("{x:.2}")
    } else if x.abs() < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// The panel's lines at inner width `width`, most important first within
/// each group; the caller shows as many as fit.
pub fn lines(snap: &Snapshot, th: &Theory, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let t = Columns::new(u16::try_from(width).unwrap_or(u16::MAX), WIDTHS, theme);
    let mut out = Vec::new();
    let measuring = th.service_s <= 0.0 || th.lambda_per_s <= 0.0;
    inputs(&mut out, th, measuring, &t);
    out.extend(scope(snap, th, width, theme));
    if let Some(n) = textbook_note(snap, width) {
        out.push(Line::styled(n, theme.warn));
    }
    if measuring {
        out.push(Line::styled("measuring: no item finished yet", theme.dim));
        return out;
    }
    out.push(Line::from(vec![
        t.label(""),
        t.value("theory".into(), theme.title),
        t.value("measured".into(), theme.title),
    ]));
    predictions(&mut out, th, width, &t);
    out.push(little(th, &t));
    out.extend(makespan_line(snap, th, &t));
    out.extend(consumers_needed(th, &t));
    // Where the model's assumptions do not hold, say so (least important).
    if let Some(n) = caveat(snap, width) {
        out.push(Line::styled(n, theme.dim));
    }
    out
}

/// What the measured column covers: the current epoch, from the end of its
/// warm-up (`since +1 consumer, 12.4s ago · 523 items`), or while it warms
/// up a mark that says so, as fully as `width` allows. Nothing for a
/// source without epochs.
fn scope(snap: &Snapshot, th: &Theory, width: usize, theme: &Theme) -> Option<Line<'static>> {
    let e = snap.epoch()?;
    let sc = &th.scope;
    let texts = scope_texts(snap, e, sc, theme);
    let text = texts
        .iter()
        .find(|t| t.chars().count() <= width)
        .or(texts.last())?;
    let style = if sc.warm { theme.dim } else { theme.warn };
    Some(Line::styled(text.clone(), style))
}

/// The scope line, fullest first.
fn scope_texts(snap: &Snapshot, e: &EpochSnap, sc: &Scope, theme: &Theme) -> Vec<String> {
    let items = fmt::n_of(sc.items as usize, "item");
    if !sc.warm {
        let sign = if theme.ascii { "~" } else { "⌛" };
        let what = if e.index == 1 {
            "the start".to_string()
        } else {
            e.cause.clone()
        };
        vec![
            format!("{sign} warming up since {what}: {items}, not settled"),
            format!("{sign} warming up: {items}"),
            format!("{sign} warming up"),
        ]
    } else if e.index == 1 {
        vec![
            format!("since the start (after warm-up) · {items}"),
            format!("since the start · {items}"),
            items,
        ]
    } else {
        vec![
            format!("{} · {items}", since_words(snap, e)),
            format!("since {} · {items}", e.cause),
            format!("since {}", e.cause),
            items,
        ]
    }
}

/// The theory panel's columns: label, theory, measured.
const WIDTHS: Widths = Widths {
    wide_from: 44,
    label: (11, 16),
    value: (9, 10),
};

/// What the predictions are made from: λ, S, c and the utilisation ρ (on
/// a line of its own when narrow).
fn inputs(out: &mut Vec<Line<'static>>, th: &Theory, measuring: bool, t: &Columns) {
    let theme = t.theme;
    let mut head = vec![
        Span::styled(t.tx("λ "), theme.dim),
        Span::styled(fmt::rate(th.lambda_per_s), theme.text),
        Span::styled("  S ", theme.dim),
        Span::styled(secs(th.service_s), theme.text),
        Span::styled("  c ", theme.dim),
        Span::styled(th.consumers.to_string(), theme.text),
    ];
    // With no consumer left (a finished run) there is no utilisation.
    let rho = if th.consumers == 0 || measuring {
        Span::styled("-", theme.dim)
    } else {
        Span::styled(format!("{:.2}", th.rho), rho_style(th.rho, theme))
    };
    let rho_label = Span::styled(t.tx("ρ = λS/c = "), theme.dim);
    if t.wide {
        head.extend([Span::raw("  "), rho_label, rho]);
        out.push(Line::from(head));
    } else {
        out.push(Line::from(head));
        out.push(Line::from(vec![rho_label, rho]));
    }
}

/// Erlang-C's P(wait), Lq and Wq beside the measured ones, or why there
/// is nothing to predict.
fn predictions(out: &mut Vec<Line<'static>>, th: &Theory, width: usize, t: &Columns) {
    let theme = t.theme;
    match th.predicted {
        _ if th.consumers == 0 => out.push(Line::styled(
            "no consumer running: nothing to predict",
            theme.dim,
        )),
        Some(m) => {
            // Measured values of an epoch still warming up are shown dim.
            let measured = if th.scope.warm { theme.text } else { theme.dim };
            let p_wait = th.measured_p_wait.map_or("-".into(), |p| format!("{p:.3}"));
            out.push(Line::from(vec![
                t.label("P(wait)"),
                t.value(format!("{:.3}", m.p_wait), theme.text),
                t.value(p_wait, measured),
            ]));
            out.push(Line::from(vec![
                t.label(t.pick("Lq  mean queued", "Lq queued")),
                t.value(num(m.lq), theme.text),
                t.value(num(th.measured_lq), measured),
            ]));
            out.push(Line::from(vec![
                t.label(t.pick("Wq  mean wait", "Wq wait")),
                t.value(secs(m.wq_s), theme.text),
                t.value(secs(th.measured_wq_s), measured),
            ]));
        }
        None => {
            // No steady state exists, so there is nothing to predict: say
            // so rather than print numbers that mean nothing.
            let msg = t.tx(
                "unstable: ρ ≥ 1, arrivals outpace service; no steady state, \
                 the queue grows without bound",
            );
            for l in fmt::wrap(&msg, width).into_iter().take(2) {
                out.push(Line::styled(l, theme.bad));
            }
        }
    }
}

/// Little's law, L = λ·W, with a tick when the two sides agree within 5 %.
fn little(th: &Theory, t: &Columns) -> Line<'static> {
    let theme = t.theme;
    let agree = th.little_lambda_w > 0.0
        && ((th.little_l - th.little_lambda_w) / th.little_lambda_w).abs() <= 0.05;
    let mark = match (agree, theme.ascii) {
        (true, false) => " ✓",
        (true, true) => " ok",
        _ => "",
    };
    Line::from(vec![
        t.label(t.pick("Little L = λ·W", "L = λ·W")),
        t.value(num(th.little_lambda_w), theme.text),
        t.value(num(th.little_l), theme.text),
        Span::styled(mark, theme.good),
    ])
}

/// For a finite workload: the makespan ⌈n/c⌉·S beside the run time.
fn makespan_line(snap: &Snapshot, th: &Theory, t: &Columns) -> Option<Line<'static>> {
    let n = snap.total_items?;
    let c = snap.role(Role::Consumer).count() as u32;
    let predicted = makespan(n, c, Duration::from_secs_f64(th.service_s));
    let measured = if snap.phase == Phase::Done {
        fmt::dur(snap.elapsed)
    } else {
        format!("{}{}", t.tx("≥"), fmt::dur(snap.elapsed))
    };
    let label = if t.wide {
        format!("makespan ⌈{n}/{c}⌉·S")
    } else {
        "makespan".to_string()
    };
    Some(Line::from(vec![
        t.label(&label),
        t.value(fmt::dur(predicted), t.theme.text),
        t.value(measured, t.theme.text),
    ]))
}

/// The consumers it takes for ρ ≤ 0.8, against the count now (which goes
/// first where the line does not fit).
fn consumers_needed(th: &Theory, t: &Columns) -> Option<Line<'static>> {
    let k = th.consumers_for_80pct?;
    let theme = t.theme;
    let enough = th.consumers >= k;
    let lead = t.tx(t.pick("ρ ≤ 0.8 needs ", "for ρ ≤ 0.8: "));
    let need = fmt::n_of(k as usize, "consumer");
    let now = format!(" (now {})", th.consumers);
    let mut spans = vec![
        Span::styled(lead, theme.dim),
        Span::styled(need, if enough { theme.good } else { theme.warn }),
    ];
    if spans.iter().map(Span::width).sum::<usize>() + now.len() <= t.width {
        spans.push(Span::styled(now, theme.dim));
    }
    Some(Line::from(spans))
}

/// A textbook buffer's lesson, in `width` cells at most: the queueing model
/// knows nothing of its lock, and the buggy ones may never finish.
fn textbook_note(snap: &Snapshot, width: usize) -> Option<&'static str> {
    use crate::sim::QueueKind;
    let said: &[&'static str] = match snap.textbook.as_ref()?.kind {
        QueueKind::Condvar => &[
            "mutex buffer: every put and get takes one lock; waits re-check (while)",
            "one lock for every put and get; waits re-check",
            "one lock; waits re-check",
        ],
        QueueKind::CondvarOneCv => &[
            "one condition variable: a signal can wake a thread of the same side",
            "one cv: a signal can wake the wrong side",
            "one cv: wrong wake-ups",
        ],
        QueueKind::CondvarIf => &[
            "if, not while: a woken thread does not check its condition again",
            "if: a woken thread does not re-check",
            "if: no re-check",
        ],
        QueueKind::Channel => return None,
    };
    said.iter().copied().find(|s| s.chars().count() <= width)
}

/// Where the model's assumptions do not hold for this run, in `width`
/// cells at most.
fn caveat(snap: &Snapshot, width: usize) -> Option<&'static str> {
    let said: &[&'static str] = if !is_mmc(snap) {
        &[
            "times not exponential: Erlang-C is a guide here",
            "not exponential: Erlang-C is a guide",
            "not M/M/c: a guide only",
        ]
    } else if matches!(snap.capacity, Capacity::Bounded(_) | Capacity::Rendezvous) {
        &[
            "bounded queue: blocked producers are not modelled",
            "bounded queue: blocking not modelled",
            "bounded: not modelled",
        ]
    } else {
        return None;
    };
    said.iter().copied().find(|s| s.chars().count() <= width)
}

/// Draws the panel.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let title = if is_mmc(snap) {
        " Theory M/M/c vs measured "
    } else {
        " Theory vs measured "
    };
    let bottom = Line::from(vec![
        Span::raw(" "),
        Span::styled("t", theme.key),
        Span::styled(" closes ", theme.dim),
    ]);
    let inner = draw::panel(buf, area, &Line::from(title), Some(&bottom), theme);
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    // Computed only here, so a hidden panel costs nothing.
    let th = theory(snap);
    for (k, line) in lines(snap, &th, inner.width as usize, theme)
        .iter()
        .take(inner.height as usize)
        .enumerate()
    {
        let row = Rect {
            y: inner.y + k as u16,
            height: 1,
            ..inner
        };
        draw::spans(buf, row, &line.spans);
    }
}
