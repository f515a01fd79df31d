//! Real threads: the #3728 failure reproduced the way CI met it, and designs that pass
//! under the checkers never failing on the OS scheduler either. Real threads can show a
//! failure, never prove its absence, so these checks are about what does show.

#![cfg(not(any(loom, feature = "shuttle")))]

use wfpcheck::designs;
use wfpcheck::explore::{self, Settings, Verdict};
use wfpcheck::faults::FaultPlan;
use wfpcheck::properties::ATTACH_FAILS_ONLY_BY_FAULT;
use wfpcheck::scenarios;
use wfpcheck::wfp::Status;

const RUNS: u64 = 300;

fn run(design: &str, scenario: &str) -> explore::Report {
    let design = designs::by_name(design).expect("built in");
    let scenario = scenarios::by_name(scenario).expect("built in");
    let settings = Settings { threads_repetitions: RUNS, ..Settings::default() };
    explore::explore(&design, &scenario, &FaultPlan::NONE, &settings)
}

#[test]
fn naive_two_attach_fails_only_the_way_3728_did() {
    let report = run("naive", "two_attach");
    eprintln!("naive / two_attach on real threads: {} of {} runs failed", report.failing_executions, report.executions);
    assert_eq!(report.executions, RUNS);
    if let Some(counterexample) = &report.counterexample {
        assert_eq!(counterexample.violation.property, ATTACH_FAILS_ONLY_BY_FAULT);
        assert_eq!(counterexample.violation.status, Some(Status::TxnInProgress));
        assert_eq!(report.verdict, Verdict::Fail);
    } else {
        assert_eq!(report.verdict, Verdict::Inconclusive, "no failure is never a pass on real threads");
    }
}

#[test]
fn designs_that_pass_never_fail_on_real_threads() {
    for (design, scenario) in
        [("global_lock", "two_attach"), ("global_lock", "attach_detach"), ("per_context_handle", "two_attach")]
    {
        let report = run(design, scenario);
        assert_eq!(report.failing_executions, 0, "{design} / {scenario}: {}", report.why);
        assert_eq!(report.verdict, Verdict::Inconclusive, "{design} / {scenario}: real threads never pass a design");
    }
}
