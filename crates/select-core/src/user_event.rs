//! [`UserEvent`]: a wake-up event of a backend's own kernel object (kqueue's `EVFILT_USER`).

use crate::platform::{AsFd, BorrowedFd, RawFd};
use std::fmt;

use crate::Result;

/// What makes a [`UserEvent`] pending: implemented by a backend crate for its kernel object.
///
/// Its descriptor ([`AsFd`]) is the kernel object the event lives in (for kqueue, a duplicate
/// of the queue's descriptor): it polls readable while the event, or any other event of that
/// object, is pending.
pub trait UserTrigger: AsFd + fmt::Debug + Send + Sync {
    /// Makes the event pending, waking a wait on the backend. Safe from any thread.
    ///
    /// # Errors
    ///
    /// The errno of the system call; [`Error::Closed`](crate::Error::Closed) where the kernel
    /// object is gone (for a kqueue, in a forked child).
    fn trigger(&self) -> Result<()>;
}

/// A wake-up event that lives inside a backend's kernel object, triggered from any thread
/// with no descriptor of its own: kqueue's `EVFILT_USER`.
///
/// Created by [`Backend::user_event`](crate::Backend::user_event) on backends that declare
/// [`Capabilities::USER_EVENT`](crate::Capabilities::USER_EVENT). Once triggered, the next
/// wait on that backend reports an [`Event`](crate::Event) whose `fd()` is
/// [`token`](UserEvent::token) and whose readiness is
/// [`READABLE`](crate::Readiness::READABLE); triggers before that wait coalesce into one
/// report, and reporting it re-arms it, so there is nothing to drain. The token is a
/// descriptor number the event holds open, so no registered descriptor can share it.
///
/// Python: no equivalent in `select`; with `select.kqueue`, a `kevent(ident,
/// KQ_FILTER_USER, ...)` that `control` triggers with `KQ_NOTE_TRIGGER`.
#[derive(Debug)]
pub struct UserEvent {
    token: RawFd,
    trigger: Box<dyn UserTrigger>,
}

impl UserEvent {
    /// A user event that waits report with `token` as their descriptor, and that `trigger`
    /// makes pending. For backend crates.
    #[must_use]
    pub fn new(token: RawFd, trigger: Box<dyn UserTrigger>) -> UserEvent {
        UserEvent { token, trigger }
    }

    /// The descriptor number waits report for this event.
    #[must_use]
    pub fn token(&self) -> RawFd {
        self.token
    }

    /// Makes the event pending, waking a wait on the backend that created it.
    ///
    /// # Errors
    ///
    /// As [`UserTrigger::trigger`].
    pub fn trigger(&self) -> Result<()> {
        self.trigger.trigger()
    }
}

impl AsFd for UserEvent {
    /// The descriptor of the kernel object the event lives in ([`UserTrigger`]).
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.trigger.as_fd()
    }
}
