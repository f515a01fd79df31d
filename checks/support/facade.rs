//! The facade checks' bodies, run under loom (`facade_loom.rs`) and shuttle
//! (`facade_shuttle.rs`): two threads begin a transaction on one shared session; two
//! threads increment a `SharedState` in two sections each.

use std::sync::{Arc, Mutex};

use wfpcheck::netebpfext::Log;
use wfpcheck::sync::thread;
use wfpcheck::wfp::faults::FaultPlan;
use wfpcheck::wfp::{Actor, Engine, SessionOptions, Status};

/// Each execution's pair of Begin results, t0's first.
pub type Outcomes = Arc<Mutex<Vec<[Result<(), Status>; 2]>>>;

/// One execution: t0 (the calling thread) and t1 begin on the same dynamic session.
pub fn two_begins_on_one_session(seen: &Outcomes) {
    let engine = Arc::new(Engine::new(Log::new(), FaultPlan::NONE));
    let shared = engine.engine_open(Actor::Main, SessionOptions::DYNAMIC).unwrap();
    let other = {
        let engine = engine.clone();
        thread::spawn(move || engine.transaction_begin(Actor::Thread(1), shared))
    };
    let mine = engine.transaction_begin(Actor::Thread(0), shared);
    let theirs = other.join().unwrap();
    seen.lock().unwrap().push([mine, theirs]);
}

/// Some execution gives one of them 0xC022000E (W5); none gives it to both, or to
/// neither; and either thread can be the one.
pub fn exactly_one_gets_txn_in_progress(outcomes: &[[Result<(), Status>; 2]]) {
    assert!(outcomes.len() >= 2, "only {} executions explored", outcomes.len());
    let in_progress = |o: &[Result<(), Status>; 2]| o.iter().filter(|r| **r == Err(Status::TxnInProgress)).count();
    assert!(outcomes.iter().any(|o| in_progress(o) == 1), "no execution gave 0xC022000E");
    assert!(outcomes.iter().all(|o| in_progress(o) == 1), "an execution gave it to both or neither: {outcomes:?}");
    assert!(outcomes.iter().any(|o| o[0].is_err()) && outcomes.iter().any(|o| o[1].is_err()), "either thread can lose");
}

/// Each execution's final count.
pub type Finals = Arc<Mutex<Vec<u32>>>;

/// One execution: t0 (the calling thread) and t1 each read a `SharedState` counter in one
/// section and write it, plus one, in the next.
pub fn two_increments(seen: &Finals) {
    let counter = Arc::new(wfpcheck::sync::SharedState::new(0u32));
    let increment = |counter: &wfpcheck::sync::SharedState<u32>| {
        let read = counter.with(|n| *n);
        counter.with(|n| *n = read + 1);
    };
    let other = {
        let counter = counter.clone();
        thread::spawn(move || increment(&counter))
    };
    increment(&counter);
    other.join().unwrap();
    seen.lock().unwrap().push(counter.with(|n| *n));
}

/// Some execution loses an update (another thread's section ran between one thread's
/// two), and some keeps both.
pub fn an_update_is_lost_and_none_is(finals: &[u32]) {
    assert!(finals.contains(&1), "no execution lost an update: {finals:?}");
    assert!(finals.contains(&2), "no execution kept both: {finals:?}");
}
