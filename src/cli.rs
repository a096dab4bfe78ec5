//! Command-line definitions (clap derive), and nothing else: flags arrive as
//! raw strings and are validated by [`crate::scenario`], so a bad value gets
//! the same one-line message whether it came from a flag or a scenario file.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::Exit;
use crate::scenario::Overrides;

/// Watch producer/consumer threads, queue depth and poison-pill shutdown live
/// in the terminal.
#[derive(Debug, Parser)]
#[command(
    name = "queuescope",
    // The package version, and the git commit when built from a checkout.
    version = env!("QUEUESCOPE_VERSION"),
    // Flags go after the subcommand they belong to: `queuescope run --items 5`.
    // Without this, `queuescope --items 5 run` would parse and silently ignore
    // the top-level flag.
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  \
        queuescope                               the default scenario, live\n  \
        queuescope --scenario classic            a built-in scenario (see: queuescope scenarios)\n  \
        queuescope --scenario my.toml --consumers 8\n  \
        queuescope --scenario mmc --present      on a projector; t opens the theory panel\n  \
        queuescope run --scenario pool-map --json\n  \
        queuescope sweep --scenario mmc --consumers 1..8 --trial 2s\n  \
        queuescope --record class.jsonl          record the live run\n  \
        queuescope replay class.jsonl            step through it later\n  \
        queuescope run --snapshot end            the final screen as end.svg and end.txt\n  \
        queuescope completions bash              shell completions (see also: queuescope man)\n  \
        queuescope trace -- python3 prog.py      watch your own Python program"
)]
pub struct Cli {
    /// What to do; none starts the live terminal view.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Scenario flags for the live view.
    #[command(flatten)]
    pub scenario: ScenarioArgs,

    /// Display flags for the live view.
    #[command(flatten)]
    pub tui: TuiArgs,

    /// Record the live run to FILE (replay it with: queuescope replay FILE)
    #[arg(long, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,

    /// Let --record replace an existing file
    #[arg(long, requires = "record")]
    pub force: bool,
}

/// Subcommands.
// `Run` is much larger than `Scenarios`, but the value is built once per
// process, so boxing it would only make matching on it clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario without the terminal view and print a summary
    Run(RunArgs),
    /// List the built-in scenarios, one per line with its lesson
    Scenarios(ScenariosArgs),
    /// Run a scenario at many thread counts and find the knee
    Sweep(SweepArgs),
    /// Replay a recording made with --record, in the live view, as JSON or as a picture
    Replay(ReplayArgs),
    /// Print a completion script for a shell (e.g. queuescope completions bash)
    Completions(CompletionsArgs),
    /// Print the manual page, in roff (e.g. queuescope man > queuescope.1)
    Man(ManArgs),
    /// Trace a real Python program's queues and threads: queuescope trace -- python3 prog.py
    Trace(TraceArgs),
}

/// Flags of `queuescope man`.
#[derive(Clone, Debug, Default, Args)]
pub struct ManArgs {
    /// Write a page for every subcommand into DIR (queuescope.1, queuescope-run.1, ...)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Flags of `queuescope scenarios`.
#[derive(Clone, Debug, Default, Args)]
pub struct ScenariosArgs {
    /// Print the scenarios and their settings as one JSON document
    #[arg(long)]
    pub json: bool,
}

/// Flags of `queuescope completions`.
#[derive(Clone, Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Flags of `queuescope trace`.
#[derive(Clone, Debug, Args)]
pub struct TraceArgs {
    /// No screen: print the summary as JSON when the program ends (its output goes to stderr)
    #[arg(long)]
    pub json: bool,

    /// No screen: print a line per item put and taken, and per thread event
    #[arg(long)]
    pub log: bool,

    /// Record the trace to FILE (replay it with: queuescope replay FILE)
    #[arg(long, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,

    /// Show this queue (its variable name, or queue-N) instead of the busiest
    #[arg(long, value_name = "NAME")]
    pub queue: Option<String>,

    /// Items whose repr is VALUE are poison pills ('quit', None, -1); repeatable.
    /// Without it, the item a thread took right before it left is its pill
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub pill: Vec<String>,

    /// The program to trace and its arguments, after --
    // Before the display flags, whose help heading would take it in.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,

    /// Display flags for the live view.
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// Flags of `queuescope run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario flags.
    #[command(flatten)]
    pub scenario: ScenarioArgs,

    /// Print the summary as JSON
    #[arg(
        long,
        conflicts_with_all = ["csv", "csv_summary"],
        help_heading = "Output"
    )]
    pub json: bool,

    /// Print CSV, one row per thread (columns as the JSON report names them)
    #[arg(long, conflicts_with = "csv_summary", help_heading = "Output")]
    pub csv: bool,

    /// Print CSV, one row for the whole run (collect many runs with tail -n +2)
    #[arg(long, help_heading = "Output")]
    pub csv_summary: bool,

    /// Also print a trace line for every item produced and consumed
    #[arg(long, help_heading = "Output")]
    pub log: bool,

    /// Trace lines: timed (seconds since the start first) or plain (the seed programs' bare lines)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = LogFormat::Timed,
        requires = "log",
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub log_format: LogFormat,

    /// When to use colour (trace, warnings, --snapshot): auto, always, never [default: auto]
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorChoice::Auto,
        hide_default_value = true,
        hide_possible_values = true,
        help_heading = "Output"
    )]
    pub color: ColorChoice,

    /// Record the run to FILE (replay it with: queuescope replay FILE)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub record: Option<std::path::PathBuf>,

    /// At the end, draw the final screen into FILE.svg and FILE.txt
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub snapshot: Option<PathBuf>,

    /// Size of the --snapshot screen in columns x rows [default: 120x40]
    #[arg(
        long,
        value_name = "COLSxROWS",
        value_parser = ScreenSize::parse,
        requires = "snapshot",
        help_heading = "Output"
    )]
    pub snapshot_size: Option<ScreenSize>,

    /// Let --record replace an existing file
    #[arg(long, requires = "record")]
    pub force: bool,

    /// After Ctrl-C or SIGTERM, how long the graceful shutdown may take before the run is aborted (0 to 1h)
    #[arg(
        long,
        value_name = "TIME",
        default_value = "10s",
        allow_hyphen_values = true
    )]
    pub grace: String,
}

/// How `run --log` lines look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// `   0.502s Consumer-2 received item 17`: seconds since the start first.
    #[default]
    Timed,
    /// `Consumer-2 received item 17`, as the seed programs print it.
    Plain,
}

/// `--color`, as ripgrep and cargo have it. An explicit `always` or `never`
/// wins over `NO_COLOR`; `auto` colours a terminal unless `NO_COLOR` is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when the output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Colour, whatever the output and `NO_COLOR` say.
    Always,
    /// No colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour output that goes to a terminal (`tty`), given
    /// whether `NO_COLOR` is set.
    pub fn resolve(self, tty: bool, no_color_env: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color_env,
        }
    }

    /// [`ColorChoice::resolve`] with `NO_COLOR` read from the environment
    /// (set means set to anything non-empty, as no-color.org says).
    pub fn enabled(self, tty: bool) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        self.resolve(tty, no_color)
    }
}

/// The size of a screen drawn off the terminal (`--snapshot-size`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScreenSize {
    /// Columns.
    pub cols: u16,
    /// Rows.
    pub rows: u16,
}

impl Default for ScreenSize {
    fn default() -> Self {
        ScreenSize {
            cols: 120,
            rows: 40,
        }
    }
}

impl ScreenSize {
    /// The smallest picture worth drawing: the live view's minimum.
    pub const MIN: ScreenSize = ScreenSize { cols: 60, rows: 16 };
    /// The largest (a picture is held in memory, a cell at a time).
    pub const MAX: ScreenSize = ScreenSize {
        cols: 500,
        rows: 200,
    };

    /// Parses `120x40`; the message says what is accepted.
    pub fn parse(s: &str) -> Result<ScreenSize, String> {
        let (min, max) = (ScreenSize::MIN, ScreenSize::MAX);
        let bad = || {
            format!(
                "expected COLSxROWS, e.g. 120x40, from {}x{} to {}x{}",
                min.cols, min.rows, max.cols, max.rows
            )
        };
        let (c, r) = s.trim().split_once(['x', 'X']).ok_or_else(bad)?;
        let cols: u16 = c.trim().parse().map_err(|_| bad())?;
        let rows: u16 = r.trim().parse().map_err(|_| bad())?;
        if !(min.cols..=max.cols).contains(&cols) || !(min.rows..=max.rows).contains(&rows) {
            return Err(bad());
        }
        Ok(ScreenSize { cols, rows })
    }
}

/// Flags of `queuescope sweep`. The counts are ranges here; every other
/// scenario flag is as for `run` and applies to every point.
#[derive(Clone, Debug, Default, Args)]
pub struct SweepArgs {
    /// A built-in scenario or a scenario .toml file [default: default]
    #[arg(long, value_name = "NAME|PATH")]
    pub scenario: Option<String>,

    /// Consumer counts: 4, 1..16, or 1,2,4,8 [default: 1 to twice the scenario's]
    #[arg(long, value_name = "RANGE", allow_hyphen_values = true)]
    pub consumers: Option<String>,

    /// Producer counts, same forms as --consumers [default: the scenario's]
    #[arg(long, value_name = "RANGE", allow_hyphen_values = true)]
    pub producers: Option<String>,

    /// Length of each trial of an endless scenario (a finite one runs to completion)
    #[arg(
        long,
        value_name = "TIME",
        default_value = "5s",
        allow_hyphen_values = true
    )]
    pub trial: String,

    /// Trials per point; the table shows their medians (1 to 20)
    #[arg(
        long,
        value_name = "N",
        default_value = "3",
        allow_hyphen_values = true
    )]
    pub repeat: String,

    /// Print the results as one JSON document
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,

    /// Print the results as CSV
    #[arg(long)]
    pub csv: bool,

    /// The scenario's other flags, as for `run`.
    #[command(flatten)]
    pub workload: WorkloadArgs,
}

/// Flags of `queuescope replay`.
#[derive(Clone, Debug, Args)]
pub struct ReplayArgs {
    /// A recording made with --record
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,

    /// Print the recorded run's summary (as run --json did) instead of replaying it
    #[arg(long, conflicts_with = "snapshot_at")]
    pub json: bool,

    /// Draw the screen at TIME into the recording (e.g. 2.5s) as a picture, instead of replaying
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub snapshot_at: Option<String>,

    /// Where --snapshot-at writes: FILE.svg and FILE.txt [default: a timestamped name]
    #[arg(long, value_name = "FILE", requires = "snapshot_at")]
    pub snapshot: Option<PathBuf>,

    /// Size of the --snapshot-at screen in columns x rows [default: 120x40]
    #[arg(
        long,
        value_name = "COLSxROWS",
        value_parser = ScreenSize::parse,
        requires = "snapshot_at"
    )]
    pub snapshot_size: Option<ScreenSize>,

    /// Display flags for the replay.
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// The scenario flags other than the thread counts: the same for `run`,
/// the live view and `sweep` (where the counts are ranges instead).
#[derive(Clone, Debug, Default, Args)]
#[command(next_help_heading = "Scenario")]
pub struct WorkloadArgs {
    /// Queue capacity: 0 (hand-off), up to 1000000, or unbounded
    #[arg(long, value_name = "0|N|unbounded", allow_negative_numbers = true)]
    pub capacity: Option<String>,

    /// Produce this many items in total, then shut down
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub items: Option<String>,

    /// Produce for this long (e.g. 30s, 5m), then shut down
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub duration: Option<String>,

    /// Time to make each item: 50ms, uniform:10ms..90ms, exp:50ms, normal:50ms,10ms; prefix cpu: to spin
    // Hyphen values reach our validation, which explains "-5ms" properly.
    #[arg(long, value_name = "SPEC", allow_hyphen_values = true)]
    pub interval: Option<String>,

    /// Time to process each item, same forms as --interval (e.g. cpu:exp:10ms)
    #[arg(long, value_name = "SPEC", allow_hyphen_values = true)]
    pub work: Option<String>,

    /// Seed for the random durations
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub seed: Option<String>,

    /// Poison pills sent at shutdown (auto: one per consumer, the correct protocol)
    #[arg(long, value_name = "N|auto", allow_negative_numbers = true)]
    pub pills: Option<String>,

    /// Make the consumer that takes this item id panic (repeatable, or comma-separated)
    #[arg(
        long = "crash-item",
        value_name = "ID",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub crash_item: Vec<String>,

    /// Emulate Python's GIL: CPU-bound (cpu:) work holds one global lock.
    #[arg(long)]
    pub gil: bool,

    /// Play at this speed (0.25 = 4x slower): scales every duration.
    // Hyphen values reach our validation, which says what is accepted.
    #[arg(long, value_name = "FACTOR", allow_hyphen_values = true)]
    pub speed: Option<String>,

    /// The queue: channel (crossbeam, the default) or an OSTEP textbook buffer, a mutex + condition variables: condvar (correct), condvar-one-cv (one variable: can deadlock), condvar-if (no re-check: can take from an empty buffer); these need a capacity of 1 or more
    #[arg(long, value_name = "KIND")]
    pub queue: Option<String>,

    /// Textbook queues: OSTEP sleep string for the producers, e.g. 0,0,1:0 — per producer (:) the sleeps in seconds at points p0..p6 (,)
    #[arg(long, value_name = "SLEEPS", allow_hyphen_values = true)]
    pub producer_sleeps: Option<String>,

    /// Textbook queues: OSTEP sleep string for the consumers, e.g. 0,0,0,1:0 — per consumer (:) the sleeps in seconds at points c0..c6 (,)
    #[arg(long, value_name = "SLEEPS", allow_hyphen_values = true)]
    pub consumer_sleeps: Option<String>,
}

impl WorkloadArgs {
    /// These flags as scenario overrides (thread counts and `--step` unset).
    pub fn overrides(&self) -> Overrides {
        Overrides {
            capacity: self.capacity.clone(),
            items: self.items.clone(),
            duration: self.duration.clone(),
            interval: self.interval.clone(),
            work: self.work.clone(),
            seed: self.seed.clone(),
            pills: self.pills.clone(),
            crash_item: self.crash_item.clone(),
            gil: self.gil,
            speed: self.speed.clone(),
            queue: self.queue.clone(),
            producer_sleeps: self.producer_sleeps.clone(),
            consumer_sleeps: self.consumer_sleeps.clone(),
            ..Overrides::default()
        }
    }
}

/// Which scenario to run and per-key overrides, shared by the live view and
/// `run`. Values stay strings here; [`ScenarioArgs::overrides`] hands them to
/// the scenario layer, which checks them.
#[derive(Clone, Debug, Default, Args)]
#[command(next_help_heading = "Scenario")]
pub struct ScenarioArgs {
    /// A built-in scenario or a scenario .toml file [default: default]
    #[arg(long, value_name = "NAME|PATH")]
    pub scenario: Option<String>,

    /// Producer threads, 1 to 1024
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub producers: Option<String>,

    /// Consumer threads, 1 to 1024
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub consumers: Option<String>,

    /// Capacity, workload, timing and the rest (shared with `sweep`).
    #[command(flatten)]
    pub workload: WorkloadArgs,

    /// Start paused and step one queue operation at a time (n in the live view).
    #[arg(long)]
    pub step: bool,
}

impl ScenarioArgs {
    /// The scenario name or path, if one was given.
    pub fn scenario(&self) -> Option<&str> {
        self.scenario.as_deref()
    }

    /// The override flags, for [`crate::scenario::resolve`].
    pub fn overrides(&self) -> Overrides {
        Overrides {
            producers: self.producers.clone(),
            consumers: self.consumers.clone(),
            step: self.step,
            ..self.workload.overrides()
        }
    }
}

/// Flags of the live terminal view.
#[derive(Clone, Debug, Args)]
#[command(next_help_heading = "Display")]
pub struct TuiArgs {
    /// Frames drawn per second, 1 to 120
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=120))]
    pub fps: u16,

    /// Draw with ASCII only (for terminals without Unicode box drawing)
    #[arg(long)]
    pub ascii: bool,

    /// Colour theme: default, or contrast for projectors [default: default; contrast with --present]
    // Listing the values in the line above keeps `--help` as short as `-h`.
    // No clap default: `--present` picks contrast unless a theme is named.
    #[arg(long, value_enum, value_name = "THEME", hide_possible_values = true)]
    pub theme: Option<Theme>,

    /// Presentation mode for a projector: few large panels, key numbers in big digits
    #[arg(long)]
    pub present: bool,

    /// When to use colour: auto (unless NO_COLOR is set), always, never [default: auto]
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorChoice::Auto,
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub color: ColorChoice,

    /// Where x saves pictures of the screen [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,
}

impl TuiArgs {
    /// The theme in effect: the one named, else contrast in presentation
    /// mode (projectors wash out dim colours), else the default.
    pub fn theme(&self) -> Theme {
        self.theme.unwrap_or(if self.present {
            Theme::Contrast
        } else {
            Theme::Default
        })
    }
}

/// Colour themes of the live view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Theme {
    /// The standard palette.
    #[default]
    Default,
    /// High contrast, for projectors and low vision.
    Contrast,
}

impl Cli {
    /// The scenario flags in effect: `run`'s, or the top level's for the live view.
    pub fn scenario_args(&self) -> &ScenarioArgs {
        match &self.command {
            Some(Command::Run(run)) => &run.scenario,
            _ => &self.scenario,
        }
    }
}

/// Parses the process's arguments. On `Err`, hand the error to [`report`].
pub fn parse() -> Result<Cli, clap::Error> {
    Cli::try_parse()
}

/// Parses the given arguments (the first is the program name), for tests.
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    Cli::try_parse_from(args)
}

/// True for the "errors" that are really `--help` / `--version` output.
fn is_display(err: &clap::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    )
}

/// A usage error in two lines: clap's first line (`error: ...`) and one hint
/// (clap's `tip:` if it has one, else where to get help), ending in a newline.
/// Help and version text is returned whole.
pub fn compact_error(err: &clap::Error) -> String {
    let text = err.render().to_string();
    if is_display(err) {
        return text;
    }
    let mut lines = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty());
    let mut first = lines
        .next()
        .unwrap_or("error: invalid arguments")
        .to_string();
    let mut rest: Vec<&str> = lines.collect();
    // "required arguments were not provided:" names them on the next line.
    if first.ends_with(':') && !rest.is_empty() {
        first = format!("{first} {}", rest.remove(0).trim());
    }
    let find = |prefix: &str| rest.iter().find(|l| l.trim_start().starts_with(prefix));
    let hint = if first.contains("the subcommand") && first.contains("cannot be used with") {
        // clap's own hint here is only "try --help"; say what to do instead.
        "  tip: put the flags after the subcommand, e.g. 'queuescope run --consumers 4'"
    } else {
        find("tip:")
            .or_else(|| find("[possible values:"))
            .or_else(|| find("For more information"))
            .map_or("For more information, try '--help'.", |l| l)
    };
    format!("{first}\n{hint}\n")
}

/// Prints a parse error the way the user needs it and says how to exit:
/// help and version go to stdout whole ([`Exit::Ok`]); usage errors go to
/// stderr as two lines ([`Exit::Usage`]), as does help shown for a missing
/// argument.
pub fn report(err: &clap::Error) -> Exit {
    if is_display(err) {
        // A closed stdout (`queuescope --help | head -1`) is not worth a panic.
        let _ = err.print();
    } else {
        eprint!("{}", compact_error(err));
    }
    // clap's own split: what goes to stderr is a usage error.
    if err.use_stderr() {
        Exit::Usage
    } else {
        Exit::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        parse_from(std::iter::once("queuescope").chain(args.iter().copied()))
    }

    fn ok(args: &[&str]) -> Cli {
        parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    fn usage_error(args: &[&str]) -> clap::Error {
        match parse(args) {
            Ok(cli) => panic!("{args:?} should fail, got {cli:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_command_is_the_live_view_with_defaults() {
        let cli = ok(&[]);
        assert!(cli.command.is_none());
        assert_eq!(cli.tui.fps, 20);
        assert!(!cli.tui.ascii);
        assert_eq!(cli.tui.theme(), Theme::Default);
        assert!(!cli.tui.present);
        assert!(cli.scenario_args().overrides().is_empty());
        assert_eq!(cli.scenario_args().scenario(), None);
    }

    #[test]
    fn live_view_flags() {
        let cli = ok(&[
            "--scenario",
            "classic",
            "--consumers",
            "8",
            "--fps",
            "60",
            "--ascii",
            "--theme",
            "contrast",
        ]);
        assert_eq!(cli.scenario_args().scenario(), Some("classic"));
        assert_eq!(
            cli.scenario_args().overrides().consumers.as_deref(),
            Some("8")
        );
        assert_eq!(
            (cli.tui.fps, cli.tui.ascii, cli.tui.theme()),
            (60, true, Theme::Contrast)
        );
    }

    #[test]
    fn present_defaults_to_the_contrast_theme_unless_one_is_named() {
        let cli = ok(&["--present", "--scenario", "mmc"]);
        assert!(cli.tui.present);
        assert_eq!(cli.tui.theme(), Theme::Contrast);
        let cli = ok(&["--present", "--theme", "default"]);
        assert_eq!(cli.tui.theme(), Theme::Default);
        // A display flag: not for the headless run.
        assert_eq!(usage_error(&["run", "--present"]).exit_code(), 2);
    }

    #[test]
    fn run_takes_every_scenario_flag() {
        let cli = ok(&[
            "run",
            "--scenario",
            "x.toml",
            "--producers",
            "2",
            "--consumers",
            "3",
            "--capacity",
            "unbounded",
            "--items",
            "9",
            "--interval",
            "exp:1ms",
            "--work",
            "cpu:2ms",
            "--seed",
            "7",
            "--pills",
            "auto",
            "--crash-item",
            "3",
            "--crash-item",
            "5,8",
            "--json",
            "--log",
        ]);
        let Some(Command::Run(run)) = &cli.command else {
            panic!("not run: {cli:?}")
        };
        assert!(run.json && run.log);
        let o = cli.scenario_args().overrides();
        assert_eq!(cli.scenario_args().scenario(), Some("x.toml"));
        assert_eq!(
            o,
            Overrides {
                producers: Some("2".into()),
                consumers: Some("3".into()),
                capacity: Some("unbounded".into()),
                items: Some("9".into()),
                duration: None,
                interval: Some("exp:1ms".into()),
                work: Some("cpu:2ms".into()),
                seed: Some("7".into()),
                pills: Some("auto".into()),
                crash_item: vec!["3".into(), "5".into(), "8".into()],
                ..Overrides::default()
            }
        );
    }

    #[test]
    fn negative_numbers_reach_our_validation() {
        // So the user sees "--consumers: expected 1 to 1024", not a clap puzzle.
        let cli = ok(&["run", "--consumers", "-4"]);
        assert_eq!(cli.scenario_args().consumers.as_deref(), Some("-4"));
    }

    #[test]
    fn scenarios_subcommand() {
        assert!(matches!(
            ok(&["scenarios"]).command,
            Some(Command::Scenarios(_))
        ));
    }

    #[test]
    fn misplaced_flags_are_usage_errors() {
        // Top-level flags before a subcommand would be silently ignored.
        assert_eq!(usage_error(&["--consumers", "3", "run"]).exit_code(), 2);
        // Display flags belong to the live view only.
        assert_eq!(usage_error(&["run", "--fps", "10"]).exit_code(), 2);
        assert_eq!(usage_error(&["--fps", "0"]).exit_code(), 2);
        assert_eq!(usage_error(&["--theme", "neon"]).exit_code(), 2);
        assert_eq!(usage_error(&["--bogus"]).exit_code(), 2);
    }

    #[test]
    fn usage_errors_are_two_lines() {
        let text = compact_error(&usage_error(&["run", "--jsn"]));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0], "error: unexpected argument '--jsn' found");
        assert!(
            lines[1].contains("tip:") && lines[1].contains("--json"),
            "{text}"
        );

        let text = compact_error(&usage_error(&["--fps", "abc"]));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with("error: invalid value 'abc' for '--fps <N>'"),
            "{text}"
        );
        assert_eq!(lines[1], "For more information, try '--help'.");

        let text = compact_error(&usage_error(&["--theme", "neon"]));
        assert_eq!(
            text,
            "error: invalid value 'neon' for '--theme <THEME>'\n  [possible values: default, contrast]\n"
        );

        let text = compact_error(&usage_error(&["run", "--log-format", "plain"]));
        assert_eq!(
            text.lines().next(),
            Some("error: the following required arguments were not provided: --log")
        );

        let text = compact_error(&usage_error(&["--consumers", "3", "run"]));
        assert_eq!(
            text,
            "error: the subcommand 'run' cannot be used with '--consumers <N>'\n  \
             tip: put the flags after the subcommand, e.g. 'queuescope run --consumers 4'\n"
        );
    }

    #[test]
    fn colour_flags_win_over_no_color_and_auto_follows_it() {
        // (tty, NO_COLOR set) → colour?
        assert!(ColorChoice::Auto.resolve(true, false));
        assert!(!ColorChoice::Auto.resolve(true, true));
        assert!(!ColorChoice::Auto.resolve(false, false));
        assert!(ColorChoice::Always.resolve(false, true));
        assert!(!ColorChoice::Never.resolve(true, false));
        assert_eq!(ok(&["--color", "never"]).tui.color, ColorChoice::Never);
        assert_eq!(ok(&[]).tui.color, ColorChoice::Auto);
        assert_eq!(usage_error(&["--color", "sometimes"]).exit_code(), 2);
    }

    #[test]
    fn screen_sizes_parse_within_what_the_screen_can_draw() {
        assert_eq!(
            ScreenSize::parse("100x30"),
            Ok(ScreenSize {
                cols: 100,
                rows: 30
            })
        );
        assert_eq!(ScreenSize::parse(" 80X24 ").map(|s| s.rows), Ok(24));
        for bad in [
            "", "120", "x40", "120x", "59x40", "120x15", "501x40", "120x201", "-1x4",
        ] {
            let e = ScreenSize::parse(bad).unwrap_err();
            assert!(
                e.starts_with("expected COLSxROWS, e.g. 120x40"),
                "{bad}: {e}"
            );
        }
        // The smallest picture is a screen the live view can draw (checked
        // when the tests compile).
        const {
            assert!(ScreenSize::MIN.cols >= crate::ui::MIN_WIDTH);
            assert!(ScreenSize::MIN.rows >= crate::ui::MIN_HEIGHT);
        }
        assert_eq!(
            ScreenSize::default(),
            ScreenSize {
                cols: 120,
                rows: 40
            }
        );
    }

    #[test]
    fn hyphenated_times_reach_our_validation() {
        let cli = ok(&[
            "run",
            "--work",
            "-5ms",
            "--duration",
            "-1s",
            "--interval",
            "-2ms",
        ]);
        let o = cli.scenario_args().overrides();
        assert_eq!(o.work.as_deref(), Some("-5ms"));
        assert_eq!(o.duration.as_deref(), Some("-1s"));
        assert_eq!(o.interval.as_deref(), Some("-2ms"));
    }

    #[test]
    fn help_and_version_are_not_errors() {
        let help = usage_error(&["--help"]);
        assert_eq!(help.exit_code(), 0);
        let text = compact_error(&help);
        assert!(
            text.contains("--scenario <NAME|PATH>") && text.contains("--theme <THEME>"),
            "{text}"
        );
        let version = usage_error(&["--version"]);
        assert_eq!(version.exit_code(), 0);
        assert!(compact_error(&version).starts_with("queuescope "));
        assert_eq!(usage_error(&["run", "--help"]).exit_code(), 0);
    }
}
