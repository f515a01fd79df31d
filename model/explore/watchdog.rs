//! The watchdog: runs an exploration on an OS thread of its own, and gives up on it when
//! one execution runs longer than `execution_duration_max` of real time, or the whole
//! exploration longer than `duration_max` plus that. A model thread blocked on a lock
//! the checker cannot see would otherwise hang the tool for good; an abandoned
//! exploration's thread is left where it is (the process ends it), and its report is
//! inconclusive, with the reason.

use std::time::{Duration, Instant};

use super::{Report, Settings};
use crate::sync::outside_model::{channel, Builder, RecvTimeoutError};
use crate::sync::{Arc, Untracked};

/// How often the watchdog looks at the exploration it watches.
const POLL: Duration = Duration::from_millis(50);

/// The stack of an exploration's thread (loom and shuttle run the model on it).
const STACK_BYTES: usize = 32 << 20;

/// What the watchdog sees of the exploration it watches.
#[derive(Debug)]
pub(crate) struct Watch(Untracked<Beat>);

#[derive(Debug)]
struct Beat {
    execution: u64,
    since: Instant,
    abandoned: bool,
}

impl Watch {
    pub fn new() -> Watch {
        Watch(Untracked::new(Beat { execution: 0, since: Instant::now(), abandoned: false }))
    }

    /// Execution `execution` (as its exploration counts them) begins; `false` if the
    /// watchdog has given up on the exploration.
    pub fn beat(&self, execution: u64) -> bool {
        self.0.with(|beat| {
            beat.execution = execution;
            beat.since = Instant::now();
            !beat.abandoned
        })
    }

    /// Why the exploration is to be given up, if it is.
    fn overdue(&self, settings: &Settings, started: Instant) -> Option<String> {
        self.0.with(|beat| {
            let execution = beat.since.elapsed();
            if beat.execution > 0 && execution > settings.execution_duration_max {
                return Some(format!(
                    "execution {} ran for more than {} s of real time (execution_duration_max) without finishing: \
                     a model thread is blocked on, or spins around, something the checker does not schedule, such \
                     as a std lock, an atomic or a thread of its own",
                    beat.execution,
                    settings.execution_duration_max.as_secs_f64()
                ));
            }
            let limit = settings.duration_max + settings.execution_duration_max;
            (started.elapsed() > limit).then(|| {
                format!(
                    "the exploration ran for more than {} s of real time (duration_max and execution_duration_max)",
                    limit.as_secs_f64()
                )
            })
        })
    }

    fn abandon(&self) {
        self.0.with(|beat| beat.abandoned = true)
    }
}

/// Runs `explore` on a thread of its own under `watch`; `Err` with the reason when the
/// watchdog gave up on it.
pub(crate) fn run(
    watch: &Arc<Watch>,
    settings: &Settings,
    explore: impl FnOnce() -> Report + Send + 'static,
) -> Result<Report, String> {
    let (sender, receiver) = channel();
    let thread = Builder::new()
        .name("wfpcheck-exploration".to_string())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let _ = sender.send(explore());
        })
        .expect("the exploration's thread starts");
    let started = Instant::now();
    loop {
        match receiver.recv_timeout(POLL) {
            Ok(report) => {
                let _ = thread.join();
                return Ok(report);
            }
            Err(RecvTimeoutError::Disconnected) => match thread.join() {
                Err(payload) => std::panic::resume_unwind(payload),
                Ok(()) => unreachable!("the exploration's thread sends its report before it ends"),
            },
            Err(RecvTimeoutError::Timeout) => {
                if let Some(why) = watch.overdue(settings, started) {
                    watch.abandon();
                    return Err(why);
                }
            }
        }
    }
}
