//! The worked example of `docs/writing-a-design.md`: a change under review written as a
//! design outside the crate, with only wfpcheck's public API, and its counterexample.
//! (A module of `custom_design.rs`.)
//!
//! Two more show other changes a PR makes: a transaction per filter, and a reference
//! released after a failed delete; each is judged by the same properties.
//!
//! The change: #3865's global lock, but `add_wfp_filters` releases the lock after its
//! last FwpmFilterAdd, before the FwpmTransactionCommit, to hold it for less time:
//!
//! ```c
//!      for (uint32_t index = 0; index < filter_count; index++) { ... FwpmFilterAdd ... }
//! +    ExReleasePushLockExclusive(&_fwp_engine_handle_lock);
//!      status = FwpmTransactionCommit(wfp_engine_handle);
//! ```

use wfpcheck::assert::{assert_verdicts_with, declared};
use wfpcheck::designs::{global_lock, naive, Design, DynDesign, Naive, PerContextHandle};
use wfpcheck::explore::checker::{self, CheckerKind};
use wfpcheck::explore::{Settings, Verdict};
use wfpcheck::netebpfext::{Driver, EventKind, FilterState};
use wfpcheck::properties::{ATTACH_FAILS_ONLY_BY_FAULT, CONTEXTS_RELEASED, FAILED_ATTACH_LEAVES_NOTHING};
use wfpcheck::sync::{Arc, Mutex};
use wfpcheck::wfp::{CallKind, ContextId, FilterId, FilterSpec, Handle, Status};

/// Runs `check` under every checker this build explores with: loom; or shuttle and the
/// stateful checker.
pub fn each_checker(mut check: impl FnMut(CheckerKind, &Settings)) {
    for &kind in checker::AVAILABLE {
        check(kind, &Settings { checker: kind, ..Settings::default() });
    }
}

/// A row that passes: `pass` where the search is exhaustive (loom, the stateful checker),
/// `sampled` under shuttle, whose DFS does not finish for a session per context.
pub fn passes(checker: CheckerKind) -> Verdict {
    if checker == CheckerKind::Shuttle {
        Verdict::Sampled
    } else {
        Verdict::Pass
    }
}

const LOCK: &str = global_lock::LOCK_NAME;

struct UnlockBeforeCommit;

impl Design for UnlockBeforeCommit {
    type State = Mutex<()>;
    type Base = Naive;

    fn name(&self) -> &'static str {
        "unlock_before_commit"
    }

    fn summary(&self) -> &'static str {
        "#3865's global lock, released after the last FwpmFilterAdd and before the Commit."
    }

    fn trade_offs(&self) -> &'static str {
        "Holds the lock for less time; the transaction is still open on the shared session when it is released."
    }

    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }

    fn source_dir(&self) -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/designs")
    }

    /// `net_ebpf_extension_add_wfp_filters` as the change writes it.
    fn add_wfp_filters(
        &self,
        lock: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        let held = driver.acquire(LOCK, lock);
        driver.fwpm_transaction_begin(handle)?;
        let mut ids = Vec::new();
        for filter in filters {
            driver.reference_filter_context(context);
            match driver.fwpm_filter_add(handle, filter) {
                Ok(id) => ids.push(id),
                Err(status) => {
                    let _ = driver.fwpm_transaction_abort(handle);
                    return Err(status);
                }
            }
        }
        drop(held); // the change: unlock before the Commit
        if let Err(status) = driver.fwpm_transaction_commit(handle) {
            let _ = driver.fwpm_transaction_abort(handle);
            return Err(status);
        }
        Ok(ids)
    }

    /// The detach's deletes stay under the lock, as in #3865.
    fn delete_wfp_filters(&self, lock: &Mutex<()>, driver: Driver<'_>, handle: Handle, context: ContextId) {
        global_lock::delete_wfp_filters(lock, driver, handle, context)
    }
}

/// The change fails where `global_lock` passes: between the unlock and the Commit the
/// other thread takes the lock and begins on the same session, which already has a
/// transaction (W5).
#[test]
fn unlocking_before_the_commit_fails_two_attach() {
    each_checker(|_, settings| unlocking_before_the_commit_fails_two_attach_under(settings));
}

fn unlocking_before_the_commit_fails_two_attach_under(settings: &Settings) {
    let design: Arc<dyn DynDesign> = Arc::new(UnlockBeforeCommit);
    let reports = assert_verdicts_with(&design, &[declared("two_attach", "none", Verdict::Fail)], settings);
    let found = reports[0].counterexample.as_ref().expect("a failing verdict has its counterexample");
    assert_eq!(found.violation.property, ATTACH_FAILS_ONLY_BY_FAULT);
    assert_eq!(found.violation.status, Some(Status::TxnInProgress), "{}", reports[0].why);
    // In the counterexample the lock is released while the first attach's transaction is
    // open, and the other thread's Begin comes between that release and the Commit.
    let events = &found.events;
    let released = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Lock { name: LOCK, taken: false }))
        .expect("the lock is released");
    let holder = events[released].actor;
    let failed_begin = events
        .iter()
        .position(|e| e.call().is_some_and(|call| call.result == Err(Status::TxnInProgress)))
        .expect("a Begin fails");
    let commit = events
        .iter()
        .enumerate()
        .skip(released)
        .position(|(_, e)| e.actor == holder && e.call().is_some_and(|call| call.kind == CallKind::TransactionCommit))
        .map(|n| n + released)
        .expect("the holder commits");
    assert!(
        released < failed_begin && failed_begin < commit,
        "release {released}, failed Begin {failed_begin}, Commit {commit}"
    );
    assert_ne!(events[failed_begin].actor, holder);
}

/// A declaration the design does not meet fails the test, and the message shows the
/// declared and the found verdict of every row, then the counterexample.
#[test]
fn a_wrong_declaration_shows_both_verdicts() {
    each_checker(|_, settings| a_wrong_declaration_shows_both_verdicts_under(settings));
}

fn a_wrong_declaration_shows_both_verdicts_under(settings: &Settings) {
    let design: Arc<dyn DynDesign> = Arc::new(UnlockBeforeCommit);
    let declared = [declared("two_attach", "none", Verdict::Pass), declared("same_provider", "none", Verdict::Fail)];
    let explored = std::panic::AssertUnwindSafe(|| assert_verdicts_with(&design, &declared, settings));
    let panic = std::panic::catch_unwind(explored).expect_err("a verdict differs");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(message.contains("1 of 2 verdicts are not as declared"), "{message}");
    let row = message.lines().find(|line| line.starts_with("two_attach")).expect("the two_attach row");
    assert!(row.contains(" pass ") && row.ends_with("fail  <-"), "{message}");
    let other = message.lines().find(|line| line.starts_with("same_provider")).expect("the same_provider row");
    assert!(!other.ends_with("<-"), "{message}");
    assert!(message.contains("attach_fails_only_by_fault violated"), "{message}");
}

/// #3866 with one transaction per filter: Begin, FwpmFilterAdd, Commit for each.
struct CommitPerFilter;

impl Design for CommitPerFilter {
    type State = ();
    type Base = PerContextHandle;

    fn name(&self) -> &'static str {
        "commit_per_filter"
    }

    fn summary(&self) -> &'static str {
        "#3866 (a session per filter context, under the provider lock), with a transaction per filter."
    }

    fn trade_offs(&self) -> &'static str {
        "Each transaction holds the lock for less time; an attach whose second filter fails keeps its first."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/designs")
    }

    fn add_wfp_filters(
        &self,
        _: &(),
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        let mut ids = Vec::new();
        for filter in filters {
            ids.extend(naive::add_wfp_filters(driver, handle, std::slice::from_ref(filter), context)?);
        }
        Ok(ids)
    }
}

/// A transaction per filter is not all or nothing: when the second FwpmFilterAdd fails,
/// the attach fails with the first filter committed, and nothing ever deletes it.
#[test]
fn committing_per_filter_leaves_half_an_attach() {
    each_checker(|checker, settings| {
        let design: Arc<dyn DynDesign> = Arc::new(CommitPerFilter);
        let reports = assert_verdicts_with(
            &design,
            &[
                declared("two_attach", "none", passes(checker)),
                declared("two_attach", "t0.filter_add2.fails", Verdict::Fail),
            ],
            settings,
        );
        let found = reports[1].counterexample.as_ref().expect("a counterexample");
        assert_eq!(found.violation.property, FAILED_ATTACH_LEAVES_NOTHING, "{}", reports[1].why);
    });
}

/// #3866 with the reference of a filter whose delete failed released at once, so that
/// the context is not leaked (#5486).
struct ReleaseOnFailedDelete;

impl Design for ReleaseOnFailedDelete {
    type State = ();
    type Base = PerContextHandle;

    fn name(&self) -> &'static str {
        "release_on_failed_delete"
    }

    fn summary(&self) -> &'static str {
        "#3866, but a filter whose FwpmFilterDeleteById failed has its reference dropped at once."
    }

    fn trade_offs(&self) -> &'static str {
        "The context is freed although WFP still holds a filter carrying it."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/designs")
    }

    fn delete_wfp_filters(&self, _: &(), driver: Driver<'_>, handle: Handle, context: ContextId) {
        for id in driver.filter_ids(context) {
            if let Err(status) = driver.fwpm_filter_delete_by_id(handle, id) {
                driver.set_filter_state(context, id, FilterState::DeleteFailed, Some(status));
                driver.dereference_filter_context(context);
            }
        }
    }
}

/// Releasing the reference of a failed delete trades the #5486 leak for a dangling
/// rawContext: the context is freed while WFP still holds its filter.
#[test]
fn releasing_a_failed_deletes_reference_frees_a_context_in_use() {
    each_checker(|_, settings| {
        let design: Arc<dyn DynDesign> = Arc::new(ReleaseOnFailedDelete);
        let declared = [declared("attach_detach", "t0.filter_delete1.times_out", Verdict::Fail)];
        let reports = assert_verdicts_with(&design, &declared, settings);
        let found = reports[0].counterexample.as_ref().expect("a counterexample");
        assert!(found.also.contains(&CONTEXTS_RELEASED), "{}: also {:?}", reports[0].why, found.also);
        assert!(
            found.events.iter().any(|e| matches!(e.kind, EventKind::ContextFreed { context: 1 })),
            "context 1 is freed"
        );
    });
}
