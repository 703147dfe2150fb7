//! The portable user event ([`Backend::user_event`](select_core::Backend::user_event)) and
//! the run-time check whether the kernel has `EVFILT_USER`.
//!
//! `EVFILT_USER` came late to some systems: OpenBSD has it from 7.8, NetBSD from 10.0, while
//! the `libc` crate defines the constant for every kqueue target. A kernel without the filter
//! refuses the registration with `EINVAL` (an unknown filter number). That answer is the
//! check: the first user event registered in the process decides, the answer is cached in a
//! process-wide atomic, and every later [`user_event`] on a kernel without the filter returns
//! `Ok(None)` at once, so callers fall back to a descriptor (the facade's `Waker` then uses a
//! pipe).

use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use rustix::io::Errno;
use select_core::{Error, EventBuffer, Result, UserEvent, UserTrigger};

use crate::consts::{
    FilterFlags, Flags, KQ_EV_ADD, KQ_EV_CLEAR, KQ_EV_DELETE, KQ_FILTER_USER, KQ_NOTE_TRIGGER,
};
use crate::{KEvent, Kqueue, KqueueEvents, conv};

/// [`USER_FILTER`]: no user event was registered in this process yet.
const UNKNOWN: u8 = 0;
/// [`USER_FILTER`]: the kernel accepted an `EVFILT_USER` registration.
const PRESENT: u8 = 1;
/// [`USER_FILTER`]: the kernel refused `EVFILT_USER` as an unknown filter.
const ABSENT: u8 = 2;

/// Whether the running kernel has `EVFILT_USER`: one of [`UNKNOWN`], [`PRESENT`], [`ABSENT`].
/// The kernel does not change under a running process, so the first answer holds for good.
static USER_FILTER: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Whether the kernel has `EVFILT_USER`, as far as this process has found out: `None` before
/// the first [`user_event`].
pub(crate) fn kernel_has_user_filter() -> Option<bool> {
    match USER_FILTER.load(Ordering::Relaxed) {
        PRESENT => Some(true),
        ABSENT => Some(false),
        _ => None,
    }
}

/// Whether `error`, the answer to an `EV_ADD` of an `EVFILT_USER` event, says the kernel does
/// not know the filter: `EINVAL` (OpenBSD's and NetBSD's `kqueue_register` for a filter
/// number they do not have). Every other error is a real failure of the registration.
pub(crate) fn means_no_user_filter(error: &Error) -> bool {
    matches!(error, Error::Os(Errno::INVAL))
}

/// `fcntl(kq, F_DUPFD_CLOEXEC)` then `kevent` with `EV_ADD | EV_CLEAR` for an `EVFILT_USER`
/// event whose ident is the duplicate's number; `Ok(None)` on a kernel without `EVFILT_USER`.
///
/// The duplicate names the same kqueue and is adopted as a [`Kqueue`], so the trigger
/// follows the fork rule too; its number is the event's token, unique while the event lives.
/// `EV_CLEAR` resets the event when a wait reports it, so triggers coalesce and nothing needs
/// draining. Dropping the event deletes it. On the fallback path the duplicate is closed
/// again before `Ok(None)` is returned.
pub(crate) fn user_event(kq: BorrowedFd<'_>) -> Result<Option<UserEvent>> {
    if kernel_has_user_filter() == Some(false) {
        return Ok(None);
    }
    let queue = Kqueue::from_fd(rustix::io::fcntl_dupfd_cloexec(kq, 0)?);
    let token = queue.fileno()?;
    let ident = conv::fd_ident(token);
    let add = KEvent::new(ident).with_filter(KQ_FILTER_USER).with_flags(KQ_EV_ADD | KQ_EV_CLEAR);
    match queue.control(&[add], &mut KqueueEvents::with_capacity(0), Some(Duration::ZERO)) {
        Ok(_) => {
            USER_FILTER.store(PRESENT, Ordering::Relaxed);
            Ok(Some(UserEvent::new(token, Box::new(UserWakeup { queue, ident }))))
        }
        // Only while undecided: once the filter worked here, EINVAL is a real error.
        Err(error) if means_no_user_filter(&error) && kernel_has_user_filter().is_none() => {
            USER_FILTER.store(ABSENT, Ordering::Relaxed);
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// The trigger of a [`Kqueue`]'s user event: the duplicate of the kqueue descriptor and the
/// event's ident.
#[derive(Debug)]
struct UserWakeup {
    queue: Kqueue,
    ident: usize,
}

impl UserWakeup {
    /// Applies one change to the user event, reporting its error (with no room for events,
    /// `kevent` fails the call instead of returning an `EV_ERROR` record).
    fn apply(&self, flags: Flags, fflags: FilterFlags) -> Result<()> {
        let change = KEvent::new(self.ident)
            .with_filter(KQ_FILTER_USER)
            .with_flags(flags)
            .with_fflags(fflags);
        self.queue.control(&[change], &mut KqueueEvents::with_capacity(0), Some(Duration::ZERO))?;
        Ok(())
    }
}

impl AsFd for UserWakeup {
    /// The duplicate of the kqueue descriptor (see [`Kqueue::as_fd`] for when it panics).
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.queue.as_fd()
    }
}

impl UserTrigger for UserWakeup {
    /// `kevent` with `NOTE_TRIGGER` for the user event.
    fn trigger(&self) -> Result<()> {
        self.apply(0, KQ_NOTE_TRIGGER)
    }
}

impl Drop for UserWakeup {
    /// Deletes the user event from the kqueue (it is not tied to a descriptor, so closing the
    /// duplicate alone would leave it registered); an error (a closed kqueue) changes nothing.
    fn drop(&mut self) {
        let _ = self.apply(KQ_EV_DELETE, 0);
    }
}
