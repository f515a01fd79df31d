//! The built-in `always` properties: each a [`Property`] value with its name, its sentence
//! and its check, in the order reports list them ([`ALWAYS`]). The first three are broken
//! where the explorer sees them (a panic, a deadlock, a spinning thread); the rest read
//! the execution's log through its [`History`](super::History) and its end state.

use super::{End, Findings, Property, Step};
use crate::netebpfext::{EbpfResult, EventKind, Op, OpFailure};
use crate::wfp::{CallKind, Effect, FilterId, Target};

/// A model thread (the model, a design's body) panicked.
pub const NO_PANIC: Property = Property::explorer("no_panic", "no model thread panics");
/// Every model thread is blocked.
pub const NO_DEADLOCK: Property = Property::explorer("no_deadlock", "no execution deadlocks");
/// A worker thread tried the same failing WFP call more than `REPEATS_MAX` times in a row.
pub const BOUNDED_CALLS: Property = Property::explorer(
    "bounded_calls",
    concat!(
        "no worker thread tries the same WFP call more than ",
        crate::wfp::repeats_max!(),
        " times in a row, failing the same way each time (more is a spin without progress; a bounded retry loop \
         tries at most 10)"
    ),
);
/// Start-up fails only by an injected fault.
pub const STARTUP_SUCCEEDS: Property = Property::always(
    "startup_succeeds",
    "start-up succeeds, unless a fault injected into one of its calls is what it failed with",
)
.on_step(startup_succeeds);
/// netebpfext never runs after a failed start-up: DriverEntry ignoring it (TODO #521)
/// leaves the hook providers registered without the WFP objects start-up undid.
pub const RUNS_WITH_ITS_OBJECTS: Property = Property::always(
    "runs_with_its_objects",
    "netebpfext does not go on after a failed start-up: its hook providers register only after a start-up that \
     returned success (one that returns success without an object it needed is caught by the attach that needs it)",
)
.on_step(runs_with_its_objects);
/// A restart's stop leaves nothing a start must add again.
pub const STOP_REMOVES_OBJECTS: Property = Property::always(
    "stop_removes_objects",
    "when a restart's stop returns, the engine holds none of netebpfext's filters and WFP objects and no callout \
     of its is registered, so that the start can add them again",
)
.on_step(stop_removes_objects);
/// An attach fails only by an injected fault (the #3728 failure breaks it).
pub const ATTACH_FAILS_ONLY_BY_FAULT: Property = Property::always(
    "attach_fails_only_by_fault",
    "no attach fails unless a fault injected into one of its calls is what it failed with",
)
.on_step(attach_fails_only_by_fault);
/// W8: no call lands in another thread's transaction.
pub const NO_FOREIGN_TRANSACTION: Property =
    Property::always("no_foreign_transaction", "no call lands in a transaction another thread began")
        .on_step(no_foreign_transaction);
/// A successful attach has every filter of its hook's table committed.
pub const ATTACH_INSTALLS_FILTERS: Property = Property::always(
    "attach_installs_filters",
    "when an attach succeeds, the engine holds committed a filter of its filter context for every entry of its hook's filter table",
)
.on_step(attach_installs_filters);
/// A failed attach leaves none of its context's filters committed.
pub const FAILED_ATTACH_LEAVES_NOTHING: Property = Property::always(
    "failed_attach_leaves_nothing",
    "a failed attach leaves no filter of the filter context it created committed, then or later",
)
.on_step(failed_attach_leaves_nothing);
/// No filter of a context with a client attached is removed.
pub const FILTERS_STAY_WHILE_ATTACHED: Property = Property::always(
    "filters_stay_while_attached",
    "no committed filter of a filter context is removed while a client is attached to it",
)
.on_step(filters_stay_while_attached);
/// A detach takes its client off, and the last one's filters out of the engine.
pub const DETACH_REMOVES_FILTERS: Property = Property::always(
    "detach_removes_filters",
    "a detach takes its client off its filter context, and when it was the last client none of the context's filters is committed when the detach returns",
)
.on_step(detach_removes_filters);
/// No wait of unload waits forever.
pub const UNLOAD_COMPLETES: Property =
    Property::always("unload_completes", "unload runs to its end: no wait in it waits forever")
        .on_step(unload_completes);
/// No transaction, lock or handle is left at the end.
pub const CLEAN_END: Property =
    Property::always("clean_end", "at the end no transaction is open, the lock is free, no handle leaked")
        .at_end(clean_end);
/// Every filter context is freed, and at no wrong time.
pub const CONTEXTS_RELEASED: Property = Property::always(
    "contexts_released",
    "every filter context is freed by unload, none is freed while a filter carrying it is committed, and none is notified after it was freed",
)
.after_log(context_freed_with_filters)
.at_end(contexts_released);
/// No WFP object is left after unload.
pub const NO_OBJECTS_LEFT: Property =
    Property::always("no_objects_left", "unload leaves no WFP object behind").at_end(no_objects_left);
/// No callout is left registered after unload.
pub const CALLOUTS_UNREGISTERED: Property = Property::always(
    "callouts_unregistered",
    "when unload completes, no callout is still registered with the filter engine: the driver is gone, and the engine would call into its unloaded code",
)
.at_end(callouts_unregistered);

/// Every built-in `always` property, in the order reports list them.
pub const ALWAYS: &[Property] = &[
    NO_PANIC,
    NO_DEADLOCK,
    BOUNDED_CALLS,
    STARTUP_SUCCEEDS,
    RUNS_WITH_ITS_OBJECTS,
    STOP_REMOVES_OBJECTS,
    ATTACH_FAILS_ONLY_BY_FAULT,
    NO_FOREIGN_TRANSACTION,
    ATTACH_INSTALLS_FILTERS,
    FAILED_ATTACH_LEAVES_NOTHING,
    FILTERS_STAY_WHILE_ATTACHED,
    DETACH_REMOVES_FILTERS,
    UNLOAD_COMPLETES,
    CLEAN_END,
    CONTEXTS_RELEASED,
    NO_OBJECTS_LEFT,
    CALLOUTS_UNREGISTERED,
];

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

fn describe_failure(failure: &OpFailure) -> String {
    let wfp = failure.wfp.map(|status| format!(" ({status})")).unwrap_or_default();
    format!("{}{wfp}", failure.ebpf)
}

/// The operation that ended at this step, with how it failed, if one did.
fn ended<'a>(step: &Step<'a>) -> Option<(Op, Option<&'a OpFailure>, &'a super::Operation)> {
    match (&step.event.kind, step.ended) {
        (EventKind::OpEnd { op, failure }, Some(ended)) => Some((*op, failure.as_ref(), ended)),
        _ => None,
    }
}

fn startup_succeeds(step: &Step<'_>, found: &mut Findings) {
    // A fault injected into start-up may fail it, and nothing else may.
    if let Some((Op::Startup, Some(failure), ended)) = ended(step) {
        if !failure.wfp.is_some_and(|s| ended.faulted.contains(&s)) {
            found.violated(format!("start-up failed: {}", describe_failure(failure)), failure.wfp);
        }
    }
}

fn runs_with_its_objects(step: &Step<'_>, found: &mut Findings) {
    if let EventKind::StartUpIgnored { status } = step.event.kind {
        let why = status.map_or_else(String::new, |s| format!(" with {} {}", s.hex(), s.name()));
        found.violated(
            format!(
                "start-up failed{why} and DriverEntry goes on ((void), TODO #521): the hook providers register and \
                 netebpfext runs without the WFP objects start-up undid"
            ),
            status,
        );
    }
}

fn stop_removes_objects(step: &Step<'_>, found: &mut Findings) {
    if !matches!(step.event.kind, EventKind::Stopped) {
        return;
    }
    let history = step.history;
    let mut left: Vec<String> =
        history.committed_filters().map(|(id, context)| format!("{id} (filter context {context})")).collect();
    left.extend(history.objects().iter().map(|key| key.to_string()));
    left.extend(history.registered().iter().map(|key| format!("{key} (registered)")));
    if !left.is_empty() {
        found.violated(
            format!("the stop returned with {} still in the engine: the start cannot add them again", left.join(", ")),
            None,
        );
    }
}

fn attach_fails_only_by_fault(step: &Step<'_>, found: &mut Findings) {
    let Some((op @ Op::Attach { .. }, Some(failure), ended)) = ended(step) else { return };
    // A stopped netebpfext may refuse an attach (restart_during_attach).
    let excused = failure.wfp.is_some_and(|status| ended.faulted.contains(&status))
        || failure.ebpf == EbpfResult::ProviderNotRegistered;
    if excused {
        return;
    }
    let call = ended
        .last_failure
        .map(|(kind, status)| format!("{} returned {} {}", kind.api(), status.hex(), status.name()))
        .unwrap_or_else(|| "no WFP call failed".to_string());
    let faults = if ended.faulted.is_empty() {
        "no fault was injected into it"
    } else {
        "the fault injected into it is not what it failed with"
    };
    let actor = step.event.actor;
    found.violated(format!("{actor}'s {op} failed with errno {} ({call}), and {faults}", failure.errno), failure.wfp);
}

fn no_foreign_transaction(step: &Step<'_>, found: &mut Findings) {
    let (Some(call), actor) = (step.event.call(), step.event.actor) else { return };
    let Some(txn) = call.txn else { return };
    if call.kind == CallKind::TransactionBegin || txn.began_by == actor {
        return;
    }
    let what = match call.target {
        Target::Filter(id) => format!(" ({id})"),
        Target::Key(key) => format!(" ({key})"),
        _ => String::new(),
    };
    found.violated(
        format!(
            "{actor}'s {}{what} ran inside transaction {}, which {} began (W8)",
            call.kind.api(),
            txn.id,
            txn.began_by
        ),
        call.result.err(),
    );
}

fn attach_installs_filters(step: &Step<'_>, found: &mut Findings) {
    let Some((op @ Op::Attach { client, .. }, None, _)) = ended(step) else { return };
    let actor = step.event.actor;
    let Some(context) = step.history.context_of(client) else {
        found.violated(
            format!(
                "{actor}'s {op} succeeded, but netebpfext holds no filter context with client {client}: nothing was installed"
            ),
            None,
        );
        return;
    };
    let missing = missing_layers(step.history.layers_of(context), &step.history.committed_of(context));
    if !missing.is_empty() {
        found.violated(
            format!(
                "{actor}'s {op} succeeded, but the engine holds no committed filter of its filter context {context} at {}",
                missing.join(", ")
            ),
            None,
        );
    }
}

fn failed_attach_leaves_nothing(step: &Step<'_>, found: &mut Findings) {
    let actor = step.event.actor;
    if let Some(call) = step.event.call() {
        for effect in &call.effects {
            if let Effect::FilterAdded { id, context, .. } = *effect {
                if step.history.is_failed(context) {
                    found.violated(
                        format!(
                            "{id} of filter context {context}, whose attach failed, was committed by {actor}'s {}",
                            call.kind.api()
                        ),
                        None,
                    );
                }
            }
        }
    }
    if let Some((op @ Op::Attach { .. }, Some(_), ended)) = ended(step) {
        for context in &ended.created {
            let held = step.history.committed_of(*context);
            if !held.is_empty() {
                found.violated(
                    format!("{actor}'s {op} failed, but {} of its filter context {context} is committed", ids(&held)),
                    None,
                );
            }
        }
    }
}

fn filters_stay_while_attached(step: &Step<'_>, found: &mut Findings) {
    let (Some(call), actor) = (step.event.call(), step.event.actor) else { return };
    for effect in &call.effects {
        let Effect::FilterRemoved { id, context } = *effect else { continue };
        let staying = step.history.staying_clients(context);
        if step.history.is_attached(context) && !staying.is_empty() {
            let who: Vec<String> = staying.iter().map(|n| format!("client {n}")).collect();
            found.violated(
                format!(
                    "{actor}'s {} removed {id} of filter context {context} while {} is attached to it",
                    call.kind.api(),
                    who.join(", ")
                ),
                None,
            );
        }
    }
}

fn detach_removes_filters(step: &Step<'_>, found: &mut Findings) {
    let Some((op @ Op::Detach { client, .. }, _, ended)) = ended(step) else { return };
    let actor = step.event.actor;
    if let Some(context) = step.history.context_of(client) {
        found.violated(
            format!("{actor}'s {op} returned, but client {client} is still attached to filter context {context}"),
            None,
        );
    }
    for context in &ended.emptied {
        let held = step.history.committed_of(*context);
        if !held.is_empty() {
            found.violated(
                format!(
                    "{actor}'s {op} returned with {} of filter context {context} still committed in the engine",
                    ids(&held)
                ),
                ended.last_failure.map(|(_, status)| status),
            );
        }
    }
}

fn unload_completes(step: &Step<'_>, found: &mut Findings) {
    if let EventKind::Hung { provider, contexts } = &step.event.kind {
        let contexts: Vec<String> = contexts.iter().map(|c| c.to_string()).collect();
        found.violated(
            format!(
                "unload waits forever for the {provider} provider's rundown: filter context {} is never freed, so nothing after that wait runs",
                contexts.join(", ")
            ),
            None,
        );
    }
}

fn context_freed_with_filters(end: &End<'_>, found: &mut Findings) {
    for (context, held) in end.history.freed_with_filters() {
        found.violated(
            format!(
                "filter context {context} was freed while {} carrying it was committed: the filter's rawContext points at freed memory",
                ids(held)
            ),
            None,
        );
    }
}

fn clean_end(end: &End<'_>, found: &mut Findings) {
    let engine = &end.state.engine;
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
        found.violated(format!("at the end {}", left.join("; ")), None);
    }
}

fn contexts_released(end: &End<'_>, found: &mut Findings) {
    for ctx in end.state.contexts.iter().filter(|c| !c.freed) {
        found.violated(
            format!(
                "filter context {} ({}) still holds {} reference(s) after unload: it is never freed (#5486)",
                ctx.id, ctx.hook.name, ctx.references
            ),
            None,
        );
    }
    for (context, actor, what) in &end.state.used_after_free {
        found.violated(format!("filter context {context} was misused by {actor}: {what}"), None);
    }
}

fn no_objects_left(end: &End<'_>, found: &mut Findings) {
    let engine = &end.state.engine;
    if !engine.objects.is_empty() {
        found.violated(format!("after unload the engine still holds {}", engine.objects.join(", ")), None);
    }
}

fn callouts_unregistered(end: &End<'_>, found: &mut Findings) {
    // A hung unload never lets the driver go: then nothing is called into unloaded code.
    let hung = end.history.hung();
    let engine = &end.state.engine;
    if !hung && !engine.registered.is_empty() {
        found.violated(
            format!("unload completed with callouts still registered: {}", engine.registered.join(", ")),
            None,
        );
    }
}
