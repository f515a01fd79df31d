//! `per_context_handle` and `per_context_dynamic`: a session per filter context.

use super::Design;
use crate::log::OpFailure;
use crate::netebpfext::{Attach, Detach};
use crate::wfp::SessionOptions;

/// Each filter context opens its own engine handle (`FwpmEngineOpen` with a NULL session:
/// static, 15 s wait) for its add and delete; the global handle, now static too, is used
/// only at start-up and unload, and unload deletes callouts, sublayers and provider
/// explicitly: PR #3866 as merged, on top of #3751's provider lock.
pub struct PerContextHandle;

impl Design for PerContextHandle {
    type State = ();

    fn name(&self) -> &'static str {
        "per_context_handle"
    }

    fn summary(&self) -> &'static str {
        "Each filter context opens its own static session (NULL FWPM_SESSION0, 15 s wait) for its \
         add and delete; the static global handle is used only at start-up and unload, which deletes \
         callouts, sublayers and provider explicitly: PR #3866 as merged (with #3751's provider lock)."
    }

    fn trade_offs(&self) -> &'static str {
        "Sessions no longer collide: a second Begin waits for the engine's transaction lock (W6) \
         instead of failing. The wait can time out after 15 s (W3): an attach then fails, and a detach's \
         FilterDeleteById that times out leaves its filter behind and its reference never released, so \
         the context and its handle leak and unload hangs (#5486). Static objects outlive the driver \
         unless deleted (#5501)."
    }

    fn new_state(&self) {}

    fn sources(&self) -> &'static [&'static str] {
        &[include_str!("per_context.rs")]
    }

    fn global_session(&self) -> SessionOptions {
        SessionOptions::NULL
    }

    fn context_session(&self) -> Option<SessionOptions> {
        Some(SessionOptions::NULL)
    }

    fn unload_deletes_objects(&self) -> bool {
        true
    }

    fn attach(&self, _: &(), op: Attach<'_>) -> Result<(), OpFailure> {
        op.with_provider_lock(Attach::run)
    }

    fn detach(&self, _: &(), op: Detach<'_>) {
        op.with_provider_lock(Detach::run)
    }
}

/// A static global session for provider, sublayers and callouts, and a dynamic session
/// per filter context: the idea of draft PR #3685. The draft's unload is not known; the
/// model gives it #3866's explicit clean-up, so that its verdict is about concurrency.
pub struct PerContextDynamic;

impl Design for PerContextDynamic {
    type State = ();

    fn name(&self) -> &'static str {
        "per_context_dynamic"
    }

    fn summary(&self) -> &'static str {
        "A static global session for provider, sublayers and callouts, and a dynamic session per \
         filter context: the idea of draft PR #3685 (abandoned). Unload as in #3866 (an assumption)."
    }

    fn trade_offs(&self) -> &'static str {
        "As per_context_handle for concurrency: waits on the transaction lock, which can time out. \
         Its filters are dynamic objects, so they may refer to the static global objects (W15) and go \
         when the context's session closes; the global objects must be static, since a dynamic global \
         session's objects cannot be referred to from another session."
    }

    fn new_state(&self) {}

    fn sources(&self) -> &'static [&'static str] {
        &[include_str!("per_context.rs")]
    }

    fn global_session(&self) -> SessionOptions {
        SessionOptions::NULL
    }

    fn context_session(&self) -> Option<SessionOptions> {
        Some(SessionOptions::DYNAMIC)
    }

    fn unload_deletes_objects(&self) -> bool {
        true
    }
}
