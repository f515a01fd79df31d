//! A user's test of their own design: explore it in the scenarios and plans they name,
//! and fail, showing what was declared and what was found, if any verdict differs.
//! (stateright's `assert_properties` is the model.)

use std::fmt::Write as _;

use crate::designs::DynDesign;
use crate::explore::{self, Report, Settings, Verdict};
use crate::render::{self, Row};
use crate::scenarios;
use crate::sync::Arc;
use crate::wfp::faults::FaultPlan;

/// One verdict a user declares for their design: in `scenario` (a built-in scenario's
/// name), under `plan` (a plan name, such as `none` or `t0.filter_delete1.times_out`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared<'a> {
    /// A built-in scenario's name.
    pub scenario: &'a str,
    /// A plan name (`none`, `t0.filter_delete1.times_out`, ...).
    pub plan: &'a str,
    /// The verdict the user declares.
    pub verdict: Verdict,
}

/// Shorthand for a [`Declared`].
pub const fn declared<'a>(scenario: &'a str, plan: &'a str, verdict: Verdict) -> Declared<'a> {
    Declared { scenario, plan, verdict }
}

/// Explores `design` under this build's checker for each declared scenario and plan, with
/// the default settings, and returns the reports in the same order. Panics if a scenario
/// or plan does not exist, or if any verdict is not the declared one: the message lists
/// every row, declared against found, then each differing row's reason and counterexample.
/// An `inconclusive` verdict matches only an `inconclusive` declaration.
pub fn assert_verdicts(design: &Arc<dyn DynDesign>, declared: &[Declared<'_>]) -> Vec<Report> {
    assert_verdicts_with(design, declared, &Settings::default())
}

/// [`assert_verdicts`] with other settings.
pub fn assert_verdicts_with(
    design: &Arc<dyn DynDesign>,
    declared: &[Declared<'_>],
    settings: &Settings,
) -> Vec<Report> {
    assert!(!declared.is_empty(), "assert_verdicts: declare at least one verdict");
    let reports: Vec<Report> = declared
        .iter()
        .map(|d| {
            let scenario = scenarios::by_name(d.scenario).unwrap_or_else(|| {
                let names: Vec<&str> = scenarios::builtin().iter().map(|s| s.name).collect();
                panic!("assert_verdicts: no scenario `{}`; the scenarios are {}", d.scenario, names.join(", "))
            });
            let plan = FaultPlan::parse(d.plan).unwrap_or_else(|error| panic!("assert_verdicts: {error}"));
            explore::explore(design, &scenario, &plan, settings)
        })
        .collect();
    let differ: Vec<usize> = (0..reports.len()).filter(|i| reports[*i].verdict != declared[*i].verdict).collect();
    if !differ.is_empty() {
        let mut message =
            format!("{}: {} of {} verdicts are not as declared\n\n", design.name(), differ.len(), reports.len());
        let _ = writeln!(message, "{:<16} {:<60} {:<14} found", "scenario", "plan", "declared");
        for (report, d) in reports.iter().zip(declared) {
            let mark = if report.verdict == d.verdict { "" } else { "  <-" };
            let _ =
                writeln!(message, "{:<16} {:<60} {:<14} {}{mark}", d.scenario, report.plan, d.verdict, report.verdict);
        }
        for i in differ {
            let _ = write!(message, "\n{}\n", render::counterexample_text(&Row::new(reports[i].clone())));
        }
        panic!("{message}");
    }
    reports
}
