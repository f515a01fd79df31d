//! Real threads: the scenario run again and again on the OS scheduler, counting how
//! often a property breaks (the flaky CI job, reproduced). It can show a failure,
//! never its absence. A deadlock hangs the run; use loom or shuttle for those.

use std::panic::{self, AssertUnwindSafe};

use super::{Report, Search, Settings, Shared};
use crate::sync::Arc;

/// Real threads stop when the repetitions run out.
pub(super) const ON_STOP: fn() = || {};

/// What an exploration under `settings` covers, before it ran.
pub(super) fn nominal(settings: &Settings) -> (String, Search) {
    (bound(settings), Search::RealThreads)
}

pub(super) fn explore(shared: &Arc<Shared>) -> Report {
    for _ in 0..shared.settings.threads_repetitions {
        match panic::catch_unwind(AssertUnwindSafe(|| shared.run_execution())) {
            Ok(Ok(())) => {}
            Ok(Err(_)) => break,
            Err(payload) => shared.panicked(&*payload, None),
        }
    }
    shared.report(bound(&shared.settings), Search::RealThreads, "real threads")
}

pub fn bound(settings: &Settings) -> String {
    format!(
        "threads: {} runs, executions_max {}, {}",
        settings.threads_repetitions,
        settings.executions_max,
        super::time_limits(settings)
    )
}
