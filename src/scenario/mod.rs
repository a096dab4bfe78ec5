//! Scenarios: turning what the user typed (a preset name or a TOML file, then
//! command-line flags) into a validated [`Config`](crate::sim::Config) for the engine.

pub mod dist;
pub mod duration;
pub mod error;
mod fields;
pub mod file;
pub mod presets;

pub use error::ScenarioError;
pub use fields::{MAX_CRASH_ITEMS, MAX_LESSON_CHARS, MAX_NAME_CHARS};
pub use presets::{PRESETS, Preset};
