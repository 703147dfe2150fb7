//! The [`Backend`] trait: the contract every kernel mechanism implements, written out in the
//! trait's documentation.

use std::fmt;
use std::ops::ControlFlow;
use std::os::fd::{BorrowedFd, RawFd};
use std::time::Duration;

use crate::{Capabilities, EventBuffer, Interest, Result, UserEvent};

/// Which kernel mechanism a backend uses.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BackendKind {
    /// `select(2)`: every Unix; limited to descriptors below `FD_SETSIZE`.
    Select,
    /// `poll(2)`: every Unix.
    Poll,
    /// `epoll(7)`: Linux and Android.
    Epoll,
    /// `kqueue(2)`: macOS, iOS, FreeBSD, NetBSD, OpenBSD, DragonFly BSD.
    Kqueue,
    /// `/dev/poll` (`poll(7D)`): illumos and Solaris.
    DevPoll,
}

impl BackendKind {
    /// The mechanism's name as Python spells its object: `"select"`, `"poll"`, `"epoll"`,
    /// `"kqueue"`, `"devpoll"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            BackendKind::Select => "select",
            BackendKind::Poll => "poll",
            BackendKind::Epoll => "epoll",
            BackendKind::Kqueue => "kqueue",
            BackendKind::DevPoll => "devpoll",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A kernel readiness mechanism behind Python's `select` API.
///
/// The trait is for static dispatch: generic code takes `B: Backend`, and the facade crate
/// picks `DefaultBackend` at compile time.
///
/// Every implementation, in every backend crate, follows the rules below. The conformance suite
/// (`crates/select-conformance`) checks each one on real kernel objects, and
/// `docs/backend-contract.md` repeats them as a checklist for a new backend.
///
/// # Registrations
///
/// - `register`, `modify` and `unregister` MUST take effect for every wait that *starts* after
///   they return, on any thread.
/// - A wait MUST NOT report a descriptor that was unregistered before the wait began.
/// - `modify` of a descriptor that is not registered MUST fail with `ENOENT`
///   ([`Error::Os`](crate::Error::Os)), as Python's `poll.modify` and `epoll.modify` do.
/// - `unregister` of a descriptor that is not registered MUST fail: with
///   [`Error::NotRegistered`](crate::Error::NotRegistered) (Python's `KeyError`), or with the kernel's own errno where the
///   kernel keeps the registrations (`ENOENT` from epoll and kqueue).
/// - [`unregister_raw`](Backend::unregister_raw) MUST remove a registration by number, also
///   after its descriptor was closed, and MUST fail like `unregister` for an open number that
///   is not registered.
/// - `register` of a descriptor that is already registered MUST fail when the backend declares
///   [`Capabilities::REJECTS_DUPLICATES`](crate::Capabilities::REJECTS_DUPLICATES), and MUST replace the registration (keeping its
///   position in the results) otherwise.
/// - An interest whose [`Interest::required_capabilities`] the backend lacks MUST be rejected
///   with [`Error::Unsupported`](crate::Error::Unsupported), never silently weakened.
/// - One `register`, `modify` or `unregister` MUST make at most one system call (backends
///   that batch, like /dev/poll, make none and write the batch before the next wait).
///
/// # Waits
///
/// - A wait MUST fill the caller's buffer with at most its capacity of events, replacing what
///   it held, and return how many it stored. When more descriptors are ready than the buffer
///   holds, successive waits MUST report each of them in turn: none may be starved by those
///   registered before it. A buffer of capacity zero MUST be rejected with
///   [`Error::InvalidArgument`](crate::Error::InvalidArgument).
/// - A wait MUST make one system call in steady state (no registration changes since the last
///   wait), and MUST NOT allocate.
/// - A timeout MUST be rounded *up* to the mechanism's granularity ([`crate::timeout`]); a
///   wait MUST NOT return before its timeout has elapsed unless it reports an event. A
///   timeout too large for the system call MUST be clamped and re-waited, never turned into
///   "forever". `None` blocks until an event.
/// - `EINTR` MUST NOT reach the caller: the wait is retried with the time that remains, and
///   once the deadline has passed it reports no events (PEP 475).
///   [`wait_interruptible`](Backend::wait_interruptible) MUST call the caller's hook once
///   after each `EINTR` (also in a zero-timeout wait), before retrying; when the hook returns
///   [`ControlFlow::Break`] the wait MUST stop at once with
///   [`Error::Interrupted`](crate::Error::Interrupted), and when it continues the wait MUST go
///   on for the time that remains, never less. [`wait`](Backend::wait) is
///   `wait_interruptible` with a hook that always continues.
/// - Backends with [`Capabilities::CONCURRENT_WAITS`](crate::Capabilities::CONCURRENT_WAITS) MUST serve several threads waiting at
///   once, each with its own buffer. The others MUST fail a second concurrent wait with
///   [`Error::ConcurrentWait`](crate::Error::ConcurrentWait), never crash and never silently report nothing.
/// - Registering, modifying and unregistering from another thread while a wait is blocked MUST
///   be safe; whether the blocked wait sees the change is the mechanism's business, but the
///   next wait MUST.
///
/// # Descriptors and closing
///
/// - Every descriptor a backend creates MUST be close-on-exec.
/// - After [`close`](Backend::close), every operation MUST fail with [`Error::Closed`](crate::Error::Closed) and
///   MUST NOT reach the old descriptor number, which the process may already have reused;
///   closing again MUST succeed and do nothing. Dropping a backend closes it.
/// - `close` MUST report the error of `close(2)`, if any.
/// - A backend MUST NOT depend on another backend crate, and `select-core` makes no system
///   call.
///
/// # User events
///
/// - A backend declaring [`Capabilities::USER_EVENT`](crate::Capabilities::USER_EVENT) MUST
///   return a [`UserEvent`] from [`user_event`](Backend::user_event); a trigger MUST wake a wait that is blocked or starts
///   later, reported once as its token with [`Readiness::READABLE`](crate::Readiness), and
///   triggers before that report MUST coalesce. The others MUST return `None`.
///
/// Python: the methods shared by `select.poll`, `select.epoll` and `select.devpoll` objects
/// (`register`, `modify`, `unregister`, `poll`, `close`), and `selectors.BaseSelector`'s
/// portable view of `select.select` and `select.kqueue`.
pub trait Backend: Sized + Send + Sync + fmt::Debug {
    /// Which mechanism this is.
    const KIND: BackendKind;

    /// The mechanism's name, for logs and benchmark ids: `Self::KIND.name()`.
    const NAME: &'static str = Self::KIND.name();

    /// What this backend can do.
    const CAPABILITIES: Capabilities;

    /// The highest descriptor number plus one this backend can register, if it has such a
    /// limit: `FD_SETSIZE` for select(2). Registering a larger descriptor fails with
    /// [`Error::FdOutOfRange`](crate::Error::FdOutOfRange).
    const FD_LIMIT: Option<usize>;

    /// The reusable buffer a wait fills, holding the kernel's own event records.
    type Events: EventBuffer;

    /// Creates the backend (and its kernel object, close-on-exec, if it has one).
    ///
    /// # Errors
    ///
    /// The system call's errno, for example `EMFILE` when the process has no descriptor left.
    fn new() -> Result<Self>;

    /// Starts watching `fd` for `interest`.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`](crate::Error::Unsupported) for an interest the backend cannot
    /// deliver; a duplicate registration where [`Capabilities::REJECTS_DUPLICATES`] is
    /// declared; [`Error::FdOutOfRange`](crate::Error::FdOutOfRange) past
    /// [`FD_LIMIT`](Backend::FD_LIMIT); [`Error::Closed`](crate::Error::Closed); or the
    /// kernel's errno.
    fn register(&self, fd: BorrowedFd<'_>, interest: Interest) -> Result<()>;

    /// Replaces the interest of a registered `fd` (and re-arms a oneshot registration).
    ///
    /// # Errors
    ///
    /// `ENOENT` ([`Error::Os`](crate::Error::Os)) if `fd` is not registered, and the errors of
    /// [`register`](Backend::register).
    fn modify(&self, fd: BorrowedFd<'_>, interest: Interest) -> Result<()>;

    /// Stops watching `fd`.
    ///
    /// # Errors
    ///
    /// [`Error::NotRegistered`](crate::Error::NotRegistered) or the kernel's `ENOENT` if `fd`
    /// is not registered; [`Error::Closed`](crate::Error::Closed); or the kernel's errno.
    fn unregister(&self, fd: BorrowedFd<'_>) -> Result<()>;

    /// Stops watching the descriptor numbered `fd`, which may already be closed, so that no
    /// `BorrowedFd` can name it any more.
    ///
    /// A registration whose descriptor was closed lingers in the backends that keep
    /// registrations by number: poll(2) reports it as [`Readiness::INVALID`](crate::Readiness)
    /// and select(2) fails every wait with `EBADF` until it is removed, and /dev/poll reports
    /// `POLLNVAL`. epoll and kqueue forget a closed descriptor themselves; there this removes
    /// the number from the backend's own bookkeeping, and from the kernel if it is still open.
    ///
    /// Python: `poll.unregister(fd)`, `epoll.unregister(fd)` or `selector.unregister(fd)`
    /// with an `int`.
    ///
    /// # Errors
    ///
    /// [`Error::NotRegistered`](crate::Error::NotRegistered) or `ENOENT` if the number is not
    /// registered; [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a negative
    /// number; [`Error::Closed`](crate::Error::Closed).
    fn unregister_raw(&self, fd: RawFd) -> Result<()>;

    /// Waits until a registered descriptor is ready or `timeout` elapses (`None`: no
    /// timeout), stores what happened in `events` and returns how many events it stored
    /// (zero on timeout).
    ///
    /// A signal that interrupts the wait (`EINTR`) never ends it: the wait goes on for the
    /// time that remains. This is [`wait_interruptible`](Backend::wait_interruptible) with a
    /// hook that always continues.
    ///
    /// Python: `poll.poll(timeout)`, `epoll.poll(timeout)`, `devpoll.poll(timeout)`,
    /// `kqueue.control(None, maxevents, timeout)`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a buffer of capacity
    /// zero; [`Error::ConcurrentWait`](crate::Error::ConcurrentWait);
    /// [`Error::Closed`](crate::Error::Closed); or the kernel's errno (never `EINTR`).
    fn wait(&self, events: &mut Self::Events, timeout: Option<Duration>) -> Result<usize> {
        self.wait_interruptible(events, timeout, &mut crate::timeout::keep_waiting)
    }

    /// [`wait`](Backend::wait), calling `on_interrupt` once after each `EINTR`, before the
    /// wait is retried: [`ControlFlow::Continue`] retries with the time that remains (past
    /// the deadline the wait returns 0), [`ControlFlow::Break`] stops the wait with
    /// [`Error::Interrupted`](crate::Error::Interrupted). A zero-timeout wait that is
    /// interrupted calls the hook once too, then returns 0 if it continues.
    ///
    /// Python: the interpreter runs its signal handlers when a wait is interrupted; a handler
    /// that raises (`KeyboardInterrupt`) ends the wait with its exception, otherwise the wait
    /// is retried with the remaining timeout (PEP 475).
    ///
    /// # Errors
    ///
    /// [`Error::Interrupted`](crate::Error::Interrupted) when the hook stops the wait, and
    /// the errors of [`wait`](Backend::wait).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::ops::ControlFlow;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::time::Duration;
    /// use select_core::{Backend, Error};
    ///
    /// static SIGINT_SEEN: AtomicBool = AtomicBool::new(false); // set by a signal handler
    ///
    /// fn wait_or_stop<B: Backend>(backend: &B, events: &mut B::Events) -> select_core::Result<usize> {
    ///     let mut on_interrupt = || {
    ///         if SIGINT_SEEN.load(Ordering::Relaxed) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    ///     };
    ///     match backend.wait_interruptible(events, Some(Duration::from_secs(60)), &mut on_interrupt) {
    ///         Err(Error::Interrupted) => Ok(0), // the user pressed Ctrl-C
    ///         other => other,
    ///     }
    /// }
    /// ```
    fn wait_interruptible(
        &self,
        events: &mut Self::Events,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    ) -> Result<usize>;

    /// Closes the backend's kernel object, if it has one, and forgets every registration.
    /// Closing again does nothing and succeeds.
    ///
    /// # Errors
    ///
    /// The errno of `close(2)`; the object is closed all the same.
    fn close(&mut self) -> Result<()>;

    /// Whether [`close`](Backend::close) was called.
    fn is_closed(&self) -> bool;

    /// Creates a wake-up event inside this backend's kernel object, if the mechanism has one
    /// ([`Capabilities::USER_EVENT`]: kqueue's `EVFILT_USER`), or returns `None`.
    ///
    /// Waits report a triggered event as an [`Event`](crate::Event) whose descriptor is
    /// [`UserEvent::token`]. Without the capability, wake a wait by registering a readable
    /// descriptor instead (an eventfd or a pipe), as the facade's `Waker` does.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`](crate::Error::Closed), or the errno of the system calls that create
    /// and register the event.
    fn user_event(&self) -> Result<Option<UserEvent>> {
        Ok(None)
    }
}

/// Fails with [`Error::Unsupported`](crate::Error::Unsupported) unless `B` has every
/// capability `interest` needs. Backends call this first in `register` and `modify`.
///
/// # Errors
///
/// [`Error::Unsupported`](crate::Error::Unsupported) naming the backend and the interest.
pub fn check_interest<B: Backend>(interest: Interest) -> Result<()> {
    if B::CAPABILITIES.contains(interest.required_capabilities()) {
        Ok(())
    } else {
        Err(crate::Error::Unsupported { backend: B::NAME, interest })
    }
}

/// Fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a buffer of
/// capacity zero. Backends call this first in `wait`.
///
/// # Errors
///
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the capacity
/// ([`EventBuffer::CAPACITY_NAME`]).
pub fn check_capacity<E: EventBuffer>(events: &E) -> Result<()> {
    if events.capacity() == 0 {
        return Err(crate::Error::InvalidArgument {
            name: E::CAPACITY_NAME,
            expected: "greater than 0",
            value: 0,
        });
    }
    Ok(())
}

/// Fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a negative
/// descriptor number. Backends call this where they take a bare number (`unregister_raw`).
///
/// Python: `ValueError: file descriptor cannot be a negative integer (-5)`.
///
/// # Errors
///
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the number.
pub fn check_fd(fd: RawFd) -> Result<()> {
    if fd < 0 {
        return Err(crate::Error::InvalidArgument {
            name: "fd",
            expected: "a non-negative file descriptor",
            value: fd.into(),
        });
    }
    Ok(())
}
