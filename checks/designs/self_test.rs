//! The checker's own failure paths: designs that must not pass, each with the verdict it
//! must get and the properties it must break, under loom and under shuttle. If a
//! property, the deadlock or panic classification, the fault-fired check, the refusal of
//! foreign synchronization or the watchdog stops working, one of these fails; and every
//! `always` property is one that some self-test must break (`every_property_is_exercised`).

#![cfg(any(loom, feature = "shuttle"))]

#[path = "../support/snapshots.rs"]
mod snapshots;
#[path = "../unseen/mod.rs"]
mod unseen;

use std::time::Duration;

use wfpcheck::designs::{self, global_lock, naive, Design, DynDesign, Naive};
use wfpcheck::explore::checker::CheckerKind;
use wfpcheck::explore::{self, Settings, Verdict};
use wfpcheck::netebpfext::{hooks, Client, Driver, OpFailure, Provider};
use wfpcheck::properties::{self, Property};
use wfpcheck::render::{self, Row};
use wfpcheck::scenarios;
use wfpcheck::sync::{Arc, Mutex};
use wfpcheck::wfp::faults::FaultPlan;
use wfpcheck::wfp::{ContextId, FilterId, FilterSpec, Handle, SessionOptions, Status};

/// Where the test designs are: this directory, which scans clean.
pub const SOURCE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/checks/designs");

const GLOBAL_LOCK: &str = global_lock::LOCK_NAME;

/// The summary and trade-offs every self-test design shares.
macro_rules! self_test_design {
    ($name:literal, $summary:literal) => {
        fn name(&self) -> &'static str {
            $name
        }
        fn summary(&self) -> &'static str {
            $summary
        }
        fn trade_offs(&self) -> &'static str {
            "A self-test of the checker: it must not pass."
        }
        fn source_dir(&self) -> &'static str {
            SOURCE_DIR
        }
    };
}

/// Panics in attach with a message that mimics loom's own: it is still the design's panic.
struct PanicsInAttach;

impl Design for PanicsInAttach {
    type State = ();
    type Base = Naive;
    self_test_design!(
        "panics_in_attach",
        "Attach panics, with a message that reads like a checker's deadlock and branch limit."
    );
    fn new_state(&self) {}
    fn attach_client<'a>(&self, _: &(), _: Driver<'a>, _: Client<'a>) -> Result<(), OpFailure> {
        panic!("deadlock; threads = [] (Model exceeded maximum number of branches): the design's own panic")
    }
}

/// Attach takes lock a then lock b; detach takes b then a.
struct LockOrderInversion;

impl Design for LockOrderInversion {
    type State = (Mutex<()>, Mutex<()>);
    type Base = Naive;
    self_test_design!("lock_order_inversion", "Attach locks a then b, detach b then a.");
    fn new_state(&self) -> Self::State {
        (Mutex::new(()), Mutex::new(()))
    }
    fn attach_client<'a>(&self, (a, b): &Self::State, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        let _a = driver.acquire("lock a", a);
        let _b = driver.acquire("lock b", b);
        naive::attach_client(driver, client)
    }
    fn detach_client<'a>(&self, (a, b): &Self::State, driver: Driver<'a>, provider: &'a Provider, client: u32) {
        let _b = driver.acquire("lock b", b);
        let _a = driver.acquire("lock a", a);
        naive::detach_client(driver, provider, client)
    }
}

/// The naive design with the add path's failure reported as a success with no filters.
struct SwallowsAddFailure;

impl Design for SwallowsAddFailure {
    type State = ();
    type Base = Naive;
    self_test_design!("swallows_add_failure", "naive, but a failed add_wfp_filters reports success with no filters.");
    fn new_state(&self) {}
    fn add_wfp_filters(
        &self,
        _: &(),
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        Ok(naive::add_wfp_filters(driver, handle, filters, context).unwrap_or_default())
    }
}

/// An attach under a lock that returns success without reaching netebpfext or WFP.
struct AttachAddsNothing;

impl Design for AttachAddsNothing {
    type State = Mutex<()>;
    type Base = Naive;
    self_test_design!("attach_adds_nothing", "Attach takes a lock and returns success without doing anything.");
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn attach_client<'a>(&self, lock: &Mutex<()>, driver: Driver<'a>, _: Client<'a>) -> Result<(), OpFailure> {
        let _lock = driver.acquire("attach lock", lock);
        Ok(())
    }
}

/// Serialised attaches whose add path adds only the first filter of the hook's table.
struct AddsFewerFilters;

impl Design for AddsFewerFilters {
    type State = Mutex<()>;
    type Base = Naive;
    self_test_design!(
        "adds_fewer_filters",
        "global_lock, but add_wfp_filters adds only the first filter of the table."
    );
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn add_wfp_filters(
        &self,
        lock: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        global_lock::add_wfp_filters(lock, driver, handle, &filters[..1], context)
    }
}

/// Serialised attaches whose add path takes no reference per filter: each delete
/// notification still drops one, so the context is freed while its filters are deleted.
struct SkipsTheReference;

impl Design for SkipsTheReference {
    type State = Mutex<()>;
    type Base = Naive;
    self_test_design!("skips_the_reference", "global_lock, but add_wfp_filters takes no reference per filter.");
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn add_wfp_filters(
        &self,
        lock: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        _context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        let _lock = driver.acquire(GLOBAL_LOCK, lock);
        driver.fwpm_transaction_begin(handle)?;
        let mut ids = Vec::new();
        for filter in filters {
            ids.push(driver.fwpm_filter_add(handle, filter)?);
        }
        driver.fwpm_transaction_commit(handle)?;
        Ok(ids)
    }
    fn delete_wfp_filters(&self, lock: &Mutex<()>, driver: Driver<'_>, handle: Handle, context: ContextId) {
        global_lock::delete_wfp_filters(lock, driver, handle, context)
    }
}

/// `global_lock` whose add path records no filter ids, so its detach deletes nothing.
struct DetachForgetsFilters;

impl Design for DetachForgetsFilters {
    type State = Mutex<()>;
    type Base = Naive;
    self_test_design!("detach_forgets_filters", "global_lock, but the add path returns an empty list of filter ids.");
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn add_wfp_filters(
        &self,
        lock: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        global_lock::add_wfp_filters(lock, driver, handle, filters, context).map(|_| Vec::new())
    }
    fn delete_wfp_filters(&self, lock: &Mutex<()>, driver: Driver<'_>, handle: Handle, context: ContextId) {
        global_lock::delete_wfp_filters(lock, driver, handle, context)
    }
}

/// `global_lock` that keeps every filter id any attach added, and whose detach deletes them
/// all, another client's too.
struct DeletesOtherFilters;

impl Design for DeletesOtherFilters {
    type State = (Mutex<()>, Mutex<Vec<FilterId>>);
    type Base = Naive;
    self_test_design!("deletes_other_filters", "global_lock, but a detach deletes every filter any attach added.");
    fn new_state(&self) -> Self::State {
        (Mutex::new(()), Mutex::new(Vec::new()))
    }
    fn add_wfp_filters(
        &self,
        (lock, added): &Self::State,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        let ids = global_lock::add_wfp_filters(lock, driver, handle, filters, context)?;
        added.lock().extend(ids.iter().copied());
        Ok(ids)
    }
    fn delete_wfp_filters(&self, (lock, added): &Self::State, driver: Driver<'_>, handle: Handle, context: ContextId) {
        let _lock = driver.acquire(GLOBAL_LOCK, lock);
        naive::delete_wfp_filters(driver, handle, context);
        let every = added.lock().clone();
        for id in every {
            let _ = driver.fwpm_filter_delete_by_id(handle, id);
        }
    }
}

/// #3866, but t0's attach first raises a flag, and t1's first reads it and keeps what it
/// saw in a local variable; t1's attach, having done all its work, fails if the flag was
/// down when it looked and is up now. Right after t0 raises the flag, the shared state is
/// the same whichever read came first: only what t1 read tells the two apart, so a
/// checker that forgot what threads read would prune the order that fails (the stateful
/// checker's fingerprint must hold it: `docs/ARCHITECTURE.md`).
struct RemembersWhatItSaw;

impl Design for RemembersWhatItSaw {
    type State = Mutex<bool>;
    type Base = designs::PerContextHandle;
    self_test_design!(
        "remembers_what_it_saw",
        "#3866, but t1's attach fails if t0's flag was down when t1 began and is up when it ends."
    );
    fn new_state(&self) -> Mutex<bool> {
        Mutex::new(false)
    }
    fn attach_client<'a>(&self, flag: &Mutex<bool>, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        let t1 = driver.actor() == wfpcheck::wfp::Actor::Thread(1);
        let saw_it_up = if t1 {
            *flag.lock()
        } else {
            *flag.lock() = true;
            true
        };
        Design::attach_client(&designs::PerContextHandle, &(), driver, client)?;
        // Read whatever was seen first: both orders do the same calls, and differ only in
        // what t1 read.
        let up_now = *flag.lock();
        if t1 && !saw_it_up && up_now {
            return Err(wfpcheck::netebpfext::access_denied());
        }
        Ok(())
    }
}

/// `global_lock` on #3751 whose `delete_filter_context` keeps the context's own reference:
/// the context is never freed, so unload waits for its provider's rundown forever.
struct KeepsTheContext;

impl Design for KeepsTheContext {
    type State = Mutex<()>;
    type Base = designs::ProviderLock;
    self_test_design!(
        "keeps_the_context",
        "global_lock on #3751, but delete_filter_context keeps the context's own reference."
    );
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn add_wfp_filters(
        &self,
        lock: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        global_lock::add_wfp_filters(lock, driver, handle, filters, context)
    }
    fn delete_wfp_filters(&self, lock: &Mutex<()>, driver: Driver<'_>, handle: Handle, context: ContextId) {
        global_lock::delete_wfp_filters(lock, driver, handle, context)
    }
    fn delete_filter_context<'a>(&self, _: &Mutex<()>, driver: Driver<'a>, _: &'a Provider, context: ContextId) {
        let handle = driver.global_engine_handle().expect("start-up opened the global handle");
        driver.delete_wfp_filters(handle, context);
    }
}

/// Begin is called again and again after it succeeded: every further call fails at once.
struct SpinsWithoutProgress;

impl Design for SpinsWithoutProgress {
    type State = ();
    type Base = Naive;
    self_test_design!("spins_without_progress", "After a successful Begin, Begin is called again forever.");
    fn new_state(&self) {}
    fn add_wfp_filters(
        &self,
        _: &(),
        driver: Driver<'_>,
        handle: Handle,
        _: &[FilterSpec],
        _: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        loop {
            let _ = driver.fwpm_transaction_begin(handle);
        }
    }
}

/// The add path yields forever and calls nothing: only the checker's own per-execution
/// limit (loom's branches, shuttle's steps) ends the execution, so nothing is proven.
struct YieldsForever;

impl Design for YieldsForever {
    type State = ();
    type Base = Naive;
    self_test_design!("yields_forever", "add_wfp_filters yields the processor forever, calling nothing.");
    fn new_state(&self) {}
    fn add_wfp_filters(
        &self,
        _: &(),
        _: Driver<'_>,
        _: Handle,
        _: &[FilterSpec],
        _: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        loop {
            wfpcheck::sync::thread::yield_now();
        }
    }
}

/// An attach whose transaction commits, reported as a failure: netebpfext frees the context.
struct FailsAfterCommit;

impl Design for FailsAfterCommit {
    type State = Mutex<()>;
    type Base = Naive;
    self_test_design!("fails_after_commit", "global_lock, but add_wfp_filters reports failure after its commit.");
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn add_wfp_filters(
        &self,
        lock: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        global_lock::add_wfp_filters(lock, driver, handle, filters, context).and(Err(Status::InsufficientResources))
    }
}

/// Serialised attaches whose Begin is called three times: the first takes the injected
/// fault, the second opens the transaction, the third fails at once, and that is returned.
struct FailsAfterItsFault;

impl Design for FailsAfterItsFault {
    type State = Mutex<()>;
    type Base = Naive;
    self_test_design!(
        "fails_after_its_fault",
        "global_lock, but Begin is called three times and the last result returned."
    );
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn attach_client<'a>(&self, lock: &Mutex<()>, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        let _lock = driver.acquire(GLOBAL_LOCK, lock);
        naive::attach_client(driver, client)
    }
    fn add_wfp_filters(
        &self,
        _: &Mutex<()>,
        driver: Driver<'_>,
        handle: Handle,
        filters: &[FilterSpec],
        context: ContextId,
    ) -> Result<Vec<FilterId>, Status> {
        let _ = driver.fwpm_transaction_begin(handle);
        let _ = driver.fwpm_transaction_begin(handle);
        driver.fwpm_transaction_begin(handle)?;
        naive::added_and_committed(driver, handle, filters, context)
    }
}

/// Serialised attaches that open one more session each and never close it.
struct LeaksAHandle;

impl Design for LeaksAHandle {
    type State = Mutex<()>;
    type Base = Naive;
    self_test_design!("leaks_a_handle", "global_lock, but every attach also opens a session it never closes.");
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn attach_client<'a>(&self, lock: &Mutex<()>, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        let _lock = driver.acquire(GLOBAL_LOCK, lock);
        let _ = driver.fwpm_engine_open(SessionOptions::NULL);
        naive::attach_client(driver, client)
    }
}

/// `global_lock` on a static global session, whose unload only closes it.
struct StaticObjectsLeft;

impl Design for StaticObjectsLeft {
    type State = Mutex<()>;
    type Base = Naive;
    self_test_design!("static_objects_left", "global_lock on a static global session that unload only closes.");
    fn new_state(&self) -> Mutex<()> {
        Mutex::new(())
    }
    fn initialize_wfp_components(&self, _: &Mutex<()>, driver: Driver<'_>) -> Result<(), Status> {
        naive::initialize_wfp_components_in_session(driver, SessionOptions::NULL, &hooks::CALLOUTS)
    }
    fn attach_client<'a>(&self, lock: &Mutex<()>, driver: Driver<'a>, client: Client<'a>) -> Result<(), OpFailure> {
        let _lock = driver.acquire(GLOBAL_LOCK, lock);
        naive::attach_client(driver, client)
    }
    fn detach_client<'a>(&self, lock: &Mutex<()>, driver: Driver<'a>, provider: &'a Provider, client: u32) {
        let _lock = driver.acquire(GLOBAL_LOCK, lock);
        naive::detach_client(driver, provider, client)
    }
}

/// naive, whose start-up adds its provider a second time: start-up fails with no fault.
struct AddsTheProviderTwice;

impl Design for AddsTheProviderTwice {
    type State = ();
    type Base = Naive;
    self_test_design!("adds_the_provider_twice", "naive, whose start-up adds its provider again after committing it.");
    fn new_state(&self) {}
    fn initialize_wfp_components(&self, _: &(), driver: Driver<'_>) -> Result<(), Status> {
        naive::initialize_wfp_components(driver)?;
        let handle = driver.global_engine_handle().expect("opened by start-up");
        driver.fwpm_provider_add(handle, hooks::PROVIDER)
    }
}

/// One self-test: a design in a scenario under a plan, and what it must get.
struct Case {
    name: &'static str,
    design: Arc<dyn DynDesign>,
    scenario: &'static str,
    plan: &'static str,
    verdict: Verdict,
    /// The property of the counterexample, then others the same execution must break.
    breaks: &'static [Property],
    /// The verdict's reason must say this.
    why_says: &'static str,
}

fn built_in(name: &str) -> Arc<dyn DynDesign> {
    designs::by_name(name).expect("a built-in design")
}

fn cases() -> Vec<Case> {
    use properties::*;
    let case = |name, design: Arc<dyn DynDesign>, scenario, plan, verdict, breaks, why_says| Case {
        name,
        design,
        scenario,
        plan,
        verdict,
        breaks,
        why_says,
    };
    vec![
        case(
            "panic_in_attach",
            Arc::new(PanicsInAttach),
            "two_attach",
            "none",
            Verdict::Fail,
            &[NO_PANIC],
            "the design's own panic",
        ),
        case(
            "lock_order_inversion",
            Arc::new(LockOrderInversion),
            "attach_detach",
            "none",
            Verdict::Fail,
            &[NO_DEADLOCK],
            "deadlock",
        ),
        case(
            "swallowed_add_failure",
            Arc::new(SwallowsAddFailure),
            "two_attach",
            "none",
            Verdict::Fail,
            &[ATTACH_INSTALLS_FILTERS],
            "holds no committed filter",
        ),
        case(
            "attach_adds_nothing",
            Arc::new(AttachAddsNothing),
            "two_attach",
            "none",
            Verdict::Fail,
            &[ATTACH_INSTALLS_FILTERS],
            "nothing was installed",
        ),
        case(
            "adds_fewer_filters",
            Arc::new(AddsFewerFilters),
            "two_attach",
            "none",
            Verdict::Fail,
            &[ATTACH_INSTALLS_FILTERS],
            "ALE_CONNECT_REDIRECT_V4",
        ),
        case(
            "skips_the_reference",
            Arc::new(SkipsTheReference),
            "attach_detach",
            "none",
            Verdict::Fail,
            &[CONTEXTS_RELEASED],
            "was freed while f2, f3 carrying it was committed",
        ),
        case(
            "keeps_the_context",
            Arc::new(KeepsTheContext),
            "attach_detach",
            "none",
            Verdict::Fail,
            &[UNLOAD_COMPLETES, CONTEXTS_RELEASED, CLEAN_END, NO_OBJECTS_LEFT],
            "unload waits forever for the connect4 provider's rundown",
        ),
        case(
            "detach_forgets_filters",
            Arc::new(DetachForgetsFilters),
            "attach_detach",
            "none",
            Verdict::Fail,
            &[DETACH_REMOVES_FILTERS],
            "still committed",
        ),
        case(
            "deletes_other_filters",
            Arc::new(DeletesOtherFilters),
            "attach_detach",
            "none",
            Verdict::Fail,
            &[FILTERS_STAY_WHILE_ATTACHED],
            "while client 2 is attached",
        ),
        case(
            "spin_without_progress",
            Arc::new(SpinsWithoutProgress),
            "two_attach",
            "none",
            Verdict::Fail,
            &[BOUNDED_CALLS],
            "spins without progress",
        ),
        // A long stop is no spin: every delete of the restart's stop fails, so it tries each
        // callout, sublayer and the provider 10 times (more than 200 calls in all) and the
        // start finds the provider still there. What is named is what went wrong.
        case(
            "a_long_stop_is_no_livelock",
            built_in("per_context_5472"),
            "restart_during_attach",
            "t1.filter_delete*.fails",
            Verdict::Fail,
            &[DETACH_REMOVES_FILTERS, STARTUP_SUCCEEDS],
            "still committed",
        ),
        case(
            "a_checker_limit_is_inconclusive",
            Arc::new(YieldsForever),
            "two_attach",
            "none",
            Verdict::Inconclusive,
            &[],
            "stopped by a checker limit",
        ),
        case(
            "fails_after_commit",
            Arc::new(FailsAfterCommit),
            "two_attach",
            "none",
            Verdict::Fail,
            &[ATTACH_FAILS_ONLY_BY_FAULT, FAILED_ATTACH_LEAVES_NOTHING, CONTEXTS_RELEASED],
            "no fault was injected",
        ),
        case(
            "leaked_handle",
            Arc::new(LeaksAHandle),
            "two_attach",
            "none",
            Verdict::Fail,
            &[CLEAN_END],
            "engine handles never closed",
        ),
        case(
            "static_objects_left",
            Arc::new(StaticObjectsLeft),
            "two_attach",
            "none",
            Verdict::Fail,
            &[NO_OBJECTS_LEFT],
            "still holds",
        ),
        case(
            "failed_start_up",
            Arc::new(AddsTheProviderTwice),
            "two_attach",
            "none",
            Verdict::Fail,
            &[STARTUP_SUCCEEDS],
            "start-up failed",
        ),
        // A fault injected into start-up may fail it, but DriverEntry goes on (TODO #521):
        // netebpfext runs without its objects, and the attaches then fail on the NULL global
        // handle, which no fault was injected into.
        case(
            "start_up_fault_excused_but_not_what_follows",
            built_in("naive"),
            "two_attach",
            "main.provider_add1.fails",
            Verdict::Fail,
            &[RUNS_WITH_ITS_OBJECTS, ATTACH_FAILS_ONLY_BY_FAULT],
            "DriverEntry goes on ((void), TODO #521)",
        ),
        // #3866's stop deletes each static object once: a failed callout delete leaves the
        // callout in BFE, and the start's FwpmCalloutAdd finds it (ALREADY_EXISTS).
        case(
            "a_stop_that_leaves_an_object",
            built_in("per_context_handle"),
            "restart_during_attach",
            "t1.callout_delete1.fails",
            Verdict::Fail,
            &[STOP_REMOVES_OBJECTS, STARTUP_SUCCEEDS],
            "the stop returned with EBPF_HOOK_OUTBOUND_L2_CALLOUT, EBPF_WFP_PROVIDER still in the engine",
        ),
        // Unload before #4192 ignores a failed FwpsCalloutUnregisterById and completes.
        case(
            "unregister_ignored",
            built_in("global_lock"),
            "two_attach",
            "main.callout_unregister1.in_use",
            Verdict::Fail,
            &[CALLOUTS_UNREGISTERED],
            "unload completed with callouts still registered: EBPF_HOOK_OUTBOUND_L2_CALLOUT",
        ),
        // `_net_ebpf_ext_register_wfp_callout` returns its unregister's status: start-up
        // "succeeds" without connect4's AUTH_CONNECT_V4 callout, and the attach fails (W13).
        case(
            "swallowed_callout_add",
            built_in("naive"),
            "two_attach",
            "main.callout_add7.fails",
            Verdict::Fail,
            &[ATTACH_FAILS_ONLY_BY_FAULT],
            "STATUS_FWP_CALLOUT_NOT_FOUND",
        ),
        case(
            "foreign_transaction",
            built_in("global_lock_add_only"),
            "attach_detach",
            "none",
            Verdict::Fail,
            &[NO_FOREIGN_TRANSACTION],
            "W8",
        ),
        case(
            "fault_that_cannot_fire",
            built_in("provider_lock"),
            "same_provider",
            "t0.filter_add1.fails+t0.filter_add2.fails",
            Verdict::Vacuous,
            &[],
            "fault fired: t0.filter_add2.fails",
        ),
        case(
            "an_unrelated_fault_excuses_nothing",
            Arc::new(FailsAfterItsFault),
            "two_attach",
            "t0.begin1.fails+t1.begin1.fails",
            Verdict::Fail,
            &[ATTACH_FAILS_ONLY_BY_FAULT],
            "not what it failed with",
        ),
        case(
            "remembers_what_it_saw",
            Arc::new(RemembersWhatItSaw),
            "two_attach",
            "none",
            Verdict::Fail,
            &[ATTACH_FAILS_ONLY_BY_FAULT],
            "no WFP call failed",
        ),
        case(
            "foreign_lock_is_refused",
            Arc::new(unseen::CheckThenActAtomic),
            "two_attach",
            "none",
            Verdict::Inconclusive,
            &[],
            "refused, not explored",
        ),
        case(
            "arc_count_lock_is_refused",
            Arc::new(unseen::ArcCountLock),
            "two_attach",
            "none",
            Verdict::Inconclusive,
            &[],
            "refused, not explored",
        ),
        case(
            "helper_file_lock_is_refused",
            Arc::new(unseen::HELPER_FILE_FLAG),
            "two_attach",
            "none",
            Verdict::Inconclusive,
            &[],
            "refused, not explored",
        ),
        // A pass that is no proof, kept to show the limit `docs/ARCHITECTURE.md` names: the
        // scan reads the directory a design names and no more.
        case(
            "a_lock_outside_the_source_dir_is_unseen",
            Arc::new(unseen::OUTSIDE_DIR_FLAG),
            "two_attach",
            "none",
            Verdict::Pass,
            &[],
            "",
        ),
        case(
            "hidden_foreign_lock_is_given_up",
            Arc::new(unseen::HiddenStdMutex),
            "attach_detach",
            "none",
            Verdict::Inconclusive,
            &[],
            "stopped by the watchdog",
        ),
    ]
}

/// A watchdog short enough for the hidden lock's hang; nothing else comes near it.
fn settings() -> Settings {
    Settings { execution_duration_max: Duration::from_secs(2), ..Settings::default() }
}

/// Checks `case` under every checker this build explores with.
fn check(case: &Case) {
    for &checker in explore::checker::AVAILABLE {
        check_under(case, checker);
    }
}

fn check_under(case: &Case, checker: CheckerKind) {
    let scenario = scenarios::by_name(case.scenario).expect("a built-in scenario");
    let plan = FaultPlan::parse(case.plan).expect("a plan");
    let report = explore::explore(&case.design, &scenario, &plan, &Settings { checker, ..settings() });
    let mut broken: Vec<Property> = Vec::new();
    if let Some(counterexample) = &report.counterexample {
        broken.push(counterexample.violation.property);
        broken.extend(counterexample.also.iter().copied());
    }
    let row = Row::new(report);
    let text = render::counterexample_text(&row);
    // Shuttle's DFS does not finish every row the others prove: there `sampled` is a pass's match.
    let sampled_pass = checker == CheckerKind::Shuttle && case.verdict == Verdict::Pass;
    let verdict =
        if sampled_pass && row.report.verdict == Verdict::Sampled { Verdict::Pass } else { row.report.verdict };
    assert_eq!(verdict, case.verdict, "{}:\n{text}", case.name);
    // Shuttle's sampled counterexample may show another of the properties a design breaks.
    let sampled_fail =
        checker == CheckerKind::Shuttle && case.verdict == Verdict::Fail && row.report.verdict == Verdict::Fail;
    assert!(
        sampled_fail || row.report.why.contains(case.why_says),
        "{}: the reason does not say {:?}:\n{text}",
        case.name,
        case.why_says
    );
    // Where the counterexample is the one with the fewest preemptions, what it breaks first
    // is fixed; shuttle's samples may show any.
    if let Some(first) = case.breaks.first().filter(|_| checker != CheckerKind::Shuttle) {
        assert_eq!(
            broken.first(),
            Some(first),
            "{}: the counterexample breaks another property first:\n{text}",
            case.name
        );
    }
    for property in case.breaks.iter().filter(|_| !sampled_fail) {
        assert!(broken.contains(property), "{}: {} is not broken:\n{text}", case.name, property.name);
    }
    if case.breaks.is_empty() {
        assert!(broken.is_empty(), "{}: breaks {broken:?}:\n{text}", case.name);
    }
    if !case.breaks.contains(&properties::BOUNDED_CALLS) {
        assert!(!broken.contains(&properties::BOUNDED_CALLS), "{}: a spin where none is:\n{text}", case.name);
    }
    if case.verdict == Verdict::Inconclusive && case.why_says.contains("watchdog") {
        let unfinished = row.report.unfinished.as_ref().expect("the log of the execution given up on");
        assert!(!unfinished.is_empty() && text.contains("as far as it got"), "{}:\n{text}", case.name);
    }
    // The watchdog's reason names real time, which is no snapshot's business.
    if case.name != "hidden_foreign_lock_is_given_up" {
        snapshots::settings(checker.name()).bind(|| insta::assert_snapshot!(format!("self_test__{}", case.name), text));
    }
}

fn case(name: &str) -> Case {
    cases().into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no self-test `{name}`"))
}

macro_rules! self_tests {
    ($($name:ident)*) => {
        $(
            #[test]
            fn $name() {
                check(&case(stringify!($name)));
            }
        )*

        #[test]
        fn every_case_is_a_test() {
            let tests: Vec<&str> = vec![$(stringify!($name)),*];
            let cases: Vec<&str> = cases().iter().map(|c| c.name).collect();
            assert_eq!(tests, cases);
        }
    };
}

self_tests! {
    panic_in_attach lock_order_inversion swallowed_add_failure attach_adds_nothing adds_fewer_filters skips_the_reference
    keeps_the_context detach_forgets_filters
    deletes_other_filters spin_without_progress a_long_stop_is_no_livelock a_checker_limit_is_inconclusive fails_after_commit leaked_handle static_objects_left
    failed_start_up start_up_fault_excused_but_not_what_follows a_stop_that_leaves_an_object unregister_ignored swallowed_callout_add foreign_transaction fault_that_cannot_fire an_unrelated_fault_excuses_nothing
    remembers_what_it_saw foreign_lock_is_refused arc_count_lock_is_refused helper_file_lock_is_refused
    a_lock_outside_the_source_dir_is_unseen hidden_foreign_lock_is_given_up
}

/// The self-test above has teeth: with a digest that forgets what threads read, the
/// stateful checker prunes the order of the reads that fails and passes the design,
/// wrongly. (The real digest holds every read: `remembers_what_it_saw` fails.)
#[cfg(all(feature = "shuttle", not(loom)))]
#[test]
fn a_digest_that_forgets_reads_passes_what_fails() {
    let case = case("remembers_what_it_saw");
    let scenario = scenarios::by_name(case.scenario).expect("a built-in scenario");
    let explore = |forget_reads| {
        let settings =
            Settings { checker: CheckerKind::Stateful, stateful_forget_reads: forget_reads, ..Settings::default() };
        explore::explore(&case.design, &scenario, &FaultPlan::NONE, &settings)
    };
    let broken = explore(true);
    assert_eq!(broken.verdict, Verdict::Pass, "{}", render::counterexample_text(&Row::new(broken.clone())));
    let states = broken.states.expect("a stateful report has its states");
    assert!(states.matched > 0, "the broken digest pruned nothing: {states:?}");
    assert_eq!(explore(false).verdict, Verdict::Fail);
}

/// Disabling any `always` property makes a self-test fail: each is one that some
/// self-test must break.
#[test]
fn every_property_is_exercised() {
    let exercised: Vec<&str> = cases().iter().flat_map(|c| c.breaks.iter().map(|p| p.name)).collect();
    let missing: Vec<&str> = properties::ALWAYS.iter().map(|p| p.name).filter(|p| !exercised.contains(p)).collect();
    assert!(missing.is_empty(), "no self-test must break: {missing:?}");
}

/// The refusal names the file and line of what it found; no built-in design, and no
/// self-test design but those refused by design, is refused.
#[test]
fn only_foreign_synchronization_is_refused() {
    let refused = [
        (explore::refusal(&unseen::CheckThenActAtomic), "atomic_flag/mod.rs line 11: `std::sync::atomic::AtomicBool`"),
        (explore::refusal(&unseen::ArcCountLock), "arc_count/mod.rs line 48: `strong_count`"),
        (explore::refusal(&unseen::HELPER_FILE_FLAG), "helper_file/flag.rs line 3: `std::sync::atomic`"),
    ];
    for (refusal, names) in refused {
        let refusal = refusal.expect("refused");
        assert!(refusal.contains(names), "{names}: {refusal}");
    }
    for design in designs::builtin() {
        assert_eq!(explore::refusal(&*design), None, "{}", design.name());
    }
    for case in cases() {
        let refused = case.why_says.starts_with("refused");
        assert_eq!(explore::refusal(&*case.design).is_some(), refused, "{}", case.name);
    }
}
