//! [`Selector`]: Python's `selectors` module over any [`Backend`].

use std::collections::HashMap;
use std::collections::hash_map::{self, Entry};
use std::fmt;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::Duration;

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

/// A key in the map, with the bookkeeping [`Selector::select`] uses to merge a descriptor's
/// events into one entry without allocating.
struct Slot<T> {
    key: SelectorKey<T>,
    /// The `select` call (by number) that last reported this descriptor.
    round: u64,
    /// Where, in that call's results, the descriptor's merged readiness is.
    index: usize,
}

/// Python's `selectors` module: a map from descriptor to key with your data, over one
/// readiness [`Backend`] (the target's [`DefaultBackend`] unless another is named).
///
/// - [`register`](Selector::register) adds a key and fails with
///   [`Error::AlreadyRegistered`] for a descriptor that has one (Python's `KeyError`), whatever
///   the backend's own rule for duplicates;
/// - [`modify`](Selector::modify) replaces the interest and the data;
/// - [`unregister`](Selector::unregister) returns the key;
/// - [`select`](Selector::select) waits and yields each ready key once, with the readiness of
///   all its events merged (kqueue reports reading and writing as two events);
/// - [`get_key`](Selector::get_key), [`keys`](Selector::keys) and `for key in &selector` look
///   keys up; [`close`](Selector::close) closes the backend and forgets every key.
///
/// One event buffer of fixed capacity is allocated at creation and reused, so `select` makes
/// one system call and allocates nothing in steady state. If more descriptors are ready than
/// the buffer holds, the rest are reported by the following `select`s: every backend rotates
/// through its ready descriptors, so none is starved (the backend contract requires it, and
/// registrations are level-triggered unless they ask for [`Interest::EDGE`]).
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
/// use std::os::unix::net::UnixStream;
/// use std::time::Duration;
///
/// use select::{Interest, Selector};
///
/// let (mut a, b) = UnixStream::pair()?;
/// let mut selector: Selector<_, &str> = Selector::new()?;
/// selector.register(&b, Interest::READABLE, "peer")?;
/// a.write_all(b"ping")?;
/// let ready: Vec<_> = selector
///     .select(Some(Duration::from_secs(5)))?
///     .map(|(key, readiness)| (*key.data(), readiness.contains(select::Readiness::READABLE)))
///     .collect();
/// assert_eq!(ready, [("peer", true)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Selector<B: Backend = DefaultBackend, T = ()> {
    backend: B,
    keys: HashMap<RawFd, Slot<T>>,
    events: B::Events,
    /// The merged results of the last `select`, at most one entry per descriptor; its capacity
    /// is the event buffer's, so it never grows.
    ready: Vec<(RawFd, Readiness)>,
    round: u64,
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
    pub fn with_backend(backend: B) -> Result<Self> {
        Selector::with_backend_and_capacity(backend, DEFAULT_CAPACITY)
    }

    /// Creates a selector over `backend` whose [`select`](Selector::select) reports at most
    /// `capacity` events per call.
    ///
    /// Python: `epoll.poll(maxevents=capacity)` inside `EpollSelector.select`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if `capacity` is zero; the errors of
    /// [`EventBuffer::try_with_capacity`]
    /// ([`Error::Overflow`] past what the backend's wait takes, [`Error::OutOfMemory`]),
    /// each naming `capacity`.
    pub fn with_backend_and_capacity(backend: B, capacity: usize) -> Result<Self> {
        if capacity == 0 {
            return Err(Error::InvalidArgument {
                name: "selector capacity",
                expected: "greater than 0",
                value: 0,
            });
        }
        let events = B::Events::try_with_capacity(capacity)?;
        let mut ready = Vec::new();
        ready
            .try_reserve_exact(capacity)
            .map_err(|_| Error::OutOfMemory { name: "selector capacity", value: capacity })?;
        Ok(Selector { backend, keys: HashMap::new(), events, ready, round: 0, waker: None })
    }

    /// The backend, for its native API (`fileno`, flags the portable [`Interest`] lacks).
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
    /// Python: `selector.register(fileobj, events, data=None)`.
    ///
    /// # Errors
    ///
    /// - [`Error::AlreadyRegistered`] if `fd` has a key (or is this selector's waker);
    /// - [`Error::FdOutOfRange`] if `fd` is at or above the backend's
    ///   [`FD_LIMIT`](Backend::FD_LIMIT) (select(2)'s `FD_SETSIZE`);
    /// - [`Error::Unsupported`] for an interest the backend cannot deliver, and any other
    ///   error of [`Backend::register`] ([`Error::Closed`] after [`close`](Selector::close)).
    pub fn register(
        &mut self,
        fd: impl AsFd,
        interest: Interest,
        data: T,
    ) -> Result<&SelectorKey<T>> {
        let fd = fd.as_fd();
        let raw = fd.as_raw_fd();
        if self.waker.as_ref().is_some_and(|waker| waker.fileno() == raw) {
            return Err(Error::AlreadyRegistered { fd: raw });
        }
        let entry = match self.keys.entry(raw) {
            Entry::Occupied(_) => return Err(Error::AlreadyRegistered { fd: raw }),
            Entry::Vacant(entry) => entry,
        };
        check_fd_limit::<B>(raw)?;
        self.backend.register(fd, interest)?;
        let slot =
            entry.insert(Slot { key: SelectorKey { fd: raw, interest, data }, round: 0, index: 0 });
        Ok(&slot.key)
    }

    /// Replaces the interest and the data of `fd`'s key, and returns the new key.
    ///
    /// The backend is always told, even when the interest is unchanged, so a
    /// [`ONESHOT`](Interest::ONESHOT) registration is re-armed (Python's `selectors` skips the
    /// system call in that case).
    ///
    /// Python: `selector.modify(fileobj, events, data=None)`.
    ///
    /// # Errors
    ///
    /// [`Error::NotRegistered`] if `fd` has no key (Python's `KeyError`); the errors of
    /// [`Backend::modify`], in which case the key is unchanged.
    pub fn modify(
        &mut self,
        fd: impl AsFd,
        interest: Interest,
        data: T,
    ) -> Result<&SelectorKey<T>> {
        let fd = fd.as_fd();
        let raw = fd.as_raw_fd();
        let Some(slot) = self.keys.get_mut(&raw) else {
            return Err(Error::NotRegistered { fd: raw });
        };
        self.backend.modify(fd, interest)?;
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
    pub fn unregister(&mut self, fd: impl AsFd) -> Result<SelectorKey<T>> {
        // For an open descriptor, every backend's `unregister` is its `unregister_raw`.
        self.unregister_raw(fd.as_fd().as_raw_fd())
    }

    /// Stops watching the descriptor numbered `fd`, which may already be closed, and returns
    /// its key.
    ///
    /// Closing a descriptor before unregistering it leaves its registration behind in the
    /// backends that keep registrations by number (poll reports it as
    /// [`Readiness::INVALID`], select(2) fails every `select` with `EBADF`); a closed
    /// descriptor has no [`AsFd`] to pass to [`unregister`](Selector::unregister), so this
    /// takes the number ([`Backend::unregister_raw`]). As there, an OS error from the backend
    /// does not stop the key from being removed.
    ///
    /// Python: `selector.unregister(fd)` with an `int`.
    ///
    /// # Errors
    ///
    /// [`Error::NotRegistered`] if `fd` has no key; non-OS errors of
    /// [`Backend::unregister_raw`] such as [`Error::Closed`] (the key is removed all the same).
    pub fn unregister_raw(&mut self, fd: RawFd) -> Result<SelectorKey<T>> {
        let Some(slot) = self.keys.remove(&fd) else {
            return Err(Error::NotRegistered { fd });
        };
        match self.backend.unregister_raw(fd) {
            Ok(()) | Err(Error::Os(_)) => Ok(slot.key),
            Err(error) => Err(error),
        }
    }

    /// Waits until a registered descriptor is ready, the [`Waker`] is woken, or `timeout`
    /// elapses (`None`: no timeout; zero: do not block), and returns the ready keys.
    ///
    /// Each ready key is yielded once, with the [`Readiness`] of all its events merged. The
    /// readiness is the backend's, deliberately not masked by the key's interest: it may hold
    /// [`Readiness::HANGUP`] or [`Readiness::ERROR`] for a key registered for reading only.
    /// Python's selectors turn those into `EVENT_READ | EVENT_WRITE` and then mask with
    /// `key.events`, losing the distinction; here it is kept, and
    /// [`Event::is_readable`](crate::Event::is_readable)-style checks on the readiness give
    /// Python's answer. An empty result means the timeout elapsed or the
    /// waker was woken ([`Ready::woken`] tells which).
    ///
    /// Python: `selector.select(timeout=None)`, which returns `[(key, events), ...]`.
    ///
    /// # Errors
    ///
    /// The errors of [`Backend::wait`] ([`Error::Closed`] after [`close`](Selector::close),
    /// [`Error::ConcurrentWait`] never, since `select` takes `&mut self`), and of
    /// [`Waker::reset`].
    pub fn select(&mut self, timeout: Option<Duration>) -> Result<Ready<'_, T>> {
        self.ready.clear();
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            // Round 0 marks slots that were never reported; skip it when the counter wraps.
            for slot in self.keys.values_mut() {
                slot.round = 0;
            }
            self.round = 1;
        }
        let count = self.backend.wait(&mut self.events, timeout)?;
        let waker_fd = self.waker.as_ref().map(Waker::fileno);
        let mut woken = false;
        for event in self.events.iter().take(count) {
            let fd = event.fd();
            if Some(fd) == waker_fd {
                woken = true;
                continue;
            }
            // A descriptor with no key was unregistered by this selector after the backend
            // reported it, or registered behind the selector's back: neither is reported.
            let Some(slot) = self.keys.get_mut(&fd) else { continue };
            if slot.round == self.round {
                if let Some(entry) = self.ready.get_mut(slot.index) {
                    entry.1 |= event.readiness();
                }
            } else if self.ready.len() < self.ready.capacity() {
                slot.round = self.round;
                slot.index = self.ready.len();
                self.ready.push((fd, event.readiness()));
            }
        }
        if woken {
            if let Some(waker) = &self.waker {
                waker.reset()?;
            }
        }
        Ok(Ready { ready: self.ready.iter(), keys: &self.keys, woken })
    }

    /// The key of `fd`, if it is registered.
    ///
    /// Python: `selector.get_key(fileobj)`, which raises `KeyError` where this returns `None`.
    #[must_use]
    pub fn get_key(&self, fd: impl AsFd) -> Option<&SelectorKey<T>> {
        self.get_key_raw(fd.as_fd().as_raw_fd())
    }

    /// The key of the descriptor number `fd`, if it is registered.
    ///
    /// Python: `selector.get_map()[fd]`.
    #[must_use]
    pub fn get_key_raw(&self, fd: RawFd) -> Option<&SelectorKey<T>> {
        self.keys.get(&fd).map(|slot| &slot.key)
    }

    /// The key of the descriptor number `fd`, mutably, to change its
    /// [`data`](SelectorKey::data_mut).
    ///
    /// Python: mutating `selector.get_key(fileobj).data` in place.
    #[must_use]
    pub fn get_key_mut(&mut self, fd: RawFd) -> Option<&mut SelectorKey<T>> {
        self.keys.get_mut(&fd).map(|slot| &mut slot.key)
    }

    /// Every registered key, in no particular order.
    ///
    /// Python: `selector.get_map().values()`.
    #[must_use]
    pub fn keys(&self) -> Keys<'_, T> {
        Keys { inner: self.keys.values() }
    }

    /// How many descriptors are registered.
    ///
    /// Python: `len(selector.get_map())`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no descriptor is registered.
    ///
    /// Python: `not selector.get_map()`.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// This selector's [`Waker`], created on first use; every call returns a clone of the same
    /// waker.
    ///
    /// Where the backend has its own user event ([`Backend::user_event`]: kqueue's
    /// `EVFILT_USER`), the waker triggers it; otherwise it is an eventfd (Linux, Android) or a
    /// pipe, registered for reading. A woken [`select`](Selector::select) drains the waker and
    /// reports it through [`Ready::woken`], never as a key; wakes before that coalesce into
    /// one.
    ///
    /// Python: the self-pipe that `asyncio`'s selector event loop registers.
    ///
    /// # Errors
    ///
    /// The errors of [`Backend::user_event`], [`Waker::new`] and [`Backend::register`] (for example
    /// [`Error::FdOutOfRange`] with the `Select` backend if the process already has
    /// `FD_SETSIZE` descriptors open).
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
                check_fd_limit::<B>(waker.fileno())?;
                self.backend.register(waker.as_fd(), Interest::READABLE)?;
                waker
            }
        };
        self.waker = Some(waker.clone());
        Ok(waker)
    }

    /// Closes the backend and forgets every key and the waker (other clones of the waker stay
    /// valid but wake nothing). Closing again does nothing.
    ///
    /// Python: `selector.close()`.
    ///
    /// # Errors
    ///
    /// The errno of the backend's `close(2)`; the selector is closed all the same.
    pub fn close(&mut self) -> Result<()> {
        self.keys.clear();
        self.ready.clear();
        self.waker = None;
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

/// Fails with [`Error::FdOutOfRange`] if `fd` is past the backend's descriptor limit, before
/// the backend is asked, so every backend with a limit reports it the same way.
fn check_fd_limit<B: Backend>(fd: RawFd) -> Result<()> {
    match (B::FD_LIMIT, usize::try_from(fd)) {
        (Some(limit), Ok(index)) if index >= limit => Err(Error::FdOutOfRange { fd, limit }),
        _ => Ok(()),
    }
}

impl<B: Backend, T: fmt::Debug> fmt::Debug for Selector<B, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selector")
            .field("backend", &self.backend)
            .field("keys", &self.keys.values().map(|slot| &slot.key).collect::<Vec<_>>())
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

/// The ready keys of one [`Selector::select`], each with its merged [`Readiness`].
///
/// Python: the list `[(key, events), ...]` that `selector.select()` returns.
pub struct Ready<'a, T> {
    ready: std::slice::Iter<'a, (RawFd, Readiness)>,
    keys: &'a HashMap<RawFd, Slot<T>>,
    woken: bool,
}

impl<T> Ready<'_, T> {
    /// Whether the selector's [`Waker`] was woken (and drained) during this `select`.
    ///
    /// Python: reading from the self-pipe, as `asyncio`'s `_read_from_self` does.
    #[must_use]
    pub fn woken(&self) -> bool {
        self.woken
    }
}

impl<'a, T> Iterator for Ready<'a, T> {
    type Item = (&'a SelectorKey<T>, Readiness);

    fn next(&mut self) -> Option<Self::Item> {
        // Every entry of `ready` has a key: both were filled from the map by one `&mut self`
        // call, and the map cannot change while this iterator borrows it.
        self.ready.find_map(|&(fd, readiness)| Some((&self.keys.get(&fd)?.key, readiness)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.ready.len()))
    }
}

impl<T> fmt::Debug for Ready<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("remaining", &self.ready.as_slice())
            .field("woken", &self.woken)
            .finish()
    }
}

/// The registered keys of a [`Selector`], from [`Selector::keys`].
///
/// Python: `selector.get_map().values()`.
pub struct Keys<'a, T> {
    inner: hash_map::Values<'a, RawFd, Slot<T>>,
}

impl<'a, T> Iterator for Keys<'a, T> {
    type Item = &'a SelectorKey<T>;

    fn next(&mut self) -> Option<&'a SelectorKey<T>> {
        self.inner.next().map(|slot| &slot.key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> ExactSizeIterator for Keys<'_, T> {}

impl<T> fmt::Debug for Keys<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys").field("remaining", &self.inner.len()).finish()
    }
}
