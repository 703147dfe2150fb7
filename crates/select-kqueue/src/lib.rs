#![cfg_attr(any(apple, freebsd, netbsd, openbsd, dragonfly), doc = include_str!("../README.md"))]
//!
//! # Design choices
//!
//! - **Native records, no copies.** `KEvent` is `repr(transparent)` over the target's
//!   `struct kevent` (whose field widths differ: NetBSD's filter and flags are `uint32_t`,
//!   NetBSD's and OpenBSD's `data` is `int64_t`). A changelist is a `&[KEvent]` handed to the
//!   kernel as it is, and events land directly in the caller's `KqueueEvents`, so
//!   `Kqueue::control` and `Backend::wait` make one `kevent(2)` call and allocate nothing.
//! - **`kevent` through `libc`, wrapped safely.** rustix's `kevent` is `unsafe` and its
//!   `Event` cannot hold an arbitrary record, so `src/sys.rs` calls `libc::kevent` and argues
//!   there why the call is safe for any record: the kernel validates every ident and drops a
//!   descriptor's registrations when it is closed.
//! - **Fork safety (CPython [gh-110395](https://github.com/python/cpython/issues/110395)).** A kqueue is not inherited by a `fork()`ed child.
//!   The first kqueue installs a `pthread_atfork` child handler that bumps a process-wide
//!   generation counter; each `Kqueue` remembers the generation it was created (or adopted)
//!   in and compares it on every operation (one relaxed atomic load, no system call). In a
//!   child, every operation reports `Error::Closed`, `Kqueue::is_closed` is true, and
//!   closing or dropping the object does **not** close the descriptor number, which the
//!   child may have reused for something else. (CPython marks its kqueues closed from an
//!   `os.register_at_fork` handler; the counter does the same without a list of objects.)
//! - **Close-on-exec.** Apple's kernels create every kqueue close-on-exec themselves (XNU's
//!   `kqueue_body` sets `UF_EXCLOSE` before the number is published), and NetBSD creates it
//!   with `kqueue1(O_CLOEXEC)`: both atomically. FreeBSD, OpenBSD and DragonFly BSD set
//!   `FD_CLOEXEC` right after `kqueue()`, as CPython does, so a concurrent `fork` + `exec`
//!   could inherit the descriptor in between: FreeBSD 14 has `kqueuex(KQUEUE_CLOEXEC)` and
//!   `kqueue1(O_CLOEXEC)` and OpenBSD 7.4 `kqueue1(O_CLOEXEC)`, but the `libc` crate binds
//!   them for neither (and FreeBSD 13 lacks them); DragonFly BSD has no atomic variant.
//! - **NetBSD's `kevent` symbol.** The `libc` crate links `__kevent50`, the entry point for
//!   the 40-byte record of NetBSD 5 to 10. NetBSD 11 lengthened the record (`ext[4]`, 72
//!   bytes) behind a new `__kevent100` and serves `__kevent50` through a compatibility path
//!   that converts every record on each call. The crate keeps `__kevent50`, the one entry
//!   point all supported releases have (the Rust target does not tell NetBSD 10 from 11, and
//!   a binary using `__kevent100` would not load on 10): on NetBSD 11 each `kevent` call pays
//!   that copy.
//! - **Timeouts exact to the nanosecond.** `control` converts the timeout to a `timespec`
//!   exactly; waits longer than 10⁸ s (about three years, a bound every kernel accepts) are
//!   split and re-waited, never turned into "forever". `EINTR` is retried with the time that
//!   remains (PEP 475) through `select_core::timeout::wait_with_retry`. The changelist is
//!   passed only to the first call: the kernels apply all changes before they sleep, so a
//!   retry after `EINTR` (or after a split slice) must not apply them twice.
//! - **The portable backend** registers `EVFILT_READ`/`EVFILT_WRITE`, level-triggered unless
//!   `Interest::EDGE` asks for `EV_CLEAR`; `Interest::ONESHOT` uses `EV_DISPATCH`
//!   (disable after one event, re-armed by `modify`) rather than `EV_ONESHOT` (delete), so
//!   the kernel keeps what the registry lists and `unregister` stays valid. Each `register`,
//!   `modify` and `unregister` applies all its changes in **one** `kevent` call with
//!   `EV_RECEIPT` and reads each change's errno from its receipt. The kernel applies each
//!   change on its own, so on an error the changes that succeeded are undone: a failed
//!   `register` leaves nothing registered, and a failed `modify` deletes both filters and
//!   leaves the descriptor unregistered (restoring the old registration exactly could fail
//!   in turn). A small registry
//!   (`Mutex<HashMap<RawFd, Interest>>`), touched only by those three and never by a wait,
//!   makes `modify` of an unknown descriptor `ENOENT` and `register` of a known one `EEXIST`,
//!   as epoll does. Capabilities: `LEVEL`, `EDGE`, `ONESHOT`, `KERNEL_OBJECT` (the kqueue
//!   descriptor, close-on-exec), `CONCURRENT_WAITS` (the kernel serves several waiters, each
//!   with its own buffer), `REJECTS_DUPLICATES` (the registry), `USER_EVENT` (an
//!   `EVFILT_USER` event with `EV_CLEAR`, whose ident and token is a close-on-exec
//!   duplicate of the kqueue descriptor, **where the kernel has `EVFILT_USER`**: OpenBSD
//!   before 7.8 and NetBSD before 10 do not, which the first registration's `EINVAL` tells;
//!   the answer is remembered for the process and `user_event` then returns `Ok(None)`, so
//!   the facade's `Waker` falls back to a pipe). Not `PRIORITY`
//!   (`EVFILT_EXCEPT` exists only on some systems), `EXCLUSIVE`, or `REPORTS_INVALID` (the
//!   kernel forgets a closed descriptor silently).
//! - **Close a descriptor only after unregistering it**, as Python's `selectors` requires:
//!   the kernel forgets a closed descriptor but the registry cannot know, so registering a
//!   reused number fails with `EEXIST` until it is unregistered (which then succeeds even
//!   though the kernel answers `ENOENT`).
//! - **`data` is an `i64` in the API** on every system (Python's `long long`), although
//!   macOS and DragonFly BSD store an `intptr_t` and FreeBSD, NetBSD and OpenBSD an
//!   `int64_t`: portable code needs no casts, reads are lossless everywhere, and a write that
//!   does not fit (possible only on 32-bit targets with an `intptr_t` field) is an
//!   `Error::Overflow`, as it is an `OverflowError` in Python. `filter` and `flags` keep their
//!   native types (`Filter`, `Flags`), since NetBSD's are wider and the constants have them.
//! - **`udata` is ordered unsigned** by `KEvent`'s `Ord`, like its C type; CPython orders
//!   it signed, which `KEvent::cmp_python` reproduces.
//!
//! # What was tested where
//!
//! kqueue does not exist on Linux, where this crate was written. Here the crate and its
//! tests were **compiled and linted only** (`cargo clippy --all-targets -D warnings`) for
//! aarch64-apple-darwin, x86_64-apple-darwin, x86_64-unknown-freebsd and
//! x86_64-unknown-netbsd, and with nightly `-Z build-std` for x86_64-unknown-openbsd and
//! x86_64-unknown-dragonfly. **None of the tests in `src/tests.rs` has been run yet**: they
//! are written to run for real in the project's CI jobs on macOS, FreeBSD, NetBSD, OpenBSD
//! (the current release and 7.7, which lacks `EVFILT_USER`) and DragonFly BSD.
#![cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "watchos",
    target_os = "visionos",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
#![deny(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod consts;
mod conv;
mod kevent;
mod sys;
mod user;

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rustix::io::Errno;
#[cfg(doc)]
use select_core::Backend;
use select_core::timeout::{Granularity, WaitRule, keep_waiting, wait_with_retry};
use select_core::{
    BackendKind, Capabilities, Checked, Error, Interest, Mechanism, Result, UserEvent,
};

pub use consts::*;
pub use kevent::{KEvent, KqueueEvents};

/// How `kevent(2)` takes its timeout: a `timespec`, exact to the nanosecond. One call waits
/// at most 10⁸ seconds (about three years), a bound every kqueue kernel accepts (macOS
/// refuses longer timeouts in `select(2)` with `EINVAL`, and kernels differ on what they do
/// with larger ones); longer waits are re-waited until the deadline.
pub(crate) const WAIT_RULE: WaitRule =
    WaitRule { granularity: Granularity::Nanos, longest: Duration::from_secs(100_000_000) };

/// How many changes [`Kqueue::control_iter`] gathers on the stack before it must allocate.
const STACK_CHANGES: usize = 32;

/// A kqueue: a kernel event queue and its descriptor — Python's `select.kqueue`.
///
/// Create one with [`Kqueue::new`] (close-on-exec) or adopt a descriptor with
/// [`Kqueue::from_fd`]; apply changes and wait with [`Kqueue::control`], or use the portable
/// [`Backend`] methods. All operations take `&self`, so threads may share one `Kqueue`;
/// [`close`](Kqueue::close) takes `&mut self`. Dropping it closes the descriptor.
///
/// In a process forked after the `Kqueue` was created, every operation fails with
/// [`Error::Closed`] and the descriptor number is left alone (see the crate docs).
///
/// Python: `select.kqueue()`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use select_core::EventBuffer; // with_capacity
/// use select_kqueue::{KEvent, KQ_EV_ADD, KQ_EV_EOF, KQ_FILTER_READ, Kqueue, KqueueEvents};
///
/// let (reader, writer) = rustix::pipe::pipe()?;
/// let kq = Kqueue::new()?;
/// let mut events = KqueueEvents::with_capacity(4);
/// let add = KEvent::for_fd(&reader).with_filter(KQ_FILTER_READ).with_flags(KQ_EV_ADD);
/// // Changes and a wait in one kevent call: nothing to read yet.
/// assert_eq!(kq.control(&[add], &mut events, Some(Duration::ZERO))?, 0);
/// rustix::io::write(&writer, b"abc")?;
/// drop(writer); // the last writer is gone: the event carries EV_EOF
/// assert_eq!(kq.control(&[], &mut events, Some(Duration::from_secs(5)))?, 1);
/// let event = events.as_slice()[0];
/// assert_eq!((event.data(), event.flags() & KQ_EV_EOF), (3, KQ_EV_EOF)); // 3 bytes, then EOF
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # References
///  - [Apple]
///  - [FreeBSD]
///  - [NetBSD]
///  - [OpenBSD]
///  - [DragonFly BSD]
///
/// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html
/// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2
/// [NetBSD]: https://man.netbsd.org/kqueue.2
/// [OpenBSD]: https://man.openbsd.org/kqueue.2
/// [DragonFly BSD]: https://man.dragonflybsd.org/?command=kqueue&section=2
#[derive(Debug)]
pub struct Kqueue {
    /// The kqueue descriptor; `None` once closed.
    fd: Option<OwnedFd>,
    /// The fork generation of the process that owns `fd` ([`sys::process_generation`]).
    generation: u64,
    /// The portable registrations: what `register`/`modify`/`unregister` asked for.
    registry: Mutex<HashMap<RawFd, Interest>>,
}

impl Kqueue {
    /// `kqueue()` (Apple), `kqueue1(O_CLOEXEC)` (NetBSD), or `kqueue()` then
    /// `fcntl(fd, F_SETFD, FD_CLOEXEC)` (FreeBSD, OpenBSD, DragonFly BSD) — creates a kernel
    /// event queue whose descriptor is not inherited by `exec`.
    ///
    /// On Apple's systems the kernel makes every kqueue close-on-exec, and on NetBSD
    /// `kqueue1` does, atomically. Elsewhere, as in CPython, the flag is set right after
    /// creation, so a concurrent `fork` + `exec` in another thread could see the descriptor
    /// in between: FreeBSD 14's `kqueuex`/`kqueue1` and OpenBSD 7.4's `kqueue1` are not
    /// bound by the `libc` crate (a known gap, see the crate documentation).
    ///
    /// Python: `select.kqueue()`.
    ///
    /// # Errors
    ///
    /// The errno of `kqueue`/`kqueue1` (`EMFILE`, `ENFILE`, `ENOMEM`) or `fcntl`; the
    /// descriptor is closed if `fcntl` fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_kqueue::Kqueue;
    ///
    /// let kq = Kqueue::new()?;
    /// assert!(!kq.is_closed());
    /// // Close-on-exec, as Python's (PEP 446).
    /// assert!(rustix::io::fcntl_getfd(&kq)?.contains(rustix::io::FdFlags::CLOEXEC));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Apple]
    ///  - [FreeBSD]
    ///  - [NetBSD]
    ///  - [OpenBSD]
    ///  - [DragonFly BSD]
    ///
    /// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kqueue.2.html
    /// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=kqueue&sektion=2
    /// [NetBSD]: https://man.netbsd.org/kqueue.2
    /// [OpenBSD]: https://man.openbsd.org/kqueue.2
    /// [DragonFly BSD]: https://man.dragonflybsd.org/?command=kqueue&section=2
    pub fn new() -> Result<Kqueue> {
        let generation = sys::process_generation();
        let fd = sys::kqueue_cloexec()?;
        Ok(Kqueue { fd: Some(fd), generation, registry: Mutex::new(HashMap::new()) })
    }

    /// Adopts `fd`, which must be a kqueue descriptor, taking ownership of it.
    ///
    /// Nothing is checked and the close-on-exec flag is left as it is, as in CPython. The
    /// object belongs to the calling process: after a later `fork`, the child sees it
    /// closed. Registrations already in the kqueue are not known to the portable registry.
    ///
    /// Python: `select.kqueue.fromfd(fd)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::{AsFd, AsRawFd};
    /// use select_kqueue::Kqueue;
    ///
    /// let kq = Kqueue::new()?;
    /// let copy = Kqueue::from_fd(kq.as_fd().try_clone_to_owned()?); // a dup: the same kqueue
    /// assert_eq!(copy.fileno()?, copy.as_fd().as_raw_fd());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn from_fd(fd: OwnedFd) -> Kqueue {
        Kqueue {
            fd: Some(fd),
            generation: sys::process_generation(),
            registry: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the descriptor belongs to this process: false in a forked child.
    fn owned_here(&self) -> bool {
        self.generation == sys::process_generation()
    }

    /// The live descriptor, or [`Error::Closed`] after `close` or in a forked child.
    fn live(&self) -> Result<BorrowedFd<'_>> {
        match &self.fd {
            Some(fd) if self.owned_here() => Ok(fd.as_fd()),
            _ => Err(Error::Closed { object: "kqueue" }),
        }
    }

    /// `close(fd)` — closes the kqueue, forgetting every registration. Closing again does
    /// nothing and succeeds.
    ///
    /// In a forked child the object is marked closed **without** calling `close(2)`: the
    /// number may already name another of the child's descriptors.
    ///
    /// Python: `select.kqueue.close()`.
    ///
    /// # Errors
    ///
    /// The errno of `close(2)` (`EIO`, `EINTR`); the descriptor is released all the same.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::Error;
    /// use select_kqueue::Kqueue;
    ///
    /// let mut kq = Kqueue::new()?;
    /// kq.close()?;
    /// assert!(kq.is_closed());
    /// assert!(matches!(kq.fileno(), Err(Error::Closed { .. }))); // Python's ValueError
    /// kq.close()?; // closing again does nothing
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [POSIX]
    ///  - [Apple]
    ///  - [FreeBSD]
    ///
    /// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/close.html
    /// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/close.2.html
    /// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=close&sektion=2
    pub fn close(&mut self) -> Result<()> {
        self.registry.get_mut().unwrap_or_else(PoisonError::into_inner).clear();
        let Some(fd) = self.fd.take() else { return Ok(()) };
        if self.owned_here() {
            sys::close(fd)?;
        } else {
            // The child does not own this number (kqueues are not inherited); forget it.
            let _ = fd.into_raw_fd();
        }
        Ok(())
    }

    /// Whether the kqueue is closed: after [`close`](Kqueue::close), or in a process
    /// forked after it was created.
    ///
    /// Python: `select.kqueue.closed`.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.fd.is_none() || !self.owned_here()
    }

    /// The kqueue descriptor's number.
    ///
    /// Python: `select.kqueue.fileno()`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after `close` or in a forked child.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::{AsFd, AsRawFd};
    /// use select_kqueue::Kqueue;
    ///
    /// let kq = Kqueue::new()?;
    /// assert_eq!(kq.fileno()?, kq.as_fd().as_raw_fd());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fileno(&self) -> Result<RawFd> {
        Ok(self.live()?.as_raw_fd())
    }

    /// `kevent(kq, changes, nchanges, events, nevents, timeout)` — applies `changes` in
    /// order, then waits up to `timeout` (`None`: forever) for events and stores at most
    /// `events.capacity()` of them in `events`; returns how many it stored.
    ///
    /// - With a capacity of zero, the changes are applied and the call returns at once,
    ///   whatever the timeout (the kernel does not wait with no room for events), as Python's
    ///   `maxevents=0`.
    /// - The timeout is exact to the nanosecond. `EINTR` is retried with the time that
    ///   remains, and after the deadline the call returns 0 (PEP 475). The changes are passed
    ///   only to the first `kevent` call, since the kernel applied them before sleeping.
    /// - Returned events keep everything the kernel set: `KQ_EV_EOF`, `KQ_EV_ERROR` with the
    ///   errno in `data` (a change that failed, when there is room for its error), the byte
    ///   counts in `data`, `fflags`.
    ///
    /// One system call in steady state; no allocation.
    ///
    /// Python: `select.kqueue.control(changelist, maxevents, timeout=None)`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`]; [`Error::Overflow`] for more than `INT_MAX` changes; the errno of
    /// `kevent` (for example `EBADF` or `ENOENT` for a change when there is no room to report
    /// it as an event), never `EINTR`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use select_core::EventBuffer; // with_capacity
    /// use select_kqueue::{KEvent, KQ_EV_ADD, KQ_EV_DELETE, KQ_FILTER_WRITE, Kqueue, KqueueEvents};
    ///
    /// let (_reader, writer) = rustix::pipe::pipe()?;
    /// let kq = Kqueue::new()?;
    /// let write = KEvent::for_fd(&writer).with_filter(KQ_FILTER_WRITE);
    /// // Capacity 0 (Python's maxevents=0): apply the change, do not wait.
    /// kq.control(&[write.with_flags(KQ_EV_ADD)], &mut KqueueEvents::with_capacity(0), None)?;
    /// let mut events = KqueueEvents::with_capacity(4);
    /// assert_eq!(kq.control(&[], &mut events, Some(Duration::from_secs(5)))?, 1); // room to write
    /// assert_eq!(events.as_slice()[0].ident(), write.ident());
    /// kq.control(&[write.with_flags(KQ_EV_DELETE)], &mut events, Some(Duration::ZERO))?;
    /// assert_eq!(kq.control(&[], &mut events, Some(Duration::ZERO))?, 0); // deleted
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Apple]
    ///  - [FreeBSD]
    ///  - [NetBSD]
    ///  - [OpenBSD]
    ///  - [DragonFly BSD]
    ///
    /// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kevent.2.html
    /// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=kevent&sektion=2
    /// [NetBSD]: https://man.netbsd.org/kevent.2
    /// [OpenBSD]: https://man.openbsd.org/kevent.2
    /// [DragonFly BSD]: https://man.dragonflybsd.org/?command=kevent&section=2
    pub fn control(
        &self,
        changes: &[KEvent],
        events: &mut KqueueEvents,
        timeout: Option<Duration>,
    ) -> Result<usize> {
        self.control_interruptible(changes, events, timeout, &mut keep_waiting)
    }

    /// [`control`](Kqueue::control), calling `on_interrupt` once after each `EINTR` before
    /// the wait is retried: [`ControlFlow::Continue`] waits on for the time that remains,
    /// [`ControlFlow::Break`] stops the wait with [`Error::Interrupted`]. The changes are
    /// applied once either way: the kernel applied them before it slept.
    ///
    /// With a capacity of zero the call does not wait, and an `EINTR` there calls the hook
    /// once too.
    ///
    /// Python: `kqueue.control(changelist, maxevents, timeout)` with the interpreter's signal
    /// handlers run on `EINTR` (a handler that raises ends the call).
    ///
    /// # Errors
    ///
    /// [`Error::Interrupted`] when the hook stops the wait, and the errors of
    /// [`control`](Kqueue::control).
    pub fn control_interruptible(
        &self,
        changes: &[KEvent],
        events: &mut KqueueEvents,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    ) -> Result<usize> {
        let kq = self.live()?;
        if changes.len() > conv::MAX_RECORDS {
            return Err(Error::Overflow {
                name: "changelist length",
                value: changes.len() as u128,
                limit: "a C int (2147483647)",
            });
        }
        let buffer = events.spare();
        if buffer.is_empty() {
            // No room for events: the kernel applies the changes and returns at once.
            let zero = conv::timespec(Duration::ZERO);
            return match sys::kevent(kq, changes, buffer, Some(&zero)) {
                Ok(_) => Ok(0),
                Err(Errno::INTR) => match on_interrupt() {
                    ControlFlow::Continue(()) => Ok(0),
                    ControlFlow::Break(()) => Err(Error::Interrupted),
                },
                Err(errno) => Err(errno.into()),
            };
        }
        let mut pending = changes;
        let stored = wait_with_retry(timeout, WAIT_RULE, on_interrupt, |slice| {
            let timespec = slice.map(conv::timespec);
            let result = sys::kevent(kq, pending, buffer, timespec.as_ref());
            pending = &[];
            result
        })?;
        events.set_len(stored);
        Ok(stored)
    }

    /// [`control`](Kqueue::control) for changes from any iterator, as Python accepts any
    /// iterable.
    ///
    /// Up to 32 changes are gathered on the stack; more are collected into a vector (one
    /// allocation). Prefer `control` with a slice where the changes already are in one.
    ///
    /// Python: `select.kqueue.control(changelist, maxevents, timeout=None)`.
    ///
    /// # Errors
    ///
    /// As [`control`](Kqueue::control).
    pub fn control_iter(
        &self,
        changes: impl IntoIterator<Item = KEvent>,
        events: &mut KqueueEvents,
        timeout: Option<Duration>,
    ) -> Result<usize> {
        let mut changes = changes.into_iter();
        let mut stack = [KEvent::new(0); STACK_CHANGES];
        let mut count = 0;
        for slot in &mut stack {
            match changes.next() {
                Some(change) => {
                    *slot = change;
                    count += 1;
                }
                None => return self.control(&stack[..count], events, timeout),
            }
        }
        match changes.next() {
            None => self.control(&stack, events, timeout),
            Some(next) => {
                let mut all = stack.to_vec();
                all.push(next);
                all.extend(changes);
                self.control(&all, events, timeout)
            }
        }
    }

    /// The registry, even if a thread panicked while holding it (it is only ever updated
    /// once the kernel's state is settled: after a change was accepted, or after a failed
    /// `modify` deleted the descriptor's filters, so it stays consistent).
    fn registry(&self) -> MutexGuard<'_, HashMap<RawFd, Interest>> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies the changes moving `fd` from `old` to `new` in one `kevent` call with
    /// `EV_RECEIPT`, and returns the first errno a receipt reports, ignoring `ENOENT` for
    /// deletions when `ignore_missing` is set.
    ///
    /// With `EV_RECEIPT` the kernel applies every change and answers each separately, so a
    /// failure can leave some changes made. `rollback` says what is undone then, so that the
    /// kernel never keeps a filter the registry does not list.
    fn apply(
        &self,
        kq: BorrowedFd<'_>,
        fd: RawFd,
        old: Option<Interest>,
        new: Option<Interest>,
        ignore_missing: bool,
        rollback: Rollback,
    ) -> Result<()> {
        let mut changes = [KEvent::new(0); 4];
        let count = conv::changes(fd, old, new, &mut changes);
        if count == 0 {
            return Ok(());
        }
        let changes = &changes[..count];
        let mut receipts = [KEvent::new(0); 4];
        let receipts = &mut receipts[..count];
        let stored = match receipted_kevent(kq, changes, receipts) {
            Ok(stored) => stored,
            Err(error) => {
                // The call failed as a whole, so it applied nothing; but `modify` forgets
                // the descriptor on any error, so the kernel must forget it too.
                if let Rollback::Everything = rollback {
                    delete_both_filters(kq, fd);
                }
                return Err(error);
            }
        };
        let mut failure = None;
        let mut undo = [KEvent::new(0); 2];
        let mut undo_count = 0;
        for (change, receipt) in changes.iter().zip(&receipts[..stored.count]) {
            let deleting = change.flags() & KQ_EV_DELETE != 0;
            match conv::receipt_errno(receipt) {
                Some(errno)
                    if (ignore_missing || stored.retried)
                        && deleting
                        && (errno == libc::ENOENT || (ignore_missing && errno == libc::EBADF)) => {}
                Some(errno) => {
                    failure.get_or_insert(errno);
                }
                // An addition that succeeded is undone if the whole set is rolled back.
                None if !deleting && undo_count < undo.len() => {
                    undo[undo_count] = KEvent::new(change.ident())
                        .with_filter(change.filter())
                        .with_flags(KQ_EV_DELETE | KQ_EV_RECEIPT);
                    undo_count += 1;
                }
                None => {}
            }
        }
        let Some(errno) = failure else { return Ok(()) };
        match rollback {
            Rollback::Additions if undo_count > 0 => {
                // Best effort: there is nothing better to do with an error here than to
                // report the original one.
                let mut ignored = [KEvent::new(0); 2];
                let _ = receipted_kevent(kq, &undo[..undo_count], &mut ignored[..undo_count]);
            }
            Rollback::Additions => {}
            Rollback::Everything => delete_both_filters(kq, fd),
        }
        Err(Errno::from_raw_os_error(errno).into())
    }
}

/// What [`Kqueue::apply`] undoes when a change fails.
#[derive(Copy, Clone, Debug)]
enum Rollback {
    /// Delete the additions of this change set that succeeded (`register`; `unregister`
    /// adds nothing, so nothing is undone for it).
    Additions,
    /// Delete both filters of the descriptor (`modify`, which then forgets it).
    Everything,
}

/// `kevent` with `EV_DELETE | EV_RECEIPT` for `fd`'s `EVFILT_READ` and `EVFILT_WRITE`,
/// ignoring every error: a filter that is not there answers `ENOENT`, which is the wanted
/// outcome, and a caller that already failed has nothing better to report.
fn delete_both_filters(kq: BorrowedFd<'_>, fd: RawFd) {
    let ident = conv::fd_ident(fd);
    let deletions = [KQ_FILTER_READ, KQ_FILTER_WRITE].map(|filter| {
        KEvent::new(ident).with_filter(filter).with_flags(KQ_EV_DELETE | KQ_EV_RECEIPT)
    });
    let mut ignored = [KEvent::new(0); 2];
    let _ = receipted_kevent(kq, &deletions, &mut ignored);
}

/// How many receipts [`receipted_kevent`] stored, and whether `EINTR` made it repeat the call.
struct Receipts {
    count: usize,
    retried: bool,
}

/// `kevent` with `EV_RECEIPT` changes and a zero timeout, storing one receipt per change.
fn receipted_kevent(
    kq: BorrowedFd<'_>,
    changes: &[KEvent],
    receipts: &mut [KEvent],
) -> Result<Receipts> {
    let zero = conv::timespec(Duration::ZERO);
    let mut retried = false;
    loop {
        match sys::kevent(kq, changes, receipts, Some(&zero)) {
            // A zero timeout never sleeps, so this is not expected; should it happen, the
            // changes are repeated: additions are idempotent, and a deletion the first call
            // may already have made is then allowed to find nothing.
            Err(Errno::INTR) => retried = true,
            result => return Ok(Receipts { count: result?, retried }),
        }
    }
}

impl Drop for Kqueue {
    /// Closes the descriptor, ignoring a `close(2)` error; in a forked child, leaves the
    /// number alone.
    fn drop(&mut self) {
        if let Some(fd) = self.fd.take() {
            if self.owned_here() {
                drop(fd);
            } else {
                let _ = fd.into_raw_fd();
            }
        }
    }
}

impl AsFd for Kqueue {
    /// The kqueue descriptor.
    ///
    /// # Panics
    ///
    /// After [`close`](Kqueue::close) or in a forked child, where there is no descriptor to
    /// lend; use [`fileno`](Kqueue::fileno) to get an error instead.
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self.live() {
            Ok(fd) => fd,
            Err(_) => panic!("as_fd on a closed kqueue"),
        }
    }
}

impl Mechanism for Kqueue {
    const KIND: BackendKind = BackendKind::Kqueue;
    /// `USER_EVENT` is decided at run time: `user_event` returns `Ok(None)` on kernels
    /// without `EVFILT_USER` (OpenBSD before 7.8, NetBSD before 10).
    const CAPABILITIES: Capabilities = Capabilities::LEVEL
        .union(Capabilities::EDGE)
        .union(Capabilities::ONESHOT)
        .union(Capabilities::KERNEL_OBJECT)
        .union(Capabilities::CONCURRENT_WAITS)
        .union(Capabilities::REJECTS_DUPLICATES)
        .union(Capabilities::USER_EVENT);
    const FD_LIMIT: Option<usize> = None;
    type Events = KqueueEvents;

    fn new() -> Result<Kqueue> {
        Kqueue::new()
    }

    /// `kevent` with `EV_ADD | EV_RECEIPT` for `EVFILT_READ` and/or `EVFILT_WRITE`, in one
    /// call.
    ///
    /// If one filter is refused (for example `EVFILT_WRITE` on a kqueue descriptor, which
    /// only supports reading), the ones the kernel accepted are deleted again before the
    /// error is returned: a failed `register` registers nothing.
    fn register_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        let kq = self.live()?;
        let raw = fd.as_raw_fd();
        let mut registry = self.registry();
        if registry.contains_key(&raw) {
            return Err(Errno::EXIST.into());
        }
        self.apply(kq, raw, None, Some(interest), false, Rollback::Additions)?;
        registry.insert(raw, interest);
        Ok(())
    }

    /// `kevent` with the additions and deletions that turn the old interest into the new
    /// one, in one call.
    ///
    /// The kernel applies each change on its own, so when one fails the old registration
    /// may already be partly replaced. Rather than leave the kernel and the registry
    /// disagreeing, a failed `modify` deletes both filters and forgets the descriptor: it
    /// is then **unregistered** (a later `modify` or `unregister` fails with `ENOENT`, and
    /// `register` starts afresh). Errors that come before any change (`Error::Closed`, an
    /// invalid interest, `ENOENT` for an unknown descriptor) leave the registration as it was.
    fn modify_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        let kq = self.live()?;
        let raw = fd.as_raw_fd();
        let mut registry = self.registry();
        let Some(&old) = registry.get(&raw) else {
            return Err(Errno::NOENT.into());
        };
        match self.apply(kq, raw, Some(old), Some(interest), false, Rollback::Everything) {
            Ok(()) => {
                registry.insert(raw, interest);
                Ok(())
            }
            Err(error) => {
                registry.remove(&raw);
                Err(error)
            }
        }
    }

    /// `kevent` with `EV_DELETE | EV_RECEIPT` for the filters the registry lists for the
    /// number. The kernel drops a descriptor's filters when it is closed, so an `ENOENT` or
    /// `EBADF` receipt means it already forgot them; the registry entry goes either way.
    fn unregister_raw_unchecked(&self, raw: RawFd, _: Checked) -> Result<()> {
        let kq = self.live()?;
        let mut registry = self.registry();
        let Some(&old) = registry.get(&raw) else {
            return Err(Errno::NOENT.into());
        };
        // `ENOENT` means the descriptor was closed (and its number reused) since it was
        // registered: the kernel already forgot it, which is what unregistering asks for.
        self.apply(kq, raw, Some(old), None, true, Rollback::Additions)?;
        registry.remove(&raw);
        Ok(())
    }

    /// One `kevent` call with no changes, filling `events`.
    fn wait_unchecked(
        &self,
        events: &mut KqueueEvents,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
        _: Checked,
    ) -> Result<usize> {
        self.control_interruptible(&[], events, timeout, on_interrupt)
    }

    fn close(&mut self) -> Result<()> {
        Kqueue::close(self)
    }

    fn is_closed(&self) -> bool {
        Kqueue::is_closed(self)
    }

    fn kernel_fd_unchecked(&self, _: Checked) -> Option<BorrowedFd<'_>> {
        self.live().ok()
    }

    /// `fcntl(kq, F_DUPFD_CLOEXEC)` then `kevent` with `EV_ADD | EV_CLEAR` for an
    /// `EVFILT_USER` event whose ident is the duplicate's number; `Ok(None)` on a kernel
    /// without `EVFILT_USER` (OpenBSD before 7.8, NetBSD before 10), found out from the first
    /// registration's `EINVAL` and remembered for the process.
    ///
    /// The duplicate names the same kqueue and is adopted as a [`Kqueue`], so the trigger
    /// follows the fork rule too; its number is the event's token, unique while the event
    /// lives. `EV_CLEAR` resets the event when a wait reports it, so triggers coalesce and
    /// nothing needs draining. Dropping the event deletes it.
    fn user_event_unchecked(&self, _: Checked) -> Result<Option<UserEvent>> {
        user::user_event(self.live()?)
    }
}

// The unit tests need the repository (see build.rs); the published package has none.
#[cfg(all(test, repository_tests))]
mod tests;
