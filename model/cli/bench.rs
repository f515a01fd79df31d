//! The benchmarks behind `docs/performance.md` and `docs/scaling.md`: what exploring
//! costs (executions, distinct call-level traces, time), how it grows with threads and
//! filters, and how soon the #3728 failure shows. They print Markdown; times are wall
//! clock, so the tables are reproducible within noise, not byte for byte.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use super::{selection, Bench, Options};
use crate::designs;
use crate::explore::{self, Report, Settings, Verdict};
use crate::scenarios::{self, Scenario};
use crate::sweep::Faults;
use crate::wfp::faults::FaultPlan;

/// How long one growth exploration may run before it is reported as unfinished.
pub const GROWTH_DURATION_MAX: Duration = Duration::from_secs(120);

/// How long one exploration of `--bench threads` may run before it is reported as unfinished.
pub const THREADS_DURATION_MAX: Duration = Duration::from_secs(1_800);

/// How many executions one exploration of `--bench threads` may run.
pub const THREADS_EXECUTIONS_MAX: u64 = 100_000_000;

pub fn run(bench: Bench, options: &Options) -> String {
    match bench {
        Bench::Matrix => matrix(options),
        Bench::Growth => growth(options),
        Bench::First => first(options),
        Bench::Sweep => sweep(options),
        Bench::Threads => threads(options),
    }
}

/// States SPIN stored for the same attaches (an explicit-state peer model, coarser: no
/// start-up or unload, two filters per attach; partial-order reduction and state
/// hashing), measured on the same kind of machine: `(design, threads, states)`.
pub const SPIN_STATES: &[(&str, usize, u64)] = &[
    ("per_context_handle", 3, 1_763),
    ("per_context_handle", 4, 12_276),
    ("per_context_handle", 5, 81_334),
    ("global_lock", 3, 1_566),
    ("global_lock", 4, 9_359),
    ("global_lock", 5, 53_098),
];

/// attach_many with 2 threads up to as many as the checker runs, 2 filters each,
/// unbounded (by default for global_lock and per_context_handle): what each thread more
/// costs; for the stateful checker, the states stored beside SPIN's.
fn threads(options: &Options) -> String {
    let designs: Vec<_> = if options.designs.is_empty() {
        ["global_lock", "per_context_handle"].map(|name| designs::by_name(name).expect("built in")).to_vec()
    } else {
        selection(options).0
    };
    let mut out = format!(
        "### {}: attach_many, 2 filters per attach, unbounded (each exploration at most {} s and {} executions)\n\n\
         | design | threads | verdict | executions | traces | states stored | states matched | SPIN's states | stored / SPIN's | executions / s | wall s |\n\
         |---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        options.settings.checker.name(),
        THREADS_DURATION_MAX.as_secs(),
        THREADS_EXECUTIONS_MAX
    );
    for design in &designs {
        for threads in 2..=explore::checker::workers_max(options.settings.checker) {
            let settings = Settings {
                loom_preemption_bound: None,
                loom_declared_bounds: false,
                loom_fewest_preemptions: false,
                duration_max: THREADS_DURATION_MAX,
                executions_max: THREADS_EXECUTIONS_MAX,
                ..options.settings.clone()
            };
            let r = explore::explore(design, &scenarios::attach_many(threads, 2), &FaultPlan::NONE, &settings);
            let verdict =
                if r.verdict == Verdict::Pass { r.verdict.to_string() } else { format!("{} ({})", r.verdict, r.why) };
            let spin = SPIN_STATES.iter().find(|(d, t, _)| *d == r.design && *t == threads).map(|(_, _, n)| *n);
            let dash = || "-".to_string();
            let _ = writeln!(
                out,
                "| {} | {threads} | {verdict} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
                r.design,
                r.executions,
                r.traces,
                r.states.map_or_else(dash, |s| s.stored.to_string()),
                r.states.map_or_else(dash, |s| s.matched.to_string()),
                spin.map_or_else(dash, |n| n.to_string()),
                r.states.zip(spin).map_or_else(dash, |(s, n)| format!("{:.1}", s.stored as f64 / n as f64)),
                rate(&r),
                r.elapsed.as_secs_f64()
            );
        }
    }
    out
}

/// The single-fault sweep (by default of the two-thread scenarios) in one process, and in
/// `--jobs` processes (at least 2): plans, executions, wall time, the speed-up.
fn sweep(options: &Options) -> String {
    let mut args: Vec<String> = vec!["--faults".into(), "1".into()];
    let scenarios: Vec<Scenario> = if options.scenarios.is_empty() {
        let two_thread = ["two_attach", "attach_detach", "same_provider"];
        two_thread.iter().map(|name| scenarios::by_name(name).expect("built in")).collect()
    } else {
        options.scenarios.clone()
    };
    let names: Vec<&str> = scenarios.iter().map(|s| s.name).collect();
    for design in &options.designs {
        args.extend(["--design".to_string(), design.name().to_string()]);
    }
    for name in &names {
        args.extend(["--scenario".to_string(), name.to_string()]);
    }
    let mut out = format!(
        "### {}: the single-fault sweep of {}\n\n| jobs | plans | executions | wall s | speed-up |\n|---:|---:|---:|---:|---:|\n",
        options.settings.checker.name(),
        names.join(", ")
    );
    if super::jobs_exe().is_none() {
        let _ = writeln!(out, "{}.\n", super::JOBS_IN_PROCESS);
    }
    let mut one_process = None;
    for jobs in [1, options.jobs.max(2)] {
        let swept = Options {
            faults: Some(Faults::One),
            scenarios: scenarios.clone(),
            jobs,
            settings: Settings { progress: None, ..options.settings.clone() },
            ..options.clone()
        };
        let started = Instant::now();
        let report = match super::fault_sweep(&swept, Faults::One, &args, &mut std::io::sink()) {
            Ok(report) => report,
            Err(error) => return format!("{out}\nthe sweep did not finish: {error}\n"),
        };
        let seconds = started.elapsed().as_secs_f64();
        let plans: usize = report.groups.iter().map(|g| g.rows.len()).sum();
        let executions: u64 =
            report.groups.iter().map(|g| g.census.executions + g.rows.iter().map(|r| r.executions).sum::<u64>()).sum();
        let base = *one_process.get_or_insert(seconds);
        let _ = writeln!(out, "| {jobs} | {plans} | {executions} | {seconds:.1} | {:.2}x |", base / seconds);
    }
    out
}

fn ratio(report: &Report) -> String {
    if report.traces == 0 {
        return "-".to_string();
    }
    format!("{:.2}", report.executions as f64 / report.traces as f64)
}

fn rate(report: &Report) -> String {
    format!("{:.0}", report.executions as f64 / report.elapsed.as_secs_f64().max(1e-9))
}

/// Every selected design x scenario x plan.
fn matrix(options: &Options) -> String {
    let mut out = format!("### {}: every design x scenario x plan\n\n", options.settings.checker.name());
    out.push_str(
        "| design | scenario | plan | verdict | executions | traces | executions / trace | executions / s | wall s |\n",
    );
    out.push_str("|---|---|---|---|---:|---:|---:|---:|---:|\n");
    let started = Instant::now();
    let mut two_thread = Duration::ZERO;
    // One row at a time, so that each row's time is its own.
    let one_at_a_time = Options { jobs: 1, ..options.clone() };
    let reports = super::each_row(&one_at_a_time, |design, scenario, plan, settings| {
        (scenario.threads.len() == 2, explore::explore(design, scenario, plan, settings))
    });
    for (is_two_thread, r) in &reports {
        if *is_two_thread {
            two_thread += r.elapsed;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.3} |",
            r.design,
            r.scenario,
            r.plan,
            r.verdict,
            r.executions,
            r.traces,
            ratio(r),
            rate(r),
            r.elapsed.as_secs_f64()
        );
    }
    let _ = writeln!(
        out,
        "\nTotal {:.1} s; the two-thread scenarios {:.1} s. A failing row stops at its first counterexample, so its \
         ratio covers only what was explored until then.\n",
        started.elapsed().as_secs_f64(),
        two_thread.as_secs_f64()
    );
    out
}

/// Threads 2 to 4 x filters per attach 1 to 4, exhaustive and with preemption bounds.
fn growth(options: &Options) -> String {
    let designs: Vec<_> = if options.designs.is_empty() {
        vec![designs::by_name("per_context_handle").expect("built in")]
    } else {
        selection(options).0
    };
    let bounds: Vec<Option<usize>> =
        if explore::BOUNDS_PREEMPTIONS { vec![None, Some(2), Some(3)] } else { vec![None] };
    let mut out = format!(
        "### {}: growth with threads and filters (each exploration at most {} s)\n\n",
        options.settings.checker.name(),
        GROWTH_DURATION_MAX.as_secs()
    );
    out.push_str(
        "| design | threads | filters per attach | preemption bound | verdict | executions | traces | wall s |\n",
    );
    out.push_str("|---|---:|---:|---|---|---:|---:|---:|\n");
    for design in &designs {
        for threads in 2..=explore::checker::workers_max(options.settings.checker).min(4) {
            for filters in 1..=4 {
                for bound in &bounds {
                    let settings = Settings {
                        loom_preemption_bound: *bound,
                        loom_fewest_preemptions: false,
                        duration_max: GROWTH_DURATION_MAX,
                        ..options.settings.clone()
                    };
                    let scenario = scenarios::attach_many(threads, filters);
                    let r = explore::explore(design, &scenario, &FaultPlan::NONE, &settings);
                    let bound = bound.map_or("none (exhaustive)".to_string(), |b| b.to_string());
                    let verdict = if r.verdict == Verdict::Inconclusive {
                        format!("{} ({})", r.verdict, r.why)
                    } else {
                        r.verdict.to_string()
                    };
                    let _ = writeln!(
                        out,
                        "| {} | {threads} | {filters} | {bound} | {verdict} | {} | {} | {:.2} |",
                        r.design,
                        r.executions,
                        r.traces,
                        r.elapsed.as_secs_f64()
                    );
                }
            }
        }
    }
    out
}

/// How soon naive / two_attach shows its failure under this build's checker.
fn first(options: &Options) -> String {
    let design = designs::by_name("naive").expect("built in");
    let scenario = scenarios::by_name("two_attach").expect("built in");
    let mut out =
        format!("### {}: the first counterexample of naive / two_attach\n\n", options.settings.checker.name());
    out.push_str(&explore::first_counterexample(&design, &scenario, &options.settings));
    out
}
