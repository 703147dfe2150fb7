//! Timeout rounding and the retry loop every wait goes through.
//!
//! CPython's rules for timeouts and `EINTR`, which every backend follows through this module:
//!
//! - A timeout is rounded **up** to the mechanism's granularity, never down: `poll(2)`,
//!   `epoll_wait(2)` and `/dev/poll` take whole milliseconds, `select(2)` microseconds,
//!   `kevent(2)` nanoseconds. So a 1 ns timeout on epoll waits 1 ms, never 0 ms, and a loop of
//!   short waits cannot spin ([bpo-20311](https://bugs.python.org/issue20311)).
//! - A timeout longer than the system call accepts (`INT_MAX` milliseconds, about 24.8 days,
//!   for poll and epoll) is clamped to the longest finite wait, and the wait is repeated
//!   until the deadline. It is never turned into "forever" and never shortened.
//! - `EINTR` is retried (PEP 475) with the time that remains, recomputed from a monotonic
//!   deadline. Once the deadline has passed the wait reports no events, never stale or
//!   partial ones ([bpo-35310](https://bugs.python.org/issue35310)). The caller may stop a wait after a signal through an
//!   [`OnInterrupt`] hook (the `*_interruptible` waits); the plain waits always continue.
//!
//! A wait with a zero timeout makes exactly one system call and reads no clock; any other
//! finite wait reads the monotonic clock once before the call (vDSO, not a system call) and
//! again only if the call returns without events.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use rustix::io::Errno;

/// The unit a system call counts its timeout in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Granularity {
    /// Whole milliseconds: `poll(2)`, `epoll_wait(2)`, `ioctl(DP_POLL)`.
    Millis,
    /// Whole microseconds: `select(2)`'s `struct timeval`.
    Micros,
    /// Nanoseconds: `kevent(2)`'s `struct timespec`.
    Nanos,
}

impl Granularity {
    /// The unit in nanoseconds.
    #[must_use]
    pub const fn nanos(self) -> u32 {
        match self {
            Granularity::Millis => 1_000_000,
            Granularity::Micros => 1_000,
            Granularity::Nanos => 1,
        }
    }

    /// `timeout` rounded up to a whole number of units.
    ///
    /// The result is never shorter than `timeout` and is less than one unit longer. Only
    /// [`Duration::MAX`] itself, which has no larger multiple, is returned unchanged.
    #[must_use]
    pub const fn round_up(self, timeout: Duration) -> Duration {
        let unit = self.nanos();
        let subsec = timeout.subsec_nanos();
        let rem = subsec % unit;
        if rem == 0 {
            return timeout;
        }
        let up = subsec - rem + unit;
        if up < 1_000_000_000 {
            return Duration::new(timeout.as_secs(), up);
        }
        match timeout.as_secs().checked_add(1) {
            Some(secs) => Duration::from_secs(secs),
            None => Duration::MAX,
        }
    }
}

/// How one kind of system call takes its timeout.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct WaitRule {
    /// The unit the timeout is rounded up to.
    pub granularity: Granularity,
    /// The longest finite timeout one call accepts; longer waits are split.
    pub longest: Duration,
}

impl WaitRule {
    /// `poll(2)`, `epoll_wait(2)` and `ioctl(DP_POLL)`: an `int` of milliseconds.
    pub const MILLIS_INT: WaitRule = WaitRule {
        granularity: Granularity::Millis,
        longest: Duration::from_millis(i32::MAX as u64),
    };

    /// The slice of `remaining` one call waits: rounded up, then clamped to
    /// [`longest`](WaitRule::longest) (or, with the `test-seams` feature, to a shorter clamp a
    /// test set on this thread with `with_longest_slice`).
    #[must_use]
    pub fn slice(self, remaining: Duration) -> Duration {
        #[cfg(any(test, feature = "test-seams"))]
        let longest = match LONGEST_OVERRIDE.get() {
            Some(shorter) if shorter < self.longest => shorter,
            _ => self.longest,
        };
        #[cfg(not(any(test, feature = "test-seams")))]
        let longest = self.longest;
        let rounded = self.granularity.round_up(remaining);
        if rounded > longest { longest } else { rounded }
    }
}

/// A timeout in whole milliseconds, rounded up and clamped to `i32::MAX`, as `poll(2)`,
/// `epoll_wait(2)` and `ioctl(DP_POLL)` take it. `None` (block) becomes `-1`.
#[must_use]
pub fn millis_i32(timeout: Option<Duration>) -> i32 {
    match timeout {
        None => -1,
        Some(timeout) => {
            let millis = Granularity::Millis.round_up(timeout).as_millis();
            i32::try_from(millis).unwrap_or(i32::MAX)
        }
    }
}

/// The test seams' per-thread state: only with the `test-seams` feature (and in this crate's
/// own tests), so that a user's build makes no thread-local access per wait.
#[cfg(any(test, feature = "test-seams"))]
mod seams {
    // The initializers are already `const`; clippy still flags them on targets whose
    // thread-local storage is emulated (OpenBSD, Solaris), where `thread_local!` expands
    // differently, and an attribute on the macro call itself is ignored.
    #![allow(clippy::missing_const_for_thread_local)]

    use std::cell::Cell;
    use std::time::Duration;

    thread_local! {
        /// How many system calls [`wait_with_retry`](super::wait_with_retry) has made on this
        /// thread.
        pub(super) static CALLS: Cell<u64> = const { Cell::new(0) };
        /// A clamp shorter than every [`WaitRule::longest`](super::WaitRule::longest), set by
        /// [`with_longest_slice`](super::with_longest_slice).
        pub(super) static LONGEST_OVERRIDE: Cell<Option<Duration>> = const { Cell::new(None) };
    }
}

#[cfg(any(test, feature = "test-seams"))]
use seams::{CALLS, LONGEST_OVERRIDE};

/// Counts one wait system call for [`calls_made`], with the `test-seams` feature; nothing
/// otherwise.
#[inline(always)]
fn count_call() {
    #[cfg(any(test, feature = "test-seams"))]
    CALLS.set(CALLS.get().wrapping_add(1));
}

/// How many wait system calls [`wait_with_retry`] has made on the calling thread since it
/// started: one per call of its `call` closure, which every backend's wait goes through.
///
/// A test seam, not for users, present only with the `test-seams` feature (which
/// select-conformance enables), so the conformance suite can count a wait's system calls
/// without `strace`: a 1.5 ms wait must make one call, not two. Counting costs one
/// thread-local increment per system call and never allocates; without the feature nothing is
/// counted.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use select_core::timeout::{WaitRule, calls_made, keep_waiting, wait_with_retry};
///
/// let before = calls_made();
/// let ready = wait_with_retry(Some(Duration::ZERO), WaitRule::MILLIS_INT, &mut keep_waiting, |_| Ok(0));
/// assert_eq!((ready.ok(), calls_made() - before), (Some(0), 1));
/// ```
#[cfg(any(test, feature = "test-seams"))]
#[must_use]
pub fn calls_made() -> u64 {
    CALLS.get()
}

/// Runs `f` with every [`WaitRule::longest`] on this thread clamped to `longest` (when that
/// is shorter), then restores the real limits, also if `f` panics.
///
/// A test seam, not for users, present only with the `test-seams` feature, for the clamp
/// path: a wait longer than one system call can take must be split
/// into several calls and never become "forever", and waiting 24.8 days to see the real
/// `INT_MAX` ms clamp is not a test. With `longest` = 20 ms, a 100 ms wait makes at least five
/// calls and returns after 100 ms.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use select_core::timeout::{WaitRule, with_longest_slice};
///
/// let slice = with_longest_slice(Duration::from_millis(20), || {
///     WaitRule::MILLIS_INT.slice(Duration::from_secs(3600))
/// });
/// assert_eq!(slice, Duration::from_millis(20));
/// assert_eq!(WaitRule::MILLIS_INT.slice(Duration::from_secs(3600)), Duration::from_secs(3600));
/// ```
#[cfg(any(test, feature = "test-seams"))]
pub fn with_longest_slice<T>(longest: Duration, f: impl FnOnce() -> T) -> T {
    /// Restores the previous clamp when dropped, so a panicking `f` leaves none behind.
    struct Restore(Option<Duration>);
    impl Drop for Restore {
        fn drop(&mut self) {
            LONGEST_OVERRIDE.set(self.0);
        }
    }
    let _restore = Restore(LONGEST_OVERRIDE.replace(Some(longest)));
    f()
}

/// The caller's hook that [`wait_with_retry`] and every `*_interruptible` wait call once after
/// each `EINTR`, before the wait is retried.
///
/// It returns [`ControlFlow::Continue`] to keep waiting for the time that remains (what
/// [`Backend::wait`](crate::Backend::wait) always does), or [`ControlFlow::Break`] to stop the
/// wait, which then fails with [`Error::Interrupted`](crate::Error::Interrupted).
///
/// Python: the interpreter runs its signal handlers when a wait is interrupted (PEP 475); if a
/// handler raises, the wait raises, otherwise it is retried with the remaining timeout. A Rust
/// program that sets a flag in its own `SIGINT` handler checks that flag here.
///
/// # Examples
///
/// ```
/// use std::ops::ControlFlow;
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// static STOP: AtomicBool = AtomicBool::new(false);
/// let mut on_interrupt =
///     || if STOP.load(Ordering::Relaxed) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) };
/// let hook: select_core::OnInterrupt<'_> = &mut on_interrupt;
/// assert_eq!(hook(), ControlFlow::Continue(()));
/// ```
pub type OnInterrupt<'a> = &'a mut dyn FnMut() -> ControlFlow<()>;

/// The hook of a wait that is never stopped by a signal: it always continues.
///
/// [`Backend::wait`](crate::Backend::wait) and every backend's plain (not `*_interruptible`)
/// wait use it.
pub fn keep_waiting() -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Runs one wait to completion: `call` makes the system call for a slice of the timeout and
/// returns how many descriptors it found ready.
///
/// `call` receives `None` to block indefinitely, or the slice to wait, already rounded up to
/// `rule.granularity` and no longer than `rule.longest`, so it converts it exactly.
///
/// - `Ok(n)` with `n > 0` is returned at once.
/// - `Ok(0)` before the deadline (a clamped slice ran out) waits again for what remains.
/// - `Err(EINTR)` calls `on_interrupt` once: [`ControlFlow::Break`] ends the wait with
///   [`Error::Interrupted`](crate::Error::Interrupted); [`ControlFlow::Continue`] retries with
///   what remains, and past the deadline the wait returns `Ok(0)`.
/// - Any other error is returned.
///
/// A zero timeout makes one call; after `EINTR` it calls the hook (Python runs its signal
/// handlers there too) and, if the hook continues, returns `Ok(0)` as its deadline has passed.
///
/// # Errors
///
/// [`Error::Os`](crate::Error::Os) with whatever `call` returns, except `EINTR`;
/// [`Error::Interrupted`](crate::Error::Interrupted) when the hook stops the wait.
///
/// # Examples
///
/// ```
/// use std::ops::ControlFlow;
/// use std::time::Duration;
/// use rustix::io::Errno;
/// use select_core::timeout::{WaitRule, wait_with_retry};
///
/// // A call interrupted twice, then ready: the hook runs twice and the wait goes on.
/// let (mut calls, mut hooks) = (0, 0);
/// let ready = wait_with_retry(
///     Some(Duration::from_secs(5)),
///     WaitRule::MILLIS_INT,
///     &mut || { hooks += 1; ControlFlow::Continue(()) },
///     |_slice| { calls += 1; if calls < 3 { Err(Errno::INTR) } else { Ok(1) } },
/// );
/// assert_eq!(ready.ok(), Some(1));
/// assert_eq!((calls, hooks), (3, 2));
/// ```
#[inline]
pub fn wait_with_retry<F>(
    timeout: Option<Duration>,
    rule: WaitRule,
    on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    mut call: F,
) -> crate::Result<usize>
where
    F: FnMut(Option<Duration>) -> Result<usize, Errno>,
{
    // The zero-timeout fast path, inlined into the backend's wait: one call, no deadline, no
    // slice rounding, no loop.
    if timeout == Some(Duration::ZERO) {
        count_call();
        return match call(timeout) {
            Ok(ready) => Ok(ready),
            Err(Errno::INTR) => interrupted(on_interrupt).map(|()| 0),
            Err(errno) => Err(crate::Error::Os(errno)),
        };
    }
    wait_with_deadline(timeout, rule, on_interrupt, call)
}

/// [`wait_with_retry`] for a timeout that is not zero: blocking, or until a deadline.
fn wait_with_deadline<F>(
    timeout: Option<Duration>,
    rule: WaitRule,
    on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
    mut call: F,
) -> crate::Result<usize>
where
    F: FnMut(Option<Duration>) -> Result<usize, Errno>,
{
    let mut call = |slice: Option<Duration>| {
        count_call();
        call(slice)
    };
    let Some(timeout) = timeout else {
        loop {
            match call(None) {
                Err(Errno::INTR) => interrupted(on_interrupt)?,
                result => return Ok(result?),
            }
        }
    };
    // A deadline the clock cannot represent (centuries away) is waited for in `longest`
    // slices for as long as the process lives: still never "forever" in a single call.
    let deadline = Instant::now().checked_add(timeout);
    let mut remaining = timeout;
    loop {
        match call(Some(rule.slice(remaining))) {
            Ok(0) => {}
            Err(Errno::INTR) => interrupted(on_interrupt)?,
            result => return Ok(result?),
        }
        if let Some(deadline) = deadline {
            let now = Instant::now();
            if now >= deadline {
                return Ok(0);
            }
            remaining = deadline - now;
        }
    }
}

/// Asks the caller's hook what to do after an `EINTR`.
#[cold]
fn interrupted(on_interrupt: &mut dyn FnMut() -> ControlFlow<()>) -> crate::Result<()> {
    match on_interrupt() {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(crate::Error::Interrupted),
    }
}
