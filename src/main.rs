//! The `queuescope` binary: parse the command line, hand the command to
//! its one dispatch, and turn the outcome into the exit code. Every command
//! returns `Result<Exit, Error>`; the codes themselves (0 ok, 1 runtime
//! failure, 2 bad input, 3 hang) are defined once, in `queuescope::error`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::CommandFactory;
use queuescope::cli::{self, Cli, Command, LogFormat, ScreenSize};
use queuescope::error::{Error, Exit, Result};
use queuescope::headless::{self, Csv, FinalPicture, RunOptions};
use queuescope::record::Target;
use queuescope::report::{log, paint::Paint};
use queuescope::tui::{self, TuiOptions};
use queuescope::ui::ThemeKind;
use queuescope::{picture, replay, scenario, signals, sim, sweep};

fn main() -> ExitCode {
    // Before anything opens a file: a signal at any stage is counted, and
    // every wait that could block on a file gives up on one.
    if let Err(e) = signals::install() {
        eprintln!("queuescope: signals: {e}");
        return Exit::Failure.into();
    }
    signals::arm_force_exit();
    let exit = match cli::parse() {
        Ok(cli) => dispatch(&cli).unwrap_or_else(|e| {
            eprintln!("{e}");
            e.exit()
        }),
        Err(e) => cli::report(&e),
    };
    exit.into()
}

/// The one place a command is chosen.
fn dispatch(cli: &Cli) -> Result {
    match &cli.command {
        None => live(cli),
        Some(Command::Run(args)) => run(args),
        Some(Command::Scenarios(args)) => scenarios(args),
        Some(Command::Sweep(args)) => {
            sweep::command::run(args, queuescope::ui::sweep_chart::report_text)
        }
        Some(Command::Replay(args)) => replay_command(args),
        Some(Command::Completions(args)) => completions(args.shell),
        Some(Command::Man(args)) => man(args),
        Some(Command::Trace(args)) => queuescope::trace::command(args, tui_options(&args.tui)?),
    }
}

/// The validated config the scenario flags ask for; bad flags or a bad
/// scenario file are bad input. Reading the file waits (a FIFO, a slow
/// pipe) only until a stop signal. A flag that changes the kind of the
/// scenario's workload is noted on stderr.
fn config(args: &cli::ScenarioArgs) -> Result<sim::Config> {
    let (name, flags) = (args.scenario.clone(), args.overrides());
    let resolved = signals::interruptible(
        move || scenario::resolve_noted(name.as_deref(), &flags),
        None,
    )
    .map_err(|i| Error::failure(format!("reading the scenario: {i}")))?;
    let (config, notes) = resolved.map_err(Error::usage)?;
    for note in notes {
        eprintln!("{note}");
    }
    Ok(config)
}

/// The checked `--record` target, if one was given: never the scenario
/// file, and an existing file only with `--force`.
fn target(
    path: Option<&std::path::Path>,
    force: bool,
    args: &cli::ScenarioArgs,
) -> Result<Option<Target>> {
    let Some(path) = path else { return Ok(None) };
    let scenario = scenario::file_of(args.scenario());
    Target::check(path, force, scenario.as_deref())
        .map(Some)
        .map_err(headless::record_error)
}

/// The live view, recording it when `--record` is given.
fn live(cli: &Cli) -> Result {
    let config = config(cli.scenario_args())?;
    let opts = tui_options(&cli.tui)?;
    match target(cli.record.as_deref(), cli.force, cli.scenario_args())? {
        None => tui::run(config, opts),
        Some(target) => tui::run_recorded(config, opts, &target),
    }
}

/// `queuescope run`: the options checked, then the headless run.
fn run(args: &cli::RunArgs) -> Result {
    if args.scenario.step {
        return Err(Error::usage(headless::STEP_REFUSED));
    }
    let grace = scenario::duration::parse_duration_max(&args.grace, headless::MAX_GRACE)
        .map_err(|e| Error::usage(format!("--grace: {e}; got {:?}", args.grace)))?;
    let config = config(&args.scenario)?;
    let record = target(args.record.as_deref(), args.force, &args.scenario)?;
    let picture = match &args.snapshot {
        Some(path) => {
            picture::check_file("--snapshot", path)?;
            let size = args.snapshot_size.unwrap_or_default();
            Some(FinalPicture {
                path: path.clone(),
                cols: size.cols,
                rows: size.rows,
                // A picture looks like the live view: colour unless told not to.
                color: args.color.enabled(true),
                write: picture::write_final,
            })
        }
        None => None,
    };
    let csv = match (args.csv, args.csv_summary) {
        (true, _) => Some(Csv::Threads),
        (_, true) => Some(Csv::Summary),
        _ => None,
    };
    // The trace goes to stderr when stdout carries JSON or CSV.
    let log_tty = if args.json || csv.is_some() {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let opts = RunOptions {
        json: args.json,
        csv,
        log: args.log,
        log_format: log::Format {
            timestamps: args.log_format == LogFormat::Timed,
            paint: Paint {
                on: args.color.enabled(log_tty),
            },
        },
        paint: Paint {
            on: args.color.enabled(std::io::stdout().is_terminal()),
        },
        record,
        grace,
        picture,
    };
    headless::run(config, opts)
}

/// Writes `text` to stdout. A closed stdout (`| head`) is not an error.
fn print(text: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text);
    let _ = out.flush();
}

/// `queuescope scenarios [--json]`: the presets, one per line with its
/// lesson, or one JSON document.
fn scenarios(args: &cli::ScenariosArgs) -> Result {
    if args.json {
        let doc = scenario::presets::catalogue();
        print((serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n").as_bytes());
    } else {
        print(scenario::presets::listing().as_bytes());
    }
    Ok(Exit::Ok)
}

/// `queuescope completions SHELL`: the completion script, from the same
/// definitions that parse the command line.
fn completions(shell: clap_complete::Shell) -> Result {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "queuescope", &mut script);
    print(&script);
    Ok(Exit::Ok)
}

/// `queuescope man [--dir DIR]`: the manual page on stdout, or a page per
/// subcommand written into DIR.
fn man(args: &cli::ManArgs) -> Result {
    let cmd = Cli::command();
    if let Some(dir) = &args.dir {
        picture::check_dir("--dir", dir)?;
        clap_mangen::generate_to(cmd, dir)
            .map_err(|e| Error::failure(format!("man: {}: {e}", dir.display())))?;
        eprintln!("queuescope: wrote the manual pages into {}", dir.display());
        return Ok(Exit::Ok);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| Error::failure(format!("man: {e}")))?;
    print(&page);
    Ok(Exit::Ok)
}

/// `queuescope replay FILE [--json | --snapshot-at TIME]`: a bad file is
/// one line, exit 2.
fn replay_command(args: &cli::ReplayArgs) -> Result {
    if args.json {
        return replay::print_json(&args.file);
    }
    let opts = tui_options(&args.tui)?;
    if let Some(at) = &args.snapshot_at {
        let at = scenario::duration::parse_duration(at)
            .map_err(|e| Error::usage(format!("--snapshot-at: {e}")))?;
        if let Some(path) = &args.snapshot {
            picture::check_file("--snapshot", path)?;
        }
        let rec = replay::load(&args.file)?;
        let size = args.snapshot_size.unwrap_or_default();
        return replay_picture(&rec, at, args.snapshot.as_deref(), size, &opts);
    }
    let rec = replay::load(&args.file)?;
    replay::need_terminal(&args.file)?;
    tui::replay(std::sync::Arc::new(rec), opts)
}

/// `replay --snapshot-at TIME`: the screen the replay shows at `at`,
/// paused, written to `path` (or a timestamped name in `--snapshot-dir`).
fn replay_picture(
    rec: &queuescope::record::Recording,
    at: std::time::Duration,
    path: Option<&std::path::Path>,
    size: ScreenSize,
    opts: &TuiOptions,
) -> Result {
    let size = (size.cols, size.rows);
    let buf = picture::replay_at(rec, at, &opts.theme(), opts.present, size)?;
    let stem = match path {
        Some(p) => picture::stem(p),
        None => picture::timestamped(
            &opts.snapshot_dir.clone().unwrap_or_default(),
            std::time::SystemTime::now(),
        ),
    };
    let title = format!("queuescope replay at {}", queuescope::units::exact(at));
    let written = picture::write(&buf, &title, &stem)
        .map_err(|e| Error::failure(format!("--snapshot: {e}")))?;
    eprintln!("queuescope: {written}");
    Ok(Exit::Ok)
}

/// The live view's options from its flags; a `--snapshot-dir` that is not
/// a directory is bad input.
fn tui_options(args: &cli::TuiArgs) -> Result<TuiOptions> {
    if let Some(dir) = &args.snapshot_dir {
        picture::check_dir("--snapshot-dir", dir)?;
    }
    Ok(TuiOptions {
        fps: u32::from(args.fps),
        ascii: args.ascii,
        theme: match args.theme() {
            cli::Theme::Default => ThemeKind::Default,
            cli::Theme::Contrast => ThemeKind::Contrast,
        },
        // The live view is always on a terminal: `auto` means NO_COLOR decides.
        color: args.color.enabled(true),
        present: args.present,
        snapshot_dir: args.snapshot_dir.clone(),
    })
}
