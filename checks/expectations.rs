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

/// Why `entry` of `table` decides no row of `rows`, if it decides none.
fn unread(
    entry: &Expected,
    table: &[Expected],
    rows: &[(String, String, String, CheckerKind)],
    builtin: &[Scenario],
) -> Option<String> {
    let decides = rows.iter().any(|(design, scenario, plan, checker)| {
        expectations::expected_in(table, design, scenario, plan, *checker).is_some_and(|e| e == entry)
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
            "another entry decides every row it matches (a more specific one, or an equally specific one after it)"
                .to_string()
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
    let unread: Vec<String> = EXPECTED.iter().filter_map(|entry| unread(entry, EXPECTED, &rows, &builtin)).collect();
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
    // Every plan of `same_provider` declared, so its `*` entry decides nothing; and a
    // second entry for `none` as specific as the first, which it overrides.
    let table = [
        entry("naive", "same_provider", "*", None),
        entry("naive", "same_provider", "none", None),
        entry("naive", "same_provider", "t1.begin1.times_out", None),
        entry("naive", "same_provider", "none", Some(CheckerKind::Loom)),
        Expected { reason: "later", ..entry("naive", "same_provider", "none", Some(CheckerKind::Loom)) },
        entry("gone", "two_attach", "*", None),
        entry("naive", "gone", "*", None),
        entry("naive", "two_attach", "t9.filter_add1.fails", None),
    ];
    let why: Vec<String> = table.iter().map(|e| unread(e, &table, &rows, &builtin).unwrap_or_default()).collect();
    let shadowed = "another entry decides every row it matches";
    assert!(why[0].contains(shadowed), "{}", why[0]);
    assert_eq!((why[1].as_str(), why[2].as_str()), ("", ""), "each decides its plan under shuttle and threads");
    assert!(why[3].contains(shadowed), "{}", why[3]);
    assert_eq!(why[4], "", "the later of two equally specific entries decides");
    assert!(why[5].ends_with("no built-in design has that name"), "{}", why[5]);
    assert!(why[6].ends_with("no built-in scenario has that name"), "{}", why[6]);
    assert!(why[7].contains("the scenario has no such plan"), "{}", why[7]);
}
