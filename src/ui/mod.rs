//! Drawing: one [`Snapshot`](crate::sim::Snapshot) plus the
//! [`ViewState`](crate::app::ViewState) in, one frame out.
//!
//! [`render`] ([`screen`]) lays the screen out ([`layout`](mod@layout)) and hands each
//! region to its panel's module (one file per panel; [`draw`] and
//! [`theme`] are what they share). Nothing here talks to the source or
//! the terminal, so every screen can be rendered into a `TestBackend` and
//! compared, and the cost of a frame can be benchmarked. The lints are
//! computed once per frame (they decide whether the warnings panel takes
//! rows); the theory only while its panel is open.

pub mod bigtext;
pub mod child_output;
pub mod columns;
pub mod details;
pub mod done;
pub mod draw;
pub mod events;
pub mod export;
pub mod fmt;
pub mod footer;
pub mod header;
pub mod help;
pub mod layout;
pub mod present;
pub mod queue;
pub mod screen;
pub mod stats;
pub mod sweep_chart;
pub mod theme;
pub mod theory;
pub mod threads;
pub mod too_small;
pub mod tune;
pub mod warnings;

pub use layout::{Areas, LayoutNeeds, MIN_HEIGHT, MIN_WIDTH, layout, layout_for};
pub use screen::{render, render_buffer};
pub use theme::{Theme, ThemeKind};
