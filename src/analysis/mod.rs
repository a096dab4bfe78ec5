//! Reading a run: queueing theory beside the measurements, lints that say
//! in plain words what is going wrong, and the watchdog that stops a run
//! that can never finish. Pure functions of a `Snapshot` (the watchdog adds
//! only the time a hang has lasted).

mod cv_lint;
pub mod drain;
pub mod lint;
pub mod theory;
pub mod watchdog;
