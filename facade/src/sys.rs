//! The one place that chooses a backend for this target: the default, the table of available
//! backends, the native re-exports and the [`Waker`](crate::Waker)'s mechanism.
//!
//! # How the default is chosen
//!
//! The first matching arm wins:
//!
//! 1. The test-only override `--cfg select_backend="poll" | "select" | "epoll" | "kqueue" |
//!    "devpoll"` (declared in the workspace's `check-cfg`; not an API: CI uses it to run the
//!    facade's tests on the fallbacks). Forcing a backend the target lacks is a compile error.
//! 2. Linux and Android: `select_epoll::Epoll`.
//! 3. macOS, iOS, tvOS, watchOS, visionOS, FreeBSD, NetBSD, OpenBSD, DragonFly BSD:
//!    `select_kqueue::Kqueue`.
//! 4. illumos and Solaris: `select_devpoll::DevPoll`.
//! 5. Any other Unix: `select_poll::Poll`.
//! 6. Windows: `select_poll::Select` (WinSock `select`), as Python's `DefaultSelector` is
//!    `SelectSelector` there.
//! 7. Anything else: `compile_error!`.
//!
//! The arms are one `cfg_if!` ladder, as in getrandom's `backends.rs`: each condition is
//! written once, the first that holds wins, and the last arm is a `compile_error!`. The
//! operating-system families (`epoll_os`, `kqueue_os`, `devpoll_os`, `apple`) are named once,
//! in `build.rs`, with the same lists as each backend crate's crate-root gate; `cargo xtask ci
//! tidy` fails if any two of those lists differ, in either direction. No other facade file
//! mentions an operating system.

cfg_if::cfg_if! {
    // 1. The test-only override. Each arm names one backend; asking for a backend this
    // target does not have fails here, with a message, instead of with an unresolved import.
    // The override is spelled out rather than aliased in build.rs: rustdoc does not see
    // RUSTFLAGS, and an alias computed by the build script would then disagree with the
    // `select_backend` rustdoc sees.
    if #[cfg(select_backend = "poll")] {
        pub(crate) use select_poll::Poll as Chosen;
    } else if #[cfg(select_backend = "select")] {
        pub(crate) use select_poll::Select as Chosen;
    } else if #[cfg(all(select_backend = "epoll", epoll_os))] {
        pub(crate) use select_epoll::Epoll as Chosen;
    } else if #[cfg(select_backend = "epoll")] {
        compile_error!("select_backend=\"epoll\" was forced, but this target has no epoll(7)");
    } else if #[cfg(all(select_backend = "kqueue", kqueue_os))] {
        pub(crate) use select_kqueue::Kqueue as Chosen;
    } else if #[cfg(select_backend = "kqueue")] {
        compile_error!("select_backend=\"kqueue\" was forced, but this target has no kqueue(2)");
    } else if #[cfg(all(select_backend = "devpoll", devpoll_os))] {
        pub(crate) use select_devpoll::DevPoll as Chosen;
    } else if #[cfg(select_backend = "devpoll")] {
        compile_error!("select_backend=\"devpoll\" was forced, but this target has no /dev/poll");
    // 2.-5. The native mechanism of the operating system, then poll(2) on any other Unix.
    } else if #[cfg(epoll_os)] {
        pub(crate) use select_epoll::Epoll as Chosen;
    } else if #[cfg(kqueue_os)] {
        pub(crate) use select_kqueue::Kqueue as Chosen;
    } else if #[cfg(devpoll_os)] {
        pub(crate) use select_devpoll::DevPoll as Chosen;
    } else if #[cfg(unix)] {
        pub(crate) use select_poll::Poll as Chosen;
    // 6. Windows has WinSock's select and nothing else Python uses.
    } else if #[cfg(windows)] {
        pub(crate) use select_poll::Select as Chosen;
    // 7. Nothing else is supported.
    } else {
        compile_error!(
            "the `select` crate supports Unix and Windows targets only (select(2) and poll(2) \
             are POSIX, WinSock has select); see docs/ARCHITECTURE.md"
        );
    }
}

/// Every backend this target has, as types that implement [`Backend`](crate::Backend).
///
/// `Poll` and `Select` exist on every Unix, `Select` alone on Windows; `Epoll` on Linux and Android; `Kqueue` on macOS,
/// iOS and the BSDs; `DevPoll` on illumos and Solaris. Generic code that should run on each of
/// them uses [`for_each_backend!`](crate::for_each_backend) instead of naming them.
///
/// Python: the objects `select.poll`, `select.epoll`, `select.kqueue` and `select.devpoll`
/// (and `select.select` as a backend), of which `hasattr(select, ...)` tells which exist.
pub mod backends {
    #[cfg(unix)]
    pub use select_poll::Poll;
    pub use select_poll::Select;

    #[cfg(epoll_os)]
    pub use select_epoll::Epoll;

    #[cfg(kqueue_os)]
    pub use select_kqueue::Kqueue;

    #[cfg(devpoll_os)]
    pub use select_devpoll::DevPoll;
}

/// The native, Python-shaped API of each backend this target has, re-exported at the crate
/// root by `lib.rs`: module aliases such as `select::epoll`, and every native name at the root
/// too (`select::POLLIN`, `select::Epoll`, as Python has `select.POLLIN` and `select.epoll`).
///
/// The root's own page lists the portable API, `select()` and the modules: the native names'
/// re-exports at the root are `doc(hidden)` and documented once, under their module
/// (`select::poll::POLLIN`, `select::epoll::EPOLLIN`), so that the dozens of `POLL*`, `EPOLL*`
/// and `KQ_*` constants do not crowd the page a `selectors` user opens.
pub(crate) mod native {
    /// The poll(2) and select(2) backends' own API: every Unix (`select()` alone on Windows).
    ///
    /// Python: `select.poll()` objects, `select.select()` and the `POLL*` constants.
    pub use select_poll as poll;
    #[doc(hidden)]
    pub use select_poll::*;
    /// Python's `select.select()`, the one native name the root's page lists.
    pub use select_poll::{select, select_interruptible};

    /// The epoll(7) backend's own API: Linux and Android.
    ///
    /// Python: `select.epoll` objects and the `EPOLL*` constants.
    #[cfg(epoll_os)]
    pub use select_epoll as epoll;
    #[cfg(epoll_os)]
    #[doc(hidden)]
    pub use select_epoll::*;

    /// The kqueue(2) backend's own API: macOS, iOS and the BSDs.
    ///
    /// Python: `select.kqueue` and `select.kevent` objects and the `KQ_*` constants.
    #[cfg(kqueue_os)]
    pub use select_kqueue as kqueue;
    #[cfg(kqueue_os)]
    #[doc(hidden)]
    pub use select_kqueue::*;

    /// The /dev/poll backend's own API: illumos and Solaris.
    ///
    /// Python: `select.devpoll()` objects.
    #[cfg(devpoll_os)]
    pub use select_devpoll as devpoll;
    #[cfg(devpoll_os)]
    #[doc(hidden)]
    pub use select_devpoll::DevPoll;
}

/// Expands `$m!(Type)` once for every backend this target has (see [`backends`]), so benches
/// and cross-backend tests run on each of them without writing a `cfg`.
///
/// `Type` is a path such as `$crate::backends::Poll`, usable wherever a type is. The order is
/// `Poll` (Unix only), `Select`, then the native backend (`Epoll`, `Kqueue` or `DevPoll`), if
/// the target has one.
///
/// Python: no equivalent; the closest is trying each of `select.poll`, `select.epoll`,
/// `select.kqueue` and `select.devpoll` that `hasattr(select, ...)` reports.
///
/// # Examples
///
/// ```
/// use select::Backend;
///
/// let mut names = Vec::new();
/// macro_rules! record {
///     ($backend:ty) => {
///         names.push(<$backend as Backend>::NAME);
///     };
/// }
/// select::for_each_backend!(record);
/// assert!(names.contains(&"select"));
/// assert!(names.contains(&select::DefaultBackend::NAME));
/// ```
#[macro_export]
macro_rules! for_each_backend {
    ($m:ident) => {
        $crate::__for_the_poll_backend!($m);
        $m!($crate::backends::Select);
        $crate::__for_the_native_backend!($m);
    };
}

// `Poll` of `for_each_backend!`: poll(2) exists on every Unix, and Windows has no `Poll`.
cfg_if::cfg_if! {
    if #[cfg(unix)] {
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __for_the_poll_backend {
            ($m:ident) => { $m!($crate::backends::Poll); };
        }
    } else {
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __for_the_poll_backend {
            ($m:ident) => {};
        }
    }
}

// The native backend of `for_each_backend!`, one arm per family: the same ladder as the
// default's, without the override (which changes the default, not what the target has).
cfg_if::cfg_if! {
    if #[cfg(epoll_os)] {
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __for_the_native_backend {
            ($m:ident) => { $m!($crate::backends::Epoll); };
        }
    } else if #[cfg(kqueue_os)] {
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __for_the_native_backend {
            ($m:ident) => { $m!($crate::backends::Kqueue); };
        }
    } else if #[cfg(devpoll_os)] {
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __for_the_native_backend {
            ($m:ident) => { $m!($crate::backends::DevPoll); };
        }
    } else {
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __for_the_native_backend {
            ($m:ident) => {};
        }
    }
}

/// The Waker's descriptor: an eventfd(2) counter where the kernel has one that every backend
/// can wait on (Linux and Android).
///
/// A `Selector` over a backend with its own user event (kqueue's `EVFILT_USER`, through
/// `Backend::user_event`) needs no descriptor at all; this one serves `Waker::new` and the
/// other backends.
#[cfg(epoll_os)]
pub(crate) mod waker {
    use std::os::fd::OwnedFd;

    use rustix::event::{EventfdFlags, eventfd};

    pub(crate) use super::unix_waker_io::{End, read, write};

    /// The waker's descriptors: one eventfd serves as both ends.
    pub(crate) fn new() -> rustix::io::Result<(OwnedFd, Option<OwnedFd>)> {
        let fd = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        Ok((fd, None))
    }

    /// What one wake writes: eventfd(2) takes an 8-byte counter increment.
    pub(crate) const TOKEN: [u8; 8] = 1u64.to_ne_bytes();
}

/// The Waker's mechanism: a self-pipe (Python's and mio's fallback) on every target without
/// eventfd(2).
#[cfg(all(unix, not(epoll_os)))]
pub(crate) mod waker {
    use std::os::fd::OwnedFd;

    pub(crate) use super::unix_waker_io::{End, read, write};

    /// The waker's descriptors: the read end (waited on) and the write end.
    pub(crate) fn new() -> rustix::io::Result<(OwnedFd, Option<OwnedFd>)> {
        let (read, write) = pipe()?;
        Ok((read, Some(write)))
    }

    /// What one wake writes: one byte.
    pub(crate) const TOKEN: [u8; 1] = [1];

    /// A close-on-exec, non-blocking pipe in one call: pipe2(2).
    #[cfg(not(apple))]
    fn pipe() -> rustix::io::Result<(OwnedFd, OwnedFd)> {
        use rustix::pipe::{PipeFlags, pipe_with};
        pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)
    }

    /// A close-on-exec, non-blocking pipe. Apple's systems have no pipe2(2), so the flags are
    /// set right after pipe(2), as mio does there; a fork in between could leak the two ends to
    /// a child that execs, which only a process-wide lock around fork could prevent.
    #[cfg(apple)]
    fn pipe() -> rustix::io::Result<(OwnedFd, OwnedFd)> {
        use rustix::io::{FdFlags, fcntl_setfd, ioctl_fionbio};
        let (read, write) = rustix::pipe::pipe()?;
        for fd in [&read, &write] {
            fcntl_setfd(fd, FdFlags::CLOEXEC)?;
            ioctl_fionbio(fd, true)?;
        }
        Ok((read, write))
    }
}

/// How the Waker's ends are read and written on Unix: `read(2)` and `write(2)` on an owned
/// descriptor.
#[cfg(unix)]
mod unix_waker_io {
    /// One end of the waker: an eventfd or a pipe end.
    pub(crate) type End = std::os::fd::OwnedFd;

    /// `write(2)` of `bytes` to `end`.
    pub(crate) fn write(end: &End, bytes: &[u8]) -> rustix::io::Result<usize> {
        rustix::io::write(end, bytes)
    }

    /// `read(2)` from `end` into `buf`.
    pub(crate) fn read(end: &End, buf: &mut [u8]) -> rustix::io::Result<usize> {
        rustix::io::read(end, buf)
    }
}

/// The Waker's mechanism on Windows: a connected pair of non-blocking loopback TCP sockets,
/// as asyncio's self-pipe is there (`socket.socketpair()` emulated over 127.0.0.1); WinSock
/// `select` waits on sockets only, so a pipe would not do. std's sockets are created
/// non-inheritable, Windows' close-on-exec.
#[cfg(windows)]
pub(crate) mod waker {
    use std::io::{self, Read, Write};
    use std::net::{Ipv4Addr, TcpListener, TcpStream};

    use rustix::io::Errno;

    /// One end of the waker: a connected TCP socket.
    pub(crate) type End = TcpStream;

    /// What one wake writes: one byte.
    pub(crate) const TOKEN: [u8; 1] = [1];

    /// How many connections `new` accepts before giving up on finding its own: another
    /// process may connect to the listener's port in between, as asyncio's `socketpair`
    /// notes.
    const ATTEMPTS: usize = 8;

    /// The read end (waited on) and the write end: a listener on 127.0.0.1, port 0, accepts
    /// the connection the write end makes to it, and is closed again. A connection from
    /// anyone else (its address is not the write end's) is dropped and the next one taken.
    pub(crate) fn new() -> rustix::io::Result<(End, Option<End>)> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(errno)?;
        let write = TcpStream::connect(listener.local_addr().map_err(errno)?).map_err(errno)?;
        let own = write.local_addr().map_err(errno)?;
        for _ in 0..ATTEMPTS {
            let (read, peer) = listener.accept().map_err(errno)?;
            if peer != own {
                continue;
            }
            // Only the read end is non-blocking, so a drain stops when it is empty. The write
            // end blocks: a non-blocking `send` may fail with `WSAEWOULDBLOCK` while the
            // socket is far from full (Wine does so under load), which, unlike a full pipe,
            // does not mean the reader has a byte, and a wake would be lost. A blocking send
            // of the one byte a wake writes never waits in practice: wakes coalesce, so at
            // most one byte is in flight between two drains.
            read.set_nonblocking(true).map_err(errno)?;
            // One byte per wake: send it at once rather than wait for Nagle's timer.
            write.set_nodelay(true).map_err(errno)?;
            return Ok((read, Some(write)));
        }
        Err(Errno::CONNREFUSED)
    }

    /// `send` of `bytes` on `end` (the blocking write end, so never `WSAEWOULDBLOCK`).
    pub(crate) fn write(mut end: &End, bytes: &[u8]) -> rustix::io::Result<usize> {
        end.write(bytes).map_err(errno)
    }

    /// `recv` from `end` into `buf`; `WSAEWOULDBLOCK` comes back as [`Errno::AGAIN`].
    pub(crate) fn read(mut end: &End, buf: &mut [u8]) -> rustix::io::Result<usize> {
        end.read(buf).map_err(errno)
    }

    /// The WinSock code of a std error, unchanged (`Errno::AGAIN` is `WSAEWOULDBLOCK`).
    fn errno(error: io::Error) -> Errno {
        match error.raw_os_error() {
            Some(code) => Errno::from_raw_os_error(code),
            None if error.kind() == io::ErrorKind::WouldBlock => Errno::AGAIN,
            None => Errno::INVAL,
        }
    }
}
