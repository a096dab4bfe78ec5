//! `run --log`: seed-style lines as things happen (`Consumer-2 received item
//! 17`, `Consumer-2 received the pill: bye`), after the run time
//! (`   0.502s Consumer-2 received item 17`) unless `--log-format plain`,
//! printed by one thread reading the engine's trace channel so workers
//! never wait on the terminal.

use std::collections::BTreeMap;
use std::time::Duration;

use super::paint::Paint;
use crate::sim::{EventKind, ExitReason, Trace, TraceKind};

/// How `--log` lines are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Format {
    /// The run time first (`--log-format timed`, the default).
    pub timestamps: bool,
    /// Colour (from `--color`).
    pub paint: Paint,
}

/// How long lines wait to be put in time order. A producer traces its put
/// just after the send returns, so the consumer's "received" can reach the
/// printer first; sorting within this window prints them in true order.
pub const REORDER_WINDOW: Duration = Duration::from_millis(20);

/// Buffers trace lines and releases them in timestamp order.
#[derive(Default)]
pub struct Reorder {
    seq: u64,
    buf: BTreeMap<(Duration, u64), Trace>,
    newest: Duration,
}

impl Reorder {
    /// Add a line.
    pub fn push(&mut self, t: Trace) {
        self.seq += 1;
        self.newest = self.newest.max(t.at);
        self.buf.insert((t.at, self.seq), t);
    }

    /// Lines older than this are safe to print.
    pub fn ripe(&self) -> Option<Duration> {
        Some(self.newest.saturating_sub(REORDER_WINDOW))
    }

    /// Remove and return lines up to `until` (all when `None`), oldest first.
    pub fn drain(&mut self, until: Option<Duration>) -> Vec<Trace> {
        let keep = match until {
            None => BTreeMap::new(),
            Some(t) => self.buf.split_off(&(t, u64::MAX)),
        };
        std::mem::replace(&mut self.buf, keep)
            .into_values()
            .collect()
    }
}

/// One trace as a seed-style line; `None` for events not worth a line
/// (block/unblock noise, thread starts).
pub fn line(t: &Trace, word: impl Fn(u64) -> Option<String>) -> Option<String> {
    let who = &t.who;
    let item = |id: u64| match word(id) {
        Some(w) => format!("item {id} ({w})"),
        None => format!("item {id}"),
    };
    Some(match &t.kind {
        TraceKind::Produced(id) => format!("{who} put {}", item(*id)),
        TraceKind::Received(id) => format!("{who} received {}", item(*id)),
        TraceKind::Pill => format!("{who} received the pill: bye"),
        TraceKind::Event(e) => match e.kind {
            EventKind::Started
            | EventKind::PillReceived
            | EventKind::Unblocked { .. }
            | EventKind::BlockedFull { .. }
            | EventKind::WaitingEmpty => return None,
            // The report that follows says it.
            EventKind::Run(ref s) if s.starts_with("Done!") => return None,
            _ => e.to_string(),
        },
    })
}

/// The run time as a `--log` line starts: seconds to the millisecond,
/// right-aligned (`   0.502s`).
pub fn stamp(at: Duration) -> String {
    format!("{:>8.3}s", at.as_secs_f64())
}

/// One trace as `--log` prints it, `None` where [`line`] has none.
pub fn printed(t: &Trace, word: impl Fn(u64) -> Option<String>, format: Format) -> Option<String> {
    let text = line(t, word)?;
    let p = format.paint;
    let text = match &t.kind {
        TraceKind::Pill => p.pill(&text),
        TraceKind::Event(e) => match e.kind {
            EventKind::PillSent { .. } => p.pill(&text),
            EventKind::Crashed { .. } | EventKind::Exited(ExitReason::Crashed) => p.bad(&text),
            EventKind::ConfigChanged(_) => p.note(&text),
            EventKind::Run(_) => p.title(&text),
            _ => text,
        },
        _ => text,
    };
    Some(if format.timestamps {
        format!("{} {text}", p.dim(&stamp(t.at)))
    } else {
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn reorder_prints_in_time_order() {
        let mk = |ms: u64, id: u64| Trace {
            who: "x".into(),
            at: Duration::from_millis(ms),
            kind: TraceKind::Received(id),
        };
        let mut r = Reorder::default();
        r.push(mk(5, 2));
        r.push(mk(3, 1));
        r.push(mk(40, 3));
        let ripe: Vec<u64> = r
            .drain(r.ripe())
            .iter()
            .map(|t| match t.kind {
                TraceKind::Received(id) => id,
                _ => 0,
            })
            .collect();
        assert_eq!(ripe, vec![1, 2]);
        assert_eq!(r.drain(None).len(), 1);
    }

    #[test]
    fn timed_lines_start_with_the_run_time() {
        let t = Trace {
            who: "Consumer-2".into(),
            at: Duration::from_millis(502),
            kind: TraceKind::Received(17),
        };
        let timed = Format {
            timestamps: true,
            ..Format::default()
        };
        assert_eq!(
            printed(&t, |_| None, timed).as_deref(),
            Some("   0.502s Consumer-2 received item 17")
        );
        assert_eq!(
            printed(&t, |_| None, Format::default()).as_deref(),
            Some("Consumer-2 received item 17")
        );
        assert_eq!(stamp(Duration::from_millis(195_261)), " 195.261s");
        let pill = Trace {
            kind: TraceKind::Pill,
            ..t
        };
        let painted = Format {
            timestamps: true,
            paint: Paint { on: true },
        };
        assert_eq!(
            printed(&pill, |_| None, painted).as_deref(),
            Some("\x1b[90m   0.502s\x1b[0m \x1b[1;91mConsumer-2 received the pill: bye\x1b[0m")
        );
    }

    #[test]
    fn lines_read_like_the_seed_programs() {
        let t = Trace {
            who: "Consumer-2".into(),
            at: Duration::ZERO,
            kind: TraceKind::Received(17),
        };
        assert_eq!(
            line(&t, |_| None).as_deref(),
            Some("Consumer-2 received item 17")
        );
        let t = Trace {
            who: "Consumer-2".into(),
            at: Duration::ZERO,
            kind: TraceKind::Pill,
        };
        assert_eq!(
            line(&t, |_| None).as_deref(),
            Some("Consumer-2 received the pill: bye")
        );
        let t = Trace {
            who: "Producer-1".into(),
            at: Duration::ZERO,
            kind: TraceKind::Produced(3),
        };
        assert_eq!(
            line(&t, |_| Some("hello".into())).as_deref(),
            Some("Producer-1 put item 3 (hello)")
        );
    }
}
