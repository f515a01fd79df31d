//! A design defined outside the crate, checked like the built-in ones: what a user
//! writes to check their own fix before sending it for review.
//!
//! `per_context_infinite_wait` is #3866 (a static session per filter context, under the
//! provider lock) with `txnWaitTimeoutInMSec = INFINITE` (W3): a WFP call never gives up
//! waiting for the transaction lock, so the detach that timed out under #3866 cannot.

#![cfg(any(loom, feature = "shuttle"))]

/// The worked example of `docs/writing-a-design.md`, in a file of its own.
#[path = "writing_a_design.rs"]
mod writing_a_design;

use wfpcheck::assert::{assert_verdicts_with, declared, Declared};
use wfpcheck::designs::{naive, per_context, Design, DynDesign, PerContextHandle};
use wfpcheck::explore::checker::CheckerKind;
use wfpcheck::explore::Verdict;
use wfpcheck::netebpfext::{hooks, Client, Driver, OpFailure};
use wfpcheck::sync::Arc;
use wfpcheck::wfp::{ContextId, SessionOptions, Status, TxnWait};

/// A static session that waits for the transaction lock for ever.
const INFINITE_WAIT: SessionOptions = SessionOptions { dynamic: false, txn_wait: TxnWait::Infinite };

struct PerContextInfiniteWait;

impl Design for PerContextInfiniteWait {
    type State = ();
    type Base = PerContextHandle;

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

    fn source_dir(&self) -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/designs")
    }

    fn initialize_wfp_components(&self, _: &(), driver: Driver<'_>) -> Result<(), Status> {
        naive::initialize_wfp_components_in_session(driver, INFINITE_WAIT, &hooks::CALLOUTS)
    }

    fn create_filter_context<'a>(
        &self,
        _: &(),
        driver: Driver<'a>,
        client: Client<'a>,
    ) -> Result<ContextId, OpFailure> {
        per_context::create_filter_context_in_session(driver, client, INFINITE_WAIT)
    }
}

/// Explores the design in `scenario` under each plan and every checker of this build,
/// asserts the declared verdicts (`wfpcheck::assert::assert_verdicts_with`; `expected`
/// gives each under each checker), and returns each plan's reason, per checker.
fn check(scenario: &str, expected: &[(&str, fn(CheckerKind) -> Verdict)]) -> Vec<Vec<String>> {
    let design: Arc<dyn DynDesign> = Arc::new(PerContextInfiniteWait);
    let mut why = Vec::new();
    writing_a_design::each_checker(|checker, settings| {
        let declared: Vec<Declared> =
            expected.iter().map(|(plan, verdict)| declared(scenario, plan, verdict(checker))).collect();
        why.push(assert_verdicts_with(&design, &declared, settings).into_iter().map(|report| report.why).collect());
    });
    why
}

/// A row whose fault can never fire: `vacuous` where the search is exhaustive, `sampled`
/// under shuttle (the samples never fired it either, which proves nothing).
fn never_fires(checker: CheckerKind) -> Verdict {
    if checker == CheckerKind::Shuttle {
        Verdict::Sampled
    } else {
        Verdict::Vacuous
    }
}

#[test]
fn two_attach() {
    let passes = writing_a_design::passes;
    for why in
        check("two_attach", &[("none", passes), ("t0.filter_add2.fails", passes), ("t1.begin1.times_out", never_fires)])
    {
        assert!(why[2].contains("fault fired: t1.begin1.times_out"), "{}", why[2]);
    }
}

/// The detach's delete that timed out under #3866 cannot time out with an INFINITE wait:
/// the planned timeout never fires (the row is vacuous, never a pass), and the others pass.
#[test]
fn attach_detach_delete_cannot_time_out() {
    let passes = writing_a_design::passes;
    let rows: [(&str, fn(CheckerKind) -> Verdict); 4] = [
        ("none", passes),
        ("t1.filter_add2.fails", passes),
        ("t0.filter_delete1.times_out", never_fires),
        ("t0.filter_delete*.times_out", never_fires),
    ];
    for why in check("attach_detach", &rows) {
        assert!(why[2].contains("fault fired: t0.filter_delete1.times_out"), "{}", why[2]);
        assert!(why[3].contains("fault fired: t0.filter_delete*.times_out"), "{}", why[3]);
    }
}

#[test]
fn same_provider() {
    check("same_provider", &[("none", writing_a_design::passes), ("t1.begin1.times_out", never_fires)]);
}
