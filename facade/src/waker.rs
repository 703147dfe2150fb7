//! [`Waker`]: wakes a blocked wait from another thread (Python's self-pipe trick, mio's
//! `Waker`).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::io::Errno;

use select_core::{AsFd, AsRawFd, BorrowedFd, RawFd, UserEvent};

use crate::{Error, Result, sys};

/// A handle that wakes a thread blocked in [`Selector::select`](crate::Selector::select), or in
/// any backend's wait, from another thread.
///
/// The mechanism: a [`Selector`](crate::Selector)'s waker uses the backend's own user event
/// where it has one ([`Capabilities::USER_EVENT`](crate::Capabilities::USER_EVENT): kqueue's
/// `EVFILT_USER`, which needs no descriptor of its own and nothing to drain). Otherwise, and
/// for [`Waker::new`], a descriptor chosen per target in `src/sys.rs`: an `eventfd(2)` counter
/// on Linux and Android (`EFD_CLOEXEC | EFD_NONBLOCK`), a close-on-exec, non-blocking pipe
/// everywhere else on Unix (the classic self-pipe), and on Windows a connected pair of
/// loopback TCP sockets (asyncio's self-pipe there; WinSock `select` takes sockets only),
/// whose readable end ([`AsFd`]) is what a wait watches.
///
/// Wakes coalesce: any number of [`wake`](Waker::wake) calls before the waiting side
/// [`reset`](Waker::reset)s the waker produce one readiness, and at most one write reaches the
/// kernel (an atomic flag remembers that a wake is pending), so a pipe never fills up. A wake
/// that races with a reset is never lost: [`reset`](Waker::reset) drains the descriptor
/// *first* and clears the flag *after*, so a wake that found the flag set happened before the
/// flag was cleared (the woken `select` returns after it, and sees what the waking thread did
/// before waking), and a wake after the clear writes again and wakes the next wait.
///
/// A waker handed out by [`Selector::waker`](crate::Selector::waker) outlives its selector
/// safely: once the selector is [closed](crate::Selector::close) or dropped, `wake` fails with
/// [`Error::Closed`] (`object: "waker"`) and touches no descriptor, so a
/// thread that wakes a loop learns that the loop is gone.
///
/// `Waker` is cheap to clone (an [`Arc`]); every clone wakes the same waiter, and the
/// descriptors are closed when the last clone is dropped.
///
/// With a [`Selector`](crate::Selector), get the waker from
/// [`Selector::waker`](crate::Selector::waker): the selector registers it, drains it during
/// `select` and reports it through [`Ready::woken`](crate::Ready::woken), never as a key. With a
/// raw backend, register [`as_fd`](AsFd::as_fd) for [`Interest::READABLE`](crate::Interest)
/// and call [`reset`](Waker::reset) when the wait reports it.
///
/// Python: the self-pipe trick `selectors`-based event loops use (`asyncio`'s
/// `_write_to_self`); no `select` object has it.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use select::{Ready, Selector};
///
/// let mut selector: Selector = Selector::new()?;
/// let waker = selector.waker()?; // Send + Sync, cheap to clone
/// let start = Instant::now();
/// let thread = std::thread::spawn(move || waker.wake());
/// let mut ready = Ready::new();
/// selector.select(&mut ready, Some(Duration::from_secs(10)))?; // blocks until the wake
/// assert!(ready.woken() && ready.is_empty()); // reported as woken, never as a key
/// assert!(start.elapsed() < Duration::from_secs(10));
/// thread.join().unwrap()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # References
///  - [Linux `eventfd`]
///  - [POSIX `pipe`]
///
/// [Linux `eventfd`]: https://man7.org/linux/man-pages/man2/eventfd.2.html
/// [POSIX `pipe`]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/pipe.html
#[derive(Clone)]
pub struct Waker {
    inner: Arc<Inner>,
}

struct Inner {
    mechanism: Mechanism,
    /// Whether a wake was made and not yet reset.
    pending: AtomicBool,
    /// Whether the selector that handed this waker out was closed or dropped.
    closed: AtomicBool,
}

/// How a wake reaches the waiting thread.
enum Mechanism {
    /// An eventfd or a pipe that the backend watches for readability.
    Descriptor {
        /// The end a wait watches; for an eventfd, also the end wakes write to.
        read: sys::waker::End,
        /// The pipe's (or socket pair's) write end, or `None` for an eventfd.
        write: Option<sys::waker::End>,
    },
    /// The backend's own user event (kqueue's `EVFILT_USER`).
    User(UserEvent),
}

impl Waker {
    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)` or `pipe2(O_CLOEXEC | O_NONBLOCK)` — creates a
    /// waker that no wait is watching yet.
    ///
    /// Python: `socket.socketpair()` or `os.pipe()` in the self-pipe trick.
    ///
    /// # Errors
    ///
    /// The system call's errno ([`Error::Os`]), for example `EMFILE`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use select::{AsFd, Backend, EventBuffer, Interest, Waker};
    ///
    /// // With a raw backend, any of them: register the waker, wait, reset.
    /// fn wake_once<B: Backend>(backend: B) -> select::Result<()> {
    ///     let waker = Waker::new()?;
    ///     backend.register(waker.as_fd(), Interest::READABLE)?;
    ///     let mut events = B::Events::try_with_capacity(4)?;
    ///     waker.wake()?;
    ///     waker.wake()?; // wakes coalesce
    ///     assert_eq!(backend.wait(&mut events, Some(Duration::from_secs(5)))?, 1);
    ///     assert_eq!(events.iter().next().map(|event| event.fd()), Some(waker.fileno()));
    ///     assert!(waker.reset()?); // one pending wake, consumed
    ///     assert_eq!(backend.wait(&mut events, Some(Duration::ZERO))?, 0);
    ///     backend.unregister(waker.as_fd())
    /// }
    /// wake_once(select::default_backend()?)?;
    /// wake_once(select::backends::Select::new())?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [Linux `eventfd`]
    ///  - [POSIX `pipe`]
    ///
    /// [Linux `eventfd`]: https://man7.org/linux/man-pages/man2/eventfd.2.html
    /// [POSIX `pipe`]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/pipe.html
    pub fn new() -> Result<Waker> {
        let (read, write) = sys::waker::new()?;
        Ok(Waker::with(Mechanism::Descriptor { read, write }))
    }

    /// A waker that triggers a backend's own user event, from
    /// [`Backend::user_event`](crate::Backend::user_event). Waits on that backend report it as
    /// an event on [`fileno`](Waker::fileno); [`Selector::waker`](crate::Selector::waker) uses
    /// this where the backend has one.
    ///
    /// Python: `kqueue.control([kevent(ident, KQ_FILTER_USER, ...)], 0)`.
    #[must_use]
    pub fn from_user_event(event: UserEvent) -> Waker {
        Waker::with(Mechanism::User(event))
    }

    fn with(mechanism: Mechanism) -> Waker {
        Waker {
            inner: Arc::new(Inner {
                mechanism,
                pending: AtomicBool::new(false),
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// `write(fd, ...)` — makes the waker readable, waking a wait that watches it; does nothing
    /// if a wake is already pending.
    ///
    /// Safe to call from any thread, any number of times.
    ///
    /// Python: `os.write(self_pipe_w, b"\0")` in the self-pipe trick.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once the [`Selector`](crate::Selector) that
    /// handed out this waker was closed or dropped; the errno of `write(2)`
    /// ([`Error::Os`]). A full pipe (`EAGAIN`) is not an error: the waker is
    /// readable already.
    ///
    /// # Examples
    ///
    /// ```
    /// use select::{Error, Selector};
    ///
    /// let mut selector: Selector = Selector::new()?;
    /// let waker = selector.waker()?;
    /// waker.wake()?;
    /// drop(selector); // the loop is gone, and the waker says so
    /// assert!(matches!(waker.wake(), Err(Error::Closed { object: "waker" })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # References
    ///  - [POSIX `write`]
    ///
    /// [POSIX `write`]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/write.html
    pub fn wake(&self) -> Result<()> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::Closed { object: "waker" });
        }
        if self.inner.pending.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let result = match &self.inner.mechanism {
            Mechanism::Descriptor { read, write } => {
                let fd = write.as_ref().unwrap_or(read);
                loop {
                    match sys::waker::write(fd, &sys::waker::TOKEN) {
                        Ok(_) | Err(Errno::AGAIN) => break Ok(()),
                        Err(Errno::INTR) => continue,
                        Err(errno) => break Err(errno.into()),
                    }
                }
            }
            Mechanism::User(event) => event.trigger(),
        };
        if result.is_err() {
            // Nothing reached the kernel, so the next wake must try again.
            self.inner.pending.store(false, Ordering::Release);
        }
        result
    }

    /// `read(fd, ...)` until the descriptor is empty — consumes every pending wake, so the
    /// waker is no longer readable, and returns whether there was one. One read suffices in
    /// the usual case (an eventfd, or a pipe holding less than 64 bytes).
    ///
    /// Call it after a wait reports the waker ready. [`Selector`](crate::Selector) does so
    /// itself.
    ///
    /// Python: `os.read(self_pipe_r, 4096)` in the self-pipe trick.
    ///
    /// # Errors
    ///
    /// The errno of `read(2)` ([`Error::Os`]), other than `EAGAIN` and
    /// `EINTR`.
    ///
    /// # References
    ///  - [POSIX `read`]
    ///
    /// [POSIX `read`]: https://pubs.opengroup.org/onlinepubs/9799919799/functions/read.html
    pub fn reset(&self) -> Result<bool> {
        // Drain first, clear the flag after. The other order loses wakes for good: a wake
        // landing between the clear and the drain would set the flag, write, and have its
        // write drained, leaving the flag set over an empty descriptor, so that every later
        // wake skips its write. In this order a wake that finds the flag set is one that came
        // before the clear, which the caller's return from this wait answers.
        let drained = self.drain()?;
        let was_pending = self.inner.pending.swap(false, Ordering::AcqRel);
        Ok(was_pending || drained)
    }

    /// Reads the descriptor until it is empty and returns whether it held anything.
    fn drain(&self) -> Result<bool> {
        // A user event re-arms itself when a wait reports it (`EV_CLEAR`): nothing to drain.
        let Mechanism::Descriptor { read, .. } = &self.inner.mechanism else {
            return Ok(false);
        };
        let mut drained = false;
        let mut buf = [0u8; 64];
        loop {
            match sys::waker::read(read, &mut buf) {
                Ok(0) => break,
                // A short read emptied it: an eventfd read returns its whole 8-byte counter,
                // and a pipe gives all it holds up to the buffer's size. Stopping here saves
                // the read that would only say EAGAIN; a wake after it makes the descriptor
                // readable again for the next wait.
                Ok(n) if n < buf.len() => {
                    drained = true;
                    break;
                }
                Ok(_) => drained = true,
                Err(Errno::AGAIN) => break,
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(errno.into()),
            }
        }
        Ok(drained)
    }

    /// `fileno()` — the descriptor number a wait reports when the waker is woken: the readable
    /// end, or a user event's token.
    ///
    /// Python: `self_pipe_r.fileno()`.
    #[must_use]
    pub fn fileno(&self) -> RawFd {
        match &self.inner.mechanism {
            Mechanism::Descriptor { read, .. } => read.as_raw_fd(),
            Mechanism::User(event) => event.token(),
        }
    }

    /// Whether this waker triggers a backend's own user event (no descriptor to register).
    #[must_use]
    pub fn is_user_event(&self) -> bool {
        matches!(self.inner.mechanism, Mechanism::User(_))
    }

    /// Makes every later [`wake`](Waker::wake) fail with
    /// [`Error::Closed`]: the selector that owns this waker is gone.
    pub(crate) fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
    }

    /// Whether the selector that handed out this waker was closed or dropped, so that
    /// [`wake`](Waker::wake) fails with [`Error::Closed`].
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Whether `self` and `other` are clones of one waker.
    #[must_use]
    pub fn same_as(&self, other: &Waker) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Waker {
    /// The handle `AsFd` (Unix) or `AsSocket` (Windows) gives.
    fn borrow_handle(&self) -> BorrowedFd<'_> {
        match &self.inner.mechanism {
            Mechanism::Descriptor { read, .. } => read.as_fd(),
            Mechanism::User(event) => event.as_fd(),
        }
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for Waker {
    /// The readable end, to register with a backend for
    /// [`Interest::READABLE`](crate::Interest::READABLE); for a user-event waker, the backend's
    /// own descriptor, which needs no registration with that backend.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.borrow_handle()
    }
}

/// On Windows the waker is an `AsSocket` (so an [`AsFd`](crate::AsFd), as every socket is
/// there): the readable end of its loopback socket pair.
#[cfg(windows)]
impl std::os::windows::io::AsSocket for Waker {
    /// The readable socket, to register with a backend for
    /// [`Interest::READABLE`](crate::Interest::READABLE).
    fn as_socket(&self) -> BorrowedFd<'_> {
        self.borrow_handle()
    }
}

impl fmt::Debug for Waker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let write_fd = match &self.inner.mechanism {
            Mechanism::Descriptor { write, .. } => write.as_ref().map(AsRawFd::as_raw_fd),
            Mechanism::User(_) => None,
        };
        f.debug_struct("Waker")
            .field("fd", &self.fileno())
            .field("write_fd", &write_fd)
            .field("user_event", &self.is_user_event())
            .field("pending", &self.inner.pending.load(Ordering::Relaxed))
            .field("closed", &self.inner.closed.load(Ordering::Relaxed))
            .finish()
    }
}
