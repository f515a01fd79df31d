//! The stateful gate: every design x scenario explored exhaustively by the stateful
//! checker (DFS over shuttle's runtime, remembering every state), each its own test; and
//! the verdict matrix, compared with loom's as data: the same verdict wherever loom's
//! search is exhaustive, and the same property broken first by each fail.
//! Run with `cargo test --release --features shuttle --test checks gate_stateful::`.

#![cfg(all(feature = "shuttle", not(loom)))]

use crate::gate;

every_design_and_scenario!("stateful");

#[test]
fn the_gate_lists_every_design_and_scenario() {
    gate::the_gate_lists_every_design_and_scenario();
}

#[test]
fn verdict_matrix() {
    gate::matrix("stateful", "loom");
}
