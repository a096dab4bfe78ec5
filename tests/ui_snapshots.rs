//! Screen snapshots: each fixture from `queuescope::testing` rendered into
//! a `TestBackend` and compared with the accepted text in `tests/snapshots/`.
//! Run `INSTA_UPDATE=always cargo test --test ui_snapshots` after a
//! deliberate change and read the diff before committing it.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;

use queuescope::app::{self, Overlay, ViewState};
use queuescope::sim::Snapshot;
use queuescope::testing;
use queuescope::ui::{self, Theme, ThemeKind};

/// Renders `snap` at `w`×`h` the way the event loop does: a first frame to
/// learn the layout, then the frame that is shown.
fn screen(
    snap: &Snapshot,
    view: &mut ViewState,
    theme: &Theme,
    w: u16,
    h: u16,
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    for _ in 0..2 {
        view.sync(snap);
        let mut geometry = view.geometry;
        terminal
            .draw(|f| geometry = ui::render(f, snap, view, theme))
            .expect("draw");
        view.geometry = geometry;
    }
    terminal
}

fn text(snap: &Snapshot, view: &mut ViewState, theme: &Theme, w: u16, h: u16) -> String {
    format!("{}", screen(snap, view, theme, w, h).backend())
}

fn press(view: &mut ViewState, snap: &Snapshot, code: KeyCode) {
    app::handle_key(view, KeyEvent::new(code, KeyModifiers::NONE), snap);
}

#[test]
fn running_80x24() {
    let snap = testing::running(4);
    assert_snapshot!(text(
        &snap,
        &mut ViewState::new(),
        &Theme::default(),
        80,
        24
    ));
}

#[test]
fn running_120x40() {
    let snap = testing::running(4);
    assert_snapshot!(text(
        &snap,
        &mut ViewState::new(),
        &Theme::default(),
        120,
        40
    ));
}

#[test]
fn running_200x60() {
    let snap = testing::running(4);
    assert_snapshot!(text(
        &snap,
        &mut ViewState::new(),
        &Theme::default(),
        200,
        60
    ));
}

#[test]
fn paused() {
    let snap = testing::paused();
    assert_snapshot!(text(
        &snap,
        &mut ViewState::new(),
        &Theme::default(),
        100,
        30
    ));
}

#[test]
fn help_overlay() {
    let snap = testing::running(4);
    let mut view = ViewState::new();
    press(&mut view, &snap, KeyCode::Char('?'));
    assert!(matches!(view.overlay, Overlay::Help));
    assert_snapshot!(text(&snap, &mut view, &Theme::default(), 100, 30));
}

#[test]
fn shutdown_with_pills_in_the_queue() {
    let snap = testing::shutting_down();
    let screen = text(&snap, &mut ViewState::new(), &Theme::default(), 100, 30);
    // The header's short form once the drain's time left joins it.
    assert!(screen.contains("pills 3/4 ·"), "{screen}");
    assert!(screen.contains("●●●"));
    assert_snapshot!(screen);
}

#[test]
fn shutdown_draining() {
    let snap = testing::draining();
    let screen = text(&snap, &mut ViewState::new(), &Theme::default(), 100, 30);
    // The drain's items left and time to go come first; at 100 columns
    // the header takes its short form rather than cut a word.
    assert!(screen.contains("pills 4/4 · 2 left ~"), "{screen}");
    assert!(screen.contains("2/4 exited"));
    assert!(screen.contains("got pill → exited"));
    assert_snapshot!(screen);
}

#[test]
fn done_banner() {
    let snap = testing::done();
    let screen = text(&snap, &mut ViewState::new(), &Theme::default(), 100, 30);
    assert!(screen.contains("Done! Time taken: 22.41 s"));
    assert_snapshot!(screen);
}

#[test]
fn thread_details() {
    let snap = testing::with_detail();
    let mut view = ViewState::new();
    view.sync(&snap);
    for _ in 0..4 {
        press(&mut view, &snap, KeyCode::Down);
    }
    press(&mut view, &snap, KeyCode::Enter);
    assert_eq!(view.snapshot_request().detail, Some(4));
    assert_snapshot!(text(&snap, &mut view, &Theme::default(), 120, 40));
}

#[test]
fn thread_details_80x24() {
    let snap = testing::with_detail();
    let mut view = ViewState::new();
    view.threads.selected = Some(4);
    view.overlay = Overlay::Details;
    assert_snapshot!(text(&snap, &mut view, &Theme::default(), 80, 24));
}

#[test]
fn too_small() {
    let snap = testing::running(4);
    assert_snapshot!(text(
        &snap,
        &mut ViewState::new(),
        &Theme::default(),
        50,
        12
    ));
}

#[test]
fn ascii_only() {
    let snap = testing::draining();
    let theme = Theme::new(ThemeKind::Default, true, true);
    let screen = text(&snap, &mut ViewState::new(), &theme, 100, 30);
    assert!(screen.is_ascii(), "non-ASCII glyph on an --ascii screen");
    assert_snapshot!(screen);
}

#[test]
fn ascii_only_everywhere() {
    let theme = Theme::new(ThemeKind::Contrast, false, true);
    for (snap, overlay) in [
        (testing::running(4), Overlay::Help),
        (testing::with_detail(), Overlay::Details),
        (testing::done(), Overlay::None),
        (testing::paused(), Overlay::None),
    ] {
        let mut view = ViewState::new();
        view.threads.selected = Some(4);
        view.overlay = overlay;
        for (w, h) in [(80, 24), (200, 60), (40, 10)] {
            let screen = text(&snap, &mut view, &theme, w, h);
            assert!(
                screen.is_ascii(),
                "{:?} at {w}x{h}:\n{screen}",
                view.overlay
            );
        }
    }
}

#[test]
fn thousand_threads() {
    let snap = testing::many(1000);
    let mut view = ViewState::new();
    view.sync(&snap);
    let screen = text(&snap, &mut view, &Theme::default(), 200, 60);
    assert!(screen.contains("of 1001"), "scroll position shown");
    assert_snapshot!(screen);
}

#[test]
fn thousand_threads_scrolled_and_filtered() {
    let snap = testing::many(1000);
    let mut view = ViewState::new();
    view.threads.filter = "waiting".into();
    view.threads.sort = app::SortKey::Items;
    screen(&snap, &mut view, &Theme::default(), 120, 40);
    press(&mut view, &snap, KeyCode::PageDown);
    press(&mut view, &snap, KeyCode::PageDown);
    assert_snapshot!(text(&snap, &mut view, &Theme::default(), 120, 40));
}

#[test]
fn no_color_means_no_colour() {
    let snap = testing::draining();
    let theme = Theme::new(ThemeKind::Default, false, false);
    let mut view = ViewState::new();
    let terminal = screen(&snap, &mut view, &theme, 120, 40);
    let buf = terminal.backend().buffer();
    for cell in buf.content() {
        assert!(
            matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
            "coloured cell {cell:?}"
        );
    }
}

#[test]
fn states_are_coloured_in_the_default_theme() {
    let snap = testing::running(4);
    let theme = Theme::default();
    let mut view = ViewState::new();
    let terminal = screen(&snap, &mut view, &theme, 120, 40);
    let buf = terminal.backend().buffer();
    let reds = buf.content().iter().filter(|c| c.fg == Color::Red).count();
    let greens = buf
        .content()
        .iter()
        .filter(|c| c.fg == Color::Green)
        .count();
    assert!(reds > 0 && greens > 0, "blocked in red, working in green");
}

#[test]
fn warnings_panel_with_a_hang() {
    let snap = testing::hang();
    let screen = text(&snap, &mut ViewState::new(), &Theme::default(), 100, 30);
    assert!(screen.contains("Warnings"), "{screen}");
    assert!(screen.contains("3 consumers will wait forever"), "{screen}");
    assert!(screen.contains("HANG"), "the header says it too");
    assert_snapshot!(screen);
}

#[test]
fn microseconds_read_as_us_on_an_ascii_screen() {
    // Durations say `µs`; --ascii must still show every one of them legibly.
    let snap = testing::hang();
    let unicode = text(&snap, &mut ViewState::new(), &Theme::default(), 100, 30);
    assert!(unicode.contains("725µs"), "{unicode}");
    let theme = Theme::new(ThemeKind::Default, true, true);
    let ascii = text(&snap, &mut ViewState::new(), &theme, 100, 30);
    assert!(ascii.is_ascii(), "{ascii}");
    assert!(ascii.contains("725us"), "{ascii}");
}

#[test]
fn a_hang_is_drawn_in_the_error_colour() {
    let snap = testing::hang();
    let terminal = screen(&snap, &mut ViewState::new(), &Theme::default(), 100, 30);
    let buf = terminal.backend().buffer();
    // The header bar is the alarm colour from end to end.
    assert!((0..100).all(|x| buf[(x, 0)].bg == Color::Red));
    // The hang's own row in the warnings panel is red.
    let row = (1..10)
        .find(|&y| {
            (0..100)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("wait forever")
        })
        .expect("the hang's row");
    assert!((2..20).any(|x| buf[(x, row)].fg == Color::Red));
}

#[test]
fn no_warnings_take_no_space() {
    let snap = testing::mmc();
    assert!(queuescope::analysis::lint::lints(&snap).is_empty());
    let screen = text(&snap, &mut ViewState::new(), &Theme::default(), 100, 30);
    assert!(!screen.contains("Warnings"), "{screen}");
    let second = screen.lines().nth(1).unwrap_or_default();
    assert!(
        second.contains("Queue"),
        "queue right under the header: {second}"
    );
}

#[test]
fn theory_panel_stable() {
    let snap = testing::mmc();
    let mut view = ViewState::new();
    press(&mut view, &snap, KeyCode::Char('t'));
    assert!(view.theory);
    let screen = text(&snap, &mut view, &Theme::default(), 120, 40);
    assert!(screen.contains("theory") && screen.contains("measured"));
    // Erlang-C for c = 3, a = 2.5: P(wait) 0.702, Lq 3.51, Wq 351 ms.
    assert!(screen.contains("0.702"), "{screen}");
    assert!(
        screen.contains("3.51") && screen.contains("351ms"),
        "{screen}"
    );
    assert!(
        !screen.contains("Stats"),
        "theory takes the stats panel's place"
    );
    assert_snapshot!(screen);
}

#[test]
fn theory_panel_80x24() {
    let snap = testing::mmc();
    let mut view = ViewState::new();
    view.theory = true;
    let screen = text(&snap, &mut view, &Theme::default(), 80, 24);
    assert!(screen.contains("0.702"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn theory_panel_unstable() {
    let snap = testing::runaway();
    let mut view = ViewState::new();
    view.theory = true;
    let screen = text(&snap, &mut view, &Theme::default(), 120, 40);
    assert!(screen.contains("unstable"), "{screen}");
    assert!(
        !screen.contains("P(wait)"),
        "no numbers without a steady state"
    );
    assert!(
        screen.contains("can't keep up"),
        "the runaway lint: {screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn theory_panel_with_a_makespan() {
    let snap = testing::hang();
    let mut view = ViewState::new();
    view.theory = true;
    let screen = text(&snap, &mut view, &Theme::default(), 120, 40);
    // 8 items of 50 ms on 4 consumers: ⌈8/4⌉ × 50 ms = 100 ms.
    assert!(screen.contains("makespan ⌈8/4⌉·S"), "{screen}");
    assert!(screen.contains("100ms"), "{screen}");
}

fn present() -> ViewState {
    ViewState {
        present: true,
        ..ViewState::new()
    }
}

fn contrast() -> Theme {
    Theme::new(ThemeKind::Contrast, true, false)
}

#[test]
fn present_80x24() {
    let snap = testing::mmc();
    let screen = text(&snap, &mut present(), &contrast(), 80, 24);
    assert!(screen.contains("Lesson: "), "{screen}");
    assert!(screen.contains("▀"), "block digits: {screen}");
    assert!(screen.contains("What just happened"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn present_200x60() {
    let snap = testing::shutting_down();
    let screen = text(&snap, &mut present(), &contrast(), 200, 60);
    assert!(screen.contains("pills taken"), "{screen}");
    assert!(screen.contains("████"), "large digits: {screen}");
    assert_snapshot!(screen);
}

#[test]
fn present_with_a_hang_and_theory_80x24() {
    let snap = testing::hang();
    let mut view = present();
    view.theory = true;
    let screen = text(&snap, &mut view, &contrast(), 80, 24);
    assert!(screen.contains("will wait forever"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn present_ascii_has_only_ascii() {
    let theme = Theme::new(ThemeKind::Contrast, true, true);
    for snap in [testing::mmc(), testing::hang(), testing::runaway()] {
        for (w, h) in [(80, 24), (200, 60), (60, 16)] {
            let mut view = present();
            view.theory = true;
            let screen = text(&snap, &mut view, &theme, w, h);
            assert!(screen.is_ascii(), "{w}x{h}:\n{screen}");
        }
    }
}

mod never_panics {
    //! Any terminal size, any overlay, odd snapshots: rendering must not
    //! panic (it runs inside the raw-mode terminal), and `--ascii` must
    //! hold for every cell.

    use super::*;
    use proptest::prelude::*;
    use queuescope::sim::{Capacity, QueueStrip, Slot};
    use std::time::Duration;

    fn fixture(k: u8) -> Snapshot {
        match k % 10 {
            0 => testing::running(4),
            1 => testing::paused(),
            2 => testing::shutting_down(),
            3 => testing::draining(),
            4 => testing::done(),
            5 => testing::with_detail(),
            6 => testing::hang(),
            7 => testing::mmc(),
            8 => testing::runaway(),
            _ => testing::many(40),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn any_size_any_view(
            k in 0u8..10,
            present: bool,
            theory: bool,
            w in 1u16..230,
            h in 1u16..70,
            overlay in 0u8..4,
            source in 0u8..3,
            tune_points in 0usize..9,
            ascii: bool,
            color: bool,
            cap in 0u8..4,
            strip_len in 0usize..300,
            hidden in 0u64..5000,
            empty_history: bool,
            no_threads: bool,
            zero_elapsed: bool,
            scroll in 0usize..2000,
            filter in "[a-z ]{0,4}",
            selected in proptest::option::of(0usize..60),
        ) {
            let mut snap = fixture(k);
            snap.capacity = match cap {
                0 => Capacity::Rendezvous,
                1 => Capacity::Unbounded,
                2 => Capacity::Bounded(1),
                _ => snap.capacity,
            };
            snap.strip = QueueStrip {
                hidden,
                slots: (0..strip_len)
                    .map(|i| if i % 7 == 6 { Slot::Pill } else { Slot::Item { id: i as u64, producer: i % 9 } })
                    .collect(),
            };
            if empty_history {
                snap.history.clear();
            }
            if no_threads {
                snap.threads.clear();
            }
            if zero_elapsed {
                snap.elapsed = Duration::ZERO;
            }
            let theme = Theme::new(ThemeKind::Default, color, ascii);
            let mut view = ViewState::new();
            view.overlay = match overlay {
                0 => Overlay::None,
                1 => Overlay::Help,
                2 => Overlay::Details,
                _ => Overlay::Tune(testing::tune_view(tune_points).into()),
            };
            view.source = match source {
                0 => queuescope::app::SourceView::Live,
                1 => queuescope::app::SourceView::Replay(testing::replay_view(hidden)),
                _ => queuescope::app::SourceView::Recording(queuescope::record::RecordingView {
                    bytes: hidden * 1000,
                    dropped_events: hidden % 3,
                    error: None,
                }),
            };
            view.threads.scroll = scroll;
            view.threads.filter = filter;
            view.threads.selected = selected;
            view.present = present;
            view.theory = theory;
            let screen = text(&snap, &mut view, &theme, w, h);
            if ascii {
                prop_assert!(screen.is_ascii(), "{}", screen);
            }
        }
    }
}

mod tune_and_replay {
    //! The Tune view and the header of a replay or a recording.

    use super::*;
    use queuescope::app::SourceView;
    use queuescope::record::RecordingView;

    #[test]
    fn tune_view_done() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        view.overlay = Overlay::Tune(testing::tune_view(8).into());
        let screen = text(&snap, &mut view, &Theme::default(), 120, 40);
        assert!(screen.contains("knee: 4 consumers (39.2/s)"), "{screen}");
        assert!(
            screen.contains("keep 4 consumers (already there)"),
            "{screen}"
        );
        assert_snapshot!(screen);
    }

    #[test]
    fn tune_view_measuring_80x24() {
        let snap = testing::running(2);
        let mut view = ViewState::new();
        view.overlay = Overlay::Tune(testing::tune_view(3).into());
        let screen = text(&snap, &mut view, &Theme::default(), 80, 24);
        assert!(
            screen.contains("measuring 2 producers + 4 consumers"),
            "{screen}"
        );
        assert!(screen.contains(" 42%"), "{screen}");
        assert_snapshot!(screen);
    }

    #[test]
    fn replay_frame() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        view.source = SourceView::Replay(testing::replay_view(0));
        let screen = text(&snap, &mut view, &Theme::default(), 120, 40);
        let header = screen.lines().next().unwrap_or_default();
        assert!(
            header.contains("replay ‖ 2x 5.8s/22.4s 26% · event 61/139"),
            "{header}"
        );
        assert!(screen.contains("n next event"), "replay keys in the footer");
        assert_snapshot!(screen);
    }

    #[test]
    fn replay_header_says_what_was_lost() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        view.source = SourceView::Replay(testing::replay_view(12));
        let screen = text(&snap, &mut view, &Theme::default(), 160, 30);
        let header = screen.lines().next().unwrap_or_default();
        assert!(header.contains("12 events lost in recording"), "{header}");
    }

    #[test]
    fn recording_header() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        view.source = SourceView::Recording(RecordingView {
            bytes: 48_200,
            dropped_events: 3,
            error: None,
        });
        let screen = text(&snap, &mut view, &Theme::default(), 120, 30);
        let header = screen.lines().next().unwrap_or_default();
        assert!(
            header.contains("● rec 48 KB · 3 events dropped"),
            "{header}"
        );
        view.source = SourceView::Recording(RecordingView {
            error: Some("disk full".into()),
            ..RecordingView::default()
        });
        let screen = text(&snap, &mut view, &Theme::default(), 120, 30);
        assert!(
            screen
                .lines()
                .next()
                .unwrap_or_default()
                .contains("recording failed")
        );
    }

    #[test]
    fn replay_help_lists_the_replay_keys_not_the_knobs() {
        let snap = testing::running(4);
        let mut view = ViewState::new();
        view.source = SourceView::Replay(testing::replay_view(0));
        view.overlay = Overlay::Help;
        let screen = text(&snap, &mut view, &Theme::default(), 100, 40);
        assert!(
            screen.contains("pause and step to the next event"),
            "{screen}"
        );
        assert!(!screen.contains("graceful shutdown"), "{screen}");
    }

    #[test]
    fn ascii_tune_and_replay() {
        let theme = Theme::new(ThemeKind::Default, true, true);
        for (w, h) in [(80, 24), (140, 45)] {
            let snap = testing::running(4);
            let mut view = ViewState::new();
            view.overlay = Overlay::Tune(testing::tune_view(8).into());
            view.source = SourceView::Replay(testing::replay_view(1));
            let screen = text(&snap, &mut view, &theme, w, h);
            assert!(screen.is_ascii(), "{screen}");
        }
    }
}

/// After `+`: the theory panel measures the new epoch against its own
/// Erlang-C (4 consumers), with the measured P(wait), at every size.
fn after_a_change(w: u16, h: u16) -> String {
    let snap = testing::mmc_after_change();
    let mut view = ViewState::new();
    press(&mut view, &snap, KeyCode::Char('t'));
    let screen = text(&snap, &mut view, &Theme::default(), w, h);
    // c = 4, a = 2.5: P(wait) 0.320; measured 0.363 over 91 items.
    assert!(
        screen.contains("0.320") && screen.contains("0.363"),
        "{screen}"
    );
    assert!(screen.contains("+1 consumer"), "{screen}");
    screen
}

#[test]
fn theory_after_a_change_80x24() {
    assert_snapshot!(after_a_change(80, 24));
}

#[test]
fn theory_after_a_change_120x40() {
    assert_snapshot!(after_a_change(120, 40));
}

#[test]
fn theory_after_a_change_200x60() {
    assert_snapshot!(after_a_change(200, 60));
}

/// The stats panel names the epoch and shows it beside the whole run.
#[test]
fn stats_after_a_change_120x40() {
    let snap = testing::mmc_after_change();
    let screen = text(&snap, &mut ViewState::new(), &Theme::default(), 120, 40);
    assert!(
        screen.contains("Stats · since +1 consumer, 12.4s ago"),
        "{screen}"
    );
    assert!(screen.contains("since change"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn textbook_deadlock_every_thread_asleep_on_cond() {
    let snap = testing::cv_deadlock();
    let shown = text(&snap, &mut ViewState::new(), &Theme::default(), 120, 40);
    assert!(shown.contains("asleep on cond, again"), "{shown}");
    assert!(shown.contains("instead of the producer"), "{shown}");
    assert_snapshot!(shown);
}

#[test]
fn textbook_lock_holder_and_waiting_lock() {
    let snap = testing::cv_lock_held();
    let shown = text(&snap, &mut ViewState::new(), &Theme::default(), 120, 40);
    assert!(shown.contains("▣ producing"), "{shown}");
    assert!(shown.contains("waiting: lock") && shown.contains("asleep on fill"));
    assert_snapshot!(shown);
    let ascii = Theme::new(ThemeKind::Default, false, true);
    let shown = text(&snap, &mut ViewState::new(), &ascii, 120, 40);
    assert!(shown.contains("[L] producing"), "{shown}");
    // The theory panel says what the model leaves out.
    let mut view = ViewState::new();
    press(&mut view, &snap, KeyCode::Char('t'));
    let shown = text(&snap, &mut view, &Theme::default(), 120, 40);
    assert!(shown.contains("one lock for every put and get"), "{shown}");
}
