//! [`select()`](crate::select()): Python's `select.select()`, and [`Select`]: a [`Backend`]
//! over select(2) (Python's `selectors.SelectSelector`).

use std::ops::ControlFlow;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use rustix::io::Errno;
#[cfg(doc)]
use select_core::Backend;
use select_core::timeout::{keep_waiting, wait_with_retry};
use select_core::{
    AsFd, AsRawFd, BackendKind, BorrowedFd, CLOSED_HANDLE, Capabilities, Checked, Error, Event,
    EventList, Interest, Mechanism, NOT_REGISTERED, RawFd, Result,
};

use crate::conv::{self, FdBits, SELECT_RULE};
use crate::table::{Registrations, try_lock};
use crate::{FD_SETSIZE, sys};

/// One list of [`select()`]: its set and one past its largest descriptor.
struct ListSet {
    bits: FdBits,
    nfds: usize,
}

/// Converts one list as CPython does, item by item: each descriptor must be below
/// `FD_SETSIZE` (checked first), and the list may hold at most `FD_SETSIZE` entries,
/// duplicates included.
fn list_set<T: AsFd>(list: &[T]) -> Result<ListSet> {
    let mut set = ListSet { bits: FdBits::new(), nfds: 0 };
    for (position, item) in list.iter().enumerate() {
        let fd = item.as_fd().as_raw_fd();
        let Some(index) = conv::set_index(fd) else {
            return Err(Error::FdOutOfRange { fd, limit: FD_SETSIZE });
        };
        if position >= FD_SETSIZE {
            return Err(Error::TooManyFds { count: list.len(), limit: FD_SETSIZE });
        }
        set.bits.insert(index);
        set.nfds = set.nfds.max(conv::bound(index));
    }
    Ok(set)
}

/// The items of `list` whose descriptor is in `ready`, in input order, duplicates kept.
fn ready_items<'a, T: AsFd>(list: &'a [T], ready: &FdBits) -> Vec<&'a T> {
    list.iter()
        .filter(|item| conv::set_index(item.as_fd().as_raw_fd()).is_some_and(|i| ready.contains(i)))
        .collect()
}

/// Copies `template` into `work` and returns it for the call, or `None` (a NULL set) for an
/// empty list.
fn working<'w>(template: &FdBits, empty: bool, work: &'w mut FdBits) -> Option<&'w mut FdBits> {
    if empty {
        return None;
    }
    work.clone_from(template);
    Some(work)
}

/// `select(nfds, readfds, writefds, exceptfds, timeout)` — waits until an item of `rlist` is
/// readable, of `wlist` writable or of `xlist` in an exceptional condition, or `timeout`
/// elapses, and returns the ready items themselves.
///
/// Each result holds references to the ready items of its list, in input order, one per
/// ready entry, so duplicates are kept (`select(&[], &[w, w, w], &[], ..)` reports `w` three
/// times). A timeout gives three empty vectors.
///
/// - Every descriptor must be below [`FD_SETSIZE`], and each list may hold at most
///   `FD_SETSIZE` entries, duplicates included; the lists are checked in order, item by
///   item, before any system call.
/// - An empty list is passed as a NULL set; three empty lists sleep for the timeout.
/// - `timeout` is rounded up to whole microseconds; `None` waits until an event. A timeout
///   longer than 100,000,000 s (the most macOS accepts) is waited in slices, never shortened.
/// - `EINTR` is retried with the remaining time (PEP 475); once the deadline has passed the
///   result is empty, never the input sets ([bpo-35310](https://bugs.python.org/issue35310)).
///
/// rustix has no `select` on illumos and Solaris; there (and on any Unix rustix leaves out)
/// this calls the C library's `select` with its own `fd_set`, whose `FD_SETSIZE` (65536 on
/// 64-bit illumos) is the limit enforced.
///
/// On Windows this is WinSock's `select`, for sockets only (`impl AsSocket`): any socket
/// number is accepted, and the limit is a count, at most [`FD_SETSIZE`] (512) entries per
/// list. Three empty lists sleep for the timeout there too, a deliberate difference from
/// CPython, which passes WinSock's `WSAEINVAL` through ("known to work on Unix but not on
/// Windows"): a portable program gets the same sleep everywhere. No signal interrupts
/// WinSock, so `on_interrupt` is never called there.
///
/// Python: `select.select(rlist, wlist, xlist, timeout)`.
///
/// # Errors
///
/// [`Error::FdOutOfRange`] naming the first descriptor outside `0..FD_SETSIZE` (Python:
/// "filedescriptor out of range in select()"); [`Error::TooManyFds`] for a list longer than
/// `FD_SETSIZE` (Python: "too many file descriptors in select()"); the errno of select(2),
/// for example `EBADF` for a closed descriptor (never `EINTR`), or on Windows WinSock's code
/// unchanged (`WSAENOTSOCK`, 10038, for a closed socket: [`select_core::CLOSED_HANDLE`]).
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::net::{TcpListener, TcpStream};
/// use std::time::Duration;
/// use select_poll::select;
///
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let client = TcpStream::connect(listener.local_addr()?)?;
/// let (server, _) = listener.accept()?;
/// let (readers, writers, none) = ([&server], [&client, &client], [] as [&TcpStream; 0]);
/// // select.select([server], [], [], 0): nothing to read yet.
/// let (readable, _, _) = select(&readers, &none, &none, Some(Duration::ZERO))?;
/// assert!(readable.is_empty());
/// (&client).write_all(b"x")?;
/// let five = Some(Duration::from_secs(5));
/// let (readable, writable, _) = select(&readers, &writers, &none, five)?;
/// assert_eq!(readable.len(), 1); // the items themselves, in input order
/// assert_eq!(writable.len(), 2); // duplicates are kept, as in Python
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # References
///  - [POSIX]
///  - [Linux]
///  - [Apple]
///  - [FreeBSD]
///  - [NetBSD]
///  - [OpenBSD]
///  - [DragonFly BSD]
///  - [illumos]
///  - [WinSock]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/select.html
/// [Linux]: https://man7.org/linux/man-pages/man2/select.2.html
/// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/select.2.html
/// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=select&sektion=2
/// [NetBSD]: https://man.netbsd.org/select.2
/// [OpenBSD]: https://man.openbsd.org/select.2
/// [DragonFly BSD]: https://man.dragonflybsd.org/?command=select&section=2
/// [illumos]: https://illumos.org/man/3C/select
/// [WinSock]: https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-select
#[allow(clippy::type_complexity, reason = "the three result lists mirror Python's 3-tuple")]
pub fn select<'a, R: AsFd, W: AsFd, X: AsFd>(
    rlist: &'a [R],
    wlist: &'a [W],
    xlist: &'a [X],
    timeout: Option<Duration>,
) -> Result<(Vec<&'a R>, Vec<&'a W>, Vec<&'a X>)> {
    select_interruptible(rlist, wlist, xlist, timeout, &mut keep_waiting)
}

/// [`select()`], calling `on_interrupt` once after each `EINTR` before the wait is retried:
/// [`ControlFlow::Continue`] waits on for the time that remains, [`ControlFlow::Break`] stops
/// the wait with [`Error::Interrupted`].
///
/// Python: `select.select(rlist, wlist, xlist, timeout)` with the interpreter's signal
/// handlers run on `EINTR` (a handler that raises ends the wait).
///
/// # Errors
///
/// [`Error::Interrupted`] when the hook stops the wait, and the errors of [`select()`].
#[allow(clippy::type_complexity, reason = "the three result lists mirror Python's 3-tuple")]
pub fn select_interruptible<'a, R: AsFd, W: AsFd, X: AsFd>(
    rlist: &'a [R],
    wlist: &'a [W],
    xlist: &'a [X],
    timeout: Option<Duration>,
    on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
) -> Result<(Vec<&'a R>, Vec<&'a W>, Vec<&'a X>)> {
    let read = list_set(rlist)?;
    let write = list_set(wlist)?;
    let except = list_set(xlist)?;
    let nfds = read.nfds.max(write.nfds).max(except.nfds);
    let (mut r, mut w, mut x) = (FdBits::new(), FdBits::new(), FdBits::new());
    let ready = wait_with_retry(timeout, SELECT_RULE, on_interrupt, |slice| {
        // select(2) overwrites its sets, so every attempt starts from the inputs.
        sys::select(
            nfds,
            working(&read.bits, rlist.is_empty(), &mut r),
            working(&write.bits, wlist.is_empty(), &mut w),
            working(&except.bits, xlist.is_empty(), &mut x),
            slice,
        )
    })?;
    if ready == 0 {
        // A timeout, or EINTR past the deadline: whatever the sets hold is not a result.
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    }
    Ok((ready_items(rlist, &r), ready_items(wlist, &w), ready_items(xlist, &x)))
}

/// How many times one [`Select`] wait rebuilds its sets after an `EBADF` that a concurrent
/// unregister caused, before it returns that `EBADF`: a wait cannot loop for ever while other
/// threads keep changing registrations.
pub(crate) const MAX_REBUILDS: usize = 16;

/// One [`Select`] wait, through [`wait_with_retry`]: `attempt` makes one select(2) call on
/// `work` for a slice, and when it fails with `EBADF`, `rebuild` brings `work` up to date with
/// the registrations and says whether they had changed (another thread unregistered and
/// closed a descriptor of this wait's sets). Then the wait starts again on the new sets with
/// the time that remains until the original deadline, never a fresh full timeout (where
/// `EBADF` comes after the call slept, reusing the slice would make the wait last up to twice
/// its timeout), and at most [`MAX_REBUILDS`] times; an `EBADF` with unchanged registrations
/// (a registered descriptor was closed) is returned, as Python's `select.select` raises it.
#[inline]
pub(crate) fn wait_rebuilding<S>(
    work: &mut S,
    timeout: Option<Duration>,
    on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    mut attempt: impl FnMut(&mut S, Option<Duration>) -> core::result::Result<usize, Errno>,
    mut rebuild: impl FnMut(&mut S) -> bool,
) -> Result<usize> {
    // A zero timeout reads no clock: every attempt of it is a zero-timeout call.
    let start = timeout.is_some_and(|timeout| !timeout.is_zero()).then(Instant::now);
    // The common case, one wait on unchanged sets, is this call alone.
    match wait_with_retry(timeout, SELECT_RULE, on_interrupt, |slice| attempt(work, slice)) {
        Err(Error::Os(errno)) if errno == CLOSED_HANDLE && rebuild(work) => {}
        result => return result,
    }
    wait_rebuilt(work, start, timeout, on_interrupt, attempt, rebuild)
}

/// [`wait_rebuilding`] after its first call failed with `EBADF` and the sets were rebuilt:
/// waits again for what remains of `timeout` since `start`, rebuilding up to
/// [`MAX_REBUILDS`] times in all.
#[cold]
#[inline(never)]
fn wait_rebuilt<S>(
    work: &mut S,
    start: Option<Instant>,
    timeout: Option<Duration>,
    on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    mut attempt: impl FnMut(&mut S, Option<Duration>) -> core::result::Result<usize, Errno>,
    mut rebuild: impl FnMut(&mut S) -> bool,
) -> Result<usize> {
    let mut rebuilds = 1;
    loop {
        let remaining = match (start, timeout) {
            (Some(start), Some(timeout)) => match timeout.checked_sub(start.elapsed()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Ok(0),
            },
            _ => timeout,
        };
        match wait_with_retry(remaining, SELECT_RULE, on_interrupt, |slice| attempt(work, slice)) {
            Err(Error::Os(errno))
                if errno == CLOSED_HANDLE && rebuilds < MAX_REBUILDS && rebuild(work) => {}
            result => return result,
        }
        rebuilds += 1;
    }
}

/// The sets a [`Select`] wait starts from, rebuilt only when the registrations changed, and
/// what the last wait found ready.
#[derive(Debug)]
struct SelectState {
    /// The registrations the sets were built from, in registration order, each with its key
    /// in the sets.
    entries: Vec<(RawFd, Interest, conv::SetKey)>,
    /// The read, write and exceptional sets in the kernel's layout (where it is a bit array).
    sets: sys::SelectSets,
    /// The read, write and exceptional members the last wait reported.
    ready: [FdBits; 3],
    /// Where the next wait starts reading results: the first ready entry a full buffer left
    /// out last time, so no descriptor is starved. Zero after a rebuild.
    resume: usize,
    /// The registrations' generation the sets were built at.
    generation: u64,
}

impl SelectState {
    fn new() -> SelectState {
        SelectState {
            entries: Vec::new(),
            sets: sys::SelectSets::new(),
            ready: [FdBits::new(), FdBits::new(), FdBits::new()],
            resume: 0,
            generation: 0,
        }
    }

    fn rebuild(&mut self, entries: impl Iterator<Item = (RawFd, Interest)>) {
        self.entries.clear();
        self.resume = 0;
        let mut sets = [FdBits::new(), FdBits::new(), FdBits::new()];
        let mut nfds = 0;
        let except = if conv::WRITERS_IN_EXCEPT_SET {
            Interest::PRIORITY | Interest::WRITABLE
        } else {
            Interest::PRIORITY
        };
        for (fd, interest) in entries {
            // Registration checked the range, so every stored descriptor has an index.
            let Some(index) = conv::set_index(fd) else { continue };
            self.entries.push((fd, interest, index));
            for (wanted, set) in
                [Interest::READABLE, Interest::WRITABLE, except].into_iter().zip(&mut sets)
            {
                if interest.intersects(wanted) {
                    set.insert(index);
                    nfds = nfds.max(conv::bound(index));
                }
            }
        }
        let [read, write, except] = &sets;
        self.sets.rebuild([read, write, except], nfds);
        for ready in &mut self.ready {
            ready.clear();
        }
    }
}

/// A set of descriptors watched with `select(2)` — the [`Backend`] behind Python's
/// `selectors.SelectSelector`.
///
/// Registrations are kept in insertion order and a wait reports in that order. Every
/// descriptor must be below [`FD_SETSIZE`] ([`Backend::FD_LIMIT`]); a larger one is refused
/// at registration with [`Error::FdOutOfRange`]. On Windows any socket number is accepted
/// and at most [`FD_SETSIZE`] (512) sockets can be registered; the next is refused with
/// [`Error::TooManyFds`], and a closed registered socket fails a wait with `WSAENOTSOCK`
/// instead of `EBADF`. A wait with nothing to wait for sleeps for its timeout on every
/// platform. On Windows a registration for writing also watches the exceptional set, as
/// Python's `SelectSelector` does there (`select(r, w, w)`), because WinSock reports a failed
/// non-blocking `connect` only there; it is reported as `WRITABLE | ERROR`. `READABLE` waits in the read set,
/// `WRITABLE` in the write set and `PRIORITY` in the exceptional set. A registered
/// descriptor that is closed makes the next wait fail with `EBADF` (select(2) has no
/// `POLLNVAL`); unregister it with [`unregister_raw`](Select::unregister_raw).
///
/// Threads follow [`Poll`](crate::Poll)'s rule: registrations may change while a wait
/// blocks (the next wait sees them), and a second concurrent wait fails with
/// [`Error::ConcurrentWait`]. The three sets are kept in the layout select(2) takes and
/// rebuilt only after a change; a steady-state wait takes no registration lock, copies them
/// once (select(2) overwrites its arguments), makes one system call and does not allocate.
///
/// Python: `selectors.SelectSelector` (over `select.select`).
///
/// # Examples
///
/// `Select` is used through the [`Backend`] trait (or the facade's `Selector`):
///
/// ```
/// use std::net::{TcpListener, TcpStream};
/// use std::time::Duration;
/// use select_core::{AsFd, Backend, EventBuffer, EventList, Interest};
/// use select_poll::Select;
///
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let client = TcpStream::connect(listener.local_addr()?)?;
/// let select = Select::new();
/// select.register(client.as_fd(), Interest::WRITABLE)?;
/// let mut events = EventList::try_with_capacity(8)?;
/// assert_eq!(select.wait(&mut events, Some(Duration::from_secs(5)))?, 1);
/// assert!(events.iter().all(|event| event.is_writable()));
/// select.unregister(client.as_fd())?;
/// assert!(select.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # References
///  - [POSIX]
///  - [Linux]
///  - [Apple]
///  - [FreeBSD]
///  - [NetBSD]
///  - [OpenBSD]
///  - [DragonFly BSD]
///  - [illumos]
///  - [WinSock]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/select.html
/// [Linux]: https://man7.org/linux/man-pages/man2/select.2.html
/// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/select.2.html
/// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=select&sektion=2
/// [NetBSD]: https://man.netbsd.org/select.2
/// [OpenBSD]: https://man.openbsd.org/select.2
/// [DragonFly BSD]: https://man.dragonflybsd.org/?command=select&section=2
/// [illumos]: https://illumos.org/man/3C/select
/// [WinSock]: https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-select
#[derive(Debug)]
pub struct Select {
    registrations: Registrations<Interest>,
    state: Mutex<SelectState>,
    /// Set by `close`, which takes `&mut self`, so reading it needs no lock.
    closed: bool,
}

impl Default for Select {
    fn default() -> Select {
        Select::new()
    }
}

impl Select {
    /// A select set with nothing registered. No system call is made.
    ///
    /// Python: `selectors.SelectSelector()`.
    #[must_use]
    pub fn new() -> Select {
        Select {
            registrations: Registrations::new(),
            state: Mutex::new(SelectState::new()),
            closed: false,
        }
    }

    /// Stops watching the descriptor number `fd`, which need not be open any more (a closed
    /// descriptor has no [`AsFd`], and while it stays registered every wait fails with
    /// `EBADF`).
    ///
    /// Python: `selectors.SelectSelector.unregister` with an int.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Backend::close), checked first;
    /// [`Error::InvalidArgument`] naming a negative `fd`; [`Error::NotRegistered`] naming
    /// `fd` if it is not registered.
    pub fn unregister_raw(&self, fd: RawFd) -> Result<()> {
        if self.closed {
            return Err(Error::Closed { object: "select" });
        }
        select_core::check_fd(fd)?;
        if self.registrations.change("select", |table| table.remove(fd))? {
            Ok(())
        } else {
            Err(Error::NotRegistered { fd })
        }
    }

    /// How many descriptors are registered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.registrations.lock().len()
    }

    /// The registrations' lock, held by a test to show that a steady-state wait never takes
    /// it (a Unix test: it waits on pipes).
    #[cfg(all(test, repository_tests, unix))]
    pub(crate) fn lock_registrations(
        &self,
    ) -> std::sync::MutexGuard<'_, crate::table::Table<Interest>> {
        self.registrations.lock()
    }

    /// Whether nothing is registered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rebuilds the wait's sets from the registrations if they changed since the last
    /// rebuild (the generation moved), and returns whether they did. Only then is the
    /// table's lock taken, and it is released on return, before any system call, so other
    /// threads may register while a wait blocks.
    #[inline]
    fn refresh(&self, state: &mut SelectState) -> bool {
        if self.registrations.generation() == state.generation {
            return false;
        }
        let ((), generation) = self.registrations.copy(|table| state.rebuild(table.iter()));
        state.generation = generation;
        true
    }
}

impl Mechanism for Select {
    const KIND: BackendKind = BackendKind::Select;
    const CAPABILITIES: Capabilities = Capabilities::LEVEL.union(Capabilities::PRIORITY);
    const FD_LIMIT: Option<usize> = conv::NUMBER_LIMIT;
    type Events = EventList;

    fn new() -> Result<Select> {
        Ok(Select::new())
    }

    /// Starts watching `fd`, or replaces its interest in place if it is registered.
    /// select-core has checked `fd` against [`FD_SETSIZE`] ([`Backend::FD_LIMIT`]).
    ///
    /// At most [`FD_SETSIZE`] descriptors can be registered: a set holds no more. On Unix the
    /// number limit implies it; on Windows, where a set is a list of sockets, it is the limit.
    fn register_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        let fd = fd.as_raw_fd();
        self.registrations.change("select", |table| {
            if table.get(fd).is_none() && table.len() >= FD_SETSIZE {
                return Err(Error::TooManyFds { count: table.len() + 1, limit: FD_SETSIZE });
            }
            table.insert(fd, interest);
            Ok(())
        })?
    }

    fn modify_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        if self.registrations.change("select", |table| table.modify(fd.as_raw_fd(), interest))? {
            Ok(())
        } else {
            Err(Error::Os(NOT_REGISTERED))
        }
    }

    fn unregister_raw_unchecked(&self, fd: RawFd, _: Checked) -> Result<()> {
        Select::unregister_raw(self, fd)
    }

    /// `select(nfds, readfds, writefds, exceptfds, timeout)` over the registrations: fills
    /// `events` with at most its capacity of ready descriptors, in registration order. When
    /// more are ready than the buffer holds, the next wait starts with the first one left out
    /// and wraps around, so none is starved.
    ///
    /// If select(2) fails with `EBADF` after the registrations changed during the call (another
    /// thread unregistered a descriptor in this wait's sets and closed it), select(2) is called
    /// again on the current registrations for the time that remains, up to
    /// 16 times, so that race does not surface; an `EBADF` with unchanged
    /// registrations (a registered descriptor was closed) is returned, as Python's
    /// `select.select` raises it.
    #[inline]
    fn wait_unchecked(
        &self,
        events: &mut EventList,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
        _: Checked,
    ) -> Result<usize> {
        select_core::EventBuffer::clear(events);
        let mut state = try_lock(&self.state, "select")?;
        self.refresh(&mut state);
        let ready = wait_rebuilding(
            &mut *state,
            timeout,
            on_interrupt,
            |state, slice| state.sets.select(slice, &mut state.ready),
            // The table cannot be closed during a wait: `close` takes `&mut self`.
            |state| self.refresh(state),
        )?;
        if ready == 0 {
            return Ok(0);
        }
        let [r, w, x] = &state.ready;
        // Results in registration order, starting where a full buffer left off last time and
        // wrapping around, so that no ready descriptor is starved.
        let len = state.entries.len();
        let start = if state.resume < len { state.resume } else { 0 };
        let (mut stored, mut resume) = (0, 0);
        // select(2) returned how many bits it left set across the three sets: once every one
        // is accounted for, the remaining entries cannot be ready and are not looked at.
        let mut unseen = ready;
        for position in start..start + len {
            let position = if position < len { position } else { position - len };
            let Some(&(fd, interest, index)) = state.entries.get(position) else { break };
            let (read, write, except) = (r.contains(index), w.contains(index), x.contains(index));
            let bits = usize::from(read) + usize::from(write) + usize::from(except);
            if bits == 0 {
                continue;
            }
            let readiness = conv::select_readiness(interest, read, write, except);
            if !readiness.is_empty() && !events.push(Event::new(fd, readiness)) {
                resume = position;
                break;
            }
            stored += usize::from(!readiness.is_empty());
            unseen = unseen.saturating_sub(bits);
            if unseen == 0 {
                break;
            }
        }
        state.resume = resume;
        Ok(stored)
    }

    /// Forgets every registration; later operations fail with [`Error::Closed`]. select(2)
    /// has no kernel object, so this cannot fail.
    fn close(&mut self) -> Result<()> {
        self.registrations.close();
        *self.state.get_mut().unwrap_or_else(PoisonError::into_inner) = SelectState::new();
        self.closed = true;
        Ok(())
    }

    #[inline]
    fn is_closed(&self) -> bool {
        self.closed
    }
}
