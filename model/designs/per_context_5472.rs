//! `per_context_5472`: upstream's code today (#5472, upstream commit 55e4ffa8, on top of
//! #4192): FilterDeleteById retried inline, a context with a filter it could not delete
//! kept on its provider's zombie list, and the zombies swept at unload once every
//! callout is unregistered. It removes #4192's clean-up list and wait.

use super::per_context_4192::{retried, wait_for_provider_context_rundown, UNLOAD_TRIES_MAX};
use super::{naive, per_context, Design, PerContext4192};
use crate::netebpfext::hooks::{CALLOUTS_5472, PROVIDER, SUBLAYERS};
use crate::netebpfext::{Driver, FilterState, Hung, Provider};
use crate::wfp::{ContextId, FilterId, Handle, SessionOptions, Status};

/// `NET_EBPF_EXT_DELETE_RETRY_MAX_ATTEMPTS`.
pub const DELETE_TRIES_MAX: u32 = 3;

#[derive(Debug, Default, Clone, Copy)]
/// #5472: #4192, with a timed-out filter delete tried again.
pub struct PerContext5472;

impl Design for PerContext5472 {
    type State = ();
    type Base = PerContext4192;

    fn name(&self) -> &'static str {
        "per_context_5472"
    }

    fn summary(&self) -> &'static str {
        "Upstream today: #3866's handle per filter context with #5472: each FilterDeleteById tried up \
         to 3 times (FILTER_NOT_FOUND counts as done), a context with a filter it could not delete \
         kept on its provider's zombie list with its references, and unload, once every callout is \
         unregistered, retrying those deletes and freeing each zombie outright."
    }

    fn trade_offs(&self) -> &'static str {
        "A delete that fails once is retried at once, with no delay, so a transient failure is \
         recovered but a lock wait that keeps timing out is not; a filter that cannot be deleted even at \
         unload is left installed (it permits traffic with its callout gone), and its callout, sublayer \
         and provider with it. If a callout cannot be unregistered the zombies are kept and unload hangs."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    /// #5472's callout table (16 callouts); otherwise #3866's start-up.
    fn initialize_wfp_components(&self, _: &(), driver: Driver<'_>) -> Result<(), Status> {
        naive::initialize_wfp_components_in_session(driver, SessionOptions::NULL, &CALLOUTS_5472)
    }

    fn uninitialize_objects(&self, _: &(), driver: Driver<'_>) -> Result<(), Hung> {
        uninitialize_objects(driver)
    }

    fn uninitialize_wfp_components(&self, _: &(), driver: Driver<'_>) {
        uninitialize_wfp_components(driver)
    }

    fn delete_filter_context<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider, context: ContextId) {
        dispose_filter_context(driver, provider, context)
    }

    /// #5472 removes #4192's clean-up list: #3866's clean-up again.
    fn clean_up_filter_context(&self, _: &(), driver: Driver<'_>, context: ContextId) {
        per_context::clean_up_filter_context(driver, context)
    }

    fn delete_wfp_filters(&self, _: &(), driver: Driver<'_>, handle: Handle, context: ContextId) {
        delete_wfp_filters(driver, handle, context)
    }

    fn filter_change_notify(&self, _: &(), driver: Driver<'_>, filter: FilterId, context: ContextId) {
        filter_change_notify(driver, filter, context)
    }
}

/// `_net_ebpf_ext_dispose_filter_context` (under the provider's push lock): delete the
/// filters; if every one is DELETED drop the initial reference, else keep the context,
/// references and all, on the provider's zombie list for the unload sweep.
pub fn dispose_filter_context(driver: Driver<'_>, provider: &Provider, context: ContextId) {
    let handle = driver.filter_context_engine_handle(context).expect("#3866: every filter context has its handle");
    driver.delete_wfp_filters(handle, context);
    let all_deleted = driver
        .with_filter_context_lock(context, |filters| filters.iter().all(|f| f.state == FilterState::Deleted))
        .unwrap_or(true);
    if all_deleted {
        driver.dereference_filter_context(context);
    } else {
        driver.insert_zombie_filter_context(provider, context);
    }
}

/// `_net_ebpf_ext_try_delete_wfp_filter`: up to `tries` FilterDeleteById, back to back;
/// FWP_E_FILTER_NOT_FOUND counts as success.
pub fn try_delete_wfp_filter(driver: Driver<'_>, handle: Handle, id: FilterId, tries: u32) -> Result<(), Status> {
    assert!(tries >= 1, "a delete is tried at least once");
    let mut last = Ok(());
    for _ in 0..tries {
        match driver.fwpm_filter_delete_by_id(handle, id) {
            Ok(()) | Err(Status::FilterNotFound) => return Ok(()),
            Err(status) => last = Err(status),
        }
    }
    last
}

/// #5472's `net_ebpf_extension_delete_wfp_filters`: per filter, under the context's
/// lock, skip it if already DELETED, else mark it DELETING; delete it (tried 3 times)
/// without the lock, which the notification takes; DELETE_FAILED if every try failed
/// and no notification came.
pub fn delete_wfp_filters(driver: Driver<'_>, handle: Handle, context: ContextId) {
    for id in driver.filter_ids(context) {
        let already_deleted = driver
            .with_filter_context_lock(context, |filters| {
                let entry = filters.iter_mut().find(|f| f.id() == id).expect("one of its own ids");
                let deleted = entry.state == FilterState::Deleted;
                if !deleted {
                    entry.state = FilterState::Deleting;
                }
                deleted
            })
            .unwrap_or(true);
        if already_deleted {
            continue;
        }
        if let Err(status) = try_delete_wfp_filter(driver, handle, id, DELETE_TRIES_MAX) {
            driver.with_filter_context_lock(context, |filters| {
                let entry = filters.iter_mut().find(|f| f.id() == id).expect("one of its own ids");
                entry.error_code = Some(status);
                if entry.state == FilterState::Deleting {
                    entry.state = FilterState::DeleteFailed;
                }
            });
        }
    }
}

/// #5472's `net_ebpf_ext_filter_change_notify`: under the context's lock mark the filter
/// DELETED; drop its reference outside the lock, and only if the filter was found.
pub fn filter_change_notify(driver: Driver<'_>, filter: FilterId, context: ContextId) {
    let found = driver
        .with_filter_context_lock(context, |filters| {
            filters.iter_mut().find(|f| f.id() == filter).map(|entry| entry.state = FilterState::Deleted).is_some()
        })
        .unwrap_or(false);
    if found {
        driver.dereference_filter_context(context);
    }
}

/// `_net_ebpf_ext_cleanup_zombie_filters`: each zombie's filters not DELETED are deleted
/// again (3 tries), then the context is freed outright, whatever its reference count:
/// with every callout unregistered nothing else can reach it.
pub fn cleanup_zombie_filters(driver: Driver<'_>, provider: &Provider) {
    loop {
        let zombie = {
            let _push_lock = driver.acquire_push_lock(provider);
            driver.remove_zombie_filter_context(provider)
        };
        let Some(context) = zombie else { return };
        let handle = driver.filter_context_engine_handle(context).expect("#3866: every filter context has its handle");
        for id in driver.filter_ids(context) {
            let deleted = driver
                .with_filter_context_lock(context, |filters| {
                    filters.iter().any(|f| f.id() == id && f.state == FilterState::Deleted)
                })
                .unwrap_or(true);
            if deleted {
                continue;
            }
            match try_delete_wfp_filter(driver, handle, id, DELETE_TRIES_MAX) {
                Ok(()) => driver.set_filter_state(context, id, FilterState::Deleted, None),
                Err(status) => {
                    driver.note("a zombie filter could not be deleted at unload: it is left installed");
                    driver.set_filter_state(context, id, FilterState::DeleteFailed, Some(status));
                }
            }
        }
        driver.clean_up_filter_context(context);
    }
}

/// #5472's `_net_ebpf_ext_driver_uninitialize_objects`: deregister the providers, clean
/// up WFP, then `net_ebpf_ext_wait_for_provider_context_rundown`.
pub fn uninitialize_objects(driver: Driver<'_>) -> Result<(), Hung> {
    for provider in driver.providers() {
        driver.hook_provider_unregister(provider)?;
    }
    driver.uninitialize_wfp_components();
    wait_for_provider_context_rundown(driver)
}

/// #5472's `net_ebpf_extension_uninitialize_wfp_components`: (1) unregister every callout,
/// (2) only if all are unregistered sweep each provider's zombies, (3) delete callouts,
/// sublayers and provider (10 tries each), close the global handle.
pub fn uninitialize_wfp_components(driver: Driver<'_>) {
    let Some(handle) = driver.global_engine_handle() else { return };
    let mut all_callouts_unregistered = true;
    for callout in CALLOUTS_5472 {
        let mut unregistered = false;
        for _ in 0..UNLOAD_TRIES_MAX {
            match driver.fwps_callout_unregister_by_id(callout) {
                Ok(()) | Err(Status::CalloutNotFound) => {
                    unregistered = true;
                    break;
                }
                Err(_) => {}
            }
        }
        all_callouts_unregistered &= unregistered;
    }
    if all_callouts_unregistered {
        for provider in driver.provider_context_cleanup_list() {
            cleanup_zombie_filters(driver, provider);
        }
    } else {
        driver.note("a callout could not be unregistered: the zombie filter contexts are kept (ASSERT(FALSE))");
    }
    for callout in CALLOUTS_5472 {
        retried(UNLOAD_TRIES_MAX, Status::CalloutNotFound, || driver.fwpm_callout_delete_by_key(handle, callout));
    }
    for sublayer in SUBLAYERS {
        retried(UNLOAD_TRIES_MAX, Status::SublayerNotFound, || driver.fwpm_sublayer_delete_by_key(handle, sublayer));
    }
    retried(UNLOAD_TRIES_MAX, Status::ProviderNotFound, || driver.fwpm_provider_delete_by_key(handle, PROVIDER));
    let _ = driver.fwpm_engine_close(handle);
    driver.set_global_engine_handle(None);
}
