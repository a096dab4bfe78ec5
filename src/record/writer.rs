//! The recorder: two threads of its own, so recording never blocks a worker.
//!
//! The *sampler* takes a snapshot every [`DEFAULT_EVERY`] (the same call the
//! TUI makes every frame) and picks out the events it has not seen yet by
//! their `seq`. It hands each batch to the *writer* through a bounded queue
//! with `try_send`: when the disk is slow and the queue is full it skips
//! that snapshot (and retries the events next time) instead of waiting. The
//! engine keeps only its most recent events; any it evicted before the
//! sampler read them are lost, and the gap in `seq` says exactly how many.
//! Both kinds of loss go into the file as a `dropped` record and are shown
//! live through [`RecStatus`].

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError};
use serde_json::Value;

use super::format::{Dropped, End, Header, Record, SnapRecord};
use crate::analysis::lint::Lint;
use crate::analysis::watchdog::Watchdog;
use crate::sim::{Config, Event, Snapshot, SnapshotRequest};

/// Time between periodic snapshots.
pub const DEFAULT_EVERY: Duration = Duration::from_millis(100);
/// Batches the write queue holds (3 s of snapshots at the default rate).
pub const DEFAULT_QUEUE: usize = 32;
/// Fewest events asked of the engine per sample.
const MIN_WANT: usize = 64;
/// Most events asked for: more than the engine's ring holds, i.e. all of them.
pub const ALL_EVENTS: usize = 1 << 16;

/// How a recorder samples and queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Time between periodic snapshots.
    pub every: Duration,
    /// Batches the write queue holds before the sampler starts skipping.
    pub queue: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            every: DEFAULT_EVERY,
            queue: DEFAULT_QUEUE,
        }
    }
}

/// The snapshot request for the final snapshot handed to [`Recorder::finish`]:
/// every event the engine still holds.
pub fn final_request() -> SnapshotRequest {
    SnapshotRequest {
        detail: None,
        events: ALL_EVENTS,
    }
}

/// What the live view shows about a recording in progress.
#[derive(Debug, Default)]
pub struct RecStatus {
    /// Events lost so far.
    pub dropped_events: AtomicU64,
    /// Snapshots skipped so far.
    pub dropped_snapshots: AtomicU64,
    /// Bytes written so far.
    pub bytes: AtomicU64,
    /// The first write error, if any (the recording stops there).
    pub error: Mutex<Option<RecordError>>,
}

impl RecStatus {
    /// The first write error, if any.
    pub fn error(&self) -> Option<RecordError> {
        self.error.lock().ok().and_then(|e| e.clone())
    }

    /// Keeps `e` unless an earlier error is already kept.
    fn fail(&self, e: RecordError) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
    }
}

/// Why a recording could not be made or completed. `Display` is one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// The file cannot be created: bad input, before anything runs.
    Create {
        /// The path as given.
        path: PathBuf,
        /// What the OS said.
        why: String,
    },
    /// A write failed along the way; the recording stops there.
    Write(String),
    /// The sampler thread panicked.
    SamplerPanicked,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Create { path, why } => {
                write!(f, "--record: cannot create {}: {why}", path.display())
            }
            RecordError::Write(why) => write!(f, "recording failed: {why}"),
            RecordError::SamplerPanicked => f.write_str("the recorder's sampler panicked"),
        }
    }
}

impl std::error::Error for RecordError {}

/// Keeps track of what has been recorded, so each sample writes only what
/// is new. Pure bookkeeping: no threads, no I/O (unit-tested directly).
#[derive(Debug, Default)]
pub struct Tracker {
    /// Highest event `seq` written (or counted as lost).
    pub last_seq: u64,
    /// Time of the newest history point written.
    pub last_history: Option<Duration>,
    /// Events to ask for next time.
    pub want: usize,
    /// Lost and skipped counts not yet written as a `dropped` record.
    pub pending: Dropped,
    /// Totals over the recording.
    pub dropped_events: u64,
    /// Totals over the recording.
    pub dropped_snapshots: u64,
    /// Lints seen in the samples (for a summary the live view writes).
    pub watch: Watchdog,
}

/// Events of one sample, or a request to ask again for more.
#[derive(Debug, PartialEq)]
pub enum Gathered {
    /// The new events and how many were evicted before they could be read.
    New(Vec<Event>, u64),
    /// The request was too small to reach back to the last event written.
    NeedMore,
}

impl Tracker {
    /// A fresh tracker.
    pub fn new() -> Tracker {
        Tracker {
            want: MIN_WANT,
            ..Tracker::default()
        }
    }

    /// The request for the next sample.
    pub fn request(&self) -> SnapshotRequest {
        SnapshotRequest {
            detail: None,
            events: self.want.clamp(MIN_WANT, ALL_EVENTS),
        }
    }

    /// The events of `snap` newer than the last written, and how many in
    /// between are gone. `asked` is how many events the request asked for:
    /// a full answer that still does not reach back may only mean the
    /// request was small, so then the caller should ask again.
    pub fn gather(&self, snap: &Snapshot, asked: usize) -> Gathered {
        let next = self.last_seq + 1;
        if snap.events_total < next {
            return Gathered::New(Vec::new(), 0);
        }
        let new: Vec<Event> = snap
            .events
            .iter()
            .filter(|e| e.seq >= next)
            .cloned()
            .collect();
        let first = new.first().map_or(snap.events_total + 1, |e| e.seq);
        let gap = first - next;
        if gap > 0 && snap.events.len() >= asked && asked < ALL_EVENTS {
            return Gathered::NeedMore;
        }
        Gathered::New(new, gap)
    }

    /// Builds the batch for `snap` (whose events are `new`, with `lost`
    /// evicted), without committing it.
    pub fn batch(&self, mut snap: Snapshot, new: Vec<Event>, lost: u64) -> Batch {
        let history: Vec<_> = snap
            .history
            .iter()
            .filter(|h| self.last_history.is_none_or(|t| h.at > t))
            .copied()
            .collect();
        snap.history.clear();
        snap.events.clear();
        snap.detail = None;
        let mut dropped = self.pending.clone();
        dropped.events += lost;
        dropped.at = snap.elapsed;
        Batch {
            marks: Marks {
                last_seq: new.last().map_or(self.last_seq + lost, |e| e.seq),
                last_history: history.last().map(|h| h.at).or(self.last_history),
                lost,
                events: new.len() as u64,
            },
            events: new,
            snap: SnapRecord { history, snap },
            dropped,
        }
    }

    /// The batch was queued: move the marks past it.
    pub fn commit(&mut self, m: &Marks) {
        self.last_seq = m.last_seq;
        self.last_history = m.last_history;
        self.dropped_events += m.lost;
        self.pending = Dropped::default();
        // Ask for twice what this sample brought, so a burst is caught whole.
        self.want = ((m.events + m.lost) as usize)
            .saturating_mul(2)
            .clamp(MIN_WANT, ALL_EVENTS);
    }

    /// The batch could not be queued: its snapshot is skipped; its events
    /// are still in the engine's ring and are read again next time.
    pub fn skip(&mut self, m: &Marks) {
        self.dropped_snapshots += 1;
        self.pending.snapshots += 1;
        // Evictions seen now are final: count them once, now.
        self.dropped_events += m.lost;
        self.pending.events += m.lost;
        self.last_seq += m.lost;
    }
}

/// Where a batch leaves the tracker once it is queued (or skipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marks {
    last_seq: u64,
    last_history: Option<Duration>,
    lost: u64,
    events: u64,
}

/// One sample's records, in file order.
#[derive(Debug)]
pub struct Batch {
    /// Where the tracker moves once this is queued.
    pub marks: Marks,
    events: Vec<Event>,
    snap: SnapRecord,
    dropped: Dropped,
}

impl Batch {
    /// The records to write: a `dropped` note first if anything was lost,
    /// then the events, then the snapshot.
    pub fn records(self) -> Vec<Record> {
        let mut out = Vec::with_capacity(self.events.len() + 2);
        if self.dropped.events > 0 || self.dropped.snapshots > 0 {
            out.push(Record::Dropped(self.dropped));
        }
        out.extend(self.events.into_iter().map(Record::Event));
        out.push(Record::Snap(Box::new(self.snap)));
        out
    }
}

/// A snapshot source: the engine's `snapshot_with`, or a fake in tests.
pub type Source = Box<dyn Fn(SnapshotRequest) -> Snapshot + Send>;

/// Takes one sample: a snapshot, its new events (asking again once if the
/// first request was too small), and the batch to queue.
fn sample(source: &Source, t: &mut Tracker) -> Batch {
    let req = t.request();
    let mut snap = source(req);
    let mut gathered = t.gather(&snap, req.events);
    if gathered == Gathered::NeedMore {
        snap = source(final_request());
        gathered = t.gather(&snap, ALL_EVENTS);
    }
    let (new, lost) = match gathered {
        Gathered::New(new, lost) => (new, lost),
        Gathered::NeedMore => (Vec::new(), 0),
    };
    t.watch.observe(&snap);
    t.batch(snap, new, lost)
}

/// A recording in progress.
pub struct Recorder {
    stop: Option<Sender<()>>,
    sampler: Option<JoinHandle<(Tracker, Source)>>,
    tx: Sender<Vec<Record>>,
    writer: Option<JoinHandle<()>>,
    status: Arc<RecStatus>,
}

/// Opens `path` for a new recording (replacing any file there). The error
/// names the flag.
pub fn create(path: &Path) -> Result<File, RecordError> {
    File::create(path).map_err(|e| RecordError::Create {
        path: path.to_path_buf(),
        why: e.to_string(),
    })
}

impl Recorder {
    /// Writes the header and starts sampling `source` into `out`.
    pub fn start<W: Write + Send + 'static>(
        source: Source,
        config: &Config,
        out: W,
        opts: Options,
    ) -> std::io::Result<Recorder> {
        let status = Arc::new(RecStatus::default());
        let mut out = BufWriter::new(out);
        let header = serde_json::to_string(&Header::new(config, opts.every))
            .map_err(std::io::Error::other)?;
        writeln!(out, "{header}")?;
        out.flush()?;
        status
            .bytes
            .fetch_add(header.len() as u64 + 1, Ordering::Relaxed);
        let (tx, rx) = crossbeam_channel::bounded::<Vec<Record>>(opts.queue.max(1));
        let st = Arc::clone(&status);
        let writer = std::thread::Builder::new()
            .name("rec-writer".into())
            .spawn(move || write_loop(out, rx, &st))?;
        let (stop, stop_rx) = crossbeam_channel::bounded::<()>(1);
        let st = Arc::clone(&status);
        let tx2 = tx.clone();
        let sampler = std::thread::Builder::new()
            .name("rec-sampler".into())
            .spawn(move || sample_loop(source, tx2, stop_rx, opts.every, &st))?;
        Ok(Recorder {
            stop: Some(stop),
            sampler: Some(sampler),
            tx,
            writer: Some(writer),
            status,
        })
    }

    /// Live counters for the screen.
    pub fn status(&self) -> Arc<RecStatus> {
        Arc::clone(&self.status)
    }

    /// Stops sampling, writes `last` (take it with [`final_request`]) and
    /// the end record with `summary(last, lints seen)`, and closes the file.
    /// The error is the first write that failed along the way.
    pub fn finish(
        mut self,
        last: Snapshot,
        summary: impl FnOnce(&Snapshot, &[Lint]) -> Value,
    ) -> Result<(), RecordError> {
        let (mut t, _source) = self.stop_sampler().ok_or(RecordError::SamplerPanicked)?;
        t.watch.observe(&last);
        let (new, lost) = match t.gather(&last, ALL_EVENTS) {
            Gathered::New(new, lost) => (new, lost),
            Gathered::NeedMore => (Vec::new(), 0),
        };
        let summary = summary(&last, t.watch.warnings());
        let batch = t.batch(last, new, lost);
        t.commit(&batch.marks);
        publish(&t, &self.status);
        // The run is over: waiting for the disk here blocks no worker.
        let _ = self.tx.send(batch.records());
        let _ = self.tx.send(vec![Record::End(End {
            dropped_events: t.dropped_events,
            dropped_snapshots: t.dropped_snapshots,
            summary,
        })]);
        self.close_writer();
        match self.status.error() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn stop_sampler(&mut self) -> Option<(Tracker, Source)> {
        drop(self.stop.take());
        self.sampler.take()?.join().ok()
    }

    fn close_writer(&mut self) {
        // The writer ends when every sender is gone; ours is the last.
        let (dead, _) = crossbeam_channel::bounded(0);
        drop(std::mem::replace(&mut self.tx, dead));
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Recorder {
    /// A recorder dropped without [`Recorder::finish`] stops its threads;
    /// the file then has no end record and reads as truncated.
    fn drop(&mut self) {
        let _ = self.stop_sampler();
        self.close_writer();
    }
}

fn publish(t: &Tracker, status: &RecStatus) {
    status
        .dropped_events
        .store(t.dropped_events, Ordering::Relaxed);
    status
        .dropped_snapshots
        .store(t.dropped_snapshots, Ordering::Relaxed);
}

fn sample_loop(
    source: Source,
    tx: Sender<Vec<Record>>,
    stop: Receiver<()>,
    every: Duration,
    status: &RecStatus,
) -> (Tracker, Source) {
    let mut t = Tracker::new();
    let mut next = Instant::now();
    loop {
        match stop.recv_deadline(next) {
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            // Stop asked (or the recorder is gone): finish() takes the last sample.
            _ => return (t, source),
        }
        let batch = sample(&source, &mut t);
        let marks = batch.marks;
        // Never wait for the writer: a full queue skips this sample.
        match tx.try_send(batch.records()) {
            Ok(()) => t.commit(&marks),
            Err(TrySendError::Full(_)) => t.skip(&marks),
            Err(TrySendError::Disconnected(_)) => return (t, source),
        }
        publish(&t, status);
        next += every;
        let now = Instant::now();
        if next < now {
            // Fell behind (a slow snapshot): do not burst to catch up.
            next = now + every;
        }
    }
}

fn write_loop<W: Write>(mut out: BufWriter<W>, rx: Receiver<Vec<Record>>, status: &RecStatus) {
    let mut failed = false;
    let mut line = Vec::new();
    for batch in rx.iter() {
        if failed {
            continue; // keep draining so the sampler never waits on us
        }
        let mut result = Ok(());
        for rec in &batch {
            line.clear();
            result = serde_json::to_writer(&mut line, rec)
                .map_err(std::io::Error::other)
                .and_then(|()| {
                    line.push(b'\n');
                    out.write_all(&line)
                });
            if result.is_err() {
                break;
            }
            status.bytes.fetch_add(line.len() as u64, Ordering::Relaxed);
        }
        // Flush whenever the queue is empty: a killed process then leaves a
        // file that is complete up to the last sample.
        if result.is_ok() && rx.is_empty() {
            result = out.flush();
        }
        if let Err(e) = result {
            failed = true;
            status.fail(RecordError::Write(e.to_string()));
        }
    }
    if !failed && let Err(e) = out.flush() {
        status.fail(RecordError::Write(e.to_string()));
    }
}
