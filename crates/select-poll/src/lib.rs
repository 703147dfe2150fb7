#![doc = include_str!("../README.md")]
//!
//! # Design choices
//!
//! - **Windows: `select()` and `Select` only.** `Poll` (WSAPoll) is left out, as Python has
//!   no `select.poll` there: before Windows 10 version 2004 WSAPoll did not report a failed
//!   `connect` (why curl and libuv avoid it), and WinSock `select` already serves everything
//!   `selectors.SelectSelector` does.
//! - **Registrations are plain numbers, as in CPython.** [`Poll`] and [`Select`] keep an
//!   insertion-ordered table of descriptor numbers and masks; re-registering keeps the
//!   position, unregistering and registering again moves to the end. A descriptor closed
//!   while registered is reported by [`Poll`] as `POLLNVAL`
//!   ([`Readiness::INVALID`](select_core::Readiness::INVALID)) and makes a [`Select`] wait
//!   fail with `EBADF`. `unregister_raw` removes such a number, since a closed descriptor has
//!   no `AsFd`.
//! - **Two locks.** The table sits behind one `Mutex`, held only while an update runs or a
//!   wait copies it into the array (the wait holds the array's lock then, always in that
//!   order, so they cannot deadlock); the array handed to the kernel sits behind a second one
//!   that a wait takes with `try_lock` and holds for the whole system call, without the
//!   table's. So other threads can register while a wait blocks, the kernel's array never
//!   changes under it, and a second concurrent wait fails at once with
//!   [`Error::ConcurrentWait`](select_core::Error::ConcurrentWait) (CPython's
//!   `RuntimeError: concurrent poll() invocation`, [bpo-8865](https://bugs.python.org/issue8865)) instead of blocking. A single lock would either block registrations for the length
//!   of a wait or let the array change under the kernel. Every change bumps a generation counter
//!   before the table's lock is released, and a wait takes that lock only when the counter moved
//!   since its array or sets were built: a steady-state wait takes only the array's `try_lock`.
//! - **One system call, no allocation, in steady state.** A wait rebuilds its array (or
//!   select(2) sets) only when the table changed since the last wait, reusing the
//!   allocation. [`Poll::poll_into`] and [`Backend::wait`](select_core::Backend::wait) with a
//!   reused buffer then make one `poll(2)`/`select(2)` call and no heap allocation.
//! - **Timeouts and `EINTR` go through [`select_core::timeout`].** poll(2) rounds up to whole
//!   milliseconds with slices of at most `INT_MAX` ms; select(2) rounds up to microseconds
//!   with slices of at most 100,000,000 s, the largest `tv_sec` macOS accepts, which also fits
//!   a 32-bit `time_t`. `EINTR` is retried with the remaining time; past the deadline a wait
//!   reports nothing.
//! - **Every `POLL*` bit is kept.** [`PollFlags`] is a `u16` flag set with every `POLL*`
//!   constant the target defines (values from `libc`, which agree with rustix's; `POLLMSG`
//!   on Linux from the kernel's header, as neither crate exports it) and keeps unnamed bits,
//!   so [`Poll::poll`] returns exactly what the kernel wrote (CPython's `revents & 0xFFFF`).
//! - **select(2) on illumos and Solaris.** rustix has no `select` there, so `src/sys.rs`
//!   calls the C library's `select` with libc's `fd_set` (bounded by its `FD_SETSIZE`,
//!   65536 on 64-bit illumos); everywhere else it calls rustix's. [`Select`] keeps its sets
//!   in rustix's `fd_set` words, the kernel's layout, built when the registrations change,
//!   and a wait copies them once into the call's buffers; on illumos and Windows they are
//!   converted from the same internal bitmap on each call.
//! - **`unsafe` lives in `src/sys.rs` only** (the crate root denies it): borrowing stored
//!   numbers as `BorrowedFd`s for poll(2), and the select(2) call itself, each with its
//!   `SAFETY` argument (neither system call performs I/O on the descriptors).
//! - **Module layout.** The crate has two backends, so each has its own module
//!   (`poll.rs`, `select.rs`) next to the shared registration table (`table.rs`); `conv.rs`
//!   (pure conversions), `sys.rs` (system calls) and `tests.rs` keep their usual roles.
//!
//! # Where this was tested
//!
//! The tests (`src/tests.rs`, plus the shared conformance suite run against both [`Poll`]
//! and [`Select`]) ran on Linux x86-64 (glibc) with real pipes, socketpairs and TCP sockets on
//! 127.0.0.1: registration order, `POLLNVAL`, `EBADF`, the `FD_SETSIZE` limits (fd 1023 and
//! 1024), timeouts, `EINTR` from a signal every 5 ms, concurrent waits, and a counting
//! allocator proving steady-state waits allocate nothing. The crate and its tests were also
//! linted with clippy for i686 and aarch64 Linux, Android, macOS (x86-64 and arm64), FreeBSD,
//! NetBSD, illumos, OpenBSD, DragonFly BSD and Solaris (the library alone for musl), but not
//! run there; in particular the libc `select` path (illumos, Solaris) has only been compiled.
//! The Windows build (`select()` and `Select` over WinSock) is linted for
//! `x86_64-pc-windows-gnu` and `-msvc`, and its tests (`src/tests/sockets.rs`, TCP and UDP
//! on 127.0.0.1) ran under Wine 8 on Linux; CI runs them natively on Windows.
//!
//! Python: `select.poll`, `select.select`, the `select.POLL*` constants.

#![cfg(any(unix, windows))]
#![deny(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// `Poll` is Unix-only: on Windows the crate docs' links to it have nothing to point to.
#![cfg_attr(windows, allow(rustdoc::broken_intra_doc_links))]

mod conv;
#[cfg(unix)]
mod poll;
mod select;
mod sys;
mod table;

#[cfg(unix)]
pub use poll::Poll;
pub use select::{Select, select, select_interruptible};

#[cfg(unix)]
use bitflags::bitflags;

/// The number of descriptors one select(2) set holds: descriptors `0..FD_SETSIZE` can be
/// passed to [`select()`] and registered with [`Select`].
///
/// 1024 on Linux, macOS, FreeBSD, OpenBSD and DragonFly BSD; 256 on NetBSD; 65536 on 64-bit
/// illumos and Solaris (1024 on 32-bit). The value is libc's for the target.
///
/// On Windows a set is a list of sockets, not a bitmap, so this is a *count*: each list given
/// to [`select()`] holds at most 512 entries (duplicates included), and a [`Select`] at most
/// 512 registrations, whatever the socket numbers; 512 is what CPython's `select` module is
/// built with on Windows (WinSock's own default is 64).
///
/// Python: the limit behind "filedescriptor out of range in select()" and "too many file
/// descriptors in select()".
///
/// # References
///  - [POSIX]
///  - [Linux]
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/sys_select.h.html
/// [Linux]: https://man7.org/linux/man-pages/man2/select.2.html
#[cfg(unix)]
pub const FD_SETSIZE: usize = libc::FD_SETSIZE;
/// The number of sockets one WinSock `select` set holds (see the Unix definition): 512, as
/// CPython defines `FD_SETSIZE` before including `winsock2.h`.
///
/// # References
///  - [WinSock](https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-select)
#[cfg(windows)]
pub const FD_SETSIZE: usize = 512;

/// The `POLLMSG` value on Linux, which neither `libc` nor rustix exports: 0x0400 in
/// `include/uapi/asm-generic/poll.h`, and 0x0200 on SPARC
/// (`arch/sparc/include/uapi/asm/poll.h`).
#[cfg(all(linux_kernel, not(any(target_arch = "sparc", target_arch = "sparc64"))))]
const LINUX_POLLMSG: u16 = 0x0400;
/// See the generic definition: SPARC's value.
#[cfg(all(linux_kernel, any(target_arch = "sparc", target_arch = "sparc64")))]
const LINUX_POLLMSG: u16 = 0x0200;

#[cfg(unix)]
bitflags! {
    /// The `events`/`revents` bits of a `struct pollfd`: every `POLL*` constant this target
    /// defines, with the target's own values.
    ///
    /// Bits without a name are kept, not dropped: a mask is any 16-bit value (Python's
    /// `unsigned short`), and a wait reports every bit the kernel set.
    ///
    /// Python: the `select.POLL*` constants.
    ///
    /// # References
    ///  - [POSIX]
    ///  - [Linux]
    ///
    /// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/poll.h.html
    /// [Linux]: https://man7.org/linux/man-pages/man2/poll.2.html
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct PollFlags: u16 {
        /// `POLLIN`: there is data to read.
        const IN = conv::short_bits(libc::POLLIN);
        /// `POLLPRI`: there is urgent data to read (out-of-band data on a socket, a
        /// packet-mode pseudo-terminal state change, ...).
        const PRI = conv::short_bits(libc::POLLPRI);
        /// `POLLOUT`: writing will not block.
        const OUT = conv::short_bits(libc::POLLOUT);
        /// `POLLERR` (reported only): an error condition, also on the read end of a pipe
        /// whose write end was closed on some systems.
        const ERR = conv::short_bits(libc::POLLERR);
        /// `POLLHUP` (reported only): the peer hung up.
        const HUP = conv::short_bits(libc::POLLHUP);
        /// `POLLNVAL` (reported only): the descriptor is not open.
        const NVAL = conv::short_bits(libc::POLLNVAL);
        /// `POLLRDNORM`: normal data can be read.
        const RDNORM = conv::short_bits(libc::POLLRDNORM);
        /// `POLLRDBAND`: priority-band data can be read.
        const RDBAND = conv::short_bits(libc::POLLRDBAND);
        /// `POLLWRNORM`: normal data can be written (equal to `POLLOUT` on the BSDs, macOS
        /// and illumos).
        const WRNORM = conv::short_bits(libc::POLLWRNORM);
        /// `POLLWRBAND`: priority-band data can be written.
        const WRBAND = conv::short_bits(libc::POLLWRBAND);
        /// `POLLRDHUP` (Linux, Android, FreeBSD, illumos): the peer shut down its writing
        /// half.
        #[cfg(poll_rdhup)]
        const RDHUP = conv::short_bits(libc::POLLRDHUP);
        /// `POLLMSG` (Linux, Android): unused by the kernel, defined for compatibility.
        #[cfg(linux_kernel)]
        const MSG = LINUX_POLLMSG;
        /// `POLLINIGNEOF` (FreeBSD): `POLLIN` that ignores end of file on a FIFO.
        #[cfg(freebsd)]
        const INIGNEOF = conv::short_bits(libc::POLLINIGNEOF);

        // Every other bit is kept as the kernel wrote it.
        const _ = !0;
    }
}

#[cfg(unix)]
impl PollFlags {
    /// Python's default mask for `poll.register`: `POLLIN | POLLPRI | POLLOUT`.
    pub const PYTHON_DEFAULT: PollFlags = PollFlags::IN.union(PollFlags::PRI).union(PollFlags::OUT);

    /// The mask that waits for `interest`'s conditions: `READABLE` is `POLLIN`, `WRITABLE`
    /// `POLLOUT`, `PRIORITY` `POLLPRI`. Delivery modes (edge, oneshot, exclusive) have no
    /// `POLL*` bit and are left out; [`Poll`]'s `Backend::register` rejects them first.
    #[must_use]
    pub fn from_interest(interest: select_core::Interest) -> PollFlags {
        conv::poll_flags(interest)
    }

    /// The portable conditions this mask waits for (`POLLIN`, `POLLOUT`, `POLLPRI`); other
    /// bits have no portable meaning and are ignored. The inverse of
    /// [`from_interest`](PollFlags::from_interest) on the conditions.
    #[must_use]
    pub fn interest(self) -> select_core::Interest {
        conv::interest(self)
    }

    /// What these `revents` mean portably: `POLLIN`/`POLLRDNORM` readable,
    /// `POLLPRI`/`POLLRDBAND` priority, `POLLOUT`/`POLLWRNORM`/`POLLWRBAND` writable,
    /// `POLLERR` error, `POLLHUP` hang-up, `POLLRDHUP` read hang-up, `POLLNVAL` invalid.
    #[must_use]
    pub fn readiness(self) -> select_core::Readiness {
        conv::readiness(self)
    }
}

/// `POLLIN`: there is data to read. Python: `select.POLLIN`.
#[cfg(unix)]
pub const POLLIN: PollFlags = PollFlags::IN;
/// `POLLPRI`: there is urgent data to read. Python: `select.POLLPRI`.
#[cfg(unix)]
pub const POLLPRI: PollFlags = PollFlags::PRI;
/// `POLLOUT`: writing will not block. Python: `select.POLLOUT`.
#[cfg(unix)]
pub const POLLOUT: PollFlags = PollFlags::OUT;
/// `POLLERR`: an error condition. Python: `select.POLLERR`.
#[cfg(unix)]
pub const POLLERR: PollFlags = PollFlags::ERR;
/// `POLLHUP`: the peer hung up. Python: `select.POLLHUP`.
#[cfg(unix)]
pub const POLLHUP: PollFlags = PollFlags::HUP;
/// `POLLNVAL`: the descriptor is not open. Python: `select.POLLNVAL`.
#[cfg(unix)]
pub const POLLNVAL: PollFlags = PollFlags::NVAL;
/// `POLLRDNORM`: normal data can be read. Python: `select.POLLRDNORM`.
#[cfg(unix)]
pub const POLLRDNORM: PollFlags = PollFlags::RDNORM;
/// `POLLRDBAND`: priority-band data can be read. Python: `select.POLLRDBAND`.
#[cfg(unix)]
pub const POLLRDBAND: PollFlags = PollFlags::RDBAND;
/// `POLLWRNORM`: normal data can be written. Python: `select.POLLWRNORM`.
#[cfg(unix)]
pub const POLLWRNORM: PollFlags = PollFlags::WRNORM;
/// `POLLWRBAND`: priority-band data can be written. Python: `select.POLLWRBAND`.
#[cfg(unix)]
pub const POLLWRBAND: PollFlags = PollFlags::WRBAND;
/// `POLLRDHUP`: the peer shut down its writing half. Python: `select.POLLRDHUP`.
#[cfg(all(unix, poll_rdhup))]
pub const POLLRDHUP: PollFlags = PollFlags::RDHUP;
/// `POLLMSG`: defined for compatibility, unused by Linux. Python: `select.POLLMSG`.
#[cfg(all(unix, linux_kernel))]
pub const POLLMSG: PollFlags = PollFlags::MSG;
/// `POLLINIGNEOF` (FreeBSD): `POLLIN` ignoring end of file on a FIFO. Python has no such
/// constant.
#[cfg(all(unix, freebsd))]
pub const POLLINIGNEOF: PollFlags = PollFlags::INIGNEOF;

// The unit tests need the repository (see build.rs); the published package has none.
#[cfg(all(test, repository_tests))]
mod tests;
