//! Every check, as modules of one test binary per build: one file per topic, each
//! compiled in the builds it applies to (its own `#![cfg]`), so a build links one test
//! binary instead of one per file. Run one topic with its module's name, for example
//! `cargo test --release --features shuttle --test checks gate_shuttle::`.

mod ci_workflow;
mod cli;
mod custom_design;
mod docs;
mod engine_rules;
mod expectations;
mod facade_loom;
mod facade_scan;
mod facade_shuttle;
mod gate_loom;
mod gate_shuttle;
mod module_graph;
mod properties;
mod self_test;
mod threads;
