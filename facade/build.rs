//! Names the operating-system families the facade's selection file (`src/sys.rs`) needs, once.
//!
//! `cfg_aliases` 0.2 also declares each alias to rustc's `check-cfg`, so a typo in `src/sys.rs`
//! is a warning (an error in CI). Each list equals the crate-root gate of its backend crate
//! (and `apple` equals select-kqueue's `apple` alias): `cargo xtask ci tidy` compares them and
//! fails on any difference in either direction, so a gate that gains an operating system the
//! facade lacks cannot silently fall back to poll.

use cfg_aliases::cfg_aliases;

fn main() {
    cfg_aliases! {
        // Where `select-epoll` compiles: the same list as its crate-root gate.
        epoll_os: { any(target_os = "linux", target_os = "android") },
        // Where `select-kqueue` compiles: the same list as its crate-root gate.
        kqueue_os: {
            any(
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
        // Where `select-devpoll` compiles: the same list as its crate-root gate.
        devpoll_os: { any(target_os = "illumos", target_os = "solaris") },
        // Apple's systems lack pipe2(2), so the Waker's pipe sets its flags with fcntl(2).
        apple: {
            any(
                target_os = "macos",
                target_os = "ios",
                target_os = "tvos",
                target_os = "watchos",
                target_os = "visionos"
            )
        },
    }
}
