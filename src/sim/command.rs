//! Commands the front ends send to a running engine (live control).

use super::work::WorkSpec;

/// How a consumer is removed live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// Put one extra poison pill on the queue: whichever consumer takes it
    /// exits, after the items queued ahead of it (the classic way).
    Pill,
    /// Set the newest live consumer's retire flag: it exits after its current item.
    Retire,
}

/// A live change to a running engine.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Park every thread at its next step.
    Pause,
    /// Un-park.
    Resume,
    /// While paused: let exactly one queue operation happen, then stay paused.
    Step,
    /// Start one more consumer.
    AddConsumer,
    /// Remove one consumer.
    RemoveConsumer(Removal),
    /// Start one more producer.
    AddProducer,
    /// Stop the newest live producer after its current item.
    RemoveProducer,
    /// Change the producers' interval distribution.
    SetInterval(WorkSpec),
    /// Change the consumers' work distribution.
    SetWork(WorkSpec),
    /// Turn GIL emulation on or off.
    SetGil(bool),
    /// Graceful shutdown: producers stop, pills go out, threads are joined.
    Shutdown,
    /// Stop now: blocked threads are released, queued items are left.
    Abort,
}
