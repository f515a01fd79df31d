//! wfpcheck: a deterministic concurrency model of the Windows Filtering Platform engine and
//! of eBPF for Windows' netebpfext attach and detach paths, explored under loom, shuttle or
//! real threads. See `docs/ARCHITECTURE.md` for the codemap.
//!
//! The API a user relies on to write a design, a scenario or a property, and to check
//! them: [`designs`] (the `Design` trait and the built-in designs), [`netebpfext`] (the
//! `Driver` a body runs through), [`wfp`] (the engine, its events and fault plans),
//! [`scenarios`], [`properties`], [`explore`] (one exploration and its `Report`),
//! [`assert`](mod@assert) (`assert_verdicts`), [`assumptions`], [`sync`] (the facade a design's
//! locks come from) and [`scan`]. Every public item of those is documented
//! (`missing_docs`). The report command's own modules (`cli`, `render`, `sweep`,
//! `expectations`) are public for the binary and the project's checks only, hidden
//! from the docs, and may change without notice.

#![warn(missing_docs)]

pub mod assert;
pub mod assumptions;
pub mod designs;
pub mod explore;
pub mod netebpfext;
pub mod properties;
pub mod scan;
pub mod scenarios;
pub mod sync;
pub mod wfp;

#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod expectations;
#[doc(hidden)]
pub mod render;
#[doc(hidden)]
pub mod sweep;
