//! Test support shared by the suite and by every backend crate's own tests: signals that
//! interrupt waits, descriptor counting, the descriptor limit, and socketpair and pipe
//! constructors.

#[cfg(unix)]
use std::collections::BTreeSet;
#[cfg(unix)]
use std::os::fd::{BorrowedFd, RawFd};
#[cfg(unix)]
use std::thread::JoinHandle;
#[cfg(unix)]
use std::time::Duration;

use rustix::io::Errno;
#[cfg(unix)]
use rustix::io::FdFlags;
#[cfg(unix)]
use rustix::net::{AddressFamily, SocketFlags, SocketType};
#[cfg(unix)]
use rustix::process::{Resource, Rlimit};
use select_core::AsFd;

/// An owned descriptor: std's `OwnedFd` on Unix, an `OwnedSocket` on Windows.
#[cfg(unix)]
pub use std::os::fd::OwnedFd;
/// An owned descriptor: std's `OwnedFd` on Unix, an `OwnedSocket` on Windows.
#[cfg(windows)]
pub use std::os::windows::io::OwnedSocket as OwnedFd;

#[cfg(unix)]
use crate::sys;

/// The signal an [`Interrupter`] sends: `SIGUSR2`.
#[cfg(unix)]
pub const INTERRUPT_SIGNAL: i32 = sys::INTERRUPT_SIGNAL;

/// `sigaction(SIGUSR2, {handler, flags: 0}, NULL)` — installs, once per process, a handler for
/// [`INTERRUPT_SIGNAL`] that does nothing but count, *without* `SA_RESTART`.
///
/// Without `SA_RESTART` a system call blocked in the receiving thread fails with `EINTR`
/// when the handler returns, which is exactly what a backend's wait must hide from its caller
/// (PEP 475). Calling this again does nothing. [`Interrupter`] calls it for you.
///
/// # Panics
///
/// If `sigaction` fails, which it cannot for a valid signal number.
///
/// # References
///  - [POSIX]
///  - [Linux]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/sigaction.html
/// [Linux]: https://man7.org/linux/man-pages/man2/sigaction.2.html
#[cfg(unix)]
pub fn install_interrupt_handler() {
    sys::install_handler();
}

/// How many times the handler of [`install_interrupt_handler`] has run in this process, on any
/// thread. Tests compare it before and after to prove that signals really arrived.
#[must_use]
#[cfg(unix)]
pub fn signals_received() -> usize {
    sys::signals_received()
}

/// A thread that sends [`INTERRUPT_SIGNAL`] to one target thread every `period` until the
/// `Interrupter` is dropped.
///
/// Dropping it stops the sending thread and joins it, so no signal is sent afterwards. The
/// target is kept valid by construction: [`Interrupter::current`] targets the calling thread
/// and is not `Send` (it is dropped on the thread it signals, which is therefore alive);
/// [`Interrupter::thread`] borrows the target's `JoinHandle`, so the target cannot be joined
/// while signals are still being sent to it.
///
/// # References
///  - [POSIX]
///  - [Linux]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/pthread_kill.html
/// [Linux]: https://man7.org/linux/man-pages/man3/pthread_kill.3.html
#[derive(Debug)]
#[cfg(unix)]
pub struct Interrupter<'a>(sys::Signaller<'a>);

#[cfg(unix)]
impl Interrupter<'static> {
    /// `pthread_kill(pthread_self(), SIGUSR2)` every `period` — interrupts the calling thread
    /// until the returned value is dropped.
    #[must_use = "the signals stop when the Interrupter is dropped"]
    pub fn current(period: Duration) -> Interrupter<'static> {
        Interrupter(sys::Signaller::current(period))
    }
}

#[cfg(unix)]
impl<'a> Interrupter<'a> {
    /// `pthread_kill(target, SIGUSR2)` every `period` — interrupts the thread of `target`
    /// until the returned value is dropped.
    #[must_use = "the signals stop when the Interrupter is dropped"]
    pub fn thread<T>(target: &'a JoinHandle<T>, period: Duration) -> Interrupter<'a> {
        Interrupter(sys::Signaller::thread(target, period))
    }

    /// How many signals have been sent so far.
    #[must_use]
    pub fn sent(&self) -> usize {
        self.0.sent()
    }
}

/// `BorrowedFd::borrow_raw(fd)` — a borrowed descriptor for any non-negative number, for
/// handing a closed, never-opened or reused number to the kernel in tests.
///
/// This deliberately breaks I/O safety's promise that the number stays open: use it only to
/// test how a backend or the kernel answers such a number (`EBADF`, `POLLNVAL`, a silent
/// drop), never to read, write or close.
///
/// # Panics
///
/// If `fd` is negative.
#[must_use]
#[cfg(unix)]
pub fn borrow_raw(fd: RawFd) -> BorrowedFd<'static> {
    sys::borrow_raw(fd)
}

/// `fcntl(fd, F_GETFD)` succeeds — whether `fd` is an open descriptor number.
#[must_use]
#[cfg(unix)]
pub fn is_open(fd: RawFd) -> bool {
    !matches!(rustix::io::fcntl_getfd(borrow_raw(fd)), Err(Errno::BADF))
}

/// `fcntl(fd, F_GETFD) & FD_CLOEXEC` — whether `fd` is close-on-exec.
///
/// # Errors
///
/// `EBADF` if `fd` is not open.
///
/// # References
///  - [POSIX]
///  - [Linux]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/fcntl.html
/// [Linux]: https://man7.org/linux/man-pages/man2/fcntl.2.html
#[cfg(unix)]
pub fn is_cloexec(fd: impl AsFd) -> rustix::io::Result<bool> {
    Ok(rustix::io::fcntl_getfd(fd)?.contains(FdFlags::CLOEXEC))
}

/// The descriptor numbers open in this process, in ascending order.
///
/// Reads `/proc/self/fd` (Linux, Android, illumos) or `/dev/fd` where the directory lists
/// every descriptor, and otherwise asks `fcntl(F_GETFD)` about every number below the soft
/// `RLIMIT_NOFILE`. The descriptor used to read the directory is excluded, because every
/// listed number is checked again once the directory is closed. Other threads opening and
/// closing descriptors at the same time make the answer approximate; the suite runs its
/// counted scenarios in a child process of their own for that reason.
#[must_use]
#[cfg(unix)]
pub fn open_fds() -> BTreeSet<RawFd> {
    for dir in ["/proc/self/fd", "/dev/fd"] {
        if let Some(listed) = list_dir(dir) {
            // `/dev/fd` without fdescfs (FreeBSD) lists only 0, 1 and 2; a listing is only
            // trusted if it is a superset of what a direct probe of the low numbers sees.
            let probed: BTreeSet<RawFd> = (0..64).filter(|&fd| is_open(fd)).collect();
            if probed.is_subset(&listed) {
                return listed.into_iter().filter(|&fd| is_open(fd)).collect();
            }
        }
    }
    let limit = rustix::process::getrlimit(Resource::Nofile).current.unwrap_or(1 << 16);
    let limit = RawFd::try_from(limit).unwrap_or(RawFd::MAX);
    (0..limit).filter(|&fd| is_open(fd)).collect()
}

/// The numbers a directory such as `/proc/self/fd` lists, or `None` if it cannot be read.
#[cfg(unix)]
fn list_dir(dir: &str) -> Option<BTreeSet<RawFd>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut fds = BTreeSet::new();
    for entry in entries {
        let name = entry.ok()?.file_name();
        fds.insert(name.to_str()?.parse().ok()?);
    }
    Some(fds)
}

/// How many descriptors are open in this process: `open_fds().len()`.
#[must_use]
#[cfg(unix)]
pub fn count_open_fds() -> usize {
    open_fds().len()
}

/// `setrlimit(RLIMIT_NOFILE, {hard, hard})` — raises the soft descriptor limit as far as the
/// kernel allows, up to the hard limit, and returns the soft limit actually in force.
///
/// Where the hard limit is infinite, the soft limit is raised to at least 65,536 if the
/// kernel allows it. Darwin's `setrlimit` fails with `EINVAL` above `kern.maxfilesperproc`
/// (often 10,240 or 24,576) even when the hard limit is infinite, so on `EINVAL` the request
/// is halved and retried, never going below the current soft limit. The returned value is
/// read back with `getrlimit`, so callers can size their work by it. The limit is
/// process-wide and is never lowered.
///
/// # Errors
///
/// The errno of `setrlimit` other than `EINVAL`, for example `EPERM`.
///
/// # References
///  - [POSIX]
///  - [Linux]
///  - [Apple]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/setrlimit.html
/// [Linux]: https://man7.org/linux/man-pages/man2/setrlimit.2.html
/// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/setrlimit.2.html
#[cfg(unix)]
pub fn raise_fd_limit() -> rustix::io::Result<u64> {
    let limit = rustix::process::getrlimit(Resource::Nofile);
    let Some(current) = limit.current else {
        return Ok(u64::MAX);
    };
    let mut wanted = limit.maximum.unwrap_or(current.max(1 << 16));
    while wanted > current {
        let request = Rlimit { current: Some(wanted), maximum: limit.maximum };
        match rustix::process::setrlimit(Resource::Nofile, request) {
            Ok(()) => break,
            // The kernel caps the soft limit below the hard one; ask for less.
            Err(Errno::INVAL) => wanted /= 2,
            Err(errno) => return Err(errno),
        }
    }
    Ok(rustix::process::getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX))
}

/// `socketpair(AF_UNIX, SOCK_STREAM, 0)` — a connected pair of Unix stream sockets, both
/// close-on-exec and non-blocking.
///
/// The flags are set after creation with `fcntl(F_SETFD)` and `ioctl(FIONBIO)`, because Apple
/// platforms lack `SOCK_CLOEXEC` and `SOCK_NONBLOCK`.
///
/// # Errors
///
/// The errno of `socketpair`, `fcntl` or `ioctl`, for example `EMFILE`.
///
/// # References
///  - [POSIX]
///  - [Linux]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/socketpair.html
/// [Linux]: https://man7.org/linux/man-pages/man2/socketpair.2.html
#[cfg(unix)]
pub fn socketpair() -> rustix::io::Result<(OwnedFd, OwnedFd)> {
    let (a, b) = rustix::net::socketpair(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::empty(),
        None,
    )?;
    configure(&a)?;
    configure(&b)?;
    Ok((a, b))
}

/// `pipe()` — a pipe `(reader, writer)`, both ends close-on-exec and non-blocking.
///
/// # Errors
///
/// The errno of `pipe`, `fcntl` or `ioctl`, for example `EMFILE`.
///
/// # References
///  - [POSIX]
///  - [Linux]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/pipe.html
/// [Linux]: https://man7.org/linux/man-pages/man2/pipe.2.html
#[cfg(unix)]
pub fn pipe() -> rustix::io::Result<(OwnedFd, OwnedFd)> {
    let (reader, writer) = rustix::pipe::pipe()?;
    configure(&reader)?;
    configure(&writer)?;
    Ok((reader, writer))
}

/// Makes `fd` close-on-exec and non-blocking.
#[cfg(unix)]
fn configure(fd: &OwnedFd) -> rustix::io::Result<()> {
    rustix::io::fcntl_setfd(fd, FdFlags::CLOEXEC)?;
    rustix::io::ioctl_fionbio(fd, true)
}

/// `write(fd, bytes)` — writes all of `bytes`, retrying `EINTR`.
///
/// # Errors
///
/// The errno of `write`, including `EAGAIN` once a non-blocking descriptor is full.
#[cfg(unix)]
pub fn write_all(fd: impl AsFd, mut bytes: &[u8]) -> rustix::io::Result<()> {
    while !bytes.is_empty() {
        match rustix::io::write(&fd, bytes) {
            Ok(written) => bytes = &bytes[written..],
            Err(Errno::INTR) => {}
            Err(errno) => return Err(errno),
        }
    }
    Ok(())
}

/// `read(fd, ...)` until `EAGAIN` or end of stream — empties a non-blocking descriptor and
/// returns how many bytes it held.
///
/// # Errors
///
/// The errno of `read` other than `EAGAIN` and `EINTR`.
#[cfg(unix)]
pub fn drain(fd: impl AsFd) -> rustix::io::Result<usize> {
    let mut total = 0;
    let mut buffer = [0_u8; 4096];
    loop {
        match rustix::io::read(&fd, &mut buffer) {
            Ok(0) => return Ok(total),
            Ok(read) => total += read,
            Err(Errno::INTR) => {}
            Err(Errno::AGAIN) => return Ok(total),
            Err(errno) => return Err(errno),
        }
    }
}

/// Fills the send buffer of a non-blocking `fd` until a write would block, so that it is no
/// longer writable; returns how many bytes were written.
///
/// # Errors
///
/// The errno of `write` other than `EAGAIN` and `EINTR`.
#[cfg(unix)]
pub fn fill(fd: impl AsFd) -> rustix::io::Result<usize> {
    let mut total = 0;
    let chunk = [0_u8; 4096];
    loop {
        match rustix::io::write(&fd, &chunk) {
            Ok(written) => total += written,
            Err(Errno::INTR) => {}
            Err(Errno::AGAIN) => return Ok(total),
            Err(errno) => return Err(errno),
        }
    }
}

/// A connected pair of non-blocking loopback TCP sockets, as Python's `socket.socketpair()`
/// makes one on Windows (which has no `AF_UNIX` socketpair that WinSock `select` takes).
/// std creates them non-inheritable, Windows' close-on-exec.
///
/// # Errors
///
/// The WinSock code of `bind`, `connect`, `accept` or `ioctlsocket`.
#[cfg(windows)]
pub fn socketpair() -> rustix::io::Result<(OwnedFd, OwnedFd)> {
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    let errno = |error: std::io::Error| {
        Errno::from_raw_os_error(error.raw_os_error().unwrap_or(Errno::INVAL.raw_os_error()))
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(errno)?;
    let a = TcpStream::connect(listener.local_addr().map_err(errno)?).map_err(errno)?;
    let (b, _) = listener.accept().map_err(errno)?;
    for end in [&a, &b] {
        end.set_nonblocking(true).map_err(errno)?;
        end.set_nodelay(true).map_err(errno)?;
    }
    Ok((OwnedFd::from(a), OwnedFd::from(b)))
}

/// `send(fd, bytes)` until every byte is written (WinSock has no `write` on sockets).
///
/// # Errors
///
/// The WinSock code of `send` (`Errno::AGAIN` if the socket is full).
#[cfg(windows)]
pub fn write_all(fd: impl AsFd, mut bytes: &[u8]) -> rustix::io::Result<()> {
    while !bytes.is_empty() {
        let written = rustix::net::send(fd.as_fd(), bytes, rustix::net::SendFlags::empty())?;
        bytes = &bytes[written..];
    }
    Ok(())
}

/// `recv(fd, ..)` until `WSAEWOULDBLOCK` or end of stream, returning how many bytes were read.
///
/// # Errors
///
/// The WinSock code of `recv`, other than `WSAEWOULDBLOCK`.
#[cfg(windows)]
pub fn drain(fd: impl AsFd) -> rustix::io::Result<usize> {
    let mut total = 0;
    let mut buffer = [0_u8; 4096];
    loop {
        match rustix::net::recv(fd.as_fd(), &mut buffer, rustix::net::RecvFlags::empty()) {
            Ok((0, _)) => return Ok(total),
            Ok((read, _)) => total += read,
            Err(Errno::AGAIN) => return Ok(total),
            Err(errno) => return Err(errno),
        }
    }
}

/// `send(fd, ..)` until `WSAEWOULDBLOCK`, returning how many bytes were written.
///
/// # Errors
///
/// The WinSock code of `send`, other than `WSAEWOULDBLOCK`.
#[cfg(windows)]
pub fn fill(fd: impl AsFd) -> rustix::io::Result<usize> {
    let mut total = 0;
    let chunk = [0_u8; 4096];
    loop {
        match rustix::net::send(fd.as_fd(), &chunk, rustix::net::SendFlags::empty()) {
            Ok(written) => total += written,
            Err(Errno::AGAIN) => return Ok(total),
            Err(errno) => return Err(errno),
        }
    }
}

/// A number no open descriptor has: -1 on Unix.
#[must_use]
#[cfg(unix)]
pub const fn invalid_number() -> select_core::RawFd {
    -1
}

/// A number no open socket has: `INVALID_SOCKET` (all bits set) on Windows.
#[must_use]
#[cfg(windows)]
pub const fn invalid_number() -> select_core::RawFd {
    select_core::RawFd::MAX
}
