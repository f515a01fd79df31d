//! What the engine records of one execution: every call it returned from, every wait for
//! the transaction lock and every delete notification, each by the thread (the [`Actor`])
//! that made it. The engine writes them to a [`Recorder`]; it knows nothing of who reads
//! them (netebpfext's execution log, `crate::netebpfext::Log`).

use std::fmt;

use super::faults::FaultKind;
use super::{FilterId, SessionId, Status, TxnId};

macro_rules! call_kinds {
    ($($variant:ident = $short:literal, $api:literal;)*) => {
        /// The engine calls a fault can be injected into.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum CallKind {
            $(#[doc = concat!("`", $api, "`.")] $variant,)*
        }

        impl CallKind {
            /// Every call, in the order they print.
            pub const ALL: &[CallKind] = &[$(CallKind::$variant),*];

            /// The short name used in plan names (`t0.filter_add2.fails`).
            pub const fn short(self) -> &'static str {
                match self {
                    $(CallKind::$variant => $short,)*
                }
            }

            /// The WFP function it models.
            pub const fn api(self) -> &'static str {
                match self {
                    $(CallKind::$variant => $api,)*
                }
            }
        }
    };
}

// One row per call: variant = short name, the WFP function. The rows' order is the order
// calls print in (`Ord`).
call_kinds! {
    EngineOpen = "engine_open", "FwpmEngineOpen";
    EngineClose = "engine_close", "FwpmEngineClose";
    TransactionBegin = "begin", "FwpmTransactionBegin";
    TransactionCommit = "commit", "FwpmTransactionCommit";
    TransactionAbort = "abort", "FwpmTransactionAbort";
    ProviderAdd = "provider_add", "FwpmProviderAdd";
    SubLayerAdd = "sublayer_add", "FwpmSubLayerAdd";
    CalloutAdd = "callout_add", "FwpmCalloutAdd";
    FilterAdd = "filter_add", "FwpmFilterAdd";
    FilterDelete = "filter_delete", "FwpmFilterDeleteById";
    CalloutDelete = "callout_delete", "FwpmCalloutDeleteByKey";
    SubLayerDelete = "sublayer_delete", "FwpmSubLayerDeleteByKey";
    ProviderDelete = "provider_delete", "FwpmProviderDeleteByKey";
    CalloutRegister = "callout_register", "FwpsCalloutRegister";
    CalloutUnregister = "callout_unregister", "FwpsCalloutUnregisterById";
}

/// At most this many worker threads call the engine in one execution, `t0` to `t4` (loom
/// runs at most 4 of them: 5 threads with the main one; `explore::checker::workers_max`).
pub const THREADS_MAX: usize = 5;

/// Who made a call: the main thread (start-up and unload) or a worker thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Actor {
    /// The main thread: start-up and unload.
    Main,
    /// Worker thread `tN`.
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
    /// The transaction.
    pub id: TxnId,
    /// The thread whose Begin opened it.
    pub began_by: Actor,
}

/// What a call names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Nothing (Begin, Commit, Abort, Open, Close).
    None,
    /// An object by key (provider, sublayer, callout).
    Key(&'static str),
    /// A filter by id.
    Filter(FilterId),
    /// A filter being added: its layer and the filter context it carries.
    NewFilter {
        /// Its layer.
        layer: &'static str,
        /// Its raw context.
        context: ContextId,
    },
}

/// What a successful call returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallOk {
    /// Done.
    Done,
    /// A session opened: its handle.
    Opened(SessionId),
    /// A filter added: its id.
    Added(FilterId),
}

/// A change to the committed (visible to all) engine state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// A filter was committed.
    FilterAdded {
        /// The filter.
        id: FilterId,
        /// Its raw context.
        context: ContextId,
        /// Its layer.
        layer: &'static str,
    },
    /// A filter was removed.
    FilterRemoved {
        /// The filter.
        id: FilterId,
        /// Its raw context.
        context: ContextId,
    },
    /// An object was committed (by key).
    ObjectAdded(&'static str),
    /// An object was removed (by key).
    ObjectRemoved(&'static str),
}

/// One engine call, recorded when it returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallEvent {
    /// The function called.
    pub kind: CallKind,
    /// Which call of its kind by its thread this is, counting from 1 (a fault plan's occurrence).
    pub occurrence: u32,
    /// What it named.
    pub target: Target,
    /// The session it was called on, if any.
    pub session: Option<SessionId>,
    /// The explicit transaction the call ran in (for Begin: opened; Commit and Abort: ended).
    pub txn: Option<TxnRef>,
    /// What it returned.
    pub result: Result<CallOk, Status>,
    /// The fault injected into it, if one was.
    pub fault: Option<FaultKind>,
    /// What it changed in the committed state.
    pub effects: Vec<Effect>,
}

/// One thing the engine did, recorded when it happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EngineEvent {
    /// A call returned.
    Call(CallEvent),
    /// A call found the transaction lock held by another session and waits for it.
    Wait {
        /// The call that waits.
        kind: CallKind,
        /// The session it waits on.
        session: SessionId,
        /// The session holding the lock.
        holder: SessionId,
        /// The session's wait can time out (W3): a `times_out` fault can fire here.
        can_time_out: bool,
    },
    /// WFP told a callout's notify function that a filter naming it was deleted.
    Notify {
        /// The filter deleted.
        filter: FilterId,
        /// Its raw context.
        context: ContextId,
    },
}

/// Where the engine writes what it did, in the order it happened.
pub trait Recorder: Send + Sync {
    /// Records that `actor` made the engine do `event`.
    fn record(&self, actor: Actor, event: EngineEvent);
}
