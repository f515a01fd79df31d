//! The candidate designs of netebpfext's WFP code, each the code of the functions where
//! the fixes differ.
//!
//! A design is a [`Design`]: it names the design it changes (`type Base`: the code that
//! failed in #3728, [`naive`], or a later fix) and writes only the functions its PR
//! changed, in Rust that reads line for line like the C. A body runs through a [`Driver`]: the WFP calls under their
//! real names, and netebpfext's primitives (reference counts, filter states, the context
//! lists, the provider push lock, the clean-up list). Bodies call each other through the
//! driver (`driver.add_wfp_filters(..)`), so an override is what every path runs. Users
//! write their own designs the same way, outside this crate (`docs/writing-a-design.md`).

pub mod global_lock;
pub mod naive;
pub mod per_context;
pub mod per_context_4192;
pub mod per_context_5472;
pub mod per_handle;
pub mod provider_lock;
mod retry;

use std::any::Any;

pub use self::global_lock::{GlobalLock, GlobalLockAddOnly};
pub use self::naive::Naive;
pub use self::per_context::{PerContextDynamic, PerContextHandle};
pub use self::per_context_4192::PerContext4192;
pub use self::per_context_5472::PerContext5472;
pub use self::per_handle::{PerOperationHandle, PerThreadHandle};
pub use self::provider_lock::ProviderLock;
pub use self::retry::{Retry, RetryUnbounded, RETRY_TRIES_MAX};

use crate::log::{ContextId, OpFailure};
use crate::netebpfext::{Client, Driver, Hung, Provider};
use crate::sync::Arc;
use crate::wfp::{FilterId, FilterSpec, Handle, Status};

/// A design of netebpfext's WFP code: the functions its PR changed. Every body it does
/// not write is its [`Design::Base`]'s.
pub trait Design: Send + Sync + 'static {
    /// The design's own state for one execution, such as its locks (a checker's
    /// primitives live for one execution, so they are made anew for each).
    type State: Send + Sync + 'static;

    /// The design this one changes, as its PR changed the code it was based on: [`Naive`]
    /// (the code that failed in #3728) or another stateless design (`PerContextHandle`
    /// for a change on top of #3866). Each body this design does not write is the base's.
    type Base: Design<State = ()> + Default;

    /// The name the checks and the report use: lower case, `_` between words.
    fn name(&self) -> &'static str;

    /// What it does and what it models (the PR), in a sentence or two.
    fn summary(&self) -> &'static str;

    /// What it costs or relies on: timeouts, leaked objects, fair scheduling.
    fn trade_offs(&self) -> &'static str;

    fn new_state(&self) -> Self::State;

    /// The text of every source file the design's code is in (`&[include_str!("my_design.rs")]`).
    /// It is scanned before the design is explored, and a design that names synchronization
    /// the checker does not schedule is refused ([`crate::scan`]).
    fn sources(&self) -> &'static [&'static str];

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

/// The state a design is given, type-erased.
pub type AnyState = dyn Any + Send + Sync;

/// [`Design`] with its state type erased, so designs can sit in one list.
/// Implemented for every [`Design`]; implement [`Design`], not this.
pub trait DynDesign: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    fn trade_offs(&self) -> &'static str;
    fn new_state(&self) -> Box<AnyState>;
    fn sources(&self) -> &'static [&'static str];
    fn initialize_wfp_components(&self, state: &AnyState, driver: Driver<'_>) -> Result<(), Status>;
    fn uninitialize_objects(&self, state: &AnyState, driver: Driver<'_>) -> Result<(), Hung>;
    fn hook_provider_unregister<'a>(&self, state: &AnyState, driver: Driver<'a>, provider: &'a Provider)
        -> Result<(), Hung>;
    fn uninitialize_wfp_components(&self, state: &AnyState, driver: Driver<'_>);
    fn attach_client<'a>(&self, state: &AnyState, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure>;
    fn detach_client<'a>(&self, state: &AnyState, driver: Driver<'a>, provider: &'a Provider, client: u32);
    fn create_filter_context<'a>(
        &self,
        state: &AnyState,
        driver: Driver<'a>,
        client: Client<'a>,
    ) -> Result<ContextId, OpFailure>;
    fn delete_filter_context<'a>(
        &self,
        state: &AnyState,
        driver: Driver<'a>,
        provider: &'a Provider,
        context: ContextId,
    );
    fn clean_up_filter_context(&self, state: &AnyState, driver: Driver<'_>, context: ContextId);
    fn add_wfp_filters(
        &self,
        state: &AnyState,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status>;
    fn delete_wfp_filters(&self, state: &AnyState, driver: Driver<'_>, handle: Handle, context: ContextId);
    fn filter_change_notify(&self, state: &AnyState, driver: Driver<'_>, filter: FilterId, context: ContextId);
}

fn state<D: Design>(state: &AnyState) -> &D::State {
    state.downcast_ref::<D::State>().expect("a design is always given the state it made")
}

impl<D: Design> DynDesign for D {
    fn name(&self) -> &'static str {
        Design::name(self)
    }
    fn summary(&self) -> &'static str {
        Design::summary(self)
    }
    fn trade_offs(&self) -> &'static str {
        Design::trade_offs(self)
    }
    fn new_state(&self) -> Box<AnyState> {
        Box::new(Design::new_state(self))
    }
    fn sources(&self) -> &'static [&'static str] {
        Design::sources(self)
    }
    fn initialize_wfp_components(&self, st: &AnyState, driver: Driver<'_>) -> Result<(), Status> {
        Design::initialize_wfp_components(self, state::<D>(st), driver)
    }
    fn uninitialize_objects(&self, st: &AnyState, driver: Driver<'_>) -> Result<(), Hung> {
        Design::uninitialize_objects(self, state::<D>(st), driver)
    }
    fn hook_provider_unregister<'a>(
        &self,
        st: &AnyState,
        driver: Driver<'a>,
        provider: &'a Provider,
    ) -> Result<(), Hung> {
        Design::hook_provider_unregister(self, state::<D>(st), driver, provider)
    }
    fn uninitialize_wfp_components(&self, st: &AnyState, driver: Driver<'_>) {
        Design::uninitialize_wfp_components(self, state::<D>(st), driver)
    }
    fn attach_client<'a>(&self, st: &AnyState, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        Design::attach_client(self, state::<D>(st), driver, client)
    }
    fn detach_client<'a>(&self, st: &AnyState, driver: Driver<'a>, provider: &'a Provider, client: u32) {
        Design::detach_client(self, state::<D>(st), driver, provider, client)
    }
    fn create_filter_context<'a>(
        &self,
        st: &AnyState,
        driver: Driver<'a>,
        client: Client<'a>,
    ) -> Result<ContextId, OpFailure> {
        Design::create_filter_context(self, state::<D>(st), driver, client)
    }
    fn delete_filter_context<'a>(&self, st: &AnyState, driver: Driver<'a>, provider: &'a Provider, context: ContextId) {
        Design::delete_filter_context(self, state::<D>(st), driver, provider, context)
    }
    fn clean_up_filter_context(&self, st: &AnyState, driver: Driver<'_>, context: ContextId) {
        Design::clean_up_filter_context(self, state::<D>(st), driver, context)
    }
    fn add_wfp_filters(
        &self,
        st: &AnyState,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        Design::add_wfp_filters(self, state::<D>(st), driver, handle, filters, context)
    }
    fn delete_wfp_filters(&self, st: &AnyState, driver: Driver<'_>, handle: Handle, context: ContextId) {
        Design::delete_wfp_filters(self, state::<D>(st), driver, handle, context)
    }
    fn filter_change_notify(&self, st: &AnyState, driver: Driver<'_>, filter: FilterId, context: ContextId) {
        Design::filter_change_notify(self, state::<D>(st), driver, filter, context)
    }
}

/// The built-in designs, in the order the report lists them.
pub fn builtin() -> Vec<Arc<dyn DynDesign>> {
    vec![
        Arc::new(Naive),
        Arc::new(ProviderLock),
        Arc::new(Retry),
        Arc::new(RetryUnbounded),
        Arc::new(GlobalLock),
        Arc::new(GlobalLockAddOnly),
        Arc::new(PerOperationHandle),
        Arc::new(PerThreadHandle),
        Arc::new(PerContextHandle),
        Arc::new(PerContextDynamic),
        Arc::new(PerContext4192),
        Arc::new(PerContext5472),
    ]
}

/// The built-in design with this name.
pub fn by_name(name: &str) -> Option<Arc<dyn DynDesign>> {
    builtin().into_iter().find(|d| d.name() == name)
}
