//! `naive`: the code that failed in #3728.

use super::Design;

/// One global engine handle on a dynamic session, shared by every attach and detach,
/// with no lock around its use: netebpfext before #3751.
pub struct Naive;

impl Design for Naive {
    type State = ();

    fn name(&self) -> &'static str {
        "naive"
    }

    fn summary(&self) -> &'static str {
        "One global engine handle on a dynamic session, shared by every attach and detach, no lock: \
         netebpfext before #3751, the code that failed in #3728."
    }

    fn trade_offs(&self) -> &'static str {
        "Two attaches on different hooks both begin a transaction on the one session: the second \
         Begin fails at once with STATUS_FWP_TXN_IN_PROGRESS (W5) and the attach fails with errno 22. \
         A detach's FilterDeleteById can land inside another thread's transaction (W8)."
    }

    fn new_state(&self) {}

    fn sources(&self) -> &'static [&'static str] {
        &[include_str!("naive.rs")]
    }
}
