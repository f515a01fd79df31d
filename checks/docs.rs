//! The generated documents are what their commands write: `docs/designs.md` (the report's
//! Markdown, then the single-fault sweep's; `REGENERATE` below) and `docs/assumptions.md`
//! (the sensitivity run, `sensitivity::DOCS_COMMAND`), each explored by the stateful
//! checker, exhaustively. The report's rows are the stateful gate's, explored once.

#![cfg(all(feature = "shuttle", not(loom)))]

use std::process::Command;

use wfpcheck::cli::sensitivity::{self, DOCS_COMMAND};
use wfpcheck::expectations::{self, SENSITIVE};
use wfpcheck::render;
use wfpcheck::sweep::{self, SweepReport};

use crate::{gate, snapshots};

fn wfpcheck(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_wfpcheck")).args(args).output().expect("wfpcheck runs");
    assert!(output.status.code().is_some_and(|c| c < 2), "{}", String::from_utf8_lossy(&output.stderr));
    (output.status.code(), String::from_utf8(output.stdout).expect("UTF-8"))
}

/// `docs/designs.md` is the report's Markdown and then the single-fault sweep's
/// (`sweep::DOCS_COMMAND`), both as declared; each design x scenario of the sweep has a
/// snapshot of every plan it does not survive.
#[test]
fn designs_md_is_what_the_report_command_writes() {
    let rows = gate::matrix_rows("stateful");
    assert!(rows.iter().all(render::Row::as_declared), "every verdict of the report as declared");
    let report = wfpcheck::cli::report(&rows, wfpcheck::cli::Format::Markdown, false);
    let args: Vec<&str> = sweep::DOCS_COMMAND.split_whitespace().skip(1).collect();
    let json: Vec<&str> = args.iter().map(|a| if *a == "markdown" { "json" } else { a }).collect();
    let (status, json) = wfpcheck(&json);
    let swept: SweepReport = serde_json::from_str(&json).expect("the sweep's JSON");
    assert!(swept.as_declared(), "a sweep verdict is not as declared: run `{}` (text)", sweep::DOCS_COMMAND);
    assert_eq!(status, Some(0));
    // No declaration is stale: each names some plan the sweep explored.
    for declared in expectations::SWEEP {
        let used = swept
            .groups
            .iter()
            .any(|g| g.rows.iter().any(|r| expectations::sweep_matches(declared, &g.design, &g.scenario, &r.plan)));
        assert!(used, "expectations::SWEEP names no plan of the sweep: {declared:?}");
    }
    for group in swept.groups.iter().filter(|g| !g.rows.is_empty()) {
        let name = format!("sweep__{}__{}", group.design, group.scenario);
        snapshots::settings("stateful").bind(|| insta::assert_snapshot!(name, sweep::failures_text(&swept, group)));
    }
    let written = format!("{report}\n{}", sweep::markdown(&swept));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/designs.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != written {
        let first = committed.lines().zip(written.lines()).position(|(a, b)| a != b);
        panic!(
            "docs/designs.md differs from what `wfpcheck --checker stateful --format markdown` and `{}` write (first differing line: {:?}); \
             regenerate it with: {REGENERATE}",
            sweep::DOCS_COMMAND,
            first.map(|n| n + 1)
        );
    }
}

/// How `docs/designs.md` is written.
const REGENERATE: &str = "cargo build --release --features shuttle && (./target/release/wfpcheck --checker stateful --format markdown; echo; ./target/release/wfpcheck --checker stateful --faults 1 --scenario two_attach --scenario attach_detach --scenario same_provider --scenario restart_during_attach --format markdown) > docs/designs.md";

#[test]
fn the_regeneration_command_runs_the_documented_sweep() {
    assert!(REGENERATE.contains(sweep::DOCS_COMMAND.trim_start_matches("wfpcheck ")));
}

/// `docs/assumptions.md` is what the sensitivity command writes over the two-thread
/// scenarios; every verdict change it finds is declared in `expectations::SENSITIVE` and
/// every declared one is found; each counterexample found only under a non-default reading
/// (none under the defaults, or one breaking another property) is snapshotted, so a
/// change to an assumption's code shows in review.
#[test]
fn assumptions_md_is_what_the_sensitivity_command_writes() {
    let args: Vec<String> = DOCS_COMMAND.split_whitespace().skip(1).map(String::from).collect();
    let options = wfpcheck::cli::parse(&args, &|_| None).expect("the documented command parses");
    let rows = sensitivity::explore_all(&options);

    let mut found = Vec::new();
    for row in &rows {
        let r = &row.default.report;
        for (reading, verdict) in row.changes() {
            found.push(format!("{} / {} / {} under {reading}: {verdict}", r.design, r.scenario, r.plan));
        }
        for (reading, under) in &row.under {
            // A counterexample the default readings do not have: none, or one breaking another property.
            let property =
                |row: &wfpcheck::explore::Report| row.counterexample.as_ref().map(|c| c.violation.property.name);
            let new_failure = under.report.counterexample.is_some() && property(&under.report) != property(r);
            if new_failure {
                let name = format!("sensitivity__{}__{}", under.slug(), reading.replace('=', "_"));
                snapshots::settings("stateful")
                    .bind(|| insta::assert_snapshot!(name, render::counterexample_text(under)));
            }
        }
    }
    let declared: Vec<String> = SENSITIVE
        .iter()
        .map(|s| format!("{} / {} / {} under {}: {}", s.design, s.scenario, s.plan, s.reading, s.verdict))
        .collect();
    let undeclared: Vec<&String> = found.iter().filter(|f| !declared.contains(f)).collect();
    let not_found: Vec<&String> = declared.iter().filter(|d| !found.contains(d)).collect();
    assert!(
        undeclared.is_empty() && not_found.is_empty(),
        "expectations::SENSITIVE is not what the sensitivity run finds;\nfound, not declared:\n{}\ndeclared, not found:\n{}",
        undeclared.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
        not_found.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert!(rows.iter().all(|row| row.default.as_declared()), "a default verdict is not as declared");

    let written = sensitivity::markdown(&rows, DOCS_COMMAND);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/assumptions.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != written {
        let first = committed.lines().zip(written.lines()).position(|(a, b)| a != b);
        panic!(
            "docs/assumptions.md differs from what `{DOCS_COMMAND}` writes (first differing line: {:?}); regenerate it with \
             cargo run --release --features shuttle -- {} > docs/assumptions.md",
            first.map(|n| n + 1),
            DOCS_COMMAND.trim_start_matches("wfpcheck ")
        );
    }
}
