//! Python's readiness rule on every backend: what a backend reports for the end of a stream, a
//! closed peer and a write end whose reader is gone must read, through
//! [`Readiness::is_readable`] and [`Readiness::is_writable`] masked by the interest, as what
//! Python's `selectors` report for the same objects (checked with CPython 3 on Linux against
//! `EpollSelector`, `PollSelector` and `SelectSelector`).
//!
//! Each scenario registers one kind of object, watched for a set of conditions, and compares
//! Python's `events` (`EVENT_READ`, `EVENT_WRITE`) with the rule's answer for what the backend
//! reported.

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use select_core::{Backend, Interest, Readiness};

use crate::scenarios::{EVENTUALLY, merged, new_backend, pair, register, wait};
use crate::support;

/// Python's `events` for a readiness, masked by the interest: [`Interest::READABLE`] if the key
/// asks for reading and the readiness counts as readable, [`Interest::WRITABLE`] likewise.
fn python_events(readiness: Readiness, interest: Interest) -> Interest {
    let mut events = Interest::empty();
    if interest.contains(Interest::READABLE) && readiness.is_readable() {
        events |= Interest::READABLE;
    }
    if interest.contains(Interest::WRITABLE) && readiness.is_writable() {
        events |= Interest::WRITABLE;
    }
    events
}

/// Registers `fd` for `interest` on a fresh backend, waits (up to [`EVENTUALLY`]) until it is
/// reported, and asserts that the rule gives `expected`.
fn assert_events<B: Backend>(what: &str, fd: &OwnedFd, interest: Interest, expected: Interest) {
    let backend = new_backend::<B>();
    register(&backend, fd, interest);
    let readiness = wait_until_reported(&backend, fd.as_raw_fd());
    assert_eq!(
        python_events(readiness, interest),
        expected,
        "{}: {what} watched for {interest:?} was reported as {readiness:?}, which Python's \
         rule reads differently from Python's selectors",
        B::NAME
    );
    backend.unregister(fd.as_fd()).unwrap();
}

/// The merged readiness of the first wait that reports `fd`.
fn wait_until_reported<B: Backend>(backend: &B, fd: RawFd) -> Readiness {
    let started = Instant::now();
    loop {
        if let Some(&readiness) =
            merged::<B>(&wait(backend, 64, Some(Duration::from_millis(100)))).get(&fd)
        {
            return readiness;
        }
        assert!(started.elapsed() < EVENTUALLY, "{}: fd {fd} was never reported", B::NAME);
    }
}

/// A pipe's read end whose writer closed is readable (Linux's epoll reports `EPOLLHUP`
/// without `EPOLLIN`; Python's selectors still say `EVENT_READ`), and the read returns the end
/// of file.
pub fn pipe_eof<B: Backend>() {
    let (read, write) = support::pipe().expect("pipe");
    drop(write);
    assert_events::<B>("a pipe whose writer closed", &read, Interest::READABLE, Interest::READABLE);
    assert_eq!(support::drain(&read), Ok(0), "end of file");
}

/// A socket whose peer closed is readable for a key watching reading, writable for a key
/// watching writing, and both for a key watching both.
pub fn peer_closed<B: Backend>() {
    for interest in
        [Interest::READABLE, Interest::WRITABLE, Interest::READABLE | Interest::WRITABLE]
    {
        let (a, b) = pair();
        drop(b);
        assert_events::<B>("a socket whose peer closed", &a, interest, interest);
    }
}

/// A pipe's write end whose reader closed is writable (the write fails at once with `EPIPE`):
/// epoll and poll report `POLLERR` with `POLLOUT`, select(2) puts it in the write set.
pub fn reader_closed<B: Backend>() {
    let (read, write) = support::pipe().expect("pipe");
    drop(read);
    assert_events::<B>(
        "a write end whose reader closed",
        &write,
        Interest::WRITABLE,
        Interest::WRITABLE,
    );
}
