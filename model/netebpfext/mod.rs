//! netebpfext's WFP paths, call by call (upstream `netebpfext/net_ebpf_ext.c` and
//! `net_ebpf_ext_hook_provider.c`): start-up, attach (create the filter context,
//! `add_wfp_filters`), detach (`delete_wfp_filters`, then clean-up), the delete
//! notification, and unload.
//!
//! The places where the candidate fixes differ are handed to the [`Design`]: which
//! sessions are opened, which locks are held around which step, how Begin is tried.
//! Each step a design wraps is a value ([`Attach`], [`AddFilters`], [`Begin`], [`Detach`],
//! [`DeleteFilters`]) that runs the real code with `run`.
//!
//! Not modelled, because they touch no WFP state: client validation, the redirect handle
//! (`FwpsRedirectHandleCreate`/`Destroy`), the injection handle, NMR's own bookkeeping.
//! Filter contexts, their reference counts and the providers' lists of them sit behind
//! locks the checker schedules (`contexts.rs`), as the real driver's interlocked counts
//! and push locks are points where another thread may run.

mod contexts;
pub mod hooks;

pub use self::contexts::CONTEXTS_PER_THREAD_MAX;

use std::any::Any;

use self::contexts::Contexts;
use self::hooks::{Hook, HOOKS, PROVIDER, SUBLAYERS};
use crate::designs::DynDesign;
use crate::log::{Actor, ContextId, EventKind, Log, Op, OpFailure};
use crate::sync::{Arc, Mutex, Unmodelled};
use crate::wfp::{Engine, FilterId, FilterSpec, Handle, Status};

/// errno for `EINVAL`, what the user library reports for `EBPF_EXTENSION_FAILED_TO_LOAD`.
pub const EINVAL: i32 = 22;

/// How many times unload tries each delete (#3866 cleanup: "max_retries = 10").
pub const UNLOAD_TRIES_MAX: u32 = 10;

/// `add_wfp_filters` turns every WFP failure into this.
pub const EBPF_INVALID_ARGUMENT: &str = "EBPF_INVALID_ARGUMENT";
/// `create_filter_context` returns this when the context's engine handle cannot be opened.
pub const EBPF_FAILED: &str = "EBPF_FAILED";

/// An attach that failed: `create_filter_context` returned `ebpf`, so attach returned
/// `STATUS_ACCESS_DENIED`, the core `EBPF_EXTENSION_FAILED_TO_LOAD`, the library `EINVAL`.
fn attach_failure(wfp: Status, ebpf: &'static str) -> OpFailure {
    OpFailure { wfp: Some(wfp), ebpf, errno: EINVAL }
}

/// The state of one filter id in its context (the #3866-era code's states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterState {
    Added,
    Deleting,
    Deleted,
    DeleteFailed(Status),
}

/// A filter context: what one attach creates and the last detach removes.
#[derive(Debug, Clone)]
pub struct FilterContext {
    pub id: ContextId,
    pub hook: &'static Hook,
    pub compartment: u32,
    pub clients: Vec<u32>,
    /// 1 for the context itself, plus one per filter until its delete notification.
    pub references: i64,
    /// The engine handle its filters are added and deleted with.
    pub handle: Option<Handle>,
    /// Whether that handle is the context's own (closed when the context is freed).
    pub owns_handle: bool,
    pub filters: Vec<(FilterId, FilterState)>,
    /// On its provider's filter-context list, so an attach can find it.
    pub listed: bool,
    pub freed: bool,
}

/// What removing a client from its filter context found.
enum Left {
    NotAttached,
    OthersRemain,
    Last(LastClientLeft),
}

/// The context a detach's last client left: its filters are deleted next.
struct LastClientLeft {
    context: ContextId,
    handle: Option<Handle>,
    ids: Vec<FilterId>,
}

/// One hook provider.
pub struct Provider {
    pub hook: &'static Hook,
    /// The provider's `EX_PUSH_LOCK`. Before #3751 it guarded only the client list; #3751
    /// holds it across the whole attach and detach. Designs decide whether to take it.
    pub push_lock: Mutex<()>,
}

/// netebpfext, loaded once per execution.
pub struct Extension {
    engine: Arc<Engine>,
    design: Arc<dyn DynDesign>,
    design_state: Box<dyn Any + Send + Sync>,
    providers: Vec<Provider>,
    /// `_fwp_engine_handle`: written only at start-up and unload, when one thread runs.
    global: Unmodelled<Option<Handle>>,
    contexts: Arc<Contexts>,
    /// The scaling study's override of how many filters each attach adds.
    filters_per_attach: Option<usize>,
}

/// What every step of an operation knows: who runs it, in which extension.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub ext: &'a Extension,
    pub actor: Actor,
}

impl<'a> Ctx<'a> {
    pub fn engine(&self) -> &'a Engine {
        &self.ext.engine
    }

    pub fn log(&self) -> &'a Log {
        self.ext.engine.log()
    }

    /// Adds a line to the execution's log (shown in counterexamples).
    pub fn note(&self, text: &'static str) {
        self.log().push(self.actor, EventKind::Note(text));
    }
}

/// A step a design may wrap: it can be run under a lock.
pub trait Step<'a>: Sized {
    fn ctx(&self) -> Ctx<'a>;

    /// Runs `body` holding `lock`, and logs when the lock is taken and released.
    fn with_lock<R>(self, name: &'static str, lock: &Mutex<()>, body: impl FnOnce(Self) -> R) -> R {
        let ctx = self.ctx();
        let guard = lock.lock();
        ctx.log().push(ctx.actor, EventKind::Lock { name, taken: true });
        let result = body(self);
        ctx.log().push(ctx.actor, EventKind::Lock { name, taken: false });
        drop(guard);
        result
    }
}

fn under_push_lock<'a, S: Step<'a>, R>(step: S, provider: &'a Provider, body: impl FnOnce(S) -> R) -> R {
    step.with_lock(provider.hook.push_lock, &provider.push_lock, body)
}

macro_rules! step {
    ($name:ident) => {
        impl<'a> Step<'a> for $name<'a> {
            fn ctx(&self) -> Ctx<'a> {
                self.ctx
            }
        }
    };
}

/// `_net_ebpf_extension_hook_provider_attach_client`, after client validation.
pub struct Attach<'a> {
    ctx: Ctx<'a>,
    provider: &'a Provider,
    client: u32,
    compartment: u32,
}
step!(Attach);

impl<'a> Attach<'a> {
    pub fn provider(&self) -> &'a Provider {
        self.provider
    }

    /// Holds the provider's push lock around `body` (#3751).
    pub fn with_provider_lock<R>(self, body: impl FnOnce(Self) -> R) -> R {
        let provider = self.provider;
        under_push_lock(self, provider, body)
    }

    /// Joins a matching filter context, or creates one (which adds the WFP filters).
    pub fn run(self) -> Result<(), OpFailure> {
        let Attach { ctx, provider, client, compartment } = self;
        let ext = ctx.ext;
        if ext.join_context(ctx.actor, provider.hook, compartment, client) {
            return Ok(());
        }
        let context = ext.new_context(ctx.actor, provider.hook, compartment, client);
        let handle = match ext.design.context_session() {
            None => ext.global_handle(),
            Some(options) => match ctx.engine().engine_open(ctx.actor, options) {
                Ok(handle) => handle,
                Err(status) => {
                    ext.clean_up_context(ctx.actor, context);
                    return Err(attach_failure(status, EBPF_FAILED));
                }
            },
        };
        ext.set_handle(context, handle, ext.design.context_session().is_some());
        let add = AddFilters { ctx, context, handle, filters: ext.filter_specs(provider.hook, context) };
        match ext.design.add_filters(&*ext.design_state, add) {
            Ok(ids) => {
                ext.contexts.publish(context, provider.hook, ids);
                Ok(())
            }
            Err(status) => {
                // CLEAN_UP_FILTER_CONTEXT: frees it directly, whatever its reference count.
                ext.clean_up_context(ctx.actor, context);
                Err(attach_failure(status, EBPF_INVALID_ARGUMENT))
            }
        }
    }
}

/// `net_ebpf_extension_add_wfp_filters`: one transaction for all of a context's filters.
pub struct AddFilters<'a> {
    ctx: Ctx<'a>,
    context: ContextId,
    handle: Handle,
    filters: Vec<FilterSpec>,
}
step!(AddFilters);

impl<'a> AddFilters<'a> {
    pub fn handle(&self) -> Handle {
        self.handle
    }

    /// Begin; per filter a reference on the context and a FilterAdd; Commit.
    /// Any failure after a successful Begin aborts. No failure releases a reference.
    pub fn run(self) -> Result<Vec<FilterId>, Status> {
        let AddFilters { ctx, context, handle, filters } = self;
        let ext = ctx.ext;
        if filters.is_empty() {
            unreachable!("every hook adds at least one filter (filter_count == 0 is EBPF_INVALID_ARGUMENT)");
        }
        ext.design.begin(&*ext.design_state, Begin { ctx, handle })?;
        let mut ids = Vec::with_capacity(filters.len());
        let added = filters.into_iter().try_for_each(|spec| {
            ext.reference(context);
            ids.push(ctx.engine().filter_add(ctx.actor, handle, spec)?);
            Ok(())
        });
        let committed = added.and_then(|()| ctx.engine().transaction_commit(ctx.actor, handle));
        if let Err(status) = committed {
            // The abort's own result is not checked by netebpfext.
            let _ = ctx.engine().transaction_abort(ctx.actor, handle);
            return Err(status);
        }
        Ok(ids)
    }
}

/// The `FwpmTransactionBegin` of `add_wfp_filters`.
pub struct Begin<'a> {
    ctx: Ctx<'a>,
    handle: Handle,
}
step!(Begin);

impl<'a> Begin<'a> {
    /// One `FwpmTransactionBegin` call.
    pub fn call(&self) -> Result<(), Status> {
        self.ctx.engine().transaction_begin(self.ctx.actor, self.handle)
    }

    pub fn run(self) -> Result<(), Status> {
        self.call()
    }
}

/// `_net_ebpf_extension_hook_provider_detach_client`.
pub struct Detach<'a> {
    ctx: Ctx<'a>,
    provider: &'a Provider,
    client: u32,
}
step!(Detach);

impl<'a> Detach<'a> {
    pub fn provider(&self) -> &'a Provider {
        self.provider
    }

    /// Holds the provider's push lock around `body` (#3751).
    pub fn with_provider_lock<R>(self, body: impl FnOnce(Self) -> R) -> R {
        let provider = self.provider;
        under_push_lock(self, provider, body)
    }

    /// Removes the client; when its filter context has no client left, deletes the
    /// context's filters and drops the context's own reference.
    pub fn run(self) {
        let Detach { ctx, provider, client } = self;
        let ext = ctx.ext;
        let left = match ext.leave_context(ctx.actor, provider.hook, client) {
            Left::NotAttached => {
                ctx.note("the client is not attached: nothing to detach");
                return;
            }
            Left::OthersRemain => return,
            Left::Last(left) => left,
        };
        let LastClientLeft { context, handle, ids } = left;
        if let Some(handle) = handle {
            ext.design.delete_filters(&*ext.design_state, DeleteFilters { ctx, context, handle, ids });
        }
        // net_ebpf_extension_wfp_filter_context_cleanup: drop the initial reference.
        ext.dereference(ctx.actor, context);
    }
}

/// `net_ebpf_extension_delete_wfp_filters`: a FilterDeleteById per filter, no transaction.
pub struct DeleteFilters<'a> {
    ctx: Ctx<'a>,
    context: ContextId,
    handle: Handle,
    ids: Vec<FilterId>,
}
step!(DeleteFilters);

impl<'a> DeleteFilters<'a> {
    pub fn handle(&self) -> Handle {
        self.handle
    }

    /// A failed delete is recorded and not retried; its reference is never released
    /// (the only releaser is the delete notification, #5486).
    pub fn run(self) {
        let DeleteFilters { ctx, context, handle, ids } = self;
        for id in ids {
            ctx.ext.set_filter_state(context, id, FilterState::Deleting);
            if let Err(status) = ctx.engine().filter_delete_by_id(ctx.actor, handle, id) {
                ctx.ext.set_filter_state(context, id, FilterState::DeleteFailed(status));
            }
        }
    }
}

impl Extension {
    /// Loads netebpfext: `net_ebpf_extension_initialize_wfp_components`, then the hook
    /// providers. Returns the extension even when start-up failed, with the failure.
    pub fn start(
        engine: Arc<Engine>,
        design: Arc<dyn DynDesign>,
        filters_per_attach: Option<usize>,
    ) -> (Arc<Extension>, Result<(), OpFailure>) {
        let ext = Arc::new(Extension {
            design_state: design.new_state(),
            design,
            providers: HOOKS.iter().map(|hook| Provider { hook, push_lock: Mutex::new(()) }).collect(),
            global: Unmodelled::new(None),
            contexts: Arc::new(Contexts::new()),
            filters_per_attach,
            engine,
        });
        let actor = Actor::Main;
        ext.log().push(actor, EventKind::OpStart(Op::Startup));
        let started = ext.initialize_wfp_components(actor);
        // DriverEntry fails with the status; no user-mode caller sees an errno.
        let failure = started.err().map(|status| OpFailure { wfp: Some(status), ebpf: "DriverEntry failed", errno: 0 });
        ext.log().push(actor, EventKind::OpEnd { op: Op::Startup, failure });
        (ext, failure.map_or(Ok(()), Err))
    }

    fn log(&self) -> &Log {
        self.engine.log()
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn provider(&self, hook: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.hook.name == hook)
    }

    fn global_handle(&self) -> Handle {
        self.global.with(|g| g.expect("attach runs only after start-up opened the global handle"))
    }

    /// One explicit transaction on the global handle: provider, sublayers, callouts.
    fn initialize_wfp_components(&self, actor: Actor) -> Result<(), Status> {
        let engine = &*self.engine;
        let global = engine.engine_open(actor, self.design.global_session())?;
        self.global.with(|g| *g = Some(global));
        engine.transaction_begin(actor, global).inspect_err(|_| self.uninitialize_wfp_components(actor))?;
        let added = (|| {
            engine.provider_add(actor, global, PROVIDER)?;
            for sublayer in SUBLAYERS {
                engine.sublayer_add(actor, global, sublayer, Some(PROVIDER))?;
            }
            for callout in hooks::callouts() {
                engine.callout_register(actor, callout, self.notify_fn())?;
                engine.callout_add(actor, global, callout, Some(PROVIDER))?;
            }
            engine.transaction_commit(actor, global)
        })();
        if let Err(status) = added {
            let _ = engine.transaction_abort(actor, global);
            self.uninitialize_wfp_components(actor);
            return Err(status);
        }
        Ok(())
    }

    /// The callouts' notify function: on `FWPS_CALLOUT_NOTIFY_DELETE_FILTER`, mark the
    /// filter deleted and drop its reference on the filter context.
    fn notify_fn(&self) -> crate::wfp::NotifyFn {
        let contexts = Arc::downgrade(&self.contexts);
        let engine = Arc::downgrade(&self.engine);
        Arc::new(move |actor, filter, context| {
            let (Some(contexts), Some(engine)) = (contexts.upgrade(), engine.upgrade()) else { return };
            let freed = contexts.with(context, |ctx| {
                if ctx.freed {
                    return true;
                }
                if let Some(entry) = ctx.filters.iter_mut().find(|(id, _)| *id == filter) {
                    entry.1 = FilterState::Deleted;
                }
                false
            });
            if freed {
                contexts.notified_after_free(filter, context);
                engine.log().push(actor, EventKind::Note("delete notification for a freed filter context"));
                return;
            }
            dereference(&contexts, &engine, actor, context);
        })
    }

    /// Unload: NMR detaches every client still attached, then
    /// `net_ebpf_extension_uninitialize_wfp_components`.
    pub fn unload(&self, actor: Actor) {
        self.log().push(actor, EventKind::OpStart(Op::Unload));
        let attached: Vec<(&'static Hook, u32)> = self
            .contexts
            .all()
            .iter()
            .filter(|ctx| ctx.listed)
            .flat_map(|ctx| ctx.clients.iter().map(|client| (ctx.hook, *client)))
            .collect();
        for (hook, client) in attached {
            self.detach(actor, hook.name, client);
        }
        self.uninitialize_wfp_components(actor);
        if self.contexts.all().iter().any(|ctx| !ctx.freed) {
            // The real unload waits for each provider's rundown, which needs every context freed.
            self.log().push(
                actor,
                EventKind::Note("a filter context is never freed: provider rundown never completes, unload hangs"),
            );
        }
        self.log().push(actor, EventKind::OpEnd { op: Op::Unload, failure: None });
    }

    fn uninitialize_wfp_components(&self, actor: Actor) {
        let engine = &*self.engine;
        let Some(global) = self.global.with(|g| g.take()) else { return };
        let callouts = hooks::callouts();
        if self.design.unload_deletes_objects() {
            // #3866: static objects must be deleted explicitly; NOT_FOUND counts as done.
            let retry = |call: &dyn Fn() -> Result<(), Status>, done: Status| {
                for _ in 0..UNLOAD_TRIES_MAX {
                    match call() {
                        Ok(()) => return,
                        Err(status) if status == done => return,
                        Err(_) => {}
                    }
                }
            };
            for callout in &callouts {
                retry(&|| engine.callout_unregister(actor, callout), Status::CalloutNotFound);
                retry(&|| engine.callout_delete_by_key(actor, global, callout), Status::CalloutNotFound);
            }
            for sublayer in SUBLAYERS {
                retry(&|| engine.sublayer_delete_by_key(actor, global, sublayer), Status::SublayerNotFound);
            }
            retry(&|| engine.provider_delete_by_key(actor, global, PROVIDER), Status::ProviderNotFound);
            let _ = engine.engine_close(actor, global);
        } else {
            // Before #3866: closing the dynamic session deletes everything it added.
            let _ = engine.engine_close(actor, global);
            for callout in &callouts {
                let _ = engine.callout_unregister(actor, callout);
            }
        }
    }

    /// A client attaches to `hook`; `compartment` decides which filter context it shares.
    pub fn attach(&self, actor: Actor, hook: &str, client: u32, compartment: u32) -> Result<(), OpFailure> {
        let provider = self.provider(hook).unwrap_or_else(|| panic!("no hook provider `{hook}`"));
        let op = Op::Attach { hook: provider.hook.name, client };
        self.log().push(actor, EventKind::OpStart(op));
        let attach = Attach { ctx: Ctx { ext: self, actor }, provider, client, compartment };
        let result = self.design.attach(&*self.design_state, attach);
        self.log().push(actor, EventKind::OpEnd { op, failure: result.err() });
        result
    }

    /// A client detaches from `hook`. Detach reports nothing back (it returns
    /// `STATUS_PENDING`); a failed delete shows only in the log.
    pub fn detach(&self, actor: Actor, hook: &str, client: u32) {
        let provider = self.provider(hook).unwrap_or_else(|| panic!("no hook provider `{hook}`"));
        let op = Op::Detach { hook: provider.hook.name, client };
        self.log().push(actor, EventKind::OpStart(op));
        let detach = Detach { ctx: Ctx { ext: self, actor }, provider, client };
        self.design.detach(&*self.design_state, detach);
        self.log().push(actor, EventKind::OpEnd { op, failure: None });
    }

    /// Every filter context, as it is at the end.
    pub fn contexts(&self) -> Vec<FilterContext> {
        self.contexts.all()
    }

    /// Delete notifications that reached a freed context.
    pub fn notified_after_free(&self) -> Vec<(FilterId, ContextId)> {
        self.contexts.notifications_after_free()
    }

    fn filter_specs(&self, hook: &'static Hook, context: ContextId) -> Vec<FilterSpec> {
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

    /// Adds the client to a listed context of `hook` in `compartment`, if there is one.
    fn join_context(&self, actor: Actor, hook: &'static Hook, compartment: u32, client: u32) -> bool {
        let joined = self.contexts.join(hook, compartment, client);
        if let Some(context) = joined {
            self.log().push(actor, EventKind::ContextJoined { context, client });
        }
        joined.is_some()
    }

    fn new_context(&self, actor: Actor, hook: &'static Hook, compartment: u32, client: u32) -> ContextId {
        let layers = self.filter_specs(hook, 0).iter().map(|spec| spec.layer).collect();
        let context = self.contexts.create(actor, hook, compartment, client);
        self.log().push(actor, EventKind::ContextCreated { context, client, layers });
        context
    }

    fn set_handle(&self, id: ContextId, handle: Handle, owns: bool) {
        self.contexts.with(id, |ctx| {
            ctx.handle = Some(handle);
            ctx.owns_handle = owns;
        })
    }

    fn reference(&self, id: ContextId) {
        self.contexts.with(id, |ctx| ctx.references += 1)
    }

    fn set_filter_state(&self, id: ContextId, filter: FilterId, state: FilterState) {
        self.contexts.with(id, |ctx| {
            if let Some(entry) = ctx.filters.iter_mut().find(|(f, _)| *f == filter) {
                // A delete notification may have come first (the delete took effect at once).
                if entry.1 != FilterState::Deleted {
                    entry.1 = state;
                }
            }
        })
    }

    /// Removes the client from its filter context; the last one takes the context off
    /// the provider's list.
    fn leave_context(&self, actor: Actor, hook: &'static Hook, client: u32) -> Left {
        let left = self.contexts.leave(hook, client).map(|(last, left)| (left.context, last, left));
        let Some((context, last, left)) = left else { return Left::NotAttached };
        let filters = if last { left.ids.clone() } else { Vec::new() };
        self.log().push(actor, EventKind::ClientLeft { context, client, last, filters });
        if last {
            Left::Last(left)
        } else {
            Left::OthersRemain
        }
    }

    fn dereference(&self, actor: Actor, id: ContextId) {
        dereference(&self.contexts, &self.engine, actor, id)
    }

    /// `CLEAN_UP_FILTER_CONTEXT` on a failed create: close its own handle, free it.
    fn clean_up_context(&self, actor: Actor, id: ContextId) {
        free_context(&self.contexts, &self.engine, actor, id)
    }
}

/// `DEREFERENCE_FILTER_CONTEXT`: at zero, leave the provider's rundown and clean up.
fn dereference(contexts: &Contexts, engine: &Engine, actor: Actor, id: ContextId) {
    let last = contexts.with(id, |ctx| {
        ctx.references -= 1;
        ctx.references == 0
    });
    if last {
        free_context(contexts, engine, actor, id);
    }
}

fn free_context(contexts: &Contexts, engine: &Engine, actor: Actor, id: ContextId) {
    let own_handle = contexts.with(id, |ctx| {
        ctx.freed = true;
        ctx.listed = false;
        ctx.handle.filter(|_| ctx.owns_handle)
    });
    engine.log().push(actor, EventKind::ContextFreed { context: id });
    if let Some(handle) = own_handle {
        let _ = engine.engine_close(actor, handle);
    }
}
