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

/// Two `SharedState` sections of one thread with no other scheduling point between them
/// are two steps, as under loom: shuttle's DFS explores another thread's section between
/// them (here a lost update). Before, such a section held a lock shuttle did not schedule,
/// and the two ran as one: the DFS never met the update lost, and its pass could miss it.
#[test]
fn dfs_runs_another_thread_between_two_shared_state_sections() {
    let finals = facade::Finals::default();
    let seen = finals.clone();
    let dfs = shuttle::scheduler::DfsScheduler::new(None, false);
    shuttle::Runner::new(dfs, shuttle::Config::new()).run(move || facade::two_increments(&seen));
    facade::an_update_is_lost_and_none_is(&finals.lock().unwrap());
}
