//! netebpfext as a design's code sees it: the WFP calls and netebpfext's own primitives
//! (upstream `netebpfext/net_ebpf_ext.c`, `net_ebpf_ext.h`, `net_ebpf_ext_hook_provider.c`).
//!
//! A design is the code of netebpfext's WFP functions (`crate::designs`); it runs them
//! through a [`Driver`]: the driver running on one thread. A body changes what the
//! properties read only through the driver: the engine's calls, the filter context's
//! reference count (`REFERENCE_FILTER_CONTEXT`, `DEREFERENCE_FILTER_CONTEXT`), the
//! context's memory, its clients and its provider's lists. Nothing here branches on which
//! design runs: `Extension` only loads the design, calls its bodies, and logs where
//! each operation starts and ends.
//!
//! Not modelled, because they touch no WFP state: client validation, the redirect handle
//! (`FwpsRedirectHandleCreate`/`Destroy`), the injection handle, NMR's own bookkeeping.
//! Filter contexts and the lists of them sit behind locks the checker schedules
//! (`contexts.rs`), as the real driver's interlocked counts and locks are points where
//! another thread may run.

mod contexts;
pub mod design;
pub mod hooks;
mod log;

pub use self::contexts::CONTEXTS_PER_THREAD_MAX;
pub use self::log::{EbpfResult, Event, EventKind, Log, Op, OpFailure, EVENTS_MAX};

use std::any::Any;
use std::collections::BTreeSet;

use self::contexts::Contexts;
use self::design::DynDesign;
use self::hooks::{Hook, HOOKS, PROVIDER};
use crate::sync::{opaque, thread, Arc, Mutex, MutexGuard, Unmodelled, Weak};
use crate::wfp::{Actor, ContextId, Engine, FilterId, FilterSpec, Handle, SessionOptions, Status};

/// errno for `EINVAL`, what the user library reports for `EBPF_EXTENSION_FAILED_TO_LOAD`.
pub const EINVAL: i32 = 22;

/// An attach the provider's attach policy refused (`EBPF_ACCESS_DENIED`, then
/// `STATUS_ACCESS_DENIED`, `EBPF_EXTENSION_FAILED_TO_LOAD`, `EINVAL`).
pub fn access_denied() -> OpFailure {
    OpFailure { wfp: None, ebpf: EbpfResult::AccessDenied, errno: EINVAL }
}

/// An attach that met a stopped netebpfext: its hook provider is not registered with NMR,
/// so ebpfcore's link attach fails (`EBPF_EXTENSION_FAILED_TO_LOAD`, errno 22).
pub fn provider_not_registered() -> OpFailure {
    OpFailure { wfp: None, ebpf: EbpfResult::ProviderNotRegistered, errno: EINVAL }
}

/// An attach that failed: `create_filter_context` returned `ebpf`, so attach returned
/// `STATUS_ACCESS_DENIED`, the core `EBPF_EXTENSION_FAILED_TO_LOAD`, the library `EINVAL`.
pub fn attach_failure(wfp: Status, ebpf: EbpfResult) -> OpFailure {
    OpFailure { wfp: Some(wfp), ebpf, errno: EINVAL }
}

/// `NET_EBPF_EXT_WFP_FILTER_*`: what netebpfext knows of one of a context's filters.
/// Only the design's own code reads these; the properties read the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterState {
    /// `NET_EBPF_EXT_WFP_FILTER_ADDED`.
    Added,
    /// `NET_EBPF_EXT_WFP_FILTER_DELETING`: its delete is under way.
    Deleting,
    /// `NET_EBPF_EXT_WFP_FILTER_DELETED`.
    Deleted,
    /// `NET_EBPF_EXT_WFP_FILTER_DELETE_FAILED`: its delete returned a failure.
    DeleteFailed,
}

/// `net_ebpf_ext_wfp_filter_id_t`: one filter id of a context, its state and the status
/// of its last delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilterEntry {
    id: FilterId,
    /// What netebpfext knows of it.
    pub state: FilterState,
    /// The status of its last delete, if that failed.
    pub error_code: Option<Status>,
}

impl FilterEntry {
    /// The filter's id in the engine.
    pub fn id(&self) -> FilterId {
        self.id
    }
}

/// A filter context: what one attach creates and the last detach removes. The fields
/// are the end state the properties read; a body reaches them only through [`Driver`].
#[derive(Debug, Clone, Hash)]
pub struct FilterContext {
    /// The context's raw pointer, as the model numbers contexts.
    pub id: ContextId,
    /// The hook whose attach created it.
    pub hook: &'static Hook,
    /// The compartment its clients attached in.
    pub compartment: u32,
    /// The clients attached to it.
    pub clients: Vec<u32>,
    /// `reference_count`: 1 for the context itself, plus what `REFERENCE_FILTER_CONTEXT` added.
    pub references: i64,
    /// `wfp_engine_handle` (#3866): the context's own engine handle, if its design opens one.
    pub engine_handle: Option<Handle>,
    /// Its filters (`filter_ids`).
    pub filters: Vec<FilterEntry>,
    /// Its memory was freed (`ExFreePool` in `CLEAN_UP_FILTER_CONTEXT`).
    pub freed: bool,
}

/// One hook provider.
pub struct Provider {
    /// The hook it serves.
    pub hook: &'static Hook,
    /// The provider's `EX_PUSH_LOCK` ([`Driver::acquire_push_lock`]).
    push_lock: Mutex<()>,
    /// NMR's serialisation of this provider's attach and detach callbacks with its
    /// deregistration and registration (assumed: NMR documents that it serialises a
    /// binding's callbacks, not how; the model holds one lock across each). Taken only in
    /// scenarios that restart netebpfext: elsewhere nothing deregisters while threads run.
    nmr: Mutex<()>,
    /// Registered with NMR (`NmrRegisterProvider`, until `NmrDeregisterProvider`). Read
    /// and written under `nmr`, or while one thread runs.
    registered: Unmodelled<bool>,
}

/// The client of an attach: its provider, its id, and the compartment its attach names
/// (clients of one hook and compartment share a filter context).
#[derive(Clone, Copy)]
pub struct Client<'a> {
    /// The hook provider the client attaches to.
    pub provider: &'a Provider,
    /// The client's id (the scenario numbers clients).
    pub id: u32,
    /// The compartment its attach names.
    pub compartment: u32,
}

/// A wait at unload that never ends: unload stops there, and what it would have done
/// next is never done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hung;

/// What removing a client from its filter context found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientRemoved {
    /// The context the client was on.
    pub context: ContextId,
    /// No client is left: the context is off its provider's list.
    pub last: bool,
}

/// A lock a body holds; its release is logged when it is dropped.
pub struct Held<'a> {
    driver: Driver<'a>,
    name: &'static str,
    _guard: MutexGuard<'a, ()>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // A guard dropped while its thread unwinds (a checker's deadlock, a design's
        // panic) was not released by the code: the log does not say it was.
        if !thread::panicking() {
            self.driver.log().push(self.driver.actor, EventKind::Lock { name: self.name, taken: false });
        }
    }
}

/// netebpfext, loaded once per execution.
pub(crate) struct Extension {
    me: Weak<Extension>,
    engine: Arc<Engine>,
    /// The execution's log, which the engine writes to as well.
    log: Log,
    design: Arc<dyn DynDesign>,
    design_state: Box<dyn Any + Send + Sync>,
    providers: Vec<Provider>,
    /// `_fwp_engine_handle`: written only at start-up and unload, when one thread runs.
    global: Unmodelled<Option<Handle>>,
    /// NMR's bindings: every client whose attach succeeded and that has not detached, with
    /// its provider. NMR's own bookkeeping, changed under the provider's NMR lock.
    bindings: Unmodelled<BTreeSet<(&'static str, u32)>>,
    /// NMR's registered clients (an attached program's link), bound or not, with their
    /// compartment: NMR attaches them again when their provider registers again.
    clients: Unmodelled<BTreeSet<(&'static str, u32, u32)>>,
    /// The scenario restarts netebpfext: NMR's per-provider lock is taken.
    restarts: bool,
    /// A wait at a stop never ended: netebpfext is stuck there.
    hung: Unmodelled<bool>,
    /// #4192's `provider_context_cleanup_list`: written and read only at unload.
    provider_cleanup: Unmodelled<Vec<&'static Hook>>,
    contexts: Contexts,
    /// The scaling study's override of how many filters each attach adds.
    filters_per_attach: Option<usize>,
}

/// netebpfext's code running on one thread: what a design's body calls. The WFP calls
/// are named as in the real code; so are netebpfext's primitives.
#[derive(Clone, Copy)]
pub struct Driver<'a> {
    ext: &'a Extension,
    actor: Actor,
}

/// The WFP calls, each one call into the engine as `actor`, with the engine's statuses.
impl<'a> Driver<'a> {
    /// `FwpmEngineOpen0`: a session with `session`'s options.
    pub fn fwpm_engine_open(&self, session: SessionOptions) -> Result<Handle, Status> {
        opaque(|| self.engine().engine_open(self.actor, session))
    }

    /// `FwpmEngineClose0`.
    pub fn fwpm_engine_close(&self, handle: Handle) -> Result<(), Status> {
        opaque(|| self.engine().engine_close(self.actor, handle))
    }

    /// `FwpmTransactionBegin0`.
    pub fn fwpm_transaction_begin(&self, handle: Handle) -> Result<(), Status> {
        opaque(|| self.engine().transaction_begin(self.actor, handle))
    }

    /// `FwpmTransactionCommit0`.
    pub fn fwpm_transaction_commit(&self, handle: Handle) -> Result<(), Status> {
        opaque(|| self.engine().transaction_commit(self.actor, handle))
    }

    /// `FwpmTransactionAbort0`.
    pub fn fwpm_transaction_abort(&self, handle: Handle) -> Result<(), Status> {
        opaque(|| self.engine().transaction_abort(self.actor, handle))
    }

    /// `FwpmProviderAdd0`.
    pub fn fwpm_provider_add(&self, handle: Handle, key: &'static str) -> Result<(), Status> {
        opaque(|| self.engine().provider_add(self.actor, handle, key))
    }

    /// `FwpmSubLayerAdd0`, in `provider`'s name if given.
    pub fn fwpm_sublayer_add(
        &self,
        handle: Handle,
        key: &'static str,
        provider: Option<&'static str>,
    ) -> Result<(), Status> {
        opaque(|| self.engine().sublayer_add(self.actor, handle, key, provider))
    }

    /// `FwpsCalloutRegister` with netebpfext's notify function, which WFP calls with
    /// `FWPS_CALLOUT_NOTIFY_DELETE_FILTER` and which runs the design's `filter_change_notify`.
    pub fn fwps_callout_register(&self, key: &'static str) -> Result<(), Status> {
        let ext = self.ext.me.clone();
        let notify = Arc::new(move |actor, filter, context| {
            if let Some(ext) = ext.upgrade() {
                ext.filter_change_notify(actor, filter, context);
            }
        });
        opaque(|| self.engine().callout_register(self.actor, key, notify))
    }

    /// `FwpmCalloutAdd0`, in `provider`'s name if given.
    pub fn fwpm_callout_add(
        &self,
        handle: Handle,
        key: &'static str,
        provider: Option<&'static str>,
    ) -> Result<(), Status> {
        opaque(|| self.engine().callout_add(self.actor, handle, key, provider))
    }

    /// `FwpmFilterAdd0`: the filter's id.
    pub fn fwpm_filter_add(&self, handle: Handle, filter: &FilterSpec) -> Result<FilterId, Status> {
        opaque(|| self.engine().filter_add(self.actor, handle, *filter))
    }

    /// `FwpmFilterDeleteById0`.
    pub fn fwpm_filter_delete_by_id(&self, handle: Handle, id: FilterId) -> Result<(), Status> {
        opaque(|| self.engine().filter_delete_by_id(self.actor, handle, id))
    }

    /// `FwpsCalloutUnregisterById` (the model names a callout by its key).
    pub fn fwps_callout_unregister_by_id(&self, key: &'static str) -> Result<(), Status> {
        opaque(|| self.engine().callout_unregister(self.actor, key))
    }

    /// `FwpmCalloutDeleteByKey0`.
    pub fn fwpm_callout_delete_by_key(&self, handle: Handle, key: &'static str) -> Result<(), Status> {
        opaque(|| self.engine().callout_delete_by_key(self.actor, handle, key))
    }

    /// `FwpmSubLayerDeleteByKey0`.
    pub fn fwpm_sublayer_delete_by_key(&self, handle: Handle, key: &'static str) -> Result<(), Status> {
        opaque(|| self.engine().sublayer_delete_by_key(self.actor, handle, key))
    }

    /// `FwpmProviderDeleteByKey0`.
    pub fn fwpm_provider_delete_by_key(&self, handle: Handle, key: &'static str) -> Result<(), Status> {
        opaque(|| self.engine().provider_delete_by_key(self.actor, handle, key))
    }
}

/// The design's bodies, called through the design so that an override is what every
/// path runs.
impl<'a> Driver<'a> {
    /// The design's `hook_provider_unregister`.
    pub fn hook_provider_unregister(&self, provider: &'a Provider) -> Result<(), Hung> {
        self.ext.design.hook_provider_unregister(self.state(), *self, provider)
    }

    /// The design's `uninitialize_wfp_components`.
    pub fn uninitialize_wfp_components(&self) {
        self.ext.design.uninitialize_wfp_components(self.state(), *self)
    }

    /// The design's `create_filter_context`.
    pub fn create_filter_context(&self, client: Client<'a>) -> Result<ContextId, OpFailure> {
        self.ext.design.create_filter_context(self.state(), *self, client)
    }

    /// The design's `delete_filter_context`.
    pub fn delete_filter_context(&self, provider: &'a Provider, context: ContextId) {
        self.ext.design.delete_filter_context(self.state(), *self, provider, context)
    }

    /// The design's `clean_up_filter_context`.
    pub fn clean_up_filter_context(&self, context: ContextId) {
        self.ext.design.clean_up_filter_context(self.state(), *self, context)
    }

    /// The design's `add_wfp_filters`.
    pub fn add_wfp_filters(
        &self,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        self.ext.design.add_wfp_filters(self.state(), *self, handle, filters, context)
    }

    /// The design's `delete_wfp_filters`.
    pub fn delete_wfp_filters(&self, handle: Handle, context: ContextId) {
        self.ext.design.delete_wfp_filters(self.state(), *self, handle, context)
    }

    fn state(&self) -> &'a (dyn Any + Send + Sync) {
        &*self.ext.design_state
    }
}

/// netebpfext's primitives.
impl<'a> Driver<'a> {
    /// The thread running this code.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// Adds a line to the execution's log (shown in counterexamples).
    pub fn note(&self, text: &'static str) {
        self.log().push(self.actor, EventKind::Note(text));
    }

    fn log(&self) -> &'a Log {
        &self.ext.log
    }

    fn engine(&self) -> &'a Engine {
        &self.ext.engine
    }

    /// Every hook provider, in registration order.
    pub fn providers(&self) -> &'a [Provider] {
        &self.ext.providers
    }

    /// `_fwp_engine_handle`.
    pub fn global_engine_handle(&self) -> Option<Handle> {
        opaque(|| self.ext.global.with(|g| *g))
    }

    /// Sets `_fwp_engine_handle` (start-up and unload only, when one thread runs).
    pub fn set_global_engine_handle(&self, handle: Option<Handle>) {
        opaque(|| self.ext.global.with(|g| *g = handle))
    }

    /// Takes `lock` (a lock of the design's own, from its state); the returned guard
    /// releases it. Both are logged.
    pub fn acquire<'l>(&self, name: &'static str, lock: &'l Mutex<()>) -> Held<'l>
    where
        'a: 'l,
    {
        let guard = lock.lock();
        self.log().push(self.actor, EventKind::Lock { name, taken: true });
        Held { driver: *self, name, _guard: guard }
    }

    /// `ACQUIRE_PUSH_LOCK_EXCLUSIVE(&provider_context->lock)`.
    pub fn acquire_push_lock(&self, provider: &'a Provider) -> Held<'a> {
        self.acquire(provider.hook.push_lock, &provider.push_lock)
    }

    /// The hook's filter table (`net_ebpf_extension_wfp_filter_parameters_t`), each
    /// filter carrying `context` as its raw context.
    pub fn filter_parameters(&self, provider: &Provider, context: ContextId) -> Vec<FilterSpec> {
        self.ext.filter_parameters(provider.hook, context)
    }

    /// `net_ebpf_extension_wfp_filter_context_create`'s allocation: a context for the
    /// client's attach, off its provider's list, with one reference and no filters.
    pub fn allocate_filter_context(&self, client: Client<'a>) -> ContextId {
        opaque(|| {
            let hook = client.provider.hook;
            let context = self.ext.contexts.create(self.actor, hook, client.compartment, client.id);
            let layers = self.ext.filter_parameters(hook, context).iter().map(|spec| spec.layer).collect();
            self.log().push(self.actor, EventKind::ContextCreated { context, client: client.id, layers });
            context
        })
    }

    /// `filter_context->wfp_engine_handle = handle` (#3866).
    pub fn set_filter_context_engine_handle(&self, context: ContextId, handle: Handle) {
        opaque(|| {
            self.ext
                .contexts
                .with_live(context, self.actor, "set its engine handle", |ctx| ctx.engine_handle = Some(handle));
        })
    }

    /// #3866's `wfp_engine_handle` of `context`, if it has one.
    pub fn filter_context_engine_handle(&self, context: ContextId) -> Option<Handle> {
        opaque(|| {
            self.ext
                .contexts
                .with_live(context, self.actor, "read its engine handle", |ctx| ctx.engine_handle)
                .flatten()
        })
    }

    /// `filter_context->filter_ids = ids`, each `ADDED`.
    pub fn set_filter_ids(&self, context: ContextId, ids: Vec<FilterId>) {
        opaque(|| {
            let filters = ids.into_iter().map(|id| FilterEntry { id, state: FilterState::Added, error_code: None });
            self.ext
                .contexts
                .with_live(context, self.actor, "set its filter ids", |ctx| ctx.filters = filters.collect());
        })
    }

    /// The context's filters, under its lock (`ExAcquireSpinLockExclusive(&filter_context->lock)`).
    pub fn with_filter_context_lock<R>(
        &self,
        context: ContextId,
        f: impl FnOnce(&mut [FilterEntry]) -> R,
    ) -> Option<R> {
        self.ext.contexts.with_live(context, self.actor, "read or set its filter states", |ctx| f(&mut ctx.filters))
    }

    /// The context's filter ids, in the order they were added.
    pub fn filter_ids(&self, context: ContextId) -> Vec<FilterId> {
        opaque(|| {
            self.with_filter_context_lock(context, |filters| filters.iter().map(|f| f.id).collect()).unwrap_or_default()
        })
    }

    /// Sets the state of the filter `id` of `context`, if it has that filter.
    pub fn set_filter_state(&self, context: ContextId, id: FilterId, state: FilterState, error_code: Option<Status>) {
        opaque(|| {
            self.with_filter_context_lock(context, |filters| {
                if let Some(entry) = filters.iter_mut().find(|f| f.id == id) {
                    entry.state = state;
                    entry.error_code = error_code;
                }
            });
        })
    }

    /// `REFERENCE_FILTER_CONTEXT`.
    pub fn reference_filter_context(&self, context: ContextId) {
        opaque(|| {
            self.ext.contexts.with_live(context, self.actor, "REFERENCE_FILTER_CONTEXT", |ctx| ctx.references += 1);
        })
    }

    /// `DEREFERENCE_FILTER_CONTEXT`: at zero, the design's `CLEAN_UP_FILTER_CONTEXT`.
    pub fn dereference_filter_context(&self, context: ContextId) {
        let references = opaque(|| {
            let references = self.ext.contexts.with_live(context, self.actor, "DEREFERENCE_FILTER_CONTEXT", |ctx| {
                ctx.references -= 1;
                ctx.references
            });
            if references.is_some_and(|n| n < 0) {
                self.ext.contexts.misused(context, self.actor, "its reference count fell below zero");
            }
            references
        });
        if references == Some(0) {
            self.clean_up_filter_context(context);
        }
    }

    /// `filter_context->reference_count` (what an `ASSERT` reads).
    pub fn reference_count(&self, context: ContextId) -> i64 {
        opaque(|| {
            self.ext
                .contexts
                .with_live(context, self.actor, "read its reference count", |ctx| ctx.references)
                .unwrap_or(0)
        })
    }

    /// `ExFreePool(filter_context)`: the end of `CLEAN_UP_FILTER_CONTEXT`.
    pub fn free_filter_context(&self, context: ContextId) {
        opaque(|| {
            if self.ext.contexts.with_live(context, self.actor, "ExFreePool", |ctx| ctx.freed = true).is_some() {
                self.log().push(self.actor, EventKind::ContextFreed { context });
            }
        })
    }

    /// Finds a listed context of the client's provider in its compartment and adds the
    /// client to it (`net_ebpf_extension_get_matching_filter_context`, then
    /// `net_ebpf_ext_add_client_context`).
    pub fn join_matching_filter_context(&self, client: Client<'a>) -> Option<ContextId> {
        opaque(|| {
            let joined = self.ext.contexts.join(self.actor, client.provider.hook, client.compartment, client.id);
            if let Some(context) = joined {
                self.log().push(self.actor, EventKind::ContextJoined { context, client: client.id });
            }
            joined
        })
    }

    /// `InsertTailList(&provider_context->filter_context_list, &filter_context->link)`.
    pub fn insert_filter_context(&self, provider: &Provider, context: ContextId) {
        opaque(|| self.ext.contexts.insert(provider.hook, context, false))
    }

    /// `InsertHeadList(&provider_context->filter_context_list, &filter_context->link)`.
    pub fn insert_filter_context_at_head(&self, provider: &Provider, context: ContextId) {
        opaque(|| self.ext.contexts.insert(provider.hook, context, true))
    }

    /// `IsListEmpty(&provider_context->filter_context_list)`.
    pub fn filter_context_list_is_empty(&self, provider: &Provider) -> bool {
        opaque(|| self.ext.contexts.is_list_empty(provider.hook))
    }

    /// `net_ebpf_extension_get_matching_filter_context`: a listed context of the client's
    /// provider in its compartment, without joining it.
    pub fn matching_filter_context(&self, client: Client<'a>) -> Option<ContextId> {
        opaque(|| self.ext.contexts.matching(client.provider.hook, client.compartment))
    }

    /// Before #3751: the compartments of the clients on the provider's
    /// `attached_clients_list`, in list order.
    pub fn attached_client_compartments(&self, provider: &Provider) -> Vec<u32> {
        opaque(|| self.ext.contexts.attached_compartments(provider.hook))
    }

    /// Before #3751: `net_ebpf_extension_hook_client_set_provider_data(client, context)`,
    /// then `InsertTailList(&provider_context->attached_clients_list, &hook_client->link)`.
    pub fn insert_attached_client(&self, client: Client<'a>, context: ContextId) {
        opaque(|| self.ext.contexts.attach_client(client.provider.hook, client.id, client.compartment, context))
    }

    /// Before #3751: `net_ebpf_extension_hook_client_get_provider_data`: the filter context
    /// of an attached client.
    pub fn client_provider_data(&self, provider: &Provider, client: u32) -> Option<ContextId> {
        opaque(|| self.ext.contexts.provider_data(provider.hook, client))
    }

    /// Before #3751: `RemoveEntryList(&hook_client->link)`: the client leaves its provider's
    /// attached clients (its filter context is already deleted).
    pub fn remove_attached_client(&self, provider: &Provider, client: u32) {
        opaque(|| {
            if let Some(context) = self.ext.contexts.detach_client(provider.hook, client) {
                self.log().push(self.actor, EventKind::ClientLeft { context, client, last: true, filters: Vec::new() });
            }
        })
    }

    /// `NmrDeregisterProvider`, then `NmrWaitForProviderDeregisterComplete`: NMR detaches
    /// every client still bound to the provider (the design's `detach_client`, in client
    /// order: NMR's order is not the model's to choose) and waits for the detaches.
    pub fn nmr_deregister_provider(&self, provider: &'a Provider) {
        let _nmr = self.ext.nmr_lock(provider);
        provider.registered.with(|registered| *registered = false);
        for client in self.ext.bound_clients(provider) {
            self.ext.detach_bound(self.actor, provider, client);
        }
    }

    /// `_ebpf_ext_attach_wait_for_rundown(&provider_context->rundown)` (#3751 on): each
    /// filter context holds a rundown reference on its provider from its creation until it
    /// is freed, so the wait ends when every context of the provider is freed. WFP first
    /// delivers what notifications it still owes (`delete_notification=deferred`); unload
    /// runs alone, so a context not freed then never is: the wait never ends.
    pub fn wait_for_provider_rundown(&self, provider: &Provider) -> Result<(), Hung> {
        opaque(|| {
            // `delete_notification=deferred`: the latest moment WFP may deliver what it owes.
            self.engine().deliver_deferred(self.actor);
            let live = self.ext.contexts.live_of(provider.hook);
            if live.is_empty() {
                return Ok(());
            }
            self.log().push(self.actor, EventKind::Hung { provider: provider.hook.name, contexts: live });
            Err(Hung)
        })
    }

    /// #4192: `net_ebpf_ext_add_provider_context_to_cleanup_list`.
    pub fn add_provider_context_to_cleanup_list(&self, provider: &Provider) {
        opaque(|| self.ext.provider_cleanup.with(|list| list.push(provider.hook)))
    }

    /// #5472: the providers on `provider_context_cleanup_list`, walked in order.
    pub fn provider_context_cleanup_list(&self) -> Vec<&'a Provider> {
        let hooks = self.ext.provider_cleanup.with(|list| list.clone());
        hooks.into_iter().filter_map(|hook| self.ext.providers.iter().find(|p| p.hook == hook)).collect()
    }

    /// #4192: `RemoveHeadList(&provider_context_cleanup_list)`.
    pub fn remove_head_provider_cleanup_list(&self) -> Option<&'a Provider> {
        let hook = self.ext.provider_cleanup.with(|list| (!list.is_empty()).then(|| list.remove(0)))?;
        self.ext.providers.iter().find(|p| p.hook == hook)
    }

    /// `net_ebpf_ext_remove_client_context`; the last client also takes the context off
    /// its provider's list (`RemoveEntryList(&filter_context->link)`). `None`: the client
    /// is on no context of this provider.
    pub fn remove_client_context(&self, provider: &Provider, client: u32) -> Option<ClientRemoved> {
        opaque(|| {
            let (removed, filters) = self.ext.contexts.leave(self.actor, provider.hook, client)?;
            self.log().push(
                self.actor,
                EventKind::ClientLeft { context: removed.context, client, last: removed.last, filters },
            );
            Some(removed)
        })
    }

    /// #5472: `InsertTailList(&provider_context->zombie_filter_context_list, ...)`.
    pub fn insert_zombie_filter_context(&self, provider: &Provider, context: ContextId) {
        opaque(|| self.ext.contexts.zombie_push(provider.hook, context))
    }

    /// #5472: `RemoveHeadList(&provider_context->zombie_filter_context_list)`.
    pub fn remove_zombie_filter_context(&self, provider: &Provider) -> Option<ContextId> {
        opaque(|| self.ext.contexts.zombie_pop(provider.hook))
    }

    /// #4192: `net_ebpf_ext_add_filter_context_to_cleanup_list`.
    pub fn add_filter_context_to_cleanup_list(&self, context: ContextId) {
        opaque(|| self.ext.contexts.cleanup_push(context))
    }

    /// #4192: `net_ebpf_ext_remove_filter_context_from_cleanup_list` (nothing if it is not on it).
    pub fn remove_filter_context_from_cleanup_list(&self, context: ContextId) {
        opaque(|| self.ext.contexts.cleanup_remove(context))
    }

    /// #4192: `IsListEmpty(&filter_cleanup_list)`.
    pub fn filter_cleanup_list_is_empty(&self) -> bool {
        opaque(|| self.ext.contexts.cleanup_is_empty())
    }

    /// #4192: `RemoveHeadList(&filter_cleanup_list)`.
    pub fn remove_head_filter_cleanup_list(&self) -> Option<ContextId> {
        opaque(|| self.ext.contexts.cleanup_pop())
    }

    /// #4192's `KeWaitForSingleObject(&wfp_filter_cleanup_event, ..., 10 s)` at unload,
    /// when the clean-up list is not empty. WFP delivers what notifications it still owes
    /// (only under `delete_notification=deferred`: otherwise each came inside the call that
    /// deleted its filter); unload runs alone, so no other can come while it waits. `true`:
    /// the list emptied and the event was set; `false`: the wait timed out (logged).
    pub fn wait_for_filter_cleanup_event(&self, _timeout_s: u32) -> bool {
        opaque(|| {
            self.engine().deliver_deferred(self.actor);
            if self.ext.contexts.cleanup_is_empty() {
                return true;
            }
            self.note("waits for the filter clean-up event: no delete notification can come, the wait times out");
            false
        })
    }
}

impl Extension {
    /// Loads netebpfext (`DriverEntry`): the design's `initialize_wfp_components`, then
    /// the hook providers. DriverEntry ignores a failed `initialize_wfp_components`
    /// (`(void)`, upstream TODO #521) and registers the providers anyway: the extension
    /// is returned with the failure, and attaches run on it.
    pub fn start(
        log: Log,
        engine: Arc<Engine>,
        design: Arc<dyn DynDesign>,
        filters_per_attach: Option<usize>,
        restarts: bool,
    ) -> (Arc<Extension>, Result<(), OpFailure>) {
        let ext = Arc::new_cyclic(|me| Extension {
            me: me.clone(),
            design_state: design.new_state(),
            design,
            providers: HOOKS
                .iter()
                .map(|hook| Provider {
                    hook,
                    push_lock: Mutex::new(()),
                    nmr: Mutex::new(()),
                    registered: Unmodelled::new(true),
                })
                .collect(),
            global: Unmodelled::new(None),
            bindings: Unmodelled::new(BTreeSet::new()),
            clients: Unmodelled::new(BTreeSet::new()),
            restarts,
            hung: Unmodelled::new(false),
            provider_cleanup: Unmodelled::new(Vec::new()),
            contexts: Contexts::new(),
            filters_per_attach,
            engine,
            log,
        });
        let started = ext.start_up(Actor::Main);
        if let Err(failure) = started {
            ext.log().push(Actor::Main, EventKind::StartUpIgnored { status: failure.wfp });
        }
        (ext, started)
    }

    /// `DriverEntry`'s `initialize_wfp_components`, logged as start-up. No user-mode
    /// caller sees an errno, and DriverEntry goes on whatever it returned.
    fn start_up(&self, actor: Actor) -> Result<(), OpFailure> {
        self.log().push(actor, EventKind::OpStart(Op::Startup));
        let started = self.design.initialize_wfp_components(&*self.design_state, self.driver(actor));
        let failure =
            started.err().map(|status| OpFailure { wfp: Some(status), ebpf: EbpfResult::StartUpFailed, errno: 0 });
        self.log().push(actor, EventKind::OpEnd { op: Op::Startup, failure });
        failure.map_or(Ok(()), Err)
    }

    fn driver(&self, actor: Actor) -> Driver<'_> {
        Driver { ext: self, actor }
    }

    fn log(&self) -> &Log {
        &self.log
    }

    /// Adds a line to the execution's log, as `actor` (shown in counterexamples).
    pub fn note(&self, actor: Actor, text: &'static str) {
        self.log().push(actor, EventKind::Note(text));
    }

    /// The provider of the hook named `hook`.
    pub fn provider(&self, hook: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.hook.name == hook)
    }

    /// The provider of `hook`: every hook of [`HOOKS`] has one, registered at start-up.
    fn provider_of(&self, hook: &'static Hook) -> &Provider {
        self.provider(hook.name).unwrap_or_else(|| panic!("`{}` is not a hook of netebpfext's HOOKS", hook.name))
    }

    /// WFP delivers `FWPS_CALLOUT_NOTIFY_DELETE_FILTER` for `filter`, whose raw context is
    /// `context`. A context already freed is a use after free in the real driver: it is
    /// recorded, and the design's notify function is not run on freed memory.
    fn filter_change_notify(&self, actor: Actor, filter: FilterId, context: ContextId) {
        if self.contexts.is_freed(context) {
            self.contexts.misused(context, actor, "its delete notification came after it was freed");
            self.log().push(actor, EventKind::Note("delete notification for a freed filter context"));
            return;
        }
        self.design.filter_change_notify(&*self.design_state, self.driver(actor), filter, context)
    }

    /// Unload (`_net_ebpf_ext_driver_unload`): the design's
    /// `_net_ebpf_ext_driver_uninitialize_objects`. A wait in it that never ends is
    /// logged where it waits, and unload stops there, never returning.
    pub fn unload(&self, actor: Actor) {
        self.log().push(actor, EventKind::OpStart(Op::Unload));
        if self.hung.with(|hung| *hung) {
            self.log().push(actor, EventKind::Note("netebpfext is stuck in a stop that never ended: no unload"));
            return;
        }
        // An unload that waits forever never returns: no end is logged.
        if self.design.uninitialize_objects(&*self.design_state, self.driver(actor)).is_ok() {
            self.log().push(actor, EventKind::OpEnd { op: Op::Unload, failure: None });
        }
    }

    /// Stops netebpfext (`_net_ebpf_ext_driver_uninitialize_objects`) and starts it again
    /// (`DriverEntry`: start-up, ignoring its failure, then each provider registers and NMR
    /// attaches the clients still registered to it). A stop whose wait never ends leaves
    /// netebpfext stuck: it is not started again.
    pub fn restart(&self, actor: Actor) {
        self.log().push(actor, EventKind::OpStart(Op::Restart));
        if self.design.uninitialize_objects(&*self.design_state, self.driver(actor)).is_err() {
            // The stop never returns: no end is logged.
            self.hung.with(|hung| *hung = true);
            return;
        }
        self.log().push(actor, EventKind::Stopped);
        if let Err(failure) = self.start_up(actor) {
            self.log().push(actor, EventKind::StartUpIgnored { status: failure.wfp });
        }
        for provider in &self.providers {
            let _nmr = self.nmr_lock(provider);
            provider.registered.with(|registered| *registered = true);
            let waiting: Vec<(u32, u32)> = opaque(|| {
                self.clients.with(|clients| {
                    clients
                        .iter()
                        .filter(|(hook, _, _)| *hook == provider.hook.name)
                        .map(|(_, c, k)| (*c, *k))
                        .collect()
                })
            });
            for (client, compartment) in waiting {
                let _ = self.attach_bound(actor, provider, client, compartment);
            }
        }
        self.log().push(actor, EventKind::OpEnd { op: Op::Restart, failure: None });
    }

    /// The provider's NMR lock, in scenarios that restart netebpfext.
    fn nmr_lock<'p>(&self, provider: &'p Provider) -> Option<MutexGuard<'p, ()>> {
        self.restarts.then(|| provider.nmr.lock())
    }

    /// The provider's bound clients, in client order (NMR's order is not the model's to
    /// choose, so it is fixed).
    fn bound_clients(&self, provider: &Provider) -> Vec<u32> {
        let hook = provider.hook.name;
        // In client order: the set is ordered by hook, then client.
        opaque(|| self.bindings.with(|bound| bound.iter().filter(|(h, _)| *h == hook).map(|(_, c)| *c).collect()))
    }

    /// A client attaches to `hook`; `compartment` decides which filter context it shares.
    /// The client registers with NMR (`NmrRegisterClient`): NMR attaches it at once if its
    /// provider is registered; if not, ebpfcore's attach fails (assumed: it does not wait
    /// for the provider) and the client is deregistered.
    pub fn attach(&self, actor: Actor, hook: &'static Hook, client: u32, compartment: u32) -> Result<(), OpFailure> {
        let provider = self.provider_of(hook);
        let _nmr = self.nmr_lock(provider);
        if !provider.registered.with(|registered| *registered) {
            let op = Op::Attach { hook: provider.hook.name, client };
            self.log().push(actor, EventKind::OpStart(op));
            let failure = provider_not_registered();
            self.log().push(actor, EventKind::OpEnd { op, failure: Some(failure) });
            return Err(failure);
        }
        let result = self.attach_bound(actor, provider, client, compartment);
        if result.is_ok() {
            opaque(|| self.clients.with(|clients| clients.insert((provider.hook.name, client, compartment))));
        }
        result
    }

    /// NMR calls the provider's attach callback for `client`; success binds it.
    fn attach_bound(&self, actor: Actor, provider: &Provider, client: u32, compartment: u32) -> Result<(), OpFailure> {
        let op = Op::Attach { hook: provider.hook.name, client };
        self.log().push(actor, EventKind::OpStart(op));
        let attaching = Client { provider, id: client, compartment };
        let result = self.design.attach_client(&*self.design_state, self.driver(actor), attaching);
        if result.is_ok() {
            opaque(|| self.bindings.with(|bound| bound.insert((provider.hook.name, client))));
        }
        self.log().push(actor, EventKind::OpEnd { op, failure: result.err() });
        result
    }

    /// A client detaches from `hook`. Detach reports nothing back (it returns
    /// `STATUS_PENDING`); a failed delete shows only in the log.
    pub fn detach(&self, actor: Actor, hook: &'static Hook, client: u32) {
        let provider = self.provider_of(hook);
        let _nmr = self.nmr_lock(provider);
        opaque(|| self.clients.with(|clients| clients.retain(|(h, c, _)| (*h, *c) != (provider.hook.name, client))));
        if self.bound_clients(provider).contains(&client) {
            self.detach_bound(actor, provider, client);
        } else {
            self.log()
                .push(actor, EventKind::Note("NMR detached this client when netebpfext stopped: nothing to detach"));
        }
    }

    /// NMR calls the provider's detach callback for the bound `client`, and unbinds it.
    fn detach_bound(&self, actor: Actor, provider: &Provider, client: u32) {
        let op = Op::Detach { hook: provider.hook.name, client };
        self.log().push(actor, EventKind::OpStart(op));
        self.design.detach_client(&*self.design_state, self.driver(actor), provider, client);
        opaque(|| self.bindings.with(|bound| bound.remove(&(provider.hook.name, client))));
        self.log().push(actor, EventKind::OpEnd { op, failure: None });
    }

    /// Every filter context, as it is at the end.
    pub fn contexts(&self) -> Vec<FilterContext> {
        self.contexts.all()
    }

    /// Every misuse of a filter context (a use after it was freed, a reference count
    /// below zero): the context, who, and what.
    pub fn used_after_free(&self) -> Vec<(ContextId, Actor, String)> {
        self.contexts.used_after_free()
    }

    fn filter_parameters(&self, hook: &'static Hook, context: ContextId) -> Vec<FilterSpec> {
        let count = self.filters_per_attach.unwrap_or(hook.filters.len());
        hook.filters
            .iter()
            .cycle()
            .take(count)
            .map(|t| FilterSpec {
                layer: t.layer,
                sublayer: t.sublayer,
                provider: Some(PROVIDER),
                callout: Some(t.callout),
                raw_context: context,
            })
            .collect()
    }
}
