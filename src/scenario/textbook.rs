//! The textbook queues' keys: `queue`, and the checks across keys they
//! need (a bounded capacity, sleep strings only where there are sleep
//! points, one piece per thread as the homework requires).

use super::fields::{Expected, Raw};
use crate::sim::config::{Capacity, Config};
use crate::sim::{QueueKind, SleepPlan};

/// `queue`: which queue.
pub(crate) fn queue(raw: Raw<'_>) -> Result<QueueKind, Expected> {
    match raw {
        Raw::Str(s) => QueueKind::parse(s),
        _ => None,
    }
    .ok_or_else(|| "expected \"channel\", \"condvar\", \"condvar-one-cv\" or \"condvar-if\"".into())
}

/// Which key a cross-key complaint is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// `capacity` / `--capacity`.
    Capacity,
    /// `producer_sleeps` / `--producer-sleeps`.
    ProducerSleeps,
    /// `consumer_sleeps` / `--consumer-sleeps`.
    ConsumerSleeps,
}

impl Key {
    /// The scenario key.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Key::Capacity => "capacity",
            Key::ProducerSleeps => "producer_sleeps",
            Key::ConsumerSleeps => "consumer_sleeps",
        }
    }

    /// The flag.
    pub(crate) fn flag(self) -> &'static str {
        match self {
            Key::Capacity => "--capacity",
            Key::ProducerSleeps => "--producer-sleeps",
            Key::ConsumerSleeps => "--consumer-sleeps",
        }
    }
}

/// The checks across keys, on a whole config.
pub(crate) fn check(c: &Config) -> Result<(), (Key, String)> {
    if c.queue.is_textbook() && !matches!(c.capacity, Capacity::Bounded(n) if n >= 1) {
        return Err((
            Key::Capacity,
            format!(
                "queue \"{}\" is a ring of slots: expected a capacity from 1 to 1000000; got {}",
                c.queue, c.capacity
            ),
        ));
    }
    let plans = [
        (
            Key::ProducerSleeps,
            &c.producer_sleeps,
            c.producers,
            "producer",
        ),
        (
            Key::ConsumerSleeps,
            &c.consumer_sleeps,
            c.consumers,
            "consumer",
        ),
    ];
    for (key, plan, threads, who) in plans {
        check_plan(c.queue, key, plan, threads, who)?;
    }
    Ok(())
}

fn check_plan(
    queue: QueueKind,
    key: Key,
    plan: &SleepPlan,
    threads: usize,
    who: &str,
) -> Result<(), (Key, String)> {
    if plan.pieces() == 0 {
        return Ok(());
    }
    if !queue.is_textbook() {
        return Err((
            key,
            "sleep points are in the textbook queues: expected queue \"condvar\", \
             \"condvar-one-cv\" or \"condvar-if\"; got \"channel\""
                .into(),
        ));
    }
    if plan.pieces() != threads {
        return Err((
            key,
            format!(
                "expected one piece per {who} ({threads}), separated by ':'; got {}",
                plan.pieces()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::scenario::file::parse_scenario;

    fn err(source: &str) -> String {
        match parse_scenario("t.toml", source, "t") {
            Ok(c) => panic!("expected an error, got {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_file_is_checked_across_keys_at_the_key_concerned() {
        assert_eq!(
            err("queue = \"condvar\"\ncapacity = \"unbounded\"\n"),
            "t.toml:2:12: capacity: queue \"condvar\" is a ring of slots: expected a capacity \
             from 1 to 1000000; got unbounded"
        );
        // No capacity key: the complaint points at `queue`.
        assert!(err("queue = \"condvar-if\"\n").starts_with("t.toml:1:9: capacity: "));
        assert_eq!(
            err("queue = \"condvar\"\ncapacity = 1\nconsumers = 2\nconsumer_sleeps = \"1\"\n"),
            "t.toml:4:19: consumer_sleeps: expected one piece per consumer (2), separated by \
             ':'; got 1"
        );
        assert!(err("queue = \"lock\"\n").starts_with("t.toml:1:9: queue: expected \"channel\""));
        assert!(
            err("producer_sleeps = [1]\n").contains("producer_sleeps: expected a sleep string")
        );
        let ok = parse_scenario(
            "t.toml",
            "queue = \"condvar-one-cv\"\ncapacity = 1\nproducer_sleeps = \"0,0,0,0,0.1\"\n",
            "t",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.producer_sleeps.for_thread(0)[4], 100_000_000);
    }
}
