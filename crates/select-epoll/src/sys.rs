//! The places rustix cannot make safe for us: reporting `close(2)` errors and sharing an
//! event buffer between threads (and, in tests only, a counting global allocator).
#![allow(unsafe_code)]

use std::os::fd::{BorrowedFd, IntoRawFd, OwnedFd, RawFd};

use rustix::event::epoll;

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
/// [`OwnedFd`]'s `Drop` ignores that error; Python's `epoll.close()` raises it (gh-146205),
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
