//! Names the operating-system family this crate treats apart, once, with `cfg_aliases`.

use cfg_aliases::cfg_aliases;

fn main() {
    // cfg_aliases 0.2 declares every alias to `check-cfg` itself.
    cfg_aliases! {
        // Where an unknown system call fails with ENOSYS (or EPERM under a seccomp profile)
        // instead of killing the process: plain Linux. Android's app sandbox answers a system
        // call missing from its allow-list with SIGSYS, so there `epoll_pwait2` is never tried.
        pwait2_probe: { target_os = "linux" },
    }
}
