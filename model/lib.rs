//! wfpcheck: a deterministic concurrency model of the Windows Filtering Platform engine and
//! of eBPF for Windows' netebpfext attach and detach paths, explored under loom, shuttle or
//! real threads. See `docs/ARCHITECTURE.md` for the codemap.

pub mod assert;
pub mod assumptions;
pub mod bench;
pub mod cli;
pub mod designs;
pub mod expectations;
pub mod explore;
pub mod faults;
pub mod log;
pub mod netebpfext;
pub mod properties;
pub mod render;
pub mod scan;
pub mod scenarios;
pub mod sensitivity;
pub mod sweep;
pub mod sync;
pub mod wfp;
