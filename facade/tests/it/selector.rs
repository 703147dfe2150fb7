//! The `Selector` contract on the default backend: keys and data, errors, timeouts, limits.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::{Duration, Instant};

use select::backends::Select;
use select::{
    Backend, Capabilities, DefaultBackend, Error, Interest, Readiness, Ready, Selector, SelectorKey,
};

use crate::support::{self, EVENTUALLY, socketpair, tcp_pair};

/// The ready keys of one `select`, as `(data, readiness)` pairs sorted by data.
pub(crate) fn ready<B: Backend, T: Copy + Ord>(
    selector: &mut Selector<B, T>,
    timeout: Option<Duration>,
) -> Vec<(T, Readiness)> {
    let mut ready = Ready::new();
    selector.select(&mut ready, timeout).expect("select");
    let mut ready: Vec<_> = ready
        .iter()
        .map(|event| (*selector.key_of(event).expect("a reported key").data(), event.readiness()))
        .collect();
    ready.sort_by_key(|entry| entry.0);
    ready
}

/// How many keys one `select` reports.
pub(crate) fn count<B: Backend, T>(
    selector: &mut Selector<B, T>,
    timeout: Option<Duration>,
) -> usize {
    selector.select(&mut Ready::new(), timeout).expect("select")
}

#[test]
fn register_returns_the_key_with_fd_interest_and_data() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, String> = Selector::new().unwrap();
    let key = selector.register(&a, Interest::READABLE, "conn".to_owned()).unwrap();
    assert_eq!(key.fd(), a.as_raw_fd());
    assert_eq!(key.interest(), Interest::READABLE);
    assert_eq!(key.data(), "conn");
    assert_eq!(selector.len(), 1);
    assert_eq!(selector.get_key(&a).map(SelectorKey::data), Some(&"conn".to_owned()));
    assert_eq!(selector.get_key_raw(a.as_raw_fd()).map(SelectorKey::fd), Some(a.as_raw_fd()));
}

#[test]
fn registering_twice_is_already_registered_and_keeps_the_first_key() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u32> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE, 1).unwrap();
    let error = selector.register(&a, Interest::WRITABLE, 2).unwrap_err();
    assert!(matches!(error, Error::AlreadyRegistered { fd } if fd == a.as_raw_fd()), "{error:?}");
    let key = selector.get_key(&a).unwrap();
    assert_eq!((key.interest(), *key.data()), (Interest::READABLE, 1));
    assert_eq!(selector.len(), 1);
}

#[test]
fn unregister_returns_the_key_and_a_second_unregister_is_not_registered() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, &str> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE | Interest::WRITABLE, "a").unwrap();
    let key = selector.unregister(&a).unwrap();
    assert_eq!(key.fd(), a.as_raw_fd());
    assert_eq!(key.interest(), Interest::READABLE | Interest::WRITABLE);
    assert_eq!(key.into_data(), "a");
    assert!(selector.is_empty());
    assert!(selector.get_key(&a).is_none());
    let error = selector.unregister(&a).unwrap_err();
    assert!(matches!(error, Error::NotRegistered { fd } if fd == a.as_raw_fd()), "{error:?}");
    // The descriptor can be registered again once it is gone.
    selector.register(&a, Interest::READABLE, "again").unwrap();
}

#[test]
fn an_unregistered_descriptor_is_not_reported() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    selector.register(&a, Interest::WRITABLE, 0).unwrap();
    assert_eq!(ready(&mut selector, Some(Duration::ZERO)).len(), 1);
    selector.unregister(&a).unwrap();
    assert!(ready(&mut selector, Some(Duration::ZERO)).is_empty());
}

#[test]
fn modify_replaces_interest_and_data() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE, 1).unwrap();
    assert!(ready(&mut selector, Some(Duration::ZERO)).is_empty());
    let key = selector.modify(&a, Interest::WRITABLE, 2).unwrap();
    assert_eq!((key.interest(), *key.data()), (Interest::WRITABLE, 2));
    let result = ready(&mut selector, Some(Duration::ZERO));
    assert_eq!(result.len(), 1);
    assert_eq!(result[0].0, 2);
    assert!(result[0].1.contains(Readiness::WRITABLE));
}

#[test]
fn modify_of_an_unregistered_descriptor_is_not_registered() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    let error = selector.modify(&a, Interest::READABLE, 0).unwrap_err();
    assert!(matches!(error, Error::NotRegistered { fd } if fd == a.as_raw_fd()), "{error:?}");
}

#[test]
fn keys_iterate_every_registration_and_data_can_be_changed_in_place() {
    let _fds = support::shared();
    let pairs: Vec<_> = (0..4).map(|_| socketpair()).collect();
    let mut selector: Selector<DefaultBackend, usize> = Selector::new().unwrap();
    for (index, (a, _)) in pairs.iter().enumerate() {
        selector.register(a, Interest::READABLE, index).unwrap();
    }
    let mut data: Vec<usize> = selector.keys().map(|key| *key.data()).collect();
    data.sort_unstable();
    assert_eq!(data, [0, 1, 2, 3]);
    assert_eq!((&selector).into_iter().len(), 4);
    *selector.get_key_mut(&pairs[2].0).unwrap().data_mut() = 20;
    assert_eq!(selector.get_key_raw(pairs[2].0.as_raw_fd()).map(|key| *key.data()), Some(20));
    *selector.get_key_raw_mut(pairs[2].0.as_raw_fd()).unwrap().data_mut() = 21;
    assert_eq!(selector.get_key(&pairs[2].0).map(|key| *key.data()), Some(21));
}

#[test]
fn select_yields_each_ready_key_once_with_readiness_merged() {
    let _fds = support::shared();
    let (a, mut b) = tcp_pair();
    let (c, _d) = tcp_pair();
    let mut selector: Selector<DefaultBackend, char> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE | Interest::WRITABLE, 'a').unwrap();
    selector.register(&c, Interest::READABLE, 'c').unwrap();
    b.write_all(b"hello").unwrap();
    let deadline = Instant::now() + EVENTUALLY;
    // TCP delivery on loopback is quick but not instantaneous: wait until `a` is readable.
    let result = loop {
        let result = ready(&mut selector, Some(Duration::from_millis(100)));
        if result.iter().any(|(_, readiness)| readiness.contains(Readiness::READABLE))
            || Instant::now() > deadline
        {
            break result;
        }
    };
    assert_eq!(result.len(), 1, "{result:?}");
    assert_eq!(result[0].0, 'a');
    assert!(result[0].1.contains(Readiness::READABLE | Readiness::WRITABLE), "{result:?}");
}

#[test]
fn a_closed_peer_is_reported_as_readable_or_hangup() {
    let _fds = support::shared();
    let (a, b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE, 7).unwrap();
    drop(b);
    let result = ready(&mut selector, Some(EVENTUALLY));
    assert_eq!(result.len(), 1);
    assert!(result[0].1.intersects(Readiness::READABLE | Readiness::HANGUP), "{result:?}");
}

#[test]
fn a_zero_timeout_returns_at_once_with_nothing() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE, 0).unwrap();
    let start = Instant::now();
    let mut result = Ready::new();
    assert_eq!(selector.select(&mut result, Some(Duration::ZERO)).unwrap(), 0);
    assert!(!result.woken());
    assert!(result.is_empty());
    assert!(start.elapsed() < EVENTUALLY);
}

#[test]
fn a_short_timeout_elapses_in_full_before_select_returns_nothing() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE, 0).unwrap();
    for timeout in [Duration::from_nanos(1), Duration::from_millis(15)] {
        let start = Instant::now();
        assert!(ready(&mut selector, Some(timeout)).is_empty());
        let elapsed = start.elapsed();
        assert!(elapsed >= timeout, "{timeout:?} timed out after {elapsed:?}");
        assert!(elapsed < EVENTUALLY);
    }
}

#[test]
fn select_without_timeout_is_released_by_another_thread() {
    let _fds = support::shared();
    let (a, mut b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE, 9).unwrap();
    let writer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        b.write_all(b"x").unwrap();
        b
    });
    let result = ready(&mut selector, None);
    assert_eq!(result.len(), 1);
    assert_eq!(result[0].0, 9);
    assert!(result[0].1.contains(Readiness::READABLE));
    writer.join().unwrap();
}

#[test]
fn a_small_capacity_reports_the_rest_on_the_next_select() {
    let _fds = support::shared();
    let pairs: Vec<_> = (0..3).map(|_| socketpair()).collect();
    let backend = <DefaultBackend as Backend>::new().unwrap();
    let mut selector: Selector<DefaultBackend, usize> =
        Selector::with_backend_and_capacity(backend, 1).unwrap();
    for (index, (a, _)) in pairs.iter().enumerate() {
        selector.register(a, Interest::WRITABLE, index).unwrap();
    }
    let mut seen = Vec::new();
    for _ in 0..30 {
        let result = ready(&mut selector, Some(Duration::ZERO));
        assert!(result.len() <= 1, "{result:?}");
        seen.extend(result.iter().map(|entry| entry.0));
        // Level-triggered backends keep reporting ready descriptors; once each was seen,
        // unregister it so the others get their turn whatever order the kernel uses.
        for &(index, _) in &result {
            selector.unregister(&pairs[index].0).unwrap();
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, [0, 1, 2]);
}

#[test]
fn a_capacity_of_zero_is_invalid() {
    let _fds = support::shared();
    let error = Selector::<DefaultBackend, ()>::with_backend_and_capacity(
        <DefaultBackend as Backend>::new().unwrap(),
        0,
    )
    .unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { value: 0, .. }), "{error:?}");
}

#[test]
fn interests_the_backend_cannot_deliver_are_rejected_with_its_error() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, ()> = Selector::new().unwrap();
    let edge = Interest::READABLE | Interest::EDGE;
    let result = selector.register(&a, edge, ());
    if DefaultBackend::CAPABILITIES.contains(Capabilities::EDGE) {
        assert!(result.is_ok(), "{result:?}");
    } else {
        let error = result.unwrap_err();
        assert!(matches!(error, Error::Unsupported { interest, .. } if interest == edge));
        // A rejected registration leaves no key behind.
        assert!(selector.get_key(&a).is_none());
    }
}

#[test]
fn close_forgets_keys_and_later_calls_fail_with_closed() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, ()> = Selector::new().unwrap();
    selector.register(&a, Interest::READABLE, ()).unwrap();
    assert!(!selector.is_closed());
    selector.close().unwrap();
    assert!(selector.is_closed());
    assert!(selector.is_empty());
    assert!(matches!(selector.register(&a, Interest::READABLE, ()), Err(Error::Closed { .. })));
    assert!(matches!(
        selector.select(&mut Ready::new(), Some(Duration::ZERO)),
        Err(Error::Closed { .. })
    ));
    selector.close().unwrap();
}

#[test]
fn the_default_backend_is_named_at_run_time() {
    let _fds = support::shared();
    let selector: Selector = Selector::new().unwrap();
    assert_eq!(selector.backend_name(), DefaultBackend::NAME);
    assert_eq!(select::DEFAULT_BACKEND, DefaultBackend::KIND);
    assert_eq!(select::DEFAULT_BACKEND.name(), DefaultBackend::NAME);
    assert!(select::default_backend().is_ok());
}

/// Places a copy of a socket at or above `limit`, to test select(2)'s `FD_SETSIZE`.
fn high_fd(fd: impl AsFd, limit: usize) -> std::os::fd::OwnedFd {
    support::raise_nofile(u64::try_from(limit).unwrap() + 64);
    let limit = i32::try_from(limit).unwrap();
    rustix::io::fcntl_dupfd_cloexec(fd, limit).expect("dup above FD_SETSIZE")
}

#[test]
fn select_2_rejects_descriptors_past_fd_setsize_with_a_clear_error() {
    let _fds = support::shared();
    let limit = <Select as Backend>::FD_LIMIT.expect("select(2) has a descriptor limit");
    let (a, _b) = socketpair();
    let high = high_fd(&a, limit);
    let mut selector: Selector<Select, ()> = Selector::with_new_backend().unwrap();
    let error = selector.register(&high, Interest::READABLE, ()).unwrap_err();
    assert!(
        matches!(error, Error::FdOutOfRange { fd, limit: l } if fd == high.as_raw_fd() && l == limit),
        "{error:?}"
    );
    assert!(error.to_string().contains(&high.as_raw_fd().to_string()), "{error}");
    assert!(selector.is_empty());
    // A low descriptor still works on the same selector.
    selector.register(&a, Interest::WRITABLE, ()).unwrap();
    assert_eq!(count(&mut selector, Some(Duration::ZERO)), 1);
}

#[test]
fn the_default_backend_accepts_high_descriptors_unless_it_has_a_limit() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    // At the backend's limit if it has one (FD_SETSIZE differs between targets: 1024 on Linux,
    // 65536 on 64-bit illumos), otherwise above select(2)'s usual 1024.
    let high = high_fd(&a, DefaultBackend::FD_LIMIT.unwrap_or(1100));
    let mut selector: Selector<DefaultBackend, ()> = Selector::new().unwrap();
    let result = selector.register(&high, Interest::WRITABLE, ());
    match DefaultBackend::FD_LIMIT {
        Some(limit) => {
            assert!(matches!(result, Err(Error::FdOutOfRange { limit: l, .. }) if l == limit));
        }
        None => {
            result.unwrap();
            assert_eq!(count(&mut selector, Some(EVENTUALLY)), 1);
        }
    }
}

#[test]
fn a_key_whose_descriptor_was_closed_is_removed_by_number() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let (c, _d) = socketpair();
    let mut selector: Selector<DefaultBackend, &str> = Selector::new().unwrap();
    selector.register(&a, Interest::WRITABLE, "closed").unwrap();
    selector.register(&c, Interest::WRITABLE, "open").unwrap();
    let number = a.as_raw_fd();
    drop(a);
    // Python: sel.unregister(fd) with an int. The key comes back with its data.
    let key = selector.unregister_raw(number).unwrap();
    assert_eq!((key.fd(), *key.data()), (number, "closed"));
    assert!(
        matches!(selector.unregister_raw(number), Err(Error::NotRegistered { fd }) if fd == number)
    );
    // Whatever the backend (poll would report the closed number as invalid, select(2) would
    // fail with EBADF), the selector is healthy again and reports only the open key.
    let ready: Vec<_> =
        ready(&mut selector, Some(EVENTUALLY)).into_iter().map(|(data, _)| data).collect();
    assert_eq!(ready, ["open"]);
}

#[test]
fn the_python_loop_compiles_registering_modifying_and_unregistering_inside_it() {
    let _fds = support::shared();
    let pairs: Vec<_> = (0..3).map(|_| socketpair()).collect();
    let (extra, _extra_peer) = socketpair();
    let mut selector: Selector<DefaultBackend, usize> = Selector::new().unwrap();
    for (index, (a, _)) in pairs.iter().enumerate() {
        selector.register(a, Interest::WRITABLE, index).unwrap();
    }
    let mut ready = Ready::new();
    assert_eq!(selector.select(&mut ready, Some(EVENTUALLY)).unwrap(), 3);
    assert_eq!(ready.iter().len(), 3, "Ready's iterator knows its length");
    let mut handled = Vec::new();
    for event in &ready {
        let Some(&index) = selector.key_of(event).map(SelectorKey::data) else { continue };
        handled.push(index);
        match index {
            0 => {
                selector.unregister(&pairs[0].0).unwrap();
                selector.register(&extra, Interest::WRITABLE, 9).unwrap();
            }
            1 => {
                selector.modify(&pairs[1].0, Interest::READABLE, 10).unwrap();
            }
            _ => {}
        }
    }
    handled.sort_unstable();
    assert_eq!(handled, [0, 1, 2]);
    let now: Vec<_> =
        self::ready(&mut selector, Some(EVENTUALLY)).into_iter().map(|(d, _)| d).collect();
    assert_eq!(now, [2, 9]);
}

#[test]
fn a_key_unregistered_in_the_loop_is_not_found_even_when_its_number_is_reused() {
    // Exclusive: no other test may take the number this one frees and reuses.
    let _fds = support::exclusive();
    let (a, _a_peer) = socketpair();
    let (b, _b_peer) = socketpair();
    let mut selector: Selector<DefaultBackend, &str> = Selector::new().unwrap();
    selector.register(&a, Interest::WRITABLE, "a").unwrap();
    selector.register(&b, Interest::WRITABLE, "b").unwrap();
    let mut ready = Ready::new();
    assert_eq!(selector.select(&mut ready, Some(EVENTUALLY)).unwrap(), 2);
    let b_number = b.as_raw_fd();
    // While handling the results: b is closed and unregistered, and a new stream gets its
    // number. The event reported for the old b must not find the new stream's key.
    selector.unregister(&b).unwrap();
    drop(b);
    let (reused, _reused_peer) = socketpair();
    let reused = if reused.as_raw_fd() == b_number {
        reused
    } else {
        let copy = rustix::io::fcntl_dupfd_cloexec(&reused, b_number).unwrap();
        assert_eq!(copy.as_raw_fd(), b_number, "{b_number} is free again");
        UnixStream::from(copy)
    };
    selector.register(&reused, Interest::WRITABLE, "new").unwrap();
    let old_b = ready.iter().find(|event| event.fd() == b_number).unwrap();
    assert!(selector.key_of(old_b).is_none(), "the new key answered for the old event");
    assert_eq!(selector.get_key_raw(b_number).map(|key| *key.data()), Some("new"));
    let old_a = ready.iter().find(|event| event.fd() == a.as_raw_fd()).unwrap();
    assert_eq!(selector.key_of(old_a).map(|key| *key.data()), Some("a"));
    *selector.key_of_mut(old_a).unwrap().data_mut() = "a2";
    assert_eq!(selector.get_key(&a).map(|key| *key.data()), Some("a2"));
}

#[test]
fn empty_and_unknown_interests_are_rejected_naming_the_value() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    let unknown = Interest::from_bits_retain(0x80) | Interest::READABLE;
    for interest in [Interest::empty(), Interest::EDGE, Interest::ONESHOT, unknown] {
        let error = selector.register(&a, interest, 0).unwrap_err();
        let bits = i128::from(interest.bits());
        assert!(
            matches!(error, Error::InvalidArgument { name: "events", value, .. } if value == bits),
            "{interest:?}: {error:?}"
        );
        assert!(error.to_string().contains(&bits.to_string()), "{error}");
        assert!(selector.is_empty(), "a rejected interest left a key");
    }
    selector.register(&a, Interest::READABLE, 1).unwrap();
    for interest in [Interest::empty(), Interest::PRIORITY, unknown] {
        let error = selector.modify(&a, interest, 2).unwrap_err();
        assert!(matches!(error, Error::InvalidArgument { name: "events", .. }), "{error:?}");
    }
    let key = selector.get_key(&a).unwrap();
    assert_eq!((key.interest(), *key.data()), (Interest::READABLE, 1), "the key is unchanged");
}

#[test]
fn a_data_only_modify_of_an_exclusive_key_changes_the_data() {
    let _fds = support::shared();
    if !DefaultBackend::CAPABILITIES.contains(Capabilities::EXCLUSIVE) {
        return;
    }
    let (a, mut b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    let exclusive = Interest::READABLE | Interest::EXCLUSIVE;
    selector.register(&a, exclusive, 1).unwrap();
    // epoll refuses EPOLL_CTL_MOD of an EPOLLEXCLUSIVE registration with EINVAL; a data-only
    // modify must not reach it.
    let key = selector.modify(&a, exclusive, 2).unwrap();
    assert_eq!(*key.data(), 2);
    b.write_all(b"x").unwrap();
    assert_eq!(ready(&mut selector, Some(EVENTUALLY)), [(2, Readiness::READABLE)]);
}

#[test]
fn a_modify_with_the_same_interest_rearms_a_oneshot_key() {
    let _fds = support::shared();
    if !DefaultBackend::CAPABILITIES.contains(Capabilities::ONESHOT) {
        return;
    }
    let (a, _b) = socketpair();
    let mut selector: Selector<DefaultBackend, u8> = Selector::new().unwrap();
    let oneshot = Interest::WRITABLE | Interest::ONESHOT;
    selector.register(&a, oneshot, 1).unwrap();
    assert_eq!(ready(&mut selector, Some(EVENTUALLY)).len(), 1);
    assert!(ready(&mut selector, Some(Duration::ZERO)).is_empty(), "disarmed after one event");
    selector.modify(&a, oneshot, 2).unwrap();
    assert_eq!(ready(&mut selector, Some(EVENTUALLY)).len(), 1, "modify re-armed it");
}

#[test]
fn end_of_file_hang_up_and_error_follow_python_s_readiness_rule() {
    let _fds = support::shared();
    let mut selector: Selector<DefaultBackend, &str> = Selector::new().unwrap();
    // A pipe whose writer closed: Linux's epoll says EPOLLHUP without EPOLLIN.
    let (pipe_read, pipe_write) = rustix::pipe::pipe().unwrap();
    drop(pipe_write);
    selector.register(&pipe_read, Interest::READABLE, "pipe eof").unwrap();
    // A socket whose peer closed, watched for both.
    let (sock, peer) = socketpair();
    drop(peer);
    selector.register(&sock, Interest::READABLE | Interest::WRITABLE, "peer closed").unwrap();
    // A pipe's write end whose reader closed, watched for writing.
    let (reader, writer) = rustix::pipe::pipe().unwrap();
    drop(reader);
    selector.register(&writer, Interest::WRITABLE, "reader closed").unwrap();
    let mut ready = Ready::new();
    let mut seen = std::collections::BTreeMap::new();
    let deadline = Instant::now() + EVENTUALLY;
    while seen.len() < 3 && Instant::now() < deadline {
        selector.select(&mut ready, Some(Duration::from_millis(100))).unwrap();
        for event in &ready {
            seen.insert(*selector.key_of(event).unwrap().data(), event.events());
        }
    }
    // What Python's selectors report on this machine, for every backend.
    let expected = std::collections::BTreeMap::from([
        ("pipe eof", Interest::READABLE),
        ("peer closed", Interest::READABLE | Interest::WRITABLE),
        ("reader closed", Interest::WRITABLE),
    ]);
    assert_eq!(seen, expected, "{}", DefaultBackend::NAME);
}

#[test]
fn a_stream_dropped_while_registered_leaves_a_key_that_names_its_number() {
    // Exclusive: no other test may take the number this one frees and reuses.
    let _fds = support::exclusive();
    let (a, _a_peer) = socketpair();
    let mut selector: Selector<DefaultBackend, &str> = Selector::new().unwrap();
    selector.register(&a, Interest::WRITABLE, "dropped").unwrap();
    let number = a.as_raw_fd();
    drop(a);
    let (b, _b_peer) = socketpair();
    let b = if b.as_raw_fd() == number {
        b
    } else {
        UnixStream::from(rustix::io::fcntl_dupfd_cloexec(&b, number).unwrap())
    };
    assert_eq!(b.as_raw_fd(), number);
    let error = selector.register(&b, Interest::WRITABLE, "new").unwrap_err();
    assert!(matches!(error, Error::AlreadyRegistered { fd } if fd == number), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&format!("unregister_raw({number})")), "{message}");
    // The documented recovery.
    assert_eq!(*selector.unregister_raw(number).unwrap().data(), "dropped");
    selector.register(&b, Interest::WRITABLE, "new").unwrap();
    assert_eq!(ready(&mut selector, Some(EVENTUALLY)), [("new", Readiness::WRITABLE)]);
}

#[test]
fn keys_and_ready_are_exact_size_and_get_key_forms_agree() {
    let _fds = support::shared();
    let pairs: Vec<_> = (0..5).map(|_| socketpair()).collect();
    let mut selector: Selector<DefaultBackend, usize> = Selector::new().unwrap();
    for (index, (a, _)) in pairs.iter().enumerate() {
        selector.register(a, Interest::WRITABLE, index).unwrap();
    }
    selector.unregister(&pairs[1].0).unwrap();
    let mut keys = selector.keys();
    assert_eq!(keys.len(), 4);
    keys.next();
    assert_eq!(keys.len(), 3);
    assert_eq!(keys.count(), 3);
    let mut ready = Ready::new();
    assert_eq!(selector.select(&mut ready, Some(EVENTUALLY)).unwrap(), 4);
    assert_eq!((ready.len(), ready.iter().len(), ready.as_slice().len()), (4, 4, 4));
    for (a, _) in &pairs {
        let by_fd = selector.get_key(a).map(SelectorKey::fd);
        assert_eq!(by_fd, selector.get_key_raw(a.as_raw_fd()).map(SelectorKey::fd));
        let mut_fd = selector.get_key_mut(a).map(|key| key.fd());
        assert_eq!(by_fd, mut_fd);
        assert_eq!(by_fd, selector.get_key_raw_mut(a.as_raw_fd()).map(|key| key.fd()));
    }
    assert!(selector.get_key_raw(-1).is_none());
    assert!(matches!(selector.unregister_raw(-1), Err(Error::NotRegistered { fd: -1 })));
}

#[cfg(epoll_os)]
#[test]
fn a_selector_over_a_kernel_object_has_its_fileno() {
    let _fds = support::shared();
    let mut selector: Selector<select::backends::Epoll, ()> = Selector::with_new_backend().unwrap();
    let fd = selector.fileno().unwrap();
    assert_eq!(Some(fd), selector.backend().fileno().ok());
    selector.close().unwrap();
    assert!(matches!(selector.fileno(), Err(Error::Closed { .. })));
}

#[test]
fn a_capacity_too_large_is_an_error_naming_it_not_a_panic_or_abort() {
    let _fds = support::shared();
    // Both exceed isize::MAX bytes for any event record, so they fail on every system,
    // whatever its overcommit policy.
    for capacity in [usize::MAX, 1 << 60] {
        let result = Selector::<DefaultBackend, ()>::with_backend_and_capacity(
            <DefaultBackend as Backend>::new().unwrap(),
            capacity,
        );
        let error = result.err().unwrap_or_else(|| panic!("a capacity of {capacity} was accepted"));
        assert!(error.to_string().contains(&capacity.to_string()), "{error}");
    }
}

#[test]
fn an_errno_matches_through_the_facade_alone() {
    let _fds = support::shared();
    let (a, _b) = socketpair();
    let backend = <DefaultBackend as Backend>::new().unwrap();
    let result = Backend::modify(&backend, a.as_fd(), Interest::READABLE);
    assert!(matches!(result, Err(Error::Os(select::Errno::NOENT))), "{result:?}");
}
