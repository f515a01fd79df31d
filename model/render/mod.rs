//! Turns reports into what people and CI read: the verdict matrix (text, Markdown,
//! JSON), counterexamples (interleaving tables, Mermaid diagrams), and the comparison
//! of two checkers' matrices. Nothing here depends on wall-clock time except the JSON's
//! `elapsed_ms`, which snapshots never contain.

pub mod events;

use std::fmt::Write as _;

use crate::expectations::{self, Expected};
use crate::explore::{Report, Verdict};

pub use self::events::{mermaid, table};

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

/// The verdict matrix as aligned text, one line per row, with no times in it.
pub fn matrix_text(rows: &[Row]) -> String {
    let header =
        ["design", "scenario", "plan", "verdict", "expected", "search", "executions", "traces", "property", "status"];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let r = &row.report;
            vec![
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
            ]
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

/// The verdict matrix as a Markdown table, with each row's bound and reason.
pub fn matrix_markdown(rows: &[Row]) -> String {
    let mut out =
        String::from("| design | scenario | plan | verdict | expected | executions | traces | property | bound |\n");
    out.push_str("|---|---|---|---|---|---:|---:|---|---|\n");
    for row in rows {
        let r = &row.report;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.design,
            r.scenario,
            r.plan,
            mark(row),
            row.expected_name(),
            r.executions,
            r.traces,
            row.property().unwrap_or("-"),
            r.bound
        );
    }
    out
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

pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_or_null(value: Option<String>) -> String {
    value.map_or_else(|| "null".to_string(), |v| json_string(&v))
}

/// The `sometimes` targets and whether some execution reached each.
fn sometimes_json(report: &Report) -> String {
    let targets: Vec<String> = report
        .targets
        .iter()
        .map(|(target, reached)| format!("{{\"target\": {}, \"reached\": {reached}}}", json_string(target)))
        .collect();
    format!("[{}]", targets.join(", "))
}

/// One JSON array, one object per row.
pub fn rows_json(rows: &[Row]) -> String {
    let objects: Vec<String> = rows
        .iter()
        .map(|row| {
            let body: Vec<String> =
                row_json_fields(row).iter().map(|(k, v)| format!("{}: {v}", json_string(k))).collect();
            format!("  {{{}}}", body.join(", "))
        })
        .collect();
    format!("[\n{}\n]\n", objects.join(",\n"))
}

/// One row's JSON keys and values (each value already JSON), in the documented order.
pub fn row_json_fields(row: &Row) -> Vec<(String, String)> {
    let r = &row.report;
    let fields = [
        ("design", json_string(&r.design)),
        ("scenario", json_string(&r.scenario)),
        ("plan", json_string(&r.plan)),
        ("checker", json_string(r.checker.name())),
        ("verdict", json_string(r.verdict.name())),
        ("search", json_string(&r.search.to_string())),
        ("expected", json_string(row.expected_name())),
        ("as_declared", row.as_declared().to_string()),
        ("property", json_or_null(row.property().map(str::to_string))),
        ("status", json_or_null(row.status())),
        ("executions", r.executions.to_string()),
        ("failing_executions", r.failing_executions.to_string()),
        ("traces", r.traces.to_string()),
        ("bound", json_string(&r.bound)),
        ("assumptions", json_string(&r.assumptions.to_string())),
        ("elapsed_ms", r.elapsed.as_millis().to_string()),
        ("why", json_string(&r.why)),
        ("schedule", json_or_null(r.counterexample.as_ref().and_then(|c| c.schedule.clone()))),
        (
            "preemptions",
            r.counterexample.as_ref().and_then(|c| c.preemptions).map_or("null".to_string(), |p| p.to_string()),
        ),
        ("sometimes", sometimes_json(r)),
        ("covers", json_string(crate::explore::PASS_COVERS)),
    ];
    fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Rows where two checkers' verdicts differ: the row's index and a line saying how.
/// `other` is the other checker's matrix as [`matrix_text`] printed it (a committed
/// snapshot, say).
pub fn disagreements(rows: &[Row], other: &str) -> Vec<(usize, String)> {
    let theirs: Vec<(String, String, String, String)> = other
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            (cells.len() >= 4)
                .then(|| (cells[0].to_string(), cells[1].to_string(), cells[2].to_string(), cells[3].to_string()))
        })
        .collect();
    rows.iter()
        .enumerate()
        .filter_map(|(index, row)| {
            let r = &row.report;
            let (_, _, _, verdict) =
                theirs.iter().find(|(d, s, p, _)| *d == r.design && *s == r.scenario && *p == r.plan)?;
            let theirs = verdict.trim_end_matches(" (!)");
            (theirs != r.verdict.name()).then(|| {
                let line = format!(
                    "{} / {} / {}: {} says {}, the other checker {theirs}",
                    r.design,
                    r.scenario,
                    r.plan,
                    r.checker.name(),
                    r.verdict
                );
                (index, line)
            })
        })
        .collect()
}
