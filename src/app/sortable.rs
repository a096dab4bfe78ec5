//! The threads table's order and filter: which of a snapshot's threads are
//! rows, and in what order, for a sort key and a filter text. Pure
//! functions of the snapshot, run every frame (1,000 threads included).

use std::cmp::Ordering;

use crate::sim::{Role, Snapshot, ThreadSnap, ThreadState};

/// How the threads panel is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// `main`, then producers, then consumers, each in numeric order.
    #[default]
    Name,
    /// Most noteworthy state first (blocked, crashed, busy, waiting, ...).
    State,
    /// Most items first.
    Items,
    /// Busiest first.
    Busy,
}

impl SortKey {
    /// The next key in the `o` cycle.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::State,
            SortKey::State => SortKey::Items,
            SortKey::Items => SortKey::Busy,
            SortKey::Busy => SortKey::Name,
        }
    }

    /// Short label for the panel title.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::State => "state",
            SortKey::Items => "items",
            SortKey::Busy => "busy%",
        }
    }

    /// The label when `live_first` (see [`rows`]) may change the order.
    pub fn label_live_first(self, live_first: bool) -> &'static str {
        match self {
            SortKey::Name if live_first => "live, name",
            key => key.label(),
        }
    }
}

/// Indices into `snap.threads` of the rows to show: the threads matching
/// `filter` (case-insensitive, on name, role or state), ordered by `sort`.
/// With `live_first` (presentation mode) name order puts the threads
/// still at work first.
pub fn rows(snap: &Snapshot, filter: &str, sort: SortKey, live_first: bool) -> Vec<usize> {
    let needle = filter.trim().to_lowercase();
    let t = &snap.threads;
    let mut rows: Vec<usize> = (0..t.len())
        .filter(|&i| needle.is_empty() || matches_filter(&t[i], &needle))
        .collect();
    let name_rank = name_ranks(t);
    match sort {
        // A projector shows few rows: threads still at work come first,
        // and a thread moves down only once, when it exits.
        SortKey::Name if live_first => {
            rows.sort_unstable_by_key(|&i| (t[i].state.is_final(), name_rank[i]))
        }
        SortKey::Name => rows.sort_unstable_by_key(|&i| name_rank[i]),
        SortKey::State => rows.sort_unstable_by_key(|&i| (state_rank(t[i].state), name_rank[i])),
        SortKey::Items => {
            rows.sort_unstable_by_key(|&i| (std::cmp::Reverse(t[i].items), name_rank[i]))
        }
        SortKey::Busy => {
            // Computed once per row: busy_fraction sums nine durations.
            let busy: Vec<f64> = t.iter().map(ThreadSnap::busy_fraction).collect();
            rows.sort_unstable_by(|&a, &b| {
                busy[b]
                    .partial_cmp(&busy[a])
                    .unwrap_or(Ordering::Equal)
                    .then(name_rank[a].cmp(&name_rank[b]))
            })
        }
    }
    rows
}

/// Each thread's place in name order, by index. Name order is every
/// mode's tie-break: rank each thread once rather than parse names inside
/// the comparisons (1,000 threads, every frame).
fn name_ranks(t: &[ThreadSnap]) -> Vec<usize> {
    let by_name: Vec<(u8, &str, Option<u64>, usize)> = t
        .iter()
        .map(|x| {
            let (prefix, n) = split_number(&x.name);
            (role_rank(x.role), prefix, n, x.id)
        })
        .collect();
    let mut order: Vec<usize> = (0..t.len()).collect();
    order.sort_unstable_by(|&a, &b| by_name[a].cmp(&by_name[b]));
    let mut rank = vec![0; t.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// Filter match on name, role or state name; `needle` is lower-case.
fn matches_filter(t: &ThreadSnap, needle: &str) -> bool {
    contains_ci(&t.name, needle)
        || t.role.name().contains(needle)
        || t.state.name().contains(needle)
        || (t.retiring && "retiring".contains(needle))
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() {
        hay.to_ascii_lowercase().contains(needle)
    } else {
        hay.to_lowercase().contains(needle)
    }
}

fn role_rank(r: Role) -> u8 {
    match r {
        Role::Coordinator => 0,
        Role::Producer => 1,
        Role::Consumer => 2,
    }
}

/// Most noteworthy first: a blocked or crashed thread is what a viewer is
/// looking for when sorting by state.
fn state_rank(s: ThreadState) -> u8 {
    match s {
        ThreadState::BlockedFull | ThreadState::WaitingCv => 0,
        ThreadState::Crashed => 1,
        ThreadState::WaitingLock => 4,
        ThreadState::Working => 2,
        ThreadState::Producing => 3,
        ThreadState::WaitingGil => 4,
        ThreadState::WaitingEmpty => 4,
        ThreadState::Joining => 5,
        ThreadState::Paused => 6,
        ThreadState::Starting => 7,
        ThreadState::Exited => 8,
    }
}

/// A name's text before its trailing number, and the number, so
/// `Consumer-10` sorts after `Consumer-9`.
fn split_number(s: &str) -> (&str, Option<u64>) {
    let digits = s.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (head, tail) = s.split_at(s.len() - digits);
    (head, tail.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn names(snap: &Snapshot, sort: SortKey, live_first: bool) -> Vec<String> {
        rows(snap, "", sort, live_first)
            .iter()
            .map(|&i| snap.threads[i].name.to_string())
            .collect()
    }

    #[test]
    fn sort_orders() {
        let snap = testing::many(12);
        let by_name = names(&snap, SortKey::Name, false);
        assert_eq!(by_name[0], "main");
        let c9 = by_name.iter().position(|n| n == "Consumer-9");
        let c10 = by_name.iter().position(|n| n == "Consumer-10");
        assert!(c9 < c10, "natural order: {by_name:?}");
        let r = rows(&snap, "", SortKey::Items, false);
        assert!(
            r.windows(2)
                .all(|w| snap.threads[w[0]].items >= snap.threads[w[1]].items)
        );
        let r = rows(&snap, "", SortKey::Busy, false);
        assert!(
            r.windows(2).all(|w| {
                snap.threads[w[0]].busy_fraction() >= snap.threads[w[1]].busy_fraction()
            })
        );
    }

    #[test]
    fn presentation_lists_live_threads_first() {
        let snap = testing::hang();
        assert_eq!(names(&snap, SortKey::Name, false)[1], "Producer-1");
        assert_eq!(
            names(&snap, SortKey::Name, true),
            [
                "main",
                "Consumer-2",
                "Consumer-3",
                "Consumer-4",
                "Producer-1",
                "Consumer-1"
            ]
        );
        assert_eq!(SortKey::Name.label_live_first(true), "live, name");
        assert_eq!(SortKey::Items.label_live_first(true), "items");
    }

    #[test]
    fn filter_by_name_role_or_state() {
        let snap = testing::running(4);
        assert_eq!(rows(&snap, "CONS", SortKey::Name, false).len(), 4);
        let blocked = rows(&snap, " blocked ", SortKey::Name, false);
        assert!(!blocked.is_empty());
        assert!(
            blocked
                .iter()
                .all(|&i| snap.threads[i].state == ThreadState::BlockedFull)
        );
        assert!(rows(&snap, "nobody", SortKey::Name, false).is_empty());
    }
}
