//! The event log: what happened in one execution, in order.
//!
//! The engine records every call (thread, call, session, transaction, result, effects),
//! every wait for the transaction lock and every delete notification; netebpfext records
//! where its operations start and end and which of its locks it takes. Properties are
//! pure functions of the log, and counterexamples are printed from it.
//! The log sits behind an [`Unmodelled`] lock, so recording costs the checkers nothing.

use std::fmt;

use crate::faults::{CallKind, FaultKind};
use crate::sync::{Arc, Unmodelled};
use crate::wfp::{FilterId, SessionId, Status, TxnId};

/// Who made a call: the main thread (start-up and unload) or a worker thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Actor {
    Main,
    Thread(u8),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Main => f.write_str("main"),
            Actor::Thread(n) => write!(f, "t{n}"),
        }
    }
}

/// netebpfext's raw filter-context pointer, as the model numbers contexts.
pub type ContextId = u64;

/// An explicit transaction, and the thread whose Begin opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxnRef {
    pub id: TxnId,
    pub began_by: Actor,
}

/// What a call names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    None,
    Key(&'static str),
    Filter(FilterId),
    /// A filter being added: its layer and the filter context it carries.
    NewFilter {
        layer: &'static str,
        context: ContextId,
    },
}

/// What a successful call returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallOk {
    Done,
    Opened(SessionId),
    Added(FilterId),
}

/// A change to the committed (visible to all) engine state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    FilterAdded { id: FilterId, context: ContextId, layer: &'static str },
    FilterRemoved { id: FilterId, context: ContextId },
    ObjectAdded(&'static str),
    ObjectRemoved(&'static str),
}

/// One engine call, recorded when it returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallEvent {
    pub kind: CallKind,
    /// Which call of its kind by its thread this is, counting from 1 (a fault plan's occurrence).
    pub occurrence: u32,
    pub target: Target,
    pub session: Option<SessionId>,
    /// The explicit transaction the call ran in (for Begin: opened; Commit and Abort: ended).
    pub txn: Option<TxnRef>,
    pub result: Result<CallOk, Status>,
    pub fault: Option<FaultKind>,
    pub effects: Vec<Effect>,
}

/// A netebpfext operation, as a scenario step names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Startup,
    Attach { hook: &'static str, client: u32 },
    Detach { hook: &'static str, client: u32 },
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

/// Why a netebpfext operation failed, as its caller sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpFailure {
    /// The WFP status behind it, if a WFP call failed.
    pub wfp: Option<Status>,
    /// netebpfext's own result for it (`EBPF_INVALID_ARGUMENT` for any WFP failure in
    /// `add_wfp_filters`, `EBPF_FAILED` when the context's engine handle cannot be opened).
    pub ebpf: &'static str,
    /// The errno the user library reports (22 for `EINVAL`).
    pub errno: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventKind {
    Call(CallEvent),
    /// A call found the transaction lock held by another session and waits for it.
    Wait {
        kind: CallKind,
        session: SessionId,
        holder: SessionId,
        /// The session's wait can time out (W3): a `times_out` fault can fire here.
        can_time_out: bool,
    },
    /// WFP told netebpfext's callout that a filter was deleted.
    Notify {
        filter: FilterId,
        context: ContextId,
    },
    OpStart(Op),
    OpEnd {
        op: Op,
        failure: Option<OpFailure>,
    },
    /// netebpfext created a filter context for a client's attach; `layers` are its hook's
    /// filter table, one entry per filter the context must have in the engine.
    ContextCreated {
        context: ContextId,
        client: u32,
        layers: Vec<&'static str>,
    },
    /// A client's attach found a matching filter context and joined it.
    ContextJoined {
        context: ContextId,
        client: u32,
    },
    /// A client left its filter context; `last`: no client is left, so the filters
    /// netebpfext recorded for it (`filters`) are deleted next.
    ClientLeft {
        context: ContextId,
        client: u32,
        last: bool,
        filters: Vec<FilterId>,
    },
    /// A filter context's memory was freed (its last reference dropped, or cleaned up).
    ContextFreed {
        context: ContextId,
    },
    /// A netebpfext lock was taken or released.
    Lock {
        name: &'static str,
        taken: bool,
    },
    /// Unload waits for `provider`'s rundown and the wait never ends: `contexts` are never
    /// freed. Unload stops here.
    Hung {
        provider: &'static str,
        contexts: Vec<ContextId>,
    },
    /// Anything else worth showing in a counterexample.
    Note(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    pub actor: Actor,
    pub kind: EventKind,
}

/// The log of one execution, shared by everything in it.
#[derive(Debug, Clone, Default)]
pub struct Log(Arc<Unmodelled<Vec<Event>>>);

/// How many events one execution may record; a model that loops forever stops here.
pub const EVENTS_MAX: usize = 100_000;

impl Log {
    pub fn new() -> Log {
        Log::default()
    }

    pub fn push(&self, actor: Actor, kind: EventKind) {
        self.0.with(|events| {
            assert!(events.len() < EVENTS_MAX, "event log exceeded {EVENTS_MAX} events");
            events.push(Event { actor, kind });
        });
    }

    pub fn snapshot(&self) -> Vec<Event> {
        self.0.with(|events| events.clone())
    }
}
