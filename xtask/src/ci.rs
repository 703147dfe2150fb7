//! `cargo xtask ci`: every check, cheapest first, each also runnable alone.
//!
//! 1. `fmt`: `cargo fmt --all -- --check`
//! 2. `tidy`: the repository rules of `tidy.rs`, kept as `#[test]`s (`cargo test -p xtask`)
//! 3. `clippy`: the workspace, all targets, `-D warnings`
//! 4. `test`: the workspace, then the facade's tests again with each fallback backend forced
//!    by the test-only `--cfg select_backend="..."`
//! 5. `doc`: rustdoc with `-D warnings`
//! 6. `cross`: clippy `-D warnings` for library and test code on every target of
//!    `targets.rs`, installing targets and nightly's `rust-src` when missing
//! 7. `windows`: the Windows build's tests for `x86_64-pc-windows-gnu`, linked with mingw-w64
//!    and run under Wine (select-core, select-poll's `select()` and `Select` with the conformance
//!    suite's socket scenarios, the facade's
//!    Selector, Waker and echo tests, the `echo_server` example, and the doctests with
//!    nightly's `-Zdoctest-xcompile`); Linux hosts only
//! 8. `bench-check`: the benches compile
//! 9. `python`: builds the Python module of `crates/select-python`, installs it as `select` in
//!    a directory of its own and runs CPython's tests against it and against CPython's module
//!    (`--large` adds asyncio's and subprocess's tests)
//! 9. `package`: `cargo package` of every published crate, then each one built and tested
//!    from its unpacked `.crate`, outside the workspace, as a downstream user or a
//!    distribution packager builds it
//! 10. `msrv`: the published crates built and tested with the `rust-version` toolchain
//!     (installed when missing), and type-checked with it for a kqueue and a /dev/poll target
//! 11. `minimal-versions`: nightly's `-Z direct-minimal-versions` resolution, in a scratch
//!     copy of the workspace, then the published crates built and type-checked with it
//!
//! Every command is printed before it runs (xshell does this). A missing tool or target is a
//! failure with a hint, never a silent pass.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use xshell::{Shell, cmd};

use crate::flags;
use crate::targets::{TARGETS, Target, Tier};

/// One step: its name, what it runs, and what to do when it fails.
struct Step {
    name: &'static str,
    run: fn(&Shell, &flags::Ci) -> Result<()>,
    hint: &'static str,
}

const STEPS: &[Step] = &[
    Step { name: "fmt", run: fmt, hint: "run `cargo fmt --all` and commit the result" },
    Step {
        name: "tidy",
        run: tidy,
        hint: "the failing test names the file, line and rule; see xtask/src/tidy.rs",
    },
    Step { name: "clippy", run: clippy, hint: "fix the lints, or allow one with a reason" },
    Step {
        name: "test",
        run: test,
        hint: "rerun the failing crate alone: `cargo test -p <crate>`; proptest prints the shrunk case",
    },
    Step { name: "doc", run: doc, hint: "fix the broken or missing docs rustdoc names" },
    Step {
        name: "cross",
        run: cross,
        hint: "lint one target alone: `cargo xtask ci cross --targets <triple>`",
    },
    Step {
        name: "windows",
        run: windows,
        hint: "run one binary by hand: WINEDEBUG=-all WINEPREFIX=$PWD/target/wine/prefix \
               /usr/lib/wine/wine64 target/x86_64-pc-windows-gnu/debug/deps/<test>.exe",
    },
    Step { name: "bench-check", run: bench_check, hint: "the benches must compile" },
    Step {
        name: "python",
        run: python,
        hint: "the runner names each test that differs; rerun it alone with \
               `python3 crates/select-python/tests/run_cpython_tests.py --site target/ci-python/site`",
    },
    Step {
        name: "package",
        run: package,
        hint: "a file the package needs is excluded, or a test needs the repository; \
               list a package's files with `cargo package -l -p <crate>`",
    },
    Step {
        name: "msrv",
        run: msrv,
        hint: "use only what the `rust-version` of Cargo.toml offers, or raise it deliberately",
    },
    Step {
        name: "minimal-versions",
        run: minimal_versions,
        hint: "raise the lower bound in [workspace.dependencies] to the version the code needs",
    },
];

/// The target the `windows` step builds and runs under Wine.
const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// The mingw-w64 C compiler and linker for [`WINDOWS_TARGET`] (Debian: `gcc-mingw-w64-x86-64`).
const MINGW_GCC: &str = "x86_64-w64-mingw32-gcc";

/// Where Debian's `wine64` package puts the 64-bit loader (it is not on the PATH there).
const DEBIAN_WINE64: &str = "/usr/lib/wine/wine64";

/// The proptest case count the `test` step uses unless `PROPTEST_CASES` is set.
const DEFAULT_PROPTEST_CASES: &str = "256";

pub(crate) fn run(sh: &Shell, flags: &flags::Ci) -> Result<()> {
    let selected: Vec<&Step> = match &flags.step {
        None => STEPS.iter().collect(),
        Some(name) => match STEPS.iter().find(|step| step.name == name) {
            Some(step) => vec![step],
            None => {
                let names: Vec<_> = STEPS.iter().map(|step| step.name).collect();
                bail!("no step named `{name}`; the steps are: {}", names.join(", "))
            }
        },
    };
    let started = Instant::now();
    let mut failures = Vec::new();
    for step in selected {
        eprintln!("\n==> ci {}", step.name);
        let step_started = Instant::now();
        if let Err(error) = (step.run)(sh, flags) {
            eprintln!("\n==> ci {} FAILED: {error:#}\n    hint: {}", step.name, step.hint);
            if std::env::var_os("CI").is_some() {
                eprintln!("    reproduce locally with `cargo xtask ci {}`", step.name);
            }
            failures.push(step.name);
            if !flags.keep_going {
                break;
            }
        } else {
            eprintln!("==> ci {} ok ({:.0?})", step.name, step_started.elapsed());
        }
    }
    if failures.is_empty() {
        eprintln!("\n==> ci passed in {:.0?}", started.elapsed());
        Ok(())
    } else {
        bail!("ci failed in {:.0?}: {}", started.elapsed(), failures.join(", "))
    }
}

fn fmt(sh: &Shell, _: &flags::Ci) -> Result<()> {
    require_component(sh, "rustfmt", "cargo fmt --version")?;
    cmd!(sh, "cargo fmt --all -- --check").run()?;
    Ok(())
}

fn tidy(sh: &Shell, _: &flags::Ci) -> Result<()> {
    // The rules over the tree, in-process, then the tests that show each rule rejects a bad
    // sample (the tree check runs there once more, as a test).
    let violations = crate::tidy::check_tree(&crate::project_root());
    for violation in &violations {
        eprintln!("{violation}");
    }
    if !violations.is_empty() {
        bail!("{} tidy violations", violations.len());
    }
    cmd!(sh, "cargo test --quiet -p xtask -- tidy").run()?;
    Ok(())
}

fn clippy(sh: &Shell, _: &flags::Ci) -> Result<()> {
    require_component(sh, "clippy", "cargo clippy --version")?;
    cmd!(sh, "cargo clippy --workspace --all-targets -- -D warnings").run()?;
    Ok(())
}

fn test(sh: &Shell, _: &flags::Ci) -> Result<()> {
    let cases = std::env::var("PROPTEST_CASES").unwrap_or_else(|_| DEFAULT_PROPTEST_CASES.into());
    // The structural tests in select-benches count Linux system calls under strace. On other
    // hosts (the macOS, FreeBSD and illumos CI jobs) the rest of the workspace runs.
    if std::env::consts::OS == "linux" {
        if which(sh, "strace").is_err() {
            bail!(
                "strace is missing; the structural tests count system calls with it \
                 (install it: `apt-get install strace`)"
            );
        }
        cmd!(sh, "cargo test --workspace").env("PROPTEST_CASES", &cases).run()?;
    } else {
        cmd!(sh, "cargo test --workspace --exclude select-benches")
            .env("PROPTEST_CASES", &cases)
            .run()?;
    }
    // The facade once more per fallback backend. A separate target directory per cfg keeps
    // the RUSTFLAGS change from invalidating the main build's cache.
    // Windows has select alone (its default already), so nothing is forced there.
    let fallbacks: &[&str] =
        if std::env::consts::OS == "windows" { &[] } else { &["poll", "select"] };
    for backend in fallbacks {
        let rustflags = format!("--cfg select_backend=\"{backend}\"");
        let target_dir = format!("target/ci-{backend}");
        cmd!(sh, "cargo test -p select-io --target-dir {target_dir}")
            .env("RUSTFLAGS", &rustflags)
            .env("RUSTDOCFLAGS", &rustflags)
            .env("PROPTEST_CASES", &cases)
            .run()?;
    }
    Ok(())
}

fn doc(sh: &Shell, _: &flags::Ci) -> Result<()> {
    cmd!(sh, "cargo doc --workspace --no-deps --document-private-items")
        .env("RUSTDOCFLAGS", "-D warnings")
        .run()?;
    Ok(())
}

fn cross(sh: &Shell, flags: &flags::Ci) -> Result<()> {
    let targets: Vec<&Target> = match &flags.targets {
        None => TARGETS.iter().collect(),
        Some(list) => list
            .split(',')
            .map(|triple| {
                TARGETS
                    .iter()
                    .find(|target| target.triple == triple)
                    .with_context(|| format!("`{triple}` is not in xtask/src/targets.rs"))
            })
            .collect::<Result<_>>()?,
    };
    let mut failed = Vec::new();
    for target in targets {
        eprintln!("--> cross {} ({})", target.triple, target.why);
        if let Err(error) = cross_one(sh, target, flags.skip_install) {
            eprintln!("--> cross {} FAILED: {error:#}", target.triple);
            failed.push(target.triple);
            if !flags.keep_going {
                break;
            }
        }
    }
    if failed.is_empty() { Ok(()) } else { bail!("cross failed for {}", failed.join(", ")) }
}

fn cross_one(sh: &Shell, target: &Target, skip_install: bool) -> Result<()> {
    let triple = target.triple;
    let excluded = ["--exclude", "xtask", "--exclude", "select-benches"];
    match target.tier {
        Tier::Prebuilt => {
            if !skip_install {
                cmd!(sh, "rustup target add {triple}").run()?;
            }
            let installed = cmd!(sh, "rustup target list --installed").read()?;
            if !installed.lines().any(|line| line.trim() == triple) {
                bail!("target {triple} is not installed (`rustup target add {triple}`)");
            }
            cmd!(
                sh,
                "cargo clippy --workspace {excluded...} --all-targets --target {triple} -- -D warnings"
            )
            .run()?;
            // The doc step runs on the Linux host only, where the kqueue and /dev/poll crates
            // are empty, so their docs are checked here, on a target that compiles them.
            cmd!(sh, "cargo doc --workspace {excluded...} --no-deps --target {triple}")
                .env("RUSTDOCFLAGS", "-D warnings")
                .run()?;
        }
        Tier::BuildStd => {
            if !skip_install {
                cmd!(sh, "rustup component add rust-src --toolchain nightly").run()?;
            }
            let sysroot = cmd!(sh, "rustc +nightly --print sysroot")
                .read()
                .context("the nightly toolchain is missing (`rustup toolchain install nightly`)")?;
            let library = std::path::Path::new(&sysroot).join("lib/rustlib/src/rust/library");
            if !library.exists() {
                bail!(
                    "nightly has no rust-src (`rustup component add rust-src --toolchain nightly`)"
                );
            }
            // Nightly's host artifacts would invalidate stable's, so they get their own directory.
            cmd!(
                sh,
                "cargo +nightly clippy -Zbuild-std=std,panic_abort --workspace {excluded...} --all-targets --target {triple} --target-dir target/ci-nightly -- -D warnings"
            )
            .run()?;
        }
    }
    Ok(())
}

/// Builds the Windows tests with mingw-w64 and runs them under Wine, as mio's and polling's CI
/// do. Wine 8 (Debian 12's) has no `bcryptprimitives.dll`, whose `ProcessPrng` Rust's std
/// imports, so every binary would fail to start (status 53); `ci/wine/bcryptprimitives.c`, a
/// `ProcessPrng` over advapi32's `SystemFunction036`, is compiled with the same mingw-w64
/// into a directory on Wine's `PATH`. The doctests run too, with nightly's
/// `-Zdoctest-xcompile`.
fn windows(sh: &Shell, flags: &flags::Ci) -> Result<()> {
    if std::env::consts::OS != "linux" {
        bail!("the windows step runs the Windows tests under Wine on a Linux host");
    }
    which(sh, MINGW_GCC).with_context(|| {
        format!("{MINGW_GCC} is missing (`apt-get install gcc-mingw-w64-x86-64`)")
    })?;
    let wine = if std::path::Path::new(DEBIAN_WINE64).exists() {
        DEBIAN_WINE64.to_owned()
    } else {
        which(sh, "wine64").context("Wine is missing (`apt-get install wine64`)")?;
        "wine64".to_owned()
    };
    let triple = WINDOWS_TARGET;
    if !flags.skip_install {
        cmd!(sh, "rustup target add {triple}").run()?;
    }
    let installed = cmd!(sh, "rustup target list --installed").read()?;
    if !installed.lines().any(|line| line.trim() == triple) {
        bail!("target {triple} is not installed (`rustup target add {triple}`)");
    }

    let root = crate::project_root();
    // The shim goes into a directory of its own on Wine's PATH (`WINEPATH`, a Windows path
    // on Wine's Z: drive, which maps /), where the loader finds it for the test binaries,
    // the example and the doctests rustdoc builds in temporary directories alike.
    let shim_dir = root.join("target").join("wine").join("dll");
    sh.create_dir(&shim_dir)?;
    let dll = shim_dir.join("bcryptprimitives.dll");
    cmd!(
        sh,
        "{MINGW_GCC} -shared -O2 -o {dll} ci/wine/bcryptprimitives.c ci/wine/bcryptprimitives.def -ladvapi32"
    )
    .run()?;
    let wine_path = format!("Z:{}", shim_dir.display()).replace('/', "\\");
    let prefix = root.join("target").join("wine").join("prefix");
    let env = [
        ("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER", MINGW_GCC.to_owned()),
        ("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER", wine),
        ("WINEDEBUG", "-all".to_owned()),
        ("WINEPREFIX", prefix.display().to_string()),
        ("WINEPATH", wine_path),
    ];
    let crates =
        ["-p", "select-core", "-p", "select-poll", "-p", "select-conformance", "-p", "select-io"];
    cmd!(sh, "cargo test {crates...} --target {triple} --lib --tests").envs(env.clone()).run()?;
    cmd!(
        sh,
        "cargo run -p select-io --target {triple} --example echo_server -- --clients 10 --round-trips 100"
    )
    .envs(env.clone())
    .run()?;
    // Doctests of a cross target run only with nightly's -Zdoctest-xcompile, whose std for
    // the target is a component of its own. One crate at a time, so each one's are reported.
    if !flags.skip_install {
        cmd!(sh, "rustup target add --toolchain nightly {triple}").run()?;
    }
    for package in ["select-core", "select-poll", "select-io"] {
        cmd!(
            sh,
            "cargo +nightly test -Zdoctest-xcompile --doc -p {package} --target {triple} --target-dir target/ci-nightly-windows"
        )
        .envs(env.clone())
        .run()
        .with_context(|| {
            format!(
                "doctests of {package} under Wine (needs nightly with {triple}: \
                 `rustup target add --toolchain nightly {triple}`)"
            )
        })?;
    }
    Ok(())
}

fn bench_check(sh: &Shell, _: &flags::Ci) -> Result<()> {
    cmd!(sh, "cargo bench -p select-benches --no-run").run()?;
    Ok(())
}

/// Builds the Python module, installs it as `select.<EXT_SUFFIX>` in `target/ci-python/site`
/// and runs `crates/select-python/tests/run_cpython_tests.py` there. The interpreter is
/// `$PYTHON`, or `python3`; it needs its headers (for PyO3) and its `test` package.
fn python(sh: &Shell, flags: &flags::Ci) -> Result<()> {
    let module = build_python_module(sh)?;
    let python = &module.python;
    probe_python(sh, python, "import test.support").with_context(|| {
        format!(
            "`{python}` has no `test` package (CPython's tests): \
             `apt-get install libpython3.X-testsuite` for its version"
        )
    })?;
    let site = &module.site;
    let large = flags.large.then_some("--large");
    cmd!(sh, "{python} crates/select-python/tests/run_cpython_tests.py --site {site} {large...}")
        .run()?;
    Ok(())
}

/// The Python module as [`build_python_module`] installed it.
pub(crate) struct PythonModule {
    /// The interpreter it was built for (`$PYTHON`, or `python3`).
    pub(crate) python: String,
    /// The directory it is installed in, as `select.<EXT_SUFFIX>`.
    pub(crate) site: std::path::PathBuf,
    /// The installed shared object itself.
    pub(crate) path: std::path::PathBuf,
}

/// Runs `code` with `python -c`, returning what it printed.
fn probe_python(sh: &Shell, python: &str, code: &str) -> Result<String> {
    Ok(cmd!(sh, "{python} -c {code}").quiet().read()?)
}

/// Builds the Python module of `crates/select-python` (release) for `$PYTHON`, or `python3`,
/// and installs it as `select.<EXT_SUFFIX>` in `target/ci-python/site`: the `python` step's
/// build, which `cargo xtask bench` reuses for the Python benchmark.
pub(crate) fn build_python_module(sh: &Shell) -> Result<PythonModule> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    which(sh, &python).with_context(|| {
        format!(
            "`{python}` is missing: install Python 3.11 or later (`apt-get install python3-dev`)"
        )
    })?;
    let headers = "import os, sysconfig; \
                   assert os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))";
    probe_python(sh, &python, headers).with_context(|| {
        format!("`{python}` has no C headers (Python.h), which PyO3 needs: `apt-get install python3-dev`")
    })?;
    let suffix = probe_python(
        sh,
        &python,
        "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX') or '.so')",
    )?;
    // An extension module must not link libpython (the interpreter may have it built in), and
    // that setting changes PyO3's build, so the module gets a target directory of its own.
    let root = crate::project_root();
    let _cwd = sh.push_dir(&root);
    cmd!(sh, "cargo build -p select-python --release --target-dir target/ci-python")
        .env("PYO3_PYTHON", &python)
        .env("PYO3_BUILD_EXTENSION_MODULE", "1")
        .run()?;
    let site = root.join("target/ci-python/site");
    sh.create_dir(&site)?;
    let built = root.join(format!(
        "target/ci-python/release/{}select_python{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let path = site.join(format!("select{}", suffix.trim()));
    sh.copy_file(built, &path)?;
    Ok(PythonModule { python, site, path })
}

/// Fails with a hint when a rustup component is missing.
fn require_component(sh: &Shell, component: &str, probe: &str) -> Result<()> {
    let mut words = probe.split_whitespace();
    let program = words.next().unwrap_or_default();
    let args: Vec<&str> = words.collect();
    cmd!(sh, "{program} {args...}")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .with_context(|| format!("{component} is missing (`rustup component add {component}`)"))?;
    Ok(())
}

/// Whether `program` is on the PATH.
fn which(sh: &Shell, program: &str) -> Result<()> {
    cmd!(sh, "which {program}").quiet().ignore_stdout().run()?;
    Ok(())
}

/// The published crates, in dependency order: each depends only on crates before it.
const PUBLISHED: &[&str] =
    &["select-core", "select-poll", "select-epoll", "select-kqueue", "select-devpoll", "select-io"];

/// `-p NAME` for every published crate.
fn published_packages() -> Vec<&'static str> {
    PUBLISHED.iter().flat_map(|name| ["-p", name]).collect()
}

fn package(sh: &Shell, _: &flags::Ci) -> Result<()> {
    // One `cargo package` for all of them: each crate's `=0.1.0` dependencies on the others
    // resolve against a local registry of the `.crate` files it has just made. `--allow-dirty`
    // checks the working tree as it is, so uncommitted work is checked too. `--no-verify`:
    // cargo's own verification extracts the other select-* crates from that local registry
    // into `~/.cargo/registry/src/` and builds them as registry packages, reusing both for the
    // same name and version forever, so a second run verified select-epoll against the first
    // run's select-core. The build and test below verify more, from the `.crate` files, as
    // path packages that cargo rebuilds when they change.
    let packages = &published_packages();
    cmd!(sh, "cargo package --allow-dirty --no-verify {packages...}").run()?;

    // Then each `.crate` is unpacked outside the workspace and built and tested from there,
    // its dependencies on the other select-* crates patched to their unpacked packages (as a
    // distribution's packaging of the whole set does). `cargo build` first, without the
    // dev-dependencies, whose features would otherwise hide a missing normal feature.
    let version = env!("CARGO_PKG_VERSION");
    let root = crate::project_root();
    let unpacked = std::env::temp_dir().join("select-xtask-package");
    if unpacked.exists() {
        std::fs::remove_dir_all(&unpacked)
            .with_context(|| format!("removing {}", unpacked.display()))?;
    }
    std::fs::create_dir_all(&unpacked)?;
    let target_dir = root.join("target/package-check");
    // (name, `--config` value patching it to its unpacked package), for the crates done so far.
    let mut patches: Vec<(&str, String)> = Vec::new();
    for &name in PUBLISHED {
        let crate_file = root.join(format!("target/package/{name}-{version}.crate"));
        // `-m`: the files get the time of extraction, not the fixed time cargo stores in a
        // `.crate`, so the shared target directory cannot take a changed package for fresh.
        cmd!(sh, "tar -xzmf {crate_file} -C {unpacked}").run()?;
        let dir = unpacked.join(format!("{name}-{version}"));
        // Only the crates this one depends on: cargo warns about a patch it does not use.
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))?;
        let config: &Vec<&str> = &patches
            .iter()
            .filter(|(dependency, _)| manifest.contains(&format!("dependencies.{dependency}]")))
            .flat_map(|(_, patch)| ["--config", patch.as_str()])
            .collect();
        let _cwd = sh.push_dir(&dir);
        // Warnings are errors here as everywhere in CI: a test-only item the package lacks
        // the tests of shows up as dead code.
        cmd!(sh, "cargo build {config...} --target-dir {target_dir}")
            .env("RUSTFLAGS", "-D warnings")
            .run()?;
        cmd!(sh, "cargo test {config...} --target-dir {target_dir}")
            .env("RUSTFLAGS", "-D warnings")
            .run()?;
        patches
            .push((name, format!("patch.crates-io.{name}.path={:?}", dir.display().to_string())));
    }
    Ok(())
}

/// The workspace's `rust-version`, read from the root manifest.
fn rust_version() -> Result<String> {
    let manifest = std::fs::read_to_string(crate::project_root().join("Cargo.toml"))?;
    manifest
        .lines()
        .find_map(|line| line.strip_prefix("rust-version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .map(str::to_owned)
        .context("the root Cargo.toml has no `rust-version = \"...\"` line")
}

fn msrv(sh: &Shell, flags: &flags::Ci) -> Result<()> {
    let toolchain = rust_version()?;
    let toolchain = toolchain.as_str();
    let probe = cmd!(sh, "rustup run {toolchain} rustc --version").quiet().ignore_stderr().read();
    if probe.is_err() {
        if flags.skip_install {
            bail!(
                "toolchain {toolchain} is missing \
                 (`rustup toolchain install {toolchain} --profile minimal`)"
            );
        }
        cmd!(sh, "rustup toolchain install {toolchain} --profile minimal").run()?;
    }
    // Its own target directory: another compiler's artifacts would invalidate stable's.
    let packages = &published_packages();
    let target_dir = format!("target/msrv-{toolchain}");
    cmd!(sh, "cargo +{toolchain} build {packages...} --target-dir {target_dir}").run()?;
    cmd!(sh, "cargo +{toolchain} test {packages...} --target-dir {target_dir}").run()?;
    // The kqueue and /dev/poll code compiles to nothing on this host: type-check it with the
    // same toolchain on one target of each family.
    for triple in MSRV_TARGETS {
        if !flags.skip_install {
            cmd!(sh, "rustup target add --toolchain {toolchain} {triple}").run()?;
        }
        cmd!(
            sh,
            "cargo +{toolchain} check {packages...} --all-targets --target {triple} --target-dir {target_dir}"
        )
        .run()?;
    }
    Ok(())
}

/// The targets the `msrv` step type-checks besides the host: Apple's and FreeBSD's kqueue,
/// illumos's /dev/poll (each a prebuilt target, so no nightly is needed).
const MSRV_TARGETS: &[&str] =
    &["x86_64-apple-darwin", "x86_64-unknown-freebsd", "x86_64-unknown-illumos"];

fn minimal_versions(sh: &Shell, _: &flags::Ci) -> Result<()> {
    // The resolution rewrites Cargo.lock, so it runs in a scratch copy of the working tree
    // (tracked and untracked files, as `git ls-files` lists them), never on the real one.
    let root = crate::project_root();
    let scratch = root.join("target/minimal-versions");
    let copy = scratch.join("workspace");
    if copy.exists() {
        std::fs::remove_dir_all(&copy).with_context(|| format!("removing {}", copy.display()))?;
    }
    let files = cmd!(sh, "git ls-files --cached --others --exclude-standard").read()?;
    for file in files.lines() {
        let from = root.join(file);
        if !from.is_file() {
            continue; // deleted in the working tree, or a directory symlink
        }
        let to = copy.join(file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&from, &to).with_context(|| format!("copying {file}"))?;
    }
    let _cwd = sh.push_dir(&copy);
    cmd!(sh, "cargo +nightly generate-lockfile -Z direct-minimal-versions")
        .run()
        .context("the nightly toolchain is missing, or the bounds conflict")?;
    let packages = &published_packages();
    let target_dir = scratch.join("target");
    cmd!(sh, "cargo build {packages...} --target-dir {target_dir}").run()?;
    cmd!(sh, "cargo check {packages...} --all-targets --target-dir {target_dir}").run()?;
    Ok(())
}
