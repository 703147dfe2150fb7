//! The targets the `cross` step lints, and how each gets its standard library.

/// How a target's standard library is obtained.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tier {
    /// `rustup target add` provides a prebuilt std on stable.
    Prebuilt,
    /// No prebuilt std: nightly with `-Zbuild-std=std,panic_abort` (needs `rust-src`).
    BuildStd,
}

/// One cross target and why it is on the list.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Target {
    pub(crate) triple: &'static str,
    pub(crate) tier: Tier,
    pub(crate) why: &'static str,
}

/// Every target `cargo xtask ci cross` lints: library and test code of every crate that is not
/// host-only (all but xtask and select-benches).
pub(crate) const TARGETS: &[Target] = &[
    Target { triple: "x86_64-unknown-linux-gnu", tier: Tier::Prebuilt, why: "host; epoll" },
    Target {
        triple: "x86_64-unknown-linux-musl",
        tier: Tier::Prebuilt,
        why: "another libc; epoll",
    },
    Target {
        triple: "i686-unknown-linux-gnu",
        tier: Tier::Prebuilt,
        why: "32-bit: c_int/usize casts, timeout overflow",
    },
    Target { triple: "aarch64-unknown-linux-gnu", tier: Tier::Prebuilt, why: "64-bit ARM; epoll" },
    Target { triple: "aarch64-linux-android", tier: Tier::Prebuilt, why: "Android; epoll" },
    Target { triple: "x86_64-apple-darwin", tier: Tier::Prebuilt, why: "macOS; kqueue" },
    Target { triple: "aarch64-apple-darwin", tier: Tier::Prebuilt, why: "macOS on ARM; kqueue" },
    Target { triple: "x86_64-unknown-freebsd", tier: Tier::Prebuilt, why: "FreeBSD; kqueue" },
    Target {
        triple: "x86_64-unknown-netbsd",
        tier: Tier::Prebuilt,
        why: "NetBSD; kqueue with its own kevent field widths",
    },
    Target { triple: "x86_64-unknown-illumos", tier: Tier::Prebuilt, why: "illumos; /dev/poll" },
    Target {
        triple: "x86_64-pc-windows-msvc",
        tier: Tier::Prebuilt,
        why: "Windows; WinSock select (the native job's target)",
    },
    Target {
        triple: "x86_64-pc-windows-gnu",
        tier: Tier::Prebuilt,
        why: "Windows with mingw-w64; WinSock select (what the windows step runs under Wine)",
    },
    Target { triple: "x86_64-unknown-openbsd", tier: Tier::BuildStd, why: "OpenBSD; kqueue" },
    Target { triple: "x86_64-unknown-dragonfly", tier: Tier::BuildStd, why: "DragonFly; kqueue" },
    Target { triple: "x86_64-pc-solaris", tier: Tier::BuildStd, why: "Solaris; /dev/poll" },
];
