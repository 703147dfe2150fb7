//! The `Waker`: waking a blocked `select` from another thread, coalescing, descriptors.

use std::os::fd::AsFd;
use std::thread;
use std::time::{Duration, Instant};

use rustix::io::{FdFlags, fcntl_getfd};
use select::{Backend, DefaultBackend, Error, EventBuffer, Interest, Selector, Waker};

use crate::support::{self, EVENTUALLY, socketpair};

#[test]
fn a_waker_wakes_a_blocked_select_without_reporting_a_key() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE, 1).unwrap();
    let waker = selector.waker().unwrap();
    let start = Instant::now();
    let thread = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        waker.wake().unwrap();
    });
    let ready = selector.select(None).unwrap();
    assert!(ready.woken());
    assert_eq!(ready.count(), 0);
    assert!(start.elapsed() < EVENTUALLY);
    thread.join().unwrap();
    // The wake was drained: the next select times out.
    let ready = selector.select(Some(Duration::from_millis(5))).unwrap();
    assert!(!ready.woken());
    assert_eq!(ready.count(), 0);
}

#[test]
fn the_selector_waker_uses_the_backend_user_event_where_there_is_one() {
    let _fds = support::shared();
    let mut selector: Selector = Selector::new().unwrap();
    let waker = selector.waker().unwrap();
    // USER_EVENT says the backend has a user event where the running kernel supports one
    // (kqueue on OpenBSD before 7.8 and NetBSD before 10 does not): the waker follows what
    // the backend gives, and falls back to a descriptor where it gives none.
    let declared = DefaultBackend::CAPABILITIES.contains(select::Capabilities::USER_EVENT);
    let backend = DefaultBackend::new().unwrap();
    let has_user_event = backend.user_event().unwrap().is_some();
    assert!(declared || !has_user_event, "a user event without the capability");
    assert_eq!(waker.is_user_event(), has_user_event, "{waker:?}");
    // A standalone waker is always a descriptor, for any backend's wait.
    assert!(!Waker::new().unwrap().is_user_event());
    waker.wake().unwrap();
    let ready = selector.select(Some(EVENTUALLY)).unwrap();
    assert!(ready.woken());
}

#[test]
fn repeated_wakes_before_the_wait_coalesce_into_one() {
    let _fds = support::shared();
    let mut selector: Selector = Selector::new().unwrap();
    let waker = selector.waker().unwrap();
    let clone = waker.clone();
    for _ in 0..1000 {
        waker.wake().unwrap();
        clone.wake().unwrap();
    }
    assert!(selector.select(Some(EVENTUALLY)).unwrap().woken());
    assert!(!selector.select(Some(Duration::ZERO)).unwrap().woken());
    // A wake after the drain is seen again.
    waker.wake().unwrap();
    assert!(selector.select(Some(EVENTUALLY)).unwrap().woken());
}

#[test]
fn the_selector_hands_out_one_waker_and_refuses_to_register_it_as_a_key() {
    let _fds = support::shared();
    let mut selector: Selector = Selector::new().unwrap();
    let first = selector.waker().unwrap();
    let second = selector.waker().unwrap();
    assert!(first.same_as(&second));
    let error = selector.register(&first, Interest::READABLE, ()).unwrap_err();
    assert!(matches!(error, Error::AlreadyRegistered { fd } if fd == first.fileno()));
    assert!(selector.is_empty());
}

#[test]
fn a_waker_works_with_a_raw_backend_wait() {
    let _fds = support::shared();
    let backend = <DefaultBackend as Backend>::new().unwrap();
    let waker = Waker::new().unwrap();
    Backend::register(&backend, waker.as_fd(), Interest::READABLE).unwrap();
    let mut events = <DefaultBackend as Backend>::Events::with_capacity(8);
    assert_eq!(Backend::wait(&backend, &mut events, Some(Duration::ZERO)).unwrap(), 0);
    let remote = waker.clone();
    let thread = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        remote.wake().unwrap();
        remote.wake().unwrap();
    });
    assert_eq!(Backend::wait(&backend, &mut events, None).unwrap(), 1);
    let event = events.get(0).unwrap();
    assert_eq!(event.fd(), waker.fileno());
    assert!(event.is_readable());
    thread.join().unwrap();
    assert!(waker.reset().unwrap());
    assert!(!waker.reset().unwrap());
    assert_eq!(Backend::wait(&backend, &mut events, Some(Duration::ZERO)).unwrap(), 0);
}

#[test]
fn waker_descriptors_are_close_on_exec() {
    let _fds = support::shared();
    let waker = Waker::new().unwrap();
    assert!(fcntl_getfd(&waker).unwrap().contains(FdFlags::CLOEXEC));
}

#[test]
fn selectors_and_wakers_close_every_descriptor_they_open() {
    let _fds = support::exclusive();
    let (a, _b) = socketpair();
    let before = support::open_fds();
    for _ in 0..3 {
        let mut selector: Selector<DefaultBackend, ()> = Selector::new().unwrap();
        selector.register(&a, Interest::READABLE, ()).unwrap();
        let waker = selector.waker().unwrap();
        let standalone = Waker::new().unwrap();
        waker.wake().unwrap();
        standalone.wake().unwrap();
        assert!(selector.select(Some(EVENTUALLY)).unwrap().woken());
        let mut closed: Selector<DefaultBackend, ()> = Selector::new().unwrap();
        closed.waker().unwrap();
        closed.close().unwrap();
    }
    assert_eq!(support::open_fds(), before);
}
