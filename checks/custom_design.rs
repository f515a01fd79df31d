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

    fn sources(&self) -> &'static [&'static str] {
        &[include_str!("custom_design.rs")]
    }

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

/// Explores the design in `scenario` under every one of its plans, compares each verdict
/// with `expected` (plan name, verdict), and returns each plan's reason.
fn check(scenario: &str, expected: &[(&str, Verdict)]) -> Vec<String> {
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
    verdicts.into_iter().map(|(_, _, why)| why).collect()
}

/// The expected verdict of a row that passes: `pass` under loom, `sampled` under shuttle,
/// whose DFS does not finish for a session per context.
const PASSES: Verdict = if cfg!(loom) { Verdict::Pass } else { Verdict::Sampled };

/// The expected verdict of a row whose fault never fires: `vacuous` under loom, and under
/// shuttle `sampled` (the samples never fired it either, which proves nothing).
const NEVER_FIRES: Verdict = if cfg!(loom) { Verdict::Vacuous } else { Verdict::Sampled };

#[test]
fn two_attach() {
    let why = check(
        "two_attach",
        &[("none", PASSES), ("t0.filter_add2.fails", PASSES), ("t1.begin1.times_out", NEVER_FIRES)],
    );
    assert!(why[2].contains("fault fired: t1.begin1.times_out"), "{}", why[2]);
}

/// The detach's delete that timed out under #3866 cannot time out with an INFINITE wait:
/// the planned timeout never fires (the row is vacuous, never a pass), and the others pass.
#[test]
fn attach_detach_delete_cannot_time_out() {
    let why = check(
        "attach_detach",
        &[("none", PASSES), ("t1.filter_add2.fails", PASSES), ("t0.filter_delete1.times_out", NEVER_FIRES)],
    );
    assert!(why[2].contains("fault fired: t0.filter_delete1.times_out"), "{}", why[2]);
}

#[test]
fn same_provider() {
    check("same_provider", &[("none", Verdict::Pass), ("t1.begin1.times_out", Verdict::Vacuous)]);
}
