//! The WFP behaviour Microsoft's documentation does not settle, each a named assumption
//! with its readings. The engine follows one reading of each ([`Readings`]); the first
//! reading of every assumption is the one the checks run under, and a run under any other
//! says so in its report. `wfpcheck --assumptions` lists them; `--assume NAME=READING`
//! runs under another reading; `--sensitivity` explores every row under each.

use std::fmt;

/// W7: whether a call outside an explicit transaction waits for another session's one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ImplicitCall {
    /// It runs in an implicit transaction that takes the engine-wide lock, so it waits
    /// (and can time out) while another session's explicit transaction holds it.
    #[default]
    WaitsForTheLock,
    /// It runs at once, beside the other session's transaction.
    RunsAtOnce,
}

/// W8: a call on a session whose explicit transaction another thread began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ForeignTransaction {
    /// It is part of that transaction: undone if it aborts, done only when it commits.
    #[default]
    Joins,
    /// It fails at once with STATUS_FWP_TXN_IN_PROGRESS.
    FailsAtOnce,
    /// It waits for that transaction to end, then runs in an implicit transaction.
    WaitsForItsEnd,
}

/// When WFP calls a callout's notify function for a deleted filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DeleteNotification {
    /// When the delete takes effect: inside the FilterDeleteById of an implicit
    /// transaction, at the commit of an explicit one, inside a dynamic session's close.
    #[default]
    WhenDeleted,
    /// Inside the FilterDeleteById call itself, even within an explicit transaction that
    /// may still abort (and then restores the filter).
    InTheCall,
    /// Later, from WFP's own context: the model delivers them at the latest moment this
    /// reading allows, when unload starts waiting (for a provider's rundown or #4192's
    /// clean-up event) or when the filter's callout is unregistered.
    Deferred,
}

/// Whether a filter added in a transaction that aborts gets a delete notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AbortedAdd {
    /// None: the filter was never committed.
    #[default]
    NoNotification,
    /// One, at the abort (or the close that aborts).
    OneNotification,
}

/// Whether closing a dynamic session waits for another session's transaction before it
/// deletes its objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DynamicClose {
    /// It does not wait: the deletion cannot conflict (no other session's object may
    /// refer to a dynamic session's, W15).
    #[default]
    DoesNotWait,
    /// It waits for the lock like an implicit transaction (W7), and can time out.
    WaitsForTheLock,
}

/// How long a session opened with a NULL `FWPM_SESSION0` waits for the transaction lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NullSessionWait {
    /// The default of `txnWaitTimeoutInMSec` = 0: 15 s, then STATUS_FWP_TIMEOUT.
    #[default]
    SystemDefault,
    /// No timeout: it waits as long as it takes (as `INFINITE`).
    NoTimeout,
}

/// One reading of every assumption: what the engine does where the docs are silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Readings {
    /// W7: [`ImplicitCall`].
    pub implicit_call: ImplicitCall,
    /// W8: [`ForeignTransaction`].
    pub foreign_transaction: ForeignTransaction,
    /// [`DeleteNotification`].
    pub delete_notification: DeleteNotification,
    /// [`AbortedAdd`].
    pub aborted_add: AbortedAdd,
    /// W6: [`LockHandover`].
    pub lock_handover: LockHandover,
    /// W2: [`DynamicClose`].
    pub dynamic_close: DynamicClose,
    /// W3: [`NullSessionWait`].
    pub null_session_wait: NullSessionWait,
}

/// W6: who gets the transaction lock when it is released (WFP documents no fairness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LockHandover {
    /// The longest-waiting call gets it and runs at once, in the releasing call's
    /// critical section: first come, first served. The checks run under this one.
    #[default]
    FirstComeFirstServed,
    /// Every waiting call is woken and competes with every other caller, newcomers
    /// included. More interleavings, the same verdicts on every built-in scenario
    /// (`checks/gate_loom.rs` compares them).
    Barging,
}

/// One reading of an assumption: its name, what it says, and why it is plausible.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    /// The name `--assume NAME=READING` gives it.
    pub name: &'static str,
    /// What the engine does under it.
    pub says: &'static str,
    /// Why it is plausible: what the documentation says, or does not.
    pub source: &'static str,
}

/// An assumption: a question the docs leave open, and its readings (the first is the
/// default).
#[derive(Debug, Clone, Copy)]
pub struct Assumption {
    /// The name `--assume` gives it.
    pub name: &'static str,
    /// The rule of `docs/wfp-semantics.md` it reads, if it has one.
    pub rule: &'static str,
    /// The question the documentation leaves open.
    pub question: &'static str,
    /// Its readings, the default first.
    pub readings: &'static [Reading],
    get: fn(&Readings) -> usize,
    set: fn(&mut Readings, usize),
}

impl Assumption {
    /// The reading `readings` takes of this assumption.
    pub fn reading(&self, readings: &Readings) -> &'static Reading {
        &self.readings[(self.get)(readings)]
    }

    fn names(&self) -> String {
        self.readings.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! assumption {
    ($field:ident: $name:literal, $rule:literal, $question:literal, [$($variant:expr => $reading:literal: $says:literal ($source:literal)),+ $(,)?]) => {
        Assumption {
            name: $name,
            rule: $rule,
            question: $question,
            readings: &[$(Reading { name: $reading, says: $says, source: $source }),+],
            get: |r| {
                let all = [$($variant),+];
                all.iter().position(|v| *v == r.$field).expect("every variant is a reading")
            },
            set: |r, i| {
                let all = [$($variant),+];
                r.$field = all[i];
            },
        }
    };
}

/// Every assumption, in the order reports list them.
pub const ASSUMPTIONS: &[Assumption] = &[
    assumption!(implicit_call: "implicit_call", "W7",
    "Does a call outside an explicit transaction (FwpmFilterDeleteById at detach) wait for another session's transaction?",
    [
        ImplicitCall::WaitsForTheLock => "waits": "it takes the engine-wide lock in an implicit transaction: it waits, and can time out"
            ("WFP's pages say a call outside an explicit transaction runs in an implicit one; the model reads that it takes the same lock"),
        ImplicitCall::RunsAtOnce => "runs_at_once": "it runs at once, beside the other session's transaction"
            ("no page says an implicit transaction waits for the lock; a read-write one plausibly need not while another only holds it"),
    ]),
    assumption!(foreign_transaction: "foreign_transaction", "W8",
    "What does a call on a session whose explicit transaction another thread began do?",
    [
        ForeignTransaction::Joins => "joins": "it is part of that transaction, whichever thread makes it"
            ("transactions belong to sessions (W5), and no page ties them to threads"),
        ForeignTransaction::FailsAtOnce => "fails_at_once": "it fails at once with STATUS_FWP_TXN_IN_PROGRESS"
            ("the status a second Begin on the session gets (W5); a call could be checked the same way"),
        ForeignTransaction::WaitsForItsEnd => "waits": "it waits for that transaction to end, then runs on its own"
            ("a session could serialise its callers' calls; the docs say nothing of several threads on one handle"),
    ]),
    assumption!(delete_notification: "delete_notification", "",
    "When is a callout's notify function called for a deleted filter?",
    [
        DeleteNotification::WhenDeleted => "when_deleted": "when the delete takes effect: in the deleting call, or at the commit of its explicit transaction"
            ("FWPS_CALLOUT_NOTIFY_DELETE_FILTER is documented as sent when a filter is deleted"),
        DeleteNotification::InTheCall => "in_the_call": "inside the FilterDeleteById call, even within an explicit transaction that may still abort"
            ("the notify function runs in the caller's context; no page says it waits for a commit"),
        DeleteNotification::Deferred => "deferred": "later, from WFP's own context; the model delivers them at the latest moment: when unload waits, or the filter's callout is unregistered"
            ("#4192 sleeps at unload \"to give WFP time to issue callbacks\": upstream saw them arrive late"),
    ]),
    assumption!(aborted_add: "aborted_add", "",
    "Does a filter added in a transaction that aborts get a delete notification?",
    [
        AbortedAdd::NoNotification => "none": "no: the filter was never committed"
            ("an aborted transaction's changes are discarded (W11); nothing was deleted"),
        AbortedAdd::OneNotification => "one": "one, at the abort"
            ("WFP sends FWPS_CALLOUT_NOTIFY_ADD_FILTER at FwpmFilterAdd, before any commit; its pair could come at the abort"),
    ]),
    assumption!(lock_handover: "lock_handover", "W6",
    "Who gets the transaction lock when it is released?",
    [
        LockHandover::FirstComeFirstServed => "first_come_first_served": "the longest-waiting call, at once"
            ("the simplest fair lock; WFP documents no order"),
        LockHandover::Barging => "barging": "every waiter is woken and competes with newcomers"
            ("an unfair lock is allowed by everything the docs say"),
    ]),
    assumption!(dynamic_close: "dynamic_close", "W2",
    "Does closing a dynamic session wait for another session's transaction before deleting its objects?",
    [
        DynamicClose::DoesNotWait => "does_not_wait": "no: the deletion cannot conflict, as no other session's object may refer to them"
            ("W15: a dynamic session's objects cannot be referred to from another session"),
        DynamicClose::WaitsForTheLock => "waits": "yes, like an implicit transaction (W7), and it can time out"
            ("the deletion changes the engine's objects, which is what the lock serialises"),
    ]),
    assumption!(null_session_wait: "null_session_wait", "W3",
    "How long does a session opened with a NULL FWPM_SESSION0 wait for the transaction lock?",
    [
        NullSessionWait::SystemDefault => "default_15_s": "the default of txnWaitTimeoutInMSec = 0: 15 s, then STATUS_FWP_TIMEOUT"
            ("FWPM_SESSION0: 0 means the system default; #3866's description relies on a 15 s wait"),
        NullSessionWait::NoTimeout => "no_timeout": "it waits as long as it takes"
            ("with no FWPM_SESSION0 there is no field to read; WFP could as well wait forever"),
    ]),
];

/// A `--assume` that names no assumption or no reading of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssumeError {
    /// Not `NAME=READING`.
    #[error("`{0}` is not NAME=READING")]
    Malformed(String),
    /// No assumption has that name.
    #[error("no assumption `{name}` (the assumptions: {choices})")]
    UnknownAssumption {
        /// The name given.
        name: String,
        /// Every assumption's name.
        choices: String,
    },
    /// The assumption has no such reading.
    #[error("no reading `{reading}` of `{name}` (its readings: {choices})")]
    UnknownReading {
        /// The assumption's name.
        name: String,
        /// The reading given.
        reading: String,
        /// Its readings' names.
        choices: String,
    },
}

impl Readings {
    /// The assumption called `name`.
    pub fn assumption(name: &str) -> Option<&'static Assumption> {
        ASSUMPTIONS.iter().find(|a| a.name == name)
    }

    /// These readings with `NAME=READING` applied.
    pub fn assume(mut self, assumed: &str) -> Result<Readings, AssumeError> {
        let (name, reading) = assumed.split_once('=').ok_or_else(|| AssumeError::Malformed(assumed.to_string()))?;
        let assumption = Self::assumption(name).ok_or_else(|| AssumeError::UnknownAssumption {
            name: name.to_string(),
            choices: ASSUMPTIONS.iter().map(|a| a.name).collect::<Vec<_>>().join(", "),
        })?;
        let index =
            assumption.readings.iter().position(|r| r.name == reading).ok_or_else(|| AssumeError::UnknownReading {
                name: name.to_string(),
                reading: reading.to_string(),
                choices: assumption.names(),
            })?;
        (assumption.set)(&mut self, index);
        Ok(self)
    }

    /// Every `NAME=READING` that differs from the default, in catalogue order.
    pub fn changed(&self) -> Vec<String> {
        ASSUMPTIONS
            .iter()
            .filter(|a| (a.get)(self) != 0)
            .map(|a| format!("{}={}", a.name, a.reading(self).name))
            .collect()
    }

    /// The default readings with exactly one assumption read otherwise: every such
    /// variation, in catalogue order (what `--sensitivity` explores).
    pub fn one_changed() -> Vec<Readings> {
        let mut all = Vec::new();
        for assumption in ASSUMPTIONS {
            for index in 1..assumption.readings.len() {
                let mut readings = Readings::default();
                (assumption.set)(&mut readings, index);
                all.push(readings);
            }
        }
        all
    }
}

/// `default` or the changed readings, `NAME=READING` joined with `, `.
impl fmt::Display for Readings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let changed = self.changed();
        if changed.is_empty() {
            f.write_str("default")
        } else {
            f.write_str(&changed.join(", "))
        }
    }
}
