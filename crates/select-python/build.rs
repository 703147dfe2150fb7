//! Names the operating-system families once, so the module's sources never spell `target_os`.
//!
//! The module exports `epoll` where select-epoll exists, and the `POLL*` constants each
//! system defines; the aliases say where.
//!
//! On Apple systems an extension module leaves Python's symbols to the interpreter that loads
//! it (`-undefined dynamic_lookup`), since it is built without linking libpython.

fn main() {
    cfg_aliases::cfg_aliases! {
        // epoll, and with it `POLLMSG`, exist on the Linux kernel (Linux and Android).
        linux_kernel: { any(target_os = "linux", target_os = "android") },
        // `POLLRDHUP` exists on Linux, FreeBSD and illumos (as select-poll's build script says).
        poll_rdhup: { any(linux_kernel, target_os = "freebsd", target_os = "illumos") },
    }
    if std::env::var("CARGO_CFG_TARGET_VENDOR").as_deref() == Ok("apple") {
        println!("cargo:rustc-cdylib-link-arg=-undefined");
        println!("cargo:rustc-cdylib-link-arg=dynamic_lookup");
    }
}
