//! What the user asked for, without any terminal I/O: the view state
//! (selection, scroll, sort, filter, overlays), the key and mouse handling
//! that changes it, and the mapping from user [`Action`]s to engine
//! [`Command`]s. Everything here is a pure function of its inputs so it can
//! be unit-tested with hand-built snapshots.
//!
//! The split follows tokio-console's `view` state: the engine's
//! [`Snapshot`] is the model, and this module keeps only what the viewer
//! chose to look at. Threads are remembered by id, not by row, so a
//! selection survives re-sorting and threads being added.

use std::cmp::Ordering;

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use crate::sim::{
    Command, Phase, Removal, Role, Snapshot, SnapshotRequest, ThreadSnap, ThreadState,
};
use crate::source::ReplayAction;
pub use crate::source::SourceView;
use crate::tune::TuneView;

/// Factor for `<` (longer producer interval) and `{` (longer consumer work).
pub const SLOWER: f64 = 1.25;
/// Factor for `>` (shorter producer interval) and `}` (shorter consumer work).
pub const FASTER: f64 = 0.8;
/// Rows the mouse wheel scrolls per notch.
const WHEEL_ROWS: usize = 3;

/// How the threads panel is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// `main`, then producers, then consumers, each in numeric order.
    #[default]
    Name,
    /// Most noteworthy state first (blocked, crashed, busy, waiting, ...).
    State,
    /// Most items first.
    Items,
    /// Busiest first.
    Busy,
}

impl SortKey {
    /// The next key in the `o` cycle.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::State,
            SortKey::State => SortKey::Items,
            SortKey::Items => SortKey::Busy,
            SortKey::Busy => SortKey::Name,
        }
    }

    /// Short label for the panel title.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::State => "state",
            SortKey::Items => "items",
            SortKey::Busy => "busy%",
        }
    }
}

/// A window drawn over the main screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overlay {
    /// Nothing over the main screen.
    #[default]
    None,
    /// The key reference (`?`).
    Help,
    /// Details of the selected thread (Enter).
    Details,
    /// The Tune view (`T`): a sweep of the consumer count, and its knee.
    Tune,
}

/// Where things landed on screen in the last frame. The renderer reports it
/// so mouse clicks can be mapped to rows and paging knows the page size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Geometry {
    /// The thread rows (without the column header).
    pub threads_body: Rect,
    /// Event log lines visible.
    pub event_rows: usize,
}

impl Geometry {
    /// Thread rows visible at once.
    pub fn threads_rows(&self) -> usize {
        self.threads_body.height as usize
    }
}

/// Everything the viewer chose: what is selected, how threads are ordered
/// and filtered, which overlay is open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewState {
    /// Selected thread id (stable across sorting; `None` before the first frame).
    pub selected: Option<usize>,
    /// First visible row of the (sorted, filtered) threads list.
    pub scroll: usize,
    /// Threads panel order.
    pub sort: SortKey,
    /// Filter text: threads whose name, role or state contains it (case-insensitive).
    pub filter: String,
    /// True while the filter is being typed in the footer.
    pub filter_editing: bool,
    /// The open overlay.
    pub overlay: Overlay,
    /// The done banner was put away with Esc (the header still says done).
    pub banner_dismissed: bool,
    /// The theory panel is shown (`t`): queueing theory beside the
    /// measurements, in place of the stats panel.
    pub theory: bool,
    /// Presentation mode (`--present`): few large panels and the key
    /// numbers in block digits, for a projector. Set once at start.
    pub present: bool,
    /// Layout of the last frame.
    pub geometry: Geometry,
    /// Live, recording or replay (set by the event loop every frame).
    pub source: SourceView,
    /// The Tune view's sweep and results, while it is open.
    pub tune: Option<TuneView>,
}

/// Something the event loop must do beyond changing the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave the UI (`q`, Esc, Ctrl-C).
    Quit,
    /// Drop the engine and start the same scenario again (`r`).
    Restart,
    /// Pause, or resume when paused (space).
    TogglePause,
    /// While paused, let exactly one queue operation happen (`n`, or `.`).
    Step,
    /// Turn the emulated GIL on or off (`g`), the opposite of what the
    /// snapshot says it is now.
    ToggleGil,
    /// Graceful poison-pill shutdown (`s`).
    Shutdown,
    /// One more consumer (`+`).
    AddConsumer,
    /// Retire the newest consumer (`-`).
    RemoveConsumer,
    /// One more producer (`]`).
    AddProducer,
    /// Stop the newest producer (`[`).
    RemoveProducer,
    /// Producer interval × 1.25 (`<`).
    SlowerProducers,
    /// Producer interval × 0.8 (`>`).
    FasterProducers,
    /// Consumer work time × 1.25 (`{`).
    SlowerConsumers,
    /// Consumer work time × 0.8 (`}`).
    FasterConsumers,
    /// A replay key (`queuescope replay` only).
    Replay(ReplayAction),
    /// Open the Tune view and start its sweep (`T`).
    OpenTune,
    /// Bring the live counts to the Tune view's knee (Enter in the view).
    ApplyTune,
    /// Close the Tune view, stopping its sweep (Esc in the view).
    CloseTune,
}

/// The engine command for `action`, given the run as it is now; `None` for
/// actions the event loop handles itself (quit, restart), for a step while
/// not paused, and for knobs pressed after the run is over.
pub fn command(action: Action, snap: &Snapshot) -> Option<Command> {
    if snap.phase.is_over() {
        return None;
    }
    Some(match action {
        Action::Quit
        | Action::Restart
        | Action::Replay(_)
        | Action::OpenTune
        | Action::ApplyTune
        | Action::CloseTune => return None,
        Action::ToggleGil => Command::SetGil(!snap.gil),
        Action::Step if snap.phase == Phase::Paused => Command::Step,
        // Stepping is for a paused run; running, it would mean nothing.
        Action::Step => return None,
        Action::TogglePause => {
            if snap.phase == Phase::Paused {
                Command::Resume
            } else {
                Command::Pause
            }
        }
        Action::Shutdown => Command::Shutdown,
        Action::AddConsumer => Command::AddConsumer,
        // Retire rather than an extra pill: the consumer leaves after its
        // current item instead of after everything queued ahead of a pill,
        // so the change is visible at once.
        Action::RemoveConsumer => Command::RemoveConsumer(Removal::Retire),
        Action::AddProducer => Command::AddProducer,
        Action::RemoveProducer => Command::RemoveProducer,
        Action::SlowerProducers => Command::SetInterval(snap.interval.scaled(SLOWER)),
        Action::FasterProducers => Command::SetInterval(snap.interval.scaled(FASTER)),
        Action::SlowerConsumers => Command::SetWork(snap.work.scaled(SLOWER)),
        Action::FasterConsumers => Command::SetWork(snap.work.scaled(FASTER)),
    })
}

impl ViewState {
    /// A fresh view.
    pub fn new() -> ViewState {
        ViewState::default()
    }

    /// What the next snapshot must include: the selected thread's details
    /// only while the details overlay is open (they cost the engine a copy
    /// of its histograms), and only as many events as the log shows.
    pub fn snapshot_request(&self) -> SnapshotRequest {
        SnapshotRequest {
            detail: match self.overlay {
                Overlay::Details => self.selected,
                _ => None,
            },
            events: self.geometry.event_rows.clamp(16, 200),
        }
    }

    /// Forget per-run state before a restart (overlays, banner); keep the
    /// viewer's sort, filter, theory panel and presentation mode.
    pub fn reset_for_restart(&mut self) {
        self.overlay = Overlay::None;
        self.banner_dismissed = false;
        self.selected = None;
        self.scroll = 0;
    }

    /// Reconcile with a new snapshot: select the first row when nothing is
    /// selected and keep the scroll offset inside the list.
    pub fn sync(&mut self, snap: &Snapshot) {
        let rows = visible_threads(snap, self);
        let page = self.geometry.threads_rows();
        self.scroll = self.scroll.min(rows.len().saturating_sub(page.max(1)));
        if self.selected.is_none() {
            self.selected = rows.first().map(|&i| snap.threads[i].id);
        }
    }

    /// Position of the selected thread in `rows`.
    fn selected_pos(&self, snap: &Snapshot, rows: &[usize]) -> Option<usize> {
        let id = self.selected?;
        rows.iter().position(|&i| snap.threads[i].id == id)
    }

    /// Move the selection by `delta` rows (clamped) and scroll it into view.
    fn move_selection(&mut self, snap: &Snapshot, delta: isize) {
        let rows = visible_threads(snap, self);
        if rows.is_empty() {
            return;
        }
        let pos = match self.selected_pos(snap, &rows) {
            Some(p) => p.saturating_add_signed(delta).min(rows.len() - 1),
            // The selected thread was filtered out: start from the top.
            None => 0,
        };
        self.selected = Some(snap.threads[rows[pos]].id);
        self.scroll_to(pos, rows.len());
    }

    /// Adjust the scroll offset so row `pos` is visible.
    fn scroll_to(&mut self, pos: usize, len: usize) {
        let page = self.geometry.threads_rows().max(1);
        if pos < self.scroll {
            self.scroll = pos;
        } else if pos >= self.scroll + page {
            self.scroll = pos + 1 - page;
        }
        self.scroll = self.scroll.min(len.saturating_sub(page));
    }

    fn page(&self) -> isize {
        self.geometry.threads_rows().max(1) as isize
    }
}

/// Handle one key. View-only keys change `view` and return `None`; keys that
/// need the engine or the event loop return an [`Action`].
pub fn handle_key(view: &mut ViewState, key: KeyEvent, snap: &Snapshot) -> Option<Action> {
    // Releases arrive only on terminals with the kitty protocol (and on
    // Windows); acting on them would double every key.
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')) {
        return Some(Action::Quit);
    }
    if view.filter_editing {
        return filter_key(view, key, snap);
    }
    if view.overlay == Overlay::Tune {
        return tune_key(view, key);
    }
    if matches!(view.source, SourceView::Replay(_)) {
        match replay_key(key) {
            Some(Keyed::Replay(a)) => return Some(Action::Replay(a)),
            // A recording cannot be steered: the engine's knobs do nothing.
            Some(Keyed::Ignored) => return None,
            None => {}
        }
    }
    match key.code {
        KeyCode::Esc => {
            // Esc backs out one level at a time, and quits only from the
            // plain main screen.
            if view.overlay != Overlay::None {
                view.overlay = Overlay::None;
            } else if !view.filter.is_empty() {
                view.filter.clear();
            } else if snap.phase.is_over() && !view.banner_dismissed {
                view.banner_dismissed = true;
            } else {
                return Some(Action::Quit);
            }
            None
        }
        KeyCode::Char('q') | KeyCode::Char('Q') => Some(Action::Quit),
        KeyCode::Char('?') => {
            view.overlay = match view.overlay {
                Overlay::Help => Overlay::None,
                _ => Overlay::Help,
            };
            None
        }
        KeyCode::Enter => {
            view.overlay = match view.overlay {
                Overlay::Details => Overlay::None,
                _ if view.selected.is_some() => Overlay::Details,
                other => other,
            };
            None
        }
        KeyCode::Char('j') | KeyCode::Down => {
            view.move_selection(snap, 1);
            None
        }
        KeyCode::Char('k') | KeyCode::Up => {
            view.move_selection(snap, -1);
            None
        }
        KeyCode::PageDown => {
            view.move_selection(snap, view.page());
            None
        }
        KeyCode::PageUp => {
            view.move_selection(snap, -view.page());
            None
        }
        KeyCode::Home => {
            view.move_selection(snap, isize::MIN / 2);
            None
        }
        KeyCode::End => {
            view.move_selection(snap, isize::MAX / 2);
            None
        }
        KeyCode::Char('o') => {
            view.sort = view.sort.next();
            keep_selection_visible(view, snap);
            None
        }
        KeyCode::Char('/') => {
            view.filter_editing = true;
            None
        }
        KeyCode::Char('t') => {
            view.theory = !view.theory;
            None
        }
        KeyCode::Char(' ') => Some(Action::TogglePause),
        // `n` for "next" as the issue and the help say; `.` is kept for
        // hands that learnt it first.
        KeyCode::Char('n') | KeyCode::Char('.') => Some(Action::Step),
        KeyCode::Char('g') => Some(Action::ToggleGil),
        KeyCode::Char('s') => Some(Action::Shutdown),
        KeyCode::Char('r') => Some(Action::Restart),
        // `=` is `+` without Shift on most layouts.
        KeyCode::Char('+') | KeyCode::Char('=') => Some(Action::AddConsumer),
        KeyCode::Char('-') => Some(Action::RemoveConsumer),
        KeyCode::Char(']') => Some(Action::AddProducer),
        KeyCode::Char('[') => Some(Action::RemoveProducer),
        KeyCode::Char('<') => Some(Action::SlowerProducers),
        KeyCode::Char('>') => Some(Action::FasterProducers),
        KeyCode::Char('{') => Some(Action::SlowerConsumers),
        KeyCode::Char('}') => Some(Action::FasterConsumers),
        KeyCode::Char('T') if !snap.phase.is_over() => Some(Action::OpenTune),
        _ => None,
    }
}

/// How a key reads in a replay.
enum Keyed {
    /// A replay key.
    Replay(ReplayAction),
    /// A live-only key: nothing happens.
    Ignored,
}

/// Replay keys: space, `n`, arrows, digits, speed. `None` for keys that
/// mean the same as in the live view (quit, help, select, sort, filter).
fn replay_key(key: KeyEvent) -> Option<Keyed> {
    Some(match key.code {
        KeyCode::Char(' ') => Keyed::Replay(ReplayAction::TogglePlay),
        KeyCode::Char('n') => Keyed::Replay(ReplayAction::StepEvent),
        KeyCode::Right => Keyed::Replay(ReplayAction::Forward),
        KeyCode::Left => Keyed::Replay(ReplayAction::Back),
        KeyCode::Char(c @ '0'..='9') => Keyed::Replay(ReplayAction::Jump(c as u8 - b'0')),
        KeyCode::Char('+' | '=' | '>') => Keyed::Replay(ReplayAction::Faster),
        KeyCode::Char('-' | '<') => Keyed::Replay(ReplayAction::Slower),
        KeyCode::Char(']' | '[' | '{' | '}' | 's' | 'g' | '.' | 'T') => Keyed::Ignored,
        _ => return None,
    })
}

/// Keys in the Tune view: Enter applies the knee (once the sweep is done),
/// Esc or `T` closes it (stopping the sweep), `q` quits.
fn tune_key(view: &mut ViewState, key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Enter if view.tune.as_ref().is_some_and(|t| t.knee().is_some()) => {
            Some(Action::ApplyTune)
        }
        KeyCode::Esc | KeyCode::Char('T') => Some(Action::CloseTune),
        KeyCode::Char('q') | KeyCode::Char('Q') => Some(Action::Quit),
        _ => None,
    }
}

/// Keys while the filter is being typed: text goes into the filter; Enter
/// keeps it, Esc drops it; arrows still move the selection.
fn filter_key(view: &mut ViewState, key: KeyEvent, snap: &Snapshot) -> Option<Action> {
    match key.code {
        KeyCode::Enter => view.filter_editing = false,
        KeyCode::Esc => {
            view.filter_editing = false;
            view.filter.clear();
        }
        KeyCode::Backspace => {
            view.filter.pop();
        }
        KeyCode::Down => view.move_selection(snap, 1),
        KeyCode::Up => view.move_selection(snap, -1),
        KeyCode::Char(c) if !c.is_control() && view.filter.chars().count() < 32 => {
            view.filter.push(c);
            view.scroll = 0;
        }
        _ => {}
    }
    None
}

/// After a re-sort, scroll so the selected thread is still on screen.
fn keep_selection_visible(view: &mut ViewState, snap: &Snapshot) {
    let rows = visible_threads(snap, view);
    if let Some(pos) = view.selected_pos(snap, &rows) {
        view.scroll_to(pos, rows.len());
    }
}

/// Handle one mouse event: a left click on a thread row selects it, the
/// wheel scrolls the threads list.
pub fn handle_mouse(view: &mut ViewState, m: MouseEvent, snap: &Snapshot) -> Option<Action> {
    let body = view.geometry.threads_body;
    let inside = body.contains(Position::new(m.column, m.row));
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) if inside && view.overlay == Overlay::None => {
            let rows = visible_threads(snap, view);
            let pos = view.scroll + usize::from(m.row - body.y);
            if let Some(&i) = rows.get(pos) {
                view.selected = Some(snap.threads[i].id);
            }
        }
        MouseEventKind::ScrollDown => {
            let len = visible_threads(snap, view).len();
            let max = len.saturating_sub(view.geometry.threads_rows().max(1));
            view.scroll = (view.scroll + WHEEL_ROWS).min(max);
        }
        MouseEventKind::ScrollUp => {
            view.scroll = view.scroll.saturating_sub(WHEEL_ROWS);
        }
        _ => {}
    }
    None
}

/// Indices into `snap.threads` of the rows to show, filtered and sorted as
/// the view says.
pub fn visible_threads(snap: &Snapshot, view: &ViewState) -> Vec<usize> {
    let needle = view.filter.trim().to_lowercase();
    let mut rows: Vec<usize> = (0..snap.threads.len())
        .filter(|&i| needle.is_empty() || matches_filter(&snap.threads[i], &needle))
        .collect();
    let t = &snap.threads;
    // Name order is every mode's tie-break: rank each thread once rather
    // than parse names inside the comparisons (1,000 threads, every frame).
    let by_name: Vec<(u8, &str, Option<u64>, usize)> = t
        .iter()
        .map(|x| {
            let (prefix, n) = split_number(&x.name);
            (role_rank(x.role), prefix, n, x.id)
        })
        .collect();
    let mut rank: Vec<usize> = (0..t.len()).collect();
    rank.sort_unstable_by(|&a, &b| by_name[a].cmp(&by_name[b]));
    let mut name_rank = vec![0; t.len()];
    for (r, &i) in rank.iter().enumerate() {
        name_rank[i] = r;
    }
    match view.sort {
        // A projector shows few rows: threads still at work come first,
        // and a thread moves down only once, when it exits.
        SortKey::Name if view.present => {
            rows.sort_unstable_by_key(|&i| (t[i].state.is_final(), name_rank[i]))
        }
        SortKey::Name => rows.sort_unstable_by_key(|&i| name_rank[i]),
        SortKey::State => rows.sort_unstable_by_key(|&i| (state_rank(t[i].state), name_rank[i])),
        SortKey::Items => {
            rows.sort_unstable_by_key(|&i| (std::cmp::Reverse(t[i].items), name_rank[i]))
        }
        SortKey::Busy => {
            // Computed once per row: busy_fraction sums nine durations.
            let busy: Vec<f64> = t.iter().map(ThreadSnap::busy_fraction).collect();
            rows.sort_unstable_by(|&a, &b| {
                busy[b]
                    .partial_cmp(&busy[a])
                    .unwrap_or(Ordering::Equal)
                    .then(name_rank[a].cmp(&name_rank[b]))
            })
        }
    }
    rows
}

/// Filter match on name, role or state name; `needle` is lower-case.
fn matches_filter(t: &ThreadSnap, needle: &str) -> bool {
    contains_ci(&t.name, needle)
        || t.role.name().contains(needle)
        || t.state.name().contains(needle)
        || (t.retiring && "retiring".contains(needle))
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() {
        hay.to_ascii_lowercase().contains(needle)
    } else {
        hay.to_lowercase().contains(needle)
    }
}

fn role_rank(r: Role) -> u8 {
    match r {
        Role::Coordinator => 0,
        Role::Producer => 1,
        Role::Consumer => 2,
    }
}

/// Most noteworthy first: a blocked or crashed thread is what a viewer is
/// looking for when sorting by state.
fn state_rank(s: ThreadState) -> u8 {
    match s {
        ThreadState::BlockedFull => 0,
        ThreadState::Crashed => 1,
        ThreadState::Working => 2,
        ThreadState::Producing => 3,
        ThreadState::WaitingGil => 4,
        ThreadState::WaitingEmpty => 4,
        ThreadState::Joining => 5,
        ThreadState::Paused => 6,
        ThreadState::Starting => 7,
        ThreadState::Exited => 8,
    }
}

/// A name's text before its trailing number, and the number, so
/// `Consumer-10` sorts after `Consumer-9`.
fn split_number(s: &str) -> (&str, Option<u64>) {
    let digits = s.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (head, tail) = s.split_at(s.len() - digits);
    (head, tail.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::WorkSpec;
    use crate::testing;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn code(k: KeyCode) -> KeyEvent {
        KeyEvent::new(k, KeyModifiers::NONE)
    }

    /// Press `k` on a fresh view and map the action to a command.
    fn press(k: KeyEvent, snap: &Snapshot) -> (Option<Action>, Option<Command>) {
        let mut view = ViewState::new();
        view.sync(snap);
        let action = handle_key(&mut view, k, snap);
        (action, action.and_then(|a| command(a, snap)))
    }

    #[test]
    fn knob_keys_become_engine_commands() {
        let snap = testing::running(4);
        let cases = [
            ('+', Action::AddConsumer, Command::AddConsumer),
            ('=', Action::AddConsumer, Command::AddConsumer),
            (
                '-',
                Action::RemoveConsumer,
                Command::RemoveConsumer(Removal::Retire),
            ),
            (']', Action::AddProducer, Command::AddProducer),
            ('[', Action::RemoveProducer, Command::RemoveProducer),
            (' ', Action::TogglePause, Command::Pause),
            ('s', Action::Shutdown, Command::Shutdown),
        ];
        for (c, action, cmd) in cases {
            assert_eq!(press(key(c), &snap), (Some(action), Some(cmd)), "key {c:?}");
        }
    }

    #[test]
    fn speed_keys_scale_the_current_distributions() {
        let snap = testing::running(4);
        let scaled = |w: WorkSpec, f: f64| w.scaled(f);
        assert_eq!(
            press(key('<'), &snap).1,
            Some(Command::SetInterval(scaled(snap.interval, 1.25)))
        );
        assert_eq!(
            press(key('>'), &snap).1,
            Some(Command::SetInterval(scaled(snap.interval, 0.8)))
        );
        assert_eq!(
            press(key('{'), &snap).1,
            Some(Command::SetWork(scaled(snap.work, 1.25)))
        );
        assert_eq!(
            press(key('}'), &snap).1,
            Some(Command::SetWork(scaled(snap.work, 0.8)))
        );
        // The interval really changes: 50ms × 0.8 = 40ms.
        let Some(Command::SetInterval(w)) = press(key('>'), &snap).1 else {
            panic!("no SetInterval");
        };
        assert_eq!(w.to_string(), "40ms");
    }

    #[test]
    fn space_resumes_when_paused() {
        let snap = testing::paused();
        assert_eq!(press(key(' '), &snap).1, Some(Command::Resume));
    }

    #[test]
    fn n_steps_only_while_paused() {
        for c in ['n', '.'] {
            assert_eq!(
                press(key(c), &testing::paused()),
                (Some(Action::Step), Some(Command::Step)),
                "key {c:?}"
            );
            assert_eq!(
                press(key(c), &testing::running(4)),
                (Some(Action::Step), None),
                "key {c:?} while running"
            );
        }
        // Nothing to step once the run is over.
        assert_eq!(
            press(key('n'), &testing::done()),
            (Some(Action::Step), None)
        );
    }

    #[test]
    fn g_toggles_the_gil_from_what_the_snapshot_says() {
        let mut snap = testing::running(4);
        assert_eq!(
            press(key('g'), &snap),
            (Some(Action::ToggleGil), Some(Command::SetGil(true)))
        );
        snap.gil = true;
        assert_eq!(
            press(key('g'), &snap),
            (Some(Action::ToggleGil), Some(Command::SetGil(false)))
        );
        assert_eq!(press(key('g'), &testing::done()).1, None);
    }

    #[test]
    fn t_toggles_the_theory_panel_without_touching_the_engine() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        assert!(!view.theory);
        assert_eq!(handle_key(&mut view, key('t'), &snap), None);
        assert!(view.theory);
        // Kept across a restart, like the sort: it is how the viewer looks.
        view.reset_for_restart();
        assert!(view.theory);
        assert_eq!(handle_key(&mut view, key('t'), &snap), None);
        assert!(!view.theory);
        // While typing a filter, `t` is text.
        handle_key(&mut view, key('/'), &snap);
        handle_key(&mut view, key('t'), &snap);
        assert!(!view.theory);
        assert_eq!(view.filter, "t");
    }

    #[test]
    fn quit_and_restart_stay_in_the_loop() {
        let snap = testing::running(4);
        assert_eq!(press(key('q'), &snap), (Some(Action::Quit), None));
        assert_eq!(press(code(KeyCode::Esc), &snap), (Some(Action::Quit), None));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(press(ctrl_c, &snap), (Some(Action::Quit), None));
        assert_eq!(press(key('r'), &snap), (Some(Action::Restart), None));
    }

    #[test]
    fn knobs_do_nothing_once_the_run_is_over() {
        let snap = testing::done();
        for c in ['+', '-', ']', '[', '<', '>', '{', '}', ' ', 's'] {
            let (action, cmd) = press(key(c), &snap);
            assert!(action.is_some());
            assert_eq!(cmd, None, "key {c:?} after done");
        }
        assert_eq!(press(key('r'), &snap).0, Some(Action::Restart));
    }

    #[test]
    fn key_releases_are_ignored() {
        let snap = testing::running(4);
        let mut k = key('+');
        k.kind = KeyEventKind::Release;
        assert_eq!(press(k, &snap), (None, None));
    }

    #[test]
    fn esc_backs_out_before_quitting() {
        let snap = testing::done();
        let mut view = ViewState::new();
        view.sync(&snap);
        handle_key(&mut view, key('?'), &snap);
        assert_eq!(view.overlay, Overlay::Help);
        assert_eq!(handle_key(&mut view, code(KeyCode::Esc), &snap), None);
        assert_eq!(view.overlay, Overlay::None);
        // The done banner goes away next, then Esc quits.
        assert_eq!(handle_key(&mut view, code(KeyCode::Esc), &snap), None);
        assert!(view.banner_dismissed);
        assert_eq!(
            handle_key(&mut view, code(KeyCode::Esc), &snap),
            Some(Action::Quit)
        );
    }

    #[test]
    fn selection_moves_and_follows_the_sort() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        view.sync(&snap);
        assert_eq!(view.selected, Some(0), "main is first by name");
        handle_key(&mut view, key('j'), &snap);
        handle_key(&mut view, code(KeyCode::Down), &snap);
        assert_eq!(view.selected, Some(2), "Producer-2");
        handle_key(&mut view, key('k'), &snap);
        assert_eq!(view.selected, Some(1));
        handle_key(&mut view, code(KeyCode::End), &snap);
        assert_eq!(view.selected, Some(6), "Consumer-4");
        handle_key(&mut view, code(KeyCode::Down), &snap);
        assert_eq!(view.selected, Some(6), "clamped at the end");
        handle_key(&mut view, key('o'), &snap);
        assert_eq!(view.sort, SortKey::State);
        assert_eq!(view.selected, Some(6), "selection is by id, not row");
    }

    #[test]
    fn scrolling_keeps_the_selection_on_screen() {
        let snap = testing::many(1000);
        let mut view = ViewState::new();
        view.geometry.threads_body = Rect::new(1, 10, 100, 20);
        view.sync(&snap);
        handle_key(&mut view, code(KeyCode::PageDown), &snap);
        handle_key(&mut view, code(KeyCode::PageDown), &snap);
        let rows = visible_threads(&snap, &view);
        let pos = rows
            .iter()
            .position(|&i| Some(snap.threads[i].id) == view.selected)
            .expect("selected row is listed");
        assert_eq!(pos, 40);
        assert!(view.scroll <= pos && pos < view.scroll + 20);
        handle_key(&mut view, code(KeyCode::End), &snap);
        assert_eq!(view.scroll, 1000 + 1 - 20, "last page (1,000 + main)");
    }

    #[test]
    fn filter_by_name_or_state() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        handle_key(&mut view, key('/'), &snap);
        assert!(view.filter_editing);
        for c in "CONS".chars() {
            handle_key(&mut view, key(c), &snap);
        }
        assert_eq!(visible_threads(&snap, &view).len(), 4);
        // `q` is text while typing, not quit.
        assert_eq!(handle_key(&mut view, key('q'), &snap), None);
        assert_eq!(view.filter, "CONSq");
        handle_key(&mut view, code(KeyCode::Backspace), &snap);
        handle_key(&mut view, code(KeyCode::Enter), &snap);
        assert!(!view.filter_editing);
        assert_eq!(view.filter, "CONS");
        view.filter = "blocked".into();
        let blocked = visible_threads(&snap, &view);
        assert!(!blocked.is_empty());
        assert!(
            blocked
                .iter()
                .all(|&i| snap.threads[i].state == ThreadState::BlockedFull)
        );
        // Esc clears the filter before it would quit.
        assert_eq!(handle_key(&mut view, code(KeyCode::Esc), &snap), None);
        assert!(view.filter.is_empty());
    }

    #[test]
    fn sort_orders() {
        let snap = testing::many(12);
        let mut view = ViewState::new();
        let names = |view: &ViewState| -> Vec<String> {
            visible_threads(&snap, view)
                .iter()
                .map(|&i| snap.threads[i].name.to_string())
                .collect()
        };
        let by_name = names(&view);
        assert_eq!(by_name[0], "main");
        let c9 = by_name.iter().position(|n| n == "Consumer-9");
        let c10 = by_name.iter().position(|n| n == "Consumer-10");
        assert!(c9 < c10, "natural order: {by_name:?}");
        view.sort = SortKey::Items;
        let rows = visible_threads(&snap, &view);
        assert!(
            rows.windows(2)
                .all(|w| snap.threads[w[0]].items >= snap.threads[w[1]].items)
        );
        view.sort = SortKey::Busy;
        let rows = visible_threads(&snap, &view);
        assert!(
            rows.windows(2).all(|w| {
                snap.threads[w[0]].busy_fraction() >= snap.threads[w[1]].busy_fraction()
            })
        );
    }

    #[test]
    fn presentation_lists_live_threads_first() {
        let snap = testing::hang();
        let names = |view: &ViewState| -> Vec<String> {
            visible_threads(&snap, view)
                .iter()
                .map(|&i| snap.threads[i].name.to_string())
                .collect()
        };
        let mut view = ViewState::new();
        assert_eq!(names(&view)[1], "Producer-1");
        view.present = true;
        assert_eq!(
            names(&view),
            [
                "main",
                "Consumer-2",
                "Consumer-3",
                "Consumer-4",
                "Producer-1",
                "Consumer-1"
            ]
        );
    }

    #[test]
    fn mouse_click_selects_and_wheel_scrolls() {
        let snap = testing::many(100);
        let mut view = ViewState::new();
        view.geometry.threads_body = Rect::new(1, 10, 100, 20);
        view.sync(&snap);
        let click = |row| MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 5,
            row,
            modifiers: KeyModifiers::NONE,
        };
        handle_mouse(&mut view, click(13), &snap);
        let rows = visible_threads(&snap, &view);
        assert_eq!(view.selected, Some(snap.threads[rows[3]].id));
        let wheel = MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 5,
            row: 12,
            modifiers: KeyModifiers::NONE,
        };
        handle_mouse(&mut view, wheel, &snap);
        assert_eq!(view.scroll, 3);
        handle_mouse(&mut view, click(10), &snap);
        assert_eq!(
            view.selected,
            Some(snap.threads[rows[3]].id),
            "row 0 after scrolling 3"
        );
        // Clicks outside the list change nothing.
        handle_mouse(&mut view, click(2), &snap);
        assert_eq!(view.selected, Some(snap.threads[rows[3]].id));
    }

    #[test]
    fn replay_keys_move_the_cursor_and_knobs_do_nothing() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        view.source = SourceView::Replay(testing::replay_view(0));
        view.sync(&snap);
        let mut press = |k: KeyEvent| handle_key(&mut view, k, &snap);
        use ReplayAction::*;
        assert_eq!(press(key(' ')), Some(Action::Replay(TogglePlay)));
        assert_eq!(press(key('n')), Some(Action::Replay(StepEvent)));
        assert_eq!(press(code(KeyCode::Right)), Some(Action::Replay(Forward)));
        assert_eq!(press(code(KeyCode::Left)), Some(Action::Replay(Back)));
        assert_eq!(press(key('0')), Some(Action::Replay(Jump(0))));
        assert_eq!(press(key('7')), Some(Action::Replay(Jump(7))));
        for c in ['+', '=', '>'] {
            assert_eq!(press(key(c)), Some(Action::Replay(Faster)));
        }
        for c in ['-', '<'] {
            assert_eq!(press(key(c)), Some(Action::Replay(Slower)));
        }
        for c in [']', '[', '{', '}', 's', 'g', '.', 'T'] {
            assert_eq!(press(key(c)), None, "{c:?} in a replay");
        }
        // The view's own keys still work.
        assert_eq!(press(key('q')), Some(Action::Quit));
        assert_eq!(press(key('r')), Some(Action::Restart));
        assert_eq!(press(key('j')), None);
        assert_eq!(view.selected, Some(1));
    }

    #[test]
    fn t_opens_tune_and_enter_applies_only_a_known_knee() {
        let snap = testing::running(4);
        let (a, cmd) = press(key('T'), &snap);
        assert_eq!((a, cmd), (Some(Action::OpenTune), None));
        assert_eq!(press(key('T'), &testing::done()).0, None, "nothing to tune");
        let mut view = ViewState::new();
        view.overlay = Overlay::Tune;
        view.tune = Some(testing::tune_view(3));
        assert_eq!(handle_key(&mut view, code(KeyCode::Enter), &snap), None);
        view.tune = Some(testing::tune_view(8));
        assert_eq!(
            handle_key(&mut view, code(KeyCode::Enter), &snap),
            Some(Action::ApplyTune)
        );
        // Live keys are not live inside the view.
        assert_eq!(handle_key(&mut view, key('+'), &snap), None);
        assert_eq!(
            handle_key(&mut view, code(KeyCode::Esc), &snap),
            Some(Action::CloseTune)
        );
        assert_eq!(handle_key(&mut view, key('q'), &snap), Some(Action::Quit));
    }

    #[test]
    fn details_ask_for_the_selected_thread_only_when_open() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        view.sync(&snap);
        handle_key(&mut view, key('j'), &snap);
        assert_eq!(view.snapshot_request().detail, None);
        handle_key(&mut view, code(KeyCode::Enter), &snap);
        assert_eq!(view.overlay, Overlay::Details);
        assert_eq!(view.snapshot_request().detail, Some(1));
        handle_key(&mut view, code(KeyCode::Enter), &snap);
        assert_eq!(view.overlay, Overlay::None);
    }
}
