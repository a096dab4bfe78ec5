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

use std::collections::HashMap;
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

use super::format::{DetailRecord, Dropped, End, Header, Record, SnapRecord};
use super::target::Opened;
use crate::analysis::lint::Lint;
use crate::analysis::watchdog::Watchdog;
use crate::signals;
use crate::sim::{Config, Event, Snapshot, SnapshotRequest, ThreadDetail};

/// Time between periodic snapshots.
pub const DEFAULT_EVERY: Duration = Duration::from_millis(100);
/// Batches the write queue holds (3 s of snapshots at the default rate).
pub const DEFAULT_QUEUE: usize = 32;
/// Fewest events asked of the engine per sample.
const MIN_WANT: usize = 64;
/// Most events asked for: more than the engine's ring holds, i.e. all of them.
pub const ALL_EVENTS: usize = 1 << 16;
/// Samples between two looks at the threads' latency (1 s at the default rate).
pub const DETAIL_EVERY: u64 = 10;
/// How long closing waits for a slow reader before saying so.
const SLOW_CLOSE: Duration = Duration::from_secs(1);

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
    /// A stop signal ended a wait on the file (opening it, or a reader
    /// that does not read); the recording is incomplete.
    Interrupted {
        /// The path as given.
        path: PathBuf,
        /// What the wait was for, and the signal.
        why: String,
    },
}

impl RecordError {
    /// Bad input (exit 2): the path cannot be used, and nothing ran.
    pub fn is_usage(&self) -> bool {
        matches!(self, RecordError::Create { .. })
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Create { path, why } => {
                write!(f, "--record: cannot create {}: {why}", path.display())
            }
            RecordError::Write(why) => write!(f, "recording failed: {why}"),
            RecordError::SamplerPanicked => f.write_str("the recorder's sampler panicked"),
            RecordError::Interrupted { path, why } => {
                write!(f, "--record {}: {why}", path.display())
            }
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
    /// Samples taken.
    pub samples: u64,
    /// Per thread id, the latency counts last written.
    pub detail_counts: HashMap<usize, (u64, u64)>,
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
            details: Vec::new(),
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

    /// The details among `all` whose counts moved since they were last
    /// written, stamped `at` (their timelines dropped: the lanes are in
    /// the snapshots).
    pub fn changed_details(&self, all: Vec<ThreadDetail>, at: Duration) -> Vec<DetailRecord> {
        all.into_iter()
            .filter(|d| {
                let now = (d.queue_wait.count, d.end_to_end.count);
                now != (0, 0) && self.detail_counts.get(&d.id) != Some(&now)
            })
            .map(|mut detail| {
                detail.timeline = Vec::new();
                DetailRecord { at, detail }
            })
            .collect()
    }

    /// `written` reached the file's queue: remember their counts.
    pub fn commit_details(&mut self, written: &[(usize, (u64, u64))]) {
        self.detail_counts.extend(written.iter().copied());
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
    details: Vec<DetailRecord>,
}

impl Batch {
    /// Adds the threads' latency details taken with this sample.
    pub fn with_details(mut self, details: Vec<DetailRecord>) -> Batch {
        self.details = details;
        self
    }

    /// The latency counts of the details in it, for [`Tracker::commit_details`].
    pub fn detail_marks(&self) -> Vec<(usize, (u64, u64))> {
        self.details
            .iter()
            .map(|r| {
                let d = &r.detail;
                (d.id, (d.queue_wait.count, d.end_to_end.count))
            })
            .collect()
    }

    /// The records to write: a `dropped` note first if anything was lost,
    /// then the events, then the snapshot, then the threads' details.
    pub fn records(self) -> Vec<Record> {
        let mut out = Vec::with_capacity(self.events.len() + self.details.len() + 2);
        if self.dropped.events > 0 || self.dropped.snapshots > 0 {
            out.push(Record::Dropped(self.dropped));
        }
        out.extend(self.events.into_iter().map(Record::Event));
        out.push(Record::Snap(Box::new(self.snap)));
        out.extend(
            self.details
                .into_iter()
                .map(|d| Record::Detail(Box::new(d))),
        );
        out
    }
}

/// A snapshot source: the engine's `snapshot_with`, or a fake in tests.
pub type Source = Box<dyn Fn(SnapshotRequest) -> Snapshot + Send>;

/// A source of every thread's latency details (the engine's
/// `latency_details`), looked at every [`DETAIL_EVERY`] samples.
pub type Details = Box<dyn Fn() -> Vec<ThreadDetail> + Send>;

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
    t.samples += 1;
    t.batch(snap, new, lost)
}

/// What the sampler thread owns, and hands back when it stops.
struct Sampling {
    source: Source,
    details: Option<Details>,
    tracker: Tracker,
}

impl Sampling {
    /// One sample, with the threads' details every [`DETAIL_EVERY`] samples.
    fn sample(&mut self) -> Batch {
        let batch = sample(&self.source, &mut self.tracker);
        match &self.details {
            Some(d) if self.tracker.samples % DETAIL_EVERY == 1 => {
                let at = batch.snap.snap.elapsed;
                let changed = self.tracker.changed_details(d(), at);
                batch.with_details(changed)
            }
            _ => batch,
        }
    }
}

/// A recording in progress.
pub struct Recorder {
    stop: Option<Sender<()>>,
    sampler: Option<JoinHandle<Sampling>>,
    tx: Sender<Vec<Record>>,
    writer: Option<JoinHandle<()>>,
    status: Arc<RecStatus>,
    /// The file being written, moved into place once complete.
    file: Option<Opened>,
}

/// Opens `path` for a new recording, replacing any file there (benchmarks
/// and tools; `--record` goes through [`super::target::Target`], which
/// never replaces a file unasked). The error names the flag.
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
        Recorder::start_with(source, None, config, out, opts)
    }

    /// Records into `file` (opened from a `--record` target), with the
    /// threads' latency from `details`; [`Recorder::finish`] moves the file
    /// into place, and a recorder dropped unfinished removes it.
    pub fn start_file(
        source: Source,
        details: Option<Details>,
        config: &Config,
        file: Opened,
        opts: Options,
    ) -> std::io::Result<Recorder> {
        let out = file.writer()?;
        let mut r = Recorder::start_with(source, details, config, out, opts)?;
        r.file = Some(file);
        Ok(r)
    }

    /// [`Recorder::start`] with a source of the threads' latency details.
    /// Never blocks: even the header is written by the writer thread (a
    /// FIFO's reader may be slow to read it).
    pub fn start_with<W: Write + Send + 'static>(
        source: Source,
        details: Option<Details>,
        config: &Config,
        out: W,
        opts: Options,
    ) -> std::io::Result<Recorder> {
        let status = Arc::new(RecStatus::default());
        let header = serde_json::to_string(&Header::new(config, opts.every))
            .map_err(std::io::Error::other)?;
        let (tx, rx) = crossbeam_channel::bounded::<Vec<Record>>(opts.queue.max(1));
        let st = Arc::clone(&status);
        let writer = std::thread::Builder::new()
            .name("rec-writer".into())
            .spawn(move || write_loop(BufWriter::new(out), &header, rx, &st))?;
        let (stop, stop_rx) = crossbeam_channel::bounded::<()>(1);
        let st = Arc::clone(&status);
        let tx2 = tx.clone();
        let sampling = Sampling {
            source,
            details,
            tracker: Tracker::new(),
        };
        let sampler = std::thread::Builder::new()
            .name("rec-sampler".into())
            .spawn(move || sample_loop(sampling, tx2, stop_rx, opts.every, &st))?;
        Ok(Recorder {
            stop: Some(stop),
            sampler: Some(sampler),
            tx,
            writer: Some(writer),
            status,
            file: None,
        })
    }

    /// Live counters for the screen.
    pub fn status(&self) -> Arc<RecStatus> {
        Arc::clone(&self.status)
    }

    /// Stops sampling, writes `last` (take it with [`final_request`]) and
    /// the end record with `summary(last, lints seen)`, and closes the file
    /// (moving it into place). The error is the first write that failed
    /// along the way, or a stop signal that ended a wait for a reader that
    /// does not read: then the recording is abandoned (a temporary file
    /// is removed).
    pub fn finish(
        mut self,
        last: Snapshot,
        summary: impl FnOnce(&Snapshot, &[Lint]) -> Value,
    ) -> Result<(), RecordError> {
        let mut s = self.stop_sampler().ok_or(RecordError::SamplerPanicked)?;
        let t = &mut s.tracker;
        t.watch.observe(&last);
        let (new, lost) = match t.gather(&last, ALL_EVENTS) {
            Gathered::New(new, lost) => (new, lost),
            Gathered::NeedMore => (Vec::new(), 0),
        };
        let summary = summary(&last, t.watch.warnings());
        let at = last.elapsed;
        let mut batch = t.batch(last, new, lost);
        if let Some(d) = &s.details {
            batch = batch.with_details(t.changed_details(d(), at));
        }
        t.commit(&batch.marks);
        publish(t, &self.status);
        let end = vec![Record::End(End {
            dropped_events: t.dropped_events,
            dropped_snapshots: t.dropped_snapshots,
            summary,
        })];
        // The run is over: waiting for the disk here blocks no worker, but
        // a reader that stops reading must not hold the process forever.
        let closed = self
            .send_or_give_up(batch.records())
            .and_then(|()| self.send_or_give_up(end))
            .and_then(|()| self.close_writer());
        let result = closed.and_then(|()| match self.status.error() {
            Some(e) => Err(e),
            None => Ok(()),
        });
        match (self.file.take(), &result) {
            (Some(f), Ok(())) => f.commit(),
            (Some(f), Err(_)) => {
                f.discard();
                result
            }
            (None, _) => result,
        }
    }

    fn stop_sampler(&mut self) -> Option<Sampling> {
        drop(self.stop.take());
        self.sampler.take()?.join().ok()
    }

    /// The path for messages.
    fn shown(&self) -> PathBuf {
        self.file
            .as_ref()
            .map_or_else(PathBuf::new, |f| f.target().path.clone())
    }

    fn interrupted(&self, e: signals::Interrupted) -> RecordError {
        RecordError::Interrupted {
            path: self.shown(),
            why: format!("{e} before the recording was complete; it was not kept"),
        }
    }

    /// Queues `records` for the writer, waiting while its queue is full,
    /// until a stop signal.
    fn send_or_give_up(&self, records: Vec<Record>) -> Result<(), RecordError> {
        let start = signals::received();
        let began = Instant::now();
        let mut said = false;
        let mut records = records;
        loop {
            match self.tx.send_timeout(records, Duration::from_millis(20)) {
                Ok(()) => return Ok(()),
                // The writer is gone: its error is in the status.
                Err(crossbeam_channel::SendTimeoutError::Disconnected(_)) => return Ok(()),
                Err(crossbeam_channel::SendTimeoutError::Timeout(r)) => records = r,
            }
            if signals::received() > start {
                let sig = signals::last().unwrap_or(libc::SIGINT);
                return Err(self.interrupted(signals::Interrupted { signal: sig }));
            }
            if !said && began.elapsed() >= SLOW_CLOSE {
                said = true;
                self.say_waiting();
            }
        }
    }

    fn say_waiting(&self) {
        eprintln!(
            "queuescope: recording {}: waiting for its reader to take the rest (Ctrl-C to give up)",
            self.shown().display()
        );
    }

    /// Lets the writer finish the queue and waits for it, until a stop
    /// signal (then it is abandoned: it ends with the process).
    fn close_writer(&mut self) -> Result<(), RecordError> {
        // The writer ends when every sender is gone; ours is the last.
        let (dead, _) = crossbeam_channel::bounded(0);
        drop(std::mem::replace(&mut self.tx, dead));
        let Some(w) = self.writer.take() else {
            return Ok(());
        };
        let began = Instant::now();
        let mut said = false;
        let waited = signals::wait_until(|| {
            if !said && began.elapsed() >= SLOW_CLOSE {
                said = true;
                self.say_waiting();
            }
            w.is_finished()
        });
        match waited {
            Ok(()) => {
                let _ = w.join();
                Ok(())
            }
            Err(e) => Err(self.interrupted(e)),
        }
    }
}

impl Drop for Recorder {
    /// A recorder dropped without [`Recorder::finish`] stops its threads;
    /// a stream then has no end record and reads as truncated, and a
    /// temporary file is removed.
    fn drop(&mut self) {
        let _ = self.stop_sampler();
        let _ = self.close_writer();
        if let Some(f) = self.file.take() {
            f.discard();
        }
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
    mut s: Sampling,
    tx: Sender<Vec<Record>>,
    stop: Receiver<()>,
    every: Duration,
    status: &RecStatus,
) -> Sampling {
    let mut next = Instant::now();
    loop {
        match stop.recv_deadline(next) {
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            // Stop asked (or the recorder is gone): finish() takes the last sample.
            _ => return s,
        }
        let batch = s.sample();
        let marks = batch.marks;
        let detail_marks = batch.detail_marks();
        // Never wait for the writer: a full queue skips this sample.
        match tx.try_send(batch.records()) {
            Ok(()) => {
                s.tracker.commit(&marks);
                s.tracker.commit_details(&detail_marks);
            }
            Err(TrySendError::Full(_)) => s.tracker.skip(&marks),
            Err(TrySendError::Disconnected(_)) => return s,
        }
        publish(&s.tracker, status);
        next += every;
        let now = Instant::now();
        if next < now {
            // Fell behind (a slow snapshot): do not burst to catch up.
            next = now + every;
        }
    }
}

fn write_loop<W: Write>(
    mut out: BufWriter<W>,
    header: &str,
    rx: Receiver<Vec<Record>>,
    status: &RecStatus,
) {
    let mut failed = false;
    let written = writeln!(out, "{header}").and_then(|()| out.flush());
    match written {
        Ok(()) => {
            status
                .bytes
                .fetch_add(header.len() as u64 + 1, Ordering::Relaxed);
        }
        Err(e) => {
            failed = true;
            status.fail(RecordError::Write(e.to_string()));
        }
    }
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
