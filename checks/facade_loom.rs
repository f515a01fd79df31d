//! The facade under loom: two threads begin a transaction on one shared session,
//! explored exhaustively (see `support/facade.rs`).

#![cfg(loom)]

#[path = "support/facade.rs"]
mod facade;

#[test]
fn two_threads_begin_on_one_session() {
    let outcomes = facade::Outcomes::default();
    let seen = outcomes.clone();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    builder.check(move || facade::two_begins_on_one_session(&seen));
    facade::exactly_one_gets_txn_in_progress(&outcomes.lock().unwrap());
}

/// Another thread's `SharedState` section runs between two of one thread's (a lost update):
/// loom sees every section, as shuttle now does (`facade_shuttle.rs`).
#[test]
fn dpor_runs_another_thread_between_two_shared_state_sections() {
    let finals = facade::Finals::default();
    let seen = finals.clone();
    loom::model::Builder::new().check(move || facade::two_increments(&seen));
    facade::an_update_is_lost_and_none_is(&finals.lock().unwrap());
}
