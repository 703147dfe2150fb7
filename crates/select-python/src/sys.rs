//! The two places where a Python integer becomes a descriptor, and the only `unsafe` of the
//! module.
//!
//! Python hands the `select` module plain descriptor numbers, owned by the Python program
//! (a socket object, `os.pipe()`, ...), not by the module. The crates take `BorrowedFd` and
//! `OwnedFd` so that Rust callers cannot pass a number they do not own; here the Python caller
//! vouches for the number, exactly as it does for CPython's C module.

use std::os::fd::{BorrowedFd, RawFd};
#[cfg(any(linux_kernel, kqueue))]
use std::os::fd::{FromRawFd, OwnedFd};

/// Borrows the descriptor number `fd` for one call into a backend crate.
///
/// The number may be closed or never opened (Python lets `poll.register(5000)` through, and
/// `epoll.unregister` of a closed descriptor must fail with `EBADF`): every call it is passed
/// to only hands the number to the kernel, which reports `EBADF` for it, or stores the number.
/// Nothing reads or writes through it or closes it.
pub(crate) fn borrow_number<'a>(fd: RawFd) -> BorrowedFd<'a> {
    debug_assert!(fd >= 0, "the fd converter rejects negative numbers first");
    // SAFETY: `fd` is not -1 (the converter rejects every negative number, see
    // `convert::fildes`), which is the one value `BorrowedFd` forbids outright. The borrow
    // is passed only to select-poll's and select-epoll's registration and wait functions, which
    // store the number or pass it to `poll(2)`, `select(2)` or `epoll_ctl(2)`; none of them
    // performs I/O on it or closes it, and the kernel answers `EBADF` (or `POLLNVAL`) for a
    // number that is not open. Whether the number stays open is the Python caller's business,
    // as with CPython's own module.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

/// Takes ownership of the descriptor number `fd`, for `fromfd(fd)`: closing or
/// collecting the object closes the number (`epoll.fromfd`, `kqueue.fromfd`).
#[cfg(any(linux_kernel, kqueue))]
pub(crate) fn adopt_number(fd: RawFd) -> OwnedFd {
    debug_assert!(fd >= 0, "fromfd handles -1 and rejects other negative numbers first");
    // SAFETY: `fd` is non-negative (`fromfd` checks it). Python's `fromfd` documents that the
    // object takes ownership of the number it is given, so from here on this `OwnedFd` is the
    // owner the Python caller handed it to; if the caller lied (closed it, or passed it to two
    // objects, as CPython's own `test_fromfd` does), the later system calls fail with `EBADF`
    // exactly as in CPython (whose close on deallocation reaches the same stale number).
    unsafe { OwnedFd::from_raw_fd(fd) }
}
