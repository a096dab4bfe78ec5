//! What the user asked for, without any terminal I/O: the view state
//! (overlays, theory panel, the threads table's selection, scroll, sort
//! and filter), the key and mouse handling that changes it ([`keys`]), and
//! the mapping from user [`Action`]s to engine [`Command`](crate::sim::Command)s
//! ([`action`]). Everything here is a pure function of its inputs so it can
//! be unit-tested with hand-built snapshots.
//!
//! The split follows tokio-console's `view` state: the source's
//! [`Snapshot`](crate::sim::Snapshot) is the model, and this module keeps only what the viewer
//! chose to look at. Each overlay owns its sub-view (the Tune view owns
//! its sweep), and the threads table's state is its own type
//! ([`ThreadTable`], ordered by [`sortable`]), as bottom's data tables are.

pub mod action;
pub mod keys;
pub mod notes;
pub mod sortable;
pub mod threads;
pub mod view;

pub use action::{Action, FASTER, SLOWER, command};
pub use keys::{handle_key, handle_mouse};
pub use notes::{LintNote, LintNotes};
pub use sortable::SortKey;
pub use threads::ThreadTable;
pub use view::{Geometry, Notice, Overlay, ViewState};

pub use crate::source::SourceView;

#[cfg(test)]
mod tests;
