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
//! - [`Unmodelled`]: a std lock on every side, which the checkers do not see. It is only
//!   ever taken and released inside one modelled critical section, or while only one
//!   thread runs, or for state only one thread touches, and never held across a modelled
//!   operation; model threads never run at the same time under loom or shuttle, so it
//!   adds no interleaving and costs nothing. The event log and the explorer's counters
//!   use it.
//! - [`SharedState`]: state several model threads touch in short sections of their own:
//!   loom's mutex under loom (its DPOR must see every access), a lock shuttle does not
//!   schedule under shuttle (its DFS explores every order of such sections anyway).
//! - [`outside_model`], [`ProcessOnce`]: the explorer's own OS threads and set-up, never
//!   used by model code. Designs use none of these four (`wfpcheck::scan` refuses them).

#[cfg(all(loom, feature = "shuttle"))]
compile_error!("choose one checker: `--cfg loom` or `--features shuttle`, not both");

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

pub use std::sync::{Arc, Weak};

/// A mutual-exclusion lock the checker schedules around.
#[derive(Debug, Default)]
pub struct Mutex<T>(backend::Mutex<T>);

/// The guard of a locked [`Mutex`].
pub type MutexGuard<'a, T> = backend::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// A mutex holding `value`.
    pub fn new(value: T) -> Self {
        Mutex(backend::Mutex::new(value))
    }

    /// Poisoning is ignored: a panic in the model already ends the execution.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A condition variable the checker schedules around.
#[derive(Debug, Default)]
pub struct Condvar(backend::Condvar);

impl Condvar {
    /// A condition variable.
    pub fn new() -> Self {
        Condvar(backend::Condvar::new())
    }

    /// Releases `guard`'s lock and waits for a notification; takes the lock again.
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.0.wait(guard).unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        self.0.notify_all()
    }
}

/// Threads of the model.
pub mod thread {
    use super::backend;

    /// A spawned thread, to join.
    pub struct JoinHandle<T>(backend::JoinHandle<T>);

    /// Spawns a model thread running `body`.
    pub fn spawn<F, T>(body: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        JoinHandle(backend::spawn(body))
    }

    impl<T> JoinHandle<T> {
        /// The thread's result, or the payload of its panic.
        pub fn join(self) -> std::thread::Result<T> {
            self.0.join()
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
    /// another thread has been scheduled; std and real schedulers promise nothing.
    pub fn yield_now() {
        backend::yield_now()
    }

    /// Whether the calling thread is unwinding from a panic (under every checker a model
    /// thread's panic unwinds on the OS thread running it).
    pub fn panicking() -> bool {
        std::thread::panicking()
    }
}

/// A one-time signal that wakes the thread that made it: how a call waiting for the
/// transaction lock is woken. Under loom and std it parks the thread (park and unpark
/// touch no shared object, so loom adds no interleavings for them beyond the wait);
/// shuttle's park may wake spuriously, which its DFS would explore without end, so
/// there it is a mutex and a condition variable, which do not.
#[derive(Debug)]
pub struct Signal {
    #[cfg(not(all(feature = "shuttle", not(loom))))]
    waiter: backend::Thread,
    #[cfg(not(all(feature = "shuttle", not(loom))))]
    set: Unmodelled<bool>,
    #[cfg(all(feature = "shuttle", not(loom)))]
    set: backend::Mutex<bool>,
    #[cfg(all(feature = "shuttle", not(loom)))]
    changed: backend::Condvar,
}

impl Signal {
    /// A signal for the calling thread to wait on.
    pub fn for_this_thread() -> Signal {
        Signal {
            #[cfg(not(all(feature = "shuttle", not(loom))))]
            waiter: backend::current(),
            #[cfg(not(all(feature = "shuttle", not(loom))))]
            set: Unmodelled::new(false),
            #[cfg(all(feature = "shuttle", not(loom)))]
            set: backend::Mutex::new(false),
            #[cfg(all(feature = "shuttle", not(loom)))]
            changed: backend::Condvar::new(),
        }
    }

    /// Blocks the thread that made the signal until it is set (at once if it was).
    pub fn wait(&self) {
        #[cfg(not(all(feature = "shuttle", not(loom))))]
        while !self.set.with(|set| *set) {
            backend::park();
        }
        #[cfg(all(feature = "shuttle", not(loom)))]
        {
            let mut set = self.set.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            while !*set {
                set = self.changed.wait(set).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        }
    }

    /// Sets the signal and wakes its thread.
    pub fn set(&self) {
        #[cfg(not(all(feature = "shuttle", not(loom))))]
        {
            self.set.with(|set| *set = true);
            self.waiter.unpark();
        }
        #[cfg(all(feature = "shuttle", not(loom)))]
        {
            *self.set.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = true;
            self.changed.notify_all();
        }
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

/// A lock the checkers do not see (see the module docs for when that is sound).
#[derive(Debug, Default)]
pub struct Unmodelled<T>(std::sync::Mutex<T>);

impl<T> Unmodelled<T> {
    /// An unmodelled lock holding `value`.
    pub const fn new(value: T) -> Self {
        Unmodelled(std::sync::Mutex::new(value))
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

/// State shared between model threads, each access a short section with no scheduling
/// point inside (netebpfext's filter contexts). loom must see every access: its DPOR
/// prunes the orders of accesses it cannot see. shuttle's DFS has no such reduction: it
/// explores every order of the sections between its own scheduling points, so there a
/// lock the checker does not schedule is enough, and costs no interleavings. Real
/// threads take a real lock.
#[derive(Debug, Default)]
pub struct SharedState<T> {
    #[cfg(loom)]
    lock: backend::Mutex<T>,
    #[cfg(not(loom))]
    lock: std::sync::Mutex<T>,
}

impl<T> SharedState<T> {
    /// Shared state holding `value`.
    pub fn new(value: T) -> Self {
        SharedState {
            #[cfg(loom)]
            lock: backend::Mutex::new(value),
            #[cfg(not(loom))]
            lock: std::sync::Mutex::new(value),
        }
    }

    /// Runs `f` on the state; `f` makes no WFP call and takes no other lock but a
    /// `SharedState` taken in the one order its owner documents.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

/// The explorer's own OS threads and channels, which run outside any model: the watchdog
/// runs each exploration on a thread of its own. Model code never names them
/// (`checks/facade_scan.rs`), and no checker schedules them.
pub mod outside_model {
    pub use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
    pub use std::thread::{available_parallelism, Builder, JoinHandle};
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

/// A counter the checkers do not see (see the module docs for when that is sound).
#[derive(Debug, Default)]
pub struct UnmodelledCounter(std::sync::atomic::AtomicU64);

impl UnmodelledCounter {
    /// A counter starting at `value`.
    pub const fn new(value: u64) -> Self {
        UnmodelledCounter(std::sync::atomic::AtomicU64::new(value))
    }

    /// Subtracts one and returns the new value.
    pub fn decrement(&self) -> u64 {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) - 1
    }
}
