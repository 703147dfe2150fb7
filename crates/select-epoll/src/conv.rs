//! Pure conversions: portable [`Interest`] to [`EpollFlags`], reported flags to
//! [`Readiness`], descriptor numbers to and from the `epoll_event` data, and a timeout slice
//! to the `timespec` rustix passes on.

use std::os::fd::RawFd;
use std::time::Duration;

use rustix::event::Timespec;
use select_core::timeout::{Granularity, WaitRule};
use select_core::{Interest, Readiness};

use crate::EpollFlags;

/// `epoll_pwait2(2)`'s `struct __kernel_timespec`: nanoseconds, no rounding needed. The
/// kernel adds the timeout to the monotonic clock as signed 64-bit nanoseconds (about 292
/// years) and saturates past that into a wait without end, so a slice is at most
/// `i32::MAX` seconds (about 68 years) to stay a finite wait; longer timeouts are waited in
/// slices, never turned into "forever".
pub(crate) const NANOS_TIMESPEC: WaitRule =
    WaitRule { granularity: Granularity::Nanos, longest: Duration::from_secs(i32::MAX as u64) };

/// The `EPOLL*` mask for a portable interest.
///
/// [`Interest::READABLE`] is `EPOLLIN` alone, as `selectors.EpollSelector` registers
/// `EVENT_READ`: end of stream already makes `EPOLLIN` ready (a read returns 0), so adding
/// `EPOLLRDHUP` would tell a portable caller nothing new, and it would make epoll report
/// [`Readiness::READ_HANGUP`] where poll(2) registered with `POLLIN` does not. Callers who
/// want `EPOLLRDHUP` use [`Epoll::register`](crate::Epoll::register) with the native flags.
#[must_use]
pub(crate) const fn interest_to_flags(interest: Interest) -> EpollFlags {
    let mut flags = EpollFlags::empty();
    if interest.contains(Interest::READABLE) {
        flags = flags.union(EpollFlags::IN);
    }
    if interest.contains(Interest::WRITABLE) {
        flags = flags.union(EpollFlags::OUT);
    }
    if interest.contains(Interest::PRIORITY) {
        flags = flags.union(EpollFlags::PRI);
    }
    if interest.contains(Interest::EDGE) {
        flags = flags.union(EpollFlags::ET);
    }
    if interest.contains(Interest::ONESHOT) {
        flags = flags.union(EpollFlags::ONESHOT);
    }
    if interest.contains(Interest::EXCLUSIVE) {
        flags = flags.union(EpollFlags::EXCLUSIVE);
    }
    flags
}

/// The portable interest a native mask asks for; bits with no portable meaning (`EPOLLRDHUP`,
/// `EPOLLWAKEUP`, the band flags) are dropped. The inverse of [`interest_to_flags`] on every
/// mask it produces. Only the round-trip tests need it.
#[cfg(all(test, repository_tests))]
#[must_use]
pub(crate) const fn flags_to_interest(flags: EpollFlags) -> Interest {
    let mut interest = Interest::empty();
    if flags.contains(EpollFlags::IN) {
        interest = interest.union(Interest::READABLE);
    }
    if flags.contains(EpollFlags::OUT) {
        interest = interest.union(Interest::WRITABLE);
    }
    if flags.contains(EpollFlags::PRI) {
        interest = interest.union(Interest::PRIORITY);
    }
    if flags.contains(EpollFlags::ET) {
        interest = interest.union(Interest::EDGE);
    }
    if flags.contains(EpollFlags::ONESHOT) {
        interest = interest.union(Interest::ONESHOT);
    }
    if flags.contains(EpollFlags::EXCLUSIVE) {
        interest = interest.union(Interest::EXCLUSIVE);
    }
    interest
}

/// The portable readiness of reported flags.
///
/// `EPOLLIN` and `EPOLLRDNORM` are readable, `EPOLLOUT`, `EPOLLWRNORM` and `EPOLLWRBAND` are
/// writable, `EPOLLPRI` and `EPOLLRDBAND` are priority data (as poll(2) defines the band
/// flags), `EPOLLERR` is an error, `EPOLLHUP` a hang-up and `EPOLLRDHUP` a read hang-up. epoll
/// never reports an invalid descriptor: closing a registered descriptor removes it silently.
#[must_use]
#[inline]
pub(crate) const fn flags_to_readiness(flags: EpollFlags) -> Readiness {
    let mut readiness = Readiness::empty();
    if flags.intersects(EpollFlags::IN.union(EpollFlags::RDNORM)) {
        readiness = readiness.union(Readiness::READABLE);
    }
    if flags.intersects(EpollFlags::OUT.union(EpollFlags::WRNORM).union(EpollFlags::WRBAND)) {
        readiness = readiness.union(Readiness::WRITABLE);
    }
    if flags.intersects(EpollFlags::PRI.union(EpollFlags::RDBAND)) {
        readiness = readiness.union(Readiness::PRIORITY);
    }
    if flags.contains(EpollFlags::ERR) {
        readiness = readiness.union(Readiness::ERROR);
    }
    if flags.contains(EpollFlags::HUP) {
        readiness = readiness.union(Readiness::HANGUP);
    }
    if flags.contains(EpollFlags::RDHUP) {
        readiness = readiness.union(Readiness::READ_HANGUP);
    }
    readiness
}

/// The `epoll_data` a registration stores: the descriptor number in the union's `fd`
/// member, as CPython stores `data.fd`. The member sits at offset 0, so the four bytes of
/// the number are the first four bytes of the 64-bit data in memory (its low half on
/// little-endian targets, its high half on big-endian ones); the rest is zero.
#[must_use]
pub(crate) const fn fd_to_data(fd: RawFd) -> u64 {
    let fd = fd.to_ne_bytes();
    u64::from_ne_bytes([fd[0], fd[1], fd[2], fd[3], 0, 0, 0, 0])
}

/// The descriptor number stored by [`fd_to_data`], read from the union's `fd` member as
/// CPython reads `data.fd`. Data this crate did not write (an epoll descriptor adopted with
/// [`Epoll::from_fd`](crate::Epoll::from_fd) may carry another program's registrations) is
/// read the same way.
#[must_use]
pub(crate) const fn data_to_fd(data: u64) -> RawFd {
    let data = data.to_ne_bytes();
    RawFd::from_ne_bytes([data[0], data[1], data[2], data[3]])
}

/// The `timespec` for one slice of a wait. The slices [`select_core::timeout::wait_with_retry`]
/// hands out are whole milliseconds no longer than `i32::MAX` ms, so rustix converts them
/// back to the same `int` of milliseconds and makes one `epoll_pwait` call.
#[must_use]
pub(crate) fn timespec(slice: Duration) -> Timespec {
    // A slice never exceeds `i32::MAX` milliseconds, so the conversion cannot fail; the
    // fallback only keeps this function total.
    Timespec::try_from(slice).unwrap_or(Timespec { tv_sec: i64::MAX, tv_nsec: 0 })
}
