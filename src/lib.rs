//! queuescope: watch producer/consumer threads, queue depth and poison-pill
//! shutdown as they happen. The library holds the engine (`sim`), scenario
//! loading (`scenario`), reports and the terminal UI; `main.rs` is thin.
//!
//! The live view's layers, bottom up: the model (`sim`, and `source`, the
//! trait for what makes Snapshots: the engine, a recording, a replay), the
//! view state and key handling (`app`), drawing (`ui`), and the event loop
//! with the terminal (`tui`). `tests/architecture/` keeps the top-level
//! modules free of import cycles; `docs/architecture.md` describes each.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod error;
pub mod headless;
pub mod picture;
pub mod record;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod signals;
pub mod sim;
pub mod source;
pub mod sweep;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
pub mod trace;
pub mod tui;
pub mod tune;
pub mod ui;
pub mod units;
