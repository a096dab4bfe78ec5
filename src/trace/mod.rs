//! `queuescope trace -- CMD ARGS…`: a real Python program's queues and
//! threads in the live view (or headless, like `run`).
//!
//! A pure-stdlib shim (`assets/trace/`) is made importable for the child
//! through a private `sitecustomize` on its `PYTHONPATH`; it sends JSON
//! lines ([`protocol`]) over an inherited pipe ([`listen`]). The events are
//! folded ([`fold`]) into the same [`Snapshot`](crate::sim::Snapshot) the
//! engine hands out, so every panel, `--json`, `--record`, the lints and
//! the watchdog work on the traced program. [`child`] starts and stops the
//! program; [`source`] ties it together behind the live view's source trait.

pub mod fold;
pub mod protocol;
