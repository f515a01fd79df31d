//! Where a panic came from. A panic hook records each panic's source location, so the
//! explorer classifies an execution's panic by its origin (the checker's own code, or the
//! model and its designs), never by what its message says.

use std::cell::RefCell;
use std::panic;

use crate::sync::ProcessOnce;

/// The source location a panic was raised at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The path as the compiler wrote it, with `/` separators.
    pub file: String,
}

// Real threads have no checker code to raise a panic: nothing there asks where one came
// from, so their build leaves this unused.
#[allow(dead_code)]
impl Origin {
    /// The crate directory and the path inside its `src/`: `("loom-0.7.3", "rt/path.rs")`
    /// for a dependency's file; `None` for this crate's and its tests' relative paths.
    pub fn in_crate(&self) -> Option<(&str, &str)> {
        let at = self.file.rfind("/src/")?;
        let inside = &self.file[at + "/src/".len()..];
        let crate_dir = self.file[..at].rsplit('/').next()?;
        Some((crate_dir, inside))
    }

    /// Whether the panic was raised in the code of the crate named `name` (any version).
    pub fn is_in(&self, name: &str) -> bool {
        self.in_crate()
            .is_some_and(|(dir, _)| dir == name || dir.strip_prefix(name).is_some_and(|rest| rest.starts_with('-')))
    }
}

thread_local! {
    /// The last panic raised on this OS thread. loom and shuttle run every model thread
    /// on the thread that explores, so an execution's panic is recorded where it is read.
    static LAST: RefCell<Option<Origin>> = const { RefCell::new(None) };
}

static HOOK: ProcessOnce = ProcessOnce::new();

/// Installs the recording hook once per process, in front of the hook already there.
pub(crate) fn install() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let origin = info.location().map(|l| Origin { file: l.file().replace('\\', "/") });
            LAST.with(|last| *last.borrow_mut() = origin);
            previous(info);
        }));
    });
}

/// Forgets the last panic (at the start of each execution).
pub(crate) fn clear() {
    LAST.with(|last| last.borrow_mut().take());
}

/// The origin of the last panic raised on this thread, taken (unused by real threads).
#[allow(dead_code)]
pub(crate) fn take() -> Option<Origin> {
    LAST.with(|last| last.borrow_mut().take())
}
