//! The facade under shuttle: two threads begin a transaction on one shared session.
//! Explored exhaustively by DFS, some execution gives one of them 0xC022000E (W5), and
//! no execution gives it to both, or to neither.

#![cfg(all(feature = "shuttle", not(loom)))]

use std::sync::{Arc, Mutex};

use wfpcheck::faults::FaultPlan;
use wfpcheck::log::{Actor, Log};
use wfpcheck::sync::thread;
use wfpcheck::wfp::{Engine, SessionOptions, Status};

#[test]
fn two_threads_begin_on_one_session() {
    let outcomes: Arc<Mutex<Vec<[Result<(), Status>; 2]>>> = Arc::default();
    let seen = outcomes.clone();
    let executions = shuttle::Runner::new(shuttle::scheduler::DfsScheduler::new(None, false), shuttle::Config::new())
        .run(move || {
            let engine = Arc::new(Engine::new(Log::new(), FaultPlan::NONE));
            let shared = engine.engine_open(Actor::Main, SessionOptions::DYNAMIC).unwrap();
            let other = {
                let engine = engine.clone();
                thread::spawn(move || engine.transaction_begin(Actor::Thread(1), shared))
            };
            let mine = engine.transaction_begin(Actor::Thread(0), shared);
            let theirs = other.join().unwrap();
            seen.lock().unwrap().push([mine, theirs]);
        });
    let outcomes = outcomes.lock().unwrap();
    assert_eq!(outcomes.len(), executions, "every execution recorded its outcome");
    let in_progress = |o: &[Result<(), Status>; 2]| o.iter().filter(|r| **r == Err(Status::TxnInProgress)).count();
    assert!(outcomes.iter().any(|o| in_progress(o) == 1), "no execution gave 0xC022000E");
    assert!(outcomes.iter().all(|o| in_progress(o) == 1), "an execution gave it to both or neither: {outcomes:?}");
    assert!(outcomes.iter().any(|o| o[0].is_err()) && outcomes.iter().any(|o| o[1].is_err()), "either thread can lose");
}
