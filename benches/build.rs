//! Names the operating-system family whose raw system call the benches call directly, once.
//!
//! Only the raw epoll row needs it: every backend of ours comes from `select::for_each_backend!`
//! and never needs a cfg. `cfg_aliases` 0.2 declares the alias to rustc's `check-cfg` itself.

use cfg_aliases::cfg_aliases;

fn main() {
    cfg_aliases! {
        // Where rustix's `event::epoll` and `select-epoll` exist: the same list as that crate's
        // crate-root gate.
        epoll_os: { any(target_os = "linux", target_os = "android") },
    }
}
