//! Reading a run: queueing theory beside the measurements, and lints that
//! say in plain words what is going wrong. Pure functions of a `Snapshot`.

pub mod lint;
pub mod theory;
