//! The log of one execution, in order: what the engine recorded ([`EngineEvent`]) and
//! what netebpfext did: where its operations start and end, its filter contexts, its
//! locks. Properties are pure functions of the log, and counterexamples are printed from it.
//! The log sits behind an [`Untracked`] lock, so recording costs the checkers nothing.

use std::fmt;

use crate::sync::{Arc, Untracked};
use crate::wfp::{Actor, CallEvent, ContextId, EngineEvent, FilterId, Recorder, Status};

/// A netebpfext operation, as a scenario step names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `DriverEntry`'s start-up.
    Startup,
    /// A client's attach at a hook.
    Attach {
        /// The hook's name.
        hook: &'static str,
        /// The client.
        client: u32,
    },
    /// A client's detach from a hook.
    Detach {
        /// The hook's name.
        hook: &'static str,
        /// The client.
        client: u32,
    },
    /// The driver's unload.
    Unload,
    /// netebpfext stopped and started again while the driver stays loaded.
    Restart,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Startup => f.write_str("start-up"),
            Op::Attach { hook, client } => write!(f, "attach {hook} (client {client})"),
            Op::Detach { hook, client } => write!(f, "detach {hook} (client {client})"),
            Op::Unload => f.write_str("unload"),
            Op::Restart => f.write_str("restart netebpfext"),
        }
    }
}

/// What netebpfext returned for a failed operation (its `ebpf_result_t`), or for
/// start-up, that `net_ebpf_ext_initialize_wfp_components` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EbpfResult {
    /// `EBPF_INVALID_ARGUMENT`: `add_wfp_filters` turns every WFP failure into this.
    InvalidArgument,
    /// `EBPF_FAILED`: `create_filter_context` could not open the context's engine handle.
    Failed,
    /// `EBPF_ACCESS_DENIED`: the provider's attach policy refused a second attach.
    AccessDenied,
    /// `EBPF_EXTENSION_FAILED_TO_LOAD`: the hook provider is not registered with NMR
    /// (netebpfext stopped), so ebpfcore's link attach fails.
    ProviderNotRegistered,
    /// Start-up: `initialize_wfp_components` returned a failing NTSTATUS (no `ebpf_result_t`).
    StartUpFailed,
}

impl fmt::Display for EbpfResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EbpfResult::InvalidArgument => "EBPF_INVALID_ARGUMENT",
            EbpfResult::Failed => "EBPF_FAILED",
            EbpfResult::AccessDenied => "EBPF_ACCESS_DENIED",
            EbpfResult::ProviderNotRegistered => "EBPF_EXTENSION_FAILED_TO_LOAD (the hook provider is not registered)",
            EbpfResult::StartUpFailed => "initialize_wfp_components failed",
        })
    }
}

/// Why a netebpfext operation failed, as its caller sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpFailure {
    /// The WFP status behind it, if a WFP call failed.
    pub wfp: Option<Status>,
    /// netebpfext's own result for it.
    pub ebpf: EbpfResult,
    /// The errno the user library reports (22 for `EINVAL`).
    pub errno: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
/// What one event of the log is.
pub enum EventKind {
    /// What the engine did: a call, a wait for the transaction lock, a delete notification.
    Engine(EngineEvent),
    /// A netebpfext operation started.
    OpStart(Op),
    /// A netebpfext operation returned.
    OpEnd {
        /// The operation.
        op: Op,
        /// How it failed, if it did.
        failure: Option<OpFailure>,
    },
    /// netebpfext created a filter context for a client's attach; `layers` are its hook's
    /// filter table, one entry per filter the context must have in the engine.
    ContextCreated {
        /// The new context.
        context: ContextId,
        /// The client whose attach created it.
        client: u32,
        /// Its hook's filter table.
        layers: Vec<&'static str>,
    },
    /// A client's attach found a matching filter context and joined it.
    ContextJoined {
        /// The context.
        context: ContextId,
        /// The client that joined it.
        client: u32,
    },
    /// A client left its filter context; `last`: no client is left, so the filters
    /// netebpfext recorded for it (`filters`) are deleted next.
    ClientLeft {
        /// The context.
        context: ContextId,
        /// The client that left.
        client: u32,
        /// No client is left.
        last: bool,
        /// The filters netebpfext recorded for the context.
        filters: Vec<FilterId>,
    },
    /// A filter context's memory was freed (its last reference dropped, or cleaned up).
    ContextFreed {
        /// The context freed.
        context: ContextId,
    },
    /// A netebpfext lock was taken or released.
    Lock {
        /// The lock's name.
        name: &'static str,
        /// Taken (`true`) or released.
        taken: bool,
    },
    /// Unload waits for `provider`'s rundown and the wait never ends: `contexts` are never
    /// freed. Unload stops here.
    Hung {
        /// The provider whose rundown unload waits for.
        provider: &'static str,
        /// The contexts that keep it from running down.
        contexts: Vec<ContextId>,
    },
    /// A restart's stop returned: netebpfext starts again next.
    Stopped,
    /// Start-up failed and `DriverEntry` goes on ((void), TODO #521): the hook providers
    /// register with what start-up left, `status` the failure's.
    StartUpIgnored {
        /// What start-up failed with.
        status: Option<Status>,
    },
    /// Anything else worth showing in a counterexample.
    Note(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
/// One event of an execution's log.
pub struct Event {
    /// The thread it happened on.
    pub actor: Actor,
    /// What happened.
    pub kind: EventKind,
}

/// The log of one execution, shared by everything in it.
#[derive(Debug, Clone, Default)]
pub struct Log(Arc<Untracked<Vec<Event>>>);

/// How many events one execution may record; a model that loops forever stops here.
pub const EVENTS_MAX: usize = 100_000;

impl Log {
    /// An empty log.
    pub fn new() -> Log {
        Log::default()
    }

    /// Records `kind` as done by `actor`; at most [`EVENTS_MAX`] events.
    pub fn push(&self, actor: Actor, kind: EventKind) {
        self.0.with(|events| {
            assert!(events.len() < EVENTS_MAX, "event log exceeded {EVENTS_MAX} events");
            events.push(Event { actor, kind });
        });
    }

    /// Every event so far, in order.
    pub fn snapshot(&self) -> Vec<Event> {
        self.0.with(|events| events.clone())
    }

    /// The events from the `from`-th (counting from 0) on, in order.
    pub fn since(&self, from: usize) -> Vec<Event> {
        self.0.with(|events| events.get(from..).map_or_else(Vec::new, <[Event]>::to_vec))
    }
}

impl Recorder for Log {
    fn record(&self, actor: Actor, event: EngineEvent) {
        self.push(actor, EventKind::Engine(event));
    }
}

impl Event {
    /// The engine's event, if this is one.
    pub fn engine(&self) -> Option<(Actor, &EngineEvent)> {
        match &self.kind {
            EventKind::Engine(event) => Some((self.actor, event)),
            _ => None,
        }
    }

    /// The engine call, if this is one.
    pub fn call(&self) -> Option<&CallEvent> {
        match &self.kind {
            EventKind::Engine(EngineEvent::Call(call)) => Some(call),
            _ => None,
        }
    }
}
