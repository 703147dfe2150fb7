//! The places rustix cannot make safe for us: `epoll_pwait2(2)` with a fallback, reporting
//! `close(2)` errors and sharing an event buffer between threads (and, in tests only, a
//! counting global allocator).
#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use rustix::event::epoll;
use rustix::io::Errno;
use select_core::timeout::WaitRule;

/// `epoll_pwait2` has not been tried yet.
const UNKNOWN: u8 = 0;
/// `epoll_pwait2` worked once: every wait uses it.
const AVAILABLE: u8 = 1;
/// `epoll_pwait2` failed with `ENOSYS` or `EPERM` (or is never tried on this target): every
/// wait uses `epoll_wait`/`epoll_pwait` with whole milliseconds.
const UNAVAILABLE: u8 = 2;

/// Whether this process can call `epoll_pwait2`, found out by the first wait that tries it
/// and kept for every later one. A race between two first waits is harmless: both try, both
/// store the same answer.
static PWAIT2: AtomicU8 = AtomicU8::new(if cfg!(pwait2_probe) { UNKNOWN } else { UNAVAILABLE });

/// The kernel's `struct __kernel_timespec`, which `epoll_pwait2` takes on every architecture:
/// 64-bit seconds and nanoseconds even where `time_t` is 32 bits (i686, 32-bit ARM).
#[repr(C)]
struct KernelTimespec {
    tv_sec: i64,
    tv_nsec: i64,
}

/// Whether waits take nanosecond timeouts: `epoll_pwait2` is available or not yet tried.
#[inline]
pub(crate) fn nanosecond_waits() -> bool {
    PWAIT2.load(Ordering::Relaxed) != UNAVAILABLE
}

/// Makes every later wait of this process use the millisecond fallback, as on a kernel
/// older than 5.11; for the tests of the fallback, each in a child process of its own.
#[cfg(all(test, repository_tests))]
pub(crate) fn force_millisecond_waits() {
    PWAIT2.store(UNAVAILABLE, Ordering::Relaxed);
}

/// One wait: `epoll_pwait2(epfd, events, maxevents, timeout, NULL)` with the timeout to the
/// nanosecond where the kernel has it (Linux 5.11+), otherwise `epoll_wait` through rustix
/// with the timeout rounded *up* to whole milliseconds, so that it is never shortened. One
/// system call in steady state: only the first timed wait of a process on a kernel without
/// `epoll_pwait2` makes two (the failed `epoll_pwait2`, then `epoll_pwait`).
///
/// A zero timeout and "block" (`None`) are exact in milliseconds (0 and -1), so they go
/// straight to `epoll_wait`, as CPython's `epoll.poll` does: the kernel then has no
/// timespec to copy in, and the busiest wait of an event loop, the non-blocking one, skips
/// the availability check.
///
/// `timeout` is a slice of [`WaitRule`] `crate::conv::NANOS_TIMESPEC` or `MILLIS_INT`, at
/// most the longest either allows; `None` blocks.
#[inline]
pub(crate) fn wait(
    epoll: BorrowedFd<'_>,
    events: &mut [epoll::Event],
    timeout: Option<Duration>,
) -> rustix::io::Result<usize> {
    if timeout.is_none_or(|slice| slice.is_zero()) {
        return epoll::wait(
            epoll,
            events,
            timeout.map(|_| rustix::event::Timespec { tv_sec: 0, tv_nsec: 0 }).as_ref(),
        );
    }
    let state = PWAIT2.load(Ordering::Relaxed);
    if state != UNAVAILABLE {
        match pwait2(epoll, events, timeout) {
            // A kernel before 5.11, or a seccomp profile that does not know the call.
            Err(Errno::NOSYS | Errno::PERM) => PWAIT2.store(UNAVAILABLE, Ordering::Relaxed),
            result => {
                if state == UNKNOWN && result.is_ok() {
                    PWAIT2.store(AVAILABLE, Ordering::Relaxed);
                }
                return result;
            }
        }
    }
    // rustix rounds a timespec *up* to whole milliseconds; only the longest slice of the
    // nanosecond rule (from the wait that found out) needs clamping to what an `int` holds.
    let millis =
        timeout.map(|slice| crate::conv::timespec(slice.min(WaitRule::MILLIS_INT.longest)));
    epoll::wait(epoll, events, millis.as_ref())
}

/// `epoll_pwait2(epfd, events, events.len(), timeout, NULL, 0)`.
#[inline(never)]
fn pwait2(
    epoll: BorrowedFd<'_>,
    events: &mut [epoll::Event],
    timeout: Option<Duration>,
) -> rustix::io::Result<usize> {
    let timespec = timeout.map(|timeout| KernelTimespec {
        // Slices are at most `NANOS_TIMESPEC.longest`, far below `i64::MAX` seconds.
        tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(timeout.subsec_nanos()),
    });
    let timespec_ptr = timespec.as_ref().map_or(std::ptr::null(), std::ptr::from_ref);
    // A length the kernel refuses (above `EP_MAX_EVENTS`) stays one it refuses with EINVAL.
    let maxevents = libc::c_int::try_from(events.len()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `epoll_pwait2` writes at most `maxevents` records into `events`, and
    // `maxevents` is at most `events.len()`: the slice is exclusively borrowed for the call,
    // and rustix's `epoll::Event` is `#[repr(C)]` (packed on x86-64) exactly as the kernel's
    // `struct epoll_event`, which is how rustix itself passes it. `timespec_ptr` is null or
    // points at a live `struct __kernel_timespec` that the kernel only reads. The signal
    // mask is null, so the kernel neither reads it nor looks at its size. The descriptor is
    // borrowed, so it stays open for the call (a wrong kind of descriptor is EINVAL).
    let result = unsafe {
        libc::syscall(
            libc::SYS_epoll_pwait2,
            epoll.as_raw_fd(),
            events.as_mut_ptr().cast::<libc::c_void>(),
            maxevents,
            timespec_ptr,
            std::ptr::null::<libc::c_void>(),
            0_usize,
        )
    };
    if result < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(Errno::from_raw_os_error(errno));
    }
    // Never more than `maxevents`, so it fits.
    Ok(usize::try_from(result).unwrap_or(0))
}

/// `epoll_ctl(epfd, EPOLL_CTL_DEL, fd)` for a bare descriptor number, which may be closed.
///
/// `fd` must not be negative (the caller checks).
pub(crate) fn delete_raw(epoll: BorrowedFd<'_>, fd: RawFd) -> rustix::io::Result<()> {
    debug_assert!(fd >= 0);
    // SAFETY: `borrow_raw` asks that `fd` be open for the borrow's lifetime, which a number the
    // caller may already have closed cannot promise. The borrow is sound to create anyway for
    // what is done with it: it never leaves this function, and `epoll_ctl` only looks the
    // number up in the descriptor table, failing with EBADF if it names nothing; no I/O is
    // done through it. `fd` is not -1, which `BorrowedFd` reserves.
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    epoll::delete(epoll, fd)
}

/// `close(fd)` — closes `fd` and reports the error of `close(2)`, if any.
///
/// [`OwnedFd`]'s `Drop` ignores that error; Python's `epoll.close()` raises it ([gh-146205](https://github.com/python/cpython/issues/146205)),
/// so [`Epoll::close`](crate::Epoll::close) goes through here. The descriptor is closed even
/// when an error is reported: Linux releases the descriptor number before it reports, for
/// example, `EIO` from a flush, and retrying would close a number another thread may
/// already have reused.
pub(crate) fn close(fd: OwnedFd) -> rustix::io::Result<()> {
    let raw = fd.into_raw_fd();
    // SAFETY: `raw` comes from `into_raw_fd` on an `OwnedFd` we owned, so it is an open
    // descriptor that nothing else in the process owns or borrows; `into_raw_fd` gave up
    // the ownership without closing, and `raw` is never used again after this call.
    unsafe { rustix::io::try_close(raw) }
}

/// The records one `epoll_wait(2)` fills: a fixed-length array of the kernel's own
/// `struct epoll_event`.
///
/// rustix's [`epoll::Event`] holds its user data in a union that may hold a pointer, so
/// it is neither `Send` nor `Sync`; a buffer of them could not travel to the thread that
/// waits. This wrapper restores both, see the `SAFETY` arguments below.
pub(crate) struct RawEvents(pub(crate) Box<[epoll::Event]>);

// SAFETY: `Send` is safe because this crate treats every record's data as a plain 64-bit
// integer: it stores integers (`EventData::new_u64` in `Epoll::register`/`modify` and in
// `RawEvents::zeroed`) and only ever reads `.u64()` back, never `.ptr()`. A record can hold
// bits another program stored as a pointer (an epoll adopted with `Epoll::from_fd` keeps its
// old registrations), but no pointer is ever formed from them, let alone dereferenced, so
// moving the records between threads moves integers only.
unsafe impl Send for RawEvents {}

// SAFETY: `Sync` is safe for the same reason as `Send` above: a shared reference only
// allows reading the records, and each record is two plain integers (the flags and a
// `u64`); the kernel writes the array only through an exclusive borrow, in `Epoll::poll`.
unsafe impl Sync for RawEvents {}

impl RawEvents {
    /// An array of `len` empty records (no flags, data 0). This is the only allocation an
    /// [`EpollEvents`](crate::EpollEvents) makes.
    ///
    /// # Errors
    ///
    /// Those of [`select_core::allocate_events`]: `len` above `INT_MAX` (the kernel keeps
    /// only the low 32 bits of `maxevents`, so a larger one is refused here, never
    /// truncated), or an allocation that fails.
    pub(crate) fn zeroed(len: usize) -> select_core::Result<RawEvents> {
        let empty =
            epoll::Event { flags: epoll::EventFlags::empty(), data: epoll::EventData::new_u64(0) };
        let records = select_core::allocate_events(
            "maxevents",
            len,
            empty,
            crate::MAX_MAXEVENTS,
            "a C int (2147483647)",
        )?;
        Ok(RawEvents(records.into_boxed_slice()))
    }
}

/// A global allocator for this crate's tests that counts, per thread, how many allocations
/// were made, so a test can prove that a wait allocates nothing.
#[cfg(all(test, repository_tests))]
pub(crate) mod allocations {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        /// Allocations made by this thread. A `const`-initialised `Cell` without a
        /// destructor, so reading and bumping it never allocates.
        static COUNT: Cell<usize> = const { Cell::new(0) };
    }

    /// The system allocator, counting.
    struct Counting;

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// Counts one allocation on this thread (nothing once the thread is being torn down).
    fn bump() {
        let _ = COUNT.try_with(|count| count.set(count.get() + 1));
    }

    /// How many allocations this thread has made so far.
    pub(crate) fn count() -> usize {
        COUNT.try_with(Cell::get).unwrap_or(0)
    }

    // SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
    // `System` upholds `GlobalAlloc`'s contract for us; the added counting touches only a
    // thread-local `Cell`, which neither allocates nor unwinds.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            bump();
            // SAFETY: the caller's guarantees for `alloc` are passed on unchanged.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            bump();
            // SAFETY: the caller's guarantees for `alloc_zeroed` are passed on unchanged.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            bump();
            // SAFETY: the caller's guarantees for `realloc` are passed on unchanged; `ptr` was
            // allocated by `System` through this allocator.
            unsafe { System.realloc(ptr, layout, new_size) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller's guarantees for `dealloc` are passed on unchanged; `ptr` was
            // allocated by `System` through this allocator.
            unsafe { System.dealloc(ptr, layout) }
        }
    }
}
