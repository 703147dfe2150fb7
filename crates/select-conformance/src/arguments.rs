//! The order of the checks select-core runs before a backend's own work: closed first, then
//! the arguments (descriptor limit, unknown interest bits, capabilities, negative numbers,
//! buffer capacity), for every backend.

use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::Duration;

use select_core::{Backend, Capabilities, Error, EventBuffer, Interest};

use crate::scenarios::{new_backend, pair, register};
use crate::support;

/// Every interest a backend may be asked for that is wrong in some way: one that needs every
/// capability (no backend has all of edge, oneshot, exclusive and priority together without
/// refusing some combination), and one with a bit no flag has.
fn bad_interests() -> [Interest; 2] {
    [Interest::all(), Interest::from_bits_retain(0x80)]
}

/// After `close`, an operation with bad arguments still fails with [`Error::Closed`]: the
/// closed check comes before every argument check (a closed `Poll` given an edge interest
/// once answered `Unsupported`, and a closed `Select` given descriptor 1024 `FdOutOfRange`).
pub fn closed_before_bad_arguments<B: Backend>() {
    let mut backend = new_backend::<B>();
    let (a, _b) = pair();
    register(&backend, &a, Interest::READABLE);
    backend.close().unwrap_or_else(|error| panic!("{}: close failed: {error}", B::NAME));
    let closed = |what: &str, result: select_core::Result<()>| {
        assert!(
            matches!(result, Err(Error::Closed { .. })),
            "{}: {what} after close must fail with Error::Closed first, got {result:?}",
            B::NAME
        );
    };
    for interest in bad_interests() {
        closed(&format!("register({interest:?})"), backend.register(a.as_fd(), interest));
        closed(&format!("modify({interest:?})"), backend.modify(a.as_fd(), interest));
    }
    if let Some(limit) = B::FD_LIMIT {
        let past = support::borrow_raw(RawFd::try_from(limit).unwrap_or(RawFd::MAX));
        closed("register past FD_LIMIT", backend.register(past, Interest::READABLE));
        closed("modify past FD_LIMIT", backend.modify(past, Interest::READABLE));
    }
    for number in [-1, -5, RawFd::MIN, RawFd::MAX] {
        closed(&format!("unregister_raw({number})"), backend.unregister_raw(number));
    }
    let mut empty = B::Events::with_capacity(0);
    closed(
        "wait into a zero-capacity buffer",
        backend.wait(&mut empty, Some(Duration::ZERO)).map(drop),
    );
    closed(
        "wait_interruptible into a zero-capacity buffer",
        backend
            .wait_interruptible(&mut empty, None, &mut select_core::timeout::keep_waiting)
            .map(drop),
    );
    closed("user_event", backend.user_event().map(drop));
    closed("kernel_fd", backend.kernel_fd().map(drop));
}

/// `unregister_raw` of a negative number is [`Error::InvalidArgument`] naming it (Python's
/// `ValueError: file descriptor cannot be a negative integer`), never `NotRegistered`.
pub fn negative_unregister_raw<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    register(&backend, &a, Interest::READABLE);
    for number in [-1, -5, RawFd::MIN] {
        let result = backend.unregister_raw(number);
        assert!(
            matches!(result, Err(Error::InvalidArgument { value, .. }) if value == i128::from(number)),
            "{}: unregister_raw({number}) must be InvalidArgument naming {number}, got {result:?}",
            B::NAME
        );
    }
    // The registration that exists is untouched.
    backend.unregister(a.as_fd()).unwrap_or_else(|error| {
        panic!("{}: unregister after the rejected numbers failed: {error}", B::NAME)
    });
}

/// An interest with bits no [`Interest`] flag has is rejected naming its bits; an empty
/// interest is a valid registration (Python's `poll.register(fd, 0)`).
pub fn interest_bits<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    let unknown = Interest::from_bits_retain(Interest::READABLE.bits() | 0x80);
    let result = backend.register(a.as_fd(), unknown);
    assert!(
        matches!(result, Err(Error::InvalidArgument { value: 0x81, .. })),
        "{}: register({unknown:?}) must be InvalidArgument naming 0x81, got {result:?}",
        B::NAME
    );
    backend.register(a.as_fd(), Interest::empty()).unwrap_or_else(|error| {
        panic!("{}: register with an empty interest failed: {error}", B::NAME)
    });
    let result = backend.modify(a.as_fd(), unknown);
    assert!(
        matches!(result, Err(Error::InvalidArgument { value: 0x81, .. })),
        "{}: modify({unknown:?}) must be InvalidArgument naming 0x81, got {result:?}",
        B::NAME
    );
    backend.modify(a.as_fd(), Interest::READABLE).unwrap_or_else(|error| {
        panic!("{}: modify after a rejected interest failed: {error}", B::NAME)
    });
}

/// A buffer too large for the mechanism, or for memory, is an error naming its capacity,
/// never a panic, an abort or a capacity silently truncated (epoll once handed the kernel
/// `k` for a capacity of 2^32 + k).
pub fn buffer_sizes<B: Backend>() {
    let max = <B::Events as EventBuffer>::MAX_CAPACITY;
    if let Some(past) = max.checked_add(1) {
        let result = B::Events::try_with_capacity(past);
        assert!(
            matches!(result, Err(Error::Overflow { value, .. }) if value == past as u128),
            "{}: a capacity of {past} (past {max}) must be Overflow naming it, got {:?}",
            B::NAME,
            result.map(|events| events.capacity())
        );
    }
    for huge in [usize::MAX, usize::MAX / 2, 1 << 62] {
        let result = B::Events::try_with_capacity(huge);
        let Err(error) = result else {
            panic!("{}: a buffer of {huge} events cannot be allocated, yet it was", B::NAME);
        };
        assert!(
            error.to_string().contains(&huge.to_string()),
            "{}: the error for a capacity of {huge} must name it: {error}",
            B::NAME
        );
    }
    let events = B::Events::try_with_capacity(16)
        .unwrap_or_else(|error| panic!("{}: a buffer of 16 failed: {error}", B::NAME));
    assert_eq!(events.capacity(), 16, "{}", B::NAME);
}

/// [`Capabilities::KERNEL_OBJECT`] and [`Capabilities::USER_EVENT`] agree with the methods
/// that deliver them: [`Backend::kernel_fd`] is a close-on-exec descriptor exactly when the
/// first is declared, and [`Backend::user_event`] is `None` without the second.
pub fn capabilities_agree_with_methods<B: Backend>() {
    let backend = new_backend::<B>();
    let kernel_fd = backend
        .kernel_fd()
        .unwrap_or_else(|error| panic!("{}: kernel_fd failed: {error}", B::NAME));
    let declared = B::CAPABILITIES.contains(Capabilities::KERNEL_OBJECT);
    assert_eq!(kernel_fd.is_some(), declared, "{}: kernel_fd vs KERNEL_OBJECT", B::NAME);
    if let Some(fd) = kernel_fd {
        assert!(support::is_open(fd.as_raw_fd()), "{}: kernel_fd is not open", B::NAME);
        assert_eq!(support::is_cloexec(fd).ok(), Some(true), "{}: not close-on-exec", B::NAME);
    }
    let user_event = backend
        .user_event()
        .unwrap_or_else(|error| panic!("{}: user_event failed: {error}", B::NAME));
    assert_eq!(
        user_event.is_some(),
        B::CAPABILITIES.contains(Capabilities::USER_EVENT),
        "{}: user_event vs USER_EVENT",
        B::NAME
    );
}
