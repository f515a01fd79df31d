//! Fault plans: which engine call of which thread fails or times out, given as data.
//!
//! loom has no nondeterministic-choice primitive, so faults are enumerated outside the
//! model: a scenario lists its plans and each plan is explored on its own.
//! A plan names a fault point (thread, kind of call, which occurrence) and what happens
//! there. `times_out` fires only if that call has to wait for the transaction lock
//! (W6, W7) on a session whose wait can time out (W3); `fails` and `in_use` always fire;
//! `fails_after_effect` fires where the call succeeds, and then returns a failure.
//! The occurrence `*` is every call of that kind by that thread (`t0.filter_delete*.fails`:
//! every delete attempt fails).

use std::collections::BTreeMap;
use std::fmt;

use super::events::{Actor, CallKind, EngineEvent};
use super::Status;

impl CallKind {
    /// The faults this call can meet, as the sweep injects them: every call into the
    /// engine can fail (`fails`), or take effect and lose its reply (`fails_after_effect`),
    /// but a close, which the model's engine cannot fail and upstream never checks; only
    /// FwpsCalloutUnregisterById0 documents `in_use`. A `times_out` is added where the call
    /// waited for the transaction lock ([`Census`]).
    pub const fn faults_at_once(self) -> &'static [FaultKind] {
        match self {
            CallKind::EngineClose => &[],
            CallKind::CalloutUnregister => &[FaultKind::Fails, FaultKind::InUse, FaultKind::FailsAfterEffect],
            _ => &[FaultKind::Fails, FaultKind::FailsAfterEffect],
        }
    }

    fn from_short(short: &str) -> Option<CallKind> {
        CallKind::ALL.iter().copied().find(|kind| kind.short() == short)
    }
}

/// What happens at a fault point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// The call fails with `STATUS_INSUFFICIENT_RESOURCES` and has no effect.
    Fails,
    /// The call fails with `STATUS_FWP_IN_USE` and has no effect: for
    /// `FwpsCalloutUnregisterById0`, "the callout is already being registered or
    /// unregistered by another thread" (Microsoft's page for the function).
    InUse,
    /// If the call has to wait for the transaction lock, the wait times out (`STATUS_FWP_TIMEOUT`).
    TimesOut,
    /// The call takes effect and still fails, with `RPC_NT_CALL_FAILED`: its reply was lost
    /// (#5486's FwpmFilterDeleteById under memory pressure). Fires only where the call
    /// succeeds: one that fails of itself has no effect to lose a reply about. Every call
    /// but FwpmEngineClose0 can meet it, FwpsCallout* too (FwpsCalloutUnregisterById0's
    /// `STATUS_DEVICE_BUSY` unregisters the callout later all the same).
    FailsAfterEffect,
}

impl FaultKind {
    /// Every fault kind, in print order.
    pub const ALL: [FaultKind; 4] =
        [FaultKind::Fails, FaultKind::InUse, FaultKind::TimesOut, FaultKind::FailsAfterEffect];

    /// Its name in plan names.
    pub const fn name(self) -> &'static str {
        match self {
            FaultKind::Fails => "fails",
            FaultKind::InUse => "in_use",
            FaultKind::TimesOut => "times_out",
            FaultKind::FailsAfterEffect => "fails_after_effect",
        }
    }

    /// The status a call fails with at once under this fault; `None` for a timeout, which
    /// fires only in a wait for the transaction lock, and for `fails_after_effect`, which
    /// fires once the call has succeeded ([`FaultKind::after_effect`]).
    pub const fn failure(self) -> Option<Status> {
        match self {
            FaultKind::Fails => Some(Status::InsufficientResources),
            FaultKind::InUse => Some(Status::InUse),
            FaultKind::TimesOut | FaultKind::FailsAfterEffect => None,
        }
    }

    /// The status a call that succeeded returns under this fault: `RPC_NT_CALL_FAILED`
    /// for `fails_after_effect`; `None` for the others, which fire before any effect.
    pub const fn after_effect(self) -> Option<Status> {
        match self {
            FaultKind::FailsAfterEffect => Some(Status::RpcCallFailed),
            FaultKind::Fails | FaultKind::InUse | FaultKind::TimesOut => None,
        }
    }
}

/// Which calls of a kind a fault is injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Occurrence {
    /// The `n`-th, counting from 1.
    Nth(u32),
    /// Every one.
    Every,
}

impl Occurrence {
    /// Whether it names the `occurrence`-th call.
    pub fn matches(self, occurrence: u32) -> bool {
        self == Occurrence::Every || self == Occurrence::Nth(occurrence)
    }
}

impl fmt::Display for Occurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Occurrence::Nth(n) => write!(f, "{n}"),
            Occurrence::Every => f.write_str("*"),
        }
    }
}

/// One injected fault: the `occurrence`-th call of `kind` made by `actor` (or every one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fault {
    /// A worker thread, or `main` (start-up and unload).
    pub actor: Actor,
    /// The kind of call.
    pub kind: CallKind,
    /// Which of them.
    pub occurrence: Occurrence,
    /// What happens there.
    pub fault: FaultKind,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}{}.{}", self.actor, self.kind.short(), self.occurrence, self.fault.name())
    }
}

/// The faults of one exploration; empty for the plan `none`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaultPlan {
    faults: Vec<Fault>,
}

/// A plan name that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad fault plan `{text}`: {why}; a plan is `none` or faults joined by `+`, each `<thread>.<call><n>.<fails|in_use|times_out|fails_after_effect>` with <thread> `main` or `t0`, `t1`, ..., <n> the call's occurrence from 1 or `*` for every one, and <call> one of {calls}")]
pub struct PlanError {
    /// The plan as given.
    pub text: String,
    /// What is wrong with it.
    pub why: &'static str,
    /// The call names a plan may use.
    pub calls: String,
}

impl FaultPlan {
    /// No fault.
    pub const NONE: FaultPlan = FaultPlan { faults: Vec::new() };

    /// A plan of `faults`, in a canonical order.
    pub fn new(mut faults: Vec<Fault>) -> FaultPlan {
        faults.sort();
        faults.dedup();
        FaultPlan { faults }
    }

    /// A plan of one fault.
    pub fn one(actor: Actor, kind: CallKind, occurrence: u32, fault: FaultKind) -> FaultPlan {
        FaultPlan::new(vec![Fault { actor, kind, occurrence: Occurrence::Nth(occurrence), fault }])
    }

    /// Its faults.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// The fault planned for this call, if any.
    pub fn at(&self, actor: Actor, kind: CallKind, occurrence: u32) -> Option<FaultKind> {
        self.faults
            .iter()
            .find(|f| f.actor == actor && f.kind == kind && f.occurrence.matches(occurrence))
            .map(|f| f.fault)
    }

    /// Parses the name `Display` gives.
    pub fn parse(text: &str) -> Result<FaultPlan, PlanError> {
        let error = |why| PlanError {
            text: text.to_string(),
            why,
            calls: CallKind::ALL.iter().map(|k| k.short()).collect::<Vec<_>>().join(", "),
        };
        if text == "none" {
            return Ok(FaultPlan::NONE);
        }
        let mut faults = Vec::new();
        for part in text.split('+') {
            let mut pieces = part.split('.');
            let (Some(thread), Some(call), Some(fault), None) =
                (pieces.next(), pieces.next(), pieces.next(), pieces.next())
            else {
                return Err(error("a fault has three parts separated by `.`"));
            };
            let actor = match thread {
                "main" => Actor::Main,
                _ => thread
                    .strip_prefix('t')
                    .and_then(|n| n.parse::<u8>().ok())
                    .map(Actor::Thread)
                    .ok_or_else(|| error("the thread is `main` or `t` and a number, such as `t0`"))?,
            };
            let (name, occurrence) = match call.strip_suffix('*') {
                Some(name) => (name, Some(Occurrence::Every)),
                None => {
                    let digits = call.len() - call.trim_end_matches(|c: char| c.is_ascii_digit()).len();
                    let (name, n) = call.split_at(call.len() - digits);
                    (name, n.parse::<u32>().ok().filter(|n| *n >= 1).map(Occurrence::Nth))
                }
            };
            let kind = CallKind::from_short(name).ok_or_else(|| error("unknown call"))?;
            let occurrence = occurrence.ok_or_else(|| {
                error("the call needs its occurrence, counting from 1, such as `begin1`, or `*` for every one")
            })?;
            let fault = FaultKind::ALL
                .into_iter()
                .find(|kind| kind.name() == fault)
                .ok_or_else(|| error("the fault is `fails`, `in_use`, `times_out` or `fails_after_effect`"))?;
            faults.push(Fault { actor, kind, occurrence, fault });
        }
        Ok(FaultPlan::new(faults))
    }
}

impl fmt::Display for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.faults.is_empty() {
            return f.write_str("none");
        }
        for (i, fault) in self.faults.iter().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            write!(f, "{fault}")?;
        }
        Ok(())
    }
}

/// One call some execution made: the `occurrence`-th call of `kind` by `actor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallSite {
    /// The thread.
    pub actor: Actor,
    /// The kind of call.
    pub kind: CallKind,
    /// Which of them, from 1.
    pub occurrence: u32,
}

/// What the executions of one exploration saw at one call site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SiteSeen {
    /// Some execution waited there for the transaction lock on a session whose wait can
    /// time out (W3): a `times_out` can fire there.
    pub waited: bool,
    /// The call succeeded in some execution: a `fails_after_effect` can fire there.
    pub succeeded: bool,
}

/// Every call site the executions of one exploration reached: where a fault can be
/// injected, and what was seen there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    /// Every call site, and what was seen there.
    pub sites: BTreeMap<CallSite, SiteSeen>,
    /// Every execution was explored and recorded: no limit and no panic stopped it.
    pub complete: bool,
}

impl Census {
    /// Adds one execution's calls, from the engine's events in the order they happened.
    pub fn record<'a>(&mut self, events: impl IntoIterator<Item = (Actor, &'a EngineEvent)>) {
        // A wait is logged before the call it belongs to returns; a thread's calls are sequential.
        let mut waiting: BTreeMap<Actor, (CallKind, bool)> = BTreeMap::new();
        for (actor, event) in events {
            match event {
                EngineEvent::Wait { kind, can_time_out, .. } => {
                    waiting.insert(actor, (*kind, *can_time_out));
                }
                EngineEvent::Call(call) => {
                    let waited = waiting.remove(&actor).is_some_and(|(kind, can)| kind == call.kind && can);
                    let site = CallSite { actor, kind: call.kind, occurrence: call.occurrence };
                    let seen = self.sites.entry(site).or_default();
                    seen.waited |= waited;
                    seen.succeeded |= call.result.is_ok();
                }
                EngineEvent::Notify { .. } => {}
            }
        }
    }

    /// Every fault a call site met here can meet in reality, in site order: a
    /// `fails_after_effect` only where the call succeeded, a `times_out` only where it waited.
    /// After each thread's calls of one kind come the persistent faults ([`Census::persistent`]).
    pub fn faults(&self) -> Vec<Fault> {
        let mut faults = Vec::new();
        let mut sites = self.sites.iter().peekable();
        while let Some((site, seen)) = sites.next() {
            let timeout = seen.waited.then_some(FaultKind::TimesOut);
            let kinds = site.kind.faults_at_once().iter().copied();
            let kinds = kinds.filter(|kind| seen.succeeded || *kind != FaultKind::FailsAfterEffect);
            for fault in kinds.chain(timeout) {
                faults.push(Fault {
                    actor: site.actor,
                    kind: site.kind,
                    occurrence: Occurrence::Nth(site.occurrence),
                    fault,
                });
            }
            let last_of_kind = sites.peek().is_none_or(|(next, _)| (next.actor, next.kind) != (site.actor, site.kind));
            if last_of_kind {
                faults.extend(self.persistent(site.actor, site.kind));
            }
        }
        faults
    }

    /// Memory pressure fails every call of a kind for a while: for `actor`'s calls of
    /// `kind`, every one failing (`fails`, and `in_use` where the call documents it) and,
    /// where one waited for the transaction lock, every wait timing out. A lost reply is
    /// not made persistent: one after the effect is enough to break what it breaks.
    fn persistent(&self, actor: Actor, kind: CallKind) -> Vec<Fault> {
        let of_kind = || self.sites.iter().filter(move |(site, _)| site.actor == actor && site.kind == kind);
        let waited = of_kind().any(|(_, seen)| seen.waited).then_some(FaultKind::TimesOut);
        let kinds = kind.faults_at_once().iter().copied().filter(|fault| *fault != FaultKind::FailsAfterEffect);
        kinds.chain(waited).map(|fault| Fault { actor, kind, occurrence: Occurrence::Every, fault }).collect()
    }
}
