//! What a design is: the code of netebpfext's WFP functions where the fixes differ
//! ([`Design`]), and the object-safe form the driver calls ([`DynDesign`]). The built-in
//! designs are in `crate::designs`; this module knows none of them.

use std::any::Any;

use super::{Client, Driver, Hung, OpFailure, Provider};
use crate::wfp::{ContextId, FilterId, FilterSpec, Handle, Status};

/// A design of netebpfext's WFP code: the functions its PR changed. Every body it does
/// not write is its [`Design::Base`]'s.
pub trait Design: Send + Sync + 'static {
    /// The design's own state for one execution, such as its locks (a checker's
    /// primitives live for one execution, so they are made anew for each).
    type State: Send + Sync + 'static;

    /// The design this one changes, as its PR changed the code it was based on: [`Naive`](crate::designs::Naive)
    /// (the code that failed in #3728) or another stateless design (`PerContextHandle`
    /// for a change on top of #3866). Each body this design does not write is the base's.
    type Base: Design<State = ()> + Default;

    /// The name the checks and the report use: lower case, `_` between words.
    fn name(&self) -> &'static str;

    /// What it does and what it models (the PR), in a sentence or two.
    fn summary(&self) -> &'static str;

    /// What it costs or relies on: timeouts, leaked objects, fair scheduling.
    fn trade_offs(&self) -> &'static str;

    /// The design's state for a new execution.
    fn new_state(&self) -> Self::State;

    /// The directory the design's code is in, read whole: every Rust file under it, at any
    /// depth, is scanned before the design is explored, and a design whose directory names
    /// synchronization the checker does not schedule is refused ([`crate::scan::scan_dir`]).
    /// For a crate of designs, its root: `env!("CARGO_MANIFEST_DIR")`; it is read when the
    /// design is explored, so a design whose directory is gone is refused too.
    fn source_dir(&self) -> &'static str;

    /// The text of each file outside [`Design::source_dir`] the design's code is in
    /// (`&[include_str!("../common/helpers.rs")]`), scanned as the directory is. None by default.
    fn sources(&self) -> &'static [&'static str] {
        &[]
    }

    /// `net_ebpf_extension_initialize_wfp_components`: start-up.
    fn initialize_wfp_components(&self, _state: &Self::State, driver: Driver<'_>) -> Result<(), Status> {
        Design::initialize_wfp_components(&Self::Base::default(), &(), driver)
    }

    /// `_net_ebpf_ext_driver_uninitialize_objects`: unload. `Err`: a wait in it never ends.
    fn uninitialize_objects(&self, _state: &Self::State, driver: Driver<'_>) -> Result<(), Hung> {
        Design::uninitialize_objects(&Self::Base::default(), &(), driver)
    }

    /// `net_ebpf_extension_hook_provider_unregister`: NMR deregisters the provider, which
    /// detaches every client still bound to it. `Err`: a wait in it never ends.
    fn hook_provider_unregister<'a>(
        &self,
        _state: &Self::State,
        driver: Driver<'a>,
        provider: &'a Provider,
    ) -> Result<(), Hung> {
        Design::hook_provider_unregister(&Self::Base::default(), &(), driver, provider)
    }

    /// `net_ebpf_extension_uninitialize_wfp_components`: the WFP objects' clean-up, at
    /// unload and after a failed start-up.
    fn uninitialize_wfp_components(&self, _state: &Self::State, driver: Driver<'_>) {
        Design::uninitialize_wfp_components(&Self::Base::default(), &(), driver)
    }

    /// `_net_ebpf_extension_hook_provider_attach_client`, after client validation.
    fn attach_client<'a>(&self, _state: &Self::State, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        Design::attach_client(&Self::Base::default(), &(), driver, client)
    }

    /// `_net_ebpf_extension_hook_provider_detach_client`.
    fn detach_client<'a>(&self, _state: &Self::State, driver: Driver<'a>, provider: &'a Provider, client: u32) {
        Design::detach_client(&Self::Base::default(), &(), driver, provider, client)
    }

    /// The hook's `create_filter_context`: a context for the client, with its filters added.
    fn create_filter_context<'a>(
        &self,
        _state: &Self::State,
        driver: Driver<'a>,
        client: Client<'a>,
    ) -> Result<ContextId, OpFailure> {
        Design::create_filter_context(&Self::Base::default(), &(), driver, client)
    }

    /// The hook's `delete_filter_context`: the last client left; delete its filters and
    /// drop the context's own reference.
    fn delete_filter_context<'a>(
        &self,
        _state: &Self::State,
        driver: Driver<'a>,
        provider: &'a Provider,
        context: ContextId,
    ) {
        Design::delete_filter_context(&Self::Base::default(), &(), driver, provider, context)
    }

    /// `CLEAN_UP_FILTER_CONTEXT`: free the context (and what it owns).
    fn clean_up_filter_context(&self, _state: &Self::State, driver: Driver<'_>, context: ContextId) {
        Design::clean_up_filter_context(&Self::Base::default(), &(), driver, context)
    }

    /// `net_ebpf_extension_add_wfp_filters`: the context's filters, on `handle`.
    fn add_wfp_filters(
        &self,
        _state: &Self::State,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        Design::add_wfp_filters(&Self::Base::default(), &(), driver, handle, filters, context)
    }

    /// `net_ebpf_extension_delete_wfp_filters`: the context's filters, on `handle`.
    fn delete_wfp_filters(&self, _state: &Self::State, driver: Driver<'_>, handle: Handle, context: ContextId) {
        Design::delete_wfp_filters(&Self::Base::default(), &(), driver, handle, context)
    }

    /// `net_ebpf_ext_filter_change_notify` on `FWPS_CALLOUT_NOTIFY_DELETE_FILTER`: WFP
    /// deleted `filter`, whose raw context is `context` (never a freed one: netebpfext
    /// records that as a use after free instead of running this).
    fn filter_change_notify(&self, _state: &Self::State, driver: Driver<'_>, filter: FilterId, context: ContextId) {
        Design::filter_change_notify(&Self::Base::default(), &(), driver, filter, context)
    }
}

impl std::fmt::Debug for dyn DynDesign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DynDesign({})", self.name())
    }
}

/// The state a design is given, type-erased.
pub type AnyState = dyn Any + Send + Sync;

/// [`Design`] with its state type erased, so designs can sit in one list.
/// Implemented for every [`Design`]; implement [`Design`], not this.
pub trait DynDesign: Send + Sync + 'static {
    /// [`Design::name`].
    fn name(&self) -> &'static str;
    /// [`Design::summary`].
    fn summary(&self) -> &'static str;
    /// [`Design::trade_offs`].
    fn trade_offs(&self) -> &'static str;
    /// [`Design::new_state`], type-erased.
    fn new_state(&self) -> Box<AnyState>;
    /// [`Design::source_dir`].
    fn source_dir(&self) -> &'static str;
    /// [`Design::sources`].
    fn sources(&self) -> &'static [&'static str];
    /// [`Design::initialize_wfp_components`].
    fn initialize_wfp_components(&self, state: &AnyState, driver: Driver<'_>) -> Result<(), Status>;
    /// [`Design::uninitialize_objects`].
    fn uninitialize_objects(&self, state: &AnyState, driver: Driver<'_>) -> Result<(), Hung>;
    /// [`Design::hook_provider_unregister`].
    fn hook_provider_unregister<'a>(
        &self,
        state: &AnyState,
        driver: Driver<'a>,
        provider: &'a Provider,
    ) -> Result<(), Hung>;
    /// [`Design::uninitialize_wfp_components`].
    fn uninitialize_wfp_components(&self, state: &AnyState, driver: Driver<'_>);
    /// [`Design::attach_client`].
    fn attach_client<'a>(&self, state: &AnyState, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure>;
    /// [`Design::detach_client`].
    fn detach_client<'a>(&self, state: &AnyState, driver: Driver<'a>, provider: &'a Provider, client: u32);
    /// [`Design::create_filter_context`].
    fn create_filter_context<'a>(
        &self,
        state: &AnyState,
        driver: Driver<'a>,
        client: Client<'a>,
    ) -> Result<ContextId, OpFailure>;
    /// [`Design::delete_filter_context`].
    fn delete_filter_context<'a>(
        &self,
        state: &AnyState,
        driver: Driver<'a>,
        provider: &'a Provider,
        context: ContextId,
    );
    /// [`Design::clean_up_filter_context`].
    fn clean_up_filter_context(&self, state: &AnyState, driver: Driver<'_>, context: ContextId);
    /// [`Design::add_wfp_filters`].
    fn add_wfp_filters(
        &self,
        state: &AnyState,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status>;
    /// [`Design::delete_wfp_filters`].
    fn delete_wfp_filters(&self, state: &AnyState, driver: Driver<'_>, handle: Handle, context: ContextId);
    /// [`Design::filter_change_notify`].
    fn filter_change_notify(&self, state: &AnyState, driver: Driver<'_>, filter: FilterId, context: ContextId);
}
