//! Scenarios: turning what the user typed (a preset name or a TOML file, then
//! command-line flags) into a validated [`Config`](crate::sim::Config) for the engine.

pub mod dist;
pub mod duration;
