//! The crate's only `unsafe` code: the `kevent(2)` call, the native record's thread safety,
//! `close(2)` with its error, and the fork handler that invalidates kqueues in a child.
//!
//! `kevent` is called through `libc` rather than rustix's `event::kqueue::kevent`: rustix's
//! `Event` can only be built from its typed `EventFilter` (it cannot hold an arbitrary
//! record, such as `EVFILT_EXCEPT` or the receipts of `EV_RECEIPT`), and its layout is not a
//! public guarantee, so a slice of this crate's records could not soundly be handed to it.
#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, BorrowedFd, IntoRawFd, OwnedFd};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::io::Errno;

use crate::KEvent;
use crate::conv::MAX_RECORDS;

/// One `struct kevent`, exactly as the target's libc lays it out.
#[repr(transparent)]
#[derive(Copy, Clone)]
pub(crate) struct Record(pub(crate) libc::kevent);

// SAFETY: `struct kevent` is integers plus `udata`, a pointer-sized value that the kernel and
// this crate only copy and compare, never dereference, so sending a record to another thread
// cannot create shared access to anything.
unsafe impl Send for Record {}

// SAFETY: as for `Send`: `&Record` only reads integers and the never-dereferenced `udata`.
unsafe impl Sync for Record {}

impl Record {
    /// A record with every field zero (ident 0, filter 0, no flags, null `udata`).
    pub(crate) fn zeroed() -> Record {
        // SAFETY: every field of `struct kevent` on every kqueue system (integers, a `void *`
        // that may be null, FreeBSD's `uint64_t ext[4]`) is valid as all-zero bytes.
        Record(unsafe { std::mem::zeroed() })
    }
}

/// `kevent(kq, changes, nchanges, events, nevents, timeout)` — applies `changes` in order,
/// then stores up to `events.len()` events (or receipts) and returns how many.
///
/// `timeout` `None` blocks; a zero timespec polls. At most `INT_MAX` records of each list are
/// passed; callers reject longer changelists first.
///
/// This wrapper is safe, unlike rustix's `kevent`, for the reason in the `SAFETY` comment
/// below: the kernel validates every ident and drops a descriptor's registrations when it is
/// closed, so no registration can outlive or misattribute a descriptor.
#[allow(
    clippy::useless_conversion,
    reason = "NetBSD takes size_t counts (a no-op conversion there), the others int"
)]
pub(crate) fn kevent(
    kq: BorrowedFd<'_>,
    changes: &[KEvent],
    events: &mut [KEvent],
    timeout: Option<&libc::timespec>,
) -> Result<usize, Errno> {
    // NetBSD takes `size_t` counts and the others `int`; `try_into` picks the right one.
    let nchanges = changes.len().try_into().map_err(|_| Errno::INVAL)?;
    let nevents = events.len().min(MAX_RECORDS).try_into().map_err(|_| Errno::INVAL)?;
    let changelist = changes.as_ptr().cast::<libc::kevent>();
    let eventlist = events.as_mut_ptr().cast::<libc::kevent>();
    let timeout = timeout.map_or(std::ptr::null(), std::ptr::from_ref);
    // SAFETY: memory: `KEvent` is `repr(transparent)` over `Record`, which is
    // `repr(transparent)` over `libc::kevent`, so `changelist` points to `nchanges` readable
    // records and `eventlist` to at least `nevents` (≤ `events.len()`) writable ones, into
    // which the kernel writes whole records, valid for any bytes (`Record::zeroed`'s
    // argument); `timeout` is null or points to a timespec that outlives the call; `kq` is a
    // descriptor borrowed for the call. I/O safety (why rustix marks its `kevent` unsafe):
    // registrations name descriptors by number, but the kernel checks each one (`EBADF` for
    // a number that is not open) and removes every registration of a descriptor when it is
    // closed (kqueue(2): "Calling close() on a file descriptor will remove any kevents that
    // reference the descriptor"), so a registration never outlives its descriptor or
    // attaches to a later reuse of its number; and kevent only observes descriptors, it
    // never reads, writes or closes them.
    let n =
        unsafe { libc::kevent(kq.as_raw_fd(), changelist, nchanges, eventlist, nevents, timeout) };
    usize::try_from(n)
        .map_err(|_| Errno::from_io_error(&std::io::Error::last_os_error()).unwrap_or(Errno::IO))
}

/// `close(fd)` — closes `fd` and reports the error of `close(2)`, which dropping an `OwnedFd`
/// ignores. The descriptor is closed (its number released) even when an error is returned.
pub(crate) fn close(fd: OwnedFd) -> Result<(), Errno> {
    let raw = fd.into_raw_fd();
    // SAFETY: `raw` comes from an `OwnedFd` consumed just above, so it is open and nothing
    // else owns or closes it; it is not used after this call.
    unsafe { rustix::io::try_close(raw) }
}

/// Bumped in a forked child by the `pthread_atfork` child handler.
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Whether the `pthread_atfork` handler was installed (`None`: not tried yet).
static FORK_HANDLER: OnceLock<bool> = OnceLock::new();

/// The `pthread_atfork` child handler: runs in the child right after `fork()`, before it
/// returns there. An atomic add is async-signal-safe, as a child handler must be.
extern "C" fn after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// `pthread_atfork(NULL, NULL, after_fork_in_child)` — once per process.
fn fork_handler_installed() -> bool {
    *FORK_HANDLER.get_or_init(|| {
        // SAFETY: the handler is a plain `extern "C" fn()` with no preconditions that only
        // touches a static atomic, so it is sound to run in the child at any fork; the other
        // two handlers are absent (null).
        let rc = unsafe { libc::pthread_atfork(None, None, Some(after_fork_in_child)) };
        rc == 0
    })
}

/// Which process a kqueue was created in: the fork generation, one relaxed atomic load.
///
/// The first call installs the `pthread_atfork` handler. In the rare case that fails
/// (`ENOMEM`), the generation falls back to the process id (with the top bit set so the
/// two kinds never compare equal), which costs a `getpid` per check but stays correct.
pub(crate) fn process_generation() -> u64 {
    if fork_handler_installed() {
        FORK_GENERATION.load(Ordering::Relaxed)
    } else {
        let pid = rustix::process::getpid().as_raw_nonzero().get().unsigned_abs();
        (1 << 63) | u64::from(pid)
    }
}

/// `fork()`, runs `child` in the child and `_exit`s with 0 if it returned `true` (1 if it
/// returned `false` or panicked); returns in the parent whether the child exited with 0.
///
/// `child` runs in a copy of a multithreaded process, so it must use only async-signal-safe
/// operations (atomics, system calls; no allocation, no locks) on its success path.
#[cfg(test)]
pub(crate) fn in_forked_child(child: impl FnOnce() -> bool) -> Result<bool, Errno> {
    use rustix::process::{Pid, WaitOptions, waitpid};

    // SAFETY: the child runs only `child`, which callers restrict to async-signal-safe
    // operations, then `_exit`s without running destructors, atexit handlers or the test
    // harness; the parent continues normally.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(false);
        // SAFETY: `_exit` ends the child at once; it is async-signal-safe.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) }
    }
    let pid = Pid::from_raw(pid).ok_or_else(|| {
        Errno::from_io_error(&std::io::Error::last_os_error()).unwrap_or(Errno::IO)
    })?;
    loop {
        match waitpid(Some(pid), WaitOptions::empty()) {
            Err(Errno::INTR) => {}
            Err(errno) => return Err(errno),
            Ok(None) => return Err(Errno::CHILD),
            Ok(Some((_, status))) => return Ok(status.exit_status() == Some(0)),
        }
    }
}
