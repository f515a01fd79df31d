//! The facade under shuttle: two threads begin a transaction on one shared session,
//! explored exhaustively by DFS (see `support/facade.rs`).

#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/facade.rs"]
mod facade;

#[test]
fn two_threads_begin_on_one_session() {
    let outcomes = facade::Outcomes::default();
    let seen = outcomes.clone();
    let dfs = shuttle::scheduler::DfsScheduler::new(None, false);
    let executions =
        shuttle::Runner::new(dfs, shuttle::Config::new()).run(move || facade::two_begins_on_one_session(&seen));
    let outcomes = outcomes.lock().unwrap();
    assert_eq!(outcomes.len(), executions, "every execution recorded its outcome");
    facade::exactly_one_gets_txn_in_progress(&outcomes);
}
