//! A design whose code is outside the directory it names: the self-test that shows what
//! the directory scan cannot see. This directory holds only this file and scans clean, so
//! the design is explored, and it passes, though on real threads two attaches can both take
//! the flag of `../flag.rs` and begin on the one global session.

use super::helper_file::FlagDesign;

/// `helper_file_flag`'s code (`../mod.rs`), naming only this directory as its source.
pub const OUTSIDE_DIR_FLAG: FlagDesign = FlagDesign {
    name: "outside_dir_flag",
    summary: "helper_file_flag's check-then-act flag, its code outside the directory the design names.",
    trade_offs: "A self-test of what no pass covers: the scan reads the directory a design names, no more.",
    source_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/checks/unseen/helper_file/outside"),
};
