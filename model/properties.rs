//! The properties every execution is checked against: `always` properties (safety),
//! and the `sometimes` targets an exploration must reach for a pass to mean anything.
//! Both are pure functions of an execution's record (its event log and end state).

use std::collections::{BTreeMap, BTreeSet};

use crate::netebpfext::{EbpfResult, Event, EventKind, FilterContext, Op, OpFailure};
use crate::scenarios::{Reach, Scenario};
use crate::wfp::faults::{Fault, FaultPlan};
use crate::wfp::{Actor, CallKind, ContextId, Effect, EngineEvent, EngineSummary, FilterId, Status, Target};

/// What one execution left behind.
#[derive(Debug, Clone)]
pub struct ExecutionRecord {
    pub events: Vec<Event>,
    /// The engine at the end.
    pub engine: EngineSummary,
    pub contexts: Vec<FilterContext>,
    /// Every misuse of a filter context (a use after it was freed, a reference count
    /// below zero): the context, who, what.
    pub used_after_free: Vec<(ContextId, Actor, String)>,
}

/// An `always` property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property {
    pub name: &'static str,
    pub says: &'static str,
}

macro_rules! properties {
    ($($id:ident = $name:literal: $says:literal;)*) => {
        $(pub const $id: Property = Property { name: $name, says: $says };)*
        /// Every `always` property.
        pub const ALWAYS: &[Property] = &[$($id),*];
    };
}

properties! {
    NO_PANIC = "no_panic": "no model thread panics";
    NO_DEADLOCK = "no_deadlock": "no execution deadlocks";
    BOUNDED_CALLS = "bounded_calls": "no worker thread makes more than 200 WFP calls (more is a spin without progress)";
    STARTUP_SUCCEEDS = "startup_succeeds": "start-up succeeds, unless a fault injected into one of its calls is what it failed with";
    ATTACH_FAILS_ONLY_BY_FAULT = "attach_fails_only_by_fault": "no attach fails unless a fault injected into one of its calls is what it failed with";
    NO_FOREIGN_TRANSACTION = "no_foreign_transaction": "no call lands in a transaction another thread began";
    ATTACH_INSTALLS_FILTERS = "attach_installs_filters": "when an attach succeeds, the engine holds committed a filter of its filter context for every entry of its hook's filter table";
    FAILED_ATTACH_LEAVES_NOTHING = "failed_attach_leaves_nothing": "a failed attach leaves no filter of the filter context it created committed, then or later";
    FILTERS_STAY_WHILE_ATTACHED = "filters_stay_while_attached": "no committed filter of a filter context is removed while a client is attached to it";
    DETACH_REMOVES_FILTERS = "detach_removes_filters": "a detach takes its client off its filter context, and when it was the last client none of the context's filters is committed when the detach returns";
    UNLOAD_COMPLETES = "unload_completes": "unload runs to its end: no wait in it waits forever";
    CLEAN_END = "clean_end": "at the end no transaction is open, the lock is free, no handle leaked";
    CONTEXTS_RELEASED = "contexts_released": "every filter context is freed by unload, none is freed while a filter carrying it is committed, and none is notified after it was freed";
    NO_OBJECTS_LEFT = "no_objects_left": "unload leaves no WFP object behind";
    CALLOUTS_UNREGISTERED = "callouts_unregistered": "when unload completes, no callout is still registered with the filter engine: the driver is gone, and the engine would call into its unloaded code";
}

/// A property an execution broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub property: Property,
    pub message: String,
    /// The WFP status behind it, if one is.
    pub status: Option<Status>,
}

/// A `sometimes` property of one exploration: some execution must reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sometimes {
    /// The scenario's own target.
    Scenario(Reach),
    /// The plan's fault fired.
    FaultFired(Fault),
}

impl Sometimes {
    pub fn describe(&self) -> String {
        match self {
            Sometimes::Scenario(Reach::InFlightTogether(ops)) => {
                let ops: Vec<String> = ops.iter().map(|(t, i)| format!("t{t} op {}", i + 1)).collect();
                format!("in flight together: {}", ops.join(", "))
            }
            Sometimes::FaultFired(fault) => format!("{}{fault}", Sometimes::FAULT_FIRED_PREFIX),
        }
    }

    /// How [`Sometimes::describe`] begins for a fault that must fire.
    pub const FAULT_FIRED_PREFIX: &'static str = "fault fired: ";
}

/// What an exploration of `scenario` under `plan` must reach.
pub fn sometimes(scenario: &Scenario, plan: &FaultPlan) -> Vec<Sometimes> {
    let mut sometimes: Vec<Sometimes> = scenario.must_reach.iter().cloned().map(Sometimes::Scenario).collect();
    sometimes.extend(plan.faults().iter().copied().map(Sometimes::FaultFired));
    sometimes
}

/// The verdict on one execution.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Every violation, the first one reported.
    pub violations: Vec<Violation>,
    /// Per `sometimes` property, whether this execution reached it.
    pub reached: Vec<bool>,
}

/// Per actor, what the operation in flight has done so far.
#[derive(Default)]
struct InFlight {
    op: Option<(Op, usize)>,
    /// The statuses that injected faults made its calls return.
    faulted: Vec<Status>,
    /// The filter contexts it created.
    created: Vec<ContextId>,
    /// The contexts whose last client it took off.
    emptied: Vec<ContextId>,
    last_failure: Option<(CallKind, Status)>,
}

/// What the engine holds committed, read from its calls' effects.
#[derive(Default)]
struct Committed {
    filters: BTreeMap<FilterId, (ContextId, &'static str)>,
}

impl Committed {
    fn of(&self, context: ContextId) -> Vec<(FilterId, &'static str)> {
        self.filters.iter().filter(|(_, (c, _))| *c == context).map(|(id, (_, layer))| (*id, *layer)).collect()
    }
}

fn ids(filters: &[(FilterId, &'static str)]) -> String {
    filters.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>().join(", ")
}

/// The layers `expected` names that `held` lacks, one per missing filter.
fn missing_layers(expected: &[&'static str], held: &[(FilterId, &'static str)]) -> Vec<&'static str> {
    let mut held: Vec<&'static str> = held.iter().map(|(_, layer)| *layer).collect();
    let mut missing = Vec::new();
    for layer in expected {
        match held.iter().position(|l| l == layer) {
            Some(at) => {
                held.remove(at);
            }
            None => missing.push(*layer),
        }
    }
    missing
}

pub fn check(record: &ExecutionRecord, targets: &[Sometimes]) -> Checked {
    let mut out = Checked { violations: Vec::new(), reached: vec![false; targets.len()] };
    let mut violate = |property: Property, message: String, status: Option<Status>| {
        out.violations.push(Violation { property, message, status });
    };
    let mut committed = Committed::default();
    // Every filter context: its hook's filter table and its attached clients.
    let mut layers: BTreeMap<ContextId, Vec<&'static str>> = BTreeMap::new();
    let mut clients: BTreeMap<ContextId, BTreeSet<u32>> = BTreeMap::new();
    let mut context_of: BTreeMap<u32, ContextId> = BTreeMap::new();
    // Contexts with a client whose attach returned success, until their last client leaves.
    let mut attached: BTreeSet<ContextId> = BTreeSet::new();
    // Clients whose detach has started and not returned: their filters may go.
    let mut detaching: BTreeSet<u32> = BTreeSet::new();
    // Contexts created by an attach that failed: none of their filters may be committed.
    let mut failed: BTreeSet<ContextId> = BTreeSet::new();
    // Contexts freed while a filter carrying them was committed.
    let mut freed_with_filters: Vec<(ContextId, Vec<(FilterId, &'static str)>)> = Vec::new();
    // Per actor, the operations in flight: an operation a restart or an unload runs (NMR's
    // detaches and attaches) sits on top of the one that runs it.
    let mut flight: BTreeMap<Actor, Vec<InFlight>> = BTreeMap::new();
    let mut started: BTreeMap<Actor, usize> = BTreeMap::new();
    let mut reached = vec![false; targets.len()];

    for event in &record.events {
        let actor = event.actor;
        match &event.kind {
            EventKind::OpStart(op) => {
                if let Op::Detach { client, .. } = op {
                    detaching.insert(*client);
                }
                let stack = flight.entry(actor).or_default();
                // Only an actor's outermost operations are numbered in its script.
                let index = if stack.iter().all(|f| f.op.is_none()) {
                    let index = started.entry(actor).or_insert(0);
                    *index += 1;
                    *index - 1
                } else {
                    usize::MAX
                };
                stack.push(InFlight { op: Some((*op, index)), ..InFlight::default() });
                for (target, hit) in targets.iter().zip(reached.iter_mut()) {
                    if let Sometimes::Scenario(Reach::InFlightTogether(ops)) = target {
                        *hit |= ops.iter().all(|(t, i)| {
                            let outermost = flight.get(&Actor::Thread(*t)).and_then(|f| f.iter().find_map(|f| f.op));
                            outermost.map(|(_, n)| n) == Some(*i)
                        });
                    }
                }
            }
            EventKind::Engine(EngineEvent::Call(call)) => {
                let current = top(&mut flight, actor);
                if let (Some(fault), Err(status)) = (call.fault, call.result) {
                    current.faulted.push(status);
                    for (target, hit) in targets.iter().zip(reached.iter_mut()) {
                        if let Sometimes::FaultFired(f) = target {
                            *hit |= f.actor == actor
                                && f.kind == call.kind
                                && f.occurrence.matches(call.occurrence)
                                && f.fault == fault;
                        }
                    }
                }
                if let Err(status) = call.result {
                    current.last_failure = Some((call.kind, status));
                }
                if let Some(txn) = call.txn {
                    if call.kind != CallKind::TransactionBegin && txn.began_by != actor {
                        let what = match call.target {
                            Target::Filter(id) => format!(" ({id})"),
                            Target::Key(key) => format!(" ({key})"),
                            _ => String::new(),
                        };
                        violate(
                            NO_FOREIGN_TRANSACTION,
                            format!(
                                "{actor}'s {}{what} ran inside transaction {}, which {} began (W8)",
                                call.kind.api(),
                                txn.id,
                                txn.began_by
                            ),
                            call.result.err(),
                        );
                    }
                }
                for effect in &call.effects {
                    match *effect {
                        Effect::FilterAdded { id, context, layer } => {
                            committed.filters.insert(id, (context, layer));
                            if failed.contains(&context) {
                                violate(
                                    FAILED_ATTACH_LEAVES_NOTHING,
                                    format!(
                                        "{id} of filter context {context}, whose attach failed, was committed by {actor}'s {}",
                                        call.kind.api()
                                    ),
                                    None,
                                );
                            }
                        }
                        Effect::FilterRemoved { id, context } => {
                            committed.filters.remove(&id);
                            let staying: Vec<String> = clients
                                .get(&context)
                                .map(|c| {
                                    c.iter().filter(|n| !detaching.contains(n)).map(|n| format!("client {n}")).collect()
                                })
                                .unwrap_or_default();
                            if attached.contains(&context) && !staying.is_empty() {
                                let who = staying.join(", ");
                                violate(
                                    FILTERS_STAY_WHILE_ATTACHED,
                                    format!(
                                        "{actor}'s {} removed {id} of filter context {context} while {who} is attached to it",
                                        call.kind.api()
                                    ),
                                    None,
                                );
                            }
                        }
                        Effect::ObjectAdded(_) | Effect::ObjectRemoved(_) => {}
                    }
                }
            }
            EventKind::ContextCreated { context, client, layers: table } => {
                layers.insert(*context, table.clone());
                clients.entry(*context).or_default().insert(*client);
                context_of.insert(*client, *context);
                top(&mut flight, actor).created.push(*context);
            }
            EventKind::ContextJoined { context, client } => {
                clients.entry(*context).or_default().insert(*client);
                context_of.insert(*client, *context);
            }
            EventKind::ClientLeft { context, client, last, .. } => {
                clients.entry(*context).or_default().remove(client);
                context_of.remove(client);
                if *last {
                    attached.remove(context);
                    top(&mut flight, actor).emptied.push(*context);
                }
            }
            EventKind::ContextFreed { context } => {
                let held = committed.of(*context);
                if !held.is_empty() {
                    freed_with_filters.push((*context, held));
                }
            }
            EventKind::OpEnd { op, failure } => {
                let current = flight.get_mut(&actor).and_then(Vec::pop).unwrap_or_default();
                match op {
                    Op::Startup => {
                        // A fault injected into start-up may fail it, and nothing else may.
                        let excused = |failure: &OpFailure| failure.wfp.is_some_and(|s| current.faulted.contains(&s));
                        if let Some(failure) = failure.as_ref().filter(|f| !excused(f)) {
                            violate(
                                STARTUP_SUCCEEDS,
                                format!("start-up failed: {}", describe_failure(failure)),
                                failure.wfp,
                            );
                        }
                    }
                    Op::Attach { client, .. } => match failure {
                        Some(failure) => {
                            // A stopped netebpfext may refuse an attach (restart_during_attach).
                            let excused = failure.wfp.is_some_and(|status| current.faulted.contains(&status))
                                || failure.ebpf == EbpfResult::ProviderNotRegistered;
                            if !excused {
                                let call = current
                                    .last_failure
                                    .map(|(kind, status)| {
                                        format!("{} returned {} {}", kind.api(), status.hex(), status.name())
                                    })
                                    .unwrap_or_else(|| "no WFP call failed".to_string());
                                let faults = if current.faulted.is_empty() {
                                    "no fault was injected into it".to_string()
                                } else {
                                    "the fault injected into it is not what it failed with".to_string()
                                };
                                violate(
                                    ATTACH_FAILS_ONLY_BY_FAULT,
                                    format!("{actor}'s {op} failed with errno {} ({call}), and {faults}", failure.errno),
                                    failure.wfp,
                                );
                            }
                            for context in &current.created {
                                let held = committed.of(*context);
                                if !held.is_empty() {
                                    violate(
                                        FAILED_ATTACH_LEAVES_NOTHING,
                                        format!(
                                            "{actor}'s {op} failed, but {} of its filter context {context} is committed",
                                            ids(&held)
                                        ),
                                        None,
                                    );
                                }
                                failed.insert(*context);
                            }
                        }
                        None => match context_of.get(client) {
                            None => violate(
                                ATTACH_INSTALLS_FILTERS,
                                format!(
                                    "{actor}'s {op} succeeded, but netebpfext holds no filter context with client {client}: nothing was installed"
                                ),
                                None,
                            ),
                            Some(context) => {
                                let held = committed.of(*context);
                                let expected = layers.get(context).cloned().unwrap_or_default();
                                let missing = missing_layers(&expected, &held);
                                if !missing.is_empty() {
                                    violate(
                                        ATTACH_INSTALLS_FILTERS,
                                        format!(
                                            "{actor}'s {op} succeeded, but the engine holds no committed filter of its filter context {context} at {}",
                                            missing.join(", ")
                                        ),
                                        None,
                                    );
                                }
                                attached.insert(*context);
                            }
                        },
                    },
                    Op::Detach { client, .. } => {
                        detaching.remove(client);
                        if let Some(context) = context_of.get(client) {
                            violate(
                                DETACH_REMOVES_FILTERS,
                                format!("{actor}'s {op} returned, but client {client} is still attached to filter context {context}"),
                                None,
                            );
                        }
                        for context in &current.emptied {
                            let held = committed.of(*context);
                            if !held.is_empty() {
                                violate(
                                    DETACH_REMOVES_FILTERS,
                                    format!(
                                        "{actor}'s {op} returned with {} of filter context {context} still committed in the engine",
                                        ids(&held)
                                    ),
                                    current.last_failure.map(|(_, status)| status),
                                );
                            }
                        }
                    }
                    Op::Unload | Op::Restart => {}
                }
            }
            EventKind::Hung { provider, contexts } => {
                let contexts: Vec<String> = contexts.iter().map(|c| c.to_string()).collect();
                violate(
                    UNLOAD_COMPLETES,
                    format!(
                        "unload waits forever for the {provider} provider's rundown: filter context {} is never freed, so nothing after that wait runs",
                        contexts.join(", ")
                    ),
                    None,
                );
            }
            EventKind::Engine(EngineEvent::Wait { .. } | EngineEvent::Notify { .. })
            | EventKind::Lock { .. }
            | EventKind::Note(_) => {}
        }
    }
    for (context, held) in freed_with_filters {
        violate(
            CONTEXTS_RELEASED,
            format!(
                "filter context {context} was freed while {} carrying it was committed: the filter's rawContext points at freed memory",
                ids(&held)
            ),
            None,
        );
    }
    check_end(record, &record.engine, &mut violate);
    out.reached = reached;
    out
}

/// The operation in flight on top of `actor`'s stack (one with no operation if none is:
/// what happens outside every operation is not numbered in the script).
fn top(flight: &mut BTreeMap<Actor, Vec<InFlight>>, actor: Actor) -> &mut InFlight {
    let stack = flight.entry(actor).or_default();
    if stack.is_empty() {
        stack.push(InFlight::default());
    }
    stack.last_mut().expect("not empty")
}

fn check_end(
    record: &ExecutionRecord,
    engine: &EngineSummary,
    violate: &mut impl FnMut(Property, String, Option<Status>),
) {
    let mut left = Vec::new();
    for (session, txn) in &engine.open_txns {
        left.push(format!("transaction {} (begun by {}) is still open on {session}", txn.id, txn.began_by));
    }
    if let Some(holder) = engine.lock_holder {
        left.push(format!("the transaction lock is held by {holder}"));
    }
    if !engine.open_sessions.is_empty() {
        let sessions: Vec<String> = engine.open_sessions.iter().map(|s| s.to_string()).collect();
        left.push(format!("engine handles never closed: {}", sessions.join(", ")));
    }
    if !left.is_empty() {
        violate(CLEAN_END, format!("at the end {}", left.join("; ")), None);
    }
    for ctx in record.contexts.iter().filter(|c| !c.freed) {
        violate(
            CONTEXTS_RELEASED,
            format!(
                "filter context {} ({}) still holds {} reference(s) after unload: it is never freed (#5486)",
                ctx.id, ctx.hook.name, ctx.references
            ),
            None,
        );
    }
    for (context, actor, what) in &record.used_after_free {
        violate(CONTEXTS_RELEASED, format!("filter context {context} was misused by {actor}: {what}"), None);
    }
    if !engine.objects.is_empty() {
        violate(NO_OBJECTS_LEFT, format!("after unload the engine still holds {}", engine.objects.join(", ")), None);
    }
    // A hung unload never lets the driver go: then nothing is called into unloaded code.
    let hung = record.events.iter().any(|e| matches!(e.kind, EventKind::Hung { .. }));
    if !hung && !engine.registered.is_empty() {
        violate(
            CALLOUTS_UNREGISTERED,
            format!("unload completed with callouts still registered: {}", engine.registered.join(", ")),
            None,
        );
    }
}

fn describe_failure(failure: &OpFailure) -> String {
    let wfp = failure.wfp.map(|status| format!(" ({status})")).unwrap_or_default();
    format!("{}{wfp}", failure.ebpf)
}
