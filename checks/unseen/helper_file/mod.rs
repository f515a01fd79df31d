//! A design whose lock is a std atomic in a helper file beside it: the self-test of the
//! directory scan. This file names nothing the checker cannot see, so a scan of it alone
//! would let the design through; its directory holds `flag.rs`, so it is refused.

use wfpcheck::designs::{naive, Design, Naive};
use wfpcheck::netebpfext::{Client, Driver, OpFailure};

#[path = "flag.rs"]
mod flag;

/// The whole attach under the helper file's check-then-act flag.
pub struct HelperFileFlag;

impl Design for HelperFileFlag {
    type State = flag::Flag;
    type Base = Naive;

    fn name(&self) -> &'static str {
        "helper_file_flag"
    }

    fn summary(&self) -> &'static str {
        "The whole attach under a check-then-act flag kept in a helper file the design names no source of."
    }

    fn trade_offs(&self) -> &'static str {
        "A self-test of the directory scan: the checker cannot see the flag."
    }

    fn source_dir(&self) -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/unseen/helper_file")
    }

    fn sources(&self) -> &'static [&'static str] {
        // What the design would have named before the directory scan: this file alone.
        &[include_str!("mod.rs")]
    }

    fn new_state(&self) -> flag::Flag {
        flag::Flag::default()
    }

    fn attach_client<'a>(&self, flag: &flag::Flag, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        flag.take();
        let result = naive::attach_client(driver, client);
        flag.give_back();
        result
    }
}
