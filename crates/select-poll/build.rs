//! Names the operating-system families this crate distinguishes, once, with `cfg_aliases`.

use cfg_aliases::cfg_aliases;

fn main() {
    declare_repository_tests();
    // Each alias is the only place an OS list is written; the code uses the alias. cfg_aliases
    // 0.2 declares every alias to `check-cfg` itself.
    cfg_aliases! {
        // Linux and Android share the kernel, so they share the `POLL*` values and `POLLMSG`.
        linux_kernel: { any(target_os = "linux", target_os = "android") },
        // FreeBSD alone defines `POLLINIGNEOF`.
        freebsd: { target_os = "freebsd" },
        // `POLLRDHUP` exists on Linux, FreeBSD and illumos (libc and rustix agree).
        poll_rdhup: { any(linux_kernel, target_os = "freebsd", target_os = "illumos") },
        // rustix offers `select` on Linux, Android and the BSDs (Apple included); elsewhere
        // (illumos, Solaris, ...) this crate calls libc's `select` with a libc `fd_set`. The
        // systems after `linux_kernel` are select-kqueue's, as its crate-root gate lists them
        // (`cargo xtask ci tidy` checks the two lists are equal).
        rustix_select: {
            any(
                linux_kernel,
                target_os = "macos",
                target_os = "ios",
                target_os = "tvos",
                target_os = "watchos",
                target_os = "visionos",
                target_os = "freebsd",
                target_os = "netbsd",
                target_os = "openbsd",
                target_os = "dragonfly"
            )
        },
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
