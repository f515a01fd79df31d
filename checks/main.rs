//! Every check, as modules of one test binary per build: one file per topic, each
//! compiled in the builds it applies to (its own `#![cfg]`), so a build links one test
//! binary instead of one per file. Run one topic with its module's name, for example
//! `cargo test --release --features shuttle --test checks gate_shuttle::`.

// The gate's one body and its cache of explored rows, shared by the gates and the
// generated-docs checks (one module, so one cache).
#[cfg(any(loom, feature = "shuttle"))]
#[macro_use]
#[path = "support/gate.rs"]
mod gate;
#[cfg(any(loom, feature = "shuttle"))]
#[path = "support/snapshots.rs"]
mod snapshots;

mod ci_workflow;
mod cli;
#[path = "designs/custom_design.rs"]
mod custom_design;
mod docs;
mod engine_rules;
mod expectations;
mod facade_loom;
mod facade_scan;
mod facade_shuttle;
mod gate_loom;
mod gate_shuttle;
mod gate_stateful;
mod module_graph;
mod properties;
#[path = "designs/self_test.rs"]
mod self_test;
mod threads;
