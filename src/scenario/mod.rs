//! Scenarios: turning what the user typed (a preset name or a TOML file, then
//! command-line flags) into a validated [`Config`] for the engine.
//!
//! Layers, each overriding the one before: the preset or file (missing keys
//! take the file defaults, see [`file`]), then any flags ([`Overrides`]).
//! Every problem is one [`ScenarioError`] line naming the file position or
//! the flag, the key, what is accepted and what was given.
//!
//! ```
//! use queuescope::scenario::{Overrides, resolve};
//! let flags = Overrides { consumers: Some("8".into()), ..Overrides::default() };
//! let config = resolve(Some("classic"), &flags).unwrap();
//! assert_eq!((config.name.as_str(), config.consumers), ("classic", 8));
//!
//! let flags = Overrides { consumers: Some("0".into()), ..Overrides::default() };
//! let err = resolve(None, &flags).unwrap_err();
//! assert_eq!(err.to_string(), r#"--consumers: expected a whole number from 1 to 1024; got "0""#);
//! ```

mod budget;
pub mod dist;
pub mod duration;
pub mod error;
mod fields;
pub mod file;
pub mod notes;
pub mod overrides;
pub mod presets;
mod sleeps;
mod textbook;

use std::io::Read;
use std::path::Path;

use crate::sim::config::Config;

pub use error::ScenarioError;
pub use fields::{MAX_CRASH_ITEMS, MAX_LESSON_CHARS, MAX_NAME_CHARS};
pub use overrides::Overrides;
pub use presets::{PRESETS, Preset};

/// The preset used when no scenario is named.
pub const DEFAULT_SCENARIO: &str = "default";

/// Loads `scenario` (a preset name or a path to a `.toml` file; `None` means
/// the [`DEFAULT_SCENARIO`] preset) and applies `overrides` on top.
pub fn resolve(scenario: Option<&str>, overrides: &Overrides) -> Result<Config, ScenarioError> {
    let base = load(scenario.unwrap_or(DEFAULT_SCENARIO))?;
    overrides.apply(base)
}

/// [`resolve`], with the notes to print before the run: one when a flag
/// changed the kind of the scenario's workload ([`notes::workload_note`]).
pub fn resolve_noted(
    scenario: Option<&str>,
    overrides: &Overrides,
) -> Result<(Config, Vec<String>), ScenarioError> {
    let base = load(scenario.unwrap_or(DEFAULT_SCENARIO))?;
    let config = overrides.apply(base.clone())?;
    let notes = notes::workload_note(&base, &config, overrides)
        .into_iter()
        .collect();
    Ok((config, notes))
}

/// The scenario file `scenario` names, if it is one (not a preset): the
/// file a recording must never replace.
pub fn file_of(scenario: Option<&str>) -> Option<std::path::PathBuf> {
    let s = scenario?;
    (presets::find(s).is_none()).then(|| std::path::PathBuf::from(s))
}

/// Loads a preset by name, or a scenario file by path. A preset name wins
/// over a same-named file in the current directory; write `./NAME` for the
/// file. A name that is neither is an error listing the presets.
pub fn load(scenario: &str) -> Result<Config, ScenarioError> {
    if let Some(preset) = presets::find(scenario) {
        return preset.config();
    }
    let path = Path::new(scenario);
    let looks_like_path = scenario.ends_with(".toml") || scenario.contains(['/', '\\']);
    if looks_like_path || path.is_file() {
        return load_file(path);
    }
    Err(ScenarioError::UnknownScenario {
        name: scenario.to_string(),
    })
}

/// Reads and parses a scenario file; its stem is the default name.
pub fn load_file(path: &Path) -> Result<Config, ScenarioError> {
    let shown = path.display().to_string();
    let read_error = |source| ScenarioError::Read {
        path: shown.clone(),
        source,
    };
    let mut source = String::new();
    // Read one byte past the limit to tell "exactly at the limit" from "over".
    std::fs::File::open(path)
        .and_then(|f| f.take(file::MAX_FILE_BYTES + 1).read_to_string(&mut source))
        .map_err(read_error)?;
    if source.len() as u64 > file::MAX_FILE_BYTES {
        return Err(read_error(std::io::Error::other(format!(
            "larger than {} MiB; is this a scenario file?",
            file::MAX_FILE_BYTES / (1024 * 1024)
        ))));
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    // Editors hide a byte-order mark, so columns are counted without it.
    let text = source.strip_prefix('\u{feff}').unwrap_or(&source);
    file::parse_scenario(&shown, text, &stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::Workload;

    #[test]
    fn no_scenario_is_the_default_config() {
        let c = resolve(None, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c, Config::default());
    }

    #[test]
    fn flags_override_a_preset() {
        let o = Overrides {
            items: Some("50".into()),
            ..Overrides::default()
        };
        let c = resolve(Some("classic"), &o).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.workload, Workload::Items(50));
        assert_eq!(c.pills, Some(1), "other keys stay");
    }

    #[test]
    fn unknown_names_list_the_presets() {
        let e = resolve(Some("clasic"), &Overrides::default())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "--scenario: expected a preset (default, classic, worker-pool, pool-map, fetch-pool, \
             backpressure, starved, runaway, rendezvous, mmc, too-few-pills, early-pill, gil-cpu, \
             gil-io, ostep-two-cvs, ostep-one-cv, ostep-if) or a path to a .toml file; got \"clasic\""
        );
    }

    #[test]
    fn missing_files_say_so() {
        let e = load("no/such/file.toml").map(|_| ()).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("no/such/file.toml: cannot read scenario file: "),
            "{text}"
        );
        assert!(matches!(e, ScenarioError::Read { .. }));
    }
}
