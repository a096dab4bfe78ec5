//! The recorder's bookkeeping on hand-made snapshots, and whole recordings
//! written from a fake engine and read back.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::format::Record;
use super::read::parse_bytes;
use super::writer::{Gathered, Options, Recorder, Source, Tracker};
use crate::sim::{Config, Event, EventKind, HistoryPoint, Snapshot, SnapshotRequest};
use crate::testing;

fn ev(seq: u64) -> Event {
    Event {
        seq,
        at: Duration::from_millis(seq),
        who: Some(Arc::from("main")),
        kind: EventKind::Run(format!("event {seq}")),
    }
}

/// A snapshot whose ring holds events `from..=to`.
fn snap_with(from: u64, to: u64) -> Snapshot {
    let mut s = testing::running(2);
    s.events = (from..=to).map(ev).collect();
    s.events_total = to;
    s
}

#[test]
fn new_events_are_those_past_the_last_written() {
    let mut t = Tracker::new();
    t.last_seq = 4;
    assert_eq!(
        t.gather(&snap_with(1, 7), 64),
        Gathered::New(vec![ev(5), ev(6), ev(7)], 0)
    );
    t.last_seq = 7;
    assert_eq!(t.gather(&snap_with(1, 7), 64), Gathered::New(vec![], 0));
}

#[test]
fn a_gap_is_eviction_only_when_the_ring_had_nothing_older() {
    let mut t = Tracker::new();
    t.last_seq = 2;
    // The ring (3 events) was read whole: 3 and 4 were evicted.
    assert_eq!(
        t.gather(&snap_with(5, 7), 64),
        Gathered::New(vec![ev(5), ev(6), ev(7)], 2)
    );
    // Only 2 asked and 2 given: the ring may hold 3 and 4 still.
    assert_eq!(t.gather(&snap_with(6, 7), 2), Gathered::NeedMore);
    // Nothing new listed at all, yet the total moved on.
    let mut s = snap_with(1, 2);
    s.events_total = 9;
    assert_eq!(t.gather(&s, 64), Gathered::New(vec![], 7));
}

#[test]
fn history_is_written_once() {
    let mut t = Tracker::new();
    let mut s = testing::running(2);
    s.history = (1..=4)
        .map(|k| HistoryPoint {
            at: Duration::from_millis(250 * k),
            ..HistoryPoint::default()
        })
        .collect();
    let b = t.batch(s.clone(), vec![], 0);
    t.commit(&b.marks);
    let recs = b.records();
    let Some(Record::Snap(first)) = recs.last() else {
        panic!("no snapshot: {recs:?}")
    };
    assert_eq!(first.history.len(), 4);
    assert!(first.snap.history.is_empty() && first.snap.events.is_empty());
    s.history.push(HistoryPoint {
        at: Duration::from_millis(1250),
        ..HistoryPoint::default()
    });
    let recs = t.batch(s, vec![], 0).records();
    let Some(Record::Snap(second)) = recs.last() else {
        panic!("no snapshot")
    };
    assert_eq!(second.history.len(), 1, "only the new point");
}

#[test]
fn a_skipped_sample_is_noted_and_its_events_retried() {
    let mut t = Tracker::new();
    t.last_seq = 2;
    // Events 3 and 4 evicted, 5..7 read, but the queue was full.
    let Gathered::New(new, lost) = t.gather(&snap_with(5, 7), 64) else {
        panic!("need more?")
    };
    let b = t.batch(snap_with(5, 7), new, lost);
    t.skip(&b.marks);
    assert_eq!(
        (t.last_seq, t.dropped_events, t.dropped_snapshots),
        (4, 2, 1)
    );
    // Next time 5..8 are all still there: nothing more is lost.
    let Gathered::New(new, lost) = t.gather(&snap_with(5, 8), 64) else {
        panic!("need more?")
    };
    assert_eq!((new.len(), lost), (4, 0));
    let b = t.batch(snap_with(5, 8), new, lost);
    t.commit(&b.marks);
    let recs = b.records();
    match &recs[0] {
        Record::Dropped(d) => assert_eq!((d.events, d.snapshots), (2, 1)),
        other => panic!("expected a dropped note first, got {other:?}"),
    }
    assert_eq!(recs.len(), 1 + 4 + 1);
    assert_eq!(t.last_seq, 8);
    assert_eq!(t.pending, Default::default(), "noted once");
}

/// A `Write` the test can read afterwards, optionally slow.
#[derive(Clone, Default)]
struct Sink {
    bytes: Arc<Mutex<Vec<u8>>>,
    delay: Duration,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::thread::sleep(self.delay);
        self.bytes
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A fake engine: every snapshot is 10 ms later and has 3 new events; its
/// ring keeps the last `ring` events.
fn fake(ring: u64) -> (Source, Arc<AtomicU64>) {
    let clock = Arc::new(AtomicU64::new(0));
    let c = Arc::clone(&clock);
    let source: Source = Box::new(move |req: SnapshotRequest| {
        let k = c.fetch_add(1, Ordering::SeqCst) + 1;
        let total = 3 * k;
        let mut s = snap_with(total.saturating_sub(ring - 1).max(1), total);
        let n = s.events.len().saturating_sub(req.events);
        s.events.drain(..n);
        s.elapsed = Duration::from_millis(10 * k);
        s
    });
    (source, clock)
}

/// A summary shaped like `run --json`'s, saying `elapsed`.
fn summary(elapsed: f64) -> serde_json::Value {
    serde_json::json!({
        "scenario": "default", "phase": "done", "produced": 0, "consumed": 0,
        "elapsed": elapsed,
    })
}

fn record(source: Source, sink: Sink, opts: Options, run_for: Duration) -> Vec<u8> {
    let rec = Recorder::start(source, &Config::default(), sink.clone(), opts).expect("start");
    std::thread::sleep(run_for);
    let mut last = snap_with(1, 300);
    last.elapsed = Duration::from_secs(100);
    rec.finish(last, |s, _| summary(s.elapsed.as_secs_f64()))
        .expect("finish");
    sink.bytes.lock().expect("sink").clone()
}

#[test]
fn round_trip_keeps_every_event_and_the_summary() {
    let (source, _) = fake(10_000);
    let opts = Options {
        every: Duration::from_millis(5),
        queue: 64,
    };
    let bytes = record(source, Sink::default(), opts, Duration::from_millis(100));
    let rec = parse_bytes("mem", &bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rec.header.format, "queuescope-recording");
    assert_eq!(rec.header.version, 2);
    assert_eq!(rec.header.config, Config::default());
    let seqs: Vec<u64> = rec.events(0..usize::MAX).iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=300).collect::<Vec<_>>(), "every event, in order");
    assert!(rec.frames_len() >= 3, "{} frames", rec.frames_len());
    assert_eq!(rec.summary(), summary(100.0));
    assert_eq!(rec.dropped_events(), 0);
    // The final snapshot is the last frame.
    assert_eq!(
        rec.frame(rec.frames_len() - 1).snap.elapsed,
        Duration::from_secs(100)
    );
}

#[test]
fn a_small_ring_loses_events_and_says_how_many() {
    // 3 events per sample, a ring of 2: one of every 3 is evicted unseen.
    let (source, _) = fake(2);
    let opts = Options {
        every: Duration::from_millis(5),
        queue: 64,
    };
    let bytes = record(source, Sink::default(), opts, Duration::from_millis(60));
    let rec = parse_bytes("mem", &bytes).unwrap_or_else(|e| panic!("{e}"));
    let lost = rec.dropped_notes().events;
    assert!(lost > 0, "no dropped record");
    assert_eq!(rec.dropped_events(), lost);
    // Recorded + lost accounts for every sequence number.
    let n = rec.events_len();
    let last = rec.events(n - 1..n).last().map_or(0, |e| e.seq);
    assert_eq!(n as u64 + lost, last);
}

#[test]
fn a_slow_disk_skips_snapshots_not_workers() {
    let (source, clock) = fake(100_000);
    let sink = Sink {
        delay: Duration::from_millis(30),
        ..Sink::default()
    };
    let opts = Options {
        every: Duration::from_millis(2),
        queue: 1,
    };
    let t0 = std::time::Instant::now();
    let bytes = record(source, sink, opts, Duration::from_millis(150));
    // The sampler kept its pace (it never waited for the writer): waiting
    // for a 30 ms write each time would allow about 5 samples; 75 is the
    // unloaded pace, and a busy machine gets less, so the bar sits between.
    let samples = clock.load(Ordering::SeqCst);
    assert!(
        samples >= 12,
        "only {samples} samples in {:?}",
        t0.elapsed()
    );
    let rec = parse_bytes("mem", &bytes).unwrap_or_else(|e| panic!("{e}"));
    // ... skipped snapshots are counted, and no event was lost: they were
    // read again on the next sample.
    assert!(rec.dropped_snapshots() > 0);
    assert_eq!(rec.dropped_events(), 0);
    let seqs: Vec<u64> = rec.events(0..usize::MAX).iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=300).collect::<Vec<_>>());
}

/// The committed fixture's lines, for editing into bad files.
fn fixture_lines() -> Vec<String> {
    let text = include_str!("../../tests/fixtures/recordings/worker-pool.jsonl");
    text.lines().map(str::to_string).collect()
}

/// Parses `lines` (each ending in a newline); the error as printed.
fn refusal(lines: &[String]) -> String {
    let mut bytes = lines.join("\n").into_bytes();
    bytes.push(b'\n');
    match parse_bytes("r.jsonl", &bytes) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_fixture_parses() {
    let lines = fixture_lines();
    let mut bytes = lines.join("\n").into_bytes();
    bytes.push(b'\n');
    let rec = parse_bytes("r.jsonl", &bytes).expect("fixture");
    assert_eq!(rec.header.scenario, "worker-pool");
}

#[test]
fn bad_headers_are_refused_saying_why() {
    let mut lines = fixture_lines();
    let header = lines[0].clone();
    lines[0] = header.replace("\"version\":1,", "\"version\":0,");
    assert_eq!(
        refusal(&lines),
        "r.jsonl:1: corrupt recording: unknown version 0"
    );
    lines[0] = header.replace("\"version\":1,", "");
    assert_eq!(
        refusal(&lines),
        "r.jsonl:1: corrupt recording: the header has no version number"
    );
    lines[0] = header.replace("\"seed\":42,\"snapshot", "\"seed\":-1,\"snapshot");
    assert!(
        refusal(&lines).starts_with("r.jsonl:1: corrupt recording: bad header: "),
        "{}",
        refusal(&lines)
    );
}

#[test]
fn records_out_of_order_or_after_the_end_are_refused_with_their_line() {
    let lines = fixture_lines();
    let mut swapped = lines.clone();
    swapped.swap(1, 2);
    assert_eq!(
        refusal(&swapped),
        "r.jsonl:3: corrupt recording: event 1 out of order"
    );
    let mut after = lines.clone();
    after.push(lines[1].clone());
    assert_eq!(
        refusal(&after),
        format!(
            "r.jsonl:{}: corrupt recording: data after the end record",
            lines.len() + 1
        )
    );
    let no_snap: Vec<String> = lines
        .iter()
        .filter(|l| !l.contains("\"t\":\"snap\""))
        .cloned()
        .collect();
    assert_eq!(
        refusal(&no_snap),
        format!(
            "r.jsonl:{}: corrupt recording: no snapshot in the recording",
            no_snap.len()
        )
    );
    let mut snaps_back = lines.clone();
    let snaps: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("\"t\":\"snap\""))
        .collect();
    assert!(
        snaps.len() >= 2,
        "the fixture has {} snapshots",
        snaps.len()
    );
    snaps_back.swap(snaps[0], snaps[snaps.len() - 1]);
    assert!(
        refusal(&snaps_back).contains("corrupt recording: snapshot out of time order"),
        "{}",
        refusal(&snaps_back)
    );
}

#[test]
fn a_line_that_is_not_utf8_is_corrupt() {
    let lines = fixture_lines();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(lines[0].as_bytes());
    bytes.extend_from_slice(b"\n\xff\xfe\n");
    let err = parse_bytes("r.jsonl", &bytes).map(|_| ()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "r.jsonl:2: corrupt recording: not UTF-8 text"
    );
}
