//! Waits seen from outside: how many system calls a wait makes, the clamp path, "not late"
//! beside "not early", two waiters at once, descriptor 0, and `EXCLUSIVE` reaching the kernel.
//!
//! System calls are counted through select-core's seam ([`timeout::calls_made`]), which
//! every backend's wait goes through, so no `strace` is needed; the clamp is shortened with
//! [`timeout::with_longest_slice`].

use std::os::fd::{AsFd, AsRawFd};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use select_core::{Backend, Capabilities, Errno, Error, EventBuffer, Interest, timeout};

use crate::scenarios::{EVENTUALLY, new_backend, pair, register, wait};
use crate::support;

/// A bound no healthy wait comes near, even on a loaded machine: a 200 ms wait that takes
/// this long is late.
const LATE: Duration = Duration::from_secs(2);

/// A wait with a non-zero timeout and nothing ready is one system call, whatever the
/// granularity: a 1.5 ms wait rounded to whole milliseconds is one 2 ms call, never a 1 ms
/// call followed by another. A zero timeout is one call too, and a ready descriptor is
/// reported by one call.
pub fn one_call_per_wait<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE);
    let mut events = B::Events::with_capacity(8);
    // The x.9 ms values leave 0.9 ms after a call rounded down to whole milliseconds, so a
    // backend that rounds down makes a second call unless every call overran by that much.
    let timeouts = [1_500_000, 1_900_000, 4_900_000, 9_900_000, 1, 999_999, 1_000_001, 0];
    for timeout in timeouts.map(Duration::from_nanos) {
        let before = timeout::calls_made();
        let started = Instant::now();
        let count = backend
            .wait(&mut events, Some(timeout))
            .unwrap_or_else(|error| panic!("{}: wait({timeout:?}) failed: {error}", B::NAME));
        let calls = timeout::calls_made() - before;
        assert_eq!(count, 0, "{}", B::NAME);
        assert!(started.elapsed() >= timeout, "{}: early", B::NAME);
        assert_eq!(calls, 1, "{}: wait({timeout:?}) made {calls} system calls, not one", B::NAME);
    }
    support::write_all(&b, b"x").unwrap();
    let before = timeout::calls_made();
    let count = backend.wait(&mut events, Some(EVENTUALLY)).unwrap();
    assert_eq!((count, timeout::calls_made() - before), (1, 1), "{}", B::NAME);
}

/// A wait longer than one system call can take is split into calls of at most the clamp,
/// waits its whole timeout and returns: shortened through select-core's seam to 20 ms, a
/// 100 ms wait makes several calls, is never early and never "forever" (a wait that does not
/// return within 4 s fails the scenario).
pub fn clamped_waits_are_split<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE);
    let timeout = Duration::from_millis(100);
    let (count, calls, elapsed) = thread::scope(|scope| {
        let (done, finished) = mpsc::channel();
        let shared = &backend;
        scope.spawn(move || {
            timeout::with_longest_slice(Duration::from_millis(20), || {
                let mut events = B::Events::with_capacity(8);
                let before = timeout::calls_made();
                let started = Instant::now();
                let count = shared.wait(&mut events, Some(timeout)).unwrap();
                let _ = done.send((count, timeout::calls_made() - before, started.elapsed()));
            });
        });
        let outcome = finished.recv_timeout(LATE * 2);
        if outcome.is_err() {
            // Release a wait that became "forever", so the scope ends and the test fails.
            support::write_all(&b, b"x").unwrap();
        }
        outcome.unwrap_or_else(|_| panic!("{}: a clamped 100 ms wait did not return", B::NAME))
    });
    assert_eq!(count, 0, "{}", B::NAME);
    assert!(elapsed >= timeout, "{}: a split wait returned early, after {elapsed:?}", B::NAME);
    assert!(elapsed < LATE, "{}: a split wait took {elapsed:?}", B::NAME);
    // At least two calls: the clamp split the wait (five when each call lasts its 20 ms, fewer
    // on a loaded machine where calls overrun).
    assert!(calls >= 2, "{}: a 100 ms wait clamped at 20 ms made {calls} calls", B::NAME);
    // An event during a split wait ends it.
    let events = thread::scope(|scope| {
        scope.spawn(|| {
            thread::sleep(Duration::from_millis(50));
            support::write_all(&b, b"x").unwrap();
        });
        timeout::with_longest_slice(Duration::from_millis(20), || {
            wait(&backend, 8, Some(EVENTUALLY))
        })
    });
    assert_eq!(events.len(), 1, "{}: {events:?}", B::NAME);
}

/// Not early and not late: a 200 ms wait with nothing ready returns after 200 ms and within
/// 2 s (a slice turned into "forever", or a lost wake-up, fails here in seconds).
pub fn not_early_not_late<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    register(&backend, &a, Interest::READABLE);
    let timeout = Duration::from_millis(200);
    let started = Instant::now();
    let events = wait(&backend, 8, Some(timeout));
    let elapsed = started.elapsed();
    assert!(events.is_empty(), "{}: {events:?}", B::NAME);
    assert!(elapsed >= timeout, "{}: returned early, after {elapsed:?}", B::NAME);
    assert!(elapsed < LATE, "{}: returned late, after {elapsed:?}", B::NAME);
}

/// On a [`Capabilities::CONCURRENT_WAITS`] backend, a second thread's wait is served while
/// the first is blocked: waits are not serialised behind a lock. Fails within seconds (the
/// blocked waiter is released either way, so a broken backend cannot hang the suite).
pub fn two_waiters_at_once<B: Backend>() {
    if !B::CAPABILITIES.contains(Capabilities::CONCURRENT_WAITS) {
        return;
    }
    let backend = new_backend::<B>();
    let (idle, idle_peer) = pair();
    let (ready, ready_peer) = pair();
    register(&backend, &idle, Interest::READABLE);
    thread::scope(|scope| {
        let blocked = scope.spawn(|| wait(&backend, 8, None));
        // Let the first waiter block (if it has not yet, the second wait is still concurrent
        // with it for most of its time).
        thread::sleep(Duration::from_millis(50));
        let (done, second) = mpsc::channel();
        let shared = &backend;
        scope.spawn(move || {
            let started = Instant::now();
            let timed_out = wait(shared, 8, Some(Duration::from_millis(100)));
            let _ = done.send((timed_out, started.elapsed()));
        });
        let outcome = second.recv_timeout(Duration::from_secs(5));
        // Release the first waiter whatever happened, so the scope ends.
        support::write_all(&idle_peer, b"x").unwrap();
        let (timed_out, elapsed) = outcome.unwrap_or_else(|_| {
            panic!("{}: a second wait was not served while another thread waited", B::NAME)
        });
        assert!(timed_out.is_empty(), "{}: {timed_out:?}", B::NAME);
        assert!(elapsed < LATE, "{}: the second wait took {elapsed:?}", B::NAME);
        let first = blocked.join().unwrap();
        assert_eq!(first.len(), 1, "{}: {first:?}", B::NAME);
        assert_eq!(first[0].fd(), idle.as_raw_fd(), "{}", B::NAME);
    });
    // Both served by one readiness: two blocked waiters, one descriptor made ready.
    support::drain(&idle).unwrap();
    register(&backend, &ready, Interest::READABLE);
    thread::scope(|scope| {
        let waiters: Vec<_> =
            (0..2).map(|_| scope.spawn(|| wait(&backend, 8, Some(EVENTUALLY)))).collect();
        thread::sleep(Duration::from_millis(50));
        support::write_all(&ready_peer, b"x").unwrap();
        for waiter in waiters {
            let events = waiter.join().unwrap();
            assert_eq!(events.len(), 1, "{}: a waiter was not served: {events:?}", B::NAME);
        }
    });
}

/// A registered descriptor numbered 0 is reported like any other (a backend that used 0 as
/// "no descriptor" would drop its events). Run in the scenario's own child process: the
/// child's standard input is moved aside, a socket takes number 0, and standard input is put
/// back afterwards.
pub fn descriptor_zero<B: Backend>() {
    let saved = rustix::io::fcntl_dupfd_cloexec(rustix::stdio::stdin(), 3).expect("dup stdin");
    let (a, b) = pair();
    rustix::stdio::dup2_stdin(&a).expect("dup2 onto descriptor 0");
    drop(a);
    let zero = rustix::stdio::stdin();
    assert_eq!(zero.as_raw_fd(), 0);
    let backend = new_backend::<B>();
    register(&backend, zero, Interest::READABLE | Interest::WRITABLE);
    let events = wait(&backend, 8, Some(EVENTUALLY));
    assert_eq!(events.len(), 1, "{}: descriptor 0 writable was not reported: {events:?}", B::NAME);
    assert_eq!(events[0].fd(), 0, "{}", B::NAME);
    assert!(events[0].is_writable(), "{}: {events:?}", B::NAME);
    backend.modify(zero, Interest::READABLE).unwrap();
    assert!(wait(&backend, 8, Some(Duration::ZERO)).is_empty(), "{}", B::NAME);
    support::write_all(&b, b"x").unwrap();
    let events = wait(&backend, 8, Some(EVENTUALLY));
    assert_eq!(events.len(), 1, "{}: descriptor 0 readable was not reported: {events:?}", B::NAME);
    assert!(events[0].fd() == 0 && events[0].is_readable(), "{}: {events:?}", B::NAME);
    backend.unregister(zero).unwrap();
    assert!(wait(&backend, 8, Some(Duration::ZERO)).is_empty(), "{}", B::NAME);
    drop(backend);
    rustix::stdio::dup2_stdin(&saved).expect("restore standard input");
}

/// [`Interest::EXCLUSIVE`] reaches the kernel, deterministically: the only mechanism that has
/// it (epoll's `EPOLLEXCLUSIVE`) refuses to modify an exclusive registration with `EINVAL`,
/// which it can only do if the flag was passed. A backend that dropped the flag would accept
/// the `modify`.
pub fn exclusive_reaches_the_kernel<B: Backend>() {
    if !B::CAPABILITIES.contains(Capabilities::EXCLUSIVE) {
        return;
    }
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE | Interest::EXCLUSIVE);
    let result = backend.modify(a.as_fd(), Interest::READABLE);
    assert!(
        matches!(result, Err(Error::Os(Errno::INVAL))),
        "{}: modify of an exclusive registration must fail with EINVAL, got {result:?}",
        B::NAME
    );
    // The exclusive registration still reports readiness.
    support::write_all(&b, b"x").unwrap();
    let events = wait(&backend, 8, Some(EVENTUALLY));
    assert_eq!(events.len(), 1, "{}: {events:?}", B::NAME);
}
