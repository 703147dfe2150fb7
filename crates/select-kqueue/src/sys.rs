//! The crate's only `unsafe` code: the `kevent(2)` call, the native record's thread safety,
//! `close(2)` with its error, the fork handler that invalidates kqueues in a child, and
//! NetBSD's `kqueue1`.
//!
//! `kevent` is the `libc` crate's binding. On NetBSD that links `__kevent50`, the entry point
//! for the 40-byte `struct kevent` of NetBSD 5 to 10. NetBSD 11 added `uint64_t ext[4]` to
//! the record (72 bytes) and renamed the current entry point `__kevent100`; `__kevent50`
//! stays as a compatibility path that converts every change and event between the two
//! layouts (a copy per call, `sys/compat/sys/event.h`). The crate keeps `__kevent50`: it is
//! the only entry point every supported NetBSD release (9, 10 and 11) has, and the Rust target
//! does not tell NetBSD 10 from 11, so a binary linked against `__kevent100` would not load
//! on NetBSD 10. The cost is that copy on NetBSD 11.
//!
//! `kevent` is called through `libc` rather than rustix's `event::kqueue::kevent`: rustix's
//! `Event` can only be built from its typed `EventFilter` (it cannot hold an arbitrary
//! record, such as `EVFILT_EXCEPT` or the receipts of `EV_RECEIPT`), and its layout is not a
//! public guarantee, so a slice of this crate's records could not soundly be handed to it.
#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, BorrowedFd, IntoRawFd, OwnedFd};
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

/// [`FORK_HANDLER`]: the `pthread_atfork` handler was not tried yet.
const HANDLER_UNTRIED: u64 = 0;
/// [`FORK_HANDLER`]: the handler is installed; generations come from [`FORK_GENERATION`].
const HANDLER_INSTALLED: u64 = 1;
/// [`FORK_HANDLER`]: installing failed (or was cut short by a `fork`); generations come
/// from the process id.
const HANDLER_FAILED: u64 = 2;
/// [`FORK_HANDLER`]: low bits of "being installed by the process whose id is in the high
/// bits".
const HANDLER_INSTALLING: u64 = 3;

/// Whether the `pthread_atfork` handler is installed: one of the `HANDLER_*` states, or
/// `pid << 2 | HANDLER_INSTALLING` while a thread of process `pid` installs it.
///
/// A plain atomic rather than a `OnceLock`, so that a process forked while another thread
/// installs the handler does not wait forever for an installer that does not exist in the
/// child: the child sees a foreign process id in the state and falls back to process ids.
static FORK_HANDLER: AtomicU64 = AtomicU64::new(HANDLER_UNTRIED);

/// The `pthread_atfork` child handler: runs in the child right after `fork()`, before it
/// returns there. An atomic add is async-signal-safe, as a child handler must be.
extern "C" fn after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// The calling process's id.
fn pid() -> u64 {
    u64::from(rustix::process::getpid().as_raw_nonzero().get().unsigned_abs())
}

/// `pthread_atfork(NULL, NULL, after_fork_in_child)` — once per process; returns whether
/// the handler is installed.
///
/// The thread that moves the state out of `HANDLER_UNTRIED` installs the handler; others
/// spin until it is done (a few microseconds, once per process). A spinning thread that
/// finds the installer's process id differs from its own runs in a child forked during the
/// installation, whose installer thread was not copied: it settles for process ids. That
/// is correct whether or not the handler got installed before the fork, and no kqueue of
/// the child can hold a counter generation, since none was created before the state said
/// `HANDLER_INSTALLED`.
fn fork_handler_installed() -> bool {
    loop {
        let state = FORK_HANDLER.load(Ordering::Acquire);
        match state {
            HANDLER_INSTALLED => return true,
            HANDLER_FAILED => return false,
            HANDLER_UNTRIED => {
                let installing = (pid() << 2) | HANDLER_INSTALLING;
                if FORK_HANDLER
                    .compare_exchange(state, installing, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    continue;
                }
                // SAFETY: the handler is a plain `extern "C" fn()` with no preconditions that
                // only touches a static atomic, so it is sound to run in the child at any
                // fork; the other two handlers are absent (null).
                let rc = unsafe { libc::pthread_atfork(None, None, Some(after_fork_in_child)) };
                let done = if rc == 0 { HANDLER_INSTALLED } else { HANDLER_FAILED };
                FORK_HANDLER.store(done, Ordering::Release);
                return rc == 0;
            }
            installing if installing >> 2 != pid() => {
                // Forked while the parent installed it; only one thread of the child can
                // win this exchange, and any outcome is `HANDLER_FAILED`.
                let _ = FORK_HANDLER.compare_exchange(
                    state,
                    HANDLER_FAILED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
            }
            _ => std::thread::yield_now(),
        }
    }
}

/// Which process a kqueue was created in: the fork generation, one relaxed atomic load.
///
/// The first call installs the `pthread_atfork` handler. In the rare case that fails
/// (`ENOMEM`, or a `fork` while another thread installed it), the generation falls back to
/// the process id (with the top bit set so the two kinds never compare equal), which costs a
/// `getpid` per check but stays correct.
pub(crate) fn process_generation() -> u64 {
    if fork_handler_installed() {
        FORK_GENERATION.load(Ordering::Relaxed)
    } else {
        (1 << 63) | pid()
    }
}

/// `kqueue1(O_CLOEXEC)` — creates a kqueue that is close-on-exec from the start (NetBSD,
/// the one system where the `libc` crate binds an atomic variant).
#[cfg(netbsd)]
pub(crate) fn kqueue_cloexec() -> Result<OwnedFd, Errno> {
    use std::os::fd::FromRawFd;

    // SAFETY: `kqueue1` takes a flag word and has no memory preconditions.
    let fd = unsafe { libc::kqueue1(libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(Errno::from_io_error(&std::io::Error::last_os_error()).unwrap_or(Errno::IO));
    }
    // SAFETY: `fd` was just returned by `kqueue1`, so it is open and owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `kqueue()` — on Apple's systems the kernel creates every kqueue close-on-exec itself
/// (XNU `kern_event.c`, `kqueue_body`: `*fdflags(p, fd) |= UF_EXCLOSE` under the descriptor
/// table lock, before the number is published), so no `fcntl` is needed and there is no
/// window in which a concurrent `fork` + `exec` could inherit it.
#[cfg(apple)]
pub(crate) fn kqueue_cloexec() -> Result<OwnedFd, Errno> {
    rustix::event::kqueue::kqueue()
}

/// `kqueue()` then `fcntl(fd, F_SETFD, FD_CLOEXEC)` — creates a kqueue and makes it
/// close-on-exec right after, as CPython does.
///
/// FreeBSD 14 has `kqueuex(KQUEUE_CLOEXEC)` and `kqueue1(O_CLOEXEC)`, OpenBSD 7.4 and later
/// `kqueue1(O_CLOEXEC)`, but the `libc` crate binds neither for them (and FreeBSD 13 lacks
/// both), DragonFly BSD has no atomic variant: here a concurrent `fork` + `exec` in another
/// thread could inherit the descriptor between the two calls. (A kqueue is not inherited by
/// `fork` itself, so only that window matters.)
#[cfg(not(any(netbsd, apple)))]
pub(crate) fn kqueue_cloexec() -> Result<OwnedFd, Errno> {
    let fd = rustix::event::kqueue::kqueue()?;
    rustix::io::fcntl_setfd(&fd, rustix::io::FdFlags::CLOEXEC)?;
    Ok(fd)
}

/// `fork()`, runs `child` in the child and `_exit`s with 0 if it returned `true` (1 if it
/// returned `false` or panicked); returns in the parent whether the child exited with 0.
///
/// `child` runs in a copy of a multithreaded process, so it must use only async-signal-safe
/// operations (atomics, system calls; no allocation, no locks) on its success path.
#[cfg(all(test, repository_tests))]
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
    if pid < 0 {
        // `fork` failed; -1 must not reach `waitpid`, where it means "any child".
        return Err(Errno::from_io_error(&std::io::Error::last_os_error()).unwrap_or(Errno::IO));
    }
    let pid = Pid::from_raw(pid).ok_or(Errno::CHILD)?;
    loop {
        match waitpid(Some(pid), WaitOptions::empty()) {
            Err(Errno::INTR) => {}
            Err(errno) => return Err(errno),
            Ok(None) => return Err(Errno::CHILD),
            Ok(Some((_, status))) => return Ok(status.exit_status() == Some(0)),
        }
    }
}
