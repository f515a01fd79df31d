//! The facade is the one switch point: nothing in `model/` but `model/sync.rs` names
//! std's, loom's or shuttle's synchronisation or threads.

use std::path::{Path, PathBuf};

const FORBIDDEN: &[&str] =
    &["std::sync", "std::thread", "loom::sync", "loom::thread", "shuttle::sync", "shuttle::thread"];
const FACADE: &str = "model/sync.rs";

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn model_names_sync_and_threads_only_through_the_facade() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("model"), &mut files);
    assert!(files.len() > 10, "found only {} files under model/", files.len());
    let mut offenders = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root).expect("under the root").to_string_lossy().replace('\\', "/");
        if relative == FACADE {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("readable");
        for (number, line) in text.lines().enumerate() {
            for forbidden in FORBIDDEN {
                if line.contains(forbidden) {
                    offenders.push(format!("{relative}:{}: {}", number + 1, line.trim()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "only {FACADE} may name these:\n{}", offenders.join("\n"));
}

#[test]
fn the_facade_names_each_checker() {
    let facade = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FACADE)).expect("the facade");
    for backend in ["loom::sync", "shuttle::sync", "std::sync", "compile_error!"] {
        assert!(facade.contains(backend), "the facade does not name {backend}");
    }
}
