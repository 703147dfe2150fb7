//! [`Error`]: Python's `select` exceptions as one Rust enum.

use crate::platform::RawFd;
use std::io;

use rustix::io::Errno;

use crate::Interest;

/// The result of every fallible operation in the `select-*` crates.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// What went wrong, with the offending value.
///
/// Each variant corresponds to an exception CPython's `select` module raises, so code ported
/// from Python can match on the same conditions:
///
/// | Variant | Python |
/// |---|---|
/// | [`Os`](Error::Os) | `OSError` with its `errno` (`FileNotFoundError` for `ENOENT`, ...) |
/// | [`NotRegistered`](Error::NotRegistered) | `KeyError(fd)` from `poll.unregister` |
/// | [`AlreadyRegistered`](Error::AlreadyRegistered) | `KeyError` from `selectors` |
/// | [`Closed`](Error::Closed) | `ValueError: I/O operation on closed epoll object` |
/// | [`ConcurrentWait`](Error::ConcurrentWait) | `RuntimeError: concurrent poll() invocation` |
/// | [`InvalidArgument`](Error::InvalidArgument) | `ValueError` (`maxevents must be greater than 0, got 0`) |
/// | [`FdOutOfRange`](Error::FdOutOfRange) | `ValueError: filedescriptor out of range in select()` |
/// | [`TooManyFds`](Error::TooManyFds) | `ValueError: too many file descriptors in select()` |
/// | [`Overflow`](Error::Overflow) | `OverflowError` |
/// | [`ShortWrite`](Error::ShortWrite) | `OSError: failed to write all pollfds` (devpoll) |
/// | [`Unsupported`](Error::Unsupported) | (none: Python exposes each mechanism's own flags) |
/// | [`OutOfMemory`](Error::OutOfMemory) | `MemoryError` |
/// | [`Interrupted`](Error::Interrupted) | the exception a signal handler raised during a wait |
///
/// `EINTR` is never returned: every wait retries it (PEP 475), unless the caller's
/// [`OnInterrupt`](crate::OnInterrupt) hook stops the wait, which then fails with
/// [`Interrupted`](Error::Interrupted) (Python: the exception a signal handler raised).
///
/// # Examples
///
/// Matching an errno, as Python code catches `OSError` and reads `e.errno`:
///
/// ```
/// use select_core::{Errno, Error};
///
/// fn describe(error: &Error) -> String {
///     match error {
///         Error::Os(Errno::BADF) => "a descriptor was closed while registered".into(),
///         Error::Os(errno) => format!("OSError: errno {}", errno.raw_os_error()),
///         Error::NotRegistered { fd } => format!("KeyError: {fd}"),
///         other => other.to_string(),
///     }
/// }
/// assert_eq!(describe(&Error::Os(Errno::BADF)), "a descriptor was closed while registered");
/// assert_eq!(describe(&Error::NotRegistered { fd: 7 }), "KeyError: 7");
/// let error = Error::from(Errno::INVAL);
/// assert_eq!(error.errno(), Some(Errno::INVAL)); // `None` for the non-OS variants
/// let io = std::io::Error::from(Error::NotRegistered { fd: 7 }); // for `?` in io code
/// assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A system call failed; the errno is kept unchanged.
    #[error("{0}")]
    Os(#[from] Errno),

    /// The descriptor is not registered with this object.
    #[error("file descriptor {fd} is not registered")]
    NotRegistered {
        /// The descriptor that was asked for.
        fd: RawFd,
    },

    /// The descriptor is already registered with this object.
    #[error(
        "file descriptor {fd} is already registered (if the object that had this number was \
         closed without being unregistered, unregister_raw({fd}) removes its stale registration)"
    )]
    AlreadyRegistered {
        /// The descriptor that was registered twice.
        fd: RawFd,
    },

    /// The object was closed; no operation reaches its old descriptor.
    #[error("I/O operation on closed {object} object")]
    Closed {
        /// Which object: `"epoll"`, `"kqueue"`, `"devpoll"`, `"poll"`, `"select"`, ...
        object: &'static str,
    },

    /// A wait was started while another wait on the same object was in progress, on a backend
    /// without [`Capabilities::CONCURRENT_WAITS`](crate::Capabilities::CONCURRENT_WAITS).
    #[error("concurrent {object}() invocation")]
    ConcurrentWait {
        /// Which object: `"poll"`, `"select"`.
        object: &'static str,
    },

    /// An argument has a value the operation does not accept.
    #[error("{name} must be {expected}, got {value}")]
    InvalidArgument {
        /// The argument, as documented: `"maxevents"`, `"event buffer capacity"`, ...
        name: &'static str,
        /// What it must be: `"greater than 0"`.
        expected: &'static str,
        /// The value that was given.
        value: i128,
    },

    /// A descriptor is outside the range select(2) can handle (`0..FD_SETSIZE`).
    #[error("filedescriptor out of range in select(): {fd} is not below FD_SETSIZE ({limit})")]
    FdOutOfRange {
        /// The descriptor that was given.
        fd: RawFd,
        /// `FD_SETSIZE` for this target.
        limit: usize,
    },

    /// More descriptors than one select(2) set holds.
    #[error("too many file descriptors in select(): {count} given, FD_SETSIZE is {limit}")]
    TooManyFds {
        /// How many were given (in one list, duplicates included).
        count: usize,
        /// `FD_SETSIZE` for this target.
        limit: usize,
    },

    /// A value does not fit the type the system call takes.
    #[error("{name} is too large: {value} does not fit in {limit}")]
    Overflow {
        /// What overflowed: `"max_events"`, `"changelist length"`, ...
        name: &'static str,
        /// The value that was given.
        value: u128,
        /// The largest value accepted, in words: `"a C int (2147483647)"`.
        limit: &'static str,
    },

    /// A write to a kernel object took only part of what it was given (/dev/poll's batched
    /// registration records). Nothing is lost: the records not written are kept and written
    /// again by the next flush.
    #[error(
        "short write to the {object} device: {written} of {attempted} bytes written; the rest \
         is kept and written again"
    )]
    ShortWrite {
        /// Which object: `"devpoll"`.
        object: &'static str,
        /// How many bytes the kernel took.
        written: usize,
        /// How many bytes were offered.
        attempted: usize,
    },

    /// A buffer could not be allocated: the system has no memory for `value` entries.
    ///
    /// Python: `MemoryError`.
    #[error("cannot allocate {name} of {value} entries: out of memory")]
    OutOfMemory {
        /// What was being allocated: `"maxevents"`, `"event buffer capacity"`, ...
        name: &'static str,
        /// How many entries were asked for.
        value: usize,
    },

    /// The caller's [`OnInterrupt`](crate::OnInterrupt) hook returned
    /// [`ControlFlow::Break`](std::ops::ControlFlow::Break) after a signal interrupted a wait
    /// (`EINTR`), so the wait stopped without reporting events.
    ///
    /// Python: whatever exception the signal handler raised (`KeyboardInterrupt` for
    /// `SIGINT`), which `poll()`, `select()` and friends propagate.
    #[error("the caller's interrupt hook stopped the wait after a signal (EINTR)")]
    Interrupted,

    /// The backend cannot deliver what the interest asks for.
    #[error("the {backend} backend does not support {interest:?}")]
    Unsupported {
        /// The backend's [`NAME`](crate::Backend::NAME).
        backend: &'static str,
        /// The interest that was asked for.
        interest: Interest,
    },
}

impl Error {
    /// The errno, if this is an OS error.
    #[must_use]
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Os(errno) => Some(*errno),
            _ => None,
        }
    }
}

impl From<Error> for io::Error {
    /// Keeps the errno of an OS error (so `raw_os_error()` works) and maps the others to the
    /// closest [`io::ErrorKind`], keeping the message.
    fn from(error: Error) -> io::Error {
        let kind = match &error {
            Error::Os(errno) => return io::Error::from_raw_os_error(errno.raw_os_error()),
            Error::NotRegistered { .. } => io::ErrorKind::NotFound,
            Error::ShortWrite { .. } => io::ErrorKind::WriteZero,
            Error::AlreadyRegistered { .. } => io::ErrorKind::AlreadyExists,
            Error::ConcurrentWait { .. } => io::ErrorKind::ResourceBusy,
            Error::Unsupported { .. } => io::ErrorKind::Unsupported,
            Error::Interrupted => io::ErrorKind::Interrupted,
            Error::OutOfMemory { .. } => io::ErrorKind::OutOfMemory,
            // Python raises ValueError for these: the caller passed something unusable, and a
            // closed object is one of those.
            Error::Closed { .. }
            | Error::InvalidArgument { .. }
            | Error::FdOutOfRange { .. }
            | Error::TooManyFds { .. }
            | Error::Overflow { .. } => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, error)
    }
}
