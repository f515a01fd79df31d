//! The declared verdict of every design x scenario x plan, and why. The gate fails when
//! an observed verdict differs from the declared one.
//!
//! An entry's `plan` is a plan name or `*` (every plan of the scenario); its `checker` is
//! one checker or `None` (every checker). The most specific entry applies. A verdict that
//! differs between loom and shuttle is declared per checker, with the reason: that is a
//! disagreement the explorers have on purpose, not one hidden.

use crate::explore::Verdict;
use crate::sync::Checker;

/// One declared verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub design: &'static str,
    pub scenario: &'static str,
    pub plan: &'static str,
    pub checker: Option<Checker>,
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
                              (W3, W7): the filter stays in the engine and its reference is never released (#5486)";
const ONE_SPINNER: &str = "with one retrying thread, loom's yield and shuttle's PCT let the other transaction finish: \
                           the pass rests on that fairness";
const TWO_SPINNERS: &str = "with two retrying threads an unfair schedule lets them take turns failing Begin while the \
                            transaction they wait for never finishes: 200 calls without progress";

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
    "naive" "attach_detach" "*" None => Fail: W8_DETACH;
    "naive" "same_provider" "*" None => Fail: W5_RACE;
    "naive" "three_attach" "*" None => Fail: W5_RACE;

    "provider_lock" "two_attach" "*" None => Fail: PROVIDER_LOCK_RACE;
    "provider_lock" "attach_detach" "*" None => Fail: W8_DETACH;
    "provider_lock" "same_provider" "none" None => Pass: SERIALISED;
    "provider_lock" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "provider_lock" "three_attach" "*" None => Fail: PROVIDER_LOCK_RACE;

    "retry" "two_attach" "*" None => Fail: RETRY_RACE;
    "retry" "attach_detach" "*" None => Fail: W8_DETACH;
    "retry" "same_provider" "*" None => Fail: RETRY_RACE;
    "retry" "three_attach" "*" None => Fail: RETRY_RACE;

    "retry_unbounded" "two_attach" "*" None => Pass: ONE_SPINNER;
    "retry_unbounded" "two_attach" "t1.begin1.times_out" None => Vacuous: NO_WAIT_SHARED;
    "retry_unbounded" "two_attach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "two_attach" "t1.begin1.times_out" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "attach_detach" "*" None => Fail: W8_DETACH;
    "retry_unbounded" "same_provider" "none" None => Pass: ONE_SPINNER;
    "retry_unbounded" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_SHARED;
    "retry_unbounded" "same_provider" "none" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "same_provider" "t1.begin1.times_out" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "retry_unbounded" "three_attach" "*" None => Fail: TWO_SPINNERS;

    "global_lock" "two_attach" "*" None => Pass: SERIALISED;
    "global_lock" "two_attach" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock" "attach_detach" "*" None => Pass: SERIALISED;
    "global_lock" "attach_detach" "t0.filter_delete1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock" "same_provider" "none" None => Pass: SERIALISED;
    "global_lock" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock" "three_attach" "*" None => Pass: SERIALISED;
    "global_lock" "three_attach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;

    "global_lock_add_only" "two_attach" "*" None => Pass: SERIALISED;
    "global_lock_add_only" "two_attach" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock_add_only" "attach_detach" "*" None => Fail: W8_DETACH;
    "global_lock_add_only" "same_provider" "none" None => Pass: SERIALISED;
    "global_lock_add_only" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "global_lock_add_only" "three_attach" "*" None => Pass: SERIALISED;
    "global_lock_add_only" "three_attach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;

    "per_context_handle" "two_attach" "*" None => Pass: SESSIONS;
    "per_context_handle" "two_attach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "per_context_handle" "attach_detach" "*" None => Pass: SESSIONS;
    "per_context_handle" "attach_detach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "per_context_handle" "attach_detach" "t0.filter_delete1.times_out" None => Fail: DETACH_TIMEOUT;
    "per_context_handle" "same_provider" "none" None => Pass: SERIALISED;
    "per_context_handle" "same_provider" "t1.begin1.times_out" None => Vacuous: NO_WAIT_LOCKED;
    "per_context_handle" "three_attach" "*" None => Pass: SESSIONS;
    "per_context_handle" "three_attach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;

    "per_context_dynamic" "two_attach" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "two_attach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "attach_detach" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "attach_detach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "attach_detach" "t0.filter_delete1.times_out" None => Fail: DETACH_TIMEOUT;
    "per_context_dynamic" "same_provider" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "same_provider" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;
    "per_context_dynamic" "three_attach" "*" None => Pass: SESSIONS;
    "per_context_dynamic" "three_attach" "*" Some(Checker::Shuttle) => Sampled: SAMPLED;
};

/// The declared verdict for one exploration: the most specific entry that matches.
pub fn expected(design: &str, scenario: &str, plan: &str, checker: Checker) -> Option<&'static Expected> {
    EXPECTED
        .iter()
        .filter(|e| e.design == design && e.scenario == scenario)
        .filter(|e| e.plan == "*" || e.plan == plan)
        .filter(|e| e.checker.is_none() || e.checker == Some(checker))
        .max_by_key(|e| (e.plan != "*", e.checker.is_some()))
}
