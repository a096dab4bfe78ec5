//! Reading a recording back, checking it line by line: a file that is not a
//! recording, a version from the future, a corrupt line, or a file cut short
//! (no end record) is refused with one line saying which and where.
//!
//! Memory is bounded by the file's size. The file is read whole, once, and
//! kept as it is; every line is checked in full ([`super::check`]) but only
//! small indexes are kept: where each event, snapshot and thread detail
//! lies, its time, and the depth history. A snapshot or event is decoded
//! again when a replay shows it. So a line that would decode to much more
//! than its size (a lane of many cells, a long list of tiny values) costs
//! its decoded size once, while it is checked, and never accumulates.

use std::borrow::Cow;
use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::check;
use super::format::{DetailRecord, Dropped, FORMAT, Header, SnapRecord, VERSION};
use crate::sim::snapshot::HISTORY_LEN;
use crate::sim::{Event, HistoryPoint, Snapshot, ThreadDetail};

/// Longest line read (a snapshot of 1,024 threads is well under this).
pub const MAX_LINE: usize = 64 * 1024 * 1024;
/// Largest recording read (2 GiB: about ten hours of a busy 1,000-thread run).
pub const MAX_FILE: u64 = 2 * 1024 * 1024 * 1024;

/// Why a file cannot be replayed. `Display` is one line starting with the path.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be opened or read.
    Io {
        /// The path as given.
        path: String,
        /// What the OS said.
        error: std::io::Error,
    },
    /// The first line is not a queuescope recording's header.
    Foreign {
        /// The path as given.
        path: String,
        /// What was found instead.
        why: String,
    },
    /// Written by a newer queuescope.
    FutureVersion {
        /// The path as given.
        path: String,
        /// The file's version.
        version: u64,
    },
    /// A line that does not parse, or breaks the file's rules.
    Corrupt {
        /// The path as given.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// The file ends before its end record.
    Truncated {
        /// The path as given.
        path: String,
        /// Lines read in all.
        lines: usize,
    },
    /// Larger than [`MAX_FILE`].
    TooLarge {
        /// The path as given.
        path: String,
    },
    /// A stop signal ended the wait for the file (a FIFO with no writer).
    Interrupted {
        /// The path as given.
        path: String,
        /// The signal.
        why: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, error } => {
                write!(f, "{path}: cannot read the recording: {error}")
            }
            LoadError::Foreign { path, why } => write!(
                f,
                "{path}: not a queuescope recording ({why}); make one with --record FILE"
            ),
            LoadError::FutureVersion { path, version } => write!(
                f,
                "{path}: recording format version {version} is newer than this queuescope reads \
                 (version {VERSION}); use a newer queuescope"
            ),
            LoadError::Corrupt { path, line, why } => {
                write!(f, "{path}:{line}: corrupt recording: {why}")
            }
            LoadError::Truncated { path, lines } => write!(
                f,
                "{path}: truncated recording: it ends after line {lines} without its end record \
                 (the recording was cut short)"
            ),
            LoadError::TooLarge { path } => write!(
                f,
                "{path}: larger than {} GiB; queuescope replays recordings up to that size",
                MAX_FILE >> 30
            ),
            LoadError::Interrupted { path, why } => write!(f, "{path}: {why}"),
        }
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    /// Bad input (exit 2), or a wait the user ended (exit 1).
    pub fn is_usage(&self) -> bool {
        !matches!(self, LoadError::Interrupted { .. })
    }
}

/// Where a line lies in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: usize,
    len: u32,
}

impl Span {
    fn range(self) -> Range<usize> {
        self.start..self.start + self.len as usize
    }
}

/// An event's time and line.
#[derive(Clone, Copy, Debug, PartialEq)]
struct EventIx {
    at: Duration,
    span: Span,
}

/// A snapshot's time, line, and what came before it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct FrameIx {
    elapsed: Duration,
    span: Span,
    history_len: usize,
    events_len: usize,
}

/// A thread detail's thread, time and line.
#[derive(Clone, Copy, Debug, PartialEq)]
struct DetailIx {
    id: usize,
    at: Duration,
    span: Span,
}

/// One periodic snapshot, decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The snapshot (no history, events or details: see [`Recording::frame`]).
    pub snap: Snapshot,
    /// Points of [`Recording::history`] recorded up to this snapshot.
    pub history_len: usize,
    /// Events recorded before this snapshot.
    pub events_len: usize,
}

/// The end record's counts, and where its summary lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct EndIx {
    dropped_events: u64,
    dropped_snapshots: u64,
    summary: Span,
}

/// A whole recording in memory: the file's bytes and indexes into them.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// The header.
    pub header: Header,
    text: Vec<u8>,
    events: Vec<EventIx>,
    frames: Vec<FrameIx>,
    history: Vec<HistoryPoint>,
    /// Sorted by thread, then time.
    details: Vec<DetailIx>,
    dropped: Dropped,
    end: EndIx,
    /// The first snapshot, decoded: what [`Recording::frame`] shows should
    /// a line fail to decode again (it cannot: every line was checked).
    first: Box<Snapshot>,
}

impl Recording {
    /// Events lost over the recording.
    pub fn dropped_events(&self) -> u64 {
        self.end.dropped_events
    }

    /// Snapshots skipped over the recording.
    pub fn dropped_snapshots(&self) -> u64 {
        self.end.dropped_snapshots
    }

    /// The sum of the `dropped` notes along the way.
    pub fn dropped_notes(&self) -> &Dropped {
        &self.dropped
    }

    /// The recording's length: the last snapshot's time (or last event's).
    pub fn duration(&self) -> Duration {
        let f = self.frames.last().map(|f| f.elapsed).unwrap_or_default();
        let e = self.events.last().map(|e| e.at).unwrap_or_default();
        f.max(e)
    }

    /// Events recorded.
    pub fn events_len(&self) -> usize {
        self.events.len()
    }

    /// Event `i`'s time.
    pub fn event_time(&self, i: usize) -> Option<Duration> {
        self.events.get(i).map(|e| e.at)
    }

    /// Events at or before `at`.
    pub fn events_until(&self, at: Duration) -> usize {
        self.events.partition_point(|e| e.at <= at)
    }

    /// Events `range` (clamped to the recording), decoded.
    pub fn events(&self, range: Range<usize>) -> Vec<Event> {
        let end = range.end.min(self.events.len());
        let start = range.start.min(end);
        self.events[start..end]
            .iter()
            .filter_map(|e| serde_json::from_slice(&self.text[e.span.range()]).ok())
            .collect()
    }

    /// Snapshots recorded.
    pub fn frames_len(&self) -> usize {
        self.frames.len()
    }

    /// Snapshot `i`'s time.
    pub fn frame_time(&self, i: usize) -> Option<Duration> {
        self.frames.get(i).map(|f| f.elapsed)
    }

    /// The index of the last snapshot at or before `at` (the first one
    /// before any).
    pub fn frame_at(&self, at: Duration) -> usize {
        self.frames
            .partition_point(|f| f.elapsed <= at)
            .saturating_sub(1)
    }

    /// Snapshot `i` (clamped to the last), decoded, without history,
    /// events or details.
    pub fn frame(&self, i: usize) -> Frame {
        let Some(ix) = self.frames.get(i).or(self.frames.last()) else {
            return Frame {
                snap: (*self.first).clone(),
                history_len: 0,
                events_len: 0,
            };
        };
        let decoded = serde_json::from_slice::<SnapRecord>(&self.text[ix.span.range()]);
        let mut snap = decoded.map_or_else(|_| (*self.first).clone(), |r| r.snap);
        snap.history.clear();
        snap.events.clear();
        snap.detail = None;
        Frame {
            snap,
            history_len: ix.history_len,
            events_len: ix.events_len,
        }
    }

    /// The whole depth history.
    pub fn history(&self) -> &[HistoryPoint] {
        &self.history
    }

    /// True when the file records each thread's latency (version 2 on).
    pub fn has_details(&self) -> bool {
        self.header.version >= super::format::DETAIL_VERSION
    }

    /// Thread `id`'s latency as last recorded at or before `at`.
    pub fn detail(&self, id: usize, at: Duration) -> Option<ThreadDetail> {
        let from = self.details.partition_point(|d| d.id < id);
        let to = self
            .details
            .partition_point(|d| d.id < id || (d.id == id && d.at <= at));
        let ix = self.details[from..to].last()?;
        serde_json::from_slice::<DetailRecord>(&self.text[ix.span.range()])
            .ok()
            .map(|r| r.detail)
    }

    /// The summary `run --json` printed for this run, as compact JSON text.
    pub fn summary_json(&self) -> &[u8] {
        &self.text[self.end.summary.range()]
    }

    /// The summary as a JSON value (it is at most one line of the file).
    pub fn summary(&self) -> Value {
        serde_json::from_slice(self.summary_json()).unwrap_or(Value::Null)
    }
}

/// A JSON error without serde's "at line 1 column N" (our line number is
/// the file's, and a record is one line): the column is kept.
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    if e.column() > 0 {
        format!("{what} (column {})", e.column())
    } else {
        what.to_string()
    }
}

/// Loads and checks the recording at `path`. Opening and reading wait
/// (on a FIFO, a slow pipe) only until a stop signal.
pub fn load(path: &Path) -> Result<Recording, LoadError> {
    let shown = path.display().to_string();
    let p = path.to_path_buf();
    let read = crate::signals::interruptible(move || read_all(&p), None).map_err(|i| {
        LoadError::Interrupted {
            path: shown.clone(),
            why: format!("{i} while reading the recording"),
        }
    })?;
    let bytes = read.map_err(|e| match e {
        ReadError::Io(error) => io_error(&shown, error),
        ReadError::TooLarge => LoadError::TooLarge {
            path: shown.clone(),
        },
    })?;
    parse(&shown, bytes)
}

/// Why a file could not be read whole.
enum ReadError {
    Io(std::io::Error),
    TooLarge,
}

/// Reads the file at `path`, at most [`MAX_FILE`] bytes.
fn read_all(path: &Path) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // A regular file's size is known: allocate once (one byte more, to see
    // it grow). A pipe grows the buffer as it comes.
    let hint = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map_or(0, |m| m.len().min(MAX_FILE + 1));
    if hint > MAX_FILE {
        return Err(ReadError::TooLarge);
    }
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(hint as usize + 1)
        .map_err(|e| ReadError::Io(std::io::Error::other(e.to_string())))?;
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// Parses a recording held in memory (for tests and tools).
pub fn parse_bytes(path: &str, bytes: &[u8]) -> Result<Recording, LoadError> {
    parse(path, bytes.to_vec())
}

/// Splits `text` into lines: each line's range, without its newline, and
/// whether it had one.
fn lines(text: &[u8]) -> impl Iterator<Item = (Range<usize>, bool)> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        match text[start..].iter().position(|&b| b == b'\n') {
            Some(n) => {
                pos = start + n + 1;
                Some((start..start + n, true))
            }
            None => {
                pos = text.len();
                Some((start..text.len(), false))
            }
        }
    })
}

/// Parses a whole recording; `path` is only for messages.
pub fn parse(path: &str, text: Vec<u8>) -> Result<Recording, LoadError> {
    let mut it = lines(&text);
    let Some((first, complete)) = it.next() else {
        return Err(foreign(path, "the file is empty"));
    };
    let header = read_header(path, &text[first], complete)?;
    let mut b = Builder::default();
    let mut line_no = 1;
    let mut ended = false;
    for (range, complete) in it {
        line_no += 1;
        if ended {
            return Err(corrupt(path, line_no, "data after the end record".into()));
        }
        if range.len() > MAX_LINE {
            return Err(corrupt(
                path,
                line_no,
                format!(
                    "a line of {} MiB, longer than any queuescope writes ({} MiB at most)",
                    range.len() >> 20,
                    MAX_LINE >> 20
                ),
            ));
        }
        match b.add(&text, range) {
            Ok(end) => ended = end,
            // The last line, cut mid-write.
            Err(_) if !complete => return Err(truncated(path, line_no - 1)),
            Err(why) => return Err(corrupt(path, line_no, why)),
        }
    }
    if !ended {
        return Err(truncated(path, line_no));
    }
    match b.first.take() {
        Some(first) => Ok(b.finish(header, text, first)),
        None => Err(corrupt(
            path,
            line_no,
            "no snapshot in the recording".into(),
        )),
    }
}

fn foreign(path: &str, why: &str) -> LoadError {
    LoadError::Foreign {
        path: path.to_string(),
        why: why.to_string(),
    }
}

/// Just the `format` field of a first line, borrowed.
#[derive(Deserialize)]
struct FormatPeek<'a> {
    #[serde(borrow)]
    format: Option<Cow<'a, str>>,
}

/// Reads and checks the first line: a queuescope recording's header, of a
/// version this build reads.
fn read_header(path: &str, line: &[u8], complete: bool) -> Result<Header, LoadError> {
    if line.len() > MAX_LINE || serde_json::from_slice::<serde::de::IgnoredAny>(line).is_err() {
        return Err(foreign(path, "its first line is not JSON"));
    }
    let format = serde_json::from_slice::<FormatPeek>(line)
        .ok()
        .and_then(|p| p.format);
    if format.as_deref() != Some(FORMAT) {
        return Err(foreign(
            path,
            &format!("no \"format\": \"{FORMAT}\" in its first line"),
        ));
    }
    check::scan(line, true).map_err(|why| corrupt(path, 1, format!("bad header: {why}")))?;
    // Bounded by the scan: a value no larger than a few dozen MB.
    let value: Value = serde_json::from_slice(line)
        .map_err(|e| corrupt(path, 1, format!("bad header: {}", json_error(&e))))?;
    check_version(path, &value)?;
    if !complete {
        return Err(truncated(path, 1));
    }
    serde_json::from_value(value).map_err(|e| corrupt(path, 1, format!("bad header: {e}")))
}

/// The header's version must be one this build reads (1 to [`VERSION`]).
fn check_version(path: &str, header: &Value) -> Result<(), LoadError> {
    let version = header
        .get("version")
        .and_then(Value::as_u64)
        .ok_or_else(|| corrupt(path, 1, "the header has no version number".into()))?;
    if version > u64::from(VERSION) {
        return Err(LoadError::FutureVersion {
            path: path.to_string(),
            version,
        });
    }
    if version < 1 {
        return Err(corrupt(path, 1, format!("unknown version {version}")));
    }
    Ok(())
}

/// A record's `t`, borrowed.
#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(borrow)]
    t: Cow<'a, str>,
}

/// The end record, its summary left as text.
#[derive(Deserialize)]
struct EndLine<'a> {
    dropped_events: u64,
    dropped_snapshots: u64,
    #[serde(borrow)]
    summary: &'a RawValue,
}

/// What a summary must have: it is `run --json`'s document.
#[derive(Deserialize)]
#[allow(dead_code)] // read only to check that they are there
struct SummaryShape {
    scenario: String,
    phase: String,
    produced: u64,
    consumed: u64,
}

/// The indexes as the lines come.
#[derive(Default)]
struct Builder {
    events: Vec<EventIx>,
    last_seq: u64,
    frames: Vec<FrameIx>,
    history: Vec<HistoryPoint>,
    details: Vec<DetailIx>,
    dropped: Dropped,
    end: Option<EndIx>,
    first: Option<Box<Snapshot>>,
}

/// Pushes `x`, growing `v` by a quarter at a time: a doubling vector's
/// spare capacity (and the copy when it moves) would cost as much again.
fn push<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.capacity() / 4).max(64));
    }
    v.push(x);
}

fn decode<'a, T: Deserialize<'a>>(line: &'a [u8]) -> Result<T, String> {
    serde_json::from_slice(line).map_err(|e| json_error(&e))
}

impl Builder {
    /// Checks the record in `text[range]` and indexes it; true for the end
    /// record. The error says what is wrong with the line.
    fn add(&mut self, text: &[u8], range: Range<usize>) -> Result<bool, String> {
        let line = &text[range.clone()];
        if std::str::from_utf8(line).is_err() {
            return Err("not UTF-8 text".into());
        }
        let span = Span {
            start: range.start,
            len: u32::try_from(range.len()).map_err(|_| "a line too long".to_string())?,
        };
        let tag: Tag = decode(line)?;
        if tag.t != "end" {
            check::scan(line, true)?;
        }
        match &*tag.t {
            "event" => self.event(decode(line)?, span)?,
            "snap" => self.snap(decode(line)?, span)?,
            "detail" => self.detail(decode(line)?, span)?,
            "dropped" => self.dropped(decode(line)?)?,
            "end" => {
                self.end(text, decode(line)?)?;
                return Ok(true);
            }
            other => {
                return Err(format!(
                    "unknown record {other:?} (expected event, snap, detail, dropped or end)"
                ));
            }
        }
        Ok(false)
    }

    fn event(&mut self, e: Event, span: Span) -> Result<(), String> {
        check::event(&e)?;
        if !self.events.is_empty() && e.seq <= self.last_seq {
            return Err(format!("event {} out of order", e.seq));
        }
        self.last_seq = e.seq;
        push(&mut self.events, EventIx { at: e.at, span });
        Ok(())
    }

    fn snap(&mut self, s: SnapRecord, span: Span) -> Result<(), String> {
        check::snapshot(&s.snap)?;
        if s.history.len() > HISTORY_LEN {
            return Err(format!(
                "more than {HISTORY_LEN} new history points in one snapshot"
            ));
        }
        if self
            .frames
            .last()
            .is_some_and(|f| s.snap.elapsed < f.elapsed)
        {
            return Err("snapshot out of time order".into());
        }
        let elapsed = s.snap.elapsed;
        for h in s.history {
            check_point(&h)?;
            if self.history.last().is_none_or(|last| h.at > last.at) {
                push(&mut self.history, h);
            }
        }
        if self.first.is_none() {
            let mut first = s.snap;
            first.events.clear();
            first.history.clear();
            first.detail = None;
            self.first = Some(Box::new(first));
        }
        push(
            &mut self.frames,
            FrameIx {
                elapsed,
                span,
                history_len: self.history.len(),
                events_len: self.events.len(),
            },
        );
        Ok(())
    }

    fn detail(&mut self, d: DetailRecord, span: Span) -> Result<(), String> {
        check::detail(&d.detail)?;
        if d.at.as_nanos() > u128::from(check::MAX_NS) {
            return Err("a detail from later than a run can last".into());
        }
        let ix = DetailIx {
            id: d.detail.id,
            at: d.at,
            span,
        };
        push(&mut self.details, ix);
        Ok(())
    }

    fn dropped(&mut self, d: Dropped) -> Result<(), String> {
        let events = self.dropped.events.checked_add(d.events);
        let snapshots = self.dropped.snapshots.checked_add(d.snapshots);
        match (events, snapshots) {
            (Some(e), Some(s)) if e <= check::MAX_COUNT && s <= check::MAX_COUNT => {
                self.dropped.events = e;
                self.dropped.snapshots = s;
                self.dropped.at = d.at;
                Ok(())
            }
            _ => Err("more dropped than a run can reach".into()),
        }
    }

    fn end(&mut self, text: &[u8], e: EndLine<'_>) -> Result<(), String> {
        let raw = e.summary.get().as_bytes();
        check::scan(raw, false).map_err(|why| format!("summary: {why}"))?;
        serde_json::from_slice::<SummaryShape>(raw).map_err(|err| {
            let why = json_error(&err).replace("struct SummaryShape", "the report's object");
            format!("the summary is not the report run --json prints ({why})")
        })?;
        if e.dropped_events > check::MAX_COUNT || e.dropped_snapshots > check::MAX_COUNT {
            return Err("more dropped than a run can reach".into());
        }
        // The summary borrows from `text`: its offset is where it lies.
        let start = (raw.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        self.end = Some(EndIx {
            dropped_events: e.dropped_events,
            dropped_snapshots: e.dropped_snapshots,
            summary: Span {
                start,
                len: raw.len() as u32,
            },
        });
        Ok(())
    }

    fn finish(mut self, header: Header, text: Vec<u8>, first: Box<Snapshot>) -> Recording {
        self.details.sort_by_key(|d| (d.id, d.at));
        let end = self.end.unwrap_or(EndIx {
            dropped_events: 0,
            dropped_snapshots: 0,
            summary: Span { start: 0, len: 0 },
        });
        Recording {
            header,
            text,
            events: self.events,
            frames: self.frames,
            history: self.history,
            details: self.details,
            dropped: self.dropped,
            end,
            first,
        }
    }
}

/// A history point the engine could have written.
fn check_point(h: &HistoryPoint) -> Result<(), String> {
    let fine = h.at.as_nanos() <= u128::from(check::MAX_NS)
        && h.max_depth <= check::MAX_COUNT
        && h.produced <= check::MAX_COUNT
        && h.done <= check::MAX_COUNT
        && h.mean_depth >= 0.0;
    if fine {
        Ok(())
    } else {
        Err("a history point out of any run's range".into())
    }
}

fn io_error(path: &str, error: std::io::Error) -> LoadError {
    LoadError::Io {
        path: path.to_string(),
        error,
    }
}

fn corrupt(path: &str, line: usize, why: String) -> LoadError {
    LoadError::Corrupt {
        path: path.to_string(),
        line,
        why,
    }
}

fn truncated(path: &str, lines: usize) -> LoadError {
    LoadError::Truncated {
        path: path.to_string(),
        lines,
    }
}

/// The history a snapshot shows: the last [`HISTORY_LEN`] points of the
/// first `len`.
pub fn history_window(history: &[HistoryPoint], len: usize) -> Vec<HistoryPoint> {
    let len = len.min(history.len());
    history[len.saturating_sub(HISTORY_LEN)..len].to_vec()
}
