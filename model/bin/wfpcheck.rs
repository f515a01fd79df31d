//! The report command: `wfpcheck --help` says what it does.

fn main() -> std::process::ExitCode {
    wfpcheck::cli::main()
}
