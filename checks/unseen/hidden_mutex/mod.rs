//! A design that synchronizes through a std `Mutex` and names a directory its code is not
//! in: the self-test of the watchdog, which the scan cannot help.

use wfpcheck::designs::{naive, Design, Naive};
use wfpcheck::netebpfext::{Client, Driver, OpFailure, Provider};

/// A std `Mutex` around every attach and detach, and a source that hides it: under loom
/// and shuttle every model thread runs on one OS thread, so the second thread to want it
/// blocks that OS thread for good. Only the watchdog ends that.
pub struct HiddenStdMutex;

impl Design for HiddenStdMutex {
    type State = std::sync::Mutex<()>;
    type Base = Naive;

    fn name(&self) -> &'static str {
        "hidden_std_mutex"
    }

    fn summary(&self) -> &'static str {
        "Attach and detach under a std Mutex, with its source withheld from the scan."
    }

    fn trade_offs(&self) -> &'static str {
        "A self-test of the watchdog: the exploration hangs."
    }

    fn source_dir(&self) -> &'static str {
        // Withheld: the test designs' directory, which scans clean, not this one.
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/designs")
    }

    fn new_state(&self) -> Self::State {
        std::sync::Mutex::new(())
    }

    fn attach_client<'a>(&self, lock: &Self::State, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        let _held = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        naive::attach_client(driver, client)
    }

    fn detach_client<'a>(&self, lock: &Self::State, driver: Driver<'a>, provider: &'a Provider, client: u32) {
        let _held = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        naive::detach_client(driver, provider, client)
    }
}
