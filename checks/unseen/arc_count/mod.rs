//! A design that synchronizes through an `Arc`'s reference count: the self-test of the
//! refusal of what reads one. The count is std atomics that no checker schedules.

use wfpcheck::designs::{naive, Design, ProviderLock};
use wfpcheck::netebpfext::Driver;
use wfpcheck::sync::{thread, Arc};
use wfpcheck::wfp::{ContextId, FilterId, FilterSpec, Handle, Status};

/// #3865's add transaction under a check-then-act "lock" on the facade's `Arc`: a clone
/// is held while the transaction runs, and a thread waits while another holds one. The
/// checker never runs another thread between the count's check and the clone, so
/// exploring it would prove the race away; on real threads both attaches see a count
/// of 1 and begin on the one global session.
pub struct ArcCountLock;

impl Design for ArcCountLock {
    type State = Arc<()>;
    type Base = ProviderLock;

    fn name(&self) -> &'static str {
        "arc_count_lock"
    }

    fn summary(&self) -> &'static str {
        "The add transaction under a check-then-act lock on the facade Arc's strong count."
    }

    fn trade_offs(&self) -> &'static str {
        "A self-test of the refusal: the checker cannot see the count."
    }

    fn source_dir(&self) -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/checks/unseen/arc_count")
    }

    fn new_state(&self) -> Arc<()> {
        Arc::new(())
    }

    fn add_wfp_filters(
        &self,
        token: &Arc<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        while Arc::strong_count(token) > 1 {
            thread::yield_now();
        }
        let _held = token.clone();
        naive::add_wfp_filters(driver, handle, filters, context)
    }
}
