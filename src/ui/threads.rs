//! The threads panel: one row per thread with its state as symbol, colour
//! and words (`working #17`, `blocked: queue full`, `got pill → exited`),
//! items, busy %, and a swimlane of its recent states.
//!
//! Only the visible rows are formatted, and rows are written straight into
//! the buffer, so a thousand threads cost about as much as a screenful.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::Theme;
use super::{draw, fmt};
use crate::app::ThreadTable;
use crate::sim::snapshot::HISTORY_STEP;
use crate::sim::{Capacity, ExitReason, Phase, Role, Snapshot, ThreadSnap, ThreadState};

/// Blocked or waiting longer than this shows how long, so a stuck thread stands out.
const SHOW_WAIT_AFTER: std::time::Duration = std::time::Duration::from_millis(100);

/// A crash without an item: under the `if` buffer, a wake-up the thread
/// did not re-check (its own record says its condition was false).
fn crash_words(t: &ThreadSnap, snap: &Snapshot) -> String {
    let if_bug = snap
        .textbook
        .as_ref()
        .is_some_and(|tb| tb.kind == crate::sim::QueueKind::CondvarIf);
    if if_bug && t.woke_held == Some(false) {
        let what = if t.role == crate::sim::Role::Consumer {
            crate::sim::condvar::EMPTY_BUG
        } else {
            crate::sim::condvar::FULL_BUG
        };
        format!("crashed: {what}")
    } else {
        "crashed".to_string()
    }
}

/// The state in words, as the row and the details title show it.
pub fn state_words(t: &ThreadSnap, snap: &Snapshot, theme: &Theme) -> String {
    state_words_within(t, snap, theme, usize::MAX)
}

/// [`state_words`] in at most `width` cells where possible: the time spent
/// blocked is left off before the words themselves would be cut.
pub fn state_words_within(t: &ThreadSnap, snap: &Snapshot, theme: &Theme, width: usize) -> String {
    let arrow = theme.glyphs.arrow;
    let item = |verb: &str| match t.current_item {
        Some(id) => format!("{verb} #{id}"),
        None => verb.to_string(),
    };
    let mut s = match t.state {
        ThreadState::Starting => "starting".to_string(),
        ThreadState::Producing => item("producing"),
        ThreadState::Working => item("working"),
        ThreadState::BlockedFull => match snap.capacity {
            Capacity::Rendezvous => "blocked: no receiver".to_string(),
            _ => "blocked: queue full".to_string(),
        },
        ThreadState::WaitingEmpty => "waiting: queue empty".to_string(),
        ThreadState::WaitingLock | ThreadState::WaitingCv => mutex_words(t, snap),
        ThreadState::WaitingGil => match t.current_item {
            Some(id) => format!("waiting: GIL (#{id})"),
            None => "waiting: GIL".to_string(),
        },
        // Parked in the middle of its work: which item it holds.
        ThreadState::Paused => item("paused"),
        ThreadState::Joining => {
            let c = &snap.counts;
            if snap.phase == Phase::Running
                || snap.phase == Phase::Paused && c.pills_planned.is_none()
            {
                "joining producers".to_string()
            } else if c.pills_planned.is_some_and(|n| c.pills_sent >= n) {
                "joining consumers".to_string()
            } else {
                "joining".to_string()
            }
        }
        ThreadState::Exited => match t.exit {
            Some(ExitReason::Pill) => format!("got pill {arrow} exited"),
            Some(ExitReason::Retired) => format!("retired {arrow} exited"),
            Some(ExitReason::Finished) => format!("finished {arrow} exited"),
            Some(ExitReason::Stopped) => format!("stopped {arrow} exited"),
            Some(ExitReason::Done) => format!("joined all {arrow} exited"),
            Some(ExitReason::Crashed) => "crashed".to_string(),
            Some(ExitReason::Aborted) => "aborted".to_string(),
            None => "exited".to_string(),
        },
        ThreadState::Crashed => match t.current_item {
            Some(id) => format!("crashed on #{id}"),
            None => crash_words(t, snap),
        },
    };
    if t.retiring && !t.state.is_final() {
        s.push_str(" (retiring)");
    }
    let holds = snap
        .textbook
        .as_ref()
        .is_some_and(|tb| tb.lock_holder == Some(t.id));
    if holds {
        s.insert_str(0, holder_mark(theme));
    }
    let waiting = t.state.is_blocked() || t.state == ThreadState::WaitingGil;
    if waiting && t.in_state_for >= SHOW_WAIT_AFTER {
        let d = fmt::dur(t.in_state_for);
        if s.chars().count() + 1 + d.len() <= width {
            s.push(' ');
            s.push_str(&d);
        }
    }
    s
}

/// A textbook buffer's waits in words: for its mutex, or asleep on a
/// condition variable.
fn mutex_words(t: &ThreadSnap, snap: &Snapshot) -> String {
    if t.state == ThreadState::WaitingLock {
        return match turn_of(snap) {
            // Lesson order: the lock is free, but it is another thread's turn.
            Some(other) if other.id != t.id => format!("waiting: lock ({}'s turn)", other.name),
            _ => "waiting: lock".to_string(),
        };
    }
    let cv =
        t.cv.map_or("a condition variable".into(), |c| c.to_string());
    // Its last wake-up found nothing: it went back to sleep.
    let again = if t.woke_held == Some(false) {
        ", again"
    } else {
        ""
    };
    format!("asleep on {cv}{again}")
}

/// Lesson order: the thread whose turn it is while nobody holds the mutex.
fn turn_of(snap: &Snapshot) -> Option<&ThreadSnap> {
    let tb = snap
        .textbook
        .as_ref()
        .filter(|tb| tb.lock_holder.is_none())?;
    let id = tb.turn?;
    snap.threads.iter().find(|t| t.id == id)
}

/// The mark in front of the state of the thread holding a textbook
/// buffer's mutex.
pub fn holder_mark(theme: &Theme) -> &'static str {
    if theme.ascii { "[L] " } else { "▣ " }
}

/// The state a swimlane cell shows: a crash is marked once, where it
/// happened; after that the thread is simply gone, like an exited one.
pub fn lane_cell(prev: Option<ThreadState>, s: ThreadState) -> ThreadState {
    if s == ThreadState::Crashed && prev == Some(ThreadState::Crashed) {
        ThreadState::Exited
    } else {
        s
    }
}

/// Short role name for narrow screens.
fn role_short(r: Role) -> &'static str {
    match r {
        Role::Producer => "prod",
        Role::Consumer => "cons",
        Role::Coordinator => "main",
    }
}

/// Column widths for a panel `width` cells wide.
struct Columns {
    name: usize,
    role: usize,
    state: usize,
    items: usize,
    busy: usize,
    lane: usize,
}

impl Columns {
    fn new(width: usize, name: usize) -> Columns {
        let wide = width >= 110;
        let mut c = Columns {
            name,
            role: if wide { 11 } else { 4 },
            state: if wide { 26 } else { 20 },
            items: 7,
            busy: 5,
            lane: 0,
        };
        // symbol + gaps between the six columns
        let fixed = 2 + c.name + 1 + c.role + 1 + c.state + 1 + c.items + 1 + c.busy + 1;
        c.lane = width.saturating_sub(fixed);
        c
    }
}

/// Draws the threads panel with `rows` (indices into `snap.threads`, as
/// the `table` orders them, live threads first when `live_first`); returns
/// the rectangle of the thread rows.
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    snap: &Snapshot,
    rows: &[usize],
    table: &ThreadTable,
    live_first: bool,
    theme: &Theme,
) -> Rect {
    let title = title(snap, rows, table, live_first, theme);
    let summary = state_summary(snap, theme);
    let inner = draw::panel(buf, area, &Line::from(title), Some(&summary), theme);
    if inner.height < 2 || inner.width < 20 {
        return Rect::default();
    }
    let name_w = snap
        .threads
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(6, 16);
    let cols = Columns::new(inner.width as usize, name_w);
    header_row(buf, Rect { height: 1, ..inner }, snap, &cols, theme);
    let body = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    let page = body.height as usize;
    let scroll = table.scroll.min(rows.len().saturating_sub(page));
    for (k, &i) in rows.iter().skip(scroll).take(page).enumerate() {
        let t = &snap.threads[i];
        let row = Rect {
            y: body.y + k as u16,
            height: 1,
            ..body
        };
        let selected = table.selected == Some(t.id);
        thread_row(buf, row, t, snap, &cols, selected, theme);
    }
    if rows.len() > page {
        position(buf, area, scroll, page, rows.len(), theme);
    } else if rows.is_empty() && !table.filter.is_empty() {
        buf.set_string(
            body.x + 2,
            body.y,
            "no thread matches the filter",
            theme.dim,
        );
    }
    body
}

/// `Threads 7 · sort name · filter "cons" 4/7`.
fn title(
    snap: &Snapshot,
    rows: &[usize],
    table: &ThreadTable,
    live_first: bool,
    theme: &Theme,
) -> String {
    let total = snap.threads.len();
    let dot = theme.glyphs.dot.trim_start();
    let mut title = format!(" Threads {total} ");
    // Presentation mode lists live threads first (see `app::sortable`).
    let sort = table.sort.label_live_first(live_first);
    title.push_str(&format!("{dot}sort {sort} "));
    if !table.filter.is_empty() || table.filter_editing {
        title.push_str(&format!(
            "{dot}filter \"{}\" {}/{total} ",
            theme.text_of(&table.filter),
            rows.len()
        ));
    }
    title
}

/// Which rows are shown, `11-30 of 1001`, in the top-right corner of the border.
fn position(buf: &mut Buffer, area: Rect, scroll: usize, page: usize, len: usize, theme: &Theme) {
    let label = format!(" {}-{} of {len} ", scroll + 1, (scroll + page).min(len));
    let x = area.right().saturating_sub(label.len() as u16 + 2);
    buf.set_string(x, area.y, label, theme.title);
}

/// `working 812 · waiting 180 · blocked 3 · exited 5` for the bottom border.
fn state_summary(snap: &Snapshot, theme: &Theme) -> Line<'static> {
    let mut n = [0usize; ThreadState::COUNT];
    for t in &snap.threads {
        n[t.state as usize] += 1;
    }
    let mut spans = vec![Span::raw(" ")];
    for s in [
        ThreadState::Working,
        ThreadState::Producing,
        ThreadState::BlockedFull,
        ThreadState::WaitingGil,
        ThreadState::WaitingEmpty,
        ThreadState::Paused,
        ThreadState::Exited,
        ThreadState::Crashed,
    ] {
        let k = n[s as usize];
        if k == 0 {
            continue;
        }
        if spans.len() > 1 {
            spans.push(Span::styled(
                theme.glyphs.dot.trim_start().to_string(),
                theme.dim,
            ));
        }
        spans.push(Span::styled(theme.state_symbol(s), theme.state(s)));
        let word = summary_word(s, snap.capacity);
        spans.push(Span::styled(format!(" {word} {k} "), theme.dim));
    }
    Line::from(spans)
}

/// A state as the summary counts it, in the rows' own words: `blocked`
/// and `waiting` as the rows say `blocked: queue full` and `waiting: queue
/// empty`, and on a rendezvous queue `blocked: no receiver`, as its rows do.
pub fn summary_word(s: ThreadState, capacity: Capacity) -> &'static str {
    match s {
        ThreadState::BlockedFull if capacity == Capacity::Rendezvous => "blocked: no receiver",
        ThreadState::BlockedFull => "blocked",
        ThreadState::WaitingEmpty => "waiting",
        ThreadState::WaitingGil => "waiting: GIL",
        other => other.name(),
    }
}

/// How the lanes map history cells to columns at one lane width: every
/// row shares it, so all lanes keep one time axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneScale {
    /// `n` history cells per column, aligned on the newest (a running
    /// run longer than the lane, while its cells are finer than
    /// [`HISTORY_STEP`]: the lane shows as much of the run as it can).
    Merge(usize),
    /// A run that is over, its `have` cells spread over the whole lane:
    /// a short run fills it, a longer one is shown whole.
    Fill {
        /// Cells of the longest lane.
        have: usize,
    },
}

impl LaneScale {
    /// The scale for `snap`'s lanes in `width` columns.
    pub fn new(snap: &Snapshot, width: usize) -> LaneScale {
        let have = snap.threads.iter().map(|t| t.lane.len()).max().unwrap_or(0);
        if snap.phase.is_over() && have > 0 && width > 0 {
            return LaneScale::Fill { have };
        }
        let step = snap.history_step.as_nanos().max(1);
        let finest = (HISTORY_STEP.as_nanos() / step).max(1) as usize;
        LaneScale::Merge(have.div_ceil(width.max(1)).clamp(1, finest))
    }

    /// The time `width` columns cover: read from the history the lanes
    /// keep pace with, where it reaches that far.
    pub fn span(&self, snap: &Snapshot, width: usize) -> std::time::Duration {
        let cells = match *self {
            LaneScale::Merge(n) => width * n,
            LaneScale::Fill { have } => have,
        };
        let h = &snap.history;
        match h.last() {
            Some(last) if cells < h.len() => last.at.saturating_sub(h[h.len() - 1 - cells].at),
            Some(last) if cells == h.len() => last.at,
            _ => snap.history_step * cells as u32,
        }
    }

    /// One lane as at most `width` columns, newest last: a column's cells
    /// show their most frequent state (the newest on a tie).
    pub fn columns(&self, lane: &[ThreadState], width: usize) -> Vec<ThreadState> {
        match *self {
            LaneScale::Merge(n) => {
                let cells = &lane[lane.len().saturating_sub(width * n)..];
                // Chunks aligned on the newest cell, so every row agrees.
                let (first, rest) = cells.split_at(cells.len() % n);
                std::iter::once(first)
                    .filter(|c| !c.is_empty())
                    .chain(rest.chunks(n))
                    .map(most_frequent)
                    .collect()
            }
            LaneScale::Fill { have } => {
                // A lane shorter than the longest (a thread started later)
                // covers the newest part of the lane's time.
                let cols = (width * lane.len()).div_ceil(have).min(width);
                (0..cols)
                    .map(|c| {
                        let from = c * lane.len() / cols;
                        let to = ((c + 1) * lane.len() / cols).max(from + 1);
                        most_frequent(&lane[from..to.min(lane.len())])
                    })
                    .collect()
            }
        }
    }
}

/// The most frequent state in `cells` (the newest on a tie).
fn most_frequent(cells: &[ThreadState]) -> ThreadState {
    let mut n = [0usize; ThreadState::COUNT];
    let mut best = cells.last().copied().unwrap_or(ThreadState::Starting);
    for &c in cells.iter().rev() {
        n[c as usize] += 1;
        if n[c as usize] > n[best as usize] {
            best = c;
        }
    }
    best
}

fn header_row(buf: &mut Buffer, area: Rect, snap: &Snapshot, c: &Columns, theme: &Theme) {
    let mut text = format!(
        "  {:<nw$} {:<rw$} {:<sw$} {:>iw$} {:>bw$} ",
        "name",
        "role",
        "state",
        "items",
        "busy",
        nw = c.name,
        rw = c.role,
        sw = c.state,
        iw = c.items,
        bw = c.busy,
    );
    if c.lane >= 12 {
        let span = LaneScale::new(snap, c.lane).span(snap, c.lane);
        let left = format!("states, last {}", fmt::elapsed(span));
        let now = "now";
        let pad = c.lane.saturating_sub(left.len() + now.len());
        text.push_str(&left);
        text.push_str(&" ".repeat(pad));
        text.push_str(now);
    }
    draw::put(buf, area.x, area.y, &text, area.width as usize, theme.dim);
}

/// Pads or truncates `s` to exactly `w` cells (with an ellipsis when cut).
fn fit(s: &str, w: usize, ellipsis: &str) -> String {
    let n = s.chars().count();
    if n <= w {
        format!("{s:<w$}")
    } else if w == 0 {
        String::new()
    } else {
        draw::note_cut(s);
        let keep = w.saturating_sub(ellipsis.chars().count());
        let mut out: String = s.chars().take(keep).collect();
        out.push_str(ellipsis);
        out
    }
}

fn thread_row(
    buf: &mut Buffer,
    area: Rect,
    t: &ThreadSnap,
    snap: &Snapshot,
    c: &Columns,
    selected: bool,
    theme: &Theme,
) {
    let state_style = theme.state(t.state);
    let base = if selected { theme.selected } else { theme.text };
    let pick = |s: Style| if selected { s.patch(theme.selected) } else { s };
    let ell = theme.glyphs.ellipsis;
    let role = if c.role >= 8 {
        t.role.name()
    } else {
        role_short(t.role)
    };
    let busy = if t.role == Role::Coordinator {
        String::new()
    } else {
        fmt::pct(t.busy_fraction())
    };
    let name = theme.text_of(&t.name);
    let mut x = area.x;
    let right = area.right();
    let mut put = |x: &mut u16, s: &str, style: Style| {
        if *x < right {
            *x = draw::put(buf, *x, area.y, s, (right - *x) as usize, style);
        }
    };
    put(&mut x, theme.state_symbol(t.state), pick(state_style));
    put(&mut x, " ", base);
    put(&mut x, &fit(&name, c.name, ell), base);
    put(&mut x, " ", base);
    put(&mut x, &fit(role, c.role, ell), pick(theme.dim));
    put(&mut x, " ", base);
    let words = state_words_within(t, snap, theme, c.state);
    put(&mut x, &fit(&words, c.state, ell), pick(state_style));
    put(&mut x, " ", base);
    put(
        &mut x,
        &format!("{:>w$}", fmt::count(t.items), w = c.items),
        base,
    );
    put(&mut x, " ", base);
    put(&mut x, &format!("{busy:>w$}", w = c.busy), base);
    put(&mut x, " ", base);
    if c.lane == 0 || x >= right {
        return;
    }
    // Newest bucket at the right edge, so every lane shares one time axis
    // (threads started later simply have a shorter lane). A short run that
    // is over is stretched to fill the lane.
    let w = (c.lane).min((right - x) as usize);
    let lane = LaneScale::new(snap, c.lane).columns(&t.lane, w);
    let x0 = x + (w - lane.len().min(w)) as u16;
    let mut prev = None;
    for (k, &s) in lane.iter().take(w).enumerate() {
        let shown = lane_cell(prev, s);
        prev = Some(s);
        buf[(x0 + k as u16, area.y)]
            .set_symbol(theme.lane_glyph(shown))
            .set_style(theme.state(shown));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn words_for_each_state() {
        let theme = Theme::default();
        let snap = testing::draining();
        let words: Vec<String> = snap
            .threads
            .iter()
            .map(|t| state_words(t, &snap, &theme))
            .collect();
        assert_eq!(words[0], "joining consumers");
        assert_eq!(words[1], "stopped → exited");
        assert_eq!(words[3], "got pill → exited");
        assert!(words[4].starts_with("working #"), "{}", words[4]);
        let ascii = Theme::new(Default::default(), true, true);
        assert_eq!(
            state_words(&snap.threads[3], &snap, &ascii),
            "got pill -> exited"
        );
    }

    #[test]
    fn a_thread_waiting_for_a_free_lock_names_whose_turn_it_is() {
        let theme = Theme::default();
        let mut snap = testing::cv_lock_held();
        let waiter = snap.threads[2].clone();
        assert_eq!(waiter.state, ThreadState::WaitingLock);
        assert_eq!(state_words(&waiter, &snap, &theme), "waiting: lock 120ms");
        if let Some(tb) = snap.textbook.as_mut() {
            tb.lock_holder = None;
            tb.turn = Some(snap.threads[1].id);
        }
        let turn = format!("waiting: lock ({}'s turn) 120ms", snap.threads[1].name);
        assert_eq!(state_words(&waiter, &snap, &theme), turn);
    }

    #[test]
    fn a_short_finished_run_fills_its_lane() {
        use ThreadState::*;
        let mut snap = testing::done();
        let lane = vec![Starting, Working, Working, WaitingEmpty, Exited];
        for t in &mut snap.threads {
            t.lane = lane.clone();
        }
        let scale = LaneScale::new(&snap, 20);
        assert_eq!(scale, LaneScale::Fill { have: 5 });
        let cols = scale.columns(&lane, 20);
        assert_eq!(cols.len(), 20, "{cols:?}");
        assert_eq!((cols[0], cols[19]), (Starting, Exited));
        assert_eq!(cols.iter().filter(|s| **s == Working).count(), 8);
        // A thread that started later covers the newest part.
        assert_eq!(scale.columns(&lane[3..], 20).len(), 8);
    }

    #[test]
    fn a_running_lane_merges_fine_cells_to_show_more_of_the_run() {
        use ThreadState::*;
        let mut snap = testing::running(1);
        snap.history_step = HISTORY_STEP / 8;
        let lane: Vec<ThreadState> = (0..100)
            .map(|k| if k % 4 == 0 { WaitingEmpty } else { Working })
            .collect();
        for t in &mut snap.threads {
            t.lane = lane.clone();
        }
        let scale = LaneScale::new(&snap, 30);
        assert_eq!(scale, LaneScale::Merge(4));
        let cols = scale.columns(&lane, 30);
        assert_eq!(cols.len(), 25);
        assert!(cols.iter().all(|s| *s == Working), "{cols:?}");
        snap.history.clear();
        assert_eq!(scale.span(&snap, 30), HISTORY_STEP / 8 * 120);
        // Never coarser than the steady step.
        snap.history_step = HISTORY_STEP;
        assert_eq!(LaneScale::new(&snap, 30), LaneScale::Merge(1));
    }

    #[test]
    fn the_summary_speaks_the_rows_words() {
        assert_eq!(
            summary_word(ThreadState::BlockedFull, Capacity::Rendezvous),
            "blocked: no receiver"
        );
        assert_eq!(
            summary_word(ThreadState::BlockedFull, Capacity::Bounded(4)),
            "blocked"
        );
        assert_eq!(
            summary_word(ThreadState::WaitingEmpty, Capacity::Unbounded),
            "waiting"
        );
    }

    #[test]
    fn fit_pads_and_cuts() {
        assert_eq!(fit("abc", 5, "…"), "abc  ");
        assert_eq!(fit("abcdef", 4, "…"), "abc…");
    }
}
