//! The helper file `mod.rs` leaves out of its sources: a check-then-act flag on a std atomic.

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

#[derive(Default)]
pub struct Flag(AtomicBool);

impl Flag {
    /// Sets the flag if it is clear: a load and then a store, two accesses, so two
    /// threads can both see it clear and both take it.
    pub fn try_take(&self) -> bool {
        if self.0.load(SeqCst) {
            return false;
        }
        self.0.store(true, SeqCst);
        true
    }

    pub fn give_back(&self) {
        self.0.store(false, SeqCst);
    }
}
