//! The crate's own Rust sources, as the structural checks read them: `wfpcheck::scan`'s
//! reader, the one the design scan uses, with paths from the crate root.

/// Every `.rs` file under the crate's directory `dir` (`model`), in path order: its path
/// from the crate root (`model/sync.rs`) and its text.
pub fn rust_files(dir: &str) -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let files = wfpcheck::scan::rust_files(&root).unwrap_or_else(|why| panic!("{dir}/: {why}"));
    files.into_iter().map(|(file, text)| (format!("{dir}/{file}"), text)).collect()
}
