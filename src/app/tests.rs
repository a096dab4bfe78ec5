//! Keys and mouse against hand-built snapshots: which view changes and
//! which engine commands each one makes.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::*;
use crate::sim::{Command, Removal, Snapshot, ThreadState, WorkSpec};
use crate::source::ReplayAction;
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
    assert_eq!(view.threads.filter, "t");
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
    assert!(matches!(view.overlay, Overlay::Help));
    assert_eq!(handle_key(&mut view, code(KeyCode::Esc), &snap), None);
    assert!(matches!(view.overlay, Overlay::None));
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
    assert_eq!(view.threads.selected, Some(0), "main is first by name");
    handle_key(&mut view, key('j'), &snap);
    handle_key(&mut view, code(KeyCode::Down), &snap);
    assert_eq!(view.threads.selected, Some(2), "Producer-2");
    handle_key(&mut view, key('k'), &snap);
    assert_eq!(view.threads.selected, Some(1));
    handle_key(&mut view, code(KeyCode::End), &snap);
    assert_eq!(view.threads.selected, Some(6), "Consumer-4");
    handle_key(&mut view, code(KeyCode::Down), &snap);
    assert_eq!(view.threads.selected, Some(6), "clamped at the end");
    handle_key(&mut view, key('o'), &snap);
    assert_eq!(view.threads.sort, SortKey::State);
    assert_eq!(
        view.threads.selected,
        Some(6),
        "selection is by id, not row"
    );
}

#[test]
fn scrolling_keeps_the_selection_on_screen() {
    let snap = testing::many(1000);
    let mut view = ViewState::new();
    view.geometry.threads_body = Rect::new(1, 10, 100, 20);
    view.sync(&snap);
    handle_key(&mut view, code(KeyCode::PageDown), &snap);
    handle_key(&mut view, code(KeyCode::PageDown), &snap);
    let rows = view.visible_threads(&snap);
    let pos = rows
        .iter()
        .position(|&i| Some(snap.threads[i].id) == view.threads.selected)
        .expect("selected row is listed");
    assert_eq!(pos, 40);
    assert!(view.threads.scroll <= pos && pos < view.threads.scroll + 20);
    handle_key(&mut view, code(KeyCode::End), &snap);
    assert_eq!(
        view.threads.scroll,
        1000 + 1 - 20,
        "last page (1,000 + main)"
    );
}

#[test]
fn filter_by_name_or_state() {
    let snap = testing::running(4);
    let mut view = ViewState::new();
    handle_key(&mut view, key('/'), &snap);
    assert!(view.threads.filter_editing);
    for c in "CONS".chars() {
        handle_key(&mut view, key(c), &snap);
    }
    assert_eq!(view.visible_threads(&snap).len(), 4);
    // `q` is text while typing, not quit.
    assert_eq!(handle_key(&mut view, key('q'), &snap), None);
    assert_eq!(view.threads.filter, "CONSq");
    handle_key(&mut view, code(KeyCode::Backspace), &snap);
    handle_key(&mut view, code(KeyCode::Enter), &snap);
    assert!(!view.threads.filter_editing);
    assert_eq!(view.threads.filter, "CONS");
    view.threads.filter = "blocked".into();
    let blocked = view.visible_threads(&snap);
    assert!(!blocked.is_empty());
    assert!(
        blocked
            .iter()
            .all(|&i| snap.threads[i].state == ThreadState::BlockedFull)
    );
    // Esc clears the filter before it would quit.
    assert_eq!(handle_key(&mut view, code(KeyCode::Esc), &snap), None);
    assert!(view.threads.filter.is_empty());
}

#[test]
fn presentation_mode_orders_the_table_live_first() {
    let snap = testing::hang();
    let second = |view: &ViewState| {
        snap.threads[view.visible_threads(&snap)[1]]
            .name
            .to_string()
    };
    let mut view = ViewState::new();
    assert_eq!(second(&view), "Producer-1");
    view.present = true;
    assert_eq!(second(&view), "Consumer-2", "Producer-1 has exited");
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
    let rows = view.visible_threads(&snap);
    assert_eq!(view.threads.selected, Some(snap.threads[rows[3]].id));
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 12,
        modifiers: KeyModifiers::NONE,
    };
    handle_mouse(&mut view, wheel, &snap);
    assert_eq!(view.threads.scroll, 3);
    handle_mouse(&mut view, click(10), &snap);
    assert_eq!(
        view.threads.selected,
        Some(snap.threads[rows[3]].id),
        "row 0 after scrolling 3"
    );
    // Clicks outside the list change nothing.
    handle_mouse(&mut view, click(2), &snap);
    assert_eq!(view.threads.selected, Some(snap.threads[rows[3]].id));
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
    assert_eq!(view.threads.selected, Some(1));
}

#[test]
fn t_opens_tune_and_enter_applies_only_a_known_knee() {
    let snap = testing::running(4);
    let (a, cmd) = press(key('T'), &snap);
    assert_eq!((a, cmd), (Some(Action::OpenTune), None));
    assert_eq!(press(key('T'), &testing::done()).0, None, "nothing to tune");
    let mut view = ViewState::new();
    view.overlay = Overlay::Tune(testing::tune_view(3).into());
    assert_eq!(handle_key(&mut view, code(KeyCode::Enter), &snap), None);
    view.overlay = Overlay::Tune(testing::tune_view(8).into());
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
    assert!(matches!(view.overlay, Overlay::Details));
    assert_eq!(view.snapshot_request().detail, Some(1));
    handle_key(&mut view, code(KeyCode::Enter), &snap);
    assert!(matches!(view.overlay, Overlay::None));
}

#[test]
fn b_hides_and_shows_block_and_wait_events() {
    let snap = testing::running(4);
    let mut view = ViewState::new();
    assert!(!view.hide_chatter);
    assert_eq!(handle_key(&mut view, key('b'), &snap), None, "view only");
    assert!(view.hide_chatter);
    // Hidden lines leave gaps: the log asks for more events to fill.
    view.geometry.event_rows = 10;
    assert_eq!(view.snapshot_request().events, 40);
    handle_key(&mut view, key('b'), &snap);
    assert!(!view.hide_chatter);
    assert_eq!(view.snapshot_request().events, 16);
}
