//! Reading a recording back, checking it line by line: a file that is not a
//! recording, a version from the future, a corrupt line, or a file cut short
//! (no end record) is refused with one line saying which and where.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;

use super::format::{Dropped, End, FORMAT, Header, Record, VERSION};
use crate::sim::snapshot::HISTORY_LEN;
use crate::sim::{Event, HistoryPoint, Snapshot};

/// Longest line read (a snapshot of 1,024 threads is well under this).
const MAX_LINE: u64 = 64 * 1024 * 1024;

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
    /// A line that does not parse.
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
        }
    }
}

impl std::error::Error for LoadError {}

/// One periodic snapshot, as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The snapshot (no history, events or details: see [`Recording::at`]).
    pub snap: Snapshot,
    /// Points of [`Recording::history`] recorded up to this snapshot.
    pub history_len: usize,
    /// Events of [`Recording::events`] recorded before this snapshot.
    pub events_len: usize,
}

/// A whole recording in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// The header.
    pub header: Header,
    /// Every recorded event, in `seq` order.
    pub events: Vec<Event>,
    /// Every snapshot, in time order.
    pub frames: Vec<Frame>,
    /// The whole depth history.
    pub history: Vec<HistoryPoint>,
    /// Every `dropped` note.
    pub dropped: Vec<Dropped>,
    /// The end record.
    pub end: End,
}

impl Recording {
    /// Events lost over the recording.
    pub fn dropped_events(&self) -> u64 {
        self.end.dropped_events
    }

    /// The recording's length: the last snapshot's time (or last event's).
    pub fn duration(&self) -> std::time::Duration {
        let f = self
            .frames
            .last()
            .map(|f| f.snap.elapsed)
            .unwrap_or_default();
        let e = self.events.last().map(|e| e.at).unwrap_or_default();
        f.max(e)
    }

    /// The summary `run --json` printed for this run.
    pub fn summary(&self) -> &Value {
        &self.end.summary
    }
}

/// Reads one line of at most [`MAX_LINE`] bytes; `None` at end of file.
/// The flag says whether it ended in a newline.
fn next_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    buf.clear();
    let n = r.by_ref().take(MAX_LINE).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    let complete = buf.last() == Some(&b'\n');
    if complete {
        buf.pop();
    }
    Ok(Some(complete))
}

/// A JSON error without serde's "at line 1 column N" (our line number is
/// the file's, and a record is one line): the column is kept.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    if e.column() > 0 {
        format!("{what} (column {})", e.column())
    } else {
        what.to_string()
    }
}

/// Loads and checks the recording at `path`.
pub fn load(path: &Path) -> Result<Recording, LoadError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| io_error(&shown, e))?;
    parse(&shown, BufReader::new(file))
}

/// Parses a recording from `r`; `path` is only for messages.
pub fn parse(path: &str, mut r: impl BufRead) -> Result<Recording, LoadError> {
    let mut buf = Vec::new();
    let header = read_header(path, &mut r, &mut buf)?;
    let mut rec = Recording {
        header,
        events: Vec::new(),
        frames: Vec::new(),
        history: Vec::new(),
        dropped: Vec::new(),
        end: End {
            dropped_events: 0,
            dropped_snapshots: 0,
            summary: Value::Null,
        },
    };
    let mut line_no = 1;
    let mut ended = false;
    while let Some(complete) = next_line(&mut r, &mut buf).map_err(|e| io_error(path, e))? {
        line_no += 1;
        if ended {
            return Err(corrupt(path, line_no, "data after the end record".into()));
        }
        let record = match parse_record(path, line_no, &buf) {
            Ok(r) => r,
            // The last line, cut mid-write.
            Err(_) if !complete => return Err(truncated(path, line_no - 1)),
            Err(e) => return Err(e),
        };
        ended = add(&mut rec, record).map_err(|o| corrupt(path, line_no, o.into()))?;
    }
    if !ended {
        return Err(truncated(path, line_no));
    }
    if rec.frames.is_empty() {
        return Err(corrupt(
            path,
            line_no,
            "no snapshot in the recording".into(),
        ));
    }
    Ok(rec)
}

/// Reads and checks the first line: a queuescope recording's header, of a
/// version this build reads.
fn read_header(path: &str, r: &mut impl BufRead, buf: &mut Vec<u8>) -> Result<Header, LoadError> {
    let foreign = |why: &str| LoadError::Foreign {
        path: path.to_string(),
        why: why.to_string(),
    };
    let Some(complete) = next_line(r, buf).map_err(|e| io_error(path, e))? else {
        return Err(foreign("the file is empty"));
    };
    let value: Value = std::str::from_utf8(buf)
        .ok()
        .and_then(|t| serde_json::from_str(t).ok())
        .ok_or_else(|| foreign("its first line is not JSON"))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(foreign(&format!(
            "no \"format\": \"{FORMAT}\" in its first line"
        )));
    }
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

/// Line `line_no` (after the header) as a record.
fn parse_record(path: &str, line_no: usize, line: &[u8]) -> Result<Record, LoadError> {
    let why = match std::str::from_utf8(line) {
        Err(_) => "not UTF-8 text".to_string(),
        Ok(t) => match serde_json::from_str::<Record>(t) {
            Ok(r) => return Ok(r),
            Err(e) => json_error(&e),
        },
    };
    Err(corrupt(path, line_no, why))
}

/// A record that breaks the file's order.
#[derive(Debug)]
enum OutOfOrder {
    /// An event whose `seq` is not past the last one's.
    Event(u64),
    /// A snapshot older than the last one.
    Snapshot,
}

impl From<OutOfOrder> for String {
    fn from(o: OutOfOrder) -> String {
        match o {
            OutOfOrder::Event(seq) => format!("event {seq} out of order"),
            OutOfOrder::Snapshot => "snapshot out of time order".into(),
        }
    }
}

/// Adds `record` to `rec`, checking its order; true for the end record.
fn add(rec: &mut Recording, record: Record) -> Result<bool, OutOfOrder> {
    match record {
        Record::Event(e) => {
            if rec.events.last().is_some_and(|last| e.seq <= last.seq) {
                return Err(OutOfOrder::Event(e.seq));
            }
            rec.events.push(e);
        }
        Record::Snap(s) => {
            let s = *s;
            if rec
                .frames
                .last()
                .is_some_and(|f| s.snap.elapsed < f.snap.elapsed)
            {
                return Err(OutOfOrder::Snapshot);
            }
            let newest = rec.history.last().map(|h| h.at);
            rec.history.extend(
                s.history
                    .into_iter()
                    .filter(|h| newest.is_none_or(|t| h.at > t)),
            );
            rec.frames.push(Frame {
                snap: s.snap,
                history_len: rec.history.len(),
                events_len: rec.events.len(),
            });
        }
        Record::Dropped(d) => rec.dropped.push(d),
        Record::End(end) => {
            rec.end = end;
            return Ok(true);
        }
    }
    Ok(false)
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

/// Parses a recording held in memory (for tests and tools).
pub fn parse_bytes(path: &str, bytes: &[u8]) -> Result<Recording, LoadError> {
    parse(path, bytes)
}
