//! The pictures in the README (`assets/screens/*.svg`) are drawn by the
//! exporter from fixed fixtures, the same way `x` draws the live screen.
//! This test draws them again and fails when a committed file differs, so
//! they never go stale. After a deliberate change to the screen:
//!
//! ```sh
//! QUEUESCOPE_BLESS=1 cargo test --test screens
//! ```
//!
//! then look at the pictures before committing them.

use std::path::PathBuf;

use queuescope::app::ViewState;
use queuescope::sim::Snapshot;
use queuescope::testing;
use queuescope::ui::{Theme, export};

/// One picture: its file name, the fixture and the screen size.
struct Screen {
    name: &'static str,
    snap: fn() -> Snapshot,
    cols: u16,
    rows: u16,
}

const SCREENS: &[Screen] = &[
    // The default scenario with the consumers slowed down: a full queue.
    Screen {
        name: "live-default",
        snap: || testing::running(4),
        cols: 120,
        rows: 36,
    },
    // `s` pressed: the producers stopped, pills going out behind the items.
    Screen {
        name: "shutdown",
        snap: testing::shutting_down,
        cols: 120,
        rows: 36,
    },
    // too-few-pills: three consumers wait for a pill that never comes.
    Screen {
        name: "hang",
        snap: testing::hang,
        cols: 120,
        rows: 36,
    },
];

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/screens")
        .join(format!("{name}.svg"))
}

fn draw(screen: &Screen) -> String {
    let snap = (screen.snap)();
    let buf = export::frame(
        &snap,
        &mut ViewState::new(),
        &Theme::default(),
        screen.cols,
        screen.rows,
    );
    export::svg(&buf, &export::title(&snap))
}

#[test]
fn the_readme_pictures_are_up_to_date() {
    let bless = std::env::var_os("QUEUESCOPE_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for screen in SCREENS {
        let fresh = draw(screen);
        let file = path(screen.name);
        let committed = std::fs::read_to_string(&file).unwrap_or_default();
        if committed == fresh {
            continue;
        }
        if bless {
            std::fs::write(&file, &fresh).expect("write the picture");
        } else {
            stale.push(file.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "these pictures differ from what the screen draws now:\n  {}\n\
         redraw them with: QUEUESCOPE_BLESS=1 cargo test --test screens",
        stale.join("\n  ")
    );
}

#[test]
fn the_readme_shows_every_picture() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    for screen in SCREENS {
        let link = format!("assets/screens/{}.svg", screen.name);
        assert!(readme.contains(&link), "README.md does not show {link}");
    }
}
