//! `cargo xtask mutants`: mutation testing with cargo-mutants over the crates whose wait and
//! registration paths the conformance suite covers, so a test that cannot fail shows up as a
//! surviving mutant. The figures of the last run are in `docs/testing.md`.

use anyhow::{Context, Result};
use xshell::{Shell, cmd};

use crate::flags::Mutants;

/// What a run mutates by default: the core, the two Linux backend crates, and the facade's
/// `Selector` (the rest of the facade is re-exports and the per-target selection).
const DEFAULT_FILES: [&str; 4] = [
    "crates/select-core/src/**",
    "crates/select-poll/src/**",
    "crates/select-epoll/src/**",
    "facade/src/selector.rs",
];

/// The packages whose tests run against every mutant: select-core's own unit tests, and the
/// backend crates that run the conformance suite over select-core's loop and checks.
const TEST_PACKAGES: &str = "select-core,select-poll,select-epoll,select-io";

/// Installs cargo-mutants if it is missing, then runs it.
pub(crate) fn run(sh: &Shell, flags: &Mutants) -> Result<()> {
    if cmd!(sh, "cargo mutants --version").quiet().ignore_stdout().run().is_err() {
        cmd!(sh, "cargo install cargo-mutants --locked")
            .run()
            .context("installing cargo-mutants")?;
    }
    let output = flags.output.clone().unwrap_or_else(|| "target/mutants".into());
    let mut args: Vec<String> = vec!["--output".into(), output];
    let files: Vec<&str> = if flags.file.is_empty() && flags.package.is_empty() {
        DEFAULT_FILES.to_vec()
    } else {
        flags.file.iter().map(String::as_str).collect()
    };
    for file in files {
        args.extend(["--file".into(), file.into()]);
    }
    for package in &flags.package {
        args.extend(["--package".into(), package.clone()]);
    }
    if let Some(regex) = &flags.re {
        args.extend(["--re".into(), regex.clone()]);
    }
    if let Some(seconds) = flags.timeout {
        args.extend(["--timeout".into(), seconds.to_string()]);
    }
    if flags.list {
        args.push("--list".into());
    } else {
        // One `--test-package` per package: cargo-mutants does not split a comma list.
        let tests = flags.test_package.as_deref().unwrap_or(TEST_PACKAGES);
        for package in tests.split(',').filter(|package| !package.is_empty()) {
            args.extend(["--test-package".into(), package.into()]);
        }
    }
    // cargo-mutants exits non-zero when mutants survive; the report says how many, so the
    // exit code is passed on unchanged after it is printed.
    cmd!(sh, "cargo mutants {args...}")
        .run()
        .context("cargo mutants: see target/mutants/mutants.out")?;
    Ok(())
}
