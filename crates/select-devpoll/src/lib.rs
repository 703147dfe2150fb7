#![cfg_attr(devpoll, doc = include_str!("../README.md"))]
//!
//! Oracle's manual warns that "the /dev/poll device, associated driver and corresponding
//! manpages may be removed in a future Solaris release"; illumos keeps it.
//!
//! # Design choices
//!
//! - **Its own definitions.** rustix and libc lack `DP_POLL`, `struct dvpoll` and
//!   `POLLREMOVE`, so this crate defines them from the illumos headers
//!   (`usr/src/uts/common/sys/devpoll.h`, `sys/poll.h`) and the driver
//!   (`usr/src/uts/common/io/devpoll.c`), which Solaris shares (`poll(7D)`).
//! - **Batched registrations.** `register`, `modify` and `unregister` make no system call:
//!   they append records to a buffer (at most 1024 records, or `RLIMIT_NOFILE` if lower,
//!   because the driver rejects a larger write with `EINVAL`), written to the device in one
//!   `write` before each wait, or earlier when the next operation's records would not fit.
//!   An operation appends all its records or none. A failed write is returned: a short write
//!   keeps every record the device did not take (the next write retries them) and fails with
//!   `Error::ShortWrite`; any other error drops the batch, as Python does, so that one bad record cannot
//!   fail every later wait.
//! - **Registering replaces.** The device ORs the masks of two records for one number,
//!   which Python documents as "undefined", and its `POLLREMOVE` does nothing to a record
//!   written while the number was not open (the driver keeps such a record, mask and all,
//!   without a file). So every `register` and `modify` appends three records: `{fd, 0}`,
//!   which attaches the open file to the number's record, `{fd, POLLREMOVE}`, which then
//!   clears it whatever it held, and `{fd, mask}`. The new mask replaces the old one, as
//!   `poll.register` does, even when the number was closed and reused in between.
//!   `unregister` appends `POLLREMOVE` even for a descriptor the object does not list, as
//!   Python does (the device ignores it), and a dropped batch puts every descriptor whose
//!   removal it discarded back into the object's set, so a descriptor the device may still
//!   poll can always be unregistered.
//! - **The caller owns the result array.** A wait fills a `DevPollEvents`, which holds the
//!   kernel's own `pollfd` array (allocated once, when the buffer is made) and translates to
//!   portable events only when read. The driver lets several threads run `DP_POLL` on one
//!   descriptor at once, so `DevPoll` declares `CONCURRENT_WAITS`: each thread waits into
//!   its own buffer, and the pending records sit behind a mutex taken only to append or to
//!   write them. A steady-state wait (nothing changed) is one `ioctl`, no `write`, no
//!   allocation.
//! - **The descriptor limit.** `DevPoll::new` records `RLIMIT_NOFILE`'s soft value, as
//!   Python does: it is the most descriptors one wait reports and the size of
//!   `DevPoll::events`, capped at 65536 (an unlimited limit counts as 65536) so that the
//!   buffer never takes gigabytes. Python documents that lowering the limit later makes the object
//!   fail; on illumos a write of more records than the new limit fails with `EINVAL`, and a
//!   wait asking for more than twice the limit is clamped. Raising the limit (or a limit
//!   above the cap) may leave ready
//!   descriptors unreported by one wait (the next reports them: the driver resumes its scan
//!   where it stopped).
//! - **Timeouts** are whole milliseconds rounded up, `None` blocks, longer than `INT_MAX` ms
//!   is clamped and re-waited, `EINTR` is retried with the time that remains
//!   (`select_core::timeout`).
//! - **Closed descriptors are not reliably reported.** Closing a descriptor does not tell
//!   the driver (illumos `pollhead_clean`: "/dev/poll ... We just unlink it here"), and a
//!   wait examines only numbers something marked since: one still marked from an earlier
//!   ready report comes back with `POLLNVAL`, any other is silent, and a record written
//!   after the close (registrations are written at the next wait) has no file, which the
//!   poll loop skips. So `DevPoll` does not declare `REPORTS_INVALID`: unregister before
//!   closing, as Python's `selectors` requires. The object keeps the number until it is
//!   unregistered; `DevPoll::unregister_raw` takes the bare number for that case. If the
//!   number is reused meanwhile, what a wait reports for it is unspecified until it is
//!   registered again (which replaces the record exactly) or unregistered.
//! - **Fork.** The cached set belongs to the process that first used it: in a child, every
//!   write and wait on an inherited `/dev/poll` descriptor fails with `EACCES` (the
//!   descriptor is close-on-exec, but not closed by `fork`). Make a new `DevPoll` in the
//!   child.
//! - **Unsafe code** is confined to `sys.rs`: the `DP_POLL` ioctl through `rustix::ioctl`
//!   and `close(2)` through rustix's `try_close`. Records are encoded as bytes in safe code.
//!
//! # What ran where
//!
//! /dev/poll exists only on illumos and Solaris. This crate is empty on other targets,
//! except under `cfg(test)`, where the pure record logic (`conv.rs`: the bytes appended by
//! register, modify and unregister, when the buffer is written, what a short or failed write
//! leaves, the flag mapping, and random operation sequences with descriptors closed and
//! reused, replayed against a model of the illumos driver's record semantics) compiles and
//! its unit tests run on every host: they ran on Linux x86-64. On Linux the crate, tests included, was also checked with clippy
//! (`-D warnings`, `--all-targets`) for `x86_64-unknown-illumos` and, with nightly
//! `-Z build-std`, `x86_64-pc-solaris`. The tests that need the device (a pipe set
//! registered, written and read; timeouts; closed-object errors; the close-on-exec flag;
//! `EINTR`; concurrent waits; a mask written for a closed number not leaking into its
//! reuse; the shared conformance suite) are compiled there and run only in the CI
//! workflow's illumos job, which has not run yet: they did not run on the machine this was
//! written on.
#![cfg(any(target_os = "illumos", target_os = "solaris", all(test, unix)))]
#![deny(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// On hosts without /dev/poll only the unit tests use the pure logic in `conv.rs`.
#![cfg_attr(not(devpoll), allow(dead_code))]

mod conv;
#[cfg(devpoll)]
mod sys;
// The unit tests need the repository (see build.rs); the published package has none.
#[cfg(all(test, repository_tests))]
mod tests;

#[cfg(devpoll)]
use std::fmt;
#[cfg(devpoll)]
use std::ops::ControlFlow;
#[cfg(devpoll)]
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
#[cfg(devpoll)]
use std::sync::{Mutex, MutexGuard, PoisonError};
#[cfg(devpoll)]
use std::time::Duration;

#[cfg(devpoll)]
use rustix::fs::{Mode, OFlags};
#[cfg(devpoll)]
use rustix::io::Errno;
#[cfg(all(devpoll, doc))]
use select_core::Backend;
#[cfg(devpoll)]
use select_core::timeout::{WaitRule, keep_waiting, millis_i32, wait_with_retry};
#[cfg(devpoll)]
use select_core::{
    BackendKind, Capabilities, Checked, Error, Event, EventBuffer, Interest, Mechanism, Result,
    check_capacity,
};

/// The `POLL*` flags of `/dev/poll` records and results: rustix's `PollFlags`, under a name
/// that does not collide with `select-poll`'s own `PollFlags` in the facade.
///
/// Every bit the kernel sets is kept (`from_bits_retain`), including ones rustix does not
/// name, such as [`POLLREMOVE`].
///
/// Python: the `select.POLL*` constants, which `devpoll` shares with `poll`.
#[cfg(devpoll)]
pub type DevPollFlags = rustix::event::PollFlags;

/// `POLLREMOVE` — the `events` value of a record that removes its descriptor from the set.
///
/// `0x0800`, from illumos `usr/src/uts/common/sys/poll.h` ("remove a cached poll fd from
/// /dev/poll") and Solaris `<sys/poll.h>`; neither libc nor rustix defines it. `unregister`
/// and `modify` append it for you; passing it to `register` unregisters.
///
/// Python: none (`select` does not export it).
///
/// # References
///  - [illumos]
///  - [Solaris]
///
/// [illumos]: https://illumos.org/man/4D/poll
/// [Solaris]: https://docs.oracle.com/cd/E23824_01/html/821-1475/poll-7d.html
#[cfg(devpoll)]
pub const POLLREMOVE: DevPollFlags =
    DevPollFlags::from_bits_retain(flag_bits(conv::POLLREMOVE_BITS));

/// The default mask of [`DevPoll::register`] and [`DevPoll::modify`]: `POLLIN | POLLPRI |
/// POLLOUT`.
///
/// Python: the default `eventmask` of `devpoll.register` and `devpoll.modify`.
#[cfg(devpoll)]
pub const DEFAULT_EVENTMASK: DevPollFlags =
    DevPollFlags::from_bits_retain(flag_bits(conv::DEFAULT_BITS));

/// The most records one `write` to the device carries, unless `RLIMIT_NOFILE` is lower.
#[cfg(devpoll)]
const RECORD_BATCH: usize = 1024;

/// The name errors give this object.
#[cfg(devpoll)]
const OBJECT: &str = "devpoll";

/// The C `short` bit pattern of a mask, in the type `DevPollFlags` stores.
#[cfg(devpoll)]
const fn flag_bits(bits: u16) -> libc::c_short {
    libc::c_short::from_ne_bytes(bits.to_ne_bytes())
}

/// The unsigned 16-bit mask Python uses for `flags`.
#[cfg(devpoll)]
const fn mask_bits(flags: DevPollFlags) -> u16 {
    u16::from_ne_bytes(flags.bits().to_ne_bytes())
}

/// A `/dev/poll` object: a cached set of polled descriptors and the pending changes to it.
///
/// Every method takes `&self` except [`close`](DevPoll::close): one thread may register
/// while others wait (each into its own [`DevPollEvents`]). Dropping a `DevPoll` closes its
/// descriptor.
///
/// Python: `select.devpoll` objects.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use rustix::event::PollFlags;
/// use select_devpoll::DevPoll;
///
/// // One thread waits while another registers and writes.
/// let devpoll = Arc::new(DevPoll::new()?);
/// let (reader, writer) = rustix::pipe::pipe()?;
/// devpoll.register(&reader, PollFlags::IN)?;
/// let waiter = std::thread::spawn({
///     let devpoll = Arc::clone(&devpoll);
///     move || devpoll.poll(&mut devpoll.events(), Some(Duration::from_secs(10)))
/// });
/// rustix::io::write(&writer, b"x")?;
/// assert_eq!(waiter.join().unwrap()?, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(devpoll)]
#[derive(Debug)]
pub struct DevPoll {
    /// The `/dev/poll` descriptor; `None` once closed, so nothing can reach the old number.
    fd: Option<OwnedFd>,
    /// `RLIMIT_NOFILE`'s soft value when the object was made.
    max_fds: usize,
    /// Records waiting to be written, and the descriptors registered.
    changes: Mutex<conv::Changes>,
}

#[cfg(devpoll)]
impl DevPoll {
    /// `open("/dev/poll", O_RDWR | O_CLOEXEC)` — creates an empty set.
    ///
    /// Records `getrlimit(RLIMIT_NOFILE)`'s soft value (`rlim_cur`) as the most descriptors
    /// one wait reports ([`max_fds`](DevPoll::max_fds)): lowering the limit later can make
    /// writes and waits fail (see the crate documentation), and raising it may leave ready
    /// descriptors for the next wait. The value is capped at 65536, and an unlimited limit
    /// counts as 65536, so that [`events`](DevPoll::events) allocates at most 512 KiB; with
    /// more ready descriptors than that, one wait reports 65536 and the next ones the rest.
    /// The descriptor is close-on-exec
    /// (non-inheritable); `open` is retried after `EINTR`. Allocates the pending-record
    /// buffer, once.
    ///
    /// Python: `select.devpoll()`.
    ///
    /// # Errors
    ///
    /// The errno of `open`: `EMFILE` when the process has no descriptor left, `ENOENT`
    /// without the driver.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_devpoll::DevPoll;
    ///
    /// let devpoll = DevPoll::new()?;
    /// assert!(devpoll.max_fds() > 0); // RLIMIT_NOFILE's soft value, capped at 65536
    /// assert!(rustix::io::fcntl_getfd(&devpoll)?.contains(rustix::io::FdFlags::CLOEXEC));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [illumos]
    ///  - [Solaris]
    ///
    /// [illumos]: https://illumos.org/man/4D/poll
    /// [Solaris]: https://docs.oracle.com/cd/E23824_01/html/821-1475/poll-7d.html
    pub fn new() -> Result<DevPoll> {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        let max_fds = conv::max_fds(limit.current);
        let fd = loop {
            match rustix::fs::open("/dev/poll", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty()) {
                Err(Errno::INTR) => {}
                result => break result?,
            }
        };
        Ok(DevPoll {
            fd: Some(fd),
            max_fds,
            changes: Mutex::new(conv::Changes::new(max_fds.min(RECORD_BATCH))),
        })
    }

    /// The most descriptors one wait reports: `RLIMIT_NOFILE`'s soft value when this object
    /// was made, at most 65536 (also when the limit is unlimited).
    #[must_use]
    pub fn max_fds(&self) -> usize {
        self.max_fds
    }

    /// A result buffer for [`poll`](DevPoll::poll) holding [`max_fds`](DevPoll::max_fds)
    /// records, the size Python uses. Allocates once, here; reuse it for every wait.
    #[must_use]
    pub fn events(&self) -> DevPollEvents {
        DevPollEvents::with_capacity(self.max_fds)
    }

    /// Appends `{fd, 0}`, `{fd, POLLREMOVE}`, `{fd, mask}` to the pending records — starts
    /// watching `fd` for exactly `mask`.
    ///
    /// Makes no system call unless the pending records are full, in which case they are
    /// written first. The first two records clear whatever the device held for the number,
    /// so the new mask replaces an old one (the device would OR them; Python calls that
    /// undefined), also one left behind by an earlier descriptor with the same number. `mask` [`POLLREMOVE`] unregisters. The descriptor's validity is not checked,
    /// and one closed before the records are written is never reported (see the crate
    /// documentation). Pass [`DEFAULT_EVENTMASK`] for Python's default.
    ///
    /// Python: `devpoll.register(fd, eventmask)`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`]; or the error of writing the pending records (see
    /// [`poll`](DevPoll::poll)), in which case nothing was appended.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::time::Duration;
    /// use rustix::event::PollFlags;
    /// use select_devpoll::DevPoll;
    ///
    /// let (reader, writer) = rustix::pipe::pipe()?;
    /// let devpoll = DevPoll::new()?;
    /// devpoll.register(&writer, PollFlags::IN)?;
    /// devpoll.register(&writer, PollFlags::OUT)?; // replaces the mask, as poll.register does
    /// let mut events = devpoll.events();
    /// assert_eq!(devpoll.poll(&mut events, Some(Duration::from_secs(5)))?, 1);
    /// assert_eq!(events.native().collect::<Vec<_>>(), [(writer.as_raw_fd(), PollFlags::OUT)]);
    /// # drop(reader);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [illumos]
    ///  - [Solaris]
    ///
    /// [illumos]: https://illumos.org/man/4D/poll
    /// [Solaris]: https://docs.oracle.com/cd/E23824_01/html/821-1475/poll-7d.html
    pub fn register(&self, fd: impl AsFd, mask: DevPollFlags) -> Result<()> {
        let fd = fd.as_fd().as_raw_fd();
        let device = self.device()?;
        self.changes().register(fd, mask_bits(mask), write_to(device))
    }

    /// Appends the records of [`register`](DevPoll::register) — replaces the mask of `fd`.
    ///
    /// `None` is Python's default mask, [`DEFAULT_EVENTMASK`]. As in Python, `fd` need not be
    /// registered: it is registered afterwards either way.
    ///
    /// Python: `devpoll.modify(fd[, eventmask])`.
    ///
    /// # Errors
    ///
    /// As [`register`](DevPoll::register).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use rustix::event::PollFlags;
    /// use select_devpoll::DevPoll;
    ///
    /// let (_reader, writer) = rustix::pipe::pipe()?;
    /// let devpoll = DevPoll::new()?;
    /// devpoll.modify(&writer, Some(PollFlags::OUT))?; // registers it, as in Python
    /// let mut events = devpoll.events();
    /// assert_eq!(devpoll.poll(&mut events, Some(Duration::from_secs(5)))?, 1);
    /// devpoll.modify(&writer, Some(PollFlags::IN))?; // a pipe's write end is never readable
    /// assert_eq!(devpoll.poll(&mut events, Some(Duration::ZERO))?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [illumos]
    ///  - [Solaris]
    ///
    /// [illumos]: https://illumos.org/man/4D/poll
    /// [Solaris]: https://docs.oracle.com/cd/E23824_01/html/821-1475/poll-7d.html
    pub fn modify(&self, fd: impl AsFd, mask: Option<DevPollFlags>) -> Result<()> {
        let fd = fd.as_fd().as_raw_fd();
        let device = self.device()?;
        let mask = mask.unwrap_or(DEFAULT_EVENTMASK);
        self.changes().modify(fd, mask_bits(mask), write_to(device))
    }

    /// Appends `{fd, POLLREMOVE}` — stops watching `fd`.
    ///
    /// The record is appended even for a descriptor this object does not list (the device
    /// ignores a removal of a descriptor it does not poll), so a descriptor whose earlier
    /// removal was dropped with a failed batch can always be removed again.
    ///
    /// Python: `devpoll.unregister(fd)`.
    ///
    /// # Errors
    ///
    /// As [`register`](DevPoll::register).
    ///
    /// # References
    ///  - [illumos]
    ///  - [Solaris]
    ///
    /// [illumos]: https://illumos.org/man/4D/poll
    /// [Solaris]: https://docs.oracle.com/cd/E23824_01/html/821-1475/poll-7d.html
    pub fn unregister(&self, fd: impl AsFd) -> Result<()> {
        self.unregister_raw(fd.as_fd().as_raw_fd())
    }

    /// Appends `{fd, POLLREMOVE}` for a bare descriptor number — stops watching `fd`, which
    /// may already be closed.
    ///
    /// The device keeps a closed descriptor's record (and may report it with `POLLNVAL`)
    /// until it is removed; this removes it without an `AsFd` for the old number. Safe, because the
    /// number is only written into a record, never used for I/O.
    ///
    /// Python: `devpoll.unregister(fd)` with an `int`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] (checked first); [`Error::InvalidArgument`] for a negative `fd`;
    /// otherwise as [`register`](DevPoll::register).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use rustix::event::PollFlags;
    /// use select_devpoll::DevPoll;
    ///
    /// let (reader, _writer) = rustix::pipe::pipe()?;
    /// let devpoll = DevPoll::new()?;
    /// devpoll.register(&reader, PollFlags::IN)?;
    /// let number = reader.as_raw_fd();
    /// drop(reader); // closed while registered: no `AsFd` left to pass
    /// devpoll.unregister_raw(number)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [illumos]
    ///  - [Solaris]
    ///
    /// [illumos]: https://illumos.org/man/4D/poll
    /// [Solaris]: https://docs.oracle.com/cd/E23824_01/html/821-1475/poll-7d.html
    pub fn unregister_raw(&self, fd: RawFd) -> Result<()> {
        // After `close`, every operation reports `Error::Closed`, whatever its arguments.
        let device = self.device()?;
        select_core::check_fd(fd)?;
        self.changes().unregister(fd, write_to(device)).map(drop)
    }

    /// `write(fd, pending)` then `ioctl(fd, DP_POLL, &{events, n, timeout})` — writes the
    /// pending records, then waits until a registered descriptor is ready or `timeout`
    /// elapses, fills `events` and returns how many descriptors it reported (0 on timeout).
    ///
    /// At most `min(events.capacity(), max_fds())` descriptors are reported; others stay
    /// ready for the next wait. `timeout` is rounded up to whole milliseconds; `None` blocks.
    /// `EINTR` is retried with the time that remains. With nothing pending, this is one
    /// `ioctl` and allocates nothing.
    ///
    /// A failed write of the pending records is returned before waiting: a short write keeps
    /// the records the device did not take and fails with [`Error::ShortWrite`]; another error drops the
    /// batch (the device may have applied part of it).
    ///
    /// Python: `devpoll.poll([timeout])`, with `events.native()` as the `(fd, event)` list.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`]; [`Error::InvalidArgument`] for a buffer of capacity zero; the errno
    /// of `write` or `ioctl` (`EACCES` in a forked child; never `EINTR`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use rustix::event::PollFlags;
    /// use select_devpoll::DevPoll;
    ///
    /// let (reader, writer) = rustix::pipe::pipe()?;
    /// let devpoll = DevPoll::new()?;
    /// devpoll.register(&reader, PollFlags::IN)?;
    /// let mut events = devpoll.events();
    /// let start = Instant::now();
    /// assert_eq!(devpoll.poll(&mut events, Some(Duration::from_millis(20)))?, 0); // timed out
    /// assert!(start.elapsed() >= Duration::from_millis(20)); // never shortened
    /// rustix::io::write(&writer, b"x")?;
    /// assert_eq!(devpoll.poll(&mut events, None)?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [illumos]
    ///  - [Solaris]
    ///
    /// [illumos]: https://illumos.org/man/4D/poll
    /// [Solaris]: https://docs.oracle.com/cd/E23824_01/html/821-1475/poll-7d.html
    pub fn poll(&self, events: &mut DevPollEvents, timeout: Option<Duration>) -> Result<usize> {
        self.poll_interruptible(events, timeout, &mut keep_waiting)
    }

    /// [`poll`](DevPoll::poll), calling `on_interrupt` once after each `EINTR` before the
    /// wait is retried: [`ControlFlow::Continue`] waits on for the time that remains,
    /// [`ControlFlow::Break`] stops the wait with [`Error::Interrupted`].
    ///
    /// Python: `devpoll.poll([timeout])` with the interpreter's signal handlers run on
    /// `EINTR` (a handler that raises ends the wait).
    ///
    /// # Errors
    ///
    /// [`Error::Interrupted`] when the hook stops the wait, and the errors of
    /// [`poll`](DevPoll::poll).
    pub fn poll_interruptible(
        &self,
        events: &mut DevPollEvents,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    ) -> Result<usize> {
        let device = self.device()?;
        check_capacity(events)?;
        events.len = 0;
        // The lock is held only while writing; a wait never blocks registrations.
        self.changes().flush(write_to(device))?;
        let limit = events.fds.len().min(self.max_fds);
        let results = &mut events.fds[..limit];
        let ready = wait_with_retry(timeout, WaitRule::MILLIS_INT, on_interrupt, |slice| {
            sys::dp_poll(device, results, millis_i32(slice))
        })?;
        events.len = ready.min(limit);
        Ok(events.len)
    }

    /// `close(fd)` — closes the `/dev/poll` descriptor and forgets every registration and
    /// pending record. Closing again does nothing and succeeds.
    ///
    /// Afterwards every operation fails with [`Error::Closed`] and nothing reaches the old
    /// descriptor number.
    ///
    /// Python: `devpoll.close()`.
    ///
    /// # Errors
    ///
    /// The errno of `close(2)` (never `EINTR`); the descriptor is closed all the same.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::Error;
    /// use select_devpoll::DevPoll;
    ///
    /// let mut devpoll = DevPoll::new()?;
    /// devpoll.close()?;
    /// assert!(devpoll.is_closed());
    /// assert!(matches!(devpoll.fileno(), Err(Error::Closed { .. }))); // Python's ValueError
    /// devpoll.close()?; // closing again does nothing
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [illumos]
    ///  - [POSIX]
    ///
    /// [illumos]: https://illumos.org/man/2/close
    /// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/close.html
    pub fn close(&mut self) -> Result<()> {
        let Some(fd) = self.fd.take() else {
            return Ok(());
        };
        self.changes.get_mut().unwrap_or_else(PoisonError::into_inner).clear();
        sys::close(fd).map_err(Error::Os)
    }

    /// Whether [`close`](DevPoll::close) was called.
    ///
    /// Python: `devpoll.closed`.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.fd.is_none()
    }

    /// The `/dev/poll` descriptor number.
    ///
    /// Python: `devpoll.fileno()`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](DevPoll::close).
    pub fn fileno(&self) -> Result<RawFd> {
        self.device().map(|fd| fd.as_raw_fd())
    }

    /// The open descriptor, or [`Error::Closed`].
    fn device(&self) -> Result<BorrowedFd<'_>> {
        self.fd.as_ref().map(AsFd::as_fd).ok_or(Error::Closed { object: OBJECT })
    }

    /// The pending records. A panic while they were locked cannot leave them half-changed
    /// (every change is a complete append or drain), so a poisoned lock is used as it is.
    fn changes(&self) -> MutexGuard<'_, conv::Changes> {
        self.changes.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer `conv::Changes` flushes through: `write(2)` on the device.
#[cfg(devpoll)]
fn write_to(
    device: BorrowedFd<'_>,
) -> impl FnMut(&[u8]) -> core::result::Result<usize, Errno> + '_ {
    move |bytes| rustix::io::write(device, bytes)
}

#[cfg(devpoll)]
impl AsFd for DevPoll {
    /// The `/dev/poll` descriptor.
    ///
    /// # Panics
    ///
    /// After [`close`](DevPoll::close); use [`fileno`](DevPoll::fileno) to get an error
    /// instead.
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self.device() {
            Ok(fd) => fd,
            Err(_) => panic!("I/O operation on closed devpoll object"),
        }
    }
}

#[cfg(devpoll)]
impl Mechanism for DevPoll {
    const KIND: BackendKind = BackendKind::DevPoll;

    /// Level-triggered, priority data, a kernel object and concurrent waits (each thread with
    /// its own buffer). No edge, oneshot or exclusive mode: /dev/poll has none outside its
    /// private epoll emulation. Not `REPORTS_INVALID`: the driver reports a closed
    /// descriptor with `POLLNVAL` only when it happens to examine it (see the crate
    /// documentation). A duplicate registration replaces the first.
    const CAPABILITIES: Capabilities = Capabilities::LEVEL
        .union(Capabilities::PRIORITY)
        .union(Capabilities::KERNEL_OBJECT)
        .union(Capabilities::CONCURRENT_WAITS);

    const FD_LIMIT: Option<usize> = None;

    type Events = DevPollEvents;

    fn new() -> Result<DevPoll> {
        DevPoll::new()
    }

    fn register_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        let device = self.device()?;
        self.changes().register(fd.as_raw_fd(), conv::interest_bits(interest), write_to(device))
    }

    fn modify_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        let device = self.device()?;
        let mut changes = self.changes();
        if !changes.is_registered(fd.as_raw_fd()) {
            return Err(Error::Os(Errno::NOENT));
        }
        changes.modify(fd.as_raw_fd(), conv::interest_bits(interest), write_to(device))
    }

    /// `{fd, POLLREMOVE}` for a registered number, which may already be closed (the device
    /// keeps a closed one's record until it is removed).
    fn unregister_raw_unchecked(&self, fd: RawFd, _: Checked) -> Result<()> {
        let device = self.device()?;
        let mut changes = self.changes();
        // The contract wants an error for a descriptor that is not registered; the inherent
        // `unregister` appends the removal regardless, as Python does.
        if !changes.is_registered(fd) {
            return Err(Error::NotRegistered { fd });
        }
        changes.unregister(fd, write_to(device)).map(drop)
    }

    fn wait_unchecked(
        &self,
        events: &mut DevPollEvents,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
        _: Checked,
    ) -> Result<usize> {
        self.poll_interruptible(events, timeout, on_interrupt)
    }

    fn close(&mut self) -> Result<()> {
        DevPoll::close(self)
    }

    fn is_closed(&self) -> bool {
        DevPoll::is_closed(self)
    }

    fn kernel_fd_unchecked(&self, _: Checked) -> Option<BorrowedFd<'_>> {
        self.device().ok()
    }
}

/// The result buffer of a /dev/poll wait: the kernel's own `pollfd` array.
///
/// Made with [`DevPoll::events`] (Python's size) or [`EventBuffer::with_capacity`]; a wait
/// fills its start and allocates nothing. Read the native `(fd, revents)` pairs with
/// [`native`](DevPollEvents::native) or portable [`Event`]s with [`EventBuffer::iter`].
#[cfg(devpoll)]
pub struct DevPollEvents {
    /// `capacity` records; the first `len` hold the last wait's results.
    fds: Vec<libc::pollfd>,
    len: usize,
}

#[cfg(devpoll)]
impl DevPollEvents {
    /// The last wait's results as `(fd, revents)`, in the order the kernel reported them.
    ///
    /// `revents` keeps every bit the kernel set (Python's `devpoll.poll` does not mask it).
    ///
    /// Python: the list `devpoll.poll()` returns.
    pub fn native(&self) -> impl ExactSizeIterator<Item = (RawFd, DevPollFlags)> + '_ {
        self.fds[..self.len]
            .iter()
            .map(|record| (record.fd, DevPollFlags::from_bits_retain(record.revents)))
    }
}

#[cfg(devpoll)]
impl fmt::Debug for DevPollEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevPollEvents")
            .field("capacity", &self.fds.len())
            .field("events", &self.native().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(devpoll)]
impl EventBuffer for DevPollEvents {
    fn try_with_capacity(capacity: usize) -> Result<DevPollEvents> {
        let empty = libc::pollfd { fd: -1, events: 0, revents: 0 };
        let fds = select_core::allocate_events(
            Self::CAPACITY_NAME,
            capacity,
            empty,
            Self::MAX_CAPACITY,
            "usize",
        )?;
        Ok(DevPollEvents { fds, len: 0 })
    }

    fn capacity(&self) -> usize {
        self.fds.len()
    }

    fn len(&self) -> usize {
        self.len
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    fn get(&self, index: usize) -> Option<Event> {
        let record = self.fds[..self.len].get(index)?;
        let revents = u16::from_ne_bytes(record.revents.to_ne_bytes());
        Some(Event::new(record.fd, conv::readiness(revents)))
    }
}
