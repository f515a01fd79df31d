//! Properties as values (stateright's `Property::always` / `sometimes` are the model):
//! each [`Property`] carries its name, its sentence and its check. An `always` property
//! no execution may break; a `sometimes` target some execution of an exploration must
//! reach, or a pass means nothing. The built-in ones are a list ([`ALWAYS`]); a scenario
//! (`Scenario::properties`) and a user's test (`Settings::properties`) add their own.
//! Every check is a pure function of an execution's record: its log, read event by event
//! through the [`History`] of what the log says so far, and its end state. Violations are
//! reported in the order they are found: step by step; then, once the whole log is read,
//! what it says (`after_log`); then the end state (`at_end`); at one point, in the order
//! of the properties' list.

mod builtin;
mod history;

pub use self::builtin::*;
pub use self::history::{History, Operation};

use std::fmt;

use crate::netebpfext::{Event, EventKind, FilterContext};
use crate::wfp::faults::{Fault, FaultPlan};
use crate::wfp::{Actor, ContextId, EngineSummary, Status};

/// What an execution leaves at its end, as the end checks read it.
#[derive(Debug, Clone)]
pub struct EndState {
    /// The engine at the end.
    pub engine: EngineSummary,
    /// Every filter context netebpfext created, at the end.
    pub contexts: Vec<FilterContext>,
    /// Every misuse of a filter context (a use after it was freed, a reference count
    /// below zero): the context, who, what.
    pub used_after_free: Vec<(ContextId, Actor, String)>,
}

/// What one execution left behind: its log and its end state.
#[derive(Debug, Clone)]
pub struct ExecutionRecord {
    /// The execution's log.
    pub events: Vec<Event>,
    /// Its end state.
    pub state: EndState,
}

/// One step of an execution, as a check reads it: the event, what the log says once it
/// happened, and for the end of an operation, what that operation did. A check knows the
/// path so far only through the history (no index, no earlier event), so that the
/// stateful checker, which holds the history in its fingerprint, checks every path.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The event.
    pub event: &'a Event,
    /// What the log says with this event applied.
    pub history: &'a History,
    /// For an `OpEnd`: the operation that ended.
    pub ended: Option<&'a Operation>,
}

/// The end of an execution: its end state and what its whole log says (never the log
/// itself, for the stateful checker's sake, as for a [`Step`]).
#[derive(Debug, Clone, Copy)]
pub struct End<'a> {
    /// The execution's end state.
    pub state: &'a EndState,
    /// What its whole log says.
    pub history: &'a History,
}

/// What a check found broken, in words, each with the WFP status behind it if one is.
#[derive(Debug, Default)]
pub struct Findings(Vec<(String, Option<Status>)>);

impl Findings {
    /// The property is broken: `message` says where and how.
    pub fn violated(&mut self, message: String, status: Option<Status>) {
        self.0.push((message, status));
    }
}

/// A check of one step of an execution.
pub type StepCheck = fn(&Step<'_>, &mut Findings);
/// A check of the end of an execution.
pub type EndCheck = fn(&End<'_>, &mut Findings);

#[derive(Clone, Copy)]
enum Check {
    /// Broken where the explorer sees it, not in the log: a panic, a deadlock, a spin.
    Explorer,
    /// Read at every step, once the whole log is read, and at the end; none may find anything.
    Always { step: Option<StepCheck>, log: Option<EndCheck>, end: Option<EndCheck> },
    /// Reached at some step of some execution.
    Sometimes(fn(&Step<'_>) -> bool),
}

/// A property of executions: its name (as reports and expectations say it), its
/// sentence, and its check.
#[derive(Clone, Copy)]
pub struct Property {
    /// Its name, as reports and expectations say it: lower case, `_` between words.
    pub name: &'static str,
    /// What it says, in a sentence.
    pub says: &'static str,
    check: Check,
}

impl Property {
    /// An `always` property with no check yet: give it one or more with
    /// [`Property::on_step`], [`Property::after_log`] and [`Property::at_end`].
    pub const fn always(name: &'static str, says: &'static str) -> Property {
        Property { name, says, check: Check::Always { step: None, log: None, end: None } }
    }

    /// A `sometimes` target: some step of some execution makes `reached` true.
    pub const fn sometimes(name: &'static str, says: &'static str, reached: fn(&Step<'_>) -> bool) -> Property {
        Property { name, says, check: Check::Sometimes(reached) }
    }

    /// A property only the explorer can see broken.
    const fn explorer(name: &'static str, says: &'static str) -> Property {
        Property { name, says, check: Check::Explorer }
    }

    /// This `always` property checked at every step with `check`.
    pub const fn on_step(self, check: StepCheck) -> Property {
        match self.check {
            Check::Always { log, end, .. } => Property { check: Check::Always { step: Some(check), log, end }, ..self },
            _ => panic!("on_step: only an `always` property is checked at every step"),
        }
    }

    /// This `always` property checked with `check` once the whole log is read (what the
    /// log says: `End::history`), before any end state is checked.
    pub const fn after_log(self, check: EndCheck) -> Property {
        match self.check {
            Check::Always { step, end, .. } => {
                Property { check: Check::Always { step, log: Some(check), end }, ..self }
            }
            _ => panic!("after_log: only an `always` property is checked after the log"),
        }
    }

    /// This `always` property checked at the end of every execution with `check` (the
    /// end state: `End::record`).
    pub const fn at_end(self, check: EndCheck) -> Property {
        match self.check {
            Check::Always { step, log, .. } => {
                Property { check: Check::Always { step, log, end: Some(check) }, ..self }
            }
            _ => panic!("at_end: only an `always` property is checked at the end"),
        }
    }

    /// Whether it is an `always` property (broken by one execution), not a `sometimes` target.
    pub const fn is_always(&self) -> bool {
        !matches!(self.check, Check::Sometimes(_))
    }
}

// A property is its name: two with one name are refused before an exploration or a
// replay ([`refusal`]).
impl PartialEq for Property {
    fn eq(&self, other: &Property) -> bool {
        self.name == other.name
    }
}

impl Eq for Property {}

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.check {
            Check::Explorer => "always, seen by the explorer",
            Check::Always { .. } => "always",
            Check::Sometimes(_) => "sometimes",
        };
        write!(f, "Property({} ({kind}): {})", self.name, self.says)
    }
}

/// A property an execution broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The property broken.
    pub property: Property,
    /// Where and how, in words.
    pub message: String,
    /// The WFP status behind it, if one is.
    pub status: Option<Status>,
}

/// What an exploration must reach in at least one execution (a `sometimes` property).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// These operations, each `(thread, index in its script)`, were all in flight at once:
    /// each had started and none had ended.
    InFlightTogether(Vec<(u8, usize)>),
}

/// A `sometimes` target of one exploration: some execution must reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sometimes {
    /// The scenario's own target.
    Scenario(Reach),
    /// The plan's fault fired.
    FaultFired(Fault),
    /// A `sometimes` property a scenario or a user's test added.
    Property(Property),
}

impl Sometimes {
    /// The target in words, as reports say it.
    pub fn describe(&self) -> String {
        match self {
            Sometimes::Scenario(Reach::InFlightTogether(ops)) => {
                let ops: Vec<String> = ops.iter().map(|(t, i)| format!("t{t} op {}", i + 1)).collect();
                format!("in flight together: {}", ops.join(", "))
            }
            Sometimes::FaultFired(fault) => format!("{}{fault}", Sometimes::FAULT_FIRED_PREFIX),
            Sometimes::Property(property) => format!("{}: {}", property.name, property.says),
        }
    }

    /// How [`Sometimes::describe`] begins for a fault that must fire.
    pub const FAULT_FIRED_PREFIX: &'static str = "fault fired: ";

    /// Whether `step` reaches it.
    fn reached(&self, step: &Step<'_>) -> bool {
        match self {
            Sometimes::Scenario(Reach::InFlightTogether(ops)) => {
                matches!(step.event.kind, EventKind::OpStart(_))
                    && ops
                        .iter()
                        .all(|(t, i)| step.history.outermost(Actor::Thread(*t)).and_then(|op| op.index) == Some(*i))
            }
            Sometimes::FaultFired(f) => step.event.call().is_some_and(|call| {
                call.result.is_err()
                    && call.fault == Some(f.fault)
                    && f.actor == step.event.actor
                    && f.kind == call.kind
                    && f.occurrence.matches(call.occurrence)
            }),
            Sometimes::Property(property) => match property.check {
                Check::Sometimes(reached) => reached(step),
                Check::Explorer | Check::Always { .. } => false,
            },
        }
    }
}

/// The `always` properties an exploration checks: the built-in ones, then each `added`
/// one (a scenario's, a user's test's) in order.
pub fn always(added: &[&[Property]]) -> Vec<Property> {
    let added = added.iter().flat_map(|list| list.iter()).filter(|p| p.is_always());
    ALWAYS.iter().chain(added).copied().collect()
}

/// What an exploration must reach: a scenario's targets (`must_reach`), `plan`'s faults
/// firing, and each `added` `sometimes` property.
pub fn sometimes(must_reach: &[Reach], plan: &FaultPlan, added: &[&[Property]]) -> Vec<Sometimes> {
    let mut sometimes: Vec<Sometimes> = must_reach.iter().cloned().map(Sometimes::Scenario).collect();
    sometimes.extend(plan.faults().iter().copied().map(Sometimes::FaultFired));
    let added = added.iter().flat_map(|list| list.iter()).filter(|p| !p.is_always());
    sometimes.extend(added.copied().map(Sometimes::Property));
    sometimes
}

/// Why these properties cannot be checked: an `always` one has no check, so it could
/// never break; or two share a name, so a report could not say which one broke.
pub fn refusal(always: &[Property], sometimes: &[Sometimes]) -> Option<String> {
    if let Some(unchecked) =
        always.iter().find(|p| matches!(p.check, Check::Always { step: None, log: None, end: None }))
    {
        return Some(format!(
            "property `{}` has no check, so it could never break; give it one (`on_step`, `after_log`, `at_end`)",
            unchecked.name
        ));
    }
    let mut names: Vec<&str> = always.iter().map(|p| p.name).collect();
    names.extend(sometimes.iter().filter_map(|s| match s {
        Sometimes::Property(p) => Some(p.name),
        Sometimes::Scenario(_) | Sometimes::FaultFired(_) => None,
    }));
    let twice = names.iter().enumerate().find(|(i, name)| names[..*i].contains(name)).map(|(_, name)| *name)?;
    Some(format!("two properties are named `{twice}`; give each its own name"))
}

/// The verdict on one execution.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Every violation, in the order they happened (at one step, in the properties'
    /// order); the first is the one reported.
    pub violations: Vec<Violation>,
    /// Per `sometimes` target, whether this execution reached it.
    pub reached: Vec<bool>,
}

/// The properties read one execution event by event, as the execution goes (the stateful
/// checker) or once it has ended ([`check`]).
#[derive(Debug, Default)]
pub struct Monitor {
    history: History,
    checked: Checked,
    found: Findings,
}

impl Monitor {
    /// A monitor of an execution that has not begun, for `targets` targets.
    pub fn new(targets: &[Sometimes]) -> Monitor {
        Monitor {
            checked: Checked { violations: Vec::new(), reached: vec![false; targets.len()] },
            ..Monitor::default()
        }
    }

    /// Applies `event` and checks it against `always` (at this step, in the properties'
    /// order) and `targets`.
    pub fn step(&mut self, event: &Event, always: &[Property], targets: &[Sometimes]) {
        let ended = self.history.apply(event);
        let step = Step { event, history: &self.history, ended: ended.as_ref() };
        for property in always {
            if let Check::Always { step: Some(check), .. } = property.check {
                check(&step, &mut self.found);
                self.checked.collect(*property, &mut self.found);
            }
        }
        for (target, hit) in targets.iter().zip(self.checked.reached.iter_mut()) {
            *hit = *hit || target.reached(&step);
        }
    }

    /// What the log says so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// What the steps so far broke and reached.
    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    /// The verdict on the whole execution: the steps', then what the whole log says, then
    /// its end state `state`.
    pub fn finish(mut self, state: &EndState, always: &[Property]) -> Checked {
        let end = End { state, history: &self.history };
        for property in always {
            if let Check::Always { log: Some(check), .. } = property.check {
                check(&end, &mut self.found);
                self.checked.collect(*property, &mut self.found);
            }
        }
        for property in always {
            if let Check::Always { end: Some(check), .. } = property.check {
                check(&end, &mut self.found);
                self.checked.collect(*property, &mut self.found);
            }
        }
        self.checked
    }
}

impl Checked {
    fn collect(&mut self, property: Property, found: &mut Findings) {
        self.violations.extend(found.0.drain(..).map(|(message, status)| Violation { property, message, status }));
    }
}

/// Checks one execution against `always` and records which `targets` it reached.
pub fn check(record: &ExecutionRecord, always: &[Property], targets: &[Sometimes]) -> Checked {
    let mut monitor = Monitor::new(targets);
    for event in &record.events {
        monitor.step(event, always, targets);
    }
    monitor.finish(&record.state, always)
}
