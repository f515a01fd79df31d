//! The stateful checker: depth-first search over the model's scheduling decisions on
//! shuttle's runtime, remembering the fingerprint of every state it explored. shuttle's
//! executor runs the model's threads; this file's `Scheduler` decides each step. An
//! execution replays the path to the deepest decision with a choice left, takes it, and
//! goes on until it reaches a state already explored: there it is pruned (each thread
//! unwinds at its next facade call), since everything after that state was explored from
//! it once. A state's fingerprint is `sync::tracked::fingerprint` plus the hash of what
//! the properties have seen ([`History`]); `docs/ARCHITECTURE.md` argues why two states
//! with one fingerprint have the same futures.
//!
//! The properties are read as the execution goes (a [`Monitor`]), so a pruned execution's
//! steps are checked and its `sometimes` targets count; an execution that breaks a
//! property is not pruned, so its counterexample is a whole execution, with the schedule
//! that replays it (shuttle's replay, as for shuttle's own counterexamples).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{self, AssertUnwindSafe};

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use super::{Checker, CheckerKind, CheckerPanic};
use crate::designs::DynDesign;
use crate::explore::panics::{self, Origin};
use crate::explore::{Report, Search, Settings, Shared, States, Stop, Verdict};
use crate::netebpfext::{Event, Log};
use crate::properties::Monitor;
use crate::scenarios::Scenario;
use crate::sync::tracked::{self, hash128};
use crate::sync::{Arc, Untracked};
use crate::wfp::faults::FaultPlan;

/// Depth-first search with a set of visited states.
pub(crate) struct Stateful;

impl Checker for Stateful {
    const KIND: CheckerKind = CheckerKind::Stateful;
    const STOPS_AT_VIOLATION: bool = true;
    const BOUNDS_PREEMPTIONS: bool = false;

    /// The scheduler ends the run once the exploration has stopped.
    fn stop_exploring() {}

    fn nominal(settings: &Settings) -> (String, Search) {
        (bound(settings), Search::Exhaustive)
    }

    fn explore(shared: &Arc<Shared>) -> Report {
        explore(shared)
    }

    fn parse_schedule(schedule: &str) -> Result<(), String> {
        super::shuttle::Recording::parse(schedule).map(|_| ()).map_err(|e| e.to_string())
    }

    fn replay(
        design: &Arc<dyn DynDesign>,
        scenario: &Scenario,
        plan: &FaultPlan,
        settings: &Settings,
        schedule: &str,
    ) -> Result<Report, String> {
        super::shuttle::replay::<Stateful>(design, scenario, plan, settings, schedule)
    }

    fn first_counterexample(design: &Arc<dyn DynDesign>, scenario: &Scenario, settings: &Settings) -> String {
        let report = crate::explore::explore_with::<Stateful>(design, scenario, &FaultPlan::NONE, settings);
        let at = report.counterexample.as_ref().map_or(0, |c| c.execution);
        let states = report.states.map_or(0, |s| s.stored);
        format!(
            "stateful: first counterexample at execution {at} ({states} states stored), after {:.4} s.\n",
            report.elapsed.as_secs_f64()
        )
    }
}

/// The bound, as the report states it.
fn bound(settings: &Settings) -> String {
    format!(
        "stateful DFS (shuttle runtime), states_max {}, executions_max {}, steps_max {}, {}",
        settings.stateful_states_max,
        settings.executions_max,
        settings.shuttle_steps_max,
        crate::explore::time_limits(settings)
    )
}

/// A fingerprint is already a hash: the visited set uses it as it is.
#[derive(Default)]
struct AsIs(u64);

impl Hasher for AsIs {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

/// One decision point of the path being explored: the threads it may run (in the order
/// they are tried: the one that ran last first) and which is being explored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Frame {
    choices: Vec<usize>,
    chosen: usize,
    /// Every thread's digests here, put back when a replay reaches this decision to take
    /// another choice (a replay keeps no digest up to date).
    digests: Vec<(u128, Vec<u128>)>,
}

/// How many executions may fail while being drained before the checker gives up. A
/// drain fails only where a pruned execution's threads cannot all unwind (they wait on
/// each other); the execution is abandoned (its memory leaked) and the search goes on.
const DRAIN_FAILURES_MAX: u64 = 100;

/// The search, shared between the scheduler and the loop that runs it.
struct Dfs {
    shared: Arc<Shared>,
    /// The path: every decision point of the execution under way, from the first.
    frames: Vec<Frame>,
    /// Every state explored, with the fewest preemptions it was reached with.
    visited: HashMap<u128, u32, BuildHasherDefault<AsIs>>,
    /// At most this many preemptions per execution (the fewest-preemption search).
    preemption_bound: Option<u32>,
    /// Preemptions so far in the execution under way.
    preemptions: u32,
    matched: u64,
    /// Decisions made in the execution under way.
    depth: usize,
    /// Decisions below this are replayed: they were taken before.
    replaying: usize,
    /// The execution under way reached a state already explored.
    draining: bool,
    /// The execution under way broke a property: it runs to its end unpruned.
    violated: bool,
    begun: bool,
    done: bool,
    drain_failures: u64,
    /// The execution under way's decisions, as a shuttle schedule.
    schedule: Vec<usize>,
    monitor: Monitor,
    /// Events of the execution's log the monitor has read.
    read: usize,
    /// Per thread, the step of this execution at which it last ran (0: not yet).
    ran: Vec<u64>,
    steps: u64,
}

impl Dfs {
    fn new(shared: &Arc<Shared>, preemption_bound: Option<u32>) -> Dfs {
        Dfs {
            shared: shared.clone(),
            frames: Vec::new(),
            visited: HashMap::default(),
            preemption_bound,
            preemptions: 0,
            matched: 0,
            depth: 0,
            replaying: 0,
            draining: false,
            violated: false,
            begun: false,
            done: false,
            drain_failures: 0,
            schedule: Vec::new(),
            monitor: Monitor::new(&shared.targets),
            read: 0,
            ran: Vec::new(),
            steps: 0,
        }
    }

    /// The next path: the deepest decision with a choice left takes it. `false`: none is
    /// left, and the search is done.
    fn backtrack(&mut self) -> bool {
        while let Some(frame) = self.frames.last_mut() {
            if frame.chosen + 1 < frame.choices.len() {
                frame.chosen += 1;
                return true;
            }
            self.frames.pop();
        }
        false
    }

    fn begin_execution(&mut self) {
        self.depth = 0;
        self.replaying = self.frames.len();
        self.draining = false;
        self.violated = false;
        self.schedule.clear();
        self.monitor = Monitor::new(&self.shared.targets);
        self.read = 0;
        self.ran.clear();
        self.steps = 0;
        self.preemptions = 0;
        tracked::begin_execution(self.replaying > 0, self.shared.settings.stateful_forget_reads);
    }

    /// The execution's log, as far as it got.
    fn log(&self) -> Option<Log> {
        self.shared.tally.with(|t| t.current.clone())
    }

    /// Reads the events logged since the last decision.
    fn read_log(&mut self, log: &Log) -> Vec<Event> {
        let events = log.since(self.read);
        self.read += events.len();
        for event in &events {
            self.monitor.step(event, &self.shared.always, &self.shared.targets);
        }
        events
    }

    /// What a pruned execution reached and called counts: its targets, its call sites.
    fn count_pruned(&self, log: &Log) {
        let census = self.shared.settings.census.then(|| log.snapshot());
        self.shared.tally.with(|t| {
            for (seen, now) in t.reached.iter_mut().zip(&self.monitor.checked().reached) {
                *seen |= now;
            }
            if let Some(events) = &census {
                t.census.record(events.iter().filter_map(Event::engine));
            }
            t.current = None;
        });
    }

    /// Decides one step: replays the path, then explores, fingerprinting each new state.
    fn decide(&mut self, runnable: &[usize], current: Option<usize>, yielding: bool) -> Option<usize> {
        // A thread that yields does not run again before another has, if another can (as
        // under loom): a yield is a promise to let the others go first.
        let yielded = current.filter(|_| yielding);
        let mut choices: Vec<usize> = runnable.to_vec();
        if let Some(yielded) = yielded.filter(|_| choices.len() > 1) {
            choices.retain(|t| *t != yielded);
        }
        // The threads that ran most recently go first: the first path of each choice has
        // the fewest preemptions, and where the running thread yields or blocks, the one
        // that ran before it goes on (so two threads that keep yielding to each other are
        // met early, as a livelock is). Only the order of the search depends on it.
        let recency = |t: &usize| std::cmp::Reverse(self.ran.get(*t).copied().unwrap_or(0));
        choices.sort_by_key(recency);
        if self.draining {
            return Some(choices[0]);
        }
        // A step that commutes with every other thread's (a lock's release, a thread's
        // exit): the thread goes on, with no decision and no state (as if it had no
        // scheduling point there).
        if let Some(on) = current.filter(|c| runnable.contains(c) && tracked::commutes(*c)) {
            self.schedule.push(on);
            self.note_ran(on);
            return Some(on);
        }
        // Within a preemption bound, a thread that can go on must, once the bound is spent.
        let runs_on = current.filter(|c| runnable.contains(c) && !yielding);
        if let (Some(bound), Some(on)) = (self.preemption_bound, runs_on) {
            if self.preemptions >= bound {
                choices = vec![on];
            }
        }
        let depth = self.depth;
        self.depth += 1;
        let log = self.log();
        if let Some(log) = &log {
            self.read_log(log);
        }
        let choice = if depth < self.replaying {
            let frame = &self.frames[depth];
            if frame.choices != choices {
                let why = format!(
                    "the model is not deterministic: replaying decision {depth}, threads {choices:?} could run where \
                     {:?} could before (a value the facade does not see, a clock or a random number?)",
                    frame.choices
                );
                self.shared.stop(Stop::CheckerFailed(why));
                return None;
            }
            if depth + 1 == self.replaying {
                tracked::restore_digests(&frame.digests);
            }
            frame.choices[frame.chosen]
        } else {
            if !self.violated && !self.monitor.checked().violations.is_empty() {
                self.violated = true;
            }
            if !self.violated {
                let fingerprint = tracked::fingerprint(runnable, yielded, hash128(self.monitor.history()));
                // A state is explored again only if it is reached with fewer preemptions
                // (always 0 without a bound): there is more of the bound left to spend.
                let seen = self.visited.get(&fingerprint).is_some_and(|p| *p <= self.preemptions);
                if !seen {
                    self.visited.insert(fingerprint, self.preemptions);
                }
                if seen {
                    self.matched += 1;
                    self.draining = true;
                    if let Some(log) = &log {
                        self.count_pruned(log);
                    }
                    tracked::drain();
                    return Some(choices[0]);
                }
                if self.visited.len() as u64 > self.shared.settings.stateful_states_max {
                    let max = self.shared.settings.stateful_states_max;
                    self.shared.stop(Stop::CheckerLimit(format!("the stateful checker's states_max ({max})")));
                    return None;
                }
            }
            self.frames.push(Frame { choices, chosen: 0, digests: tracked::digests() });
            self.frames[depth].choices[0]
        };
        if runs_on.is_some_and(|on| on != choice) {
            self.preemptions += 1;
        }
        self.schedule.push(choice);
        self.note_ran(choice);
        Some(choice)
    }

    /// `task` runs next: it is the most recent.
    fn note_ran(&mut self, task: usize) {
        self.steps += 1;
        if self.ran.len() <= task {
            self.ran.resize(task + 1, 0);
        }
        self.ran[task] = self.steps;
    }

    fn states(&self) -> States {
        States { stored: self.visited.len() as u64, matched: self.matched }
    }
}

/// The scheduler shuttle's runner calls: each decision goes to the search.
struct DfsScheduler {
    dfs: Arc<Untracked<Dfs>>,
}

impl Scheduler for DfsScheduler {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.dfs.with(|dfs| {
            // The execution that just ended carries its schedule if it broke a property.
            let finished = schedule_text(&dfs.schedule);
            dfs.shared.tally.with(|t| {
                if let Some(counterexample) = &mut t.counterexample {
                    counterexample.schedule.get_or_insert(finished);
                }
            });
            if dfs.shared.tally.with(|t| t.stop.is_some()) {
                return None;
            }
            if dfs.begun && !dfs.backtrack() {
                dfs.done = true;
                return None;
            }
            dfs.begun = true;
            dfs.begin_execution();
            Some(Schedule::new(0))
        })
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, is_yielding: bool) -> Option<TaskId> {
        let runnable: Vec<usize> = runnable.iter().map(|task| usize::from(task.id())).collect();
        let current = current.map(usize::from);
        self.dfs.with(|dfs| dfs.decide(&runnable, current, is_yielding)).map(TaskId::from)
    }

    fn next_u64(&mut self) -> u64 {
        // The model draws no random numbers; one would make the search incomplete.
        self.dfs.with(|dfs| {
            dfs.shared.stop(Stop::CheckerFailed("the model asked shuttle for a random number".to_string()))
        });
        0
    }
}

/// A schedule as shuttle's replay reads it (`shuttle:0:<task per decision>`).
fn schedule_text(steps: &[usize]) -> String {
    let steps: String = steps.iter().map(|t| char::from_digit(*t as u32, 10).unwrap_or('?')).collect();
    format!("shuttle:0:{steps}")
}

fn config(settings: &Settings) -> Config {
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::None;
    config.max_steps = MaxSteps::FailAfter(settings.shuttle_steps_max);
    config
}

fn explore(shared: &Arc<Shared>) -> Report {
    let settings = &shared.settings;
    let (states, done) = search(shared, None);
    let how = if done { "stateful DFS, every state explored" } else { "stateful DFS, stopped" };
    let mut report = shared.report(bound(settings), Search::Exhaustive, how);
    report.states = Some(states);
    if report.verdict == Verdict::Fail && settings.loom_fewest_preemptions {
        // As loom does: the counterexample shown is one with the fewest preemptions.
        for preemptions in 0..=FEWEST_PREEMPTIONS_SEARCH_MAX {
            let mut fork = Shared::new::<Stateful>(&shared.design, &shared.scenario, &shared.plan, settings);
            fork.watch = shared.watch.clone();
            let fork = Arc::new(fork);
            search(&fork, Some(preemptions));
            if let Some(mut counterexample) = fork.tally.with(|t| t.counterexample.take()) {
                counterexample.preemptions = Some(preemptions as usize);
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

/// The largest preemption bound tried when looking for the fewest-preemption counterexample.
const FEWEST_PREEMPTIONS_SEARCH_MAX: u32 = 8;

/// Runs the search (to `preemption_bound` preemptions per execution, if one is given) until
/// it is done or stops; returns the states it remembered and whether it was done.
fn search(shared: &Arc<Shared>, preemption_bound: Option<u32>) -> (States, bool) {
    let settings = &shared.settings;
    let dfs = Arc::new(Untracked::new(Dfs::new(shared, preemption_bound)));
    loop {
        let scheduler = DfsScheduler { dfs: dfs.clone() };
        let model = shared.clone();
        let ran = panic::catch_unwind(AssertUnwindSafe(|| {
            Runner::new(scheduler, config(settings)).run(move || {
                // A limit stops the run before this execution; the scheduler ends it.
                let _ = model.run_execution();
                tracked::finished();
            })
        }));
        let Err(payload) = ran else { break };
        let (draining, violated, steps) = dfs.with(|d| (d.draining, d.violated, d.schedule.len()));
        let origin = panics::take();
        if draining {
            // A pruned execution that could not unwind: abandoned, and the search goes on.
            let failures = dfs.with(|d| {
                d.drain_failures += 1;
                d.drain_failures
            });
            if failures > DRAIN_FAILURES_MAX {
                shared.stop(Stop::CheckerFailed(format!(
                    "{failures} pruned executions could not be unwound (the last: {})",
                    crate::explore::panic_message(&*payload)
                )));
                break;
            }
            continue;
        }
        if violated {
            // A property broke before the panic: it is the execution's first violation.
            let (violations, events) = dfs.with(|d| {
                let events = d.log().map(|log| log.snapshot()).unwrap_or_default();
                (d.monitor.checked().violations.clone(), events)
            });
            let mut violations = violations.into_iter();
            if let Some(first) = violations.next() {
                shared.violation(first, violations.map(|v| v.property).collect(), events);
            }
        }
        shared.panicked(&*payload, checker_panic(origin, steps, settings.shuttle_steps_max));
        let schedule = dfs.with(|d| schedule_text(&d.schedule));
        shared.tally.with(|t| {
            if let Some(counterexample) = &mut t.counterexample {
                counterexample.schedule.get_or_insert(schedule);
            }
        });
        break;
    }
    tracked::uninstall();
    dfs.with(|d| (d.states(), d.done))
}

/// What a panic raised in the checker's own code means: shuttle raises its deadlock and
/// its step limit from `runtime/execution.rs` (the execution's step count tells them
/// apart); the tracker's refusals are the checker failing; anything else shuttle raises
/// too.
fn checker_panic(origin: Option<Origin>, steps: usize, steps_max: usize) -> Option<CheckerPanic> {
    let origin = origin?;
    if origin.file.ends_with("model/sync/tracked.rs") {
        return Some(CheckerPanic::Error);
    }
    if !(origin.is_in("shuttle-engine") || origin.is_in("shuttle") || origin.is_in("shuttle-std")) {
        return None;
    }
    Some(match origin.in_crate() {
        Some((_, "runtime/execution.rs")) if steps >= steps_max => {
            CheckerPanic::Limit(format!("shuttle's steps_max ({steps_max}) per execution"))
        }
        Some((_, "runtime/execution.rs")) => CheckerPanic::Deadlock,
        _ => CheckerPanic::Error,
    })
}
