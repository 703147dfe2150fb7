//! The raw /dev/poll calls rustix does not wrap: `ioctl(DP_POLL)` and `close(2)` with its error.
#![allow(unsafe_code)]

use std::marker::PhantomData;
use std::os::fd::{BorrowedFd, IntoRawFd, OwnedFd};

use rustix::io::Errno;
use rustix::ioctl::{Ioctl, IoctlOutput, Opcode};

/// `DP_POLL`: the ioctl that waits for events on the cached set.
///
/// illumos `usr/src/uts/common/sys/devpoll.h`: `#define DPIOC (0xD0 << 8)` and
/// `#define DP_POLL (DPIOC | 1)`, so `0xD001`; Solaris uses the same value (`poll(7D)`,
/// `<sys/devpoll.h>`). illumos and Solaris take a C `int` request.
pub(crate) const DP_POLL: Opcode = (0xD0 << 8) | 1;

/// `struct dvpoll`, the argument of `DP_POLL`.
///
/// illumos `sys/devpoll.h` declares `pollfd_t *dp_fds; nfds_t dp_nfds; int dp_timeout;`
/// followed by `sigset_t *dp_setp`, which only `DP_PPOLL` reads: for `DP_POLL` the driver
/// (`usr/src/uts/common/io/devpoll.c`, `dpioctl`) copies in just the bytes before
/// `dp_setp`. Solaris declares the first three members only (`poll(7D)`). So the three-member
/// layout below is what both kernels read for `DP_POLL`. `nfds_t` is `unsigned long` on both.
#[repr(C)]
struct DvPoll {
    dp_fds: *mut libc::pollfd,
    dp_nfds: libc::nfds_t,
    dp_timeout: libc::c_int,
}

/// One `ioctl(fd, DP_POLL, &dvpoll)` call, borrowing the result array for its duration.
struct DpPoll<'a> {
    arg: DvPoll,
    _results: PhantomData<&'a mut [libc::pollfd]>,
}

// SAFETY: on a /dev/poll descriptor, `DP_POLL` takes a pointer to a `struct dvpoll` (laid out
// as `DvPoll`, see its docs), reads it, and writes at most `dp_nfds` `pollfd` records to
// `dp_fds`; `DpPoll` borrows that array mutably for its lifetime and `dp_nfds` equals its
// length (see `dp_poll`, which fails rather than pass a larger count), so the kernel writes
// only memory this call owns (`IS_MUTATING` is true). The request number is not unique:
// ioctl numbers are per driver, and another driver may give `0xD001` another meaning. So
// this description holds only for a /dev/poll descriptor, which `dp_poll` requires and its
// one caller guarantees. The return value is the number of records written, converted below.
unsafe impl Ioctl for DpPoll<'_> {
    type Output = usize;

    const IS_MUTATING: bool = true;

    fn opcode(&self) -> Opcode {
        DP_POLL
    }

    fn as_ptr(&mut self) -> *mut libc::c_void {
        (&raw mut self.arg).cast()
    }

    unsafe fn output_from_ptr(
        out: IoctlOutput,
        _extract_output: *mut libc::c_void,
    ) -> rustix::io::Result<usize> {
        // The driver returns the number of records it filled, never negative on success.
        usize::try_from(out).map_err(|_| Errno::INVAL)
    }
}

/// `ioctl(fd, DP_POLL, &{results, results.len(), timeout_ms})` — waits for events on the
/// cached set and fills the start of `results`, returning how many records it filled.
///
/// `fd` must be a `/dev/poll` descriptor: the request number may mean something else to
/// other drivers. The one caller, `DevPoll::poll`, passes the `DevPoll`'s own descriptor,
/// opened from `/dev/poll` and never replaced.
///
/// # Errors
///
/// The errno of `ioctl`; `EINVAL` without a call if `results.len()` does not fit
/// `nfds_t` (it always does: both are 64 bits wide on illumos and Solaris).
pub(crate) fn dp_poll(
    fd: BorrowedFd<'_>,
    results: &mut [libc::pollfd],
    timeout_ms: libc::c_int,
) -> Result<usize, Errno> {
    // Never a clamped count: a count above `results.len()` would let the kernel write past it.
    let dp_nfds = libc::nfds_t::try_from(results.len()).map_err(|_| Errno::INVAL)?;
    let request = DpPoll {
        arg: DvPoll { dp_fds: results.as_mut_ptr(), dp_nfds, dp_timeout: timeout_ms },
        _results: PhantomData,
    };
    // SAFETY: `fd` is a /dev/poll descriptor (the one caller passes `DevPoll`'s own, opened
    // from `/dev/poll` and open for the borrow), so `DP_POLL` means the /dev/poll request the
    // `Ioctl` impl above describes; `request.arg.dp_fds` points to `results`, which stays
    // mutably borrowed until the call returns, and `dp_nfds` is exactly its length (checked
    // above), so the kernel writes inside it only.
    unsafe { rustix::ioctl::ioctl(fd, request) }
}

/// `close(fd)` — closes `fd` and reports the error of `close(2)`; the descriptor is released
/// either way.
///
/// `EINTR` is reported as success: on illumos and Solaris the descriptor is closed when
/// `close` returns, whatever it returns, and `EINTR` never reaches a caller of this crate.
pub(crate) fn close(fd: OwnedFd) -> Result<(), Errno> {
    let raw = fd.into_raw_fd();
    // SAFETY: `raw` comes from an `OwnedFd` this function consumed, so it is open and nothing
    // else owns it or will close it again; it is not used after this call.
    match unsafe { rustix::io::try_close(raw) } {
        Err(Errno::INTR) => Ok(()),
        result => result,
    }
}

/// Test support: interrupts a blocked system call in another thread with a signal.
#[cfg(all(test, repository_tests))]
pub(crate) mod signal {
    use std::os::unix::thread::RawPthread;

    /// The signal used; its handler does nothing.
    const SIGNAL: libc::c_int = libc::SIGUSR1;

    extern "C" fn ignore(_signal: libc::c_int) {}

    /// Installs a handler for `SIGUSR1` that does nothing, without `SA_RESTART`, so a blocked
    /// `ioctl` fails with `EINTR` when the signal arrives. Idempotent.
    pub(crate) fn install_handler() {
        let handler: extern "C" fn(libc::c_int) = ignore;
        // SAFETY: `sigaction` is plain data; all-zero is a valid empty value (empty mask, no
        // flags) on every Unix libc describes.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = handler as libc::sighandler_t;
        action.sa_flags = 0;
        // SAFETY: `action` is initialised and outlives the call; the old action is not wanted;
        // the handler is async-signal-safe (it does nothing).
        let result = unsafe { libc::sigaction(SIGNAL, &action, std::ptr::null_mut()) };
        assert_eq!(result, 0, "sigaction(SIGUSR1) failed");
    }

    /// Sends `SIGUSR1` to `thread`, whose `JoinHandle` must not be joined yet.
    ///
    /// The thread may already have finished its work and exited (the waiter returned before
    /// the signal): illumos then answers `ESRCH`, which means there is nothing left to
    /// interrupt, not a failure.
    pub(crate) fn interrupt(thread: RawPthread) {
        // SAFETY: the caller holds the unjoined `JoinHandle`, so `thread` is still a valid
        // thread ID (of a running or of an exited, unreaped thread), and `install_handler`
        // made the signal harmless.
        let result = unsafe { libc::pthread_kill(thread, SIGNAL) };
        assert!(result == 0 || result == libc::ESRCH, "pthread_kill failed: {result}");
    }
}
