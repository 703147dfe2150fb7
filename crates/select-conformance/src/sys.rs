//! The few raw calls the suite needs and rustix does not offer: `sigaction`, `pthread_kill`,
//! and borrowing a descriptor number that may not be open.
#![allow(unsafe_code)]

use std::io;
use std::marker::PhantomData;
use std::os::fd::{BorrowedFd, RawFd};
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The signal the suite interrupts waits with. `SIGUSR2` is otherwise unused by the Rust
/// runtime and by the test harness.
pub(crate) const INTERRUPT_SIGNAL: libc::c_int = libc::SIGUSR2;

/// How many times the handler ran, process-wide.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);

/// The handler: it only counts, which is async-signal-safe (one atomic add).
extern "C" fn on_signal(_signal: libc::c_int) {
    RECEIVED.fetch_add(1, Ordering::Relaxed);
}

/// How many times the interrupt signal has been handled in this process.
pub(crate) fn signals_received() -> usize {
    RECEIVED.load(Ordering::Relaxed)
}

/// Installs [`on_signal`] for [`INTERRUPT_SIGNAL`] once per process, without `SA_RESTART`, so
/// a blocked `poll`, `epoll_wait`, `select`, `kevent` or `ioctl(DP_POLL)` fails with `EINTR`
/// instead of being restarted by the kernel.
pub(crate) fn install_handler() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: `sigaction` is a plain C struct for which all-zero bytes are a valid value
        // (no handler, no flags, an empty mask on every libc we target); every field that
        // matters is set below.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // No SA_RESTART and no SA_SIGINFO: the handler takes one argument, and interrupted
        // system calls must fail with EINTR.
        action.sa_flags = 0;
        // SAFETY: `action.sa_mask` is a valid, writable `sigset_t` owned by this frame.
        let emptied = unsafe { libc::sigemptyset(&raw mut action.sa_mask) };
        assert_eq!(emptied, 0, "sigemptyset failed: {}", io::Error::last_os_error());
        // SAFETY: `action` is fully initialised, its handler is an `extern "C" fn(c_int)` that
        // only performs an atomic add (async-signal-safe), and passing a null old-action
        // pointer is allowed.
        let installed =
            unsafe { libc::sigaction(INTERRUPT_SIGNAL, &raw const action, std::ptr::null_mut()) };
        assert_eq!(installed, 0, "sigaction failed: {}", io::Error::last_os_error());
    });
}

/// A `pthread_t` that may be carried to the signalling thread.
#[derive(Copy, Clone, Debug)]
struct Thread(libc::pthread_t);

// SAFETY: a `pthread_t` is an opaque identifier (an integer on Linux and the BSDs, a pointer
// on Apple platforms) that `pthread_kill` accepts from any thread; Rust code never
// dereferences it. `Signaller` keeps the thread it names alive and unjoined while the value
// is in use.
unsafe impl Send for Thread {}

/// A thread that sends [`INTERRUPT_SIGNAL`] to one target thread every period until dropped.
///
/// The target stays valid by construction: [`Signaller::current`] targets the calling thread
/// and is not `Send`, so it is dropped (and its sending thread joined) on the target while the
/// target runs; [`Signaller::thread`] borrows the target's `JoinHandle`, so the target cannot
/// be joined (which would free its `pthread_t`) before the sending thread is joined.
#[derive(Debug)]
pub(crate) struct Signaller<'a> {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
    sender: Option<JoinHandle<()>>,
    // The borrow of the target's JoinHandle, and `!Send` through the raw pointer.
    _target: PhantomData<(&'a (), *const ())>,
}

impl Signaller<'static> {
    /// Signals the calling thread.
    pub(crate) fn current(period: Duration) -> Signaller<'static> {
        // SAFETY: `pthread_self` has no preconditions and cannot fail.
        let me = unsafe { libc::pthread_self() };
        Signaller::start(Thread(me), period)
    }
}

impl<'a> Signaller<'a> {
    /// Signals the thread of `target`.
    pub(crate) fn thread<T>(target: &'a JoinHandle<T>, period: Duration) -> Signaller<'a> {
        #[allow(
            clippy::unnecessary_cast,
            reason = "std's RawPthread is an integer; libc's pthread_t is the same integer on most \
                      targets and a pointer on musl, so the cast is needed only there"
        )]
        let thread = target.as_pthread_t() as libc::pthread_t;
        Signaller::start(Thread(thread), period)
    }

    fn start(target: Thread, period: Duration) -> Signaller<'a> {
        install_handler();
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let sender = {
            let stop = Arc::clone(&stop);
            let sent = Arc::clone(&sent);
            thread::Builder::new()
                .name("select-conformance-interrupter".into())
                .spawn(move || {
                    // Moves the whole `Send` wrapper in, not just its (pointer) field.
                    let target = target;
                    while !stop.load(Ordering::Acquire) {
                        // SAFETY: `target` names a thread that is not joined yet: either the
                        // thread that owns this non-`Send` Signaller, which is alive until it
                        // drops it, or a thread whose JoinHandle the Signaller borrows. `Drop`
                        // joins this loop before either guarantee ends.
                        let status = unsafe { libc::pthread_kill(target.0, INTERRUPT_SIGNAL) };
                        // A non-zero status (ESRCH) means the target has exited: nothing is
                        // left to interrupt.
                        if status != 0 {
                            break;
                        }
                        sent.fetch_add(1, Ordering::Relaxed);
                        thread::sleep(period);
                    }
                })
                .expect("spawning the interrupting thread")
        };
        Signaller { stop, sent, sender: Some(sender), _target: PhantomData }
    }

    /// How many signals were sent so far.
    pub(crate) fn sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }
}

impl Drop for Signaller<'_> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(sender) = self.sender.take() {
            // The loop cannot panic; a join error would only repeat a panic already printed.
            let _ = sender.join();
        }
    }
}

/// `BorrowedFd::borrow_raw(fd)` for any non-negative number, open or not.
///
/// The result is only ever handed to the kernel, which answers `EBADF` for a number that is
/// not open, or acts on whatever the number now names; the suite uses it exactly to test
/// those answers.
pub(crate) fn borrow_raw(fd: RawFd) -> BorrowedFd<'static> {
    assert!(fd >= 0, "borrow_raw needs a non-negative descriptor number, got {fd}");
    // SAFETY: `fd` is not -1 (checked above), which is the only validity requirement of the
    // value itself. The I/O-safety requirement that it stays open is knowingly not met: the
    // suite passes closed or reused numbers to the kernel on purpose, never reads or closes
    // through them, and the kernel validates every number it is given.
    unsafe { BorrowedFd::borrow_raw(fd) }
}
