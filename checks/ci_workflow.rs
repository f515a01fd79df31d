//! CI runs the very test command README.md gives, and so does the sample workflow.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// README's test command: the shell block after "All the tests".
fn readme_test_command() -> String {
    let readme = read("README.md");
    let after = readme.split("All the tests").nth(1).expect("README.md says how to run all the tests");
    let block = after.split("```sh\n").nth(1).expect("a sh block").split("\n```").next().expect("closed");
    assert_eq!(block.lines().count(), 1, "one command line: {block}");
    block.trim().to_string()
}

#[test]
fn ci_runs_the_readme_test_command() {
    let command = readme_test_command();
    for (name, text) in [(".ci/run", read(".ci/run")), ("docs/ci/wfpcheck-gate.yml", read("docs/ci/wfpcheck-gate.yml"))]
    {
        assert!(
            text.lines().any(|line| line.trim().trim_start_matches("run: ") == command),
            "{name} does not run `{command}`"
        );
    }
}

#[test]
fn the_test_command_runs_all_three_builds() {
    let command = readme_test_command();
    assert!(command.contains("cargo test --release &&"), "the std build");
    assert!(command.contains("--features shuttle"), "the shuttle build");
    assert!(
        command.contains("--cfg loom") && command.contains("CARGO_TARGET_DIR=target/loom"),
        "the loom build, in its own target directory"
    );
    assert_eq!(command.matches("&&").count(), 2, "each build must pass for the command to pass");
}

#[test]
fn the_workflow_runs_on_pull_requests_that_touch_the_attach_path() {
    let workflow = read("docs/ci/wfpcheck-gate.yml");
    assert!(workflow.contains("pull_request:") && workflow.contains("netebpfext/**"));
    assert!(!workflow.contains('\t'), "YAML has no tabs");
}

#[test]
fn the_workflow_runs_the_sweep_in_shards_and_merges_them_into_the_summary() {
    let workflow = read("docs/ci/wfpcheck-gate.yml");
    let shards = workflow.split("shard: [").nth(1).expect("a matrix of shards").split(']').next().expect("closed");
    let count = shards.split(',').count();
    assert!(count >= 2, "{shards}");
    assert!(
        workflow.contains(&format!("--faults 1 --shard ${{{{ matrix.shard }}}}/{count}")),
        "every shard of {count}"
    );
    assert!(workflow.contains("--merge shards/sweep-*.json --format markdown"));
    assert!(workflow.contains(">> \"$GITHUB_STEP_SUMMARY\""));
}
