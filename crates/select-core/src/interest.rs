//! The portable flag sets: what a registration asks for, what a wait reports, and what a
//! backend can do.

use bitflags::bitflags;

bitflags! {
    /// What a registration waits for, and how it is delivered.
    ///
    /// The first three flags are the conditions (Python's default mask for `poll.register`,
    /// `epoll.register` and `devpoll.register` is all three: [`Interest::PYTHON_DEFAULT`]).
    /// The last three are delivery modes; a backend that lacks the matching [`Capabilities`]
    /// flag rejects them with [`Error::Unsupported`](crate::Error::Unsupported).
    ///
    /// Every registration is level-triggered unless [`EDGE`](Interest::EDGE) is set.
    ///
    /// Python: `selectors.EVENT_READ` and `EVENT_WRITE`; the native masks (`POLLIN`,
    /// `EPOLLET`, ...) stay with each backend crate.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::{Capabilities, Interest};
    ///
    /// let interest = Interest::READABLE | Interest::WRITABLE; // EVENT_READ | EVENT_WRITE
    /// assert!(interest.contains(Interest::READABLE));
    /// assert_eq!(Interest::from_bits(0b100_0000), None); // no such flag
    /// // Edge triggering needs a backend that has it (epoll, kqueue), level triggering does not.
    /// let edge = Interest::READABLE | Interest::EDGE;
    /// assert!(edge.required_capabilities().contains(Capabilities::EDGE));
    /// assert!(!edge.required_capabilities().contains(Capabilities::LEVEL));
    /// ```
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Interest: u8 {
        /// Data can be read without blocking (`POLLIN`, `EPOLLIN`, `EVFILT_READ`, `select`'s
        /// read set).
        const READABLE = 1 << 0;
        /// Data can be written without blocking (`POLLOUT`, `EPOLLOUT`, `EVFILT_WRITE`,
        /// `select`'s write set).
        const WRITABLE = 1 << 1;
        /// Urgent data can be read (`POLLPRI`, `EPOLLPRI`, `select`'s exceptional set).
        /// Requires [`Capabilities::PRIORITY`].
        const PRIORITY = 1 << 2;
        /// Report only transitions to ready (`EPOLLET`, `EV_CLEAR`). Requires
        /// [`Capabilities::EDGE`].
        const EDGE = 1 << 3;
        /// Disable the registration after its first event until it is modified again
        /// (`EPOLLONESHOT`, `EV_ONESHOT`/`EV_DISPATCH`). Requires [`Capabilities::ONESHOT`].
        const ONESHOT = 1 << 4;
        /// Wake only one of the waiters blocked on the same file description
        /// (`EPOLLEXCLUSIVE`). Requires [`Capabilities::EXCLUSIVE`].
        const EXCLUSIVE = 1 << 5;
    }
}

impl Interest {
    /// The conditions (readable, writable, priority), without the delivery modes.
    pub const CONDITIONS: Interest =
        Interest::READABLE.union(Interest::WRITABLE).union(Interest::PRIORITY);

    /// The delivery modes (edge, oneshot, exclusive), without the conditions.
    pub const MODES: Interest = Interest::EDGE.union(Interest::ONESHOT).union(Interest::EXCLUSIVE);

    /// Python's default event mask: `POLLIN | POLLPRI | POLLOUT` (or the `EPOLL*` equivalent).
    pub const PYTHON_DEFAULT: Interest = Interest::CONDITIONS;

    /// The capabilities a backend needs to accept this interest.
    #[must_use]
    pub const fn required_capabilities(self) -> Capabilities {
        let mut needed = Capabilities::LEVEL;
        if self.contains(Interest::PRIORITY) {
            needed = needed.union(Capabilities::PRIORITY);
        }
        if self.contains(Interest::EDGE) {
            needed = needed.difference(Capabilities::LEVEL).union(Capabilities::EDGE);
        }
        if self.contains(Interest::ONESHOT) {
            needed = needed.union(Capabilities::ONESHOT);
        }
        if self.contains(Interest::EXCLUSIVE) {
            needed = needed.union(Capabilities::EXCLUSIVE);
        }
        needed
    }
}

bitflags! {
    /// What a wait reports for one descriptor.
    ///
    /// Backends map their native bits onto these: `POLLIN`/`EPOLLIN`/`EVFILT_READ` become
    /// [`READABLE`](Readiness::READABLE), and so on. The backend crates also expose the native
    /// bits unchanged through their own Python-shaped methods.
    ///
    /// Python: the `events` a selector reports, before `selectors` reduces them to
    /// `EVENT_READ | EVENT_WRITE` ([`is_readable`](Readiness::is_readable),
    /// [`is_writable`](Readiness::is_writable)).
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::Readiness;
    ///
    /// let reported = Readiness::READABLE | Readiness::HANGUP; // the peer wrote, then closed
    /// assert!(reported.contains(Readiness::HANGUP));
    /// assert!(reported.is_readable() && reported.is_writable()); // a hang-up counts as both
    /// assert!(!Readiness::READABLE.is_writable());
    /// ```
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Readiness: u8 {
        /// Data can be read, or the end of the stream was reached.
        const READABLE = 1 << 0;
        /// Data can be written.
        const WRITABLE = 1 << 1;
        /// Urgent (out-of-band) data can be read.
        const PRIORITY = 1 << 2;
        /// An error is pending on the descriptor (`POLLERR`, `EPOLLERR`, `EV_ERROR`).
        const ERROR = 1 << 3;
        /// The peer hung up, or both directions are shut down (`POLLHUP`, `EPOLLHUP`,
        /// `EV_EOF`).
        const HANGUP = 1 << 4;
        /// The peer shut down its writing side (`POLLRDHUP`, `EPOLLRDHUP`).
        const READ_HANGUP = 1 << 5;
        /// The registered descriptor is not open (`POLLNVAL`): it was closed while
        /// registered.
        const INVALID = 1 << 6;
    }
}

impl Readiness {
    /// The bits that make a descriptor count as readable: every bit except
    /// [`WRITABLE`](Readiness::WRITABLE).
    pub const READABLE_RULE: Readiness = Readiness::READABLE
        .union(Readiness::PRIORITY)
        .union(Readiness::ERROR)
        .union(Readiness::HANGUP)
        .union(Readiness::READ_HANGUP)
        .union(Readiness::INVALID);

    /// The bits that make a descriptor count as writable: [`WRITABLE`](Readiness::WRITABLE)
    /// and the conditions that make a write return at once (an error, a hang-up, a closed
    /// descriptor).
    pub const WRITABLE_RULE: Readiness = Readiness::WRITABLE
        .union(Readiness::ERROR)
        .union(Readiness::HANGUP)
        .union(Readiness::INVALID);

    /// Whether a read would not block: data, end of file, a hang-up, an error, urgent data or
    /// a closed descriptor ([`READABLE_RULE`](Readiness::READABLE_RULE)).
    ///
    /// This is Python's rule: `selectors.PollSelector` and `EpollSelector` count every bit
    /// but `POLLOUT` as `EVENT_READ` (`if event & ~POLLOUT: events |= EVENT_READ`), so a pipe
    /// whose writer closed (`EPOLLHUP` without `EPOLLIN` on Linux) is readable, and a read
    /// then returns the end of file.
    ///
    /// | bit | readable | writable |
    /// |---|---|---|
    /// | `READABLE` | yes | no |
    /// | `WRITABLE` | no | yes |
    /// | `ERROR`, `HANGUP`, `INVALID` | yes | yes |
    /// | `PRIORITY`, `READ_HANGUP` | yes | no |
    ///
    /// `PRIORITY` and `READ_HANGUP` are never reported to Python's selectors (they register
    /// neither `POLLPRI` nor `EPOLLRDHUP`); both say something about the reading side only, so
    /// they count as readable and not writable.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::Readiness;
    ///
    /// assert!(Readiness::READABLE.is_readable());
    /// assert!(Readiness::READ_HANGUP.is_readable()); // the next read returns end of file
    /// assert!(!Readiness::WRITABLE.is_readable());
    /// ```
    #[must_use]
    pub const fn is_readable(self) -> bool {
        self.intersects(Readiness::READABLE_RULE)
    }

    /// Whether a write would not block: room to write, or an error, a hang-up or a closed
    /// descriptor that makes the write fail at once ([`WRITABLE_RULE`](Readiness::WRITABLE_RULE)).
    ///
    /// Python's rule: `selectors.PollSelector` and `EpollSelector` count every bit but
    /// `POLLIN` as `EVENT_WRITE`, so a socket whose peer closed, or a pipe's write end whose
    /// reader closed, is writable for a key registered for writing. See
    /// [`is_readable`](Readiness::is_readable) for the table.
    ///
    /// # Examples
    ///
    /// ```
    /// use select_core::Readiness;
    ///
    /// assert!(Readiness::WRITABLE.is_writable());
    /// assert!(Readiness::ERROR.is_writable()); // the write fails at once: it does not block
    /// assert!(!Readiness::READABLE.is_writable());
    /// ```
    #[must_use]
    pub const fn is_writable(self) -> bool {
        self.intersects(Readiness::WRITABLE_RULE)
    }
}

bitflags! {
    /// What a backend can do, declared by [`Backend::CAPABILITIES`](crate::Backend::CAPABILITIES).
    ///
    /// Generic code and the conformance suite branch on these, never on the operating system.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct Capabilities: u16 {
        /// Level-triggered registrations (every backend).
        const LEVEL = 1 << 0;
        /// Edge-triggered registrations ([`Interest::EDGE`]).
        const EDGE = 1 << 1;
        /// Oneshot registrations ([`Interest::ONESHOT`]), re-armed by `modify`.
        const ONESHOT = 1 << 2;
        /// Exclusive wake-ups ([`Interest::EXCLUSIVE`]).
        const EXCLUSIVE = 1 << 3;
        /// Priority (out-of-band) readiness ([`Interest::PRIORITY`]).
        const PRIORITY = 1 << 4;
        /// The backend owns a kernel object with a descriptor, which
        /// [`Backend::kernel_fd`](crate::Backend::kernel_fd) returns (Python's `fileno()`); it
        /// is close-on-exec. Without it, `kernel_fd` returns `None`.
        const KERNEL_OBJECT = 1 << 5;
        /// Several threads may wait at once, each with its own event buffer. Without it, a
        /// second concurrent wait fails with [`Error::ConcurrentWait`](crate::Error::ConcurrentWait).
        const CONCURRENT_WAITS = 1 << 6;
        /// A registration whose descriptor is closed is reported by the wait as
        /// [`Readiness::INVALID`] (poll(2)'s `POLLNVAL`). Backends without it forget such a
        /// registration silently (epoll, kqueue), fail the wait with `EBADF` (select), or
        /// report it only when the driver happens to examine it (/dev/poll).
        const REPORTS_INVALID = 1 << 7;
        /// Registering a descriptor that is already registered is an error
        /// ([`Error::Os`](crate::Error::Os) with `EEXIST`, or
        /// [`Error::AlreadyRegistered`](crate::Error::AlreadyRegistered)); without it, a second
        /// `register` replaces the first, as Python's `poll.register` does.
        const REJECTS_DUPLICATES = 1 << 8;
        /// [`Backend::user_event`](crate::Backend::user_event) creates a wake-up event inside
        /// the kernel object (kqueue's `EVFILT_USER`), so waking a wait needs no descriptor of
        /// its own, where the running kernel has it: a "may have", since kqueue decides at run
        /// time (OpenBSD before 7.8 and NetBSD before 10 lack `EVFILT_USER`, and `user_event`
        /// returns `None` there). Without it, `user_event` returns `None` without reaching the
        /// backend.
        const USER_EVENT = 1 << 9;
    }
}
