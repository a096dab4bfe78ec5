//! Built-in scenarios: the classroom examples, shipped inside the binary as
//! the TOML files in `assets/scenarios/`. They go through the same parser as
//! user files, so each doubles as an example of the format (and a test of it).

use serde_json::{Value, json};

use super::error::ScenarioError;
use super::file::parse_scenario;
use crate::sim::config::{Config, Workload};

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// The name `--scenario` takes.
    pub name: &'static str,
    /// The TOML source (a good starting point for a scenario file of your own).
    pub source: &'static str,
}

impl Preset {
    /// The validated configuration. Every preset is checked by the tests, so
    /// an error here is a bug in a shipped file, never the user's mistake.
    pub fn config(&self) -> Result<Config, ScenarioError> {
        parse_scenario(
            &format!("presets/{}.toml", self.name),
            self.source,
            self.name,
        )
    }

    /// The one-line lesson (empty if the preset were broken).
    pub fn lesson(&self) -> String {
        self.config().map(|c| c.lesson).unwrap_or_default()
    }
}

/// A preset embedded from `assets/scenarios/NAME.toml`.
macro_rules! preset {
    ($name:literal) => {
        Preset {
            name: $name,
            source: include_str!(concat!("../../assets/scenarios/", $name, ".toml")),
        }
    };
}

/// Every preset, `default` first, then roughly in teaching order.
pub const PRESETS: &[Preset] = &[
    preset!("default"),
    preset!("classic"),
    preset!("worker-pool"),
    preset!("pool-map"),
    preset!("fetch-pool"),
    preset!("backpressure"),
    preset!("starved"),
    preset!("runaway"),
    preset!("rendezvous"),
    preset!("mmc"),
    preset!("too-few-pills"),
    preset!("early-pill"),
    preset!("gil-cpu"),
    preset!("gil-io"),
    preset!("ostep-two-cvs"),
    preset!("ostep-one-cv"),
    preset!("ostep-if"),
];

/// The preset called `name`, if any.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The preset names, in listing order.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// The `scenarios` command's output: one line per preset: its name, how
/// its run ends (`after 7 items`, `after 5s`, or `until stopped`), and its
/// lesson, in aligned columns. Ends with a newline.
pub fn listing() -> String {
    let rows: Vec<(&str, String, String)> = PRESETS
        .iter()
        .map(|p| match p.config() {
            Ok(c) => (p.name, super::notes::ends(&c.workload), c.lesson),
            Err(_) => (p.name, String::new(), String::new()),
        })
        .collect();
    let name_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let ends_w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(name, ends, lesson)| format!("{name:name_w$}  {ends:ends_w$}  {lesson}\n"))
        .collect()
}

/// `scenarios --json`: every preset with its lesson and settings, as an
/// array in listing order. Times are as a scenario file writes them
/// (`exp:80ms`), or seconds in fields named `_s`.
pub fn catalogue() -> Value {
    let entries: Vec<Value> = PRESETS
        .iter()
        .filter_map(|p| p.config().ok().map(|c| (p.name, c)))
        .map(|(name, c)| {
            let workload = match &c.workload {
                Workload::Endless => json!({"kind": "endless"}),
                Workload::Items(n) => json!({"kind": "items", "items": n}),
                Workload::Duration(d) => {
                    json!({"kind": "duration", "duration_s": d.as_secs_f64()})
                }
                Workload::Words(w) => json!({"kind": "words", "words": w.as_ref()}),
            };
            json!({
                "name": name,
                "lesson": c.lesson,
                "producers": c.producers,
                "consumers": c.consumers,
                "capacity": c.capacity.to_string(),
                "workload": workload,
                "interval": c.interval.to_string(),
                "work": c.work.to_string(),
                "pills": c.pills.map_or(json!("auto"), |n| json!(n)),
                "gil": c.gil,
                "seed": c.seed,
            })
        })
        .collect();
    Value::Array(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::{Capacity, Workload};
    use crate::sim::work::{Dist, WorkMode, WorkSpec};
    use std::time::Duration;

    fn config(name: &str) -> Config {
        let preset = find(name).unwrap_or_else(|| panic!("no preset {name}"));
        preset.config().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_preset_validates_and_teaches_something() {
        assert!(!PRESETS.is_empty());
        for p in PRESETS {
            let c = p.config().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(c.name, p.name);
            assert!(!c.lesson.is_empty(), "{} has no lesson", p.name);
        }
        let mut names = names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PRESETS.len(), "preset names are unique");
    }

    #[test]
    fn default_preset_is_the_default_config() {
        assert_eq!(config("default"), Config::default());
    }

    #[test]
    fn classic_is_python_queue_with_one_pill() {
        let c = config("classic");
        assert_eq!((c.producers, c.consumers, c.pills), (1, 1, Some(1)));
        assert_eq!(c.capacity, Capacity::Unbounded);
        assert_eq!(c.workload, Workload::Duration(Duration::from_secs(5)));
        assert_eq!(c.interval.dist, Dist::Fixed(Duration::from_millis(500)));
    }

    #[test]
    fn worker_pool_has_seven_words_and_a_pill_each() {
        let c = config("worker-pool");
        assert_eq!(c.workload.total_items(), Some(7));
        let Workload::Words(words) = &c.workload else {
            panic!("not words: {:?}", c.workload)
        };
        assert_eq!(words.join(" "), "this is a hello world test !");
        assert_eq!((c.consumers, c.pills), (4, Some(4)));
    }

    #[test]
    fn pool_map_and_fetch_pool() {
        let c = config("pool-map");
        assert_eq!((c.producers, c.consumers), (1, 8));
        assert_eq!(c.workload, Workload::Items(7));
        assert_eq!(
            c.work,
            WorkSpec::new(WorkMode::Sleep, Dist::Fixed(Duration::from_secs(1)))
        );
        assert_eq!(c.interval, WorkSpec::zero());
        assert!(c.collect_results);
        let c = config("fetch-pool");
        assert_eq!((c.consumers, c.workload.total_items()), (4, Some(20)));
        assert_eq!(c.work.mode, WorkMode::Sleep, "I/O-bound work sleeps");
    }

    #[test]
    fn catalogue_has_every_preset_with_its_settings() {
        let doc = catalogue();
        let all = doc.as_array().expect("an array");
        assert_eq!(all.len(), PRESETS.len());
        assert_eq!(all[0]["name"], "default");
        assert_eq!(all[0]["consumers"], 4);
        assert_eq!(all[0]["work"], "exp:80ms");
        assert_eq!(all[0]["pills"], "auto");
        let pool = &all[3];
        assert_eq!(pool["name"], "pool-map");
        assert_eq!(pool["workload"]["items"], 7);
    }

    #[test]
    fn listing_is_one_aligned_line_per_preset() {
        let text = listing();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), PRESETS.len());
        // Name, how the run ends, lesson: each column starts at one place.
        let lesson_at = lines[0]
            .find("2 steady producers")
            .expect("default's lesson");
        let ends_at = lines[0].find("until stopped").expect("default is endless");
        assert!(lines[0].starts_with("default "), "{}", lines[0]);
        assert_eq!(
            lines[2].find("after 7 words"),
            Some(ends_at),
            "{}",
            lines[2]
        );
        assert_eq!(lines[2].find("7 words on"), Some(lesson_at), "{}", lines[2]);
        assert_eq!(lines[1].find("after 5s"), Some(ends_at), "{}", lines[1]);
    }
}
