//! A design defined outside the crate, checked like the built-in ones: what a user
//! writes to check their own fix before sending it for review.
//!
//! `per_context_infinite_wait` is #3866 (a static session per filter context, under the
//! provider lock) with `txnWaitTimeoutInMSec = INFINITE` (W3): a WFP call never gives up
//! waiting for the transaction lock, so the detach that timed out under #3866 cannot.

#![cfg(any(loom, feature = "shuttle"))]

use wfpcheck::designs::{Design, DynDesign};
use wfpcheck::explore::{self, Settings, Verdict};
use wfpcheck::log::OpFailure;
use wfpcheck::netebpfext::{Attach, Detach};
use wfpcheck::scenarios;
use wfpcheck::sync::Arc;
use wfpcheck::wfp::{SessionOptions, TxnWait};

struct PerContextInfiniteWait;

impl Design for PerContextInfiniteWait {
    type State = ();

    fn name(&self) -> &'static str {
        "per_context_infinite_wait"
    }

    fn summary(&self) -> &'static str {
        "#3866 with every session's transaction wait INFINITE (W3)."
    }

    fn trade_offs(&self) -> &'static str {
        "No call ever times out waiting for the lock; a transaction that never ends blocks every other session for good (W12)."
    }

    fn new_state(&self) {}

    fn global_session(&self) -> SessionOptions {
        SessionOptions { dynamic: false, txn_wait: TxnWait::Infinite }
    }

    fn context_session(&self) -> Option<SessionOptions> {
        Some(SessionOptions { dynamic: false, txn_wait: TxnWait::Infinite })
    }

    fn unload_deletes_objects(&self) -> bool {
        true
    }

    fn attach(&self, _: &(), op: Attach<'_>) -> Result<(), OpFailure> {
        op.with_provider_lock(Attach::run)
    }

    fn detach(&self, _: &(), op: Detach<'_>) {
        op.with_provider_lock(Detach::run)
    }
}

/// Explores the design in `scenario` under every one of its plans, and compares each
/// verdict with `expected` (plan name, verdict).
fn check(scenario: &str, expected: &[(&str, Verdict)]) {
    let design: Arc<dyn DynDesign> = Arc::new(PerContextInfiniteWait);
    let scenario = scenarios::by_name(scenario).expect("a built-in scenario");
    let verdicts: Vec<(String, Verdict, String)> = scenario
        .plans
        .iter()
        .map(|plan| {
            let report = explore::explore(&design, &scenario, plan, &Settings::default());
            (report.plan, report.verdict, report.why)
        })
        .collect();
    let got: Vec<(&str, Verdict)> = verdicts.iter().map(|(plan, verdict, _)| (plan.as_str(), *verdict)).collect();
    assert_eq!(got, expected, "{}: {verdicts:#?}", scenario.name);
}

#[test]
fn two_attach() {
    check(
        "two_attach",
        &[("none", Verdict::Pass), ("t0.filter_add2.fails", Verdict::Pass), ("t1.begin1.times_out", Verdict::Vacuous)],
    );
}

#[test]
fn attach_detach_no_longer_leaves_a_filter_behind() {
    check(
        "attach_detach",
        &[
            ("none", Verdict::Pass),
            ("t1.filter_add2.fails", Verdict::Pass),
            ("t0.filter_delete1.times_out", Verdict::Vacuous),
        ],
    );
}

#[test]
fn same_provider() {
    check("same_provider", &[("none", Verdict::Pass), ("t1.begin1.times_out", Verdict::Vacuous)]);
}
