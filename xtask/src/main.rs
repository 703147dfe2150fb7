//! The project's own tasks, run as `cargo xtask <task>`: `ci` runs every check in a fixed
//! order, `bench` runs the benchmarks and writes `docs/benchmarks.md`, `mutants` runs
//! mutation testing (see `docs/testing.md`).
//!
//! Following rust-analyzer's xtask: plain Rust instead of shell scripts, flags parsed with
//! `xflags`, commands run with `xshell` (which prints each command before running it).

mod bench;
mod ci;
mod flags;
mod mutants;
mod targets;
mod tidy;

use std::path::{Path, PathBuf};

use anyhow::Result;
use xshell::Shell;

fn main() -> Result<()> {
    let flags = flags::Xtask::from_env_or_exit();
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    match flags.subcommand {
        flags::XtaskCmd::Ci(ci) => ci::run(&sh, &ci),
        flags::XtaskCmd::Bench(bench) => {
            let mode = match (bench.quick, bench.counts) {
                (true, true) => anyhow::bail!("--quick and --counts do not go together"),
                (true, false) => bench::Mode::Quick,
                (false, true) => bench::Mode::Counts,
                (false, false) => bench::Mode::Full,
            };
            bench::run(&sh, mode)
        }
        flags::XtaskCmd::Mutants(mutants) => mutants::run(&sh, &mutants),
    }
}

/// The workspace root: the parent of this crate's directory.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
