#![doc = include_str!("../README.md")]
//!
//! # Contents
//!
//! This crate holds what every kernel mechanism has in common and makes no system call of its
//! own:
//!
//! - [`Backend`], the trait each backend crate implements (`select-poll`'s `Poll` and
//!   `Select`, `select-epoll`'s `Epoll`, `select-kqueue`'s `Kqueue`, `select-devpoll`'s
//!   `DevPoll`). Its documentation is the contract, written as MUST and MUST NOT rules.
//! - [`Interest`] (what to wait for), [`Readiness`] (what happened), [`Capabilities`] (what a
//!   backend can do), and [`Event`] plus the reusable [`EventBuffer`]s a wait fills.
//! - [`Error`], one error type whose variants are Python's exceptions made precise.
//! - [`AsFd`], [`BorrowedFd`] and [`RawFd`], the handle a backend watches: std's file
//!   descriptor types on Unix, WinSock sockets on Windows (`impl AsSocket` is an `AsFd`).
//! - [`timeout`], the rounding and retry rules every wait follows: timeouts round *up* to the
//!   mechanism's granularity, too-large values are clamped and re-waited, and `EINTR` is retried
//!   with the time that remains (PEP 475).
//!
//! # Features
//!
//! - `test-seams`: a test seam, not for users. It adds `timeout::calls_made` and
//!   `timeout::with_longest_slice`, through which the conformance suite counts a wait's system
//!   calls and shortens the slice clamp; each costs a thread-local access per wait, so leave
//!   it off. Only `select-conformance` enables it.
//!
//! # Design choices
//!
//! - **Static dispatch.** Generic code is written against `B: Backend`; nothing in the wait
//!   path is a trait object, so each wait compiles down to one system call plus bookkeeping.
//! - **Shared access.** Every operation except `close` takes `&self`: one thread may register
//!   while another waits, as Python allows. `close` takes `&mut self`, so the borrow checker
//!   rules out the race CPython still has between `close()` and a concurrent wait
//!   ([gh-121544](https://github.com/python/cpython/issues/121544)).
//! - **Errors for what the caller cannot prevent.** Conditions the types already exclude
//!   (a negative descriptor, a mask wider than the kernel's) are unrepresentable instead of
//!   being errors.

#![forbid(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backend;
mod error;
mod event;
mod interest;
mod platform;
pub mod timeout;
mod user_event;

pub use backend::{
    Backend, BackendKind, Checked, Mechanism, check_capacity, check_fd, check_fd_limit,
    check_interest, check_interest_bits,
};
pub use error::{Error, Result};
pub use event::{Event, EventBuffer, EventIter, EventList, allocate_events};
pub use interest::{Capabilities, Interest, Readiness};
pub use platform::{AsFd, AsRawFd, BorrowedFd, CLOSED_HANDLE, NO_MEMORY, NOT_REGISTERED, RawFd};
/// The kernel's error number, as [`Error::Os`] carries it: rustix's `Errno`, re-exported so a
/// caller can match one (`Errno::NOENT`, `Errno::BADF`) with no rustix dependency of its own.
///
/// On Windows it holds WinSock's codes (`Errno::NOTSOCK` is `WSAENOTSOCK`, 10038), kept
/// unchanged, so `io::Error::raw_os_error` returns what `WSAGetLastError` said.
///
/// # Examples
///
/// ```
/// use select_core::{Errno, Error};
///
/// let error = Error::Os(Errno::INVAL);
/// assert!(matches!(error, Error::Os(Errno::INVAL)));
/// let io = std::io::Error::from(error);
/// assert_eq!(io.raw_os_error(), Some(Errno::INVAL.raw_os_error()));
/// ```
pub use rustix::io::Errno;
pub use timeout::OnInterrupt;
pub use user_event::{UserEvent, UserTrigger};

/// The largest write to a pipe that the kernel performs atomically, for this target.
///
/// POSIX guarantees at least 512 bytes. Linux has 4096, macOS and the BSDs 512, illumos 5120.
///
/// Python: `select.PIPE_BUF`.
///
/// # References
///  - [POSIX]
///  - [Linux]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/write.html
/// [Linux]: https://man7.org/linux/man-pages/man7/pipe.7.html
// libc declares PIPE_BUF as a usize on most targets and as a (positive) c_int on illumos and
// Solaris, so the cast is a no-op on some targets and a widening on the others.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast, clippy::cast_sign_loss)]
pub const PIPE_BUF: usize = libc::PIPE_BUF as usize;

#[cfg(test)]
mod tests;
