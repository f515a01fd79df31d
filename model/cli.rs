//! The report command: parses its arguments and environment, runs the explorations of
//! this build's checker, and prints the verdict matrix and the counterexamples.
//! Bad input gets one message on stderr, exit 2, nothing on stdout and nothing run.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use crate::assumptions::{AssumeError, Readings, ASSUMPTIONS};
use crate::designs::{self, DynDesign};
use crate::expectations::{self, EXPECTED};
use crate::explore::{self, Progress, Settings, Verdict};
use crate::faults::FaultPlan;
use crate::render::{self, Row};
use crate::scenarios::{self, Scenario};
use crate::sweep::{self, Faults, Shard};
use crate::sync::{Arc, Checker, CHECKER};

pub const USAGE: &str = "\
wfpcheck: checks netebpfext's WFP attach path designs under this build's checker
(loom with RUSTFLAGS=\"--cfg loom\", shuttle with --features shuttle, real threads otherwise).

usage: wfpcheck [options]

  --design NAME          a design to check (repeatable; default: every design)
  --scenario NAME        a scenario to run (repeatable; default: every scenario)
  --plan PLAN            a fault plan (repeatable; default: each scenario's own plans)
  --max-executions N     at most N executions per exploration; more is inconclusive
  --preemption-bound N   loom only: at most N preemptions per execution (default: none,
                         but the rows expectations::LOOM_BOUNDS names get their bound)
  --exhaustive           loom only: explore those rows exhaustively too
  --assume NAME=READING  run under another reading of an undocumented WFP rule
                         (repeatable; `expected` stays the default readings' verdict,
                         so a row marked (!) is one that rests on the rule)
  --assumptions          list the assumptions and their readings, and exit
  --sensitivity          explore each row under every reading of every assumption, one
                         assumption changed at a time, and say which verdicts rest on which
  --faults N             a fault sweep instead of the named plans: every single fault (1)
                         or every pair (2) the scenario's WFP calls can meet
  --pairs-max N          with --faults 2: at most N pairs per design x scenario (default
                         2000, at most 100000); more found is said, and exits 1
  --jobs N               with --faults: run the sweep in N processes at once (default:
                         the machine's cores); the output is the same for every N
  --shard I/N            with --faults: run only the I-th of N deterministic shares
  --job K/N              with --faults: run only the K-th of N shares of the plans of the
                         shard (what --jobs gives each of its processes)
  --merge FILE...        merge the JSON of every shard of one sweep into one report
                         (takes every following argument up to the next option)
  --format FORMAT        text (default), json or markdown
  --replay SCHEDULE      shuttle only: replay one counterexample's schedule
                         (needs exactly one --design, --scenario and --plan)
  --bench KIND           print a benchmark instead: matrix, growth, first, sweep or
                         threads
  --scan FILE            scan a design's Rust source for synchronization the checker
                         cannot see, instead of exploring (repeatable)
  --help                 print this and exit

A verdict is pass (explored exhaustively), pass-bounded (to a preemption bound),
sampled (only sampled: nothing proven), fail, vacuous or inconclusive. A pass covers
only synchronization through wfpcheck::sync.

exit status: 0 every verdict as declared; 1 a verdict not as declared or inconclusive
(or, for --replay, the schedule shows no violation; for --scan, something was found;
for --sensitivity, a verdict under some reading is inconclusive; for --faults and
--merge, also a census that did not finish or pairs beyond the bound);
2 bad usage.
";

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
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
    /// attach_many with 2 to 4 threads, unbounded, for global_lock and per_context_handle.
    Threads,
}

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct Options {
    pub designs: Vec<String>,
    pub scenarios: Vec<String>,
    pub plans: Vec<FaultPlan>,
    pub format: Format,
    pub replay: Option<String>,
    pub bench: Option<Bench>,
    pub scan: Vec<String>,
    pub help: bool,
    /// `--assumptions`: list them instead of exploring.
    pub list_assumptions: bool,
    /// `--sensitivity`: every row under every reading.
    pub sensitivity: bool,
    /// `--faults N`: a fault sweep.
    pub faults: Option<Faults>,
    /// `--pairs-max N`: the bound of a pair sweep.
    pub pairs_max: Option<usize>,
    /// `--jobs N`: explorations at once.
    pub jobs: usize,
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
    #[error("unknown option `{0}`; options: --design, --scenario, --plan, --max-executions, --preemption-bound, --exhaustive, --assume, --assumptions, --sensitivity, --faults, --pairs-max, --jobs, --shard, --job, --merge, --format, --replay, --bench, --scan, --help")]
    UnknownOption(String),
    #[error("`{0}` needs a value")]
    MissingValue(String),
    #[error("unknown design `{0}`; designs: {1}")]
    UnknownDesign(String, String),
    #[error("unknown scenario `{0}`; scenarios: {1}")]
    UnknownScenario(String, String),
    #[error("{0}")]
    BadPlan(String),
    #[error("unknown format `{0}`; formats: text, json, markdown")]
    UnknownFormat(String),
    #[error("unknown benchmark `{0}`; benchmarks: matrix, growth, first, sweep, threads")]
    UnknownBench(String),
    #[error("`{option}` takes a whole number {range}, not `{value}`")]
    BadNumber { option: String, value: String, range: &'static str },
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
    #[error("`--merge` only reads shards' JSON (and takes `--format`); it does not take `{0}`")]
    MergeWith(&'static str),
}

fn number<T: std::str::FromStr + PartialOrd>(
    option: &str,
    value: &str,
    least: T,
    range: &'static str,
) -> Result<T, UsageError> {
    let bad = || UsageError::BadNumber { option: option.to_string(), value: value.to_string(), range };
    let n = value.parse::<T>().map_err(|_| bad())?;
    if n < least {
        return Err(bad());
    }
    Ok(n)
}

fn names(list: impl Iterator<Item = &'static str>) -> String {
    list.collect::<Vec<_>>().join(", ")
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
    let mut options = Options {
        designs: Vec::new(),
        scenarios: Vec::new(),
        plans: Vec::new(),
        format: Format::Text,
        replay: None,
        bench: None,
        scan: Vec::new(),
        help: false,
        list_assumptions: false,
        sensitivity: false,
        faults: None,
        pairs_max: None,
        jobs: crate::explore::jobs::cores(),
        shard: None,
        merge: Vec::new(),
        job: Shard::ALL,
        settings: Settings::default(),
    };
    environment(&mut options.settings, env)?;
    let given = args;
    let mut args = args.iter().peekable();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(|| UsageError::MissingValue(arg.clone()));
        match arg.as_str() {
            "--help" | "-h" => options.help = true,
            "--design" => {
                let name = value()?;
                if designs::by_name(&name).is_none() {
                    return Err(UsageError::UnknownDesign(name, names(designs::builtin().iter().map(|d| d.name()))));
                }
                options.designs.push(name);
            }
            "--scenario" => {
                let name = value()?;
                if scenarios::by_name(&name).is_none() {
                    return Err(UsageError::UnknownScenario(name, names(scenarios::builtin().iter().map(|s| s.name))));
                }
                options.scenarios.push(name);
            }
            "--plan" => {
                let plan = FaultPlan::parse(&value()?).map_err(|e| UsageError::BadPlan(e.to_string()))?;
                options.plans.push(plan);
            }
            "--max-executions" => {
                let n = number::<u64>(arg, &value()?, 1, "of at least 1")?;
                options.settings.executions_max = options.settings.executions_max.min(n);
            }
            "--preemption-bound" => {
                if CHECKER != Checker::Loom {
                    return Err(UsageError::NotLoom(CHECKER.name()));
                }
                options.settings.loom_preemption_bound = Some(number::<usize>(arg, &value()?, 0, "of at least 0")?);
            }
            "--exhaustive" => {
                if CHECKER != Checker::Loom {
                    return Err(UsageError::NotLoom(CHECKER.name()));
                }
                options.settings.loom_declared_bounds = false;
            }
            "--format" => {
                options.format = match value()?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "markdown" => Format::Markdown,
                    other => return Err(UsageError::UnknownFormat(other.to_string())),
                }
            }
            "--assume" => options.settings.assumptions = options.settings.assumptions.assume(&value()?)?,
            "--assumptions" => options.list_assumptions = true,
            "--sensitivity" => options.sensitivity = true,
            "--faults" => {
                options.faults = Some(match value()?.as_str() {
                    "1" => Faults::One,
                    "2" => Faults::Two { pairs_max: sweep::PAIRS_MAX_DEFAULT },
                    other => return Err(UsageError::BadFaults(other.to_string())),
                })
            }
            "--pairs-max" => {
                let range = "from 1 to 100000";
                let max = number::<usize>(arg, &value()?, 1, range)?;
                if max > sweep::PAIRS_MAX_LIMIT {
                    return Err(UsageError::BadNumber { option: arg.clone(), value: max.to_string(), range });
                }
                options.pairs_max = Some(max);
            }
            "--jobs" => {
                let range = "from 1 to 256";
                options.jobs = number::<usize>(arg, &value()?, 1, range)?;
                if options.jobs > crate::explore::jobs::JOBS_MAX {
                    return Err(UsageError::BadNumber {
                        option: arg.clone(),
                        value: options.jobs.to_string(),
                        range,
                    });
                }
            }
            "--shard" => options.shard = Some(Shard::parse(&value()?).map_err(UsageError::BadShard)?),
            "--job" => {
                let text = value()?;
                options.job = Shard::parse(&text).map_err(|e| UsageError::BadShard(e.replace("--shard", "--job")))?;
            }
            "--merge" => {
                let before = options.merge.len();
                while let Some(file) = args.next_if(|a| !a.starts_with("--")) {
                    options.merge.push(file.clone());
                }
                if options.merge.len() == before {
                    return Err(UsageError::MissingValue(arg.clone()));
                }
            }
            "--replay" => options.replay = Some(value()?),
            "--scan" => options.scan.push(value()?),
            "--bench" => {
                options.bench = Some(match value()?.as_str() {
                    "matrix" => Bench::Matrix,
                    "growth" => Bench::Growth,
                    "first" => Bench::First,
                    "sweep" => Bench::Sweep,
                    "threads" => Bench::Threads,
                    other => return Err(UsageError::UnknownBench(other.to_string())),
                })
            }
            other => return Err(UsageError::UnknownOption(other.to_string())),
        }
    }
    if options.list_assumptions {
        if let Some(other) = args_other_than(given, "--assumptions") {
            return Err(UsageError::AssumptionsAlone(other));
        }
    }
    if options.sensitivity {
        let others = [
            ("--assume", options.settings.assumptions != Readings::default()),
            ("--replay", options.replay.is_some()),
            ("--bench", options.bench.is_some()),
            ("--scan", !options.scan.is_empty()),
        ];
        if let Some((option, _)) = others.iter().find(|(_, given)| *given) {
            return Err(UsageError::SensitivityWith(option));
        }
    }
    match (options.pairs_max, &mut options.faults) {
        (None, _) => {}
        (Some(max), Some(Faults::Two { pairs_max })) => *pairs_max = max,
        (Some(_), _) => return Err(UsageError::PairsMaxWithoutPairs),
    }
    if (options.shard.is_some() || options.job != Shard::ALL) && options.faults.is_none() {
        return Err(UsageError::ShardWithoutFaults);
    }
    if options.faults.is_some() {
        let others = [
            ("--plan", !options.plans.is_empty()),
            ("--sensitivity", options.sensitivity),
            ("--replay", options.replay.is_some()),
            ("--bench", options.bench.is_some()),
            ("--scan", !options.scan.is_empty()),
            ("--merge", !options.merge.is_empty()),
        ];
        if let Some((option, _)) = others.iter().find(|(_, given)| *given) {
            return Err(UsageError::FaultsWith(option));
        }
    }
    if !options.merge.is_empty() {
        let others = [
            ("--design", !options.designs.is_empty()),
            ("--scenario", !options.scenarios.is_empty()),
            ("--plan", !options.plans.is_empty()),
            ("--assume", options.settings.assumptions != Readings::default()),
            ("--sensitivity", options.sensitivity),
            ("--replay", options.replay.is_some()),
            ("--bench", options.bench.is_some()),
            ("--scan", !options.scan.is_empty()),
        ];
        if let Some((option, _)) = others.iter().find(|(_, given)| *given) {
            return Err(UsageError::MergeWith(option));
        }
    }
    if !options.scan.is_empty() {
        let others = [
            ("--design", !options.designs.is_empty()),
            ("--scenario", !options.scenarios.is_empty()),
            ("--plan", !options.plans.is_empty()),
            ("--replay", options.replay.is_some()),
            ("--bench", options.bench.is_some()),
            ("--format", options.format != Format::Text),
        ];
        if let Some((option, _)) = others.iter().find(|(_, given)| *given) {
            return Err(UsageError::ScanAlone(option));
        }
    }
    if let Some(schedule) = &options.replay {
        if CHECKER != Checker::Shuttle {
            return Err(UsageError::Replay(format!(
                "replays shuttle schedules; this build checks with {} (build with --features shuttle)",
                CHECKER.name()
            )));
        }
        if options.designs.len() != 1 || options.scenarios.len() != 1 || options.plans.len() != 1 {
            return Err(UsageError::Replay("needs exactly one --design, one --scenario and one --plan".to_string()));
        }
        check_schedule(schedule)?;
    }
    Ok(options)
}

/// The first argument that is not `alone`.
fn args_other_than(args: &[String], alone: &str) -> Option<String> {
    args.iter().find(|a| a.as_str() != alone).cloned()
}

#[cfg(all(feature = "shuttle", not(loom)))]
fn check_schedule(schedule: &str) -> Result<(), UsageError> {
    explore::shuttle::Recording::parse(schedule).map(|_| ()).map_err(|e| UsageError::Replay(e.to_string()))
}

#[cfg(not(all(feature = "shuttle", not(loom))))]
fn check_schedule(_: &str) -> Result<(), UsageError> {
    Ok(())
}

/// Each selected scenario with the plans it is explored under.
pub type ScenarioPlans = Vec<(Scenario, Vec<FaultPlan>)>;

/// The designs and scenarios selected (default: all), each scenario with its plans.
pub fn selection(options: &Options) -> (Vec<Arc<dyn DynDesign>>, ScenarioPlans) {
    let designs: Vec<Arc<dyn DynDesign>> = designs::builtin()
        .into_iter()
        .filter(|d| options.designs.is_empty() || options.designs.iter().any(|n| n == d.name()))
        .collect();
    let scenarios = scenarios::builtin()
        .into_iter()
        .filter(|s| options.scenarios.is_empty() || options.scenarios.iter().any(|n| n == s.name))
        .map(|s| {
            let plans = if options.plans.is_empty() { s.plans.clone() } else { options.plans.clone() };
            (s, plans)
        })
        .collect();
    (designs, scenarios)
}

/// Explores every selected design x scenario x plan.
pub fn explore_all(options: &Options) -> Vec<Row> {
    let (designs, scenarios) = selection(options);
    let mut rows = Vec::new();
    for (scenario, plans) in &scenarios {
        for design in &designs {
            for plan in plans {
                let settings = expectations::settings_for(design.name(), scenario.name, &options.settings);
                rows.push(Row::new(explore::explore(design, scenario, plan, &settings)));
                if options.settings.progress.is_some() {
                    eprint!("\r\x1b[K");
                }
            }
        }
    }
    rows
}

fn print_progress(progress: &Progress) {
    let seconds = progress.elapsed.as_secs_f64();
    let rate = progress.executions as f64 / seconds.max(1e-9);
    eprint!(
        "\r\x1b[K{} / {} / {}: {} executions, {:.0}/s, {:.1} s",
        progress.design, progress.scenario, progress.plan, progress.executions, rate, seconds
    );
}

/// The whole report in the chosen format.
pub fn report(rows: &[Row], format: Format) -> String {
    match format {
        Format::Json => render::rows_json(rows),
        Format::Markdown => designs_markdown(rows),
        Format::Text => {
            let mut out = format!(
                "wfpcheck, checker {}: {} explorations\nassumptions: {}\n{}.\n\n",
                CHECKER.name(),
                rows.len(),
                assumptions_of(rows),
                explore::PASS_COVERS
            );
            out.push_str(&render::matrix_text(rows));
            for row in rows.iter().filter(|r| r.report.counterexample.is_some() || !r.as_declared()) {
                out.push('\n');
                out.push_str(&render::counterexample_text(row));
            }
            let off = rows.iter().filter(|r| !r.as_declared()).count();
            let _ =
                writeln!(out, "\n{} of {} verdicts as declared; {off} not (marked (!))", rows.len() - off, rows.len());
            out
        }
    }
}

/// The command line a Markdown sensitivity report was made with, as a reader reruns it.
fn sensitivity_command(args: &[String]) -> String {
    let mut command = String::from("wfpcheck");
    for arg in args {
        command.push(' ');
        command.push_str(arg);
    }
    command
}

/// The readings the rows ran under (every row runs under the same ones).
fn assumptions_of(rows: &[Row]) -> String {
    let readings = rows.first().map(|r| r.report.assumptions).unwrap_or_default();
    if readings == Readings::default() {
        "default (`wfpcheck --assumptions` lists them)".to_string()
    } else {
        format!("{readings}; `expected` is the default readings' verdict, so a row marked (!) rests on them")
    }
}

/// `--assumptions`: every assumption, its question and its readings, the default first.
pub fn assumptions_text() -> String {
    let mut out = String::from(
        "The WFP behaviour Microsoft's documentation does not settle. Each verdict is explored under the\n\
         first (default) reading of each; `--assume NAME=READING` runs under another.\n",
    );
    for assumption in ASSUMPTIONS {
        let rule = if assumption.rule.is_empty() { String::new() } else { format!(" ({})", assumption.rule) };
        let _ = writeln!(out, "\n{}{rule}: {}", assumption.name, assumption.question);
        for (index, reading) in assumption.readings.iter().enumerate() {
            let default = if index == 0 { " (default)" } else { "" };
            let _ = writeln!(out, "  {}={}{default}: {}", assumption.name, reading.name, reading.says);
            let _ = writeln!(out, "      why: {}", reading.source);
        }
    }
    out
}

/// `docs/designs.md`: each design, what it models, its verdicts, its counterexamples.
pub fn designs_markdown(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# The designs and their verdicts\n");
    let _ = writeln!(
        out,
        "Generated by `wfpcheck --format markdown` built with {}, followed (in `docs/designs.md`) by the fault sweep's Markdown, `{}`; `checks/docs.rs` names the command that writes both, and fails when this file differs from what they write. Do not edit by hand.\n",
        CHECKER.name(),
        sweep::DOCS_COMMAND
    );
    let _ = writeln!(out, "Each verdict is what {} found; `expected` is what `model/expectations.rs` declares. A row marked (!) is not as declared; `pass` means explored exhaustively, `pass-bounded` to a stated preemption bound, `sampled` only sampled (nothing proven). {}. Properties and plans are explained in `docs/wfp-semantics.md` and `docs/debugging.md`.\n", CHECKER.name(), explore::PASS_COVERS);
    let _ = writeln!(out, "Assumptions: {}. A row whose verdict changes under another reading names it under *rests on*, with the verdict it gives there (declared in `model/expectations.rs`, found by `--sensitivity`, listed in `docs/assumptions.md`).\n", assumptions_of(rows));
    for design in designs::builtin() {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.report.design == design.name()).collect();
        if mine.is_empty() {
            continue;
        }
        let _ =
            writeln!(out, "## {}\n\n{}\n\n**Trade-offs.** {}\n", design.name(), design.summary(), design.trade_offs());
        let _ = writeln!(out, "| scenario | plan | verdict | expected | executions | traces | property | status | why it is declared so | rests on |");
        let _ = writeln!(out, "|---|---|---|---|---:|---:|---|---|---|---|");
        for row in &mine {
            let r = &row.report;
            let verdict = if row.as_declared() { r.verdict.to_string() } else { format!("{} (!)", r.verdict) };
            let rests_on: Vec<String> = expectations::rests_on(&r.design, &r.scenario, &r.plan)
                .iter()
                .map(|s| format!("`{}`: {}", s.reading, s.verdict))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.scenario,
                r.plan,
                verdict,
                row.expected_name(),
                r.executions,
                r.traces,
                row.property().unwrap_or("-"),
                row.status().unwrap_or_else(|| "-".to_string()),
                row.expected.map_or("-", |e| e.reason),
                if rests_on.is_empty() { "-".to_string() } else { rests_on.join("; ") }
            );
        }
        out.push('\n');
        for bound in expectations::LOOM_BOUNDS.iter().filter(|b| b.design == design.name()) {
            let _ = writeln!(
                out,
                "- loom explores {} to {} preemptions (`expectations::LOOM_BOUNDS`; `--exhaustive` lifts it): {}.\n",
                bound.scenario, bound.preemptions, bound.reason
            );
        }
        let mut shown: Vec<&str> = Vec::new();
        for row in mine.iter().filter(|r| r.report.counterexample.is_some()) {
            let r = &row.report;
            if shown.contains(&r.scenario.as_str()) {
                continue;
            }
            shown.push(&r.scenario);
            let c = r.counterexample.as_ref().expect("filtered");
            let _ = writeln!(out, "### {} / {} / {}: {}\n", r.design, r.scenario, r.plan, c.violation.property.name);
            let _ = writeln!(out, "{}\n", c.violation.message);
            if let Some(preemptions) = c.preemptions {
                let _ = writeln!(
                    out,
                    "Found at execution {}; this is an execution with the fewest preemptions ({preemptions}).\n",
                    c.execution
                );
            }
            let _ = writeln!(out, "```mermaid\n{}```\n", render::mermaid(&c.events));
        }
        let vacuous: Vec<&&Row> = mine.iter().filter(|r| r.report.verdict == Verdict::Vacuous).collect();
        for row in vacuous {
            let _ = writeln!(out, "- {} / {} is vacuous: {}.", row.report.scenario, row.report.plan, row.report.why);
        }
        // What another checker is declared to find differently, and why.
        for e in EXPECTED.iter().filter(|e| e.design == design.name() && e.checker.is_some_and(|c| c != CHECKER)) {
            let checker = e.checker.map_or("", |c| c.name());
            let _ = writeln!(
                out,
                "- under {checker}, {} / {} is declared {}: {}.",
                e.scenario, e.plan, e.verdict, e.reason
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Bounds\n");
    let mut bounds: Vec<&str> = rows.iter().map(|r| r.report.bound.as_str()).collect();
    bounds.sort();
    bounds.dedup();
    for bound in bounds {
        let _ = writeln!(out, "- {bound}");
    }
    let _ = writeln!(out, "\n{} declared verdicts in `model/expectations.rs`.", EXPECTED.len());
    out
}

/// Runs the command with these arguments and environment, printing to `out` and `err`;
/// returns the exit status.
pub fn run(args: &[String], env: &dyn Fn(&str) -> Option<String>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut options = match parse(args, env) {
        Ok(options) => options,
        Err(error) => {
            let _ = writeln!(err, "wfpcheck: {error}");
            let _ = writeln!(err, "try `wfpcheck --help`");
            return 2;
        }
    };
    if options.help {
        let _ = write!(out, "{USAGE}");
        return 0;
    }
    if options.list_assumptions {
        let _ = write!(out, "{}", assumptions_text());
        return 0;
    }
    if std::io::stderr().is_terminal() {
        options.settings.progress = Some(print_progress);
    }
    if !options.scan.is_empty() {
        return scan_files(&options.scan, out, err);
    }
    if let Some(bench) = options.bench {
        let _ = write!(out, "{}", crate::bench::run(bench, &options));
        return 0;
    }
    if let Some(schedule) = &options.replay {
        return replay(&options, schedule, out, err);
    }
    if !options.merge.is_empty() {
        return merge_files(&options, out, err);
    }
    if let Some(faults) = options.faults {
        let report = match fault_sweep(&options, faults, args, err) {
            Ok(report) => report,
            Err(error) => {
                let _ = writeln!(err, "wfpcheck: {error}");
                return 1;
            }
        };
        let _ = write!(out, "{}", sweep_report(&report, options.format));
        return i32::from(!report.as_declared());
    }
    if options.sensitivity {
        let rows = crate::sensitivity::explore_all(&options);
        let report = match options.format {
            Format::Text => crate::sensitivity::text(&rows),
            Format::Json => crate::sensitivity::json(&rows),
            Format::Markdown => crate::sensitivity::markdown(&rows, &sensitivity_command(args)),
        };
        let _ = write!(out, "{report}");
        // Not as declared, or some reading left a row unproven: exit 1.
        let unproven = rows.iter().flat_map(|r| &r.under).any(|(_, row)| row.report.verdict == Verdict::Inconclusive);
        return i32::from(unproven || !rows.iter().all(|r| r.default.as_declared()));
    }
    let rows = explore_all(&options);
    let _ = write!(out, "{}", report(&rows, options.format));
    if rows.iter().all(Row::as_declared) {
        0
    } else {
        1
    }
}

/// `--faults`: in this process, or (`--jobs` above 1, run as the wfpcheck binary) in that
/// many processes, each given its share with `--job K/N`, their JSON combined.
pub(crate) fn fault_sweep(
    options: &Options,
    faults: Faults,
    args: &[String],
    err: &mut dyn Write,
) -> Result<sweep::SweepReport, String> {
    let shard = options.shard.unwrap_or(Shard::ALL);
    let exe = jobs_exe();
    if exe.is_none() && options.jobs > 1 && args.iter().any(|a| a == "--jobs") {
        let _ = writeln!(err, "wfpcheck: {JOBS_IN_PROCESS}");
    }
    match exe {
        Some(exe) if options.jobs > 1 && options.job == Shard::ALL => {
            // Every argument but --jobs and --format, which each job is given itself.
            let mut kept = Vec::new();
            let mut given = args.iter();
            while let Some(arg) = given.next() {
                if arg == "--jobs" || arg == "--format" {
                    given.next();
                } else {
                    kept.push(arg.clone());
                }
            }
            let outputs = crate::explore::jobs::fan_out(&exe, options.jobs, |job| {
                let mut args = kept.clone();
                let job = Shard { index: job, count: options.jobs };
                args.extend(["--jobs", "1", "--format", "json", "--job"].map(String::from));
                args.push(job.to_string());
                args
            })?;
            let reports = outputs
                .iter()
                .map(|text| serde_json::from_str::<sweep::SweepReport>(text).map_err(|e| format!("a job's JSON: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(sweep::combine_jobs(reports))
        }
        // Run as a library (a test), or one job: in this process.
        _ => {
            let (designs, scenarios) = selection(options);
            let scenarios: Vec<Scenario> = scenarios.into_iter().map(|(s, _)| s).collect();
            let selection = sweep::Selection { shard, job: options.job };
            Ok(sweep::run(&designs, &scenarios, &options.settings, faults, selection))
        }
    }
}

/// The binary `--jobs` starts its processes from: this one, when it is wfpcheck (a test
/// harness that calls [`run`] is not, and cannot be started with wfpcheck's arguments).
pub(crate) fn jobs_exe() -> Option<std::path::PathBuf> {
    std::env::current_exe().ok().filter(|exe| exe.file_stem().is_some_and(|s| s == "wfpcheck"))
}

/// What `--jobs` does when [`jobs_exe`] is not there.
pub(crate) const JOBS_IN_PROCESS: &str =
    "`--jobs` runs in this one process: it starts its processes from the wfpcheck binary, and this program is not it";

fn sweep_report(report: &sweep::SweepReport, format: Format) -> String {
    match format {
        Format::Text => sweep::text(report),
        Format::Json => sweep::json(report),
        Format::Markdown => sweep::markdown(report),
    }
}

/// `--merge`: the shards' JSON read, checked and merged; a bad file is bad usage.
fn merge_files(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut files = Vec::new();
    for file in &options.merge {
        match std::fs::read_to_string(file) {
            Ok(text) => files.push((file.clone(), text)),
            Err(error) => {
                let _ = writeln!(err, "wfpcheck: {}", sweep::MergeError::Unreadable(file.clone(), error.to_string()));
                let _ = writeln!(err, "try `wfpcheck --help`");
                return 2;
            }
        }
    }
    match sweep::merge(&files) {
        Ok(report) => {
            let _ = write!(out, "{}", sweep_report(&report, options.format));
            i32::from(!report.as_declared())
        }
        Err(error) => {
            let _ = writeln!(err, "wfpcheck: {error}");
            let _ = writeln!(err, "try `wfpcheck --help`");
            2
        }
    }
}

/// `--scan`: every finding, a line each, on stdout; unreadable files are bad usage.
fn scan_files(files: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut texts = Vec::new();
    for file in files {
        match std::fs::read_to_string(file) {
            Ok(text) => texts.push((file, text)),
            Err(error) => {
                let _ = writeln!(err, "wfpcheck: {}", UsageError::Unreadable(file.clone(), error.to_string()));
                let _ = writeln!(err, "try `wfpcheck --help`");
                return 2;
            }
        }
    }
    let mut found = 0;
    for (file, text) in texts {
        let findings = crate::scan::scan(&text);
        found += findings.len();
        if findings.is_empty() {
            let _ = writeln!(out, "{file}: nothing the checker cannot see");
        }
        for finding in findings {
            let _ = writeln!(out, "{file}: {finding}");
        }
    }
    i32::from(found > 0)
}

#[cfg(all(feature = "shuttle", not(loom)))]
fn replay(options: &Options, schedule: &str, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (designs, scenarios) = selection(options);
    let (scenario, plans) = &scenarios[0];
    match explore::shuttle::replay(&designs[0], scenario, &plans[0], &options.settings, schedule) {
        Err(error) => {
            let _ = writeln!(err, "wfpcheck: {error}");
            2
        }
        Ok(report) => {
            let row = Row::new(report);
            let _ = write!(out, "{}", render::counterexample_text(&row));
            if row.report.counterexample.is_some() {
                0
            } else {
                1
            }
        }
    }
}

#[cfg(not(all(feature = "shuttle", not(loom))))]
fn replay(_: &Options, _: &str, _: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "wfpcheck: `--replay` replays shuttle schedules; build with --features shuttle");
    2
}

/// The binary's entry point.
pub fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env = |name: &str| std::env::var(name).ok();
    let status = run(&args, &env, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    std::process::ExitCode::from(status as u8)
}
