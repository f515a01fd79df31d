//! Finds, in Rust source, the synchronization and shared state a checker cannot see: a
//! pass proves nothing about a lock, atomic, thread or global that does not go through
//! `wfpcheck::sync`, so a design whose source names one is refused before it is explored.
//!
//! The scan reads tokens, with comments and string literals removed: paths such as
//! `std::sync::Mutex`, `::core::sync::atomic`, grouped imports (`use std::{sync::Mutex}`),
//! crates that bring their own locks (`parking_lot`, `crossbeam`, `spin`, ...), aliases of
//! `std` or `core`, `thread_local!`, `static mut`, `unsafe impl Sync`, what reads an
//! `Arc`'s reference count, and the facade's unmodelled parts. What it cannot see is listed in `docs/ARCHITECTURE.md`.
//! The same reader lists the crate's modules a source uses ([`crate_modules`]).

use std::collections::BTreeMap;
use std::fmt;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// std's, core's or another crate's locks, atomics or threads.
    ForeignSync,
    /// State shared between model threads without any lock: `static mut`, `thread_local!`,
    /// `unsafe impl Sync`.
    HiddenState,
    /// What reads an `Arc`'s or a `Weak`'s reference count (`Arc::strong_count`,
    /// `Weak::upgrade`, `Arc::get_mut`): std atomics that no checker schedules, so a
    /// check-then-act on a count is a lock the checker cannot see.
    ReferenceCount,
    /// The facade's parts that the checkers do not schedule (`Unmodelled`, `outside_model`): only the
    /// model's own bookkeeping and the explorer may use them, never a design.
    UnmodelledFacade,
}

/// One place in a source that names what the checker cannot see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Counting from 1.
    pub line: usize,
    /// What it is about.
    pub kind: Kind,
    /// What is named, as written (`std::sync::Mutex`).
    pub names: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.kind {
            Kind::ForeignSync => "synchronization the checker does not schedule; use wfpcheck::sync",
            Kind::HiddenState => "state shared between threads that the checker does not see",
            Kind::ReferenceCount => {
                "reads a reference count, std atomics the checker does not schedule (not Arc's? call it as a method)"
            }
            Kind::UnmodelledFacade => "a part of wfpcheck::sync the checker does not schedule; a design may not use it",
        };
        write!(f, "line {}: `{}`: {why}", self.line, self.names)
    }
}

/// Crates whose paths bring locks, atomics or threads of their own.
const FOREIGN_CRATES: &[&str] = &[
    "parking_lot",
    "crossbeam",
    "crossbeam_utils",
    "crossbeam_channel",
    "spin",
    "tokio",
    "async_std",
    "once_cell",
    "lazy_static",
    "rayon",
];

/// Crates whose modules `SYNC_MODULES` hold synchronization or threads (the rest of them,
/// such as a checker's driver, `loom::model`, is none).
const SYNC_CRATES: &[&str] = &["std", "core", "alloc", "loom", "shuttle"];

/// The modules of those crates that hold synchronization, threads or shared cells.
const SYNC_MODULES: &[&str] = &["sync", "thread", "cell", "hint", "lazy_static", "future"];

/// `Arc`'s and `Weak`'s functions that read the count, however they are called. Arc's are
/// associated functions (`Arc::strong_count(&a)`), Weak's methods (`w.upgrade()`).
const COUNT_READERS: &[&str] = &["strong_count", "weak_count", "upgrade"];

/// `Arc`'s associated functions whose effect depends on the count (`Arc::get_mut` is `None`
/// while another clone lives): refused when called by path, the only way to call Arc's,
/// whatever the path's type (a type alias hides it), so another type's are called as methods.
const COUNT_DEPENDENT: &[&str] = &[
    "get_mut",
    "get_mut_unchecked",
    "try_unwrap",
    "into_inner",
    "make_mut",
    "unwrap_or_clone",
    "increment_strong_count",
    "decrement_strong_count",
];

/// The facade's items that the checkers do not schedule.
const UNMODELLED_ITEMS: &[&str] = &["Unmodelled", "UnmodelledCounter", "SharedState", "ProcessOnce", "outside_model"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

/// The tokens of `source` with their lines; comments, strings and chars are dropped.
fn tokens(source: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            _ if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(chars[i] == '\n');
                        i += 1;
                    }
                }
            }
            'r' | 'b' if raw_string_start(&chars, i).is_some() => {
                let (hashes, body) = raw_string_start(&chars, i).expect("checked");
                i = body;
                let closing: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                while i < chars.len() && !chars[i..].starts_with(&closing) {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
                i += closing.len();
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    line += usize::from(chars[i] == '\n');
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '\'' => {
                // A char literal ('a', '\n', '\u{1F600}'), or a lifetime ('a): skip either.
                if at(i + 1) == '\\' {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            ':' if at(i + 1) == ':' => {
                out.push((line, Token::Path));
                i += 2;
            }
            _ if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // `r#ident` is the identifier `ident`.
                let word = word.strip_prefix("r#").map(str::to_string).unwrap_or(word);
                out.push((line, Token::Ident(word)));
            }
            _ => {
                out.push((line, Token::Punct(c)));
                i += 1;
            }
        }
    }
    out
}

/// Where a raw string literal (`r"`, `r#"`, `br##"`) starting at `i` has its body, and how
/// many `#` close it.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|c| **c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some((hashes, j + hashes + 1))
}

fn ident(token: Option<&(usize, Token)>) -> Option<&str> {
    match token {
        Some((_, Token::Ident(word))) => Some(word),
        _ => None,
    }
}

/// The path written from `start` (`std::sync::Mutex`), and where it ends.
fn path_at(tokens: &[(usize, Token)], start: usize) -> String {
    let mut words = Vec::new();
    let mut i = start;
    while let Some(word) = ident(tokens.get(i)) {
        words.push(word.to_string());
        if tokens.get(i + 1).map(|t| &t.1) != Some(&Token::Path) {
            break;
        }
        i += 2;
    }
    words.join("::")
}

/// The members named at the top of a `{ ... }` group that starts at `open`.
fn group_members(tokens: &[(usize, Token)], open: usize) -> Vec<String> {
    let mut members = Vec::new();
    let mut depth = 0;
    let mut expect_member = true;
    for (_, token) in tokens.iter().skip(open) {
        match token {
            Token::Punct('{') => {
                depth += 1;
                expect_member = depth == 1;
            }
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Token::Punct(',') if depth == 1 => expect_member = true,
            Token::Ident(word) if depth == 1 && expect_member => {
                members.push(word.clone());
                expect_member = false;
            }
            _ => {}
        }
    }
    members
}

/// The top-level modules `source` names from its crate's root (`crate::wfp::Engine`,
/// `use crate::{sync, wfp::Status}`), each with the first line that names it: what the
/// module-graph check reads.
pub fn crate_modules(source: &str) -> BTreeMap<String, usize> {
    let tokens = tokens(source);
    let mut found = BTreeMap::new();
    for (i, (line, _)) in tokens.iter().enumerate() {
        if ident(tokens.get(i)) != Some("crate") || tokens.get(i + 1).map(|t| &t.1) != Some(&Token::Path) {
            continue;
        }
        let names = match tokens.get(i + 2) {
            Some((_, Token::Punct('{'))) => group_members(&tokens, i + 2),
            next => ident(next).map(str::to_string).into_iter().collect(),
        };
        for name in names {
            found.entry(name).or_insert(*line);
        }
    }
    found
}

/// Every place in `source` that names synchronization or shared state the checker cannot see.
pub fn scan(source: &str) -> Vec<Finding> {
    let tokens = tokens(source);
    let mut found = Vec::new();
    let mut push = |line: usize, kind: Kind, names: String| found.push(Finding { line, kind, names });
    for (i, (line, token)) in tokens.iter().enumerate() {
        let Token::Ident(word) = token else { continue };
        let word = word.as_str();
        let after_path = tokens.get(i + 1).map(|t| &t.1) == Some(&Token::Path);
        // The first segment of a path: not after `a::`, though `::std` is rooted too.
        let rooted = match i.checked_sub(1).map(|j| &tokens[j].1) {
            Some(Token::Path) => {
                !matches!(i.checked_sub(2).map(|j| &tokens[j].1), Some(Token::Ident(_)) | Some(Token::Punct('>')))
            }
            _ => true,
        };
        let previous = i.checked_sub(1).and_then(|j| ident(tokens.get(j)));
        if SYNC_CRATES.contains(&word) && after_path && rooted {
            let modules: &[&str] = if matches!(word, "loom" | "shuttle") { SYNC_MODULES } else { &SYNC_MODULES[..2] };
            match tokens.get(i + 2).map(|t| &t.1) {
                Some(Token::Ident(module)) if modules.contains(&module.as_str()) => {
                    push(*line, Kind::ForeignSync, path_at(&tokens, i));
                }
                Some(Token::Punct('{')) => {
                    for member in group_members(&tokens, i + 2) {
                        if modules.contains(&member.as_str()) {
                            push(*line, Kind::ForeignSync, format!("{word}::{{{member}, ..}}"));
                        }
                    }
                }
                _ => {}
            }
        }
        if FOREIGN_CRATES.contains(&word) && rooted && (after_path || matches!(previous, Some("use" | "crate"))) {
            push(*line, Kind::ForeignSync, path_at(&tokens, i));
        }
        // `use std as s;`, `extern crate std as s;`: what the alias names is hidden.
        if matches!(word, "std" | "core" | "alloc") && ident(tokens.get(i + 1)) == Some("as") {
            push(*line, Kind::ForeignSync, format!("{word} as {}", ident(tokens.get(i + 2)).unwrap_or("_")));
        }
        if word == "thread_local" && tokens.get(i + 1).map(|t| &t.1) == Some(&Token::Punct('!')) {
            push(*line, Kind::HiddenState, "thread_local!".to_string());
        }
        if word == "static" && ident(tokens.get(i + 1)) == Some("mut") {
            push(*line, Kind::HiddenState, "static mut".to_string());
        }
        if word == "unsafe" && ident(tokens.get(i + 1)) == Some("impl") {
            let header: Vec<&str> = tokens[i + 2..]
                .iter()
                .take_while(|t| t.1 != Token::Punct('{'))
                .filter_map(|t| ident(Some(t)))
                .collect();
            if let Some(trait_name) = header.iter().find(|w| matches!(**w, "Sync" | "Send")) {
                push(*line, Kind::HiddenState, format!("unsafe impl {trait_name}"));
            }
        }
        let by_path = i.checked_sub(1).map(|j| &tokens[j].1) == Some(&Token::Path);
        if (COUNT_READERS.contains(&word) && previous != Some("fn")) || (COUNT_DEPENDENT.contains(&word) && by_path) {
            push(*line, Kind::ReferenceCount, word.to_string());
        }
        if UNMODELLED_ITEMS.contains(&word) {
            push(*line, Kind::UnmodelledFacade, word.to_string());
        }
    }
    found.sort_by(|a, b| (a.line, &a.names).cmp(&(b.line, &b.names)));
    found.dedup();
    found
}

/// At most this many Rust files are read under a design's directory; more is refused as
/// a directory too wide to be one design's code.
pub const DIR_FILES_MAX: usize = 2_000;

/// At most this deep below a design's directory (a symlink cycle ends here).
pub const DIR_DEPTH_MAX: usize = 16;

/// Every Rust file under `dir`, at any depth (`target/` and hidden directories aside: a
/// build's output, a tool's state), with its path from `dir` (`/` between parts), in path
/// order. `Err`: why the directory cannot be read whole, or that it holds no Rust file.
pub fn rust_files(dir: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    fn walk(dir: &std::path::Path, depth: usize, found: &mut Vec<std::path::PathBuf>) -> Result<(), String> {
        if depth > DIR_DEPTH_MAX {
            return Err(format!("{} is more than {DIR_DEPTH_MAX} directories deep", dir.display()));
        }
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    walk(&path, depth + 1, found)?;
                }
            } else if name.ends_with(".rs") {
                found.push(path);
                if found.len() > DIR_FILES_MAX {
                    return Err(format!("more than {DIR_FILES_MAX} Rust files"));
                }
            }
        }
        Ok(())
    }
    let mut paths = Vec::new();
    walk(dir, 0, &mut paths)?;
    if paths.is_empty() {
        return Err(format!("{} holds no Rust file", dir.display()));
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let relative = path.strip_prefix(dir).unwrap_or(&path);
            let parts: Vec<_> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            Ok((parts.join("/"), text))
        })
        .collect()
}

/// Every finding in the Rust files under `dir` ([`rust_files`]), each with its file's
/// path from `dir`, in path then line order. `Err`: the directory cannot be read whole.
pub fn scan_dir(dir: &std::path::Path) -> Result<Vec<(String, Finding)>, String> {
    let files = rust_files(dir)?;
    Ok(files.into_iter().flat_map(|(file, text)| scan(&text).into_iter().map(move |f| (file.clone(), f))).collect())
}
