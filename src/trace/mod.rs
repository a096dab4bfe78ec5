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

pub mod child;
pub mod fold;
pub mod listen;
pub mod output;
pub mod protocol;
mod pump;
pub mod report;
pub mod source;

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use crate::cli::TraceArgs;
use crate::sim::lock;
use crate::tui::{self, TuiOptions};
pub use source::{Outcome, Setup, TraceSource};

/// Lines the `--log` printer may have waiting (it writes as fast as the
/// terminal takes them; past this the fold waits, and so the program).
const LOG_QUEUE: usize = 4096;

/// `queuescope trace`: the live view, or headless with `--json`, `--log`,
/// or when stdout is not a terminal. Returns the exit code: the program's
/// own, else 2 (bad input), 3 (it hung and was stopped), 1 (stopped by a
/// signal while headless).
pub fn command(args: &TraceArgs, opts: TuiOptions) -> i32 {
    // An int pill must be seen in every put: no compact ints then.
    let compact = !args.pill.iter().any(|p| p.trim().parse::<i64>().is_ok());
    let headless = args.json || args.log || !std::io::stdout().is_terminal();
    let output = match (headless, args.json) {
        (false, _) => child::Output::Capture,
        (true, false) => child::Output::PassThrough,
        (true, true) => child::Output::ToStderr,
    };
    let mut setup = Setup {
        spec: child::Spec {
            command: args.command.clone(),
            output,
            compact,
        },
        fold: fold::Options {
            pills: args.pill.clone(),
            queue: args.queue.clone(),
            log: args.log,
        },
        log: None,
        record: args.record.clone(),
    };
    if !headless {
        return live(&setup, opts);
    }
    let printer = args.log.then(|| {
        let (tx, rx) = crossbeam_channel::bounded::<String>(LOG_QUEUE);
        setup.log = Some(tx);
        let to_stderr = args.json;
        std::thread::spawn(move || {
            for line in rx {
                let ok = if to_stderr {
                    writeln!(std::io::stderr().lock(), "{line}").is_ok()
                } else {
                    writeln!(std::io::stdout().lock(), "{line}").is_ok()
                };
                if !ok {
                    return;
                }
            }
        })
    });
    let code = report::run(setup, args.json);
    if let Some(h) = printer {
        let _ = h.join();
    }
    code
}

/// The live view on the program; `r` starts it again.
fn live(setup: &Setup, opts: TuiOptions) -> i32 {
    let last: RefCell<Option<Arc<source::Shared>>> = RefCell::new(None);
    let result = tui::run_sim(
        || {
            let src = TraceSource::start(setup).map_err(std::io::Error::other)?;
            *last.borrow_mut() = Some(Arc::clone(src.shared()));
            Ok(src)
        },
        opts,
    );
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            return report::EXIT_USAGE;
        }
    };
    let Some(shared) = last.into_inner() else {
        return code;
    };
    let outcome = lock(&shared.outcome).clone();
    match &outcome {
        Some(Outcome::Hang { message, .. }) => {
            eprintln!("queuescope: hang: {message}; the program was stopped");
        }
        Some(Outcome::Exited(e)) if e.code() != 0 => print_tail(&shared),
        _ => {}
    }
    // Quitting the view is the user's choice: 0, unless the view failed.
    match report::exit_code(outcome.as_ref(), 0) {
        0 => code,
        c => c,
    }
}

/// The last lines a failed program wrote to stderr (its traceback).
fn print_tail(shared: &source::Shared) {
    let out = lock(&shared.output).snapshot(output::MAX_LINES);
    let errs: Vec<&str> = out
        .lines
        .iter()
        .filter(|l| l.err)
        .map(|l| l.text.as_str())
        .collect();
    for line in &errs[errs.len().saturating_sub(12)..] {
        eprintln!("{line}");
    }
}
