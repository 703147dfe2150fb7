//! The `Waker`: waking a blocked `select` from another thread, coalescing, descriptors.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

#[cfg(unix)]
use rustix::io::{FdFlags, fcntl_getfd};
use select::{AsFd, Backend, DefaultBackend, Error, EventBuffer, Interest, Ready, Selector, Waker};

use crate::support::{self, EVENTUALLY, socketpair};

/// Whether one `select` was woken by the selector's waker.
pub(crate) fn woken<B: Backend, T>(
    selector: &mut Selector<B, T>,
    timeout: Option<Duration>,
) -> bool {
    let mut ready = Ready::new();
    selector.select(&mut ready, timeout).expect("select");
    ready.woken()
}

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
    let mut ready = Ready::new();
    assert_eq!(selector.select(&mut ready, None).unwrap(), 0);
    assert!(ready.woken());
    assert!(start.elapsed() < EVENTUALLY);
    thread.join().unwrap();
    // The wake was drained: the next select times out.
    assert_eq!(selector.select(&mut ready, Some(Duration::from_millis(5))).unwrap(), 0);
    assert!(!ready.woken());
}

#[test]
fn the_selector_waker_uses_the_backend_user_event_where_there_is_one() {
    let _fds = support::shared();
    let mut selector: Selector = Selector::new().unwrap();
    let waker = selector.waker().unwrap();
    // USER_EVENT says the backend has a user event where the running kernel supports one
    // (kqueue on OpenBSD before 7.8 and NetBSD before 10 does not): the waker follows what
    // the backend gives, and falls back to a descriptor where it gives none.
    let declared =
        <DefaultBackend as Backend>::CAPABILITIES.contains(select::Capabilities::USER_EVENT);
    let backend = <DefaultBackend as Backend>::new().unwrap();
    let has_user_event = backend.user_event().unwrap().is_some();
    assert!(declared || !has_user_event, "a user event without the capability");
    assert_eq!(waker.is_user_event(), has_user_event, "{waker:?}");
    // A standalone waker is always a descriptor, for any backend's wait.
    assert!(!Waker::new().unwrap().is_user_event());
    waker.wake().unwrap();
    assert!(woken(&mut selector, Some(EVENTUALLY)));
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
    assert!(woken(&mut selector, Some(EVENTUALLY)));
    assert!(!woken(&mut selector, Some(Duration::ZERO)));
    // A wake after the drain is seen again.
    waker.wake().unwrap();
    assert!(woken(&mut selector, Some(EVENTUALLY)));
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

#[cfg(unix)]
#[test]
fn waker_descriptors_are_close_on_exec() {
    let _fds = support::shared();
    let waker = Waker::new().unwrap();
    assert!(fcntl_getfd(&waker).unwrap().contains(FdFlags::CLOEXEC));
}

#[cfg(unix)]
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
        assert!(woken(&mut selector, Some(EVENTUALLY)));
        let mut closed: Selector<DefaultBackend, ()> = Selector::new().unwrap();
        closed.waker().unwrap();
        closed.close().unwrap();
    }
    assert_eq!(support::open_fds(), before);
}

/// How long the stress test below runs, and how long a wake may go unanswered before the
/// watchdog calls it lost. A woken `select` answers within microseconds, but a loaded machine
/// (five busy threads on two cores, or Wine's WinSock emulation) can leave a thread unscheduled
/// for a second or two; the lost wake this test exists for is lost for good, so a generous
/// watchdog catches it all the same.
const STRESS: Duration = Duration::from_secs(3);
const WATCHDOG: Duration = Duration::from_secs(10);

#[test]
fn no_wake_is_lost_when_wakes_race_with_the_drain() {
    let _fds = support::shared();
    let mut selector: Selector = Selector::new().unwrap();
    let waker = selector.waker().unwrap();
    let answered = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // The select loop: every woken select is one answer.
    let looper = {
        let (answered, stop) = (Arc::clone(&answered), Arc::clone(&stop));
        thread::spawn(move || {
            let mut ready = Ready::new();
            while !stop.load(Ordering::Acquire) {
                selector.select(&mut ready, Some(Duration::from_millis(100))).unwrap();
                if ready.woken() {
                    answered.fetch_add(1, Ordering::AcqRel);
                }
            }
        })
    };
    let deadline = Instant::now() + STRESS;
    // Checkers wake and wait for an answer, so their wakes land while the loop drains the
    // previous one; hammers wake without waiting, to crowd the window further.
    let checkers: Vec<_> = (0..3)
        .map(|_| {
            let (waker, answered) = (waker.clone(), Arc::clone(&answered));
            thread::spawn(move || -> Result<u64, String> {
                let mut wakes = 0;
                while Instant::now() < deadline {
                    let seen = answered.load(Ordering::Acquire);
                    waker.wake().unwrap();
                    wakes += 1;
                    let asked = Instant::now();
                    while answered.load(Ordering::Acquire) == seen {
                        if asked.elapsed() > WATCHDOG {
                            return Err(format!("a wake went unanswered after {wakes} wakes"));
                        }
                        thread::yield_now();
                    }
                }
                Ok(wakes)
            })
        })
        .collect();
    let hammers: Vec<_> = (0..2)
        .map(|_| {
            let waker = waker.clone();
            thread::spawn(move || {
                while Instant::now() < deadline {
                    waker.wake().unwrap();
                    thread::yield_now();
                }
            })
        })
        .collect();
    let results: Vec<_> = checkers.into_iter().map(|thread| thread.join().unwrap()).collect();
    for hammer in hammers {
        hammer.join().unwrap();
    }
    stop.store(true, Ordering::Release);
    looper.join().unwrap();
    for result in results {
        let wakes = result.unwrap();
        assert!(wakes > 0);
    }
}

#[test]
fn many_threads_waking_at_once_wake_one_select_once() {
    let _fds = support::shared();
    let mut selector: Selector = Selector::new().unwrap();
    let waker = selector.waker().unwrap();
    let barrier = Arc::new(Barrier::new(32));
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let (waker, barrier) = (waker.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                waker.wake()
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().unwrap();
    }
    assert!(woken(&mut selector, Some(EVENTUALLY)));
    assert!(!woken(&mut selector, Some(Duration::ZERO)), "32 wakes coalesce into one");
    waker.wake().unwrap();
    assert!(woken(&mut selector, Some(EVENTUALLY)), "and the waker still works");
}

#[test]
fn waking_after_the_selector_is_closed_is_a_closed_error() {
    let _fds = support::shared();
    let mut selector: Selector = Selector::new().unwrap();
    let waker = selector.waker().unwrap();
    waker.wake().unwrap();
    assert!(!waker.is_closed());
    selector.close().unwrap();
    assert!(waker.is_closed());
    let error = waker.wake().unwrap_err();
    assert!(matches!(error, Error::Closed { object: "waker" }), "{error:?}");
    assert!(matches!(selector.waker(), Err(Error::Closed { .. })));
}

#[cfg(unix)]
#[test]
fn a_waker_that_outlives_its_selector_fails_cleanly_and_leaks_nothing() {
    let _fds = support::exclusive();
    let before = support::open_fds();
    let waker = {
        let mut selector: Selector = Selector::new().unwrap();
        selector.waker().unwrap()
    };
    let thread = {
        let waker = waker.clone();
        thread::spawn(move || waker.wake())
    };
    assert!(matches!(thread.join().unwrap(), Err(Error::Closed { object: "waker" })));
    assert!(matches!(waker.wake(), Err(Error::Closed { .. })));
    drop(waker);
    assert_eq!(support::open_fds(), before);
}
