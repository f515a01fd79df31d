//! Real threads: the scenario run again and again on the OS scheduler, counting how
//! often a property breaks (the flaky CI job, reproduced). It can show a failure,
//! never its absence. A deadlock hangs the run; use loom or shuttle for those.

use std::panic::{self, AssertUnwindSafe};

use super::{Report, Settings, Shared};
use crate::designs::DynDesign;
use crate::faults::FaultPlan;
use crate::scenarios::Scenario;
use crate::sync::Arc;

pub fn explore(design: &Arc<dyn DynDesign>, scenario: &Scenario, plan: &FaultPlan, settings: &Settings) -> Report {
    let shared = Arc::new(Shared::new(design, scenario, plan, settings, || {}));
    for _ in 0..settings.threads_repetitions {
        match panic::catch_unwind(AssertUnwindSafe(|| shared.run_execution())) {
            Ok(Ok(())) => {}
            Ok(Err(_)) => break,
            Err(payload) => shared.panicked(&*payload),
        }
    }
    shared.report(bound(settings), "real threads")
}

pub fn bound(settings: &Settings) -> String {
    format!("threads: {} runs, executions_max {}", settings.threads_repetitions, settings.executions_max)
}
