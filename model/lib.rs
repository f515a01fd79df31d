//! wfpcheck: a deterministic concurrency model of the Windows Filtering Platform engine and
//! of eBPF for Windows' netebpfext attach and detach paths, explored under loom, shuttle or
//! real threads. See `docs/ARCHITECTURE.md` for the codemap.

pub mod assert;
pub mod assumptions;
pub mod cli;
pub mod designs;
pub mod expectations;
pub mod explore;
pub mod netebpfext;
pub mod properties;
pub mod render;
pub mod scan;
pub mod scenarios;
pub mod sweep;
pub mod sync;
pub mod wfp;
