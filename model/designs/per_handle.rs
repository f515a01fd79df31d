//! `per_operation_handle` and `per_thread_handle`: the two readings of the seed's second
//! proposal in #3728, "an independent engine handle" per operation or per thread, on the
//! code before #3751. Filters added on a static session outlive it, and a static object
//! cannot refer to a dynamic one (W15), so the global objects are static too and unload
//! deletes them as #3866 does.

use super::{naive, per_context, Design, Naive};
use crate::netebpfext::hooks::CALLOUTS;
use crate::netebpfext::Driver;
use crate::sync::Mutex;
use crate::wfp::{Actor, ContextId, FilterId, FilterSpec, Handle, SessionOptions, Status, THREADS_MAX};

/// A static session opened for each `add_wfp_filters` (Begin, adds, Commit) and each
/// `delete_wfp_filters`, closed right after; the global handle is used for nothing else.
#[derive(Debug, Default, Clone, Copy)]
pub struct PerOperationHandle;

impl Design for PerOperationHandle {
    type State = ();
    type Base = Naive;

    fn name(&self) -> &'static str {
        "per_operation_handle"
    }

    fn summary(&self) -> &'static str {
        "The seed's \"independent handle per operation\": each add_wfp_filters and each \
         delete_wfp_filters opens a static session (NULL FWPM_SESSION0) and closes it when done; \
         the static global handle is used at start-up and unload only, which deletes the objects as #3866."
    }

    fn trade_offs(&self) -> &'static str {
        "No two operations share a session, so a second Begin waits for the transaction lock instead \
         of failing; the wait can time out (15 s), and a delete that times out leaves its filter and \
         its reference behind (#5486). Every operation pays an FwpmEngineOpen and FwpmEngineClose, \
         and an open that fails fails the attach or skips the delete."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn initialize_wfp_components(&self, _: &(), driver: Driver<'_>) -> Result<(), Status> {
        naive::initialize_wfp_components_in_session(driver, SessionOptions::NULL, &CALLOUTS)
    }

    fn uninitialize_wfp_components(&self, _: &(), driver: Driver<'_>) {
        per_context::uninitialize_wfp_components(driver)
    }

    fn add_wfp_filters(
        &self,
        _: &(),
        driver: Driver<'_>,
        _global: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        let handle = driver.fwpm_engine_open(SessionOptions::NULL)?;
        let added = naive::add_wfp_filters(driver, handle, filters, context);
        let _ = driver.fwpm_engine_close(handle);
        added
    }

    fn delete_wfp_filters(&self, _: &(), driver: Driver<'_>, _global: Handle, context: ContextId) {
        let Ok(handle) = driver.fwpm_engine_open(SessionOptions::NULL) else {
            driver.note("FwpmEngineOpen failed: the filters are not deleted");
            return;
        };
        naive::delete_wfp_filters(driver, handle, context);
        let _ = driver.fwpm_engine_close(handle);
    }
}

/// Each thread's static session, opened the first time that thread needs one: a slot per
/// thread (the main thread's first), which only that thread touches until unload (as a
/// driver's per-processor data would be), so the slots add no interleavings between threads.
pub struct ThreadHandles(Vec<Mutex<Option<Handle>>>);

impl ThreadHandles {
    fn slot(&self, actor: Actor) -> &Mutex<Option<Handle>> {
        let index = match actor {
            Actor::Main => 0,
            Actor::Thread(n) => 1 + n as usize,
        };
        &self.0[index]
    }
}

/// Each worker thread (and the main thread at unload) opens one static session the first
/// time it adds or deletes filters and uses it for all its adds and deletes; unload
/// closes them all.
pub struct PerThreadHandle;

impl PerThreadHandle {
    /// The calling thread's session, opened now if it has none.
    fn thread_handle(handles: &ThreadHandles, driver: Driver<'_>) -> Result<Handle, Status> {
        let mut slot = handles.slot(driver.actor()).lock();
        if let Some(handle) = *slot {
            return Ok(handle);
        }
        let handle = driver.fwpm_engine_open(SessionOptions::NULL)?;
        *slot = Some(handle);
        Ok(handle)
    }
}

impl Design for PerThreadHandle {
    type State = ThreadHandles;
    type Base = Naive;

    fn name(&self) -> &'static str {
        "per_thread_handle"
    }

    fn summary(&self) -> &'static str {
        "The seed's \"independent handle per thread\": each thread opens one static session the first \
         time it adds or deletes filters and uses it for all of them, so a detach on another thread \
         than its attach deletes on another session; unload closes every thread's session, then \
         deletes the static objects as #3866."
    }

    fn trade_offs(&self) -> &'static str {
        "Threads no longer share a session, so their transactions wait for the lock instead of \
         failing, and a wait can time out (15 s), with #5486's leak on a delete. A kernel driver has no \
         thread of its own to key a session by: the sessions live as long as the driver, one per \
         thread that ever attached or detached."
    }

    fn new_state(&self) -> ThreadHandles {
        ThreadHandles((0..=THREADS_MAX).map(|_| Mutex::new(None)).collect())
    }

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn initialize_wfp_components(&self, _: &ThreadHandles, driver: Driver<'_>) -> Result<(), Status> {
        naive::initialize_wfp_components_in_session(driver, SessionOptions::NULL, &CALLOUTS)
    }

    fn uninitialize_wfp_components(&self, handles: &ThreadHandles, driver: Driver<'_>) {
        for slot in &handles.0 {
            if let Some(handle) = slot.lock().take() {
                let _ = driver.fwpm_engine_close(handle);
            }
        }
        per_context::uninitialize_wfp_components(driver)
    }

    fn add_wfp_filters(
        &self,
        handles: &ThreadHandles,
        driver: Driver<'_>,
        _global: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        let handle = Self::thread_handle(handles, driver)?;
        naive::add_wfp_filters(driver, handle, filters, context)
    }

    fn delete_wfp_filters(&self, handles: &ThreadHandles, driver: Driver<'_>, _global: Handle, context: ContextId) {
        let Ok(handle) = Self::thread_handle(handles, driver) else {
            driver.note("FwpmEngineOpen failed: the filters are not deleted");
            return;
        };
        naive::delete_wfp_filters(driver, handle, context);
    }
}
