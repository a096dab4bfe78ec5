//! queuescope: watch producer/consumer threads, queue depth and poison-pill
//! shutdown as they happen. The library holds the engine (`sim`), scenario
//! loading (`scenario`), reports and the terminal UI; `main.rs` is thin.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod headless;
pub mod record;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod sweep;
#[doc(hidden)]
pub mod testing;
pub mod trace;
pub mod tui;
pub mod tune;
pub mod ui;
