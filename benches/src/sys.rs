//! The two calls the benches make that are `unsafe`: raw `select(2)` and polling's `add`.
#![allow(unsafe_code)]

use std::io;
use std::marker::PhantomData;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

use rustix::event::{FdSetElement, FdSetIter, fd_set_bound, fd_set_insert, fd_set_num_elements};

use crate::{Kind, Row, Subject, Timeout};

/// `polling::Poller::add_with_mode(fd, Event::readable(key), PollMode::Level)`.
///
/// # Errors
///
/// The `epoll_ctl(2)` (or `kevent(2)`) error.
pub(crate) fn polling_add_level(
    poller: &polling::Poller,
    fd: BorrowedFd<'_>,
    key: usize,
) -> io::Result<()> {
    // SAFETY: polling requires the source to be deleted from the poller before it is closed.
    // The only caller is `PollingRow::add`, whose row borrows every descriptor it registers
    // for its lifetime `'fd`, so the poller (and with it every registration) is dropped before
    // any registered descriptor can be closed.
    unsafe {
        poller.add_with_mode(
            fd.as_raw_fd(),
            polling::Event::readable(key),
            polling::PollMode::Level,
        )
    }
}

/// `select(2)` through rustix, copying a preallocated `fd_set` before each call: the limit for
/// select.
#[derive(Debug)]
pub struct RawSelect;

/// The row of [`RawSelect`]: the registered set, the set the kernel overwrites, and `nfds`.
pub struct RawSelectRow<'fd> {
    registered: Vec<FdSetElement>,
    ready: Vec<FdSetElement>,
    nfds: RawFd,
    // Every descriptor in `registered` is borrowed for `'fd`, so it stays open while the row
    // exists: that is what `select`'s safety rule asks.
    fds: PhantomData<BorrowedFd<'fd>>,
}

impl std::fmt::Debug for RawSelectRow<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSelectRow").field("nfds", &self.nfds).finish_non_exhaustive()
    }
}

/// `FD_SETSIZE` as a descriptor number.
const SETSIZE: RawFd = {
    assert!(libc::FD_SETSIZE <= 1 << 20);
    #[expect(clippy::cast_possible_truncation, clippy::cast_possible_wrap, reason = "asserted")]
    let size = libc::FD_SETSIZE as RawFd;
    size
};

impl Subject for RawSelect {
    const NAME: &'static str = "raw-select";
    const KIND: Kind = Kind::Raw;
    const MECHANISM: &'static str = "select";
    const FD_LIMIT: Option<usize> = Some(libc::FD_SETSIZE);
    type Row<'fd> = RawSelectRow<'fd>;

    fn open<'fd>() -> io::Result<Self::Row<'fd>> {
        let len = fd_set_num_elements(1, SETSIZE);
        Ok(RawSelectRow {
            registered: vec![FdSetElement::default(); len],
            ready: vec![FdSetElement::default(); len],
            nfds: 0,
            fds: PhantomData,
        })
    }
}

impl<'fd> Row<'fd> for RawSelectRow<'fd> {
    fn add(&mut self, fd: BorrowedFd<'fd>) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        if raw >= SETSIZE {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        fd_set_insert(&mut self.registered, raw);
        self.nfds = self.nfds.max(raw + 1);
        Ok(())
    }

    fn delete(&mut self, fd: BorrowedFd<'fd>) -> io::Result<()> {
        rustix::event::fd_set_remove(&mut self.registered, fd.as_raw_fd());
        self.nfds = fd_set_bound(&self.registered);
        Ok(())
    }

    #[inline]
    fn wait<F: FnMut(RawFd)>(&mut self, timeout: Timeout, mut on_ready: F) -> io::Result<usize> {
        // Copy only the words that `nfds` covers, as a careful caller would.
        let words = fd_set_num_elements(1, self.nfds).min(self.ready.len());
        self.ready[..words].copy_from_slice(&self.registered[..words]);
        // SAFETY: every descriptor in the set was added through `add`, which borrows it for
        // `'fd`, and `'fd` outlives this row, so each one is open.
        let n = unsafe {
            rustix::event::select(
                self.nfds,
                Some(&mut self.ready[..words]),
                None,
                None,
                timeout.timespec().as_ref(),
            )?
        };
        if n > 0 {
            for fd in FdSetIter::new(&self.ready[..words]) {
                on_ready(fd);
            }
        }
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

/// A global allocator that counts the allocations each thread makes, for the zero-allocation
/// test: install it with `#[global_allocator]` in a test binary and read
/// [`allocations`](CountingAllocator::allocations) before and after the code under test.
///
/// Counting per thread keeps tests that run in parallel from seeing each other's allocations.
#[derive(Debug)]
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

impl CountingAllocator {
    /// How many allocations and reallocations the calling thread has made so far.
    #[must_use]
    pub fn allocations() -> u64 {
        ALLOCATIONS.try_with(std::cell::Cell::get).unwrap_or(0)
    }

    fn count() {
        // During thread teardown the counter may be gone; such allocations are not ours.
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
    }
}

// SAFETY: every method forwards to the system allocator with the caller's arguments unchanged,
// so the system allocator's guarantees are ours; counting touches only a thread-local `Cell`
// that needs no allocation (it is const-initialised and has no destructor).
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract, which `System`
        // shares.
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from `System` through this allocator with this `layout`.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        Self::count();
        // SAFETY: `ptr` came from `System` through this allocator with this `layout`, and the
        // caller upholds `GlobalAlloc::realloc`'s contract for `new_size`.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}
