//! The WFP engine model, rule by rule: one test per rule W1-W15 of `docs/wfp-semantics.md`,
//! named after its id, and one per non-default reading of each assumption
//! (`model/assumptions.rs`), named after it. Runs in the std build (real threads where a
//! rule needs two).

#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use wfpcheck::assumptions::Readings;
use wfpcheck::wfp::faults::{FaultKind, FaultPlan};
use wfpcheck::wfp::{
    Actor, CallKind, Engine, EngineEvent, FilterId, FilterSpec, Handle, Recorder, SessionOptions, Status, TxnWait,
};

const T0: Actor = Actor::Thread(0);
const T1: Actor = Actor::Thread(1);
const STATIC_INFINITE: SessionOptions = SessionOptions { dynamic: false, txn_wait: TxnWait::Infinite };
const DYNAMIC_INFINITE: SessionOptions = SessionOptions { dynamic: true, txn_wait: TxnWait::Infinite };

/// What an engine recorded, in order: the engine's rules need nothing of netebpfext's log.
#[derive(Clone, Default)]
struct Recorded(Arc<std::sync::Mutex<Vec<(Actor, EngineEvent)>>>);

impl Recorder for Recorded {
    fn record(&self, actor: Actor, event: EngineEvent) {
        self.0.lock().expect("no test panicked while recording").push((actor, event));
    }
}

impl Recorded {
    fn events(&self) -> Vec<(Actor, EngineEvent)> {
        self.0.lock().expect("no test panicked while recording").clone()
    }
}

fn engine() -> Engine {
    Engine::new(Recorded::default(), FaultPlan::NONE)
}

fn engine_with(plan: FaultPlan) -> Engine {
    Engine::new(Recorded::default(), plan)
}

/// An engine, and what it records.
fn recorded_engine() -> (Arc<Engine>, Recorded) {
    let recorded = Recorded::default();
    (Arc::new(Engine::new(recorded.clone(), FaultPlan::NONE)), recorded)
}

/// A provider, a sublayer and a callout, added in `session`.
fn objects(engine: &Engine, session: Handle) {
    engine.provider_add(T0, session, "provider").unwrap();
    engine.sublayer_add(T0, session, "sublayer", Some("provider")).unwrap();
    engine.callout_add(T0, session, "callout", Some("provider")).unwrap();
}

fn filter(context: u64) -> FilterSpec {
    FilterSpec {
        layer: "ALE_AUTH_CONNECT_V4",
        sublayer: "sublayer",
        provider: Some("provider"),
        callout: Some("callout"),
        raw_context: context,
    }
}

fn filters(engine: &Engine) -> Vec<FilterId> {
    engine.summary().filters.iter().map(|(id, _)| *id).collect()
}

/// Waits (with real threads) until `count` calls wait for the transaction lock.
fn until_waiting(engine: &Engine, count: usize) {
    for _ in 0..1_000_000 {
        if engine.summary().waiters == count {
            return;
        }
        std::thread::yield_now();
    }
    panic!("{count} call(s) never started to wait");
}

#[test]
fn w1_engine_open_gives_a_new_session_and_close_ends_it() {
    let engine = engine();
    let a = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    let b = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    assert_ne!(a, b);
    assert_eq!(engine.summary().open_sessions, vec![a, b]);
    engine.engine_close(T0, a).unwrap();
    assert_eq!(engine.summary().open_sessions, vec![b]);
}

#[test]
fn w1_closing_a_session_aborts_its_open_transaction() {
    let engine = engine();
    let setup = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, setup);
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    engine.transaction_begin(T0, session).unwrap();
    engine.filter_add(T0, session, filter(1)).unwrap();
    engine.engine_close(T0, session).unwrap();
    let end = engine.summary();
    assert!(end.open_txns.is_empty() && end.lock_holder.is_none());
    assert!(end.filters.is_empty(), "the aborted transaction's filter must not exist");
}

#[test]
fn w2_a_dynamic_sessions_objects_go_when_it_ends() {
    let engine = engine();
    let session = engine.engine_open(T0, SessionOptions::DYNAMIC).unwrap();
    objects(&engine, session);
    engine.filter_add(T0, session, filter(1)).unwrap();
    assert_eq!(engine.summary().objects.len(), 4);
    engine.engine_close(T0, session).unwrap();
    assert_eq!(engine.summary().objects, Vec::<String>::new());
}

#[test]
fn w2_a_static_sessions_objects_stay_after_it_ends() {
    let engine = engine();
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, session);
    engine.filter_add(T0, session, filter(1)).unwrap();
    engine.engine_close(T0, session).unwrap();
    assert_eq!(engine.summary().objects.len(), 4);
}

#[test]
fn w3_wait_timeout_zero_is_the_default_and_infinite_never_times_out() {
    assert_eq!(TxnWait::from_msec(0), TxnWait::SystemDefault);
    assert_eq!(TxnWait::from_msec(u32::MAX), TxnWait::Infinite);
    assert_eq!(TxnWait::from_msec(500), TxnWait::Millis(500));
    assert_eq!(SessionOptions::NULL.txn_wait, TxnWait::NullSession);
    assert!(TxnWait::NullSession.can_time_out(), "by default a NULL session waits as the system default");
    assert!(TxnWait::SystemDefault.can_time_out());
    assert!(!TxnWait::Infinite.can_time_out());

    // A planned timeout fires on a session with the default wait ...
    let plan = FaultPlan::one(T1, CallKind::TransactionBegin, 1, FaultKind::TimesOut);
    let engine = engine_with(plan.clone());
    let holder = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    let waiter = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    engine.transaction_begin(T0, holder).unwrap();
    assert_eq!(engine.transaction_begin(T1, waiter), Err(Status::Timeout));

    // ... and not on an INFINITE one: that Begin waits until the lock is released.
    let engine = std::sync::Arc::new(engine_with(plan));
    let holder = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    let waiter = engine.engine_open(T1, STATIC_INFINITE).unwrap();
    engine.transaction_begin(T0, holder).unwrap();
    let begin = std::thread::spawn({
        let engine = engine.clone();
        move || engine.transaction_begin(T1, waiter)
    });
    until_waiting(&engine, 1);
    engine.transaction_commit(T0, holder).unwrap();
    assert_eq!(begin.join().unwrap(), Ok(()));
}

#[test]
fn w4_a_closed_handle_is_an_error_never_a_success() {
    let engine = engine();
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    engine.engine_close(T0, session).unwrap();
    assert_eq!(engine.transaction_begin(T0, session), Err(Status::InvalidHandle));
    assert_eq!(engine.provider_add(T0, session, "provider"), Err(Status::InvalidHandle));
    assert_eq!(engine.engine_close(T0, session), Err(Status::InvalidHandle));
    let never_opened = wfpcheck::wfp::SessionId::never_opened(99);
    assert_eq!(engine.transaction_commit(T0, never_opened), Err(Status::InvalidHandle));
}

#[test]
fn w5_second_begin_on_a_session_fails() {
    let engine = engine();
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    engine.transaction_begin(T0, session).unwrap();
    let second = engine.transaction_begin(T0, session);
    assert_eq!(second, Err(Status::TxnInProgress));
    assert_eq!(
        second.unwrap_err().to_string(),
        "0xC022000E: The call is not allowed from within an explicit transaction."
    );
}

#[test]
fn w5_the_check_is_per_session_not_per_thread() {
    let engine = std::sync::Arc::new(engine());
    let shared = engine.engine_open(T0, SessionOptions::DYNAMIC).unwrap();
    engine.transaction_begin(T0, shared).unwrap();
    let other_thread = std::thread::spawn({
        let engine = engine.clone();
        move || engine.transaction_begin(T1, shared)
    });
    assert_eq!(other_thread.join().unwrap(), Err(Status::TxnInProgress));
}

#[test]
fn w6_begin_waits_for_another_sessions_transaction() {
    let (engine, recorded) = recorded_engine();
    let a = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    let b = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    engine.transaction_begin(T0, a).unwrap();
    let begin = std::thread::spawn({
        let engine = engine.clone();
        move || engine.transaction_begin(T1, b)
    });
    until_waiting(&engine, 1);
    assert_eq!(engine.summary().lock_holder, Some(a));
    engine.transaction_commit(T0, a).unwrap();
    assert_eq!(begin.join().unwrap(), Ok(()));
    assert_eq!(engine.summary().lock_holder, Some(b));
    let waited = recorded.events().iter().any(|(actor, event)| {
        *actor == T1
            && matches!(event, EngineEvent::Wait { kind: CallKind::TransactionBegin, holder, .. } if *holder == a)
    });
    assert!(waited, "the log records that t1's Begin waited for {a}");
}

#[test]
fn w6_a_waiting_begin_times_out_when_the_plan_says_so() {
    let engine = engine_with(FaultPlan::one(T1, CallKind::TransactionBegin, 1, FaultKind::TimesOut));
    let a = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    let b = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    engine.transaction_begin(T0, a).unwrap();
    let timed_out = engine.transaction_begin(T1, b);
    assert_eq!(timed_out, Err(Status::Timeout));
    assert_eq!(timed_out.unwrap_err().code(), 0xC022_0012);
    // A Begin that does not have to wait is not touched by a timeout fault.
    let engine = engine_with(FaultPlan::one(T1, CallKind::TransactionBegin, 1, FaultKind::TimesOut));
    let b = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    assert_eq!(engine.transaction_begin(T1, b), Ok(()));
}

#[test]
fn w7_an_implicit_call_waits_for_the_lock_too() {
    let engine = std::sync::Arc::new(engine());
    let setup = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, setup);
    let a = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    let b = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    engine.transaction_begin(T0, a).unwrap();
    let add = std::thread::spawn({
        let engine = engine.clone();
        move || engine.filter_add(T1, b, filter(2))
    });
    until_waiting(&engine, 1);
    assert!(filters(&engine).is_empty(), "the implicit add has not run");
    engine.transaction_commit(T0, a).unwrap();
    let id = add.join().unwrap().unwrap();
    assert_eq!(filters(&engine), vec![id], "the implicit add took effect at once after the wait");

    let engine = engine_with(FaultPlan::one(T1, CallKind::FilterDelete, 1, FaultKind::TimesOut));
    let setup = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, setup);
    let id = engine.filter_add(T0, setup, filter(1)).unwrap();
    engine.transaction_begin(T0, setup).unwrap();
    let b = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    assert_eq!(engine.filter_delete_by_id(T1, b, id), Err(Status::Timeout));
}

#[test]
fn w8_a_call_on_a_shared_session_joins_its_transaction_whichever_thread_makes_it() {
    for commit in [true, false] {
        let (engine, recorded) = recorded_engine();
        let shared = engine.engine_open(T0, SessionOptions::DYNAMIC).unwrap();
        objects(&engine, shared);
        engine.transaction_begin(T0, shared).unwrap();
        let joined = std::thread::spawn({
            let engine = engine.clone();
            move || engine.filter_add(T1, shared, filter(2))
        });
        let id = joined.join().unwrap().unwrap();
        assert!(filters(&engine).is_empty(), "t1's add is part of t0's transaction: invisible until it commits");
        let landed = recorded.events().into_iter().find_map(|(actor, event)| match event {
            EngineEvent::Call(call) if actor == T1 && call.kind == CallKind::FilterAdd => call.txn,
            _ => None,
        });
        assert_eq!(landed.map(|txn| txn.began_by), Some(T0), "t1's call ran inside t0's transaction");
        if commit {
            engine.transaction_commit(T0, shared).unwrap();
            assert_eq!(filters(&engine), vec![id]);
        } else {
            engine.transaction_abort(T0, shared).unwrap();
            assert!(filters(&engine).is_empty(), "t0's abort undid t1's add");
        }
    }
}

#[test]
fn w9_commit_or_abort_without_a_transaction_fails() {
    let engine = engine();
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    assert_eq!(engine.transaction_commit(T0, session), Err(Status::NoTxnInProgress));
    assert_eq!(engine.transaction_abort(T0, session), Err(Status::NoTxnInProgress));
    assert_eq!(Status::NoTxnInProgress.code(), 0xC022_000D);
}

#[test]
fn w10_a_failed_call_does_not_abort_the_transaction() {
    let engine = engine_with(FaultPlan::one(T0, CallKind::FilterAdd, 2, FaultKind::Fails));
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, session);
    engine.transaction_begin(T0, session).unwrap();
    let first = engine.filter_add(T0, session, filter(1)).unwrap();
    assert_eq!(engine.filter_add(T0, session, filter(1)), Err(Status::InsufficientResources));
    let mut missing = filter(1);
    missing.sublayer = "no such sublayer";
    assert_eq!(engine.filter_add(T0, session, missing), Err(Status::SublayerNotFound));
    assert_eq!(engine.summary().open_txns.len(), 1, "the transaction is still open");
    engine.transaction_commit(T0, session).unwrap();
    assert_eq!(filters(&engine), vec![first], "commit keeps what succeeded");
}

#[test]
fn w11_commit_applies_everything_at_once_and_abort_discards_everything() {
    let engine = engine();
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, session);
    engine.transaction_begin(T0, session).unwrap();
    let a = engine.filter_add(T0, session, filter(1)).unwrap();
    let b = engine.filter_add(T0, session, filter(1)).unwrap();
    assert!(filters(&engine).is_empty(), "nothing is visible before commit");
    engine.transaction_commit(T0, session).unwrap();
    assert_eq!(filters(&engine), vec![a, b]);

    engine.transaction_begin(T0, session).unwrap();
    engine.filter_delete_by_id(T0, session, a).unwrap();
    engine.filter_add(T0, session, filter(1)).unwrap();
    engine.transaction_abort(T0, session).unwrap();
    assert_eq!(filters(&engine), vec![a, b], "abort discarded the delete and the add");
}

#[test]
fn w12_a_transaction_never_ended_blocks_other_sessions_until_they_time_out() {
    let plan = FaultPlan::new(vec![
        wfpcheck::wfp::faults::Fault {
            actor: T1,
            kind: CallKind::TransactionBegin,
            occurrence: wfpcheck::wfp::faults::Occurrence::Nth(1),
            fault: FaultKind::TimesOut,
        },
        wfpcheck::wfp::faults::Fault {
            actor: T1,
            kind: CallKind::ProviderAdd,
            occurrence: wfpcheck::wfp::faults::Occurrence::Nth(1),
            fault: FaultKind::TimesOut,
        },
    ]);
    let engine = engine_with(plan);
    let stuck = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    engine.transaction_begin(T0, stuck).unwrap();
    let other = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    assert_eq!(engine.transaction_begin(T1, other), Err(Status::Timeout));
    assert_eq!(engine.provider_add(T1, other, "p"), Err(Status::Timeout));
    assert_eq!(engine.summary().lock_holder, Some(stuck), "nothing forcibly aborts it");
}

#[test]
fn w13_a_filter_naming_a_missing_object_fails() {
    let engine = engine();
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    assert_eq!(engine.sublayer_add(T0, session, "sublayer", Some("provider")), Err(Status::ProviderNotFound));
    objects(&engine, session);
    let mut spec = filter(1);
    spec.callout = Some("missing callout");
    assert_eq!(engine.filter_add(T0, session, spec), Err(Status::CalloutNotFound));
    let mut spec = filter(1);
    spec.sublayer = "missing sublayer";
    assert_eq!(engine.filter_add(T0, session, spec), Err(Status::SublayerNotFound));
    let mut spec = filter(1);
    spec.provider = Some("missing provider");
    assert_eq!(engine.filter_add(T0, session, spec), Err(Status::ProviderNotFound));
    assert_eq!(engine.provider_add(T0, session, "provider"), Err(Status::AlreadyExists));
    assert!(engine.filter_add(T0, session, filter(1)).is_ok());
}

#[test]
fn w14_delete_by_id_rules() {
    let engine = engine();
    let static_session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, static_session);
    let static_filter = engine.filter_add(T0, static_session, filter(1)).unwrap();
    let dynamic_a = engine.engine_open(T0, DYNAMIC_INFINITE).unwrap();
    let dynamic_b = engine.engine_open(T0, DYNAMIC_INFINITE).unwrap();
    let a_filter = engine.filter_add(T0, dynamic_a, filter(2)).unwrap();

    assert_eq!(
        engine.filter_delete_by_id(T0, static_session, wfpcheck::wfp::FilterId::never_added(99)),
        Err(Status::FilterNotFound)
    );
    assert_eq!(engine.filter_delete_by_id(T0, dynamic_b, a_filter), Err(Status::WrongSession));
    assert_eq!(engine.filter_delete_by_id(T0, dynamic_a, static_filter), Err(Status::DynamicSessionInProgress));
    assert_eq!(engine.filter_delete_by_id(T0, dynamic_a, a_filter), Ok(()));
    assert_eq!(engine.filter_delete_by_id(T0, static_session, static_filter), Ok(()));
    // Deleting an object another object refers to: STATUS_FWP_IN_USE.
    let again = engine.filter_add(T0, static_session, filter(3)).unwrap();
    assert_eq!(engine.sublayer_delete_by_key(T0, static_session, "sublayer"), Err(Status::InUse));
    engine.filter_delete_by_id(T0, static_session, again).unwrap();
    engine.callout_delete_by_key(T0, static_session, "callout").unwrap();
    engine.sublayer_delete_by_key(T0, static_session, "sublayer").unwrap();
    engine.provider_delete_by_key(T0, static_session, "provider").unwrap();
    assert_eq!(engine.provider_delete_by_key(T0, static_session, "provider"), Err(Status::ProviderNotFound));
}

#[test]
fn w15_an_object_cannot_refer_to_a_shorter_lived_one() {
    let engine = engine();
    let dynamic_global = engine.engine_open(T0, SessionOptions::DYNAMIC).unwrap();
    objects(&engine, dynamic_global);
    let static_context = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    let dynamic_context = engine.engine_open(T1, SessionOptions::DYNAMIC).unwrap();
    assert_eq!(engine.filter_add(T1, static_context, filter(1)), Err(Status::LifetimeMismatch));
    assert_eq!(engine.filter_add(T1, dynamic_context, filter(1)), Err(Status::LifetimeMismatch));
    assert!(engine.filter_add(T0, dynamic_global, filter(1)).is_ok(), "same dynamic session");

    let engine = wfpcheck::wfp::Engine::new(Recorded::default(), FaultPlan::NONE);
    let static_global = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, static_global);
    let dynamic_context = engine.engine_open(T1, SessionOptions::DYNAMIC).unwrap();
    let static_context = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    assert!(engine.filter_add(T1, dynamic_context, filter(1)).is_ok(), "dynamic may refer to static");
    assert!(engine.filter_add(T1, static_context, filter(1)).is_ok(), "static may refer to static");
}

/// `fails_after_effect`: the call does what it does and returns `RPC_NT_CALL_FAILED`
/// all the same (#5486's delete): an implicit add's filter is committed, a commit's
/// transaction ends committed, a delete's filter is gone, an unregister's callout is
/// gone, an open's session is open; a call that fails of itself is untouched.
#[test]
fn a_call_that_fails_after_its_effect_keeps_the_effect() {
    let plan = |text: &str| FaultPlan::parse(text).expect("a plan");
    let lost = Err(Status::RpcCallFailed);

    let engine = engine_with(plan("t0.filter_add1.fails_after_effect+t0.filter_delete1.fails_after_effect"));
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, session);
    assert_eq!(engine.filter_add(T0, session, filter(1)).map(|_| ()), lost);
    let added = filters(&engine);
    assert_eq!(added.len(), 1, "the implicit add took effect");
    assert_eq!(engine.filter_delete_by_id(T0, session, added[0]), lost);
    assert!(filters(&engine).is_empty(), "the delete took effect");
    assert_eq!(engine.filter_delete_by_id(T0, session, added[0]), Err(Status::FilterNotFound), "as a retry finds");

    let engine = engine_with(plan("t0.commit1.fails_after_effect"));
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    objects(&engine, session);
    engine.transaction_begin(T0, session).unwrap();
    let id = engine.filter_add(T0, session, filter(1)).unwrap();
    assert_eq!(engine.transaction_commit(T0, session), lost);
    assert_eq!(filters(&engine), vec![id], "the commit took effect");
    assert!(engine.summary().open_txns.is_empty(), "and ended the transaction");
    assert_eq!(engine.transaction_abort(T0, session), Err(Status::NoTxnInProgress));

    let engine = engine_with(plan("t0.callout_unregister1.fails_after_effect+t0.engine_open1.fails_after_effect"));
    assert_eq!(engine.engine_open(T0, SessionOptions::NULL).map(|_| ()), lost);
    assert_eq!(engine.summary().open_sessions.len(), 1, "the session is open, its handle lost");
    engine.callout_register(T0, "callout", Arc::new(|_, _, _| {})).unwrap();
    assert_eq!(engine.callout_unregister(T0, "callout"), lost);
    assert_eq!(engine.callout_unregister(T0, "callout"), Err(Status::CalloutNotFound), "it was unregistered");

    // A call that fails of itself has no effect and no reply to lose.
    let engine = engine_with(plan("t0.filter_add*.fails_after_effect"));
    let session = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    assert_eq!(engine.filter_add(T0, session, filter(1)).map(|_| ()), Err(Status::SublayerNotFound));
    assert_eq!(Status::RpcCallFailed.code(), 0xC002_001B);
}

/// A worker thread that tries the same call more than `REPEATS_MAX` times in a row, each
/// failing the same way, spins (the payload `bounded_calls` reads); one that makes more
/// than `WORKER_CALLS_MAX` calls that do not repeat so hits a limit, not a property; the
/// main thread is held to neither.
#[test]
fn a_spin_is_the_same_failing_call_again_and_the_call_count_is_a_limit() {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use wfpcheck::wfp::{CallsMax, Spinning, REPEATS_MAX, WORKER_CALLS_MAX};
    let spins = engine();
    let session = spins.engine_open(T0, SessionOptions::NULL).unwrap();
    spins.transaction_begin(T0, session).unwrap();
    for _ in 0..REPEATS_MAX + 1 {
        assert_eq!(spins.transaction_begin(T1, session), Err(Status::TxnInProgress));
    }
    let spun = catch_unwind(AssertUnwindSafe(|| spins.transaction_begin(T1, session))).expect_err("a spin");
    let spinning = spun.downcast_ref::<Spinning>().expect("a Spinning payload");
    assert_eq!((spinning.actor, spinning.tries, spinning.status), (T1, REPEATS_MAX + 1, Status::TxnInProgress));

    let main = engine();
    let session = main.engine_open(Actor::Main, SessionOptions::NULL).unwrap();
    main.transaction_begin(Actor::Main, session).unwrap();
    for _ in 0..REPEATS_MAX + 2 {
        assert_eq!(main.transaction_begin(Actor::Main, session), Err(Status::TxnInProgress));
    }
    assert_eq!(main.transaction_commit(Actor::Main, session), Ok(()), "the main thread does not spin");

    let calls = engine();
    for _ in 0..WORKER_CALLS_MAX {
        calls.engine_open(T0, SessionOptions::NULL).unwrap();
    }
    let limited = catch_unwind(AssertUnwindSafe(|| calls.engine_open(T0, SessionOptions::NULL))).expect_err("a limit");
    assert_eq!(limited.downcast_ref::<CallsMax>(), Some(&CallsMax { actor: T0 }));
}

#[test]
fn every_status_prints_its_code_and_microsofts_text() {
    for status in Status::ALL {
        let text = status.to_string();
        assert!(text.starts_with(&format!("0x{:08X}: ", status.code())), "{text}");
        assert!(text.ends_with('.'), "{text}");
    }
    assert_eq!(
        Status::Timeout.to_string(),
        "0xC0220012: The call timed out while waiting to acquire the transaction lock."
    );
    assert_eq!(Status::TxnInProgress.name(), "STATUS_FWP_TXN_IN_PROGRESS");
}

// ---- the non-default reading of each assumption ----

fn engine_under(assumed: &str, plan: FaultPlan) -> Arc<Engine> {
    let readings = Readings::default().assume(assumed).expect("a reading");
    Arc::new(Engine::with_readings(Recorded::default(), plan, readings))
}

/// Registers "callout" with a notify function that counts its calls.
fn counted_callout(engine: &Engine) -> Arc<AtomicU32> {
    let count = Arc::new(AtomicU32::new(0));
    let seen = count.clone();
    engine
        .callout_register(
            T0,
            "callout",
            Arc::new(move |_, _, _| {
                seen.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .unwrap();
    count
}

#[test]
fn implicit_call_runs_at_once() {
    let engine = engine_under("implicit_call=runs_at_once", FaultPlan::NONE);
    let setup = engine.engine_open(T0, STATIC_INFINITE).unwrap();
    objects(&engine, setup);
    let a = engine.engine_open(T0, STATIC_INFINITE).unwrap();
    let b = engine.engine_open(T1, STATIC_INFINITE).unwrap();
    engine.transaction_begin(T0, a).unwrap();
    let id = engine.filter_add(T1, b, filter(2)).unwrap();
    assert_eq!(filters(&engine), vec![id], "the implicit add ran beside t0's transaction");
    engine.transaction_commit(T0, a).unwrap();
    assert_eq!(filters(&engine), vec![id], "t0's commit keeps what ran beside it");
}

#[test]
fn foreign_transaction_fails_at_once() {
    let engine = engine_under("foreign_transaction=fails_at_once", FaultPlan::NONE);
    let shared = engine.engine_open(T0, STATIC_INFINITE).unwrap();
    objects(&engine, shared);
    engine.transaction_begin(T0, shared).unwrap();
    assert_eq!(engine.filter_add(T1, shared, filter(2)), Err(Status::TxnInProgress));
    engine.filter_add(T0, shared, filter(1)).unwrap();
    engine.transaction_commit(T0, shared).unwrap();
    assert_eq!(filters(&engine).len(), 1, "only t0's own add is in its transaction");
}

#[test]
fn foreign_transaction_waits() {
    let engine = engine_under("foreign_transaction=waits", FaultPlan::NONE);
    let shared = engine.engine_open(T0, STATIC_INFINITE).unwrap();
    objects(&engine, shared);
    engine.transaction_begin(T0, shared).unwrap();
    let add = std::thread::spawn({
        let engine = engine.clone();
        move || engine.filter_add(T1, shared, filter(2))
    });
    until_waiting(&engine, 1);
    engine.transaction_abort(T0, shared).unwrap();
    let id = add.join().unwrap().unwrap();
    assert_eq!(filters(&engine), vec![id], "t1's add ran on its own once t0's transaction ended");
}

#[test]
fn delete_notification_in_the_call() {
    let engine = engine_under("delete_notification=in_the_call", FaultPlan::NONE);
    let notified = counted_callout(&engine);
    let shared = engine.engine_open(T0, STATIC_INFINITE).unwrap();
    objects(&engine, shared);
    let id = engine.filter_add(T0, shared, filter(1)).unwrap();
    engine.transaction_begin(T0, shared).unwrap();
    engine.filter_delete_by_id(T0, shared, id).unwrap();
    assert_eq!(notified.load(Ordering::SeqCst), 1, "notified inside the delete, before any commit");
    engine.transaction_abort(T0, shared).unwrap();
    assert_eq!(filters(&engine), vec![id], "the abort restored the filter its notification announced gone");
    assert_eq!(notified.load(Ordering::SeqCst), 1);
}

#[test]
fn delete_notification_deferred() {
    let engine = engine_under("delete_notification=deferred", FaultPlan::NONE);
    let notified = counted_callout(&engine);
    let session = engine.engine_open(T0, STATIC_INFINITE).unwrap();
    objects(&engine, session);
    let id = engine.filter_add(T0, session, filter(1)).unwrap();
    engine.filter_delete_by_id(T0, session, id).unwrap();
    assert_eq!(notified.load(Ordering::SeqCst), 0, "not yet: WFP delivers it later");
    engine.deliver_deferred(Actor::Main);
    assert_eq!(notified.load(Ordering::SeqCst), 1);
    let id = engine.filter_add(T0, session, filter(1)).unwrap();
    engine.filter_delete_by_id(T0, session, id).unwrap();
    engine.callout_unregister(Actor::Main, "callout").unwrap();
    assert_eq!(notified.load(Ordering::SeqCst), 2, "unregistering the callout delivers what it is owed");
}

#[test]
fn aborted_add_one() {
    for (assumed, expected) in [("aborted_add=none", 0), ("aborted_add=one", 1)] {
        let engine = engine_under(assumed, FaultPlan::NONE);
        let notified = counted_callout(&engine);
        let session = engine.engine_open(T0, STATIC_INFINITE).unwrap();
        objects(&engine, session);
        engine.transaction_begin(T0, session).unwrap();
        engine.filter_add(T0, session, filter(1)).unwrap();
        engine.transaction_abort(T0, session).unwrap();
        assert_eq!(notified.load(Ordering::SeqCst), expected, "{assumed}");
    }
}

#[test]
fn dynamic_close_waits() {
    let engine = engine_under("dynamic_close=waits", FaultPlan::NONE);
    let holder = engine.engine_open(T0, STATIC_INFINITE).unwrap();
    let dynamic = engine.engine_open(T1, DYNAMIC_INFINITE).unwrap();
    objects(&engine, dynamic);
    engine.transaction_begin(T0, holder).unwrap();
    let close = std::thread::spawn({
        let engine = engine.clone();
        move || engine.engine_close(T1, dynamic)
    });
    until_waiting(&engine, 1);
    assert_eq!(engine.summary().objects.len(), 3, "the close waits before deleting its objects");
    engine.transaction_commit(T0, holder).unwrap();
    close.join().unwrap().unwrap();
    assert!(engine.summary().objects.is_empty());
}

#[test]
fn null_session_wait_no_timeout() {
    let plan = FaultPlan::one(T1, CallKind::TransactionBegin, 1, FaultKind::TimesOut);
    let engine = engine_under("null_session_wait=no_timeout", plan);
    let holder = engine.engine_open(T0, SessionOptions::NULL).unwrap();
    let waiter = engine.engine_open(T1, SessionOptions::NULL).unwrap();
    engine.transaction_begin(T0, holder).unwrap();
    let begin = std::thread::spawn({
        let engine = engine.clone();
        move || engine.transaction_begin(T1, waiter)
    });
    until_waiting(&engine, 1);
    engine.transaction_commit(T0, holder).unwrap();
    assert_eq!(begin.join().unwrap(), Ok(()), "a NULL session's wait does not time out under this reading");
}

/// Barging wakes every waiter to compete: a waiting Begin still gets the lock once it
/// is free (`checks/gate_loom.rs` compares every two-thread verdict under it).
#[test]
fn lock_handover_barging() {
    let engine = engine_under("lock_handover=barging", FaultPlan::NONE);
    let holder = engine.engine_open(T0, STATIC_INFINITE).unwrap();
    let waiter = engine.engine_open(T1, STATIC_INFINITE).unwrap();
    engine.transaction_begin(T0, holder).unwrap();
    let begin = std::thread::spawn({
        let engine = engine.clone();
        move || engine.transaction_begin(T1, waiter)
    });
    until_waiting(&engine, 1);
    engine.transaction_commit(T0, holder).unwrap();
    assert_eq!(begin.join().unwrap(), Ok(()));
    assert_eq!(engine.summary().lock_holder, Some(waiter));
}

#[test]
fn every_non_default_reading_has_a_test() {
    let source = include_str!("engine_rules.rs");
    for assumption in wfpcheck::assumptions::ASSUMPTIONS {
        for reading in &assumption.readings[1..] {
            let test = format!("fn {}_{}()", assumption.name, reading.name);
            assert!(source.contains(&test), "no engine test `{test}` for {}={}", assumption.name, reading.name);
        }
    }
}

#[test]
fn docs_name_every_reading() {
    let docs = include_str!("../docs/wfp-semantics.md");
    for assumption in wfpcheck::assumptions::ASSUMPTIONS {
        for reading in assumption.readings {
            let named = format!("`{}={}`", assumption.name, reading.name);
            assert!(docs.contains(&named), "docs/wfp-semantics.md does not name {named}");
        }
    }
}

/// A sweep injects `fails_after_effect` only where some execution's call succeeded (one
/// that always fails of itself has no effect to lose a reply about), never as a persistent
/// fault; after each thread's calls of a kind comes every call of that kind failing.
#[test]
fn a_sweep_loses_a_reply_only_where_a_call_succeeded() {
    use wfpcheck::wfp::faults::Census;
    use wfpcheck::wfp::{Actor, CallEvent, CallKind, CallOk, EngineEvent, Target};
    let call = |kind, occurrence, result| {
        EngineEvent::Call(CallEvent {
            kind,
            occurrence,
            target: Target::None,
            session: None,
            txn: None,
            result,
            fault: None,
            effects: Vec::new(),
        })
    };
    let events =
        [call(CallKind::TransactionBegin, 1, Ok(CallOk::Done)), call(CallKind::ProviderDelete, 1, Err(Status::InUse))];
    let mut census = Census::default();
    census.record(events.iter().map(|event| (Actor::Thread(0), event)));
    let faults: Vec<String> = census.faults().iter().map(ToString::to_string).collect();
    assert_eq!(
        faults,
        [
            "t0.begin1.fails",
            "t0.begin1.fails_after_effect",
            "t0.begin*.fails",
            "t0.provider_delete1.fails",
            "t0.provider_delete*.fails"
        ],
        "a delete refused in every execution is not lost after an effect it never had"
    );
}
