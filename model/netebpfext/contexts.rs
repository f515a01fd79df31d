//! netebpfext's filter contexts and the lists that hold them (each provider's filter
//! context list and #5472's zombie list, #4192's clean-up list, and before #3751 each
//! provider's list of attached clients), each its own
//! [`SharedState`]: attach, detach and the delete notification change them from every
//! thread, so loom sees each access (see `SharedState` for shuttle). Contexts of
//! different threads share nothing, so they add no interleavings where they cannot
//! meet. A list is always taken before a context, never the other way. Ids are fixed by
//! the creating thread and its count of contexts, so no thread's ids depend on another's.

use super::hooks::{Hook, HOOKS};
use super::{ClientRemoved, FilterContext};
use crate::sync::{SharedState, Unmodelled};
use crate::wfp::{Actor, ContextId, FilterId, THREADS_MAX};

/// At most this many filter contexts one worker thread creates in an execution.
pub const CONTEXTS_PER_THREAD_MAX: u32 = 4;

/// A list of contexts (`LIST_ENTRY`), in order.
type ContextList = SharedState<Vec<ContextId>>;

/// A client on its provider's `attached_clients_list` (before #3751), with its compartment
/// and its provider data (the filter context its attach created).
#[derive(Debug, Clone, Copy, Hash)]
struct AttachedClient {
    client: u32,
    compartment: u32,
    context: ContextId,
}

/// One hook provider's lists.
struct ProviderLists {
    hook: &'static Hook,
    /// `filter_context_list` (#3751).
    contexts: ContextList,
    /// `zombie_filter_context_list` (#5472).
    zombies: ContextList,
    /// `attached_clients_list` (before #3751).
    clients: SharedState<Vec<AttachedClient>>,
}

/// Every filter context of one execution.
pub(super) struct Contexts {
    /// Context `id` is `slots[id - 1]`.
    slots: Vec<SharedState<Option<FilterContext>>>,
    /// Context `id`'s compartment, written once by its creator before any other thread
    /// can find the context (through a list, which the checker sees), and never changed:
    /// reading it needs no scheduling point.
    compartments: Vec<Unmodelled<u32>>,
    /// Per hook provider, its lists.
    lists: Vec<ProviderLists>,
    /// #4192's `filter_cleanup_list`.
    cleanup: ContextList,
    /// Per worker thread, how many contexts it created. Only that thread touches its own
    /// count, so no other thread's order depends on it: the checker need not see it.
    created: Vec<Unmodelled<u32>>,
    /// Uses of a context after it was freed (a use after free in the real driver).
    used_after_free: SharedState<Vec<(ContextId, Actor, String)>>,
}

impl Contexts {
    pub fn new() -> Contexts {
        let slots = THREADS_MAX * CONTEXTS_PER_THREAD_MAX as usize;
        Contexts {
            slots: (0..slots).map(|_| SharedState::new(None)).collect(),
            compartments: (0..slots).map(|_| Unmodelled::new(0)).collect(),
            lists: HOOKS
                .iter()
                .map(|hook| ProviderLists {
                    hook,
                    contexts: SharedState::new(Vec::new()),
                    zombies: SharedState::new(Vec::new()),
                    clients: SharedState::new(Vec::new()),
                })
                .collect(),
            cleanup: SharedState::new(Vec::new()),
            created: (0..THREADS_MAX).map(|_| Unmodelled::new(0)).collect(),
            used_after_free: SharedState::new(Vec::new()),
        }
    }

    fn lists(&self, hook: &'static Hook) -> &ProviderLists {
        self.lists.iter().find(|lists| lists.hook == hook).expect("every hook has a provider")
    }

    fn with<R>(&self, id: ContextId, f: impl FnOnce(&mut FilterContext) -> R) -> R {
        let slot = self.slots.get(id as usize - 1).unwrap_or_else(|| panic!("no filter context {id}"));
        slot.with(|slot| f(slot.as_mut().unwrap_or_else(|| panic!("filter context {id} is used before it is created"))))
    }

    /// Runs `f` on context `id` unless it was freed; a use of a freed one is recorded.
    pub fn with_live<R>(
        &self,
        id: ContextId,
        actor: Actor,
        what: &str,
        f: impl FnOnce(&mut FilterContext) -> R,
    ) -> Option<R> {
        let result = self.with(id, |ctx| (!ctx.freed).then(|| f(ctx)));
        if result.is_none() {
            self.misused(id, actor, &format!("{what} after it was freed"));
        }
        result
    }

    pub fn is_freed(&self, id: ContextId) -> bool {
        self.with(id, |ctx| ctx.freed)
    }

    /// Records a misuse of context `id` by `actor`.
    pub fn misused(&self, id: ContextId, actor: Actor, what: &str) {
        self.used_after_free.with(|seen| seen.push((id, actor, what.to_string())));
    }

    /// A new context for `client`'s attach, off the provider's list.
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
            engine_handle: None,
            filters: Vec::new(),
            freed: false,
        };
        self.compartments[id as usize - 1].with(|c| *c = compartment);
        self.slots[id as usize - 1].with(|slot| *slot = Some(context));
        id
    }

    /// The first listed context of `hook` in `compartment`, if there is one.
    pub fn matching(&self, hook: &'static Hook, compartment: u32) -> Option<ContextId> {
        self.lists(hook).contexts.with(|list| self.find_in(list, compartment))
    }

    fn find_in(&self, list: &[ContextId], compartment: u32) -> Option<ContextId> {
        list.iter().copied().find(|id| self.compartments[*id as usize - 1].with(|c| *c == compartment))
    }

    /// Adds `client` to a listed context of `hook` in `compartment`, if there is one.
    pub fn join(&self, actor: Actor, hook: &'static Hook, compartment: u32, client: u32) -> Option<ContextId> {
        self.lists(hook).contexts.with(|list| {
            let id = self.find_in(list, compartment)?;
            self.with_live(id, actor, "join it", |ctx| ctx.clients.push(client)).map(|()| id)
        })
    }

    pub fn is_list_empty(&self, hook: &'static Hook) -> bool {
        self.lists(hook).contexts.with(|list| list.is_empty())
    }

    /// Puts context `id` on its provider's list, at the head or the tail.
    pub fn insert(&self, hook: &'static Hook, id: ContextId, at_head: bool) {
        self.lists(hook).contexts.with(|list| if at_head { list.insert(0, id) } else { list.push(id) })
    }

    /// The compartments of `hook`'s attached clients (before #3751), in list order.
    pub fn attached_compartments(&self, hook: &'static Hook) -> Vec<u32> {
        self.lists(hook).clients.with(|list| list.iter().map(|c| c.compartment).collect())
    }

    /// Puts `client`, whose provider data is `context`, at the tail of `hook`'s attached clients.
    pub fn attach_client(&self, hook: &'static Hook, client: u32, compartment: u32, context: ContextId) {
        self.lists(hook).clients.with(|list| list.push(AttachedClient { client, compartment, context }))
    }

    /// The provider data of `hook`'s attached `client`.
    pub fn provider_data(&self, hook: &'static Hook, client: u32) -> Option<ContextId> {
        self.lists(hook).clients.with(|list| list.iter().find(|c| c.client == client).map(|c| c.context))
    }

    /// Takes `client` off `hook`'s attached clients; its provider data, if it was on it.
    pub fn detach_client(&self, hook: &'static Hook, client: u32) -> Option<ContextId> {
        self.lists(hook).clients.with(|list| {
            let at = list.iter().position(|c| c.client == client)?;
            Some(list.remove(at).context)
        })
    }

    /// Every context of `hook` not yet freed, in id order.
    pub fn live_of(&self, hook: &'static Hook) -> Vec<ContextId> {
        self.all().into_iter().filter(|ctx| ctx.hook == hook && !ctx.freed).map(|ctx| ctx.id).collect()
    }

    /// Removes `client` from its context of `hook`; the last client takes the context
    /// off the list. With it, the context's filter ids if it was the last.
    pub fn leave(&self, actor: Actor, hook: &'static Hook, client: u32) -> Option<(ClientRemoved, Vec<FilterId>)> {
        self.lists(hook).contexts.with(|list| {
            let (at, removed) = list.iter().enumerate().find_map(|(at, id)| {
                self.with_live(*id, actor, "remove a client from it", |ctx| {
                    if !ctx.clients.contains(&client) {
                        return None;
                    }
                    ctx.clients.retain(|x| *x != client);
                    let last = ctx.clients.is_empty();
                    let filters = if last { ctx.filters.iter().map(|f| f.id()).collect() } else { Vec::new() };
                    Some((at, (ClientRemoved { context: ctx.id, last }, filters)))
                })
                .flatten()
            })?;
            if removed.0.last {
                list.remove(at);
            }
            Some(removed)
        })
    }

    pub fn zombie_push(&self, hook: &'static Hook, id: ContextId) {
        self.lists(hook).zombies.with(|list| list.push(id))
    }

    pub fn zombie_pop(&self, hook: &'static Hook) -> Option<ContextId> {
        self.lists(hook).zombies.with(|list| (!list.is_empty()).then(|| list.remove(0)))
    }

    pub fn cleanup_push(&self, id: ContextId) {
        self.cleanup.with(|list| list.push(id))
    }

    pub fn cleanup_remove(&self, id: ContextId) {
        self.cleanup.with(|list| list.retain(|x| *x != id))
    }

    pub fn cleanup_is_empty(&self) -> bool {
        self.cleanup.with(|list| list.is_empty())
    }

    pub fn cleanup_pop(&self) -> Option<ContextId> {
        self.cleanup.with(|list| (!list.is_empty()).then(|| list.remove(0)))
    }

    /// Every context created, in id order, as it is now.
    pub fn all(&self) -> Vec<FilterContext> {
        self.slots.iter().filter_map(|slot| slot.with(|slot| slot.clone())).collect()
    }

    pub fn used_after_free(&self) -> Vec<(ContextId, Actor, String)> {
        self.used_after_free.with(|seen| seen.clone())
    }
}
