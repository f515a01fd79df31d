//! The properties every execution is checked against: `always` properties (safety),
//! and the `sometimes` targets an exploration must reach for a pass to mean anything.
//! Both are pure functions of an execution's record (its event log and end state).

use std::collections::{BTreeMap, BTreeSet};

use crate::faults::{CallKind, Fault, FaultPlan};
use crate::log::{Actor, CallOk, ContextId, Effect, Event, EventKind, Op, OpFailure, Target};
use crate::netebpfext::FilterContext;
use crate::scenarios::{Reach, Scenario};
use crate::wfp::{EngineSummary, FilterId, Status};

/// What one execution left behind.
#[derive(Debug, Clone)]
pub struct ExecutionRecord {
    pub events: Vec<Event>,
    /// The engine at the end; `None` if the execution did not finish.
    pub engine: Option<EngineSummary>,
    pub contexts: Vec<FilterContext>,
    pub notified_after_free: Vec<(FilterId, ContextId)>,
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
    STARTUP_SUCCEEDS = "startup_succeeds": "start-up succeeds";
    ATTACH_FAILS_ONLY_BY_FAULT = "attach_fails_only_by_fault": "no attach fails unless a fault was injected into it";
    NO_FOREIGN_TRANSACTION = "no_foreign_transaction": "no call lands in a transaction another thread began";
    ATTACH_ALL_OR_NOTHING = "attach_all_or_nothing": "an attach that succeeded has all its filters committed, one that failed has none";
    DETACH_REMOVES_FILTERS = "detach_removes_filters": "after a detach none of its filters remain";
    CLEAN_END = "clean_end": "at the end no transaction is open, the lock is free, no handle leaked";
    CONTEXTS_RELEASED = "contexts_released": "every filter context is freed by unload, and none is notified after it was freed";
    NO_OBJECTS_LEFT = "no_objects_left": "unload leaves no WFP object behind";
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
            Sometimes::FaultFired(fault) => format!("fault fired: {fault}"),
        }
    }
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
    faulted: bool,
    added: Vec<FilterId>,
    deleting: Vec<FilterId>,
    last_failure: Option<(CallKind, Status)>,
}

pub fn check(record: &ExecutionRecord, targets: &[Sometimes]) -> Checked {
    let mut out = Checked { violations: Vec::new(), reached: vec![false; targets.len()] };
    let mut violate = |property: Property, message: String, status: Option<Status>| {
        out.violations.push(Violation { property, message, status });
    };
    let mut committed: BTreeMap<FilterId, ContextId> = BTreeMap::new();
    let mut ever_committed: BTreeSet<FilterId> = BTreeSet::new();
    let mut failed_attach_filters: Vec<(Actor, Op, FilterId)> = Vec::new();
    let mut flight: BTreeMap<Actor, InFlight> = BTreeMap::new();
    let mut started: BTreeMap<Actor, usize> = BTreeMap::new();
    let mut reached = vec![false; targets.len()];

    for event in &record.events {
        let actor = event.actor;
        match &event.kind {
            EventKind::OpStart(op) => {
                let index = started.entry(actor).or_insert(0);
                flight.insert(actor, InFlight { op: Some((*op, *index)), ..InFlight::default() });
                *index += 1;
                for (target, hit) in targets.iter().zip(reached.iter_mut()) {
                    if let Sometimes::Scenario(Reach::InFlightTogether(ops)) = target {
                        *hit |= ops.iter().all(|(t, i)| {
                            flight.get(&Actor::Thread(*t)).and_then(|f| f.op).map(|(_, n)| n) == Some(*i)
                        });
                    }
                }
            }
            EventKind::Call(call) => {
                let current = flight.entry(actor).or_default();
                if let Some(fault) = call.fault {
                    current.faulted = true;
                    for (target, hit) in targets.iter().zip(reached.iter_mut()) {
                        if let Sometimes::FaultFired(f) = target {
                            *hit |= Actor::Thread(f.thread) == actor && f.kind == call.kind && f.fault == fault;
                        }
                    }
                }
                if let Err(status) = call.result {
                    current.last_failure = Some((call.kind, status));
                }
                if let Ok(CallOk::Added(id)) = call.result {
                    current.added.push(id);
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
                        Effect::FilterAdded { id, context } => {
                            committed.insert(id, context);
                            ever_committed.insert(id);
                        }
                        Effect::FilterRemoved { id, .. } => {
                            committed.remove(&id);
                        }
                        Effect::ObjectAdded(_) | Effect::ObjectRemoved(_) => {}
                    }
                }
            }
            EventKind::ContextDelete { filters, .. } => {
                flight.entry(actor).or_default().deleting.extend(filters.iter().copied());
            }
            EventKind::OpEnd { op, failure } => {
                let current = flight.remove(&actor).unwrap_or_default();
                match op {
                    Op::Startup => {
                        if let Some(failure) = failure {
                            violate(
                                STARTUP_SUCCEEDS,
                                format!("start-up failed: {}", describe_failure(failure)),
                                failure.wfp,
                            );
                        }
                    }
                    Op::Attach { .. } => match failure {
                        Some(failure) => {
                            if !current.faulted {
                                let call = current
                                    .last_failure
                                    .map(|(kind, status)| {
                                        format!("{} returned {} {}", kind.api(), status.hex(), status.name())
                                    })
                                    .unwrap_or_else(|| "no WFP call failed".to_string());
                                violate(
                                    ATTACH_FAILS_ONLY_BY_FAULT,
                                    format!(
                                        "{actor}'s {op} failed with errno {} ({call}), and no fault was injected into it",
                                        failure.errno
                                    ),
                                    failure.wfp,
                                );
                            }
                            failed_attach_filters.extend(current.added.iter().map(|id| (actor, *op, *id)));
                        }
                        None => {
                            for id in current.added.iter().filter(|id| !committed.contains_key(id)) {
                                violate(
                                    ATTACH_ALL_OR_NOTHING,
                                    format!("{actor}'s {op} succeeded, but its filter {id} is not committed when it returns"),
                                    None,
                                );
                            }
                        }
                    },
                    Op::Detach { .. } => {
                        for id in current.deleting.iter().filter(|id| committed.contains_key(id)) {
                            violate(
                                DETACH_REMOVES_FILTERS,
                                format!("{actor}'s {op} returned with its filter {id} still in the engine"),
                                current.last_failure.map(|(_, status)| status),
                            );
                        }
                    }
                    Op::Unload => {}
                }
            }
            EventKind::Wait { .. } | EventKind::Notify { .. } | EventKind::Lock { .. } | EventKind::Note(_) => {}
        }
    }
    for (actor, op, id) in failed_attach_filters {
        if ever_committed.contains(&id) {
            violate(ATTACH_ALL_OR_NOTHING, format!("{actor}'s {op} failed, but its filter {id} was committed"), None);
        }
    }
    if let Some(engine) = &record.engine {
        check_end(record, engine, &mut violate);
    }
    out.reached = reached;
    out
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
                "filter context {} ({}) still holds {} reference(s) after unload: it is never freed, so its \
                 provider's rundown never completes and unload hangs (#5486)",
                ctx.id, ctx.hook.name, ctx.references
            ),
            None,
        );
    }
    for (filter, context) in &record.notified_after_free {
        violate(
            CONTEXTS_RELEASED,
            format!("the delete notification of {filter} reached filter context {context} after it was freed"),
            None,
        );
    }
    if !engine.objects.is_empty() {
        violate(NO_OBJECTS_LEFT, format!("after unload the engine still holds {}", engine.objects.join(", ")), None);
    }
}

fn describe_failure(failure: &OpFailure) -> String {
    let wfp = failure.wfp.map(|status| format!(" ({status})")).unwrap_or_default();
    format!("{}{wfp}", failure.ebpf)
}
