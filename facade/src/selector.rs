//! [`Selector`]: Python's `selectors` module over any [`Backend`].

use std::fmt;
use std::time::Duration;

use select_core::{AsFd, AsRawFd, NO_MEMORY, RawFd};

use crate::{Backend, DefaultBackend, Error, EventBuffer, Interest, Readiness, Result, Waker};

/// How many events one [`Selector::select`] collects by default, as `select-epoll`'s
/// `DEFAULT_MAXEVENTS` plus one; more ready descriptors are reported by the next call.
///
/// Python: `EpollSelector.select` asks for `max(len(fd_to_key), 1)` events; a fixed buffer
/// keeps `select` free of allocation instead.
pub const DEFAULT_CAPACITY: usize = 1024;

/// One registration of a [`Selector`]: the descriptor, what it waits for and the caller's
/// data.
///
/// Python: `selectors.SelectorKey(fileobj, fd, events, data)`; the Rust key has no
/// `fileobj`, since the caller keeps the object that owns the descriptor.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SelectorKey<T = ()> {
    fd: RawFd,
    interest: Interest,
    data: T,
}

impl<T> SelectorKey<T> {
    /// The registered descriptor number.
    ///
    /// Python: `SelectorKey.fd`.
    #[must_use]
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// What the registration waits for.
    ///
    /// Python: `SelectorKey.events` (`EVENT_READ | EVENT_WRITE`).
    #[must_use]
    pub fn interest(&self) -> Interest {
        self.interest
    }

    /// The data given to [`Selector::register`] or [`Selector::modify`].
    ///
    /// Python: `SelectorKey.data`.
    #[must_use]
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The data, mutably (through [`Selector::get_key_mut`]).
    ///
    /// Python: mutating the object stored in `SelectorKey.data`.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The data, consuming the key (for the key [`Selector::unregister`] returns).
    ///
    /// Python: `selector.unregister(f).data`.
    #[must_use]
    pub fn into_data(self) -> T {
        self.data
    }
}

/// A key in the table, with the bookkeeping [`Selector::select`] uses to merge a descriptor's
/// events into one entry without allocating.
struct Slot<T> {
    key: SelectorKey<T>,
    /// Which registration this is: a number no earlier registration of this selector had, so
    /// a [`ReadyEvent`] can tell its key from a later key of the same descriptor number.
    serial: u64,
    /// The `select` call (by number) that last reported this descriptor.
    round: u64,
    /// Where, in that call's results, the descriptor's merged readiness is.
    index: usize,
}

/// Python's `selectors` module: a table from descriptor to key with your data, over one
/// readiness [`Backend`] (the target's [`DefaultBackend`] unless another is named).
///
/// - [`register`](Selector::register) adds a key and fails with
///   [`Error::AlreadyRegistered`] for a descriptor that has one (Python's `KeyError`), whatever
///   the backend's own rule for duplicates;
/// - [`modify`](Selector::modify) replaces the interest and the data;
/// - [`unregister`](Selector::unregister) returns the key;
/// - [`select`](Selector::select) waits and fills a [`Ready`] list that *you* own with each
///   ready descriptor once ([`ReadyEvent`]), its readiness merged (kqueue reports reading and
///   writing as two events) and interpreted by Python's rule
///   ([`ReadyEvent::is_readable`]);
/// - [`key_of`](Selector::key_of), [`get_key`](Selector::get_key),
///   [`keys`](Selector::keys) and `for key in &selector` look keys up;
///   [`close`](Selector::close) closes the backend and forgets every key.
///
/// Because the results live in your [`Ready`] and not in the selector, the loop Python
/// programs write compiles: register, modify and unregister while handling the results.
///
/// ```
/// # use std::{io::Write, net::{TcpListener, TcpStream}, time::Duration};
/// # use select::{Interest, Ready, Selector};
/// # let listener = TcpListener::bind("127.0.0.1:0")?;
/// # let mut a = TcpStream::connect(listener.local_addr()?)?;
/// # let (b, _) = listener.accept()?;
/// # a.write_all(b"x")?;
/// # let mut selector: Selector<_, &str> = Selector::new()?;
/// # selector.register(&b, Interest::READABLE, "b")?;
/// let mut ready = Ready::new();
/// selector.select(&mut ready, Some(Duration::from_secs(5)))?;
/// for event in &ready {
///     // A key unregistered earlier in this loop is `None`, even if its number was reused.
///     let Some(key) = selector.key_of(event) else { continue };
///     if *key.data() == "b" && event.is_readable() {
///         selector.unregister_raw(event.fd())?;
///     }
/// }
/// # assert!(selector.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Keys live in a table indexed by descriptor number (numbers are small and dense: the kernel
/// hands out the lowest free one), so each kernel event costs one array index and reading a
/// key back costs another; nothing is hashed. The table grows to the highest registered
/// number, about 40 bytes plus `T` per number, when that number is registered. On Windows the
/// number is the socket's handle value, which Windows also keeps small (a multiple of four
/// into the process's handle table), so the table stays small there too.
///
/// One kernel event buffer of fixed capacity is allocated at creation and reused, and a
/// [`Ready`] list is sized by its first `select` that reports something, so `select` makes one system call and
/// allocates nothing in steady state. If more descriptors are ready than the buffer holds, the
/// rest are reported by the following `select`s: every backend rotates through its ready
/// descriptors, so none is starved (the backend contract requires it, and registrations are
/// level-triggered unless they ask for [`Interest::EDGE`]).
///
/// Errors of the backend pass through unchanged: an interest the backend cannot deliver is
/// [`Error::Unsupported`], a descriptor at or above select(2)'s `FD_SETSIZE` with the
/// [`Select`](crate::Select) backend is [`Error::FdOutOfRange`].
///
/// Python: `selectors.DefaultSelector` (and `selectors.SelectSelector`, `PollSelector`,
/// `EpollSelector`, `KqueueSelector`, `DevpollSelector` as `Selector<Select>`, `Selector<Poll>`,
/// ...).
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::net::{TcpListener, TcpStream};
/// use std::time::Duration;
///
/// use select::{Interest, Ready, Selector};
///
/// // A connected pair of sockets (a Unix socketpair would do as well, except on Windows).
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let mut a = TcpStream::connect(listener.local_addr()?)?;
/// let (b, _) = listener.accept()?;
/// let mut selector: Selector<_, &str> = Selector::new()?;
/// selector.register(&b, Interest::READABLE, "peer")?;
/// a.write_all(b"ping")?;
/// let mut ready = Ready::new();
/// assert_eq!(selector.select(&mut ready, Some(Duration::from_secs(5)))?, 1);
/// let event = ready.iter().next().unwrap();
/// assert_eq!(*selector.key_of(event).unwrap().data(), "peer");
/// assert!(event.is_readable() && !event.is_writable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Selector<B: Backend = DefaultBackend, T = ()> {
    backend: B,
    /// The keys, indexed by descriptor number.
    table: Vec<Option<Slot<T>>>,
    /// How many entries of `table` hold a key.
    len: usize,
    events: B::Events,
    /// The number of the current `select` call, for [`Slot::round`].
    round: u64,
    /// The serial the next registration gets ([`Slot::serial`]).
    next_serial: u64,
    waker: Option<Waker>,
}

impl<T> Selector<DefaultBackend, T> {
    /// Creates a selector over the target's [`DefaultBackend`], collecting up to
    /// [`DEFAULT_CAPACITY`] events per [`select`](Selector::select).
    ///
    /// Python: `selectors.DefaultSelector()`.
    ///
    /// # Errors
    ///
    /// The backend's creation error, for example `EMFILE`.
    ///
    /// # Examples
    ///
    /// ```
    /// use select::{DefaultBackend, Selector};
    ///
    /// let selector: Selector<DefaultBackend, String> = Selector::new()?; // keys hold a String
    /// assert_eq!(selector.backend_name(), select::DEFAULT_BACKEND.name()); // "epoll" on Linux
    /// assert!(selector.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new() -> Result<Self> {
        Selector::with_backend(<DefaultBackend as Backend>::new()?)
    }
}

impl<B: Backend, T> Selector<B, T> {
    /// Creates a selector over a new `B`, collecting up to [`DEFAULT_CAPACITY`] events per
    /// [`select`](Selector::select).
    ///
    /// Python: `selectors.PollSelector()`, `selectors.EpollSelector()`, ...
    ///
    /// # Errors
    ///
    /// The backend's creation error, for example `EMFILE`.
    ///
    /// # Examples
    ///
    /// ```
    /// use select::{Selector, backends::Select};
    ///
    /// // selectors.SelectSelector(): select(2) whatever the target's default.
    /// let selector = Selector::<Select>::with_new_backend()?;
    /// assert_eq!(selector.backend_name(), "select");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_new_backend() -> Result<Self> {
        Selector::with_backend(<B as Backend>::new()?)
    }

    /// Creates a selector over `backend`, which must have no registrations (the selector only
    /// reports descriptors it registered itself).
    ///
    /// Python: no equivalent (`selectors` creates its own object).
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for backends that must prepare themselves.
    ///
    /// # Examples
    ///
    /// ```
    /// use select::Selector;
    ///
    /// let selector: Selector<_, u32> = Selector::with_backend(select::default_backend()?)?;
    /// assert!(selector.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_backend(backend: B) -> Result<Self> {
        Selector::with_backend_and_capacity(backend, DEFAULT_CAPACITY)
    }

    /// Creates a selector over `backend` whose [`select`](Selector::select) collects at most
    /// `capacity` kernel events per call.
    ///
    /// Python: `epoll.poll(maxevents=capacity)` inside `EpollSelector.select`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if `capacity` is zero; the errors of
    /// [`EventBuffer::try_with_capacity`]
    /// ([`Error::Overflow`] past what the backend's wait takes, [`Error::OutOfMemory`]),
    /// each naming `capacity`.
    ///
    /// # Examples
    ///
    /// ```
    /// use select::{Error, Selector};
    ///
    /// // At most 16 events per select; more ready descriptors come back in the next one.
    /// let selector: Selector = Selector::with_backend_and_capacity(select::default_backend()?, 16)?;
    /// # drop(selector);
    /// let zero = Selector::<_, ()>::with_backend_and_capacity(select::default_backend()?, 0);
    /// assert!(matches!(zero, Err(Error::InvalidArgument { name: "selector capacity", .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_backend_and_capacity(backend: B, capacity: usize) -> Result<Self> {
        if capacity == 0 {
            return Err(Error::InvalidArgument {
                name: "selector capacity",
                expected: "greater than 0",
                value: 0,
            });
        }
        Ok(Selector {
            backend,
            table: Vec::new(),
            len: 0,
            events: B::Events::try_with_capacity(capacity)?,
            round: 0,
            next_serial: 0,
            waker: None,
        })
    }

    /// The backend, for its native API (flags the portable [`Interest`] lacks).
    ///
    /// Registering through it directly bypasses the selector's keys: such descriptors are not
    /// reported by [`select`](Selector::select).
    ///
    /// Python: `selector._selector` (private in Python).
    #[must_use]
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend's name: `"epoll"`, `"kqueue"`, `"devpoll"`, `"poll"` or `"select"`.
    ///
    /// Python: `type(selector).__name__` (`'EpollSelector'`).
    #[must_use]
    pub fn backend_name(&self) -> &'static str {
        B::NAME
    }

    /// Starts watching `fd` for `interest`, with `data` in its key, and returns the key.
    ///
    /// `interest` must ask for [`READABLE`](Interest::READABLE), [`WRITABLE`](Interest::WRITABLE)
    /// or both (Python's `EVENT_READ | EVENT_WRITE`); [`PRIORITY`](Interest::PRIORITY) and the
    /// delivery modes ([`EDGE`](Interest::EDGE), [`ONESHOT`](Interest::ONESHOT),
    /// [`EXCLUSIVE`](Interest::EXCLUSIVE)) may be added where the backend has them.
    ///
    /// # A stream dropped while registered
    ///
    /// A key belongs to a descriptor *number*. Dropping (closing) a registered stream without
    /// [`unregister`](Selector::unregister)ing it leaves its key behind, and the next object the
    /// kernel gives the same number cannot be registered: `register` fails with
    /// [`Error::AlreadyRegistered`] naming the number, as Python's `selectors` raises
    /// `KeyError`. The selector cannot tell a stale key from a live one (the number is all the
    /// kernel reports), so it never replaces a key silently. To recover, remove the stale key by
    /// number with [`unregister_raw`](Selector::unregister_raw) and register again; to avoid it,
    /// unregister before dropping.
    ///
    /// Python: `selector.register(fileobj, events, data=None)`.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] (`name: "events"`) for an interest with neither
    ///   `READABLE` nor `WRITABLE`, or with bits no flag defines (Python's
    ///   `ValueError: Invalid events: 0`);
    /// - [`Error::AlreadyRegistered`] if `fd` has a key (or is this selector's waker);
    /// - [`Error::FdOutOfRange`] if `fd` is at or above the backend's
    ///   [`FD_LIMIT`](Backend::FD_LIMIT) (select(2)'s `FD_SETSIZE`);
    /// - [`Error::Os`] with `ENOMEM` if the key table cannot grow to `fd`;
    /// - [`Error::Unsupported`] for an interest the backend cannot deliver, and any other
    ///   error of [`Backend::register`] ([`Error::Closed`] after [`close`](Selector::close)).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{AsRawFd, Error, Interest, Selector};
    ///
    /// let mut selector: Selector<_, &str> = Selector::new()?;
    /// let key = selector.register(&a, Interest::READABLE | Interest::WRITABLE, "client")?;
    /// assert_eq!((key.fd(), *key.data()), (a.as_raw_fd(), "client"));
    /// // A second key for one descriptor is Python's KeyError.
    /// let again = selector.register(&a, Interest::READABLE, "again");
    /// assert!(matches!(again, Err(Error::AlreadyRegistered { .. })));
    /// // So is asking for nothing: Python's ValueError("Invalid events: 0").
    /// let nothing = selector.register(&b, Interest::empty(), "b");
    /// assert!(matches!(nothing, Err(Error::InvalidArgument { name: "events", .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register(
        &mut self,
        fd: impl AsFd,
        interest: Interest,
        data: T,
    ) -> Result<&SelectorKey<T>> {
        check_key_interest(interest)?;
        let fd = fd.as_fd();
        let raw = fd.as_raw_fd();
        if self.waker.as_ref().is_some_and(|waker| waker.fileno() == raw) {
            return Err(Error::AlreadyRegistered { fd: raw });
        }
        select_core::check_fd_limit(B::FD_LIMIT, raw)?;
        let index = table_index(raw);
        if self.table.get(index).is_some_and(Option::is_some) {
            return Err(Error::AlreadyRegistered { fd: raw });
        }
        self.grow_table(raw)?;
        self.backend.register(fd, interest)?;
        let serial = self.next_serial;
        self.next_serial += 1;
        self.len += 1;
        let slot = self.table[index].insert(Slot {
            key: SelectorKey { fd: raw, interest, data },
            serial,
            round: 0,
            index: 0,
        });
        Ok(&slot.key)
    }

    /// Makes room in the table for descriptor `fd`, or fails with `ENOMEM` instead of
    /// aborting when the number is too large to index.
    fn grow_table(&mut self, fd: RawFd) -> Result<()> {
        let needed = table_index(fd).saturating_add(1);
        if needed <= self.table.len() {
            return Ok(());
        }
        // Double, so that registering descriptors in increasing order reallocates rarely.
        let wanted = needed.max(self.table.len().saturating_mul(2)).max(64);
        let wanted = if self.table.try_reserve_exact(wanted - self.table.len()).is_ok() {
            wanted
        } else {
            self.table.try_reserve_exact(needed - self.table.len()).map_err(|_| NO_MEMORY)?;
            needed
        };
        self.table.resize_with(wanted, || None);
        Ok(())
    }

    /// Replaces the interest and the data of `fd`'s key, and returns the new key.
    ///
    /// When only the data changes, the backend is not told (no system call), as in Python's
    /// `selectors`; a [`ONESHOT`](Interest::ONESHOT) registration is the exception, which
    /// `modify` re-arms even with the same interest.
    ///
    /// Python: `selector.modify(fileobj, events, data=None)`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an interest [`register`](Selector::register) rejects;
    /// [`Error::NotRegistered`] if `fd` has no key (Python's `KeyError`); the errors of
    /// [`Backend::modify`], in which case the key is unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use std::time::Duration;
    /// use select::{Error, Interest, Ready, Selector};
    ///
    /// let mut selector: Selector<_, u8> = Selector::new()?;
    /// selector.register(&a, Interest::READABLE, 1)?;
    /// let mut ready = Ready::new();
    /// assert_eq!(selector.select(&mut ready, Some(Duration::ZERO))?, 0); // nothing to read
    /// selector.modify(&a, Interest::WRITABLE, 2)?;
    /// assert_eq!(selector.select(&mut ready, Some(Duration::from_secs(5)))?, 1); // room to write
    /// assert_eq!(*selector.get_key(&a).unwrap().data(), 2);
    /// assert!(matches!(selector.modify(&b, Interest::READABLE, 3), Err(Error::NotRegistered { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn modify(
        &mut self,
        fd: impl AsFd,
        interest: Interest,
        data: T,
    ) -> Result<&SelectorKey<T>> {
        check_key_interest(interest)?;
        let fd = fd.as_fd();
        let raw = fd.as_raw_fd();
        let Some(slot) = self.table.get_mut(table_index(raw)).and_then(Option::as_mut) else {
            return Err(Error::NotRegistered { fd: raw });
        };
        if interest != slot.key.interest || interest.contains(Interest::ONESHOT) {
            self.backend.modify(fd, interest)?;
        }
        slot.key.interest = interest;
        slot.key.data = data;
        Ok(&slot.key)
    }

    /// Stops watching `fd` and returns its key.
    ///
    /// As in Python, an OS error from the backend (the descriptor may already be gone from the
    /// kernel's set) does not stop the key from being removed.
    ///
    /// Python: `selector.unregister(fileobj)`.
    ///
    /// # Errors
    ///
    /// [`Error::NotRegistered`] if `fd` has no key (Python's `KeyError`); non-OS errors of
    /// the backend such as [`Error::Closed`] (the key is removed all the same).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{Error, Interest, Selector};
    ///
    /// let mut selector: Selector<_, String> = Selector::new()?;
    /// selector.register(&a, Interest::READABLE, "a".to_owned())?;
    /// let key = selector.unregister(&a)?; // the key comes back, with its data
    /// assert_eq!(key.into_data(), "a");
    /// assert!(matches!(selector.unregister(&a), Err(Error::NotRegistered { .. }))); // KeyError
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unregister(&mut self, fd: impl AsFd) -> Result<SelectorKey<T>> {
        // For an open descriptor, every backend's `unregister` is its `unregister_raw`.
        self.unregister_raw(fd.as_fd().as_raw_fd())
    }

    /// Stops watching the descriptor numbered `fd`, which may already be closed, and returns
    /// its key.
    ///
    /// Closing a descriptor before unregistering it leaves its key behind (see
    /// [`register`](Selector::register)), and its registration in the backends that keep
    /// registrations by number (poll reports it as [`Readiness::INVALID`], select(2) fails
    /// every `select` with `EBADF`); a closed descriptor has no [`AsFd`] to pass to
    /// [`unregister`](Selector::unregister), so this takes the number
    /// ([`Backend::unregister_raw`]). As there, an OS error from the backend does not stop the
    /// key from being removed.
    ///
    /// Python: `selector.unregister(fd)` with an `int`.
    ///
    /// # Errors
    ///
    /// [`Error::NotRegistered`] if `fd` has no key; non-OS errors of
    /// [`Backend::unregister_raw`] such as [`Error::Closed`] (the key is removed all the same).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{AsRawFd, Interest, Selector};
    ///
    /// let mut selector: Selector = Selector::new()?;
    /// selector.register(&b, Interest::READABLE, ())?;
    /// let number = b.as_raw_fd();
    /// drop(b); // closed while registered: there is no `AsFd` left to pass
    /// assert_eq!(selector.unregister_raw(number)?.fd(), number);
    /// assert!(selector.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unregister_raw(&mut self, fd: RawFd) -> Result<SelectorKey<T>> {
        let Some(slot) = self.table.get_mut(table_index(fd)).and_then(Option::take) else {
            return Err(Error::NotRegistered { fd });
        };
        self.len -= 1;
        match self.backend.unregister_raw(fd) {
            Ok(()) | Err(Error::Os(_)) => Ok(slot.key),
            Err(error) => Err(error),
        }
    }

    /// Waits until a registered descriptor is ready, the [`Waker`] is woken, or `timeout`
    /// elapses (`None`: no timeout; zero: do not block), fills `ready` with the ready
    /// descriptors and returns how many there are.
    ///
    /// `ready` is replaced, not appended to. Each ready descriptor appears once, with the
    /// [`Readiness`] of all its kernel events merged ([`ReadyEvent::readiness`], the kernel's
    /// bits unmasked) and Python's interpretation of it masked by the key's interest
    /// ([`ReadyEvent::is_readable`], [`is_writable`](ReadyEvent::is_writable),
    /// [`events`](ReadyEvent::events)). Look the key up with [`key_of`](Selector::key_of). An
    /// empty result means the timeout elapsed or the waker was woken ([`Ready::woken`] tells
    /// which).
    ///
    /// One system call per `select` in steady state and no allocation once `ready` has been
    /// filled once: it keeps its allocation, sized by the selector's capacity. An idle wait
    /// (no descriptor ready) reads nothing back.
    ///
    /// Python: `selector.select(timeout=None)`, which returns `[(key, events), ...]`.
    ///
    /// # Errors
    ///
    /// The errors of [`Backend::wait`] ([`Error::Closed`] after [`close`](Selector::close),
    /// [`Error::ConcurrentWait`] never, since `select` takes `&mut self`), and of
    /// [`Waker::reset`]. `ready` is empty after an error.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use std::io::Write;
    /// use std::time::Duration;
    /// use select::{Interest, Ready, Selector};
    ///
    /// let mut selector: Selector<_, &str> = Selector::new()?;
    /// selector.register(&b, Interest::READABLE, "b")?;
    /// let mut ready = Ready::new(); // reused by every select
    /// assert_eq!(selector.select(&mut ready, Some(Duration::ZERO))?, 0); // nothing yet
    /// (&a).write_all(b"ping")?;
    /// assert_eq!(selector.select(&mut ready, Some(Duration::from_secs(5)))?, 1);
    /// let event = &ready.as_slice()[0];
    /// assert!(event.is_readable() && !event.is_writable()); // masked by the key's interest
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn select(&mut self, ready: &mut Ready, timeout: Option<Duration>) -> Result<usize> {
        ready.events.clear();
        ready.woken = false;
        let count = self.backend.wait(&mut self.events, timeout)?;
        // An idle wait (the commonest in a busy loop that polls with a zero timeout) returns
        // here, inlined into the caller; only a wait that reported something is read back.
        if count == 0 {
            return Ok(0);
        }
        self.collect(ready)
    }

    /// Fills `ready` from the kernel buffer (which holds exactly what the wait reported), one
    /// entry per descriptor with a key, and resets the waker if it was among them.
    ///
    /// Each event costs one table index: a descriptor reported a second time in the same call
    /// (kqueue's read and write filters, or two epoll registrations under one number after a
    /// `dup`) finds its slot stamped with this call's round and merges into the entry the
    /// slot points at.
    fn collect(&mut self, ready: &mut Ready) -> Result<usize> {
        let list = &mut ready.events;
        // Sized once; a no-op afterwards, since the list never holds more than the buffer.
        list.reserve(self.events.capacity());
        let round = self.next_round();
        let waker_fd = self.waker.as_ref().map(Waker::fileno);
        let mut woken = false;
        for event in self.events.iter() {
            let fd = event.fd();
            if Some(fd) == waker_fd {
                woken = true;
                continue;
            }
            // A descriptor with no key was unregistered by this selector after the backend
            // reported it, or registered behind the selector's back: neither is reported.
            let Some(Some(slot)) = self.table.get_mut(table_index(fd)) else { continue };
            if slot.round == round {
                if let Some(entry) = list.get_mut(slot.index) {
                    entry.readiness |= event.readiness();
                }
                continue;
            }
            slot.round = round;
            slot.index = list.len();
            list.push(ReadyEvent {
                fd,
                readiness: event.readiness(),
                interest: slot.key.interest,
                serial: slot.serial,
            });
        }
        if woken {
            self.drain_waker(ready)?;
        }
        Ok(ready.events.len())
    }

    /// The number of this `select` call, for [`Slot::round`]: never 0, which marks slots that
    /// were never reported.
    #[inline]
    fn next_round(&mut self) -> u64 {
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.restart_rounds();
        }
        self.round
    }

    /// The round counter wrapped: every slot is marked unreported and counting restarts at 1.
    #[cold]
    fn restart_rounds(&mut self) {
        for slot in self.table.iter_mut().flatten() {
            slot.round = 0;
        }
        self.round = 1;
    }

    /// The waker was among the events: records it in `ready` and drains it; on an error
    /// `ready` is emptied.
    #[cold]
    fn drain_waker(&self, ready: &mut Ready) -> Result<()> {
        ready.woken = true;
        if let Some(waker) = &self.waker {
            if let Err(error) = waker.reset() {
                ready.events.clear();
                return Err(error);
            }
        }
        Ok(())
    }

    /// The key `event` was reported for, if it is still registered: `None` once that key was
    /// unregistered, even if the descriptor number now has a newer key.
    ///
    /// One array index and a comparison; nothing is hashed.
    ///
    /// Python: the `key` of `for key, events in selector.select()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use std::time::Duration;
    /// use select::{Interest, Ready, Selector};
    ///
    /// let mut selector: Selector<_, &str> = Selector::new()?;
    /// selector.register(&a, Interest::WRITABLE, "a")?;
    /// let mut ready = Ready::new();
    /// selector.select(&mut ready, Some(Duration::from_secs(5)))?;
    /// let event = &ready.as_slice()[0];
    /// assert_eq!(selector.key_of(event).map(|key| *key.data()), Some("a"));
    /// // Unregistered (and even registered again) since the select: not the same key.
    /// selector.unregister(&a)?;
    /// selector.register(&a, Interest::WRITABLE, "new")?;
    /// assert!(selector.key_of(event).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn key_of(&self, event: &ReadyEvent) -> Option<&SelectorKey<T>> {
        self.slot(event.fd).filter(|slot| slot.serial == event.serial).map(|slot| &slot.key)
    }

    /// The key `event` was reported for, mutably, if it is still registered (see
    /// [`key_of`](Selector::key_of)).
    ///
    /// Python: mutating `key.data` inside `for key, events in selector.select()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use std::time::Duration;
    /// use select::{Interest, Ready, Selector};
    ///
    /// // Count the times each key was reported writable.
    /// let mut selector: Selector<_, u32> = Selector::new()?;
    /// selector.register(&a, Interest::WRITABLE, 0)?;
    /// let mut ready = Ready::new();
    /// for _ in 0..3 {
    ///     selector.select(&mut ready, Some(Duration::from_secs(5)))?;
    ///     for event in &ready {
    ///         if let Some(key) = selector.key_of_mut(event) {
    ///             *key.data_mut() += 1;
    ///         }
    ///     }
    /// }
    /// assert_eq!(*selector.get_key(&a).unwrap().data(), 3); // level-triggered: every time
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn key_of_mut(&mut self, event: &ReadyEvent) -> Option<&mut SelectorKey<T>> {
        self.slot_mut(event.fd).filter(|slot| slot.serial == event.serial).map(|slot| &mut slot.key)
    }

    /// The key of `fd`, if it is registered.
    ///
    /// Python: `selector.get_key(fileobj)`, which raises `KeyError` where this returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{Interest, Selector};
    ///
    /// let mut selector: Selector<_, &str> = Selector::new()?;
    /// selector.register(&a, Interest::READABLE, "a")?;
    /// assert_eq!(selector.get_key(&a).map(|key| key.interest()), Some(Interest::READABLE));
    /// assert!(selector.get_key(&b).is_none()); // Python raises KeyError
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn get_key(&self, fd: impl AsFd) -> Option<&SelectorKey<T>> {
        self.get_key_raw(fd.as_fd().as_raw_fd())
    }

    /// The key of `fd`, mutably, to change its [`data`](SelectorKey::data_mut) in place.
    ///
    /// Python: mutating `selector.get_key(fileobj).data` in place.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{Interest, Selector};
    ///
    /// let mut selector: Selector<_, Vec<u8>> = Selector::new()?;
    /// selector.register(&a, Interest::READABLE, Vec::new())?;
    /// selector.get_key_mut(&a).unwrap().data_mut().extend_from_slice(b"pending"); // no system call
    /// assert_eq!(selector.get_key(&a).unwrap().data(), b"pending");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn get_key_mut(&mut self, fd: impl AsFd) -> Option<&mut SelectorKey<T>> {
        self.get_key_raw_mut(fd.as_fd().as_raw_fd())
    }

    /// The key of the descriptor number `fd`, if it is registered (also after the descriptor
    /// was closed).
    ///
    /// Python: `selector.get_map()[fd]`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{AsRawFd, Interest, Selector};
    ///
    /// let mut selector: Selector<_, &str> = Selector::new()?;
    /// selector.register(&b, Interest::READABLE, "b")?;
    /// let number = b.as_raw_fd();
    /// drop(b); // closed without unregistering: the key is still there, by number
    /// assert_eq!(selector.get_key_raw(number).map(|key| *key.data()), Some("b"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn get_key_raw(&self, fd: RawFd) -> Option<&SelectorKey<T>> {
        self.slot(fd).map(|slot| &slot.key)
    }

    /// The key of the descriptor number `fd`, mutably.
    ///
    /// Python: mutating `selector.get_map()[fd].data` in place.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{AsRawFd, Interest, Selector};
    ///
    /// let mut selector: Selector<_, u32> = Selector::new()?;
    /// selector.register(&a, Interest::READABLE, 1)?;
    /// *selector.get_key_raw_mut(a.as_raw_fd()).unwrap().data_mut() = 2;
    /// assert_eq!(*selector.get_key(&a).unwrap().data(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn get_key_raw_mut(&mut self, fd: RawFd) -> Option<&mut SelectorKey<T>> {
        self.slot_mut(fd).map(|slot| &mut slot.key)
    }

    fn slot(&self, fd: RawFd) -> Option<&Slot<T>> {
        self.table.get(table_index(fd)).and_then(Option::as_ref)
    }

    fn slot_mut(&mut self, fd: RawFd) -> Option<&mut Slot<T>> {
        self.table.get_mut(table_index(fd)).and_then(Option::as_mut)
    }

    /// Every registered key, in increasing descriptor order.
    ///
    /// Python: `selector.get_map().values()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{Interest, Selector};
    ///
    /// let mut selector: Selector<_, char> = Selector::new()?;
    /// selector.register(&a, Interest::READABLE, 'a')?;
    /// selector.register(&b, Interest::READABLE, 'b')?;
    /// let mut data: Vec<char> = selector.keys().map(|key| *key.data()).collect();
    /// data.sort();
    /// assert_eq!(data, ['a', 'b']);
    /// assert_eq!((&selector).into_iter().count(), 2); // `for key in &selector` too
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn keys(&self) -> Keys<'_, T> {
        Keys { inner: self.table.iter(), remaining: self.len }
    }

    /// How many descriptors are registered.
    ///
    /// Python: `len(selector.get_map())`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{Interest, Selector};
    ///
    /// let mut selector: Selector = Selector::new()?;
    /// selector.register(&a, Interest::READABLE, ())?;
    /// selector.register(&b, Interest::WRITABLE, ())?;
    /// assert_eq!(selector.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no descriptor is registered.
    ///
    /// Python: `not selector.get_map()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use select::{Interest, Selector};
    ///
    /// let mut selector: Selector = Selector::new()?;
    /// assert!(selector.is_empty());
    /// selector.register(&a, Interest::READABLE, ())?;
    /// assert!(!selector.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// This selector's [`Waker`], created on first use; every call returns a clone of the same
    /// waker.
    ///
    /// Where the backend has its own user event ([`Backend::user_event`]: kqueue's
    /// `EVFILT_USER`), the waker triggers it; otherwise it is an eventfd (Linux, Android) or a
    /// pipe, registered for reading. A woken [`select`](Selector::select) drains the waker and
    /// reports it through [`Ready::woken`], never as a key; wakes before that coalesce into
    /// one. Once the selector is closed or dropped, [`Waker::wake`] fails with
    /// [`Error::Closed`].
    ///
    /// Python: the self-pipe that `asyncio`'s selector event loop registers.
    ///
    /// # Errors
    ///
    /// The errors of [`Backend::user_event`], [`Waker::new`] and [`Backend::register`] (for example
    /// [`Error::FdOutOfRange`] with the `Select` backend if the process already has
    /// `FD_SETSIZE` descriptors open, or [`Error::Closed`] after [`close`](Selector::close)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use select::{Ready, Selector};
    ///
    /// let mut selector: Selector = Selector::new()?;
    /// let waker = selector.waker()?;
    /// assert!(waker.same_as(&selector.waker()?)); // one waker per selector
    /// waker.wake()?;
    /// let mut ready = Ready::new();
    /// assert_eq!(selector.select(&mut ready, Some(Duration::from_secs(5)))?, 0);
    /// assert!(ready.woken());
    /// assert!(selector.is_empty()); // the waker is not a key
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn waker(&mut self) -> Result<Waker> {
        if let Some(waker) = &self.waker {
            return Ok(waker.clone());
        }
        // The backend's own user event where it has one (kqueue's EVFILT_USER): nothing to
        // register and nothing to drain. Otherwise an eventfd or a pipe, watched for reading.
        let waker = match self.backend.user_event()? {
            Some(event) => Waker::from_user_event(event),
            None => {
                let waker = Waker::new()?;
                select_core::check_fd_limit(B::FD_LIMIT, waker.fileno())?;
                self.backend.register(waker.as_fd(), Interest::READABLE)?;
                waker
            }
        };
        self.waker = Some(waker.clone());
        Ok(waker)
    }

    /// Closes the backend and forgets every key and the waker: every clone of the waker then
    /// fails with [`Error::Closed`]. Closing again does nothing.
    ///
    /// Python: `selector.close()`.
    ///
    /// # Errors
    ///
    /// The errno of the backend's `close(2)`; the selector is closed all the same.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::net::{TcpListener, TcpStream};
    /// # let listener = TcpListener::bind("127.0.0.1:0")?;
    /// # let a = TcpStream::connect(listener.local_addr()?)?;
    /// # let (b, _) = listener.accept()?;
    /// use std::time::Duration;
    /// use select::{Error, Interest, Ready, Selector};
    ///
    /// let mut selector: Selector = Selector::new()?;
    /// selector.register(&a, Interest::READABLE, ())?;
    /// selector.close()?;
    /// assert!(selector.is_closed() && selector.is_empty()); // every key forgotten
    /// let mut ready = Ready::new();
    /// let result = selector.select(&mut ready, Some(Duration::ZERO));
    /// assert!(matches!(result, Err(Error::Closed { .. }))); // Python's ValueError
    /// selector.close()?; // closing again does nothing
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&mut self) -> Result<()> {
        self.table = Vec::new();
        self.len = 0;
        if let Some(waker) = self.waker.take() {
            waker.close();
        }
        self.backend.close()
    }

    /// Whether [`close`](Selector::close) was called.
    ///
    /// Python: no public attribute (`selector._selector.closed`).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.backend.is_closed()
    }
}

impl<B: Backend + AsFd, T> Selector<B, T> {
    /// The backend's kernel object (an epoll, kqueue or /dev/poll descriptor), which another
    /// loop can watch for readability; only backends with one have this method (not `Poll`
    /// or `Select`, as Python's `PollSelector` and `SelectSelector` have no `fileno`).
    ///
    /// Python: `EpollSelector.fileno()`, `KqueueSelector.fileno()`,
    /// `DevpollSelector.fileno()`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Selector::close) (Python's `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(epoll_os)] {
    /// use select::{Error, Selector, backends::Epoll};
    ///
    /// let mut selector = Selector::<Epoll>::with_new_backend()?; // Kqueue, DevPoll alike
    /// let number = selector.fileno()?; // for another loop to watch
    /// assert!(number >= 0);
    /// selector.close()?;
    /// assert!(matches!(selector.fileno(), Err(Error::Closed { object: "epoll" })));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fileno(&self) -> Result<RawFd> {
        if self.backend.is_closed() {
            return Err(Error::Closed { object: B::NAME });
        }
        Ok(self.backend.as_fd().as_raw_fd())
    }
}

impl<B: Backend, T> Drop for Selector<B, T> {
    fn drop(&mut self) {
        // A waker that outlives its selector must say so rather than wake nothing silently.
        if let Some(waker) = &self.waker {
            waker.close();
        }
    }
}

/// Rejects what a selector key cannot ask for: no condition to wait for (Python's
/// `ValueError: Invalid events: 0`), or bits no [`Interest`] flag defines.
fn check_key_interest(interest: Interest) -> Result<()> {
    let unknown = interest.bits() & !Interest::all().bits();
    if unknown != 0 || !interest.intersects(Interest::READABLE | Interest::WRITABLE) {
        return Err(Error::InvalidArgument {
            name: "events",
            expected: "READABLE, WRITABLE or both, with known flags only",
            value: interest.bits().into(),
        });
    }
    Ok(())
}

/// Where descriptor `fd` sits in the key table; a negative number maps past any table, so
/// every lookup of it finds nothing.
fn table_index(fd: RawFd) -> usize {
    usize::try_from(fd).unwrap_or(usize::MAX)
}

impl<B: Backend, T: fmt::Debug> fmt::Debug for Selector<B, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selector")
            .field("backend", &self.backend)
            .field("keys", &self.keys().collect::<Vec<_>>())
            .field("capacity", &self.events.capacity())
            .field("waker", &self.waker)
            .finish()
    }
}

impl<'a, B: Backend, T> IntoIterator for &'a Selector<B, T> {
    type Item = &'a SelectorKey<T>;
    type IntoIter = Keys<'a, T>;

    fn into_iter(self) -> Keys<'a, T> {
        self.keys()
    }
}

/// The results of one [`Selector::select`]: each ready descriptor once, as a [`ReadyEvent`].
/// Owned by the caller and reused from one `select` to the next, so handling the results can
/// register, modify and unregister on the selector.
///
/// Python: the list `[(key, events), ...]` that `selector.select()` returns.
///
/// # Examples
///
/// ```
/// # use std::{net::{TcpListener, TcpStream}, time::Duration};
/// # use select::{Interest, Ready, Selector};
/// # let listener = TcpListener::bind("127.0.0.1:0")?;
/// let a = TcpStream::connect(listener.local_addr()?)?;
/// # let _b = listener.accept()?;
/// let mut selector: Selector<_, u32> = Selector::new()?;
/// selector.register(&a, Interest::WRITABLE, 7)?;
/// let mut ready = Ready::new();
/// selector.select(&mut ready, Some(Duration::ZERO))?;
/// assert_eq!(ready.len(), 1);
/// assert!(!ready.woken());
/// for event in &ready {
///     assert!(event.is_writable());
///     selector.modify(&a, Interest::READABLE, 8)?; // the selector is free to change
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Ready {
    events: Vec<ReadyEvent>,
    woken: bool,
}

impl Ready {
    /// An empty list; the first [`select`](Selector::select) that reports something sizes it
    /// to the selector's capacity, once.
    #[must_use]
    pub const fn new() -> Ready {
        Ready { events: Vec::new(), woken: false }
    }

    /// Whether the selector's [`Waker`] was woken (and drained) during the last `select`.
    ///
    /// Python: reading from the self-pipe, as `asyncio`'s `_read_from_self` does.
    #[must_use]
    pub fn woken(&self) -> bool {
        self.woken
    }

    /// How many descriptors the last `select` reported.
    ///
    /// Python: `len(selector.select())`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the last `select` reported no descriptor.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The reported descriptors, in the kernel's order.
    pub fn iter(&self) -> std::slice::Iter<'_, ReadyEvent> {
        self.events.iter()
    }

    /// The reported descriptors as a slice.
    #[must_use]
    pub fn as_slice(&self) -> &[ReadyEvent] {
        &self.events
    }
}

impl<'a> IntoIterator for &'a Ready {
    type Item = &'a ReadyEvent;
    type IntoIter = std::slice::Iter<'a, ReadyEvent>;

    fn into_iter(self) -> Self::IntoIter {
        self.events.iter()
    }
}

/// One ready descriptor of a [`Ready`] list: its number, the kernel's merged readiness, and
/// Python's reading of it for the key's interest.
///
/// Python: one `(key, events)` pair of `selector.select()`; the key is
/// [`Selector::key_of`]`(event)`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReadyEvent {
    fd: RawFd,
    readiness: Readiness,
    interest: Interest,
    serial: u64,
}

impl ReadyEvent {
    /// The descriptor number.
    ///
    /// Python: `key.fd`.
    #[must_use]
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// What the kernel reported, all its events merged and not masked: it may hold
    /// [`Readiness::HANGUP`] or [`Readiness::ERROR`] for a key registered for reading only.
    ///
    /// Python: the raw mask of `epoll.poll()` (`selectors` does not expose it).
    #[must_use]
    pub fn readiness(&self) -> Readiness {
        self.readiness
    }

    /// The key's interest when the event was reported.
    ///
    /// Python: `key.events`.
    #[must_use]
    pub fn interest(&self) -> Interest {
        self.interest
    }

    /// Whether the key is registered for reading and a read would not block: data, end of
    /// file, hang-up, error ([`Readiness::is_readable`], Python's rule).
    ///
    /// Python: `events & selectors.EVENT_READ`.
    #[must_use]
    pub fn is_readable(&self) -> bool {
        self.interest.contains(Interest::READABLE) && self.readiness.is_readable()
    }

    /// Whether the key is registered for writing and a write would not block: room, or an
    /// error or hang-up that fails the write at once ([`Readiness::is_writable`], Python's
    /// rule).
    ///
    /// Python: `events & selectors.EVENT_WRITE`.
    #[must_use]
    pub fn is_writable(&self) -> bool {
        self.interest.contains(Interest::WRITABLE) && self.readiness.is_writable()
    }

    /// Python's `events`: [`Interest::READABLE`] if [`is_readable`](ReadyEvent::is_readable),
    /// [`Interest::WRITABLE`] if [`is_writable`](ReadyEvent::is_writable).
    ///
    /// Python: `events` in `for key, events in selector.select()`.
    #[must_use]
    pub fn events(&self) -> Interest {
        let mut events = Interest::empty();
        if self.is_readable() {
            events |= Interest::READABLE;
        }
        if self.is_writable() {
            events |= Interest::WRITABLE;
        }
        events
    }
}

/// The registered keys of a [`Selector`], from [`Selector::keys`].
///
/// Python: `selector.get_map().values()`.
pub struct Keys<'a, T> {
    inner: std::slice::Iter<'a, Option<Slot<T>>>,
    remaining: usize,
}

impl<'a, T> Iterator for Keys<'a, T> {
    type Item = &'a SelectorKey<T>;

    fn next(&mut self) -> Option<&'a SelectorKey<T>> {
        if self.remaining == 0 {
            return None;
        }
        let slot = self.inner.by_ref().flatten().next()?;
        self.remaining -= 1;
        Some(&slot.key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for Keys<'_, T> {}

impl<T> fmt::Debug for Keys<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys").field("remaining", &self.remaining).finish()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    use super::*;

    /// When the round counter wraps, no key may look as if it had been reported in the new
    /// round already: neither one never reported (round 0) nor one last reported in round 1,
    /// the first round after the wrap.
    #[test]
    fn a_wrapping_round_counter_keeps_every_event() {
        use std::io::Read;

        let (a, a_peer) = UnixStream::pair().unwrap();
        let (b, b_peer) = UnixStream::pair().unwrap();
        let mut selector: Selector<DefaultBackend, char> = Selector::new().unwrap();
        selector.register(&a, Interest::READABLE, 'a').unwrap();
        selector.register(&b, Interest::READABLE, 'b').unwrap();
        let mut ready = Ready::new();
        let timeout = Some(Duration::from_secs(5));
        // Round 1 reports `b` alone; its slot keeps that round.
        (&b_peer).write_all(b"b").unwrap();
        assert_eq!(selector.select(&mut ready, timeout).unwrap(), 1, "round 1");
        (&b).read_exact(&mut [0]).unwrap();
        selector.round = u64::MAX - 1;
        (&a_peer).write_all(b"a").unwrap();
        assert_eq!(selector.select(&mut ready, timeout).unwrap(), 1, "round u64::MAX");
        // The slots are reset only when the counter wraps, not on every call.
        assert_eq!(selector.round, u64::MAX);
        (&b_peer).write_all(b"b").unwrap();
        // The counter wraps here and starts again at 1, `b`'s round of long ago.
        assert_eq!(selector.select(&mut ready, timeout).unwrap(), 2, "{ready:?}");
        let mut fds: Vec<RawFd> = ready.iter().map(ReadyEvent::fd).collect();
        fds.sort_unstable();
        let mut expected = vec![a.as_raw_fd(), b.as_raw_fd()];
        expected.sort_unstable();
        assert_eq!(fds, expected);
        assert_eq!(selector.round, 1);
    }
}
