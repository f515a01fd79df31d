//! Designs that synchronize where the checker cannot see: the self-tests of the refusal,
//! of the watchdog, and of what neither catches (`OUTSIDE_DIR_FLAG`). Each is in a directory of its own, which it names as its
//! `Design::source_dir`, so the findings of one are not another's. The only designs under
//! `checks/` that may name std's synchronization (`checks/facade_scan.rs` says so).

#[path = "arc_count/mod.rs"]
mod arc_count;
#[path = "atomic_flag/mod.rs"]
mod atomic_flag;
#[path = "helper_file/mod.rs"]
mod helper_file;
#[path = "hidden_mutex/mod.rs"]
mod hidden_mutex;
#[path = "helper_file/outside/mod.rs"]
mod outside_dir;

pub use arc_count::ArcCountLock;
pub use atomic_flag::CheckThenActAtomic;
pub use helper_file::HELPER_FILE_FLAG;
pub use hidden_mutex::HiddenStdMutex;
pub use outside_dir::OUTSIDE_DIR_FLAG;
