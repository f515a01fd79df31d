//! A design whose code is outside the directory it names: the self-test that shows what
//! the directory scan cannot see. Its directory (this one) scans clean, so it is explored,
//! and it passes, though on real threads two attaches can both take the flag of
//! `../flag.rs` and begin on the one global session.

use wfpcheck::designs::{Design, PerOperationHandle};
use wfpcheck::netebpfext::Driver;
use wfpcheck::wfp::{ContextId, FilterId, FilterSpec, Handle, Status};

use super::helper_file::{add_wfp_filters, Flag};

/// `helper_file_flag`'s code, naming only this directory as its source.
pub struct OutsideDirFlag;

impl Design for OutsideDirFlag {
    type State = Flag;
    type Base = PerOperationHandle;

    fn name(&self) -> &'static str {
        "outside_dir_flag"
    }

    fn summary(&self) -> &'static str {
        "helper_file_flag's check-then-act flag, its code outside the directory the design names."
    }

    fn trade_offs(&self) -> &'static str {
        "A self-test of what no pass covers: the scan reads the directory a design names, no more."
    }

    fn source_dir(&self) -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/unseen/helper_file/outside")
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
