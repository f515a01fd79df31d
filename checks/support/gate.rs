//! The gate's one body, run under loom (`gate_loom.rs`), shuttle (`gate_shuttle.rs`) and
//! the stateful checker (`gate_stateful.rs`): each design x scenario is its own test, so
//! `cargo nextest run --partition` can split them across machines. Each explores every
//! plan of its scenario, snapshots what it found, and fails when a verdict is not as
//! declared in `model/expectations.rs`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use wfpcheck::designs;
use wfpcheck::expectations;
use wfpcheck::explore::checker::CheckerKind;
use wfpcheck::explore::{self, Settings};
use wfpcheck::render::{self, Row};
use wfpcheck::scenarios;

use crate::snapshots::settings as snapshots;

/// The checker a gate's name says.
pub fn checker(name: &str) -> CheckerKind {
    CheckerKind::ALL.into_iter().find(|c| c.name() == name).unwrap_or_else(|| panic!("no checker `{name}`"))
}

/// Explores every plan of `scenario` for `design`.
pub fn rows(design: &str, scenario: &str, settings: &Settings) -> Vec<Row> {
    let design = designs::by_name(design).unwrap_or_else(|| panic!("no design `{design}`"));
    let scenario = scenarios::by_name(scenario).unwrap_or_else(|| panic!("no scenario `{scenario}`"));
    let settings = expectations::settings_for(design.name(), scenario.name, settings);
    scenario.plans.iter().map(|plan| Row::new(explore::explore(&design, &scenario, plan, &settings))).collect()
}

/// The gate's rows of `design` x `scenario` under `checker`, explored once per test run:
/// the row's own test and the matrix test share them, whichever asks first explores.
pub fn gate_rows(checker: &str, design: &str, scenario: &str) -> Vec<Row> {
    type Cell = Arc<OnceLock<Vec<Row>>>;
    static EXPLORED: OnceLock<Mutex<BTreeMap<(String, String, String), Cell>>> = OnceLock::new();
    let key = (checker.to_string(), design.to_string(), scenario.to_string());
    let cell: Cell =
        EXPLORED.get_or_init(Mutex::default).lock().expect("no test panicked here").entry(key).or_default().clone();
    cell.get_or_init(|| {
        let settings = Settings { checker: self::checker(checker), ..Settings::default() };
        rows(design, scenario, &settings)
    })
    .clone()
}

/// The gate for one design x scenario.
pub fn check(checker: &str, design: &str, scenario: &str) {
    let rows = gate_rows(checker, design, scenario);
    #[cfg(all(feature = "shuttle", not(loom)))]
    for row in rows.iter().filter(|row| row.report.counterexample.is_some()) {
        replays(row);
    }
    snapshots(checker).bind(|| {
        insta::assert_snapshot!(format!("{design}__{scenario}"), render::matrix_text(&rows));
        for row in rows.iter().filter(|row| row.report.counterexample.is_some()) {
            insta::assert_snapshot!(row.slug(), render::counterexample_text(row));
        }
    });
    let off: Vec<String> = rows.iter().filter(|row| !row.as_declared()).map(render::counterexample_text).collect();
    assert!(off.is_empty(), "verdicts not as declared:\n\n{}", off.join("\n"));
}

/// The schedule stored with a shuttle counterexample (and in its snapshot) replays it:
/// the same property broken, the same event log.
#[cfg(all(feature = "shuttle", not(loom)))]
fn replays(row: &Row) {
    let found = row.report.counterexample.as_ref().expect("a counterexample");
    let schedule = found.schedule.as_deref().expect("a shuttle counterexample carries its schedule");
    let design = designs::by_name(&row.report.design).expect("built in");
    let scenario = scenarios::by_name(&row.report.scenario).expect("built in");
    let plan = wfpcheck::wfp::faults::FaultPlan::parse(&row.report.plan).expect("a plan the report printed");
    let settings = Settings { checker: row.report.checker, ..Settings::default() };
    let replayed = explore::replay(&design, &scenario, &plan, &settings, schedule).expect("it parses");
    let again =
        replayed.counterexample.unwrap_or_else(|| panic!("{}: the replay of {schedule} broke nothing", row.slug()));
    assert_eq!(again.violation, found.violation, "{}", row.slug());
    assert!(again.events == found.events, "{}: the replay's event log differs", row.slug());
}

macro_rules! gate_tests {
    ($checker:literal: $($design:ident)* ; $($scenario:ident)*) => {
        gate_tests!(@designs $checker [$($scenario)*] $($design)*);
    };
    (@designs $checker:literal $scenarios:tt $($design:ident)*) => {
        $(
            mod $design {
                gate_tests!(@scenarios $checker $design $scenarios);
            }
        )*
    };
    (@scenarios $checker:literal $design:ident [$($scenario:ident)*]) => {
        $(
            #[test]
            fn $scenario() {
                crate::gate::check($checker, stringify!($design), stringify!($scenario));
            }
        )*
    };
}

/// Every built-in design x scenario as a test in a module per design.
macro_rules! every_design_and_scenario {
    ($checker:literal) => {
        gate_tests!($checker:
            naive provider_lock retry retry_unbounded global_lock global_lock_add_only per_operation_handle
            per_thread_handle per_context_handle per_context_dynamic per_context_4192 per_context_5472;
            two_attach attach_detach same_provider restart_during_attach three_attach four_attach);
    };
}

/// The names the macro lists, which a test compares with the built-in lists so a new
/// design or scenario cannot be left out of the gate.
pub const DESIGNS: &[&str] = &[
    "naive",
    "provider_lock",
    "retry",
    "retry_unbounded",
    "global_lock",
    "global_lock_add_only",
    "per_operation_handle",
    "per_thread_handle",
    "per_context_handle",
    "per_context_dynamic",
    "per_context_4192",
    "per_context_5472",
];
pub const SCENARIOS: &[&str] =
    &["two_attach", "attach_detach", "same_provider", "restart_during_attach", "three_attach", "four_attach"];

pub fn the_gate_lists_every_design_and_scenario() {
    let designs: Vec<&str> = designs::builtin().iter().map(|d| d.name()).collect();
    let scenarios: Vec<&str> = scenarios::builtin().iter().map(|s| s.name).collect();
    assert_eq!(designs, DESIGNS);
    assert_eq!(scenarios, SCENARIOS);
}

/// Every gate row of `checker`, in the report's order (scenario, then design, then plan).
pub fn matrix_rows(checker: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for scenario in SCENARIOS {
        for design in DESIGNS {
            rows.extend(gate_rows(checker, design, scenario));
        }
    }
    rows
}

/// The whole matrix for one checker, snapshotted (text for review, and `verdicts.snap`,
/// the verdicts as JSON), and compared as data with the other checker's committed
/// verdicts: a verdict they disagree on must be declared per checker.
pub fn matrix(checker: &str, other: &str) {
    let rows = matrix_rows(checker);
    let text = render::matrix_text(&rows);
    snapshots(checker).bind(|| insta::assert_snapshot!("matrix", text));
    let verdicts = render::verdicts_json(&rows);
    snapshots(checker).bind(|| insta::assert_snapshot!("verdicts", verdicts));
    let path = format!("{}/snapshots/{other}/verdicts.snap", env!("CARGO_MANIFEST_DIR"));
    let theirs = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("the {other} verdicts {path}: {e}"));
    let body = theirs.splitn(3, "---").nth(2).expect("an insta snapshot has a header between --- lines");
    let body: Vec<render::VerdictJson> =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("the {other} verdicts {path}: {e}"));
    let theirs = self::checker(other);
    // Where both show the fewest-preemption counterexample, it breaks the same property.
    let properties = [CheckerKind::Loom, CheckerKind::Stateful];
    let compare_properties = properties.contains(&self::checker(checker)) && properties.contains(&theirs);
    // A disagreement is declared when the two checkers are declared different verdicts.
    let undeclared: Vec<String> = render::disagreements(&rows, &body, compare_properties)
        .into_iter()
        .filter(|(index, _)| {
            let r = &rows[*index].report;
            let declared_theirs = expectations::expected(&r.design, &r.scenario, &r.plan, theirs).map(|e| e.verdict);
            rows[*index].expected.map(|e| e.verdict) == declared_theirs
        })
        .map(|(_, line)| line)
        .collect();
    assert!(undeclared.is_empty(), "{checker} and {other} disagree, undeclared:\n{}", undeclared.join("\n"));
}
