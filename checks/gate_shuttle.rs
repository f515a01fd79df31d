//! The shuttle gate: every design x scenario explored by DFS where it finishes, PCT and
//! random with fixed seeds where it does not, each its own test; and the verdict matrix,
//! compared with loom's. Run with `cargo test --release --features shuttle --test checks gate_shuttle::`.

#![cfg(all(feature = "shuttle", not(loom)))]

use crate::gate;

every_design_and_scenario!("shuttle");

#[test]
fn the_gate_lists_every_design_and_scenario() {
    gate::the_gate_lists_every_design_and_scenario();
}

#[test]
fn verdict_matrix() {
    gate::matrix("shuttle", "loom");
}
