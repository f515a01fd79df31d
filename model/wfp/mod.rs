//! The WFP engine model: sessions, explicit and implicit transactions, the engine-wide
//! transaction lock, and the objects, rule by rule (W1-W15, listed with their Microsoft sources in `docs/wfp-semantics.md`).
//!
//! Every call is one critical section of the engine's state lock: the model assumes
//! each WFP call is atomic with respect to the others (BFE serialises them; not
//! documented either way). A call that must wait for the transaction lock waits as the
//! [`LockHandover`] says; WFP documents no fairness, so both policies are modelled.

mod events;
pub mod faults;
mod objects;
mod status;

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

pub use self::events::{
    Actor, CallEvent, CallKind, CallOk, ContextId, Effect, EngineEvent, Recorder, Target, TxnRef, THREADS_MAX,
};
pub use self::status::Status;

use self::faults::{FaultKind, FaultPlan};
use self::objects::{Keyed, Objects, Owner};
use crate::assumptions::{
    AbortedAdd, DeleteNotification, DynamicClose, ForeignTransaction, ImplicitCall, LockHandover, NullSessionWait,
    Readings,
};
use crate::sync::{opaque, Arc, Mutex, MutexGuard, Signal, Unmodelled};

/// Defines an engine id: which thread's call made it and the how-manieth of its kind that
/// thread made, which is all the model compares, orders and hashes; and the number it is
/// shown with, which counts every id of its kind in the order they were made. The shown
/// number depends on the order of the threads' calls and only the log reads it, so two
/// executions that made the same ids in another order hand out equal ids (the stateful
/// checker's states then match): nothing uses an id but to compare it for equality, and
/// the engine orders what it iterates by these identities.
macro_rules! engine_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name {
            by: Actor,
            nth: u32,
            shown: u64,
        }

        impl $name {
            /// The number it is shown with: the how-manieth of its kind the engine made.
            pub const fn shown(self) -> u64 {
                self.shown
            }

            /// The thread whose call made it.
            pub const fn made_by(self) -> Actor {
                self.by
            }

            fn identity(self) -> (Actor, u32) {
                (self.by, self.nth)
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.identity() == other.identity()
            }
        }
        impl Eq for $name {}
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.identity().cmp(&other.identity())
            }
        }
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.identity().hash(state)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.shown)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }
    };
}

engine_id!(
    /// A session, and the engine handle that names it (W1).
    SessionId,
    "s"
);
engine_id!(
    /// An explicit transaction.
    TxnId,
    "x"
);
engine_id!(
    /// A filter's run-time id (a LUID in WFP).
    FilterId,
    "f"
);

/// The model's engine handle is its session's id.
pub type Handle = SessionId;

impl SessionId {
    /// A NULL engine handle (`_fwp_engine_handle` after a failed start-up). No session has
    /// it, so every call on it fails with STATUS_INVALID_HANDLE (W4; the status is
    /// assumed: WFP documents none for a NULL handle).
    pub const NULL: Handle = SessionId { by: Actor::Main, nth: 0, shown: 0 };

    /// A handle no session ever has (shown as `s{shown}`): every call on it fails with
    /// STATUS_INVALID_HANDLE (W4).
    pub const fn never_opened(shown: u64) -> Handle {
        SessionId { by: Actor::Main, nth: u32::MAX, shown }
    }
}

impl FilterId {
    /// An id no filter ever has (shown as `f{shown}`): FwpmFilterDeleteById0 on it fails
    /// with FILTER_NOT_FOUND (W14).
    pub const fn never_added(shown: u64) -> FilterId {
        FilterId { by: Actor::Main, nth: u32::MAX, shown }
    }
}

/// How many ids of each kind the engine made, per thread (their identities) and in all
/// (their shown numbers).
#[derive(Debug, Default)]
struct Made {
    by: BTreeMap<(Actor, u8), u32>,
    shown: [u64; 3],
}

impl Made {
    const SESSION: u8 = 0;
    const TXN: u8 = 1;
    const FILTER: u8 = 2;

    /// The next id of `kind` made by `by`: its identity's number and its shown number.
    fn next(&mut self, by: Actor, kind: u8) -> (u32, u64) {
        let nth = self.by.entry((by, kind)).or_insert(0);
        *nth += 1;
        self.shown[kind as usize] += 1;
        (*nth, self.shown[kind as usize])
    }

    fn session(&mut self, by: Actor) -> SessionId {
        let (nth, shown) = self.next(by, Made::SESSION);
        SessionId { by, nth, shown }
    }

    fn txn(&mut self, by: Actor) -> TxnId {
        let (nth, shown) = self.next(by, Made::TXN);
        TxnId { by, nth, shown }
    }

    fn filter(&mut self, by: Actor) -> FilterId {
        let (nth, shown) = self.next(by, Made::FILTER);
        FilterId { by, nth, shown }
    }
}

// Only the per-thread counts are state: the shown numbers are the log's.
impl std::hash::Hash for Made {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.by.hash(state)
    }
}

/// `FWPM_SESSION0.txnWaitTimeoutInMSec` (W3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxnWait {
    /// 0: the system default, 15 s.
    SystemDefault,
    /// A NULL `FWPM_SESSION0`: no field to read. The `null_session_wait` assumption says
    /// what it waits (by default as `SystemDefault`).
    NullSession,
    /// A stated number of milliseconds.
    Millis(u32),
    /// `INFINITE`: wait forever.
    Infinite,
}

impl TxnWait {
    /// Reads the field as WFP does: 0 is the default, `0xFFFFFFFF` is `INFINITE`.
    pub const fn from_msec(msec: u32) -> TxnWait {
        match msec {
            0 => TxnWait::SystemDefault,
            u32::MAX => TxnWait::Infinite,
            n => TxnWait::Millis(n),
        }
    }

    /// The model has no clock: a wait that can time out does so when a fault plan says so.
    pub const fn can_time_out(self) -> bool {
        !matches!(self, TxnWait::Infinite)
    }
}

/// How `FwpmEngineOpen` opens a session (W2, W3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionOptions {
    /// `FWPM_SESSION_FLAG_DYNAMIC`: the session's objects go when it ends.
    pub dynamic: bool,
    /// How long its calls wait for the transaction lock (W3).
    pub txn_wait: TxnWait,
}

impl SessionOptions {
    /// A NULL `FWPM_SESSION0`: static, default 15 s wait.
    pub const NULL: SessionOptions = SessionOptions { dynamic: false, txn_wait: TxnWait::NullSession };
    /// `FWPM_SESSION_FLAG_DYNAMIC` with the wait left at 0 (15 s).
    pub const DYNAMIC: SessionOptions = SessionOptions { dynamic: true, txn_wait: TxnWait::SystemDefault };
}

/// What `FwpmFilterAdd` is given: the filter's layer, the objects it names, and
/// `rawContext`, which netebpfext sets to its filter context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilterSpec {
    /// The layer it filters at.
    pub layer: &'static str,
    /// Its sublayer.
    pub sublayer: &'static str,
    /// The provider it is added in the name of, if any.
    pub provider: Option<&'static str>,
    /// The callout it names, if any.
    pub callout: Option<&'static str>,
    /// The raw context WFP passes the callout (netebpfext's filter context).
    pub raw_context: ContextId,
}

/// [`REPEATS_MAX`] as a literal, for the sentences that state it (`properties::BOUNDED_CALLS`
/// and an expectation's reason, through `concat!`): the limit is written once, here.
macro_rules! repeats_max {
    () => {
        20
    };
}
pub(crate) use repeats_max;

/// At most this many times in a row a worker thread makes the same WFP call (its kind,
/// target and session) and sees it fail the same way; the next try is a spin without
/// progress (an unbounded retry starved by the scheduler), which no checker could tell
/// from a hang otherwise. At least twice the longest bounded retry loop of any built-in
/// design (`designs/mod.rs` asserts it): #4192's unload tries each object 10 times,
/// #5472's deletes 3, `retry`'s Begin 5; so a bounded loop, however long the work around
/// it, is never one.
pub const REPEATS_MAX: u32 = repeats_max!();

/// At most this many WFP calls per worker thread in one execution: a limit on the
/// exploration, not a property. A script of the built-in scenarios needs a few hundred at
/// the most (a restart's stop with every call failing, each tried 10 times); a thread past
/// this stops the exploration `inconclusive` ([`CallsMax`]), since it may be no livelock.
pub const WORKER_CALLS_MAX: u32 = 2_000;

/// The panic payload of a worker thread that tried the same failing call more than
/// [`REPEATS_MAX`] times in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spinning {
    /// The thread that spun.
    pub actor: Actor,
    /// The call it kept trying.
    pub kind: CallKind,
    /// What each try returned.
    pub status: Status,
    /// How many tries in a row.
    pub tries: u32,
}

/// The panic payload of a worker thread that made more than [`WORKER_CALLS_MAX`] calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallsMax {
    /// The thread.
    pub actor: Actor,
}

/// A thread's last call and how many times in a row it failed the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Repeated {
    kind: CallKind,
    target: Target,
    session: Option<SessionId>,
    status: Status,
    tries: u32,
}

/// A callout's notify function, as `FwpsCalloutRegister` is given it. WFP calls it with
/// `FWPS_CALLOUT_NOTIFY_DELETE_FILTER` when a filter naming the callout is deleted.
pub type NotifyFn = Arc<dyn Fn(Actor, FilterId, ContextId) + Send + Sync>;

#[derive(Debug, Clone, Hash)]
struct Txn {
    id: TxnId,
    began_by: Actor,
    /// The transaction's view: the committed objects plus its own changes (W11).
    working: Objects,
    /// Effects that become visible at commit.
    pending: Vec<Effect>,
    /// Filters whose delete notification its deleting call already sent
    /// (`delete_notification=in_the_call`).
    notified: Vec<FilterId>,
}

impl Txn {
    fn reference(&self) -> TxnRef {
        TxnRef { id: self.id, began_by: self.began_by }
    }
}

#[derive(Debug, Hash)]
struct Session {
    options: SessionOptions,
    open: bool,
    txn: Option<Txn>,
}

/// A change to objects, run in the caller's transaction or an implicit one; it is given the
/// engine's id maker and the calling thread, for a filter it adds.
type Change = Box<dyn FnOnce(&mut Objects, &mut Made, Actor, Owner) -> Result<(CallOk, Effect), Status> + Send>;

/// A registered notify function. It hashes as nothing: in an execution every one is
/// netebpfext's (`Driver::fwps_callout_register`), so the callout's key says all.
#[derive(Clone)]
struct Notify(NotifyFn);

impl std::hash::Hash for Notify {
    fn hash<H: std::hash::Hasher>(&self, _state: &mut H) {}
}

/// What a call does once the transaction lock lets it run.
enum Work {
    Begin,
    Change(Change),
    /// `FwpmEngineClose0`.
    Close,
}

// A change hashes as its kind alone: what it does is fixed by the call that made it, so by
// the waiting thread's state, which the stateful checker's digest of that thread holds.
impl std::hash::Hash for Work {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state)
    }
}

/// A call's delete notifications, delivered after the engine's state lock is released.
type Notifications = Vec<Notification>;

/// A notify call owed: the callout's function, for `filter`, whose raw context is `context`.
#[derive(Hash)]
struct Notification {
    notify: Notify,
    callout: &'static str,
    filter: FilterId,
    context: ContextId,
}

/// What one critical section of a call ends with: what the calling thread does next
/// depends on nothing else it read there.
#[derive(Hash)]
enum Section {
    /// The call ran, or failed.
    Done(Done),
    /// It waits in line; its outcome will be in `slot` once `handed` is set.
    Queued { slot: Slot, handed: Arc<Signal> },
    /// It sleeps until the lock is released, then competes for it again (barging).
    Sleeping { woken: Arc<Signal>, call: Pending },
}

/// A call that ran, or failed: its result, the waiting calls it handed the lock to (their
/// signals are set once the state lock is free) and the notifications it owes.
#[derive(Hash)]
struct Done {
    result: Result<CallOk, Status>,
    handed: Vec<Arc<Signal>>,
    notifications: Notifications,
}

/// A barging call between its sections: its event so far, its work and its fault.
#[derive(Hash)]
struct Pending {
    event: CallEvent,
    work: Work,
    fault: Option<FaultKind>,
}

/// What a waiting call's caller is handed.
#[derive(Hash)]
struct Outcome {
    result: Result<CallOk, Status>,
    notifications: Notifications,
}

/// Where a waiting call's outcome is handed over: written in the hand-over's critical
/// section, read by the waiting thread once its signal is set.
type Slot = Arc<Unmodelled<Option<Outcome>>>;

/// A thread whose call waits for the transaction lock to be released (barging).
#[derive(Hash)]
struct Sleeper {
    /// Set once the state lock is free, after the lock was released.
    woken: Arc<Signal>,
}

/// A call waiting in line for the transaction lock (first come, first served).
#[derive(Hash)]
struct Waiter {
    actor: Actor,
    session: SessionId,
    event: CallEvent,
    work: Work,
    fault: Option<FaultKind>,
    slot: Slot,
    /// Set once the state lock is free, after the outcome was put in the slot.
    handed: Arc<Signal>,
}

#[derive(Hash)]
struct State {
    sessions: BTreeMap<SessionId, Session>,
    /// W6: the session whose explicit transaction holds the engine-wide lock.
    lock_holder: Option<SessionId>,
    /// Calls waiting in line for the lock (first come, first served).
    queue: VecDeque<Waiter>,
    /// Calls waiting to compete for the lock again (barging).
    sleepers: Vec<Sleeper>,
    committed: Objects,
    /// Ids made so far.
    made: Made,
    /// Calls made so far, per thread and kind: the fault plan's occurrence counter.
    calls: BTreeMap<(Actor, CallKind), u32>,
    /// Calls made so far, per thread.
    calls_by: BTreeMap<Actor, u32>,
    /// Each thread's last call, if it failed, and how many times in a row it failed so.
    repeated: BTreeMap<Actor, Repeated>,
    registered: BTreeMap<&'static str, Notify>,
    /// Delete notifications owed and not yet delivered (`delete_notification=deferred`).
    deferred: Notifications,
}

type Guard<'a> = MutexGuard<'a, State>;

/// A call as the fault plan counts it.
#[derive(Debug, Clone, Copy)]
struct Counted {
    occurrence: u32,
    fault: Option<FaultKind>,
}

/// The end state the properties look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSummary {
    /// Sessions never closed.
    pub open_sessions: Vec<SessionId>,
    /// Explicit transactions still open.
    pub open_txns: Vec<(SessionId, TxnRef)>,
    /// The session holding the transaction lock.
    pub lock_holder: Option<SessionId>,
    /// Calls still waiting for it.
    pub waiters: usize,
    /// Every object left, by key or id.
    pub objects: Vec<String>,
    /// Every committed filter and its raw context.
    pub filters: Vec<(FilterId, ContextId)>,
    /// Callouts still registered with the filter engine (FwpsCalloutRegister), by key.
    pub registered: Vec<&'static str>,
}

/// The WFP engine of one execution.
pub struct Engine {
    state: Mutex<State>,
    /// Where every call, wait and notification is written (the execution's log).
    recorder: Box<dyn Recorder>,
    plan: FaultPlan,
    /// What the engine does where the docs are silent.
    readings: Readings,
}

impl Engine {
    /// An engine under the default reading of every assumption.
    pub fn new(recorder: impl Recorder + 'static, plan: FaultPlan) -> Engine {
        Engine::with_readings(recorder, plan, Readings::default())
    }

    /// An engine under `readings` of the assumptions.
    pub fn with_readings(recorder: impl Recorder + 'static, plan: FaultPlan, readings: Readings) -> Engine {
        Engine {
            readings,
            state: Mutex::new(State {
                sessions: BTreeMap::new(),
                lock_holder: None,
                queue: VecDeque::new(),
                sleepers: Vec::new(),
                committed: Objects::default(),
                made: Made::default(),
                calls: BTreeMap::new(),
                calls_by: BTreeMap::new(),
                repeated: BTreeMap::new(),
                registered: BTreeMap::new(),
                deferred: Vec::new(),
            }),
            recorder: Box::new(recorder),
            plan,
        }
    }

    /// W1, W2, W3: `FwpmEngineOpen0`.
    pub fn engine_open(&self, actor: Actor, options: SessionOptions) -> Result<Handle, Status> {
        let kind = CallKind::EngineOpen;
        let done = opaque(|| {
            let mut st = self.state.lock();
            let counted = self.count(&mut st, actor, kind);
            let fault = counted.fault;
            let mut event = Self::event(counted, kind, Target::None, None);
            if let Some(status) = Self::injected_failure(&mut event, fault) {
                return self.finish(st, actor, event, Err(status), Vec::new());
            }
            let id = st.made.session(actor);
            st.sessions.insert(id, Session { options, open: true, txn: None });
            event.session = Some(id);
            let result = Self::after_effect(&mut event, fault, Ok(CallOk::Opened(id)));
            self.finish(st, actor, event, result, Vec::new())
        });
        match self.complete(actor, done)? {
            CallOk::Opened(id) => Ok(id),
            other => unreachable!("FwpmEngineOpen returned {other:?}"),
        }
    }

    /// W1, W2: `FwpmEngineClose0`. Aborts the session's open transaction; a dynamic
    /// session's objects are then deleted, and removed from open transactions' views too
    /// (nothing of another session may refer to them, W15). Whether that deletion waits
    /// for another session's transaction is the `dynamic_close` assumption.
    pub fn engine_close(&self, actor: Actor, handle: Handle) -> Result<(), Status> {
        self.call(actor, handle, CallKind::EngineClose, Target::None, Work::Close).map(|_| ())
    }

    /// The close once it may run: `event` gets the aborted transaction and the deletions.
    fn close(&self, st: &mut State, handle: Handle, event: &mut CallEvent) -> Notifications {
        let dynamic = Self::session_mut(st, handle).options.dynamic;
        let mut notifications = Vec::new();
        if let Some(txn) = Self::session_mut(st, handle).txn.take() {
            event.txn = Some(txn.reference());
            st.lock_holder = None;
            notifications.extend(self.aborted_adds(st, &txn));
        }
        Self::session_mut(st, handle).open = false;
        if dynamic {
            let before = st.committed.clone();
            event.effects = st.committed.remove_owned_by(handle);
            notifications.extend(Self::notifications(st, &before, &st.committed));
            for session in st.sessions.values_mut() {
                if let Some(txn) = &mut session.txn {
                    txn.working.remove_owned_by(handle);
                }
            }
        }
        notifications
    }

    /// `aborted_add=one`: a delete notification for each filter the aborted `txn` added.
    fn aborted_adds(&self, st: &State, txn: &Txn) -> Notifications {
        match self.readings.aborted_add {
            AbortedAdd::NoNotification => Vec::new(),
            AbortedAdd::OneNotification => Self::notifications(st, &txn.working, &st.committed),
        }
    }

    /// W5, W6, W3: `FwpmTransactionBegin0`.
    pub fn transaction_begin(&self, actor: Actor, handle: Handle) -> Result<(), Status> {
        self.call(actor, handle, CallKind::TransactionBegin, Target::None, Work::Begin).map(|_| ())
    }

    /// W9, W11: `FwpmTransactionCommit0`: every change of the transaction at once.
    pub fn transaction_commit(&self, actor: Actor, handle: Handle) -> Result<(), Status> {
        self.end_transaction(actor, handle, CallKind::TransactionCommit)
    }

    /// W9, W11: `FwpmTransactionAbort0`: every change of the transaction discarded.
    pub fn transaction_abort(&self, actor: Actor, handle: Handle) -> Result<(), Status> {
        self.end_transaction(actor, handle, CallKind::TransactionAbort)
    }

    fn end_transaction(&self, actor: Actor, handle: Handle, kind: CallKind) -> Result<(), Status> {
        let done = opaque(|| {
            let mut st = self.state.lock();
            let counted = self.count(&mut st, actor, kind);
            let fault = counted.fault;
            let mut event = Self::event(counted, kind, Target::None, Some(handle));
            let txn = match Self::session(&st, handle) {
                Err(status) => return self.finish(st, actor, event, Err(status), Vec::new()),
                Ok(session) => match &session.txn {
                    None => return self.finish(st, actor, event, Err(Status::NoTxnInProgress), Vec::new()),
                    Some(txn) => txn.reference(),
                },
            };
            event.txn = Some(txn);
            // W10: a failed call does not end the transaction.
            if let Some(status) = Self::injected_failure(&mut event, fault) {
                return self.finish(st, actor, event, Err(status), Vec::new());
            }
            let txn = Self::session_mut(&mut st, handle).txn.take().expect("checked above");
            let notifications = if kind == CallKind::TransactionCommit {
                let mut owed = Self::notifications(&st, &st.committed, &txn.working);
                // `delete_notification=in_the_call`: those were sent by the deleting call.
                owed.retain(|n| !txn.notified.contains(&n.filter));
                st.committed = txn.working;
                event.effects = txn.pending;
                owed
            } else {
                self.aborted_adds(&st, &txn)
            };
            st.lock_holder = None;
            let result = Self::after_effect(&mut event, fault, Ok(CallOk::Done));
            self.finish(st, actor, event, result, notifications)
        });
        self.complete(actor, done).map(|_| ())
    }

    /// `FwpmProviderAdd0`.
    pub fn provider_add(&self, actor: Actor, handle: Handle, key: &'static str) -> Result<(), Status> {
        self.add_keyed(actor, handle, CallKind::ProviderAdd, Keyed::Provider, key, None)
    }

    /// `FwpmSubLayerAdd0`.
    pub fn sublayer_add(
        &self,
        actor: Actor,
        handle: Handle,
        key: &'static str,
        provider: Option<&'static str>,
    ) -> Result<(), Status> {
        self.add_keyed(actor, handle, CallKind::SubLayerAdd, Keyed::SubLayer, key, provider)
    }

    /// `FwpmCalloutAdd0`.
    pub fn callout_add(
        &self,
        actor: Actor,
        handle: Handle,
        key: &'static str,
        provider: Option<&'static str>,
    ) -> Result<(), Status> {
        self.add_keyed(actor, handle, CallKind::CalloutAdd, Keyed::Callout, key, provider)
    }

    fn add_keyed(
        &self,
        actor: Actor,
        handle: Handle,
        kind: CallKind,
        keyed: Keyed,
        key: &'static str,
        provider: Option<&'static str>,
    ) -> Result<(), Status> {
        let change: Change = Box::new(move |objects, _, _, by| {
            objects.add_keyed(keyed, key, provider, by).map(|effect| (CallOk::Done, effect))
        });
        self.call(actor, handle, kind, Target::Key(key), Work::Change(change)).map(|_| ())
    }

    /// W13, W15, W7, W8: `FwpmFilterAdd0`.
    pub fn filter_add(&self, actor: Actor, handle: Handle, spec: FilterSpec) -> Result<FilterId, Status> {
        let target = Target::NewFilter { layer: spec.layer, context: spec.raw_context };
        let change: Change = Box::new(move |objects, made, actor, by| {
            let (id, effect) = objects.add_filter(spec, by, || made.filter(actor))?;
            Ok((CallOk::Added(id), effect))
        });
        match self.call(actor, handle, CallKind::FilterAdd, target, Work::Change(change))? {
            CallOk::Added(id) => Ok(id),
            other => unreachable!("FwpmFilterAdd returned {other:?}"),
        }
    }

    /// W14, W7, W8: `FwpmFilterDeleteById0`.
    pub fn filter_delete_by_id(&self, actor: Actor, handle: Handle, id: FilterId) -> Result<(), Status> {
        let change: Change =
            Box::new(move |objects, _, _, by| objects.delete_filter(id, by).map(|effect| (CallOk::Done, effect)));
        self.call(actor, handle, CallKind::FilterDelete, Target::Filter(id), Work::Change(change)).map(|_| ())
    }

    /// W14: `FwpmCalloutDeleteByKey0`.
    pub fn callout_delete_by_key(&self, actor: Actor, handle: Handle, key: &'static str) -> Result<(), Status> {
        self.delete_keyed(actor, handle, CallKind::CalloutDelete, Keyed::Callout, key)
    }

    /// W14: `FwpmSubLayerDeleteByKey0`.
    pub fn sublayer_delete_by_key(&self, actor: Actor, handle: Handle, key: &'static str) -> Result<(), Status> {
        self.delete_keyed(actor, handle, CallKind::SubLayerDelete, Keyed::SubLayer, key)
    }

    /// W14: `FwpmProviderDeleteByKey0`.
    pub fn provider_delete_by_key(&self, actor: Actor, handle: Handle, key: &'static str) -> Result<(), Status> {
        self.delete_keyed(actor, handle, CallKind::ProviderDelete, Keyed::Provider, key)
    }

    fn delete_keyed(
        &self,
        actor: Actor,
        handle: Handle,
        kind: CallKind,
        keyed: Keyed,
        key: &'static str,
    ) -> Result<(), Status> {
        let change: Change = Box::new(move |objects, _, _, by| {
            objects.delete_keyed(keyed, key, by).map(|effect| (CallOk::Done, effect))
        });
        self.call(actor, handle, kind, Target::Key(key), Work::Change(change)).map(|_| ())
    }

    /// `FwpsCalloutRegister`: gives WFP the callout's notify function. Not a session call.
    pub fn callout_register(&self, actor: Actor, key: &'static str, notify: NotifyFn) -> Result<(), Status> {
        let kind = CallKind::CalloutRegister;
        let done = opaque(|| {
            let mut st = self.state.lock();
            let counted = self.count(&mut st, actor, kind);
            let fault = counted.fault;
            let mut event = Self::event(counted, kind, Target::Key(key), None);
            let result = if let Some(status) = Self::injected_failure(&mut event, fault) {
                Err(status)
            } else if st.registered.contains_key(key) {
                Err(Status::AlreadyExists)
            } else {
                st.registered.insert(key, Notify(notify));
                Self::after_effect(&mut event, fault, Ok(CallOk::Done))
            };
            self.finish(st, actor, event, result, Vec::new())
        });
        self.complete(actor, done).map(|_| ())
    }

    /// `FwpsCalloutUnregisterById`: no more notifications for the callout's filters.
    pub fn callout_unregister(&self, actor: Actor, key: &'static str) -> Result<(), Status> {
        let kind = CallKind::CalloutUnregister;
        let (done, owed) = opaque(|| {
            let mut st = self.state.lock();
            let counted = self.count(&mut st, actor, kind);
            let fault = counted.fault;
            let mut event = Self::event(counted, kind, Target::Key(key), None);
            let result = if let Some(status) = Self::injected_failure(&mut event, fault) {
                Err(status)
            } else if st.registered.remove(key).is_some() {
                Ok(CallOk::Done)
            } else {
                Err(Status::CalloutNotFound)
            };
            // `delete_notification=deferred`: a callout unregistered gets what it is owed first.
            let owed: Notifications = if result.is_ok() {
                let (owed, kept) = std::mem::take(&mut st.deferred).into_iter().partition(|n| n.callout == key);
                st.deferred = kept;
                owed
            } else {
                Vec::new()
            };
            let result = Self::after_effect(&mut event, fault, result);
            (self.finish(st, actor, event, result, Vec::new()), owed)
        });
        let result = self.complete(actor, done);
        self.deliver(actor, owed);
        result.map(|_| ())
    }

    /// The state at the end of an execution.
    pub fn summary(&self) -> EngineSummary {
        let st = self.state.lock();
        let mut open_sessions: Vec<SessionId> = st.sessions.iter().filter(|(_, s)| s.open).map(|(id, _)| *id).collect();
        // Listed in the order they were opened, as the log shows them.
        open_sessions.sort_by_key(|id| id.shown());
        let open_txns = open_sessions
            .iter()
            .filter_map(|id| Self::session(&st, *id).ok()?.txn.as_ref().map(|t| (*id, t.reference())))
            .collect();
        EngineSummary {
            open_sessions,
            open_txns,
            lock_holder: st.lock_holder,
            waiters: st.queue.len() + st.sleepers.len(),
            objects: st.committed.names(),
            filters: st.committed.filters.iter().map(|(id, f)| (*id, f.spec.raw_context)).collect(),
            registered: st.registered.keys().copied().collect(),
        }
    }

    // ---- the shared machinery of every call ----

    /// What a call that ran returns under the fault planned for it: a success becomes
    /// `RPC_NT_CALL_FAILED` under `fails_after_effect`, marked on its event, its effects kept.
    fn after_effect(
        event: &mut CallEvent,
        fault: Option<FaultKind>,
        result: Result<CallOk, Status>,
    ) -> Result<CallOk, Status> {
        match (fault.and_then(FaultKind::after_effect), result) {
            (Some(status), Ok(_)) => {
                event.fault = fault;
                Err(status)
            }
            _ => result,
        }
    }

    /// The failure the fault planned for this call makes it return, marked on its event;
    /// `None` when no fault is planned or the planned one is not a failure.
    fn injected_failure(event: &mut CallEvent, fault: Option<FaultKind>) -> Option<Status> {
        let status = fault.and_then(FaultKind::failure)?;
        event.fault = fault;
        Some(status)
    }

    fn event(counted: Counted, kind: CallKind, target: Target, session: Option<SessionId>) -> CallEvent {
        CallEvent {
            kind,
            occurrence: counted.occurrence,
            target,
            session,
            txn: None,
            result: Ok(CallOk::Done),
            fault: None,
            effects: Vec::new(),
        }
    }

    /// Counts the call and returns the fault planned for it. A worker thread whose last
    /// call failed the same way more than [`REPEATS_MAX`] times in a row spins without
    /// progress: the execution ends with a [`Spinning`] panic, a violation. One past
    /// [`WORKER_CALLS_MAX`] calls ends it with [`CallsMax`], a limit.
    fn count(&self, st: &mut State, actor: Actor, kind: CallKind) -> Counted {
        let calls = st.calls_by.entry(actor).or_insert(0);
        *calls += 1;
        if actor != Actor::Main {
            if let Some(r) = st.repeated.get(&actor).filter(|r| r.tries > REPEATS_MAX) {
                let spinning = Spinning { actor, kind: r.kind, status: r.status, tries: r.tries };
                std::panic::resume_unwind(Box::new(spinning));
            }
            if *calls > WORKER_CALLS_MAX {
                std::panic::resume_unwind(Box::new(CallsMax { actor }));
            }
        }
        let occurrence = st.calls.entry((actor, kind)).or_insert(0);
        *occurrence += 1;
        Counted { occurrence: *occurrence, fault: self.plan.at(actor, kind, *occurrence) }
    }

    /// W4: a closed handle is an error, never a success.
    fn session(st: &State, handle: Handle) -> Result<&Session, Status> {
        match st.sessions.get(&handle) {
            Some(session) if session.open => Ok(session),
            _ => Err(Status::InvalidHandle),
        }
    }

    fn session_mut(st: &mut State, handle: Handle) -> &mut Session {
        st.sessions.get_mut(&handle).expect("a session the call checked")
    }

    /// The session whose transaction a call by `actor` on `handle` must wait for, if any
    /// (W6, W7). A Begin on a session with a transaction open never waits (W5); another
    /// call on it joins the transaction (W8) unless the `foreign_transaction` reading makes
    /// a thread that did not begin it wait for its end. An implicit call waits unless
    /// `implicit_call` says it runs at once; a close waits only if `dynamic_close` says so.
    fn blocker(&self, st: &State, handle: Handle, actor: Actor, work: &Work) -> Option<SessionId> {
        let Ok(session) = Self::session(st, handle) else { return None };
        if let Some(txn) = &session.txn {
            let waits = matches!(work, Work::Change(_))
                && txn.began_by != actor
                && self.readings.foreign_transaction == ForeignTransaction::WaitsForItsEnd;
            return waits.then_some(handle);
        }
        let waits = match work {
            Work::Begin => true,
            Work::Change(_) => self.readings.implicit_call == ImplicitCall::WaitsForTheLock,
            Work::Close => session.options.dynamic && self.readings.dynamic_close == DynamicClose::WaitsForTheLock,
        };
        if waits {
            st.lock_holder.filter(|holder| *holder != handle)
        } else {
            None
        }
    }

    /// Whether a wait on a session opened with `options` can time out (W3; a NULL
    /// session's as `null_session_wait` says).
    fn can_time_out(&self, options: SessionOptions) -> bool {
        match options.txn_wait {
            TxnWait::NullSession => self.readings.null_session_wait == NullSessionWait::SystemDefault,
            wait => wait.can_time_out(),
        }
    }

    /// A call that takes the transaction lock: Begin (W5, W6), or a change to objects,
    /// which joins the session's explicit transaction whichever thread began it (W8) or
    /// else runs in its own implicit transaction (W7). While another session holds the
    /// lock it waits as the policy says, unless the plan says this wait times out (W3).
    fn call(&self, actor: Actor, handle: Handle, kind: CallKind, target: Target, work: Work) -> Result<CallOk, Status> {
        let mut call = Some((kind, target, work));
        let mut pending = None;
        loop {
            match opaque(|| self.section(actor, handle, call.take(), pending.take())) {
                Section::Done(done) => return self.complete(actor, done),
                Section::Queued { slot, handed } => {
                    handed.wait();
                    let Outcome { result, notifications } = slot.with(Option::take).expect("handed over");
                    self.owe(actor, notifications);
                    return result;
                }
                Section::Sleeping { woken, call } => {
                    woken.wait();
                    pending = Some(call);
                }
            }
        }
    }

    /// One critical section of a call: the first (`call`, counted and its fault looked up)
    /// or, barging, the next after its wake (`pending`). While another session holds the
    /// lock, the call queues or sleeps, unless the plan says this wait times out (W3).
    fn section(
        &self,
        actor: Actor,
        handle: Handle,
        call: Option<(CallKind, Target, Work)>,
        pending: Option<Pending>,
    ) -> Section {
        let mut st = self.state.lock();
        let (mut event, work, fault, waited) = match (pending, call) {
            (Some(Pending { event, work, fault }), _) => (event, work, fault, true),
            (None, Some((kind, target, work))) => {
                let counted = self.count(&mut st, actor, kind);
                (Self::event(counted, kind, target, Some(handle)), work, counted.fault, false)
            }
            (None, None) => unreachable!("a section is a call's first or its next"),
        };
        let Some(holder) = self.blocker(&st, handle, actor, &work) else {
            let (event, result, notifications) = self.run(&mut st, actor, handle, event, work, fault);
            return Section::Done(self.finish(st, actor, event, result, notifications));
        };
        if !waited {
            let kind = event.kind;
            let can_time_out = Self::session(&st, handle).is_ok_and(|s| self.can_time_out(s.options));
            self.recorder.record(actor, EngineEvent::Wait { kind, session: handle, holder, can_time_out });
            if fault == Some(FaultKind::TimesOut) && can_time_out {
                event.fault = fault;
                return Section::Done(self.finish(st, actor, event, Err(Status::Timeout), Vec::new()));
            }
        }
        match self.readings.lock_handover {
            LockHandover::FirstComeFirstServed => {
                let slot: Slot = Arc::new(Unmodelled::new(None));
                let handed = Arc::new(Signal::for_this_thread());
                st.queue.push_back(Waiter {
                    actor,
                    session: handle,
                    event,
                    work,
                    fault,
                    slot: slot.clone(),
                    handed: handed.clone(),
                });
                Section::Queued { slot, handed }
            }
            LockHandover::Barging => {
                let woken = Arc::new(Signal::for_this_thread());
                st.sleepers.push(Sleeper { woken: woken.clone() });
                Section::Sleeping { woken, call: Pending { event, work, fault } }
            }
        }
    }

    /// Runs a call that may run now: its session has its own transaction open, or the
    /// lock is free. Returns the completed event, the result and the notifications owed.
    fn run(
        &self,
        st: &mut State,
        actor: Actor,
        handle: Handle,
        event: CallEvent,
        work: Work,
        fault: Option<FaultKind>,
    ) -> (CallEvent, Result<CallOk, Status>, Notifications) {
        // A close applies no fault: it cannot fail but on a closed handle.
        let fault = fault.filter(|_| !matches!(work, Work::Close));
        let (mut event, result, notifications) = self.apply(st, actor, handle, event, work, fault);
        let result = Self::after_effect(&mut event, fault, result);
        (event, result, notifications)
    }

    /// [`Engine::run`] up to the call's result, before a `fails_after_effect` changes it.
    fn apply(
        &self,
        st: &mut State,
        actor: Actor,
        handle: Handle,
        mut event: CallEvent,
        work: Work,
        fault: Option<FaultKind>,
    ) -> (CallEvent, Result<CallOk, Status>, Notifications) {
        let session = match Self::session(st, handle) {
            Ok(session) => session,
            Err(status) => return (event, Err(status), Vec::new()),
        };
        let by = Owner { session: handle, dynamic: session.options.dynamic };
        if let Work::Close = work {
            // A close applies no fault: it cannot fail but on a closed handle.
            let notifications = self.close(st, handle, &mut event);
            return (event, Ok(CallOk::Done), notifications);
        }
        event.txn = session.txn.as_ref().map(Txn::reference);
        if let (Work::Begin, Some(_)) = (&work, &session.txn) {
            // W5: per session, not per thread: fails at once.
            return (event, Err(Status::TxnInProgress), Vec::new());
        }
        let foreign = session.txn.as_ref().is_some_and(|txn| txn.began_by != actor);
        if foreign && self.readings.foreign_transaction == ForeignTransaction::FailsAtOnce {
            event.txn = None;
            return (event, Err(Status::TxnInProgress), Vec::new());
        }
        if let Some(status) = Self::injected_failure(&mut event, fault) {
            return (event, Err(status), Vec::new());
        }
        match work {
            Work::Begin => {
                let txn = Txn {
                    id: st.made.txn(actor),
                    began_by: actor,
                    working: st.committed.clone(),
                    pending: Vec::new(),
                    notified: Vec::new(),
                };
                event.txn = Some(txn.reference());
                Self::session_mut(st, handle).txn = Some(txn);
                st.lock_holder = Some(handle);
                (event, Ok(CallOk::Done), Vec::new())
            }
            Work::Change(change) => {
                let in_the_call = self.readings.delete_notification == DeleteNotification::InTheCall;
                let State { sessions, made, committed, registered, .. } = st;
                let session = sessions.get_mut(&handle).expect("a session the call checked");
                if let Some(txn) = &mut session.txn {
                    let before = in_the_call.then(|| txn.working.clone());
                    let result = change(&mut txn.working, made, actor, by);
                    let mut notifications = Vec::new();
                    if let Ok((_, effect)) = &result {
                        txn.pending.push(*effect);
                        if let Some(before) = before {
                            notifications = Self::notifications_from(registered, &before, &txn.working);
                            txn.notified.extend(notifications.iter().map(|n| n.filter));
                        }
                    }
                    return (event, result.map(|(ok, _)| ok), notifications);
                }
                let before = committed.clone();
                match change(committed, made, actor, by) {
                    Ok((ok, effect)) => {
                        event.effects.push(effect);
                        // `implicit_call=runs_at_once`: open transactions see the change.
                        for session in sessions.values_mut() {
                            if let Some(txn) = &mut session.txn {
                                txn.working.apply_diff(&before, committed);
                            }
                        }
                        let notifications = Self::notifications_from(registered, &before, committed);
                        (event, Ok(ok), notifications)
                    }
                    Err(status) => (event, Err(status), Vec::new()),
                }
            }
            Work::Close => unreachable!("a close returned above"),
        }
    }

    /// Hands the lock on once it is released: first come, first served, each waiting
    /// call that may run now runs here, its outcome goes to its slot; barging, every
    /// sleeper is woken. The signals returned are set once the state lock is free.
    fn hand_over(&self, st: &mut State) -> Vec<Arc<Signal>> {
        let mut handed = Self::wake_sleepers(st);
        let mut index = 0;
        while index < st.queue.len() {
            let waiter = &st.queue[index];
            if self.blocker(st, waiter.session, waiter.actor, &waiter.work).is_some() {
                index += 1;
                continue;
            }
            let waiter = st.queue.remove(index).expect("index is in the queue");
            let (mut event, result, notifications) =
                self.run(st, waiter.actor, waiter.session, waiter.event, waiter.work, waiter.fault);
            event.result = result;
            Self::note_repeat(st, waiter.actor, &event);
            self.recorder.record(waiter.actor, EngineEvent::Call(event));
            waiter.slot.with(|slot| *slot = Some(Outcome { result, notifications }));
            handed.push(waiter.handed);
        }
        handed
    }

    /// Once the lock is free, every sleeping caller is woken to compete for it (barging).
    fn wake_sleepers(st: &mut State) -> Vec<Arc<Signal>> {
        if st.lock_holder.is_some() {
            return Vec::new();
        }
        st.sleepers.drain(..).map(|sleeper| sleeper.woken).collect()
    }

    fn notifications(st: &State, before: &Objects, after: &Objects) -> Notifications {
        Self::notifications_from(&st.registered, before, after)
    }

    /// The notify calls owed for filters that were in `before` and are gone in `after`.
    fn notifications_from(
        registered: &BTreeMap<&'static str, Notify>,
        before: &Objects,
        after: &Objects,
    ) -> Notifications {
        before
            .filters
            .iter()
            .filter(|(id, _)| !after.filters.contains_key(id))
            .filter_map(|(id, filter)| {
                let callout = filter.spec.callout?;
                let notify = registered.get(callout)?;
                Some(Notification { notify: notify.clone(), callout, filter: *id, context: filter.spec.raw_context })
            })
            .collect()
    }

    /// Logs the call, hands the lock on if it was released, releases the state lock,
    /// then wakes the waiting threads concerned and delivers delete notifications.
    fn finish(
        &self,
        mut st: Guard<'_>,
        actor: Actor,
        mut event: CallEvent,
        result: Result<CallOk, Status>,
        notifications: Notifications,
    ) -> Done {
        event.result = result;
        Self::note_repeat(&mut st, actor, &event);
        self.recorder.record(actor, EngineEvent::Call(event));
        let handed = self.hand_over(&mut st);
        drop(st);
        Done { result, handed, notifications }
    }

    /// Keeps `actor`'s count of the same call failing the same way in a row ([`REPEATS_MAX`]).
    fn note_repeat(st: &mut State, actor: Actor, event: &CallEvent) {
        let Err(status) = event.result else {
            st.repeated.remove(&actor);
            return;
        };
        let (kind, target, session) = (event.kind, event.target, event.session);
        let same = |r: &Repeated| (r.kind, r.target, r.session, r.status) == (kind, target, session, status);
        let tries = st.repeated.get(&actor).filter(|r| same(r)).map_or(1, |r| r.tries + 1);
        st.repeated.insert(actor, Repeated { kind, target, session, status, tries });
    }

    /// After a call's critical section: wakes the waiting threads it handed the lock to
    /// and delivers its delete notifications.
    fn complete(&self, actor: Actor, done: Done) -> Result<CallOk, Status> {
        for signal in done.handed {
            signal.set();
        }
        self.owe(actor, done.notifications);
        done.result
    }

    /// Delivers the notifications a call owes now, or (`delete_notification=deferred`)
    /// keeps them for later.
    fn owe(&self, actor: Actor, notifications: Notifications) {
        if notifications.is_empty() {
            return;
        }
        if self.readings.delete_notification == DeleteNotification::Deferred {
            self.state.lock().deferred.extend(notifications);
        } else {
            self.deliver(actor, notifications);
        }
    }

    /// `delete_notification=deferred`: WFP delivers every notification it still owes, on
    /// `actor` (the model's latest moment: unload starts waiting). Otherwise none is owed.
    pub fn deliver_deferred(&self, actor: Actor) {
        let owed = opaque(|| std::mem::take(&mut self.state.lock().deferred));
        self.deliver(actor, owed);
    }

    /// Assumed (not documented): WFP calls the notify function in the caller's context
    /// before the call returns; the model calls it after its own state lock is released,
    /// so that a notify function may call the engine again.
    fn deliver(&self, actor: Actor, notifications: Notifications) {
        for Notification { notify, filter, context, .. } in notifications {
            self.recorder.record(actor, EngineEvent::Notify { filter, context });
            (notify.0)(actor, filter, context);
        }
    }
}
