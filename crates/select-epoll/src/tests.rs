//! Tests of the epoll backend on real kernel objects: CPython's `test_epoll.py` cases on TCP
//! sockets over 127.0.0.1, plus the pure conversions of `conv.rs`.

mod conformance;

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType};
use select_conformance::support;
use select_core::timeout::WaitRule;
use select_core::{Backend, BackendKind, Capabilities, Error, EventBuffer, Interest, Readiness};

use crate::{
    DEFAULT_MAXEVENTS, EPOLL_CLOEXEC, EPOLLERR, EPOLLET, EPOLLEXCLUSIVE, EPOLLHUP, EPOLLIN,
    EPOLLMSG, EPOLLONESHOT, EPOLLOUT, EPOLLPRI, EPOLLRDBAND, EPOLLRDHUP, EPOLLRDNORM, EPOLLWAKEUP,
    EPOLLWRBAND, EPOLLWRNORM, Epoll, EpollEvents, EpollFlags, conv,
};

/// A wait long enough never to expire in a passing test, however loaded the machine.
const LONG: Duration = Duration::from_secs(10);

/// The environment variable naming the one test a child process runs.
const CHILD_ENV: &str = "SELECT_EPOLL_TEST_CHILD";

/// Runs `body` alone in a child process (this test binary, filtered to the test `name`,
/// one thread): descriptor counts and checks on closed numbers are only exact when no other
/// test opens descriptors at the same time.
fn in_child(name: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD_ENV).is_some_and(|value| value == name) {
        body();
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD_ENV, name)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child {name} failed:\n{stdout}\n{stderr}");
    // A misspelt name would run no test at all and pass; make sure this one ran.
    assert!(stdout.contains("1 passed"), "child {name} ran no test:\n{stdout}");
}

/// CPython's `_connected_pair`: a listener on 127.0.0.1, a non-blocking `connect` to it and
/// the accepted socket. Returns `(client, server)`, both non-blocking and close-on-exec.
fn tcp_pair() -> (OwnedFd, OwnedFd) {
    let flags = SocketFlags::CLOEXEC | SocketFlags::NONBLOCK;
    let listener = listener();
    let address = rustix::net::getsockname(&listener).unwrap();
    let client =
        rustix::net::socket_with(AddressFamily::INET, SocketType::STREAM, flags, None).unwrap();
    match rustix::net::connect(&client, &address) {
        Ok(()) | Err(Errno::INPROGRESS) => {}
        Err(errno) => panic!("connect: {errno}"),
    }
    // The listener blocks, so this waits for the handshake to finish.
    let server = rustix::net::accept_with(&listener, flags).unwrap();
    (client, server)
}

/// A blocking TCP listener on an ephemeral port of 127.0.0.1.
fn listener() -> OwnedFd {
    let listener = rustix::net::socket_with(
        AddressFamily::INET,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )
    .unwrap();
    rustix::net::bind(&listener, &SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)).unwrap();
    rustix::net::listen(&listener, 16).unwrap();
    listener
}

/// A non-blocking `connect` to `listener`, which completes in the background.
fn connect_to(listener: &OwnedFd) -> OwnedFd {
    let address = rustix::net::getsockname(listener).unwrap();
    let flags = SocketFlags::CLOEXEC | SocketFlags::NONBLOCK;
    let client =
        rustix::net::socket_with(AddressFamily::INET, SocketType::STREAM, flags, None).unwrap();
    match rustix::net::connect(&client, &address) {
        Ok(()) | Err(Errno::INPROGRESS) => {}
        Err(errno) => panic!("connect: {errno}"),
    }
    client
}

/// The events of the last wait, sorted, as Python's tests compare them.
fn sorted(events: &EpollEvents) -> Vec<(RawFd, EpollFlags)> {
    let mut list: Vec<_> = events.iter().collect();
    list.sort();
    list
}

/// The errno of an OS error, or a panic naming what came instead.
fn errno<T: std::fmt::Debug>(result: Result<T, Error>) -> Errno {
    match result {
        Err(Error::Os(errno)) => errno,
        other => panic!("expected an OS error, got {other:?}"),
    }
}

/// Whether `result` is Python's "I/O operation on closed epoll object".
fn is_closed_error<T>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(Error::Closed { object: "epoll" }))
}

// ---- Creation, closing and the descriptor (CPython: test_create, test_close, test_fromfd,
// ---- test_fd_non_inheritable, test_with).

#[test]
fn create_and_close() {
    let mut ep = Epoll::new().unwrap();
    assert!(!ep.is_closed());
    let fd = ep.fileno().unwrap();
    assert!(fd >= 0);
    assert_eq!(ep.as_fd().as_raw_fd(), fd);
    assert!(format!("{ep:?}").contains(&fd.to_string()));

    ep.close().unwrap();
    assert!(ep.is_closed());
    assert!(format!("{ep:?}").contains("closed"));
    // Closing twice is harmless (Python: close() is idempotent).
    ep.close().unwrap();
    assert!(ep.is_closed());
}

#[test]
fn every_operation_fails_after_close() {
    let (client, _server) = tcp_pair();
    let mut ep = Epoll::new().unwrap();
    ep.register(&client, EPOLLIN).unwrap();
    ep.close().unwrap();

    let fileno = ep.fileno();
    assert!(is_closed_error(&fileno), "{fileno:?}");
    assert_eq!(fileno.unwrap_err().to_string(), "I/O operation on closed epoll object");
    assert!(is_closed_error(&ep.register(&client, EPOLLIN)));
    assert!(is_closed_error(&ep.modify(&client, EPOLLOUT)));
    assert!(is_closed_error(&ep.unregister(&client)));
    assert!(is_closed_error(&ep.poll(&mut EpollEvents::default(), Some(Duration::ZERO))));
    // Python checks the closed state before maxevents: `ep.poll(0, 0)` on a closed epoll
    // raises the "closed" error, not the maxevents one.
    assert!(is_closed_error(&ep.poll(&mut EpollEvents::with_capacity(0), Some(Duration::ZERO))));
    // The same through the portable trait.
    assert!(Backend::is_closed(&ep));
    assert!(is_closed_error(&Backend::register(&ep, client.as_fd(), Interest::READABLE)));
    assert!(is_closed_error(&Backend::wait(&ep, &mut EpollEvents::default(), None)));
    Backend::close(&mut ep).unwrap();
}

#[test]
fn as_fd_after_close_panics() {
    let mut ep = Epoll::new().unwrap();
    ep.close().unwrap();
    // `AsFd` has no way to fail; it documents a panic instead, and `fileno` is the fallible
    // spelling. Catch the panic rather than marking the test `should_panic`.
    let result = std::panic::catch_unwind(|| ep.as_fd().as_raw_fd());
    assert!(result.is_err());
}

#[test]
fn descriptor_is_close_on_exec() {
    let ep = Epoll::new().unwrap();
    assert!(support::is_cloexec(&ep).unwrap());
    let ep = <Epoll as Backend>::new().unwrap();
    assert!(support::is_cloexec(&ep).unwrap());
}

#[test]
fn drop_and_close_release_the_descriptor() {
    in_child("tests::drop_and_close_release_the_descriptor", || {
        let before = support::open_fds();
        let ep = Epoll::new().unwrap();
        let fd = ep.fileno().unwrap();
        assert!(support::is_open(fd));
        drop(ep);
        assert!(!support::is_open(fd), "drop must close the epoll descriptor");
        assert_eq!(support::open_fds(), before);

        let mut ep = Epoll::new().unwrap();
        let fd = ep.fileno().unwrap();
        ep.close().unwrap();
        assert!(!support::is_open(fd), "close must close the epoll descriptor");
        drop(ep);
        assert_eq!(support::open_fds(), before);

        // An adopted descriptor is owned, and closed, the same way.
        let fd = epoll_fd_without_object();
        let raw = fd.as_raw_fd();
        let ep = Epoll::from_fd(fd);
        assert_eq!(ep.fileno().unwrap(), raw);
        drop(ep);
        assert!(!support::is_open(raw));
        assert_eq!(support::open_fds(), before);
    });
}

/// An epoll descriptor made without this crate, for adopting.
fn epoll_fd_without_object() -> OwnedFd {
    rustix::event::epoll::create(rustix::event::epoll::CreateFlags::CLOEXEC).unwrap()
}

#[test]
fn adopted_duplicate_shares_the_registrations() {
    // CPython's test_fromfd makes a second object on the *same* descriptor number. Here the
    // second object adopts a duplicate: one kernel object, two owned descriptors.
    let (client, server) = tcp_pair();
    let mut ep = Epoll::new().unwrap();
    let ep2 = Epoll::from_fd(ep.as_fd().try_clone_to_owned().unwrap());
    assert_ne!(ep.fileno().unwrap(), ep2.fileno().unwrap());

    ep.register(&client, EPOLLOUT).unwrap();
    ep2.register(&server, EPOLLOUT).unwrap();
    // One interest list: a registration made through either object is a duplicate in both.
    assert_eq!(errno(ep2.register(&client, EPOLLOUT)), Errno::EXIST);
    assert_eq!(errno(ep.register(&server, EPOLLOUT)), Errno::EXIST);

    let expected = {
        let mut both = vec![(client.as_raw_fd(), EPOLLOUT), (server.as_raw_fd(), EPOLLOUT)];
        both.sort();
        both
    };
    let mut events = EpollEvents::with_capacity(4);
    assert_eq!(ep.poll(&mut events, Some(LONG)).unwrap(), 2);
    assert_eq!(sorted(&events), expected);
    assert_eq!(ep2.poll(&mut events, Some(LONG)).unwrap(), 2);
    assert_eq!(sorted(&events), expected);

    // Closing the first object leaves the second one working: it owns its descriptor.
    ep.close().unwrap();
    assert!(is_closed_error(&ep.poll(&mut events, Some(Duration::ZERO))));
    assert_eq!(ep2.poll(&mut events, Some(LONG)).unwrap(), 2);
    assert_eq!(sorted(&events), expected);
}

#[test]
fn wait_on_a_closed_epoll_number_is_ebadf() {
    // CPython's test_fromfd ends with `ep.close()` and then `ep2.poll()` on the same number,
    // which fails with EBADF. An `Epoll` cannot hold a number it does not own, so the
    // scenario is reproduced at the kernel level: the closed number answers EBADF, which is
    // exactly what ownership keeps every `Epoll` from reaching.
    in_child("tests::wait_on_a_closed_epoll_number_is_ebadf", || {
        let mut ep = Epoll::new().unwrap();
        let number = ep.fileno().unwrap();
        ep.close().unwrap();
        assert!(!support::is_open(number));
        let mut raw = [rustix::event::epoll::Event {
            flags: rustix::event::epoll::EventFlags::empty(),
            data: rustix::event::epoll::EventData::new_u64(0),
        }];
        let timeout = rustix::event::Timespec { tv_sec: 1, tv_nsec: 0 };
        let result =
            rustix::event::epoll::wait(support::borrow_raw(number), &mut raw[..], Some(&timeout));
        assert_eq!(result, Err(Errno::BADF));
    });
}

#[test]
fn adopting_a_non_epoll_descriptor_fails_later_with_einval() {
    // Like Python's fromfd, adoption does not check the descriptor; the kernel does.
    let (reader, _writer) = support::pipe().unwrap();
    let ep = Epoll::from_fd(reader);
    let mut events = EpollEvents::with_capacity(1);
    assert_eq!(errno(ep.poll(&mut events, Some(Duration::ZERO))), Errno::INVAL);
}

// ---- Registration errors (CPython: test_add, test_unregister_closed, test_errors).

#[test]
fn register_twice_is_eexist() {
    let (client, _server) = tcp_pair();
    let ep = Epoll::new().unwrap();
    ep.register(&client, EpollFlags::PYTHON_DEFAULT).unwrap();
    assert_eq!(errno(ep.register(&client, EpollFlags::PYTHON_DEFAULT)), Errno::EXIST);
    assert_eq!(
        errno(Backend::register(&ep, client.as_fd(), Interest::READABLE)),
        Errno::EXIST,
        "the portable trait keeps EEXIST (REJECTS_DUPLICATES)"
    );
}

#[test]
fn register_of_a_bad_fd_is_ebadf() {
    let ep = Epoll::new().unwrap();
    // A number far above the hard descriptor limit can never be open.
    let never_open = support::borrow_raw(1 << 24);
    assert_eq!(errno(ep.register(never_open, EPOLLIN)), Errno::BADF);
    assert_eq!(errno(ep.modify(never_open, EPOLLIN)), Errno::BADF);
    assert_eq!(errno(ep.unregister(never_open)), Errno::BADF);
}

#[test]
fn register_of_a_regular_file_is_eperm() {
    let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
    let ep = Epoll::new().unwrap();
    assert_eq!(errno(ep.register(&file, EPOLLIN)), Errno::PERM);
}

#[test]
fn register_of_itself_or_an_invalid_mask_is_einval() {
    let (client, _server) = tcp_pair();
    let ep = Epoll::new().unwrap();
    assert_eq!(errno(ep.register(&ep, EPOLLIN)), Errno::INVAL);
    // Python's `register(fd, -1)` masks to 0xFFFFFFFF, which the kernel rejects: the mask is
    // passed on with all 32 bits, not trimmed to the flags this crate names.
    assert_eq!(errno(ep.register(&client, EpollFlags::from_bits_retain(u32::MAX))), Errno::INVAL);
}

#[test]
fn modify_or_unregister_of_an_unregistered_fd_is_enoent() {
    let (client, _server) = tcp_pair();
    let ep = Epoll::new().unwrap();
    assert_eq!(errno(ep.modify(&client, EPOLLIN)), Errno::NOENT);
    assert_eq!(errno(ep.unregister(&client)), Errno::NOENT);
    assert_eq!(errno(Backend::modify(&ep, client.as_fd(), Interest::READABLE)), Errno::NOENT);
    assert_eq!(errno(Backend::unregister(&ep, client.as_fd())), Errno::NOENT);
}

#[test]
fn unregister_of_a_closed_fd_is_ebadf() {
    // CPython's test_unregister_closed: since 3.9 (bpo-39239) EBADF is raised, not ignored.
    in_child("tests::unregister_of_a_closed_fd_is_ebadf", || {
        let (client, _server) = tcp_pair();
        let ep = Epoll::new().unwrap();
        ep.register(&client, EPOLLIN | EPOLLOUT).unwrap();
        let number = client.as_raw_fd();
        drop(client);
        assert!(!support::is_open(number));
        assert_eq!(errno(ep.unregister(support::borrow_raw(number))), Errno::BADF);
    });
}

// ---- Readiness (CPython: test_control_and_wait).

#[test]
fn edge_triggered_readiness_accumulates_in_and_out() {
    let (client, server) = tcp_pair();
    let ep = Epoll::new().unwrap();
    let (c, s) = (client.as_raw_fd(), server.as_raw_fd());
    ep.register(&server, EPOLLIN | EPOLLOUT | EPOLLET).unwrap();
    ep.register(&client, EPOLLIN | EPOLLOUT | EPOLLET).unwrap();

    let mut events = EpollEvents::with_capacity(4);
    ep.poll(&mut events, Some(LONG)).unwrap();
    let mut expected = vec![(c, EPOLLOUT), (s, EPOLLOUT)];
    expected.sort();
    assert_eq!(sorted(&events), expected);

    // Edge-triggered: nothing changed, so a wait reports nothing, and it waits its timeout.
    let timeout = Duration::from_millis(200);
    let started = Instant::now();
    assert_eq!(ep.poll(&mut events, Some(timeout)).unwrap(), 0);
    assert!(started.elapsed() >= timeout, "returned early: {:?}", started.elapsed());
    assert!(events.is_empty());

    support::write_all(&client, b"Hello!").unwrap();
    support::write_all(&server, b"world!!!").unwrap();
    // Both sockets now report IN and OUT together.
    let mut seen = BTreeSet::new();
    let deadline = Instant::now() + LONG;
    while seen.len() < 2 && Instant::now() < deadline {
        ep.poll(&mut events, Some(LONG)).unwrap();
        for (fd, flags) in &events {
            assert_eq!(flags, EPOLLIN | EPOLLOUT, "fd {fd}");
            seen.insert(fd);
        }
    }
    assert_eq!(seen, BTreeSet::from([c, s]));

    // After unregister and modify, only the remaining interest is reported.
    ep.unregister(&client).unwrap();
    ep.modify(&server, EPOLLOUT).unwrap();
    assert_eq!(ep.poll(&mut events, Some(LONG)).unwrap(), 1);
    assert_eq!(sorted(&events), vec![(s, EPOLLOUT)]);
}

#[test]
fn level_triggered_unregister_and_modify_leave_only_the_remaining_interest() {
    let (client, server) = tcp_pair();
    let ep = Epoll::new().unwrap();
    let (c, s) = (client.as_raw_fd(), server.as_raw_fd());
    ep.register(&client, EpollFlags::PYTHON_DEFAULT).unwrap();
    ep.register(&server, EpollFlags::PYTHON_DEFAULT).unwrap();
    support::write_all(&client, b"ping").unwrap();

    let mut events = EpollEvents::with_capacity(4);
    let deadline = Instant::now() + LONG;
    loop {
        ep.poll(&mut events, Some(LONG)).unwrap();
        if events.iter().any(|(fd, flags)| fd == s && flags.contains(EPOLLIN)) {
            break;
        }
        assert!(Instant::now() < deadline, "the data never arrived");
    }
    let mut expected = vec![(c, EPOLLOUT), (s, EPOLLIN | EPOLLOUT)];
    expected.sort();
    assert_eq!(sorted(&events), expected);

    ep.modify(&server, EPOLLIN).unwrap();
    ep.poll(&mut events, Some(LONG)).unwrap();
    let mut expected = vec![(c, EPOLLOUT), (s, EPOLLIN)];
    expected.sort();
    assert_eq!(sorted(&events), expected);

    ep.unregister(&client).unwrap();
    ep.poll(&mut events, Some(LONG)).unwrap();
    assert_eq!(sorted(&events), vec![(s, EPOLLIN)]);

    support::drain(&server).unwrap();
    assert_eq!(ep.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);
}

#[test]
fn oneshot_is_rearmed_by_modify() {
    let (client, _server) = tcp_pair();
    let ep = Epoll::new().unwrap();
    ep.register(&client, EPOLLOUT | EPOLLONESHOT).unwrap();
    let mut events = EpollEvents::with_capacity(4);
    assert_eq!(ep.poll(&mut events, Some(LONG)).unwrap(), 1);
    assert_eq!(ep.poll(&mut events, Some(Duration::from_millis(50))).unwrap(), 0);
    ep.modify(&client, EPOLLOUT | EPOLLONESHOT).unwrap();
    assert_eq!(ep.poll(&mut events, Some(LONG)).unwrap(), 1);
    assert_eq!(sorted(&events), vec![(client.as_raw_fd(), EPOLLOUT)]);
}

#[test]
fn hang_up_is_reported_with_every_bit() {
    let (client, server) = tcp_pair();
    let ep = Epoll::new().unwrap();
    ep.register(&server, EPOLLIN | EPOLLRDHUP).unwrap();
    rustix::net::shutdown(&client, rustix::net::Shutdown::Write).unwrap();
    let mut events = EpollEvents::with_capacity(4);
    assert_eq!(ep.poll(&mut events, Some(LONG)).unwrap(), 1);
    let (fd, flags) = events.get_native(0).unwrap();
    assert_eq!(fd, server.as_raw_fd());
    assert!(flags.contains(EPOLLIN | EPOLLRDHUP), "{flags:?}");
    let event = EventBuffer::get(&events, 0).unwrap();
    assert!(event.readiness().contains(Readiness::READABLE | Readiness::READ_HANGUP));
    assert!(event.is_readable());

    // Shutting down our own writing side too closes both directions: EPOLLHUP, reported
    // although nobody asked for it.
    rustix::net::shutdown(&server, rustix::net::Shutdown::Write).unwrap();
    ep.modify(&server, EPOLLIN).unwrap();
    let deadline = Instant::now() + LONG;
    loop {
        ep.poll(&mut events, Some(LONG)).unwrap();
        let (_, flags) = events.get_native(0).unwrap();
        if flags.contains(EPOLLHUP) {
            assert!(EventBuffer::get(&events, 0).unwrap().readiness().contains(Readiness::HANGUP));
            break;
        }
        assert!(Instant::now() < deadline, "no EPOLLHUP: {flags:?}");
        thread::sleep(Duration::from_millis(5));
    }
}

// ---- Timeouts and signals.

#[test]
fn zero_timeout_returns_at_once_and_none_blocks_until_an_event() {
    let (reader, writer) = support::pipe().unwrap();
    let ep = Epoll::new().unwrap();
    ep.register(&reader, EPOLLIN).unwrap();
    let mut events = EpollEvents::with_capacity(1);
    assert_eq!(ep.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);

    let writer_thread = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        support::write_all(&writer, b"x").unwrap();
        writer
    });
    assert_eq!(ep.poll(&mut events, None).unwrap(), 1);
    assert_eq!(sorted(&events), vec![(reader.as_raw_fd(), EPOLLIN)]);
    drop(writer_thread.join().unwrap());
}

/// Waits on an idle pipe for each of `timeouts` and asserts that none returned before
/// `at_least(timeout)`.
fn assert_waits_at_least(at_least: impl Fn(Duration) -> Duration) {
    let (reader, _writer) = support::pipe().unwrap();
    let ep = Epoll::new().unwrap();
    ep.register(&reader, EPOLLIN).unwrap();
    let mut events = EpollEvents::with_capacity(1);
    for timeout in
        [Duration::from_nanos(1), Duration::from_micros(999), Duration::from_micros(1500)]
    {
        let started = Instant::now();
        assert_eq!(ep.poll(&mut events, Some(timeout)).unwrap(), 0);
        let waited = started.elapsed();
        assert!(waited >= at_least(timeout), "{timeout:?} waited {waited:?}");
    }
}

#[test]
fn sub_millisecond_timeouts_are_never_shortened() {
    // With epoll_pwait2 (Linux 5.11+) the timeout is a timespec: nothing to round, and the
    // kernel never returns early. Without it, see the test below.
    assert_waits_at_least(|timeout| timeout);
}

#[test]
fn without_epoll_pwait2_sub_millisecond_timeouts_round_up() {
    // The fallback of kernels before 5.11: Python's `epoll.poll(1e-9)` waits about 1 ms,
    // never 0 (bpo-20311), and 1.5 ms waits 2 ms. The forced fallback is process-wide, so
    // this runs in a child process of its own.
    in_child("tests::without_epoll_pwait2_sub_millisecond_timeouts_round_up", || {
        crate::sys::force_millisecond_waits();
        assert!(!crate::sys::nanosecond_waits());
        assert_waits_at_least(|timeout| {
            select_core::timeout::Granularity::Millis.round_up(timeout)
        });
    });
}

#[test]
fn nanosecond_slices_stay_finite() {
    // The longest slice is a finite wait the kernel does not saturate into "forever", and
    // a timeout beyond it is split, never clamped into a shorter total wait.
    let rule = conv::NANOS_TIMESPEC;
    assert_eq!(rule.slice(Duration::from_nanos(1_500_001)), Duration::from_nanos(1_500_001));
    assert_eq!(rule.slice(Duration::MAX), Duration::from_secs(2_147_483_647));
    assert!(rule.longest < Duration::from_secs(292 * 365 * 86_400));
}

#[test]
fn eintr_during_a_wait_is_retried_with_the_remaining_time() {
    // CPython (PEP 475): with a signal every few ms and a handler that returns, a 300 ms wait
    // returns no events after 300 ms, neither an error nor early.
    let (reader, _writer) = support::pipe().unwrap();
    let ep = Epoll::new().unwrap();
    ep.register(&reader, EPOLLIN).unwrap();
    let mut events = EpollEvents::with_capacity(4);
    let received = support::signals_received();
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let result = {
        let _interrupter = support::Interrupter::current(Duration::from_millis(5));
        ep.poll(&mut events, Some(timeout))
    };
    let waited = started.elapsed();
    assert_eq!(result.unwrap(), 0);
    assert!(waited >= timeout, "returned early after {waited:?}");
    assert!(waited < LONG, "took {waited:?}");
    assert!(support::signals_received() > received, "no signal arrived during the wait");
}

#[test]
fn eintr_during_an_unbounded_wait_still_delivers_the_event() {
    let (reader, writer) = support::pipe().unwrap();
    let ep = Epoll::new().unwrap();
    ep.register(&reader, EPOLLIN).unwrap();
    let received = support::signals_received();
    let waiter = thread::spawn(move || {
        let mut events = EpollEvents::with_capacity(4);
        let count = ep.poll(&mut events, None);
        (count, sorted(&events), reader)
    });
    {
        let _interrupter = support::Interrupter::thread(&waiter, Duration::from_millis(5));
        thread::sleep(Duration::from_millis(100));
        support::write_all(&writer, b"x").unwrap();
        while !waiter.is_finished() {
            thread::sleep(Duration::from_millis(1));
        }
    }
    let (count, events, reader) = waiter.join().unwrap();
    assert_eq!(count.unwrap(), 1);
    assert_eq!(events, vec![(reader.as_raw_fd(), EPOLLIN)]);
    assert!(support::signals_received() > received);
}

// ---- Several waiters and exclusive wake-ups.

#[test]
fn two_threads_waiting_on_one_epoll_are_both_served() {
    let ep = Arc::new(Epoll::new().unwrap());
    let (reader_a, writer_a) = support::pipe().unwrap();
    let (reader_b, writer_b) = support::pipe().unwrap();
    ep.register(&reader_a, EPOLLIN).unwrap();
    let start = Arc::new(Barrier::new(3));
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let ep = Arc::clone(&ep);
            let start = Arc::clone(&start);
            thread::spawn(move || {
                // Each thread has its own buffer; the `Epoll` is shared.
                let mut events = EpollEvents::with_capacity(4);
                start.wait();
                let count = ep.poll(&mut events, Some(LONG)).unwrap();
                (count, sorted(&events))
            })
        })
        .collect();
    start.wait();
    // Registering from a third thread while the others wait is allowed.
    ep.register(&reader_b, EPOLLIN).unwrap();
    thread::sleep(Duration::from_millis(50));
    support::write_all(&writer_a, b"a").unwrap();
    support::write_all(&writer_b, b"b").unwrap();
    let ready = BTreeSet::from([reader_a.as_raw_fd(), reader_b.as_raw_fd()]);
    for waiter in waiters {
        let (count, events) = waiter.join().unwrap();
        assert!(count >= 1, "a waiter timed out");
        for (fd, flags) in events {
            assert!(ready.contains(&fd), "unexpected fd {fd}");
            assert_eq!(flags, EPOLLIN);
        }
    }
    drop((writer_a, writer_b));
}

#[test]
fn exclusive_epolls_on_one_listener_are_woken_by_a_connection() {
    let listener = listener();
    let ep1 = Arc::new(Epoll::new().unwrap());
    let ep2 = Arc::new(Epoll::new().unwrap());
    ep1.register(&listener, EPOLLIN | EPOLLEXCLUSIVE).unwrap();
    Backend::register(&*ep2, listener.as_fd(), Interest::READABLE | Interest::EXCLUSIVE).unwrap();
    // A pipe, registered normally, lets the test release a waiter the exclusive wake-up
    // skipped.
    let (release_reader, release_writer) = support::pipe().unwrap();
    ep1.register(&release_reader, EPOLLIN).unwrap();
    ep2.register(&release_reader, EPOLLIN).unwrap();

    let mut events = EpollEvents::with_capacity(4);
    assert_eq!(ep1.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);
    assert_eq!(ep2.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);

    let start = Arc::new(Barrier::new(3));
    let waiters: Vec<_> = [&ep1, &ep2]
        .into_iter()
        .map(|ep| {
            let ep = Arc::clone(ep);
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let mut events = EpollEvents::with_capacity(4);
                start.wait();
                ep.poll(&mut events, Some(LONG)).unwrap();
                sorted(&events)
            })
        })
        .collect();
    start.wait();
    thread::sleep(Duration::from_millis(50));
    let _client = connect_to(&listener);
    // Wait until one waiter has returned, then release the other, if it is still blocked.
    let deadline = Instant::now() + LONG;
    while !waiters.iter().any(|waiter| waiter.is_finished()) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
    }
    support::write_all(&release_writer, b"x").unwrap();
    let woken_by_listener = waiters
        .into_iter()
        .map(|waiter| waiter.join().unwrap())
        .filter(|events| events.contains(&(listener.as_raw_fd(), EPOLLIN)))
        .count();
    assert!(woken_by_listener >= 1, "the connection woke no exclusive waiter");
}

#[test]
fn exclusive_on_modify_is_einval() {
    let listener = listener();
    let ep = Epoll::new().unwrap();
    ep.register(&listener, EPOLLIN).unwrap();
    assert_eq!(errno(ep.modify(&listener, EPOLLIN | EPOLLEXCLUSIVE)), Errno::INVAL);
    assert_eq!(
        errno(Backend::modify(&ep, listener.as_fd(), Interest::READABLE | Interest::EXCLUSIVE)),
        Errno::INVAL
    );
}

// ---- maxevents.

#[test]
fn maxevents_zero_is_an_error_naming_the_value() {
    let ep = Epoll::new().unwrap();
    let mut events = EpollEvents::with_capacity(0);
    let error = ep.poll(&mut events, Some(Duration::ZERO)).unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidArgument { name: "maxevents", expected: "greater than 0", value: 0 }
        ),
        "{error:?}"
    );
    // Python: `ValueError: maxevents must be greater than 0, got 0`.
    assert_eq!(error.to_string(), "maxevents must be greater than 0, got 0");
    let error = Backend::wait(&ep, &mut events, None).unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { value: 0, .. }), "{error:?}");
}

#[test]
fn twelve_hundred_ready_fds_come_back_in_two_waits_of_1023() {
    support::raise_fd_limit().unwrap();
    let ep = Epoll::new().unwrap();
    let mut sockets = Vec::new();
    for _ in 0..600 {
        let (a, b) = support::socketpair().unwrap();
        ep.register(&a, EPOLLOUT).unwrap();
        ep.register(&b, EPOLLOUT).unwrap();
        sockets.push(a);
        sockets.push(b);
    }
    let all: BTreeSet<RawFd> = sockets.iter().map(AsRawFd::as_raw_fd).collect();
    assert_eq!(all.len(), 1200);

    // Python's maxevents=-1 is 1023 (`FD_SETSIZE - 1`): one wait returns exactly that many.
    let mut events = EpollEvents::default();
    assert_eq!(events.capacity(), DEFAULT_MAXEVENTS);
    assert_eq!(ep.poll(&mut events, Some(Duration::ZERO)).unwrap(), DEFAULT_MAXEVENTS);
    let mut seen: BTreeSet<RawFd> = events.iter().map(|(fd, _)| fd).collect();
    assert_eq!(seen.len(), DEFAULT_MAXEVENTS, "no descriptor is reported twice in one wait");
    // The kernel moves reported level-triggered events to the back of its ready list, so the
    // second wait starts with the 177 that did not fit.
    ep.poll(&mut events, Some(Duration::ZERO)).unwrap();
    seen.extend(events.iter().map(|(fd, _)| fd));
    assert_eq!(seen, all);

    // A larger buffer gets them all at once (Python's `poll(0, 2000)`).
    let mut events = EpollEvents::with_capacity(2000);
    assert_eq!(ep.poll(&mut events, Some(Duration::ZERO)).unwrap(), 1200);
    assert!(events.iter().all(|(_, flags)| flags == EPOLLOUT));
}

// ---- The portable trait.

#[test]
fn backend_constants() {
    assert_eq!(Epoll::KIND, BackendKind::Epoll);
    assert_eq!(Epoll::NAME, "epoll");
    assert_eq!(Epoll::FD_LIMIT, None);
    for capability in [
        Capabilities::LEVEL,
        Capabilities::EDGE,
        Capabilities::ONESHOT,
        Capabilities::EXCLUSIVE,
        Capabilities::PRIORITY,
        Capabilities::KERNEL_OBJECT,
        Capabilities::CONCURRENT_WAITS,
        Capabilities::REJECTS_DUPLICATES,
    ] {
        assert!(Epoll::CAPABILITIES.contains(capability), "{capability:?}");
    }
    // Closing a registered descriptor removes it silently; epoll has no POLLNVAL.
    assert!(!Epoll::CAPABILITIES.contains(Capabilities::REPORTS_INVALID));
    // Every interest is accepted.
    for bits in 0..=Interest::all().bits() {
        let interest = Interest::from_bits_truncate(bits);
        assert!(select_core::check_interest::<Epoll>(interest).is_ok(), "{interest:?}");
    }
}

#[test]
fn backend_register_and_wait_report_portable_events() {
    let (client, server) = tcp_pair();
    let ep = <Epoll as Backend>::new().unwrap();
    Backend::register(&ep, server.as_fd(), Interest::READABLE).unwrap();
    Backend::register(&ep, client.as_fd(), Interest::WRITABLE | Interest::EDGE).unwrap();
    support::write_all(&client, b"x").unwrap();

    let mut events = <EpollEvents as EventBuffer>::with_capacity(4);
    let mut seen = Vec::new();
    let deadline = Instant::now() + LONG;
    while seen.len() < 2 && Instant::now() < deadline {
        Backend::wait(&ep, &mut events, Some(LONG)).unwrap();
        seen.extend(EventBuffer::iter(&events));
        seen.sort_by_key(select_core::Event::fd);
        seen.dedup_by_key(|event| event.fd());
    }
    let readiness: Vec<_> = seen.iter().map(|event| (event.fd(), event.readiness())).collect();
    let mut expected =
        vec![(client.as_raw_fd(), Readiness::WRITABLE), (server.as_raw_fd(), Readiness::READABLE)];
    expected.sort();
    assert_eq!(readiness, expected);

    Backend::modify(&ep, server.as_fd(), Interest::WRITABLE).unwrap();
    Backend::unregister(&ep, client.as_fd()).unwrap();
    Backend::wait(&ep, &mut events, Some(LONG)).unwrap();
    assert_eq!(EventBuffer::len(&events), 1);
    let event = EventBuffer::get(&events, 0).unwrap();
    assert_eq!((event.fd(), event.readiness()), (server.as_raw_fd(), Readiness::WRITABLE));
    assert!(EventBuffer::get(&events, 1).is_none());
    EventBuffer::clear(&mut events);
    assert!(EventBuffer::is_empty(&events));
    assert_eq!(EventBuffer::capacity(&events), 4);
}

// ---- Constants and conversions.

#[test]
fn constants_have_linux_values() {
    // The values CPython 3.13's module exports them on Linux.
    let table = [
        (EPOLLIN, 1),
        (EPOLLPRI, 2),
        (EPOLLOUT, 4),
        (EPOLLERR, 8),
        (EPOLLHUP, 16),
        (EPOLLRDNORM, 64),
        (EPOLLRDBAND, 128),
        (EPOLLWRNORM, 256),
        (EPOLLWRBAND, 512),
        (EPOLLMSG, 1024),
        (EPOLLRDHUP, 8192),
        (EPOLLEXCLUSIVE, 1 << 28),
        (EPOLLWAKEUP, 1 << 29),
        (EPOLLONESHOT, 1 << 30),
        (EPOLLET, 1 << 31),
    ];
    for (flag, value) in table {
        assert_eq!(flag.bits(), value, "{flag:?}");
    }
    assert_eq!(EpollFlags::all().iter_names().count(), table.len());
    assert_eq!(EPOLL_CLOEXEC, 0x80000);
    assert_eq!(DEFAULT_MAXEVENTS, 1023);
    assert_eq!(EpollFlags::PYTHON_DEFAULT.bits(), 7);
    // Unknown bits are kept, so events are reported with all 32 bits.
    assert_eq!(EpollFlags::from_bits_retain(1 << 27).bits(), 1 << 27);
}

#[test]
fn interest_round_trips_through_flags() {
    for bits in 0..=Interest::all().bits() {
        let interest = Interest::from_bits_truncate(bits);
        let flags = conv::interest_to_flags(interest);
        assert_eq!(conv::flags_to_interest(flags), interest, "{flags:?}");
    }
    assert_eq!(conv::interest_to_flags(Interest::PYTHON_DEFAULT), EpollFlags::PYTHON_DEFAULT);
    assert_eq!(conv::interest_to_flags(Interest::READABLE), EPOLLIN);
    assert_eq!(conv::interest_to_flags(Interest::EDGE | Interest::ONESHOT), EPOLLET | EPOLLONESHOT);
}

#[test]
fn flags_map_to_readiness() {
    let table = [
        (EPOLLIN, Readiness::READABLE),
        (EPOLLRDNORM, Readiness::READABLE),
        (EPOLLOUT, Readiness::WRITABLE),
        (EPOLLWRNORM, Readiness::WRITABLE),
        (EPOLLWRBAND, Readiness::WRITABLE),
        (EPOLLPRI, Readiness::PRIORITY),
        (EPOLLRDBAND, Readiness::PRIORITY),
        (EPOLLERR, Readiness::ERROR),
        (EPOLLHUP, Readiness::HANGUP),
        (EPOLLRDHUP, Readiness::READ_HANGUP),
        (EPOLLMSG, Readiness::empty()),
        (EPOLLET, Readiness::empty()),
    ];
    for (flags, readiness) in table {
        assert_eq!(conv::flags_to_readiness(flags), readiness, "{flags:?}");
    }
    assert_eq!(
        conv::flags_to_readiness(EPOLLIN | EPOLLOUT | EPOLLHUP),
        Readiness::READABLE | Readiness::WRITABLE | Readiness::HANGUP
    );
}

#[test]
fn event_data_round_trips_every_descriptor_number() {
    for fd in [0, 1, 2, 1023, 65_536, RawFd::MAX, -1, RawFd::MIN] {
        assert_eq!(conv::data_to_fd(conv::fd_to_data(fd)), fd);
    }
    // The number sits where C's `data.fd` does: the first four bytes in memory.
    assert_eq!(conv::fd_to_data(5).to_ne_bytes()[..4], 5_i32.to_ne_bytes());
    assert_eq!(conv::fd_to_data(5).to_ne_bytes()[4..], [0; 4]);
}

#[test]
fn timeout_slices_become_exact_timespecs() {
    let longest = conv::timespec(WaitRule::MILLIS_INT.longest);
    assert_eq!(longest.tv_sec, 2_147_483);
    assert_eq!(longest.tv_nsec, 647_000_000);
    let one = conv::timespec(Duration::from_millis(1));
    assert_eq!(one.tv_sec, 0);
    assert_eq!(one.tv_nsec, 1_000_000);
}

#[test]
fn event_buffer_debug_lists_the_events() {
    let (client, _server) = tcp_pair();
    let ep = Epoll::new().unwrap();
    ep.register(&client, EPOLLOUT).unwrap();
    let mut events = EpollEvents::with_capacity(2);
    assert!(format!("{events:?}").contains("capacity: 2"));
    ep.poll(&mut events, Some(LONG)).unwrap();
    let debug = format!("{events:?}");
    assert!(debug.contains(&client.as_raw_fd().to_string()), "{debug}");
    assert!(debug.contains("OUT"), "{debug}");
    assert_eq!(events.iter().len(), 1);
    events.clear();
    assert!(events.is_empty());
    assert_eq!(events.get_native(0), None);
}

#[test]
fn a_wait_allocates_nothing() {
    let (client, server) = tcp_pair();
    let (reader, _writer) = support::pipe().unwrap();
    let ep = Epoll::new().unwrap();
    ep.register(&client, EPOLLOUT).unwrap();
    ep.register(&server, EPOLLOUT).unwrap();
    ep.register(&reader, EPOLLIN).unwrap();
    let mut events = EpollEvents::with_capacity(8);
    let before = crate::sys::allocations::count();
    let mut total = 0;
    for _ in 0..100 {
        // Events reported, a timeout, and the portable path: none of them allocates.
        total += ep.poll(&mut events, Some(Duration::ZERO)).unwrap();
        total += events.iter().count();
        total += Backend::wait(&ep, &mut events, Some(Duration::from_nanos(1))).unwrap();
        total += EventBuffer::iter(&events).filter(select_core::Event::is_writable).count();
    }
    ep.unregister(&client).unwrap();
    ep.unregister(&server).unwrap();
    total += ep.poll(&mut events, Some(Duration::from_micros(10))).unwrap();
    let after = crate::sys::allocations::count();
    assert_eq!(after - before, 0, "waits allocated");
    assert_eq!(total, 800);
    // The counter does count: one allocation on this thread shows up.
    let boxed = std::hint::black_box(Box::new(total));
    assert!(crate::sys::allocations::count() > after, "the counter counts nothing");
    drop(boxed);
}

/// The buffer's inherent accessors and its iterator agree with what a wait stored: emptiness,
/// an exact length hint while iterating, and a `Debug` that lists the events.
#[test]
fn event_buffer_accessors_match_the_stored_events() {
    let epoll = Epoll::new().unwrap();
    let (a, _a_peer) = support::socketpair().unwrap();
    let (b, _b_peer) = support::socketpair().unwrap();
    let mut events = EpollEvents::with_capacity(8);
    assert!(events.is_empty());
    epoll.register(&a, EpollFlags::OUT).unwrap();
    epoll.register(&b, EpollFlags::OUT).unwrap();
    assert_eq!(epoll.poll(&mut events, Some(Duration::from_secs(5))).unwrap(), 2);
    assert!(!events.is_empty());
    assert_eq!(events.len(), 2);
    let mut iter = events.iter();
    assert_eq!(iter.size_hint(), (2, Some(2)));
    assert_eq!(iter.len(), 2);
    assert!(format!("{iter:?}").contains("EpollEventsIter"), "{iter:?}");
    iter.next();
    assert_eq!(iter.size_hint(), (1, Some(1)));
    iter.next();
    assert_eq!((iter.size_hint(), iter.next()), ((0, Some(0)), None));
    let debug = format!("{events:?}");
    assert!(debug.contains(&a.as_raw_fd().to_string()), "{debug}");
    events.clear();
    assert!(events.is_empty());
}
