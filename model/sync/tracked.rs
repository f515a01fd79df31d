//! What the stateful checker fingerprints (shuttle build only): every facade object of the
//! execution under way, with its contents or the thread that holds it, and each model
//! thread's digest of everything it received from shared state, in order. The facade
//! reports each access here; outside a stateful exploration no tracker is installed and
//! every call is a no-op.
//!
//! A thread's code is deterministic, so what it does next is a function of what it
//! received: each value it read from a facade object (the whole value it could read), each
//! result of a call whose caller learns only its result ([`super::opaque`]), each
//! scheduling point it passed. The digest folds all of them in, so two threads with one
//! digest are in one local state. The argument, with its limits, is in
//! `docs/ARCHITECTURE.md` ("no two states with different futures share a fingerprint").

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Weak;

use siphasher::sip128::{Hasher128, SipHasher13};

/// A 128-bit SipHash-1-3 of `value`: what the fingerprint and every digest are made of.
pub(crate) fn hash128<T: Hash + ?Sized>(value: &T) -> u128 {
    let mut hasher = SipHasher13::new();
    value.hash(&mut hasher);
    hasher.finish128().as_u128()
}

/// `digest` followed by what happened (`tag`) and what was received (`value`).
fn fold(digest: u128, tag: Tag, value: u128) -> u128 {
    let mut hasher = SipHasher13::new();
    hasher.write_u128(digest);
    hasher.write_u8(tag as u8);
    hasher.write_u128(value);
    hasher.finish128().as_u128()
}

/// What a thread did at a point its digest records.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
enum Tag {
    /// Is about to take a lock: the value is the object. Every scheduling point a thread
    /// reaches comes after something its digest records, so no two of its points share one.
    Attempt,
    /// Took a lock (a `Mutex`, a `SharedState`) or entered an `Unmodelled` section: the
    /// value is the object's contents.
    Acquire,
    /// Released it: the value is the object.
    Release,
    /// Began waiting on a condition variable.
    Wait,
    /// Woke on it.
    Woken,
    /// Notified one.
    Notify,
    /// Yielded.
    Yield,
    /// Spawned a thread (the value is the child's number).
    Spawn,
    /// The first digest of a spawned thread: its parent's, and its own number.
    Spawned,
    /// Joined a thread: the value is its result.
    Join,
    /// A call whose caller learns only its result returned: the value is the result.
    Returned,
}

/// A facade object of one execution: the thread that created it and its count of objects
/// created so far. Fixed by the creating thread alone, so no other thread's order can
/// change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ObjectId {
    task: u32,
    seq: u32,
}

impl ObjectId {
    /// The id as a digest folds it.
    fn folded(self) -> u128 {
        (u128::from(self.task) << 32) | u128::from(self.seq)
    }
}

/// What kind of object an entry is, for draining a pruned execution: a lock a waker
/// takes, or a condition variable it notifies.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// Model state (an `Unmodelled`).
    State,
    /// A `Mutex` (or `SharedState`), with shuttle's lock.
    Lock(Weak<shuttle::sync::Mutex<()>>),
    /// A `Condvar`, with shuttle's condition variable.
    Condvar(Weak<shuttle::sync::Condvar>),
}

/// How the tracker reads an object's contents: a type-erased pointer to it and the
/// function that hashes what it points at (it takes the object's own lock, which no thread
/// holds when it is called).
struct Entry {
    object: *const (),
    contents: unsafe fn(*const ()) -> u128,
    kind: Kind,
    /// A condition variable's: the lock its last waiter waited with.
    waits_with: Option<ObjectId>,
    holder: Option<usize>,
    /// Its contents' hash, while it is known (`None`: changed since, or never hashed).
    hash: Option<u128>,
}

/// Where a thread stands, beyond its digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
enum Standing {
    #[default]
    Running,
    /// Waiting on a condition variable, not yet notified.
    Waiting(ObjectId),
    /// Notified while waiting on it, not yet running again.
    Notified(ObjectId),
    Finished,
}

#[derive(Debug, Clone, Default)]
struct Thread {
    digest: u128,
    /// Each call in progress whose caller learns only its result: the digest and the count
    /// of objects created when it began.
    calls: Vec<(u128, u32)>,
    /// Facade objects it created so far, less those made inside calls that returned: the
    /// next object's number, unless an object still alive has it.
    created: u32,
    standing: Standing,
    /// It is unwinding with [`Pruned`] (a pruned execution's).
    pruned: bool,
    /// It is at the scheduling point of a lock's release.
    releasing: bool,
}

/// The unwinding payload that ends each thread of a pruned execution: it reached a state
/// already explored, so what follows was explored too.
#[derive(Debug)]
pub struct Pruned;

/// The tracker of the execution under way.
#[derive(Default)]
pub(crate) struct Tracker {
    execution: u64,
    objects: BTreeMap<ObjectId, Entry>,
    /// Per shuttle task, by its number: the main thread is 0, spawned threads follow in
    /// the order they were spawned.
    threads: Vec<Thread>,
    /// Threads spawned so far.
    spawned: usize,
    draining: bool,
    /// The execution replays a path already explored: no digest is kept up to date (the
    /// search puts back the ones it stored when the path reaches its new decision).
    replaying: bool,
    /// The self-test's broken digest: what a thread reads is not folded in.
    forget_reads: bool,
}

thread_local! {
    // All tasks of a shuttle execution, and its scheduler, run on the exploring OS thread.
    static TRACKER: RefCell<Option<Tracker>> = const { RefCell::new(None) };
    static EXECUTIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn with<R>(f: impl FnOnce(&mut Tracker, usize) -> R) -> Option<R> {
    TRACKER.with(|tracker| {
        let mut tracker = tracker.borrow_mut();
        let tracker = tracker.as_mut()?;
        let task = shuttle::current::try_get_current_task().map(usize::from)?;
        Some(f(tracker, task))
    })
}

impl Tracker {
    fn thread(&mut self, task: usize) -> &mut Thread {
        if self.threads.len() <= task {
            self.threads.resize_with(task + 1, Thread::default);
        }
        &mut self.threads[task]
    }

    fn fold(&mut self, task: usize, tag: Tag, value: u128) {
        if self.replaying {
            return;
        }
        let thread = self.thread(task);
        thread.digest = fold(thread.digest, tag, value);
    }
}

// ---- the checker's side ----

/// Whether what `task` does next commutes with every other thread's next step, so that the
/// search need not try another thread first: it is at the scheduling point of a lock's
/// release (no other thread can take that lock before it is released), or it has finished
/// its body and only exits (which only lets a thread that joins it go on).
pub(crate) fn commutes(task: usize) -> bool {
    TRACKER.with(|tracker| {
        tracker.borrow().as_ref().is_some_and(|t| {
            t.threads.get(task).is_some_and(|thread| thread.releasing || thread.standing == Standing::Finished)
        })
    })
}

/// Installs a fresh tracker for the next execution on this OS thread (the stateful
/// checker, before each execution).
pub(crate) fn begin_execution(replaying: bool, forget_reads: bool) {
    let execution = EXECUTIONS.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    TRACKER.with(|tracker| {
        *tracker.borrow_mut() = Some(Tracker { execution, replaying, forget_reads, ..Tracker::default() })
    });
}

/// Removes the tracker: facade objects made after this are not tracked.
pub(crate) fn uninstall() {
    TRACKER.with(|tracker| *tracker.borrow_mut() = None);
}

/// Starts draining a pruned execution: each thread unwinds with [`Pruned`] at its next
/// facade call.
pub(crate) fn drain() {
    TRACKER.with(|tracker| {
        if let Some(tracker) = tracker.borrow_mut().as_mut() {
            tracker.draining = true;
        }
    });
}

/// The fingerprint of the state the execution is in, between two steps: every facade
/// object (its contents, or who holds it), every thread (its digest, where it stands,
/// whether the scheduler may run it), the scheduler's one piece of state (which thread
/// just yielded), and `monitor`, the hash of what the properties have seen.
pub(crate) fn fingerprint(runnable: &[usize], yielding: Option<usize>, monitor: u128) -> u128 {
    TRACKER.with(|tracker| {
        let mut tracker = tracker.borrow_mut();
        let tracker = tracker.as_mut().expect("the stateful checker installed a tracker");
        let mut hasher = SipHasher13::new();
        hasher.write_u128(monitor);
        for (id, entry) in tracker.objects.iter_mut() {
            id.hash(&mut hasher);
            match entry.holder {
                Some(task) => {
                    hasher.write_u8(1);
                    hasher.write_usize(task);
                }
                None => {
                    // SAFETY: the entry's object is alive (it unregisters when dropped) and no
                    // thread holds it, so its own lock is free.
                    let hash = *entry.hash.get_or_insert_with(|| unsafe { (entry.contents)(entry.object) });
                    hasher.write_u8(0);
                    hasher.write_u128(hash);
                }
            }
        }
        for (task, thread) in tracker.threads.iter().enumerate() {
            hasher.write_u128(thread.digest);
            thread.calls.hash(&mut hasher);
            hasher.write_u32(thread.created);
            thread.standing.hash(&mut hasher);
            hasher.write_u8(runnable.contains(&task) as u8);
        }
        yielding.hash(&mut hasher);
        hasher.finish128().as_u128()
    })
}

// ---- the facade's side ----

/// A facade object's registration with the tracker of the execution that made it.
#[derive(Debug)]
pub(crate) struct Registration {
    /// `None`: made while no tracker was installed.
    id: Option<(u64, ObjectId)>,
}

impl Registration {
    /// No registration: a placeholder until the object's address is fixed.
    pub fn none() -> Self {
        Registration { id: None }
    }

    /// Refuses (a panic the stateful checker reports as its own failure, never as a
    /// verdict) a facade object used in a tracked execution that it was not made in: one
    /// made outside any execution, or in an earlier one, could carry state across
    /// executions where no fingerprint sees it.
    pub fn refuse_if_foreign(&self) {
        let current = TRACKER.with(|tracker| tracker.borrow().as_ref().map(|t| t.execution));
        let Some(current) = current else { return };
        if shuttle::current::try_get_current_task().is_none() {
            return;
        }
        if self.id.map(|(execution, _)| execution) != Some(current) {
            panic!(
                "stateful checker: a wfpcheck::sync object made outside this execution was used in it (made \
                 outside any model execution, or in an earlier one): state it carries is in no fingerprint"
            );
        }
    }

    /// Registers the object at `object` (which stays put until the registration is
    /// dropped), whose contents `contents` hashes.
    pub fn new(object: *const (), contents: unsafe fn(*const ()) -> u128, kind: Kind) -> Self {
        let id = with(|tracker, task| {
            let mut seq = tracker.thread(task).created;
            while tracker.objects.contains_key(&ObjectId { task: task as u32, seq }) {
                seq += 1;
            }
            tracker.thread(task).created = seq + 1;
            let id = ObjectId { task: task as u32, seq };
            tracker.objects.insert(id, Entry { object, contents, kind, waits_with: None, holder: None, hash: None });
            (tracker.execution, id)
        });
        Registration { id }
    }

    /// The object's identity, as a value that holds it is hashed.
    pub fn hash_identity<H: Hasher>(&self, state: &mut H) {
        self.id.map(|(_, id)| id).hash(state)
    }

    fn id(&self) -> Option<ObjectId> {
        self.id.map(|(_, id)| id)
    }

    /// The calling thread is about to take the object (a lock): a scheduling point.
    pub fn attempted(&self) {
        let Some(id) = self.id() else { return };
        with(|tracker, task| tracker.fold(task, Tag::Attempt, id.folded()));
    }

    /// The calling thread took the object (a lock, or an `Unmodelled` section) and reads
    /// it: `contents` hashes what it can read, unless the tracker knows its hash.
    pub fn acquired(&self, contents: impl FnOnce() -> u128) {
        let known = self.with_entry(|_, entry| entry.hash);
        let Some(known) = known else { return };
        let unread = TRACKER.with(|t| t.borrow().as_ref().is_some_and(|t| t.replaying || t.forget_reads));
        let hash = if unread { 0 } else { known.unwrap_or_else(contents) };
        self.with_entry(|task, entry| {
            entry.holder = Some(task);
            entry.hash = None;
        });
        with(|tracker, task| tracker.fold(task, Tag::Acquire, hash));
    }

    /// The calling thread released the object.
    pub fn released(&self) {
        let Some(id) = self.id() else { return };
        self.with_entry(|_, entry| entry.holder = None);
        with(|tracker, task| tracker.fold(task, Tag::Release, id.folded()));
    }

    /// The calling thread is at (`true`) or past shuttle's scheduling point of a lock's
    /// release.
    pub fn releasing(at: bool) {
        with(|tracker, task| tracker.thread(task).releasing = at);
    }

    /// The calling thread waits on this condition variable (having released `mutex`).
    pub fn wait_begins(&self, mutex: &Registration) {
        mutex.released();
        let lock = mutex.id();
        self.with_entry(|_, entry| entry.waits_with = lock);
        let Some(id) = self.id() else { return };
        with(|tracker, task| {
            tracker.fold(task, Tag::Wait, id.folded());
            tracker.thread(task).standing = Standing::Waiting(id);
        });
    }

    /// The calling thread woke on this condition variable and holds `mutex` again.
    pub fn wait_ends(&self, mutex: &Registration, contents: impl FnOnce() -> u128) {
        if let Some(id) = self.id() {
            with(|tracker, task| {
                tracker.fold(task, Tag::Woken, id.folded());
                tracker.thread(task).standing = Standing::Running;
            });
        }
        mutex.acquired(contents);
    }

    /// The calling thread notifies every waiter of this condition variable.
    pub fn notified_all(&self) {
        let Some(id) = self.id() else { return };
        with(|tracker, task| {
            tracker.fold(task, Tag::Notify, id.folded());
            for thread in &mut tracker.threads {
                if thread.standing == Standing::Waiting(id) {
                    thread.standing = Standing::Notified(id);
                }
            }
        });
    }

    /// Runs `f` on the object's entry in the tracker of the execution that made it, with
    /// the calling thread's task number.
    fn with_entry<R>(&self, f: impl FnOnce(usize, &mut Entry) -> R) -> Option<R> {
        let (execution, id) = self.id?;
        with(|tracker, task| {
            if tracker.execution != execution {
                return None;
            }
            Some(f(task, tracker.objects.get_mut(&id)?))
        })
        .flatten()
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let Some((execution, id)) = self.id else { return };
        TRACKER.with(|tracker| {
            if let Ok(mut tracker) = tracker.try_borrow_mut() {
                if let Some(tracker) = tracker.as_mut().filter(|t| t.execution == execution) {
                    tracker.objects.remove(&id);
                }
            }
        });
    }
}

/// The calling thread yields.
pub(crate) fn yielded() {
    with(|tracker, task| tracker.fold(task, Tag::Yield, 0));
}

/// The calling thread spawns a thread; returns the child's task number (the next one).
pub(crate) fn spawning() -> Option<(usize, u128)> {
    with(|tracker, task| {
        tracker.spawned += 1;
        let child = tracker.spawned;
        tracker.fold(task, Tag::Spawn, child as u128);
        let digest = fold(tracker.thread(task).digest, Tag::Spawned, child as u128);
        tracker.thread(child).digest = digest;
        (child, digest)
    })
}

/// A spawned thread starts: it is the task `spawning` numbered.
pub(crate) fn started(expected: Option<(usize, u128)>) {
    let Some((child, _)) = expected else { return };
    let task = with(|_, task| task);
    assert!(
        task.is_none_or(|task| task == child),
        "stateful checker: a thread started as task {task:?}, not {child} (a thread spawned outside the facade?)"
    );
}

/// The calling thread ends.
pub(crate) fn finished() {
    with(|tracker, task| tracker.thread(task).standing = Standing::Finished);
}

/// A call whose caller learns only its result begins on the calling thread.
pub(crate) fn call_begins() {
    with(|tracker, task| {
        let thread = tracker.thread(task);
        thread.calls.push((thread.digest, thread.created));
    });
}

/// That call returned a result, which `result` hashes: the thread's digest is again what it
/// was when the call began, followed by the result.
pub(crate) fn call_returns(result: impl FnOnce() -> u128) {
    let replaying = TRACKER.with(|t| t.borrow().as_ref().is_some_and(|t| t.replaying));
    let result = if replaying { 0 } else { result() };
    with(|tracker, task| {
        let replaying = tracker.replaying;
        let thread = tracker.thread(task);
        let (began, created) = thread.calls.pop().expect("a call began");
        // What the caller does next depends on the result alone, and so do the numbers of the
        // objects it makes next (but for those still alive: see `Registration::new`).
        if !replaying {
            thread.digest = fold(began, Tag::Returned, result);
        }
        thread.created = created;
    });
}

/// Every thread's digests (its own, and those at the start of its calls in progress), to
/// put back with [`restore_digests`] where a replay reaches this point again.
pub(crate) fn digests() -> Vec<(u128, Vec<u128>)> {
    TRACKER.with(|tracker| {
        let tracker = tracker.borrow();
        let tracker = tracker.as_ref().expect("the stateful checker installed a tracker");
        tracker.threads.iter().map(|t| (t.digest, t.calls.iter().map(|(d, _)| *d).collect())).collect()
    })
}

/// The replay has reached the decision `digests` were taken at: they are the threads'
/// again, and from here on every digest is kept up to date.
pub(crate) fn restore_digests(digests: &[(u128, Vec<u128>)]) {
    TRACKER.with(|tracker| {
        let mut tracker = tracker.borrow_mut();
        let tracker = tracker.as_mut().expect("the stateful checker installed a tracker");
        for (task, (digest, calls)) in digests.iter().enumerate() {
            let thread = tracker.thread(task);
            thread.digest = *digest;
            for (call, began) in thread.calls.iter_mut().zip(calls) {
                call.0 = *began;
            }
        }
        tracker.replaying = false;
    })
}

/// The calling thread joined a thread that returned `result`.
pub(crate) fn joined(result: u128) {
    with(|tracker, task| tracker.fold(task, Tag::Join, result));
}

/// At a facade call: if the execution is being drained and this thread is not unwinding
/// already, unwinds it with [`Pruned`]. (Whether a thread unwinds is the tracker's to say:
/// shuttle runs every task on one OS thread, so `std::thread::panicking` is true in every
/// task while one unwinds.)
pub(crate) fn unwind_if_drained() {
    let unwind = with(|tracker, task| {
        let unwind = tracker.draining && !tracker.thread(task).pruned;
        tracker.thread(task).pruned |= unwind;
        unwind
    });
    if unwind == Some(true) {
        std::panic::resume_unwind(Box::new(Pruned));
    }
}

/// A thread of a pruned execution has unwound (it holds no lock): it wakes every waiter of
/// every condition variable, taking the lock each was waited with, so that a thread that
/// was about to wait when the drain began waits first and is woken then. Each woken
/// thread unwinds where its wait returns, and wakes the rest in turn.
pub(crate) fn wake_waiters() {
    let waits = TRACKER.with(|tracker| {
        let tracker = tracker.borrow();
        let Some(tracker) = tracker.as_ref().filter(|t| t.draining) else { return Vec::new() };
        let lock_of = |id: &ObjectId| match tracker.objects.get(id).map(|e| &e.kind) {
            Some(Kind::Lock(lock)) => lock.upgrade(),
            _ => None,
        };
        tracker
            .objects
            .values()
            .filter_map(|entry| match &entry.kind {
                Kind::Condvar(condvar) => Some((condvar.upgrade()?, entry.waits_with.as_ref().and_then(lock_of))),
                Kind::State | Kind::Lock(_) => None,
            })
            .collect::<Vec<_>>()
    });
    // Held alive by these references while the lock is waited for, whoever drops the
    // objects meanwhile.
    for (condvar, lock) in waits {
        let held = lock.as_ref().map(|lock| lock.lock());
        condvar.notify_all();
        drop(held);
    }
}
