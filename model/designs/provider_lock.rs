//! `provider_lock`: #3751's per-provider push lock.

use super::{naive, Design, Naive};
use crate::log::OpFailure;
use crate::netebpfext::{Client, Driver, Provider};

/// The global handle as in `naive`, with each hook provider's push lock held across the
/// whole attach and detach of that provider: PR #3751 (multi-attach refactor).
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
         providers, so the #3728 race is untouched."
    }

    fn new_state(&self) {}

    fn sources(&self) -> &'static [&'static str] {
        &[include_str!("provider_lock.rs")]
    }

    fn attach_client<'a>(&self, _: &(), driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        attach_client(driver, client)
    }

    fn detach_client<'a>(&self, _: &(), driver: Driver<'a>, provider: &'a Provider, client: u32) {
        detach_client(driver, provider, client)
    }
}

/// #3751: "Acquire passive lock to serialize attach / detach operations."
pub fn attach_client<'a>(driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
    let _push_lock = driver.acquire_push_lock(client.provider);
    naive::attach_client(driver, client)
}

/// #3751: the detach under the same push lock.
pub fn detach_client<'a>(driver: Driver<'a>, provider: &'a Provider, client: u32) {
    let _push_lock = driver.acquire_push_lock(provider);
    naive::detach_client(driver, provider, client)
}
