//! Pictures of the real screen, for handouts and the README: a frame drawn
//! by [`render_buffer`] exactly as the terminal would show it, then
//! written out as SVG ([`svg`]: colours, box drawing, bold and dim on a
//! monospace grid) or plain text ([`text`]). Nothing here touches a file;
//! `crate::picture` names and writes them.

pub mod palette;
pub mod svg;
pub mod text;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::screen::render_buffer;
use super::theme::Theme;
use crate::app::ViewState;
use crate::sim::Snapshot;

pub use svg::svg;
pub use text::text;

/// `snap` drawn at `cols`×`rows` as the live view shows it with `view`: a
/// first pass lays the screen out (paging and the event log depend on it),
/// the second is the frame, as the event loop draws twice after a resize.
pub fn frame(snap: &Snapshot, view: &mut ViewState, theme: &Theme, cols: u16, rows: u16) -> Buffer {
    let area = Rect::new(0, 0, cols, rows);
    let mut buf = Buffer::empty(area);
    for _ in 0..2 {
        view.sync(snap);
        buf = Buffer::empty(area);
        view.geometry = render_buffer(&mut buf, area, snap, view, theme);
    }
    buf
}

/// What a picture's `<title>` says: the scenario, its phase and its time.
pub fn title(snap: &Snapshot) -> String {
    format!(
        "queuescope: {} ({}, {})",
        snap.scenario,
        snap.phase.name(),
        crate::units::clock(snap.elapsed)
    )
}

#[cfg(test)]
mod tests;
