//! Cursor arithmetic on a hand-built recording: no terminal, no clock.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::record::format::{DetailRecord, End, Header, Record, SnapRecord};
use crate::record::read::parse_bytes;
use crate::sim::{Config, Event, EventKind, HistoryPoint, LatencySummary};
use crate::testing;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Frames every 100 ms from 0 to 1 s; events at 50, 300, 300, 500, 950 ms;
/// one history point per 250 ms; thread 3's latency recorded at 400 ms.
fn recording() -> Recording {
    build(0)
}

/// [`recording`], its frames starting at `first` (in tenths of a second).
fn build(first: u64) -> Recording {
    let times = [50, 300, 300, 500, 950];
    let mut records: Vec<(u64, Record)> = times
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let e = Event {
                seq: i as u64 + 1,
                at: ms(t),
                who: Some(Arc::from("Producer-1")),
                kind: EventKind::Run(format!("e{}", i + 1)),
            };
            (t, Record::Event(e))
        })
        .collect();
    for k in first..=10 {
        let mut snap = testing::running(4);
        snap.elapsed = ms(100 * k);
        snap.counts.produced = snap.counts.produced - snap.counts.consumed + k;
        snap.counts.consumed = k;
        snap.events.clear();
        snap.history.clear();
        // The history point that ended by this snapshot, if one did.
        let history = (100 * k % 250 < 100 && k > 0)
            .then(|| HistoryPoint {
                at: ms(250 * (100 * k / 250)),
                max_depth: 100 * k / 250,
                ..HistoryPoint::default()
            })
            .into_iter()
            .collect();
        // After the events of the same instant.
        records.push((
            100 * k + 1,
            Record::Snap(Box::new(SnapRecord { history, snap })),
        ));
    }
    let detail = ThreadDetail {
        id: 3,
        queue_wait: LatencySummary {
            count: 9,
            ..LatencySummary::default()
        },
        end_to_end: LatencySummary {
            count: 9,
            p50: ms(12),
            ..LatencySummary::default()
        },
        ..ThreadDetail::default()
    };
    records.push((
        402,
        Record::Detail(Box::new(DetailRecord {
            at: ms(400),
            detail,
        })),
    ));
    records.sort_by_key(|r| r.0);
    let mut text =
        serde_json::to_string(&Header::new(&Config::default(), ms(100))).expect("header");
    text.push('\n');
    let end = Record::End(End {
        dropped_events: 0,
        dropped_snapshots: 0,
        summary: serde_json::json!({
            "scenario": "default", "phase": "done", "produced": 1, "consumed": 1
        }),
    });
    for r in records.iter().map(|r| &r.1).chain([&end]) {
        text.push_str(&serde_json::to_string(r).expect("record"));
        text.push('\n');
    }
    parse_bytes("hand-made", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn playing_moves_with_the_clock_times_the_speed() {
    let rec = recording();
    assert_eq!(rec.duration(), ms(1000));
    let mut c = Cursor::default();
    assert!(c.playing);
    c.advance(&rec, ms(250));
    assert_eq!((c.at, c.events), (ms(250), 1));
    assert_eq!(c.frame(&rec), 2, "the 200 ms snapshot");
    c.apply(&rec, ReplayAction::Faster);
    c.apply(&rec, ReplayAction::Faster);
    assert_eq!(c.speed(), 4.0);
    c.advance(&rec, ms(50));
    assert_eq!((c.at, c.events), (ms(450), 3));
    // Paused: the clock does not move it.
    c.apply(&rec, ReplayAction::TogglePlay);
    c.advance(&rec, ms(500));
    assert_eq!(c.at, ms(450));
}

#[test]
fn speed_stays_within_a_quarter_and_eight() {
    let rec = recording();
    let mut c = Cursor::default();
    for _ in 0..10 {
        c.apply(&rec, ReplayAction::Slower);
    }
    assert_eq!(c.speed(), 0.25);
    for _ in 0..10 {
        c.apply(&rec, ReplayAction::Faster);
    }
    assert_eq!(c.speed(), 8.0);
}

#[test]
fn the_end_stops_playback_and_play_starts_over() {
    let rec = recording();
    let mut c = Cursor::default();
    c.advance(&rec, ms(5000));
    assert_eq!((c.at, c.events, c.playing), (ms(1000), 5, false));
    assert_eq!(c.frame(&rec), 10);
    c.apply(&rec, ReplayAction::TogglePlay);
    assert_eq!((c.at, c.events, c.playing), (Duration::ZERO, 0, true));
}

#[test]
fn n_steps_one_event_at_a_time_even_at_the_same_instant() {
    let rec = recording();
    let mut c = Cursor::default();
    c.seek_to(&rec, ms(100));
    assert_eq!(c.events, 1);
    c.apply(&rec, ReplayAction::StepEvent);
    assert!(!c.playing, "stepping pauses");
    assert_eq!((c.at, c.events), (ms(300), 2));
    // The third event is also at 300 ms: one more step shows it alone.
    c.apply(&rec, ReplayAction::StepEvent);
    assert_eq!((c.at, c.events), (ms(300), 3));
    c.apply(&rec, ReplayAction::StepEvent);
    assert_eq!((c.at, c.events), (ms(500), 4));
    assert_eq!(c.frame(&rec), 5);
    c.apply(&rec, ReplayAction::StepEvent);
    c.apply(&rec, ReplayAction::StepEvent);
    assert_eq!(
        (c.at, c.events),
        (ms(1000), 5),
        "past the last event: the end"
    );
}

#[test]
fn seeking_and_jumping() {
    let rec = recording();
    let mut c = Cursor::default();
    c.apply(&rec, ReplayAction::Jump(5));
    assert_eq!((c.at, c.events), (ms(500), 4));
    c.apply(&rec, ReplayAction::Jump(9));
    assert_eq!(c.at, ms(900));
    c.apply(&rec, ReplayAction::Forward);
    assert_eq!(c.at, ms(1000), "clamped at the end");
    c.apply(&rec, ReplayAction::Back);
    c.apply(&rec, ReplayAction::Back);
    assert_eq!(
        (c.at, c.events),
        (Duration::ZERO, 0),
        "clamped at the start"
    );
    c.apply(&rec, ReplayAction::Jump(0));
    assert_eq!(c.frame(&rec), 0);
    assert!(c.playing, "seeking keeps playing");
}

#[test]
fn the_snapshot_at_the_cursor() {
    let rec = recording();
    let mut c = Cursor::default();
    c.seek_to(&rec, ms(560));
    let s = c.snapshot(
        &rec,
        SnapshotRequest {
            detail: Some(3),
            events: 2,
        },
    );
    assert_eq!(s.elapsed, ms(500), "the nearest snapshot at or before");
    assert_eq!(s.counts.consumed, 5);
    let seqs: Vec<u64> = s.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![3, 4], "the last two events up to the cursor");
    assert_eq!(s.events_total, 4);
    assert_eq!(s.history.len(), 2, "points at 250 and 500 ms");
    let detail = s.detail.expect("details of thread 3");
    assert_eq!(detail.id, 3);
    assert_eq!(detail.timeline, s.threads[3].lane);
    // Its latency as recorded at 400 ms, the last before the frame.
    assert_eq!(detail.end_to_end.count, 9);
    assert_eq!(detail.end_to_end.p50, ms(12));
    // Before it was recorded: the lane only.
    c.seek_to(&rec, ms(350));
    let early = c.snapshot(
        &rec,
        SnapshotRequest {
            detail: Some(3),
            events: 0,
        },
    );
    assert_eq!(early.detail.map(|d| d.end_to_end.count), Some(0));
    c.seek_to(&rec, ms(560));
    let v = c.view(&rec);
    assert_eq!((v.events, v.speed, v.fraction()), ((4, 5), 1.0, 0.56));
    assert!(v.latency_recorded);
}

#[test]
fn before_the_first_snapshot_shows_the_first() {
    let rec = build(1);
    let c = Cursor::default();
    assert_eq!(c.frame(&rec), 0);
    assert_eq!(
        c.snapshot(&rec, SnapshotRequest::default()).elapsed,
        ms(100)
    );
}

/// The details view of thread `id` at the end of the fixture `name`, as text.
fn details_screen(name: &str, id: usize) -> String {
    use crate::app::{Overlay, ViewState};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let path = format!(
        "{}/tests/fixtures/recordings/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let rec = crate::record::load(std::path::Path::new(&path)).expect("fixture");
    let mut c = Cursor::default();
    c.seek_to(&rec, rec.duration());
    let mut view = ViewState::new();
    view.source = crate::source::SourceView::Replay(c.view(&rec));
    view.threads.selected = Some(id);
    view.overlay = Overlay::Details;
    let snap = c.snapshot(&rec, view.snapshot_request());
    view.sync(&snap);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    let theme = crate::ui::Theme::default();
    terminal
        .draw(|f| {
            crate::ui::render(f, &snap, &view, &theme);
        })
        .expect("draw");
    format!("{}", terminal.backend())
}

#[test]
fn the_details_view_shows_a_consumers_recorded_latency() {
    // Consumer-1 (id 1) took items in the version 2 fixture.
    let screen = details_screen("worker-pool-v2.jsonl", 1);
    assert!(
        screen.contains("end-to-end histogram (1 items)"),
        "{screen}"
    );
    assert!(!screen.contains("not in this recording"), "{screen}");
    // A version 1 recording has none, and says why.
    let screen = details_screen("worker-pool.jsonl", 1);
    assert!(
        screen.contains("not in this recording (made by an older queuescope)"),
        "{screen}"
    );
}
