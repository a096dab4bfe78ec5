//! Hand-built, realistic [`Snapshot`](crate::sim::Snapshot)s for screen
//! tests and the render benchmark, so both can run without starting
//! threads. Compiled only for tests and with the `testing` feature, which
//! the crate's own dev-dependency turns on: never part of a shipped build.
//!
//! Most picture a *saturated* variant of the default scenario: named
//! `default` on screen, 2 producers every 50 ms, 4 consumers, a queue of 32,
//! seed 42, but with work `exp:150ms` instead of the shipped `exp:80ms`, as
//! if the user had slowed the consumers down. Arrival (40/s) then outruns
//! service (4 / 150 ms = 26.7/s), so the queue is full and producers block:
//! the busiest picture the screens must handle. The classroom fixtures
//! (`hang`, `mmc`, `runaway`) picture their own presets instead. The numbers
//! agree with each other (counters add up, Little's law holds) so a screen
//! that shows them reads like a real one. Randomness comes from a fixed LCG:
//! the fixtures are the same on every run.
//!
//! One file per family: [`running`]/[`paused`]/[`many`]/[`with_detail`] in
//! `run.rs`, the pill shutdown in `shutdown.rs`, the classroom scenarios in
//! `hang.rs`, `mmc.rs` and `runaway.rs`, the Tune and replay views in
//! `views.rs`; `build/` makes the saturated run they start from.
//! [`exercise`] plays a recording through everything a replay does, for the
//! hostile-input tests and the fuzz targets.

pub mod bare;
mod build;
mod classroom;
pub mod exercise;
mod hang;
mod mmc;
mod parts;
mod run;
mod runaway;
mod shutdown;
mod textbook;
mod views;

pub use hang::hang;
pub use mmc::{mmc, mmc_after_change};
pub use run::{many, paused, running, with_detail};
pub use runaway::runaway;
pub use shutdown::{done, draining, shutting_down};
pub use textbook::{cv_deadlock, cv_lock_held};
pub use views::{replay_view, tune_view};

#[cfg(test)]
mod tests;
