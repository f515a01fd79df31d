//! netebpfext's filter contexts and each hook provider's list of them, each its own
//! [`SharedState`]: attach, detach and the delete notification change them from every
//! thread, so loom sees each access (see `SharedState` for shuttle). Contexts of
//! different threads share nothing, so they add no interleavings where they cannot
//! meet. A list is always taken before a context, never the other way. Ids are fixed by
//! the creating thread and its count of attaches, so no thread's ids depend on another's.

use super::hooks::{Hook, HOOKS};
use super::{FilterContext, FilterState, LastClientLeft};
use crate::log::{Actor, ContextId};
use crate::scenarios::THREADS_MAX;
use crate::sync::{SharedState, Unmodelled};
use crate::wfp::FilterId;

/// At most this many filter contexts one worker thread creates in an execution.
pub const CONTEXTS_PER_THREAD_MAX: u32 = 4;

/// A provider's filter-context list: each context with the compartment it serves.
type ContextList = SharedState<Vec<(ContextId, u32)>>;

/// Every filter context of one execution.
pub(super) struct Contexts {
    /// Context `id` is `slots[id - 1]`.
    slots: Vec<SharedState<Option<FilterContext>>>,
    /// Per hook provider, the contexts on its list (`filter_context_list`), in order, each
    /// with the compartment an attach looks it up by (fixed when it is created).
    lists: Vec<(&'static Hook, ContextList)>,
    /// Per worker thread, how many contexts it created. Only that thread touches its own
    /// count, so no other thread's order depends on it: the checker need not see it.
    created: Vec<Unmodelled<u32>>,
    /// Delete notifications that reached a freed context (a use after free in the real driver).
    notified_after_free: SharedState<Vec<(FilterId, ContextId)>>,
}

impl Contexts {
    pub fn new() -> Contexts {
        let slots = THREADS_MAX * CONTEXTS_PER_THREAD_MAX as usize;
        Contexts {
            slots: (0..slots).map(|_| SharedState::new(None)).collect(),
            lists: HOOKS.iter().map(|hook| (*hook, SharedState::new(Vec::new()))).collect(),
            created: (0..THREADS_MAX).map(|_| Unmodelled::new(0)).collect(),
            notified_after_free: SharedState::new(Vec::new()),
        }
    }

    fn list<R>(&self, hook: &'static Hook, f: impl FnOnce(&mut Vec<(ContextId, u32)>) -> R) -> R {
        self.lists.iter().find(|(h, _)| *h == hook).expect("every hook has a provider").1.with(f)
    }

    /// Runs `f` on context `id` under its lock.
    pub fn with<R>(&self, id: ContextId, f: impl FnOnce(&mut FilterContext) -> R) -> R {
        self.slots[id as usize - 1].with(|slot| f(slot.as_mut().expect("a context is created before it is used")))
    }

    /// A new context for `client`'s attach, off the provider's list until published.
    pub fn create(&self, actor: Actor, hook: &'static Hook, compartment: u32, client: u32) -> ContextId {
        let Actor::Thread(thread) = actor else { unreachable!("only worker threads attach") };
        let n = self.created[thread as usize].with(|n| {
            *n += 1;
            *n
        });
        assert!(n <= CONTEXTS_PER_THREAD_MAX, "{actor} creates more than {CONTEXTS_PER_THREAD_MAX} filter contexts");
        let id = 1 + thread as ContextId + THREADS_MAX as ContextId * (n as ContextId - 1);
        let context = FilterContext {
            id,
            hook,
            compartment,
            clients: vec![client],
            references: 1,
            handle: None,
            owns_handle: false,
            filters: Vec::new(),
            listed: false,
            freed: false,
        };
        self.slots[id as usize - 1].with(|slot| *slot = Some(context));
        id
    }

    /// Adds `client` to a listed context of `hook` in `compartment`, if there is one.
    pub fn join(&self, hook: &'static Hook, compartment: u32, client: u32) -> Option<ContextId> {
        self.list(hook, |list| {
            let (id, _) = list.iter().copied().find(|(_, c)| *c == compartment)?;
            self.with(id, |ctx| ctx.clients.push(client));
            Some(id)
        })
    }

    /// The context's filters are added: it goes on its provider's list.
    pub fn publish(&self, id: ContextId, hook: &'static Hook, ids: Vec<FilterId>) {
        self.list(hook, |list| {
            let compartment = self.with(id, |ctx| {
                ctx.filters = ids.into_iter().map(|id| (id, FilterState::Added)).collect();
                ctx.listed = true;
                ctx.compartment
            });
            list.push((id, compartment));
        })
    }

    /// Removes `client` from its context of `hook`: `None` if it is on none; the last
    /// client takes the context off the list.
    pub fn leave(&self, hook: &'static Hook, client: u32) -> Option<(bool, LastClientLeft)> {
        self.list(hook, |list| {
            let (at, last, left) = list.iter().enumerate().find_map(|(at, (id, _))| {
                self.with(*id, |ctx| {
                    if !ctx.listed || !ctx.clients.contains(&client) {
                        return None;
                    }
                    ctx.clients.retain(|x| *x != client);
                    let last = ctx.clients.is_empty();
                    ctx.listed &= !last;
                    let ids = ctx.filters.iter().map(|(id, _)| *id).collect();
                    Some((at, last, LastClientLeft { context: ctx.id, handle: ctx.handle, ids }))
                })
            })?;
            if last {
                list.remove(at);
            }
            Some((last, left))
        })
    }

    /// Records a delete notification that reached a freed context.
    pub fn notified_after_free(&self, filter: FilterId, context: ContextId) {
        self.notified_after_free.with(|seen| seen.push((filter, context)));
    }

    /// Every context created, in id order, as it is now.
    pub fn all(&self) -> Vec<FilterContext> {
        self.slots.iter().filter_map(|slot| slot.with(|slot| slot.clone())).collect()
    }

    /// Every delete notification that reached a freed context.
    pub fn notifications_after_free(&self) -> Vec<(FilterId, ContextId)> {
        self.notified_after_free.with(|seen| seen.clone())
    }
}
