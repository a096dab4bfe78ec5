//! The `queuescope` binary. For now it opens the live UI on the built-in
//! default scenario; the command line (`cli.rs`) will choose scenarios and
//! options.

use queuescope::sim::Config;
use queuescope::tui::{self, TuiOptions};

fn main() {
    let code = match tui::run(Config::default(), TuiOptions::default()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("queuescope: {e}");
            1
        }
    };
    std::process::exit(code);
}
