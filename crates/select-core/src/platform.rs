//! The handle a backend watches, chosen once for the target: a file descriptor on Unix, a
//! WinSock `SOCKET` on Windows.
//!
//! On Unix these are std's own `std::os::fd` items, re-exported unchanged, so a type that
//! implements `std::os::fd::AsFd` is accepted everywhere with no change. On Windows they are
//! rustix's `rustix::fd` items, which name the socket types with the same words:
//! [`RawFd`] is `RawSocket`, [`BorrowedFd`] is `BorrowedSocket<'_>`, and [`AsFd`] and
//! [`AsRawFd`] are implemented for every type implementing `AsSocket` and `AsRawSocket`
//! (std's `TcpStream`, `TcpListener`, `UdpSocket`, `socket2::Socket`, ...). The code above
//! this module is the same on both: it calls `as_fd()` and `as_raw_fd()`.
//!
//! polling's `AsSource`/`AsRawSource` and mio's `Source` draw the same line per platform;
//! rustix's aliases are used because rustix is already the system-call dependency and its
//! Windows `select` takes exactly these types.
//!
//! # Examples
//!
//! ```
//! use select_core::{AsFd, AsRawFd};
//!
//! let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
//! let borrowed = socket.as_fd();
//! assert_eq!(borrowed.as_raw_fd(), socket.as_raw_fd());
//! # Ok::<(), std::io::Error>(())
//! ```

use rustix::io::Errno;

#[cfg(unix)]
pub use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

#[cfg(windows)]
pub use rustix::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// The error a wait reports for a registered handle that is no longer open: `EBADF` on Unix,
/// WinSock's `WSAENOTSOCK` (10038) on Windows, whose `select` says "not a socket" for a
/// closed one.
///
/// Python: the `OSError` that `select.select` raises (`[Errno 9] Bad file descriptor`,
/// `[WinError 10038]`).
///
/// # Examples
///
/// ```
/// use select_core::{CLOSED_HANDLE, Errno};
///
/// assert!(CLOSED_HANDLE == Errno::BADF || CLOSED_HANDLE == Errno::NOTSOCK);
/// ```
pub const CLOSED_HANDLE: Errno = closed_handle();

#[cfg(unix)]
const fn closed_handle() -> Errno {
    Errno::BADF
}

#[cfg(windows)]
const fn closed_handle() -> Errno {
    Errno::NOTSOCK
}

/// The error `modify` reports for a handle that is not registered, where the backend keeps
/// the registrations itself: `ENOENT` on Unix (Python's `FileNotFoundError` from
/// `poll.modify`); on Windows, which has no WinSock code for it, `ERROR_FILE_NOT_FOUND` (2),
/// which std also maps to [`std::io::ErrorKind::NotFound`].
///
/// # Examples
///
/// ```
/// use select_core::{Error, NOT_REGISTERED};
///
/// let io = std::io::Error::from(Error::Os(NOT_REGISTERED));
/// assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
/// ```
pub const NOT_REGISTERED: Errno = not_registered();

#[cfg(unix)]
const fn not_registered() -> Errno {
    Errno::NOENT
}

#[cfg(windows)]
const fn not_registered() -> Errno {
    Errno::from_raw_os_error(2)
}

/// What a valid handle number is, as [`is_invalid`]'s error says.
#[cfg(unix)]
pub(crate) const VALID_HANDLE: &str = "a non-negative file descriptor";
/// What a valid handle number is, as [`is_invalid`]'s error says.
#[cfg(windows)]
pub(crate) const VALID_HANDLE: &str = "a socket other than INVALID_SOCKET";

/// The error for memory the system cannot give: `ENOMEM` on Unix, `ERROR_NOT_ENOUGH_MEMORY`
/// (8) on Windows, which WinSock has no code for; std maps both to
/// [`std::io::ErrorKind::OutOfMemory`].
pub const NO_MEMORY: Errno = no_memory();

#[cfg(unix)]
const fn no_memory() -> Errno {
    Errno::NOMEM
}

#[cfg(windows)]
const fn no_memory() -> Errno {
    Errno::from_raw_os_error(8)
}

/// Whether `fd` is a number no open handle can have: negative on Unix (Python's "file
/// descriptor cannot be a negative integer"), `INVALID_SOCKET` (all bits set) on Windows.
pub(crate) fn is_invalid(fd: RawFd) -> bool {
    invalid(fd)
}

#[cfg(unix)]
fn invalid(fd: RawFd) -> bool {
    fd < 0
}

#[cfg(windows)]
fn invalid(fd: RawFd) -> bool {
    fd == RawFd::MAX
}
