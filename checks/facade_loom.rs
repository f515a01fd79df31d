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
