//! loom: exhaustive exploration (DPOR), or to a stated preemption bound.
//!
//! loom's own caps (`max_permutations`, `max_duration`) are never used: they are checked
//! only every `checkpoint_interval` executions and a run they stop looks like a pass.
//! The explorer counts executions itself and stops loom by unwinding out of it.

use std::panic::{self, AssertUnwindSafe};

use super::{Checker, CheckerKind, CheckerPanic};
use crate::designs::DynDesign;
use crate::explore::panics::{self, Origin};
use crate::explore::{Report, Search, Settings, Shared, Verdict};
use crate::scenarios::Scenario;
use crate::sync::Arc;
use crate::wfp::faults::FaultPlan;

/// loom's model checker.
pub(crate) struct Loom;

impl Checker for Loom {
    const KIND: CheckerKind = CheckerKind::Loom;
    const STOPS_AT_VIOLATION: bool = true;
    const BOUNDS_PREEMPTIONS: bool = true;

    fn stop_exploring() {
        stop_exploring();
    }

    fn nominal(settings: &Settings) -> (String, Search) {
        let search = settings.loom_preemption_bound.map_or(Search::Exhaustive, Search::PreemptionBound);
        (bound(settings), search)
    }

    fn explore(shared: &Arc<Shared>) -> Report {
        explore(shared)
    }

    fn first_counterexample(design: &Arc<dyn DynDesign>, scenario: &Scenario, settings: &Settings) -> String {
        let settings = Settings { loom_fewest_preemptions: false, ..settings.clone() };
        let r = crate::explore::explore(design, scenario, &FaultPlan::NONE, &settings);
        let at = r.counterexample.as_ref().map_or(0, |c| c.execution);
        format!("loom, exhaustive: first counterexample at execution {at}, after {:.4} s.\n", r.elapsed.as_secs_f64())
    }
}

/// The unwinding payload that stops loom; carries nothing, prints nothing.
struct StopExploring;

/// Unwinds out of loom from any model thread: loom has no other way to stop.
fn stop_exploring() {
    panic::resume_unwind(Box::new(StopExploring));
}

/// The largest preemption bound tried when looking for the fewest-preemption counterexample.
pub const FEWEST_PREEMPTIONS_SEARCH_MAX: usize = 8;

fn explore(shared: &Arc<Shared>) -> Report {
    let settings = &shared.settings;
    run(shared, settings.loom_preemption_bound, settings.loom_branches_max);
    let (bound, search) = Loom::nominal(settings);
    let how = match settings.loom_preemption_bound {
        None => "explored exhaustively".to_string(),
        Some(bound) => format!("explored every execution with at most {bound} preemptions"),
    };
    let mut report = shared.report(bound, search, &how);
    if report.verdict == Verdict::Fail && settings.loom_fewest_preemptions {
        let most = settings.loom_preemption_bound.unwrap_or(FEWEST_PREEMPTIONS_SEARCH_MAX);
        for preemptions in 0..=most.min(FEWEST_PREEMPTIONS_SEARCH_MAX) {
            let bounded = Settings { loom_preemption_bound: Some(preemptions), ..settings.clone() };
            let search = Arc::new(fork(shared, &bounded));
            run(&search, Some(preemptions), settings.loom_branches_max);
            let found = search.tally.with(|t| t.counterexample.take());
            if let Some(mut counterexample) = found {
                counterexample.preemptions = Some(preemptions);
                report.why = format!(
                    "{} violated: {}",
                    counterexample.violation.property.name, counterexample.violation.message
                );
                report.counterexample = Some(counterexample);
                break;
            }
        }
    }
    report
}

/// A further exploration of the same design, scenario and plan, under `settings`,
/// watched by the same watchdog.
fn fork(shared: &Shared, settings: &Settings) -> Shared {
    let mut fork = Shared::new::<Loom>(&shared.design, &shared.scenario, &shared.plan, settings);
    fork.watch = shared.watch.clone();
    fork
}

/// The bound, as the report states it.
fn bound(settings: &Settings) -> String {
    let search = match settings.loom_preemption_bound {
        None => "loom exhaustive (DPOR)".to_string(),
        Some(bound) => format!("loom preemption bound {bound}"),
    };
    format!(
        "{search}, executions_max {}, branches_max {}, {}",
        settings.executions_max,
        settings.loom_branches_max,
        crate::explore::time_limits(settings)
    )
}

fn run(shared: &Arc<Shared>, preemption_bound: Option<usize>, branches_max: usize) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemption_bound;
    builder.max_branches = branches_max;
    builder.max_permutations = None;
    builder.max_duration = None;
    builder.checkpoint_file = None;
    let model = shared.clone();
    let explored = panic::catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || {
            if model.run_execution().is_err() {
                stop_exploring();
            }
        })
    }));
    let Err(payload) = explored else { return };
    if !payload.is::<StopExploring>() {
        shared.panicked(&*payload, checker_panic(panics::take(), branches_max));
    }
}

/// What a panic raised in loom's own code means, by the file that raised it: a deadlock
/// is found by the scheduler (`rt/execution.rs`), the branch limit by the path (`rt/path.rs`).
fn checker_panic(origin: Option<Origin>, branches_max: usize) -> Option<CheckerPanic> {
    let origin = origin.filter(|o| o.is_in("loom"))?;
    Some(match origin.in_crate() {
        Some((_, "rt/execution.rs")) => CheckerPanic::Deadlock,
        Some((_, "rt/path.rs")) => CheckerPanic::Limit(format!("loom's branches_max ({branches_max}) per execution")),
        _ => CheckerPanic::Error,
    })
}
