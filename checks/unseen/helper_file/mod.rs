//! A design whose lock is a std atomic in a helper file beside it: the self-test of the
//! directory scan. This file names nothing the checker cannot see, so a scan of it alone
//! would let the design through; its directory holds `flag.rs`, so it is refused.

use wfpcheck::designs::{naive, Design, PerOperationHandle};
use wfpcheck::netebpfext::Driver;
use wfpcheck::wfp::{ContextId, FilterId, FilterSpec, Handle, Status};

#[path = "flag.rs"]
mod flag;
pub use flag::Flag;

/// The add on the global handle while the helper's flag is free, else in a session of its
/// own: one global session for the common case, as the seed wanted. One type, two designs
/// that differ only in the directory they name ([`HELPER_FILE_FLAG`], `outside/`'s).
pub struct FlagDesign {
    pub name: &'static str,
    pub summary: &'static str,
    pub trade_offs: &'static str,
    pub source_dir: &'static str,
}

/// Names this directory, which holds `flag.rs`: refused.
pub const HELPER_FILE_FLAG: FlagDesign = FlagDesign {
    name: "helper_file_flag",
    summary:
        "The add on the global handle under a check-then-act flag kept in a helper file the design names no source of.",
    trade_offs: "A self-test of the directory scan: the checker cannot see the flag.",
    source_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/checks/unseen/helper_file"),
};

impl Design for FlagDesign {
    type State = Flag;
    type Base = PerOperationHandle;

    fn name(&self) -> &'static str {
        self.name
    }

    fn summary(&self) -> &'static str {
        self.summary
    }

    fn trade_offs(&self) -> &'static str {
        self.trade_offs
    }

    fn source_dir(&self) -> &'static str {
        self.source_dir
    }

    fn sources(&self) -> &'static [&'static str] {
        // What the design would have named before the directory scan: this file alone.
        &[include_str!("mod.rs")]
    }

    fn new_state(&self) -> Flag {
        Flag::default()
    }

    fn add_wfp_filters(
        &self,
        flag: &Flag,
        driver: Driver<'_>,
        global: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        add_wfp_filters(flag, driver, global, filters, context)
    }
}

/// The global handle's add while `flag` is clear (the checker never runs another thread
/// between its check and its set, so two attaches never share the session there); else
/// `per_operation_handle`'s, in a session of its own. On real threads both attaches can
/// see it clear and begin on the one global session, as in #3728.
pub fn add_wfp_filters(
    flag: &Flag,
    driver: Driver<'_>,
    global: Handle,
    filters: &[FilterSpec],
    context: ContextId,
) -> Result<Vec<FilterId>, Status> {
    if !flag.try_take() {
        return PerOperationHandle.add_wfp_filters(&(), driver, global, filters, context);
    }
    let added = naive::add_wfp_filters(driver, global, filters, context);
    flag.give_back();
    added
}
