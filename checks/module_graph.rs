//! The modules of `model/` form layers, and none uses a module above it: no cycle, and
//! the WFP engine (`wfp`) uses only the facade and the assumptions, so it knows nothing of
//! netebpfext. Read from every `crate::` path in the code of each file, as the facade's
//! scan reads tokens (`wfpcheck::scan::crate_modules`: comments and literals skipped);
//! the reader's own rules are tested too.

use std::collections::{BTreeMap, BTreeSet};

#[path = "support/sources.rs"]
mod sources;
use sources::rust_files;

use wfpcheck::scan;

/// The layers of `model/`, bottom first: a module uses only modules of lower layers.
const LAYERS: &[&[&str]] = &[
    &["sync", "assumptions", "scan"],
    &["wfp"],
    &["netebpfext"],
    &["designs", "properties"],
    &["scenarios"],
    &["explore"],
    &["expectations"],
    &["render"],
    &["sweep", "assert"],
    &["cli"],
];

/// Each top-level module's uses of other top-level modules, each with where it is.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// The graph of `files` (path under `model/`, source); the crate root and the binary
/// (`lib.rs`, `bin/`) only declare and call the modules.
fn graph(files: &[(String, String)]) -> Graph {
    let mut graph = Graph::new();
    for (path, source) in files {
        if path == "lib.rs" || path.starts_with("bin/") {
            continue;
        }
        let module = path.split('/').next().unwrap_or_default().trim_end_matches(".rs").to_string();
        let used = graph.entry(module.clone()).or_default();
        for (other, line) in scan::crate_modules(source) {
            if other != module {
                used.entry(other).or_insert_with(|| format!("model/{path}:{line}"));
            }
        }
    }
    graph
}

fn model_graph() -> Graph {
    let files: Vec<(String, String)> = rust_files("model")
        .into_iter()
        .map(|(file, text)| (file.trim_start_matches("model/").to_string(), text))
        .collect();
    assert!(files.len() > 30, "found only {} files under model/", files.len());
    graph(&files)
}

/// Every use of a module that is not in a lower layer, in words.
fn upward_uses(graph: &Graph, layers: &[&[&str]]) -> Vec<String> {
    let layer_of = |module: &str| layers.iter().position(|layer| layer.contains(&module));
    let mut wrong = Vec::new();
    for (module, used) in graph {
        let Some(mine) = layer_of(module) else {
            wrong.push(format!("`{module}` is in no layer: add it to LAYERS"));
            continue;
        };
        for (other, at) in used {
            match layer_of(other) {
                Some(theirs) if theirs < mine => {}
                Some(_) => wrong.push(format!("{at}: `{module}` uses `{other}`, which is not below it")),
                None => wrong.push(format!("{at}: `{module}` uses `{other}`, which is in no layer")),
            }
        }
    }
    wrong
}

/// A cycle of `graph`, if it has one, as `a -> b -> a` with where each use is.
fn cycle(graph: &Graph) -> Option<String> {
    fn visit<'g>(
        graph: &'g Graph,
        module: &'g str,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<String> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut ring: Vec<&str> = path[at..].to_vec();
            ring.push(module);
            let steps: Vec<String> =
                ring.windows(2).map(|w| format!("{} -> {} ({})", w[0], w[1], graph[w[0]][w[1]])).collect();
            return Some(steps.join(", "));
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for other in graph.get(module).into_iter().flat_map(|used| used.keys()) {
            if graph.contains_key(other) {
                if let Some(found) = visit(graph, other, path, done) {
                    return Some(found);
                }
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|module| visit(graph, module, &mut Vec::new(), &mut done))
}

/// Layers imply no cycle; a failure names the cycle too, if the uses form one.
#[test]
fn no_module_uses_one_above_it_so_there_is_no_cycle() {
    let graph = model_graph();
    assert!(graph.len() > 10, "read only {} modules", graph.len());
    let wrong = upward_uses(&graph, LAYERS);
    let cycle = cycle(&graph).map_or(String::new(), |cycle| format!("\nand a cycle: {cycle}"));
    assert!(wrong.is_empty(), "the layers of model/ (LAYERS in this file):\n{}{cycle}", wrong.join("\n"));
    for layer in LAYERS {
        for module in *layer {
            assert!(graph.contains_key(*module), "LAYERS names `{module}`, which model/ does not have");
        }
    }
}

#[test]
fn the_engine_knows_nothing_of_netebpfext() {
    let graph = model_graph();
    let used: Vec<&String> = graph["wfp"].keys().collect();
    assert_eq!(used, ["assumptions", "sync"], "the WFP engine uses only the facade and the assumptions");
    let used: Vec<&String> = graph["netebpfext"].keys().collect();
    assert_eq!(used, ["sync", "wfp"], "netebpfext uses only the facade and the engine");
}

// ---- the reader's own rules ----

fn files(sources: &[(&str, &str)]) -> Graph {
    let files: Vec<(String, String)> = sources.iter().map(|(p, s)| (p.to_string(), s.to_string())).collect();
    graph(&files)
}

#[test]
fn a_path_a_group_and_a_nested_use_are_read() {
    let found: Vec<String> = scan::crate_modules(
        "use crate::wfp::{Engine, Status};\nuse crate::{log, sync::Arc};\nfn f() { crate::explore::explore(); }",
    )
    .into_iter()
    .map(|(module, line)| format!("{line}: {module}"))
    .collect();
    assert_eq!(found, ["3: explore", "2: log", "2: sync", "1: wfp"]);
}

#[test]
fn comments_strings_and_other_crates_are_not_uses() {
    let source = "// crate::cli\n/* crate::cli */ /// crate::cli\nlet s = \"crate::cli \\\" crate::cli\";\nlet c = '\"'; // crate::cli\nuse wfpcheck_crate::cli;";
    assert!(scan::crate_modules(source).is_empty(), "{:?}", scan::crate_modules(source));
}

#[test]
fn a_cycle_is_found_with_where_each_use_is() {
    let graph = files(&[
        ("a.rs", "use crate::b::B;"),
        ("b/mod.rs", "mod inner;"),
        ("b/inner.rs", "\nuse crate::a::A;"),
        ("c.rs", "use crate::a::A;"),
    ]);
    assert_eq!(cycle(&graph).as_deref(), Some("a -> b (model/a.rs:1), b -> a (model/b/inner.rs:2)"));
    assert_eq!(cycle(&files(&[("a.rs", "use crate::b::B;"), ("b.rs", "")])), None);
}

#[test]
fn a_use_of_a_module_above_or_beside_is_found() {
    let graph = files(&[("low.rs", "use crate::high::H;\nuse crate::beside::B;"), ("high.rs", ""), ("beside.rs", "")]);
    let layers: &[&[&str]] = &[&["low", "beside"], &["high"]];
    assert_eq!(
        upward_uses(&graph, layers),
        [
            "model/low.rs:2: `low` uses `beside`, which is not below it",
            "model/low.rs:1: `low` uses `high`, which is not below it"
        ]
    );
    assert_eq!(upward_uses(&files(&[("new.rs", "")]), layers), ["`new` is in no layer: add it to LAYERS"]);
}
