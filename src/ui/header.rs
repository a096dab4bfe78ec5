//! The top line: scenario, run state, run time (active; with the time it
//! stood paused and the wall time once it has been paused), seed, and during a
//! shutdown the pill and join progress (`pills sent 3/4 · 1/4 consumers exited`);
//! `GIL on` while the emulated GIL is; the scenario's lesson, cut with an
//! ellipsis where the line ends. While the run is hung the whole bar turns
//! to the alarm colour and says so first, where it cannot be cut off.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use super::theme::{Theme, ThemeKind};
use super::{draw, fmt};
use crate::sim::ThreadState;
use crate::sim::{Capacity, Phase, Role, Snapshot};
use crate::source::SourceView;

/// Bytes as `812 B`, `12 KB`, `3.4 MB`.
fn bytes(n: u64) -> String {
    if n < 1000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{} KB", n / 1000)
    } else {
        format!("{:.1} MB", n as f64 / 1e6)
    }
}

/// The spans that say where the frames come from: nothing for a plain live
/// run, `● rec 12 KB` while recording, and for a replay the cursor,
/// `replay ▶ 2x 5.80s/12.0s 48%`. Losses are said in words.
pub fn source_spans(source: &SourceView, theme: &Theme) -> Vec<Span<'static>> {
    let bold = theme.bar.add_modifier(Modifier::BOLD);
    let colored = |style: Style| match style.fg {
        Some(fg) if theme.color && theme.kind == ThemeKind::Default => theme.bar.fg(fg),
        _ => theme.bar,
    };
    let dot = theme.glyphs.dot;
    match source {
        SourceView::Live => Vec::new(),
        SourceView::Recording(r) => {
            let rec = if theme.ascii { "* rec" } else { "● rec" };
            let mut v = vec![Span::styled(
                format!("{rec} {}", bytes(r.bytes)),
                colored(theme.bad).add_modifier(Modifier::BOLD),
            )];
            if r.error.is_some() {
                v.push(Span::styled(
                    format!("{dot}recording failed"),
                    colored(theme.bad).add_modifier(Modifier::BOLD),
                ));
            } else if r.dropped_events > 0 {
                v.push(Span::styled(
                    format!(
                        "{dot}{} dropped",
                        fmt::n_of(r.dropped_events as usize, "event")
                    ),
                    colored(theme.warn).add_modifier(Modifier::BOLD),
                ));
            }
            v
        }
        SourceView::Replay(r) => {
            let state = match (r.playing, theme.ascii) {
                (true, false) => "▶",
                (true, true) => ">",
                (false, false) => "‖",
                (false, true) => "||",
            };
            let speed = if r.speed < 1.0 {
                format!("{}x", r.speed)
            } else {
                format!("{:.0}x", r.speed)
            };
            let mut v = vec![
                Span::styled("replay ", bold),
                Span::styled(
                    format!("{state} {speed} "),
                    colored(theme.warn).add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    format!(
                        "{}/{} {:.0}%{dot}event {}/{}",
                        fmt::elapsed(r.at),
                        fmt::elapsed(r.duration),
                        r.fraction() * 100.0,
                        r.events.0,
                        r.events.1
                    ),
                    theme.bar,
                ),
            ];
            if r.dropped_events > 0 {
                v.push(Span::styled(
                    format!(
                        "{dot}{} lost in recording",
                        fmt::n_of(r.dropped_events as usize, "event")
                    ),
                    colored(theme.warn).add_modifier(Modifier::BOLD),
                ));
            }
            v
        }
    }
}

/// The phase as `symbol word`, styled.
pub fn phase_label(phase: Phase, theme: &Theme) -> (String, Style) {
    let (u, a, style) = match phase {
        Phase::Running => ("▶", ">", theme.good),
        Phase::Paused => ("‖", "||", theme.warn),
        Phase::ShuttingDown => ("◐", "~", theme.pill),
        Phase::Done => ("✓", "v", theme.good),
        Phase::Aborted => ("✗", "x", theme.bad),
    };
    let sym = if theme.ascii { a } else { u };
    (format!("{sym} {}", phase.name()), style)
}

/// Consumers that have left their loop, and all consumers.
pub fn consumers_exited(snap: &Snapshot) -> (usize, usize) {
    let total = snap.role(Role::Consumer).count();
    (total - snap.live(Role::Consumer), total)
}

/// What the header shows beyond the snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HeaderOpts<'a> {
    /// A hang lint fired: the run can never finish on its own.
    pub hang: bool,
    /// Show the lesson at the end of the line (presentation mode gives it
    /// a line of its own instead).
    pub lesson: bool,
    /// Where the frames come from (a recording in progress, a replay's
    /// cursor); `None` for a plain live run.
    pub source: Option<&'a SourceView>,
}

/// Below this width the seed is left out, to leave room for the lesson.
const SEED_MIN_WIDTH: u16 = 130;
/// The lesson is shown only with at least this many cells for it.
const LESSON_MIN: usize = 24;

/// Draws the header bar.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, opts: HeaderOpts<'_>, theme: &Theme) {
    // A hung run paints the whole bar in the alarm colour: the one thing
    // on screen that must not be missed.
    let hung;
    let theme = if opts.hang {
        let mut t = theme.clone();
        t.bar = t.alarm;
        hung = t;
        &hung
    } else {
        theme
    };
    buf.set_style(area, theme.bar);
    let width = area.width as usize;
    // The fullest form that fits: each level says things more briefly.
    let mut spans = Vec::new();
    for level in 0..=MAX_LEVEL {
        spans = header_spans(snap, opts, theme, width, level);
        if spans.iter().map(Span::width).sum::<usize>() <= width {
            break;
        }
    }
    // The lesson only where it fits whole: a cut lesson reads as a wrong one.
    if opts.lesson && !snap.lesson.is_empty() {
        let sep = Span::raw(theme.glyphs.sep);
        let used: usize = spans.iter().map(Span::width).sum::<usize>() + sep.width();
        let lesson = theme.text_of(&snap.lesson).into_owned();
        let room = width.saturating_sub(used + 1);
        if room >= LESSON_MIN && lesson.chars().count() <= room {
            spans.push(sep);
            spans.push(Span::raw(lesson));
        }
    }
    // Unstyled spans keep the bar's colours set above.
    draw::spans(buf, area, &spans);
}

/// The most compact form of the header.
const MAX_LEVEL: u8 = 5;

/// The header's parts at `level` of brevity: 0 is the fullest; from 1 the
/// clock leaves out the wall time, from 2 the counts are short, from 3 a
/// hang is said briefly, from 4 the scenario's name goes, at 5 the phase is
/// its symbol alone.
fn header_spans(
    snap: &Snapshot,
    opts: HeaderOpts<'_>,
    theme: &Theme,
    width: usize,
    level: u8,
) -> Vec<Span<'static>> {
    let sep = Span::raw(theme.glyphs.sep);
    let bold = theme.bar.add_modifier(Modifier::BOLD);
    let mut spans = vec![Span::styled(" queuescope", bold)];
    if opts.hang {
        let sign = if theme.ascii { "!!" } else { "⚠" };
        let words = if level >= 3 {
            "HANG (q quits)"
        } else {
            "HANG: will never finish (q quits)"
        };
        spans.extend([sep.clone(), Span::styled(format!("{sign} {words}"), bold)]);
    }
    // The replay's cursor (or the recording's size) early in the line,
    // where a narrow terminal does not cut it off.
    if let Some(source) = opts.source {
        let from = source_spans(source, theme);
        if !from.is_empty() {
            spans.push(sep.clone());
            spans.extend(from);
        }
    }
    if level < 4 {
        let name = theme.text_of(&snap.scenario).into_owned();
        spans.extend([sep.clone(), Span::raw(name)]);
    }
    let (phase, phase_style) = phase_label(snap.phase, theme);
    let phase = match phase.split_once(' ') {
        Some((sym, _)) if level >= 5 => sym.to_string(),
        _ => phase,
    };
    let phase_style = on_bar(phase_style, theme).add_modifier(Modifier::BOLD);
    spans.extend([sep.clone(), Span::styled(phase, phase_style)]);
    if snap.gil {
        // In the waiting-for-the-GIL colour, as the threads that wait show
        // it (not on a hung run's alarm bar).
        let gil_style = if opts.hang {
            theme.bar
        } else {
            on_bar(theme.state(ThreadState::WaitingGil), theme)
        };
        spans.extend([
            sep.clone(),
            Span::styled("GIL on", gil_style.add_modifier(Modifier::BOLD)),
        ]);
    }
    let wide = level == 0 && width >= SEED_MIN_WIDTH as usize;
    spans.extend([sep.clone(), Span::raw(clock_words(snap, wide))]);
    if wide {
        spans.extend([sep.clone(), Span::raw(format!("seed {}", snap.seed))]);
    }
    spans.push(sep);
    spans.extend(threads_or_pills(snap, theme, level >= 2));
    spans
}

/// The run's active time (the run clock), and once it has stood still the
/// time it stood paused beside it, with the wall time on a wide screen:
/// `12.4s`, `12.4s (10.0s paused)`, `12.4s · 10.0s paused · wall 22.4s`.
pub fn clock_words(snap: &Snapshot, wide: bool) -> String {
    let active = fmt::elapsed(snap.elapsed);
    let paused = snap.paused();
    // Whole seconds: they tick while the run stands still, and a paused
    // screen need not be redrawn more often than that.
    let whole = |d: std::time::Duration| fmt::elapsed(std::time::Duration::from_secs(d.as_secs()));
    if paused < std::time::Duration::from_secs(1) {
        active
    } else if wide {
        format!(
            "{active} · {} paused · wall {}",
            whole(paused),
            whole(snap.wall)
        )
    } else {
        format!("{active} ({} paused)", whole(paused))
    }
}

/// `style`'s colour on the bar: the bar's background with the style's
/// foreground, only where that stays readable (the default palette in
/// colour; the contrast bar is black on white, and coloured words fade).
fn on_bar(style: Style, theme: &Theme) -> Style {
    match style.fg {
        Some(fg) if theme.color && theme.kind == ThemeKind::Default => theme.bar.fg(fg),
        _ => theme.bar,
    }
}

/// The thread counts and the queue, or during a poison-pill shutdown (and
/// after one) the pills sent and the consumers that have left; `short`
/// says it in fewer cells.
fn threads_or_pills(snap: &Snapshot, theme: &Theme, short: bool) -> Vec<Span<'static>> {
    let c = &snap.counts;
    let dot = theme.glyphs.dot;
    match snap.phase {
        Phase::ShuttingDown | Phase::Done | Phase::Aborted if c.pills_planned.is_some() => {
            let (gone, total) = consumers_exited(snap);
            let planned = c.pills_planned.unwrap_or_default();
            let (pills, exited) = if short {
                (
                    format!("pills {}/{planned}", c.pills_sent),
                    format!("{gone}/{total} exited"),
                )
            } else {
                (
                    format!("pills sent {}/{planned}", c.pills_sent),
                    format!("{gone}/{total} consumers exited"),
                )
            };
            let mut v = vec![Span::styled(pills, theme.bar.add_modifier(Modifier::BOLD))];
            // The drain's progress and time left, while items remain: early
            // in the line, where a narrow terminal does not cut it off.
            if let Some(d) = crate::analysis::drain::estimate(snap) {
                v.push(Span::styled(
                    format!("{dot}{}", crate::analysis::drain::short(&d)),
                    theme.bar.add_modifier(Modifier::BOLD),
                ));
            }
            v.push(Span::raw(format!("{dot}{exited}")));
            v
        }
        _ => {
            let cap = match (snap.capacity, short) {
                (Capacity::Unbounded, false) => "unbounded queue".to_string(),
                (Capacity::Unbounded, true) => "unbounded".to_string(),
                (Capacity::Rendezvous, false) => "rendezvous queue".to_string(),
                (Capacity::Rendezvous, true) => "rendezvous".to_string(),
                (Capacity::Bounded(n), _) => format!("queue {n}"),
            };
            let (p, c) = (snap.live(Role::Producer), snap.live(Role::Consumer));
            let who = if short {
                format!("{p}P{dot}{c}C")
            } else {
                format!(
                    "{}{dot}{}",
                    fmt::n_of(p, "producer"),
                    fmt::n_of(c, "consumer")
                )
            };
            vec![Span::raw(format!("{who}{dot}{cap}"))]
        }
    }
}
