//! The [`Backend`] trait: the contract every kernel mechanism implements, written out in the
//! trait's documentation.

use crate::platform::{AsRawFd, BorrowedFd, RawFd};
use std::fmt;
use std::ops::ControlFlow;
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
/// - Every descriptor a backend creates MUST be close-on-exec. A backend declaring
///   [`Capabilities::KERNEL_OBJECT`] MUST return its descriptor from
///   [`kernel_fd`](Backend::kernel_fd).
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
///   return a [`UserEvent`] from [`user_event`](Backend::user_event) where the running kernel
///   has the mechanism, and `None` where it does not (kqueue on OpenBSD before 7.8 and NetBSD
///   before 10 has no `EVFILT_USER`: the capability says "may have", decided at run time). A
///   trigger MUST wake a wait that is blocked or starts later, reported once as its token with
///   [`Readiness::READABLE`](crate::Readiness), and triggers before that report MUST coalesce.
///   The others MUST return `None`.
///
/// # How the rules are enforced
///
/// A backend crate implements [`Mechanism`], never `Backend`: `Backend` is sealed and
/// implemented by select-core for every [`Mechanism`]. That one implementation runs, for
/// every backend and in this order, the checks the rules above share: [`Error::Closed`](crate::Error::Closed)
/// after `close` (before anything else, so no descriptor number is touched), then the
/// arguments ([`FD_LIMIT`](Backend::FD_LIMIT), unknown [`Interest`] bits, the capabilities an
/// interest needs, a negative number for `unregister_raw`, a buffer of capacity zero), and
/// only then the backend's own work, which needs a [`Checked`] token that only select-core
/// can make. `close` on a closed backend succeeds without reaching the backend;
/// [`user_event`](Backend::user_event) and [`kernel_fd`](Backend::kernel_fd) return `None`
/// unless the matching capability is declared. Buffers are allocated through
/// [`allocate_events`](crate::allocate_events), so a capacity too large is an error naming it.
///
/// Python: the methods shared by `select.poll`, `select.epoll` and `select.devpoll` objects
/// (`register`, `modify`, `unregister`, `poll`, `close`), and `selectors.BaseSelector`'s
/// portable view of `select.select` and `select.kqueue`.
///
/// # Examples
///
/// Code generic over the backends names `B: Backend` and works with each of them
/// (`select_poll::Poll`, `select_epoll::Epoll`, ...; the facade's `DefaultBackend` documents a
/// run of this with every backend of the target):
///
/// ```
/// use std::time::Duration;
/// use select_core::{AsFd, Backend, EventBuffer, Interest, Result};
///
/// /// Waits up to `timeout` for `fd` to become readable, with any backend.
/// fn wait_readable<B: Backend>(backend: &B, fd: impl AsFd, timeout: Duration) -> Result<bool> {
///     backend.register(fd.as_fd(), Interest::READABLE)?;
///     let mut events = B::Events::try_with_capacity(1)?; // reuse it across waits
///     let count = backend.wait(&mut events, Some(timeout));
///     backend.unregister(fd.as_fd())?; // before returning, on every path
///     Ok(count? == 1 && events.iter().any(|event| event.is_readable()))
/// }
/// ```
pub trait Backend: Sized + Send + Sync + fmt::Debug + sealed::Sealed {
    /// Which mechanism this is.
    const KIND: BackendKind;

    /// The mechanism's name, for logs and benchmark ids: `Self::KIND.name()`.
    const NAME: &'static str;

    /// What this backend can do.
    const CAPABILITIES: Capabilities;

    /// The highest descriptor number plus one this backend can register, if it has such a
    /// limit: `FD_SETSIZE` for select(2). Registering a larger descriptor fails with
    /// [`Error::FdOutOfRange`](crate::Error::FdOutOfRange). `None` for WinSock `select`,
    /// whose limit is a count of sockets, not a number.
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
    /// An empty interest is accepted (Python's `poll.register(fd, 0)`): the descriptor is
    /// registered and reports only what the kernel always reports (hang-up, errors).
    ///
    /// # Errors
    ///
    /// In this order: [`Error::Closed`](crate::Error::Closed);
    /// [`Error::FdOutOfRange`](crate::Error::FdOutOfRange) past
    /// [`FD_LIMIT`](Backend::FD_LIMIT); [`Error::InvalidArgument`](crate::Error::InvalidArgument)
    /// naming an interest with bits no [`Interest`] flag has (`Interest::from_bits_retain`);
    /// [`Error::Unsupported`](crate::Error::Unsupported) for an interest the backend cannot
    /// deliver; then the backend's own: a duplicate registration where
    /// [`Capabilities::REJECTS_DUPLICATES`] is declared, or the kernel's errno.
    fn register(&self, fd: BorrowedFd<'_>, interest: Interest) -> Result<()>;

    /// Replaces the interest of a registered `fd` (and re-arms a oneshot registration).
    ///
    /// # Errors
    ///
    /// The checks of [`register`](Backend::register), in the same order; then `ENOENT`
    /// ([`Error::Os`](crate::Error::Os)) if `fd` is not registered, or the kernel's errno.
    fn modify(&self, fd: BorrowedFd<'_>, interest: Interest) -> Result<()>;

    /// Stops watching `fd`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`](crate::Error::Closed); then
    /// [`Error::NotRegistered`](crate::Error::NotRegistered) or the kernel's `ENOENT` if `fd`
    /// is not registered, or the kernel's errno.
    fn unregister(&self, fd: BorrowedFd<'_>) -> Result<()>;

    /// Stops watching the descriptor numbered `fd`, which may already be closed, so that no
    /// `BorrowedFd` can name it any more.
    ///
    /// A registration whose descriptor was closed lingers in the backends that keep
    /// registrations by number: poll(2) reports it as [`Readiness::INVALID`](crate::Readiness)
    /// and select(2) fails every wait with `EBADF` until it is removed, and /dev/poll keeps
    /// its record (reporting `POLLNVAL` only if the driver happens to examine it). epoll and kqueue forget a closed descriptor themselves; there this removes
    /// the number from the backend's own bookkeeping, and from the kernel if it is still open.
    ///
    /// Python: `poll.unregister(fd)`, `epoll.unregister(fd)` or `selector.unregister(fd)`
    /// with an `int`.
    ///
    /// # Errors
    ///
    /// In this order: [`Error::Closed`](crate::Error::Closed);
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming a negative number
    /// (Python's `ValueError`); then [`Error::NotRegistered`](crate::Error::NotRegistered)
    /// or `ENOENT` if the number is not registered.
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
    /// In this order: [`Error::Closed`](crate::Error::Closed);
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a buffer of capacity
    /// zero; then [`Error::ConcurrentWait`](crate::Error::ConcurrentWait) or the kernel's
    /// errno (never `EINTR`).
    fn wait(&self, events: &mut Self::Events, timeout: Option<Duration>) -> Result<usize>;

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
    /// ([`Capabilities::USER_EVENT`]: kqueue's `EVFILT_USER`), or returns `None` (always
    /// without the capability, and with it where the running kernel lacks the mechanism).
    ///
    /// Waits report a triggered event as an [`Event`](crate::Event) whose descriptor is
    /// [`UserEvent::token`]. Without the capability, wake a wait by registering a readable
    /// descriptor instead (an eventfd or a pipe), as the facade's `Waker` does.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`](crate::Error::Closed), or the errno of the system calls that create
    /// and register the event.
    fn user_event(&self) -> Result<Option<UserEvent>>;

    /// The descriptor of the backend's kernel object: `Some` exactly when the backend
    /// declares [`Capabilities::KERNEL_OBJECT`] (epoll, kqueue, /dev/poll), `None` for poll
    /// and select, which have none. It is close-on-exec, and can itself be registered with
    /// another backend (a readable epoll or kqueue descriptor has events pending).
    ///
    /// Python: `epoll.fileno()`, `kqueue.fileno()`, `devpoll.fileno()`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`](crate::Error::Closed) after [`close`](Backend::close).
    fn kernel_fd(&self) -> Result<Option<BorrowedFd<'_>>>;
}

/// Proof that select-core ran the checks of the [`Backend`] call being made: the argument of
/// every [`Mechanism`] method that does a backend's own work.
///
/// Only select-core can create one (its field is private), so a [`Mechanism`] method can only
/// be reached through [`Backend`]'s checked path, in its fixed order: closed first, then the
/// arguments, then the backend's work.
#[derive(Debug)]
pub struct Checked {
    _private: (),
}

/// What a backend crate implements: the kernel mechanism's own work, without the checks that
/// every backend shares.
///
/// Each backend crate implements this trait, never [`Backend`]; select-core implements
/// [`Backend`] for every `Mechanism`, and that implementation runs the shared checks before
/// it calls the `*_unchecked` methods here, in one order:
///
/// 1. [`Error::Closed`](crate::Error::Closed) after `close`, before any other check and before
///    any descriptor number is touched;
/// 2. the arguments: [`FD_LIMIT`](Mechanism::FD_LIMIT), unknown [`Interest`] bits, the
///    [`CAPABILITIES`](Mechanism::CAPABILITIES) an interest needs, a negative number for
///    `unregister_raw`, a buffer of capacity zero for a wait;
/// 3. the backend's own work, here.
///
/// The [`Checked`] argument proves that the checks ran; no backend can construct one, so no
/// backend can skip or reorder them, and what they reject never reaches a backend. Methods
/// also without checks of their own ([`new`](Mechanism::new),
/// [`is_closed`](Mechanism::is_closed)) are called as they are; [`Backend::close`] calls
/// [`close`](Mechanism::close) only while the backend is open, so closing twice succeeds.
///
/// Code that *uses* backends imports [`Backend`]; importing both traits makes the shared
/// names (`KIND`, `new`, ...) ambiguous on a concrete type.
pub trait Mechanism: Sized + Send + Sync + fmt::Debug {
    /// [`Backend::KIND`].
    const KIND: BackendKind;
    /// [`Backend::CAPABILITIES`].
    const CAPABILITIES: Capabilities;
    /// [`Backend::FD_LIMIT`].
    const FD_LIMIT: Option<usize>;
    /// [`Backend::Events`].
    type Events: EventBuffer;

    /// [`Backend::new`].
    ///
    /// # Errors
    ///
    /// As [`Backend::new`].
    fn new() -> Result<Self>;

    /// [`Backend::is_closed`].
    fn is_closed(&self) -> bool;

    /// [`Backend::close`], called only while the backend is open.
    ///
    /// # Errors
    ///
    /// As [`Backend::close`].
    fn close(&mut self) -> Result<()>;

    /// [`Backend::register`] after the checks: open, `fd` below the limit, `interest` made of
    /// known flags the backend has the capabilities for.
    ///
    /// # Errors
    ///
    /// The backend's own errors of [`Backend::register`].
    fn register_unchecked(
        &self,
        fd: BorrowedFd<'_>,
        interest: Interest,
        checked: Checked,
    ) -> Result<()>;

    /// [`Backend::modify`] after the checks of [`register_unchecked`](Mechanism::register_unchecked).
    ///
    /// # Errors
    ///
    /// The backend's own errors of [`Backend::modify`].
    fn modify_unchecked(
        &self,
        fd: BorrowedFd<'_>,
        interest: Interest,
        checked: Checked,
    ) -> Result<()>;

    /// [`Backend::unregister`] after the closed check. By default,
    /// [`unregister_raw_unchecked`](Mechanism::unregister_raw_unchecked) of its number.
    ///
    /// # Errors
    ///
    /// The backend's own errors of [`Backend::unregister`].
    fn unregister_unchecked(&self, fd: BorrowedFd<'_>, checked: Checked) -> Result<()> {
        self.unregister_raw_unchecked(fd.as_raw_fd(), checked)
    }

    /// [`Backend::unregister_raw`] after the checks: open, `fd` not negative.
    ///
    /// # Errors
    ///
    /// The backend's own errors of [`Backend::unregister_raw`].
    fn unregister_raw_unchecked(&self, fd: RawFd, checked: Checked) -> Result<()>;

    /// [`Backend::wait_interruptible`] after the checks: open, a buffer of capacity one or
    /// more. The wait goes through [`crate::timeout::wait_with_retry`] with `on_interrupt`.
    ///
    /// # Errors
    ///
    /// The backend's own errors of [`Backend::wait_interruptible`].
    fn wait_unchecked(
        &self,
        events: &mut Self::Events,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
        checked: Checked,
    ) -> Result<usize>;

    /// [`Backend::user_event`] after the checks: open, and
    /// [`Capabilities::USER_EVENT`] declared (without it this is never called). By default
    /// `None`.
    ///
    /// # Errors
    ///
    /// The backend's own errors of [`Backend::user_event`].
    fn user_event_unchecked(&self, checked: Checked) -> Result<Option<UserEvent>> {
        let _ = checked;
        Ok(None)
    }

    /// [`Backend::kernel_fd`] after the checks: open, and [`Capabilities::KERNEL_OBJECT`]
    /// declared (without it this is never called). By default `None`, which a backend
    /// declaring the capability must not keep.
    fn kernel_fd_unchecked(&self, checked: Checked) -> Option<BorrowedFd<'_>> {
        let _ = checked;
        None
    }
}

mod sealed {
    /// Only select-core implements [`Backend`](super::Backend), for every
    /// [`Mechanism`](super::Mechanism).
    pub trait Sealed {}
    impl<M: super::Mechanism> Sealed for M {}
}

/// The proof token for one checked call.
const fn checked() -> Checked {
    Checked { _private: () }
}

/// [`Error::Closed`](crate::Error::Closed) if `backend` is closed: the first check of every
/// operation.
#[inline]
fn check_open<M: Mechanism>(backend: &M) -> Result<()> {
    if backend.is_closed() {
        return Err(crate::Error::Closed { object: M::KIND.name() });
    }
    Ok(())
}

/// The argument checks of `register` and `modify`, after the closed check.
fn check_registration<M: Mechanism>(fd: BorrowedFd<'_>, interest: Interest) -> Result<()> {
    check_fd_limit(M::FD_LIMIT, fd.as_raw_fd())?;
    check_interest_bits(interest)?;
    check_interest::<M>(interest)
}

impl<M: Mechanism> Backend for M {
    const KIND: BackendKind = <M as Mechanism>::KIND;
    const NAME: &'static str = <M as Mechanism>::KIND.name();
    const CAPABILITIES: Capabilities = <M as Mechanism>::CAPABILITIES;
    const FD_LIMIT: Option<usize> = <M as Mechanism>::FD_LIMIT;
    type Events = <M as Mechanism>::Events;

    fn new() -> Result<M> {
        <M as Mechanism>::new()
    }

    fn register(&self, fd: BorrowedFd<'_>, interest: Interest) -> Result<()> {
        check_open(self)?;
        check_registration::<M>(fd, interest)?;
        self.register_unchecked(fd, interest, checked())
    }

    fn modify(&self, fd: BorrowedFd<'_>, interest: Interest) -> Result<()> {
        check_open(self)?;
        check_registration::<M>(fd, interest)?;
        self.modify_unchecked(fd, interest, checked())
    }

    fn unregister(&self, fd: BorrowedFd<'_>) -> Result<()> {
        check_open(self)?;
        self.unregister_unchecked(fd, checked())
    }

    fn unregister_raw(&self, fd: RawFd) -> Result<()> {
        check_open(self)?;
        check_fd(fd)?;
        self.unregister_raw_unchecked(fd, checked())
    }

    #[inline]
    fn wait(&self, events: &mut Self::Events, timeout: Option<Duration>) -> Result<usize> {
        self.wait_interruptible(events, timeout, &mut crate::timeout::keep_waiting)
    }

    #[inline]
    fn wait_interruptible(
        &self,
        events: &mut Self::Events,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    ) -> Result<usize> {
        check_open(self)?;
        check_capacity(events)?;
        self.wait_unchecked(events, timeout, on_interrupt, checked())
    }

    fn close(&mut self) -> Result<()> {
        if Mechanism::is_closed(self) {
            return Ok(());
        }
        Mechanism::close(self)
    }

    #[inline]
    fn is_closed(&self) -> bool {
        Mechanism::is_closed(self)
    }

    fn user_event(&self) -> Result<Option<UserEvent>> {
        check_open(self)?;
        if !<M as Mechanism>::CAPABILITIES.contains(Capabilities::USER_EVENT) {
            return Ok(None);
        }
        self.user_event_unchecked(checked())
    }

    fn kernel_fd(&self) -> Result<Option<BorrowedFd<'_>>> {
        check_open(self)?;
        if !<M as Mechanism>::CAPABILITIES.contains(Capabilities::KERNEL_OBJECT) {
            return Ok(None);
        }
        Ok(self.kernel_fd_unchecked(checked()))
    }
}

/// Fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument) for an interest with
/// bits that no [`Interest`] flag has (made with `Interest::from_bits_retain`).
///
/// [`Backend::register`] and [`Backend::modify`] run this; a backend need not.
///
/// # Errors
///
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the interest's bits.
pub fn check_interest_bits(interest: Interest) -> Result<()> {
    if Interest::all().contains(interest) {
        return Ok(());
    }
    Err(crate::Error::InvalidArgument {
        name: "interest",
        expected: "a combination of the Interest flags (no unknown bits)",
        value: interest.bits().into(),
    })
}

/// Fails with [`Error::Unsupported`](crate::Error::Unsupported) unless `B` has every
/// capability `interest` needs. [`Backend::register`] and [`Backend::modify`] run this after
/// the closed check; a backend need not.
///
/// # Errors
///
/// [`Error::Unsupported`](crate::Error::Unsupported) naming the backend and the interest.
pub fn check_interest<M: Mechanism>(interest: Interest) -> Result<()> {
    if <M as Mechanism>::CAPABILITIES.contains(interest.required_capabilities()) {
        Ok(())
    } else {
        Err(crate::Error::Unsupported { backend: <M as Mechanism>::KIND.name(), interest })
    }
}

/// Fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a buffer of
/// capacity zero. [`Backend::wait`] runs this after the closed check; a backend need not.
///
/// # Errors
///
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the capacity
/// ([`EventBuffer::CAPACITY_NAME`]).
#[inline]
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

/// Fails with [`Error::FdOutOfRange`](crate::Error::FdOutOfRange) if `fd` is at or past
/// `limit`, a backend's [`Backend::FD_LIMIT`] (`None`: no limit).
///
/// [`Backend::register`] and [`Backend::modify`] run this; a layer over a backend that keeps
/// state of its own per descriptor (the facade's `Selector`) runs it first, so that such a
/// descriptor is refused the same way before that state is touched.
///
/// Python: `ValueError: filedescriptor out of range in select()`.
///
/// # Errors
///
/// [`Error::FdOutOfRange`](crate::Error::FdOutOfRange) with the number and the limit.
///
/// # Examples
///
/// ```
/// use select_core::{Error, check_fd_limit};
///
/// assert!(check_fd_limit(Some(1024), 1023).is_ok());
/// let error = check_fd_limit(Some(1024), 1024).unwrap_err();
/// assert!(matches!(error, Error::FdOutOfRange { fd: 1024, limit: 1024 }), "{error:?}");
/// assert!(check_fd_limit(None, 1 << 20).is_ok());
/// ```
pub fn check_fd_limit(limit: Option<usize>, fd: RawFd) -> Result<()> {
    match limit {
        Some(limit) if usize::try_from(fd).map_or(true, |number| number >= limit) => {
            Err(crate::Error::FdOutOfRange { fd, limit })
        }
        _ => Ok(()),
    }
}

/// Fails with [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a negative
/// descriptor number (on Windows, for `INVALID_SOCKET`). [`Backend::unregister_raw`] runs this after the closed check; a backend
/// need not.
///
/// Python: `ValueError: file descriptor cannot be a negative integer (-5)`.
///
/// # Errors
///
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming the number.
pub fn check_fd(fd: RawFd) -> Result<()> {
    if crate::platform::is_invalid(fd) {
        return Err(crate::Error::InvalidArgument {
            name: "fd",
            expected: crate::platform::VALID_HANDLE,
            value: fd.into(),
        });
    }
    Ok(())
}
