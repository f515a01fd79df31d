//! The report command's arguments (clap's derive: the one list of options, their help and
//! their parsers) and the checkers' environment variables, read once into [`Options`].
//! Bad input is a [`UsageError`] that names the bad value and the choices, with a
//! suggestion for a misspelt name.

use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser};

use crate::assumptions::{AssumeError, Readings};
use crate::designs::{self, DynDesign};
use crate::explore::checker::{self, CheckerKind, RUNNING};
use crate::explore::{self, Settings};
use crate::scenarios::{self, Scenario};
use crate::sweep::{self, Faults, Shard};
use crate::sync::Arc;
use crate::wfp::faults::FaultPlan;

const ABOUT: &str = "wfpcheck: checks netebpfext's WFP attach path designs under this build's checker:
loom (RUSTFLAGS=\"--cfg loom\"), shuttle (--features shuttle) or real threads.";

const AFTER_HELP: &str = "\
A verdict is pass (explored exhaustively), pass-bounded (to a preemption bound),
sampled (only sampled: nothing proven), fail, vacuous or inconclusive. A pass covers
only synchronization through wfpcheck::sync.

exit status: 0 every verdict as declared; 1 a verdict not as declared or inconclusive
(or, for --replay, the schedule shows no violation; for --scan, something was found;
for --sensitivity, a verdict under some reading is inconclusive; for --faults and
--merge, also a census that did not finish or pairs beyond the bound);
2 bad usage.";

/// The command line as clap reads it; [`parse`] turns it into [`Options`].
#[derive(Debug, Parser)]
#[command(
    name = "wfpcheck",
    about = ABOUT,
    after_help = AFTER_HELP,
    disable_version_flag = true,
    allow_negative_numbers = true,
    term_width = 90
)]
struct Cli {
    /// The checker: this build's own (the default), or in the shuttle build `stateful`
    /// (DFS that remembers every state it explored)
    #[arg(long, value_name = "NAME", value_parser = checker)]
    checker: Option<CheckerKind>,
    /// A design to check (repeatable, reported in the order given; default: every design)
    #[arg(long = "design", value_name = "NAME", value_parser = design)]
    designs: Vec<Arc<dyn DynDesign>>,
    /// A scenario to run (repeatable, reported in the order given; default: every scenario)
    #[arg(long = "scenario", value_name = "NAME", value_parser = scenario)]
    scenarios: Vec<Scenario>,
    /// A fault plan (repeatable; default: each scenario's own plans)
    #[arg(long = "plan", value_name = "PLAN", value_parser = plan)]
    plans: Vec<FaultPlan>,
    /// At most N executions per exploration; more is inconclusive
    #[arg(long, value_name = "N", value_parser = executions_max)]
    max_executions: Option<u64>,
    /// Loom only: at most N preemptions per execution (default: none, but the rows
    /// expectations::LOOM_BOUNDS names get their bound)
    #[arg(long, value_name = "N", value_parser = preemption_bound)]
    preemption_bound: Option<usize>,
    /// Loom only: explore those rows exhaustively too
    #[arg(long)]
    exhaustive: bool,
    /// Run under another reading of an undocumented WFP rule (repeatable; `expected`
    /// stays the default readings' verdict, so a row marked (!) is one that rests on it)
    #[arg(long = "assume", value_name = "NAME=READING", value_parser = assumption)]
    assume: Vec<String>,
    /// List the assumptions and their readings, and exit
    #[arg(long)]
    assumptions: bool,
    /// Explore each row under every reading of every assumption, one assumption changed
    /// at a time, and say which verdicts rest on which
    #[arg(long)]
    sensitivity: bool,
    /// A fault sweep instead of the named plans: every single fault (1) or every pair (2)
    /// the scenario's WFP calls can meet
    #[arg(long, value_name = "N", value_parser = faults)]
    faults: Option<Faults>,
    /// With --faults 2: at most N pairs per design x scenario (default 10000, at most
    /// 100000); more found is said, and exits 1
    #[arg(long, value_name = "N", value_parser = pairs_max)]
    pairs_max: Option<usize>,
    /// Explorations at once (default: the machine's cores): with --faults, the sweep in N
    /// processes; else under shuttle's runtime (either checker), the rows on N threads;
    /// the output is the same for every N
    #[arg(long, value_name = "N", value_parser = jobs)]
    jobs: Option<usize>,
    /// With --faults: run only the I-th of N deterministic shares
    #[arg(long, value_name = "I/N", value_parser = shard)]
    shard: Option<Shard>,
    /// With --faults: only the K-th of N shares of the shard's plans (what --jobs gives
    /// each of its processes)
    #[arg(long, value_name = "K/N", value_parser = job, hide = true)]
    job: Option<Shard>,
    /// Merge the JSON of every shard of one sweep into one report (takes every
    /// following argument up to the next option)
    #[arg(long, value_name = "FILE", num_args = 1..)]
    merge: Vec<String>,
    /// text (default), json or markdown
    #[arg(long, value_name = "FORMAT", value_parser = format)]
    format: Option<Format>,
    /// Text: every row and every counterexample in full (by default a large selection
    /// prints a design x scenario summary and a line per failing cell)
    #[arg(long)]
    counterexamples: bool,
    /// Shuttle only: replay one counterexample's schedule (needs exactly one --design,
    /// --scenario and --plan)
    #[arg(long, value_name = "SCHEDULE")]
    replay: Option<String>,
    /// Print a benchmark instead: matrix, growth, first, sweep or threads
    #[arg(long, value_name = "KIND", value_parser = bench)]
    bench: Option<Bench>,
    /// Scan a design's Rust source for synchronization the checker cannot see, instead
    /// of exploring: a file, or every Rust file under a directory (repeatable)
    #[arg(long = "scan", value_name = "PATH")]
    scan: Vec<String>,
    /// Print the version and the checker of this build, and exit
    #[arg(long, short = 'V', action = ArgAction::SetTrue)]
    version: bool,
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

impl Format {
    const NAMES: [(&'static str, Format); 3] =
        [("text", Format::Text), ("json", Format::Json), ("markdown", Format::Markdown)];
}

/// The benchmarks `--bench` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bench {
    /// Every design x scenario x plan: executions, traces, rates, time.
    Matrix,
    /// Threads 2 to 4 and filters 1 to 4, exhaustive and bounded.
    Growth,
    /// Time to the first counterexample of naive / two_attach.
    First,
    /// The single-fault sweep of the two-thread scenarios in one process and in `--jobs`.
    Sweep,
    /// attach_many with 2 threads up to as many as the checker runs (loom 4, the others 5),
    /// unbounded, for global_lock and per_context_handle (with the stateful checker, beside SPIN's states).
    Threads,
}

impl Bench {
    const NAMES: [(&'static str, Bench); 5] = [
        ("matrix", Bench::Matrix),
        ("growth", Bench::Growth),
        ("first", Bench::First),
        ("sweep", Bench::Sweep),
        ("threads", Bench::Threads),
    ];
}

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--design`: the designs chosen, resolved (empty: every design).
    pub designs: Vec<Arc<dyn DynDesign>>,
    /// `--scenario`: the scenarios chosen, resolved (empty: every scenario).
    pub scenarios: Vec<Scenario>,
    pub plans: Vec<FaultPlan>,
    pub format: Format,
    /// `--counterexamples`: every row and counterexample in full.
    pub counterexamples: bool,
    pub replay: Option<String>,
    pub bench: Option<Bench>,
    pub scan: Vec<String>,
    /// `--help`: print the help instead.
    pub help: bool,
    /// `--version`: print the version instead.
    pub version: bool,
    /// `--assumptions`: list them instead of exploring.
    pub list_assumptions: bool,
    /// `--sensitivity`: every row under every reading.
    pub sensitivity: bool,
    /// `--faults N`: a fault sweep (`--pairs-max` in its bound).
    pub faults: Option<Faults>,
    /// `--jobs N`: explorations at once.
    pub jobs: usize,
    /// Whether `--jobs` was given (rather than the machine's cores).
    pub jobs_given: bool,
    /// `--shard I/N`: this share of the sweep's plans.
    pub shard: Option<Shard>,
    /// `--merge FILE...`: shards to merge.
    pub merge: Vec<String>,
    /// `--job K/N`: the share of the sweep one of `--jobs`' processes runs.
    pub job: Shard,
    pub settings: Settings,
}

/// Bad input, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("unknown option `{given}`{suggestion}; options: {options}")]
    UnknownOption { given: String, suggestion: String, options: String },
    #[error("`{0}` needs a value")]
    MissingValue(String),
    #[error("`{0}` is given more than once")]
    Twice(String),
    #[error("unknown {what} `{given}`{suggestion}; {what}s: {choices}")]
    Unknown { what: &'static str, given: String, suggestion: String, choices: String },
    #[error("{0}")]
    BadPlan(String),
    #[error("`--checker {0}`: {1}")]
    Unavailable(&'static str, String),
    #[error("`{option}` takes a whole number {range}, not `{value}`")]
    BadNumber { option: &'static str, value: String, range: &'static str },
    #[error("environment variable {name}={value:?} is not valid: {why}")]
    BadEnvironment { name: String, value: String, why: String },
    #[error("`--replay` {0}")]
    Replay(String),
    #[error("`--preemption-bound` and `--exhaustive` apply to loom only; this build checks with {0}")]
    NotLoom(&'static str),
    #[error("`--scan` cannot read `{0}`: {1}")]
    Unreadable(String, String),
    #[error("`--scan` runs alone; it does not take `{0}`")]
    ScanAlone(&'static str),
    #[error("`--assume`: {0}")]
    BadAssumption(#[from] AssumeError),
    #[error("`--assumptions` runs alone; it does not take `{0}`")]
    AssumptionsAlone(String),
    #[error("`--sensitivity` varies every assumption itself; it does not take `{0}`")]
    SensitivityWith(&'static str),
    #[error("`--faults` takes 1 (every single fault) or 2 (every pair), not `{0}`")]
    BadFaults(String),
    #[error("{0}")]
    BadShard(String),
    #[error("`--pairs-max` bounds a pair sweep; give `--faults 2` too")]
    PairsMaxWithoutPairs,
    #[error("`--shard` and `--job` divide a fault sweep; give `--faults` too")]
    ShardWithoutFaults,
    #[error("`--faults` sweeps every fault itself; it does not take `{0}`")]
    FaultsWith(&'static str),
    #[error(
        "`--counterexamples` shows the text report's counterexamples (JSON has every one); it does not take `{0}`"
    )]
    CounterexamplesWith(&'static str),
    #[error("`--merge` only reads shards' JSON (and takes `--format`); it does not take `{0}`")]
    MergeWith(&'static str),
    /// What clap refused that none of the above says (its own words).
    #[error("{0}")]
    Other(String),
}

/// Options that do not go together: each option, the options it does not take, and the
/// refusal naming the one given. clap refuses them ([`command`]); the first entry naming
/// both options of a conflict words the refusal.
const CONFLICTS: &[(&str, &[&str], fn(&'static str) -> UsageError)] = &[
    ("--sensitivity", &["--assume", "--replay", "--bench", "--scan"], UsageError::SensitivityWith),
    ("--faults", &["--plan", "--sensitivity", "--replay", "--bench", "--scan", "--merge"], UsageError::FaultsWith),
    (
        "--merge",
        &["--design", "--scenario", "--plan", "--assume", "--sensitivity", "--replay", "--bench", "--scan"],
        UsageError::MergeWith,
    ),
    ("--scan", &["--design", "--scenario", "--plan", "--replay", "--bench", "--format"], UsageError::ScanAlone),
    (
        "--counterexamples",
        &["--format", "--faults", "--merge", "--sensitivity", "--replay", "--bench", "--scan"],
        UsageError::CounterexamplesWith,
    ),
];

/// The command clap parses: the options of [`Cli`], and the [`CONFLICTS`] between them.
fn command() -> clap::Command {
    let mut command = Cli::command();
    let id = |command: &clap::Command, long: &str| {
        let long = long.trim_start_matches("--");
        let arg = command.get_arguments().find(|arg| arg.get_long() == Some(long));
        arg.unwrap_or_else(|| panic!("CONFLICTS names `--{long}`, which is no option")).get_id().clone()
    };
    for (option, others, _) in CONFLICTS {
        let others: Vec<clap::Id> = others.iter().map(|other| id(&command, other)).collect();
        let option = id(&command, option);
        command = command.mut_arg(option, |arg| arg.conflicts_with_all(others));
    }
    command
}

/// The refusal of two options given together, worded by the first [`CONFLICTS`] entry
/// that names both; `None` if none does.
fn conflict(a: &str, b: &str) -> Option<UsageError> {
    CONFLICTS.iter().find_map(|(option, others, refusal)| {
        let other = others.iter().find(|other| (*option == a && **other == b) || (*option == b && **other == a))?;
        Some(refusal(other))
    })
}

/// `; did you mean `x`?` for the choice closest to `given`, if one is close.
fn suggestion<'a>(given: &str, choices: impl IntoIterator<Item = &'a str>) -> String {
    choices
        .into_iter()
        .map(|choice| (strsim::jaro(given, choice), choice))
        .filter(|(similarity, _)| *similarity > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(String::new(), |(_, choice)| format!(" (did you mean `{choice}`?)"))
}

/// Looks `given` up among `choices`, or says which it could have been.
fn one_of<T: Copy>(what: &'static str, given: &str, choices: &[(&'static str, T)]) -> Result<T, UsageError> {
    match choices.iter().find(|(name, _)| *name == given) {
        Some((_, value)) => Ok(*value),
        None => Err(UsageError::Unknown {
            what,
            given: given.to_string(),
            suggestion: suggestion(given, choices.iter().map(|(name, _)| *name)),
            choices: choices.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", "),
        }),
    }
}

fn design(text: &str) -> Result<Arc<dyn DynDesign>, UsageError> {
    let builtin = designs::builtin();
    let names: Vec<(&'static str, usize)> = builtin.iter().enumerate().map(|(i, d)| (d.name(), i)).collect();
    one_of("design", text, &names).map(|i| builtin[i].clone())
}

fn scenario(text: &str) -> Result<Scenario, UsageError> {
    let builtin = scenarios::builtin();
    let names: Vec<(&'static str, usize)> = builtin.iter().enumerate().map(|(i, s)| (s.name, i)).collect();
    one_of("scenario", text, &names).map(|i| builtin[i].clone())
}

fn checker(text: &str) -> Result<CheckerKind, UsageError> {
    let names = CheckerKind::ALL.map(|kind| (kind.name(), kind));
    let kind = one_of("checker", text, &names)?;
    if !checker::AVAILABLE.contains(&kind) {
        return Err(UsageError::Unavailable(kind.name(), checker::unavailable(kind)));
    }
    Ok(kind)
}

fn format(text: &str) -> Result<Format, UsageError> {
    one_of("format", text, &Format::NAMES)
}

fn bench(text: &str) -> Result<Bench, UsageError> {
    one_of("benchmark", text, &Bench::NAMES)
}

fn plan(text: &str) -> Result<FaultPlan, UsageError> {
    FaultPlan::parse(text).map_err(|e| UsageError::BadPlan(e.to_string()))
}

fn assumption(text: &str) -> Result<String, UsageError> {
    Readings::default().assume(text)?;
    Ok(text.to_string())
}

/// A whole number of `option` from `least` to `most`, `range` in words.
fn number<T: std::str::FromStr + PartialOrd>(
    option: &'static str,
    text: &str,
    (least, most): (T, T),
    range: &'static str,
) -> Result<T, UsageError> {
    let bad = || UsageError::BadNumber { option, value: text.to_string(), range };
    let n = text.parse::<T>().map_err(|_| bad())?;
    if n < least || n > most {
        return Err(bad());
    }
    Ok(n)
}

fn executions_max(text: &str) -> Result<u64, UsageError> {
    number("--max-executions", text, (1, u64::MAX), "of at least 1")
}

fn preemption_bound(text: &str) -> Result<usize, UsageError> {
    if !explore::BOUNDS_PREEMPTIONS {
        return Err(UsageError::NotLoom(RUNNING.name()));
    }
    number("--preemption-bound", text, (0, usize::MAX), "of at least 0")
}

fn pairs_max(text: &str) -> Result<usize, UsageError> {
    number("--pairs-max", text, (1, sweep::PAIRS_MAX_LIMIT), "from 1 to 100000")
}

fn jobs(text: &str) -> Result<usize, UsageError> {
    number("--jobs", text, (1, crate::explore::jobs::JOBS_MAX), "from 1 to 256")
}

fn faults(text: &str) -> Result<Faults, UsageError> {
    match text {
        "1" => Ok(Faults::One),
        "2" => Ok(Faults::Two { pairs_max: sweep::PAIRS_MAX_DEFAULT }),
        other => Err(UsageError::BadFaults(other.to_string())),
    }
}

fn shard(text: &str) -> Result<Shard, UsageError> {
    Shard::parse(text).map_err(UsageError::BadShard)
}

fn job(text: &str) -> Result<Shard, UsageError> {
    Shard::parse(text).map_err(|e| UsageError::BadShard(e.replace("--shard", "--job")))
}

/// The help `--help` prints: clap's, from the options above.
pub fn help() -> String {
    Cli::command().render_help().to_string()
}

/// Every option's long name, as the unknown-option message lists them.
fn option_names() -> Vec<String> {
    let command = Cli::command();
    command
        .get_arguments()
        .filter(|arg| !arg.is_hide_set())
        .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
        .chain(["--help".to_string()])
        .collect()
}

/// An option as clap's errors print it, by its name (`--jobs <N>` becomes `--jobs`).
fn option_name(arg: &str) -> String {
    arg.split([' ', '=']).next().unwrap_or(arg).to_string()
}

/// The option a clap error is about.
fn option_of(error: &clap::Error) -> String {
    match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => option_name(arg),
        _ => String::new(),
    }
}

/// clap's refusal in this command's words: a value parser's own [`UsageError`] as it is.
fn usage_error(error: clap::Error) -> UsageError {
    if let Some(ours) = std::error::Error::source(&error).and_then(|source| source.downcast_ref::<UsageError>()) {
        return ours.clone();
    }
    match error.kind() {
        ErrorKind::UnknownArgument => {
            let given = option_of(&error);
            let names = option_names();
            let suggestion = match error.get(ContextKind::SuggestedArg) {
                Some(ContextValue::String(arg)) => format!(" (did you mean `{arg}`?)"),
                _ => suggestion(&given, names.iter().map(String::as_str)),
            };
            UsageError::UnknownOption { given, suggestion, options: names.join(", ") }
        }
        ErrorKind::InvalidValue | ErrorKind::TooFewValues => UsageError::MissingValue(option_of(&error)),
        ErrorKind::ArgumentConflict => {
            let given = option_of(&error);
            let prior = match error.get(ContextKind::PriorArg) {
                Some(ContextValue::String(arg)) => option_name(arg),
                Some(ContextValue::Strings(args)) => args.first().map(|arg| option_name(arg)).unwrap_or_default(),
                _ => given.clone(),
            };
            conflict(&given, &prior).unwrap_or(UsageError::Twice(given))
        }
        _ => {
            let text = error.render().to_string();
            let first = text.lines().next().unwrap_or_default();
            UsageError::Other(first.trim_start_matches("error: ").to_string())
        }
    }
}

/// Reads the checkers' environment variables: a bad value is a usage error (loom and
/// shuttle would otherwise panic on it mid-run); good ones become the settings they name.
fn environment(settings: &mut Settings, env: &dyn Fn(&str) -> Option<String>) -> Result<(), UsageError> {
    let bad = |name: &str, value: &str, why: &str| UsageError::BadEnvironment {
        name: name.to_string(),
        value: value.to_string(),
        why: why.to_string(),
    };
    let whole = |name: &str, least: u64| -> Result<Option<u64>, UsageError> {
        match env(name) {
            None => Ok(None),
            Some(value) => match value.parse::<u64>() {
                Ok(n) if n >= least => Ok(Some(n)),
                _ => Err(bad(name, &value, &format!("it must be a whole number of at least {least}"))),
            },
        }
    };
    if let Some(bound) = whole("LOOM_MAX_PREEMPTIONS", 0)? {
        settings.loom_preemption_bound = Some(bound as usize);
    }
    if let Some(branches) = whole("LOOM_MAX_BRANCHES", 1)? {
        settings.loom_branches_max = branches as usize;
    }
    if let Some(executions) = whole("LOOM_MAX_PERMUTATIONS", 1)? {
        settings.executions_max = settings.executions_max.min(executions);
    }
    if let Some(seconds) = whole("LOOM_MAX_DURATION", 1)? {
        settings.duration_max = Duration::from_secs(seconds);
    }
    whole("LOOM_CHECKPOINT_INTERVAL", 1)?;
    if let Some(file) = env("LOOM_CHECKPOINT_FILE") {
        return Err(bad(
            "LOOM_CHECKPOINT_FILE",
            &file,
            "checkpoints are not supported: loom is built without its `checkpoint` feature, and every counterexample is printed in full; unset it",
        ));
    }
    if let Some(seed) = env("SHUTTLE_RANDOM_SEED") {
        if seed.parse::<u64>().is_err() {
            return Err(bad("SHUTTLE_RANDOM_SEED", &seed, "it must be a whole number from 0 to 18446744073709551615"));
        }
    }
    Ok(())
}

/// Parses the arguments (without the program name) and the environment.
pub fn parse(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Options, UsageError> {
    let mut settings = Settings::default();
    environment(&mut settings, env)?;
    let matches = command().try_get_matches_from(std::iter::once("wfpcheck".to_string()).chain(args.iter().cloned()));
    let cli = match matches.and_then(|matches| Cli::from_arg_matches(&matches)) {
        Ok(cli) => cli,
        Err(error) if error.kind() == ErrorKind::DisplayHelp => return Ok(Options::asking(true, false, settings)),
        Err(error) => return Err(usage_error(error)),
    };
    if cli.version {
        return Ok(Options::asking(false, true, settings));
    }
    if let Some(checker) = cli.checker {
        settings.checker = checker;
    }
    if let Some(n) = cli.max_executions {
        settings.executions_max = settings.executions_max.min(n);
    }
    if cli.preemption_bound.is_some() {
        settings.loom_preemption_bound = cli.preemption_bound;
    }
    if cli.exhaustive {
        if !explore::BOUNDS_PREEMPTIONS {
            return Err(UsageError::NotLoom(RUNNING.name()));
        }
        settings.loom_declared_bounds = false;
    }
    for reading in &cli.assume {
        settings.assumptions = settings.assumptions.assume(reading)?;
    }
    let mut faults = cli.faults;
    match (cli.pairs_max, &mut faults) {
        (None, _) => {}
        (Some(max), Some(Faults::Two { pairs_max })) => *pairs_max = max,
        (Some(_), _) => return Err(UsageError::PairsMaxWithoutPairs),
    }
    let options = Options {
        designs: cli.designs,
        scenarios: cli.scenarios,
        plans: cli.plans,
        format: cli.format.unwrap_or(Format::Text),
        counterexamples: cli.counterexamples,
        replay: cli.replay,
        bench: cli.bench,
        scan: cli.scan,
        list_assumptions: cli.assumptions,
        sensitivity: cli.sensitivity,
        faults,
        jobs: cli.jobs.unwrap_or_else(crate::explore::jobs::cores),
        jobs_given: cli.jobs.is_some(),
        shard: cli.shard,
        merge: cli.merge,
        job: cli.job.unwrap_or(Shard::ALL),
        ..Options::asking(false, false, settings)
    };
    options.refuse_combinations(args)?;
    Ok(options)
}

impl Options {
    /// Options that only ask for the help or the version (with neither: every default).
    fn asking(help: bool, version: bool, settings: Settings) -> Options {
        Options {
            designs: Vec::new(),
            scenarios: Vec::new(),
            plans: Vec::new(),
            format: Format::Text,
            counterexamples: false,
            replay: None,
            bench: None,
            scan: Vec::new(),
            help,
            version,
            list_assumptions: false,
            sensitivity: false,
            faults: None,
            jobs: crate::explore::jobs::cores(),
            jobs_given: false,
            shard: None,
            merge: Vec::new(),
            job: Shard::ALL,
            settings,
        }
    }

    /// What clap's conflicts cannot say: `--assumptions` takes nothing else, `--shard`
    /// and `--job` need `--faults`, `--replay` a parsable schedule and one row.
    fn refuse_combinations(&self, given: &[String]) -> Result<(), UsageError> {
        if self.list_assumptions {
            if let Some(other) = given.iter().find(|a| a.as_str() != "--assumptions") {
                return Err(UsageError::AssumptionsAlone(other.clone()));
            }
        }
        if (self.shard.is_some() || self.job != Shard::ALL) && self.faults.is_none() {
            return Err(UsageError::ShardWithoutFaults);
        }
        if let Some(schedule) = &self.replay {
            if let Some(why) = explore::schedule_refusal(schedule) {
                return Err(UsageError::Replay(why));
            }
            if self.designs.len() != 1 || self.scenarios.len() != 1 || self.plans.len() != 1 {
                return Err(UsageError::Replay(
                    "needs exactly one --design, one --scenario and one --plan".to_string(),
                ));
            }
        }
        Ok(())
    }
}
