//! [`Poll`]: Python's `select.poll()` object over poll(2).

use std::ops::ControlFlow;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

#[cfg(doc)]
use select_core::Backend;
use select_core::timeout::{WaitRule, keep_waiting, wait_with_retry};
use select_core::{
    BackendKind, Capabilities, Checked, Error, Event, EventList, Interest, Mechanism, Result,
};

use crate::sys::PollArray;
use crate::table::{Registrations, try_lock};
use crate::{PollFlags, conv};

/// A set of descriptors watched with `poll(2)` — Python's `select.poll()` object.
///
/// Registrations are kept in insertion order; a wait reports ready descriptors in that order,
/// with every `POLL*` bit the kernel set ([`PollFlags`] keeps unnamed bits too). There is no
/// kernel object: the registrations live in this value, and each wait hands the kernel an
/// array built from them.
///
/// # Threads and waits
///
/// `Poll` is `Send + Sync` and every method takes `&self`. The registrations sit behind one
/// lock, held only for the few instructions an update or a copy takes, and each change bumps
/// a generation counter; the array a wait hands the kernel sits behind a second lock that the
/// wait holds for the whole system call. A wait takes the registration lock only when the
/// counter moved since its array was built, so a steady-state wait takes no lock but its own.
/// So:
///
/// - another thread may `register`, `modify` or `unregister` while a wait is blocked; the
///   array the kernel is reading is never touched, and the change is seen by the next wait;
/// - a second wait started while one is in progress fails at once with
///   [`Error::ConcurrentWait`] (Python: `RuntimeError: concurrent poll() invocation`); it
///   never blocks, crashes or silently returns nothing.
///
/// A wait rebuilds the array only when the registrations changed since the last one, reusing
/// its allocation, so a steady-state wait is one `poll(2)` call and no heap allocation
/// ([`poll_into`](Poll::poll_into) or [`Backend::wait`] with a reused buffer).
///
/// Python: `select.poll()`.
///
/// # Examples
///
/// ```
/// # #[cfg(unix)] {
/// use std::os::fd::AsRawFd;
/// use std::time::Duration;
/// use select_poll::{POLLIN, POLLOUT, Poll};
///
/// let (reader, writer) = rustix::pipe::pipe()?;
/// let poll = Poll::new(); // p = select.poll()
/// poll.register(&reader, POLLIN)?;
/// poll.register(&writer, POLLOUT)?;
/// // Results come in registration order, as (fd, revents) pairs.
/// let ready = poll.poll(Some(Duration::ZERO))?;
/// assert_eq!(ready, [(writer.as_raw_fd(), POLLOUT)]);
/// rustix::io::write(&writer, b"x")?;
/// poll.modify(&writer, POLLIN)?; // a pipe's write end never becomes readable
/// assert_eq!(poll.poll(Some(Duration::from_secs(5)))?.len(), 1);
/// poll.unregister(&reader)?;
/// assert_eq!(poll.len(), 1);
/// # }
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
///
/// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/poll.html
/// [Linux]: https://man7.org/linux/man-pages/man2/poll.2.html
/// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/poll.2.html
/// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=poll&sektion=2
/// [NetBSD]: https://man.netbsd.org/poll.2
/// [OpenBSD]: https://man.openbsd.org/poll.2
/// [DragonFly BSD]: https://man.dragonflybsd.org/?command=poll&section=2
/// [illumos]: https://illumos.org/man/2/poll
#[derive(Debug)]
pub struct Poll {
    registrations: Registrations<PollFlags>,
    array: Mutex<PollArray>,
    /// Set by `close`, which takes `&mut self`, so reading it needs no lock.
    closed: bool,
}

impl Default for Poll {
    fn default() -> Poll {
        Poll::new()
    }
}

impl Poll {
    /// A poll object with nothing registered.
    ///
    /// It makes no system call and cannot fail (poll(2) has no kernel object); the
    /// [`Backend::new`] form returns `Ok` of the same.
    ///
    /// Python: `select.poll()`.
    #[must_use]
    pub fn new() -> Poll {
        Poll {
            registrations: Registrations::new(),
            array: Mutex::new(PollArray::new()),
            closed: false,
        }
    }

    /// Starts watching `fd` for the conditions in `mask` ([`PollFlags::PYTHON_DEFAULT`] is
    /// Python's default, `POLLIN | POLLPRI | POLLOUT`).
    ///
    /// Registering a descriptor again replaces its mask and keeps its position in the
    /// results ("the same effect as registering the descriptor exactly once"). Any mask is
    /// accepted, including 0, which still reports `POLLERR`, `POLLHUP` and `POLLNVAL`. Only
    /// the number is kept: if the descriptor is closed while registered, the next wait
    /// reports it with `POLLNVAL`. No system call is made.
    ///
    /// Python: `poll.register(fd, eventmask)`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Backend::close).
    pub fn register(&self, fd: impl AsFd, mask: PollFlags) -> Result<()> {
        self.registrations.change("poll", |table| table.insert(fd.as_fd().as_raw_fd(), mask))
    }

    /// Replaces the mask of a registered `fd`, keeping its position.
    ///
    /// Python: `poll.modify(fd, eventmask)`.
    ///
    /// # Errors
    ///
    /// `ENOENT` ([`Error::Os`]) if `fd` is not registered (Python's `FileNotFoundError`);
    /// [`Error::Closed`] after [`close`](Backend::close).
    pub fn modify(&self, fd: impl AsFd, mask: PollFlags) -> Result<()> {
        if self.registrations.change("poll", |table| table.modify(fd.as_fd().as_raw_fd(), mask))? {
            Ok(())
        } else {
            Err(Error::Os(rustix::io::Errno::NOENT))
        }
    }

    /// Stops watching `fd`.
    ///
    /// Python: `poll.unregister(fd)`.
    ///
    /// # Errors
    ///
    /// [`Error::NotRegistered`] naming `fd` if it is not registered (Python's `KeyError`);
    /// [`Error::Closed`] after [`close`](Backend::close).
    pub fn unregister(&self, fd: impl AsFd) -> Result<()> {
        self.unregister_raw(fd.as_fd().as_raw_fd())
    }

    /// Stops watching the descriptor number `fd`, which need not be open any more.
    ///
    /// A registration outlives its descriptor: once the descriptor is closed, every wait
    /// reports it with `POLLNVAL` until it is unregistered, and a closed descriptor has no
    /// [`AsFd`] to pass to [`unregister`](Poll::unregister). Only the table changes, so any
    /// number is safe to pass.
    ///
    /// Python: `poll.unregister(fd)` with an int.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after [`close`](Backend::close), checked first;
    /// [`Error::InvalidArgument`] naming a negative `fd` (Python's `ValueError`);
    /// [`Error::NotRegistered`] naming `fd` if it is not registered.
    pub fn unregister_raw(&self, fd: RawFd) -> Result<()> {
        if self.closed {
            return Err(Error::Closed { object: "poll" });
        }
        select_core::check_fd(fd)?;
        if self.registrations.change("poll", |table| table.remove(fd))? {
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

    /// Whether nothing is registered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The mask `fd` is registered with, if it is.
    #[must_use]
    pub fn mask(&self, fd: RawFd) -> Option<PollFlags> {
        self.registrations.lock().get(fd)
    }

    /// `poll(fds, nfds, timeout)` — waits until a registered descriptor is ready or `timeout`
    /// elapses, and returns the ready ones as `(fd, revents)` in registration order.
    ///
    /// `timeout` is rounded up to whole milliseconds, never down (so a 1 ns timeout waits
    /// 1 ms); `None` waits until an event. A timeout longer than poll(2) accepts (`INT_MAX`
    /// ms) is waited in slices, never shortened. `EINTR` is retried with the remaining time
    /// (PEP 475); once the deadline has passed the result is empty. With nothing registered
    /// the call sleeps for the timeout. `revents` carries every bit the kernel set.
    ///
    /// This allocates the returned vector; [`poll_into`](Poll::poll_into) reuses one.
    ///
    /// Python: `poll.poll(timeout)` (whose timeout is in milliseconds).
    ///
    /// # Errors
    ///
    /// [`Error::ConcurrentWait`] if another wait on this object is in progress;
    /// [`Error::Closed`] after [`close`](Backend::close); the errno of poll(2) (never
    /// `EINTR`).
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
    ///
    /// [POSIX]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/poll.html
    /// [Linux]: https://man7.org/linux/man-pages/man2/poll.2.html
    /// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/poll.2.html
    /// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=poll&sektion=2
    /// [NetBSD]: https://man.netbsd.org/poll.2
    /// [OpenBSD]: https://man.openbsd.org/poll.2
    /// [DragonFly BSD]: https://man.dragonflybsd.org/?command=poll&section=2
    /// [illumos]: https://illumos.org/man/2/poll
    pub fn poll(&self, timeout: Option<Duration>) -> Result<Vec<(RawFd, PollFlags)>> {
        self.poll_interruptible(timeout, &mut keep_waiting)
    }

    /// [`poll`](Poll::poll), calling `on_interrupt` once after each `EINTR` before the wait
    /// is retried: [`ControlFlow::Continue`] waits on for the time that remains,
    /// [`ControlFlow::Break`] stops the wait with [`Error::Interrupted`].
    ///
    /// Python: `poll.poll(timeout)` with the interpreter's signal handlers run on `EINTR` (a
    /// handler that raises ends the wait).
    ///
    /// # Errors
    ///
    /// [`Error::Interrupted`] when the hook stops the wait, and the errors of
    /// [`poll`](Poll::poll).
    pub fn poll_interruptible(
        &self,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    ) -> Result<Vec<(RawFd, PollFlags)>> {
        let mut ready = Vec::new();
        self.poll_into_interruptible(&mut ready, timeout, on_interrupt)?;
        Ok(ready)
    }

    /// `poll(fds, nfds, timeout)` — [`poll`](Poll::poll) into a caller-owned vector: clears
    /// `ready`, appends every ready `(fd, revents)` in registration order, and returns how
    /// many it appended.
    ///
    /// When the registrations did not change since the last wait and `ready` has room for
    /// the results, the call makes exactly one `poll(2)` system call and no heap allocation.
    ///
    /// Python: `poll.poll(timeout)`.
    ///
    /// # Errors
    ///
    /// As [`poll`](Poll::poll).
    pub fn poll_into(
        &self,
        ready: &mut Vec<(RawFd, PollFlags)>,
        timeout: Option<Duration>,
    ) -> Result<usize> {
        self.poll_into_interruptible(ready, timeout, &mut keep_waiting)
    }

    /// [`poll_into`](Poll::poll_into), calling `on_interrupt` once after each `EINTR` before
    /// the wait is retried, as [`poll_interruptible`](Poll::poll_interruptible) does.
    ///
    /// Python: `poll.poll(timeout)` with the interpreter's signal handlers run on `EINTR`.
    ///
    /// # Errors
    ///
    /// As [`poll_interruptible`](Poll::poll_interruptible).
    pub fn poll_into_interruptible(
        &self,
        ready: &mut Vec<(RawFd, PollFlags)>,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    ) -> Result<usize> {
        ready.clear();
        if self.closed {
            return Err(Error::Closed { object: "poll" });
        }
        self.wait_with(timeout, on_interrupt, false, |fd, revents| {
            ready.push((fd, revents));
            true
        })
    }

    /// The wait shared by [`poll_into`](Poll::poll_into) and [`Backend::wait`]: `sink`
    /// receives each ready entry in array order and returns `false` to stop early (a full
    /// buffer). Returns how many entries `sink` accepted.
    ///
    /// With `rotate`, reading starts where the last early stop left off and wraps around, so
    /// that a bounded buffer cannot starve the descriptors registered last (epoll's ready list
    /// rotates the same way); without it, results are in registration order, as Python's
    /// `poll.poll()` returns them.
    ///
    /// The caller has checked that the object is open.
    #[inline]
    fn wait_with(
        &self,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
        rotate: bool,
        mut sink: impl FnMut(RawFd, PollFlags) -> bool,
    ) -> Result<usize> {
        let mut array = try_lock(&self.array, "poll")?;
        if self.registrations.generation() != array.generation {
            self.rebuild(&mut array);
        }
        let reported = wait_with_retry(timeout, WaitRule::MILLIS_INT, on_interrupt, |slice| {
            array.poll(slice)
        })?;
        if reported == 0 {
            // Nothing to read back: a bounded wait starts from the beginning next time, as it
            // does after a wait whose results all fitted.
            if rotate {
                array.resume = 0;
            }
            return Ok(0);
        }
        let start = if rotate { array.resume } else { 0 };
        let (mut accepted, mut resume) = (0, 0);
        for (index, fd, revents) in array.ready_from(start).take(reported) {
            if !sink(fd, revents) {
                resume = index;
                break;
            }
            accepted += 1;
        }
        if rotate {
            array.resume = resume;
        }
        Ok(accepted)
    }

    /// Rebuilds `array` from the registrations, under their lock, and records the generation
    /// it was built at. The lock is released on return, before the system call, so other
    /// threads can register while the wait blocks; they never touch `array`.
    #[cold]
    fn rebuild(&self, array: &mut PollArray) {
        let ((), generation) = self.registrations.copy(|table| array.rebuild(table.iter()));
        array.generation = generation;
    }

    /// The registrations' lock, held by a test to show that a steady-state wait never takes
    /// it.
    #[cfg(all(test, repository_tests))]
    pub(crate) fn lock_registrations(
        &self,
    ) -> std::sync::MutexGuard<'_, crate::table::Table<PollFlags>> {
        self.registrations.lock()
    }

    /// How many entries the array last handed to the kernel had (for tests of the rebuild
    /// rule).
    #[cfg(all(test, repository_tests))]
    pub(crate) fn array_len(&self) -> usize {
        crate::table::lock(&self.array).len()
    }
}

impl Mechanism for Poll {
    const KIND: BackendKind = BackendKind::Poll;
    const CAPABILITIES: Capabilities =
        Capabilities::LEVEL.union(Capabilities::PRIORITY).union(Capabilities::REPORTS_INVALID);
    const FD_LIMIT: Option<usize> = None;
    type Events = EventList;

    fn new() -> Result<Poll> {
        Ok(Poll::new())
    }

    fn register_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        Poll::register(self, fd, conv::poll_flags(interest))
    }

    fn modify_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        Poll::modify(self, fd, conv::poll_flags(interest))
    }

    fn unregister_raw_unchecked(&self, fd: RawFd, _: Checked) -> Result<()> {
        Poll::unregister_raw(self, fd)
    }

    /// Fills `events` with at most its capacity of ready descriptors, in registration order.
    /// When more are ready than the buffer holds, the next wait starts with the first one left
    /// out and wraps around, so every ready descriptor is reported within a few waits
    /// (registrations are level-triggered, so the ones left out are still ready).
    #[inline]
    fn wait_unchecked(
        &self,
        events: &mut EventList,
        timeout: Option<Duration>,
        on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
        _: Checked,
    ) -> Result<usize> {
        select_core::EventBuffer::clear(events);
        self.wait_with(timeout, on_interrupt, true, |fd, revents| {
            events.push(Event::new(fd, conv::readiness(revents)))
        })
    }

    /// Forgets every registration and frees the array; later operations fail with
    /// [`Error::Closed`]. Poll has no kernel object, so this cannot fail.
    fn close(&mut self) -> Result<()> {
        self.registrations.close();
        self.array.get_mut().unwrap_or_else(PoisonError::into_inner).reset();
        self.closed = true;
        Ok(())
    }

    #[inline]
    fn is_closed(&self) -> bool {
        self.closed
    }
}
