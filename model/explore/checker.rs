//! The `Checker` trait, what each checker does for an exploration, and the one switch
//! that picks this build's: loom under `--cfg loom`, shuttle under the `shuttle` feature,
//! real threads otherwise. Outside the facade (`model/sync.rs`), this file and the three
//! implementations, nothing in `model/` asks which checker runs (`facade_scan`).

use std::fmt;

use super::{Report, Search, Settings, Shared};
use crate::designs::DynDesign;
use crate::scenarios::Scenario;
use crate::sync::Arc;
use crate::wfp::faults::FaultPlan;

// The implementations are `model/explore/{loom,shuttle,threads}.rs`; only this build's is compiled.
#[cfg(loom)]
#[path = "loom.rs"]
mod loom;
#[cfg(all(feature = "shuttle", not(loom)))]
#[path = "shuttle.rs"]
mod shuttle;
#[cfg(all(feature = "shuttle", not(loom)))]
#[path = "stateful.rs"]
mod stateful;
#[cfg(not(any(loom, feature = "shuttle")))]
#[path = "threads.rs"]
mod threads;

/// This build's checker.
#[cfg(loom)]
pub(crate) type This = loom::Loom;
/// This build's checker.
#[cfg(all(feature = "shuttle", not(loom)))]
pub(crate) type This = shuttle::Shuttle;
/// This build's checker.
#[cfg(not(any(loom, feature = "shuttle")))]
pub(crate) type This = threads::Threads;

/// Which checker this build explores with unless told otherwise (`Settings::checker`).
pub const RUNNING: CheckerKind = This::KIND;

/// The checkers this build can explore with: its own, and in the shuttle build the
/// stateful checker, which runs on shuttle's runtime.
#[cfg(all(feature = "shuttle", not(loom)))]
pub const AVAILABLE: &[CheckerKind] = &[CheckerKind::Shuttle, CheckerKind::Stateful];
/// The checkers this build can explore with.
#[cfg(not(all(feature = "shuttle", not(loom))))]
pub const AVAILABLE: &[CheckerKind] = &[This::KIND];

/// The checkers a build can explore with, as reports and expectations name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckerKind {
    /// loom: exhaustive (DPOR), or to a stated preemption bound.
    Loom,
    /// shuttle: DFS, PCT or random schedules.
    Shuttle,
    /// stateful: DFS over shuttle's runtime that remembers every state it explored.
    Stateful,
    /// std: real OS threads, repeated.
    Threads,
}

impl CheckerKind {
    /// Every checker, in the order `--checker` lists them.
    pub const ALL: [CheckerKind; 4] =
        [CheckerKind::Loom, CheckerKind::Shuttle, CheckerKind::Stateful, CheckerKind::Threads];

    /// The checker's name in reports and expectations.
    pub const fn name(self) -> &'static str {
        match self {
            CheckerKind::Loom => "loom",
            CheckerKind::Shuttle => "shuttle",
            CheckerKind::Stateful => "stateful",
            CheckerKind::Threads => "threads",
        }
    }
}

impl fmt::Display for CheckerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a checker does for an exploration. The explorer ([`super::explore`]) refuses,
/// watches and reports; the checker chooses the schedules, says how far it got and what
/// a panic raised in its own code means ([`CheckerPanic`]).
pub(crate) trait Checker {
    const KIND: CheckerKind;
    /// Stops at the first violation; real threads go on and count the runs that fail.
    const STOPS_AT_VIOLATION: bool;
    /// Can bound preemptions (`--preemption-bound`, a row's declared bound).
    const BOUNDS_PREEMPTIONS: bool;

    /// How a model thread that found a violation makes the checker stop exploring.
    fn stop_exploring();

    /// What an exploration under `settings` covers, before it runs: the bound in words,
    /// and the search.
    fn nominal(settings: &Settings) -> (String, Search);

    /// Runs executions (`Shared::run_execution`) until the schedules or a limit run out;
    /// the report says which, and how far it got.
    fn explore(shared: &Arc<Shared>) -> Report;

    /// Why `schedule` is not one this checker can replay. A checker that records no
    /// schedules (the default) refuses every one.
    fn parse_schedule(_schedule: &str) -> Result<(), String> {
        Err(replays_nothing())
    }

    /// Runs the one execution `schedule` describes. `Err` says why not, as `parse_schedule` does.
    fn replay(
        _design: &Arc<dyn DynDesign>,
        _scenario: &Scenario,
        _plan: &FaultPlan,
        _settings: &Settings,
        _schedule: &str,
    ) -> Result<Report, String> {
        Err(replays_nothing())
    }

    /// How soon this checker finds the first counterexample of `design` x `scenario`,
    /// measured (executions and wall time), in a sentence for `docs/performance.md`.
    fn first_counterexample(design: &Arc<dyn DynDesign>, scenario: &Scenario, settings: &Settings) -> String;
}

// ---- the explorer's entry points, under this build's checker ----

/// Explores `design` x `scenario` under `plan` with this build's checker, on a thread the
/// watchdog watches. A design whose source names synchronization the checker cannot see
/// is refused, not explored.
pub fn explore(design: &Arc<dyn DynDesign>, scenario: &Scenario, plan: &FaultPlan, settings: &Settings) -> Report {
    match settings.checker {
        #[cfg(all(feature = "shuttle", not(loom)))]
        CheckerKind::Stateful => super::explore_with::<stateful::Stateful>(design, scenario, plan, settings),
        checker if checker == This::KIND => super::explore_with::<This>(design, scenario, plan, settings),
        checker => super::refused_with::<This>(design, scenario, plan, settings, unavailable(checker)),
    }
}

/// Why `checker` cannot explore in this build, if it cannot.
pub fn unavailable(checker: CheckerKind) -> String {
    let build = match checker {
        CheckerKind::Loom => "RUSTFLAGS=\"--cfg loom\"",
        CheckerKind::Shuttle | CheckerKind::Stateful => "--features shuttle",
        CheckerKind::Threads => "neither",
    };
    let names: Vec<&str> = AVAILABLE.iter().map(|c| c.name()).collect();
    format!("this build checks with {}; {checker} needs the build with {build}", names.join(" or "))
}

/// Runs the one execution a recorded `schedule` describes (shuttle's, which a
/// counterexample carries). `Err` says why not: it does not parse, or this build's
/// checker records no schedules.
pub fn replay(
    design: &Arc<dyn DynDesign>,
    scenario: &Scenario,
    plan: &FaultPlan,
    settings: &Settings,
    schedule: &str,
) -> Result<Report, String> {
    super::panics::install();
    match settings.checker {
        #[cfg(all(feature = "shuttle", not(loom)))]
        CheckerKind::Stateful => stateful::Stateful::replay(design, scenario, plan, settings, schedule),
        _ => This::replay(design, scenario, plan, settings, schedule),
    }
}

/// Why `schedule` is not one this build can replay, if it is not: it does not parse, or
/// this build's checker records no schedules.
pub fn schedule_refusal(schedule: &str) -> Option<String> {
    This::parse_schedule(schedule).err()
}

/// How many worker threads `checker` can run beside the main one: loom's 4 (it runs at
/// most 5 threads), the others' every thread a scenario can have.
pub const fn workers_max(checker: CheckerKind) -> usize {
    match checker {
        CheckerKind::Loom => 4,
        CheckerKind::Shuttle | CheckerKind::Stateful | CheckerKind::Threads => crate::wfp::THREADS_MAX,
    }
}

/// How many rows `checker` explores at once given `jobs`: all of them under shuttle's
/// runtime (its executions are thread-local); one under loom (its explorations contend in
/// one process: `explore/jobs.rs`) and with real threads (rows at once would perturb each
/// other's timing).
pub const fn rows_at_once(checker: CheckerKind, jobs: usize) -> usize {
    match checker {
        CheckerKind::Shuttle | CheckerKind::Stateful => jobs,
        CheckerKind::Loom | CheckerKind::Threads => 1,
    }
}

/// Whether this build's checker can bound preemptions (loom's).
pub const BOUNDS_PREEMPTIONS: bool = This::BOUNDS_PREEMPTIONS;

/// How soon this build's checker finds the first counterexample of `design` x `scenario`,
/// in a sentence with its measurements.
pub fn first_counterexample(design: &Arc<dyn DynDesign>, scenario: &Scenario, settings: &Settings) -> String {
    match settings.checker {
        #[cfg(all(feature = "shuttle", not(loom)))]
        CheckerKind::Stateful => stateful::Stateful::first_counterexample(design, scenario, settings),
        _ => This::first_counterexample(design, scenario, settings),
    }
}

/// The bound an exploration under `settings` states, before it runs.
pub fn bound(settings: &Settings) -> String {
    match settings.checker {
        #[cfg(all(feature = "shuttle", not(loom)))]
        CheckerKind::Stateful => stateful::Stateful::nominal(settings).0,
        _ => This::nominal(settings).0,
    }
}

/// A panic raised by a checker's own code, classified by where it was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
// Real threads raise no panic of their own: their build constructs none.
#[cfg_attr(not(any(loom, feature = "shuttle")), allow(dead_code))]
pub(crate) enum CheckerPanic {
    /// Every model thread is blocked.
    Deadlock,
    /// A per-execution limit of the checker, in words.
    Limit(String),
    /// Anything else the checker's own code raised (a limit it has no name for, a misuse
    /// of its primitives): it could not go on, and nothing is proven.
    Error,
}

/// The refusal of a checker that records no schedules.
fn replays_nothing() -> String {
    format!("replays shuttle schedules; this build checks with {RUNNING} (build with --features shuttle)")
}
