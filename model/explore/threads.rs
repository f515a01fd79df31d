//! Real threads: the scenario run again and again on the OS scheduler, counting how
//! often a property breaks (the flaky CI job, reproduced). It can show a failure,
//! never its absence. A deadlock hangs the run; use loom or shuttle for those.

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use super::{Checker, CheckerKind};
use crate::designs::DynDesign;
use crate::explore::{Report, Search, Settings, Shared};
use crate::scenarios::Scenario;
use crate::sync::Arc;
use crate::wfp::faults::FaultPlan;

/// The OS scheduler, run after run.
pub(crate) struct Threads;

impl Checker for Threads {
    const KIND: CheckerKind = CheckerKind::Threads;
    const STOPS_AT_VIOLATION: bool = false;
    const BOUNDS_PREEMPTIONS: bool = false;

    /// Real threads stop when the repetitions run out.
    fn stop_exploring() {}

    fn nominal(settings: &Settings) -> (String, Search) {
        (bound(settings), Search::RealThreads)
    }

    fn explore(shared: &Arc<Shared>) -> Report {
        for _ in 0..shared.settings.threads_repetitions {
            match panic::catch_unwind(AssertUnwindSafe(|| shared.run_execution())) {
                Ok(Ok(())) => {}
                Ok(Err(_)) => break,
                Err(payload) => shared.panicked(&*payload, None),
            }
        }
        shared.report(bound(&shared.settings), Search::RealThreads, "real threads")
    }

    fn first_counterexample(design: &Arc<dyn DynDesign>, scenario: &Scenario, settings: &Settings) -> String {
        let trials = 20;
        let mut firsts: Vec<u64> = Vec::new();
        let started = Instant::now();
        for _ in 0..trials {
            let r = crate::explore::explore(design, scenario, &FaultPlan::NONE, settings);
            if let Some(c) = &r.counterexample {
                firsts.push(c.execution);
            }
        }
        firsts.sort();
        let median = firsts.get(firsts.len() / 2).copied();
        format!(
            "real threads, {trials} trials of up to {} runs each: the failure showed in {} trials; median runs until \
             it showed: {}; {:.1} s in all.\n",
            settings.threads_repetitions,
            firsts.len(),
            median.map_or("-".to_string(), |m| m.to_string()),
            started.elapsed().as_secs_f64()
        )
    }
}

fn bound(settings: &Settings) -> String {
    format!(
        "threads: {} runs, executions_max {}, {}",
        settings.threads_repetitions,
        settings.executions_max,
        crate::explore::time_limits(settings)
    )
}
