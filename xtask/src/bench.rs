//! `cargo xtask bench [--quick]`: runs the W1-W4 criterion benches of `select-benches` and
//! writes `docs/benchmarks.md` and `docs/img/scaling.png` from their estimates.
//!
//! Criterion writes into a fresh directory under the target directory (`CRITERION_HOME`), so
//! a report never mixes in results of an older run. The `report` binary of `select-benches`
//! reads each median from criterion's `estimates.json`, takes the ratios and draws the plot;
//! it needs a TrueType font at run time (plotters' `ab_glyph` backend, which needs no system
//! font library), found here first so a missing one fails early with a hint.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

/// Where the plot's font is looked for, in order (`SELECT_BENCH_FONT` overrides).
const FONTS: [&str; 4] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/dejavu/DejaVuSans.ttf",
];

/// Runs the benches (briefly with `quick`) and regenerates the benchmark docs.
pub(crate) fn run(sh: &Shell, quick: bool) -> anyhow::Result<()> {
    let root = crate::project_root();
    sh.change_dir(&root);
    let font = find_font()?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let criterion = target.join("select-bench").join("criterion");
    if criterion.exists() {
        std::fs::remove_dir_all(&criterion)
            .with_context(|| format!("removing old results in {}", criterion.display()))?;
    }
    let criterion_str = criterion.display().to_string();
    {
        let _home = sh.push_env("CRITERION_HOME", &criterion_str);
        let _quick = quick.then(|| sh.push_env("SELECT_BENCH_QUICK", "1"));
        cmd!(sh, "cargo bench --package select-benches --bench wait -- --noplot")
            .run()
            .context("running the benches")?;
    }
    let markdown = root.join("docs").join("benchmarks.md");
    let png = root.join("docs").join("img").join("scaling.png");
    let quick_flag = quick.then_some("--quick");
    cmd!(
        sh,
        "cargo run --profile bench --package select-benches --bin report -- {criterion_str} {markdown} {png} {font} {quick_flag...}"
    )
    .run()
    .context("writing docs/benchmarks.md and docs/img/scaling.png")?;
    println!("wrote {} and {}", markdown.display(), png.display());
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
