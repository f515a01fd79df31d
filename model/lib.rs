//! wfpcheck: a deterministic concurrency model of the Windows Filtering Platform engine and
//! of eBPF for Windows' netebpfext attach and detach paths, explored under loom, shuttle or
//! real threads. See `docs/ARCHITECTURE.md` for the codemap.

pub mod faults;
pub mod log;
pub mod sync;
pub mod wfp;
pub mod designs;
pub mod netebpfext;
pub mod explore;
pub mod properties;
pub mod scenarios;
