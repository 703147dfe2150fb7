//! Names the kqueue operating systems once, so the crate's sources never spell `target_os`.
//!
//! The `kevent` record and the constants differ between the BSDs (NetBSD's filter and flags
//! are 32 bits wide; each system has filters and notes of its own), so `src/conv.rs` and
//! `src/consts.rs` gate on these aliases. `cfg_aliases` also declares them for `check-cfg`.
//! Together the aliases name exactly the systems of the crate-root gate in `src/lib.rs`, and
//! `apple` is the facade's `apple`: `cargo xtask ci tidy` checks both.

fn main() {
    declare_repository_tests();
    cfg_aliases::cfg_aliases! {
        apple: {
            any(
                target_os = "macos",
                target_os = "ios",
                target_os = "tvos",
                target_os = "watchos",
                target_os = "visionos"
            )
        },
        freebsd: { target_os = "freebsd" },
        netbsd: { target_os = "netbsd" },
        openbsd: { target_os = "openbsd" },
        dragonfly: { target_os = "dragonfly" },
    }
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
