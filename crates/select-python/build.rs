//! Names the operating-system families once, so the module's sources never spell `target_os`.
//!
//! The module exports `epoll` where select-epoll exists, and the `POLL*` constants each
//! system defines; the aliases say where.

fn main() {
    cfg_aliases::cfg_aliases! {
        // epoll, and with it `POLLMSG`, exist on the Linux kernel (Linux and Android).
        linux_kernel: { any(target_os = "linux", target_os = "android") },
        // `POLLRDHUP` exists on Linux, FreeBSD and illumos (as select-poll's build script says).
        poll_rdhup: { any(linux_kernel, target_os = "freebsd", target_os = "illumos") },
    }
}
