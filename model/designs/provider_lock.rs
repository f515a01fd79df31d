//! `provider_lock`: #3751's per-provider push lock.

use super::Design;
use crate::log::OpFailure;
use crate::netebpfext::{Attach, Detach};

/// The global handle as in `naive`, with each hook provider's push lock held across the
/// whole attach and detach of that provider: PR #3751 (multi-attach refactor).
pub struct ProviderLock;

impl Design for ProviderLock {
    type State = ();

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

    fn attach(&self, _: &(), op: Attach<'_>) -> Result<(), OpFailure> {
        op.with_provider_lock(Attach::run)
    }

    fn detach(&self, _: &(), op: Detach<'_>) {
        op.with_provider_lock(Detach::run)
    }
}
