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

pub use self::global_lock::{GlobalLock, GlobalLockAddOnly};
pub use self::naive::Naive;
pub use self::per_context::{PerContextDynamic, PerContextHandle};
pub use self::per_context_4192::PerContext4192;
pub use self::per_context_5472::PerContext5472;
pub use self::per_handle::{PerOperationHandle, PerThreadHandle};
pub use self::provider_lock::ProviderLock;
pub use self::retry::{Retry, RetryUnbounded, RETRY_TRIES_MAX};

/// What a design is: the trait a design implements, and the object-safe form the driver calls.
pub use crate::netebpfext::design::{AnyState, Design, DynDesign};

/// Where the built-in designs' code is, the directory each names as its
/// [`Design::source_dir`]: this one's, as the crate was built. The model they call is the
/// crate's own and names no synchronization outside the facade (`checks/facade_scan.rs`).
pub const SOURCE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/model/designs");

// `bounded_calls` calls a spin what no bounded retry loop of a built-in design can do: each
// loop's tries, twice over, are within `wfp::REPEATS_MAX`.
const _: () = {
    let longest = [per_context_4192::UNLOAD_TRIES_MAX, per_context_5472::DELETE_TRIES_MAX, RETRY_TRIES_MAX];
    let mut i = 0;
    while i < longest.len() {
        assert!(2 * longest[i] <= crate::wfp::REPEATS_MAX, "a bounded retry loop would read as a spin");
        i += 1;
    }
};
use crate::netebpfext::{Client, Driver, Hung, OpFailure, Provider};
use crate::sync::Arc;
use crate::wfp::{ContextId, FilterId, FilterSpec, Handle, Status};

// Every design is a `DynDesign`: its state handed back as the type it made.
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
    fn source_dir(&self) -> &'static str {
        Design::source_dir(self)
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
