//! Command-line overrides: flag values applied on top of a scenario. They are
//! kept as the raw strings the user typed so an error can quote them and name
//! the flag; they are checked by the same rules as the file's keys.

use super::error::{ScenarioError, quote_text};
use super::fields::{self, Raw};
use crate::sim::config::{Config, Workload};

/// Flag values as typed, each `None` (or empty) when the flag was not given.
/// A given flag replaces the scenario's value for the key of the same name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--producers N`.
    pub producers: Option<String>,
    /// `--consumers N`.
    pub consumers: Option<String>,
    /// `--capacity 0|N|unbounded`.
    pub capacity: Option<String>,
    /// `--items N`: replaces the scenario's workload, whichever it was.
    pub items: Option<String>,
    /// `--duration TIME`: replaces the scenario's workload, whichever it was.
    pub duration: Option<String>,
    /// `--interval SPEC`: every producer's, replacing a per-producer list.
    pub interval: Option<String>,
    /// `--work SPEC`.
    pub work: Option<String>,
    /// `--seed N`.
    pub seed: Option<String>,
    /// `--pills N|auto`.
    pub pills: Option<String>,
    /// `--crash-item ID`, repeatable; when given, replaces the scenario's list.
    pub crash_item: Vec<String>,
    /// `--gil`: turn GIL emulation on.
    pub gil: bool,
    /// `--speed`: scale every duration by 1/speed (0.25 = 4x slower).
    pub speed: Option<String>,
    /// `--step`: start paused, to step one queue operation at a time.
    pub step: bool,
    /// `--queue channel|condvar|condvar-one-cv|condvar-if`.
    pub queue: Option<String>,
    /// `--producer-sleeps` (an OSTEP sleep string).
    pub producer_sleeps: Option<String>,
    /// `--consumer-sleeps` (an OSTEP sleep string).
    pub consumer_sleeps: Option<String>,
}

/// Checks one flag's value with `rule`.
fn check<T>(
    flag: &str,
    value: &Option<String>,
    rule: fn(Raw<'_>) -> Result<T, fields::Expected>,
) -> Result<Option<T>, ScenarioError> {
    let Some(text) = value else { return Ok(None) };
    rule(Raw::from_flag(text))
        .map(Some)
        .map_err(|expected| bad(flag, text, expected))
}

/// [`check`] for a flag read as text always (a sleep string `0` is not a
/// number to be range-checked).
fn check_flag<T>(
    flag: &str,
    value: &Option<String>,
    rule: fn(Raw<'_>) -> Result<T, fields::Expected>,
) -> Result<Option<T>, ScenarioError> {
    let Some(text) = value else { return Ok(None) };
    rule(Raw::Str(text))
        .map(Some)
        .map_err(|expected| bad(flag, text, expected))
}

/// `--flag: expected ...; got "text"`.
fn bad(flag: &str, text: &str, expected: fields::Expected) -> ScenarioError {
    ScenarioError::Flag {
        flag: flag.to_string(),
        message: format!("{expected}; got {}", quote_text(text)),
    }
}

impl Overrides {
    /// True when no flag was given.
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }

    /// Applies every given flag to `config`, checking each value. Both
    /// `--items` and `--duration` at once is an error: a run has one workload.
    pub fn apply(&self, mut config: Config) -> Result<Config, ScenarioError> {
        if let Some(n) = check("--producers", &self.producers, fields::threads)? {
            config.producers = n;
        }
        if let Some(n) = check("--consumers", &self.consumers, fields::threads)? {
            config.consumers = n;
        }
        if let Some(c) = check("--capacity", &self.capacity, fields::capacity)? {
            config.capacity = c;
        }
        if self.items.is_some() && self.duration.is_some() {
            return Err(ScenarioError::Flag {
                flag: "--duration".into(),
                message: "expected either --items or --duration, not both: a run has one workload"
                    .into(),
            });
        }
        if let Some(n) = check("--items", &self.items, fields::items)? {
            config.workload = Workload::Items(n);
        }
        if let Some(d) = check("--duration", &self.duration, fields::run_duration)? {
            config.workload = Workload::Duration(d);
        }
        if let Some(s) = check("--interval", &self.interval, fields::spec)? {
            // The flag applies to every producer: a per-producer list from
            // the scenario is replaced, not left in force behind it.
            config.interval = s;
            config.producer_intervals.clear();
        }
        if let Some(s) = check("--work", &self.work, fields::spec)? {
            config.work = s;
        }
        if self.gil {
            config.gil = true;
        }
        if self.step {
            config.start_paused = true;
        }
        if let Some(n) = check("--seed", &self.seed, fields::seed)? {
            config.seed = n;
        }
        if let Some(p) = check("--pills", &self.pills, fields::pills)? {
            config.pills = p;
        }
        if !self.crash_item.is_empty() {
            if self.crash_item.len() > fields::MAX_CRASH_ITEMS {
                return Err(ScenarioError::Flag {
                    flag: "--crash-item".into(),
                    message: format!(
                        "{}; got {}",
                        fields::crash_items_too_many(),
                        self.crash_item.len()
                    ),
                });
            }
            let mut ids = self
                .crash_item
                .iter()
                .map(|text| {
                    fields::crash_item(Raw::from_flag(text))
                        .map_err(|e| bad("--crash-item", text, e))
                })
                .collect::<Result<Vec<u64>, _>>()?;
            ids.sort_unstable();
            ids.dedup();
            config.crash_items = ids;
        }
        self.apply_textbook(&mut config)?;
        // Last, so it scales the flags' durations too.
        if let Some(x) = check("--speed", &self.speed, fields::speed)? {
            config = config.at_speed(x);
        }
        Ok(config)
    }

    /// `--queue` and the sleep strings, then the checks across keys they
    /// need, naming the flag concerned.
    fn apply_textbook(&self, config: &mut Config) -> Result<(), ScenarioError> {
        use super::textbook::{Key, check, queue};
        if let Some(q) = check_flag("--queue", &self.queue, queue)? {
            config.queue = q;
        }
        let sleeps = super::sleeps::sleeps;
        if let Some(p) = check_flag("--producer-sleeps", &self.producer_sleeps, sleeps)? {
            config.producer_sleeps = p;
        }
        if let Some(p) = check_flag("--consumer-sleeps", &self.consumer_sleeps, sleeps)? {
            config.consumer_sleeps = p;
        }
        check(config).map_err(|(key, message)| {
            let given = match key {
                Key::Capacity => self.capacity.is_some(),
                Key::ProducerSleeps => self.producer_sleeps.is_some(),
                Key::ConsumerSleeps => self.consumer_sleeps.is_some(),
            };
            let flag = if given || self.queue.is_none() {
                key.flag()
            } else {
                "--queue"
            };
            ScenarioError::Flag {
                flag: flag.into(),
                message,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::Capacity;
    use crate::sim::work::{Dist, WorkMode, WorkSpec};
    use std::time::Duration;

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    fn err(o: Overrides) -> String {
        match o.apply(Config::default()) {
            Ok(c) => panic!("expected an error, got {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_textbook_flags_apply_and_are_checked_across_keys() {
        let o = Overrides {
            queue: some("condvar-one-cv"),
            capacity: some("1"),
            consumers: some("2"),
            consumer_sleeps: some("0:0,0,0,0.5"),
            ..Overrides::default()
        };
        let c = o.apply(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.queue, crate::sim::QueueKind::CondvarOneCv);
        assert_eq!(c.consumer_sleeps.for_thread(1)[3], 500_000_000);
        let unbounded = Overrides {
            queue: some("condvar"),
            capacity: some("unbounded"),
            ..Overrides::default()
        };
        assert_eq!(
            err(unbounded),
            "--capacity: queue \"condvar\" is a ring of slots: expected a capacity \
             from 1 to 1000000; got unbounded"
        );
        let rendezvous = Overrides {
            queue: some("condvar-if"),
            capacity: some("0"),
            ..Overrides::default()
        };
        assert!(err(rendezvous).starts_with("--capacity: "));
        let pieces = Overrides {
            queue: some("condvar"),
            producer_sleeps: some("0,1"),
            ..Overrides::default()
        };
        assert_eq!(
            err(pieces),
            "--producer-sleeps: expected one piece per producer (2), separated by ':'; got 1"
        );
        let on_channel = Overrides {
            consumer_sleeps: some("1"),
            ..Overrides::default()
        };
        assert!(err(on_channel).starts_with("--consumer-sleeps: sleep points are in the textbook"));
        let kind = Overrides {
            queue: some("mutex"),
            ..Overrides::default()
        };
        assert_eq!(
            err(kind),
            "--queue: expected \"channel\", \"condvar\", \"condvar-one-cv\" or \"condvar-if\"; got \"mutex\""
        );
    }

    #[test]
    fn no_flags_change_nothing() {
        assert!(Overrides::default().is_empty());
        assert_eq!(
            Overrides::default().apply(Config::default()).ok(),
            Some(Config::default())
        );
    }

    #[test]
    fn every_flag_applies() {
        let o = Overrides {
            producers: some("3"),
            consumers: some("1024"),
            capacity: some("unbounded"),
            items: some("100"),
            duration: None,
            interval: some("0"),
            work: some("cpu:exp:10ms"),
            seed: some("18446744073709551615"),
            pills: some("0"),
            crash_item: vec!["9".into(), "3".into(), "9".into()],
            gil: true,
            speed: some("0.5"),
            step: true,
            queue: some("channel"),
            producer_sleeps: None,
            consumer_sleeps: None,
        };
        assert!(!o.is_empty());
        let c = o.apply(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.producers, c.consumers), (3, 1024));
        assert!(c.gil && c.start_paused);
        // --speed 0.5 doubles every duration, flags' included.
        assert_eq!(c.work.to_string(), "cpu:exp:20ms");
        assert_eq!(c.capacity, Capacity::Unbounded);
        assert_eq!(c.workload, Workload::Items(100));
        assert_eq!(c.interval, WorkSpec::zero());
        assert_eq!(
            c.work,
            WorkSpec::new(
                WorkMode::Spin,
                Dist::Exp {
                    mean: Duration::from_millis(20)
                }
            )
        );
        assert_eq!((c.seed, c.pills), (u64::MAX, Some(0)));
        assert_eq!(c.crash_items, vec![3, 9]);
        // The parts no flag touches are kept.
        assert_eq!(c.name, "default");
    }

    #[test]
    fn interval_applies_to_every_producer_over_a_per_producer_list() {
        let listed = Config {
            producers: 2,
            interval: WorkSpec::new(WorkMode::Sleep, Dist::Fixed(Duration::from_secs(1))),
            producer_intervals: vec![
                WorkSpec::new(
                    WorkMode::Sleep,
                    Dist::Fixed(Duration::from_secs(1))
                );
                2
            ],
            ..Config::default()
        };
        let o = Overrides {
            interval: some("0ms"),
            ..Overrides::default()
        };
        let c = o.apply(listed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.interval, WorkSpec::zero());
        assert!(
            c.producer_intervals.is_empty(),
            "{:?}",
            c.producer_intervals
        );
    }

    #[test]
    fn duration_replaces_any_workload() {
        let words = Config {
            workload: Workload::Words(vec!["a".to_string()].into()),
            ..Config::default()
        };
        let o = Overrides {
            duration: some("90s"),
            ..Overrides::default()
        };
        let c = o.apply(words).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.workload, Workload::Duration(Duration::from_secs(90)));
        let o = Overrides {
            pills: some("auto"),
            ..Overrides::default()
        };
        let with_pills = Config {
            pills: Some(1),
            ..Config::default()
        };
        assert_eq!(o.apply(with_pills).map(|c| c.pills).ok(), Some(None));
    }

    #[test]
    fn interval_replaces_a_per_producer_list() {
        let listed = Config {
            producer_intervals: vec![WorkSpec::zero(), WorkSpec::zero()],
            ..Config::default()
        };
        let o = Overrides {
            interval: some("1s"),
            ..Overrides::default()
        };
        let c = o.apply(listed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.interval.to_string(), "1s");
        assert!(c.producer_intervals.is_empty(), "{c:?}");
    }

    #[test]
    fn bad_flags_name_the_flag_and_what_it_accepts() {
        assert_eq!(
            err(Overrides {
                consumers: some("0"),
                ..Overrides::default()
            }),
            "--consumers: expected a whole number from 1 to 1024; got \"0\""
        );
        assert_eq!(
            err(Overrides {
                producers: some("1025"),
                ..Overrides::default()
            }),
            "--producers: expected a whole number from 1 to 1024; got \"1025\""
        );
        assert_eq!(
            err(Overrides {
                capacity: some("1000001"),
                ..Overrides::default()
            }),
            "--capacity: expected 0 (rendezvous), a number up to 1000000, or \"unbounded\"; got \"1000001\""
        );
        assert_eq!(
            err(Overrides {
                items: some("0"),
                ..Overrides::default()
            }),
            "--items: expected a whole number from 1 to 1000000000; got \"0\""
        );
        assert_eq!(
            err(Overrides {
                duration: some("25h"),
                ..Overrides::default()
            }),
            "--duration: expected a duration up to 24h; got \"25h\""
        );
        assert_eq!(
            err(Overrides {
                work: some("exp:2h"),
                ..Overrides::default()
            }),
            "--work: expected every time in the spec to be at most 1h; got \"exp:2h\""
        );
        assert_eq!(
            err(Overrides {
                interval: some("10"),
                ..Overrides::default()
            }),
            "--interval: expected a unit after the number (ns, µs or us, ms, s, m, h), like 10ms; got \"10\""
        );
        assert_eq!(
            err(Overrides {
                seed: some("-1"),
                ..Overrides::default()
            }),
            "--seed: expected a whole number from 0 to 18446744073709551615; got \"-1\""
        );
        assert_eq!(
            err(Overrides {
                crash_item: vec!["1".into(), "x".into()],
                ..Overrides::default()
            }),
            "--crash-item: expected an item id, a whole number from 0 to 1000000000; got \"x\""
        );
        assert_eq!(
            err(Overrides {
                items: some("5"),
                duration: some("5s"),
                ..Overrides::default()
            }),
            "--duration: expected either --items or --duration, not both: a run has one workload"
        );
        assert_eq!(
            err(Overrides {
                consumers: some(""),
                ..Overrides::default()
            }),
            "--consumers: expected a whole number from 1 to 1024; got \"\""
        );
    }
}
