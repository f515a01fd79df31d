//! shuttle: DFS where it finishes within its cap; otherwise PCT and random schedules
//! with fixed seeds. Every execution's schedule is recorded, so a counterexample carries
//! the schedule that replays it (`Checker::replay`).

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use shuttle::scheduler::{
    DfsScheduler, PctScheduler, RandomScheduler, ReplayScheduler, Schedule, Scheduler, Task, TaskId,
};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use super::{Checker, CheckerKind, CheckerPanic};
use crate::designs::DynDesign;
use crate::explore::panics::{self, Origin};
use crate::explore::{Report, Search, Settings, Shared, Stop, Verdict};
use crate::scenarios::Scenario;
use crate::sync::{Arc, Untracked};
use crate::wfp::faults::FaultPlan;

/// shuttle's schedulers: DFS, then PCT and random.
pub(crate) struct Shuttle;

impl Checker for Shuttle {
    const KIND: CheckerKind = CheckerKind::Shuttle;
    const STOPS_AT_VIOLATION: bool = true;
    const BOUNDS_PREEMPTIONS: bool = false;

    /// shuttle is stopped by its scheduler wrapper, which ends the run.
    fn stop_exploring() {}

    fn nominal(settings: &Settings) -> (String, Search) {
        (bound(settings, false), Search::Exhaustive)
    }

    fn explore(shared: &Arc<Shared>) -> Report {
        explore(shared)
    }

    fn parse_schedule(schedule: &str) -> Result<(), String> {
        Recording::parse(schedule).map(|_| ()).map_err(|e| e.to_string())
    }

    /// A report with no execution if the schedule does not fit this design, scenario and plan.
    fn replay(
        design: &Arc<dyn DynDesign>,
        scenario: &Scenario,
        plan: &FaultPlan,
        settings: &Settings,
        schedule: &str,
    ) -> Result<Report, String> {
        replay::<Shuttle>(design, scenario, plan, settings, schedule)
    }

    fn first_counterexample(design: &Arc<dyn DynDesign>, scenario: &Scenario, settings: &Settings) -> String {
        let seeds = 100;
        let iterations = 100;
        let started = Instant::now();
        let mut executions: Vec<u64> = Vec::new();
        for seed in 1..=seeds {
            let r = pct(design, scenario, &FaultPlan::NONE, settings, seed, iterations);
            if let Some(c) = &r.counterexample {
                executions.push(c.execution);
            }
        }
        executions.sort();
        let median = executions.get(executions.len() / 2).copied();
        format!(
            "shuttle PCT (depth {}): {} of {seeds} seeds find it within {iterations} executions; median execution of \
             the find: {}; {:.2} s in all.\n",
            settings.shuttle_pct_depth,
            executions.len(),
            median.map_or("-".to_string(), |m| m.to_string()),
            started.elapsed().as_secs_f64()
        )
    }
}

/// Runs the one execution `schedule` describes, as checker `C` reports it (shuttle's, and
/// the stateful checker's, which record the same schedules). A report with no execution
/// if the schedule does not fit this design, scenario and plan.
pub(super) fn replay<C: Checker>(
    design: &Arc<dyn DynDesign>,
    scenario: &Scenario,
    plan: &FaultPlan,
    settings: &Settings,
    schedule: &str,
) -> Result<Report, String> {
    let recording = Recording::parse(schedule).map_err(|e| e.to_string())?;
    let shared = Arc::new(Shared::new::<C>(design, scenario, plan, settings));
    if let Some(why) = shared.properties_refusal() {
        shared.stop(Stop::Refused(why));
        return Ok(shared.report(format!("replay of {schedule}"), Search::Replay, "refused"));
    }
    let mut replay = ReplayScheduler::new_from_schedule(recording.schedule());
    replay.set_allow_incomplete();
    run(&shared, settings, replay, false);
    let checked = shared.tally.with(|t| t.traces.len());
    let mut report = shared.report(format!("replay of {schedule}"), Search::Replay, "replayed");
    if checked == 0 && report.counterexample.is_none() {
        report.verdict = Verdict::Inconclusive;
        report.why =
            "the schedule ended before the execution did: it was recorded for another design, scenario or plan"
                .to_string();
    }
    Ok(report)
}

/// One scheduling decision of an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Task(usize),
    Random,
}

/// A recorded schedule: the seed of its random data and every decision, in order.
/// Written `shuttle:<seed>:<steps>`, a step being a task's number (0-9) or `r` for a
/// random value, such as `shuttle:0:0000011110001`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recording {
    seed: u64,
    steps: Vec<Step>,
}

/// A replay schedule that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed replay schedule `{text}`: {why}; expected `shuttle:<seed>:<steps>` with <seed> a number and <steps> the digits 0-9 (a task) and `r` (a random value), as a counterexample's schedule gives it")]
pub struct ScheduleError {
    pub text: String,
    pub why: &'static str,
}

impl Recording {
    pub fn parse(text: &str) -> Result<Recording, ScheduleError> {
        let error = |why| ScheduleError { text: text.to_string(), why };
        let mut parts = text.split(':');
        let (Some("shuttle"), Some(seed), Some(steps), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(error("it is not three parts `shuttle`, seed and steps, separated by `:`"));
        };
        let seed = seed.parse::<u64>().map_err(|_| error("the seed is not a number"))?;
        if steps.is_empty() {
            return Err(error("there are no steps"));
        }
        let steps = steps
            .chars()
            .map(|c| match c {
                'r' => Ok(Step::Random),
                c => c.to_digit(10).map(|d| Step::Task(d as usize)).ok_or(error("a step is not a digit or `r`")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Recording { seed, steps })
    }

    fn schedule(&self) -> Schedule {
        let mut schedule = Schedule::new(self.seed);
        for step in &self.steps {
            match step {
                Step::Task(task) => schedule.push_task(TaskId::from(*task)),
                Step::Random => schedule.push_random(),
            }
        }
        schedule
    }
}

impl fmt::Display for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "shuttle:{}:", self.seed)?;
        for step in &self.steps {
            match step {
                Step::Task(task) => write!(f, "{task}")?,
                Step::Random => f.write_str("r")?,
            }
        }
        Ok(())
    }
}

/// Wraps a scheduler: records each execution's schedule, and ends the run when the
/// exploration has stopped (a violation, or a cap).
struct Recorder<S> {
    inner: S,
    shared: Arc<Shared>,
    current: Arc<Untracked<Recording>>,
    /// shuttle's random scheduler prints a "failing seed" when dropped before it ran
    /// out; a bounded one is run out instead (costs no executions).
    run_out_when_stopped: bool,
}

impl<S: Scheduler> Scheduler for Recorder<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        // The execution that just ended is the counterexample's if it broke a property.
        let finished = self.current.with(std::mem::take);
        self.shared.tally.with(|t| {
            if let Some(counterexample) = &mut t.counterexample {
                counterexample.schedule.get_or_insert_with(|| finished.to_string());
            }
        });
        if stopped(&self.shared) {
            while self.run_out_when_stopped && self.inner.new_execution().is_some() {}
            return None;
        }
        let schedule = self.inner.new_execution()?;
        self.current.with(|c| *c = Recording { seed: schedule.seed, steps: Vec::new() });
        Some(schedule)
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, is_yielding: bool) -> Option<TaskId> {
        let choice = self.inner.next_task(runnable, current, is_yielding)?;
        self.current.with(|c| c.steps.push(Step::Task(usize::from(choice))));
        Some(choice)
    }

    fn next_u64(&mut self) -> u64 {
        self.current.with(|c| c.steps.push(Step::Random));
        self.inner.next_u64()
    }
}

fn config(settings: &Settings) -> Config {
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    config.max_steps = MaxSteps::FailAfter(settings.shuttle_steps_max);
    config
}

/// Runs `scheduler` until it is done or the exploration stops; a panic out of shuttle
/// (a deadlock, a step limit, a model bug) is recorded with the schedule that led to it.
fn run(shared: &Arc<Shared>, settings: &Settings, scheduler: impl Scheduler + 'static, run_out_when_stopped: bool) {
    let current = Arc::new(Untracked::new(Recording::default()));
    let recorder =
        Recorder { inner: scheduler, shared: shared.clone(), current: current.clone(), run_out_when_stopped };
    let model = shared.clone();
    let ran = panic::catch_unwind(AssertUnwindSafe(|| {
        Runner::new(recorder, config(settings)).run(move || {
            // A limit stops the run before this execution; the recorder ends it.
            let _ = model.run_execution();
        })
    }));
    let Err(payload) = ran else { return };
    let steps = current.with(|c| c.steps.len());
    shared.panicked(&*payload, checker_panic(panics::take(), steps, settings.shuttle_steps_max));
    let schedule = current.with(|c| c.to_string());
    shared.tally.with(|t| {
        if let Some(counterexample) = &mut t.counterexample {
            counterexample.schedule.get_or_insert(schedule);
        }
    });
}

/// What a panic raised in shuttle's own code means. shuttle raises its deadlock and its
/// step limit from one place (`runtime/execution.rs`), so the execution's own step count
/// tells them apart; anything it raises elsewhere is the checker failing.
fn checker_panic(origin: Option<Origin>, steps: usize, steps_max: usize) -> Option<CheckerPanic> {
    let origin = origin.filter(|o| o.is_in("shuttle-engine") || o.is_in("shuttle"))?;
    Some(match origin.in_crate() {
        Some((_, "runtime/execution.rs")) if steps >= steps_max => {
            CheckerPanic::Limit(format!("shuttle's steps_max ({steps_max}) per execution"))
        }
        Some((_, "runtime/execution.rs")) => CheckerPanic::Deadlock,
        _ => CheckerPanic::Error,
    })
}

/// Whether the exploration has stopped (a violation or a limit).
fn stopped(shared: &Shared) -> bool {
    shared.tally.with(|t| t.stop.is_some())
}

fn explore(shared: &Arc<Shared>) -> Report {
    let settings = &shared.settings;
    let dfs_cap = settings.shuttle_dfs_executions_max.min(settings.executions_max);
    shared.tally.with(|t| t.executions_cap = dfs_cap);
    run(shared, settings, DfsScheduler::new(None, false), false);
    let dfs_stop = shared.tally.with(|t| t.stop.clone());
    let dfs_unfinished = match &dfs_stop {
        None => false,
        Some(Stop::ExecutionsMax) => dfs_cap < settings.executions_max,
        Some(Stop::CheckerLimit(_)) => true,
        Some(_) => false,
    };
    if !dfs_unfinished {
        return shared.report(bound(settings, false), Search::Exhaustive, "DFS, exhaustive");
    }
    // DFS did not finish: PCT and random schedules, every seed, to the stated bound. A
    // limit DFS met stays: sampling may still find a violation, but cannot lift it.
    let dfs_executions = shared.tally.with(|t| {
        t.stop = None;
        t.executions_cap = settings.executions_max;
        t.executions
    });
    for seed in 1..=settings.shuttle_seeds {
        let iterations = settings.shuttle_iterations_per_seed as usize;
        run(shared, settings, PctScheduler::new_from_seed(seed, settings.shuttle_pct_depth, iterations), false);
        if stopped(shared) {
            break;
        }
        run(shared, settings, RandomScheduler::new_from_seed(seed, iterations), true);
        if stopped(shared) {
            break;
        }
    }
    if let Some(limit @ Stop::CheckerLimit(_)) = dfs_stop {
        shared.tally.with(|t| {
            t.stop.get_or_insert(limit);
        });
    }
    let how = format!("DFS stopped after {dfs_executions} executions; then PCT and random, every seed");
    shared.report(bound(settings, true), Search::Sampled, &how)
}

/// The bound, as the report states it.
fn bound(settings: &Settings, sampled: bool) -> String {
    let dfs = format!("shuttle DFS (cap {} executions)", settings.shuttle_dfs_executions_max);
    let mut bound = if sampled {
        format!(
            "{dfs} then PCT depth {} and random, seeds 1..={} x {} executions each",
            settings.shuttle_pct_depth, settings.shuttle_seeds, settings.shuttle_iterations_per_seed
        )
    } else {
        dfs
    };
    bound.push_str(&format!(
        ", executions_max {}, steps_max {}, {}",
        settings.executions_max,
        settings.shuttle_steps_max,
        crate::explore::time_limits(settings)
    ));
    if let Ok(seed) = std::env::var("SHUTTLE_RANDOM_SEED") {
        bound.push_str(&format!(", SHUTTLE_RANDOM_SEED={seed} (every PCT and random seed)"));
    }
    bound
}

/// PCT alone with one seed, for the time-to-first-counterexample benchmark.
fn pct(
    design: &Arc<dyn DynDesign>,
    scenario: &Scenario,
    plan: &FaultPlan,
    settings: &Settings,
    seed: u64,
    iterations: usize,
) -> Report {
    let shared = Arc::new(Shared::new::<Shuttle>(design, scenario, plan, settings));
    run(&shared, settings, PctScheduler::new_from_seed(seed, settings.shuttle_pct_depth, iterations), false);
    let bound = format!("shuttle PCT depth {} seed {seed} x {iterations}", settings.shuttle_pct_depth);
    shared.report(bound, Search::Sampled, "PCT")
}
