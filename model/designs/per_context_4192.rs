//! `per_context_4192`: #3866 plus #4192 (upstream commit 86fe3008), the service-stop
//! workaround: unload retries its deletes, waits for outstanding delete notifications,
//! then force-releases the references of filters still DELETING.

use super::{per_context, Design, PerContextHandle};
use crate::netebpfext::hooks::{CALLOUTS, PROVIDER, SUBLAYERS};
use crate::netebpfext::{Driver, FilterState, Hung, Provider};
use crate::wfp::{ContextId, Handle, Status};

/// `max_retries` of #4192's `net_ebpf_extension_uninitialize_wfp_components`.
pub const UNLOAD_TRIES_MAX: u32 = 10;

/// #4192's wait for the filter clean-up event, in seconds.
pub const CLEANUP_WAIT_S: u32 = 10;

#[derive(Debug, Default, Clone, Copy)]
/// #4192: #3866's per-context handles, and unload's clean-up of the contexts left.
pub struct PerContext4192;

impl Design for PerContext4192 {
    type State = ();
    type Base = PerContextHandle;

    fn name(&self) -> &'static str {
        "per_context_4192"
    }

    fn summary(&self) -> &'static str {
        "#3866 plus #4192: a filter is marked DELETING before its one FilterDeleteById; a context \
         whose last client left goes on a clean-up list; unload tries each delete up to 10 times, \
         waits up to 10 s for delete notifications, then releases the reference of every filter \
         still DELETING."
    }

    fn trade_offs(&self) -> &'static str {
        "A delete that fails (DELETE_FAILED) keeps its reference: #4192 releases only DELETING \
         filters' references (and ASSERTs the count matches), so the #5486 leak remains and unload \
         still hangs, now at the end of the WFP clean-up, on the provider rundown. The 10 s wait is spent whenever a context is left."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn hook_provider_unregister<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider) -> Result<(), Hung> {
        hook_provider_unregister(driver, provider)
    }

    fn uninitialize_wfp_components(&self, _: &(), driver: Driver<'_>) {
        uninitialize_wfp_components(driver)
    }

    fn delete_filter_context<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider, context: ContextId) {
        delete_filter_context(driver, provider, context)
    }

    fn clean_up_filter_context(&self, _: &(), driver: Driver<'_>, context: ContextId) {
        clean_up_filter_context(driver, context)
    }

    fn delete_wfp_filters(&self, _: &(), driver: Driver<'_>, handle: Handle, context: ContextId) {
        delete_wfp_filters(driver, handle, context)
    }
}

/// #4192's `net_ebpf_extension_hook_provider_unregister`: NMR detaches the bound
/// clients; the provider goes on the clean-up list, and the wait for its filter contexts
/// moves to the end of `uninitialize_wfp_components`, after the WFP clean-up.
pub fn hook_provider_unregister(driver: Driver<'_>, provider: &Provider) -> Result<(), Hung> {
    driver.nmr_deregister_provider(provider);
    driver.add_provider_context_to_cleanup_list(provider);
    Ok(())
}

/// #4192's `delete_filter_context`: delete the filters, then
/// `net_ebpf_extension_wfp_filter_context_cleanup` puts the context on the clean-up list
/// before dropping its own reference.
pub fn delete_filter_context(driver: Driver<'_>, _provider: &Provider, context: ContextId) {
    let handle = driver.filter_context_engine_handle(context).expect("#3866: every filter context has its handle");
    driver.delete_wfp_filters(handle, context);
    driver.add_filter_context_to_cleanup_list(context);
    driver.dereference_filter_context(context);
}

/// #4192's `CLEAN_UP_FILTER_CONTEXT`: off the clean-up list, close its handle, free it.
pub fn clean_up_filter_context(driver: Driver<'_>, context: ContextId) {
    driver.remove_filter_context_from_cleanup_list(context);
    per_context::clean_up_filter_context(driver, context);
}

/// #4192's `net_ebpf_extension_delete_wfp_filters`: DELETING before the one delete,
/// DELETE_FAILED if it fails.
pub fn delete_wfp_filters(driver: Driver<'_>, handle: Handle, context: ContextId) {
    for id in driver.filter_ids(context) {
        driver.set_filter_state(context, id, FilterState::Deleting, None);
        if let Err(status) = driver.fwpm_filter_delete_by_id(handle, id) {
            driver.set_filter_state(context, id, FilterState::DeleteFailed, Some(status));
        }
    }
}

/// Tries `call` up to `tries` times, back to back, until it succeeds or returns `done`.
pub fn retried(tries: u32, done: Status, call: impl Fn() -> Result<(), Status>) {
    for _ in 0..tries {
        match call() {
            Ok(()) => return,
            Err(status) if status == done => return,
            Err(_) => {}
        }
    }
}

/// #4192's `net_ebpf_extension_uninitialize_wfp_components`.
pub fn uninitialize_wfp_components(driver: Driver<'_>) {
    if let Some(handle) = driver.global_engine_handle() {
        for callout in CALLOUTS {
            retried(UNLOAD_TRIES_MAX, Status::CalloutNotFound, || driver.fwps_callout_unregister_by_id(callout));
            retried(UNLOAD_TRIES_MAX, Status::CalloutNotFound, || driver.fwpm_callout_delete_by_key(handle, callout));
        }
        for sublayer in SUBLAYERS {
            retried(UNLOAD_TRIES_MAX, Status::SublayerNotFound, || {
                driver.fwpm_sublayer_delete_by_key(handle, sublayer)
            });
        }
        retried(UNLOAD_TRIES_MAX, Status::ProviderNotFound, || driver.fwpm_provider_delete_by_key(handle, PROVIDER));
        let _ = driver.fwpm_engine_close(handle);
        driver.set_global_engine_handle(None);
    }
    // "If there are cleanup filters, sleep to give WFP time to issue callbacks."
    if !driver.filter_cleanup_list_is_empty() {
        driver.wait_for_filter_cleanup_event(CLEANUP_WAIT_S);
        while let Some(context) = driver.remove_head_filter_cleanup_list() {
            // "Anything left in the NET_EBPF_EXT_WFP_FILTER_DELETING is considered leaked."
            let leaked = driver
                .with_filter_context_lock(context, |filters| {
                    filters.iter().filter(|f| f.state == FilterState::Deleting).count() as i64
                })
                .unwrap_or(0);
            if driver.reference_count(context) != leaked {
                driver.note("ASSERT(filter_context->reference_count == leaked_filter_count) fails");
            }
            for _ in 0..leaked {
                driver.dereference_filter_context(context);
            }
        }
    }
    // "Iterate through the provider list and handle cleanup."
    let _hung = wait_for_provider_context_rundown(driver);
}

/// Waits for the rundown of every provider on the clean-up list, in order (#4192's loop at
/// the end of `uninitialize_wfp_components`, #5472's
/// `net_ebpf_ext_wait_for_provider_context_rundown`).
pub fn wait_for_provider_context_rundown(driver: Driver<'_>) -> Result<(), Hung> {
    while let Some(provider) = driver.remove_head_provider_cleanup_list() {
        driver.wait_for_provider_rundown(provider)?;
    }
    Ok(())
}
