//! What an execution's log says so far, as the properties read it: what the engine holds
//! committed (from its calls' effects, never from what a design reports), netebpfext's
//! filter contexts and their clients, and each thread's operations in flight. Updated
//! event by event; properties only read it.

use std::collections::{BTreeMap, BTreeSet};

use crate::netebpfext::{Event, EventKind, Op};
use crate::wfp::faults::FaultKind;
use crate::wfp::{Actor, CallKind, ContextId, Effect, EngineEvent, FilterId, Status, Target};

/// One netebpfext operation of a thread, and what it has done so far.
#[derive(Debug, Clone, Default, Hash)]
pub struct Operation {
    /// `None`: calls made outside every operation.
    pub op: Option<Op>,
    /// Its place in its thread's script, from 0; `None` for an operation another one runs
    /// (NMR's detaches and attaches at a restart or an unload).
    pub index: Option<usize>,
    /// The statuses injected faults made its calls return.
    pub faulted: Vec<Status>,
    /// The filter contexts it created.
    pub created: Vec<ContextId>,
    /// The contexts whose last client it took off.
    pub emptied: Vec<ContextId>,
    /// Its last failed call, and what it returned.
    pub last_failure: Option<(CallKind, Status)>,
}

/// What the log says so far. It is all a check may know of the path so far: the stateful
/// checker holds its hash in every state's fingerprint, so two paths that left the same
/// history are checked the same from there on.
#[derive(Debug, Default, Hash)]
pub struct History {
    /// Every filter the engine holds committed: its filter context and layer.
    committed: BTreeMap<FilterId, (ContextId, &'static str)>,
    /// Each filter context's hook filter table: the layer of every filter it must have.
    layers: BTreeMap<ContextId, Vec<&'static str>>,
    clients: BTreeMap<ContextId, BTreeSet<u32>>,
    context_of: BTreeMap<u32, ContextId>,
    /// Contexts with a client whose attach returned success, until their last client leaves.
    attached: BTreeSet<ContextId>,
    /// Clients whose detach has started and not returned: their filters may go.
    detaching: BTreeSet<u32>,
    /// Contexts created by an attach that failed.
    failed: BTreeSet<ContextId>,
    /// Per thread, its operations in flight: one a restart or an unload runs sits on top
    /// of the one that runs it.
    flight: BTreeMap<Actor, Vec<Operation>>,
    /// Per thread, how many operations of its script have started.
    started: BTreeMap<Actor, usize>,
    /// Contexts freed while a filter carrying them was committed, with those filters.
    freed_with_filters: Vec<(ContextId, Vec<(FilterId, &'static str)>)>,
    /// A wait of netebpfext's never ended.
    hung: bool,
    /// Every object (provider, sublayer, callout) the engine holds committed, by key.
    objects: BTreeSet<&'static str>,
    /// Every callout registered with the filter engine (FwpsCalloutRegister), by key.
    registered: BTreeSet<&'static str>,
}

impl History {
    /// The committed filters of `context`, with their layers.
    pub fn committed_of(&self, context: ContextId) -> Vec<(FilterId, &'static str)> {
        self.committed.iter().filter(|(_, (c, _))| *c == context).map(|(id, (_, layer))| (*id, *layer)).collect()
    }

    /// The layers of every filter `context` must have (its hook's filter table).
    pub fn layers_of(&self, context: ContextId) -> &[&'static str] {
        self.layers.get(&context).map_or(&[], Vec::as_slice)
    }

    /// The filter context `client` is attached to, if any.
    pub fn context_of(&self, client: u32) -> Option<ContextId> {
        self.context_of.get(&client).copied()
    }

    /// Whether a client's attach to `context` succeeded and its last client has not left.
    pub fn is_attached(&self, context: ContextId) -> bool {
        self.attached.contains(&context)
    }

    /// Whether `context` was created by an attach that failed.
    pub fn is_failed(&self, context: ContextId) -> bool {
        self.failed.contains(&context)
    }

    /// The clients of `context` whose detach has not started.
    pub fn staying_clients(&self, context: ContextId) -> Vec<u32> {
        self.clients
            .get(&context)
            .map(|c| c.iter().copied().filter(|n| !self.detaching.contains(n)).collect())
            .unwrap_or_default()
    }

    /// Every filter context freed while a filter carrying it was committed, in the order
    /// they were freed, with those filters.
    pub fn freed_with_filters(&self) -> &[(ContextId, Vec<(FilterId, &'static str)>)] {
        &self.freed_with_filters
    }

    /// Every filter the engine holds committed, with its filter context.
    pub fn committed_filters(&self) -> impl Iterator<Item = (FilterId, ContextId)> + '_ {
        self.committed.iter().map(|(id, (context, _))| (*id, *context))
    }

    /// Every object (provider, sublayer, callout) the engine holds committed, by key.
    pub fn objects(&self) -> &BTreeSet<&'static str> {
        &self.objects
    }

    /// Every callout registered with the filter engine, by key.
    pub fn registered(&self) -> &BTreeSet<&'static str> {
        &self.registered
    }

    /// Whether a wait of netebpfext's never ended (so it never finished unloading).
    pub fn hung(&self) -> bool {
        self.hung
    }

    /// `actor`'s outermost operation in flight: the one of its script it is in.
    pub fn outermost(&self, actor: Actor) -> Option<&Operation> {
        self.flight.get(&actor).and_then(|stack| stack.iter().find(|f| f.op.is_some()))
    }

    /// Applies one event; for the end of an operation, returns what the operation did.
    pub(super) fn apply(&mut self, event: &Event) -> Option<Operation> {
        let actor = event.actor;
        match &event.kind {
            EventKind::OpStart(op) => {
                if let Op::Detach { client, .. } = op {
                    self.detaching.insert(*client);
                }
                let stack = self.flight.entry(actor).or_default();
                // Only a thread's outermost operations are numbered in its script.
                let index = stack.iter().all(|f| f.op.is_none()).then(|| {
                    let started = self.started.entry(actor).or_insert(0);
                    *started += 1;
                    *started - 1
                });
                stack.push(Operation { op: Some(*op), index, ..Operation::default() });
            }
            EventKind::Engine(EngineEvent::Call(call)) => {
                let current = self.top(actor);
                if let (Some(_), Err(status)) = (call.fault, call.result) {
                    current.faulted.push(status);
                }
                if let Err(status) = call.result {
                    current.last_failure = Some((call.kind, status));
                }
                // A registration is no committed state: it took effect if the call succeeded
                // or only its reply was lost.
                let took_effect = call.result.is_ok() || call.fault == Some(FaultKind::FailsAfterEffect);
                if let (true, Target::Key(key)) = (took_effect, call.target) {
                    match call.kind {
                        CallKind::CalloutRegister => {
                            self.registered.insert(key);
                        }
                        CallKind::CalloutUnregister => {
                            self.registered.remove(key);
                        }
                        _ => {}
                    }
                }
                for effect in &call.effects {
                    match *effect {
                        Effect::FilterAdded { id, context, layer } => {
                            self.committed.insert(id, (context, layer));
                        }
                        Effect::FilterRemoved { id, .. } => {
                            self.committed.remove(&id);
                        }
                        Effect::ObjectAdded(key) => {
                            self.objects.insert(key);
                        }
                        Effect::ObjectRemoved(key) => {
                            self.objects.remove(key);
                        }
                    }
                }
            }
            EventKind::ContextCreated { context, client, layers } => {
                self.layers.insert(*context, layers.clone());
                self.clients.entry(*context).or_default().insert(*client);
                self.context_of.insert(*client, *context);
                self.top(actor).created.push(*context);
            }
            EventKind::ContextJoined { context, client } => {
                self.clients.entry(*context).or_default().insert(*client);
                self.context_of.insert(*client, *context);
            }
            EventKind::ClientLeft { context, client, last, .. } => {
                self.clients.entry(*context).or_default().remove(client);
                self.context_of.remove(client);
                if *last {
                    self.attached.remove(context);
                    self.top(actor).emptied.push(*context);
                }
            }
            EventKind::OpEnd { op, failure } => {
                let ended = self.flight.get_mut(&actor).and_then(Vec::pop).unwrap_or_default();
                match op {
                    Op::Attach { .. } if failure.is_some() => self.failed.extend(ended.created.iter().copied()),
                    Op::Attach { client, .. } => {
                        if let Some(context) = self.context_of(*client) {
                            self.attached.insert(context);
                        }
                    }
                    Op::Detach { client, .. } => {
                        self.detaching.remove(client);
                    }
                    Op::Startup | Op::Unload | Op::Restart => {}
                }
                return Some(ended);
            }
            EventKind::ContextFreed { context } => {
                let held = self.committed_of(*context);
                if !held.is_empty() {
                    self.freed_with_filters.push((*context, held));
                }
            }
            EventKind::Hung { .. } => self.hung = true,
            EventKind::Engine(EngineEvent::Wait { .. } | EngineEvent::Notify { .. })
            | EventKind::Lock { .. }
            | EventKind::Stopped
            | EventKind::StartUpIgnored { .. }
            | EventKind::Note(_) => {}
        }
        None
    }

    /// The operation on top of `actor`'s stack (one with no operation if none is: what
    /// happens outside every operation is not numbered in the script).
    fn top(&mut self, actor: Actor) -> &mut Operation {
        let stack = self.flight.entry(actor).or_default();
        if stack.is_empty() {
            stack.push(Operation::default());
        }
        stack.last_mut().expect("not empty")
    }
}
