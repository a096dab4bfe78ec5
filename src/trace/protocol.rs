//! The trace protocol, versions 1 and 2: what a traced program sends, one
//! JSON array per line, and a parser that treats every line as hostile.
//! Version 2 adds counted operations (`who` with totals, `ops`); a version
//! 1 stream is read as before.
//!
//! `docs/trace-protocol.md` is the reference for senders. Each line is
//! `["name", field, ...]`; times are the sender's monotonic clock in
//! nanoseconds, threads and queues are unsigned integers the sender picks.
//! A line longer than [`MAX_LINE`] bytes, or one that is not such an array
//! with fields of the right types, is counted and skipped; an event with a
//! name this version does not know is skipped too (a newer sender may add
//! events), so one bad line never stops a trace.

use serde_json::Value;

/// The newest protocol version this build reads (it reads 1 to this).
pub const VERSION: u64 = 2;
/// Longest line read; a longer one is skipped whole.
pub const MAX_LINE: usize = 64 * 1024;
/// Longest text kept from a name or repr, in characters.
pub const MAX_TEXT: usize = 80;
/// Most fields an event may have.
const MAX_FIELDS: usize = 16;

/// A thread id, as the sender numbers threads (`threading.get_ident()`).
pub type Tid = u64;
/// A queue id, as the sender numbers queues (1, 2, ...; 0 = unknown).
pub type Qid = u64;

/// When and by whom, for the events that may come in compact form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    /// Sender's monotonic time, ns.
    pub t: u64,
    /// The thread.
    pub tid: Tid,
}

/// A queue's running totals of operations, as a counting sender keeps
/// them: every put, get and `task_done` so far, whether sent in full or
/// only counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Puts so far.
    pub puts: u64,
    /// Gets so far.
    pub gets: u64,
    /// `task_done()` calls so far.
    pub dones: u64,
    /// The latest of the thread's counted gets and dones was a done: it
    /// holds no item from the queue.
    pub finished: bool,
}

/// How a queue hands its items out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// First in, first out: a get takes the oldest item.
    Fifo,
    /// Last in, first out: a get takes the newest item.
    Lifo,
    /// By priority: a get names the item it took.
    Priority,
}

/// What a blocked thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// A `put` waits for room in a full queue.
    Full,
    /// A `get` waits for an item in an empty queue.
    Empty,
}

/// One event.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The first line: protocol version, start time, process id, the main thread.
    Hello {
        /// Protocol version (must be [`VERSION`]).
        version: u64,
        /// Start time.
        t: u64,
        /// The traced process.
        pid: u64,
        /// The main thread's id.
        main: Tid,
        /// Language and version, e.g. `python 3.12.3`.
        lang: String,
    },
    /// A thread started (its name as the program knows it).
    Thread {
        /// When.
        t: u64,
        /// Which.
        tid: Tid,
        /// Its name.
        name: String,
    },
    /// A thread left: `error` is the exception that ended it, if any.
    Exit {
        /// When.
        t: u64,
        /// Which.
        tid: Tid,
        /// The exception's type name.
        error: Option<String>,
    },
    /// A queue was made.
    Queue {
        /// When.
        t: u64,
        /// By which thread.
        tid: Tid,
        /// Its id.
        q: Qid,
        /// The class, e.g. `Queue`, `SimpleQueue`.
        kind: String,
        /// How it hands items out.
        order: Order,
        /// Capacity; 0 = unbounded.
        maxsize: u64,
        /// The variable it was assigned to, when the sender could tell.
        name: Option<String>,
    },
    /// The queue's following compact (or counted) operations are by
    /// this thread; with totals (version 2), the operations counted since
    /// the last mark were by the thread named before.
    Who {
        /// When.
        t: u64,
        /// The thread.
        tid: Tid,
        /// The queue.
        q: Qid,
        /// The queue's totals up to here (version 2).
        totals: Option<Totals>,
    },
    /// The operations counted since the last mark were by the queue's
    /// current `who` thread, which stays (version 2).
    Ops {
        /// When.
        t: u64,
        /// The queue.
        q: Qid,
        /// The queue's totals up to here.
        totals: Totals,
    },
    /// An item went into a queue.
    Put {
        /// Time and thread; `None` in compact form (the queue's `who`).
        at: Option<At>,
        /// The queue.
        q: Qid,
        /// The item's short repr; `None` in compact form (a plain int).
        repr: Option<String>,
        /// The item's identity, for queues whose order depends on the items.
        id: Option<u64>,
    },
    /// An item came out of a queue.
    Get {
        /// Time and thread; `None` in compact form.
        at: Option<At>,
        /// The queue.
        q: Qid,
        /// The item's identity, when the queue's order does not say which.
        id: Option<u64>,
    },
    /// `task_done()`: the thread finished its item.
    Done {
        /// Time and thread; `None` in compact form.
        at: Option<At>,
        /// The queue.
        q: Qid,
    },
    /// A thread is about to wait in a put (full) or get (empty).
    Block {
        /// When.
        t: u64,
        /// Which thread.
        tid: Tid,
        /// On which queue.
        q: Qid,
        /// Full or empty.
        why: Why,
        /// Seconds, when the call has a timeout (then it is not forever).
        timeout: Option<f64>,
    },
    /// The wait ended (the put or get follows, or it timed out).
    Wake {
        /// When.
        t: u64,
        /// Which thread.
        tid: Tid,
        /// The queue.
        q: Qid,
    },
    /// `Queue.join()` started (waiting for every item's `task_done`).
    QueueJoin {
        /// When.
        t: u64,
        /// Which thread.
        tid: Tid,
        /// The queue.
        q: Qid,
    },
    /// `Queue.join()` returned.
    QueueJoined {
        /// When.
        t: u64,
        /// Which thread.
        tid: Tid,
        /// The queue.
        q: Qid,
    },
    /// A thread waits for another to end (`Thread.join`); target 0 means
    /// every other thread (the interpreter's own wait at exit).
    Join {
        /// When.
        t: u64,
        /// The waiting thread.
        tid: Tid,
        /// The thread waited for (0: all).
        target: Tid,
        /// Seconds, when the join has a timeout.
        timeout: Option<f64>,
    },
    /// The join returned.
    Joined {
        /// When.
        t: u64,
        /// The waiting thread.
        tid: Tid,
        /// The thread waited for.
        target: Tid,
    },
    /// The program is exiting normally; nothing follows.
    End {
        /// When.
        t: u64,
    },
}

/// Why a line was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineError {
    /// Not a JSON array starting with an event name.
    NotAnEvent,
    /// A known event with missing or mistyped fields.
    BadFields(&'static str),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::NotAnEvent => f.write_str("not a JSON array starting with an event name"),
            LineError::BadFields(name) => write!(f, "'{name}' event with bad fields"),
        }
    }
}

/// Fields of one event, read in order.
struct Fields<'a> {
    v: &'a [Value],
    name: &'static str,
}

impl<'a> Fields<'a> {
    fn bad(&self) -> LineError {
        LineError::BadFields(self.name)
    }

    fn len(&self) -> usize {
        self.v.len()
    }

    fn u64(&self, i: usize) -> Result<u64, LineError> {
        self.v
            .get(i)
            .and_then(Value::as_u64)
            .ok_or_else(|| self.bad())
    }

    fn text(&self, i: usize) -> Result<String, LineError> {
        self.v
            .get(i)
            .and_then(Value::as_str)
            .map(clip)
            .ok_or_else(|| self.bad())
    }

    /// A string or null.
    fn opt_text(&self, i: usize) -> Result<Option<String>, LineError> {
        match self.v.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(clip(s))),
            Some(_) => Err(self.bad()),
        }
    }

    /// A finite, non-negative number of seconds, or null.
    fn timeout(&self, i: usize) -> Result<Option<f64>, LineError> {
        match self.v.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_f64() {
                Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(self.bad()),
            },
        }
    }

    fn opt_u64(&self, i: usize) -> Result<Option<u64>, LineError> {
        match self.v.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.u64(i).map(Some),
        }
    }

    /// `puts, gets, dones, finished` (0 or 1) at `i`, the last fields.
    fn totals(&self, i: usize) -> Result<Totals, LineError> {
        if self.len() != i + 4 {
            return Err(self.bad());
        }
        Ok(Totals {
            puts: self.u64(i)?,
            gets: self.u64(i + 1)?,
            dones: self.u64(i + 2)?,
            finished: match self.u64(i + 3)? {
                0 => false,
                1 => true,
                _ => return Err(self.bad()),
            },
        })
    }

    /// `t, tid` at `i`, or nothing (compact form) when the event has only
    /// `compact_len` fields.
    fn at(&self, i: usize, compact_len: usize) -> Result<Option<At>, LineError> {
        if self.len() == compact_len {
            return Ok(None);
        }
        Ok(Some(At {
            t: self.u64(i)?,
            tid: self.u64(i + 1)?,
        }))
    }
}

/// Keeps at most [`MAX_TEXT`] characters.
fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

/// Parses one line (without its newline). `Ok(None)` for an event this
/// version does not know.
pub fn parse_line(line: &[u8]) -> Result<Option<Event>, LineError> {
    if line.len() > MAX_LINE {
        return Err(LineError::NotAnEvent);
    }
    if let Some(e) = compact(line) {
        return Ok(Some(e));
    }
    let v: Vec<Value> = serde_json::from_slice(line).map_err(|_| LineError::NotAnEvent)?;
    if v.len() > MAX_FIELDS {
        return Err(LineError::NotAnEvent);
    }
    let Some(Value::String(name)) = v.first() else {
        return Err(LineError::NotAnEvent);
    };
    let Some(name) = known(name) else {
        return Ok(None);
    };
    let f = Fields { v: &v, name };
    event(name, &f).map(Some)
}

/// The events whose fields are all integers (`["put",7]`, `["get",5,9,7]`,
/// `["who",...]`, `["ops",...]`, `["wake",...]`, ...), without a JSON
/// parser: they are most of a busy program's lines. Anything else, even a
/// differently spaced one, goes to the full parser.
fn compact(line: &[u8]) -> Option<Event> {
    let rest = line.strip_prefix(b"[\"")?;
    let quote = rest.iter().position(|&b| b == b'"')?;
    let (name, mut rest) = rest.split_at(quote);
    let mut n = [0u64; 8];
    let mut len = 0;
    loop {
        rest = rest.get(1..)?;
        match rest.first()? {
            b']' if rest.len() == 1 => break,
            b',' if len < n.len() => {
                rest = &rest[1..];
                let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                if digits == 0 || digits > 20 {
                    return None;
                }
                n[len] = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
                len += 1;
                rest = &rest[digits - 1..];
            }
            _ => return None,
        }
    }
    int_event(name, &n[..len])
}

/// An event from its name and integer fields, for the forms [`compact`]
/// reads; `None` sends the line to the full parser.
fn int_event(name: &[u8], n: &[u64]) -> Option<Event> {
    let totals = |i: usize| {
        (n[i + 3] <= 1).then_some(Totals {
            puts: n[i],
            gets: n[i + 1],
            dones: n[i + 2],
            finished: n[i + 3] == 1,
        })
    };
    let at = || At { t: n[0], tid: n[1] };
    Some(match (name, n.len()) {
        (b"put", 1) => Event::Put {
            at: None,
            q: n[0],
            repr: None,
            id: None,
        },
        (b"get", 1) => Event::Get {
            at: None,
            q: n[0],
            id: None,
        },
        (b"get", 3 | 4) => Event::Get {
            at: Some(at()),
            q: n[2],
            id: n.get(3).copied(),
        },
        (b"done", 1) => Event::Done { at: None, q: n[0] },
        (b"done", 3) => Event::Done {
            at: Some(at()),
            q: n[2],
        },
        (b"who", 3) => Event::Who {
            t: n[0],
            tid: n[1],
            q: n[2],
            totals: None,
        },
        (b"who", 7) => Event::Who {
            t: n[0],
            tid: n[1],
            q: n[2],
            totals: Some(totals(3)?),
        },
        (b"ops", 6) => Event::Ops {
            t: n[0],
            q: n[1],
            totals: totals(2)?,
        },
        (b"wake", 3) => Event::Wake {
            t: n[0],
            tid: n[1],
            q: n[2],
        },
        _ => return None,
    })
}

/// The static name of a known event.
fn known(name: &str) -> Option<&'static str> {
    const NAMES: [&str; 16] = [
        "hello", "thread", "exit", "queue", "who", "ops", "put", "get", "done", "block", "wake",
        "qjoin", "qjoined", "join", "joined", "end",
    ];
    NAMES.into_iter().find(|n| *n == name)
}

fn event(name: &'static str, f: &Fields<'_>) -> Result<Event, LineError> {
    Ok(match name {
        "hello" => Event::Hello {
            version: f.u64(1)?,
            t: f.u64(2)?,
            pid: f.u64(3)?,
            main: f.u64(4)?,
            lang: f.opt_text(5)?.unwrap_or_default(),
        },
        "thread" => Event::Thread {
            t: f.u64(1)?,
            tid: f.u64(2)?,
            name: f.text(3)?,
        },
        "exit" => Event::Exit {
            t: f.u64(1)?,
            tid: f.u64(2)?,
            error: f.opt_text(3)?,
        },
        "queue" => queue_event(f)?,
        "who" => Event::Who {
            t: f.u64(1)?,
            tid: f.u64(2)?,
            q: f.u64(3)?,
            totals: if f.len() == 4 {
                None
            } else {
                Some(f.totals(4)?)
            },
        },
        "ops" => Event::Ops {
            t: f.u64(1)?,
            q: f.u64(2)?,
            totals: f.totals(3)?,
        },
        "put" | "get" | "done" => item_event(name, f)?,
        "block" => Event::Block {
            t: f.u64(1)?,
            tid: f.u64(2)?,
            q: f.u64(3)?,
            why: match f.text(4)?.as_str() {
                "full" => Why::Full,
                "empty" => Why::Empty,
                _ => return Err(f.bad()),
            },
            timeout: f.timeout(5)?,
        },
        "join" => Event::Join {
            t: f.u64(1)?,
            tid: f.u64(2)?,
            target: f.u64(3)?,
            timeout: f.timeout(4)?,
        },
        "joined" => Event::Joined {
            t: f.u64(1)?,
            tid: f.u64(2)?,
            target: f.u64(3)?,
        },
        "end" => Event::End { t: f.u64(1)? },
        _ => thread_queue_event(name, f)?,
    })
}

/// `wake`, `qjoin`, `qjoined`: time, thread, queue.
fn thread_queue_event(name: &'static str, f: &Fields<'_>) -> Result<Event, LineError> {
    let (t, tid, q) = (f.u64(1)?, f.u64(2)?, f.u64(3)?);
    Ok(match name {
        "wake" => Event::Wake { t, tid, q },
        "qjoin" => Event::QueueJoin { t, tid, q },
        _ => Event::QueueJoined { t, tid, q },
    })
}

fn queue_event(f: &Fields<'_>) -> Result<Event, LineError> {
    Ok(Event::Queue {
        t: f.u64(1)?,
        tid: f.u64(2)?,
        q: f.u64(3)?,
        kind: f.text(4)?,
        order: match f.text(5)?.as_str() {
            "fifo" => Order::Fifo,
            "lifo" => Order::Lifo,
            "priority" => Order::Priority,
            _ => return Err(f.bad()),
        },
        maxsize: f.u64(6)?,
        name: f.opt_text(7)?,
    })
}

/// `put`, `get`, `done`, full (`t, tid, q, ...`) or compact (`q` alone).
fn item_event(name: &'static str, f: &Fields<'_>) -> Result<Event, LineError> {
    let at = f.at(1, 2)?;
    let q = if at.is_some() { f.u64(3)? } else { f.u64(1)? };
    Ok(match name {
        "put" => Event::Put {
            at,
            q,
            repr: if at.is_some() { Some(f.text(4)?) } else { None },
            id: if at.is_some() { f.opt_u64(5)? } else { None },
        },
        "get" => Event::Get {
            at,
            q,
            id: if at.is_some() { f.opt_u64(4)? } else { None },
        },
        _ => Event::Done { at, q },
    })
}

/// Splits a byte stream into lines, skipping any line longer than
/// [`MAX_LINE`] without ever holding more than that.
#[derive(Debug, Default)]
pub struct Lines {
    buf: Vec<u8>,
    /// Inside an overlong line: drop bytes up to its newline.
    skipping: bool,
    /// Overlong lines skipped so far.
    pub overlong: u64,
}

impl Lines {
    /// Feeds `bytes`, calling `line` for each complete line (no newline).
    pub fn feed(&mut self, mut bytes: &[u8], mut line: impl FnMut(&[u8])) {
        while let Some(nl) = bytes.iter().position(|&b| b == b'\n') {
            let (head, rest) = bytes.split_at(nl);
            bytes = &rest[1..];
            if self.skipping {
                self.skipping = false;
            } else if self.buf.len() + head.len() > MAX_LINE {
                self.buf.clear();
                self.overlong += 1;
            } else if self.buf.is_empty() {
                line(head);
            } else {
                self.buf.extend_from_slice(head);
                line(&self.buf);
                self.buf.clear();
            }
        }
        if self.skipping {
            return;
        }
        if self.buf.len() + bytes.len() > MAX_LINE {
            self.buf.clear();
            self.skipping = true;
            self.overlong += 1;
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Option<Event>, LineError> {
        parse_line(s.as_bytes())
    }

    #[test]
    fn full_and_compact_forms() {
        assert_eq!(
            parse(r#"["put",5,7,1,"'quit'"]"#),
            Ok(Some(Event::Put {
                at: Some(At { t: 5, tid: 7 }),
                q: 1,
                repr: Some("'quit'".into()),
                id: None
            }))
        );
        assert_eq!(
            parse(r#"["put",1]"#),
            Ok(Some(Event::Put {
                at: None,
                q: 1,
                repr: None,
                id: None
            }))
        );
        assert_eq!(
            parse(r#"["get",9,7,2,140000000000]"#),
            Ok(Some(Event::Get {
                at: Some(At { t: 9, tid: 7 }),
                q: 2,
                id: Some(140_000_000_000)
            }))
        );
        assert_eq!(
            parse(r#"["done",3]"#),
            Ok(Some(Event::Done { at: None, q: 3 }))
        );
        // Version 1's who, and version 2's with the totals; ops.
        assert_eq!(
            parse(r#"["who",5,7,1]"#),
            Ok(Some(Event::Who {
                t: 5,
                tid: 7,
                q: 1,
                totals: None
            }))
        );
        let totals = Totals {
            puts: 10,
            gets: 8,
            dones: 3,
            finished: true,
        };
        assert_eq!(
            parse(r#"["who",5,7,1,10,8,3,1]"#),
            Ok(Some(Event::Who {
                t: 5,
                tid: 7,
                q: 1,
                totals: Some(totals)
            }))
        );
        assert_eq!(
            parse(r#"["ops",6,1,10,8,3,1]"#),
            Ok(Some(Event::Ops { t: 6, q: 1, totals }))
        );
        // Spaced differently: the same event, by the full parser.
        assert_eq!(parse(r#"[ "done", 3 ]"#), parse(r#"["done",3]"#));
        for line in [
            r#"["get",5,7,2]"#,
            r#"["get",5,7,2,99]"#,
            r#"["done",5,7,2]"#,
            r#"["who",5,7,2]"#,
            r#"["who",5,7,2,10,8,3,1]"#,
            r#"["ops",5,2,10,8,3,0]"#,
            r#"["wake",5,7,2]"#,
        ] {
            let spaced = line.replace(',', ", ");
            assert_eq!(parse(line), parse(&spaced), "{line}");
            assert!(matches!(parse(line), Ok(Some(_))), "{line}");
        }
        assert!(parse(r#"["get",99999999999999999999]"#).is_err());
        assert!(parse(r#"["get",]"#).is_err());
        assert_eq!(
            parse(r#"["block",1,2,3,"empty",null]"#),
            Ok(Some(Event::Block {
                t: 1,
                tid: 2,
                q: 3,
                why: Why::Empty,
                timeout: None
            }))
        );
        assert_eq!(
            parse(r#"["queue",1,2,3,"Queue","lifo",10,"q"]"#),
            Ok(Some(Event::Queue {
                t: 1,
                tid: 2,
                q: 3,
                kind: "Queue".into(),
                order: Order::Lifo,
                maxsize: 10,
                name: Some("q".into())
            }))
        );
    }

    #[test]
    fn hostile_lines_are_refused_not_panicked_on() {
        for bad in [
            "",
            "{}",
            "[]",
            "[1,2]",
            "not json",
            r#"["put",-1,2,3,"x"]"#,
            r#"["put",1.5,2,3,"x"]"#,
            r#"["get","a"]"#,
            r#"["block",1,2,3,"sideways",null]"#,
            r#"["block",1,2,3,"full",-1]"#,
            r#"["queue",1,2,3,"Queue","random",0,null]"#,
            r#"["who",1,2,3,4,5]"#,
            r#"["who",1,2,3,4,5,6,2]"#,
            r#"["ops",1,2,3,4,5]"#,
            r#"["ops",1,2,3,4,5,0,0]"#,
            r#"["ops",1,2,-3,4,5,0]"#,
            r#"["put",18446744073709551616,2,3,"x"]"#,
            r#"["thread",1,2,"\ud800"]"#,
            r#"["put",1,2,3,"x",4,5,6,7,8,9,10,11,12,13,14,15,16]"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
        // Unknown events are skipped, not errors (a newer sender).
        assert_eq!(parse(r#"["teleport",1,2]"#), Ok(None));
    }

    #[test]
    fn long_text_is_clipped() {
        let name = "x".repeat(1000);
        let Ok(Some(Event::Thread { name: kept, .. })) =
            parse(&format!(r#"["thread",1,2,"{name}"]"#))
        else {
            panic!("a thread event")
        };
        assert_eq!(kept.chars().count(), MAX_TEXT + 3);
    }

    #[test]
    fn lines_are_split_across_reads_and_overlong_ones_skipped() {
        let mut l = Lines::default();
        let mut got = Vec::new();
        l.feed(b"[\"end\",1]\n[\"en", |x| got.push(x.to_vec()));
        l.feed(b"d\",2]\n", |x| got.push(x.to_vec()));
        assert_eq!(got, vec![b"[\"end\",1]".to_vec(), b"[\"end\",2]".to_vec()]);
        got.clear();
        let huge = vec![b'x'; MAX_LINE + 10];
        l.feed(&huge, |x| got.push(x.to_vec()));
        l.feed(&huge, |x| got.push(x.to_vec()));
        l.feed(b"tail\nok\n", |x| got.push(x.to_vec()));
        assert_eq!(got, vec![b"ok".to_vec()]);
        assert_eq!(l.overlong, 1);
        assert!(l.buf.capacity() <= 2 * MAX_LINE);
    }
}
