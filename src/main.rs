//! The `queuescope` binary: parse the command line, build a validated
//! config, dispatch to the live view, the headless run or the scenario list,
//! and turn the outcome into an exit code (0 ok, 1 runtime failure, 2 bad input).

use std::process::ExitCode;

use queuescope::cli::{self, Command};
use queuescope::headless::{self, RunOptions};
use queuescope::scenario;
use queuescope::tui::{self, TuiOptions};
use queuescope::ui::ThemeKind;

/// Exit code for bad input (flags, scenario files).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(c) => c,
        Err(e) => return ExitCode::from(cli::report(&e) as u8),
    };
    if let Some(Command::Scenarios) = cli.command {
        let _ = std::io::Write::write_all(
            &mut std::io::stdout().lock(),
            scenario::presets::listing().as_bytes(),
        );
        return ExitCode::SUCCESS;
    }
    let args = cli.scenario_args();
    let config = match scenario::resolve(args.scenario(), &args.overrides()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let code = match &cli.command {
        Some(Command::Run(run)) => headless::run(
            config,
            RunOptions {
                json: run.json,
                log: run.log,
            },
        ),
        _ => match tui::run(config, tui_options(&cli.tui)) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
    };
    ExitCode::from(code as u8)
}

/// The live view's options from its flags.
fn tui_options(args: &cli::TuiArgs) -> TuiOptions {
    TuiOptions {
        fps: u32::from(args.fps),
        ascii: args.ascii,
        theme: match args.theme() {
            cli::Theme::Default => ThemeKind::Default,
            cli::Theme::Contrast => ThemeKind::Contrast,
        },
        // NO_COLOR is read by TuiOptions::theme; there is no flag for it.
        no_color: false,
        present: args.present,
    }
}
