//! Fault injection: signals delivered during waits, registrations racing a wait, and waits on
//! a closed backend.

use std::collections::BTreeSet;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use select_core::{Backend, Error, EventBuffer, Interest};

use crate::scenarios::{EVENTUALLY, new_backend, pair, register, wait};
use crate::support;

/// How long each fault scenario keeps the fault going.
pub const FAULT_DURATION: Duration = Duration::from_secs(2);

/// A signal every millisecond for two seconds of waits: `EINTR` never surfaces, no wait
/// returns before its timeout, and a wait without timeout still returns its event.
pub fn signal_storm<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE);
    let received = support::signals_received();
    let interrupter = support::Interrupter::current(Duration::from_millis(1));
    let timeouts = [1, 3, 10, 25, 60].map(Duration::from_millis);
    let storm = Instant::now();
    let mut waits = 0_usize;
    while storm.elapsed() < FAULT_DURATION {
        for &timeout in &timeouts {
            let mut events = B::Events::with_capacity(8);
            let started = Instant::now();
            let result = backend.wait(&mut events, Some(timeout));
            let elapsed = started.elapsed();
            assert!(
                matches!(result, Ok(0)),
                "{}: wait({timeout:?}) under signals returned {result:?}",
                B::NAME
            );
            assert!(
                elapsed >= timeout,
                "{}: wait({timeout:?}) under signals returned after {elapsed:?}",
                B::NAME
            );
            waits += 1;
        }
    }
    // A wait without timeout, released by another thread, under the same storm.
    let events = thread::scope(|scope| {
        scope.spawn(|| {
            thread::sleep(Duration::from_millis(100));
            support::write_all(&b, b"x").unwrap();
        });
        wait(&backend, 8, None)
    });
    assert_eq!(events.len(), 1, "{}: {events:?}", B::NAME);
    let sent = interrupter.sent();
    drop(interrupter);
    let handled = support::signals_received() - received;
    assert!(waits > 0 && sent > 100, "{}: only {sent} signals sent", B::NAME);
    assert!(handled > 100, "{}: only {handled} of {sent} signals were handled", B::NAME);
}

/// Four threads register, modify and unregister fresh descriptors continuously while this
/// thread waits for two seconds: no crash, no error, and the descriptors that stay registered
/// are reported exactly (none lost, none spurious). The child-process runner checks that
/// nothing leaked.
pub fn registration_during_waits<B: Backend>() {
    let backend = new_backend::<B>();
    let stable: Vec<_> = (0..8).map(|_| pair()).collect();
    for (a, _) in &stable {
        register(&backend, a, Interest::READABLE);
    }
    let ready: BTreeSet<RawFd> = stable.iter().step_by(2).map(|(a, _)| a.as_raw_fd()).collect();
    let stable_fds: BTreeSet<RawFd> = stable.iter().map(|(a, _)| a.as_raw_fd()).collect();
    for (a, b) in stable.iter().step_by(2) {
        support::write_all(b, b"x").unwrap();
        assert!(ready.contains(&a.as_raw_fd()));
    }
    let stop = AtomicBool::new(false);
    let churned = AtomicUsize::new(0);
    thread::scope(|scope| {
        // Stops the other threads even if an assertion below fails, so the scope can end.
        let _stop = StopOnDrop(&stop);
        for _ in 0..4 {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let (c, _d) = pair();
                    register(&backend, &c, Interest::READABLE);
                    backend.modify(c.as_fd(), Interest::READABLE | Interest::WRITABLE).unwrap();
                    backend.unregister(c.as_fd()).unwrap();
                    churned.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let started = Instant::now();
        let mut rounds = 0_usize;
        while started.elapsed() < FAULT_DURATION {
            // Alternate waits that return at once (the ready set) with waits that block while
            // the other threads register (the ready set drained, then refilled).
            let mut buffer = B::Events::with_capacity(64);
            // A descriptor the other threads unregister and close while this wait is blocked
            // may still be in the wait's snapshot; no backend may fail the wait for it
            // (select(2) would say EBADF: the Select backend waits again instead).
            let events: Vec<_> = match backend.wait(&mut buffer, Some(Duration::from_millis(50))) {
                Ok(_) => buffer.iter().collect(),
                Err(error) => panic!("{}: wait failed during registrations: {error}", B::NAME),
            };
            let seen: BTreeSet<RawFd> =
                events.iter().map(|e| e.fd()).filter(|fd| stable_fds.contains(fd)).collect();
            assert_eq!(seen, ready, "{}: stable descriptors misreported (round {rounds})", B::NAME);
            if rounds % 8 == 7 {
                for (a, b) in stable.iter().step_by(2) {
                    assert_eq!(support::drain(a), Ok(1));
                    let events = wait(&backend, 64, Some(Duration::from_millis(20)));
                    assert!(events.iter().all(|e| e.fd() != a.as_raw_fd()), "{}", B::NAME);
                    support::write_all(b, b"x").unwrap();
                }
            }
            rounds += 1;
        }
        stop.store(true, Ordering::Relaxed);
        assert!(rounds > 10, "{}: only {rounds} waits in {FAULT_DURATION:?}", B::NAME);
    });
    assert!(churned.load(Ordering::Relaxed) > 100, "{}: the other threads barely ran", B::NAME);
}

/// Sets the flag when dropped, also while unwinding from a failed assertion.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A wait on a backend that was closed reports [`Error::Closed`], however long its timeout.
pub fn wait_after_close<B: Backend>() {
    let mut backend = new_backend::<B>();
    let (a, _b) = pair();
    register(&backend, &a, Interest::WRITABLE);
    backend.close().unwrap();
    for timeout in [Some(Duration::ZERO), Some(Duration::from_secs(3600)), None] {
        let mut events = B::Events::with_capacity(8);
        let started = Instant::now();
        let result = backend.wait(&mut events, timeout);
        assert!(
            matches!(result, Err(Error::Closed { .. })),
            "{}: wait({timeout:?}) after close must be Error::Closed, got {result:?}",
            B::NAME
        );
        assert!(started.elapsed() < EVENTUALLY, "{}: blocked after close", B::NAME);
        assert!(
            events.is_empty(),
            "{}: wait({timeout:?}) failed after close but stored {} events",
            B::NAME,
            events.len()
        );
    }
}
