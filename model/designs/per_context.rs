//! `per_context_handle` and `per_context_dynamic`: an engine handle per filter context
//! (#3866, upstream commit 8fb3a7e3, on top of #3751).

use super::{naive, Design, ProviderLock};
use crate::netebpfext::hooks::{CALLOUTS, PROVIDER, SUBLAYERS};
use crate::netebpfext::{attach_failure, Client, Driver, EbpfResult, FilterState, Hung, OpFailure, Provider};
use crate::wfp::{ContextId, Handle, SessionOptions};

/// Each filter context opens its own engine handle (`FwpmEngineOpen` with a NULL session:
/// static, 15 s wait) for its add and delete; the global handle, now static too, is used
/// only at start-up and unload, and unload deletes callouts, sublayers and provider
/// explicitly: PR #3866 as merged, on top of #3751's provider lock.
#[derive(Debug, Default, Clone, Copy)]
pub struct PerContextHandle;

/// #3866 was merged on top of #3751: attach and detach are `provider_lock`'s.
impl Design for PerContextHandle {
    type State = ();
    type Base = ProviderLock;

    fn name(&self) -> &'static str {
        "per_context_handle"
    }

    fn summary(&self) -> &'static str {
        "Each filter context opens its own static session (NULL FWPM_SESSION0, 15 s wait) for its \
         add and delete; the static global handle is used only at start-up and unload, which deletes \
         callouts, sublayers and provider explicitly, each once: PR #3866 as merged (with #3751's \
         provider lock)."
    }

    fn trade_offs(&self) -> &'static str {
        "Sessions no longer collide: a second Begin waits for the engine's transaction lock (W6) \
         instead of failing. The wait can time out after 15 s (W3): an attach then fails, and a detach's \
         FilterDeleteById that times out leaves its filter behind and its reference never released, so \
         the context and its handle leak and unload hangs at the provider's deregistration, waiting for its \
         rundown, before any WFP object is cleaned up (#5486). Static objects outlive the driver \
         unless deleted (#5501)."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn initialize_wfp_components(&self, _: &(), driver: Driver<'_>) -> Result<(), crate::wfp::Status> {
        naive::initialize_wfp_components_in_session(driver, SessionOptions::NULL, &CALLOUTS)
    }

    fn uninitialize_wfp_components(&self, _: &(), driver: Driver<'_>) {
        uninitialize_wfp_components(driver)
    }

    fn create_filter_context<'a>(
        &self,
        _: &(),
        driver: Driver<'a>,
        client: Client<'a>,
    ) -> Result<ContextId, OpFailure> {
        create_filter_context_in_session(driver, client, SessionOptions::NULL)
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

/// A static global session for provider, sublayers and callouts, and a dynamic session
/// per filter context: the idea of draft PR #3685. The draft's code is not public: the
/// model gives it #3866's start-up and WFP clean-up (an assumption, so that its verdict is
/// about concurrency), and, as the draft predates #3751, the attach, detach and provider
/// deregistration of the code before #3751 (no provider lock, no wait for filter contexts).
#[derive(Debug, Default, Clone, Copy)]
pub struct PerContextDynamic;

impl Design for PerContextDynamic {
    type State = ();
    type Base = PerContextHandle;

    fn name(&self) -> &'static str {
        "per_context_dynamic"
    }

    fn summary(&self) -> &'static str {
        "A static global session for provider, sublayers and callouts, and a dynamic session per \
         filter context: the idea of draft PR #3685 (abandoned). Unload as in #3866 (an assumption)."
    }

    fn trade_offs(&self) -> &'static str {
        "As per_context_handle for concurrency: waits on the transaction lock, which can time out. \
         Its filters are dynamic objects, so they may refer to the static global objects (W15) and go \
         when the context's session closes; the global objects must be static, since a dynamic global \
         session's objects cannot be referred to from another session."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn attach_client<'a>(&self, _: &(), driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        naive::attach_client(driver, client)
    }

    fn detach_client<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider, client: u32) {
        naive::detach_client(driver, provider, client)
    }

    fn hook_provider_unregister<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider) -> Result<(), Hung> {
        naive::hook_provider_unregister(driver, provider)
    }

    fn create_filter_context<'a>(
        &self,
        _: &(),
        driver: Driver<'a>,
        client: Client<'a>,
    ) -> Result<ContextId, OpFailure> {
        create_filter_context_in_session(driver, client, SessionOptions::DYNAMIC)
    }
}

/// #3866's `net_ebpf_extension_wfp_filter_context_create` and the hook's
/// `create_filter_context`: the context opens its own engine handle with `session`
/// (`EBPF_FAILED` if it cannot), and its filters are added on that handle.
pub fn create_filter_context_in_session<'a>(
    driver: Driver<'a>,
    client: Client<'a>,
    session: SessionOptions,
) -> Result<ContextId, OpFailure> {
    let context = driver.allocate_filter_context(client);
    let handle = match driver.fwpm_engine_open(session) {
        Ok(handle) => handle,
        Err(status) => {
            driver.clean_up_filter_context(context);
            return Err(attach_failure(status, EbpfResult::Failed));
        }
    };
    driver.set_filter_context_engine_handle(context, handle);
    let filters = driver.filter_parameters(client.provider, context);
    match driver.add_wfp_filters(handle, &filters, context) {
        Ok(ids) => {
            driver.set_filter_ids(context, ids);
            Ok(context)
        }
        Err(status) => {
            driver.clean_up_filter_context(context);
            Err(attach_failure(status, EbpfResult::InvalidArgument))
        }
    }
}

/// #3866's `delete_filter_context`: the filters are deleted on the context's own handle.
pub fn delete_filter_context(driver: Driver<'_>, _provider: &Provider, context: ContextId) {
    let handle = driver.filter_context_engine_handle(context).expect("#3866: every filter context has its handle");
    driver.delete_wfp_filters(handle, context);
    // net_ebpf_extension_wfp_filter_context_cleanup
    driver.dereference_filter_context(context);
}

/// #3866's `CLEAN_UP_FILTER_CONTEXT`: close the context's engine handle, then free it.
pub fn clean_up_filter_context(driver: Driver<'_>, context: ContextId) {
    if let Some(handle) = driver.filter_context_engine_handle(context) {
        let _ = driver.fwpm_engine_close(handle);
    }
    driver.free_filter_context(context);
}

/// #3866's `net_ebpf_extension_delete_wfp_filters`: each state set after its delete
/// (DELETING when it succeeded, DELETE_FAILED when not). No retry, no reference released.
pub fn delete_wfp_filters(driver: Driver<'_>, handle: Handle, context: ContextId) {
    for id in driver.filter_ids(context) {
        match driver.fwpm_filter_delete_by_id(handle, id) {
            Ok(()) => driver.set_filter_state(context, id, FilterState::Deleting, None),
            Err(status) => driver.set_filter_state(context, id, FilterState::DeleteFailed, Some(status)),
        }
    }
}

/// #3866's `net_ebpf_extension_uninitialize_wfp_components`: static objects must be
/// deleted explicitly, each tried once (NOT_FOUND counts as done), then the global
/// handle closed.
pub fn uninitialize_wfp_components(driver: Driver<'_>) {
    let Some(handle) = driver.global_engine_handle() else { return };
    for callout in CALLOUTS {
        let _ = driver.fwps_callout_unregister_by_id(callout);
        let _ = driver.fwpm_callout_delete_by_key(handle, callout);
    }
    for sublayer in SUBLAYERS {
        let _ = driver.fwpm_sublayer_delete_by_key(handle, sublayer);
    }
    let _ = driver.fwpm_provider_delete_by_key(handle, PROVIDER);
    let _ = driver.fwpm_engine_close(handle);
    driver.set_global_engine_handle(None);
}
