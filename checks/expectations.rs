//! The expectations table names only rows that exist, and every entry decides some row:
//! an entry for a design, scenario or plan that is gone, or one a more specific entry
//! always overrides, fails here instead of sitting in the table unread. Reads the tables
//! only (no exploration), so it runs in every build.

use wfpcheck::designs;
use wfpcheck::expectations::{self, Expected, EXPECTED, LOOM_BOUNDS};
use wfpcheck::explore::checker::CheckerKind;
use wfpcheck::scenarios::{self, Scenario};

const CHECKERS: [CheckerKind; 3] = [CheckerKind::Loom, CheckerKind::Shuttle, CheckerKind::Threads];

/// Every row the gate can explore: design, scenario, plan name, checker.
fn rows() -> Vec<(String, String, String, CheckerKind)> {
    let mut rows = Vec::new();
    for design in designs::builtin() {
        for scenario in scenarios::builtin() {
            for plan in &scenario.plans {
                for checker in CHECKERS {
                    rows.push((design.name().to_string(), scenario.name.to_string(), plan.to_string(), checker));
                }
            }
        }
    }
    rows
}

/// Why `entry` decides no row of `rows`, if it decides none.
fn unread(entry: &Expected, rows: &[(String, String, String, CheckerKind)], builtin: &[Scenario]) -> Option<String> {
    let decides = rows.iter().any(|(design, scenario, plan, checker)| {
        expectations::expected(design, scenario, plan, *checker).is_some_and(|e| e == entry)
    });
    if decides {
        return None;
    }
    let why = if designs::by_name(entry.design).is_none() {
        "no built-in design has that name".to_string()
    } else if let Some(scenario) = builtin.iter().find(|s| s.name == entry.scenario) {
        if entry.plan != "*" && !scenario.plans.iter().any(|p| p.to_string() == entry.plan) {
            let plans: Vec<String> = scenario.plans.iter().map(|p| p.to_string()).collect();
            format!("the scenario has no such plan (its plans: {})", plans.join(", "))
        } else {
            "a more specific entry decides every row it matches".to_string()
        }
    } else {
        "no built-in scenario has that name".to_string()
    };
    Some(format!("{} / {} / {} ({:?}): {why}", entry.design, entry.scenario, entry.plan, entry.checker))
}

#[test]
fn every_expectation_decides_some_row() {
    let rows = rows();
    let builtin = scenarios::builtin();
    assert!(rows.len() > 100, "only {} rows", rows.len());
    // Entries are told apart by what they say: one written twice is stale too.
    for (i, entry) in EXPECTED.iter().enumerate() {
        assert!(!EXPECTED[..i].contains(entry), "expectations::EXPECTED has this entry twice: {entry:?}");
    }
    let unread: Vec<String> = EXPECTED.iter().filter_map(|entry| unread(entry, &rows, &builtin)).collect();
    assert!(unread.is_empty(), "expectations::EXPECTED has entries that decide no row:\n{}", unread.join("\n"));
}

#[test]
fn every_row_has_an_expectation() {
    let missing: Vec<String> = rows()
        .into_iter()
        .filter(|(design, scenario, plan, checker)| expectations::expected(design, scenario, plan, *checker).is_none())
        .map(|(design, scenario, plan, checker)| format!("{design} / {scenario} / {plan} ({checker})"))
        .collect();
    assert!(missing.is_empty(), "rows with no declared verdict:\n{}", missing.join("\n"));
}

#[test]
fn every_declared_loom_bound_names_a_row() {
    for bound in LOOM_BOUNDS {
        assert!(designs::by_name(bound.design).is_some(), "LOOM_BOUNDS names no design `{}`", bound.design);
        assert!(scenarios::by_name(bound.scenario).is_some(), "LOOM_BOUNDS names no scenario `{}`", bound.scenario);
    }
}

// ---- the check's own rules ----

#[test]
fn a_stale_or_shadowed_entry_is_found() {
    let rows = rows();
    let builtin = scenarios::builtin();
    let entry = |design, scenario, plan, checker| Expected {
        design,
        scenario,
        plan,
        checker,
        verdict: wfpcheck::explore::Verdict::Pass,
        reason: "",
    };
    let why = |e: &Expected| unread(e, &rows, &builtin).unwrap_or_default();
    assert!(why(&entry("gone", "two_attach", "*", None)).ends_with("no built-in design has that name"));
    assert!(why(&entry("naive", "gone", "*", None)).ends_with("no built-in scenario has that name"));
    assert!(why(&entry("naive", "two_attach", "t9.filter_add1.fails", None)).contains("the scenario has no such plan"));
    // Not an entry of the table, so a table entry decides each row it matches.
    assert!(why(&entry("naive", "two_attach", "none", None))
        .ends_with("a more specific entry decides every row it matches"));
    let table_entry = EXPECTED.iter().find(|e| e.design == "naive").expect("naive is declared");
    assert_eq!(unread(table_entry, &rows, &builtin), None);
}
