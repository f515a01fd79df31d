//! The sync facade: the one switch point between loom, shuttle and std.
//!
//! `--cfg loom` gives loom's primitives, the cargo feature `shuttle` gives shuttle's,
//! and otherwise std's. Every other module of the model names these types only
//! through this module, so the same model code runs under all three.
//!
//! What is on which side, and why:
//! - [`Mutex`], [`Condvar`], [`thread`]: the checker's own, so it schedules around them.
//! - [`Arc`]: std's on every side. loom's `Arc` turns every clone and drop into a
//!   scheduling point (they are not engine behaviour, only cost), and dropping one while
//!   loom unwinds a deadlock aborts the process; shuttle's `Arc` is std's anyway.
//! - [`SharedState`]: state several model threads touch in short sections of their own
//!   (netebpfext's filter contexts): a lock the checker schedules (loom's under loom,
//!   shuttle's under shuttle, where each section is a scheduling point of its own).
//! - [`Unmodelled`]: model state behind a std lock, which no checker schedules. It is only
//!   ever taken and released inside one modelled critical section, or while only one
//!   thread runs, or for state only one thread touches, and never held across a modelled
//!   operation; model threads never run at the same time under loom or shuttle, so it
//!   adds no interleaving and costs nothing.
//! - [`Untracked`]: what is not model state at all: the event log (written by the model,
//!   read only by the explorer and the properties) and the explorer's own tallies.
//! - [`opaque`]: a call whose caller learns only its result (each WFP call, each of
//!   netebpfext's primitives).
//! - [`outside_model`], [`ProcessOnce`]: the explorer's own OS threads and set-up, never
//!   used by model code. Designs use none of `SharedState`, `Unmodelled`, `Untracked`,
//!   `outside_model` and `ProcessOnce` (`wfpcheck::scan` refuses them).
//!
//! Under shuttle every object also reports each access to the stateful checker's tracker
//! (`sync/tracked.rs`), which fingerprints the execution's state; outside a stateful
//! exploration no tracker is installed and the reports do nothing. So that it can, what a
//! `Mutex`, `SharedState` or `Unmodelled` holds is `Hash` on every side, and a value that
//! holds a facade object hashes as that object's identity.

#[cfg(all(loom, feature = "shuttle"))]
compile_error!("choose one checker: `--cfg loom` or `--features shuttle`, not both");

use std::hash::Hash;
#[cfg(not(all(feature = "shuttle", not(loom))))]
use std::hash::Hasher;

#[cfg(loom)]
mod backend {
    pub(super) use loom::sync::{Condvar, Mutex, MutexGuard};
    pub(super) use loom::thread::{current, park, spawn, yield_now, JoinHandle, Thread};
}

#[cfg(all(feature = "shuttle", not(loom)))]
mod backend {
    pub(super) use shuttle::sync::{Condvar, Mutex, MutexGuard};
    pub(super) use shuttle::thread::{spawn, yield_now, JoinHandle};
}

#[cfg(not(any(loom, feature = "shuttle")))]
mod backend {
    pub(super) use std::sync::{Condvar, Mutex, MutexGuard};
    pub(super) use std::thread::{current, park, spawn, yield_now, JoinHandle, Thread};
}

/// What the stateful checker fingerprints: the shuttle build's tracker of every facade
/// object and every model thread's digest.
#[cfg(all(feature = "shuttle", not(loom)))]
pub(crate) mod tracked;

pub use std::sync::{Arc, Weak};

/// A call whose caller learns only its result: each WFP call, each of netebpfext's
/// primitives. The stateful checker folds the result, not what the call read on the way,
/// into the calling thread's digest (what the call changed is in the objects it changed).
/// A call that takes a closure of the caller's is not one: the closure reads directly.
pub fn opaque<R: Hash>(call: impl FnOnce() -> R) -> R {
    #[cfg(all(feature = "shuttle", not(loom)))]
    {
        tracked::call_begins();
        let result = call();
        tracked::call_returns(|| tracked::hash128(&result));
        result
    }
    #[cfg(not(all(feature = "shuttle", not(loom))))]
    call()
}

// ---- loom and std: the checker's primitives, as they are ----

/// A mutual-exclusion lock the checker schedules around.
#[cfg(not(all(feature = "shuttle", not(loom))))]
#[derive(Debug, Default)]
pub struct Mutex<T>(backend::Mutex<T>);

/// The guard of a locked [`Mutex`].
#[cfg(not(all(feature = "shuttle", not(loom))))]
pub type MutexGuard<'a, T> = backend::MutexGuard<'a, T>;

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl<T: Hash> Mutex<T> {
    /// A mutex holding `value`.
    pub fn new(value: T) -> Self {
        Mutex(backend::Mutex::new(value))
    }
}

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl<T: Hash> Mutex<T> {
    /// Poisoning is ignored: a panic in the model already ends the execution.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A condition variable the checker schedules around.
#[cfg(not(all(feature = "shuttle", not(loom))))]
#[derive(Debug, Default)]
pub struct Condvar(backend::Condvar);

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl Condvar {
    /// A condition variable.
    pub fn new() -> Self {
        Condvar(backend::Condvar::new())
    }

    /// Releases `guard`'s lock and waits for a notification; takes the lock again.
    pub fn wait<'a, T: Hash>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.0.wait(guard).unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        self.0.notify_all()
    }
}

/// State shared between model threads, each access a short section with no scheduling
/// point inside (netebpfext's filter contexts). loom must see every access: its DPOR
/// prunes the orders of accesses it cannot see. Real threads take a real lock.
#[cfg(not(all(feature = "shuttle", not(loom))))]
#[derive(Debug, Default)]
pub struct SharedState<T> {
    #[cfg(loom)]
    lock: backend::Mutex<T>,
    #[cfg(not(loom))]
    lock: std::sync::Mutex<T>,
}

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl<T: Hash> SharedState<T> {
    /// Shared state holding `value`.
    pub fn new(value: T) -> Self {
        SharedState {
            #[cfg(loom)]
            lock: backend::Mutex::new(value),
            #[cfg(not(loom))]
            lock: std::sync::Mutex::new(value),
        }
    }
}

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl<T: Hash> SharedState<T> {
    /// Runs `f` on the state; `f` makes no WFP call and takes no other lock but a
    /// `SharedState` taken in the one order its owner documents.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

/// Model state no checker schedules (see the module docs for when that is sound).
#[cfg(not(all(feature = "shuttle", not(loom))))]
#[derive(Debug, Default)]
pub struct Unmodelled<T>(std::sync::Mutex<T>);

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl<T: Hash> Unmodelled<T> {
    /// An unmodelled lock holding `value`.
    pub fn new(value: T) -> Self {
        Unmodelled(std::sync::Mutex::new(value))
    }
}

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl<T: Hash> Unmodelled<T> {
    /// Runs `f` on the value, under the lock.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

/// A counter no checker schedules (see the module docs for when that is sound).
#[cfg(not(all(feature = "shuttle", not(loom))))]
#[derive(Debug, Default)]
pub struct UnmodelledCounter(std::sync::atomic::AtomicU64);

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl UnmodelledCounter {
    /// A counter starting at `value`.
    pub fn new(value: u64) -> Self {
        UnmodelledCounter(std::sync::atomic::AtomicU64::new(value))
    }

    /// Subtracts one and returns the new value.
    pub fn decrement(&self) -> u64 {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) - 1
    }
}

/// A one-time signal that wakes the thread that made it: how a call waiting for the
/// transaction lock is woken. Under loom and std it parks the thread (park and unpark
/// touch no shared object, so loom adds no interleavings for them beyond the wait);
/// under shuttle, whose park may wake spuriously (its DFS would explore that without
/// end), it is a mutex and a condition variable.
#[cfg(not(all(feature = "shuttle", not(loom))))]
#[derive(Debug)]
pub struct Signal {
    waiter: backend::Thread,
    set: Unmodelled<bool>,
}

#[cfg(not(all(feature = "shuttle", not(loom))))]
impl Signal {
    /// A signal for the calling thread to wait on.
    pub fn for_this_thread() -> Signal {
        Signal { waiter: backend::current(), set: Unmodelled::new(false) }
    }

    /// Blocks the thread that made the signal until it is set (at once if it was).
    pub fn wait(&self) {
        while !self.set.with(|set| *set) {
            backend::park();
        }
    }

    /// Sets the signal and wakes its thread.
    pub fn set(&self) {
        self.set.with(|set| *set = true);
        self.waiter.unpark();
    }
}

// A value that holds a facade object hashes as that object's identity: only the stateful
// checker (shuttle) tracks identities; elsewhere nothing is hashed.
macro_rules! hash_as_identity {
    ($($name:ident$(<$t:ident>)?),*) => {$(
        #[cfg(not(all(feature = "shuttle", not(loom))))]
        impl$(<$t>)? Hash for $name$(<$t>)? {
            fn hash<H: Hasher>(&self, _state: &mut H) {}
        }
    )*};
}
hash_as_identity!(Mutex<T>, Condvar, SharedState<T>, Unmodelled<T>, UnmodelledCounter, Signal);

// ---- shuttle: the same API, every access reported to the stateful checker's tracker ----

#[cfg(all(feature = "shuttle", not(loom)))]
pub use self::on_shuttle::{Condvar, Mutex, MutexGuard, SharedState, Signal, Unmodelled, UnmodelledCounter};

#[cfg(all(feature = "shuttle", not(loom)))]
mod on_shuttle {
    use std::fmt;
    use std::hash::{Hash, Hasher};
    use std::ops::{Deref, DerefMut};

    use super::backend;
    use super::tracked::{self, hash128, Kind, Registration};
    use super::Arc;

    /// A value behind a std lock at a fixed address, registered with the tracker.
    struct Cell<T> {
        value: std::sync::Mutex<T>,
        registration: Registration,
    }

    /// The contents of the `Cell<T>` at `cell`, hashed.
    ///
    /// # Safety
    /// `cell` points at a live `Cell<T>`.
    unsafe fn contents<T: Hash>(cell: *const ()) -> u128 {
        let cell = unsafe { &*(cell as *const Cell<T>) };
        match cell.value.try_lock() {
            Ok(value) => hash128(&*value),
            Err(std::sync::TryLockError::Poisoned(value)) => hash128(&*value.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => unreachable!("the tracker reads only objects nobody holds"),
        }
    }

    impl<T: Hash> Cell<T> {
        fn new(value: T, kind: Kind) -> Box<Cell<T>> {
            let mut cell = Box::new(Cell { value: std::sync::Mutex::new(value), registration: Registration::none() });
            let at = &*cell as *const Cell<T> as *const ();
            cell.registration = Registration::new(at, contents::<T>, kind);
            cell
        }
    }

    impl<T: Hash> Cell<T> {
        /// Takes the value's lock and reports the read.
        fn acquire(&self) -> std::sync::MutexGuard<'_, T> {
            self.registration.refuse_if_foreign();
            let value = self.value.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            self.registration.acquired(|| hash128(&*value));
            value
        }
    }

    /// A mutual-exclusion lock shuttle schedules around.
    pub struct Mutex<T> {
        lock: Arc<backend::Mutex<()>>,
        cell: Box<Cell<T>>,
    }

    /// The guard of a locked [`Mutex`].
    pub struct MutexGuard<'a, T> {
        value: Option<std::sync::MutexGuard<'a, T>>,
        lock: Option<backend::MutexGuard<'a, ()>>,
        cell: &'a Cell<T>,
    }

    impl<T: Hash> Mutex<T> {
        /// A mutex holding `value`.
        pub fn new(value: T) -> Self {
            let lock = Arc::new(backend::Mutex::new(()));
            let kind = Kind::Lock(Arc::downgrade(&lock));
            Mutex { lock, cell: Cell::new(value, kind) }
        }

        /// Poisoning is ignored: a panic in the model already ends the execution.
        pub fn lock(&self) -> MutexGuard<'_, T> {
            tracked::unwind_if_drained();
            self.cell.registration.refuse_if_foreign();
            self.cell.registration.attempted();
            let lock = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let value = self.cell.acquire();
            let guard = MutexGuard { value: Some(value), lock: Some(lock), cell: &self.cell };
            tracked::unwind_if_drained();
            guard
        }
    }

    impl<T> Deref for MutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            self.value.as_ref().expect("a guard holds its value")
        }
    }

    impl<T> DerefMut for MutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            self.value.as_mut().expect("a guard holds its value")
        }
    }

    impl<T> Drop for MutexGuard<'_, T> {
        fn drop(&mut self) {
            if self.value.take().is_some() {
                self.cell.registration.released();
            }
            // shuttle's release is a scheduling point; it comes after the tracker knows.
            if let Some(lock) = self.lock.take() {
                Registration::releasing(true);
                drop(lock);
                Registration::releasing(false);
            }
        }
    }

    /// A condition variable shuttle schedules around.
    pub struct Condvar {
        condvar: Arc<backend::Condvar>,
        registration: Registration,
    }

    /// A condition variable has no contents of its own.
    unsafe fn no_contents(_: *const ()) -> u128 {
        0
    }

    impl Default for Condvar {
        fn default() -> Self {
            Condvar::new()
        }
    }

    impl Condvar {
        /// A condition variable.
        pub fn new() -> Self {
            let condvar = Arc::new(backend::Condvar::new());
            let at = Arc::as_ptr(&condvar) as *const ();
            let registration = Registration::new(at, no_contents, Kind::Condvar(Arc::downgrade(&condvar)));
            Condvar { condvar, registration }
        }

        /// Releases `guard`'s lock and waits for a notification; takes the lock again.
        pub fn wait<'a, T: Hash>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            tracked::unwind_if_drained();
            let cell = guard.cell;
            drop(guard.value.take());
            self.registration.wait_begins(&cell.registration);
            let lock = guard.lock.take().expect("a guard holds its lock");
            let lock = self.condvar.wait(lock).unwrap_or_else(|poisoned| poisoned.into_inner());
            let value = cell.value.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            self.registration.wait_ends(&cell.registration, || hash128(&*value));
            guard.value = Some(value);
            guard.lock = Some(lock);
            tracked::unwind_if_drained();
            guard
        }

        /// Wakes every waiter.
        pub fn notify_all(&self) {
            tracked::unwind_if_drained();
            self.registration.notified_all();
            self.condvar.notify_all();
            tracked::unwind_if_drained();
        }
    }

    /// State shared between model threads, each access a short section of its own: a
    /// scheduling point before each, as loom has one. (shuttle's DFS once ran two such
    /// sections with no scheduling point between them as one, and so could miss an
    /// interleaving of them.)
    pub struct SharedState<T>(Mutex<T>);

    impl<T: Hash> SharedState<T> {
        /// Shared state holding `value`.
        pub fn new(value: T) -> Self {
            SharedState(Mutex::new(value))
        }

        /// Runs `f` on the state; `f` makes no WFP call and takes no other lock but a
        /// `SharedState` taken in the one order its owner documents.
        pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
            let mut guard = self.0.lock();
            f(&mut guard)
        }
    }

    /// Model state no checker schedules (see the module docs for when that is sound); the
    /// stateful checker tracks it like any other object.
    pub struct Unmodelled<T>(Box<Cell<T>>);

    impl<T: Hash> Unmodelled<T> {
        /// An unmodelled lock holding `value`.
        pub fn new(value: T) -> Self {
            Unmodelled(Cell::new(value, Kind::State))
        }

        /// Runs `f` on the value, under the lock.
        pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
            tracked::unwind_if_drained();
            let mut value = self.0.acquire();
            let result = f(&mut value);
            drop(value);
            self.0.registration.released();
            result
        }
    }

    /// A counter no checker schedules (see the module docs for when that is sound).
    pub struct UnmodelledCounter(Unmodelled<u64>);

    impl UnmodelledCounter {
        /// A counter starting at `value`.
        pub fn new(value: u64) -> Self {
            UnmodelledCounter(Unmodelled::new(value))
        }

        /// Subtracts one and returns the new value.
        pub fn decrement(&self) -> u64 {
            self.0.with(|n| {
                *n -= 1;
                *n
            })
        }
    }

    /// A one-time signal that wakes the thread that made it: how a call waiting for the
    /// transaction lock is woken. shuttle's park may wake spuriously, which its DFS would
    /// explore without end, so here it is a mutex and a condition variable.
    pub struct Signal {
        set: Mutex<bool>,
        changed: Condvar,
    }

    impl Signal {
        /// A signal for the calling thread to wait on.
        pub fn for_this_thread() -> Signal {
            Signal { set: Mutex::new(false), changed: Condvar::new() }
        }

        /// Blocks the thread that made the signal until it is set (at once if it was).
        pub fn wait(&self) {
            let mut set = self.set.lock();
            while !*set {
                set = self.changed.wait(set);
            }
        }

        /// Sets the signal and wakes its thread.
        pub fn set(&self) {
            *self.set.lock() = true;
            self.changed.notify_all();
        }
    }

    // A value that holds a facade object hashes as that object's identity.
    impl<T> Hash for Mutex<T> {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.cell.registration.hash_identity(state)
        }
    }
    impl Hash for Condvar {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.registration.hash_identity(state)
        }
    }
    impl<T> Hash for SharedState<T> {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.0.hash(state)
        }
    }
    impl<T> Hash for Unmodelled<T> {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.0.registration.hash_identity(state)
        }
    }
    impl Hash for UnmodelledCounter {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.0.hash(state)
        }
    }
    impl Hash for Signal {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.set.hash(state)
        }
    }

    macro_rules! debug_as {
        ($($name:ident$(<$t:ident>)?: $what:literal),*) => {$(
            impl$(<$t>)? fmt::Debug for $name$(<$t>)? {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str($what)
                }
            }
        )*};
    }
    debug_as!(Mutex<T>: "Mutex", Condvar: "Condvar", SharedState<T>: "SharedState", Unmodelled<T>: "Unmodelled",
              UnmodelledCounter: "UnmodelledCounter", Signal: "Signal");

    impl<T: Hash + Default> Default for Mutex<T> {
        fn default() -> Self {
            Mutex::new(T::default())
        }
    }
    impl<T: Hash + Default> Default for SharedState<T> {
        fn default() -> Self {
            SharedState::new(T::default())
        }
    }
    impl<T: Hash + Default> Default for Unmodelled<T> {
        fn default() -> Self {
            Unmodelled::new(T::default())
        }
    }
}

/// Threads of the model.
pub mod thread {
    use std::hash::Hash;

    use super::backend;

    /// A spawned thread, to join.
    pub struct JoinHandle<T>(backend::JoinHandle<T>);

    /// Spawns a model thread running `body`.
    pub fn spawn<F, T>(body: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        #[cfg(all(feature = "shuttle", not(loom)))]
        {
            let child = super::tracked::spawning();
            let handle = JoinHandle(backend::spawn(move || {
                super::tracked::started(child);
                let result = body();
                super::tracked::finished();
                result
            }));
            super::tracked::unwind_if_drained();
            handle
        }
        #[cfg(not(all(feature = "shuttle", not(loom))))]
        JoinHandle(backend::spawn(body))
    }

    impl<T: Hash> JoinHandle<T> {
        /// The thread's result, or the payload of its panic.
        pub fn join(self) -> std::thread::Result<T> {
            let joined = self.0.join();
            #[cfg(all(feature = "shuttle", not(loom)))]
            if let Ok(result) = &joined {
                super::tracked::joined(super::tracked::hash128(result));
            }
            joined
        }
    }

    /// Waits for every spawned thread to end under loom and real threads; a thread's panic
    /// goes on in the caller. loom needs the join to know that what follows comes after
    /// every thread's last step (its DPOR would otherwise try to reorder them). shuttle's
    /// DFS explores every order of the threads' ends anyway, and a join there only adds
    /// scheduling points, so under shuttle this does nothing.
    pub fn join_all(handles: Vec<JoinHandle<()>>) {
        #[cfg(not(all(feature = "shuttle", not(loom))))]
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        #[cfg(all(feature = "shuttle", not(loom)))]
        drop(handles);
    }

    /// Runs a model thread's `body`. Under the stateful checker a pruned execution (one
    /// that reached a state already explored) unwinds each thread at its next facade call;
    /// this ends the thread there. Anything else `body` raises goes on.
    pub fn unless_pruned(body: impl FnOnce()) {
        #[cfg(all(feature = "shuttle", not(loom)))]
        if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
            if !payload.is::<super::tracked::Pruned>() {
                std::panic::resume_unwind(payload);
            }
            super::tracked::wake_waiters();
        }
        #[cfg(not(all(feature = "shuttle", not(loom))))]
        body()
    }

    /// A short busy wait: spins without yielding. Under loom and shuttle it is nothing at
    /// all (no scheduling point: the checker may or may not run another thread first, as
    /// a real processor may or may not); with real threads it spins for a moment.
    pub fn busy_wait() {
        #[cfg(not(any(loom, feature = "shuttle")))]
        for _ in 0..BUSY_WAIT_SPINS {
            std::hint::spin_loop();
        }
    }

    /// How long a busy wait spins with real threads.
    pub const BUSY_WAIT_SPINS: u32 = 1_000;

    /// Let another thread run. loom keeps the yielding thread off the processor until
    /// another thread has been scheduled (so does the stateful checker); std and real
    /// schedulers promise nothing.
    pub fn yield_now() {
        #[cfg(all(feature = "shuttle", not(loom)))]
        super::tracked::yielded();
        backend::yield_now();
        #[cfg(all(feature = "shuttle", not(loom)))]
        super::tracked::unwind_if_drained();
    }

    /// Whether the calling thread is unwinding from a panic (under every checker a model
    /// thread's panic unwinds on the OS thread running it).
    pub fn panicking() -> bool {
        std::thread::panicking()
    }
}

/// Lets worker threads start together, as the stress test starts its threads.
/// Real threads wait at a barrier; under loom and shuttle it is nothing, since the checker
/// explores every start order anyway and a barrier would only add scheduling points.
#[derive(Debug)]
pub struct StartGate {
    #[cfg(not(any(loom, feature = "shuttle")))]
    barrier: std::sync::Barrier,
}

impl StartGate {
    /// A gate for `threads` threads.
    pub fn new(threads: usize) -> Self {
        let _ = threads;
        StartGate {
            #[cfg(not(any(loom, feature = "shuttle")))]
            barrier: std::sync::Barrier::new(threads),
        }
    }

    /// Waits until every thread has arrived.
    pub fn wait(&self) {
        #[cfg(not(any(loom, feature = "shuttle")))]
        self.barrier.wait();
    }
}

/// What is not model state: the event log (written by the model, read only by the
/// explorer and the properties) and the explorer's own tallies. A std lock on every side;
/// no checker schedules it and no fingerprint holds it.
#[derive(Debug, Default)]
pub struct Untracked<T>(std::sync::Mutex<T>);

impl<T> Untracked<T> {
    /// An untracked lock holding `value`.
    pub const fn new(value: T) -> Self {
        Untracked(std::sync::Mutex::new(value))
    }

    /// Runs `f` on the value, under the lock.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.0.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The explorer's own OS threads and channels, which run outside any model: the watchdog
/// runs each exploration on a thread of its own, and the report explores rows on several. Model code never names them
/// (`checks/facade_scan.rs`), and no checker schedules them.
pub mod outside_model {
    pub use std::sync::atomic::{AtomicUsize, Ordering};
    pub use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
    pub use std::sync::{Mutex, OnceLock};
    pub use std::thread::{available_parallelism, scope, Builder, JoinHandle};
}

/// Set-up run once per process, outside any model (the explorer's panic hook).
#[derive(Debug)]
pub struct ProcessOnce(std::sync::Once);

impl Default for ProcessOnce {
    fn default() -> Self {
        ProcessOnce::new()
    }
}

impl ProcessOnce {
    /// Not run yet.
    pub const fn new() -> Self {
        ProcessOnce(std::sync::Once::new())
    }

    /// Runs `f` once, whichever thread calls first.
    pub fn call_once(&self, f: impl FnOnce()) {
        self.0.call_once(f)
    }
}
