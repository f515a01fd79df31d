//! The explorer: runs one (design, scenario, fault plan) under this build's checker and
//! returns a [`Report`]: the verdict, what was explored, the bound, and the first
//! counterexample. Every limit is stated in the report; a run stopped by one is
//! `inconclusive`, never `pass`.

#[cfg(loom)]
mod loom;
#[cfg(all(feature = "shuttle", not(loom)))]
pub mod shuttle;
#[cfg(not(any(loom, feature = "shuttle")))]
mod threads;

use std::collections::BTreeSet;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use crate::designs::DynDesign;
use crate::faults::FaultPlan;
use crate::log::{Actor, Event, EventKind, Log};
use crate::netebpfext::Extension;
use crate::properties::{self, ExecutionRecord, Property, Sometimes, Violation};
use crate::scenarios::{Action, Scenario};
use crate::sync::{thread, Arc, Checker, StartGate, Unmodelled, UnmodelledCounter, CHECKER};
use crate::wfp::{Engine, Spinning, TxnLockPolicy};

/// The verdict of one exploration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Explored exhaustively, or to the stated bound; every target reached; no violation.
    Pass,
    /// A property was violated: see the counterexample.
    Fail,
    /// Stopped by a limit (executions, time, branches, steps), or real threads that saw
    /// no failure: nothing is proven either way.
    Inconclusive,
    /// Explored, no violation, but a `sometimes` target was never reached (for example
    /// the planned fault never fired): the run says nothing about what it was for.
    Vacuous,
}

impl Verdict {
    pub const fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Vacuous => "vacuous",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The settings of one exploration: its limits, each stated in the report's bound, and
/// the engine's transaction-lock policy.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Who gets the transaction lock when it is released.
    pub txn_lock: TxnLockPolicy,
    /// At most this many executions; one more makes the run inconclusive.
    pub executions_max: u64,
    /// At most this long; longer makes the run inconclusive. Not in snapshots.
    pub duration_max: Duration,
    /// loom: at most this many preemptions per execution (`None`: exhaustive).
    pub loom_preemption_bound: Option<usize>,
    /// loom: at most this many branch points per execution.
    pub loom_branches_max: usize,
    /// loom: after a failure, look for the counterexample with the fewest preemptions.
    pub loom_fewest_preemptions: bool,
    /// shuttle: DFS is tried first, up to this many executions; if it does not finish,
    /// PCT and random schedules with fixed seeds are run instead.
    pub shuttle_dfs_executions_max: u64,
    /// shuttle: seeds `1..=shuttle_seeds` for PCT and for random.
    pub shuttle_seeds: u64,
    /// shuttle: executions per seed.
    pub shuttle_iterations_per_seed: u64,
    /// shuttle: PCT's depth (the number of priority change points plus one).
    pub shuttle_pct_depth: usize,
    /// shuttle: at most this many scheduling steps per execution.
    pub shuttle_steps_max: usize,
    /// threads: how many times the scenario is run with real threads.
    pub threads_repetitions: u64,
    /// Called every [`PROGRESS_EVERY`] executions (the report command prints it).
    pub progress: Option<fn(&Progress)>,
}

/// How often the progress hook is called, in executions.
pub const PROGRESS_EVERY: u64 = 1_000;

/// Where a long exploration is.
#[derive(Debug, Clone)]
pub struct Progress {
    pub design: String,
    pub scenario: String,
    pub plan: String,
    pub executions: u64,
    pub elapsed: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            txn_lock: TxnLockPolicy::FirstComeFirstServed,
            executions_max: 2_000_000,
            duration_max: Duration::from_secs(600),
            loom_preemption_bound: None,
            loom_branches_max: 1_000,
            loom_fewest_preemptions: true,
            shuttle_dfs_executions_max: 20_000,
            shuttle_seeds: 10,
            shuttle_iterations_per_seed: 200,
            shuttle_pct_depth: 3,
            shuttle_steps_max: 10_000,
            threads_repetitions: 1_000,
            progress: None,
        }
    }
}

/// The first violation an exploration found, and the execution that shows it.
#[derive(Debug, Clone)]
pub struct Counterexample {
    pub violation: Violation,
    /// Other properties the same execution broke.
    pub also: Vec<Property>,
    pub events: Vec<Event>,
    /// Which execution (counting from 1) it was.
    pub execution: u64,
    /// loom: the smallest preemption bound that shows this property broken.
    pub preemptions: Option<usize>,
    /// shuttle: the schedule that replays it (see [`shuttle::replay`]).
    pub schedule: Option<String>,
}

/// What one exploration found.
#[derive(Debug, Clone)]
pub struct Report {
    pub design: String,
    pub scenario: String,
    pub plan: String,
    pub checker: Checker,
    pub verdict: Verdict,
    /// Why that verdict, in a sentence.
    pub why: String,
    pub executions: u64,
    /// Distinct call-level traces: sequences of (thread, engine call, result).
    pub traces: u64,
    /// The bound explored to, in words: the settings that applied.
    pub bound: String,
    pub elapsed: Duration,
    pub counterexample: Option<Counterexample>,
    /// Each `sometimes` target, and whether some execution reached it.
    pub targets: Vec<(String, bool)>,
    /// threads: executions with a violation.
    pub failing_executions: u64,
}

/// Why an exploration stopped before its checker was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    Violation,
    ExecutionsMax,
    DurationMax,
    /// A checker's own limit (loom's branches, shuttle's steps), with its message.
    CheckerLimit(String),
}

/// The running totals of one exploration.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub executions: u64,
    pub traces: BTreeSet<u64>,
    pub reached: Vec<bool>,
    pub counterexample: Option<Counterexample>,
    pub failing_executions: u64,
    pub stop: Option<Stop>,
    /// The current phase's cap on executions (at most `executions_max`).
    pub executions_cap: u64,
    /// The log of the execution under way, for a deadlock or panic that ends it.
    pub current: Option<Log>,
}

/// What every execution of one exploration shares. Lives outside the model.
pub(crate) struct Shared {
    pub design: Arc<dyn DynDesign>,
    pub scenario: Scenario,
    pub plan: FaultPlan,
    pub targets: Vec<Sometimes>,
    pub settings: Settings,
    pub started: Instant,
    /// Stop at the first violation (the checkers), or count them all (real threads).
    pub stop_at_violation: bool,
    /// How the checker is made to stop exploring, from whichever model thread finds a violation.
    pub on_stop: fn(),
    pub tally: Unmodelled<Tally>,
}

impl Shared {
    pub fn new(
        design: &Arc<dyn DynDesign>,
        scenario: &Scenario,
        plan: &FaultPlan,
        settings: &Settings,
        on_stop: fn(),
    ) -> Shared {
        let targets = properties::sometimes(scenario, plan);
        Shared {
            design: design.clone(),
            scenario: scenario.clone(),
            plan: plan.clone(),
            tally: Unmodelled::new(Tally {
                reached: vec![false; targets.len()],
                executions_cap: settings.executions_max,
                ..Tally::default()
            }),
            targets,
            settings: settings.clone(),
            started: Instant::now(),
            stop_at_violation: CHECKER != Checker::Threads,
            on_stop,
        }
    }

    /// Counts a new execution; `Err` when a limit says it must not run.
    pub fn begin_execution(&self) -> Result<Log, Stop> {
        let log = Log::new();
        let begun = self.tally.with(|t| {
            if t.executions >= t.executions_cap {
                return Err(Stop::ExecutionsMax);
            }
            if self.started.elapsed() >= self.settings.duration_max {
                return Err(Stop::DurationMax);
            }
            t.executions += 1;
            t.current = Some(log.clone());
            Ok(t.executions)
        })?;
        if let (Some(progress), 0) = (self.settings.progress, begun % PROGRESS_EVERY) {
            progress(&Progress {
                design: self.design.name().to_string(),
                scenario: self.scenario.name.to_string(),
                plan: self.plan.to_string(),
                executions: begun,
                elapsed: self.started.elapsed(),
            });
        }
        Ok(log)
    }

    /// Runs one execution of the model; the thread that ends it last checks it.
    /// `Err` when a limit says it must not run.
    pub fn run_execution(self: &Arc<Self>) -> Result<(), Stop> {
        match self.begin_execution() {
            Ok(log) => {
                execute(self, log);
                Ok(())
            }
            Err(stop) => Err(self.stop(stop)),
        }
    }

    /// Checks a finished execution. At a violation the checkers stop exploring
    /// (`on_stop`); real threads go on counting.
    fn end_execution(&self, record: ExecutionRecord) {
        let checked = properties::check(&record, &self.targets);
        self.tally.with(|t| {
            t.traces.insert(trace_key(&record.events));
            for (seen, now) in t.reached.iter_mut().zip(&checked.reached) {
                *seen |= now;
            }
            t.current = None;
        });
        let mut violations = checked.violations.into_iter();
        let Some(first) = violations.next() else { return };
        self.violation(first, violations.map(|v| v.property).collect(), record.events);
        if self.stop_at_violation {
            self.stop(Stop::Violation);
            (self.on_stop)();
        }
    }

    /// Records a violation (the first one becomes the counterexample).
    pub fn violation(&self, violation: Violation, also: Vec<Property>, events: Vec<Event>) {
        self.tally.with(|t| {
            t.failing_executions += 1;
            if t.counterexample.is_none() {
                let mut also_unique: Vec<Property> = Vec::new();
                for property in also {
                    if property != violation.property && !also_unique.contains(&property) {
                        also_unique.push(property);
                    }
                }
                t.counterexample = Some(Counterexample {
                    violation,
                    also: also_unique,
                    events,
                    execution: t.executions,
                    preemptions: None,
                    schedule: None,
                });
            }
        })
    }

    /// An execution ended by a panic: a spinning thread, a deadlock, a checker's own
    /// limit, or a bug in the model or a design. All but a limit are violations,
    /// recorded with the execution's log so far.
    pub fn panicked(&self, payload: &(dyn std::any::Any + Send)) {
        let (property, message) = if let Some(spinning) = payload.downcast_ref::<Spinning>() {
            let message = format!(
                "{} made {} WFP calls without finishing its operations: it spins without progress",
                spinning.actor, spinning.calls
            );
            (properties::BOUNDED_CALLS, message)
        } else {
            let message = panic_message(payload);
            if message.starts_with("deadlock") {
                (properties::NO_DEADLOCK, message)
            } else if message.contains("maximum number of branches") {
                let limit = format!("loom's branches_max ({}) per execution", self.settings.loom_branches_max);
                self.stop(Stop::CheckerLimit(limit));
                return;
            } else if message.contains("exceeded max_steps") {
                let limit = format!("shuttle's steps_max ({}) per execution", self.settings.shuttle_steps_max);
                self.stop(Stop::CheckerLimit(limit));
                return;
            } else {
                (properties::NO_PANIC, message)
            }
        };
        let events = self.tally.with(|t| t.current.take()).map(|log| log.snapshot()).unwrap_or_default();
        self.violation(Violation { property, message, status: None }, Vec::new(), events);
        if self.stop_at_violation {
            self.stop(Stop::Violation);
        }
    }

    pub fn stop(&self, stop: Stop) -> Stop {
        self.tally.with(|t| {
            t.stop.get_or_insert(stop.clone());
        });
        stop
    }

    #[cfg(all(feature = "shuttle", not(loom)))]
    pub fn stopped(&self) -> bool {
        self.tally.with(|t| t.stop.is_some())
    }

    /// The report, once the checker is done.
    pub fn report(&self, mut bound: String, how: &str) -> Report {
        let elapsed = self.started.elapsed();
        // The checks assume first come, first served; any other policy is part of the bound.
        if self.settings.txn_lock != TxnLockPolicy::FirstComeFirstServed {
            bound.push_str(&format!(", txn lock {}", self.settings.txn_lock.name()));
        }
        self.tally.with(|t| {
            let (verdict, why) = match (&t.counterexample, &t.stop) {
                (Some(c), _) => {
                    let often = if CHECKER == Checker::Threads {
                        format!(" (in {} of {} runs)", t.failing_executions, t.executions)
                    } else {
                        String::new()
                    };
                    (Verdict::Fail, format!("{} violated{often}: {}", c.violation.property.name, c.violation.message))
                }
                (None, Some(Stop::ExecutionsMax)) => (
                    Verdict::Inconclusive,
                    format!("stopped after {} executions (executions_max); not all were explored", t.executions),
                ),
                (None, Some(Stop::DurationMax)) => (
                    Verdict::Inconclusive,
                    format!(
                        "stopped after {} s (duration_max); not all executions were explored",
                        self.settings.duration_max.as_secs()
                    ),
                ),
                (None, Some(Stop::CheckerLimit(limit))) => {
                    (Verdict::Inconclusive, format!("stopped by a checker limit: {limit}"))
                }
                (None, Some(Stop::Violation)) => unreachable!("a violation always leaves a counterexample"),
                (None, None) if CHECKER == Checker::Threads => (
                    Verdict::Inconclusive,
                    format!(
                        "no violation in {} runs on real threads, which cannot show that none exists",
                        t.executions
                    ),
                ),
                (None, None) => match self.targets.iter().zip(&t.reached).find(|(_, hit)| !**hit) {
                    Some((target, _)) => (
                        Verdict::Vacuous,
                        format!("never reached in {} executions: {}", t.executions, target.describe()),
                    ),
                    None => (Verdict::Pass, format!("no violation in {} executions ({how})", t.executions)),
                },
            };
            Report {
                design: self.design.name().to_string(),
                scenario: self.scenario.name.to_string(),
                plan: self.plan.to_string(),
                checker: CHECKER,
                verdict,
                why,
                executions: t.executions,
                traces: t.traces.len() as u64,
                bound,
                elapsed,
                counterexample: t.counterexample.clone(),
                targets: self.targets.iter().map(|target| target.describe()).zip(t.reached.iter().copied()).collect(),
                failing_executions: t.failing_executions,
            }
        })
    }
}

/// Explores `design` x `scenario` under `plan` with this build's checker.
pub fn explore(design: &Arc<dyn DynDesign>, scenario: &Scenario, plan: &FaultPlan, settings: &Settings) -> Report {
    #[cfg(loom)]
    return loom::explore(design, scenario, plan, settings);
    #[cfg(all(feature = "shuttle", not(loom)))]
    return shuttle::explore(design, scenario, plan, settings);
    #[cfg(not(any(loom, feature = "shuttle")))]
    return threads::explore(design, scenario, plan, settings);
}

/// One execution of the model: start-up; the scenario's threads started together, `t0`
/// on the calling thread; then, on whichever thread ends last, unload and the checks.
/// Joining the threads instead would add scheduling points that change nothing.
pub(crate) fn execute(shared: &Arc<Shared>, log: Log) {
    let engine = Arc::new(Engine::with_policy(log.clone(), shared.plan.clone(), shared.settings.txn_lock));
    let (ext, started) = Extension::start(engine.clone(), shared.design.clone(), shared.scenario.filters_per_attach);
    let threads = shared.scenario.threads.len();
    let end =
        Arc::new(End { running: UnmodelledCounter::new(threads as u64), ext, engine, log, shared: shared.clone() });
    if started.is_err() {
        return end.finish(false);
    }
    let gate = Arc::new(StartGate::new(threads));
    let spawned: Vec<_> = (1..threads)
        .map(|t| {
            let (end, gate) = (end.clone(), gate.clone());
            thread::spawn(move || {
                gate.wait();
                run_script(&end.ext, Actor::Thread(t as u8), &end.shared.scenario.threads[t]);
                end.thread_done();
            })
        })
        .collect();
    gate.wait();
    run_script(&end.ext, Actor::Thread(0), &shared.scenario.threads[0]);
    thread::join_all(spawned);
    end.thread_done();
}

/// What the thread that ends last needs to finish an execution.
struct End {
    running: UnmodelledCounter,
    ext: Arc<Extension>,
    engine: Arc<Engine>,
    log: Log,
    shared: Arc<Shared>,
}

impl End {
    fn thread_done(&self) {
        if self.running.decrement() == 0 {
            self.finish(true);
        }
    }

    fn finish(&self, started: bool) {
        if started {
            self.ext.unload(Actor::Main);
        }
        let record = ExecutionRecord {
            events: self.log.snapshot(),
            engine: Some(self.engine.summary()),
            contexts: self.ext.contexts(),
            notified_after_free: self.ext.notified_after_free(),
        };
        self.shared.end_execution(record);
    }
}

fn run_script(ext: &Extension, actor: Actor, script: &[Action]) {
    let mut attached: Vec<u32> = Vec::new();
    for action in script {
        match *action {
            Action::Attach { hook, client, compartment } => {
                if ext.attach(actor, hook, client, compartment).is_ok() {
                    attached.push(client);
                }
            }
            Action::Detach { hook, client } => {
                if attached.contains(&client) {
                    ext.detach(actor, hook, client);
                    attached.retain(|c| *c != client);
                } else {
                    ext.engine().log().push(actor, EventKind::Note("its attach failed: no detach"));
                }
            }
        }
    }
}

/// The call-level trace of an execution, hashed: its sequence of engine calls (thread,
/// call, what it named, result) and of the waits for the transaction lock (thread,
/// call), which are part of a call that blocks. Start-up and unload are included.
pub fn trace_key(events: &[Event]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for event in events {
        if let EventKind::Call(call) = &event.kind {
            (event.actor, call.kind, call.target, call.result).hash(&mut hasher);
        }
        if let EventKind::Wait { kind, .. } = &event.kind {
            (event.actor, kind).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// A panic's message, if it has one.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".to_string())
}
