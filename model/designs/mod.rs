//! The candidate designs of netebpfext's attach path, behind one trait.
//!
//! A design says which sessions netebpfext opens and what it wraps around each step of
//! the real paths (locks, retries). Every method has the default of the code before any
//! fix, so a design states only where it differs. Users define their own designs the
//! same way, outside this crate (see `checks/custom_design.rs`).

mod global_lock;
mod naive;
mod per_context;
mod provider_lock;
mod retry;

use std::any::Any;

pub use self::global_lock::{GlobalLock, GlobalLockAddOnly};
pub use self::naive::Naive;
pub use self::per_context::{PerContextDynamic, PerContextHandle};
pub use self::provider_lock::ProviderLock;
pub use self::retry::{Retry, RetryUnbounded, RETRY_TRIES_MAX};

use crate::log::OpFailure;
use crate::netebpfext::{AddFilters, Attach, Begin, DeleteFilters, Detach};
use crate::sync::Arc;
use crate::wfp::{FilterId, SessionOptions, Status};

/// A candidate design of netebpfext's attach and detach paths.
pub trait Design: Send + Sync + 'static {
    /// The design's own state for one execution, such as its locks (a checker's
    /// primitives live for one execution, so they are made anew for each).
    type State: Send + Sync + 'static;

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

    /// The session of the global handle, opened at start-up.
    fn global_session(&self) -> SessionOptions {
        SessionOptions::DYNAMIC
    }

    /// `Some`: each filter context opens its own session, used to add and delete its
    /// filters and closed when the context is freed. `None`: the global handle is used.
    fn context_session(&self) -> Option<SessionOptions> {
        None
    }

    /// Whether unload deletes callouts, sublayers and provider explicitly (#3866),
    /// rather than relying on closing a dynamic global session.
    fn unload_deletes_objects(&self) -> bool {
        false
    }

    /// Wraps the whole attach (lookup, create the filter context, add its filters).
    fn attach(&self, _state: &Self::State, op: Attach<'_>) -> Result<(), OpFailure> {
        op.run()
    }

    /// Wraps `add_wfp_filters` (Begin, FilterAdds, Commit or Abort).
    fn add_filters(&self, _state: &Self::State, op: AddFilters<'_>) -> Result<Vec<FilterId>, Status> {
        op.run()
    }

    /// Wraps the Begin of `add_wfp_filters`.
    fn begin(&self, _state: &Self::State, op: Begin<'_>) -> Result<(), Status> {
        op.run()
    }

    /// Wraps the whole detach.
    fn detach(&self, _state: &Self::State, op: Detach<'_>) {
        op.run()
    }

    /// Wraps `delete_wfp_filters` (a FilterDeleteById per filter).
    fn delete_filters(&self, _state: &Self::State, op: DeleteFilters<'_>) {
        op.run()
    }
}

/// [`Design`] with its state type erased, so designs can sit in one list.
/// Implemented for every [`Design`]; implement [`Design`], not this.
pub trait DynDesign: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    fn trade_offs(&self) -> &'static str;
    fn new_state(&self) -> Box<dyn Any + Send + Sync>;
    fn sources(&self) -> &'static [&'static str];
    fn global_session(&self) -> SessionOptions;
    fn context_session(&self) -> Option<SessionOptions>;
    fn unload_deletes_objects(&self) -> bool;
    fn attach(&self, state: &(dyn Any + Send + Sync), op: Attach<'_>) -> Result<(), OpFailure>;
    fn add_filters(&self, state: &(dyn Any + Send + Sync), op: AddFilters<'_>) -> Result<Vec<FilterId>, Status>;
    fn begin(&self, state: &(dyn Any + Send + Sync), op: Begin<'_>) -> Result<(), Status>;
    fn detach(&self, state: &(dyn Any + Send + Sync), op: Detach<'_>);
    fn delete_filters(&self, state: &(dyn Any + Send + Sync), op: DeleteFilters<'_>);
}

fn state<D: Design>(state: &(dyn Any + Send + Sync)) -> &D::State {
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
    fn new_state(&self) -> Box<dyn Any + Send + Sync> {
        Box::new(Design::new_state(self))
    }
    fn sources(&self) -> &'static [&'static str] {
        Design::sources(self)
    }
    fn global_session(&self) -> SessionOptions {
        Design::global_session(self)
    }
    fn context_session(&self) -> Option<SessionOptions> {
        Design::context_session(self)
    }
    fn unload_deletes_objects(&self) -> bool {
        Design::unload_deletes_objects(self)
    }
    fn attach(&self, st: &(dyn Any + Send + Sync), op: Attach<'_>) -> Result<(), OpFailure> {
        Design::attach(self, state::<D>(st), op)
    }
    fn add_filters(&self, st: &(dyn Any + Send + Sync), op: AddFilters<'_>) -> Result<Vec<FilterId>, Status> {
        Design::add_filters(self, state::<D>(st), op)
    }
    fn begin(&self, st: &(dyn Any + Send + Sync), op: Begin<'_>) -> Result<(), Status> {
        Design::begin(self, state::<D>(st), op)
    }
    fn detach(&self, st: &(dyn Any + Send + Sync), op: Detach<'_>) {
        Design::detach(self, state::<D>(st), op)
    }
    fn delete_filters(&self, st: &(dyn Any + Send + Sync), op: DeleteFilters<'_>) {
        Design::delete_filters(self, state::<D>(st), op)
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
        Arc::new(PerContextHandle),
        Arc::new(PerContextDynamic),
    ]
}

/// The built-in design with this name.
pub fn by_name(name: &str) -> Option<Arc<dyn DynDesign>> {
    builtin().into_iter().find(|d| d.name() == name)
}
