//! The threads table's view state: which thread is selected, the first row
//! shown, the sort key and the filter. Threads are remembered by id, not
//! by row, so a selection survives re-sorting and threads being added.
//!
//! The methods take the table's rows as [`sortable::rows`] orders them and
//! the number of rows on screen (`page`), both of which the enclosing
//! [`ViewState`](super::ViewState) knows.

use super::sortable::{self, SortKey};
use crate::sim::Snapshot;

/// Rows the mouse wheel scrolls per notch.
const WHEEL_ROWS: usize = 3;
/// Longest filter text, in characters.
const FILTER_MAX: usize = 32;

/// What the viewer chose in the threads table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadTable {
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
}

impl ThreadTable {
    /// The rows to show of `snap`, filtered and sorted (see [`sortable::rows`]).
    pub fn rows(&self, snap: &Snapshot, live_first: bool) -> Vec<usize> {
        sortable::rows(snap, &self.filter, self.sort, live_first)
    }

    /// Reconcile with a new snapshot: select the first row when nothing is
    /// selected and keep the scroll offset inside the list.
    pub fn sync(&mut self, snap: &Snapshot, rows: &[usize], page: usize) {
        self.scroll = self.scroll.min(rows.len().saturating_sub(page));
        if self.selected.is_none() {
            self.selected = rows.first().map(|&i| snap.threads[i].id);
        }
    }

    /// Forget the selection and scroll (a restart); keep sort and filter.
    pub fn forget_position(&mut self) {
        self.selected = None;
        self.scroll = 0;
    }

    /// Position of the selected thread in `rows`.
    fn selected_pos(&self, snap: &Snapshot, rows: &[usize]) -> Option<usize> {
        let id = self.selected?;
        rows.iter().position(|&i| snap.threads[i].id == id)
    }

    /// Move the selection by `delta` rows (clamped) and scroll it into view.
    pub fn move_selection(&mut self, snap: &Snapshot, rows: &[usize], page: usize, delta: isize) {
        if rows.is_empty() {
            return;
        }
        let pos = match self.selected_pos(snap, rows) {
            Some(p) => p.saturating_add_signed(delta).min(rows.len() - 1),
            // The selected thread was filtered out: start from the top.
            None => 0,
        };
        self.selected = Some(snap.threads[rows[pos]].id);
        self.scroll_to(pos, rows.len(), page);
    }

    /// After a re-sort, scroll so the selected thread is still on screen.
    pub fn keep_selection_visible(&mut self, snap: &Snapshot, rows: &[usize], page: usize) {
        if let Some(pos) = self.selected_pos(snap, rows) {
            self.scroll_to(pos, rows.len(), page);
        }
    }

    /// Adjust the scroll offset so row `pos` of `len` is visible.
    fn scroll_to(&mut self, pos: usize, len: usize, page: usize) {
        if pos < self.scroll {
            self.scroll = pos;
        } else if pos >= self.scroll + page {
            self.scroll = pos + 1 - page;
        }
        self.scroll = self.scroll.min(len.saturating_sub(page));
    }

    /// Select the thread on screen row `offset` (a click), if there is one.
    pub fn select_on_screen(&mut self, snap: &Snapshot, rows: &[usize], offset: usize) {
        if let Some(&i) = rows.get(self.scroll + offset) {
            self.selected = Some(snap.threads[i].id);
        }
    }

    /// One wheel notch down, stopping at the last page of `len` rows.
    pub fn wheel_down(&mut self, len: usize, page: usize) {
        let max = len.saturating_sub(page);
        self.scroll = (self.scroll + WHEEL_ROWS).min(max);
    }

    /// One wheel notch up.
    pub fn wheel_up(&mut self) {
        self.scroll = self.scroll.saturating_sub(WHEEL_ROWS);
    }

    /// Types `c` into the filter (printable characters, up to a length);
    /// the list starts again from the top.
    pub fn type_char(&mut self, c: char) {
        if !c.is_control() && self.filter.chars().count() < FILTER_MAX {
            self.filter.push(c);
            self.scroll = 0;
        }
    }

    /// Ends the filter typing; `keep` keeps the text, else it is cleared.
    pub fn end_filter(&mut self, keep: bool) {
        self.filter_editing = false;
        if !keep {
            self.filter.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn selection_clamps_and_scrolls_into_view() {
        let snap = testing::many(100);
        let mut t = ThreadTable::default();
        let rows = t.rows(&snap, false);
        t.sync(&snap, &rows, 10);
        assert_eq!(t.selected, Some(snap.threads[rows[0]].id));
        t.move_selection(&snap, &rows, 10, 25);
        assert_eq!(t.selected, Some(snap.threads[rows[25]].id));
        assert_eq!(t.scroll, 16, "row 25 is the last on the page");
        t.move_selection(&snap, &rows, 10, -100);
        assert_eq!((t.selected, t.scroll), (Some(snap.threads[rows[0]].id), 0));
        t.move_selection(&snap, &rows, 10, isize::MAX / 2);
        assert_eq!(t.scroll, rows.len() - 10);
    }

    #[test]
    fn the_filter_takes_printable_text_up_to_a_length() {
        let mut t = ThreadTable {
            scroll: 7,
            ..ThreadTable::default()
        };
        t.type_char('\u{7}');
        assert_eq!((t.filter.as_str(), t.scroll), ("", 7));
        for _ in 0..40 {
            t.type_char('x');
        }
        assert_eq!(t.filter.chars().count(), FILTER_MAX);
        assert_eq!(t.scroll, 0);
        t.filter_editing = true;
        t.end_filter(false);
        assert!(!t.filter_editing && t.filter.is_empty());
    }
}
