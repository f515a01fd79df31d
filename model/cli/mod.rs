//! The report command: parses its arguments and environment, runs the explorations of
//! this build's checker, and prints the verdict matrix and the counterexamples.
//! Bad input gets one message on stderr, exit 2, nothing on stdout and nothing run.

mod args;
pub mod bench;
pub mod sensitivity;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

pub use args::{help, parse, Bench, Format, Options, UsageError};

use crate::assumptions::{Readings, ASSUMPTIONS};
use crate::designs::{self, DynDesign};
use crate::expectations::{self, EXPECTED};
use crate::explore::checker;
use crate::explore::{self, Progress, Settings, Verdict};
use crate::render::{self, Row};
use crate::scenarios::{self, Scenario};
use crate::sweep::{self, Faults, Shard};
use crate::sync::Arc;
use crate::wfp::faults::FaultPlan;

/// Each selected scenario with the plans it is explored under.
pub type ScenarioPlans = Vec<(Scenario, Vec<FaultPlan>)>;

/// The designs and scenarios selected (default: all), in the order given, each once;
/// each scenario with its plans.
pub fn selection(options: &Options) -> (Vec<Arc<dyn DynDesign>>, ScenarioPlans) {
    let designs = if options.designs.is_empty() { designs::builtin() } else { options.designs.clone() };
    let scenarios = if options.scenarios.is_empty() { scenarios::builtin() } else { options.scenarios.clone() };
    let mut designs_once: Vec<Arc<dyn DynDesign>> = Vec::new();
    for design in designs {
        if !designs_once.iter().any(|d| d.name() == design.name()) {
            designs_once.push(design);
        }
    }
    let mut scenarios_once: Vec<Scenario> = Vec::new();
    for scenario in scenarios {
        if !scenarios_once.iter().any(|s| s.name == scenario.name) {
            scenarios_once.push(scenario);
        }
    }
    let scenarios = scenarios_once
        .into_iter()
        .map(|s| {
            let plans = if options.plans.is_empty() { s.plans.clone() } else { options.plans.clone() };
            (s, plans)
        })
        .collect();
    (designs_once, scenarios)
}

/// Explores every selected design x scenario x plan.
pub fn explore_all(options: &Options) -> Vec<Row> {
    each_row(options, |design, scenario, plan, settings| Row::new(explore::explore(design, scenario, plan, settings)))
}

/// What `explore_row` makes of every selected design x scenario x plan, in report order,
/// each given the row's own settings (its declared loom bound); on [`row_workers`] threads.
pub fn each_row<T: Send>(
    options: &Options,
    explore_row: impl Fn(&Arc<dyn DynDesign>, &Scenario, &FaultPlan, &Settings) -> T + Sync,
) -> Vec<T> {
    let (designs, scenarios) = selection(options);
    let workers = row_workers(options);
    let mut rows = Vec::new();
    for (scenario, plans) in &scenarios {
        for design in &designs {
            for plan in plans {
                let mut settings = expectations::settings_for(design.name(), scenario.name, &options.settings);
                if workers > 1 {
                    // Progress lines from several rows at once would overwrite each other.
                    settings.progress = None;
                }
                rows.push((design, scenario, plan, settings));
            }
        }
    }
    // The rows with the most threads (the longest) are taken first, so that no thread is
    // left with a long one at the end; the results go back in report order.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(rows[index].1.threads.len()));
    let explored = crate::explore::jobs::each_on_threads(&order, workers, |&index| {
        let (design, scenario, plan, settings) = &rows[index];
        let row = explore_row(design, scenario, plan, settings);
        if settings.progress.is_some() {
            eprint!("\r\x1b[K");
        }
        (index, row)
    });
    let mut explored: Vec<(usize, T)> = explored;
    explored.sort_by_key(|(index, _)| *index);
    explored.into_iter().map(|(_, row)| row).collect()
}

/// How many rows are explored at once (`--jobs` where the checker allows it).
pub fn row_workers(options: &Options) -> usize {
    checker::rows_at_once(options.settings.checker, options.jobs)
}

fn print_progress(progress: &Progress) {
    let seconds = progress.elapsed.as_secs_f64();
    let rate = progress.executions as f64 / seconds.max(1e-9);
    eprint!(
        "\r\x1b[K{} / {} / {}: {} executions, {:.0}/s, {:.1} s",
        progress.design, progress.scenario, progress.plan, progress.executions, rate, seconds
    );
}

/// At most this many rows are shown one per line by default; a larger selection is
/// summarised per design x scenario (`--counterexamples` shows every row).
pub const ROWS_SHOWN_MAX: usize = 30;

/// The whole report in the chosen format; `counterexamples`: every one in full.
pub fn report(rows: &[Row], format: Format, counterexamples: bool) -> String {
    match format {
        Format::Json => render::rows_json(rows),
        Format::Markdown => designs_markdown(rows),
        Format::Text => {
            let mut out = format!(
                "wfpcheck, checker {}: {} explorations\nassumptions: {}\n{}.\n\n",
                render::checker_of(rows).name(),
                rows.len(),
                assumptions_of(rows),
                explore::PASS_COVERS
            );
            let shown = |row: &&Row| row.report.counterexample.is_some() || !row.as_declared();
            if counterexamples || rows.len() == 1 {
                out.push_str(&render::matrix_text(rows));
                for row in rows.iter().filter(shown) {
                    out.push('\n');
                    out.push_str(&render::counterexample_text(row));
                }
            } else if rows.len() <= ROWS_SHOWN_MAX {
                out.push_str(&render::matrix_text(rows));
                let failing: Vec<&Row> = rows.iter().filter(shown).collect();
                if !failing.is_empty() {
                    out.push_str("\neach failing row's counterexample:\n");
                }
                for row in failing {
                    let r = &row.report;
                    let _ = writeln!(out, "  {}", show_command(&r.design, &r.scenario, Some(&r.plan)));
                }
            } else {
                out.push_str(&summary_text(rows));
            }
            let off = rows.iter().filter(|r| !r.as_declared()).count();
            let _ =
                writeln!(out, "\n{} of {} verdicts as declared; {off} not (marked (!))", rows.len() - off, rows.len());
            out
        }
    }
}

/// The command that prints the counterexamples of one design x scenario (or one plan).
fn show_command(design: &str, scenario: &str, plan: Option<&str>) -> String {
    let mut command = format!("wfpcheck --design {design} --scenario {scenario}");
    if let Some(plan) = plan {
        // `*` would be expanded by a shell.
        let quoted = if plan.contains(['*', '!']) { format!("'{plan}'") } else { plan.to_string() };
        let _ = write!(command, " --plan {quoted}");
    } else {
        command.push_str(" --counterexamples");
    }
    command
}

/// A design x scenario grid of the rows' verdicts, then a line per cell with a failing
/// or undeclared row saying what failed and how to see it.
fn summary_text(rows: &[Row]) -> String {
    let mut designs: Vec<&str> = Vec::new();
    let mut scenarios: Vec<&str> = Vec::new();
    for row in rows {
        if !designs.contains(&row.report.design.as_str()) {
            designs.push(&row.report.design);
        }
        if !scenarios.contains(&row.report.scenario.as_str()) {
            scenarios.push(&row.report.scenario);
        }
    }
    let cell_rows = |design: &str, scenario: &str| -> Vec<&Row> {
        rows.iter().filter(|r| r.report.design == design && r.report.scenario == scenario).collect()
    };
    let cell = |rows: &[&Row]| -> String {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for row in rows {
            let name = row.report.verdict.name();
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => *count += 1,
                None => counts.push((name, 1)),
            }
        }
        let mut text = if counts.len() == 1 {
            counts[0].0.to_string()
        } else {
            counts.iter().map(|(name, count)| format!("{count} {name}")).collect::<Vec<_>>().join(", ")
        };
        if rows.iter().any(|r| !r.as_declared()) {
            text.push_str(" (!)");
        }
        text
    };
    let mut header = vec!["design"];
    header.extend(&scenarios);
    let cells: Vec<Vec<String>> = designs
        .iter()
        .map(|design| {
            let mut line = vec![design.to_string()];
            line.extend(scenarios.iter().map(|scenario| {
                let rows = cell_rows(design, scenario);
                if rows.is_empty() {
                    "-".to_string()
                } else {
                    cell(&rows)
                }
            }));
            line
        })
        .collect();
    let mut out =
        String::from("verdicts per design x scenario, over its plans (a row per plan: --counterexamples):\n\n");
    out.push_str(&render::aligned(&header, &cells));
    let mut lines = Vec::new();
    for scenario in &scenarios {
        for design in &designs {
            let rows = cell_rows(design, scenario);
            let failing: Vec<&&Row> =
                rows.iter().filter(|r| r.report.counterexample.is_some() || !r.as_declared()).collect();
            if failing.is_empty() {
                continue;
            }
            let mut properties: Vec<&str> = Vec::new();
            for property in failing.iter().filter_map(|r| r.property()) {
                if !properties.contains(&property) {
                    properties.push(property);
                }
            }
            let broke = if properties.is_empty() { String::new() } else { format!(", {}", properties.join(", ")) };
            lines.push(format!(
                "  {design} / {scenario}: {} of {} plans{broke}: {}",
                failing.len(),
                rows.len(),
                show_command(design, scenario, None)
            ));
        }
    }
    if !lines.is_empty() {
        out.push_str(
            "\nthe failing or undeclared rows of each design x scenario, and how to see their counterexamples:\n",
        );
        out.push_str(&lines.join("\n"));
        out.push('\n');
    }
    out
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
        "Generated by `wfpcheck --checker {} --format markdown`, followed (in `docs/designs.md`) by the fault sweep's Markdown, `{}`; `checks/docs.rs` names the command that writes both, and fails when this file differs from what they write. Do not edit by hand.\n",
        render::checker_of(rows).name(),
        sweep::DOCS_COMMAND
    );
    let _ = writeln!(out, "Each verdict is what {} found; `expected` is what `model/expectations.rs` declares. A row marked (!) is not as declared; `pass` means explored exhaustively, `pass-bounded` to a stated preemption bound, `sampled` only sampled (nothing proven). {}. Properties and plans are explained in `docs/wfp-semantics.md` and `docs/debugging.md`.\n", render::checker_of(rows).name(), explore::PASS_COVERS);
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
        for e in EXPECTED
            .iter()
            .filter(|e| e.design == design.name() && e.checker.is_some_and(|c| c != render::checker_of(rows)))
        {
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
        let _ = write!(out, "{}", help());
        return 0;
    }
    if options.version {
        let checkers: Vec<&str> = checker::AVAILABLE.iter().map(|c| c.name()).collect();
        let _ = writeln!(out, "wfpcheck {} (checker: {})", env!("CARGO_PKG_VERSION"), checkers.join(" or --checker "));
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
        let _ = write!(out, "{}", bench::run(bench, &options));
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
        let rows = sensitivity::explore_all(&options);
        let report = match options.format {
            Format::Text => sensitivity::text(&rows),
            Format::Json => sensitivity::json(&rows),
            Format::Markdown => sensitivity::markdown(&rows, &sensitivity_command(args)),
        };
        let _ = write!(out, "{report}");
        // Not as declared, or some reading left a row unproven: exit 1.
        let unproven = rows.iter().flat_map(|r| &r.under).any(|(_, row)| row.report.verdict == Verdict::Inconclusive);
        return i32::from(unproven || !rows.iter().all(|r| r.default.as_declared()));
    }
    let rows = explore_all(&options);
    let _ = write!(out, "{}", report(&rows, options.format, options.counterexamples));
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
    if exe.is_none() && options.jobs > 1 && options.jobs_given {
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
                } else if !(arg.starts_with("--jobs=") || arg.starts_with("--format=")) {
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

/// `--scan`: every finding, a line each, on stdout, for each file named and each Rust file
/// under each directory named; one that cannot be read is bad usage.
fn scan_files(paths: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut texts = Vec::new();
    for path in paths {
        let read = if std::path::Path::new(path).is_dir() {
            let under = crate::scan::rust_files(std::path::Path::new(path));
            under.map(|files| {
                files.into_iter().map(|(file, text)| (format!("{}/{file}", path.trim_end_matches('/')), text)).collect()
            })
        } else {
            std::fs::read_to_string(path).map(|text| vec![(path.clone(), text)]).map_err(|e| e.to_string())
        };
        match read {
            Ok(files) => texts.extend(files),
            Err(error) => {
                let _ = writeln!(err, "wfpcheck: {}", UsageError::Unreadable(path.clone(), error));
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

fn replay(options: &Options, schedule: &str, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (designs, scenarios) = selection(options);
    let (scenario, plans) = &scenarios[0];
    match explore::replay(&designs[0], scenario, &plans[0], &options.settings, schedule) {
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

/// The binary's entry point.
pub fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env = |name: &str| std::env::var(name).ok();
    // stderr is not held locked: shuttle prints a failing execution's task to it from the
    // exploring thread, which would otherwise wait on this one forever.
    let status = run(&args, &env, &mut std::io::stdout().lock(), &mut std::io::stderr());
    std::process::ExitCode::from(status as u8)
}
