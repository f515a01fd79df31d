//! Turns reports into what people and CI read: the verdict matrix (text, Markdown,
//! JSON), counterexamples (interleaving tables, Mermaid diagrams), and the comparison
//! of two checkers' matrices. Nothing here depends on wall-clock time except the JSON's
//! `elapsed_ms`, which snapshots never contain.

pub mod events;

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::expectations::{self, Expected};
use crate::explore::{Report, Verdict};

pub use self::events::{mermaid, table};

/// The checker that explored `rows` (this build's default if there are none).
pub fn checker_of(rows: &[Row]) -> crate::explore::checker::CheckerKind {
    rows.first().map_or(crate::explore::checker::RUNNING, |row| row.report.checker)
}

/// A report and what was declared for it.
#[derive(Debug, Clone)]
pub struct Row {
    pub report: Report,
    pub expected: Option<&'static Expected>,
}

impl Row {
    pub fn new(report: Report) -> Row {
        let expected = expectations::expected(&report.design, &report.scenario, &report.plan, report.checker);
        Row { report, expected }
    }

    /// As declared, and proven: an inconclusive verdict never is.
    pub fn as_declared(&self) -> bool {
        self.report.verdict != Verdict::Inconclusive && self.expected.map(|e| e.verdict) == Some(self.report.verdict)
    }

    pub fn expected_name(&self) -> &'static str {
        self.expected.map_or("undeclared", |e| e.verdict.name())
    }

    pub fn property(&self) -> Option<&'static str> {
        self.report.counterexample.as_ref().map(|c| c.violation.property.name)
    }

    pub fn status(&self) -> Option<String> {
        self.report.counterexample.as_ref().and_then(|c| c.violation.status).map(|s| s.hex())
    }

    /// A stable name for the row's files: `naive__two_attach__none`.
    pub fn slug(&self) -> String {
        let plan = self.report.plan.replace(['.', '+'], "_").replace('*', "_every");
        format!("{}__{}__{}", self.report.design, self.report.scenario, plan)
    }
}

/// The verdict matrix as aligned text, one line per row, with no times in it; where a row
/// was explored by the stateful checker, the states it stored and the revisits it pruned.
pub fn matrix_text(rows: &[Row]) -> String {
    let stateful = rows.iter().any(|row| row.report.states.is_some());
    let mut header = vec![
        "design",
        "scenario",
        "plan",
        "verdict",
        "expected",
        "search",
        "executions",
        "traces",
        "property",
        "status",
    ];
    if stateful {
        header.insert(8, "states (matched)");
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let r = &row.report;
            let mut cells = vec![
                r.design.clone(),
                r.scenario.clone(),
                r.plan.clone(),
                mark(row),
                row.expected_name().to_string(),
                r.search.to_string(),
                r.executions.to_string(),
                r.traces.to_string(),
                row.property().unwrap_or("-").to_string(),
                row.status().unwrap_or_else(|| "-".to_string()),
            ];
            if stateful {
                cells.insert(8, r.states.map_or("-".to_string(), |s| format!("{} ({})", s.stored, s.matched)));
            }
            cells
        })
        .collect();
    aligned(&header, &cells)
}

/// A header and rows of cells as left-aligned columns, two spaces apart.
pub fn aligned<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row.as_ref()) {
            *width = (*width).max(cell.len());
        }
    }
    let mut out = String::new();
    let mut draw = |cells: &[String]| {
        let line: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    };
    draw(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for row in rows {
        draw(row.as_ref());
    }
    out
}

/// The verdict, marked when it is not as declared.
fn mark(row: &Row) -> String {
    if row.as_declared() {
        row.report.verdict.name().to_string()
    } else {
        format!("{} (!)", row.report.verdict.name())
    }
}

/// A counterexample (or the reason there is none) as text: what broke, where, the
/// schedule or bound to reproduce it, and the interleaving table.
pub fn counterexample_text(row: &Row) -> String {
    let r = &row.report;
    let mut out = String::new();
    let _ = writeln!(out, "{} / {} / {} ({}): {}", r.design, r.scenario, r.plan, r.checker.name(), r.verdict);
    let _ = writeln!(out, "why: {}", r.why);
    if let Some(expected) = row.expected {
        let _ = writeln!(out, "declared: {} ({})", expected.verdict, expected.reason);
    }
    let _ = writeln!(out, "bound: {}", r.bound);
    if let Some(states) = r.states {
        let _ = writeln!(
            out,
            "states: {} stored, {} matched (executions pruned at a state already explored)",
            states.stored, states.matched
        );
    }
    let _ = writeln!(out, "assumptions: {} (`wfpcheck --assumptions` lists them)", r.assumptions);
    if let Some(events) = &r.unfinished {
        let _ = writeln!(out, "\nthe execution the watchdog gave up on, as far as it got:\n");
        out.push_str(&table(events));
    }
    let Some(c) = &r.counterexample else { return out };
    if !c.also.is_empty() {
        let also: Vec<&str> = c.also.iter().map(|p| p.name).collect();
        let _ = writeln!(out, "the same execution also broke: {}", also.join(", "));
    }
    let _ = writeln!(out, "found at execution {}", c.execution);
    if let Some(preemptions) = c.preemptions {
        let _ = writeln!(out, "fewest preemptions: {preemptions} (the table shows such an execution)");
    }
    if let Some(schedule) = &c.schedule {
        let _ = writeln!(out, "replay: {schedule}");
    }
    out.push('\n');
    out.push_str(&table(&c.events));
    out
}

/// A `sometimes` target and whether some execution reached it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetJson {
    pub target: String,
    pub reached: bool,
}

/// One row of `--format json`, its keys in the documented order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowJson {
    pub design: String,
    pub scenario: String,
    pub plan: String,
    pub checker: String,
    pub verdict: String,
    pub search: String,
    pub expected: String,
    pub as_declared: bool,
    pub property: Option<String>,
    pub status: Option<String>,
    pub executions: u64,
    pub failing_executions: u64,
    pub traces: u64,
    /// The stateful checker's states stored and revisits pruned (absent for the others).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub states: Option<StatesJson>,
    pub bound: String,
    pub assumptions: String,
    pub elapsed_ms: u64,
    pub why: String,
    pub schedule: Option<String>,
    pub preemptions: Option<usize>,
    pub sometimes: Vec<TargetJson>,
    pub covers: String,
}

/// What a stateful exploration remembered: states stored, revisits pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatesJson {
    pub stored: u64,
    pub matched: u64,
}

impl RowJson {
    pub fn of(row: &Row) -> RowJson {
        let r = &row.report;
        RowJson {
            design: r.design.clone(),
            scenario: r.scenario.clone(),
            plan: r.plan.clone(),
            checker: r.checker.name().to_string(),
            verdict: r.verdict.name().to_string(),
            search: r.search.to_string(),
            expected: row.expected_name().to_string(),
            as_declared: row.as_declared(),
            property: row.property().map(str::to_string),
            status: row.status(),
            executions: r.executions,
            failing_executions: r.failing_executions,
            traces: r.traces,
            states: r.states.map(|s| StatesJson { stored: s.stored, matched: s.matched }),
            bound: r.bound.clone(),
            assumptions: r.assumptions.to_string(),
            elapsed_ms: u64::try_from(r.elapsed.as_millis()).unwrap_or(u64::MAX),
            why: r.why.clone(),
            schedule: r.counterexample.as_ref().and_then(|c| c.schedule.clone()),
            preemptions: r.counterexample.as_ref().and_then(|c| c.preemptions),
            sometimes: r
                .targets
                .iter()
                .map(|(target, reached)| TargetJson { target: target.clone(), reached: *reached })
                .collect(),
            covers: crate::explore::PASS_COVERS.to_string(),
        }
    }
}

/// One JSON array, one object per row (serde).
pub fn rows_json(rows: &[Row]) -> String {
    let rows: Vec<RowJson> = rows.iter().map(RowJson::of).collect();
    let mut text = serde_json::to_string_pretty(&rows).expect("rows serialize");
    text.push('\n');
    text
}

/// One row's verdict, what a checker's verdict snapshot (`verdicts.snap`) holds, so that
/// the two checkers' verdicts are compared as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictJson {
    pub design: String,
    pub scenario: String,
    pub plan: String,
    pub verdict: String,
    /// For a `fail`: the property its counterexample breaks first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

/// Every row's verdict as JSON (serde), in the rows' order.
pub fn verdicts_json(rows: &[Row]) -> String {
    let verdicts: Vec<VerdictJson> = rows
        .iter()
        .map(|row| VerdictJson {
            design: row.report.design.clone(),
            scenario: row.report.scenario.clone(),
            plan: row.report.plan.clone(),
            verdict: row.report.verdict.name().to_string(),
            property: row.report.counterexample.as_ref().map(|c| c.violation.property.name.to_string()),
        })
        .collect();
    serde_json::to_string_pretty(&verdicts).expect("verdicts serialize")
}

/// Rows where two checkers' verdicts differ, or (with `properties`) their counterexamples
/// break different properties first: the row's index and a line saying how.
/// `other` is the other checker's verdicts as [`verdicts_json`] wrote them (a committed
/// snapshot, say).
pub fn disagreements(rows: &[Row], other: &[VerdictJson], properties: bool) -> Vec<(usize, String)> {
    rows.iter()
        .enumerate()
        .filter_map(|(index, row)| {
            let r = &row.report;
            let theirs = other.iter().find(|v| v.design == r.design && v.scenario == r.scenario && v.plan == r.plan)?;
            let mine = r.counterexample.as_ref().map(|c| c.violation.property.name);
            let property_differs = properties && theirs.property.as_deref() != mine;
            (theirs.verdict != r.verdict.name() || property_differs).then(|| {
                let says = |verdict: &str, property: Option<&str>| match property {
                    Some(property) => format!("{verdict} ({property})"),
                    None => verdict.to_string(),
                };
                let line = format!(
                    "{} / {} / {}: {} says {}, the other checker {}",
                    r.design,
                    r.scenario,
                    r.plan,
                    r.checker.name(),
                    says(r.verdict.name(), mine),
                    says(&theirs.verdict, theirs.property.as_deref())
                );
                (index, line)
            })
        })
        .collect()
}
