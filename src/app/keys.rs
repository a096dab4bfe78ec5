//! Keys and mouse: view-only keys change the [`ViewState`] and return
//! `None`; keys that need the source or the event loop return an
//! [`Action`]. Which keys mean what depends on the mode: typing a filter,
//! the Tune view, a replay, or the live main screen.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Position;

use super::action::Action;
use super::view::{Overlay, ViewState};
use crate::sim::Snapshot;
use crate::source::{ReplayAction, SourceView};
use crate::tune::TuneSession;

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
    if view.threads.filter_editing {
        return filter_key(view, key, snap);
    }
    if let Overlay::Tune(session) = &view.overlay {
        return tune_key(session, key);
    }
    if matches!(view.source, SourceView::Replay(_)) {
        match replay_key(key) {
            Some(Keyed::Replay(a)) => return Some(Action::Replay(a)),
            // A recording cannot be steered: the engine's knobs do nothing.
            Some(Keyed::Ignored) => return None,
            None => {}
        }
    }
    view_key(view, key, snap)
}

/// The main screen's keys: the view's own first, then the engine's knobs.
fn view_key(view: &mut ViewState, key: KeyEvent, snap: &Snapshot) -> Option<Action> {
    if let Some(delta) = selection_step(key.code, view.page()) {
        view.move_selection(snap, delta);
        return None;
    }
    match key.code {
        KeyCode::Esc => return esc(view, snap),
        KeyCode::Char('q') | KeyCode::Char('Q') => return Some(Action::Quit),
        KeyCode::Char('?') => {
            view.overlay = match view.overlay {
                Overlay::Help => Overlay::None,
                _ => Overlay::Help,
            };
        }
        KeyCode::Enter => {
            if matches!(view.overlay, Overlay::Details) {
                view.overlay = Overlay::None;
            } else if view.threads.selected.is_some() {
                view.overlay = Overlay::Details;
            }
        }
        KeyCode::Char('o') => {
            view.threads.sort = view.threads.sort.next();
            let rows = view.visible_threads(snap);
            let page = view.page();
            view.threads.keep_selection_visible(snap, &rows, page);
        }
        KeyCode::Char('/') => view.threads.filter_editing = true,
        KeyCode::Char('t') => view.theory = !view.theory,
        // A picture of the screen: live, over, or in a replay alike.
        KeyCode::Char('x') => return Some(Action::SavePicture),
        KeyCode::Char('b') => view.hide_chatter = !view.hide_chatter,
        _ => return knob_key(key.code, snap),
    }
    None
}

/// Rows a selection key moves by: `j`/`k` and the arrows one, the page
/// keys a screenful, Home and End all the way.
fn selection_step(code: KeyCode, page: usize) -> Option<isize> {
    let page = page as isize;
    Some(match code {
        KeyCode::Char('j') | KeyCode::Down => 1,
        KeyCode::Char('k') | KeyCode::Up => -1,
        KeyCode::PageDown => page,
        KeyCode::PageUp => -page,
        KeyCode::Home => isize::MIN / 2,
        KeyCode::End => isize::MAX / 2,
        _ => return None,
    })
}

/// Esc backs out one level at a time, and quits only from the plain main
/// screen.
fn esc(view: &mut ViewState, snap: &Snapshot) -> Option<Action> {
    if !matches!(view.overlay, Overlay::None) {
        view.overlay = Overlay::None;
    } else if !view.threads.filter.is_empty() {
        view.threads.filter.clear();
    } else if snap.phase.is_over() && !view.banner_dismissed {
        view.banner_dismissed = true;
    } else {
        return Some(Action::Quit);
    }
    None
}

/// The keys that steer the run (or restart it).
fn knob_key(code: KeyCode, snap: &Snapshot) -> Option<Action> {
    Some(match code {
        KeyCode::Char(' ') => Action::TogglePause,
        // `n` for "next" as the issue and the help say; `.` is kept for
        // hands that learnt it first.
        KeyCode::Char('n') | KeyCode::Char('.') => Action::Step,
        KeyCode::Char('g') => Action::ToggleGil,
        KeyCode::Char('s') => Action::Shutdown,
        KeyCode::Char('r') => Action::Restart,
        // `=` is `+` without Shift on most layouts.
        KeyCode::Char('+') | KeyCode::Char('=') => Action::AddConsumer,
        KeyCode::Char('-') => Action::RemoveConsumer,
        KeyCode::Char(']') => Action::AddProducer,
        KeyCode::Char('[') => Action::RemoveProducer,
        KeyCode::Char('<') => Action::SlowerProducers,
        KeyCode::Char('>') => Action::FasterProducers,
        KeyCode::Char('{') => Action::SlowerConsumers,
        KeyCode::Char('}') => Action::FasterConsumers,
        KeyCode::Char('T') if !snap.phase.is_over() => Action::OpenTune,
        _ => return None,
    })
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
fn tune_key(session: &TuneSession, key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Enter if session.knee().is_some() => Some(Action::ApplyTune),
        KeyCode::Esc | KeyCode::Char('T') => Some(Action::CloseTune),
        KeyCode::Char('q') | KeyCode::Char('Q') => Some(Action::Quit),
        _ => None,
    }
}

/// Keys while the filter is being typed: text goes into the filter; Enter
/// keeps it, Esc drops it; arrows still move the selection.
fn filter_key(view: &mut ViewState, key: KeyEvent, snap: &Snapshot) -> Option<Action> {
    match key.code {
        KeyCode::Enter => view.threads.end_filter(true),
        KeyCode::Esc => view.threads.end_filter(false),
        KeyCode::Backspace => {
            view.threads.filter.pop();
        }
        KeyCode::Down => view.move_selection(snap, 1),
        KeyCode::Up => view.move_selection(snap, -1),
        KeyCode::Char(c) => view.threads.type_char(c),
        _ => {}
    }
    None
}

/// Handle one mouse event: a left click on a thread row selects it, the
/// wheel scrolls the threads list.
pub fn handle_mouse(view: &mut ViewState, m: MouseEvent, snap: &Snapshot) -> Option<Action> {
    let body = view.geometry.threads_body;
    let inside = body.contains(Position::new(m.column, m.row));
    match m.kind {
        MouseEventKind::Down(MouseButton::Left)
            if inside && matches!(view.overlay, Overlay::None) =>
        {
            let rows = view.visible_threads(snap);
            let offset = usize::from(m.row - body.y);
            view.threads.select_on_screen(snap, &rows, offset);
        }
        MouseEventKind::ScrollDown => {
            let len = view.visible_threads(snap).len();
            let page = view.page();
            view.threads.wheel_down(len, page);
        }
        MouseEventKind::ScrollUp => view.threads.wheel_up(),
        _ => {}
    }
    None
}
