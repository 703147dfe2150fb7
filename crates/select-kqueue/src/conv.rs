//! Pure mappings: portable interest to kevent changes, kevent records to portable events, and
//! timeouts to `struct timespec`. The per-platform `kevent` field types live in `consts.rs`,
//! beside the constants that have them, so this module imports `consts` and never the reverse.

use std::os::fd::RawFd;
use std::time::Duration;

use select_core::{Interest, Readiness};

use crate::KEvent;
use crate::consts::{
    Flags, KQ_EV_ADD, KQ_EV_CLEAR, KQ_EV_DELETE, KQ_EV_DISPATCH, KQ_EV_ENABLE, KQ_EV_EOF,
    KQ_EV_ERROR, KQ_EV_RECEIPT, KQ_FILTER_READ, KQ_FILTER_USER, KQ_FILTER_WRITE,
};

/// The largest `nchanges` or `nevents` one `kevent(2)` call takes: `INT_MAX` (NetBSD takes a
/// `size_t`, but no kernel accepts more than fits an `int`).
pub(crate) const MAX_RECORDS: usize = 0x7fff_ffff;

/// The descriptor number as a kevent ident.
///
/// An open descriptor is never negative; were one to be, `usize::MAX` names no descriptor, so
/// the kernel would reject it with `EBADF` rather than touch another one.
pub(crate) fn fd_ident(fd: RawFd) -> usize {
    usize::try_from(fd).unwrap_or(usize::MAX)
}

/// The ident of a descriptor-based event as a descriptor number, or `-1` (no descriptor) if
/// it does not fit, as for a timer or user event with a large ident.
pub(crate) fn ident_fd(ident: usize) -> RawFd {
    RawFd::try_from(ident).unwrap_or(-1)
}

/// The flags every registration made for the portable interface carries: `EV_ADD |
/// EV_ENABLE | EV_RECEIPT`, plus `EV_CLEAR` for [`Interest::EDGE`] and `EV_DISPATCH` for
/// [`Interest::ONESHOT`].
///
/// `EV_ENABLE` re-arms a oneshot registration that has fired. Oneshot uses `EV_DISPATCH`
/// (disable after one event) rather than `EV_ONESHOT` (delete after one event), so the
/// kernel keeps the registration that the backend's registry still lists: `modify` re-arms
/// it and `unregister` deletes it without `ENOENT`.
pub(crate) fn add_flags(interest: Interest) -> Flags {
    let mut flags = KQ_EV_ADD | KQ_EV_ENABLE | KQ_EV_RECEIPT;
    if interest.contains(Interest::EDGE) {
        flags |= KQ_EV_CLEAR;
    }
    if interest.contains(Interest::ONESHOT) {
        flags |= KQ_EV_DISPATCH;
    }
    flags
}

/// The changes that move `fd` from the registration `old` (`None`: not registered) to `new`
/// (`None`: unregistered), written into `out`; returns how many were written (at most four).
///
/// For each of `EVFILT_READ` and `EVFILT_WRITE`: a condition that is no longer wanted is
/// deleted; every wanted one is added (`EV_ADD | EV_ENABLE`, which also re-arms a oneshot
/// registration that fired, as `modify` must); one that stays but changes its delivery mode
/// is deleted first, because the kernels apply `EV_CLEAR` and `EV_DISPATCH` only when a
/// registration is created. Every change carries `EV_RECEIPT`, so the kernel answers each
/// one with a receipt instead of reporting pending events.
pub(crate) fn changes(
    fd: RawFd,
    old: Option<Interest>,
    new: Option<Interest>,
    out: &mut [KEvent; 4],
) -> usize {
    let ident = fd_ident(fd);
    let mut count = 0;
    for (filter, condition) in
        [(KQ_FILTER_READ, Interest::READABLE), (KQ_FILTER_WRITE, Interest::WRITABLE)]
    {
        let had = old.filter(|old| old.contains(condition));
        let wants = new.filter(|new| new.contains(condition));
        let delete = match (had, wants) {
            (Some(_), None) => true,
            (Some(had), Some(wants)) => had & Interest::MODES != wants & Interest::MODES,
            (None, _) => false,
        };
        if delete {
            out[count] =
                KEvent::new(ident).with_filter(filter).with_flags(KQ_EV_DELETE | KQ_EV_RECEIPT);
            count += 1;
        }
        if let Some(wants) = wants {
            out[count] = KEvent::new(ident).with_filter(filter).with_flags(add_flags(wants));
            count += 1;
        }
    }
    count
}

/// The portable form of an event the kernel returned.
///
/// `EVFILT_READ` is [`Readiness::READABLE`], `EVFILT_WRITE` [`Readiness::WRITABLE`],
/// `EVFILT_USER` (the [`Backend::user_event`](select_core::Backend::user_event) wake-up) is
/// [`Readiness::READABLE`] too, `EV_EOF` adds [`Readiness::HANGUP`] and `EV_ERROR` adds
/// [`Readiness::ERROR`]. Events of other filters, which only [`Kqueue::control`](crate::Kqueue::control) registers, keep
/// just the `EV_EOF` and `EV_ERROR` bits, and their ident is reported as the descriptor if
/// it fits one (`-1` otherwise).
pub(crate) fn readiness(event: &KEvent) -> Readiness {
    let mut readiness = Readiness::empty();
    if event.filter() == KQ_FILTER_READ {
        readiness |= Readiness::READABLE;
    } else if event.filter() == KQ_FILTER_WRITE {
        readiness |= Readiness::WRITABLE;
    } else if event.filter() == KQ_FILTER_USER {
        // A triggered user event (`Backend::user_event`) wakes the wait like a readable
        // descriptor would.
        readiness |= Readiness::READABLE;
    }
    if event.flags() & KQ_EV_EOF != 0 {
        readiness |= Readiness::HANGUP;
    }
    if event.flags() & KQ_EV_ERROR != 0 {
        readiness |= Readiness::ERROR;
    }
    readiness
}

/// The errno a receipt carries: `None` for a change the kernel applied.
///
/// With `EV_RECEIPT`, every change comes back with `EV_ERROR` set and `data` holding the
/// errno of that change, zero on success (kevent(2), "EV_RECEIPT").
pub(crate) fn receipt_errno(receipt: &KEvent) -> Option<i32> {
    if receipt.flags() & KQ_EV_ERROR == 0 || receipt.data() == 0 {
        return None;
    }
    // An errno always fits an `int`; a value that does not is reported as EINVAL.
    Some(i32::try_from(receipt.data()).unwrap_or(libc::EINVAL))
}

/// `timeout` as a `struct timespec`, exact to the nanosecond.
///
/// Callers pass slices no longer than [`crate::WAIT_RULE`]'s `longest` (10⁸ s), which fits
/// even a 32-bit `time_t`; a longer value is clamped to the largest `time_t`.
#[allow(
    clippy::unnecessary_fallible_conversions,
    clippy::useless_conversion,
    reason = "time_t and long are 32 bits wide on some targets and 64 on others"
)]
pub(crate) fn timespec(timeout: Duration) -> libc::timespec {
    libc::timespec {
        tv_sec: timeout.as_secs().try_into().unwrap_or(libc::time_t::MAX),
        // Below 10⁹, which fits every `long`.
        tv_nsec: timeout.subsec_nanos().try_into().unwrap_or(999_999_999),
    }
}
