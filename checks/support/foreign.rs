//! Designs that synchronize through what the checker does not schedule: the self-tests
//! of the refusal and of the watchdog. The one file under `checks/` that may name std's
//! synchronization (`checks/facade_scan.rs` says so), because that is what it tests.
//! The refusals' snapshots and `checks/cli.rs` quote its line numbers.

use wfpcheck::designs::{naive, Design, Naive};
use wfpcheck::netebpfext::{Client, Driver, OpFailure, Provider};

/// A check-then-act "lock" on a std atomic around the whole attach: the checker never
/// interleaves the check and the act, so exploring it would prove a race away.
pub struct CheckThenActAtomic;

pub struct Flag(std::sync::atomic::AtomicBool);

impl Design for CheckThenActAtomic {
    type State = Flag;
    type Base = Naive;

    fn name(&self) -> &'static str {
        "check_then_act_atomic"
    }

    fn summary(&self) -> &'static str {
        "The whole attach under a check-then-act flag on a std AtomicBool."
    }

    fn trade_offs(&self) -> &'static str {
        "A self-test of the refusal: the checker cannot see the flag."
    }

    fn sources(&self) -> &'static [&'static str] {
        &[include_str!("foreign.rs")]
    }

    fn new_state(&self) -> Flag {
        Flag(std::sync::atomic::AtomicBool::new(false))
    }

    fn attach_client<'a>(&self, flag: &Flag, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        use std::sync::atomic::Ordering::SeqCst;
        while flag.0.load(SeqCst) {
            wfpcheck::sync::thread::yield_now();
        }
        flag.0.store(true, SeqCst);
        let result = naive::attach_client(driver, client);
        flag.0.store(false, SeqCst);
        result
    }
}

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

    fn sources(&self) -> &'static [&'static str] {
        &["// withheld: this design's source is not given to the scan"]
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
