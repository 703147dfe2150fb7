//! Names the operating systems that have `/dev/poll` once, as rustix and winit do.

fn main() {
    // `devpoll` gates the device type, its system calls and the tests that need a real
    // `/dev/poll`. The pure record logic in `conv.rs` compiles without it, so `cargo test` runs
    // its unit tests on every host (see the crate documentation).
    cfg_aliases::cfg_aliases! {
        devpoll: { any(target_os = "illumos", target_os = "solaris") },
    }
}
