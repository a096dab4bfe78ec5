//! What a recording's lines may hold, checked as they are read: a file is
//! hostile until proven otherwise.
//!
//! Two layers. [`scan`] walks a line's JSON without keeping any of it,
//! before it is decoded: it counts the values (so no line decodes to more
//! memory than a fixed budget, however it is shaped) and refuses control
//! characters in strings (a recording's text is drawn on a terminal,
//! where an escape sequence is a command). Then, once decoded, [`snapshot`],
//! [`event`] and [`detail`] check the engine's own invariants (the counts add
//! up, every number within what a run can reach, lists no longer than the
//! engine keeps), so the screens never meet a value the engine could not
//! have produced.

use std::cell::Cell;
use std::fmt;
use std::time::Duration;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::sim::config::limits;
use crate::sim::serde_fmt::MAX_LANE;
use crate::sim::snapshot::HISTORY_LEN;
use crate::sim::{
    Capacity, Dist, Event, EventKind, LatencySummary, STRIP_MAX, Snapshot, ThreadDetail, WorkSpec,
};

/// Most JSON values (numbers, strings, lists, objects...) in one line: a
/// snapshot of ~10,000 threads, or a header listing 100,000 words. Each
/// value decodes to at most a few dozen bytes, so this bounds what one
/// line can cost (~30 MB) whatever its length.
pub const MAX_VALUES: usize = 300_000;
/// Most threads in one snapshot (live runs add and remove threads, and
/// the exited ones stay listed).
pub const MAX_THREADS: usize = 10_000;
/// Largest count a run can reach (2^53: exact as a JSON number too).
pub const MAX_COUNT: u64 = 1 << 53;
/// Longest time a recording may state (2^62 ns, 146 years): any two added
/// stay within a `u64` of nanoseconds.
pub const MAX_NS: u64 = 1 << 62;
/// Most bars in a latency histogram (doubling buckets from 1 µs: 2^62 ns
/// needs 52).
pub const MAX_BUCKETS: usize = 64;
/// Longest thread name (the engine's are like `Consumer-1024`).
pub const MAX_NAME: usize = 64;

/// Walks `line` as JSON, keeping nothing: at most [`MAX_VALUES`] values,
/// and no control characters in its strings (`text` false: the end
/// record's summary, printed only as JSON, which escapes them, may hold
/// any text). The error says which rule broke.
pub fn scan(line: &[u8], text: bool) -> Result<(), String> {
    let count = Cell::new(0usize);
    let mut de = serde_json::Deserializer::from_slice(line);
    Walk {
        count: &count,
        text,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end())
    .map_err(|e| super::read::json_error(&e))
}

/// One value of the walk.
#[derive(Clone, Copy)]
struct Walk<'a> {
    count: &'a Cell<usize>,
    text: bool,
}

impl Walk<'_> {
    fn one<E: de::Error>(&self) -> Result<(), E> {
        let n = self.count.get() + 1;
        self.count.set(n);
        if n > MAX_VALUES {
            return Err(E::custom(format!(
                "more than {MAX_VALUES} values in one line: larger than queuescope writes"
            )));
        }
        Ok(())
    }

    fn string<E: de::Error>(&self, s: &str) -> Result<(), E> {
        self.one()?;
        if self.text && s.chars().any(char::is_control) {
            return Err(E::custom(
                "a control character in a string (queuescope writes none)",
            ));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.one()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.one()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.one()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.one()
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.string(s)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.one()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.one()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.one()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.one()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

fn count(what: &str, n: u64) -> Result<(), String> {
    if n > MAX_COUNT {
        return Err(format!("{what} {n} is larger than a run can reach"));
    }
    Ok(())
}

fn time(what: &str, d: Duration) -> Result<(), String> {
    if d.as_nanos() > u128::from(MAX_NS) {
        return Err(format!("{what} is longer than a run can last"));
    }
    Ok(())
}

fn latency(what: &str, l: &LatencySummary) -> Result<(), String> {
    count(&format!("{what} count"), l.count)?;
    for d in [l.mean, l.p50, l.p90, l.p99, l.max] {
        time(what, d)?;
    }
    Ok(())
}

fn spec(what: &str, s: &WorkSpec) -> Result<(), String> {
    let params = match s.dist {
        Dist::Fixed(d) => vec![d],
        Dist::Uniform { lo, hi } => {
            if lo > hi {
                return Err(format!("{what}: a uniform range with its bounds reversed"));
            }
            vec![lo, hi]
        }
        Dist::Exp { mean } => vec![mean],
        Dist::Normal { mean, sd } => vec![mean, sd],
    };
    if params.iter().any(|d| *d > limits::MAX_STEP) {
        return Err(format!("{what}: a time longer than a run allows"));
    }
    Ok(())
}

/// The counts and the capacity: what every screen relies on.
fn counts(s: &Snapshot) -> Result<(), String> {
    let c = &s.counts;
    for (what, n) in [
        ("produced", c.produced),
        ("consumed", c.consumed),
        ("failed", c.failed),
        ("queued", c.queued),
        ("in flight", c.in_flight),
        ("pills sent", c.pills_sent),
        ("pills received", c.pills_received),
        ("pills planned", c.pills_planned.unwrap_or(0)),
        ("channel length", s.channel_len),
        ("max depth", s.max_depth),
        ("events", s.events_total),
        ("total items", s.total_items.unwrap_or(0)),
        ("hidden slots", s.strip.hidden),
    ] {
        count(what, n)?;
    }
    let accounted = [c.consumed, c.failed, c.queued, c.in_flight]
        .into_iter()
        .try_fold(0u64, u64::checked_add);
    if accounted != Some(c.produced) {
        return Err(
            "counts that do not add up (produced must be consumed + failed + \
                    queued + in flight)"
                .into(),
        );
    }
    if c.pills_received > c.pills_sent {
        return Err("more pills received than sent".into());
    }
    match s.capacity {
        Capacity::Bounded(n) if n == 0 || n > limits::MAX_CAPACITY => {
            Err(format!("a queue capacity of {n}"))
        }
        _ => Ok(()),
    }
}

/// A decoded snapshot is one the engine could have taken.
pub fn snapshot(s: &Snapshot) -> Result<(), String> {
    counts(s)?;
    time("elapsed", s.elapsed)?;
    time("shutdown", s.shutdown_took.unwrap_or_default())?;
    spec("interval", &s.interval)?;
    spec("work", &s.work)?;
    latency("queue wait", &s.latency.queue_wait)?;
    latency("end to end", &s.latency.end_to_end)?;
    time("time in system", s.latency.mean_in_system)?;
    if !(s.mean_depth >= 0.0 && s.mean_in_system >= 0.0) {
        return Err("a negative mean depth".into());
    }
    if s.threads.len() > MAX_THREADS {
        return Err(format!("more than {MAX_THREADS} threads in one snapshot"));
    }
    for (i, t) in s.threads.iter().enumerate() {
        if t.id != i {
            return Err(format!("thread {} listed in place {i}", t.id));
        }
        if t.name.chars().count() > MAX_NAME {
            return Err(format!("a thread name longer than {MAX_NAME} characters"));
        }
        count("items", t.items)?;
        count("failed", t.failed)?;
        count("item id", t.current_item.unwrap_or(0))?;
        time("time in state", t.in_state_for)?;
        for d in t.time_in {
            time("time in state", d)?;
        }
        if t.lane.len() > MAX_LANE {
            return Err(format!("a lane longer than {MAX_LANE} cells"));
        }
    }
    if s.strip.slots.len() > STRIP_MAX {
        return Err(format!("more than {STRIP_MAX} queue slots listed"));
    }
    if s.history.len() > HISTORY_LEN || s.events.len() > super::writer::ALL_EVENTS {
        return Err("a snapshot with more history or events than the engine keeps".into());
    }
    Ok(())
}

/// A decoded event is one the engine could have emitted.
pub fn event(e: &Event) -> Result<(), String> {
    count("event number", e.seq)?;
    time("event time", e.at)?;
    if e.who
        .as_deref()
        .is_some_and(|w| w.chars().count() > MAX_NAME)
    {
        return Err(format!("a thread name longer than {MAX_NAME} characters"));
    }
    match &e.kind {
        EventKind::BlockedFull { capacity } if *capacity > limits::MAX_CAPACITY => {
            Err(format!("a queue capacity of {capacity}"))
        }
        EventKind::Unblocked { after, folded } => {
            time("a wait", *after)?;
            count("folded events", *folded)
        }
        EventKind::PillSent { k, n }
            if k > n || *n > limits::MAX_PILLS.max(limits::MAX_THREADS) =>
        {
            Err(format!("pill {k} of {n}"))
        }
        EventKind::Crashed { item, .. } => count("item id", item.unwrap_or(0)),
        _ => Ok(()),
    }
}

/// A decoded thread detail is one the engine could have made.
pub fn detail(d: &ThreadDetail) -> Result<(), String> {
    latency("queue wait", &d.queue_wait)?;
    latency("end to end", &d.end_to_end)?;
    if d.histogram.len() > MAX_BUCKETS {
        return Err(format!("a histogram of more than {MAX_BUCKETS} bars"));
    }
    for b in &d.histogram {
        time("a histogram bar", b.upto)?;
        count("a histogram bar", b.count)?;
    }
    if d.timeline.len() > MAX_LANE {
        return Err(format!("a timeline longer than {MAX_LANE} cells"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn scan_counts_values_and_refuses_escapes() {
        assert_eq!(scan(br#"{"a":[1,2,{"b":null}],"c":"ok"}"#, true), Ok(()));
        let many = format!("[{}0]", "0,".repeat(MAX_VALUES));
        let e = scan(many.as_bytes(), true).unwrap_err();
        assert!(e.contains("more than 300000 values"), "{e}");
        let e = scan(br#"{"name":"\u001b]0;owned\u0007"}"#, true).unwrap_err();
        assert!(e.contains("control character"), "{e}");
        // The summary may hold any text (it is printed as JSON).
        assert_eq!(scan(br#"{"name":"a\nb"}"#, false), Ok(()));
        assert!(scan(b"[1,2", true).is_err());
        assert!(scan(b"[1] [2]", true).is_err(), "one value per line");
    }

    #[test]
    fn a_lane_may_be_as_long_as_the_engine_keeps_and_no_longer() {
        assert_eq!(MAX_LANE, HISTORY_LEN);
    }

    #[test]
    fn a_snapshot_must_add_up() {
        let good = testing::running(3);
        assert_eq!(snapshot(&good), Ok(()));
        let mut s = good.clone();
        s.counts.produced += 1;
        assert!(snapshot(&s).unwrap_err().contains("do not add up"));
        let mut s = good.clone();
        s.counts.consumed = u64::MAX;
        assert!(
            snapshot(&s)
                .unwrap_err()
                .contains("larger than a run can reach")
        );
        let mut s = good.clone();
        s.counts.pills_received = s.counts.pills_sent + 1;
        assert!(snapshot(&s).is_err());
        let mut s = good.clone();
        s.capacity = Capacity::Bounded(0);
        assert!(snapshot(&s).is_err());
        let mut s = good.clone();
        s.threads.swap(0, 1);
        assert!(snapshot(&s).unwrap_err().contains("listed in place"));
        let mut s = good;
        s.elapsed = Duration::from_nanos(u64::MAX);
        assert!(snapshot(&s).is_err());
    }
}
