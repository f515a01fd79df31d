//! `global_lock` and `global_lock_add_only`: #3865's lock around the global handle. The
//! draft's branch is not in upstream's history (its description and review are public):
//! the model assumes the lock is held around `add_wfp_filters`' transaction and
//! `delete_wfp_filters`' deletes. The draft was opened on a base that already had #3751,
//! so its lock sits inside the provider push lock: both designs change `provider_lock`.

use super::{naive, Design, ProviderLock};
use crate::netebpfext::Driver;
use crate::sync::Mutex;
use crate::wfp::{ContextId, FilterId, FilterSpec, Handle, Status};

/// The lock's name in logs.
pub const LOCK_NAME: &str = "global handle lock";

/// The global dynamic handle with one lock held around every use of it (the add path's
/// transaction and the detach path's deletes), inside #3751's push lock: draft PR #3865.
pub struct GlobalLock;

impl Design for GlobalLock {
    type State = Mutex<()>;
    type Base = ProviderLock;

    fn name(&self) -> &'static str {
        "global_lock"
    }

    fn summary(&self) -> &'static str {
        "The global dynamic handle, with one lock held around every use of it: the whole add \
         transaction and the detach's deletes: draft PR #3865."
    }

    fn trade_offs(&self) -> &'static str {
        "Every attach and detach of every hook is serialised on one lock, held across WFP calls; \
         a slow WFP call stalls all of them. Start-up and unload run alone, so they need no lock."
    }

    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn add_wfp_filters(
        &self,
        lock: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        add_wfp_filters(lock, driver, handle, filters, context)
    }

    fn delete_wfp_filters(&self, lock: &Mutex<()>, driver: Driver<'_>, handle: Handle, context: ContextId) {
        delete_wfp_filters(lock, driver, handle, context)
    }
}

/// As `global_lock`, but the lock is held around the add path only; detach's deletes run
/// unlocked (a plausible partial fix).
pub struct GlobalLockAddOnly;

impl Design for GlobalLockAddOnly {
    type State = Mutex<()>;
    type Base = ProviderLock;

    fn name(&self) -> &'static str {
        "global_lock_add_only"
    }

    fn summary(&self) -> &'static str {
        "The global dynamic handle, with one lock held around the add transaction only; detach's \
         deletes run unlocked (a plausible partial fix of #3865's kind)."
    }

    fn trade_offs(&self) -> &'static str {
        "Attaches cannot collide, but a detach's FilterDeleteById on the shared session joins whatever \
         transaction another thread has open (W8): its delete is undone if that transaction aborts, and \
         it is not done yet when the detach returns."
    }

    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn add_wfp_filters(
        &self,
        lock: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        add_wfp_filters(lock, driver, handle, filters, context)
    }
}

/// #3865's `add_wfp_filters`: the whole transaction under the global handle lock.
pub fn add_wfp_filters(
    lock: &Mutex<()>,
    driver: Driver<'_>,
    handle: Handle,
    filters: &[FilterSpec],
    context: ContextId,
) -> Result<Vec<FilterId>, Status> {
    let _lock = driver.acquire(LOCK_NAME, lock);
    naive::add_wfp_filters(driver, handle, filters, context)
}

/// #3865's `delete_wfp_filters`: the deletes under the global handle lock.
pub fn delete_wfp_filters(lock: &Mutex<()>, driver: Driver<'_>, handle: Handle, context: ContextId) {
    let _lock = driver.acquire(LOCK_NAME, lock);
    naive::delete_wfp_filters(driver, handle, context)
}
