//! Benchmark workloads shared by the benches, the strace probe and the structural tests.
//!
//! Every row of every table is a [`Subject`]: a way to register descriptors and wait on them.
//! The rows are:
//!
//! - each backend of ours that the host has, through the public [`Backend`] trait
//!   ([`Ours<B>`]; the list comes from `select::for_each_backend!`, so nothing here names an
//!   operating system for them), and through the `selectors`-style `Selector` over it
//!   ([`OursSelector<B>`]);
//! - the **raw** system call through rustix with a preallocated buffer and no bookkeeping
//!   ([`RawEpoll`], [`RawPoll`], [`RawSelect`]): the physical limit of each mechanism;
//! - [`Mio`] and [`Polling`], the crates users pick today;
//! - [`RawEpollEdge`] and [`OursSelectorEdge`]: the raw epoll call and our Selector with
//!   edge-triggered registrations, as mio makes them, to tell the kernel's part of a gap to mio
//!   from user-space code.
//!
//! The workloads ([`round_trip`], [`idle_wait`], [`churn`], [`Chain::iteration`],
//! [`ManyReady::iteration`]) are written once, generically over [`Row`], and monomorphised per
//! row, so a row's cost is its own API's cost and nothing else. [`visit_all`] is the one list of rows: the benches, the probe and the
//! tests all walk it. [`rounds`] measures the rows of one case in interleaved rounds.

#![deny(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod rounds;
mod sys;

use std::io;
use std::marker::PhantomData;
use std::num::NonZeroUsize;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::net::{AddressFamily, SocketFlags, SocketType};
use select::{Ready, Selector};
use select_core::{Backend, BackendKind, EventBuffer, Interest};

pub use sys::{CountingAllocator, RawSelect};

/// How many events one wait can return, for every row alike.
pub const CAPACITY: usize = 1024;

/// The timeouts the workloads use: a non-blocking scan, a finite wait (W6), or block until an
/// event.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// Return at once (`timeout = 0`).
    Zero,
    /// Wait at most this long.
    After(Duration),
    /// Block until a descriptor is ready.
    Forever,
}

impl Timeout {
    /// The timeout as the `Option<Duration>` that our backends, mio and polling take.
    #[must_use]
    pub const fn duration(self) -> Option<Duration> {
        match self {
            Timeout::Zero => Some(Duration::ZERO),
            Timeout::After(timeout) => Some(timeout),
            Timeout::Forever => None,
        }
    }

    /// The timeout as the `Timespec` that rustix's raw calls take (by reference), `None` to
    /// block. rustix rounds it up to the call's own unit (milliseconds for poll and epoll).
    #[must_use]
    pub fn timespec(self) -> Option<Timespec> {
        let timeout = self.duration()?;
        Some(Timespec {
            tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: timeout.subsec_nanos().into(),
        })
    }
}

/// What kind of row a [`Subject`] is, which decides what its ratios are taken against.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A backend of ours, through the `Backend` trait.
    Ours,
    /// The facade's `Selector` over a backend of ours: its ratio to that backend's row is the
    /// cost of the keys.
    Selector,
    /// The system call itself through rustix: the physical limit.
    Raw,
    /// A crate users pick today (mio, polling).
    Other,
}

/// One row of the tables: a way to register descriptors and wait on them.
pub trait Subject {
    /// The row's name in benchmark ids and tables: `epoll`, `raw-epoll`, `mio`, ...
    const NAME: &'static str;
    /// Which kind of row this is.
    const KIND: Kind;
    /// The kernel mechanism underneath (`select`, `poll`, `epoll`, ...): the raw row of the same
    /// mechanism is this row's baseline. mio and polling use the host's native mechanism,
    /// which is the default backend's.
    const MECHANISM: &'static str;
    /// One more than the highest descriptor number the row can watch, if it is limited.
    const FD_LIMIT: Option<usize>;
    /// Whether the row can only register edge-triggered (mio), so that a descriptor left
    /// ready is reported once: such a row has no W5, which needs level-triggered reports.
    const EDGE_ONLY: bool = false;
    /// The row itself, borrowing the descriptors it watches for `'fd` (and living no longer,
    /// so a measurement closure can own it for as long as the descriptors exist).
    type Row<'fd>: Row<'fd> + 'fd;

    /// Creates an empty row.
    ///
    /// # Errors
    ///
    /// The error of creating the kernel object, if the row has one.
    fn open<'fd>() -> io::Result<Self::Row<'fd>>;
}

/// A row's registration and wait operations, as the workloads use them.
pub trait Row<'fd> {
    /// Starts watching `fd` for reading (level-triggered where the row can choose).
    ///
    /// # Errors
    ///
    /// The row's error, for example `EEXIST` or a descriptor past the row's limit.
    fn add(&mut self, fd: BorrowedFd<'fd>) -> io::Result<()>;

    /// Stops watching `fd`.
    ///
    /// # Errors
    ///
    /// The row's error, for example `ENOENT`.
    fn delete(&mut self, fd: BorrowedFd<'fd>) -> io::Result<()>;

    /// Waits once, calls `on_ready` with each ready descriptor and returns how many there were.
    ///
    /// # Errors
    ///
    /// The row's error.
    fn wait<F: FnMut(RawFd)>(&mut self, timeout: Timeout, on_ready: F) -> io::Result<usize>;
}

/// A backend of ours, `B`, through its public [`Backend`] trait.
#[derive(Debug)]
pub struct Ours<B>(PhantomData<B>);

/// The row of [`Ours<B>`]: the backend and its event buffer.
#[derive(Debug)]
pub struct OursRow<B: Backend> {
    backend: B,
    events: B::Events,
}

impl<B: Backend + 'static> Subject for Ours<B> {
    const NAME: &'static str = B::NAME;
    const KIND: Kind = Kind::Ours;
    const MECHANISM: &'static str = B::NAME;
    const FD_LIMIT: Option<usize> = B::FD_LIMIT;
    type Row<'fd> = OursRow<B>;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        let backend = B::new().map_err(io::Error::other)?;
        Ok(OursRow { backend, events: B::Events::with_capacity(CAPACITY) })
    }
}

impl<B: Backend> Row<'_> for OursRow<B> {
    fn add(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.backend.register(fd, Interest::READABLE).map_err(io::Error::other)
    }

    fn delete(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.backend.unregister(fd).map_err(io::Error::other)
    }

    #[inline]
    fn wait<F: FnMut(RawFd)>(&mut self, timeout: Timeout, mut on_ready: F) -> io::Result<usize> {
        let n =
            self.backend.wait(&mut self.events, timeout.duration()).map_err(io::Error::other)?;
        for event in self.events.iter() {
            on_ready(event.fd());
        }
        Ok(n)
    }
}

/// The facade's `Selector` over a backend of ours, `B`, as a `selectors` user writes it: each
/// key's data is the caller's token (here the descriptor number), read back through
/// `Selector::key_of` for every reported descriptor.
#[derive(Debug)]
pub struct OursSelector<B>(PhantomData<B>);

/// The row of [`OursSelector<B>`]: the selector and the caller's results list.
#[derive(Debug)]
pub struct OursSelectorRow<B: Backend> {
    selector: Selector<B, usize>,
    ready: Ready,
    /// What each descriptor is registered for: `READABLE`, with `EDGE` for
    /// [`OursSelectorEdge`].
    interest: Interest,
}

impl<B: Backend + 'static> Subject for OursSelector<B> {
    const NAME: &'static str = match B::KIND {
        BackendKind::Select => "selector-select",
        BackendKind::Poll => "selector-poll",
        BackendKind::Epoll => "selector-epoll",
        BackendKind::Kqueue => "selector-kqueue",
        BackendKind::DevPoll => "selector-devpoll",
        _ => "selector",
    };
    const KIND: Kind = Kind::Selector;
    const MECHANISM: &'static str = B::NAME;
    const FD_LIMIT: Option<usize> = B::FD_LIMIT;
    type Row<'fd> = OursSelectorRow<B>;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        let selector =
            Selector::with_backend_and_capacity(B::new().map_err(io::Error::other)?, CAPACITY)
                .map_err(io::Error::other)?;
        Ok(OursSelectorRow { selector, ready: Ready::new(), interest: Interest::READABLE })
    }
}

/// Our `Selector` over epoll with every key edge-triggered (`Interest::EDGE`), registered as mio
/// registers everything: the Selector's own cost against mio's with the kernel's work the same
/// (a level-triggered key goes back on epoll's ready list after each report, an edge-triggered
/// one does not).
#[cfg(epoll_os)]
#[derive(Debug)]
pub struct OursSelectorEdge;

#[cfg(epoll_os)]
impl Subject for OursSelectorEdge {
    const NAME: &'static str = "selector-epoll-edge";
    const KIND: Kind = Kind::Selector;
    const MECHANISM: &'static str = "epoll";
    const FD_LIMIT: Option<usize> = None;
    const EDGE_ONLY: bool = true;
    type Row<'fd> = OursSelectorRow<select::Epoll>;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        let mut row = OursSelector::<select::Epoll>::open()?;
        row.interest = Interest::READABLE | Interest::EDGE;
        Ok(row)
    }
}

impl<B: Backend> Row<'_> for OursSelectorRow<B> {
    fn add(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.selector.register(fd, self.interest, fd_index(fd)).map_err(io::Error::other)?;
        Ok(())
    }

    fn delete(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.selector.unregister(fd).map_err(io::Error::other)?;
        Ok(())
    }

    #[inline]
    fn wait<F: FnMut(RawFd)>(&mut self, timeout: Timeout, mut on_ready: F) -> io::Result<usize> {
        let n =
            self.selector.select(&mut self.ready, timeout.duration()).map_err(io::Error::other)?;
        for event in &self.ready {
            if let Some(key) = self.selector.key_of(event) {
                on_ready(RawFd::try_from(*key.data()).unwrap_or(-1));
            }
        }
        Ok(n)
    }
}

/// `epoll_wait` through rustix into a preallocated vector: the limit for epoll.
#[cfg(epoll_os)]
#[derive(Debug)]
pub struct RawEpoll;

/// The row of [`RawEpoll`].
#[cfg(epoll_os)]
pub struct RawEpollRow {
    epoll: OwnedFd,
    events: Vec<rustix::event::epoll::Event>,
    /// `EPOLLIN`, with `EPOLLET` for [`RawEpollEdge`].
    flags: rustix::event::epoll::EventFlags,
}

#[cfg(epoll_os)]
impl std::fmt::Debug for RawEpollRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawEpollRow").field("epoll", &self.epoll).finish_non_exhaustive()
    }
}

#[cfg(epoll_os)]
impl Subject for RawEpoll {
    const NAME: &'static str = "raw-epoll";
    const KIND: Kind = Kind::Raw;
    const MECHANISM: &'static str = "epoll";
    const FD_LIMIT: Option<usize> = None;
    type Row<'fd> = RawEpollRow;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        use rustix::event::epoll;
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        Ok(RawEpollRow {
            epoll,
            events: Vec::with_capacity(CAPACITY),
            flags: epoll::EventFlags::IN,
        })
    }
}

/// [`RawEpoll`] with every registration edge-triggered (`EPOLLIN | EPOLLET`), as mio registers
/// everything: it shows how much of mio's lead over the raw level-triggered call is the kernel's
/// (a level-triggered descriptor goes back on the ready list after each report and is polled
/// again by the next wait) rather than user-space code.
#[cfg(epoll_os)]
#[derive(Debug)]
pub struct RawEpollEdge;

#[cfg(epoll_os)]
impl Subject for RawEpollEdge {
    const NAME: &'static str = "raw-epoll-edge";
    const KIND: Kind = Kind::Other;
    const MECHANISM: &'static str = "epoll";
    const FD_LIMIT: Option<usize> = None;
    const EDGE_ONLY: bool = true;
    type Row<'fd> = RawEpollRow;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        use rustix::event::epoll;
        let mut row = RawEpoll::open()?;
        row.flags = epoll::EventFlags::IN | epoll::EventFlags::ET;
        Ok(row)
    }
}

#[cfg(epoll_os)]
impl Row<'_> for RawEpollRow {
    fn add(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        use rustix::event::epoll;
        let data = epoll::EventData::new_u64(fd.as_raw_fd().unsigned_abs().into());
        Ok(epoll::add(&self.epoll, fd, data, self.flags)?)
    }

    fn delete(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        Ok(rustix::event::epoll::delete(&self.epoll, fd)?)
    }

    #[inline]
    fn wait<F: FnMut(RawFd)>(&mut self, timeout: Timeout, mut on_ready: F) -> io::Result<usize> {
        self.events.clear();
        rustix::event::epoll::wait(
            &self.epoll,
            rustix::buffer::spare_capacity(&mut self.events),
            timeout.timespec().as_ref(),
        )?;
        for event in &self.events {
            on_ready(RawFd::try_from(event.data.u64()).unwrap_or(-1));
        }
        Ok(self.events.len())
    }
}

/// `poll(2)` through rustix over a preallocated `pollfd` array: the limit for poll.
#[derive(Debug)]
pub struct RawPoll;

/// The row of [`RawPoll`]: the `pollfd` array and where each descriptor sits in it.
#[derive(Debug)]
pub struct RawPollRow<'fd> {
    fds: Vec<PollFd<'fd>>,
    slot: Vec<usize>,
}

impl Subject for RawPoll {
    const NAME: &'static str = "raw-poll";
    const KIND: Kind = Kind::Raw;
    const MECHANISM: &'static str = "poll";
    const FD_LIMIT: Option<usize> = None;
    type Row<'fd> = RawPollRow<'fd>;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        Ok(RawPollRow { fds: Vec::new(), slot: Vec::new() })
    }
}

impl<'fd> Row<'fd> for RawPollRow<'fd> {
    fn add(&mut self, fd: BorrowedFd<'fd>) -> io::Result<()> {
        let raw = fd_index(fd);
        if self.slot.len() <= raw {
            self.slot.resize(raw + 1, usize::MAX);
        }
        if self.slot[raw] != usize::MAX {
            return Err(io::Error::from(io::ErrorKind::AlreadyExists));
        }
        self.slot[raw] = self.fds.len();
        self.fds.push(PollFd::from_borrowed_fd(fd, PollFlags::IN));
        Ok(())
    }

    fn delete(&mut self, fd: BorrowedFd<'fd>) -> io::Result<()> {
        let raw = fd_index(fd);
        let index = self.slot.get(raw).copied().unwrap_or(usize::MAX);
        if index == usize::MAX {
            return Err(io::Error::from(io::ErrorKind::NotFound));
        }
        self.slot[raw] = usize::MAX;
        self.fds.swap_remove(index);
        if let Some(moved) = self.fds.get(index) {
            self.slot[fd_index(moved.as_fd())] = index;
        }
        Ok(())
    }

    #[inline]
    fn wait<F: FnMut(RawFd)>(&mut self, timeout: Timeout, mut on_ready: F) -> io::Result<usize> {
        let n = rustix::event::poll(&mut self.fds, timeout.timespec().as_ref())?;
        // Stop scanning once the kernel's count is reached, as any careful caller would.
        let mut left = n;
        for fd in &self.fds {
            if left == 0 {
                break;
            }
            if !fd.revents().is_empty() {
                on_ready(fd.as_fd().as_raw_fd());
                left -= 1;
            }
        }
        Ok(n)
    }
}

/// mio 1, whose `Poll` is edge-triggered epoll on Linux (kqueue on the BSDs), used as mio's
/// users do: each registration's `Token` is its index in the caller's slab (a `Vec`, as the
/// workspace has no `slab` dependency), read back for every event.
#[derive(Debug)]
pub struct Mio;

/// The row of [`Mio`]: the poll, its events, and the caller's slab of registrations.
#[derive(Debug)]
pub struct MioRow {
    poll: mio::Poll,
    events: mio::Events,
    /// The slab: the descriptor registered under each token, or -1 for a free entry.
    slab: Vec<RawFd>,
    /// Free entries of `slab`, reused first.
    free: Vec<usize>,
    /// Each registered descriptor's token, to free its entry on `delete` (a mio user keeps
    /// the token beside the connection instead).
    token_of: Vec<usize>,
}

impl Subject for Mio {
    const NAME: &'static str = "mio";
    const KIND: Kind = Kind::Other;
    const MECHANISM: &'static str = <select::DefaultBackend as Backend>::NAME;
    const FD_LIMIT: Option<usize> = None;
    const EDGE_ONLY: bool = true;
    type Row<'fd> = MioRow;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        Ok(MioRow {
            poll: mio::Poll::new()?,
            events: mio::Events::with_capacity(CAPACITY),
            slab: Vec::new(),
            free: Vec::new(),
            token_of: Vec::new(),
        })
    }
}

impl Row<'_> for MioRow {
    fn add(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        let token = self.free.pop().unwrap_or(self.slab.len());
        self.poll.registry().register(
            &mut mio::unix::SourceFd(&raw),
            mio::Token(token),
            mio::Interest::READABLE,
        )?;
        if token == self.slab.len() {
            self.slab.push(raw);
        } else {
            self.slab[token] = raw;
        }
        let index = fd_index(fd);
        if self.token_of.len() <= index {
            self.token_of.resize(index + 1, usize::MAX);
        }
        self.token_of[index] = token;
        Ok(())
    }

    fn delete(&mut self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        self.poll.registry().deregister(&mut mio::unix::SourceFd(&raw))?;
        if let Some(token) = self.token_of.get_mut(fd_index(fd)) {
            if let Some(entry) = self.slab.get_mut(*token) {
                *entry = -1;
                self.free.push(*token);
            }
            *token = usize::MAX;
        }
        Ok(())
    }

    #[inline]
    fn wait<F: FnMut(RawFd)>(&mut self, timeout: Timeout, mut on_ready: F) -> io::Result<usize> {
        self.poll.poll(&mut self.events, timeout.duration())?;
        let mut n = 0;
        for event in &self.events {
            on_ready(self.slab.get(event.token().0).copied().unwrap_or(-1));
            n += 1;
        }
        Ok(n)
    }
}

/// polling 3, in level-triggered mode (its default, oneshot, would need a re-arm per event).
#[derive(Debug)]
pub struct Polling;

/// The row of [`Polling`].
#[derive(Debug)]
pub struct PollingRow<'fd> {
    poller: polling::Poller,
    events: polling::Events,
    // The descriptors must outlive the poller's registrations of them (polling's safety rule
    // for `add`): borrowing them for `'fd` makes the borrow checker enforce it.
    fds: PhantomData<BorrowedFd<'fd>>,
}

impl Subject for Polling {
    const NAME: &'static str = "polling";
    const KIND: Kind = Kind::Other;
    const MECHANISM: &'static str = <select::DefaultBackend as Backend>::NAME;
    const FD_LIMIT: Option<usize> = None;
    type Row<'fd> = PollingRow<'fd>;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        let capacity = NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN);
        Ok(PollingRow {
            poller: polling::Poller::new()?,
            events: polling::Events::with_capacity(capacity),
            fds: PhantomData,
        })
    }
}

impl<'fd> Row<'fd> for PollingRow<'fd> {
    fn add(&mut self, fd: BorrowedFd<'fd>) -> io::Result<()> {
        sys::polling_add_level(&self.poller, fd, fd_index(fd))
    }

    fn delete(&mut self, fd: BorrowedFd<'fd>) -> io::Result<()> {
        self.poller.delete(fd)
    }

    #[inline]
    fn wait<F: FnMut(RawFd)>(&mut self, timeout: Timeout, mut on_ready: F) -> io::Result<usize> {
        self.events.clear();
        let n = self.poller.wait(&mut self.events, timeout.duration())?;
        for event in self.events.iter() {
            on_ready(RawFd::try_from(event.key).unwrap_or(-1));
        }
        Ok(n)
    }
}

/// A descriptor's number as an index (descriptors are never negative).
fn fd_index(fd: BorrowedFd<'_>) -> usize {
    usize::try_from(fd.as_raw_fd()).unwrap_or(usize::MAX)
}

/// Something done once per row: [`visit_all`] calls [`visit`](Visitor::visit) for each.
pub trait Visitor {
    /// Called once for each row `S`.
    fn visit<S: Subject>(&mut self);
}

/// Calls `visitor` for every row the host has: each backend of ours (from
/// `select::for_each_backend!`), the `Selector` over each, then the raw rows, then mio and
/// polling.
pub fn visit_all<V: Visitor>(visitor: &mut V) {
    macro_rules! ours {
        ($backend:ty) => {
            visitor.visit::<Ours<$backend>>();
        };
    }
    macro_rules! selector {
        ($backend:ty) => {
            visitor.visit::<OursSelector<$backend>>();
        };
    }
    select::for_each_backend!(ours);
    select::for_each_backend!(selector);
    visit_raw(visitor);
    visitor.visit::<Mio>();
    visitor.visit::<Polling>();
    // Last, so that the rows before it keep their numbers in the instruction counts.
    #[cfg(epoll_os)]
    visitor.visit::<RawEpollEdge>();
    #[cfg(epoll_os)]
    visitor.visit::<OursSelectorEdge>();
}

/// A row's identity: what [`Subject`] says about it, without its type.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RowInfo {
    /// [`Subject::NAME`].
    pub name: &'static str,
    /// [`Subject::KIND`].
    pub kind: Kind,
    /// [`Subject::MECHANISM`].
    pub mechanism: &'static str,
    /// [`Subject::FD_LIMIT`].
    pub fd_limit: Option<usize>,
    /// [`Subject::EDGE_ONLY`].
    pub edge_only: bool,
}

/// Every row [`visit_all`] visits, in its order.
#[must_use]
pub fn rows() -> Vec<RowInfo> {
    struct Collect(Vec<RowInfo>);
    impl Visitor for Collect {
        fn visit<S: Subject>(&mut self) {
            self.0.push(RowInfo {
                name: S::NAME,
                kind: S::KIND,
                mechanism: S::MECHANISM,
                fd_limit: S::FD_LIMIT,
                edge_only: S::EDGE_ONLY,
            });
        }
    }
    let mut rows = Collect(Vec::new());
    visit_all(&mut rows);
    rows.0
}

/// The raw rows this host has.
fn visit_raw<V: Visitor>(visitor: &mut V) {
    #[cfg(epoll_os)]
    visitor.visit::<RawEpoll>();
    visitor.visit::<RawPoll>();
    visitor.visit::<RawSelect>();
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the new soft limit.
#[must_use]
pub fn raise_fd_limit() -> u64 {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        // Failing leaves the old limit, which the callers size their workloads by.
        let _ =
            setrlimit(Resource::Nofile, Rlimit { current: limit.maximum, maximum: limit.maximum });
    }
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// Descriptors kept free for the process itself (standard streams, kernel objects, the test
/// harness) when sizing a workload by the descriptor limit.
const SPARE_FDS: u64 = 64;

/// The largest number of socketpairs that fit in the descriptor limit, at most `wanted`.
#[must_use]
pub fn pairs_that_fit(wanted: usize, fd_limit: u64) -> usize {
    let fit = usize::try_from(fd_limit.saturating_sub(SPARE_FDS) / 2).unwrap_or(usize::MAX);
    wanted.min(fit)
}

/// `n` non-blocking, close-on-exec Unix stream socketpairs.
#[derive(Debug)]
pub struct Pairs {
    pairs: Vec<(OwnedFd, OwnedFd)>,
}

impl Pairs {
    /// Creates `n` socketpairs.
    ///
    /// # Errors
    ///
    /// `EMFILE` when the descriptor limit is too low, or another `socketpair(2)` error.
    pub fn new(n: usize) -> io::Result<Pairs> {
        let pairs = (0..n)
            .map(|_| {
                rustix::net::socketpair(
                    AddressFamily::UNIX,
                    SocketType::STREAM,
                    SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
                    None,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Pairs { pairs })
    }

    /// How many pairs there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The first end of pair `i` (the one the chain reads from).
    #[must_use]
    pub fn reader(&self, i: usize) -> BorrowedFd<'_> {
        self.pairs[i].0.as_fd()
    }

    /// The second end of pair `i` (the one the chain writes to).
    #[must_use]
    pub fn writer(&self, i: usize) -> BorrowedFd<'_> {
        self.pairs[i].1.as_fd()
    }

    /// Every descriptor, both ends of every pair.
    pub fn all(&self) -> impl Iterator<Item = BorrowedFd<'_>> {
        self.pairs.iter().flat_map(|(a, b)| [a.as_fd(), b.as_fd()])
    }

    /// The highest descriptor number, or -1 without pairs.
    #[must_use]
    pub fn max_fd(&self) -> RawFd {
        self.all().map(|fd| fd.as_raw_fd()).max().unwrap_or(-1)
    }
}

/// Whether every descriptor of `pairs` is below `S::FD_LIMIT` (select(2) stops at
/// `FD_SETSIZE`).
#[must_use]
pub fn fits<S: Subject>(pairs: &Pairs) -> bool {
    S::FD_LIMIT.is_none_or(|limit| usize::try_from(pairs.max_fd()).is_ok_and(|max| max < limit))
}

/// Writes one byte to `fd`.
fn send_byte(fd: BorrowedFd<'_>) -> io::Result<()> {
    rustix::io::write(fd, &[1])?;
    Ok(())
}

/// Reads what is pending on `fd` (one read, up to 64 bytes) and returns how many bytes came.
/// A read of everything pending keeps edge-triggered rows (mio) from losing a byte.
fn receive(fd: BorrowedFd<'_>) -> io::Result<usize> {
    let mut buf = [0_u8; 64];
    match rustix::io::read(fd, &mut buf) {
        Ok(n) => Ok(n),
        Err(rustix::io::Errno::AGAIN) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Waits (blocking) until `fd` is reported ready.
fn wait_for<'fd, R: Row<'fd>>(row: &mut R, fd: BorrowedFd<'_>) -> io::Result<()> {
    let wanted = fd.as_raw_fd();
    loop {
        let mut seen = false;
        row.wait(Timeout::Forever, |ready| seen |= ready == wanted)?;
        if seen {
            return Ok(());
        }
    }
}

/// Registers both ends of `pair` (pair 0 of `pairs`) for W1.
///
/// # Errors
///
/// The row's registration error.
pub fn ping_pong_setup<'fd, R: Row<'fd>>(row: &mut R, pairs: &'fd Pairs) -> io::Result<()> {
    row.add(pairs.reader(0))?;
    row.add(pairs.writer(0))
}

/// W1, one round trip on pair 0: write a byte on one end, wait until the other is readable,
/// read it, write one back, wait until the first end is readable, read it.
///
/// # Errors
///
/// A read, write or wait error.
#[inline]
pub fn round_trip<'fd, R: Row<'fd>>(row: &mut R, pairs: &Pairs) -> io::Result<()> {
    let (a, b) = (pairs.reader(0), pairs.writer(0));
    send_byte(a)?;
    wait_for(row, b)?;
    receive(b)?;
    send_byte(b)?;
    wait_for(row, a)?;
    receive(a)?;
    Ok(())
}

/// Registers every descriptor of `pairs` (W2, W3 setup).
///
/// # Errors
///
/// The row's registration error.
pub fn add_all<'fd, R: Row<'fd>>(row: &mut R, pairs: &'fd Pairs) -> io::Result<()> {
    pairs.all().try_for_each(|fd| row.add(fd))
}

/// W2, one wait with timeout 0 on a set where nothing is ready; returns the number of events
/// (always 0 when the workload is right).
///
/// # Errors
///
/// The row's wait error.
#[inline]
pub fn idle_wait<'fd, R: Row<'fd>>(row: &mut R) -> io::Result<usize> {
    row.wait(Timeout::Zero, |_| {})
}

/// W3, registers the first `count` descriptors of `fds`, then unregisters them.
///
/// # Errors
///
/// The row's registration error.
#[inline]
pub fn churn<'fd, R: Row<'fd>>(row: &mut R, fds: &[BorrowedFd<'fd>]) -> io::Result<()> {
    for &fd in fds {
        row.add(fd)?;
    }
    for &fd in fds {
        row.delete(fd)?;
    }
    Ok(())
}

/// The W4 chain: the read end of each pair is registered, and a table maps descriptor numbers
/// back to pairs.
#[derive(Debug)]
pub struct Chain<'fd> {
    pairs: &'fd Pairs,
    pair_of: Vec<usize>,
}

impl<'fd> Chain<'fd> {
    /// Registers the read end of every pair with `row`.
    ///
    /// # Errors
    ///
    /// The row's registration error.
    pub fn new<R: Row<'fd>>(row: &mut R, pairs: &'fd Pairs) -> io::Result<Chain<'fd>> {
        let mut pair_of = vec![usize::MAX; usize::try_from(pairs.max_fd() + 1).unwrap_or(0)];
        for i in 0..pairs.len() {
            row.add(pairs.reader(i))?;
            pair_of[fd_index(pairs.reader(i))] = i;
        }
        Ok(Chain { pairs, pair_of })
    }

    /// Unregisters the read end of every pair from `row` again: the inverse of
    /// [`new`](Chain::new), so that rows can take turns on one set of pairs.
    ///
    /// # Errors
    ///
    /// The row's unregistration error.
    pub fn release<R: Row<'fd>>(&self, row: &mut R) -> io::Result<()> {
        (0..self.pairs.len()).try_for_each(|i| row.delete(self.pairs.reader(i)))
    }

    /// W4, one iteration: a byte on `active` evenly spaced pairs, then waits with timeout 0;
    /// each byte read from pair `i` sends one to pair `i + 1` until `writes` extra bytes were
    /// sent; done when `active + writes` bytes were read. Returns the number of waits made.
    ///
    /// # Errors
    ///
    /// A read, write or wait error.
    pub fn iteration<R: Row<'fd>>(
        &self,
        row: &mut R,
        active: usize,
        writes: usize,
    ) -> io::Result<usize> {
        let n = self.pairs.len();
        let step = (n / active.max(1)).max(1);
        for k in 0..active {
            send_byte(self.pairs.writer((k * step) % n))?;
        }
        let (mut read, mut written, mut waits) = (0, 0, 0);
        let mut failure = Ok(());
        while read < active + writes {
            waits += 1;
            row.wait(Timeout::Zero, |fd| {
                let Some(&i) = usize::try_from(fd).ok().and_then(|fd| self.pair_of.get(fd)) else {
                    return;
                };
                match receive(self.pairs.reader(i)) {
                    Ok(got) => {
                        for _ in 0..got {
                            read += 1;
                            if written < writes {
                                written += 1;
                                if let Err(e) = send_byte(self.pairs.writer((i + 1) % n)) {
                                    failure = Err(e);
                                }
                            }
                        }
                    }
                    Err(e) => failure = Err(e),
                }
            })?;
            std::mem::replace(&mut failure, Ok(()))?;
        }
        Ok(waits)
    }
}

/// W5: `pairs.len()` socketpairs whose read ends are registered with one byte pending that is
/// never read, so every level-triggered wait reports all of them; the caller's table maps each
/// reported descriptor back to its pair, as a `selectors` user's key or a mio user's slab
/// would.
#[derive(Debug)]
pub struct ManyReady {
    pair_of: Vec<usize>,
    ready: usize,
}

impl ManyReady {
    /// Writes one byte to every pair and registers every read end with `row`.
    ///
    /// # Errors
    ///
    /// A write or the row's registration error.
    pub fn new<'fd, R: Row<'fd>>(row: &mut R, pairs: &'fd Pairs) -> io::Result<ManyReady> {
        let mut pair_of = vec![usize::MAX; usize::try_from(pairs.max_fd() + 1).unwrap_or(0)];
        for i in 0..pairs.len() {
            send_byte(pairs.writer(i))?;
            row.add(pairs.reader(i))?;
            pair_of[fd_index(pairs.reader(i))] = i;
        }
        Ok(ManyReady { pair_of, ready: pairs.len() })
    }

    /// W5, one iteration: one wait with timeout 0, then each reported descriptor looked up in
    /// the caller's table; returns the sum of the pair indices, so nothing is optimised away.
    ///
    /// For the `Selector` rows the lookup comes on top of the key's own (the key's data is the
    /// descriptor number, looked up again here), so their W5 is, if anything, pessimistic.
    ///
    /// # Errors
    ///
    /// The row's wait error, or a wait that did not report every descriptor.
    #[inline]
    pub fn iteration<'fd, R: Row<'fd>>(&self, row: &mut R) -> io::Result<usize> {
        let mut sum = 0;
        let mut seen = 0;
        row.wait(Timeout::Zero, |fd| {
            seen += 1;
            sum +=
                usize::try_from(fd).ok().and_then(|fd| self.pair_of.get(fd)).copied().unwrap_or(0);
        })?;
        if seen != self.ready {
            return Err(io::Error::other(format!(
                "a wait reported {seen} of {} descriptors",
                self.ready
            )));
        }
        Ok(sum)
    }
}
