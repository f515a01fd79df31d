//! `retry` and `retry_unbounded`: #3659's retried Begin in `add_wfp_filters`. The PR's
//! branch is not in upstream's history (its description is public), so where the retry
//! sits is assumed: in `add_wfp_filters`, on the code before #3751 (#3659 predates it).

use super::{naive, Design, Naive};
use crate::netebpfext::Driver;
use crate::sync::thread;
use crate::wfp::{ContextId, FilterId, FilterSpec, Handle, Status};

/// How many times `retry` tries Begin (#3659).
pub const RETRY_TRIES_MAX: u32 = 5;

/// The global handle as in `naive`; a failed Begin is tried again, up to 5 times in all,
/// with a short busy wait between tries: PR #3659 (closed: "Did not work").
#[derive(Debug, Default, Clone, Copy)]
pub struct Retry;

impl Design for Retry {
    type State = ();
    type Base = Naive;

    fn name(&self) -> &'static str {
        "retry"
    }

    fn summary(&self) -> &'static str {
        "The global dynamic handle; a failed FwpmTransactionBegin is tried again, 5 tries in all, \
         with a short busy wait between: PR #3659 (closed, \"Did not work\")."
    }

    fn trade_offs(&self) -> &'static str {
        "A busy wait does not make the other transaction finish: all 5 tries can fall inside it. \
         The busy wait has no scheduling point, so no checker needs fairness to find that."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn add_wfp_filters(
        &self,
        _: &(),
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        let mut tries = 1;
        loop {
            match driver.fwpm_transaction_begin(handle) {
                Ok(()) => break,
                Err(status) if tries == RETRY_TRIES_MAX => return Err(status),
                Err(_) => {
                    tries += 1;
                    driver.note("busy wait, then try Begin again");
                    thread::busy_wait();
                }
            }
        }
        naive::added_and_committed(driver, handle, filters, context)
    }
}

/// As `retry`, but Begin is tried until it succeeds, yielding between tries.
#[derive(Debug, Default, Clone, Copy)]
pub struct RetryUnbounded;

impl Design for RetryUnbounded {
    type State = ();
    type Base = Naive;

    fn name(&self) -> &'static str {
        "retry_unbounded"
    }

    fn summary(&self) -> &'static str {
        "The global dynamic handle; a failed FwpmTransactionBegin is tried again until it succeeds, \
         yielding the processor between tries (a variant of PR #3659)."
    }

    fn trade_offs(&self) -> &'static str {
        "Its pass rests on fair scheduling: loom's yield keeps the retrying thread off the processor \
         until another thread has run, and shuttle's PCT lowers a yielding thread's priority. On a real \
         kernel a spinning thread at raised IRQL can starve the transaction it waits for, and it still \
         shares the one session, so a detach's delete can land inside another thread's transaction (W8)."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn add_wfp_filters(
        &self,
        _: &(),
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        while driver.fwpm_transaction_begin(handle).is_err() {
            driver.note("yield, then try Begin again");
            thread::yield_now();
        }
        naive::added_and_committed(driver, handle, filters, context)
    }
}
