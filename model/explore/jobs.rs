//! Independent explorations at once, their results in the order one at a time gives
//! them: in several processes (`--jobs`'s sweep), or on several threads of this one
//! (the report's rows, under shuttle's runtime).
//!
//! Processes for loom: loom maps a fresh stack for every model thread of every
//! execution, and explorations that share one address space contend on the kernel's
//! mapping lock (measured: a sweep took 22 s as one thread, 30 s as two). shuttle keeps
//! its stacks for the next execution, so its explorations can share a process.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::sync::outside_model::{available_parallelism, channel, scope, AtomicUsize, Ordering};

/// At most this many jobs.
pub const JOBS_MAX: usize = 256;

/// The machine's cores (1 if it cannot say): `--jobs`'s default.
pub fn cores() -> usize {
    available_parallelism().map_or(1, |n| n.get()).min(JOBS_MAX)
}

/// Runs `exe` once per job with `args_of(job)` (job from 1), all at once, stderr shared;
/// returns each one's stdout in job order, or why one did not finish.
pub fn fan_out(exe: &Path, jobs: usize, args_of: impl Fn(usize) -> Vec<String>) -> Result<Vec<String>, String> {
    assert!((1..=JOBS_MAX).contains(&jobs), "1 to {JOBS_MAX} jobs");
    let mut children = Vec::new();
    for job in 1..=jobs {
        let child = Command::new(exe)
            .args(args_of(job))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("job {job} of {jobs} did not start ({}): {e}", exe.display()))?;
        children.push(child);
    }
    let mut outputs = Vec::new();
    for (index, mut child) in children.into_iter().enumerate() {
        let mut out = String::new();
        let read = child.stdout.take().expect("piped").read_to_string(&mut out);
        let status = child.wait().map_err(|e| format!("job {} of {jobs}: {e}", index + 1))?;
        read.map_err(|e| format!("job {} of {jobs}: its output: {e}", index + 1))?;
        // 0 and 1 are verdicts; anything else means the job itself went wrong.
        if !matches!(status.code(), Some(0 | 1)) {
            return Err(format!("job {} of {jobs} ended with {status}", index + 1));
        }
        outputs.push(out);
    }
    Ok(outputs)
}

/// `explore(item)` for every item, on `workers` threads of this process (each takes the
/// next item not yet taken, so a long one holds up only its own thread); the results in
/// the items' order.
pub fn each_on_threads<I: Sync, T: Send>(items: &[I], workers: usize, explore: impl Fn(&I) -> T + Sync) -> Vec<T> {
    assert!((1..=JOBS_MAX).contains(&workers), "1 to {JOBS_MAX} workers");
    let next = AtomicUsize::new(0);
    let (done, results) = channel();
    scope(|scope| {
        for _ in 0..workers.min(items.len()) {
            let done = done.clone();
            let (next, explore) = (&next, &explore);
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else { break };
                if done.send((index, explore(item))).is_err() {
                    break;
                }
            });
        }
    });
    drop(done);
    let mut results: Vec<(usize, T)> = results.into_iter().collect();
    results.sort_by_key(|(index, _)| *index);
    assert_eq!(results.len(), items.len(), "every item explored once");
    results.into_iter().map(|(_, result)| result).collect()
}
