//! The report command's contract: bad input gets one clear message on stderr naming
//! what was wrong and the valid choices, exit 2, nothing on stdout and no file written;
//! a capped run is inconclusive and exits 1; JSON has the documented keys.

use std::path::PathBuf;
use std::process::{Command, Output};

use wfpcheck::render::RowJson;

#[path = "fault_sweep.rs"]
mod fault_sweep;

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs `wfpcheck` in a fresh empty directory with `env` set (and no other checker
/// variables), and checks the directory is still empty afterwards.
fn wfpcheck(args: &[&str], env: &[(&str, &str)]) -> Run {
    // Tests run in parallel: the first name whose directory this run creates is its own.
    let dir: PathBuf = (0..)
        .map(|n| std::env::temp_dir().join(format!("wfpcheck-cli-{}-{n}", std::process::id())))
        .find(|dir| std::fs::create_dir(dir).is_ok())
        .expect("a scratch directory");
    let mut command = Command::new(env!("CARGO_BIN_EXE_wfpcheck"));
    command.args(args).current_dir(&dir);
    for name in [
        "LOOM_MAX_PREEMPTIONS",
        "LOOM_MAX_BRANCHES",
        "LOOM_MAX_PERMUTATIONS",
        "LOOM_MAX_DURATION",
        "LOOM_CHECKPOINT_FILE",
        "LOOM_CHECKPOINT_INTERVAL",
        "SHUTTLE_RANDOM_SEED",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let Output { status, stdout, stderr } = command.output().expect("wfpcheck runs");
    let written: Vec<_> = std::fs::read_dir(&dir).expect("the scratch directory").collect();
    assert!(written.is_empty(), "wfpcheck {args:?} wrote files: {written:?}");
    std::fs::remove_dir(&dir).expect("empty");
    Run {
        status: status.code().expect("an exit code"),
        stdout: String::from_utf8(stdout).expect("UTF-8"),
        stderr: String::from_utf8(stderr).expect("UTF-8"),
    }
}

/// One bad input: exit 2, nothing on stdout, and stderr says each of `says`.
fn rejects(args: &[&str], env: &[(&str, &str)], says: &[&str]) {
    let run = wfpcheck(args, env);
    assert_eq!(run.status, 2, "{args:?} {env:?}: {}", run.stderr);
    assert_eq!(run.stdout, "", "{args:?} {env:?} printed on stdout");
    assert!(run.stderr.starts_with("wfpcheck: "), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 2, "one message and a hint: {}", run.stderr);
    for part in says {
        assert!(run.stderr.contains(part), "{args:?} {env:?}: {:?} does not say {part:?}", run.stderr);
    }
}

#[test]
fn an_unknown_design_is_named_with_the_designs() {
    rejects(
        &["--design", "nope"],
        &[],
        &["unknown design `nope`", "naive", "per_context_handle", "per_context_dynamic"],
    );
}

#[test]
fn an_unknown_scenario_is_named_with_the_scenarios() {
    rejects(&["--scenario", "five_attach"], &[], &["unknown scenario `five_attach`", "two_attach", "four_attach"]);
}

#[test]
fn an_unknown_format_is_named_with_the_formats() {
    rejects(&["--format", "yaml"], &[], &["unknown format `yaml`", "text, json, markdown"]);
}

#[test]
fn a_negative_or_non_numeric_cap_is_refused() {
    rejects(&["--max-executions", "-3"], &[], &["`--max-executions`", "`-3`", "at least 1"]);
    rejects(&["--max-executions", "many"], &[], &["`--max-executions`", "`many`"]);
    rejects(&["--max-executions", "0"], &[], &["`--max-executions`", "`0`"]);
    rejects(&["--max-executions"], &[], &["`--max-executions` needs a value"]);
}

#[test]
fn a_bad_plan_is_explained() {
    rejects(&["--plan", "t0.filter_add.fails"], &[], &["bad fault plan", "occurrence", "filter_add"]);
    rejects(
        &["--plan", "t0.begin1.explodes"],
        &[],
        &["bad fault plan", "`fails`, `in_use`, `times_out` or `fails_after_effect`"],
    );
    rejects(&["--plan", "t0.begin*2.fails"], &[], &["bad fault plan", "unknown call"]);
    rejects(&["--plan", "t0.begin0.fails"], &[], &["bad fault plan", "or `*` for every one"]);
}

#[test]
fn an_unknown_option_lists_the_options() {
    rejects(&["--desing", "naive"], &[], &["unknown option `--desing`", "--design", "--format"]);
}

#[test]
fn a_malformed_replay_schedule_is_refused() {
    let args = ["--replay", "shuttle:zero:0011", "--design", "naive", "--scenario", "two_attach", "--plan", "none"];
    if cfg!(all(feature = "shuttle", not(loom))) {
        rejects(&args, &[], &["malformed replay schedule `shuttle:zero:0011`", "the seed is not a number"]);
        let steps = ["--replay", "shuttle:0:01x", "--design", "naive", "--scenario", "two_attach", "--plan", "none"];
        rejects(&steps, &[], &["malformed replay schedule", "not a digit or `r`"]);
        rejects(&["--replay", "shuttle:0:01"], &[], &["exactly one --design"]);
    } else {
        rejects(&args, &[], &["`--replay` replays shuttle schedules", "--features shuttle"]);
    }
}

#[test]
fn bad_checker_environment_values_are_refused() {
    rejects(&[], &[("LOOM_MAX_BRANCHES", "lots")], &["LOOM_MAX_BRANCHES=\"lots\"", "whole number"]);
    rejects(&[], &[("LOOM_MAX_PREEMPTIONS", "-1")], &["LOOM_MAX_PREEMPTIONS=\"-1\"", "whole number"]);
    rejects(&[], &[("LOOM_MAX_PERMUTATIONS", "0")], &["LOOM_MAX_PERMUTATIONS=\"0\"", "at least 1"]);
    rejects(&[], &[("LOOM_MAX_DURATION", "1h")], &["LOOM_MAX_DURATION=\"1h\""]);
    rejects(&[], &[("LOOM_CHECKPOINT_FILE", "/tmp/x.json")], &["LOOM_CHECKPOINT_FILE", "unset it"]);
    rejects(&[], &[("SHUTTLE_RANDOM_SEED", "seed")], &["SHUTTLE_RANDOM_SEED=\"seed\"", "0 to 18446744073709551615"]);
}

#[test]
fn help_exits_zero() {
    let run = wfpcheck(&["--help"], &[]);
    assert_eq!(run.status, 0);
    assert!(run.stdout.contains("--max-executions <N>") && run.stdout.contains("exit status"), "{}", run.stdout);
    assert!(run.stdout.lines().all(|line| line.chars().count() <= 90), "wrapped at 90 columns:\n{}", run.stdout);
}

#[test]
fn version_names_the_checker() {
    let run = wfpcheck(&["--version"], &[]);
    assert_eq!(run.status, 0);
    let checker = if cfg!(loom) {
        "loom"
    } else if cfg!(feature = "shuttle") {
        "shuttle or --checker stateful"
    } else {
        "threads"
    };
    assert_eq!(run.stdout, format!("wfpcheck {} (checker: {checker})\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_misspelt_name_gets_a_suggestion() {
    rejects(&["--desing", "naive"], &[], &["unknown option `--desing` (did you mean `--design`?)"]);
    rejects(&["--design", "per_contxt_handle"], &[], &["(did you mean `per_context_handle`?)", "designs: naive"]);
    rejects(&["--scenario", "two_atach"], &[], &["(did you mean `two_attach`?)"]);
    rejects(&["--format", "jsn"], &[], &["unknown format `jsn` (did you mean `json`?)"]);
    rejects(&["--bench", "sweeep"], &[], &["unknown benchmark `sweeep` (did you mean `sweep`?)", "threads"]);
    rejects(&["--design", "zzz"], &[], &["unknown design `zzz`; designs:"]);
}

#[test]
fn an_option_given_twice_or_a_stray_word_is_refused() {
    rejects(&["--format", "json", "--format", "text"], &[], &["`--format` is given more than once"]);
    rejects(&["--exhaustive", "--exhaustive"], &[], &["`--exhaustive` is given more than once"]);
    rejects(&["naive"], &[], &["unknown option `naive`", "options: --checker, --design"]);
    rejects(&["--jobs=0"], &[], &["`--jobs` takes a whole number from 1 to 256, not `0`"]);
}

/// A pass explored to a cap is no pass: with three executions, rows that pass become
/// inconclusive and the command exits 1.
#[test]
#[cfg(loom)]
fn a_capped_exploration_is_inconclusive_and_exits_1() {
    let run = wfpcheck(
        &["--design", "global_lock", "--scenario", "attach_detach", "--max-executions", "3", "--format", "json"],
        &[],
    );
    assert_eq!(run.status, 1, "{}", run.stderr);
    let rows: Vec<RowJson> = serde_json::from_str(&run.stdout).expect("the rows' JSON");
    assert!(rows.iter().all(|r| r.verdict != "pass"), "a capped pass is no pass: {rows:?}");
    let capped: Vec<&RowJson> = rows.iter().filter(|r| r.verdict == "inconclusive").collect();
    assert!(!capped.is_empty() && capped.iter().all(|r| r.executions == 3 && !r.as_declared), "{rows:?}");
}

#[test]
#[cfg(loom)]
fn json_rows_have_the_documented_keys() {
    let run = wfpcheck(&["--design", "naive", "--scenario", "two_attach", "--format", "json"], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let text = run.stdout.trim();
    assert!(text.starts_with('[') && text.ends_with(']'), "one JSON array");
    let keys = [
        "design",
        "scenario",
        "plan",
        "checker",
        "verdict",
        "search",
        "expected",
        "as_declared",
        "property",
        "status",
        "executions",
        "failing_executions",
        "traces",
        "bound",
        "assumptions",
        "elapsed_ms",
        "why",
        "schedule",
        "preemptions",
        "sometimes",
        "covers",
    ];
    let objects: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(text).expect("objects");
    assert_eq!(objects.len(), 4, "one object per plan");
    let mut sorted = keys.to_vec();
    sorted.sort_unstable();
    for object in &objects {
        assert_eq!(object.keys().map(String::as_str).collect::<Vec<_>>(), sorted, "the documented keys");
    }
    let first = &text[..text.find("\n  }").expect("an object's end")];
    let at: Vec<usize> = keys.iter().map(|k| first.find(&format!("\"{k}\": ")).expect("every key")).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "in the documented order: {first}");
    let rows: Vec<RowJson> = serde_json::from_str(text).expect("rows");
    let none = rows.iter().find(|r| r.plan == "none").expect("the row without a fault");
    assert_eq!((none.status.as_deref(), none.checker.as_str()), (Some("0xC022000E"), "loom"));
    assert_eq!(none.assumptions, "default");
}

/// A large selection prints a design x scenario grid and a line per failing cell that
/// names the command showing its counterexamples; that command prints them.
#[test]
#[cfg(loom)]
fn the_report_fits_a_screen_and_says_how_to_show_each_counterexample() {
    let run = wfpcheck(&["--scenario", "two_attach", "--scenario", "same_provider"], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.len() <= 50, "{} lines:\n{}", lines.len(), run.stdout);
    assert!(lines.iter().any(|l| l.starts_with("design ") && l.contains("two_attach") && l.contains("same_provider")));
    assert!(!run.stdout.contains("why: "), "no counterexample in full by default:\n{}", run.stdout);
    let show = "wfpcheck --design naive --scenario two_attach --counterexamples";
    let naive = lines.iter().find(|l| l.contains(show)).unwrap_or_else(|| panic!("naive's line:\n{}", run.stdout));
    assert!(
        naive.contains("naive / two_attach: 4 of 4 plans, attach_fails_only_by_fault, failed_attach_leaves_nothing"),
        "{naive}"
    );
    let args: Vec<&str> = show.split(' ').skip(1).collect();
    let shown = wfpcheck(&args, &[]);
    assert_eq!(shown.status, 0, "{}", shown.stderr);
    assert_eq!(shown.stdout.matches("why: ").count(), 4, "each plan's counterexample:\n{}", shown.stdout);
    // A small selection: a row per plan, and a line per failing row naming its plan.
    let small = wfpcheck(&["--design", "naive", "--scenario", "two_attach"], &[]);
    assert!(small.stdout.contains("  wfpcheck --design naive --scenario two_attach --plan t1.begin1.times_out\n"));
    assert!(!small.stdout.contains("why: "), "{}", small.stdout);
    rejects(&["--counterexamples", "--format", "json"], &[], &["`--counterexamples`", "`--format`"]);
}

#[test]
fn a_bad_assumption_is_named_with_the_choices() {
    rejects(&["--assume", "implicit_cal=waits"], &[], &["`implicit_cal`", "implicit_call, foreign_transaction"]);
    rejects(&["--assume", "foreign_transaction=sometimes"], &[], &["`sometimes`", "joins, fails_at_once, waits"]);
    rejects(&["--assume", "foreign_transaction"], &[], &["NAME=READING"]);
    rejects(&["--assume"], &[], &["needs a value"]);
    rejects(&["--assumptions", "--design", "naive"], &[], &["runs alone", "--design"]);
}

#[test]
fn the_assumptions_are_listed_with_every_reading() {
    let run = wfpcheck(&["--assumptions"], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for assumption in wfpcheck::assumptions::ASSUMPTIONS {
        for (index, reading) in assumption.readings.iter().enumerate() {
            let line =
                format!("  {}={}{}: ", assumption.name, reading.name, if index == 0 { " (default)" } else { "" });
            assert!(run.stdout.contains(&line), "no line {line:?}:\n{}", run.stdout);
        }
    }
}

#[test]
#[cfg(loom)]
fn a_run_states_the_readings_it_ran_under() {
    let args = ["--design", "naive", "--scenario", "two_attach", "--plan", "none"];
    let run = wfpcheck(&args, &[]);
    assert!(run.stdout.contains("assumptions: default"), "{}", run.stdout);
    let run = wfpcheck(&[&args[..], &["--assume", "foreign_transaction=waits", "--format", "json"]].concat(), &[]);
    let rows: Vec<RowJson> = serde_json::from_str(&run.stdout).expect("the rows' JSON");
    assert_eq!(rows[0].assumptions, "foreign_transaction=waits");
}

#[test]
fn scan_names_what_the_checker_cannot_see() {
    let root = env!("CARGO_MANIFEST_DIR");
    let foreign = format!("{root}/checks/unseen/atomic_flag/mod.rs");
    let run = wfpcheck(&["--scan", &foreign], &[]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stdout.contains("mod.rs: line 11: `std::sync::atomic::AtomicBool`"), "{}", run.stdout);
    // A directory: every Rust file under it, the helper file the design's own leaves out.
    let helper = format!("{root}/checks/unseen/helper_file");
    let run = wfpcheck(&["--scan", &helper], &[]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("{helper}/flag.rs: line 3: `std::sync::atomic`")), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("{helper}/mod.rs: nothing the checker cannot see")), "{}", run.stdout);
    let clean = format!("{root}/checks/designs/custom_design.rs");
    let run = wfpcheck(&["--scan", &clean], &[]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(run.stdout.ends_with("custom_design.rs: nothing the checker cannot see\n"), "{}", run.stdout);
    let run = wfpcheck(&["--scan", &format!("{root}/checks/designs")], &[]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    rejects(&["--scan", "/no/such/design.rs"], &[], &["`--scan` cannot read `/no/such/design.rs`"]);
    let empty = format!("{root}/snapshots");
    rejects(&["--scan", &empty], &[], &["holds no Rust file"]);
    rejects(&["--scan", &clean, "--design", "naive"], &[], &["`--scan` runs alone", "`--design`"]);
}

/// A pass to a preemption bound is its own verdict, shown with its bound, and it is not
/// the declared pass: the command exits 1.
#[test]
#[cfg(loom)]
fn a_bounded_pass_is_not_a_pass() {
    let args = ["--design", "per_context_handle", "--scenario", "two_attach", "--plan", "none"];
    for env in [&[("LOOM_MAX_PREEMPTIONS", "2")][..], &[]] {
        let mut args = args.to_vec();
        if env.is_empty() {
            args.extend(["--preemption-bound", "2"]);
        }
        let run = wfpcheck(&args, env);
        assert_eq!(run.status, 1, "{}", run.stdout);
        assert!(run.stdout.contains("pass-bounded (!)  pass      preemptions<=2"), "{}", run.stdout);
        assert!(run.stdout.contains("0 of 1 verdicts as declared; 1 not"), "{}", run.stdout);
    }
}

/// A row with a declared loom bound is explored to it and declared `pass-bounded`;
/// `--exhaustive` explores it without the bound (here capped, so it is inconclusive and
/// the command exits 1); other checkers reject `--exhaustive`.
#[test]
fn a_declared_bound_is_stated_and_can_be_lifted() {
    let args = ["--design", "per_operation_handle", "--scenario", "three_attach"];
    if cfg!(loom) {
        let run = wfpcheck(&args, &[]);
        assert_eq!(run.status, 0, "{}", run.stdout);
        assert!(run.stdout.contains("pass-bounded  pass-bounded  preemptions<=3"), "{}", run.stdout);
        let mut lifted = args.to_vec();
        lifted.extend(["--exhaustive", "--max-executions", "1000"]);
        let run = wfpcheck(&lifted, &[]);
        assert_eq!(run.status, 1, "{}", run.stdout);
        assert!(run.stdout.contains("inconclusive (!)  pass-bounded  exhaustive"), "{}", run.stdout);
    } else {
        rejects(&["--exhaustive"], &[], &["`--exhaustive` apply to loom only"]);
    }
}

/// Progress goes to stderr only when it is a terminal; here it is a pipe.
#[test]
fn a_run_prints_no_progress_when_stderr_is_not_a_terminal() {
    let run = wfpcheck(
        &["--design", "global_lock", "--scenario", "two_attach", "--plan", "none", "--max-executions", "2"],
        &[],
    );
    assert_eq!(run.stderr, "", "stderr is not a terminal here");
    assert!(run.stdout.contains("global_lock  two_attach  none"), "{}", run.stdout);
    // A capped run, or real threads that saw nothing, proves nothing: exit 1.
    assert_eq!(run.status, 1);
    assert!(run.stdout.contains("inconclusive"), "{}", run.stdout);
}

#[test]
fn a_sensitivity_run_says_per_row_what_each_reading_gives() {
    let args = ["--sensitivity", "--design", "naive", "--scenario", "two_attach", "--plan", "none"];
    let run = wfpcheck(&[&args[..], &["--format", "json"]].concat(), &[]);
    assert!(run.status == 0 || run.status == 1, "{}", run.stderr);
    let rows: Vec<wfpcheck::cli::sensitivity::SensitivityJson> =
        serde_json::from_str(&run.stdout).expect("the rows' JSON");
    assert!(!rows.is_empty());
    for row in &rows {
        let same = row.verdicts.values().all(|verdict| *verdict == row.default.verdict);
        assert_eq!(row.robust, same, "robust when every reading gives the default's verdict: {row:?}");
        for assumption in wfpcheck::assumptions::ASSUMPTIONS {
            for reading in assumption.readings {
                let key = format!("{}={}", assumption.name, reading.name);
                assert!(row.verdicts.contains_key(&key), "no verdict under {key}: {row:?}");
            }
        }
    }
    rejects(&["--sensitivity", "--assume", "aborted_add=one"], &[], &["--sensitivity", "--assume"]);
}

#[test]
#[cfg(loom)]
fn the_w8_reading_decides_global_lock_add_only() {
    let args = ["--sensitivity", "--design", "global_lock_add_only", "--scenario", "attach_detach", "--plan", "none"];
    let run = wfpcheck(&args, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("foreign_transaction=waits: pass"), "{}", run.stdout);
}

/// Options that do not go together are refused in either order, in the words of the
/// option that does not take the other; an option given twice says so.
#[test]
fn options_that_do_not_go_together_are_refused_in_either_order() {
    let cases: &[(&[&str], &[&str], &str)] = &[
        (
            &["--sensitivity"],
            &["--replay", "x"],
            "`--sensitivity` varies every assumption itself; it does not take `--replay`",
        ),
        (
            &["--faults", "1"],
            &["--sensitivity"],
            "`--faults` sweeps every fault itself; it does not take `--sensitivity`",
        ),
        (
            &["--faults", "1"],
            &["--merge", "a.json"],
            "`--faults` sweeps every fault itself; it does not take `--merge`",
        ),
        (&["--merge", "a.json"], &["--scenario", "two_attach"], "`--merge` only reads shards' JSON"),
        (&["--scan", "f.rs"], &["--format", "json"], "`--scan` runs alone; it does not take `--format`"),
        (&["--counterexamples"], &["--bench", "first"], "`--counterexamples` shows the text report's counterexamples"),
    ];
    for (a, b, says) in cases {
        rejects(&[*a, *b].concat(), &[], &[says]);
        rejects(&[*b, *a].concat(), &[], &[says]);
    }
    rejects(&["--format", "json", "--format", "text"], &[], &["`--format` is given more than once"]);
}

/// Names are resolved once, when parsed: rows come in the order given, each design once.
#[test]
fn chosen_designs_are_reported_in_the_order_given() {
    let args = ["--design", "global_lock", "--design", "naive", "--design", "global_lock"];
    let run = wfpcheck(&[&args[..], &["--scenario", "two_attach", "--plan", "none", "--format", "json"]].concat(), &[]);
    let rows: Vec<RowJson> = serde_json::from_str(&run.stdout).expect("the rows' JSON");
    let designs: Vec<&str> = rows.iter().map(|r| r.design.as_str()).collect();
    assert_eq!(designs, ["global_lock", "naive"], "{}", run.stderr);
}
