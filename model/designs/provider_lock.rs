//! `provider_lock`: #3751's multi-attach refactor (upstream commit c73a0864).

use super::{Design, Naive};
use crate::netebpfext::hooks::{AttachCapability, WILDCARD_COMPARTMENT};
use crate::netebpfext::{access_denied, Client, Driver, Hung, OpFailure, Provider};

/// The global handle as in `naive`, with each hook provider's push lock held across the
/// whole attach and detach of that provider, filter contexts shared by the clients of one
/// compartment, and unload waiting for each provider's filter contexts: PR #3751.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProviderLock;

impl Design for ProviderLock {
    type State = ();
    type Base = Naive;

    fn name(&self) -> &'static str {
        "provider_lock"
    }

    fn summary(&self) -> &'static str {
        "The global dynamic handle, with each hook provider's push lock held across that provider's \
         whole attach and detach: PR #3751 (multi-attach refactor)."
    }

    fn trade_offs(&self) -> &'static str {
        "Serialises two attaches on the same provider only; connect4 and connect6 are different \
         providers, so the #3728 race is untouched. Unload waits for every filter context of a \
         provider before it cleans up WFP, so a context never freed hangs unload there."
    }

    fn new_state(&self) {}

    fn source_dir(&self) -> &'static str {
        super::SOURCE_DIR
    }

    fn hook_provider_unregister<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider) -> Result<(), Hung> {
        hook_provider_unregister(driver, provider)
    }

    fn attach_client<'a>(&self, _: &(), driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        attach_client(driver, client)
    }

    fn detach_client<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider, client: u32) {
        detach_client(driver, provider, client)
    }
}

/// #3751's `_net_ebpf_extension_hook_provider_attach_client`: "Acquire passive lock to
/// serialize attach / detach operations"; the provider's attach capability decides whether
/// the client joins a filter context, is refused, or gets a new context (a wildcard one at
/// the list's tail, any other at its head).
pub fn attach_client<'a>(driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
    let _push_lock = driver.acquire_push_lock(client.provider);
    let wildcard = client.compartment == WILDCARD_COMPARTMENT;
    match client.provider.hook.attach_capability {
        AttachCapability::SingleAttach => {
            if !driver.filter_context_list_is_empty(client.provider) {
                driver.note("Single attach capability. Attach attempt rejected.");
                return Err(access_denied());
            }
        }
        AttachCapability::MultiAttachWithWildcard => {
            if driver.join_matching_filter_context(client).is_some() {
                return Ok(());
            }
        }
        AttachCapability::SingleAttachPerHook => {
            let taken = if wildcard {
                !driver.filter_context_list_is_empty(client.provider)
            } else {
                driver.matching_filter_context(client).is_some()
            };
            if taken {
                driver.note("Single attach per hook capability. Attach attempt rejected.");
                return Err(access_denied());
            }
        }
    }
    let context = driver.create_filter_context(client)?;
    if wildcard {
        driver.insert_filter_context(client.provider, context);
    } else {
        driver.insert_filter_context_at_head(client.provider, context);
    }
    Ok(())
}

/// #3751's detach under the same push lock: remove the client; the last one takes the
/// context off the list and deletes it.
pub fn detach_client<'a>(driver: Driver<'a>, provider: &'a Provider, client: u32) {
    let _push_lock = driver.acquire_push_lock(provider);
    let Some(removed) = driver.remove_client_context(provider, client) else {
        driver.note("the client is not attached: nothing to detach");
        return;
    };
    if removed.last {
        driver.delete_filter_context(provider, removed.context);
    }
}

/// #3751's `net_ebpf_extension_hook_provider_unregister`: NMR detaches the bound clients;
/// then "Wait for rundown reference to become 0. This will ensure all filter contexts,
/// hence all filter are cleaned up." A context never freed hangs unload here, before the
/// WFP clean-up.
pub fn hook_provider_unregister(driver: Driver<'_>, provider: &Provider) -> Result<(), Hung> {
    driver.nmr_deregister_provider(provider);
    driver.wait_for_provider_rundown(provider)
}
