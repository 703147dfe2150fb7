//! Names the operating-system family this crate treats apart, once, with `cfg_aliases`, and
//! declares whether the repository's unit tests are compiled (see `declare_repository_tests`).

use cfg_aliases::cfg_aliases;

fn main() {
    // cfg_aliases 0.2 declares every alias to `check-cfg` itself.
    cfg_aliases! {
        // Where an unknown system call fails with ENOSYS (or EPERM under a seccomp profile)
        // instead of killing the process: plain Linux. Android's app sandbox answers a system
        // call missing from its allow-list with SIGSYS, so there `epoll_pwait2` is never tried.
        pwait2_probe: { target_os = "linux" },
    }
    declare_repository_tests();
}

/// Declares `repository_tests`, set where the unit tests' source is present.
///
/// The unit tests (`src/tests.rs`, `src/tests/`) use the repository's unpublished
/// `select-conformance`, a path-only dev-dependency that `cargo package` strips, so the package
/// leaves them out (`exclude` in Cargo.toml) and `cargo test` on the downloaded crate runs its
/// doctests; in the repository the cfg is set and the unit tests and the conformance suite run.
fn declare_repository_tests() {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let tests = std::path::Path::new(&manifest_dir).join("src/tests.rs");
    println!("cargo::rerun-if-changed=src/tests.rs");
    println!("cargo::rustc-check-cfg=cfg(repository_tests)");
    if tests.exists() {
        println!("cargo::rustc-cfg=repository_tests");
    }
}
