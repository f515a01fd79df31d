//! The helper file `mod.rs` leaves out of its sources: a check-then-act flag on a std atomic.

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

#[derive(Default)]
pub struct Flag(AtomicBool);

impl Flag {
    /// Waits while the flag is set, then sets it: two separate accesses, so two threads
    /// can both take it.
    pub fn take(&self) {
        while self.0.load(SeqCst) {
            wfpcheck::sync::thread::yield_now();
        }
        self.0.store(true, SeqCst);
    }

    pub fn give_back(&self) {
        self.0.store(false, SeqCst);
    }
}
