//! The TOML scenario schema and its validation into a [`Config`].
//!
//! Every key keeps its span (`toml::Spanned`), so each complaint, syntax or
//! meaning, points at a line and column. Values are read as loosely typed
//! `Value`s and checked by the rules in `scenario::fields` rather than by
//! serde's type checks: serde would say `invalid type: string "four", expected
//! usize`, while the rules say what the key accepts, in the same words as the
//! matching command-line flag.
//!
//! Keys (all optional; most have a flag that overrides them; `docs/scenarios.md`
//! says more about each, and `tests/docs.rs` checks it names every key in [`KEYS`]):
//!
//! | key | accepts | default |
//! |---|---|---|
//! | `name` | one-line string | file stem / preset name |
//! | `lesson` | one-line string | empty |
//! | `producers`, `consumers` | 1–1024 | 1 |
//! | `capacity` | 0 (rendezvous), 1–1,000,000, `"unbounded"` | `"unbounded"` (as Python's `Queue()`) |
//! | `items` / `duration` / `words` | at most one: 1–10⁹ items, `"5s"` up to 24h, 1–100,000 strings | none: endless |
//! | `interval`, `work` | work spec (`"exp:10ms"`, see [`super::dist`]); `interval` may be a list, one per producer | `"0ms"` |
//! | `seed` | whole number ≥ 0 | 42 |
//! | `pills` | 0–1024 or `"auto"` | auto: one per consumer at shutdown |
//! | `crash_items` | list of item ids | `[]` |
//! | `map` | `true` / `false` | `false` |
//! | `gil` | `true` / `false`: emulate Python's GIL for CPU work | `false` |
//! | `switch_interval` | GIL hand-over period, 100us–1s | `"5ms"` |
//! | `pills_when` | `"all-producers"` or `"first-producer"` (the early-pill bug) | `"all-producers"` |
//! | `split` | `"shared"` pool or `"even"` share per producer | `"shared"` |
//! | `queue` | `"channel"`, `"condvar"`, `"condvar-one-cv"`, `"condvar-if"` (the textbook buffers need a capacity ≥ 1) | `"channel"` |
//! | `producer_sleeps`, `consumer_sleeps` | OSTEP sleep string, `"0,0,1:0"`: per thread (`:`) up to 7 sleeps at points 0–6 (`,`), seconds or with a unit, each ≤ 10s | none |

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

use super::error::{ScenarioError, line_col, quote_source};
use super::fields::{self, Raw};
use crate::sim::config::{Capacity, Config, Workload, limits};
use crate::sim::work::WorkSpec;

/// Every key a scenario file may contain, in the order documented above.
pub const KEYS: &[&str] = &[
    "name",
    "lesson",
    "producers",
    "consumers",
    "capacity",
    "items",
    "duration",
    "words",
    "interval",
    "work",
    "seed",
    "pills",
    "crash_items",
    "map",
    "gil",
    "switch_interval",
    "pills_when",
    "split",
    "queue",
    "producer_sleeps",
    "consumer_sleeps",
];

/// Largest scenario file read, in bytes: 100,000 words fit easily, and a
/// wrong path to some huge file fails fast instead of filling memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Any TOML value, loosely typed, with spans kept inside lists so a bad
/// list element can be pointed at.
#[derive(Debug)]
enum Value {
    Int(i128),
    Str(String),
    Bool(bool),
    List(Vec<Spanned<Value>>),
    /// Floats, tables, dates: wrong for every key, and the message quotes the
    /// source text, so nothing more is kept.
    Other,
}

impl Value {
    /// The scalar view the rules take.
    fn raw(&self) -> Raw<'_> {
        match self {
            Value::Int(n) => Raw::Int(*n),
            Value::Str(s) => Raw::Str(s),
            Value::Bool(b) => Raw::Bool(*b),
            Value::List(_) | Value::Other => Raw::Other,
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any TOML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Other)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // Tables and dates: drain them so the parser can go on.
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Other)
    }
}

/// A scenario file as written: each key optional, each value with its span.
/// Unknown keys are errors, so a typo (`consumer = 4`) is not silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileKeys {
    name: Option<Spanned<Value>>,
    lesson: Option<Spanned<Value>>,
    producers: Option<Spanned<Value>>,
    consumers: Option<Spanned<Value>>,
    capacity: Option<Spanned<Value>>,
    items: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
    words: Option<Spanned<Value>>,
    interval: Option<Spanned<Value>>,
    work: Option<Spanned<Value>>,
    seed: Option<Spanned<Value>>,
    pills: Option<Spanned<Value>>,
    crash_items: Option<Spanned<Value>>,
    map: Option<Spanned<Value>>,
    gil: Option<Spanned<Value>>,
    switch_interval: Option<Spanned<Value>>,
    pills_when: Option<Spanned<Value>>,
    split: Option<Spanned<Value>>,
    queue: Option<Spanned<Value>>,
    producer_sleeps: Option<Spanned<Value>>,
    consumer_sleeps: Option<Spanned<Value>>,
}

/// The file being validated, for building positioned errors.
struct Ctx<'a> {
    file: &'a str,
    source: &'a str,
}

impl Ctx<'_> {
    /// An error at byte `at` of the file.
    fn at(&self, at: usize, message: String) -> ScenarioError {
        let (line, col) = line_col(self.source, at);
        ScenarioError::File {
            file: self.file.to_string(),
            line,
            col,
            message,
        }
    }

    /// `key: expected ...; got <the value as written>` at the value.
    fn bad(&self, key: &str, span: &Range<usize>, expected: String) -> ScenarioError {
        self.at(
            span.start,
            format!("{key}: {expected}; got {}", quote_source(self.source, span)),
        )
    }

    /// Applies `rule` to a scalar key, if present.
    fn scalar<T>(
        &self,
        key: &str,
        value: &Option<Spanned<Value>>,
        rule: fn(Raw<'_>) -> Result<T, fields::Expected>,
    ) -> Result<Option<T>, ScenarioError> {
        let Some(v) = value else { return Ok(None) };
        rule(v.get_ref().raw())
            .map(Some)
            .map_err(|expected| self.bad(key, &v.span(), expected))
    }

    /// Applies `rule` to each element of a list key; `shape` is the message
    /// for a value that is not a list, or has too few or too many elements.
    fn list<T>(
        &self,
        key: &str,
        value: &Spanned<Value>,
        len: std::ops::RangeInclusive<usize>,
        shape: fn() -> fields::Expected,
        rule: fn(Raw<'_>) -> Result<T, fields::Expected>,
    ) -> Result<Vec<T>, ScenarioError> {
        let Value::List(items) = value.get_ref() else {
            return Err(self.bad(key, &value.span(), shape()));
        };
        if !len.contains(&items.len()) {
            return Err(self.bad(key, &value.span(), shape()));
        }
        items
            .iter()
            .map(|item| rule(item.get_ref().raw()).map_err(|e| self.bad(key, &item.span(), e)))
            .collect()
    }
}

/// Parses and validates a scenario file. `file` names it in messages (the
/// path as the user gave it); `default_name` becomes the scenario's name if
/// the file has no `name` key.
///
/// ```
/// use queuescope::scenario::file::parse_scenario;
/// let config = parse_scenario("demo.toml", "consumers = 3\nitems = 10\n", "demo").unwrap();
/// assert_eq!((config.name.as_str(), config.consumers), ("demo", 3));
///
/// let err = parse_scenario("demo.toml", "consumers = 0\n", "demo").unwrap_err();
/// assert_eq!(err.to_string(), "demo.toml:1:13: consumers: expected a whole number from 1 to 1024; got 0");
/// ```
pub fn parse_scenario(
    file: &str,
    source: &str,
    default_name: &str,
) -> Result<Config, ScenarioError> {
    let ctx = Ctx { file, source };
    over_budget(&ctx)?;
    let keys: FileKeys = toml::from_str(source).map_err(|e| toml_error(&ctx, &e))?;

    let workload = workload(&ctx, &keys)?;
    let crash_items = crash_items(&ctx, &keys)?;
    let producer_intervals = intervals(&ctx, &keys)?;
    let config = Config {
        name: ctx
            .scalar("name", &keys.name, fields::name)?
            .unwrap_or_else(|| default_name.to_string()),
        lesson: ctx
            .scalar("lesson", &keys.lesson, fields::lesson)?
            .unwrap_or_default(),
        producers: ctx
            .scalar("producers", &keys.producers, fields::threads)?
            .unwrap_or(1),
        consumers: ctx
            .scalar("consumers", &keys.consumers, fields::threads)?
            .unwrap_or(1),
        capacity: ctx
            .scalar("capacity", &keys.capacity, fields::capacity)?
            .unwrap_or(Capacity::Unbounded),
        workload,
        interval: producer_intervals
            .first()
            .copied()
            .unwrap_or_else(WorkSpec::zero),
        work: ctx
            .scalar("work", &keys.work, fields::spec)?
            .unwrap_or_else(WorkSpec::zero),
        seed: ctx.scalar("seed", &keys.seed, fields::seed)?.unwrap_or(42),
        pills: ctx.scalar("pills", &keys.pills, fields::pills)?.flatten(),
        crash_items,
        collect_results: ctx.scalar("map", &keys.map, fields::map)?.unwrap_or(false),
        gil: ctx.scalar("gil", &keys.gil, fields::gil)?.unwrap_or(false),
        switch_interval: ctx
            .scalar(
                "switch_interval",
                &keys.switch_interval,
                fields::switch_interval,
            )?
            .unwrap_or(crate::sim::gil::DEFAULT_SWITCH),
        pills_when: ctx
            .scalar("pills_when", &keys.pills_when, fields::pills_when)?
            .unwrap_or_default(),
        start_paused: false,
        split_even: ctx
            .scalar("split", &keys.split, fields::split)?
            .unwrap_or(false),
        producer_intervals: if producer_intervals.len() > 1 {
            producer_intervals
        } else {
            Vec::new()
        },
        queue: Default::default(),
        producer_sleeps: Default::default(),
        consumer_sleeps: Default::default(),
        unbounded_limit: limits::UNBOUNDED_SAFETY_DEPTH,
    };
    textbook_keys(&ctx, &keys, config)
}

/// The textbook queues' keys, then their checks across keys, pointed at
/// the key concerned (or at `queue`, which asked for them).
fn textbook_keys(
    ctx: &Ctx<'_>,
    keys: &FileKeys,
    mut config: Config,
) -> Result<Config, ScenarioError> {
    use super::sleeps::sleeps;
    use super::textbook::Key;
    if let Some(q) = ctx.scalar("queue", &keys.queue, super::textbook::queue)? {
        config.queue = q;
    }
    if let Some(p) = ctx.scalar("producer_sleeps", &keys.producer_sleeps, sleeps)? {
        config.producer_sleeps = p;
    }
    if let Some(p) = ctx.scalar("consumer_sleeps", &keys.consumer_sleeps, sleeps)? {
        config.consumer_sleeps = p;
    }
    let Err((key, message)) = super::textbook::check(&config) else {
        return Ok(config);
    };
    let value = match key {
        Key::Capacity => &keys.capacity,
        Key::ProducerSleeps => &keys.producer_sleeps,
        Key::ConsumerSleeps => &keys.consumer_sleeps,
    };
    let at = value
        .as_ref()
        .or(keys.queue.as_ref())
        .map_or(0, |v| v.span().start);
    Err(ctx.at(at, format!("{}: {message}", key.key())))
}

/// A file with more values than any scenario needs is refused before it
/// is parsed.
fn over_budget(ctx: &Ctx<'_>) -> Result<(), ScenarioError> {
    if let Some(at) = super::budget::over_budget(ctx.source) {
        return Err(ctx.at(
            at,
            format!(
                "more than {} values: larger than any scenario needs (a words list \
                 holds at most {})",
                super::budget::MAX_VALUES,
                limits::MAX_WORDS
            ),
        ));
    }
    Ok(())
}

/// `crash_items`: sorted, each id once (none when the key is absent).
fn crash_items(ctx: &Ctx<'_>, keys: &FileKeys) -> Result<Vec<u64>, ScenarioError> {
    let Some(v) = &keys.crash_items else {
        return Ok(Vec::new());
    };
    let mut ids = ctx.list(
        "crash_items",
        v,
        0..=fields::MAX_CRASH_ITEMS,
        crash_items_shape,
        fields::crash_item,
    )?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// `interval`: one spec, or a list of them where producer i uses entry
/// i mod n. Empty when the key is absent.
fn intervals(ctx: &Ctx<'_>, keys: &FileKeys) -> Result<Vec<WorkSpec>, ScenarioError> {
    match &keys.interval {
        Some(v) if matches!(v.get_ref(), Value::List(_)) => ctx.list(
            "interval",
            v,
            1..=limits::MAX_THREADS,
            intervals_shape,
            fields::spec,
        ),
        other => Ok(ctx
            .scalar("interval", other, fields::spec)?
            .into_iter()
            .collect()),
    }
}

/// The message for an `interval` list that is empty or too long.
fn intervals_shape() -> fields::Expected {
    format!(
        "expected a work spec, or a list of 1 to {} of them (one per producer)",
        limits::MAX_THREADS
    )
}

/// The message for a `crash_items` that is not a short list of ids.
fn crash_items_shape() -> fields::Expected {
    format!(
        "expected a list of at most {} item ids, like [3, 17]",
        fields::MAX_CRASH_ITEMS
    )
}

/// At most one of `items`, `duration`, `words`; none means endless.
fn workload(ctx: &Ctx<'_>, keys: &FileKeys) -> Result<Workload, ScenarioError> {
    let mut given: Vec<(&str, &Spanned<Value>)> = [
        ("items", &keys.items),
        ("duration", &keys.duration),
        ("words", &keys.words),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    .collect();
    // Complain about the later one: the earlier one was presumably meant.
    given.sort_by_key(|(_, v)| v.span().start);
    if let [(first, first_value), (second, second_value), ..] = given[..] {
        let (first_line, _) = line_col(ctx.source, first_value.span().start);
        return Err(ctx.at(
            second_value.span().start,
            format!(
                "{second}: expected only one of items, duration or words; \
                 {first} is already set on line {first_line}"
            ),
        ));
    }
    Ok(match given.first() {
        None => Workload::Endless,
        Some(("items", v)) => Workload::Items(
            fields::items(v.get_ref().raw()).map_err(|e| ctx.bad("items", &v.span(), e))?,
        ),
        Some(("duration", v)) => Workload::Duration(
            fields::run_duration(v.get_ref().raw())
                .map_err(|e| ctx.bad("duration", &v.span(), e))?,
        ),
        Some((_, v)) => {
            let words = ctx.list(
                "words",
                v,
                1..=limits::MAX_WORDS,
                fields::words_shape,
                fields::word,
            )?;
            Workload::Words(Arc::from(words))
        }
    })
}

/// A TOML syntax error, or serde's unknown-key error, as one positioned line.
fn toml_error(ctx: &Ctx<'_>, e: &toml::de::Error) -> ScenarioError {
    let at = e.span().map_or(0, |s| s.start);
    let message = e.message();
    if let Some(key) = unknown_key(message) {
        let hint = closest_key(key).map_or(String::new(), |k| format!(" (did you mean {k}?)"));
        return ctx.at(
            at,
            format!(
                "{key}: unknown key{hint}; expected one of {}",
                KEYS.join(", ")
            ),
        );
    }
    // The parser's messages are one line already; make sure, and say what it is.
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    ctx.at(at, format!("invalid TOML: {one_line}"))
}

/// The key named by serde's "unknown field `KEY`, expected ..." message.
fn unknown_key(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(key, _)| key)
}

/// The known key nearest to a misspelt one, if it is plausibly a typo.
fn closest_key(key: &str) -> Option<&'static str> {
    let wanted = key.to_lowercase().replace('-', "_");
    KEYS.iter()
        .map(|k| (edit_distance(&wanted, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::work::{Dist, WorkMode};
    use std::time::Duration;

    fn parse(src: &str) -> Result<Config, ScenarioError> {
        parse_scenario("t.toml", src, "t")
    }

    fn err(src: &str) -> String {
        match parse(src) {
            Ok(c) => panic!("expected an error for {src:?}, got {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn empty_file_gets_the_documented_defaults() {
        let c = parse("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.name, "t");
        assert_eq!(c.lesson, "");
        assert_eq!((c.producers, c.consumers), (1, 1));
        assert_eq!(c.capacity, Capacity::Unbounded);
        assert_eq!(c.workload, Workload::Endless);
        assert_eq!((c.interval, c.work), (WorkSpec::zero(), WorkSpec::zero()));
        assert_eq!((c.seed, c.pills), (42, None));
        assert!(c.crash_items.is_empty());
        assert!(!c.collect_results);
    }

    #[test]
    fn every_key_is_read() {
        let src = r#"
name = "mine"
lesson = "what it shows"
producers = 3
consumers = 5
capacity = 0
words = ["a", "b", "c"]
interval = "cpu:10ms"
work = "uniform:5ms..15ms"
seed = 7
pills = 2
crash_items = [2, 1, 2]
map = true
"#;
        let c = parse(src).unwrap_or_else(|e| panic!("{e}"));
        let ms = Duration::from_millis;
        assert_eq!(c.name, "mine");
        assert_eq!(c.lesson, "what it shows");
        assert_eq!((c.producers, c.consumers), (3, 5));
        assert_eq!(c.capacity, Capacity::Rendezvous);
        assert_eq!(
            c.workload,
            Workload::Words(Arc::from(vec!["a".to_string(), "b".into(), "c".into()]))
        );
        assert_eq!(
            c.interval,
            WorkSpec::new(WorkMode::Spin, Dist::Fixed(ms(10)))
        );
        assert_eq!(
            c.work,
            WorkSpec::new(
                WorkMode::Sleep,
                Dist::Uniform {
                    lo: ms(5),
                    hi: ms(15)
                }
            )
        );
        assert_eq!((c.seed, c.pills), (7, Some(2)));
        assert_eq!(c.crash_items, vec![1, 2], "sorted and deduplicated");
        assert!(c.collect_results);
    }

    #[test]
    fn keys_lists_exactly_what_the_schema_reads() {
        // One valid line per key; the schema must accept each, and KEYS
        // (used in the unknown-key message) must name exactly these.
        let lines = [
            "name = \"n\"",
            "lesson = \"l\"",
            "producers = 1",
            "consumers = 1",
            "capacity = 1",
            "items = 1",
            "duration = \"1s\"",
            "words = [\"w\"]",
            "interval = \"1ms\"",
            "work = \"1ms\"",
            "seed = 1",
            "pills = 1",
            "crash_items = [1]",
            "map = false",
            "gil = true",
            "switch_interval = \"5ms\"",
            "pills_when = \"first-producer\"",
            "split = \"even\"",
            "queue = \"channel\"",
            "producer_sleeps = \"0,1\"",
            "consumer_sleeps = \"0,0,1\"",
        ];
        let keys: Vec<&str> = lines.iter().filter_map(|l| l.split(' ').next()).collect();
        assert_eq!(keys, KEYS);
        for line in lines {
            // Sleep points exist only in the textbook queues.
            let line = if line.contains("_sleeps") {
                format!("queue = \"condvar\"\ncapacity = 1\n{line}")
            } else {
                line.to_string()
            };
            assert!(parse(&line).is_ok(), "{line}");
        }
    }

    #[test]
    fn bad_values_point_at_the_value() {
        assert_eq!(
            err("name = \"c\"\n\ncapacity = -4\n"),
            "t.toml:3:12: capacity: expected 0 (rendezvous), a number up to 1000000, or \"unbounded\"; got -4"
        );
        assert_eq!(
            err("producers = 1025"),
            "t.toml:1:13: producers: expected a whole number from 1 to 1024; got 1025"
        );
        assert_eq!(
            err("consumers = \"four\""),
            "t.toml:1:13: consumers: expected a whole number from 1 to 1024; got \"four\""
        );
        assert_eq!(
            err("capacity = 1000001"),
            "t.toml:1:12: capacity: expected 0 (rendezvous), a number up to 1000000, or \"unbounded\"; got 1000001"
        );
        assert_eq!(
            err("items = 0"),
            "t.toml:1:9: items: expected a whole number from 1 to 1000000000; got 0"
        );
        assert_eq!(
            err("duration = \"25h\""),
            "t.toml:1:12: duration: expected a duration up to 24h; got \"25h\""
        );
        assert_eq!(
            err("work = \"exp:2h\""),
            "t.toml:1:8: work: expected every time in the spec to be at most 1h; got \"exp:2h\""
        );
        assert_eq!(
            err("map = 1"),
            "t.toml:1:7: map: expected true or false; got 1"
        );
        assert_eq!(
            err("seed = -1"),
            "t.toml:1:8: seed: expected a whole number from 0 to 18446744073709551615; got -1"
        );
        assert_eq!(
            err("producers = 2.5"),
            "t.toml:1:13: producers: expected a whole number from 1 to 1024; got 2.5"
        );
    }

    #[test]
    fn bad_list_elements_point_at_the_element() {
        assert_eq!(
            err("words = [\"a\",\n  \"\", \"c\"]"),
            "t.toml:2:3: words: expected a non-empty one-line string; got \"\""
        );
        assert_eq!(
            err("words = []"),
            "t.toml:1:9: words: expected a list of 1 to 100000 strings, like [\"this\", \"is\", \"a\", \"test\"]; got []"
        );
        assert_eq!(
            err("words = \"this is\""),
            "t.toml:1:9: words: expected a list of 1 to 100000 strings, like [\"this\", \"is\", \"a\", \"test\"]; got \"this is\""
        );
        assert_eq!(
            err("crash_items = [1, -2]"),
            "t.toml:1:19: crash_items: expected an item id, a whole number from 0 to 1000000000; got -2"
        );
        assert_eq!(
            err("crash_items = 3"),
            "t.toml:1:15: crash_items: expected a list of at most 1024 item ids, like [3, 17]; got 3"
        );
    }

    #[test]
    fn workload_keys_are_exclusive() {
        assert_eq!(
            err("items = 5\nlesson = \"x\"\nduration = \"5s\"\n"),
            "t.toml:3:12: duration: expected only one of items, duration or words; items is already set on line 1"
        );
        assert_eq!(
            err("words = [\"a\"]\nitems = 5\n"),
            "t.toml:2:9: items: expected only one of items, duration or words; words is already set on line 1"
        );
        // Exclusivity is checked before the values, and either order works.
        assert!(err("duration = \"bad\"\nitems = 0").contains("items: expected only one of"));
    }

    #[test]
    fn unknown_keys_are_named_with_the_accepted_ones() {
        let all = KEYS.join(", ");
        assert_eq!(
            err("producers = 1\n  consumer = 4\n"),
            format!(
                "t.toml:2:3: consumer: unknown key (did you mean consumers?); expected one of {all}"
            )
        );
        assert_eq!(
            err("crash-items = [1]"),
            format!(
                "t.toml:1:1: crash-items: unknown key (did you mean crash_items?); expected one of {all}"
            )
        );
        assert_eq!(
            err("colour = 1"),
            format!("t.toml:1:1: colour: unknown key; expected one of {all}")
        );
        assert_eq!(
            err("items = 3\n[extra]\nx = 1\n"),
            format!("t.toml:2:2: extra: unknown key; expected one of {all}")
        );
    }

    #[test]
    fn syntax_errors_are_positioned_and_one_line() {
        let e = err("producers = 2\nconsumers = = 3\n");
        assert!(e.starts_with("t.toml:2:13: invalid TOML: "), "{e}");
        let e = err("duration = 5s\n");
        assert!(e.starts_with("t.toml:1:"), "{e}");
        assert!(e.contains("invalid TOML"), "{e}");
        let e = err("items = 1\nitems = 2\n");
        assert!(
            e.starts_with("t.toml:2:1: invalid TOML: duplicate key"),
            "{e}"
        );
        for bad in ["[", "a = \"unterminated", "x = [1,", "= 3"] {
            let e = err(bad);
            assert!(!e.contains('\n') && e.starts_with("t.toml:1:"), "{e}");
        }
    }

    #[test]
    fn typos_find_their_key() {
        assert_eq!(closest_key("consumer"), Some("consumers"));
        assert_eq!(closest_key("Capacity"), Some("capacity"));
        assert_eq!(closest_key("intervall"), Some("interval"));
        assert_eq!(closest_key("threads"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
