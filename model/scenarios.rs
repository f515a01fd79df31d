//! Scenarios: which threads do what, which fault plans apply, and what every
//! exploration must reach for its pass to mean anything.

use crate::netebpfext::hooks::{Hook, BIND, CONNECT4, CONNECT6, RECV_ACCEPT4, RECV_ACCEPT6};
use crate::properties::Property;
pub use crate::properties::Reach;
use crate::wfp::faults::{FaultKind, FaultPlan};
use crate::wfp::{Actor, CallKind};

/// One netebpfext operation a worker thread performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A client attaches a program at a hook. Clients with the same hook and
    /// compartment share a filter context.
    Attach {
        /// The hook.
        hook: &'static Hook,
        /// The client (clients are numbered by the scenario).
        client: u32,
        /// The compartment the attach names.
        compartment: u32,
    },
    /// The client detaches (skipped if its attach failed).
    Detach {
        /// The hook.
        hook: &'static Hook,
        /// The client.
        client: u32,
    },
    /// netebpfext is stopped (`_net_ebpf_ext_driver_uninitialize_objects`: the providers
    /// deregister, NMR detaching their clients) and started again (`DriverEntry`: start-up,
    /// then the providers register, NMR attaching the clients still registered), as
    /// `km_mt_stress_tests`' extension-restart thread does.
    Restart,
}

/// A scenario: the threads started together after start-up, and unload after them.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its name, as reports and expectations say it.
    pub name: &'static str,
    /// What it runs, in a sentence or two.
    pub summary: &'static str,
    /// One script per worker thread `t0`, `t1`, ...
    pub threads: Vec<Vec<Action>>,
    /// The fault plans it is explored under, `none` first.
    pub plans: Vec<FaultPlan>,
    /// The `sometimes` targets every exploration of it must reach.
    pub must_reach: Vec<Reach>,
    /// Properties of its own, beside the built-in ones: `always` ones every execution is
    /// checked against, `sometimes` ones an exploration must reach.
    pub properties: Vec<Property>,
    /// Overrides how many filters each attach adds (the scaling study); `None`: the hook's own.
    pub filters_per_attach: Option<usize>,
}

pub use crate::wfp::THREADS_MAX;

const fn attach(hook: &'static Hook, client: u32, compartment: u32) -> Action {
    Action::Attach { hook, client, compartment }
}

fn plan(thread: u8, kind: CallKind, occurrence: u32, fault: FaultKind) -> FaultPlan {
    FaultPlan::one(Actor::Thread(thread), kind, occurrence, fault)
}

fn parsed(plan: &str) -> FaultPlan {
    FaultPlan::parse(plan).unwrap_or_else(|error| panic!("a built-in plan: {error}"))
}

/// Every built-in scenario, in report order.
pub fn builtin() -> Vec<Scenario> {
    use CallKind::{FilterAdd, FilterDelete, TransactionBegin, TransactionCommit};
    use FaultKind::{Fails, FailsAfterEffect, TimesOut};
    vec![
        Scenario {
            name: "two_attach",
            summary: "t0 attaches connect4 while t1 attaches connect6, started together: the failing stress test (#3728).",
            threads: vec![vec![attach(&CONNECT4, 1, 0)], vec![attach(&CONNECT6, 2, 0)]],
            plans: vec![
                FaultPlan::NONE,
                plan(0, FilterAdd, 2, Fails),
                plan(1, TransactionBegin, 1, TimesOut),
                // t0's commit takes effect and its reply is lost (as #5486's delete's was).
                plan(0, TransactionCommit, 1, FailsAfterEffect),
            ],
            must_reach: vec![Reach::InFlightTogether(vec![(0, 0), (1, 0)])],
            filters_per_attach: None,
            properties: Vec::new(),
        },
        Scenario {
            name: "attach_detach",
            summary: "t0 attaches connect4 then detaches it while t1 attaches connect6.",
            threads: vec![
                vec![attach(&CONNECT4, 1, 0), Action::Detach { hook: &CONNECT4, client: 1 }],
                vec![attach(&CONNECT6, 2, 0)],
            ],
            plans: vec![
                FaultPlan::NONE,
                plan(1, FilterAdd, 2, Fails),
                plan(0, FilterDelete, 1, TimesOut),
                // Every delete attempt of the detach times out (#5472 retries three times).
                parsed("t0.filter_delete*.times_out"),
                // ... and unload cannot unregister a callout (what #5472's sweep waits for).
                parsed("t0.filter_delete*.times_out+main.callout_unregister*.in_use"),
            ],
            must_reach: vec![Reach::InFlightTogether(vec![(0, 1), (1, 0)])],
            filters_per_attach: None,
            properties: Vec::new(),
        },
        Scenario {
            name: "same_provider",
            summary: "t0 and t1 attach two programs to connect4 in different compartments (two filter contexts, one provider).",
            threads: vec![vec![attach(&CONNECT4, 1, 1)], vec![attach(&CONNECT4, 2, 2)]],
            plans: vec![FaultPlan::NONE, plan(1, TransactionBegin, 1, TimesOut)],
            must_reach: vec![Reach::InFlightTogether(vec![(0, 0), (1, 0)])],
            filters_per_attach: None,
            properties: Vec::new(),
        },
        Scenario {
            name: "restart_during_attach",
            summary: "t0 attaches connect4 and detaches it while t1 stops netebpfext and starts it again (the \
                      extension-restart thread of upstream's km_mt_stress_tests): an attach may fail while it is \
                      stopped; nothing may hang, leak or be used after it is freed.",
            threads: vec![
                vec![attach(&CONNECT4, 1, 0), Action::Detach { hook: &CONNECT4, client: 1 }],
                vec![Action::Restart],
            ],
            plans: vec![FaultPlan::NONE],
            must_reach: vec![Reach::InFlightTogether(vec![(0, 0), (1, 0)])],
            filters_per_attach: None,
            properties: Vec::new(),
        },
        Scenario {
            name: "three_attach",
            summary: "t0, t1 and t2 attach connect4, connect6 and bind at once: three threads, three providers.",
            threads: vec![vec![attach(&CONNECT4, 1, 0)], vec![attach(&CONNECT6, 2, 0)], vec![attach(&BIND, 3, 0)]],
            plans: vec![FaultPlan::NONE],
            must_reach: vec![Reach::InFlightTogether(vec![(0, 0), (1, 0), (2, 0)])],
            filters_per_attach: None,
            properties: Vec::new(),
        },
        Scenario {
            name: "four_attach",
            summary: "t0, t1, t2 and t3 attach connect4, connect6, bind and recv_accept4 at once: four threads, four \
                      providers.",
            threads: vec![
                vec![attach(&CONNECT4, 1, 0)],
                vec![attach(&CONNECT6, 2, 0)],
                vec![attach(&BIND, 3, 0)],
                vec![attach(&RECV_ACCEPT4, 4, 0)],
            ],
            plans: vec![FaultPlan::NONE],
            must_reach: vec![Reach::InFlightTogether(vec![(0, 0), (1, 0), (2, 0), (3, 0)])],
            filters_per_attach: None,
            properties: Vec::new(),
        },
    ]
}

impl Scenario {
    /// Some thread restarts netebpfext while others attach.
    pub fn restarts(&self) -> bool {
        self.threads.iter().flatten().any(|action| *action == Action::Restart)
    }
}

/// The built-in scenario with this name.
pub fn by_name(name: &str) -> Option<Scenario> {
    builtin().into_iter().find(|s| s.name == name)
}

/// `threads` threads attaching at once, each to its own hook, each adding
/// `filters_per_attach` filters: the scaling study's scenarios.
pub fn attach_many(threads: usize, filters_per_attach: usize) -> Scenario {
    const HOOKS: [&Hook; THREADS_MAX] = [&CONNECT4, &CONNECT6, &BIND, &RECV_ACCEPT4, &RECV_ACCEPT6];
    assert!((1..=THREADS_MAX).contains(&threads), "1 to {THREADS_MAX} threads");
    assert!(filters_per_attach >= 1, "an attach adds at least one filter");
    let threads_u8 = threads as u8;
    Scenario {
        name: "attach_many",
        summary: "Each thread attaches its own hook at once (the scaling study).",
        threads: (0..threads).map(|t| vec![attach(HOOKS[t], t as u32 + 1, 0)]).collect(),
        plans: vec![FaultPlan::NONE],
        must_reach: vec![Reach::InFlightTogether((0..threads_u8).map(|t| (t, 0)).collect())],
        filters_per_attach: Some(filters_per_attach),
        properties: Vec::new(),
    }
}
