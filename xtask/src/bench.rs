//! `cargo xtask bench [--quick | --counts]`: runs the benches of `select-benches` and writes
//! `docs/benchmarks.md` and `docs/img/scaling.png` from their results.
//!
//! A full run is, in order: the wall-clock workloads W1-W5 twice in a row (the `wait` bench,
//! interleaved rounds with criterion measuring inside each, one criterion directory per run;
//! the report shows both runs and flags every ratio that moved more than 10%), each run
//! followed by the Python benchmark (`crates/select-python/benches/bench_select.py`, W1 and
//! W2 with CPython's `select` module and ours, which is built and installed first as the
//! `python` step of `cargo xtask ci` does; its samples go to `python-run1.json` and
//! `python-run2.json`), W6 timer precision (the `timer` bench), W7 thundering herd (the `herd`
//! binary), and the instruction counts (the `counts` bench under callgrind, through gungraun).
//! Every result goes into a fresh `target/select-bench/`, so a report never mixes in an older
//! run; the `report` binary of `select-benches` then reads them and writes the two documents.
//!
//! `--quick` shortens the measurements (the Python benchmark: three rounds of its `--quick`
//! size, a few seconds) and writes its report under `target/select-bench/`,
//! never over the committed documents. `--counts` runs only the instruction counts and writes
//! their table to `target/select-bench/counts.md`.
//!
//! The counts need valgrind and `gungraun-runner` of exactly the library's version; both are
//! installed here when missing (`apt-get install valgrind`, `cargo install gungraun-runner`).
//! The plot needs a TrueType font at run time (plotters' `ab_glyph` backend, which needs no
//! system font library), found here first so a missing one fails early with a hint.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

/// gungraun's version, pinned exactly in the workspace's `Cargo.toml`; its runner must match.
pub(crate) const GUNGRAUN_VERSION: &str = "0.18.2";

/// Where the plot's font is looked for, in order (`SELECT_BENCH_FONT` overrides).
const FONTS: [&str; 4] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/dejavu/DejaVuSans.ttf",
];

/// What `cargo xtask bench` was asked to do.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Everything, written to `docs/`.
    Full,
    /// Everything, briefly, written under `target/`.
    Quick,
    /// Only the instruction counts, written under `target/`.
    Counts,
}

/// Runs the benches and writes the report.
pub(crate) fn run(sh: &Shell, mode: Mode) -> anyhow::Result<()> {
    let root = crate::project_root();
    sh.change_dir(&root);
    let font = find_font()?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let out = target.join("select-bench");
    if out.exists() {
        std::fs::remove_dir_all(&out)
            .with_context(|| format!("removing old results in {}", out.display()))?;
    }
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let out_str = out.display().to_string();

    if mode != Mode::Counts {
        // Built first, so a missing interpreter or header fails before the long runs.
        let module = crate::ci::build_python_module(sh)
            .context("building the Python module for the Python benchmark")?;
        let _quick = (mode == Mode::Quick).then(|| sh.push_env("SELECT_BENCH_QUICK", "1"));
        for run in ["run1", "run2"] {
            // Each run's criterion results go to a directory of their own, so the second run
            // is not compared with the first by criterion, and the report reads both.
            let home = sh.push_env("CRITERION_HOME", out.join(run));
            cmd!(sh, "cargo bench --package select-benches --bench wait")
                .run()
                .with_context(|| format!("running the wall-clock workloads ({run})"))?;
            drop(home);
            run_python_bench(sh, &module, mode, &out.join(format!("python-{run}.json")))
                .with_context(|| format!("running the Python benchmark ({run})"))?;
        }
        let file = out.join("timer.tsv").display().to_string();
        let _out = sh.push_env("SELECT_BENCH_OUT", &file);
        cmd!(sh, "cargo bench --package select-benches --bench timer")
            .run()
            .context("running W6 timer precision")?;
        let file = out.join("herd.tsv").display().to_string();
        let connections = if mode == Mode::Quick { "200" } else { "2000" };
        cmd!(
            sh,
            "cargo run --profile bench --package select-benches --bin herd -- {connections} {file}"
        )
        .run()
        .context("running W7 thundering herd")?;
    }

    install_counting_tools(sh)?;
    cmd!(sh, "cargo bench --package select-benches --bench counts -- --save-summary=json")
        .run()
        .context("running the instruction counts")?;
    let counts = target.join("gungraun").join("select-benches").join("counts").join("counts");
    let counts = counts.display().to_string();

    let (markdown, png) = match mode {
        Mode::Full => (
            root.join("docs").join("benchmarks.md"),
            root.join("docs").join("img").join("scaling.png"),
        ),
        Mode::Quick => (out.join("benchmarks.md"), out.join("scaling.png")),
        Mode::Counts => (out.join("counts.md"), out.join("scaling.png")),
    };
    let quick_flag = (mode == Mode::Quick).then_some("--quick");
    cmd!(
        sh,
        "cargo run --profile bench --package select-benches --bin report -- {out_str} {markdown} {png} {font} --counts {counts} {quick_flag...}"
    )
    .run()
    .context("writing the report")?;
    if mode == Mode::Counts {
        println!("{}", std::fs::read_to_string(&markdown).unwrap_or_default());
    }
    println!("wrote {}", markdown.display());
    Ok(())
}

/// Rounds of the Python benchmark: the script's default in a full run, three in a quick one
/// (whose rounds are also short: `--quick` is 2,000 round trips and 200 waits per row).
fn python_rounds(mode: Mode) -> &'static str {
    if mode == Mode::Quick { "3" } else { "7" }
}

/// Runs the Python benchmark with both modules in one process, writing its samples to `json`
/// for the report.
fn run_python_bench(
    sh: &Shell,
    module: &crate::ci::PythonModule,
    mode: Mode,
    json: &Path,
) -> anyhow::Result<()> {
    let python = &module.python;
    let path = &module.path;
    let rounds = python_rounds(mode);
    let quick = (mode == Mode::Quick).then_some("--quick");
    cmd!(
        sh,
        "{python} crates/select-python/benches/bench_select.py --module {path} --rounds {rounds} --json {json} {quick...}"
    )
    .run()?;
    Ok(())
}

/// Installs valgrind (through apt-get, where there is one) and `gungraun-runner` of
/// [`GUNGRAUN_VERSION`] when they are missing.
fn install_counting_tools(sh: &Shell) -> anyhow::Result<()> {
    if cmd!(sh, "valgrind --version").quiet().ignore_stdout().ignore_stderr().run().is_err() {
        if cmd!(sh, "apt-get --version").quiet().ignore_stdout().run().is_err() {
            bail!("valgrind is missing and there is no apt-get here: install valgrind by hand");
        }
        cmd!(sh, "apt-get install -y valgrind")
            .run()
            .or_else(|_| {
                cmd!(sh, "apt-get update").run()?;
                cmd!(sh, "apt-get install -y valgrind").run()
            })
            .context("installing valgrind")?;
    }
    let installed = cmd!(sh, "gungraun-runner --version").quiet().ignore_stderr().read();
    let matches = installed
        .as_ref()
        .is_ok_and(|version| version.split_whitespace().any(|word| word == GUNGRAUN_VERSION));
    if !matches {
        cmd!(sh, "cargo install gungraun-runner --version {GUNGRAUN_VERSION} --locked")
            .run()
            .context("installing gungraun-runner")?;
    }
    Ok(())
}

/// The TrueType font the plot is drawn with.
fn find_font() -> anyhow::Result<String> {
    if let Some(font) = std::env::var_os("SELECT_BENCH_FONT") {
        let font = PathBuf::from(font);
        if font.is_file() {
            return Ok(font.display().to_string());
        }
        bail!("SELECT_BENCH_FONT={} is not a file", font.display());
    }
    match FONTS.iter().find(|font| Path::new(font).is_file()) {
        Some(font) => Ok((*font).to_owned()),
        None => bail!(
            "no DejaVuSans.ttf for the scaling plot (looked in {}). Install it with \
             `apt-get install fonts-dejavu-core` (Debian, Ubuntu), `dnf install dejavu-sans-fonts` \
             (Fedora), or point SELECT_BENCH_FONT at any .ttf file",
            FONTS.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    /// The runner `install_counting_tools` installs is the version the benches link.
    #[test]
    fn runner_version_matches_the_pinned_library() {
        let manifest = std::fs::read_to_string(crate::project_root().join("Cargo.toml"))
            .expect("read the workspace manifest");
        let pin = format!("gungraun = \"={}\"", super::GUNGRAUN_VERSION);
        assert!(
            manifest.lines().any(|line| line.trim() == pin),
            "the workspace Cargo.toml must pin `{pin}`, the runner's version"
        );
    }
}
