//! kqueue(2) backend: macOS, iOS, FreeBSD, NetBSD, OpenBSD, DragonFly BSD.
#![cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "watchos",
    target_os = "visionos",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
