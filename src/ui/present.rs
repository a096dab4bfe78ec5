//! Presentation mode (`--present`): the screen for a projector. Few large
//! panels — the lesson in words, the key numbers (queue depth, items done
//! per second, pills taken, elapsed time) in block digits, the queue, the
//! threads and the narrated event log — and nothing a class cannot read
//! from the back of the room. The stats panel is left out; the theory panel
//! still opens with `t`.
//!
//! At 80×24 every panel is kept but small (the digits are half-block, three
//! rows tall); from about 150 columns the threads and the log stand side by
//! side and the digits grow.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::bigtext::{self, Size};
use super::queue::recent_rates;
use super::theme::Theme;
use super::{draw, events, fmt, footer, header, queue, theory, threads, warnings};
use crate::analysis::lint::Lint;
use crate::app::{Geometry, ViewState};
use crate::sim::{Capacity, Role, Snapshot};

/// One key number: a label above a value in block digits.
#[derive(Clone, Debug, PartialEq)]
pub struct Tile {
    /// What the number is, in words.
    pub label: String,
    /// The same in fewer words, for a narrow tile.
    pub short: String,
    /// The number, in characters the block font has.
    pub value: String,
    /// Its colour.
    pub style: Style,
}

/// `n` in at most four glyphs of the block font: `7`, `342`, `12k`.
fn short_count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{}k", n / 1000),
        _ => format!("{}M", (n / 1_000_000).min(9_999)),
    }
}

/// A rate per second in at most four or five glyphs: `0`, `4.3`, `26.7`, `342`, `12k`.
fn short_rate(x: f64) -> String {
    if !x.is_finite() || x < 0.05 {
        "0".into()
    } else if x < 100.0 {
        format!("{x:.1}")
    } else if x < 10_000.0 {
        format!("{x:.0}")
    } else if x < 1e6 {
        format!("{:.0}k", x / 1e3)
    } else {
        format!("{:.1}M", x / 1e6)
    }
}

/// Elapsed time as `m:ss` (`h:mm:ss` past an hour), steadier than tenths
/// of a second for a class to read.
fn clock(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s < 3600 {
        format!("{}:{:02}", s / 60, s % 60)
    } else {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    }
}

/// The four key numbers.
pub fn tiles(snap: &Snapshot, theme: &Theme) -> [Tile; 4] {
    let c = &snap.counts;
    let depth = c.depth();
    let (depth_label, depth_style) = match snap.capacity {
        Capacity::Bounded(n) => {
            let ratio = depth as f64 / n.max(1) as f64;
            let st = if ratio >= 0.9 {
                theme.bad
            } else if ratio >= 0.5 {
                theme.warn
            } else {
                theme.good
            };
            (format!("queue depth (of {n})"), st)
        }
        Capacity::Unbounded => ("queue depth (unbounded)".to_string(), theme.text),
        Capacity::Rendezvous => ("queue depth (rendezvous)".to_string(), theme.text),
    };
    let depth_short = match snap.capacity {
        Capacity::Bounded(n) => format!("depth of {n}"),
        _ => "queue depth".to_string(),
    };
    let (_, out) = recent_rates(&snap.history);
    let consumers = snap.role(Role::Consumer).count() as u64;
    let pills = match c.pills_planned {
        Some(planned) => Tile {
            label: format!("pills taken, {}", fmt::n_of(consumers as usize, "consumer")),
            short: "pills taken".into(),
            value: format!("{}/{}", c.pills_received.min(999), planned.min(999)),
            // Fewer pills than consumers is the bug this number teaches.
            style: if planned < consumers {
                theme.bad
            } else {
                theme.pill
            },
        },
        None => Tile {
            label: "pills: none yet".into(),
            short: "no pills yet".into(),
            value: "-".into(),
            style: theme.dim,
        },
    };
    [
        Tile {
            label: depth_label,
            short: depth_short,
            value: short_count(depth),
            style: depth_style,
        },
        Tile {
            label: "items done per second".into(),
            short: "done per second".into(),
            value: short_rate(out),
            style: theme.text,
        },
        pills,
        Tile {
            label: "elapsed".into(),
            short: "elapsed".into(),
            value: clock(snap.elapsed),
            style: theme.text,
        },
    ]
}

/// Draws the key numbers across `area`: labels on the first row, digits
/// under them at the largest size that fits every tile (one size for all,
/// so the numbers read as a set). Falls back to plain text when even
/// half-block digits do not fit.
fn numbers(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    if area.height == 0 || area.width < 8 {
        return;
    }
    let tiles = tiles(snap, theme);
    let n = tiles.len() as u16;
    let tile_w = area.width / n;
    let values: Vec<&str> = tiles.iter().map(|t| t.value.as_str()).collect();
    let digits_h = area.height.saturating_sub(1);
    let size = bigtext::fit(&values, tile_w.saturating_sub(2), digits_h, theme.ascii);
    for (k, t) in tiles.iter().enumerate() {
        let x = area.x + k as u16 * tile_w;
        let w = if k as u16 == n - 1 {
            area.right() - x
        } else {
            tile_w
        };
        let cell = Rect::new(x, area.y, w, area.height);
        let room = w.saturating_sub(2) as usize;
        let label = if t.label.chars().count() <= room {
            &t.label
        } else {
            &t.short
        };
        let label = fmt::ellipsize(label, room, theme.glyphs.ellipsis);
        let lx = x + (w.saturating_sub(label.chars().count() as u16)) / 2;
        draw::put(
            buf,
            lx,
            area.y,
            &label,
            w as usize,
            theme.title.remove_modifier(Modifier::BOLD),
        );
        let style = t.style.add_modifier(Modifier::BOLD);
        match size {
            Some(size) => {
                let vw = bigtext::width(&t.value, size).unwrap_or(0);
                let vx = x + w.saturating_sub(vw) / 2;
                // Centre the digits in the rows under the label.
                let vy = area.y + 1 + digits_h.saturating_sub(size.height()) / 2;
                bigtext::draw(buf, cell, (vx, vy), &t.value, size, style, theme.ascii);
            }
            None if area.height >= 2 => {
                let vx = x + w.saturating_sub(t.value.len() as u16) / 2;
                draw::put(buf, vx, area.y + 1, &t.value, w as usize, style);
            }
            None => {}
        }
    }
}

/// Rows for the key numbers on a screen `h` rows tall: the label, then
/// 10-, 5- or 3-row digits.
fn numbers_height(h: u16) -> u16 {
    match h {
        0..=29 => 1 + Size::Half.height(),
        30..=69 => 1 + Size::Blocks { sx: 2, sy: 1 }.height() + 1,
        _ => 1 + Size::Blocks { sx: 4, sy: 2 }.height() + 1,
    }
}

/// The lesson, word-wrapped to at most `max_lines`; the last line is cut
/// with an ellipsis if the lesson is longer.
fn lesson_lines(lesson: &str, width: usize, max_lines: usize, ellipsis: &str) -> Vec<String> {
    let mut lines = fmt::wrap(lesson, width);
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(fmt::ellipsize(&rest, width, ellipsis));
    }
    lines
}

/// Draws the presentation screen; returns where the thread rows and event
/// lines landed, as [`super::render`] does.
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    snap: &Snapshot,
    view: &ViewState,
    rows: &[usize],
    found: &[Lint],
    theme: &Theme,
) -> Geometry {
    let opts = header::HeaderOpts {
        hang: warnings::any_hang(found),
        lesson: false,
        source: Some(&view.source),
    };
    header::render(buf, Rect { height: 1, ..area }, snap, opts, theme);
    let footer_area = Rect {
        y: area.bottom() - 1,
        height: 1,
        ..area
    };
    footer::render(buf, footer_area, snap, view, theme);
    let tall = area.height >= 40;
    let wide = area.width >= 150;
    let mut y = area.y + 1;
    let bottom = area.bottom() - 1;
    y += lesson(buf, area, y, snap, theme);

    let warn_max = if tall { 6 } else { 4 };
    let warn_h =
        warnings::height(found, area.width, warn_max, theme).min(bottom.saturating_sub(y) / 3);
    warnings::render(buf, Rect::new(area.x, y, area.width, warn_h), found, theme);
    y += warn_h;

    let mut nh = numbers_height(area.height).min(bottom.saturating_sub(y) / 3);
    // With the theory panel open on a small screen, the digits give way to
    // it: the queue, the theory and a few lines of the log still fit.
    if view.theory && !wide && bottom.saturating_sub(y + nh) < theory::HEIGHT + 8 {
        nh = 0;
    }
    numbers(
        buf,
        Rect::new(area.x, y, area.width, nh.saturating_sub(u16::from(tall))),
        snap,
        theme,
    );
    y += nh;

    let rest = Rect::new(area.x, y, area.width, bottom.saturating_sub(y));
    if rest.height < 4 {
        Geometry::default()
    } else if wide {
        side_by_side(buf, rest, snap, view, rows, theme)
    } else {
        stacked(buf, rest, snap, view, rows, theme)
    }
}

/// The lesson, the sentence the class should leave with, from row `y` of
/// `area`; returns the rows it took.
fn lesson(buf: &mut Buffer, area: Rect, y: u16, snap: &Snapshot, theme: &Theme) -> u16 {
    if snap.lesson.is_empty() {
        return 0;
    }
    let lesson = theme.text_of(&snap.lesson);
    let prefix = "Lesson: ";
    let width = (area.width as usize).saturating_sub(2 + prefix.len());
    // Two lines as soon as the screen has the standard 24 rows: the
    // lesson is the sentence to remember, and worth a row of the log.
    let max = if area.height >= 24 { 2 } else { 1 };
    let lines = lesson_lines(&lesson, width, max, theme.glyphs.ellipsis);
    let bold = theme.text.add_modifier(Modifier::BOLD);
    for (k, line) in lines.iter().enumerate() {
        let row = y + k as u16;
        let lead = if k == 0 { prefix } else { "        " };
        let x = draw::put(buf, area.x + 1, row, lead, prefix.len(), theme.key);
        draw::put(buf, x, row, line, width, bold);
    }
    lines.len() as u16
}

/// Rows the threads panel wants for `rows`: border, column header, rows.
fn threads_want(rows: &[usize]) -> u16 {
    u16::try_from(rows.len())
        .unwrap_or(u16::MAX)
        .saturating_add(3)
}

/// A wide screen: the queue across the top (with the theory panel beside
/// it when open), then threads and the log side by side.
fn side_by_side(
    buf: &mut Buffer,
    rest: Rect,
    snap: &Snapshot,
    view: &ViewState,
    rows: &[usize],
    theme: &Theme,
) -> Geometry {
    let mut qh = (rest.height * 2 / 5).clamp(4, 14);
    if view.theory {
        qh = qh.max(theory::HEIGHT).min(rest.height / 2);
    }
    let theory_w = if view.theory {
        (rest.width * 3 / 10).clamp(44, 64)
    } else {
        0
    };
    queue::render(
        buf,
        Rect::new(rest.x, rest.y, rest.width - theory_w, qh),
        snap,
        theme,
    );
    if theory_w > 0 {
        let r = Rect::new(rest.right() - theory_w, rest.y, theory_w, qh);
        theory::render(buf, r, snap, theme);
    }
    let below = Rect::new(rest.x, rest.y + qh, rest.width, rest.height - qh);
    // A short thread list goes above a full-width log; a long one
    // stands beside the log and takes the whole height.
    let want = threads_want(rows);
    let (threads_r, events_r) = if want <= below.height / 2 {
        let th = want.max(6);
        (
            Rect {
                height: th,
                ..below
            },
            Rect::new(below.x, below.y + th, below.width, below.height - th),
        )
    } else {
        let tw = below.width * 11 / 20;
        (
            Rect { width: tw, ..below },
            Rect::new(below.x + tw, below.y, below.width - tw, below.height),
        )
    };
    Geometry {
        threads_body: threads::render(
            buf,
            threads_r,
            snap,
            rows,
            &view.threads,
            view.present,
            theme,
        ),
        event_rows: events::render_with(buf, events_r, snap, theme, log_opts(view)),
    }
}

/// A narrower screen, stacked: the queue (gauge and strip; the chart too
/// when there is height), then the threads (or the theory panel while it
/// is open), then the log, which keeps at least four lines.
fn stacked(
    buf: &mut Buffer,
    rest: Rect,
    snap: &Snapshot,
    view: &ViewState,
    rows: &[usize],
    theme: &Theme,
) -> Geometry {
    let qh = if rest.height >= 30 {
        10
    } else if rest.height >= 20 {
        4
    } else {
        1
    };
    if qh == 1 {
        queue_row(buf, rest, snap, theme);
    } else {
        queue::render(buf, Rect { height: qh, ..rest }, snap, theme);
    }
    let mid = Rect::new(rest.x, rest.y + qh, rest.width, rest.height - qh);
    let events_min = if view.theory { 4 } else { 6 }.min(mid.height);
    let room = mid.height - events_min;
    let mid_h = if view.theory {
        room.min(theory::HEIGHT)
    } else {
        room.min(threads_want(rows))
    };
    let top = Rect {
        height: mid_h,
        ..mid
    };
    let mut geometry = Geometry::default();
    if view.theory {
        theory::render(buf, top, snap, theme);
    } else {
        geometry.threads_body =
            threads::render(buf, top, snap, rows, &view.threads, view.present, theme);
    }
    geometry.event_rows = events::render_with(
        buf,
        Rect::new(mid.x, mid.y + mid_h, mid.width, mid.height - mid_h),
        snap,
        theme,
        log_opts(view),
    );
    geometry
}

/// A small screen: the digits already say the depth, so the queue is one
/// row, its contents, on the first row of `area`, and the rows go to
/// threads and the log.
fn queue_row(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let cap = match snap.capacity {
        Capacity::Bounded(n) => format!(" queue ({n}) "),
        Capacity::Unbounded => " queue ".to_string(),
        Capacity::Rendezvous => " queue (0) ".to_string(),
    };
    let x = draw::put(buf, area.x, area.y, &cap, area.width as usize, theme.title);
    let r = Rect::new(x, area.y, area.right().saturating_sub(x), 1);
    queue::strip_line(buf, r, snap, theme);
}

/// The narrated log in presentation mode: prominent, chatter as `b` says.
fn log_opts(view: &ViewState) -> events::LogOpts<'_> {
    events::LogOpts {
        prominent: true,
        hide_chatter: view.hide_chatter,
        notes: view.lint_notes.notes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_short() {
        assert_eq!(short_count(42), "42");
        assert_eq!(short_count(123_456), "123k");
        assert_eq!(short_rate(0.0), "0");
        assert_eq!(short_rate(26.66), "26.7");
        assert_eq!(short_rate(1234.0), "1234");
        assert_eq!(short_rate(12_345.0), "12k");
        assert_eq!(clock(std::time::Duration::from_millis(72_400)), "1:12");
        assert_eq!(clock(std::time::Duration::from_secs(3_723)), "1:02:03");
    }

    #[test]
    fn every_tile_value_is_in_the_font() {
        let theme = Theme::default();
        for snap in [
            crate::testing::running(4),
            crate::testing::draining(),
            crate::testing::hang(),
        ] {
            for t in tiles(&snap, &theme) {
                assert!(
                    bigtext::width(&t.value, Size::Half).is_some(),
                    "{:?}",
                    t.value
                );
            }
        }
    }
}
