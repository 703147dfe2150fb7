//! Python's `select` module for Rust: `select(2)`, `poll(2)`, epoll, kqueue and /dev/poll with
//! Python's exact semantics, plus a `selectors`-style [`Selector`] and a [`Waker`].
//!
//! # Quick start
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::net::{TcpListener, TcpStream};
//!
//! use select::{Interest, Ready, Selector};
//!
//! enum Conn {
//!     Listener(TcpListener),
//!     Client(TcpStream),
//! }
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! listener.set_nonblocking(true)?;
//! let mut selector: Selector<_, usize> = Selector::new()?; // epoll on Linux, kqueue on macOS, ...
//! println!("{} backend, listening on {}", selector.backend_name(), listener.local_addr()?);
//! selector.register(&listener, Interest::READABLE, 0)?;
//! let mut conns = vec![Some(Conn::Listener(listener))]; // the key's data indexes this slab
//! let mut ready = Ready::new(); // yours, so the loop may register and unregister
//! loop {
//!     selector.select(&mut ready, None)?;
//!     for event in &ready {
//!         let Some(&index) = selector.key_of(event).map(|key| key.data()) else { continue };
//!         let accepted = match &mut conns[index] {
//!             Some(Conn::Listener(listener)) => Some(listener.accept()?.0),
//!             Some(Conn::Client(stream)) => {
//!                 let mut buf = [0; 4096];
//!                 match stream.read(&mut buf)? {
//!                     0 => {
//!                         selector.unregister(&*stream)?; // end of file (Python's rule)
//!                         conns[index] = None;
//!                     }
//!                     n => stream.write_all(&buf[..n])?,
//!                 }
//!                 None
//!             }
//!             None => None,
//!         };
//!         if let Some(stream) = accepted {
//!             selector.register(&stream, Interest::READABLE, conns.len())?;
//!             conns.push(Some(Conn::Client(stream)));
//!         }
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The `echo_server` example (`cargo run -p select-io --example echo_server`) is a complete
//! server, and `python_tour` runs every snippet of Python's `select` documentation beside its
//! Rust translation.
//!
//! # Design choices
//!
//! - **One crate per kernel mechanism**, all re-exported here: [`Poll`] and [`Select`] on
//!   every Unix (`select-poll`), `Epoll` on Linux and Android
//!   (`select-epoll`), `Kqueue` and `KEvent` on macOS, iOS and the BSDs (`select-kqueue`),
//!   `DevPoll` on illumos and Solaris (`select-devpoll`). A program that depends on one backend
//!   crate alone gets the same types. Each keeps its Python-shaped native API (`Epoll::poll`
//!   with `EPOLL*` flags, `Kqueue::control` with `KEvent`s) beside the portable [`Backend`]
//!   trait. The native names are documented under their modules ([`poll`], `epoll`, `kqueue`,
//!   `devpoll`) and reachable at the root as well (`select::POLLIN`, `select::Epoll`, as
//!   Python has `select.POLLIN`); this page lists the portable API.
//! - **Static dispatch, chosen at compile time.** [`DefaultBackend`] is a type alias; generic
//!   code takes `B: Backend`. Nothing in the wait path is a trait object.
//! - **Python's errors, made precise.** One [`Error`] enum whose variants are Python's
//!   exceptions (`OSError` keeps its errno, `KeyError` is [`Error::NotRegistered`] or
//!   [`Error::AlreadyRegistered`], `ValueError` names the value). `EINTR` never reaches the
//!   caller; timeouts round up, never down.
//! - **No `unsafe` here.** The facade is `#![forbid(unsafe_code)]`; the workspace's unsafe code
//!   (the calls rustix has no safe form of: `kevent`, `select`, the `DP_POLL` ioctl, `close`
//!   with its error, borrowing a stored descriptor number for `poll(2)`) is confined to each
//!   backend crate's `sys.rs`, every block with a `// SAFETY:` argument.
//!
//! # How the default backend is chosen
//!
//! One file, `src/sys.rs`, picks it; the first matching rule wins:
//!
//! | Target | [`DefaultBackend`] | Python's `DefaultSelector` |
//! |---|---|---|
//! | `--cfg select_backend="poll"` (tests only; also `"select"`, `"epoll"`, `"kqueue"`, `"devpoll"`) | the named backend | — |
//! | Linux, Android | `Epoll` | `EpollSelector` |
//! | macOS, iOS, tvOS, watchOS, visionOS, FreeBSD, NetBSD, OpenBSD, DragonFly BSD | `Kqueue` | `KqueueSelector` |
//! | illumos, Solaris | `DevPoll` | `DevpollSelector` |
//! | any other Unix | [`Poll`] | `PollSelector` |
//!
//! [`DefaultBackend::NAME`](Backend::NAME), [`DEFAULT_BACKEND`] and
//! [`Selector::backend_name`] tell at run time which one is in use. [`backends`] lists every
//! backend the target has and [`for_each_backend!`] runs code once for each.
//!
//! # Python to Rust
//!
//! | Python | Rust |
//! |---|---|
//! | `select.select(r, w, x, timeout)` | [`select()`] |
//! | `select.poll()`, `p.register(fd, POLLIN)`, `p.poll(ms)` | [`Poll::new`], `p.register(&fd, POLLIN)`, `p.poll(..)` |
//! | `select.epoll()`, `ep.register(fd, EPOLLIN)`, `ep.poll(timeout, maxevents)` | `Epoll::new`, `ep.register(&fd, EPOLLIN)`, `ep.poll(..)` (Linux, Android) |
//! | `select.kqueue()`, `select.kevent(...)`, `kq.control(changes, n, timeout)` | `Kqueue::new`, `KEvent::new(..)`, `kq.control(..)` (macOS, BSDs) |
//! | `select.devpoll()` | `DevPoll::new` (illumos, Solaris) |
//! | `select.POLLIN`, `select.EPOLLET`, `select.KQ_FILTER_READ` | [`POLLIN`], `EPOLLET`, `KQ_FILTER_READ` |
//! | `select.PIPE_BUF` | [`PIPE_BUF`] |
//! | `select.error` / `OSError`, `KeyError`, `ValueError` | [`Error`] |
//! | `selectors.DefaultSelector()` | [`Selector::new`] |
//! | `sel.register(f, EVENT_READ, data)` | [`Selector::register`]`(&f, Interest::READABLE, data)` |
//! | `sel.modify(f, events, data)`, `sel.unregister(f)` | [`Selector::modify`], [`Selector::unregister`] |
//! | `for key, events in sel.select(timeout):` | `sel.select(&mut ready, timeout)?; for event in &ready { let key = sel.key_of(event); .. }` |
//! | `events & EVENT_READ`, `events & EVENT_WRITE` | [`ReadyEvent::is_readable`], [`ReadyEvent::is_writable`] |
//! | `sel.get_key(f)`, `sel.get_map()[fd]`, `sel.get_map()` | [`Selector::get_key`], [`Selector::get_key_raw`], [`Selector::keys`] |
//! | `sel.fileno()` (epoll, kqueue, devpoll) | [`Selector::fileno`] |
//! | `sel.close()` | [`Selector::close`] |
//! | self-pipe trick (`asyncio`'s `_write_to_self`) | [`Waker`] |
//!
//! Timeouts are [`Duration`](std::time::Duration)s (`None` blocks), where Python takes
//! seconds or milliseconds as numbers; descriptors are anything [`AsFd`],
//! where Python takes an int or an object with `fileno()`.
//!
//! # What was tested where
//!
//! The integration tests (`tests/it`) run on Linux against epoll (the default), and again with
//! the default forced to poll and to select. The kqueue and /dev/poll paths are type-checked
//! and clippy-checked for macOS, the BSDs, illumos and Solaris, but not run here.

#![forbid(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// `Poll`, the `POLL*` constants and `PIPE_BUF` are Unix-only: on Windows the front page's links
// to them have nothing to point to.
#![cfg_attr(windows, allow(rustdoc::broken_intra_doc_links))]

mod selector;
mod sys;
mod waker;

#[cfg(unix)]
pub use select_core::PIPE_BUF;
pub use select_core::{
    AsFd, AsRawFd, Backend, BackendKind, BorrowedFd, CLOSED_HANDLE, Capabilities, Errno, Error,
    Event, EventBuffer, EventIter, EventList, Interest, NOT_REGISTERED, OnInterrupt, RawFd,
    Readiness, Result,
};
pub use selector::{DEFAULT_CAPACITY, Keys, Ready, ReadyEvent, Selector, SelectorKey};
pub use sys::backends;
pub use sys::native::*;
pub use waker::Waker;

/// The backend this target uses unless told otherwise: epoll on Linux and Android, kqueue on
/// macOS, iOS and the BSDs, /dev/poll on illumos and Solaris, poll on any other Unix (see the
/// [crate documentation](crate#how-the-default-backend-is-chosen)).
///
/// Python: the mechanism behind `selectors.DefaultSelector`.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::net::{TcpListener, TcpStream};
/// use std::time::Duration;
/// use select::{AsFd, Backend, EventBuffer, Interest};
///
/// /// Waits up to `timeout` for `fd` to become readable, with any backend.
/// fn wait_readable<B: Backend>(backend: &B, fd: impl AsFd, timeout: Duration) -> select::Result<bool> {
///     backend.register(fd.as_fd(), Interest::READABLE)?;
///     let mut events = B::Events::try_with_capacity(1)?;
///     let count = backend.wait(&mut events, Some(timeout));
///     backend.unregister(fd.as_fd())?;
///     Ok(count? == 1 && events.iter().all(|event| event.is_readable()))
/// }
///
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let client = TcpStream::connect(listener.local_addr()?)?;
/// let (server, _) = listener.accept()?;
/// (&client).write_all(b"x")?;
/// let second = Duration::from_secs(5);
/// assert!(wait_readable(&select::default_backend()?, &server, second)?);
/// // The same generic code with every backend the target has (Poll, Select, Epoll on Linux).
/// macro_rules! check {
///     ($backend:ty) => {
///         let backend = <$backend as Backend>::new()?;
///         assert!(wait_readable(&backend, &server, second)?, "{}", <$backend as Backend>::NAME);
///     };
/// }
/// select::for_each_backend!(check);
/// assert!(!wait_readable(&select::default_backend()?, &client, Duration::ZERO)?); // nothing sent
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type DefaultBackend = sys::Chosen;

/// Which mechanism [`DefaultBackend`] is; `DEFAULT_BACKEND.name()` is `"epoll"`, `"kqueue"`,
/// `"devpoll"` or `"poll"`.
///
/// Python: `selectors.DefaultSelector.__name__` (`'EpollSelector'`, ...).
pub const DEFAULT_BACKEND: BackendKind = <DefaultBackend as Backend>::KIND;

/// Creates the target's [`DefaultBackend`], with its kernel object (close-on-exec) if it has
/// one.
///
/// Python: `select.epoll()`, `select.kqueue()`, `select.devpoll()` or `select.poll()`,
/// whichever `selectors.DefaultSelector` would use.
///
/// # Errors
///
/// The backend's creation error, for example `EMFILE` ([`Error::Os`]).
pub fn default_backend() -> Result<DefaultBackend> {
    <DefaultBackend as Backend>::new()
}
