//! WFP's objects (provider, sublayers, callouts, filters) and the rules on references
//! and deletes (W13, W14, W15). One store is the committed state; an explicit
//! transaction works on its own copy until it commits.

use std::collections::BTreeMap;

use super::{Effect, FilterId, FilterSpec, SessionId, Status};

/// The session that added an object, and whether that session is dynamic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Owner {
    pub session: SessionId,
    pub dynamic: bool,
}

impl Owner {
    /// W15 (Object Management, "Object Associations"): "a dynamic object cannot refer to a
    /// dynamic object from a different session. A static object cannot refer to a dynamic object."
    fn may_refer_to(self, referenced: Owner) -> bool {
        !referenced.dynamic || (self.dynamic && self.session == referenced.session)
    }

    /// W14: the delete rules for a caller in a dynamic session.
    fn may_delete(self, object: Owner) -> Result<(), Status> {
        if !self.dynamic {
            return Ok(());
        }
        if !object.dynamic {
            return Err(Status::DynamicSessionInProgress);
        }
        if object.session != self.session {
            return Err(Status::WrongSession);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Hash)]
struct Referring {
    provider: Option<&'static str>,
    owner: Owner,
}

#[derive(Debug, Clone, Hash)]
pub(crate) struct Filter {
    pub spec: FilterSpec,
    pub owner: Owner,
}

/// One consistent set of WFP objects.
#[derive(Debug, Clone, Default, Hash)]
pub(crate) struct Objects {
    providers: BTreeMap<&'static str, Owner>,
    sublayers: BTreeMap<&'static str, Referring>,
    callouts: BTreeMap<&'static str, Referring>,
    pub filters: BTreeMap<FilterId, Filter>,
}

/// Which kind of keyed object a call names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyed {
    Provider,
    SubLayer,
    Callout,
}

impl Keyed {
    fn not_found(self) -> Status {
        match self {
            Keyed::Provider => Status::ProviderNotFound,
            Keyed::SubLayer => Status::SublayerNotFound,
            Keyed::Callout => Status::CalloutNotFound,
        }
    }
}

impl Objects {
    /// Applies to this view what changed from `before` to `after` (an implicit call that
    /// ran beside an open transaction: its view must see the change too).
    pub fn apply_diff(&mut self, before: &Objects, after: &Objects) {
        fn sync<K: Ord + Copy, V: Clone>(view: &mut BTreeMap<K, V>, before: &BTreeMap<K, V>, after: &BTreeMap<K, V>) {
            for key in before.keys().filter(|k| !after.contains_key(k)) {
                view.remove(key);
            }
            for (key, value) in after.iter().filter(|(k, _)| !before.contains_key(k)) {
                view.insert(*key, value.clone());
            }
        }
        sync(&mut self.providers, &before.providers, &after.providers);
        sync(&mut self.sublayers, &before.sublayers, &after.sublayers);
        sync(&mut self.callouts, &before.callouts, &after.callouts);
        sync(&mut self.filters, &before.filters, &after.filters);
    }

    fn provider_owner(&self, key: Option<&'static str>) -> Result<Option<Owner>, Status> {
        match key {
            None => Ok(None),
            Some(key) => self.providers.get(key).copied().map(Some).ok_or(Status::ProviderNotFound),
        }
    }

    fn check_reference(by: Owner, referenced: Option<Owner>) -> Result<(), Status> {
        match referenced {
            Some(owner) if !by.may_refer_to(owner) => Err(Status::LifetimeMismatch),
            _ => Ok(()),
        }
    }

    /// W13, W15: add a provider, sublayer or callout under `key`.
    pub fn add_keyed(
        &mut self,
        kind: Keyed,
        key: &'static str,
        provider: Option<&'static str>,
        by: Owner,
    ) -> Result<Effect, Status> {
        if self.keyed_owner(kind, key).is_some() {
            return Err(Status::AlreadyExists);
        }
        match kind {
            Keyed::Provider => {
                self.providers.insert(key, by);
            }
            Keyed::SubLayer | Keyed::Callout => {
                Self::check_reference(by, self.provider_owner(provider)?)?;
                let map = if kind == Keyed::SubLayer { &mut self.sublayers } else { &mut self.callouts };
                map.insert(key, Referring { provider, owner: by });
            }
        }
        Ok(Effect::ObjectAdded(key))
    }

    /// W13, W15: a filter names its sublayer, provider and callout; each must exist and
    /// live at least as long as the filter. `make` gives the id of a filter that is added.
    pub fn add_filter(
        &mut self,
        spec: FilterSpec,
        by: Owner,
        make: impl FnOnce() -> FilterId,
    ) -> Result<(FilterId, Effect), Status> {
        let sublayer = self.sublayers.get(spec.sublayer).ok_or(Status::SublayerNotFound)?.owner;
        let provider = self.provider_owner(spec.provider)?;
        let callout = match spec.callout {
            None => None,
            Some(key) => Some(self.callouts.get(key).ok_or(Status::CalloutNotFound)?.owner),
        };
        for referenced in [Some(sublayer), provider, callout] {
            Self::check_reference(by, referenced)?;
        }
        let id = make();
        self.filters.insert(id, Filter { spec, owner: by });
        Ok((id, Effect::FilterAdded { id, context: spec.raw_context, layer: spec.layer }))
    }

    /// W14: delete a filter by id.
    pub fn delete_filter(&mut self, id: FilterId, by: Owner) -> Result<Effect, Status> {
        let filter = self.filters.get(&id).ok_or(Status::FilterNotFound)?;
        by.may_delete(filter.owner)?;
        let context = filter.spec.raw_context;
        self.filters.remove(&id);
        Ok(Effect::FilterRemoved { id, context })
    }

    fn keyed_owner(&self, kind: Keyed, key: &'static str) -> Option<Owner> {
        match kind {
            Keyed::Provider => self.providers.get(key).copied(),
            Keyed::SubLayer => self.sublayers.get(key).map(|s| s.owner),
            Keyed::Callout => self.callouts.get(key).map(|c| c.owner),
        }
    }

    fn referenced(&self, kind: Keyed, key: &'static str) -> bool {
        let by_filter = self.filters.values().any(|f| match kind {
            Keyed::Provider => f.spec.provider == Some(key),
            Keyed::SubLayer => f.spec.sublayer == key,
            Keyed::Callout => f.spec.callout == Some(key),
        });
        let by_keyed = kind == Keyed::Provider
            && self.sublayers.values().chain(self.callouts.values()).any(|r| r.provider == Some(key));
        by_filter || by_keyed
    }

    /// W14, and "an object cannot be deleted until all objects that reference it have
    /// first been deleted" (Object Management): `STATUS_FWP_IN_USE`.
    pub fn delete_keyed(&mut self, kind: Keyed, key: &'static str, by: Owner) -> Result<Effect, Status> {
        let owner = self.keyed_owner(kind, key).ok_or(kind.not_found())?;
        by.may_delete(owner)?;
        if self.referenced(kind, key) {
            return Err(Status::InUse);
        }
        match kind {
            Keyed::Provider => self.providers.remove(key).map(|_| ()),
            Keyed::SubLayer => self.sublayers.remove(key).map(|_| ()),
            Keyed::Callout => self.callouts.remove(key).map(|_| ()),
        };
        Ok(Effect::ObjectRemoved(key))
    }

    /// W2: a dynamic session's objects go when it ends. Filters go first; nothing of
    /// another session can refer to them (W15), so nothing else is touched.
    pub fn remove_owned_by(&mut self, session: SessionId) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.filters.retain(|id, f| {
            let owned = f.owner.session == session;
            if owned {
                effects.push(Effect::FilterRemoved { id: *id, context: f.spec.raw_context });
            }
            !owned
        });
        for map in [&mut self.callouts, &mut self.sublayers] {
            map.retain(|key, r| {
                let owned = r.owner.session == session;
                if owned {
                    effects.push(Effect::ObjectRemoved(key));
                }
                !owned
            });
        }
        self.providers.retain(|key, owner| {
            let owned = owner.session == session;
            if owned {
                effects.push(Effect::ObjectRemoved(key));
            }
            !owned
        });
        effects
    }

    /// Every object's key or id, for the end-of-execution summary.
    pub fn names(&self) -> Vec<String> {
        let keyed = self.providers.keys().chain(self.sublayers.keys()).chain(self.callouts.keys());
        let mut names: Vec<String> = keyed.map(|k| k.to_string()).collect();
        names.extend(
            self.filters.iter().map(|(id, f)| format!("{id} ({}, context {})", f.spec.layer, f.spec.raw_context)),
        );
        names
    }
}
