//! The loom gate: every design x scenario explored exhaustively (DPOR), each its own
//! test; the verdict matrix; and the check that the transaction lock's fairness, which
//! WFP does not document, changes no verdict.
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --test checks gate_loom::`.

#![cfg(loom)]

use crate::gate;

every_design_and_scenario!("loom");

#[test]
fn the_gate_lists_every_design_and_scenario() {
    gate::the_gate_lists_every_design_and_scenario();
}

#[test]
fn verdict_matrix() {
    gate::matrix("loom", "shuttle");
}

/// Barging (every waiter woken to compete, newcomers too) allows more interleavings
/// than first come, first served; every two-thread verdict must be the same under it.
#[test]
fn the_lock_policy_changes_no_two_thread_verdict() {
    use wfpcheck::assumptions::Readings;
    use wfpcheck::explore::Settings;
    let fair = Settings { loom_fewest_preemptions: false, ..Settings::default() };
    let readings = Readings::default().assume("lock_handover=barging").expect("a reading");
    let barging = Settings { assumptions: readings, ..fair.clone() };
    let mut compared = 0;
    let mut differ = Vec::new();
    for scenario in gate::SCENARIOS.iter().filter(|s| !["three_attach", "four_attach"].contains(*s)) {
        for design in gate::DESIGNS {
            let a = gate::rows(design, scenario, &fair);
            let b = gate::rows(design, scenario, &barging);
            for (a, b) in a.iter().zip(&b) {
                compared += 1;
                if a.report.verdict != b.report.verdict {
                    differ.push(format!(
                        "{design} / {scenario} / {}: {} vs {}",
                        a.report.plan, a.report.verdict, b.report.verdict
                    ));
                }
            }
        }
    }
    assert!(compared >= 60, "compared only {compared} rows");
    assert!(differ.is_empty(), "first come first served vs barging:\n{}", differ.join("\n"));
}
