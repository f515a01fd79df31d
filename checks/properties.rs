//! Properties as values: a scenario and a user's test add their own `always` and
//! `sometimes` properties, each checked like the built-in ones and named in the report;
//! two properties with one name, or one with no check, are refused. Runs under every checker (the verdicts a checker
//! cannot give, such as a pass on real threads, are asserted where it can).

use wfpcheck::designs;
use wfpcheck::explore::{self, Report, Settings, Verdict};
use wfpcheck::properties::{self, Findings, Property, Step, CLEAN_END};
use wfpcheck::scenarios::{self, Scenario};
use wfpcheck::wfp::faults::FaultPlan;
use wfpcheck::wfp::{Effect, Status};

/// Whether a step's engine call committed a filter.
fn added(step: &Step<'_>) -> bool {
    step.event.call().is_some_and(|call| call.effects.iter().any(|effect| matches!(effect, Effect::FilterAdded { .. })))
}

fn no_filter_is_added(step: &Step<'_>, found: &mut Findings) {
    if added(step) {
        found.violated(format!("{} added a filter", step.event.actor), None);
    }
}

fn a_call_timed_out(step: &Step<'_>) -> bool {
    step.event.call().is_some_and(|call| call.result == Err(Status::Timeout))
}

/// Breaks in every execution that adds a filter: every attach does.
const NO_FILTER_ADDED: Property =
    Property::always("no_filter_added", "no filter is ever added (a property every attach breaks)")
        .on_step(no_filter_is_added);
const A_FILTER_ADDED: Property = Property::sometimes("a_filter_added", "some execution adds a filter", added);
const A_CALL_TIMED_OUT: Property =
    Property::sometimes("a_call_timed_out", "some call times out (none can without a fault)", a_call_timed_out);

fn two_attach_with(properties: Vec<Property>) -> Scenario {
    Scenario { properties, ..scenarios::by_name("two_attach").expect("built in") }
}

/// `global_lock` passes every built-in property in `two_attach`, so only what is added can break.
fn explore(scenario: &Scenario, settings: &Settings) -> Report {
    let design = designs::by_name("global_lock").expect("built in");
    let settings = Settings { threads_repetitions: 20, ..settings.clone() };
    explore::explore(&design, scenario, &FaultPlan::NONE, &settings)
}

fn target<'r>(report: &'r Report, name: &str) -> &'r (String, bool) {
    report.targets.iter().find(|(target, _)| target.starts_with(name)).unwrap_or_else(|| {
        panic!("no target {name} in {:?}", report.targets);
    })
}

#[test]
fn a_scenarios_always_property_is_checked_and_named() {
    let report = explore(&two_attach_with(vec![NO_FILTER_ADDED]), &Settings::default());
    assert_eq!(report.verdict, Verdict::Fail, "{}", report.why);
    let counterexample = report.counterexample.expect("a counterexample");
    assert_eq!(counterexample.violation.property, NO_FILTER_ADDED);
    assert!(counterexample.violation.message.ends_with("added a filter"), "{}", counterexample.violation.message);
    assert!(report.why.starts_with("no_filter_added violated"), "{}", report.why);
}

#[test]
fn a_users_properties_come_through_the_settings() {
    let settings = Settings { properties: vec![NO_FILTER_ADDED], ..Settings::default() };
    let scenario = scenarios::by_name("two_attach").expect("built in");
    let report = explore(&scenario, &settings);
    let counterexample = report.counterexample.expect("a counterexample");
    assert_eq!(counterexample.violation.property, NO_FILTER_ADDED, "{}", report.why);
}

#[test]
fn a_sometimes_property_is_a_target_to_reach() {
    let report = explore(&two_attach_with(vec![A_FILTER_ADDED, A_CALL_TIMED_OUT]), &Settings::default());
    assert_eq!(target(&report, "a_filter_added"), &("a_filter_added: some execution adds a filter".to_string(), true));
    assert!(!target(&report, "a_call_timed_out").1, "{:?}", report.targets);
    assert!(report.counterexample.is_none(), "{}", report.why);
    if cfg!(any(loom, feature = "shuttle")) {
        assert!(report.why.contains("never reached") && report.why.contains("a_call_timed_out"), "{}", report.why);
    }
    // Where the search is exhaustive, an unreached target makes the run vacuous, not a pass
    // (shuttle's DFS does not finish this row: it samples, which proves nothing anyway).
    if cfg!(loom) {
        assert_eq!(report.verdict, Verdict::Vacuous, "{}", report.why);
        let reached = explore(&two_attach_with(vec![A_FILTER_ADDED]), &Settings::default());
        assert_eq!(reached.verdict, Verdict::Pass, "{}", reached.why);
    }
}

#[test]
fn two_properties_with_one_name_are_refused() {
    let same_name = Property::always(CLEAN_END.name, "another sentence").on_step(no_filter_is_added);
    let report = explore(&two_attach_with(vec![same_name]), &Settings::default());
    assert_eq!(report.verdict, Verdict::Inconclusive);
    assert!(report.why.contains("two properties are named `clean_end`"), "{}", report.why);
    assert_eq!(report.executions, 0, "a refused exploration runs nothing");
}

#[test]
fn a_property_with_no_check_is_refused() {
    let unchecked = Property::always("unchecked", "a property nothing checks");
    let report = explore(&two_attach_with(vec![unchecked]), &Settings::default());
    assert_eq!(report.verdict, Verdict::Inconclusive);
    assert!(report.why.contains("property `unchecked` has no check"), "{}", report.why);
}

#[test]
fn the_built_in_properties_are_one_list_with_one_name_each() {
    let names: Vec<&str> = properties::ALWAYS.iter().map(|p| p.name).collect();
    for (i, name) in names.iter().enumerate() {
        assert!(!names[..i].contains(name), "{name} is listed twice");
    }
    assert!(properties::ALWAYS.iter().all(Property::is_always));
    assert_eq!(properties::always(&[&[NO_FILTER_ADDED, A_FILTER_ADDED]]).len(), names.len() + 1);
}

/// `docs/wfp-semantics.md` lists the built-in properties as the code has them: every one,
/// in order, with its sentence (so the numbers in them, such as the call limit, are the code's).
#[test]
fn the_docs_list_the_built_in_properties_as_the_code_has_them() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/wfp-semantics.md");
    let docs = std::fs::read_to_string(path).expect("docs/wfp-semantics.md");
    let section = docs.split("\n## Properties\n").nth(1).expect("a Properties section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let listed: Vec<&str> = section.lines().filter(|line| line.starts_with("| `")).collect();
    let expected: Vec<String> = properties::ALWAYS.iter().map(|p| format!("| `{}` | {} |", p.name, p.says)).collect();
    assert_eq!(listed, expected, "the property table of {path}");
}
