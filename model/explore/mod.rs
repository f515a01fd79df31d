//! The explorer: runs one (design, scenario, fault plan) under this build's checker and
//! returns a [`Report`]: the verdict, what was explored, the bound, and the first
//! counterexample. Every limit is stated in the report; a run stopped by one is
//! `inconclusive`, never `pass`.

pub mod checker;
pub use checker::{bound, explore, first_counterexample, replay, schedule_refusal, BOUNDS_PREEMPTIONS};

pub mod jobs;
mod panics;
mod watchdog;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use self::checker::{Checker, CheckerKind, CheckerPanic};
use crate::assumptions::Readings;
use crate::designs::DynDesign;
use crate::netebpfext::{Event, EventKind, Extension, Log};
use crate::properties::{self, EndState, ExecutionRecord, Property, Sometimes, Violation};
use crate::scan;
use crate::scenarios::{Action, Scenario};
use crate::sync::{thread, Arc, StartGate, UnmodelledCounter, Untracked};
use crate::wfp::faults::{Census, FaultPlan};
use crate::wfp::{Actor, CallsMax, Engine, EngineEvent, Spinning, WORKER_CALLS_MAX};

/// The verdict of one exploration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Explored exhaustively; every target reached; no violation. A proof, for what the
    /// checker sees: synchronization through `wfpcheck::sync`.
    Pass,
    /// Every execution within a preemption bound explored, every target reached, no
    /// violation: a proof up to that bound only. Never matches a declared `pass`.
    PassBounded,
    /// A property was violated: see the counterexample.
    Fail,
    /// Only sampled (shuttle's PCT and random schedules after its DFS did not finish),
    /// and no violation in the samples: nothing is proven. Never matches a declared `pass`.
    Sampled,
    /// Stopped by a limit (executions, time, branches, steps, the watchdog), refused, or
    /// real threads that saw no failure: nothing is proven either way.
    Inconclusive,
    /// Explored, no violation, but a `sometimes` target was never reached (for example
    /// the planned fault never fired): the run says nothing about what it was for.
    Vacuous,
}

impl Verdict {
    /// The verdict's name in reports and expectations.
    pub const fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::PassBounded => "pass-bounded",
            Verdict::Fail => "fail",
            Verdict::Sampled => "sampled",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Vacuous => "vacuous",
        }
    }
}

/// How much of the schedule space an exploration covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Search {
    /// Every execution (loom's DPOR, shuttle's DFS that finished).
    Exhaustive,
    /// Every execution with at most this many preemptions (loom).
    PreemptionBound(usize),
    /// Schedules sampled by PCT and random scheduling (shuttle).
    Sampled,
    /// The OS scheduler, run after run.
    RealThreads,
    /// One stored schedule, replayed.
    Replay,
}

impl fmt::Display for Search {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Search::Exhaustive => f.write_str("exhaustive"),
            Search::PreemptionBound(bound) => write!(f, "preemptions<={bound}"),
            Search::Sampled => f.write_str("sampled"),
            Search::RealThreads => f.write_str("real-threads"),
            Search::Replay => f.write_str("replay"),
        }
    }
}

/// What every report says a `pass` covers.
pub const PASS_COVERS: &str = "a pass covers only synchronization through wfpcheck::sync: a lock, atomic or thread \
                               the checker does not schedule is invisible to it";

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The settings of one exploration: its limits, each stated in the report's bound, and
/// the reading of each assumption the engine follows.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The checker that explores: this build's own (the default), or in the shuttle
    /// build the stateful checker.
    pub checker: CheckerKind,
    /// The reading of every assumption the docs do not settle (`crate::assumptions`).
    pub assumptions: Readings,
    /// At most this many executions; one more makes the run inconclusive.
    pub executions_max: u64,
    /// At most this long; longer makes the run inconclusive. Not in snapshots.
    pub duration_max: Duration,
    /// The watchdog: one execution running longer than this (real time) is given up on,
    /// and the run is inconclusive. Stated in the bound.
    pub execution_duration_max: Duration,
    /// loom: at most this many preemptions per execution (`None`: exhaustive, unless the
    /// row is one `expectations::LOOM_BOUNDS` bounds and `loom_declared_bounds` is on).
    pub loom_preemption_bound: Option<usize>,
    /// loom: explore a row `expectations::LOOM_BOUNDS` names to its declared preemption
    /// bound (its verdict then says `pass-bounded`), not exhaustively.
    pub loom_declared_bounds: bool,
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
    /// stateful: at most this many states stored; one more makes the run inconclusive.
    pub stateful_states_max: u64,
    /// stateful, for the self-test of the fingerprint only: forget what each thread reads
    /// (a broken digest), which must make a design that carries a read value pass wrongly.
    #[doc(hidden)]
    pub stateful_forget_reads: bool,
    /// threads: how many times the scenario is run with real threads.
    pub threads_repetitions: u64,
    /// threads: stop at the first run with a violation (reproducing a failure), rather
    /// than counting how many of the runs fail.
    pub threads_stop_at_violation: bool,
    /// Properties a user's test adds, beside the built-in ones and the scenario's:
    /// `always` ones every execution is checked against, `sometimes` ones to reach.
    pub properties: Vec<Property>,
    /// Called every [`PROGRESS_EVERY`] executions (the report command prints it).
    pub progress: Option<fn(&Progress)>,
    /// Record every call site of every execution in the report's census (the fault sweep).
    pub census: bool,
}

/// How often the progress hook is called, in executions.
pub const PROGRESS_EVERY: u64 = 1_000;

/// Where a long exploration is.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The design explored.
    pub design: String,
    /// The scenario explored.
    pub scenario: String,
    /// The plan explored.
    pub plan: String,
    /// Executions so far.
    pub executions: u64,
    /// Real time so far.
    pub elapsed: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            checker: checker::RUNNING,
            assumptions: Readings::default(),
            executions_max: 2_000_000,
            duration_max: Duration::from_secs(600),
            execution_duration_max: Duration::from_secs(10),
            loom_preemption_bound: None,
            loom_declared_bounds: true,
            loom_branches_max: 1_000,
            loom_fewest_preemptions: true,
            shuttle_dfs_executions_max: 20_000,
            shuttle_seeds: 10,
            shuttle_iterations_per_seed: 200,
            shuttle_pct_depth: 3,
            shuttle_steps_max: 10_000,
            stateful_states_max: 20_000_000,
            stateful_forget_reads: false,
            threads_repetitions: 1_000,
            threads_stop_at_violation: false,
            properties: Vec::new(),
            progress: None,
            census: false,
        }
    }
}

/// The first violation an exploration found, and the execution that shows it.
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// The first property the execution broke.
    pub violation: Violation,
    /// Other properties the same execution broke.
    pub also: Vec<Property>,
    /// The execution's log, up to where it ended.
    pub events: Vec<Event>,
    /// Which execution (counting from 1) it was.
    pub execution: u64,
    /// loom: the smallest preemption bound that shows this property broken.
    pub preemptions: Option<usize>,
    /// shuttle: the schedule that replays it (see [`replay`]).
    pub schedule: Option<String>,
}

/// What one exploration found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The design's name.
    pub design: String,
    /// The scenario's name.
    pub scenario: String,
    /// The plan's name.
    pub plan: String,
    /// The checker that explored it.
    pub checker: CheckerKind,
    /// What the exploration proves (or does not).
    pub verdict: Verdict,
    /// Why that verdict, in a sentence.
    pub why: String,
    /// Executions run.
    pub executions: u64,
    /// Distinct call-level traces: sequences of (thread, engine call, result).
    pub traces: u64,
    /// The bound explored to, in words: the settings that applied.
    pub bound: String,
    /// The reading of every undocumented WFP rule it ran under.
    pub assumptions: Readings,
    /// How much of the schedule space was covered.
    pub search: Search,
    /// Real time taken (never in a snapshot).
    pub elapsed: Duration,
    /// The first violation found, with its execution.
    pub counterexample: Option<Counterexample>,
    /// Each `sometimes` target, and whether some execution reached it.
    pub targets: Vec<(String, bool)>,
    /// threads: executions with a violation.
    pub failing_executions: u64,
    /// The execution the watchdog gave up on, as far as its log got.
    pub unfinished: Option<Vec<Event>>,
    /// With `Settings::census`: every call site the executions reached.
    pub census: Option<Census>,
    /// stateful: the states it stored and the revisits it pruned.
    pub states: Option<States>,
}

/// What a stateful exploration remembered, as SPIN reports it: the distinct states
/// stored, and how often an execution reached one already stored and was pruned there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct States {
    /// Distinct states stored.
    pub stored: u64,
    /// Revisits: executions pruned at a state already stored.
    pub matched: u64,
}

/// Why an exploration stopped before its checker was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    Violation,
    ExecutionsMax,
    DurationMax,
    /// A checker's own limit (loom's branches, shuttle's steps), with its message.
    CheckerLimit(String),
    /// The checker's own code panicked for another reason, with its message.
    CheckerFailed(String),
    /// The design was not explored, for the reason given.
    Refused(String),
    /// The watchdog gave up on an execution that did not finish, for the reason given.
    Watchdog(String),
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
    pub census: Census,
}

/// What every execution of one exploration shares. Lives outside the model.
pub(crate) struct Shared {
    pub design: Arc<dyn DynDesign>,
    pub scenario: Scenario,
    pub plan: FaultPlan,
    /// The `always` properties every execution is checked against.
    pub always: Vec<Property>,
    pub targets: Vec<Sometimes>,
    pub settings: Settings,
    pub started: Instant,
    /// The checker exploring.
    pub checker: CheckerKind,
    /// Stop at the first violation (the checkers), or count them all (real threads).
    pub stop_at_violation: bool,
    /// How the checker is made to stop exploring, from whichever model thread finds a violation.
    on_stop: fn(),
    pub tally: Untracked<Tally>,
    /// The watchdog's view of this exploration, if it is watched.
    watch: Option<Arc<watchdog::Watch>>,
}

impl Shared {
    pub fn new<C: Checker>(
        design: &Arc<dyn DynDesign>,
        scenario: &Scenario,
        plan: &FaultPlan,
        settings: &Settings,
    ) -> Shared {
        let added: [&[Property]; 2] = [&scenario.properties, &settings.properties];
        let targets = properties::sometimes(&scenario.must_reach, plan, &added);
        Shared {
            design: design.clone(),
            scenario: scenario.clone(),
            plan: plan.clone(),
            tally: Untracked::new(Tally {
                reached: vec![false; targets.len()],
                executions_cap: settings.executions_max,
                ..Tally::default()
            }),
            always: properties::always(&added),
            targets,
            settings: settings.clone(),
            started: Instant::now(),
            checker: C::KIND,
            stop_at_violation: C::STOPS_AT_VIOLATION || settings.threads_stop_at_violation,
            on_stop: C::stop_exploring,
            watch: None,
        }
    }

    /// Why its properties cannot be checked, if they cannot ([`properties::refusal`]).
    pub fn properties_refusal(&self) -> Option<String> {
        properties::refusal(&self.always, &self.targets)
    }

    /// Counts a new execution; `Err` when a limit says it must not run.
    pub fn begin_execution(&self) -> Result<Log, Stop> {
        let log = Log::new();
        let begun = self.tally.with(|t| {
            if let Some(stop) = &t.stop {
                return Err(stop.clone());
            }
            if t.executions >= t.executions_cap {
                return Err(Stop::ExecutionsMax);
            }
            if self.started.elapsed() >= self.settings.duration_max {
                return Err(Stop::DurationMax);
            }
            t.executions += 1;
            t.current = Some(log.clone());
            panics::clear();
            Ok(t.executions)
        })?;
        if self.watch.as_ref().is_some_and(|watch| !watch.beat(begun)) {
            return Err(Stop::Watchdog("the watchdog gave up on this exploration".to_string()));
        }
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
    /// (`Checker::stop_exploring`); real threads go on counting.
    fn end_execution(&self, record: ExecutionRecord) {
        let checked = properties::check(&record, &self.always, &self.targets);
        self.tally.with(|t| {
            t.traces.insert(trace_key(&record.events));
            if self.settings.census {
                t.census.record(record.events.iter().filter_map(Event::engine));
            }
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

    /// An execution ended by a panic. `checker` is what the checker's own code raised,
    /// as the checker classified it by the panic's origin; `None`: the model or a design
    /// panicked. A spinning thread, a deadlock and a panic are violations, recorded with
    /// the execution's log so far; a checker's limit or error stops the exploration.
    pub fn panicked(&self, payload: &(dyn std::any::Any + Send), checker: Option<CheckerPanic>) {
        if let Some(CallsMax { actor }) = payload.downcast_ref::<CallsMax>() {
            self.stop(Stop::CheckerLimit(format!(
                "{actor} made more than {WORKER_CALLS_MAX} WFP calls in one execution (the model's calls limit), \
                 without repeating a failing call as a spin does"
            )));
            return;
        }
        let (property, message) = match (payload.downcast_ref::<Spinning>(), checker) {
            (Some(s), _) => {
                let message = format!(
                    "{} tried {} {} times in a row, each failing with {} {}: it spins without progress",
                    s.actor,
                    s.kind.api(),
                    s.tries,
                    s.status.hex(),
                    s.status.name()
                );
                (properties::BOUNDED_CALLS, message)
            }
            (None, Some(CheckerPanic::Deadlock)) => (properties::NO_DEADLOCK, panic_message(payload)),
            (None, Some(CheckerPanic::Limit(limit))) => {
                self.stop(Stop::CheckerLimit(limit));
                return;
            }
            (None, Some(CheckerPanic::Error)) => {
                self.stop(Stop::CheckerFailed(panic_message(payload)));
                return;
            }
            (None, None) => (properties::NO_PANIC, panic_message(payload)),
        };
        let events = self.tally.with(|t| t.current.take()).map(|log| log.snapshot()).unwrap_or_default();
        if self.settings.census {
            self.tally.with(|t| t.census.record(events.iter().filter_map(Event::engine)));
        }
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

    /// The report, once the checker is done: `search` says what was covered, `how` in words.
    pub fn report(&self, bound: String, search: Search, how: &str) -> Report {
        let elapsed = self.started.elapsed();
        self.tally.with(|t| {
            let unreached = self.targets.iter().zip(&t.reached).find(|(_, hit)| !**hit).map(|(target, _)| target);
            let (verdict, why) = match (&t.counterexample, &t.stop) {
                (Some(c), _) => {
                    let often = if search == Search::RealThreads {
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
                (None, Some(Stop::CheckerFailed(message))) => {
                    (Verdict::Inconclusive, format!("the checker itself failed, so nothing was proven: {message}"))
                }
                (None, Some(Stop::Refused(why))) => (Verdict::Inconclusive, format!("refused, not explored: {why}")),
                (None, Some(Stop::Watchdog(why))) => (Verdict::Inconclusive, format!("stopped by the watchdog: {why}")),
                (None, Some(Stop::Violation)) => unreachable!("a violation always leaves a counterexample"),
                (None, None) => match search {
                    Search::RealThreads => (
                        Verdict::Inconclusive,
                        format!(
                            "no violation in {} runs on real threads, which cannot show that none exists",
                            t.executions
                        ),
                    ),
                    Search::Sampled => {
                        let missed = unreached.map(|target| format!("; never reached: {}", target.describe()));
                        (
                            Verdict::Sampled,
                            format!(
                                "no violation in {} executions ({how}), which sample the schedules and prove nothing{}",
                                t.executions,
                                missed.unwrap_or_default()
                            ),
                        )
                    }
                    Search::Replay => (
                        Verdict::Inconclusive,
                        format!("the replayed schedule shows no violation ({how}); one schedule proves nothing"),
                    ),
                    Search::Exhaustive | Search::PreemptionBound(_) => match unreached {
                        Some(target) => (
                            Verdict::Vacuous,
                            format!("never reached in {} executions: {}", t.executions, target.describe()),
                        ),
                        None if matches!(search, Search::PreemptionBound(_)) => (
                            Verdict::PassBounded,
                            format!("no violation in {} executions ({how}); {PASS_COVERS}", t.executions),
                        ),
                        None => (
                            Verdict::Pass,
                            format!("no violation in {} executions ({how}); {PASS_COVERS}", t.executions),
                        ),
                    },
                },
            };
            Report {
                design: self.design.name().to_string(),
                scenario: self.scenario.name.to_string(),
                plan: self.plan.to_string(),
                checker: self.checker,
                verdict,
                why,
                executions: t.executions,
                traces: t.traces.len() as u64,
                bound,
                assumptions: self.settings.assumptions,
                search,
                elapsed,
                counterexample: t.counterexample.clone(),
                targets: self.targets.iter().map(|target| target.describe()).zip(t.reached.iter().copied()).collect(),
                failing_executions: t.failing_executions,
                unfinished: None,
                census: self
                    .settings
                    .census
                    .then(|| Census { complete: t.stop.is_none() && search == Search::Exhaustive, ..t.census.clone() }),
                states: None,
            }
        })
    }
}

/// Explores `design` x `scenario` under `plan` with checker `C`, on a thread the
/// watchdog watches. A design whose source names synchronization the checker cannot see
/// is refused, not explored.
pub(crate) fn explore_with<C: Checker>(
    design: &Arc<dyn DynDesign>,
    scenario: &Scenario,
    plan: &FaultPlan,
    settings: &Settings,
) -> Report {
    panics::install();
    let (bound, search) = C::nominal(settings);
    let refused = |why: String| refused_with::<C>(design, scenario, plan, settings, why);
    if let Some(why) = refusal(&**design) {
        return refused(why);
    }
    let mut shared = Shared::new::<C>(design, scenario, plan, settings);
    if let Some(why) = shared.properties_refusal() {
        shared.stop(Stop::Refused(why));
        return shared.report(bound, search, "refused");
    }
    let watch = Arc::new(watchdog::Watch::new());
    shared.watch = Some(watch.clone());
    let shared = Arc::new(shared);
    let explored = shared.clone();
    watchdog::run(&watch, settings, move || C::explore(&explored)).unwrap_or_else(|why| {
        let unfinished = shared.tally.with(|t| {
            t.stop = Some(Stop::Watchdog(why));
            t.current.as_ref().map(Log::snapshot)
        });
        let mut report = shared.report(bound, search, "given up");
        report.unfinished = unfinished;
        report
    })
}

/// The report of an exploration checker `C` refuses to run, for the reason given.
pub(crate) fn refused_with<C: Checker>(
    design: &Arc<dyn DynDesign>,
    scenario: &Scenario,
    plan: &FaultPlan,
    settings: &Settings,
    why: String,
) -> Report {
    let (bound, search) = C::nominal(settings);
    let shared = Shared::new::<C>(design, scenario, plan, settings);
    shared.stop(Stop::Refused(why));
    shared.report(bound, search, "refused")
}

/// The real-time limits, as every bound states them.
pub(crate) fn time_limits(settings: &Settings) -> String {
    format!(
        "duration_max {} s, watchdog {} s per execution",
        settings.duration_max.as_secs(),
        settings.execution_duration_max.as_secs_f64()
    )
}

/// Why `design` is not to be explored: a Rust file under its directory, or a source it
/// adds, names synchronization or shared state that the checker does not schedule
/// ([`scan`]), or its directory cannot be read whole.
pub fn refusal(design: &dyn DynDesign) -> Option<String> {
    let dir = std::path::Path::new(design.source_dir());
    let in_dir = match scanned_dir(design.source_dir()) {
        Ok(found) => found,
        Err(why) => {
            return Some(format!(
                "{}'s source directory (Design::source_dir) cannot be read whole, so it cannot be checked for \
                 synchronization the checker does not see: {why}",
                design.name()
            ))
        }
    };
    let named = design.sources().iter().enumerate();
    let findings: Vec<String> = in_dir
        .into_iter()
        .map(|(file, f)| format!("{}/{file} {f}", dir.file_name().unwrap_or_default().to_string_lossy()))
        .chain(named.flat_map(|(n, text)| scan::scan(text).into_iter().map(move |f| format!("source {}, {f}", n + 1))))
        .collect();
    (!findings.is_empty()).then(|| {
        format!(
            "{} uses what the checker cannot see, so no verdict on it would be a proof: {}",
            design.name(),
            findings.join("; ")
        )
    })
}

/// [`scan::scan_dir`] of `dir`, read once per process: a sweep explores each design
/// thousands of times, and each read of `model/designs` costs about 1 ms (`--scan` of it
/// 2 ms against `--version` 1 ms, medians of 30 runs).
fn scanned_dir(dir: &'static str) -> Result<Vec<(String, scan::Finding)>, String> {
    use crate::sync::outside_model::{Mutex, OnceLock};
    type Scanned = Result<Vec<(String, scan::Finding)>, String>;
    static SCANNED: OnceLock<Mutex<BTreeMap<&'static str, Scanned>>> = OnceLock::new();
    let cache = SCANNED.get_or_init(Mutex::default);
    let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.entry(dir).or_insert_with(|| scan::scan_dir(std::path::Path::new(dir))).clone()
}

/// One execution of the model: start-up; the scenario's threads started together, `t0`
/// on the calling thread; then, on whichever thread ends last, unload and the checks.
/// Under loom and real threads `t0` joins the others first, so it is the one
/// (`thread::join_all` says why shuttle does not join).
pub(crate) fn execute(shared: &Arc<Shared>, log: Log) {
    thread::unless_pruned(|| {
        let engine = Arc::new(Engine::with_readings(log.clone(), shared.plan.clone(), shared.settings.assumptions));
        // DriverEntry registers the providers even when start-up failed: the threads run.
        let (ext, _started) = Extension::start(
            log.clone(),
            engine.clone(),
            shared.design.clone(),
            shared.scenario.filters_per_attach,
            shared.scenario.restarts(),
        );
        let threads = shared.scenario.threads.len();
        let end =
            Arc::new(End { running: UnmodelledCounter::new(threads as u64), ext, engine, log, shared: shared.clone() });
        let gate = Arc::new(StartGate::new(threads));
        let spawned: Vec<_> = (1..threads)
            .map(|t| {
                let (end, gate) = (end.clone(), gate.clone());
                thread::spawn(move || {
                    thread::unless_pruned(|| {
                        gate.wait();
                        run_script(&end.ext, Actor::Thread(t as u8), &end.shared.scenario.threads[t]);
                        end.thread_done();
                    })
                })
            })
            .collect();
        gate.wait();
        run_script(&end.ext, Actor::Thread(0), &shared.scenario.threads[0]);
        thread::join_all(spawned);
        end.thread_done();
    })
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
            self.finish();
        }
    }

    fn finish(&self) {
        self.ext.unload(Actor::Main);
        let state = EndState {
            engine: self.engine.summary(),
            contexts: self.ext.contexts(),
            used_after_free: self.ext.used_after_free(),
        };
        let record = ExecutionRecord { events: self.log.snapshot(), state };
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
            Action::Restart => ext.restart(actor),
            Action::Detach { hook, client } => {
                if attached.contains(&client) {
                    ext.detach(actor, hook, client);
                    attached.retain(|c| *c != client);
                } else {
                    ext.note(actor, "its attach failed: no detach");
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
        if let EventKind::Engine(EngineEvent::Call(call)) = &event.kind {
            // Ids as the log shows them: a trace is what the log says, in the order it says it.
            (event.actor, call.kind, format!("{:?} {:?}", call.target, call.result)).hash(&mut hasher);
        }
        if let EventKind::Engine(EngineEvent::Wait { kind, .. }) = &event.kind {
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
