//! The exporter against fixtures: the SVG is well-formed XML, says what the
//! screen says, and is painted in the theme's colours.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

use super::palette::{self, BACKGROUND, FOREGROUND};
use super::*;
use crate::testing;
use crate::ui::ThemeKind;

fn picture(snap: &Snapshot, theme: &Theme) -> (Buffer, String) {
    let buf = frame(snap, &mut ViewState::new(), theme, 120, 40);
    let svg = svg(&buf, &title(snap));
    (buf, svg)
}

/// Every `<text>` element's content, in document order.
fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect()
}

/// Every colour the document's style sheet paints with.
fn colours(svg: &str) -> Vec<String> {
    let style = &svg[svg.find("<style>").unwrap_or(0)..svg.find("</style>").unwrap_or(0)];
    style
        .match_indices('#')
        .map(|(i, _)| style[i..i + 7].to_string())
        .collect()
}

#[test]
fn the_svg_is_well_formed_and_says_what_the_screen_says() {
    let snap = testing::running(4);
    let (buf, svg) = picture(&snap, &Theme::default());
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    assert_eq!(root.attribute("width"), Some("1028"));
    assert_eq!(root.attribute("height"), Some("740"));
    let all = texts(&doc).join("\n");
    for word in [
        "queuescope",
        "Producer-1",
        "Consumer-4",
        "Events",
        "Threads",
    ] {
        assert!(all.contains(word), "{word} missing from the SVG's text");
    }
    // The plain text has the same words, and the borders the SVG draws.
    let plain = text(&buf);
    assert_eq!(plain.lines().count(), 40);
    assert!(plain.contains("Producer-1") && plain.contains('╭'));
    // Borders are paths (rounded corners are curves), not glyphs.
    assert!(
        !all.contains('╭') && !all.contains('─'),
        "box drawing left as text"
    );
    assert!(svg.contains("<path") && svg.contains('Q'));
}

#[test]
fn colours_come_from_the_theme() {
    let hang = testing::hang();
    let theme = Theme::default();
    let (_, svg) = picture(&hang, &theme);
    let used = colours(&svg);
    // The hung header bar is the alarm style: white on red.
    let red = palette::bg(theme.alarm.bg.unwrap_or(Color::Reset)).hex();
    assert_eq!(
        red,
        palette::rgb(Color::Red)
            .map(|c| c.hex())
            .unwrap_or_default()
    );
    assert!(used.contains(&red), "{used:?}");
    // Working threads are green, borders dark grey.
    let state = |s| palette::fg(theme.state(s).fg.unwrap_or(Color::Reset)).hex();
    let running = picture(&testing::running(4), &theme).1;
    assert!(colours(&running).contains(&state(crate::sim::ThreadState::Working)));
    assert!(colours(&running).contains(&palette::fg(Color::DarkGray).hex()));

    // The contrast theme uses its own, brighter colours.
    let contrast = Theme::new(ThemeKind::Contrast, true, false);
    let bright = picture(&testing::running(4), &contrast).1;
    assert!(colours(&bright).contains(&palette::fg(Color::LightGreen).hex()));
    assert!(!colours(&bright).contains(&palette::fg(Color::DarkGray).hex()));
}

#[test]
fn without_colour_only_the_default_ink_and_canvas_are_used() {
    let theme = Theme::new(ThemeKind::Default, false, false);
    let (_, svg) = picture(&testing::hang(), &theme);
    let allowed = [FOREGROUND.hex(), BACKGROUND.hex()];
    let used = colours(&svg);
    assert!(!used.is_empty());
    assert!(used.iter().all(|c| allowed.contains(c)), "{used:?}");
    // The bar is reversed: light cells with dark text.
    assert!(svg.contains(&format!("fill:{}", FOREGROUND.hex())));
}

#[test]
fn text_is_escaped_and_styles_carry_over() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 20, 2));
    let bold = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
    buf.set_string(0, 0, "a<b & \"c\"", bold);
    buf.set_string(0, 1, "dim\u{7}", Style::new().add_modifier(Modifier::DIM));
    let svg = svg(&buf, "x < y");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(texts(&doc)[0], "a<b & \"c\"");
    assert!(svg.contains("<title>x &lt; y</title>"));
    assert!(svg.contains("fill:#cd3131;font-weight:bold"), "{svg}");
    assert!(svg.contains("opacity:.55"));
}

#[test]
fn blocks_are_rectangles_that_fill_their_cells() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
    buf.set_string(0, 0, "██▄░", Style::new().fg(Color::Green));
    let svg = svg(&buf, "bars");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert!(texts(&doc).is_empty(), "blocks drawn as text: {svg}");
    // Two full cells merged into one rectangle 2 cells wide.
    assert!(svg.contains("width=\"16.8\" height=\"18\""), "{svg}");
    // The lower half block, and the light shade's opacity.
    assert!(
        svg.contains("y=\"19\"") && svg.contains("height=\"9\""),
        "{svg}"
    );
    assert!(svg.contains("fill-opacity:0.25"), "{svg}");
}

#[test]
fn the_same_frame_gives_the_same_file() {
    let a = picture(&testing::shutting_down(), &Theme::default()).1;
    let b = picture(&testing::shutting_down(), &Theme::default()).1;
    assert_eq!(a, b);
}
