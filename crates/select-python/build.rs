//! Names the operating-system families once, so the module's sources never spell `target_os`.
//!
//! The module exports `epoll` where select-epoll exists, `kqueue` and `kevent` where
//! select-kqueue does, `devpoll` where select-devpoll does, and the `POLL*` constants each
//! system defines; the aliases say where.
//!
//! On Apple systems an extension module leaves Python's symbols to the interpreter that loads
//! it (`-undefined dynamic_lookup`), since it is built without linking libpython.

fn main() {
    cfg_aliases::cfg_aliases! {
        // epoll, and with it `POLLMSG`, exist on the Linux kernel (Linux and Android).
        linux_kernel: { any(target_os = "linux", target_os = "android") },
        // `POLLRDHUP` exists on Linux, FreeBSD and illumos (as select-poll's build script says).
        // kqueue and kevent exist on Apple's systems and the BSDs; NetBSD's kevent fields are
        // 32 bits wide.
        kqueue: {
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
        netbsd: { target_os = "netbsd" },
        // /dev/poll exists on illumos and Solaris.
        devpoll: { any(target_os = "illumos", target_os = "solaris") },
        poll_rdhup: { any(linux_kernel, target_os = "freebsd", target_os = "illumos") },
    }
    if std::env::var("CARGO_CFG_TARGET_VENDOR").as_deref() == Ok("apple") {
        println!("cargo:rustc-cdylib-link-arg=-undefined");
        println!("cargo:rustc-cdylib-link-arg=dynamic_lookup");
    }
}
