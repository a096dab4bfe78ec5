//! No truncated panels: at 80×24, 120×40 and 200×60, every screen of every
//! fixture draws each value and label whole. The drawing code notes any
//! text it had to cut short (`ui::draw::take_cuts`); a panel too small for
//! a line drops the line or its details instead.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use queuescope::app::ViewState;
use queuescope::sim::Snapshot;
use queuescope::testing;
use queuescope::ui::{self, Theme, draw};

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

fn fixtures() -> Vec<(&'static str, Snapshot)> {
    vec![
        ("running", testing::running(4)),
        ("paused", testing::paused()),
        ("hang", testing::hang()),
        ("mmc", testing::mmc()),
        ("mmc after +", testing::mmc_after_change()),
        ("runaway", testing::runaway()),
        ("shutting down", testing::shutting_down()),
        ("draining", testing::draining()),
        ("done", testing::done()),
        ("1000 threads", testing::many(1000)),
    ]
}

/// What was cut drawing `snap` at `w`×`h` as the event loop draws it.
fn cuts(snap: &Snapshot, view: &mut ViewState, theme: &Theme, w: u16, h: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    for _ in 0..2 {
        draw::take_cuts();
        view.sync(snap);
        let mut geometry = view.geometry;
        terminal
            .draw(|f| geometry = ui::render(f, snap, view, theme))
            .expect("draw");
        view.geometry = geometry;
    }
    draw::take_cuts()
}

/// A named way to set up the view.
type View = (&'static str, fn(&mut ViewState));

fn check(views: &[View], theme: &Theme) {
    let mut failures = Vec::new();
    for (name, snap) in fixtures() {
        for (w, h) in SIZES {
            for (how, set) in views {
                let mut view = ViewState::new();
                set(&mut view);
                let cut = cuts(&snap, &mut view, theme, w, h);
                if !cut.is_empty() {
                    failures.push(format!("{name} {how} at {w}x{h}: {cut:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "cut short:\n{}", failures.join("\n"));
}

#[test]
fn the_main_screen_cuts_nothing_at_the_three_sizes() {
    check(
        &[
            ("", |_| {}),
            ("with theory", |v| v.theory = true),
            ("banner dismissed", |v| v.banner_dismissed = true),
        ],
        &Theme::default(),
    );
}

#[test]
fn presentation_mode_cuts_nothing_at_the_three_sizes() {
    check(
        &[
            ("present", |v| v.present = true),
            ("present with theory", |v| {
                v.present = true;
                v.theory = true;
            }),
        ],
        &Theme::new(ui::ThemeKind::Contrast, true, false),
    );
}

#[test]
fn ascii_cuts_nothing_either() {
    check(
        &[("ascii", |_| {})],
        &Theme::new(Default::default(), true, true),
    );
}

#[test]
fn the_detector_sees_a_cut() {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
    draw::take_cuts();
    draw::put(&mut buf, 0, 0, "L 40.0 λ·W 40.6 ✓", 10, Style::new());
    draw::put(&mut buf, 0, 0, "padded      ", 10, Style::new());
    draw::put(&mut buf, 0, 0, "abcdefghijkl", 10, Style::new());
    assert_eq!(
        draw::take_cuts(),
        vec!["L 40.0 λ·W 40.6 ✓".to_string(), "abcdefghijkl".to_string()],
        "blanks cut off are not a cut; text is"
    );
}
