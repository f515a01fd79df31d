//! The facade is the one switch point, and the scan that enforces it (`wfpcheck::scan`)
//! finds every way to name what the checker cannot see: `model/` names std's, core's,
//! loom's and shuttle's synchronization only in `model/sync.rs`; every design, built in or
//! under `checks/`, names none of it, nor the facade's unmodelled parts; and the scan's
//! own rules, case by case.

use std::path::Path;

#[path = "support/sources.rs"]
mod sources;
use sources::rust_files;

use wfpcheck::scan::{self, Finding, Kind};

const FACADE: &str = "model/sync.rs";
/// The facade's tracker, for the stateful checker: part of the facade.
const TRACKER: &str = "model/sync/tracked.rs";

/// Files under `checks/` that may name std's synchronization, and why: none is a design
/// (the designs that do, the refusal's self-tests, are under `checks/unseen/`).
/// The refusal's self-tests: designs that name what the checker cannot see, each in a
/// directory of its own under this one.
const UNSEEN: &str = "checks/unseen/";

const HARNESS: &[(&str, &str)] = &[
    ("checks/engine_rules.rs", "real OS threads drive the engine in the std build, outside any checker"),
    ("checks/support/facade.rs", "it collects what each execution saw, outside the model"),
    ("checks/support/gate.rs", "its cache of explored rows is shared by the test threads, outside any model"),
];

/// Explorer-side files of `model/` and what each may name beyond the model's rules.
const EXPLORER: &[(&str, &str)] = &[
    ("model/explore/panics.rs", "thread_local!"),
    ("model/explore/watchdog.rs", "outside_model"),
    ("model/explore/jobs.rs", "outside_model"),
    ("model/explore/mod.rs", "outside_model"),
];

/// Files of `model/` that read a reference count, what they read, and why no verdict
/// depends on it.
const MODEL_COUNTS: &[(&str, &str, &str)] = &[(
    "model/netebpfext/mod.rs",
    "upgrade",
    "a callout's notify holds the extension weakly, so the engine does not keep it alive; the \
     extension outlives every model thread, so while one runs the upgrade cannot fail",
)];

/// Every Rust file under `dir`, with its path relative to the crate root and its findings.
fn scanned(dir: &str) -> Vec<(String, Vec<Finding>)> {
    let files = rust_files(dir);
    assert!(files.len() > 5, "found only {} files under {dir}/", files.len());
    files.into_iter().map(|(file, text)| (file, scan::scan(&text))).collect()
}

fn listed(offenders: &[String]) -> String {
    offenders.join("\n")
}

#[test]
fn model_names_sync_and_threads_only_through_the_facade() {
    let mut offenders = Vec::new();
    for (file, findings) in scanned("model") {
        if file == FACADE || file == TRACKER {
            continue;
        }
        let allowed = EXPLORER.iter().find(|(f, _)| *f == file).map(|(_, names)| *names);
        for finding in findings {
            let ok = match finding.kind {
                Kind::ForeignSync => false,
                // The model's own bookkeeping may use the unmodelled lock (`model/sync.rs` says when).
                Kind::UnmodelledFacade => finding.names != "outside_model" || allowed == Some("outside_model"),
                Kind::HiddenState => allowed == Some(finding.names.as_str()),
                Kind::ReferenceCount => MODEL_COUNTS.iter().any(|(f, n, _)| *f == file && *n == finding.names),
            };
            if !ok {
                offenders.push(format!("{file}: {finding}"));
            }
        }
    }
    assert!(offenders.is_empty(), "only {FACADE} and {TRACKER} may name these:\n{}", listed(&offenders));
}

#[test]
fn designs_name_nothing_the_checker_cannot_see() {
    let mut offenders = Vec::new();
    let mut designs = 0;
    for (file, findings) in scanned("model/designs").into_iter().chain(scanned("checks")) {
        if HARNESS.iter().any(|(f, _)| *f == file) || file.starts_with(UNSEEN) {
            continue;
        }
        designs += 1;
        offenders.extend(findings.iter().map(|finding| format!("{file}: {finding}")));
    }
    assert!(designs > 10, "scanned only {designs} files");
    assert!(offenders.is_empty(), "designs and checks must use wfpcheck::sync only:\n{}", listed(&offenders));
}

/// Each file allowed to name std's synchronization still does, so the list cannot go stale.
#[test]
fn every_harness_exemption_is_needed() {
    let checks = scanned("checks");
    for (file, why) in HARNESS {
        let (_, findings) = checks.iter().find(|(f, _)| f == file).unwrap_or_else(|| panic!("{file} is gone"));
        assert!(!findings.is_empty(), "{file} is exempt ({why}) but names nothing: drop it from the list");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(root.join(UNSEEN)).expect("checks/unseen/") {
        let dir = entry.expect("an entry").path();
        if dir.is_dir() {
            let found = scan::scan_dir(&dir).expect("readable");
            assert!(!found.is_empty(), "{} is a self-test of the refusal but names nothing", dir.display());
        }
    }
}

#[test]
fn the_facade_names_each_checker() {
    let facade = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FACADE)).expect("the facade");
    for backend in ["loom::sync", "shuttle::sync", "std::sync", "compile_error!"] {
        assert!(facade.contains(backend), "the facade does not name {backend}");
    }
}

/// The scan's findings for `source`, as `line: names`.
fn check(source: &str, expected: &[&str]) {
    let found: Vec<String> = scan::scan(source).iter().map(|f| format!("{}: {}", f.line, f.names)).collect();
    assert_eq!(found, expected, "in:\n{source}");
}

#[test]
fn paths_to_std_core_and_alloc_sync() {
    check("use std::sync::Mutex;", &["1: std::sync::Mutex"]);
    check("let m = ::std::sync::Mutex::new(0);", &["1: std::sync::Mutex::new"]);
    check("static F: core::sync::atomic::AtomicBool = todo!();", &["1: core::sync::atomic::AtomicBool"]);
    check("fn f() { std::thread::spawn(|| ()); }", &["1: std::thread::spawn"]);
    check("use alloc::sync::Arc;", &["1: alloc::sync::Arc"]);
    check("use std :: sync\n :: Mutex;", &["1: std::sync::Mutex"]);
}

/// Whatever reads an `Arc`'s or a `Weak`'s count, however it is called; another type's
/// functions of the same names only as methods.
#[test]
fn reference_counts() {
    check("while Arc::strong_count(&token) > 1 {}", &["1: strong_count"]);
    check("let n = sync::Arc::weak_count(&a);", &["1: weak_count"]);
    check("if let Some(s) = weak.upgrade() {}\nlet n = weak.strong_count();", &["1: upgrade", "2: strong_count"]);
    check("let v = Arc::try_unwrap(a);\nlet m = Arc::get_mut(&mut b);", &["1: try_unwrap", "2: get_mut"]);
    check("type Token = Arc<()>;\nToken::into_inner(t);", &["2: into_inner"]);
    check("<Arc<()>>::make_mut(&mut a);", &["1: make_mut"]);
    check("let v = map.get_mut(&k);\nlet x = mutex.into_inner();", &[]);
    check("fn upgrade(&self) {}\nlet w = Arc::downgrade(&a);", &[]);
}

#[test]
fn grouped_imports_and_aliases() {
    check("use std::{io, sync::{Arc, Mutex}};", &["1: std::{sync, ..}"]);
    check("use std::{\n    collections::BTreeMap,\n    thread,\n};", &["1: std::{thread, ..}"]);
    check("use std as s;\nfn f() { s::sync::Mutex::new(()); }", &["1: std as s"]);
    check("extern crate core as c;", &["1: core as c"]);
}

#[test]
fn crates_with_locks_of_their_own() {
    check("use parking_lot::Mutex;", &["1: parking_lot::Mutex"]);
    check("let l = spin::Mutex::new(());", &["1: spin::Mutex::new"]);
    check("use crossbeam;", &["1: crossbeam"]);
    check("let (tx, rx) = crossbeam_channel::unbounded::<u8>();", &["1: crossbeam_channel::unbounded"]);
    check("use loom::sync::Mutex;\nuse shuttle::thread;", &["1: loom::sync::Mutex", "2: shuttle::thread"]);
}

#[test]
fn state_shared_without_a_lock() {
    check("thread_local! { static X: u8 = 0; }", &["1: thread_local!"]);
    check("static mut COUNT: u32 = 0;", &["1: static mut"]);
    check("struct S;\nunsafe impl Sync for S {}", &["2: unsafe impl Sync"]);
    check("unsafe impl<T> Send for W<T> {}", &["1: unsafe impl Send"]);
    check("use wfpcheck::sync::{Arc, Unmodelled};", &["1: Unmodelled"]);
    check("wfpcheck::sync::outside_model::channel::<u8>();", &["1: outside_model"]);
}

#[test]
fn what_is_not_a_finding() {
    check("use wfpcheck::sync::{thread, Arc, Mutex};\nuse crate::sync::Mutex;", &[]);
    check("// std::sync::Mutex in a comment\n/* and std::thread /* nested */ here */", &[]);
    check(r####"let s = "std::sync::Mutex"; let r = r#"std::thread "quoted""#;"####, &[]);
    check("fn f<'a>(x: &'a str) -> char { 'x' }", &[]);
    check("use my::std::sync::Thing;", &[]);
    check("static S: u8 = 0; unsafe impl Zeroable for S {}", &[]);
    check("let spin = 3; let tokio = spin + 1;", &[]);
}

#[test]
fn a_finding_says_where_and_why() {
    let finding = scan::scan("\n\nuse std::sync::Mutex;").remove(0);
    assert_eq!(finding.kind, Kind::ForeignSync);
    assert_eq!(
        finding.to_string(),
        "line 3: `std::sync::Mutex`: synchronization the checker does not schedule; use wfpcheck::sync"
    );
}

/// `model/netebpfext/` runs whatever bodies the design gives and never asks which design
/// it is: no design's name, no downcast of a design or its state, no built-in design named.
#[test]
fn netebpfext_never_asks_which_design_runs() {
    let files = rust_files("model/netebpfext");
    assert!(files.len() >= 3, "found only {} files under model/netebpfext/", files.len());
    let designs: Vec<&'static str> = wfpcheck::designs::builtin().iter().map(|d| d.name()).collect();
    let mut offenders = Vec::new();
    for (file, text) in files {
        for word in ["design.name()", ".name() ==", "downcast", "type_id", "TypeId"].iter().chain(&designs) {
            if text.contains(&format!("\"{word}\"")) || (!designs.contains(word) && text.contains(word)) {
                offenders.push(format!("{file}: {word}"));
            }
        }
    }
    assert!(offenders.is_empty(), "netebpfext asks which design runs:\n{}", offenders.join("\n"));
}

/// The files of `model/` that may ask which checker runs: the facade, the switch and the
/// trait, and the three implementations.
const CHECKER_AWARE: &[&str] = &[
    FACADE,
    TRACKER,
    "model/explore/checker.rs",
    "model/explore/loom.rs",
    "model/explore/shuttle.rs",
    "model/explore/stateful.rs",
    "model/explore/threads.rs",
];

/// What asks which checker runs: a `cfg` on it, a checker named in code (rather than in
/// the expectations' table, where it is data), the switch's `This`, a checker's crate.
const ASKS_WHICH_CHECKER: &[&str] = &[
    "cfg(loom",
    "(loom)",
    "(loom,",
    "feature = \"shuttle\"",
    "cfg!(",
    "CheckerKind::Loom",
    "CheckerKind::Shuttle",
    "CheckerKind::Threads",
    "This::",
    "checker::This",
    "loom::",
    "shuttle::",
];

/// A line of the expectations' table, which names a checker as data: `... Some(CheckerKind::Shuttle) => ...`.
fn is_expectation_row(file: &str, line: &str) -> bool {
    file == "model/expectations.rs" && line.trim_start().starts_with('"') && line.contains(") => ")
}

/// Only the facade and the checker implementations depend on which checker runs: the
/// explorer, the CLI, the benchmarks and the rest go through the `Checker` trait's values.
#[test]
fn only_the_checkers_ask_which_checker_runs() {
    let files = rust_files("model");
    let mut offenders = Vec::new();
    let mut aware_asks = vec![false; CHECKER_AWARE.len()];
    for (file, text) in files {
        let code = text.lines().enumerate().filter(|(_, line)| !line.trim_start().starts_with("//"));
        for (n, line) in code {
            let Some(word) = ASKS_WHICH_CHECKER.iter().find(|word| line.contains(**word)) else { continue };
            if let Some(at) = CHECKER_AWARE.iter().position(|f| *f == file) {
                aware_asks[at] = true;
            } else if !is_expectation_row(&file, line) {
                offenders.push(format!("{file}:{}: {word}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "only {} may ask which checker runs:\n{}",
        CHECKER_AWARE.join(", "),
        listed(&offenders)
    );
    for (file, asks) in CHECKER_AWARE.iter().zip(aware_asks) {
        assert!(asks, "{file} may ask which checker runs but does not: drop it from the list");
    }
}

#[test]
fn asking_which_checker_runs_is_found() {
    let finds = |line: &str| ASKS_WHICH_CHECKER.iter().any(|word| line.contains(*word));
    for line in [
        "#[cfg(loom)]",
        "#[cfg(all(feature = \"shuttle\", not(loom)))]",
        "if cfg!(loom) {",
        "if RUNNING == CheckerKind::Loom {",
        "let bound = This::nominal(settings);",
        "crate::explore::checker::This::replay(..)",
        "let r = shuttle::replay(..);",
    ] {
        assert!(finds(line), "not found: {line}");
    }
    assert!(!finds("if explore::BOUNDS_PREEMPTIONS {"), "a capability is not the checker's name");
    assert!(is_expectation_row(
        "model/expectations.rs",
        "    \"naive\" \"two_attach\" \"*\" Some(CheckerKind::Shuttle) => Sampled: SAMPLED;"
    ));
    assert!(!is_expectation_row("model/expectations.rs", "    if RUNNING == CheckerKind::Loom {"));
}
