//! The WFP engine model: sessions, explicit and implicit transactions, the engine-wide
//! transaction lock, and the objects, rule by rule (W1-W15, listed with their Microsoft sources in `docs/wfp-semantics.md`).
//!
//! Every call is one critical section of the engine's state lock: the model assumes
//! each WFP call is atomic with respect to the others (BFE serialises them; not
//! documented either way). A call that must wait for the transaction lock waits as the
//! [`TxnLockPolicy`] says; WFP documents no fairness, so both policies are modelled.

mod objects;
mod status;

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

pub use self::status::Status;

use self::objects::{Keyed, Objects, Owner};
use crate::faults::{CallKind, FaultKind, FaultPlan};
use crate::log::{Actor, CallEvent, CallOk, ContextId, Effect, EventKind, Log, Target, TxnRef};
use crate::sync::{Arc, Mutex, MutexGuard, Signal, Unmodelled};

/// A session, and the engine handle that names it (W1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub u32);

/// The model's engine handle is its session's id.
pub type Handle = SessionId;

/// An explicit transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxnId(pub u32);

/// A filter's run-time id (a LUID in WFP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FilterId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.0)
    }
}

impl fmt::Display for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "x{}", self.0)
    }
}

impl fmt::Display for FilterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "f{}", self.0)
    }
}

/// `FWPM_SESSION0.txnWaitTimeoutInMSec` (W3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxnWait {
    /// 0: the system default, 15 s. A NULL `FWPM_SESSION0` gets this too.
    SystemDefault,
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
    pub txn_wait: TxnWait,
}

impl SessionOptions {
    /// A NULL `FWPM_SESSION0`: static, default 15 s wait.
    pub const NULL: SessionOptions = SessionOptions { dynamic: false, txn_wait: TxnWait::SystemDefault };
    /// `FWPM_SESSION_FLAG_DYNAMIC` with the wait left at 0 (15 s).
    pub const DYNAMIC: SessionOptions = SessionOptions { dynamic: true, txn_wait: TxnWait::SystemDefault };
}

/// What `FwpmFilterAdd` is given: the filter's layer, the objects it names, and
/// `rawContext`, which netebpfext sets to its filter context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilterSpec {
    pub layer: &'static str,
    pub sublayer: &'static str,
    pub provider: Option<&'static str>,
    pub callout: Option<&'static str>,
    pub raw_context: ContextId,
}

/// At most this many WFP calls per worker thread in one execution. A scenario's script
/// needs a few dozen; a thread past this spins without progress (an unbounded retry
/// starved by the scheduler), which no checker could tell from a hang otherwise.
pub const WORKER_CALLS_MAX: u32 = 200;

/// The panic payload of a worker thread that made more than [`WORKER_CALLS_MAX`] calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spinning {
    pub actor: Actor,
    pub calls: u32,
}

/// Who gets the transaction lock when it is released (WFP documents no fairness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxnLockPolicy {
    /// The longest-waiting call gets it and runs at once, in the releasing call's
    /// critical section: first come, first served. The checks run under this one.
    FirstComeFirstServed,
    /// Every waiting call is woken and competes with every other caller, newcomers
    /// included. More interleavings, the same verdicts on every built-in scenario
    /// (`checks/gate_loom.rs` compares them).
    Barging,
}

impl TxnLockPolicy {
    pub const fn name(self) -> &'static str {
        match self {
            TxnLockPolicy::FirstComeFirstServed => "first_come_first_served",
            TxnLockPolicy::Barging => "barging",
        }
    }
}

/// A callout's notify function, as `FwpsCalloutRegister` is given it. WFP calls it with
/// `FWPS_CALLOUT_NOTIFY_DELETE_FILTER` when a filter naming the callout is deleted.
pub type NotifyFn = Arc<dyn Fn(Actor, FilterId, ContextId) + Send + Sync>;

#[derive(Debug, Clone)]
struct Txn {
    id: TxnId,
    began_by: Actor,
    /// The transaction's view: the committed objects plus its own changes (W11).
    working: Objects,
    /// Effects that become visible at commit.
    pending: Vec<Effect>,
}

impl Txn {
    fn reference(&self) -> TxnRef {
        TxnRef { id: self.id, began_by: self.began_by }
    }
}

#[derive(Debug)]
struct Session {
    options: SessionOptions,
    open: bool,
    txn: Option<Txn>,
}

/// A change to objects, run in the caller's transaction or an implicit one.
type Change = Box<dyn FnOnce(&mut Objects, &mut u64, Owner) -> Result<(CallOk, Effect), Status> + Send>;

/// What a call does once the transaction lock lets it run.
enum Work {
    Begin,
    Change(Change),
}

/// A call's delete notifications, delivered after the engine's state lock is released.
type Notifications = Vec<(NotifyFn, FilterId, ContextId)>;

/// What a waiting call's caller is handed.
struct Outcome {
    result: Result<CallOk, Status>,
    notifications: Notifications,
}

/// Where a waiting call's outcome is handed over: written in the hand-over's critical
/// section, read by the waiting thread once its signal is set.
type Slot = Arc<Unmodelled<Option<Outcome>>>;

/// A thread whose call waits for the transaction lock to be released (barging).
struct Sleeper {
    /// Set once the state lock is free, after the lock was released.
    woken: Arc<Signal>,
}

/// A call waiting in line for the transaction lock (first come, first served).
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

struct State {
    /// Session `n` is `sessions[n - 1]`.
    sessions: Vec<Session>,
    /// W6: the session whose explicit transaction holds the engine-wide lock.
    lock_holder: Option<SessionId>,
    /// Calls waiting in line for the lock (first come, first served).
    queue: VecDeque<Waiter>,
    /// Calls waiting to compete for the lock again (barging).
    sleepers: Vec<Sleeper>,
    committed: Objects,
    filters_added: u64,
    txns_begun: u32,
    /// Calls made so far, per thread and kind: the fault plan's occurrence counter.
    calls: BTreeMap<(Actor, CallKind), u32>,
    /// Calls made so far, per thread.
    calls_by: BTreeMap<Actor, u32>,
    registered: BTreeMap<&'static str, NotifyFn>,
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
    pub open_sessions: Vec<SessionId>,
    pub open_txns: Vec<(SessionId, TxnRef)>,
    pub lock_holder: Option<SessionId>,
    pub waiters: usize,
    /// Every object left, by key or id.
    pub objects: Vec<String>,
    pub filters: Vec<(FilterId, ContextId)>,
}

/// The WFP engine of one execution.
pub struct Engine {
    state: Mutex<State>,
    log: Log,
    plan: FaultPlan,
    policy: TxnLockPolicy,
}

impl Engine {
    /// An engine whose transaction lock is first come, first served.
    pub fn new(log: Log, plan: FaultPlan) -> Engine {
        Engine::with_policy(log, plan, TxnLockPolicy::FirstComeFirstServed)
    }

    pub fn with_policy(log: Log, plan: FaultPlan, policy: TxnLockPolicy) -> Engine {
        Engine {
            policy,
            state: Mutex::new(State {
                sessions: Vec::new(),
                lock_holder: None,
                queue: VecDeque::new(),
                sleepers: Vec::new(),
                committed: Objects::default(),
                filters_added: 0,
                txns_begun: 0,
                calls: BTreeMap::new(),
                calls_by: BTreeMap::new(),
                registered: BTreeMap::new(),
            }),
            log,
            plan,
        }
    }

    pub fn log(&self) -> &Log {
        &self.log
    }

    /// W1, W2, W3: `FwpmEngineOpen0`.
    pub fn engine_open(&self, actor: Actor, options: SessionOptions) -> Result<Handle, Status> {
        let kind = CallKind::EngineOpen;
        let mut st = self.state.lock();
        let counted = self.count(&mut st, actor, kind);
        let fault = counted.fault;
        let mut event = Self::event(counted, kind, Target::None, None);
        if let Some(status) = fault.and_then(FaultKind::failure) {
            event.fault = fault;
            return self.finish(st, actor, event, Err(status), Vec::new()).map(|_| unreachable!());
        }
        st.sessions.push(Session { options, open: true, txn: None });
        let id = SessionId(st.sessions.len() as u32);
        event.session = Some(id);
        self.finish(st, actor, event, Ok(CallOk::Opened(id)), Vec::new())?;
        Ok(id)
    }

    /// W1, W2: `FwpmEngineClose0`. Aborts the session's open transaction; a dynamic
    /// session's objects are then deleted. Assumed (not documented): that deletion does
    /// not wait for the transaction lock. It cannot conflict with another session's
    /// transaction, since no other session's object may refer to them (W15); they are
    /// removed from open transactions' views too.
    pub fn engine_close(&self, actor: Actor, handle: Handle) -> Result<(), Status> {
        let kind = CallKind::EngineClose;
        let mut st = self.state.lock();
        let counted = self.count(&mut st, actor, kind);
        let mut event = Self::event(counted, kind, Target::None, Some(handle));
        let dynamic = match Self::session(&st, handle) {
            Ok(session) => session.options.dynamic,
            Err(status) => return self.finish(st, actor, event, Err(status), Vec::new()).map(|_| ()),
        };
        if let Some(txn) = Self::session_mut(&mut st, handle).txn.take() {
            event.txn = Some(txn.reference());
            st.lock_holder = None;
        }
        Self::session_mut(&mut st, handle).open = false;
        let mut notifications = Vec::new();
        if dynamic {
            let before = st.committed.clone();
            event.effects = st.committed.remove_owned_by(handle);
            notifications = Self::notifications(&st, &before, &st.committed);
            for session in &mut st.sessions {
                if let Some(txn) = &mut session.txn {
                    txn.working.remove_owned_by(handle);
                }
            }
        }
        self.finish(st, actor, event, Ok(CallOk::Done), notifications).map(|_| ())
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
        let mut st = self.state.lock();
        let counted = self.count(&mut st, actor, kind);
        let fault = counted.fault;
        let mut event = Self::event(counted, kind, Target::None, Some(handle));
        let txn = match Self::session(&st, handle) {
            Err(status) => return self.finish(st, actor, event, Err(status), Vec::new()).map(|_| ()),
            Ok(session) => match &session.txn {
                None => return self.finish(st, actor, event, Err(Status::NoTxnInProgress), Vec::new()).map(|_| ()),
                Some(txn) => txn.reference(),
            },
        };
        event.txn = Some(txn);
        // W10: a failed call does not end the transaction.
        if let Some(status) = fault.and_then(FaultKind::failure) {
            event.fault = fault;
            return self.finish(st, actor, event, Err(status), Vec::new()).map(|_| ());
        }
        let txn = Self::session_mut(&mut st, handle).txn.take().expect("checked above");
        let mut notifications = Vec::new();
        if kind == CallKind::TransactionCommit {
            notifications = Self::notifications(&st, &st.committed, &txn.working);
            st.committed = txn.working;
            event.effects = txn.pending;
        }
        st.lock_holder = None;
        self.finish(st, actor, event, Ok(CallOk::Done), notifications).map(|_| ())
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
        let change: Change = Box::new(move |objects, _, by| {
            objects.add_keyed(keyed, key, provider, by).map(|effect| (CallOk::Done, effect))
        });
        self.call(actor, handle, kind, Target::Key(key), Work::Change(change)).map(|_| ())
    }

    /// W13, W15, W7, W8: `FwpmFilterAdd0`.
    pub fn filter_add(&self, actor: Actor, handle: Handle, spec: FilterSpec) -> Result<FilterId, Status> {
        let target = Target::NewFilter { layer: spec.layer, context: spec.raw_context };
        let change: Change = Box::new(move |objects, filters_added, by| {
            let id = FilterId(*filters_added + 1);
            let effect = objects.add_filter(id, spec, by)?;
            *filters_added += 1;
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
            Box::new(move |objects, _, by| objects.delete_filter(id, by).map(|effect| (CallOk::Done, effect)));
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
        let change: Change =
            Box::new(move |objects, _, by| objects.delete_keyed(keyed, key, by).map(|effect| (CallOk::Done, effect)));
        self.call(actor, handle, kind, Target::Key(key), Work::Change(change)).map(|_| ())
    }

    /// `FwpsCalloutRegister`: gives WFP the callout's notify function. Not a session call.
    pub fn callout_register(&self, actor: Actor, key: &'static str, notify: NotifyFn) -> Result<(), Status> {
        let kind = CallKind::CalloutRegister;
        let mut st = self.state.lock();
        let counted = self.count(&mut st, actor, kind);
        let fault = counted.fault;
        let mut event = Self::event(counted, kind, Target::Key(key), None);
        let result = if let Some(status) = fault.and_then(FaultKind::failure) {
            event.fault = fault;
            Err(status)
        } else if st.registered.contains_key(key) {
            Err(Status::AlreadyExists)
        } else {
            st.registered.insert(key, notify);
            Ok(CallOk::Done)
        };
        self.finish(st, actor, event, result, Vec::new()).map(|_| ())
    }

    /// `FwpsCalloutUnregisterById`: no more notifications for the callout's filters.
    pub fn callout_unregister(&self, actor: Actor, key: &'static str) -> Result<(), Status> {
        let kind = CallKind::CalloutUnregister;
        let mut st = self.state.lock();
        let counted = self.count(&mut st, actor, kind);
        let fault = counted.fault;
        let mut event = Self::event(counted, kind, Target::Key(key), None);
        let result = if let Some(status) = fault.and_then(FaultKind::failure) {
            event.fault = fault;
            Err(status)
        } else if st.registered.remove(key).is_some() {
            Ok(CallOk::Done)
        } else {
            Err(Status::CalloutNotFound)
        };
        self.finish(st, actor, event, result, Vec::new()).map(|_| ())
    }

    /// The state at the end of an execution.
    pub fn summary(&self) -> EngineSummary {
        let st = self.state.lock();
        let open_sessions: Vec<SessionId> =
            (1..=st.sessions.len() as u32).map(SessionId).filter(|id| Self::session(&st, *id).is_ok()).collect();
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
        }
    }

    // ---- the shared machinery of every call ----

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

    /// Counts the call and returns the fault planned for it. A worker thread past
    /// [`WORKER_CALLS_MAX`] calls spins without progress: the execution ends there with
    /// a [`Spinning`] panic, which the explorer reports as a violation.
    fn count(&self, st: &mut State, actor: Actor, kind: CallKind) -> Counted {
        let calls = st.calls_by.entry(actor).or_insert(0);
        *calls += 1;
        if *calls > WORKER_CALLS_MAX && actor != Actor::Main {
            std::panic::resume_unwind(Box::new(Spinning { actor, calls: *calls }));
        }
        let occurrence = st.calls.entry((actor, kind)).or_insert(0);
        *occurrence += 1;
        Counted { occurrence: *occurrence, fault: self.plan.at(actor, kind, *occurrence) }
    }

    /// W4: a closed handle is an error, never a success.
    fn session(st: &State, handle: Handle) -> Result<&Session, Status> {
        let index = (handle.0 as usize).checked_sub(1).ok_or(Status::InvalidHandle)?;
        match st.sessions.get(index) {
            Some(session) if session.open => Ok(session),
            _ => Err(Status::InvalidHandle),
        }
    }

    fn session_mut(st: &mut State, handle: Handle) -> &mut Session {
        &mut st.sessions[handle.0 as usize - 1]
    }

    /// The session whose transaction a call on `handle` must wait for, if any (W6, W7).
    /// A call on a session with its own transaction open never waits (W5, W8).
    fn blocker(st: &State, handle: Handle) -> Option<SessionId> {
        match Self::session(st, handle) {
            Ok(session) if session.txn.is_none() => st.lock_holder.filter(|holder| *holder != handle),
            _ => None,
        }
    }

    /// A call that takes the transaction lock: Begin (W5, W6), or a change to objects,
    /// which joins the session's explicit transaction whichever thread began it (W8) or
    /// else runs in its own implicit transaction (W7). While another session holds the
    /// lock it waits as the policy says, unless the plan says this wait times out (W3).
    fn call(&self, actor: Actor, handle: Handle, kind: CallKind, target: Target, work: Work) -> Result<CallOk, Status> {
        let mut st = self.state.lock();
        let counted = self.count(&mut st, actor, kind);
        let fault = counted.fault;
        let mut event = Self::event(counted, kind, target, Some(handle));
        let mut waited = false;
        while let Some(holder) = Self::blocker(&st, handle) {
            if !waited {
                waited = true;
                self.log.push(actor, EventKind::Wait { kind, session: handle, holder });
                let can_time_out = Self::session(&st, handle).is_ok_and(|s| s.options.txn_wait.can_time_out());
                if fault == Some(FaultKind::TimesOut) && can_time_out {
                    event.fault = fault;
                    return self.finish(st, actor, event, Err(Status::Timeout), Vec::new());
                }
            }
            match self.policy {
                TxnLockPolicy::FirstComeFirstServed => {
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
                    drop(st);
                    handed.wait();
                    let Outcome { result, notifications } = slot.with(Option::take).expect("handed over");
                    self.deliver(actor, notifications);
                    return result;
                }
                TxnLockPolicy::Barging => {
                    let woken = Arc::new(Signal::for_this_thread());
                    st.sleepers.push(Sleeper { woken: woken.clone() });
                    drop(st);
                    woken.wait();
                    st = self.state.lock();
                }
            }
        }
        let (event, result, notifications) = self.run(&mut st, actor, handle, event, work, fault);
        self.finish(st, actor, event, result, notifications)
    }

    /// Runs a call that may run now: its session has its own transaction open, or the
    /// lock is free. Returns the completed event, the result and the notifications owed.
    fn run(
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
        event.txn = session.txn.as_ref().map(Txn::reference);
        if let (Work::Begin, Some(_)) = (&work, &session.txn) {
            // W5: per session, not per thread: fails at once.
            return (event, Err(Status::TxnInProgress), Vec::new());
        }
        if let Some(status) = fault.and_then(FaultKind::failure) {
            event.fault = fault;
            return (event, Err(status), Vec::new());
        }
        match work {
            Work::Begin => {
                st.txns_begun += 1;
                let txn = Txn {
                    id: TxnId(st.txns_begun),
                    began_by: actor,
                    working: st.committed.clone(),
                    pending: Vec::new(),
                };
                event.txn = Some(txn.reference());
                Self::session_mut(st, handle).txn = Some(txn);
                st.lock_holder = Some(handle);
                (event, Ok(CallOk::Done), Vec::new())
            }
            Work::Change(change) => {
                let State { sessions, filters_added, committed, registered, .. } = st;
                match &mut sessions[handle.0 as usize - 1].txn {
                    Some(txn) => {
                        let result = change(&mut txn.working, filters_added, by);
                        if let Ok((_, effect)) = &result {
                            txn.pending.push(*effect);
                        }
                        (event, result.map(|(ok, _)| ok), Vec::new())
                    }
                    None => {
                        let before = committed.clone();
                        match change(committed, filters_added, by) {
                            Ok((ok, effect)) => {
                                event.effects.push(effect);
                                let notifications = Self::notifications_from(registered, &before, committed);
                                (event, Ok(ok), notifications)
                            }
                            Err(status) => (event, Err(status), Vec::new()),
                        }
                    }
                }
            }
        }
    }

    /// Hands the lock on once it is released: first come, first served, each waiting
    /// call that may run now runs here, its outcome goes to its slot; barging, every
    /// sleeper is woken. The signals returned are set once the state lock is free.
    fn hand_over(&self, st: &mut State) -> Vec<Arc<Signal>> {
        let mut handed = Self::wake_sleepers(st);
        let mut index = 0;
        while index < st.queue.len() {
            if Self::blocker(st, st.queue[index].session).is_some() {
                index += 1;
                continue;
            }
            let waiter = st.queue.remove(index).expect("index is in the queue");
            let (mut event, result, notifications) =
                self.run(st, waiter.actor, waiter.session, waiter.event, waiter.work, waiter.fault);
            event.result = result;
            self.log.push(waiter.actor, EventKind::Call(event));
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
        registered: &BTreeMap<&'static str, NotifyFn>,
        before: &Objects,
        after: &Objects,
    ) -> Notifications {
        before
            .filters
            .iter()
            .filter(|(id, _)| !after.filters.contains_key(id))
            .filter_map(|(id, filter)| {
                let notify = registered.get(filter.spec.callout?)?;
                Some((notify.clone(), *id, filter.spec.raw_context))
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
    ) -> Result<CallOk, Status> {
        event.result = result;
        self.log.push(actor, EventKind::Call(event));
        let handed = self.hand_over(&mut st);
        drop(st);
        for signal in handed {
            signal.set();
        }
        self.deliver(actor, notifications);
        result
    }

    /// Assumed (not documented): WFP calls the notify function in the caller's context
    /// before the call returns; the model calls it after its own state lock is released,
    /// so that a notify function may call the engine again.
    fn deliver(&self, actor: Actor, notifications: Notifications) {
        for (notify, filter, context) in notifications {
            self.log.push(actor, EventKind::Notify { filter, context });
            notify(actor, filter, context);
        }
    }
}
