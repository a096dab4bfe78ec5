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
//! What a user sees and can do is described in `docs/trace.md`.

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
use crate::error::{Error, Exit};
use crate::sim::lock;
use crate::tui::{self, TuiOptions};
pub use source::{Outcome, Setup, TraceSource};

/// Lines the `--log` printer may have waiting (it writes as fast as the
/// terminal takes them; past this the fold waits, and so the program).
const LOG_QUEUE: usize = 4096;

/// `queuescope trace`: the live view, or headless with `--json`, `--log`,
/// or when stdout is not a terminal. Ends with the program's own code
/// ([`Exit::Program`]), else bad input (it cannot be started), a hang (it
/// was stopped), or a failure (stopped by a signal while headless).
pub fn command(args: &TraceArgs, opts: TuiOptions) -> crate::error::Result {
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
    let result = report::run(setup, args.json);
    if let Some(h) = printer {
        let _ = h.join();
    }
    result
}

/// The live view on the program; `r` starts it again.
fn live(setup: &Setup, opts: TuiOptions) -> crate::error::Result {
    let last: RefCell<Option<Arc<source::Shared>>> = RefCell::new(None);
    // Why the program could not be started, if it could not: bad input.
    let not_started: RefCell<Option<String>> = RefCell::new(None);
    let result = tui::run_sim(
        || match TraceSource::start(setup) {
            Ok(src) => {
                *last.borrow_mut() = Some(Arc::clone(src.shared()));
                Ok(src)
            }
            Err(line) => {
                *not_started.borrow_mut() = Some(line.clone());
                Err(std::io::Error::other(line))
            }
        },
        opts,
    );
    let exit = match (result, not_started.into_inner()) {
        (Ok(exit), _) => exit,
        (Err(_), Some(line)) => return Err(Error::usage(line)),
        (Err(e), None) => return Err(e),
    };
    let Some(shared) = last.into_inner() else {
        return Ok(exit);
    };
    let outcome = lock(&shared.outcome).clone();
    match &outcome {
        Some(Outcome::Hang { message, .. }) => {
            eprintln!("queuescope: hang: {message}; the program was stopped");
        }
        Some(Outcome::Exited(e)) if e.code() != 0 => print_tail(&shared),
        _ => {}
    }
    // Quitting the view is the user's choice: it ends as the view did.
    Ok(match report::exit_for(outcome.as_ref(), exit) {
        Exit::Program(0) => exit,
        other => other,
    })
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
