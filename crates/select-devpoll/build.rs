//! Names the operating systems that have `/dev/poll` once, as rustix and winit do.

fn main() {
    declare_repository_tests();
    // `devpoll` gates the device type, its system calls and the tests that need a real
    // `/dev/poll`. The pure record logic in `conv.rs` compiles without it, so `cargo test` runs
    // its unit tests on every host (see the crate documentation).
    cfg_aliases::cfg_aliases! {
        devpoll: { any(target_os = "illumos", target_os = "solaris") },
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
