//! `--sensitivity`: every row explored under the default readings, then once under each
//! other reading of each assumption, one assumption changed at a time. A row is robust
//! when its verdict is the same under all of them; otherwise the report says which reading
//! changes it to what. `docs/assumptions.md` is this report over the two-thread scenarios.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::{self as cli, Options};
use crate::assumptions::{Readings, ASSUMPTIONS};
use crate::explore::checker::RUNNING;
use crate::explore::{self, Verdict};
use crate::render::{self, Row};

/// The command `docs/assumptions.md` is written with (in the loom build).
pub const DOCS_COMMAND: &str = "wfpcheck --checker stateful --sensitivity --scenario two_attach --scenario attach_detach --scenario same_provider --scenario restart_during_attach --format markdown";

/// One design x scenario x plan under every reading.
pub struct SensitivityRow {
    /// The row under the default readings.
    pub default: Row,
    /// The row under each non-default reading, in catalogue order, keyed `NAME=READING`.
    pub under: Vec<(String, Row)>,
}

impl SensitivityRow {
    /// The same verdict under every reading.
    pub fn robust(&self) -> bool {
        self.changes().is_empty()
    }

    /// Each reading that changes the verdict, with the verdict it gives.
    pub fn changes(&self) -> Vec<(&str, Verdict)> {
        let default = self.default.report.verdict;
        self.under
            .iter()
            .filter(|(_, row)| row.report.verdict != default)
            .map(|(reading, row)| (reading.as_str(), row.report.verdict))
            .collect()
    }

    /// The verdict under every reading of every assumption: `NAME=READING` to verdict
    /// (a default reading's is the default verdict).
    pub fn verdicts(&self) -> Vec<(String, Verdict)> {
        let mut all = Vec::new();
        for assumption in ASSUMPTIONS {
            for (index, reading) in assumption.readings.iter().enumerate() {
                let key = format!("{}={}", assumption.name, reading.name);
                let verdict = if index == 0 {
                    self.default.report.verdict
                } else {
                    self.under.iter().find(|(k, _)| *k == key).expect("every reading is explored").1.report.verdict
                };
                all.push((key, verdict));
            }
        }
        all
    }

    fn changes_text(&self) -> String {
        let changes: Vec<String> =
            self.changes().iter().map(|(reading, verdict)| format!("{reading}: {verdict}")).collect();
        if changes.is_empty() {
            "-".to_string()
        } else {
            changes.join("; ")
        }
    }
}

/// Explores every selected design x scenario x plan under every reading.
pub fn explore_all(options: &Options) -> Vec<SensitivityRow> {
    let variations: Vec<Readings> = Readings::one_changed();
    cli::each_row(options, |design, scenario, plan, base| {
        let default = Row::new(explore::explore(design, scenario, plan, base));
        let under = variations
            .iter()
            .map(|readings| {
                let settings = explore::Settings { assumptions: *readings, ..base.clone() };
                let row = Row::new(explore::explore(design, scenario, plan, &settings));
                (readings.changed().join(", "), row)
            })
            .collect();
        SensitivityRow { default, under }
    })
}

/// The text report: a line per row, robust or the readings that change its verdict.
pub fn text(rows: &[SensitivityRow]) -> String {
    let mut out = format!(
        "wfpcheck --sensitivity, checker {}: {} rows, each under the default readings and {} others, one assumption changed at a time\n\n",
        rows.first().map_or(RUNNING, |r| r.default.report.checker).name(),
        rows.len(),
        Readings::one_changed().len()
    );
    let header = ["design", "scenario", "plan", "verdict", "robust", "changed by"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|row| {
            let r = &row.default.report;
            [
                r.design.clone(),
                r.scenario.clone(),
                r.plan.clone(),
                r.verdict.name().to_string(),
                if row.robust() { "yes" } else { "no" }.to_string(),
                row.changes_text(),
            ]
        })
        .collect();
    out.push_str(&render::aligned(&header, &cells));
    let robust = rows.iter().filter(|r| r.robust()).count();
    let _ = writeln!(out, "\n{robust} of {} verdicts hold under every reading", rows.len());
    out
}

/// One row of the JSON report: the default row's keys, plus `robust` and `verdicts`
/// (every `NAME=READING` to its verdict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitivityJson {
    #[serde(flatten)]
    pub default: render::RowJson,
    pub robust: bool,
    pub verdicts: BTreeMap<String, String>,
}

/// The JSON report (serde), one object per row.
pub fn json(rows: &[SensitivityRow]) -> String {
    let rows: Vec<SensitivityJson> = rows
        .iter()
        .map(|row| SensitivityJson {
            default: render::RowJson::of(&row.default),
            robust: row.robust(),
            verdicts: row.verdicts().into_iter().map(|(key, verdict)| (key, verdict.name().to_string())).collect(),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rows).expect("rows serialize");
    text.push('\n');
    text
}

/// `docs/assumptions.md`: the assumptions, then per design which verdicts hold under
/// every reading and which rest on which.
pub fn markdown(rows: &[SensitivityRow], command: &str) -> String {
    let mut out = String::from("# Which verdicts rest on which assumption\n\n");
    let _ = writeln!(
        out,
        "Generated by `{command}` (regenerate: `cargo run --release --features shuttle -- {} > docs/assumptions.md`); do not edit by hand: `checks/docs.rs` fails when this file differs from what the command writes, and when a verdict change it finds is not declared in `model/expectations.rs` (`SENSITIVE`).\n",
        command.trim_start_matches("wfpcheck ")
    );
    let _ = writeln!(
        out,
        "Where Microsoft's documentation does not settle what WFP does, the engine follows one reading of a named assumption (`model/assumptions.rs`, `docs/wfp-semantics.md`). Each row below was explored under the default readings and then under each other reading, one assumption changed at a time: {} explorations per row. A verdict is *robust* when it is the same under every reading; otherwise the row says which reading changes it to what.\n",
        1 + Readings::one_changed().len()
    );
    let _ = writeln!(out, "| assumption | rule | question | readings (default first) |");
    let _ = writeln!(out, "|---|---|---|---|");
    for assumption in ASSUMPTIONS {
        let readings: Vec<String> = assumption.readings.iter().map(|r| format!("`{}`", r.name)).collect();
        let rule = if assumption.rule.is_empty() { "-" } else { assumption.rule };
        let _ = writeln!(out, "| `{}` | {rule} | {} | {} |", assumption.name, assumption.question, readings.join(", "));
    }
    let robust = rows.iter().filter(|r| r.robust()).count();
    let _ = writeln!(out, "\n{robust} of {} verdicts hold under every reading.\n", rows.len());
    let _ = writeln!(out, "## What each reading changes\n");
    let _ = writeln!(out, "| reading | verdicts it changes |");
    let _ = writeln!(out, "|---|---:|");
    for readings in Readings::one_changed() {
        let key = readings.changed().join(", ");
        let changed = rows.iter().filter(|r| r.changes().iter().any(|(k, _)| *k == key)).count();
        let _ = writeln!(out, "| `{key}` | {changed} |");
    }
    let designs: Vec<&str> = {
        let mut seen: Vec<&str> = Vec::new();
        for row in rows {
            if !seen.contains(&row.default.report.design.as_str()) {
                seen.push(&row.default.report.design);
            }
        }
        seen
    };
    for design in designs {
        let mine: Vec<&SensitivityRow> = rows.iter().filter(|r| r.default.report.design == design).collect();
        let robust = mine.iter().filter(|r| r.robust()).count();
        let _ = writeln!(out, "\n## {design}\n\n{robust} of {} verdicts hold under every reading.\n", mine.len());
        let _ = writeln!(out, "| scenario | plan | verdict | robust | changed by |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for row in mine {
            let r = &row.default.report;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.scenario,
                r.plan,
                r.verdict,
                if row.robust() { "yes" } else { "**no**" },
                row.changes_text()
            );
        }
    }
    out
}
