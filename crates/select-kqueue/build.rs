//! Names the kqueue operating systems once, so the crate's sources never spell `target_os`.
//!
//! The `kevent` record and the constants differ between the BSDs (NetBSD's filter and flags
//! are 32 bits wide; each system has filters and notes of its own), so `src/conv.rs` and
//! `src/consts.rs` gate on these aliases. `cfg_aliases` also declares them for `check-cfg`.
//! Together the aliases name exactly the systems of the crate-root gate in `src/lib.rs`, and
//! `apple` is the facade's `apple`: `cargo xtask ci tidy` checks both.

fn main() {
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
