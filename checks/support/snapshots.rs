//! Where every check's insta snapshots go: `snapshots/<checker>/`, named without the
//! module path and without the asserted expression.

/// insta's settings for the snapshots of `checker` (`loom` or `shuttle`).
pub fn settings(checker: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("{}/snapshots/{checker}", env!("CARGO_MANIFEST_DIR")));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}
