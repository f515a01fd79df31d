//! Fault sweeps: every single WFP fault (`--faults 1`), or every pair (`--faults 2`),
//! that the calls of a scenario can meet, found from the scenario's own explorations,
//! each plan explored on its own; in parallel (`--jobs`), in shards (`--shard`), and
//! merged again (`--merge`). The result is data ([`SweepReport`], JSON through serde)
//! that text and Markdown are rendered from, so a merged report is the single run's.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use crate::designs::DynDesign;
use crate::expectations;
use crate::explore::{self, Report, Settings, Verdict};
use crate::properties::Sometimes;
use crate::render::{self, Row};
use crate::scenarios::Scenario;
use crate::sync::Arc;
use crate::wfp::faults::{Fault, FaultPlan};

/// The sweep `docs/designs.md` ends with: every single fault of the two-thread scenarios.
pub const DOCS_COMMAND: &str =
    "wfpcheck --checker stateful --faults 1 --scenario two_attach --scenario attach_detach --scenario same_provider \
     --scenario restart_during_attach --format markdown";

/// By default at most this many pairs per design x scenario (`--faults 2`); more are not
/// explored, and the sweep says so and is not complete.
pub const PAIRS_MAX_DEFAULT: usize = 10_000;

/// `--pairs-max` is at most this.
pub const PAIRS_MAX_LIMIT: usize = 100_000;

/// How many faults each plan of a sweep injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Faults {
    One,
    /// Pairs, at most `pairs_max` per design x scenario.
    Two {
        pairs_max: usize,
    },
}

impl Faults {
    pub fn count(self) -> u8 {
        match self {
            Faults::One => 1,
            Faults::Two { .. } => 2,
        }
    }

    fn pairs_max(self) -> Option<usize> {
        match self {
            Faults::One => None,
            Faults::Two { pairs_max } => Some(pairs_max),
        }
    }
}

/// The `index`-th of `count` deterministic subsets of a sweep's plans (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// At most this many shards.
pub const SHARDS_MAX: usize = 1_000;

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Parses `I/N`, 1 <= I <= N <= [`SHARDS_MAX`].
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = |why: &str| {
            format!("`--shard` takes I/N with 1 <= I <= N <= {SHARDS_MAX}, such as 1/4, not `{text}`: {why}")
        };
        let (index, count) = text.split_once('/').ok_or_else(|| bad("no `/`"))?;
        let index: usize = index.parse().map_err(|_| bad("I is not a whole number"))?;
        let count: usize = count.parse().map_err(|_| bad("N is not a whole number"))?;
        if index == 0 || count == 0 || index > count || count > SHARDS_MAX {
            return Err(bad("out of range"));
        }
        Ok(Shard { index, count })
    }

    /// Whether the plan with this index (in the whole sweep's order) is in this shard.
    pub fn holds(self, index: usize) -> bool {
        index % self.count == self.index - 1
    }
}

/// The plans one process runs: those of `shard` that fall to `job` (what `--jobs` gives
/// each of its processes), numbered through the whole sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub shard: Shard,
    pub job: Shard,
}

impl Selection {
    pub const ALL: Selection = Selection { shard: Shard::ALL, job: Shard::ALL };

    pub fn holds(self, index: usize) -> bool {
        self.shard.holds(index) && self.job.holds(index / self.shard.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Serialize for Shard {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Shard {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Shard, D::Error> {
        let text = String::deserialize(deserializer)?;
        Shard::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// What became of one plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Explored exhaustively, every target reached, no `always` property broken.
    Survived,
    /// A property broke: the row has its counterexample.
    Failed,
    /// A planned fault never fired in any execution: it says nothing, and is not counted.
    Unreachable,
    /// The scenario's own target was never reached: nothing is shown either way.
    Vacuous,
    /// Bounded, sampled, or stopped by a limit: nothing is proven.
    Unproven,
}

impl Outcome {
    fn of(report: &Report) -> Outcome {
        match report.verdict {
            Verdict::Pass => Outcome::Survived,
            Verdict::Fail => Outcome::Failed,
            Verdict::Vacuous => {
                let fired_never = report
                    .targets
                    .iter()
                    .any(|(target, hit)| !hit && target.starts_with(Sometimes::FAULT_FIRED_PREFIX));
                if fired_never {
                    Outcome::Unreachable
                } else {
                    Outcome::Vacuous
                }
            }
            Verdict::PassBounded | Verdict::Sampled | Verdict::Inconclusive => Outcome::Unproven,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Survived => "survived",
            Outcome::Failed => "failed",
            Outcome::Unreachable => "unreachable",
            Outcome::Vacuous => "vacuous",
            Outcome::Unproven => "unproven",
        }
    }
}

/// One plan of a sweep, explored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepRow {
    /// Its place in the whole sweep (what `--shard` divides).
    pub index: usize,
    pub plan: String,
    pub verdict: String,
    pub expected: String,
    pub as_declared: bool,
    pub outcome: Outcome,
    pub property: Option<String>,
    pub status: Option<String>,
    pub executions: u64,
    pub traces: u64,
    pub why: String,
    /// The counterexample as text (fewest preemptions under loom), for a failed plan.
    pub counterexample: Option<String>,
}

/// The no-fault exploration a group's plans were found from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CensusSummary {
    pub executions: u64,
    /// Distinct call sites reached.
    pub sites: usize,
    /// Every execution was explored: the sites are every call any execution makes.
    pub complete: bool,
}

/// One design x scenario of a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub design: String,
    pub scenario: String,
    /// The verdict without a fault. Only a design that passes is swept: one that fails
    /// already survives no fault, and every plan would show that same failure again.
    pub without_fault: String,
    /// Why, when it is not `pass`.
    pub without_fault_why: Option<String>,
    /// What `model/expectations.rs` declares without a fault.
    pub without_fault_expected: String,
    pub census: CensusSummary,
    /// Plans in the whole sweep for this group (every shard's rows together).
    pub plans: usize,
    /// `--faults 2`: pairs found beyond the report's `pairs_max` and not explored.
    pub pairs_not_explored: usize,
    /// This shard's rows.
    pub rows: Vec<SweepRow>,
}

/// A sweep, or one shard of it: what `--format json` prints and `--merge` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepReport {
    /// The wfpcheck version that made it.
    pub wfpcheck: String,
    pub checker: String,
    pub assumptions: String,
    pub faults: u8,
    /// `--faults 2`: at most this many pairs per design x scenario.
    pub pairs_max: Option<usize>,
    /// The bound of every exploration, and the sweep's own.
    pub bound: String,
    pub shard: Shard,
    /// The shards merged into it (empty for a run of its own).
    pub merged: Vec<Shard>,
    pub groups: Vec<Group>,
}

impl SweepReport {
    /// Every row the report's shard must hold, and no other, then every verdict as
    /// declared, every census complete, every pair explored, and no plan unproven.
    pub fn as_declared(&self) -> bool {
        self.rows_wrong().is_none()
            && self.groups.iter().all(|g| {
                let swept = g.without_fault == Verdict::Pass.name();
                g.without_fault == g.without_fault_expected
                    && (!swept || g.census.complete)
                    && g.pairs_not_explored == 0
                    && g.rows.iter().all(|r| r.as_declared && r.outcome != Outcome::Unproven)
            })
    }

    /// Where a group's rows are not exactly the plans its shard holds: the groups number
    /// their plans one after another through the whole sweep, so each group's rows must
    /// be the indices of its range that the shard holds, once each, in order. `None`
    /// when every group's are.
    pub fn rows_wrong(&self) -> Option<String> {
        let mut first = 0;
        for group in &self.groups {
            let range = first..first + group.plans;
            first = range.end;
            let expected: Vec<usize> = range.clone().filter(|i| self.shard.holds(*i)).collect();
            let actual: Vec<usize> = group.rows.iter().map(|r| r.index).collect();
            if actual == expected {
                continue;
            }
            let missing: Vec<String> =
                expected.iter().filter(|i| !actual.contains(i)).take(SHOWN_MAX).map(usize::to_string).collect();
            let mut seen = BTreeSet::new();
            let extra: Vec<String> = actual
                .iter()
                .filter(|i| !range.contains(*i) || !self.shard.holds(**i) || !seen.insert(**i))
                .take(SHOWN_MAX)
                .map(usize::to_string)
                .collect();
            let order = if missing.is_empty() && extra.is_empty() { "; out of order" } else { "" };
            return Some(format!(
                "{} / {}: shard {} must hold the {} plans {}..{} it numbers, has {} rows (missing: {}; not its own or \
                 twice: {}{order})",
                group.design,
                group.scenario,
                self.shard,
                expected.len(),
                range.start,
                range.end,
                actual.len(),
                if missing.is_empty() { "none".to_string() } else { missing.join(", ") },
                if extra.is_empty() { "none".to_string() } else { extra.join(", ") },
            ));
        }
        None
    }
}

/// At most this many row indices are named in a complaint about a report's rows.
const SHOWN_MAX: usize = 5;

/// The sweep's own bound in words.
fn sweep_bound(faults: Faults) -> String {
    match faults {
        Faults::One => "every single fault of every call site the no-fault exploration reaches".to_string(),
        Faults::Two { pairs_max } => format!(
            "every pair of faults: each single fault the design survives, with every fault of every call site \
             its exploration reaches, at most {pairs_max} pairs per design x scenario (a single fault that fails \
             is not paired)"
        ),
    }
}

/// Settings of a census: every execution recorded; a design that fails without a fault
/// stops at its first violation, as the gate's `none` row does, and is not swept.
fn census_settings(settings: &Settings) -> Settings {
    Settings { census: true, loom_fewest_preemptions: false, ..settings.clone() }
}

/// A plan's row from its report.
fn row(index: usize, report: Report) -> SweepRow {
    let outcome = Outcome::of(&report);
    let (verdict, reason) = expectations::sweep_expected(&report.design, &report.scenario, &report.plan);
    // The gate's own declaration (for a named plan) is not this row's: the sweep's is below.
    let shown = Row { report, expected: None };
    let r = &shown.report;
    SweepRow {
        index,
        plan: r.plan.clone(),
        verdict: r.verdict.name().to_string(),
        expected: verdict.name().to_string(),
        as_declared: r.verdict == verdict,
        outcome,
        property: shown.property().map(str::to_string),
        status: shown.status(),
        executions: r.executions,
        traces: r.traces,
        why: r.why.clone(),
        counterexample: r.counterexample.as_ref().map(|_| {
            let mut text = render::counterexample_text(&shown);
            let _ = writeln!(text, "declared: {verdict} ({reason})");
            text
        }),
    }
}

/// Runs the sweep over every design x scenario, keeping only the selected plans (every
/// process runs the censuses the plans are found from).
pub fn run(
    designs: &[Arc<dyn DynDesign>],
    scenarios: &[Scenario],
    settings: &Settings,
    faults: Faults,
    selection: Selection,
) -> SweepReport {
    let settings = Settings { progress: None, ..settings.clone() };
    let pairs: Vec<(&Arc<dyn DynDesign>, &Scenario)> =
        scenarios.iter().flat_map(|s| designs.iter().map(move |d| (d, s))).collect();
    let censuses: Vec<Report> = pairs
        .iter()
        .map(|(design, scenario)| {
            let settings = expectations::settings_for(design.name(), scenario.name, &census_settings(&settings));
            explore::explore(design, scenario, &FaultPlan::NONE, &settings)
        })
        .collect();
    let singles: Vec<Vec<FaultPlan>> = censuses
        .iter()
        .map(|report| {
            let census = report.census.as_ref().expect("a census run");
            if report.verdict != Verdict::Pass || !census.complete {
                return Vec::new();
            }
            census.faults().into_iter().map(|fault| FaultPlan::new(vec![fault])).collect()
        })
        .collect();
    let explore_plans = |plans: &[(usize, FaultPlan)], census: bool| -> Vec<Report> {
        plans
            .iter()
            .map(|(group, plan)| {
                let (design, scenario) = pairs[*group];
                let base = Settings { census, ..settings.clone() };
                let settings = expectations::settings_for(design.name(), scenario.name, &base);
                explore::explore(design, scenario, plan, &settings)
            })
            .collect()
    };
    // Every plan of the whole sweep, in order, each with its group.
    let singles: Vec<(usize, FaultPlan)> =
        singles.iter().enumerate().flat_map(|(g, ps)| ps.iter().map(move |p| (g, p.clone()))).collect();
    let mut pairs_not_explored = vec![0; pairs.len()];
    let plans: Vec<(usize, FaultPlan)> = match faults {
        Faults::One => singles,
        Faults::Two { pairs_max } => {
            // Every shard explores every single fault: the pairs are found from their censuses.
            let explored = explore_plans(&singles, true);
            let mut found: Vec<BTreeSet<FaultPlan>> = vec![BTreeSet::new(); pairs.len()];
            for ((group, single), report) in singles.iter().zip(&explored) {
                let census = report.census.as_ref().expect("a census run");
                if report.verdict != Verdict::Pass || !census.complete {
                    continue;
                }
                let first: Fault = single.faults()[0];
                for second in census.faults() {
                    if (second.actor, second.kind, second.occurrence) != (first.actor, first.kind, first.occurrence) {
                        found[*group].insert(FaultPlan::new(vec![first, second]));
                    }
                }
            }
            let mut plans = Vec::new();
            for (group, set) in found.into_iter().enumerate() {
                pairs_not_explored[group] = set.len().saturating_sub(pairs_max);
                plans.extend(set.into_iter().take(pairs_max).map(|plan| (group, plan)));
            }
            plans
        }
    };
    let mine: Vec<(usize, FaultPlan)> =
        plans.iter().enumerate().filter(|(i, _)| selection.holds(*i)).map(|(_, p)| p.clone()).collect();
    let mut done = explore_plans(&mine, false).into_iter();
    let reports: Vec<Option<Report>> =
        (0..plans.len()).map(|i| if selection.holds(i) { done.next() } else { None }).collect();
    let mut groups: Vec<Group> = pairs
        .iter()
        .zip(&censuses)
        .enumerate()
        .map(|(g, ((design, scenario), census))| {
            let c = census.census.as_ref().expect("a census run");
            let expected = expectations::expected(design.name(), scenario.name, "none", settings.checker);
            Group {
                design: design.name().to_string(),
                scenario: scenario.name.to_string(),
                without_fault: census.verdict.name().to_string(),
                without_fault_why: (census.verdict != Verdict::Pass).then(|| census.why.clone()),
                without_fault_expected: expected.map_or("undeclared", |e| e.verdict.name()).to_string(),
                census: CensusSummary { executions: census.executions, sites: c.sites.len(), complete: c.complete },
                plans: plans.iter().filter(|(group, _)| *group == g).count(),
                pairs_not_explored: pairs_not_explored[g],
                rows: Vec::new(),
            }
        })
        .collect();
    for (index, ((group, _), report)) in plans.iter().zip(reports).enumerate() {
        if let Some(report) = report {
            groups[*group].rows.push(row(index, report));
        }
    }
    SweepReport {
        wfpcheck: env!("CARGO_PKG_VERSION").to_string(),
        checker: settings.checker.name().to_string(),
        assumptions: settings.assumptions.to_string(),
        faults: faults.count(),
        pairs_max: faults.pairs_max(),
        bound: format!("{}; each exploration: {}", sweep_bound(faults), explore::bound(&settings)),
        shard: selection.shard,
        merged: Vec::new(),
        groups,
    }
}

/// One shard's report from the reports of its jobs (each ran its share of its plans).
pub fn combine_jobs(jobs: Vec<SweepReport>) -> SweepReport {
    let mut jobs = jobs.into_iter();
    let mut whole = jobs.next().expect("at least one job");
    for job in jobs {
        for (group, theirs) in whole.groups.iter_mut().zip(job.groups) {
            group.rows.extend(theirs.rows);
        }
    }
    for group in &mut whole.groups {
        group.rows.sort_by_key(|r| r.index);
    }
    whole
}

/// Why shard results cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("`--merge` cannot read `{0}`: {1}")]
    Unreadable(String, String),
    #[error("`--merge`: `{0}` is not a sweep's JSON (`wfpcheck --faults N --format json`): {1}")]
    NotASweep(String, String),
    #[error("`--merge`: `{file}` was made with {what} `{theirs}`, `{first}` with `{ours}`; shards merge only from one build, one checker, the same assumptions and the same sweep")]
    Different { file: String, first: String, what: &'static str, theirs: String, ours: String },
    #[error("`--merge`: shard {0} is given twice")]
    Twice(Shard),
    #[error("`--merge`: shards {missing} of {count} are missing")]
    Missing { missing: String, count: usize },
    #[error("`--merge`: `{0}` is already a merge of shards")]
    AlreadyMerged(String),
    #[error("`--merge`: `{file}` does not hold its shard's rows: {why}")]
    Rows { file: String, why: String },
    #[error("`--merge` needs at least one file")]
    Nothing,
}

/// Combines shards of one sweep (given as `(file name, JSON)`) into the whole sweep.
pub fn merge(files: &[(String, String)]) -> Result<SweepReport, MergeError> {
    let mut shards: Vec<(String, SweepReport)> = Vec::new();
    for (file, text) in files {
        let report: SweepReport =
            serde_json::from_str(text).map_err(|e| MergeError::NotASweep(file.clone(), e.to_string()))?;
        if !report.merged.is_empty() {
            return Err(MergeError::AlreadyMerged(file.clone()));
        }
        if let Some(why) = report.rows_wrong() {
            return Err(MergeError::Rows { file: file.clone(), why });
        }
        shards.push((file.clone(), report));
    }
    let Some((first_file, first)) = shards.first().cloned() else { return Err(MergeError::Nothing) };
    let mut seen: BTreeSet<usize> = BTreeSet::new();
    for (file, report) in &shards {
        let differs = |what: &'static str, theirs: String, ours: String| -> Result<(), MergeError> {
            if theirs == ours {
                return Ok(());
            }
            Err(MergeError::Different { file: file.clone(), first: first_file.clone(), what, theirs, ours })
        };
        differs("wfpcheck version", report.wfpcheck.clone(), first.wfpcheck.clone())?;
        differs("checker", report.checker.clone(), first.checker.clone())?;
        differs("assumptions", report.assumptions.clone(), first.assumptions.clone())?;
        differs("faults", report.faults.to_string(), first.faults.to_string())?;
        differs("bound", report.bound.clone(), first.bound.clone())?;
        differs("shard count", report.shard.count.to_string(), first.shard.count.to_string())?;
        let plan_of = |r: &SweepReport| -> String {
            r.groups
                .iter()
                .map(|g| format!("{}/{}: {} plans", g.design, g.scenario, g.plans))
                .collect::<Vec<_>>()
                .join(", ")
        };
        differs("designs, scenarios and plans", plan_of(report), plan_of(&first))?;
        if !seen.insert(report.shard.index) {
            return Err(MergeError::Twice(report.shard));
        }
    }
    let count = first.shard.count;
    let missing: Vec<String> = (1..=count).filter(|i| !seen.contains(i)).map(|i| i.to_string()).collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing: missing.join(", "), count });
    }
    let mut merged = first.clone();
    merged.shard = Shard::ALL;
    merged.merged = (1..=count).map(|index| Shard { index, count }).collect();
    for (g, group) in merged.groups.iter_mut().enumerate() {
        group.rows = shards.iter().flat_map(|(_, r)| r.groups[g].rows.iter().cloned()).collect();
        group.rows.sort_by_key(|r| r.index);
    }
    assert_eq!(merged.rows_wrong(), None, "shards that each hold their own rows merge into every row once");
    Ok(merged)
}

impl SweepReport {
    /// Merged shards compare equal to the single run: only the shard fields differ.
    pub fn without_shards(&self) -> SweepReport {
        SweepReport { shard: Shard::ALL, merged: Vec::new(), ..self.clone() }
    }
}

/// Per group: survived, failed, unreachable, other.
fn counts(group: &Group) -> (usize, usize, usize, usize) {
    let of = |o: Outcome| group.rows.iter().filter(|r| r.outcome == o).count();
    let (survived, failed, unreachable) = (of(Outcome::Survived), of(Outcome::Failed), of(Outcome::Unreachable));
    (survived, failed, unreachable, group.rows.len() - survived - failed - unreachable)
}

fn fault_word(report: &SweepReport) -> &'static str {
    if report.faults == 1 {
        "single faults"
    } else {
        "fault pairs"
    }
}

fn sweep_title(report: &SweepReport) -> &'static str {
    if report.faults == 1 {
        "every single fault"
    } else {
        "every pair of faults"
    }
}

/// A group's line: "survives k of n single faults", and what else.
fn survival(report: &SweepReport, group: &Group) -> String {
    if let Some(why) = &group.without_fault_why {
        let mark = if group.without_fault == group.without_fault_expected { "" } else { " (!)" };
        return format!(
            "{}{mark} without a fault (expected {}), so not swept: {why}",
            group.without_fault, group.without_fault_expected
        );
    }
    let (survived, failed, unreachable, other) = counts(group);
    let counted = group.rows.len() - unreachable;
    let mut line = format!("survives {survived} of {counted} {}", fault_word(report));
    if failed > 0 {
        let _ = write!(line, "; fails {failed}");
    }
    if unreachable > 0 {
        let _ = write!(line, "; {unreachable} unreachable (their fault never fired), not counted");
    }
    if other > 0 {
        let _ = write!(line, "; {other} vacuous (the fault kept the scenario from its target) or unproven");
    }
    if !group.census.complete {
        let _ = write!(line, "; the no-fault exploration did not finish, so some call sites may be missing");
    }
    if group.pairs_not_explored > 0 {
        let bound = report.pairs_max.map_or("the bound".to_string(), |max| max.to_string());
        let _ = write!(line, "; {} pairs beyond {bound} not explored", group.pairs_not_explored);
    }
    if group.rows.len() < group.plans {
        let _ = write!(line, " (this shard: {} of {} plans)", group.rows.len(), group.plans);
    }
    line
}

fn header(report: &SweepReport) -> String {
    let merged =
        if report.merged.is_empty() { String::new() } else { format!(", merged from {} shards", report.merged.len()) };
    let shard = if report.shard == Shard::ALL { String::new() } else { format!(", shard {}", report.shard) };
    format!(
        "wfpcheck {}, checker {}: fault sweep, {}{shard}{merged}\nassumptions: {}\nbound: {}\n{}.\n",
        report.wfpcheck,
        report.checker,
        sweep_title(report),
        report.assumptions,
        report.bound,
        explore::PASS_COVERS
    )
}

/// The plans of a group that did not survive, or not as declared, by what became of them:
/// `(outcome, property, as declared)` and the plans, in sweep order.
fn not_survived(group: &Group) -> Vec<((Outcome, String, bool), Vec<&str>)> {
    let mut by: Vec<((Outcome, String, bool), Vec<&str>)> = Vec::new();
    for row in group.rows.iter().filter(|r| r.outcome != Outcome::Survived || !r.as_declared) {
        let key = (row.outcome, row.property.clone().unwrap_or_default(), row.as_declared);
        match by.iter_mut().find(|(k, _)| *k == key) {
            Some((_, plans)) => plans.push(&row.plan),
            None => by.push((key, vec![&row.plan])),
        }
    }
    by
}

fn outcome_words((outcome, property, as_declared): &(Outcome, String, bool)) -> String {
    let mark = if *as_declared { "" } else { " (!)" };
    if property.is_empty() {
        format!("{}{mark}", outcome.name())
    } else {
        format!("{}{mark}, {property}", outcome.name())
    }
}

/// The sweep as text: a line per design x scenario, then the plans it does not survive,
/// by what they break.
pub fn text(report: &SweepReport) -> String {
    let mut out = header(report);
    if let Some(why) = report.rows_wrong() {
        let _ = writeln!(out, "\nnot as declared: {why}");
    }
    for group in &report.groups {
        let _ = writeln!(out, "\n{} / {}: {}", group.design, group.scenario, survival(report, group));
        for (key, plans) in not_survived(group) {
            let _ = writeln!(out, "  {} ({}): {}", outcome_words(&key), plans.len(), plans.join(", "));
        }
    }
    let rows: Vec<&SweepRow> = report.groups.iter().flat_map(|g| &g.rows).collect();
    let off = rows.iter().filter(|r| !r.as_declared).count();
    let _ = writeln!(
        out,
        "\n{} of {} verdicts as declared; {off} not (marked (!)); `--format json` has every counterexample",
        rows.len() - off,
        rows.len()
    );
    out
}

/// The sweep as Markdown: a compact table per design, failing plans named.
pub fn markdown(report: &SweepReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Fault sweep: {}\n", sweep_title(report));
    let _ = writeln!(
        out,
        "Each design x scenario, explored under each fault its WFP calls can meet (`docs/wfp-semantics.md`). \
         A design survives a plan when only the operation the fault was injected into fails. `unreachable`: the \
         fault never fired, not counted; `vacuous`: the fault kept the scenario from its target. A design that \
         fails without a fault is not swept. Each plan's counterexample: `--format json`; what each breaks is \
         snapshotted (`snapshots/stateful/sweep__*`), and why it is declared so is in `model/expectations.rs` (`SWEEP`).\n"
    );
    for line in header(report).lines() {
        let _ = writeln!(out, "{line}  ");
    }
    out.push('\n');
    let mut designs: Vec<&str> = Vec::new();
    for group in &report.groups {
        if !designs.contains(&group.design.as_str()) {
            designs.push(&group.design);
        }
    }
    for design in designs {
        let _ = writeln!(out, "### {design}\n");
        let _ = writeln!(
            out,
            "| scenario | survives | fails | vacuous | unreachable | the plans it does not survive, by what they break |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---|");
        for group in report.groups.iter().filter(|g| g.design == design) {
            if group.without_fault_why.is_some() {
                let _ = writeln!(
                    out,
                    "| {} | - | - | - | - | not swept: {} without a fault (expected {}) |",
                    group.scenario, group.without_fault, group.without_fault_expected
                );
                continue;
            }
            let (survived, failed, unreachable, other) = counts(group);
            let failing: Vec<String> = not_survived(group)
                .into_iter()
                .map(|(key, plans)| {
                    let plans: Vec<String> = plans.iter().map(|p| format!("`{p}`")).collect();
                    format!("{} ({}): {}", outcome_words(&key), plans.len(), plans.join(", "))
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {survived} of {} | {failed} | {other} | {unreachable} | {} |",
                group.scenario,
                group.rows.len() - unreachable,
                if failing.is_empty() { "-".to_string() } else { failing.join("; ") }
            );
        }
        out.push('\n');
        out.push_str(&declared_why(report, design));
    }
    out
}

/// For one design, each reason `SWEEP` gives for the plans it does not survive (declared
/// so), with those plans and, for the first of them, what its counterexample broke.
fn declared_why(report: &SweepReport, design: &str) -> String {
    let mut by: Vec<(&str, Vec<(&str, &SweepRow)>)> = Vec::new();
    for group in report.groups.iter().filter(|g| g.design == design) {
        for row in group.rows.iter().filter(|r| r.outcome != Outcome::Survived && r.as_declared) {
            let Some(declared) = expectations::sweep_declared(design, &group.scenario, &row.plan) else { continue };
            match by.iter_mut().find(|(reason, _)| *reason == declared.reason) {
                Some((_, rows)) => rows.push((&group.scenario, row)),
                None => by.push((declared.reason, vec![(&group.scenario, row)])),
            }
        }
    }
    if by.is_empty() {
        return String::new();
    }
    let mut out = String::from("Why (as `SWEEP` declares it):\n\n");
    for (reason, rows) in by {
        // Each plan with the scenarios it is in, named where they are not all of the reason's.
        let mut plans: Vec<(&str, Vec<&str>)> = Vec::new();
        let mut scenarios: Vec<&str> = Vec::new();
        for (scenario, row) in &rows {
            match plans.iter_mut().find(|(plan, _)| *plan == row.plan) {
                Some((_, of)) => of.push(scenario),
                None => plans.push((&row.plan, vec![scenario])),
            }
            if !scenarios.contains(scenario) {
                scenarios.push(scenario);
            }
        }
        let plans: Vec<String> = plans
            .iter()
            .map(|(plan, of)| {
                if of.len() == scenarios.len() {
                    format!("`{plan}`")
                } else {
                    format!("`{plan}` ({})", of.join(", "))
                }
            })
            .collect();
        let (scenario, first) = rows[0];
        let _ = writeln!(out, "- {} ({} rows in {}): {reason}.", plans.join(", "), rows.len(), scenarios.join(", "));
        let _ = writeln!(out, "  For instance {scenario} / `{}`: {}.", first.plan, first.why);
    }
    out.push('\n');
    out
}

/// What a group's snapshot holds: each plan that does not survive, with what it broke and
/// the violation in words (the whole counterexample is in the JSON).
pub fn failures_text(report: &SweepReport, group: &Group) -> String {
    let mut out = format!("{} / {}: {}\n", group.design, group.scenario, survival(report, group));
    for row in group.rows.iter().filter(|r| r.outcome != Outcome::Survived) {
        let _ = writeln!(out, "\n{} {} (expected {}): {}", row.plan, row.outcome.name(), row.expected, row.why);
        if let Some(status) = &row.status {
            let _ = writeln!(out, "  status {status}");
        }
    }
    out
}

/// The sweep as JSON (serde), deterministic: no times in it.
pub fn json(report: &SweepReport) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("a sweep report serializes");
    text.push('\n');
    text
}
