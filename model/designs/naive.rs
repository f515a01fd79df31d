//! `naive`: the code that failed in #3728 (upstream commit 06533c8d, before #3751), every
//! function a design can change, as the body every other design starts from.
//!
//! One global engine handle on a dynamic session, shared by every attach and detach,
//! with no lock around its use.

use super::Design;
use crate::netebpfext::hooks::{HookFamily, CALLOUTS, PROVIDER, SUBLAYERS, WILDCARD_COMPARTMENT};
use crate::netebpfext::{
    access_denied, attach_failure, Client, Driver, EbpfResult, FilterState, Hung, OpFailure, Provider,
};
use crate::wfp::{ContextId, FilterId, FilterSpec, Handle, SessionOptions, Status};

#[derive(Debug, Default, Clone, Copy)]
/// The code that failed in #3728: one global engine handle, a transaction per attach on it.
pub struct Naive;

/// Naive is its own base: it writes every body (a body it left out would call itself).
impl Design for Naive {
    type State = ();
    type Base = Naive;

    fn name(&self) -> &'static str {
        "naive"
    }

    fn summary(&self) -> &'static str {
        "One global engine handle on a dynamic session, shared by every attach and detach, no lock: \
         netebpfext before #3751, the code that failed in #3728."
    }

    fn trade_offs(&self) -> &'static str {
        "Two attaches on different hooks both begin a transaction on the one session: the second \
         Begin fails at once with STATUS_FWP_TXN_IN_PROGRESS (W5) and the attach fails with errno 22. \
         A detach's FilterDeleteById can land inside another thread's transaction (W8)."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn initialize_wfp_components(&self, _: &(), driver: Driver<'_>) -> Result<(), Status> {
        initialize_wfp_components(driver)
    }

    fn uninitialize_objects(&self, _: &(), driver: Driver<'_>) -> Result<(), Hung> {
        uninitialize_objects(driver)
    }

    fn hook_provider_unregister<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider) -> Result<(), Hung> {
        hook_provider_unregister(driver, provider)
    }

    fn uninitialize_wfp_components(&self, _: &(), driver: Driver<'_>) {
        uninitialize_wfp_components(driver)
    }

    fn attach_client<'a>(&self, _: &(), driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        attach_client(driver, client)
    }

    fn detach_client<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider, client: u32) {
        detach_client(driver, provider, client)
    }

    fn create_filter_context<'a>(
        &self,
        _: &(),
        driver: Driver<'a>,
        client: Client<'a>,
    ) -> Result<ContextId, OpFailure> {
        create_filter_context(driver, client)
    }

    fn delete_filter_context<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider, context: ContextId) {
        delete_filter_context(driver, provider, context)
    }

    fn clean_up_filter_context(&self, _: &(), driver: Driver<'_>, context: ContextId) {
        clean_up_filter_context(driver, context)
    }

    fn add_wfp_filters(
        &self,
        _: &(),
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        add_wfp_filters(driver, handle, filters, context)
    }

    fn delete_wfp_filters(&self, _: &(), driver: Driver<'_>, handle: Handle, context: ContextId) {
        delete_wfp_filters(driver, handle, context)
    }

    fn filter_change_notify(&self, _: &(), driver: Driver<'_>, filter: FilterId, context: ContextId) {
        filter_change_notify(driver, filter, context)
    }
}

/// `net_ebpf_extension_initialize_wfp_components`: a dynamic session
/// (`FWPM_SESSION_FLAG_DYNAMIC`) and one explicit transaction on it.
pub fn initialize_wfp_components(driver: Driver<'_>) -> Result<(), Status> {
    initialize_wfp_components_in_session(driver, SessionOptions::DYNAMIC, &CALLOUTS)
}

/// The start-up transaction on a global handle opened with `session`: provider,
/// sublayers, then each of `callouts` registered and added. A failure after the open
/// unloads; one inside the transaction aborts it first. (The L2 injection handle that
/// follows the commit is not modelled: it touches no WFP object the model holds.)
pub fn initialize_wfp_components_in_session(
    driver: Driver<'_>,
    session: SessionOptions,
    callouts: &[&'static str],
) -> Result<(), Status> {
    let handle = driver.fwpm_engine_open(session)?;
    driver.set_global_engine_handle(Some(handle));
    if let Err(status) = driver.fwpm_transaction_begin(handle) {
        driver.uninitialize_wfp_components();
        return Err(status);
    }
    let added = (|| {
        driver.fwpm_provider_add(handle, PROVIDER)?;
        for sublayer in SUBLAYERS {
            driver.fwpm_sublayer_add(handle, sublayer, Some(PROVIDER))?;
        }
        for callout in callouts {
            register_wfp_callout(driver, handle, callout)?;
        }
        driver.fwpm_transaction_commit(handle)
    })();
    if let Err(status) = added {
        let _ = driver.fwpm_transaction_abort(handle);
        driver.uninitialize_wfp_components();
        return Err(status);
    }
    Ok(())
}

/// `_net_ebpf_ext_register_wfp_callout`: FwpsCalloutRegister, then FwpmCalloutAdd. A
/// failed add unregisters the callout, and `status` is then the unregister's: when the
/// unregister succeeds the function returns success, so start-up goes on without that
/// callout, and a filter naming it fails later with CALLOUT_NOT_FOUND (W13).
pub fn register_wfp_callout(driver: Driver<'_>, handle: Handle, callout: &'static str) -> Result<(), Status> {
    driver.fwps_callout_register(callout)?;
    if driver.fwpm_callout_add(handle, callout, Some(PROVIDER)).is_err() {
        return driver.fwps_callout_unregister_by_id(callout);
    }
    Ok(())
}

/// `_net_ebpf_ext_driver_uninitialize_objects`: deregister every hook provider
/// (`net_ebpf_ext_unregister_providers`), then the WFP objects' clean-up.
pub fn uninitialize_objects(driver: Driver<'_>) -> Result<(), Hung> {
    for provider in driver.providers() {
        driver.hook_provider_unregister(provider)?;
    }
    driver.uninitialize_wfp_components();
    Ok(())
}

/// `net_ebpf_extension_hook_provider_unregister` before #3751: NMR detaches the bound
/// clients and waits for each detach to complete (each waits for its client's rundown,
/// which no filter context holds): nothing here waits for a filter context.
pub fn hook_provider_unregister(driver: Driver<'_>, provider: &Provider) -> Result<(), Hung> {
    driver.nmr_deregister_provider(provider);
    Ok(())
}

/// `net_ebpf_extension_uninitialize_wfp_components`: closing the dynamic session deletes
/// everything it added; then the callouts are unregistered.
pub fn uninitialize_wfp_components(driver: Driver<'_>) {
    uninitialize_wfp_components_of(driver, &CALLOUTS)
}

/// [`uninitialize_wfp_components`] with `callouts` as the callout table.
pub fn uninitialize_wfp_components_of(driver: Driver<'_>, callouts: &[&'static str]) {
    let Some(handle) = driver.global_engine_handle() else { return };
    let _ = driver.fwpm_engine_close(handle);
    driver.set_global_engine_handle(None);
    for callout in callouts {
        let _ = driver.fwps_callout_unregister_by_id(callout);
    }
}

/// `_net_ebpf_extension_hook_provider_attach_client` with the hook's attach callback
/// (`_net_ebpf_extension_sock_addr_on_client_attach`, `_net_ebpf_extension_bind_on_client_attach`):
/// check the attach against the clients already attached, create a filter context of the
/// client's own, and on success put the client on the provider's attached clients. The
/// check and the insertion are separate sections, so two attaches in one compartment can
/// both pass the check.
pub fn attach_client<'a>(driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
    check_attach_parameter(driver, client)?;
    let context = driver.create_filter_context(client)?;
    let _push_lock = driver.acquire_push_lock(client.provider);
    driver.insert_attached_client(client, context);
    Ok(())
}

/// sock_addr's `net_ebpf_extension_hook_check_attach_parameter`, under the provider's push
/// lock taken shared (the model's push lock is exclusive: readers take it in turn, with
/// the same outcomes): a wildcard attach only when no client is attached, any other only
/// when no attached client is a wildcard or in its compartment. bind's: "Bind hook allows
/// only one client at a time" (no lock).
pub fn check_attach_parameter<'a>(driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
    let denied = match client.provider.hook.family {
        HookFamily::Bind => !driver.attached_client_compartments(client.provider).is_empty(),
        HookFamily::SockAddr => {
            let _push_lock = driver.acquire_push_lock(client.provider);
            let attached = driver.attached_client_compartments(client.provider);
            if client.compartment == WILDCARD_COMPARTMENT {
                !attached.is_empty()
            } else {
                attached.iter().any(|c| *c == WILDCARD_COMPARTMENT || *c == client.compartment)
            }
        }
    };
    if denied {
        driver.note("attach denied: another client is attached with a wildcard or the same attach parameter");
        return Err(access_denied());
    }
    Ok(())
}

/// `_net_ebpf_extension_hook_provider_detach_client`: the hook's detach callback deletes
/// the client's filter context first; then the client leaves the attached clients.
pub fn detach_client<'a>(driver: Driver<'a>, provider: &'a Provider, client: u32) {
    let Some(context) = driver.client_provider_data(provider, client) else {
        driver.note("the client is not attached: nothing to detach");
        return;
    };
    driver.delete_filter_context(provider, context);
    let _push_lock = driver.acquire_push_lock(provider);
    driver.remove_attached_client(provider, client);
}

/// `_net_ebpf_extension_sock_addr_create_filter_context`: allocate the context, add the
/// hook's filters on the global handle; on failure `CLEAN_UP_FILTER_CONTEXT`.
pub fn create_filter_context<'a>(driver: Driver<'a>, client: Client<'a>) -> Result<ContextId, OpFailure> {
    let context = driver.allocate_filter_context(client);
    // NULL after a failed start-up, which DriverEntry ignores.
    let handle = driver.global_engine_handle().unwrap_or(Handle::NULL);
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

/// `_net_ebpf_extension_sock_addr_delete_filter_context`: delete the filters on the
/// global handle, then `net_ebpf_extension_wfp_filter_context_cleanup` drops the
/// context's own reference.
pub fn delete_filter_context(driver: Driver<'_>, _provider: &Provider, context: ContextId) {
    let handle = driver.global_engine_handle().unwrap_or(Handle::NULL);
    driver.delete_wfp_filters(handle, context);
    driver.dereference_filter_context(context);
}

/// `CLEAN_UP_FILTER_CONTEXT`: free the context, whatever its reference count.
pub fn clean_up_filter_context(driver: Driver<'_>, context: ContextId) {
    driver.free_filter_context(context);
}

/// `net_ebpf_extension_add_wfp_filters`: Begin; per filter a reference on the context and
/// a FilterAdd carrying it; Commit. Any failure after Begin aborts; no failure releases
/// a reference.
pub fn add_wfp_filters(
    driver: Driver<'_>,
    handle: Handle,
    filters: &[FilterSpec],
    context: ContextId,
) -> Result<Vec<FilterId>, Status> {
    assert!(!filters.is_empty(), "every hook adds at least one filter (filter_count == 0 is EBPF_INVALID_ARGUMENT)");
    driver.fwpm_transaction_begin(handle)?;
    added_and_committed(driver, handle, filters, context)
}

/// The rest of `net_ebpf_extension_add_wfp_filters` once its Begin succeeded.
pub fn added_and_committed(
    driver: Driver<'_>,
    handle: Handle,
    filters: &[FilterSpec],
    context: ContextId,
) -> Result<Vec<FilterId>, Status> {
    let mut ids = Vec::with_capacity(filters.len());
    let added = filters.iter().try_for_each(|filter| {
        driver.reference_filter_context(context);
        ids.push(driver.fwpm_filter_add(handle, filter)?);
        Ok(())
    });
    if let Err(status) = added.and_then(|()| driver.fwpm_transaction_commit(handle)) {
        // The abort's own result is not checked by netebpfext.
        let _ = driver.fwpm_transaction_abort(handle);
        return Err(status);
    }
    Ok(ids)
}

/// `net_ebpf_extension_delete_wfp_filters`: a FilterDeleteById per filter, no
/// transaction. A failed delete is logged and not retried, and its reference is never
/// released (the only releaser is the delete notification, #5486).
pub fn delete_wfp_filters(driver: Driver<'_>, handle: Handle, context: ContextId) {
    for id in driver.filter_ids(context) {
        let _ = driver.fwpm_filter_delete_by_id(handle, id);
    }
}

/// `net_ebpf_ext_filter_change_notify`: mark the filter deleted, drop its reference.
pub fn filter_change_notify(driver: Driver<'_>, filter: FilterId, context: ContextId) {
    driver.set_filter_state(context, filter, FilterState::Deleted, None);
    driver.dereference_filter_context(context);
}
