//! A design that synchronizes through a std atomic: the self-test of the refusal. Its
//! refusal's snapshots and `checks/cli.rs` quote its line numbers.

use wfpcheck::designs::{naive, Design, Naive};
use wfpcheck::netebpfext::{Client, Driver, OpFailure};

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

    fn source_dir(&self) -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/unseen/atomic_flag")
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
