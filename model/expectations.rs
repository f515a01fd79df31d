//! The declared verdict of every design x scenario x plan, and why. The gate fails when
//! an observed verdict differs from the declared one.
//!
//! An entry's `plan` is a plan name or `*` (every plan of the scenario); its `checker` is
//! one checker or `None` (every checker). The most specific entry applies. A verdict that
//! differs between loom and shuttle is declared per checker, with the reason: that is a
//! disagreement the explorers have on purpose, not one hidden.

use crate::explore::checker::CheckerKind;
use crate::explore::{self, Settings, Verdict};
use crate::wfp::faults::{FaultPlan, Occurrence};

/// One declared verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub design: &'static str,
    pub scenario: &'static str,
    pub plan: &'static str,
    pub checker: Option<CheckerKind>,
    pub verdict: Verdict,
    pub reason: &'static str,
}

const W5_RACE: &str = "both attaches begin a transaction on the one global session; the second Begin fails at once \
                       with 0xC022000E (W5) and the attach with errno 22: the #3728 failure";
const PROVIDER_LOCK_RACE: &str = "#3751's lock is per provider; connect4, connect6 and bind are different providers, \
                                  so the #3728 race remains";
const RETRY_RACE: &str = "all 5 tries can fall inside the other thread's transaction: a busy wait does not make it \
                          finish (#3659, \"Did not work\")";
const W8_DETACH: &str = "the detach's FilterDeleteById on the shared session runs inside the transaction the other \
                         thread began (W8): undone if that transaction aborts, not done when the detach returns";
const NO_WAIT_SHARED: &str = "on one shared session no call ever waits for the transaction lock (a second Begin fails \
                              at once instead, W5), so a lock-wait timeout cannot happen";
const NO_WAIT_LOCKED: &str = "the design's lock serialises every WFP call of both threads, so no call ever waits for \
                              the transaction lock and a lock-wait timeout cannot happen";
const SERIALISED: &str = "the design's lock serialises the two operations: no WFP call of one falls inside the other";
const SESSIONS: &str = "each filter context has its own session: a second Begin waits for the lock (W6) instead of \
                        failing, and a wait that times out fails only the attach it was injected into";
const DETACH_TIMEOUT: &str = "the detach's FilterDeleteById waits for the other session's transaction and times out \
                              (W3, W7): the filter stays in the engine and its reference is never released, so unload \
                              waits for the provider's rundown forever, before any WFP clean-up (#5486)";
const DETACH_TIMEOUT_LEAK: &str = "the detach's FilterDeleteById waits for the other session's transaction and times \
                                   out (W3, W7): the filter stays in the engine and its reference is never released; \
                                   on the code before #3751 unload waits for no filter context, so the context leaks \
                                   (#5486)";
const OWN_SESSIONS: &str = "no two threads' operations share a session: a second Begin waits for the lock (W6) \
                            instead of failing, and a wait that times out fails only the attach it was injected into";
const DETACH_TIMEOUT_4192: &str = "the detach's FilterDeleteById times out: the filter is DELETE_FAILED and keeps its \
                                   reference; #4192's unload releases only the references of filters still DELETING, \
                                   so the context is never freed and unload, at its end, waits for the provider's rundown forever (#5486)";
const RETRIED_DELETE: &str = "#5472 tries the timed-out FilterDeleteById again at once; that try waits for the other \
                              transaction to end and deletes the filter: the #5486 leak is gone";
const EVERY_TRY_TIMES_OUT: &str = "all 3 tries of a FilterDeleteById time out while the other transaction holds the \
                                   lock: the filters stay in WFP after the detach returns (a zombie context), until \
                                   unload sweeps them and frees the context (nothing leaks at the end)";
const UNREGISTER_IN_USE: &str = "every FwpsCalloutUnregisterById fails with STATUS_FWP_IN_USE, all 10 tries: unload \
                                 completes with the callouts still registered (the fewest-preemption counterexample); \
                                 where the detach's deletes also timed out, #5472 keeps the zombie context (freeing it \
                                 could be a use after free), which is never freed, and unload hangs";
const UNREGISTER_FIRST: &str = "unload ignores the FwpsCalloutUnregisterById that fails with STATUS_FWP_IN_USE and \
                                completes with the callouts still registered: every execution breaks that, so the \
                                fewest-preemption counterexample shows it rather than the race the design also has \
                                without a fault (W8)";
const UNREGISTER_BEFORE_DELETES: &str = "unload ignores the FwpsCalloutUnregisterById that fails with \
                                         STATUS_FWP_IN_USE and completes with the callouts still registered: every \
                                         execution breaks that, so the fewest-preemption counterexample shows it; the \
                                         timed-out deletes fail the design as under t0.filter_delete*.times_out";
const UNREGISTER_TRIES_4192: &str =
    "each of unload's 10 tries of FwpsCalloutUnregisterById fails with STATUS_FWP_IN_USE; \
                                     unload gives up and completes with the callouts still registered: every execution \
                                     breaks that, so the fewest-preemption counterexample shows it";
const UNREGISTER_IGNORED_ONCE: &str = "unload ignores the FwpsCalloutUnregisterById that fails with STATUS_FWP_IN_USE \
                                       and completes with the callouts still registered (the design's lock serialises \
                                       every WFP call, so the delete timeout cannot fire)";
const EVERY_TRY_NO_WAIT: &str = "the design never retries a delete, so with every try timing out it fails as with \
                                 the first: the filter stays and its reference leaks (#5486)";
const ONE_SPINNER: &str = "with one retrying thread, loom's yield and shuttle's PCT let the other transaction finish: \
                           the pass rests on that fairness";
const TWO_SPINNERS: &str = concat!(
    "with two retrying threads an unfair schedule lets them take turns failing Begin while the transaction they \
     wait for never finishes: ",
    "FwpmTransactionBegin fails more than ",
    crate::wfp::repeats_max!(),
    " times in a row"
);

const COMMIT_REPLY_LOST: &str = "t0's FwpmTransactionCommit takes effect and returns RPC_NT_CALL_FAILED \
                                 (fails_after_effect): its abort finds no transaction, the attach fails and frees its \
                                 filter context while the filters the commit added stay in WFP carrying it, to be \
                                 classified with a freed context";
const COMMIT_REPLY_LOST_DYNAMIC: &str = "t0's FwpmTransactionCommit takes effect and returns RPC_NT_CALL_FAILED \
                                         (fails_after_effect), and the attach fails; the filters it committed are in \
                                         the filter context's dynamic session, which the failed attach closes, so WFP \
                                         deletes them with it (W2): nothing is left. That rests on the delete \
                                         notifications coming inside the close: deferred, they reach the filter \
                                         context after it was freed";

const RESTART: &str = "NMR serialises the attach and detach with each provider's deregistration: the stop detaches \
                       the client, its filter context is freed and WFP cleaned up, the start adds the objects again \
                       and NMR attaches the client again; an attach that meets the stopped extension fails, as the \
                       stress test tolerates: nothing hangs, leaks or is used after it is freed";

const BOUNDED: &str = "loom explores this row to its declared preemption bound only (LOOM_BOUNDS): no violation \
                       within it, which is a proof to that bound and no further; the stateful checker's pass is the \
                       proof";

const SAMPLED: &str = "shuttle's DFS has no partial-order reduction and does not finish within its 20,000 executions; \
                       PCT and random schedules then sample the rest, which proves nothing: loom's row is the proof";

macro_rules! expect {
    ($($design:literal $scenario:literal $plan:literal $checker:expr => $verdict:ident: $reason:expr;)*) => {
        &[$(Expected {
            design: $design,
            scenario: $scenario,
            plan: $plan,
            checker: $checker,
            verdict: Verdict::$verdict,
            reason: $reason,
        }),*]
    };
}

/// Every declared verdict.
pub const EXPECTED: &[Expected] = expect! {
    "naive" "two_attach" "*" None => Fail: W5_RACE;
    "naive" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "naive" "attach_detach" "*" None => Fail: W8_DETACH;
    "naive" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_FIRST;
    "naive" "same_provider" "*" None => Fail: W5_RACE;
    "naive" "restart_during_attach" "*" None => Pass: RESTART;
    "naive" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "naive" "three_attach" "*" None => Fail: W5_RACE;
    "naive" "four_attach" "*" None => Fail: W5_RACE;

    "provider_lock" "two_attach" "*" None => Fail: PROVIDER_LOCK_RACE;
    "provider_lock" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "provider_lock" "attach_detach" "*" None => Fail: W8_DETACH;
    "provider_lock" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_FIRST;
    "provider_lock" "same_provider" "none" None => Pass: SERIALISED;
    "provider_lock" "same_provider" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "provider_lock" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "provider_lock" "same_provider" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "provider_lock" "restart_during_attach" "*" None => Pass: RESTART;
    "provider_lock" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "provider_lock" "three_attach" "*" None => Fail: PROVIDER_LOCK_RACE;
    "provider_lock" "four_attach" "*" None => Fail: PROVIDER_LOCK_RACE;

    "retry" "two_attach" "*" None => Fail: RETRY_RACE;
    "retry" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "retry" "attach_detach" "*" None => Fail: W8_DETACH;
    "retry" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_FIRST;
    "retry" "same_provider" "*" None => Fail: RETRY_RACE;
    "retry" "restart_during_attach" "*" None => Pass: RESTART;
    "retry" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "retry" "three_attach" "*" None => Fail: RETRY_RACE;
    "retry" "four_attach" "*" None => Fail: RETRY_RACE;

    "retry_unbounded" "two_attach" "*" None => Pass: ONE_SPINNER;
    "retry_unbounded" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "retry_unbounded" "two_attach" "t1.begin1.times_out" None => Vacuous: NO_WAIT_SHARED;
    "retry_unbounded" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "two_attach" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "attach_detach" "*" None => Fail: W8_DETACH;
    "retry_unbounded" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_FIRST;
    "retry_unbounded" "same_provider" "none" None => Pass: ONE_SPINNER;
    "retry_unbounded" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_SHARED;
    "retry_unbounded" "same_provider" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "same_provider" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "restart_during_attach" "*" None => Pass: RESTART;
    "retry_unbounded" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "three_attach" "*" None => Fail: TWO_SPINNERS;
    "retry_unbounded" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "four_attach" "*" None => Fail: TWO_SPINNERS;

    "global_lock" "two_attach" "*" None => Pass: SERIALISED;
    "global_lock" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "global_lock" "two_attach" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock" "attach_detach" "*" None => Pass: SERIALISED;
    "global_lock" "attach_detach" "t0.filter_delete1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock" "attach_detach" "t0.filter_delete*.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_IGNORED_ONCE;
    "global_lock" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "two_attach" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "attach_detach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "attach_detach" "t0.filter_delete1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "attach_detach" "t0.filter_delete*.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "same_provider" "none" None => Pass: SERIALISED;
    "global_lock" "same_provider" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock" "same_provider" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "restart_during_attach" "*" None => Pass: RESTART;
    "global_lock" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "three_attach" "*" None => Pass: SERIALISED;
    "global_lock" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock" "three_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "global_lock" "four_attach" "*" None => Pass: SERIALISED;
    "global_lock" "four_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "global_lock" "four_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;

    "global_lock_add_only" "two_attach" "*" None => Pass: SERIALISED;
    "global_lock_add_only" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "global_lock_add_only" "two_attach" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock_add_only" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock_add_only" "two_attach" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock_add_only" "attach_detach" "*" None => Fail: W8_DETACH;
    "global_lock_add_only" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_BEFORE_DELETES;
    "global_lock_add_only" "same_provider" "none" None => Pass: SERIALISED;
    "global_lock_add_only" "same_provider" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock_add_only" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock_add_only" "same_provider" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock_add_only" "restart_during_attach" "*" None => Pass: RESTART;
    "global_lock_add_only" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock_add_only" "three_attach" "*" None => Pass: SERIALISED;
    "global_lock_add_only" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "global_lock_add_only" "three_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "global_lock_add_only" "four_attach" "*" None => Pass: SERIALISED;
    "global_lock_add_only" "four_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "global_lock_add_only" "four_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;

    "per_operation_handle" "two_attach" "*" None => Pass: OWN_SESSIONS;
    "per_operation_handle" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "per_operation_handle" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_operation_handle" "attach_detach" "*" None => Fail: EVERY_TRY_NO_WAIT;
    "per_operation_handle" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_BEFORE_DELETES;
    "per_operation_handle" "attach_detach" "none" None => Pass: OWN_SESSIONS;
    "per_operation_handle" "attach_detach" "t1.filter_add2.fails" None => Pass: OWN_SESSIONS;
    "per_operation_handle" "attach_detach" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_operation_handle" "attach_detach" "t1.filter_add2.fails" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_operation_handle" "attach_detach" "t0.filter_delete1.times_out" None => Fail: DETACH_TIMEOUT_LEAK;
    "per_operation_handle" "same_provider" "*" None => Pass: OWN_SESSIONS;
    "per_operation_handle" "same_provider" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_operation_handle" "restart_during_attach" "*" None => Pass: RESTART;
    "per_operation_handle" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_operation_handle" "three_attach" "*" None => Pass: OWN_SESSIONS;
    "per_operation_handle" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_operation_handle" "three_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_operation_handle" "four_attach" "*" None => Pass: OWN_SESSIONS;
    "per_operation_handle" "four_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_operation_handle" "four_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;

    "per_thread_handle" "two_attach" "*" None => Pass: OWN_SESSIONS;
    "per_thread_handle" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "per_thread_handle" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_thread_handle" "attach_detach" "*" None => Fail: EVERY_TRY_NO_WAIT;
    "per_thread_handle" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_BEFORE_DELETES;
    "per_thread_handle" "attach_detach" "none" None => Pass: OWN_SESSIONS;
    "per_thread_handle" "attach_detach" "t1.filter_add2.fails" None => Pass: OWN_SESSIONS;
    "per_thread_handle" "attach_detach" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_thread_handle" "attach_detach" "t1.filter_add2.fails" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_thread_handle" "attach_detach" "t0.filter_delete1.times_out" None => Fail: DETACH_TIMEOUT_LEAK;
    "per_thread_handle" "same_provider" "*" None => Pass: OWN_SESSIONS;
    "per_thread_handle" "same_provider" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_thread_handle" "restart_during_attach" "*" None => Pass: RESTART;
    "per_thread_handle" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_thread_handle" "three_attach" "*" None => Pass: OWN_SESSIONS;
    "per_thread_handle" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_thread_handle" "three_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_thread_handle" "four_attach" "*" None => Pass: OWN_SESSIONS;
    "per_thread_handle" "four_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_thread_handle" "four_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;

    "per_context_handle" "two_attach" "*" None => Pass: SESSIONS;
    "per_context_handle" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "per_context_handle" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_handle" "attach_detach" "*" None => Pass: SESSIONS;
    "per_context_handle" "attach_detach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_handle" "attach_detach" "t0.filter_delete1.times_out" None => Fail: DETACH_TIMEOUT;
    "per_context_handle" "attach_detach" "t0.filter_delete*.times_out" None => Fail: EVERY_TRY_NO_WAIT;
    "per_context_handle" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_BEFORE_DELETES;
    "per_context_handle" "same_provider" "none" None => Pass: SERIALISED;
    "per_context_handle" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "per_context_handle" "same_provider" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_handle" "same_provider" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_handle" "restart_during_attach" "*" None => Pass: RESTART;
    "per_context_handle" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_handle" "three_attach" "*" None => Pass: SESSIONS;
    "per_context_handle" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_handle" "three_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_context_handle" "four_attach" "*" None => Pass: SESSIONS;
    "per_context_handle" "four_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_context_handle" "four_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;

    "per_context_dynamic" "two_attach" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "two_attach" "t0.commit1.fails_after_effect" None => Pass: COMMIT_REPLY_LOST_DYNAMIC;
    "per_context_dynamic" "two_attach" "t0.commit1.fails_after_effect" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "attach_detach" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "attach_detach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "attach_detach" "t0.filter_delete1.times_out" None => Fail: DETACH_TIMEOUT_LEAK;
    "per_context_dynamic" "attach_detach" "t0.filter_delete*.times_out" None => Fail: EVERY_TRY_NO_WAIT;
    "per_context_dynamic" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_BEFORE_DELETES;
    "per_context_dynamic" "same_provider" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "same_provider" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "restart_during_attach" "*" None => Pass: RESTART;
    "per_context_dynamic" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "three_attach" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "three_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_context_dynamic" "four_attach" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "four_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_context_dynamic" "four_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;

    "per_context_4192" "two_attach" "*" None => Pass: SESSIONS;
    "per_context_4192" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "per_context_4192" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_4192" "attach_detach" "*" None => Fail: DETACH_TIMEOUT_4192;
    "per_context_4192" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_TRIES_4192;
    "per_context_4192" "attach_detach" "none" None => Pass: SESSIONS;
    "per_context_4192" "attach_detach" "t1.filter_add2.fails" None => Pass: SESSIONS;
    "per_context_4192" "attach_detach" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_4192" "attach_detach" "t1.filter_add2.fails" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_4192" "same_provider" "none" None => Pass: SERIALISED;
    "per_context_4192" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "per_context_4192" "same_provider" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_4192" "same_provider" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_4192" "restart_during_attach" "*" None => Pass: RESTART;
    "per_context_4192" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_4192" "three_attach" "*" None => Pass: SESSIONS;
    "per_context_4192" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_4192" "three_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_context_4192" "four_attach" "*" None => Pass: SESSIONS;
    "per_context_4192" "four_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_context_4192" "four_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;

    "per_context_5472" "two_attach" "*" None => Pass: SESSIONS;
    "per_context_5472" "two_attach" "t0.commit1.fails_after_effect" None => Fail: COMMIT_REPLY_LOST;
    "per_context_5472" "two_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_5472" "attach_detach" "none" None => Pass: SESSIONS;
    "per_context_5472" "attach_detach" "t1.filter_add2.fails" None => Pass: SESSIONS;
    "per_context_5472" "attach_detach" "t0.filter_delete1.times_out" None => Pass: RETRIED_DELETE;
    "per_context_5472" "attach_detach" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_5472" "attach_detach" "t1.filter_add2.fails" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_5472" "attach_detach" "t0.filter_delete1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_5472" "attach_detach" "t0.filter_delete*.times_out" None => Fail: EVERY_TRY_TIMES_OUT;
    "per_context_5472" "attach_detach" "main.callout_unregister*.in_use+t0.filter_delete*.times_out" None => Fail: UNREGISTER_IN_USE;
    "per_context_5472" "same_provider" "none" None => Pass: SERIALISED;
    "per_context_5472" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "per_context_5472" "same_provider" "none" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_5472" "same_provider" "t1.begin1.times_out" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_5472" "restart_during_attach" "*" None => Pass: RESTART;
    "per_context_5472" "restart_during_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_5472" "three_attach" "*" None => Pass: SESSIONS;
    "per_context_5472" "three_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
    "per_context_5472" "three_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_context_5472" "four_attach" "*" None => Pass: SESSIONS;
    "per_context_5472" "four_attach" "*" Some(CheckerKind::Loom) => PassBounded: BOUNDED;
    "per_context_5472" "four_attach" "*" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;
};

/// A row whose verdict changes under a non-default reading of an assumption: it rests on
/// that assumption. The sensitivity check (`checks/docs.rs`) fails on a change it finds
/// that is not declared here, and on one declared here that it does not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sensitive {
    pub design: &'static str,
    pub scenario: &'static str,
    pub plan: &'static str,
    /// `NAME=READING`.
    pub reading: &'static str,
    /// The verdict under that reading.
    pub verdict: Verdict,
}

macro_rules! sensitive {
    ($($design:literal $scenario:literal $plan:literal $reading:literal => $verdict:ident;)*) => {
        &[$(Sensitive { design: $design, scenario: $scenario, plan: $plan, reading: $reading, verdict: Verdict::$verdict }),*]
    };
}

/// Every verdict of the two-thread scenarios that rests on an assumption (`docs/assumptions.md`).
pub const SENSITIVE: &[Sensitive] = sensitive! {
    "per_operation_handle" "two_attach" "t1.begin1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_thread_handle" "two_attach" "t1.begin1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_handle" "two_attach" "t1.begin1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_4192" "two_attach" "t1.begin1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_5472" "two_attach" "t1.begin1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_dynamic" "two_attach" "t0.commit1.fails_after_effect" "delete_notification=deferred" => Fail;
    "retry_unbounded" "attach_detach" "none" "foreign_transaction=waits" => Pass;
    "retry_unbounded" "attach_detach" "t1.filter_add2.fails" "foreign_transaction=waits" => Pass;
    "global_lock_add_only" "attach_detach" "none" "foreign_transaction=waits" => Pass;
    "global_lock_add_only" "attach_detach" "t1.filter_add2.fails" "foreign_transaction=waits" => Pass;
    "per_operation_handle" "attach_detach" "t0.filter_delete1.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_operation_handle" "attach_detach" "t0.filter_delete1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_operation_handle" "attach_detach" "t0.filter_delete*.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_operation_handle" "attach_detach" "t0.filter_delete*.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_thread_handle" "attach_detach" "t0.filter_delete1.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_thread_handle" "attach_detach" "t0.filter_delete1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_thread_handle" "attach_detach" "t0.filter_delete*.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_thread_handle" "attach_detach" "t0.filter_delete*.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_handle" "attach_detach" "t0.filter_delete1.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_context_handle" "attach_detach" "t0.filter_delete1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_handle" "attach_detach" "t0.filter_delete*.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_context_handle" "attach_detach" "t0.filter_delete*.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_dynamic" "attach_detach" "t0.filter_delete1.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_context_dynamic" "attach_detach" "t0.filter_delete*.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_context_4192" "attach_detach" "t0.filter_delete1.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_context_4192" "attach_detach" "t0.filter_delete1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_4192" "attach_detach" "t0.filter_delete*.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_context_4192" "attach_detach" "t0.filter_delete*.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_5472" "attach_detach" "t0.filter_delete1.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_context_5472" "attach_detach" "t0.filter_delete1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_context_5472" "attach_detach" "t0.filter_delete*.times_out" "implicit_call=runs_at_once" => Vacuous;
    "per_context_5472" "attach_detach" "t0.filter_delete*.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_operation_handle" "same_provider" "t1.begin1.times_out" "null_session_wait=no_timeout" => Vacuous;
    "per_thread_handle" "same_provider" "t1.begin1.times_out" "null_session_wait=no_timeout" => Vacuous;
};

/// The readings this row's verdict rests on, with the verdict each gives.
pub fn rests_on(design: &str, scenario: &str, plan: &str) -> Vec<&'static Sensitive> {
    SENSITIVE.iter().filter(|s| s.design == design && s.scenario == scenario && s.plan == plan).collect()
}

/// The declared verdict for one exploration: the most specific entry that matches.
pub fn expected(design: &str, scenario: &str, plan: &str, checker: CheckerKind) -> Option<&'static Expected> {
    expected_in(EXPECTED, design, scenario, plan, checker)
}

/// [`expected`] in `table`: the most specific entry that matches (of two equally
/// specific ones, the later).
pub fn expected_in<'t>(
    table: &'t [Expected],
    design: &str,
    scenario: &str,
    plan: &str,
    checker: CheckerKind,
) -> Option<&'t Expected> {
    table
        .iter()
        .filter(|e| e.design == design && e.scenario == scenario)
        .filter(|e| e.plan == "*" || e.plan == plan)
        .filter(|e| e.checker.is_none() || e.checker == Some(checker))
        .max_by_key(|e| (e.plan != "*", e.checker.is_some()))
}

/// A row loom explores only to a preemption bound, because exhaustive exploration does
/// not finish within the gate's budget. Its verdict is `pass-bounded` at best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoomBound {
    pub design: &'static str,
    pub scenario: &'static str,
    pub preemptions: usize,
    /// Why: what exhaustive exploration costs, measured.
    pub reason: &'static str,
}

/// Every row loom explores to a declared bound (`--exhaustive` explores them all the same).
pub const LOOM_BOUNDS: &[LoomBound] = &[
    three("global_lock"),
    three("global_lock_add_only"),
    three("per_operation_handle"),
    three("per_thread_handle"),
    three("per_context_handle"),
    three("per_context_dynamic"),
    three("per_context_4192"),
    three("per_context_5472"),
    four("global_lock"),
    four("global_lock_add_only"),
    four("per_operation_handle"),
    four("per_thread_handle"),
    four("per_context_handle"),
    four("per_context_dynamic"),
    four("per_context_4192"),
    four("per_context_5472"),
    LoomBound {
        design: "retry_unbounded",
        scenario: "three_attach",
        preemptions: 2,
        reason: "the livelock takes no preemption past the second (the spinners yield to each other): exhaustively \
                 212,071 executions and 42 s before loom meets it; to 2 preemptions 5,478 executions in 1 s",
    },
    LoomBound {
        design: "retry_unbounded",
        scenario: "four_attach",
        preemptions: 2,
        reason: "exhaustively loom does not meet the livelock within 2,000,000 executions (318 s); to 2 preemptions \
                 it does, at 5,872 executions in 1.3 s",
    },
];

/// A three-thread row of a design that passes, bounded: the stateful checker proves it.
const fn three(design: &'static str) -> LoomBound {
    LoomBound {
        design,
        scenario: "three_attach",
        preemptions: 3,
        reason: "exhaustively 474,827 executions and about 180 s (per_context_handle; per_operation_handle did not \
                 finish within 2,000,000), most of the test command's time; to 3 preemptions 2,434 executions in \
                 0.3 s (per_context_handle). The stateful checker's gate explores it exhaustively (8,919 states)",
    }
}

/// A four-thread row of a design that passes, bounded: the stateful checker proves it.
const fn four(design: &'static str) -> LoomBound {
    LoomBound {
        design,
        scenario: "four_attach",
        preemptions: 2,
        reason: "exhaustively out of reach for loom (three threads take 474,827 executions); to 2 preemptions 3,309 \
                 executions in 0.5 s (per_context_handle). The stateful checker's gate explores it exhaustively",
    }
}

/// The declared bound of a row, if it has one.
pub fn loom_bound(design: &str, scenario: &str) -> Option<&'static LoomBound> {
    LOOM_BOUNDS.iter().find(|b| b.design == design && b.scenario == scenario)
}

/// `settings` for one row: under loom, a row with a declared bound is explored to it,
/// unless a bound was given or declared bounds are off.
pub fn settings_for(design: &str, scenario: &str, settings: &Settings) -> Settings {
    let mut settings = settings.clone();
    if explore::BOUNDS_PREEMPTIONS && settings.loom_declared_bounds && settings.loom_preemption_bound.is_none() {
        settings.loom_preemption_bound = loom_bound(design, scenario).map(|b| b.preemptions);
    }
    settings
}

/// A declared outcome of fault-sweep plans: every plan whose faults match `faults` (in
/// the plan syntax, `*` for any occurrence, the persistent fault `*` included; pairs
/// joined by `+`), for these designs and scenarios (`*` for any, `!name` for all but that
/// one). `exactly` (written before the pattern): only the plan it spells, so that a
/// persistent fault (`t0.filter_delete*.fails`) is declared apart from the single ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepDeclared {
    pub designs: &'static [&'static str],
    pub scenarios: &'static [&'static str],
    pub exactly: bool,
    pub faults: &'static str,
    pub verdict: Verdict,
    pub reason: &'static str,
}

/// What a sweep plan no declaration names is declared: the design survives it.
pub const SURVIVES: &str = "the fault may fail the operation it is injected into and nothing else; no declaration \
                            says this design does not survive it";

/// Every design but #5472's, whose retries and unload sweep the others lack (`!` excepts).
const BEFORE_5472: &[&str] = &["*", "!per_context_5472"];
/// Every design before #4192, whose unload unregisters each callout once.
const BEFORE_4192: &[&str] = &["*", "!per_context_4192", "!per_context_5472"];
/// The designs on static sessions whose unload deletes each object once (#3866's).
const STATIC_DELETED_ONCE: &[&str] =
    &["per_operation_handle", "per_thread_handle", "per_context_handle", "per_context_dynamic"];
const CONNECT_BOTH: &[&str] = &["two_attach", "attach_detach"];

const START_UP_IGNORED: &str = "start-up fails by the fault, which it may; but DriverEntry ignores a failed start-up \
                                ((void), TODO #521): the providers register and netebpfext runs without its WFP \
                                objects, and every attach then fails with a status no fault was injected into: on the closed global handle (STATUS_INVALID_HANDLE), or, \
                                on a handle of its own, for the sublayer or callout start-up did not add (W13)";
const START_UP_SPINS: &str = "start-up fails by the fault and DriverEntry goes on (TODO #521); #3659's unbounded \
                              retry then retries the attach's Begin on the closed handle forever";
const CALLOUT_SWALLOWED: &str = "_net_ebpf_ext_register_wfp_callout returns the unregister's status when FwpmCalloutAdd \
                                 fails, so start-up succeeds without this callout, which the scenario's hook needs: its \
                                 attach fails with STATUS_FWP_CALLOUT_NOT_FOUND (W13), not with the fault";
const UNLOAD_DELETE_ONCE: &str = "unload detaches the clients still attached, and the detach tries each \
                                  FwpmFilterDeleteById once: the filter stays committed after the detach returns";
const DETACH_DELETE_ONCE: &str = "the detach tries FwpmFilterDeleteById once and does not look at its result: the \
                                  filter stays committed after the detach returns";
const DETACH_OPEN_FAILS: &str = "the detach opens the session it deletes on, and a failed FwpmEngineOpen skips the \
                                 deletes: the filters stay committed after the detach returns";
const UNLOAD_OPEN_FAILS: &str = "unload's detach of the clients still attached opens the session it deletes on, and \
                                 a failed FwpmEngineOpen skips the deletes: the filters stay committed";
const OBJECT_DELETED_ONCE: &str = "#3866's unload deletes each static object once and ignores a failure: the object \
                                   stays in BFE after the driver is gone";
const UNREGISTER_IGNORED: &str = "unload tries FwpsCalloutUnregisterById once, ignores a failure and completes: the \
                                  callout stays registered with the filter engine after the driver is gone (#4192 \
                                  tries 10 times, #5472 retries too)";
const NO_DETACH: &str = "t0's attach fails by the fault, so there is no detach to overlap t1's attach: the scenario's \
                         target is never reached, and the plan shows nothing";

const START_UP_LOST_REPLY: &str =
    "the start-up call takes effect and returns RPC_NT_CALL_FAILED (fails_after_effect): \
                                   start-up fails and undoes what it added, which it may; but DriverEntry ignores a \
                                   failed start-up ((void), TODO #521), and every attach then fails with a status no \
                                   fault was injected into, as for a start-up call that fails outright";
const START_UP_LOST_REPLY_SPINS: &str =
    "the start-up call takes effect and returns RPC_NT_CALL_FAILED, start-up fails \
                                         and DriverEntry goes on (TODO #521); #3659's unbounded retry then retries \
                                         the attach's Begin on the closed handle forever";
const CALLOUT_ADD_LOST: &str = "FwpmCalloutAdd adds the callout and returns RPC_NT_CALL_FAILED: \
                                _net_ebpf_ext_register_wfp_callout unregisters the callout and returns the \
                                unregister's success, so the callout is in BFE with no notify function registered; \
                                the attach's filters naming it are added, and their deletes bring no delete \
                                notification: the references those release are never released, the filter context \
                                is never freed (unload waits for it forever where it waits for its provider's \
                                rundown; a dynamic session it keeps is never closed). #4192's filter states do not \
                                wait for the notification";
const SESSION_REPLY_LOST: &str = "FwpmEngineOpen opens a session and returns RPC_NT_CALL_FAILED: the operation fails \
                                  as it may, but no code holds the new session's handle, so nothing can close it and \
                                  it is open at the end. Any code that opens a session can meet it; the designs on a \
                                  global handle open none outside start-up and unload";
const DETACH_OPEN_LOST: &str =
    "the detach's FwpmEngineOpen opens a session and returns RPC_NT_CALL_FAILED: the detach \
                                skips the deletes, so the filters stay committed after it returns, and the session \
                                no code holds is never closed";
const UNLOAD_OPEN_LOST: &str = "unload's detach of the clients still attached opens its session, which returns \
                                RPC_NT_CALL_FAILED: the deletes are skipped and the filters stay committed, the \
                                session no code holds never closed";
const COMMIT_LOST: &str = "the attach's FwpmTransactionCommit takes effect and returns RPC_NT_CALL_FAILED: its abort \
                           finds no transaction, the attach fails and frees its filter context while the filters the \
                           commit added stay in WFP carrying it, to be classified with a freed context";
const BEGIN_LOST_GLOBAL: &str = "the attach's FwpmTransactionBegin opens the transaction on the one global handle and \
                                 returns RPC_NT_CALL_FAILED: the attach fails without an abort, and the global handle \
                                 stays inside that transaction, which nothing ends: another attach's Begin on it then \
                                 fails with STATUS_FWP_TXN_IN_PROGRESS (the original bug's status), and unload's \
                                 deletes on it run inside the lost transaction (W8)";
const BEGIN_LOST_SPINS: &str = "the attach's FwpmTransactionBegin opens the transaction on the global handle and \
                                returns RPC_NT_CALL_FAILED; nothing ends it, so the other attach's Begin fails with \
                                STATUS_FWP_TXN_IN_PROGRESS each time #3659's unbounded retry tries it: a spin";
const BEGIN_LOST_THREAD: &str = "the attach's FwpmTransactionBegin opens the transaction on the thread's session and \
                                 returns RPC_NT_CALL_FAILED: the attach fails without an abort, and the session the \
                                 thread keeps stays inside the transaction, holding the engine's transaction lock \
                                 (W6): a later call on that session joins the lost transaction (W8), and one on \
                                 another session waits for the lock forever";

const RESTART_ONLY: &[&str] = &["restart_during_attach"];
/// The designs whose unload tries each delete and unregister UNLOAD_TRIES_MAX times.
const TRIES_AT_UNLOAD: &[&str] = &["per_context_4192", "per_context_5472"];

const CALLOUT_ADDS_SWALLOWED: &str = "every FwpmCalloutAdd fails (the fault persists): \
                                      _net_ebpf_ext_register_wfp_callout returns its unregister's success each time, \
                                      so start-up succeeds with no callout added, and every attach fails with \
                                      STATUS_FWP_CALLOUT_NOT_FOUND (W13), not with the fault";
const UNLOAD_TRIES_RUN_OUT: &str = "the fault persists past the retries: #4192's unload tries each delete and each \
                                    FwpsCalloutUnregisterById UNLOAD_TRIES_MAX (10) times, then goes on without it: the \
                                    object stays in BFE, or the callout registered, after the driver is gone (the \
                                    retries outlast a transient failure, not memory pressure that lasts)";
const STOP_TRIES_RUN_OUT: &str = "the fault persists past the retries: the stop (#4192's unload path) tries each \
                                  delete and each FwpsCalloutUnregisterById UNLOAD_TRIES_MAX (10) times, then goes on \
                                  without it: the object or the registration is still there when the stop returns, \
                                  and the start cannot add it again";
const DELETE_TRIES_RUN_OUT: &str = "the fault persists past the retries: #5472's detach tries each \
                                    FwpmFilterDeleteById DELETE_TRIES_MAX (3) times, then keeps the filter context on \
                                    its provider's zombie list: the filter stays committed after the detach returns \
                                    (the issue's own row: restart_during_attach / t1.filter_delete*.fails)";
const BEGIN_FAILS_SPINS: &str = "every FwpmTransactionBegin of the thread fails (the fault persists), and #3659's \
                                 unbounded retry tries it again forever: a spin";
/// The designs on one global engine handle that attach without a retry.
const GLOBAL_HANDLE: &[&str] = &["naive", "global_lock", "global_lock_add_only", "provider_lock"];

const RESTART_START_IGNORED: &str = "the fault fails the restart's start-up (t1's calls after the stop), which it \
                                     may, or loses the reply of one of its calls that took effect, and start-up \
                                     undoes what it added; but the restart goes on as DriverEntry does ((void), \
                                     TODO #521): the providers register and NMR attaches the client again to a \
                                     netebpfext without its WFP objects";
const STOP_DELETES_ONCE: &str = "the stop is #3866's unload path, which deletes each static object once and ignores a \
                                 failure: the object is still in BFE when the stop returns, and the start's add of it \
                                 fails with STATUS_FWP_ALREADY_EXISTS";
const STOP_UNREGISTER_IGNORED: &str = "the stop tries FwpsCalloutUnregisterById once and ignores a failure: the \
                                       callout is still registered when the stop returns, and the start's \
                                       FwpsCalloutRegister of it fails (#4192 tries 10 times, #5472 retries too)";
const STOP_DETACH_DELETE_ONCE: &str = "the stop's detach of the client (NMR's, as the provider deregisters) tries \
                                       FwpmFilterDeleteById once: the filter stays committed after the detach \
                                       returns, and in WFP after the stop";
const BEGIN_LOST_RETRY: &str = "the attach's FwpmTransactionBegin opens the transaction on the global handle and \
                                returns RPC_NT_CALL_FAILED; #3659's retry tries Begin again on the same handle, now \
                                inside that transaction: STATUS_FWP_TXN_IN_PROGRESS each time, and the attach fails \
                                with that, not with the fault, leaving the transaction open";

macro_rules! swept {
    (@exactly) => { false };
    (@exactly exactly) => { true };
    ($($designs:expr, $scenarios:expr, $($exactly:ident)? $faults:literal => $verdict:ident, $reason:expr;)*) => {
        &[$(SweepDeclared {
            designs: $designs,
            scenarios: $scenarios,
            exactly: swept!(@exactly $($exactly)?),
            faults: $faults,
            verdict: Verdict::$verdict,
            reason: $reason,
        }),*]
    };
}

/// The sweep plans a design is declared not to survive (or that show nothing), with
/// why; the first match wins, so the specific come before the general.
pub const SWEEP: &[SweepDeclared] = swept! {
    // A restart (restart_during_attach: t1 stops netebpfext and starts it again; t0
    // attaches and detaches). The stop's calls come first in t1's occurrences, then the
    // start's, then the attach NMR makes again.
    &["*"], RESTART_ONLY, exactly "t1.engine_open*.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, exactly "t1.begin*.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, exactly "t1.provider_add*.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, exactly "t1.commit*.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, exactly "t1.callout_add*.fails" => Fail, CALLOUT_ADDS_SWALLOWED;
    TRIES_AT_UNLOAD, RESTART_ONLY, exactly "t1.callout_delete*.fails" => Fail, STOP_TRIES_RUN_OUT;
    TRIES_AT_UNLOAD, RESTART_ONLY, exactly "t1.sublayer_delete*.fails" => Fail, STOP_TRIES_RUN_OUT;
    TRIES_AT_UNLOAD, RESTART_ONLY, exactly "t1.provider_delete*.fails" => Fail, STOP_TRIES_RUN_OUT;
    TRIES_AT_UNLOAD, RESTART_ONLY, exactly "t1.callout_unregister*.fails" => Fail, STOP_TRIES_RUN_OUT;
    TRIES_AT_UNLOAD, RESTART_ONLY, exactly "t1.callout_unregister*.in_use" => Fail, STOP_TRIES_RUN_OUT;
    &["per_context_5472"], RESTART_ONLY, exactly "t1.filter_delete*.fails" => Fail, DELETE_TRIES_RUN_OUT;
    &["per_context_5472"], RESTART_ONLY, exactly "t0.filter_delete*.fails" => Fail, DELETE_TRIES_RUN_OUT;
    STATIC_DELETED_ONCE, RESTART_ONLY, "t1.callout_delete*.fails" => Fail, STOP_DELETES_ONCE;
    STATIC_DELETED_ONCE, RESTART_ONLY, "t1.sublayer_delete*.fails" => Fail, STOP_DELETES_ONCE;
    STATIC_DELETED_ONCE, RESTART_ONLY, "t1.provider_delete*.fails" => Fail, STOP_DELETES_ONCE;
    BEFORE_4192, RESTART_ONLY, "t1.callout_unregister*.fails" => Fail, STOP_UNREGISTER_IGNORED;
    BEFORE_4192, RESTART_ONLY, "t1.callout_unregister*.in_use" => Fail, STOP_UNREGISTER_IGNORED;
    BEFORE_5472, RESTART_ONLY, "t1.filter_delete*.fails" => Fail, STOP_DETACH_DELETE_ONCE;
    BEFORE_5472, RESTART_ONLY, "t0.filter_delete*.fails" => Fail, DETACH_DELETE_ONCE;
    &["per_operation_handle", "per_thread_handle"], RESTART_ONLY, "t0.engine_open2.fails" => Fail, DETACH_OPEN_FAILS;
    &["per_operation_handle", "per_thread_handle"], RESTART_ONLY, "t1.engine_open1.fails" => Fail, RESTART_START_IGNORED;
    &["per_operation_handle", "per_thread_handle"], RESTART_ONLY, "t1.engine_open2.fails" => Fail, RESTART_START_IGNORED;
    &["per_operation_handle", "per_thread_handle"], RESTART_ONLY, "t1.engine_open*.fails_after_effect" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.engine_open1.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.engine_open1.fails_after_effect" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.begin1.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.begin1.fails_after_effect" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.provider_add1.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.provider_add1.fails_after_effect" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.sublayer_add*.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.sublayer_add*.fails_after_effect" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.callout_register*.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.callout_register*.fails_after_effect" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.commit1.fails" => Fail, RESTART_START_IGNORED;
    &["*"], RESTART_ONLY, "t1.commit1.fails_after_effect" => Fail, RESTART_START_IGNORED;
    &["per_context_5472"], RESTART_ONLY, "t1.callout_add5.fails" => Fail, CALLOUT_SWALLOWED;
    &["per_context_5472"], RESTART_ONLY, "t1.callout_add9.fails" => Fail, CALLOUT_SWALLOWED;
    &["per_context_5472"], RESTART_ONLY, "t1.callout_add10.fails" => Fail, CALLOUT_SWALLOWED;
    &["per_context_5472"], RESTART_ONLY, "t1.callout_add*.fails" => Pass, SURVIVES;
    &["per_context_4192", "per_context_5472"], RESTART_ONLY, "t1.callout_add*.fails_after_effect" => Pass, SURVIVES;
    &["*"], RESTART_ONLY, "t1.callout_add7.fails" => Fail, CALLOUT_SWALLOWED;
    &["*"], RESTART_ONLY, "t1.callout_add11.fails" => Fail, CALLOUT_SWALLOWED;
    &["*"], RESTART_ONLY, "t1.callout_add12.fails" => Fail, CALLOUT_SWALLOWED;
    &["*"], RESTART_ONLY, "t1.callout_add7.fails_after_effect" => Fail, CALLOUT_ADD_LOST;
    &["*"], RESTART_ONLY, "t1.callout_add11.fails_after_effect" => Fail, CALLOUT_ADD_LOST;
    &["*"], RESTART_ONLY, "t1.callout_add12.fails_after_effect" => Fail, CALLOUT_ADD_LOST;
    &["retry"], RESTART_ONLY, "t0.begin*.fails_after_effect" => Fail, BEGIN_LOST_RETRY;
    &["retry"], RESTART_ONLY, "t1.begin*.fails_after_effect" => Fail, BEGIN_LOST_RETRY;
    GLOBAL_HANDLE, RESTART_ONLY, "t0.begin*.fails_after_effect" => Fail, BEGIN_LOST_GLOBAL;
    GLOBAL_HANDLE, RESTART_ONLY, "t1.begin*.fails_after_effect" => Fail, BEGIN_LOST_GLOBAL;
    &["per_thread_handle"], RESTART_ONLY, "t0.begin*.fails_after_effect" => Fail, BEGIN_LOST_THREAD;
    &["per_thread_handle"], RESTART_ONLY, "t1.begin*.fails_after_effect" => Fail, BEGIN_LOST_THREAD;
    &["per_context_dynamic"], RESTART_ONLY, "t1.commit*.fails_after_effect" => Pass, COMMIT_REPLY_LOST_DYNAMIC;
    &["*"], RESTART_ONLY, "t1.commit*.fails_after_effect" => Fail, COMMIT_LOST;
    // Start-up (the main thread's calls before the threads start). A fault that persists
    // fails start-up's first call of its kind.
    &["*"], &["*"], exactly "main.engine_open*.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], exactly "main.begin*.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], exactly "main.provider_add*.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], exactly "main.commit*.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], exactly "main.callout_add*.fails" => Fail, CALLOUT_ADDS_SWALLOWED;
    &["retry_unbounded"], &["*"], "main.engine_open1.fails" => Fail, START_UP_SPINS;
    &["retry_unbounded"], &["*"], "main.begin1.fails" => Fail, START_UP_SPINS;
    &["retry_unbounded"], &["*"], "main.provider_add1.fails" => Fail, START_UP_SPINS;
    &["retry_unbounded"], &["*"], "main.sublayer_add*.fails" => Fail, START_UP_SPINS;
    &["retry_unbounded"], &["*"], "main.callout_register*.fails" => Fail, START_UP_SPINS;
    &["retry_unbounded"], &["*"], "main.commit1.fails" => Fail, START_UP_SPINS;
    &["*"], &["*"], "main.engine_open1.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], "main.begin1.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], "main.provider_add1.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], "main.sublayer_add*.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], "main.callout_register*.fails" => Fail, START_UP_IGNORED;
    &["*"], &["*"], "main.commit1.fails" => Fail, START_UP_IGNORED;
    &["retry_unbounded"], &["*"], "main.engine_open1.fails_after_effect" => Fail, START_UP_LOST_REPLY_SPINS;
    &["retry_unbounded"], &["*"], "main.begin1.fails_after_effect" => Fail, START_UP_LOST_REPLY_SPINS;
    &["retry_unbounded"], &["*"], "main.provider_add1.fails_after_effect" => Fail, START_UP_LOST_REPLY_SPINS;
    &["retry_unbounded"], &["*"], "main.sublayer_add*.fails_after_effect" => Fail, START_UP_LOST_REPLY_SPINS;
    &["retry_unbounded"], &["*"], "main.callout_register*.fails_after_effect" => Fail, START_UP_LOST_REPLY_SPINS;
    &["retry_unbounded"], &["*"], "main.commit1.fails_after_effect" => Fail, START_UP_LOST_REPLY_SPINS;
    &["*"], &["*"], "main.engine_open1.fails_after_effect" => Fail, START_UP_LOST_REPLY;
    &["*"], &["*"], "main.begin1.fails_after_effect" => Fail, START_UP_LOST_REPLY;
    &["*"], &["*"], "main.provider_add1.fails_after_effect" => Fail, START_UP_LOST_REPLY;
    &["*"], &["*"], "main.sublayer_add*.fails_after_effect" => Fail, START_UP_LOST_REPLY;
    &["*"], &["*"], "main.callout_register*.fails_after_effect" => Fail, START_UP_LOST_REPLY;
    &["*"], &["*"], "main.commit1.fails_after_effect" => Fail, START_UP_LOST_REPLY;
    // The callouts connect4's filters name (AUTH_CONNECT_V4, CONNECT_REDIRECT_V4 and _V6)
    // and connect6's (AUTH_CONNECT_V6, CONNECT_REDIRECT_V6): 7, 11, 12 and 8, 12 of the 14
    // callouts, 5, 9, 10 and 6, 10 of #5472's 16.
    &["per_context_5472"], &["*"], "main.callout_add5.fails" => Fail, CALLOUT_SWALLOWED;
    &["per_context_5472"], CONNECT_BOTH, "main.callout_add6.fails" => Fail, CALLOUT_SWALLOWED;
    &["per_context_5472"], &["*"], "main.callout_add9.fails" => Fail, CALLOUT_SWALLOWED;
    &["per_context_5472"], &["*"], "main.callout_add10.fails" => Fail, CALLOUT_SWALLOWED;
    &["per_context_5472"], &["*"], "main.callout_add*.fails" => Pass, SURVIVES;
    &["*"], &["*"], "main.callout_add7.fails" => Fail, CALLOUT_SWALLOWED;
    &["*"], CONNECT_BOTH, "main.callout_add8.fails" => Fail, CALLOUT_SWALLOWED;
    &["*"], &["*"], "main.callout_add11.fails" => Fail, CALLOUT_SWALLOWED;
    &["*"], &["*"], "main.callout_add12.fails" => Fail, CALLOUT_SWALLOWED;
    &["per_context_4192", "per_context_5472"], &["*"], "main.callout_add*.fails_after_effect" => Pass, SURVIVES;
    &["*"], &["*"], "main.callout_add7.fails_after_effect" => Fail, CALLOUT_ADD_LOST;
    &["*"], CONNECT_BOTH, "main.callout_add8.fails_after_effect" => Fail, CALLOUT_ADD_LOST;
    &["*"], &["*"], "main.callout_add11.fails_after_effect" => Fail, CALLOUT_ADD_LOST;
    &["*"], &["*"], "main.callout_add12.fails_after_effect" => Fail, CALLOUT_ADD_LOST;
    // The worker threads.
    &["retry_unbounded"], &["*"], exactly "t0.begin*.fails" => Fail, BEGIN_FAILS_SPINS;
    &["retry_unbounded"], &["*"], exactly "t1.begin*.fails" => Fail, BEGIN_FAILS_SPINS;
    &["*"], &["attach_detach"], exactly "t0.begin*.fails" => Vacuous, NO_DETACH;
    &["*"], &["attach_detach"], exactly "t0.commit*.fails" => Vacuous, NO_DETACH;
    &["*"], &["attach_detach"], exactly "t0.engine_open*.fails" => Vacuous, NO_DETACH;
    &["per_context_5472"], &["attach_detach"], exactly "t0.filter_delete*.fails" => Fail, DELETE_TRIES_RUN_OUT;
    &["per_context_5472"], &["attach_detach"], exactly "t0.filter_delete*.times_out" => Fail, DELETE_TRIES_RUN_OUT;
    &["per_context_dynamic"], &["attach_detach"], "t0.commit1.fails_after_effect" => Vacuous, NO_DETACH;
    &["per_context_dynamic"], &["*"], "t0.commit1.fails_after_effect" => Pass, COMMIT_REPLY_LOST_DYNAMIC;
    &["per_context_dynamic"], &["*"], "t1.commit1.fails_after_effect" => Pass, COMMIT_REPLY_LOST_DYNAMIC;
    &["*"], &["*"], "t0.commit1.fails_after_effect" => Fail, COMMIT_LOST;
    &["*"], &["*"], "t1.commit1.fails_after_effect" => Fail, COMMIT_LOST;
    &["retry_unbounded"], &["*"], "t0.begin*.fails_after_effect" => Fail, BEGIN_LOST_SPINS;
    &["retry_unbounded"], &["*"], "t1.begin*.fails_after_effect" => Fail, BEGIN_LOST_SPINS;
    &["global_lock", "global_lock_add_only", "provider_lock"], &["*"], "t0.begin1.fails_after_effect" => Fail, BEGIN_LOST_GLOBAL;
    &["global_lock", "global_lock_add_only", "provider_lock"], &["*"], "t1.begin1.fails_after_effect" => Fail, BEGIN_LOST_GLOBAL;
    &["per_thread_handle"], &["*"], "t0.begin1.fails_after_effect" => Fail, BEGIN_LOST_THREAD;
    &["per_thread_handle"], &["*"], "t1.begin1.fails_after_effect" => Fail, BEGIN_LOST_THREAD;
    &["*"], &["attach_detach"], "t0.begin1.fails_after_effect" => Vacuous, NO_DETACH;
    &["*"], &["attach_detach"], "t0.filter_add*.fails_after_effect" => Vacuous, NO_DETACH;
    &["per_operation_handle"], &["attach_detach"], "t0.engine_open2.fails_after_effect" => Fail, DETACH_OPEN_LOST;
    &["*"], &["*"], "t0.engine_open*.fails_after_effect" => Fail, SESSION_REPLY_LOST;
    &["*"], &["*"], "t1.engine_open*.fails_after_effect" => Fail, SESSION_REPLY_LOST;
    &["*"], &["attach_detach"], "t0.begin1.fails" => Vacuous, NO_DETACH;
    &["*"], &["attach_detach"], "t0.commit1.fails" => Vacuous, NO_DETACH;
    &["*"], &["attach_detach"], "t0.filter_add*.fails" => Vacuous, NO_DETACH;
    &["*"], &["attach_detach"], "t0.engine_open1.fails" => Vacuous, NO_DETACH;
    &["per_operation_handle"], &["attach_detach"], "t0.engine_open2.fails" => Fail, DETACH_OPEN_FAILS;
    BEFORE_5472, &["attach_detach"], "t0.filter_delete*.fails" => Fail, DETACH_DELETE_ONCE;
    BEFORE_5472, &["attach_detach"], "t0.filter_delete*.times_out" => Fail, DETACH_DELETE_ONCE;
    // Unload (the main thread's calls after the threads end).
    TRIES_AT_UNLOAD, &["*"], exactly "main.callout_delete*.fails" => Fail, UNLOAD_TRIES_RUN_OUT;
    TRIES_AT_UNLOAD, &["*"], exactly "main.sublayer_delete*.fails" => Fail, UNLOAD_TRIES_RUN_OUT;
    TRIES_AT_UNLOAD, &["*"], exactly "main.provider_delete*.fails" => Fail, UNLOAD_TRIES_RUN_OUT;
    TRIES_AT_UNLOAD, &["*"], exactly "main.callout_unregister*.fails" => Fail, UNLOAD_TRIES_RUN_OUT;
    TRIES_AT_UNLOAD, &["*"], exactly "main.callout_unregister*.in_use" => Fail, UNLOAD_TRIES_RUN_OUT;
    &["per_context_5472"], &["*"], exactly "main.filter_delete*.fails" => Fail, DELETE_TRIES_RUN_OUT;
    &["per_operation_handle", "per_thread_handle"], &["*"], "main.engine_open*.fails" => Fail, UNLOAD_OPEN_FAILS;
    &["per_operation_handle", "per_thread_handle"], &["*"], "main.engine_open*.fails_after_effect" => Fail, UNLOAD_OPEN_LOST;
    BEFORE_5472, &["*"], "main.filter_delete*.fails" => Fail, UNLOAD_DELETE_ONCE;
    STATIC_DELETED_ONCE, &["*"], "main.callout_delete*.fails" => Fail, OBJECT_DELETED_ONCE;
    STATIC_DELETED_ONCE, &["*"], "main.sublayer_delete*.fails" => Fail, OBJECT_DELETED_ONCE;
    STATIC_DELETED_ONCE, &["*"], "main.provider_delete*.fails" => Fail, OBJECT_DELETED_ONCE;
    BEFORE_4192, &["*"], "main.callout_unregister*.fails" => Fail, UNREGISTER_IGNORED;
    BEFORE_4192, &["*"], "main.callout_unregister*.in_use" => Fail, UNREGISTER_IGNORED;
};

/// `*` is every name, `!name` excepts one.
fn names_match(names: &[&str], name: &str) -> bool {
    let excepted = names.iter().any(|n| n.strip_prefix('!') == Some(name));
    !excepted && names.iter().any(|n| *n == "*" || *n == name)
}

/// Whether a declared fault pattern matches a plan's faults, one to one in order.
pub fn faults_match(pattern: &str, plan: &str) -> bool {
    let (Ok(pattern), Ok(plan)) = (FaultPlan::parse(pattern), FaultPlan::parse(plan)) else { return false };
    pattern.faults().len() == plan.faults().len()
        && pattern.faults().iter().zip(plan.faults()).all(|(p, f)| {
            p.actor == f.actor
                && p.kind == f.kind
                && p.fault == f.fault
                && (p.occurrence == Occurrence::Every || p.occurrence == f.occurrence)
        })
}

/// Whether a declaration names this design, scenario and plan.
pub fn sweep_matches(declared: &SweepDeclared, design: &str, scenario: &str, plan: &str) -> bool {
    let exact = !declared.exactly || FaultPlan::parse(declared.faults) == FaultPlan::parse(plan);
    exact
        && names_match(declared.designs, design)
        && names_match(declared.scenarios, scenario)
        && faults_match(declared.faults, plan)
}

/// The declaration a sweep plan matches, if one does.
pub fn sweep_declared(design: &str, scenario: &str, plan: &str) -> Option<&'static SweepDeclared> {
    SWEEP.iter().find(|d| sweep_matches(d, design, scenario, plan))
}

/// The declared verdict of a sweep plan and why.
pub fn sweep_expected(design: &str, scenario: &str, plan: &str) -> (Verdict, &'static str) {
    sweep_declared(design, scenario, plan).map_or((Verdict::Pass, SURVIVES), |d| (d.verdict, d.reason))
}
