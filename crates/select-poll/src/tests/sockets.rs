//! `select()` and `Select` on loopback sockets, written once for Unix and Windows: what
//! CPython's `test_select.py` checks, plus the Windows rules (a count limit per set, the
//! error a closed socket gives, an all-empty call that sleeps).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use select_core::{
    AsFd, AsRawFd, Backend, CLOSED_HANDLE, Error, EventBuffer, Interest, NOT_REGISTERED, Readiness,
};

use crate::{FD_SETSIZE, Select, select};

/// A connected pair of TCP sockets on 127.0.0.1: a socketpair where Windows has none.
fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

/// Waits on `backend` for at most `timeout` and returns what it reported.
fn wait(backend: &Select, timeout: Duration) -> Vec<(select_core::RawFd, Readiness)> {
    let mut events = select_core::EventList::with_capacity(8);
    let count = backend.wait(&mut events, Some(timeout)).unwrap();
    let reported: Vec<_> = events.iter().map(|event| (event.fd(), event.readiness())).collect();
    assert_eq!(reported.len(), count);
    reported
}

#[test]
fn select_reports_ready_items_in_input_order_with_duplicates() {
    let (a, b) = tcp_pair();
    let (c, d) = tcp_pair();
    let none: [&TcpStream; 0] = [];
    let (readers, writers, exceptional) = ([&a, &c], [&b, &d, &b], [&a]);
    // Nothing is readable yet; both ends are writable.
    let (r, w, x) = select(&readers, &writers, &exceptional, Some(Duration::ZERO)).unwrap();
    assert!(r.is_empty(), "nothing was sent");
    assert_eq!(w.len(), 3, "every writable entry is reported, duplicates kept");
    assert_eq!(w[0].as_raw_fd(), b.as_raw_fd());
    assert_eq!(w[1].as_raw_fd(), d.as_raw_fd());
    assert_eq!(w[2].as_raw_fd(), b.as_raw_fd());
    assert!(x.is_empty());

    (&d).write_all(b"x").unwrap();
    let start = Instant::now();
    let readers = [&a, &c, &c];
    let (r, _, _) = select(&readers, &none, &none, Some(Duration::from_secs(5))).unwrap();
    assert!(start.elapsed() < Duration::from_secs(5), "data was waiting");
    assert_eq!(r.len(), 2, "c twice, a not at all: {r:?}");
    assert!(r.iter().all(|item| item.as_raw_fd() == c.as_raw_fd()));
}

#[test]
fn select_times_out_never_early() {
    let (a, _b) = tcp_pair();
    let (watched, none) = ([&a], [] as [&TcpStream; 0]);
    for timeout in [Duration::from_millis(1), Duration::from_millis(60)] {
        let start = Instant::now();
        let (r, w, x) = select(&watched, &none, &watched, Some(timeout)).unwrap();
        assert!((r.is_empty(), w.is_empty(), x.is_empty()) == (true, true, true));
        assert!(
            start.elapsed() >= timeout,
            "returned after {:?}, before {timeout:?}",
            start.elapsed()
        );
    }
}

/// WinSock refuses three empty sets with `WSAEINVAL`, which Python passes through; this crate
/// sleeps for the timeout there as select(2) does on Unix (documented on `select()`).
#[test]
fn select_with_nothing_to_wait_for_sleeps_for_the_timeout() {
    let none: [&UdpSocket; 0] = [];
    let timeout = Duration::from_millis(80);
    let start = Instant::now();
    let (r, w, x) = select(&none, &none, &none, Some(timeout)).unwrap();
    assert!(r.is_empty() && w.is_empty() && x.is_empty());
    assert!(start.elapsed() >= timeout, "woke after {:?}", start.elapsed());
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// A list of `FD_SETSIZE` entries is accepted and one more is refused, naming the count:
/// on Windows the limit is a count of sockets (duplicates included, as CPython counts them),
/// on Unix a descriptor below `FD_SETSIZE` is accepted as often as the list holds it.
#[test]
fn select_lists_hold_at_most_fd_setsize_entries_named_in_the_error() {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    if usize::try_from(socket.as_raw_fd()).is_ok_and(|number| number >= FD_SETSIZE) {
        return; // On Unix the number limit comes first (tested in `unix`).
    }
    let none: [&UdpSocket; 0] = [];
    let full = vec![&socket; FD_SETSIZE];
    let (_, w, _) = select(&none, &full, &none, Some(Duration::ZERO)).unwrap();
    assert_eq!(w.len(), FD_SETSIZE, "a UDP socket is writable, each entry reported");
    let over = vec![&socket; FD_SETSIZE + 1];
    let error = select(&over, &none, &none, Some(Duration::ZERO)).unwrap_err();
    assert!(
        matches!(error, Error::TooManyFds { count, limit } if count == FD_SETSIZE + 1 && limit == FD_SETSIZE),
        "{error:?}"
    );
    assert!(error.to_string().contains(&(FD_SETSIZE + 1).to_string()), "{error}");
}

#[test]
fn select_backend_reports_tcp_readiness_in_registration_order() {
    let backend = Select::new();
    let (a, b) = tcp_pair();
    let (c, d) = tcp_pair();
    backend.register(a.as_fd(), Interest::READABLE).unwrap();
    backend.register(c.as_fd(), Interest::READABLE | Interest::WRITABLE).unwrap();
    assert_eq!(wait(&backend, Duration::ZERO), vec![(c.as_raw_fd(), Readiness::WRITABLE)]);

    (&b).write_all(b"a").unwrap();
    (&d).write_all(b"c").unwrap();
    let start = Instant::now();
    let mut reported = wait(&backend, Duration::from_secs(5));
    while reported.len() < 2 && start.elapsed() < Duration::from_secs(5) {
        reported = wait(&backend, Duration::from_secs(5));
    }
    assert_eq!(
        reported,
        vec![
            (a.as_raw_fd(), Readiness::READABLE),
            (c.as_raw_fd(), Readiness::READABLE | Readiness::WRITABLE)
        ]
    );

    let mut byte = [0; 1];
    (&a).read_exact(&mut byte).unwrap();
    backend.modify(c.as_fd(), Interest::WRITABLE).unwrap();
    assert_eq!(wait(&backend, Duration::ZERO), vec![(c.as_raw_fd(), Readiness::WRITABLE)]);
    backend.unregister(c.as_fd()).unwrap();
    assert_eq!(wait(&backend, Duration::ZERO), vec![]);

    let error = backend.modify(c.as_fd(), Interest::READABLE).unwrap_err();
    assert!(matches!(error, Error::Os(errno) if errno == NOT_REGISTERED), "{error:?}");
    let error = backend.unregister(c.as_fd()).unwrap_err();
    assert!(matches!(error, Error::NotRegistered { fd } if fd == c.as_raw_fd()), "{error:?}");
}

#[test]
fn select_backend_waits_out_its_timeout_with_and_without_registrations() {
    let backend = Select::new();
    let timeout = Duration::from_millis(60);
    let start = Instant::now();
    assert_eq!(wait(&backend, timeout), vec![]);
    assert!(start.elapsed() >= timeout, "empty: woke after {:?}", start.elapsed());

    let (a, _b) = tcp_pair();
    backend.register(a.as_fd(), Interest::READABLE).unwrap();
    let start = Instant::now();
    assert_eq!(wait(&backend, timeout), vec![]);
    assert!(start.elapsed() >= timeout, "idle: woke after {:?}", start.elapsed());
}

/// A backend holds at most `FD_SETSIZE` registrations (the count limit Windows has; on Unix
/// the number limit is reached first); the next is refused naming the count, and
/// re-registering a registered socket is still allowed.
#[test]
fn select_backend_holds_at_most_fd_setsize_registrations() {
    // Isolated: on Unix it opens descriptors until their numbers reach FD_SETSIZE, which would
    // push the numbers of tests running beside it past what select(2) takes.
    select_conformance::run_isolated(
        module_path!(),
        "select_backend_holds_at_most_fd_setsize_registrations",
        || {
            let backend = Select::new();
            let mut sockets = Vec::new();
            for _ in 0..FD_SETSIZE {
                let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
                match backend.register(socket.as_fd(), Interest::READABLE) {
                    Ok(()) => sockets.push(socket),
                    // Unix: the descriptor numbers reached FD_SETSIZE before the count did.
                    Err(Error::FdOutOfRange { .. }) => return,
                    Err(error) => panic!("{error:?}"),
                }
            }
            let extra = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            match backend.register(extra.as_fd(), Interest::READABLE) {
                Err(Error::TooManyFds { count, limit }) => {
                    assert_eq!((count, limit), (FD_SETSIZE + 1, FD_SETSIZE));
                }
                Err(Error::FdOutOfRange { .. }) => {} // Unix: the number limit again.
                other => panic!("{other:?}"),
            }
            backend.register(sockets[0].as_fd(), Interest::WRITABLE).unwrap();
            assert_eq!(backend.len(), FD_SETSIZE);
        },
    );
}

/// A registered socket that is closed makes a wait fail with the platform's error
/// ([`CLOSED_HANDLE`]: `EBADF`, `WSAENOTSOCK`), as Python's `select.select` raises it, until
/// `unregister_raw` removes it.
///
/// The other tests of this binary run on other threads and open descriptors of their own, so
/// one of them can be given the closed socket's number between the close and the wait, which
/// then succeeds on that new descriptor. Such an attempt is recognised (the wait succeeds)
/// and made again with a new pair, up to ten times.
#[test]
fn select_backend_fails_on_a_closed_registration_until_it_is_removed() {
    let mut events = select_core::EventList::with_capacity(4);
    let mut attempts = 0;
    let (backend, a, number, error) = loop {
        attempts += 1;
        let backend = Select::new();
        let (a, b) = tcp_pair();
        let number = b.as_raw_fd();
        backend.register(a.as_fd(), Interest::READABLE).unwrap();
        backend.register(b.as_fd(), Interest::READABLE).unwrap();
        drop(b);
        match backend.wait(&mut events, Some(Duration::ZERO)) {
            Err(error) => break (backend, a, number, error),
            Ok(_) if attempts < 10 => {}
            Ok(count) => {
                panic!("ten waits over a closed registration succeeded, the last with {count}")
            }
        }
    };
    assert!(matches!(error, Error::Os(errno) if errno == CLOSED_HANDLE), "{error:?}");
    let io = std::io::Error::from(error);
    assert_eq!(io.raw_os_error(), Some(CLOSED_HANDLE.raw_os_error()), "the code is kept");
    backend.unregister_raw(number).unwrap();
    // `a`'s peer is gone: reading it gives end of file, so it is readable.
    assert_eq!(wait(&backend, Duration::from_secs(5)), vec![(a.as_raw_fd(), Readiness::READABLE)]);
}

/// A steady-state wait (no registration change since the last) makes no heap allocation, on
/// WinSock's list-shaped sets as on Unix's bitmaps.
#[test]
fn steady_state_select_waits_do_not_allocate() {
    let backend = Select::new();
    let (a, b) = tcp_pair();
    backend.register(a.as_fd(), Interest::READABLE | Interest::WRITABLE).unwrap();
    backend.register(b.as_fd(), Interest::WRITABLE).unwrap();
    let mut events = select_core::EventList::with_capacity(4);
    assert_eq!(backend.wait(&mut events, Some(Duration::ZERO)).unwrap(), 2);
    let before = super::allocations();
    for _ in 0..100 {
        assert_eq!(backend.wait(&mut events, Some(Duration::ZERO)).unwrap(), 2);
    }
    assert_eq!(super::allocations() - before, 0, "steady-state waits allocated");
}

/// A non-blocking `connect` that fails is reported to a registration for writing: select(2)
/// marks the socket writable, WinSock marks it exceptional only, which `Select` watches for
/// its writers on Windows as Python's `SelectSelector` does (`select(r, w, w)`).
#[test]
fn select_backend_reports_a_failed_connect_to_a_writer() {
    use rustix::io::Errno;
    use rustix::net::{AddressFamily, SocketType};
    // A port nothing listens on: one a listener had, closed again.
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
    let socket = rustix::net::socket(AddressFamily::INET, SocketType::STREAM, None).unwrap();
    rustix::io::ioctl_fionbio(&socket, true).unwrap();
    match rustix::net::connect(&socket, &std::net::SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)) {
        Err(errno) if errno == Errno::INPROGRESS || errno == Errno::WOULDBLOCK => {}
        // Refused at once: nothing is left for a wait to report.
        Err(Errno::CONNREFUSED) => return,
        other => panic!("connect to a closed port: {other:?}"),
    }
    let backend = Select::new();
    backend.register(socket.as_fd(), Interest::WRITABLE).unwrap();
    let started = Instant::now();
    loop {
        // Windows retries a refused loopback connection for about two seconds.
        let reported = wait(&backend, Duration::from_millis(100));
        if let Some(&(fd, readiness)) = reported.first() {
            assert_eq!(fd, socket.as_raw_fd());
            assert!(readiness.contains(Readiness::WRITABLE), "{readiness:?}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the failed connect was never reported"
        );
    }
}
