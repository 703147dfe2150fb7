#![doc = include_str!("../README.md")]
//!
//! # Design choices
//!
//! - **State is `Option<OwnedFd>`.** `Epoll::close` takes the descriptor out and closes it
//!   with `close(2)`, reporting its error (CPython does since [gh-146205](https://github.com/python/cpython/issues/146205)); closing again does
//!   nothing. Every other operation takes `&self` and fails with `Error::Closed` once the
//!   descriptor is gone, so no call can reach a descriptor number the process has since
//!   reused. `close` takes `&mut self`, so the borrow checker rules out CPython's race between
//!   `close()` and a concurrent wait ([gh-121544](https://github.com/python/cpython/issues/121544)) without a lock. Dropping an `Epoll` closes
//!   it.
//! - **No locks.** The kernel object holds all the state (the interest list and the ready
//!   list), so `Epoll` is `Send + Sync` by being a descriptor. Several threads may wait at
//!   once, each with its own `EpollEvents`, while others register and unregister; the wait
//!   path is a check of the `Option`, then the call (and for a finite non-zero timeout one
//!   relaxed atomic load first: whether `epoll_pwait2` is available), all inlined into the
//!   caller.
//! - **The buffer is the kernel's array.** `EpollEvents` is a fixed-length array of
//!   `struct epoll_event` allocated once, whose length is `maxevents`, so `maxevents` is
//!   exact (a `Vec`'s spare capacity is only *at least* the requested size). A boxed slice
//!   of initialised records plus a count needs no `unsafe` to set a length and is free of
//!   allocation per wait.
//! - **The event data is the descriptor number**, stored in the union's `fd` member as CPython
//!   stores it, so events read `(fd, flags)` exactly as Python's `epoll.poll()` returns them.
//! - **Timeouts are exact to the nanosecond on Linux 5.11+.** Each wait with a finite,
//!   non-zero timeout is one `epoll_pwait2` with the timeout as a `struct __kernel_timespec`:
//!   a 100 µs wait waits 100 µs (plus the kernel's timer slack), not 1 ms as `epoll_wait`'s
//!   milliseconds would make it. A zero timeout and "block" are exact in milliseconds (0 and
//!   -1), so they are one `epoll_wait`, as in CPython, with no timespec for the kernel to copy
//!   in. Whether the kernel has `epoll_pwait2` is found out by the first timed wait and
//!   kept in an atomic (unknown, available, unavailable): on `ENOSYS` (a kernel before 5.11) or
//!   `EPERM` (a seccomp profile that refuses calls it does not know) that wait and every later
//!   one use `epoll_pwait` (linux_raw) or `epoll_wait` (libc) through rustix instead, with the
//!   timeout rounded *up* to whole milliseconds (1 ns waits 1 ms, never 0: no busy loop,
//!   [bpo-20311](https://bugs.python.org/issue20311)). Either way one system call per wait in steady state; only the very first
//!   wait on an old kernel makes two. rustix's own `linux_5_11` feature would call
//!   `epoll_pwait2` with no fallback, so the call and its detection live in this crate's
//!   `sys.rs`. On Android `epoll_pwait2` is never tried: the app sandbox's seccomp filter
//!   kills a process that makes a system call outside its allow-list instead of failing it.
//! - **Timeout rules** come from `select_core::timeout::wait_with_retry`: never shortened,
//!   clamped (to `i32::MAX` seconds for a timespec, to `INT_MAX` ms for the fallback) and
//!   re-waited when longer, `EINTR` retried with the time that remains.
//! - **`maxevents`** is the buffer's length. Python's default (`maxevents=-1`) is not "no
//!   limit" as its docstring says but `FD_SETSIZE - 1` = 1023; this crate keeps
//!   CPython's actual behaviour as `DEFAULT_MAXEVENTS` (the length of
//!   `EpollEvents::default`) and says so, rather than the documented one. A length of 0 is
//!   Python's `ValueError: maxevents must be greater than 0, got 0`:
//!   `Error::InvalidArgument` naming `maxevents` and the value.
//! - **Unsafe code** lives in `src/sys.rs` only, for three things rustix cannot make safe:
//!   `epoll_pwait2` with a fallback (through `libc::syscall`), `try_close` (to report
//!   `close(2)` errors) and `Send`/`Sync` for the event array (rustix's `epoll::Event` may
//!   hold a pointer; ours only ever holds the descriptor number).
//!
//! # What Python has that the types remove
//!
//! `register(-1)` and other type or value errors of Python's fd conversion cannot happen with
//! `AsFd`. A mask is a `EpollFlags`, all 32 bits kept (Python masks to 32 bits). A timeout
//! is an `Option<Duration>`: `None` blocks, as Python's `None` and every negative value do;
//! Python's quirk that a negative timeout in (−1 ms, 0) returns at once has no Rust spelling.
//! `fromfd(-1)` creating a new object is `Epoll::new`; `Epoll::from_fd` takes an
//! `OwnedFd`, so adopting a number nobody owns is impossible, and so is CPython's
//! `test_fromfd` scenario in which the owner closes a descriptor a second object still uses:
//! two objects share one epoll instance through a `dup` instead (see `Epoll::from_fd`).
//!
//! # Tested
//!
//! On Linux x86-64 (`src/tests.rs`, real TCP sockets on 127.0.0.1, socket pairs and pipes):
//! every case of CPython's `test_epoll.py` that applies (create and close, adoption,
//! close-on-exec, `EEXIST`/`EBADF`/`EPERM`/`ENOENT`, edge-triggered accumulation, unregister
//! and modify, unregister of a closed descriptor), plus oneshot re-arming, hang-ups, `EINTR`
//! retries with a signal every 5 ms, exclusive wake-ups on two epolls, two threads waiting on
//! one epoll, 1200 ready descriptors through a 1023-event buffer, `maxevents` 0, and a
//! counting allocator showing that waits allocate nothing. Descriptor counts and checks on
//! closed numbers run in a child process of their own, so parallel tests cannot disturb
//! them. The shared conformance suite runs against `Epoll` from `src/tests/conformance.rs`.
//! Under `strace` (`benches/tests/syscalls.rs`), a 1.5 ms wait is one
//! `epoll_pwait2(.., {tv_sec=0, tv_nsec=1500000}, ..)` call; with `epoll_pwait2` made to fail
//! with `ENOSYS` or `EPERM` (strace's fault injection), the first wait tries it once and every
//! wait is then one `epoll_pwait(.., 2, ..)`.
//! Android, musl, i686 and aarch64 are type-checked and linted (`cargo clippy --target`), not
//! run.
#![cfg(any(target_os = "linux", target_os = "android"))]
#![deny(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod conv;
mod sys;

use std::fmt;
use std::ops::ControlFlow;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

use bitflags::bitflags;
use rustix::event::epoll;
use select_core::timeout::{WaitRule, keep_waiting, wait_with_retry};
use select_core::{
    BackendKind, Capabilities, Checked, Error, Event, EventBuffer, Interest, Mechanism, Result,
};

/// The `"epoll"` object name in [`Error::Closed`].
const OBJECT: &str = "epoll";

bitflags! {
    /// `EPOLL*` — the event mask of a registration and of a reported event.
    ///
    /// Every flag Linux defines is here, with the values of the target's headers (through
    /// rustix's `epoll::EventFlags`). Unknown bits are kept, not dropped: a mask is passed to
    /// the kernel as given (which rejects what it does not know with `EINVAL`), and events are
    /// reported with all 32 bits, as Python reports them.
    ///
    /// Python: the `select.EPOLL*` constants, also exported as [`EPOLLIN`], [`EPOLLOUT`], ...
    ///
    /// # References
    ///  - [Linux]
    ///
    /// [Linux]: https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub struct EpollFlags: u32 {
        /// `EPOLLIN`: data can be read (or the peer closed: a read returns 0).
        const IN = epoll::EventFlags::IN.bits();
        /// `EPOLLOUT`: data can be written.
        const OUT = epoll::EventFlags::OUT.bits();
        /// `EPOLLPRI`: urgent data can be read.
        const PRI = epoll::EventFlags::PRI.bits();
        /// `EPOLLERR`: an error condition; always reported, whether asked for or not.
        const ERR = epoll::EventFlags::ERR.bits();
        /// `EPOLLHUP`: hang-up; always reported, whether asked for or not.
        const HUP = epoll::EventFlags::HUP.bits();
        /// `EPOLLRDNORM`: normal data can be read (as `POLLRDNORM`).
        const RDNORM = epoll::EventFlags::RDNORM.bits();
        /// `EPOLLRDBAND`: priority band data can be read (as `POLLRDBAND`).
        const RDBAND = epoll::EventFlags::RDBAND.bits();
        /// `EPOLLWRNORM`: normal data can be written (as `POLLWRNORM`).
        const WRNORM = epoll::EventFlags::WRNORM.bits();
        /// `EPOLLWRBAND`: priority band data can be written (as `POLLWRBAND`).
        const WRBAND = epoll::EventFlags::WRBAND.bits();
        /// `EPOLLMSG`: unused by Linux; kept because Python exports it.
        const MSG = epoll::EventFlags::MSG.bits();
        /// `EPOLLRDHUP`: the stream peer shut down its writing side.
        const RDHUP = epoll::EventFlags::RDHUP.bits();
        /// `EPOLLEXCLUSIVE`: wake only one of the epoll objects attached to the same target
        /// (Linux 4.5). Only with `register`; `modify` rejects it with `EINVAL`.
        const EXCLUSIVE = epoll::EventFlags::EXCLUSIVE.bits();
        /// `EPOLLWAKEUP`: hold a wake lock while the event is pending (needs
        /// `CAP_BLOCK_SUSPEND`, otherwise silently ignored by the kernel).
        const WAKEUP = epoll::EventFlags::WAKEUP.bits();
        /// `EPOLLONESHOT`: disable the registration after one event until `modify` re-arms it.
        const ONESHOT = epoll::EventFlags::ONESHOT.bits();
        /// `EPOLLET`: edge-triggered: report only changes of readiness.
        const ET = epoll::EventFlags::ET.bits();

        // Keep bits this crate has no name for (a newer kernel's flag, for example).
        const _ = !0;
    }
}

impl EpollFlags {
    /// Python's default mask for `epoll.register`: `EPOLLIN | EPOLLPRI | EPOLLOUT`.
    pub const PYTHON_DEFAULT: EpollFlags =
        EpollFlags::IN.union(EpollFlags::PRI).union(EpollFlags::OUT);
}

/// `EPOLLIN`, as Python names it. See [`EpollFlags::IN`].
pub const EPOLLIN: EpollFlags = EpollFlags::IN;
/// `EPOLLOUT`, as Python names it. See [`EpollFlags::OUT`].
pub const EPOLLOUT: EpollFlags = EpollFlags::OUT;
/// `EPOLLPRI`, as Python names it. See [`EpollFlags::PRI`].
pub const EPOLLPRI: EpollFlags = EpollFlags::PRI;
/// `EPOLLERR`, as Python names it. See [`EpollFlags::ERR`].
pub const EPOLLERR: EpollFlags = EpollFlags::ERR;
/// `EPOLLHUP`, as Python names it. See [`EpollFlags::HUP`].
pub const EPOLLHUP: EpollFlags = EpollFlags::HUP;
/// `EPOLLRDNORM`, as Python names it. See [`EpollFlags::RDNORM`].
pub const EPOLLRDNORM: EpollFlags = EpollFlags::RDNORM;
/// `EPOLLRDBAND`, as Python names it. See [`EpollFlags::RDBAND`].
pub const EPOLLRDBAND: EpollFlags = EpollFlags::RDBAND;
/// `EPOLLWRNORM`, as Python names it. See [`EpollFlags::WRNORM`].
pub const EPOLLWRNORM: EpollFlags = EpollFlags::WRNORM;
/// `EPOLLWRBAND`, as Python names it. See [`EpollFlags::WRBAND`].
pub const EPOLLWRBAND: EpollFlags = EpollFlags::WRBAND;
/// `EPOLLMSG`, as Python names it. See [`EpollFlags::MSG`].
pub const EPOLLMSG: EpollFlags = EpollFlags::MSG;
/// `EPOLLRDHUP`, as Python names it. See [`EpollFlags::RDHUP`].
pub const EPOLLRDHUP: EpollFlags = EpollFlags::RDHUP;
/// `EPOLLEXCLUSIVE`, as Python names it. See [`EpollFlags::EXCLUSIVE`].
pub const EPOLLEXCLUSIVE: EpollFlags = EpollFlags::EXCLUSIVE;
/// `EPOLLWAKEUP`, as Python (3.14+) names it. See [`EpollFlags::WAKEUP`].
pub const EPOLLWAKEUP: EpollFlags = EpollFlags::WAKEUP;
/// `EPOLLONESHOT`, as Python names it. See [`EpollFlags::ONESHOT`].
pub const EPOLLONESHOT: EpollFlags = EpollFlags::ONESHOT;
/// `EPOLLET`, as Python names it. See [`EpollFlags::ET`].
pub const EPOLLET: EpollFlags = EpollFlags::ET;

/// `EPOLL_CLOEXEC`, the `epoll_create1` flag (0x80000 on Linux).
///
/// Informational: [`Epoll::new`] always creates the descriptor close-on-exec, as Python
/// does whatever `flags` it is given.
///
/// Python: `select.EPOLL_CLOEXEC`.
pub const EPOLL_CLOEXEC: u32 = epoll::CreateFlags::CLOEXEC.bits();

/// The `maxevents` of Python's `epoll.poll(maxevents=-1)`: `FD_SETSIZE - 1` = 1023, the
/// length of [`EpollEvents::default`].
///
/// ⚠ Python documents `-1` as "no limit", but CPython caps it at 1023 events per call: with
/// 1200 ready descriptors, `poll(0)` returns 1023 events and `poll(0, 2000)` all 1200. This crate keeps the actual behaviour; the rest come back in the next wait, since
/// the kernel rotates level-triggered events to the back of its ready list. Pass a larger
/// capacity to [`EpollEvents::with_capacity`] to get more per call.
///
/// Python: the effect of `epoll.poll(maxevents=-1)`.
pub const DEFAULT_MAXEVENTS: usize = 1023;

/// The largest `maxevents` an [`EpollEvents`] takes: `INT_MAX`, as `epoll_wait(2)` takes a C
/// `int`. The kernel itself refuses more than `INT_MAX / sizeof(struct epoll_event)` with
/// `EINVAL`; a capacity above `INT_MAX` is refused when the buffer is created
/// ([`Error::Overflow`]), never truncated to its low 32 bits.
// `i32::MAX` is positive, so the conversion is exact.
#[allow(clippy::cast_sign_loss)]
pub const MAX_MAXEVENTS: usize = i32::MAX as usize;

/// A Linux `epoll` instance — Python's `select.epoll`.
///
/// Created close-on-exec by [`Epoll::new`], or adopted with [`Epoll::from_fd`]. Registrations
/// live in the kernel object, keyed by the registered open file description; the event data
/// is the descriptor number, and a wait reports `(fd, flags)` pairs into a caller-owned
/// [`EpollEvents`].
///
/// `Epoll` is `Send + Sync`: any number of threads may wait at once, each with its own
/// buffer, while others register, modify and unregister. Only [`close`](Epoll::close) needs
/// `&mut self`.
///
/// Python: `select.epoll`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use select_epoll::{EPOLLIN, Epoll, EpollEvents};
///
/// // One epoll shared by two threads: one waits while the other registers and writes.
/// let epoll = Arc::new(Epoll::new()?);
/// let (reader, writer) = rustix::pipe::pipe()?;
/// let waiter = std::thread::spawn({
///     let epoll = Arc::clone(&epoll);
///     move || epoll.poll(&mut EpollEvents::with_capacity(1), Some(Duration::from_secs(10)))
/// });
/// epoll.register(&reader, EPOLLIN)?;
/// rustix::io::write(&writer, b"x")?;
/// assert_eq!(waiter.join().unwrap()?, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # References
///  - [Linux]
///
/// [Linux]: https://man7.org/linux/man-pages/man7/epoll.7.html
pub struct Epoll {
    /// The epoll descriptor, or `None` once closed (CPython's −1).
    fd: Option<OwnedFd>,
}

impl fmt::Debug for Epoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fd {
            Some(fd) => f.debug_struct("Epoll").field("fd", &fd.as_raw_fd()).finish(),
            None => f.debug_struct("Epoll").field("closed", &true).finish(),
        }
    }
}

impl Epoll {
    /// `epoll_create1(EPOLL_CLOEXEC)` — creates an epoll instance.
    ///
    /// The descriptor is always close-on-exec (not inheritable), as in Python.
    ///
    /// Python: `select.epoll()` (its `sizehint` and `flags` arguments have no effect on Linux,
    /// so there are none here).
    ///
    /// # Errors
    ///
    /// The errno of `epoll_create1`: `EMFILE`, `ENFILE`, `ENOMEM`.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_epoll::Epoll;
    ///
    /// let epoll = Epoll::new()?;
    /// // Created close-on-exec, as Python's (PEP 446).
    /// assert!(rustix::io::fcntl_getfd(&epoll)?.contains(rustix::io::FdFlags::CLOEXEC));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Linux]
    ///
    /// [Linux]: https://man7.org/linux/man-pages/man2/epoll_create.2.html
    pub fn new() -> Result<Epoll> {
        let fd = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        Ok(Epoll { fd: Some(fd) })
    }

    /// Adopts `fd`, which should be an epoll descriptor, taking ownership: closing or dropping
    /// the returned object closes it.
    ///
    /// Like Python, this does not check the descriptor; a descriptor that is not an epoll
    /// instance makes later calls fail with `EINVAL`. It does not change its close-on-exec
    /// flag either.
    ///
    /// To let two objects share one epoll instance (CPython's `test_fromfd`), adopt a
    /// duplicate: `Epoll::from_fd(epoll.as_fd().try_clone_to_owned()?)`. Both descriptors
    /// refer to the same kernel object, so each sees the other's registrations, and closing
    /// one leaves the other working. Where CPython lets the second object keep the number
    /// the first one closed (and fail with `EBADF`, or worse, reach whatever reuses it),
    /// ownership makes that impossible here.
    ///
    /// Python: `select.epoll.fromfd(fd)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::AsFd;
    /// use select_core::{Errno, Error};
    /// use select_epoll::{EPOLLIN, Epoll};
    ///
    /// let (reader, _writer) = rustix::pipe::pipe()?;
    /// let epoll = Epoll::new()?;
    /// let shared = Epoll::from_fd(epoll.as_fd().try_clone_to_owned()?); // a dup: the same instance
    /// epoll.register(&reader, EPOLLIN)?;
    /// assert!(matches!(shared.register(&reader, EPOLLIN), Err(Error::Os(Errno::EXIST))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn from_fd(fd: OwnedFd) -> Epoll {
        Epoll { fd: Some(fd) }
    }

    /// `close(epfd)` — closes the epoll descriptor, and with it every registration.
    ///
    /// Closing again does nothing and succeeds. After `close`, every other operation fails
    /// with [`Error::Closed`].
    ///
    /// Python: `epoll.close()`.
    ///
    /// # Errors
    ///
    /// The errno of `close(2)` (CPython raises it since [gh-146205](https://github.com/python/cpython/issues/146205)). The object is closed all
    /// the same, and closing again succeeds.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::Error;
    /// use select_epoll::Epoll;
    ///
    /// let mut epoll = Epoll::new()?;
    /// epoll.close()?;
    /// assert!(epoll.is_closed());
    /// assert!(matches!(epoll.fileno(), Err(Error::Closed { .. }))); // Python's ValueError
    /// epoll.close()?; // closing again does nothing
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Linux]
    ///
    /// [Linux]: https://man7.org/linux/man-pages/man2/close.2.html
    pub fn close(&mut self) -> Result<()> {
        match self.fd.take() {
            Some(fd) => sys::close(fd).map_err(Error::from),
            None => Ok(()),
        }
    }

    /// Whether [`close`](Epoll::close) was called.
    ///
    /// Python: `epoll.closed`.
    #[must_use]
    #[inline]
    pub fn is_closed(&self) -> bool {
        self.fd.is_none()
    }

    /// The epoll descriptor's number.
    ///
    /// Python: `epoll.fileno()`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Epoll::close).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::{AsFd, AsRawFd};
    /// use select_epoll::Epoll;
    ///
    /// let epoll = Epoll::new()?;
    /// assert_eq!(epoll.fileno()?, epoll.as_fd().as_raw_fd());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fileno(&self) -> Result<RawFd> {
        self.epoll_fd().map(|fd| fd.as_raw_fd())
    }

    /// The descriptor, or [`Error::Closed`] (Python's
    /// `ValueError: I/O operation on closed epoll object`).
    #[inline]
    fn epoll_fd(&self) -> Result<BorrowedFd<'_>> {
        match &self.fd {
            Some(fd) => Ok(fd.as_fd()),
            None => Err(Error::Closed { object: OBJECT }),
        }
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_ADD, fd, {mask, fd})` — starts watching `fd` for `mask`.
    ///
    /// Python's default mask is [`EpollFlags::PYTHON_DEFAULT`] (`EPOLLIN | EPOLLPRI |
    /// EPOLLOUT`). `EPOLLERR` and `EPOLLHUP` are always reported. The mask goes to the
    /// kernel unchanged, so the kernel's rules for `EPOLLEXCLUSIVE` (only with `EPOLLIN`,
    /// `EPOLLOUT`, `EPOLLWAKEUP` and `EPOLLET`) apply.
    ///
    /// The registration belongs to the open file description behind `fd`: it lasts until
    /// [`unregister`](Epoll::unregister), or until every descriptor referring to that
    /// description is closed. Closing `fd` alone while a `dup` of it is open leaves it
    /// registered, and events keep reporting the old number.
    ///
    /// Python: `epoll.register(fd, eventmask)`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Epoll::close); otherwise the kernel's errno
    /// ([`Error::Os`]): `EEXIST` if `fd` is already registered, `EPERM` if `fd` does not
    /// support epoll (a regular file or a directory), `EBADF` if it is not open, `EINVAL`
    /// for an invalid mask or the epoll descriptor itself, `ELOOP` for a cycle of epoll
    /// instances, `ENOSPC` past `/proc/sys/fs/epoll/max_user_watches`.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::{Errno, Error};
    /// use select_epoll::{EPOLLET, EPOLLIN, Epoll};
    ///
    /// let (reader, _writer) = rustix::pipe::pipe()?;
    /// let epoll = Epoll::new()?;
    /// epoll.register(&reader, EPOLLIN | EPOLLET)?;
    /// // The kernel's errno, unchanged: a second registration is EEXIST (FileExistsError).
    /// assert!(matches!(epoll.register(&reader, EPOLLIN), Err(Error::Os(Errno::EXIST))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Linux]
    ///
    /// [Linux]: https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
    pub fn register(&self, fd: impl AsFd, mask: EpollFlags) -> Result<()> {
        let fd = fd.as_fd();
        let data = epoll::EventData::new_u64(conv::fd_to_data(fd.as_raw_fd()));
        epoll::add(self.epoll_fd()?, fd, data, native(mask))?;
        Ok(())
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_MOD, fd, {mask, fd})` — replaces the mask of a registered
    /// `fd`, and re-arms an `EPOLLONESHOT` registration.
    ///
    /// Python: `epoll.modify(fd, eventmask)`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Epoll::close); otherwise the kernel's errno:
    /// `ENOENT` if `fd` is not registered, `EINVAL` for `EPOLLEXCLUSIVE` (which only
    /// `register` accepts) or for a registration made with it, and the errors of
    /// [`register`](Epoll::register).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::time::Duration;
    /// use select_core::{Errno, Error};
    /// use select_epoll::{EPOLLIN, EPOLLOUT, Epoll, EpollEvents};
    ///
    /// let (reader, writer) = rustix::pipe::pipe()?;
    /// let epoll = Epoll::new()?;
    /// let mut events = EpollEvents::with_capacity(4);
    /// epoll.register(&writer, EPOLLIN)?; // a pipe's write end never becomes readable
    /// assert_eq!(epoll.poll(&mut events, Some(Duration::ZERO))?, 0);
    /// epoll.modify(&writer, EPOLLOUT)?;
    /// assert_eq!(epoll.poll(&mut events, Some(Duration::ZERO))?, 1);
    /// assert_eq!(events.get_native(0), Some((writer.as_raw_fd(), EPOLLOUT)));
    /// assert!(matches!(epoll.modify(&reader, EPOLLIN), Err(Error::Os(Errno::NOENT)))); // not registered
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Linux]
    ///
    /// [Linux]: https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
    pub fn modify(&self, fd: impl AsFd, mask: EpollFlags) -> Result<()> {
        let fd = fd.as_fd();
        let data = epoll::EventData::new_u64(conv::fd_to_data(fd.as_raw_fd()));
        epoll::modify(self.epoll_fd()?, fd, data, native(mask))?;
        Ok(())
    }

    /// `epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL)` — stops watching `fd`.
    ///
    /// Python: `epoll.unregister(fd)`. As since Python 3.9 ([bpo-39239](https://bugs.python.org/issue39239)), `EBADF` for a
    /// descriptor that was closed is reported, never ignored.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Epoll::close); otherwise the kernel's errno:
    /// `ENOENT` if `fd` is not registered, `EBADF` if it is not open.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::{Errno, Error};
    /// use select_epoll::{EPOLLIN, Epoll};
    ///
    /// let (reader, _writer) = rustix::pipe::pipe()?;
    /// let epoll = Epoll::new()?;
    /// epoll.register(&reader, EPOLLIN)?;
    /// epoll.unregister(&reader)?;
    /// assert!(matches!(epoll.unregister(&reader), Err(Error::Os(Errno::NOENT))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Linux]
    ///
    /// [Linux]: https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
    pub fn unregister(&self, fd: impl AsFd) -> Result<()> {
        epoll::delete(self.epoll_fd()?, fd)?;
        Ok(())
    }

    /// `epoll_pwait2(epfd, events, maxevents, timeout, NULL)` (`epoll_wait` for a zero or no
    /// timeout, and before Linux 5.11) — waits until a registered descriptor is ready or `timeout` elapses, and fills
    /// `events` with what happened.
    ///
    /// `maxevents` is `events`' capacity ([`DEFAULT_MAXEVENTS`] for
    /// [`EpollEvents::default`]). Returns the number of events stored, 0 on timeout. The
    /// previous contents of `events` are replaced.
    ///
    /// `timeout`: `None` blocks until an event (Python's `None` or any negative value).
    /// Otherwise it is passed to the nanosecond through `epoll_pwait2` (Linux 5.11+); where
    /// the kernel lacks that call it is rounded *up* to whole milliseconds for `epoll_wait`,
    /// so a sub-millisecond timeout waits 1 ms rather than returning at once. It is never
    /// shortened: a timeout longer than one call accepts (`i32::MAX` seconds, or `INT_MAX` ms
    /// for `epoll_wait`) is waited in slices, never turned into "forever". A signal (`EINTR`)
    /// restarts the wait with the time that remains (PEP 475); once the deadline has passed it
    /// returns 0.
    ///
    /// One system call and no allocation in the common case; no lock is taken, so any number
    /// of threads may wait at once, each with its own `events`.
    ///
    /// Python: `epoll.poll(timeout, maxevents)`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Epoll::close) (checked first, as in Python);
    /// [`Error::InvalidArgument`] naming `maxevents` for a buffer of capacity 0 (Python's
    /// `ValueError: maxevents must be greater than 0, got 0`); otherwise the kernel's errno:
    /// `EBADF` or `EINVAL` if the descriptor is not an epoll instance, `EINVAL` for a
    /// capacity above `INT_MAX / sizeof(struct epoll_event)`. Never `EINTR`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::time::{Duration, Instant};
    /// use select_epoll::{EPOLLIN, Epoll, EpollEvents};
    ///
    /// let (reader, writer) = rustix::pipe::pipe()?;
    /// let epoll = Epoll::new()?;
    /// epoll.register(&reader, EPOLLIN)?;
    /// let mut events = EpollEvents::with_capacity(8); // maxevents = 8
    /// let start = Instant::now();
    /// assert_eq!(epoll.poll(&mut events, Some(Duration::from_millis(20)))?, 0); // timed out
    /// assert!(start.elapsed() >= Duration::from_millis(20)); // never shortened
    /// rustix::io::write(&writer, b"x")?;
    /// assert_eq!(epoll.poll(&mut events, None)?, 1);
    /// assert_eq!(events.iter().collect::<Vec<_>>(), [(reader.as_raw_fd(), EPOLLIN)]); // (fd, flags)
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Linux]
    ///
    /// [Linux]: https://man7.org/linux/man-pages/man2/epoll_wait.2.html
    pub fn poll(&self, events: &mut EpollEvents, timeout: Option<Duration>) -> Result<usize> {
        self.poll_interruptible(events, timeout, &mut keep_waiting)
    }

    /// [`poll`](Epoll::poll), calling `on_interrupt` once after each `EINTR` before the wait
    /// is retried: [`ControlFlow::Continue`] waits on for the time that remains,
    /// [`ControlFlow::Break`] stops the wait with [`Error::Interrupted`].
    ///
    /// Python: `epoll.poll(timeout, maxevents)` with the interpreter's signal handlers run on
    /// `EINTR` (a handler that raises ends the wait).
    ///
    /// # Errors
    ///
    /// [`Error::Interrupted`] when the hook stops the wait, and the errors of
    /// [`poll`](Epoll::poll).
    pub fn poll_interruptible(
        &self,
        events: &mut EpollEvents,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    ) -> Result<usize> {
        let epfd = self.epoll_fd()?;
        select_core::check_capacity(events)?;
        wait_checked(epfd, events, timeout, on_interrupt)
    }
}

/// The wait of [`Epoll::poll_interruptible`] and [`select_core::Backend::wait`] once the object is known
/// to be open and `events` to hold at least one event: the caller made both checks, so this
/// goes straight to [`wait_with_retry`] and the system call.
#[inline]
fn wait_checked(
    epfd: BorrowedFd<'_>,
    events: &mut EpollEvents,
    timeout: Option<Duration>,
    on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
) -> Result<usize> {
    events.len = 0;
    let buffer = &mut events.raw.0[..];
    let rule = if sys::nanosecond_waits() { conv::NANOS_TIMESPEC } else { WaitRule::MILLIS_INT };
    let count =
        wait_with_retry(timeout, rule, on_interrupt, |slice| sys::wait(epfd, &mut *buffer, slice))?;
    events.len = count;
    Ok(count)
}

/// The rustix mask for `mask`, all 32 bits kept.
fn native(mask: EpollFlags) -> epoll::EventFlags {
    epoll::EventFlags::from_bits_retain(mask.bits())
}

impl AsFd for Epoll {
    /// The epoll descriptor.
    ///
    /// # Panics
    ///
    /// After [`close`](Epoll::close): there is no descriptor to borrow. Use
    /// [`fileno`](Epoll::fileno) for a fallible answer.
    fn as_fd(&self) -> BorrowedFd<'_> {
        match &self.fd {
            Some(fd) => fd.as_fd(),
            None => panic!("I/O operation on closed epoll object"),
        }
    }
}

/// The buffer one [`Epoll::poll`] fills: up to `maxevents` `(fd, flags)` events, in the
/// kernel's own `struct epoll_event` layout.
///
/// Allocated once by [`with_capacity`](EpollEvents::with_capacity) (or
/// [`default`](EpollEvents::default), which holds [`DEFAULT_MAXEVENTS`]); a wait writes into
/// it without allocating and replaces what it held. Iterating yields `(RawFd, EpollFlags)`
/// pairs, Python's `(fd, events)` tuples, with all 32 bits of the flags;
/// [`EventBuffer::get`] gives the portable [`Event`].
///
/// Python: the list `epoll.poll()` returns, made reusable.
pub struct EpollEvents {
    raw: sys::RawEvents,
    len: usize,
}

impl EpollEvents {
    /// A buffer for at most `maxevents` events per wait. Allocates once, here.
    ///
    /// A capacity of 0 is accepted; every wait into it fails with
    /// [`Error::InvalidArgument`], as Python's `poll(maxevents=0)` raises `ValueError`.
    ///
    /// Python: `epoll.poll(timeout, maxevents)`'s `maxevents`.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] naming a `maxevents` above [`MAX_MAXEVENTS`] (`INT_MAX`);
    /// [`Error::OutOfMemory`] naming it when the allocation fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_epoll::EpollEvents;
    ///
    /// assert_eq!(EpollEvents::try_with_capacity(64)?.capacity(), 64);
    /// assert!(EpollEvents::try_with_capacity((1 << 32) + 1).is_err());
    /// # Ok::<(), select_core::Error>(())
    /// ```
    pub fn try_with_capacity(maxevents: usize) -> Result<EpollEvents> {
        Ok(EpollEvents { raw: sys::RawEvents::zeroed(maxevents)?, len: 0 })
    }

    /// [`try_with_capacity`](EpollEvents::try_with_capacity) for a `maxevents` known to be
    /// reasonable, as [`Vec::with_capacity`].
    ///
    /// # Panics
    ///
    /// With the error of `try_with_capacity`, naming `maxevents`, if it fails.
    #[must_use]
    pub fn with_capacity(maxevents: usize) -> EpollEvents {
        EpollEvents::try_with_capacity(maxevents).unwrap_or_else(|error| panic!("{error}"))
    }

    /// The most events one wait stores: `maxevents`.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.raw.0.len()
    }

    /// How many events the last wait stored.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the last wait stored no event.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets the stored events, keeping the allocation.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The event at `index` as `(fd, flags)`, or `None` past the end.
    #[must_use]
    #[inline]
    pub fn get_native(&self, index: usize) -> Option<(RawFd, EpollFlags)> {
        self.raw.0[..self.len].get(index).map(|event| decode(*event))
    }

    /// The stored events as `(fd, flags)`, in the order the kernel reported them.
    pub fn iter(&self) -> EpollEventsIter<'_> {
        EpollEventsIter { events: self.raw.0[..self.len].iter() }
    }
}

/// The `(fd, flags)` of one record, all 32 bits of the flags kept.
#[inline]
fn decode(event: epoll::Event) -> (RawFd, EpollFlags) {
    let flags = event.flags;
    let data = event.data;
    (conv::data_to_fd(data.u64()), EpollFlags::from_bits_retain(flags.bits()))
}

impl Default for EpollEvents {
    /// A buffer of [`DEFAULT_MAXEVENTS`] (1023), Python's `maxevents=-1`.
    fn default() -> EpollEvents {
        EpollEvents::with_capacity(DEFAULT_MAXEVENTS)
    }
}

impl fmt::Debug for EpollEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpollEvents")
            .field("capacity", &self.capacity())
            .field("events", &DebugList(self))
            .finish()
    }
}

/// Lists the stored events in [`EpollEvents`]' `Debug` output.
struct DebugList<'a>(&'a EpollEvents);

impl fmt::Debug for DebugList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a EpollEvents {
    type Item = (RawFd, EpollFlags);
    type IntoIter = EpollEventsIter<'a>;

    fn into_iter(self) -> EpollEventsIter<'a> {
        self.iter()
    }
}

/// The iterator of [`EpollEvents::iter`]: `(fd, flags)` pairs.
#[derive(Clone)]
pub struct EpollEventsIter<'a> {
    events: std::slice::Iter<'a, epoll::Event>,
}

impl fmt::Debug for EpollEventsIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpollEventsIter").field("remaining", &self.events.len()).finish()
    }
}

impl Iterator for EpollEventsIter<'_> {
    type Item = (RawFd, EpollFlags);

    fn next(&mut self) -> Option<(RawFd, EpollFlags)> {
        self.events.next().map(|event| decode(*event))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.events.size_hint()
    }
}

impl ExactSizeIterator for EpollEventsIter<'_> {}

impl EventBuffer for EpollEvents {
    /// Python's name: `epoll.poll(timeout, maxevents)`.
    const CAPACITY_NAME: &'static str = "maxevents";
    const MAX_CAPACITY: usize = MAX_MAXEVENTS;

    fn try_with_capacity(capacity: usize) -> Result<EpollEvents> {
        EpollEvents::try_with_capacity(capacity)
    }

    fn capacity(&self) -> usize {
        EpollEvents::capacity(self)
    }

    fn len(&self) -> usize {
        EpollEvents::len(self)
    }

    fn clear(&mut self) {
        EpollEvents::clear(self);
    }

    #[inline]
    fn get(&self, index: usize) -> Option<Event> {
        self.get_native(index).map(|(fd, flags)| Event::new(fd, conv::flags_to_readiness(flags)))
    }
}

impl Mechanism for Epoll {
    const KIND: BackendKind = BackendKind::Epoll;

    /// Level and edge triggering, oneshot, exclusive wake-ups and priority data; a kernel
    /// object; any number of concurrent waiters; `EEXIST` for a second `register`.
    const CAPABILITIES: Capabilities = Capabilities::LEVEL
        .union(Capabilities::EDGE)
        .union(Capabilities::ONESHOT)
        .union(Capabilities::EXCLUSIVE)
        .union(Capabilities::PRIORITY)
        .union(Capabilities::KERNEL_OBJECT)
        .union(Capabilities::CONCURRENT_WAITS)
        .union(Capabilities::REJECTS_DUPLICATES);

    const FD_LIMIT: Option<usize> = None;

    type Events = EpollEvents;

    fn new() -> Result<Epoll> {
        Epoll::new()
    }

    /// `epoll_ctl(EPOLL_CTL_ADD)`. The kernel accepts [`Interest::EXCLUSIVE`] only with
    /// reading, writing and [`Interest::EDGE`]: combined with [`Interest::PRIORITY`] or
    /// [`Interest::ONESHOT`] it fails with `EINVAL` ([`Error::Os`]), kept as Python keeps it.
    fn register_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        Epoll::register(self, fd, conv::interest_to_flags(interest))
    }

    /// `epoll_ctl(EPOLL_CTL_MOD)`. The kernel refuses to modify with
    /// [`Interest::EXCLUSIVE`], or to modify a registration made with it, with `EINVAL`
    /// ([`Error::Os`]): an exclusive registration is changed by unregistering and registering
    /// again.
    fn modify_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        Epoll::modify(self, fd, conv::interest_to_flags(interest))
    }

    fn unregister_unchecked(&self, fd: BorrowedFd<'_>, _: Checked) -> Result<()> {
        Epoll::unregister(self, fd)
    }

    /// `epoll_ctl(EPOLL_CTL_DEL)` for the number. If it names no open descriptor (`EBADF`),
    /// the kernel already dropped the registration when the file was closed, and this
    /// succeeds. (epoll registers open files, not numbers: if another descriptor still refers
    /// to the same open file, the kernel keeps reporting it and only closing that one ends it,
    /// as with Python's `epoll`.)
    fn unregister_raw_unchecked(&self, fd: RawFd, _: Checked) -> Result<()> {
        let epfd = self.epoll_fd()?;
        match sys::delete_raw(epfd, fd) {
            Ok(()) | Err(rustix::io::Errno::BADF) => Ok(()),
            Err(errno) => Err(errno.into()),
        }
    }

    /// [`select_core::Backend::wait_interruptible`] has checked that the object is open and the buffer
    /// not empty, so neither check is repeated: only the descriptor is taken out of its
    /// `Option` (`None` cannot happen here, and stays an error rather than a panic).
    #[inline]
    fn wait_unchecked(
        &self,
        events: &mut EpollEvents,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
        _: Checked,
    ) -> Result<usize> {
        wait_checked(self.epoll_fd()?, events, timeout, on_interrupt)
    }

    fn close(&mut self) -> Result<()> {
        Epoll::close(self)
    }

    #[inline]
    fn is_closed(&self) -> bool {
        Epoll::is_closed(self)
    }

    fn kernel_fd_unchecked(&self, _: Checked) -> Option<BorrowedFd<'_>> {
        self.fd.as_ref().map(AsFd::as_fd)
    }
}

// The unit tests need the repository (see build.rs); the published package has none.
#[cfg(all(test, repository_tests))]
mod tests;
