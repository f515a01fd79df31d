//! `docs/designs.md` is what the report command writes: regenerate it with
//! `RUSTFLAGS="--cfg loom" cargo run --release -- --format markdown > docs/designs.md`.

#![cfg(loom)]

use std::process::Command;

#[test]
fn designs_md_is_what_the_report_command_writes() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_wfpcheck")).args(["--format", "markdown"]).output().expect("wfpcheck runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let written = String::from_utf8(output.stdout).expect("UTF-8");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/designs.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != written {
        let first = committed.lines().zip(written.lines()).position(|(a, b)| a != b);
        panic!(
            "docs/designs.md differs from what `wfpcheck --format markdown` writes (first differing line: {:?}); regenerate it with \
             RUSTFLAGS=\"--cfg loom\" cargo run --release -- --format markdown > docs/designs.md",
            first.map(|n| n + 1)
        );
    }
}
