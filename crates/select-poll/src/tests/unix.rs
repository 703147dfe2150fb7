//! Tests of `Poll`, `select()` and `Select` on real pipes, socketpairs and TCP sockets on
//! 127.0.0.1 (CPython's `test_poll.py` and `test_select.py` cases), plus the pure conversions
//! of `conv.rs` and the registration table.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rustix::io::{Errno, FdFlags};
use rustix::net::{AddressFamily, SendFlags, SocketType};
use select_conformance::{run_isolated, support};
use select_core::timeout::{Granularity, WaitRule};
use select_core::{
    Backend, BackendKind, Capabilities, Error, EventBuffer, EventList, Interest, Readiness,
};

use crate::conv::{self, FdBits};
use crate::table::Table;
use crate::{
    FD_SETSIZE, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM,
    POLLWRBAND, POLLWRNORM, Poll, PollFlags, Select, select,
};

/// A wait long enough never to expire in a passing test, however loaded the machine.
const LONG: Duration = Duration::from_secs(10);

use super::allocations;

// ---------------------------------------------------------------------------------------------
// Helpers.

/// A close-on-exec TCP socket. The flag is set after creation because Apple platforms lack
/// `SOCK_CLOEXEC`.
fn tcp_socket() -> OwnedFd {
    let socket = rustix::net::socket(AddressFamily::INET, SocketType::STREAM, None).unwrap();
    rustix::io::fcntl_setfd(&socket, FdFlags::CLOEXEC).unwrap();
    socket
}

/// The next connection on `listener`, close-on-exec.
fn accept(listener: &OwnedFd) -> OwnedFd {
    let socket = rustix::net::accept(listener).unwrap();
    rustix::io::fcntl_setfd(&socket, FdFlags::CLOEXEC).unwrap();
    socket
}

/// A blocking TCP listener on an ephemeral port of 127.0.0.1.
fn listener() -> OwnedFd {
    let listener = tcp_socket();
    rustix::net::bind(&listener, &SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)).unwrap();
    rustix::net::listen(&listener, 16).unwrap();
    listener
}

/// A connected TCP pair over 127.0.0.1: `(client, server)`, both close-on-exec.
fn tcp_pair() -> (OwnedFd, OwnedFd) {
    let listener = listener();
    let address = rustix::net::getsockname(&listener).unwrap();
    let client = tcp_socket();
    rustix::net::connect(&client, &address).unwrap();
    let server = accept(&listener);
    (client, server)
}

/// The errno of an [`Error::Os`], failing on anything else.
fn errno<T: std::fmt::Debug>(result: Result<T, Error>) -> Errno {
    match result {
        Err(Error::Os(errno)) => errno,
        other => panic!("expected an OS error, got {other:?}"),
    }
}

/// A duplicate of `fd` numbered at least `min` (close-on-exec), after raising the soft
/// descriptor limit so high numbers are allowed.
fn dup_at_least(fd: impl AsFd, min: RawFd) -> OwnedFd {
    support::raise_fd_limit().unwrap();
    rustix::io::fcntl_dupfd_cloexec(fd, min).unwrap()
}

/// `FD_SETSIZE` as a descriptor number.
fn setsize_fd() -> RawFd {
    RawFd::try_from(FD_SETSIZE).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Constants and conversions.

#[test]
fn constants_come_from_the_platform() {
    assert_eq!(POLLIN.bits(), conv::short_bits(libc::POLLIN));
    assert_eq!(POLLPRI.bits(), conv::short_bits(libc::POLLPRI));
    assert_eq!(POLLOUT.bits(), conv::short_bits(libc::POLLOUT));
    assert_eq!(POLLERR.bits(), conv::short_bits(libc::POLLERR));
    assert_eq!(POLLHUP.bits(), conv::short_bits(libc::POLLHUP));
    assert_eq!(POLLNVAL.bits(), conv::short_bits(libc::POLLNVAL));
    assert_eq!(POLLRDNORM.bits(), conv::short_bits(libc::POLLRDNORM));
    assert_eq!(POLLRDBAND.bits(), conv::short_bits(libc::POLLRDBAND));
    assert_eq!(POLLWRNORM.bits(), conv::short_bits(libc::POLLWRNORM));
    assert_eq!(POLLWRBAND.bits(), conv::short_bits(libc::POLLWRBAND));
    // rustix's values (from the kernel's headers on Linux) agree with libc's.
    use rustix::event::PollFlags as R;
    for (ours, theirs) in [
        (PollFlags::IN, R::IN),
        (PollFlags::PRI, R::PRI),
        (PollFlags::OUT, R::OUT),
        (PollFlags::ERR, R::ERR),
        (PollFlags::HUP, R::HUP),
        (PollFlags::NVAL, R::NVAL),
        (PollFlags::RDNORM, R::RDNORM),
        (PollFlags::RDBAND, R::RDBAND),
        (PollFlags::WRNORM, R::WRNORM),
        (PollFlags::WRBAND, R::WRBAND),
    ] {
        assert_eq!(conv::to_rustix(ours), theirs, "{ours:?}");
        assert_eq!(conv::from_rustix(theirs), ours, "{theirs:?}");
    }
    #[cfg(poll_rdhup)]
    assert_eq!(conv::to_rustix(crate::POLLRDHUP), R::RDHUP);
    assert_eq!(PollFlags::PYTHON_DEFAULT, POLLIN | POLLPRI | POLLOUT);
    assert_eq!(FD_SETSIZE, libc::FD_SETSIZE);
}

#[test]
fn linux_values_match_python() {
    // CPython 3.13 on Linux x86-64. Other targets have their own values, which
    // the test above ties to libc.
    if !cfg!(linux_kernel) || cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
        return;
    }
    let expected: [(PollFlags, u16); 10] = [
        (POLLIN, 1),
        (POLLPRI, 2),
        (POLLOUT, 4),
        (POLLERR, 8),
        (POLLHUP, 16),
        (POLLNVAL, 32),
        (POLLRDNORM, 64),
        (POLLRDBAND, 128),
        (POLLWRNORM, 256),
        (POLLWRBAND, 512),
    ];
    for (flag, value) in expected {
        assert_eq!(flag.bits(), value, "{flag:?}");
    }
    #[cfg(linux_kernel)]
    {
        assert_eq!(crate::POLLMSG.bits(), 1024);
        assert_eq!(crate::POLLRDHUP.bits(), 8192);
    }
    assert_eq!(PollFlags::PYTHON_DEFAULT.bits(), 7);
}

#[test]
fn readiness_mapping() {
    assert_eq!(conv::readiness(PollFlags::empty()), Readiness::empty());
    assert_eq!(conv::readiness(POLLIN), Readiness::READABLE);
    assert_eq!(conv::readiness(POLLRDNORM), Readiness::READABLE);
    assert_eq!(conv::readiness(POLLPRI), Readiness::PRIORITY);
    assert_eq!(conv::readiness(POLLRDBAND), Readiness::PRIORITY);
    assert_eq!(conv::readiness(POLLOUT), Readiness::WRITABLE);
    assert_eq!(conv::readiness(POLLWRNORM), Readiness::WRITABLE);
    assert_eq!(conv::readiness(POLLWRBAND), Readiness::WRITABLE);
    assert_eq!(conv::readiness(POLLERR), Readiness::ERROR);
    assert_eq!(conv::readiness(POLLHUP), Readiness::HANGUP);
    assert_eq!(conv::readiness(POLLNVAL), Readiness::INVALID);
    #[cfg(poll_rdhup)]
    assert_eq!(conv::readiness(crate::POLLRDHUP), Readiness::READ_HANGUP);
    assert_eq!(conv::readiness(POLLIN | POLLHUP), Readiness::READABLE | Readiness::HANGUP);
    assert_eq!(PollFlags::from_bits_retain(0x8000).bits(), 0x8000, "unnamed bits are kept");
    assert_eq!(
        conv::select_readiness(Interest::all(), true, true, true),
        Readiness::READABLE | Readiness::WRITABLE | Readiness::PRIORITY
    );
    assert_eq!(conv::select_readiness(Interest::all(), false, false, false), Readiness::empty());
}

#[test]
fn select_timeout_rule() {
    assert_eq!(conv::SELECT_RULE.granularity, Granularity::Micros);
    assert_eq!(conv::SELECT_RULE.longest, Duration::from_secs(100_000_000));
    assert_eq!(conv::SELECT_RULE.slice(Duration::from_nanos(1)), Duration::from_micros(1));
    assert_eq!(conv::SELECT_RULE.slice(Duration::from_nanos(1_001)), Duration::from_micros(2));
    assert_eq!(conv::SELECT_RULE.slice(Duration::MAX), Duration::from_secs(100_000_000));
    // The longest select slice fits a 32-bit time_t.
    assert!(i32::try_from(conv::SELECT_RULE.longest.as_secs()).is_ok());
    assert_eq!(WaitRule::MILLIS_INT.slice(Duration::from_nanos(1)), Duration::from_millis(1));
}

#[test]
fn set_index_range() {
    assert_eq!(conv::set_index(-1), None);
    assert_eq!(conv::set_index(0), Some(0));
    assert_eq!(conv::set_index(setsize_fd() - 1), Some(FD_SETSIZE - 1));
    assert_eq!(conv::set_index(setsize_fd()), None);
    assert_eq!(conv::set_index(RawFd::MAX), None);
}

proptest! {
    #[test]
    fn interest_round_trips_through_poll_flags(bits in 0u8..8) {
        let interest = Interest::from_bits_truncate(bits) & Interest::CONDITIONS;
        prop_assert_eq!(conv::interest(conv::poll_flags(interest)), interest);
        prop_assert_eq!(PollFlags::from_interest(interest).interest(), interest);
    }

    #[test]
    fn every_bit_round_trips_through_rustix(bits in any::<u16>()) {
        let flags = PollFlags::from_bits_retain(bits);
        prop_assert_eq!(conv::from_rustix(conv::to_rustix(flags)).bits(), bits);
    }

    #[test]
    fn readiness_of_requested_conditions(bits in 0u8..8) {
        // Reporting exactly what was asked for yields the same conditions back.
        let interest = Interest::from_bits_truncate(bits) & Interest::CONDITIONS;
        let readiness = conv::readiness(conv::poll_flags(interest));
        prop_assert_eq!(readiness.contains(Readiness::READABLE), interest.contains(Interest::READABLE));
        prop_assert_eq!(readiness.contains(Readiness::WRITABLE), interest.contains(Interest::WRITABLE));
        prop_assert_eq!(readiness.contains(Readiness::PRIORITY), interest.contains(Interest::PRIORITY));
    }

    #[test]
    fn fd_bits_behave_as_a_set(members in proptest::collection::btree_set(0..FD_SETSIZE, 0..64)) {
        let mut bits = FdBits::new();
        for &member in &members {
            bits.insert(member);
        }
        prop_assert_eq!(bits.iter().collect::<Vec<_>>(), members.iter().copied().collect::<Vec<_>>());
        for index in 0..FD_SETSIZE.min(2048) {
            prop_assert_eq!(bits.contains(index), members.contains(&index));
        }
        prop_assert!(!bits.contains(FD_SETSIZE));
        prop_assert_eq!(bits.is_empty(), members.is_empty());
        bits.clear();
        prop_assert!(bits.is_empty());
    }

    #[test]
    fn table_keeps_insertion_order(ops in proptest::collection::vec((0i32..24, any::<bool>(), 0u16..4), 0..200)) {
        // The model: CPython's dict, a list of (fd, mask) in insertion order.
        let mut model: Vec<(RawFd, u16)> = Vec::new();
        let mut table = Table::new();
        for (fd, insert, mask) in ops {
            if insert {
                table.insert(fd, mask);
                match model.iter_mut().find(|(key, _)| *key == fd) {
                    Some(entry) => entry.1 = mask,
                    None => model.push((fd, mask)),
                }
            } else {
                let present = model.iter().position(|(key, _)| *key == fd);
                prop_assert_eq!(table.remove(fd), present.is_some());
                if let Some(position) = present {
                    model.remove(position);
                }
            }
            prop_assert_eq!(table.iter().collect::<Vec<_>>(), model.clone());
            prop_assert_eq!(table.len(), model.len());
        }
    }
}

#[test]
fn table_change_flag() {
    let mut table = Table::new();
    assert!(!table.take_changed());
    table.insert(3, 1u16);
    assert!(table.take_changed());
    assert!(!table.take_changed());
    table.insert(3, 1);
    assert!(!table.take_changed(), "the same mask again changes nothing");
    assert!(table.modify(3, 2));
    assert!(table.take_changed());
    assert!(!table.modify(4, 2));
    assert!(!table.take_changed());
    assert!(table.remove(3));
    assert!(table.take_changed());
}

// ---------------------------------------------------------------------------------------------
// Poll: registration rules.

#[test]
fn twelve_pipes_through_one_poll() {
    // CPython's test_poll1: register, write, poll, read, for many pipes at once.
    let pipes: Vec<(OwnedFd, OwnedFd)> = (0..12).map(|_| support::pipe().unwrap()).collect();
    let poll = Poll::new();
    for (reader, writer) in &pipes {
        poll.register(reader, POLLIN).unwrap();
        poll.register(writer, POLLOUT).unwrap();
    }
    // Every write end is writable, no read end readable; results in registration order.
    let ready = poll.poll(Some(Duration::ZERO)).unwrap();
    let writers: Vec<RawFd> = pipes.iter().map(|(_, w)| w.as_raw_fd()).collect();
    assert_eq!(ready.iter().map(|&(fd, _)| fd).collect::<Vec<_>>(), writers);
    assert!(ready.iter().all(|&(_, revents)| revents.contains(POLLOUT)));
    for (index, (reader, writer)) in pipes.iter().enumerate() {
        support::write_all(writer, format!("message {index}").as_bytes()).unwrap();
        let ready = poll.poll(Some(LONG)).unwrap();
        assert!(ready.contains(&(reader.as_raw_fd(), POLLIN)), "{ready:?}");
        let mut buffer = [0u8; 64];
        let read = rustix::io::read(reader, &mut buffer).unwrap();
        assert_eq!(&buffer[..read], format!("message {index}").as_bytes());
        poll.unregister(writer).unwrap();
        // Drained again: the read end is no longer reported.
        let ready = poll.poll(Some(Duration::ZERO)).unwrap();
        assert!(!ready.iter().any(|&(fd, _)| fd == reader.as_raw_fd()), "{ready:?}");
    }
    assert_eq!(poll.len(), 12);
}

#[test]
fn results_follow_registration_order() {
    let pipes: Vec<(OwnedFd, OwnedFd)> = (0..5).map(|_| support::pipe().unwrap()).collect();
    let poll = Poll::new();
    // Registered in reverse: reported in reverse.
    for (_, writer) in pipes.iter().rev() {
        poll.register(writer, POLLOUT).unwrap();
    }
    let order = |poll: &Poll| -> Vec<RawFd> {
        poll.poll(Some(Duration::ZERO)).unwrap().into_iter().map(|(fd, _)| fd).collect()
    };
    let mut expected: Vec<RawFd> = pipes.iter().rev().map(|(_, w)| w.as_raw_fd()).collect();
    assert_eq!(order(&poll), expected);
    // Re-registering keeps the position and replaces the mask.
    poll.register(&pipes[2].1, POLLOUT | POLLIN).unwrap();
    assert_eq!(poll.mask(pipes[2].1.as_raw_fd()), Some(POLLOUT | POLLIN));
    assert_eq!(order(&poll), expected);
    // modify keeps the position too.
    poll.modify(&pipes[4].1, POLLOUT | POLLPRI).unwrap();
    assert_eq!(order(&poll), expected);
    // Unregister and register again: moves to the end.
    poll.unregister(&pipes[3].1).unwrap();
    poll.register(&pipes[3].1, POLLOUT).unwrap();
    let moved = expected.remove(1);
    expected.push(moved);
    assert_eq!(order(&poll), expected);
}

#[test]
fn modify_and_unregister_of_unknown_fds() {
    let (reader, writer) = support::pipe().unwrap();
    let poll = Poll::new();
    assert_eq!(errno(poll.modify(&reader, POLLIN)), Errno::NOENT);
    match poll.unregister(&reader) {
        Err(Error::NotRegistered { fd }) => assert_eq!(fd, reader.as_raw_fd()),
        other => panic!("expected NotRegistered, got {other:?}"),
    }
    poll.register(&reader, POLLIN).unwrap();
    poll.unregister(&reader).unwrap();
    assert!(matches!(poll.unregister(&reader), Err(Error::NotRegistered { .. })));
    // unregister_raw takes any number.
    assert!(matches!(poll.unregister_raw(123_456), Err(Error::NotRegistered { fd: 123_456 })));
    assert_eq!(errno(poll.modify(&writer, POLLOUT)), Errno::NOENT);
    // The portable forms follow the same rules.
    assert_eq!(errno(Backend::modify(&poll, reader.as_fd(), Interest::READABLE)), Errno::NOENT);
    assert!(matches!(Backend::unregister(&poll, reader.as_fd()), Err(Error::NotRegistered { .. })));
}

#[test]
fn mask_zero_still_reports_hangup() {
    let (reader, writer) = support::pipe().unwrap();
    let poll = Poll::new();
    poll.register(&reader, PollFlags::empty()).unwrap();
    assert_eq!(poll.poll(Some(Duration::ZERO)).unwrap(), vec![]);
    drop(writer);
    let ready = poll.poll(Some(LONG)).unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].0, reader.as_raw_fd());
    assert!(ready[0].1.contains(POLLHUP), "{ready:?}");
    assert!(!ready[0].1.contains(POLLIN), "POLLIN was not asked for: {ready:?}");
}

#[test]
fn closed_fd_is_reported_as_pollnval() {
    // Run alone in a child process: the closed number must not be reused by another test.
    run_isolated(module_path!(), "closed_fd_is_reported_as_pollnval", || {
        let (reader, writer) = support::pipe().unwrap();
        let high = dup_at_least(&reader, 6000);
        let number = high.as_raw_fd();
        let poll = Poll::new();
        poll.register(&high, POLLIN).unwrap();
        poll.register(&writer, POLLOUT).unwrap();
        drop(high);
        let ready = poll.poll(Some(LONG)).unwrap();
        assert_eq!(ready, vec![(number, POLLNVAL), (writer.as_raw_fd(), POLLOUT)]);
        let mut events = EventList::with_capacity(4);
        assert_eq!(Backend::wait(&poll, &mut events, Some(LONG)).unwrap(), 2);
        assert_eq!(events.get(0).unwrap().readiness(), Readiness::INVALID);
        // A closed number has no AsFd; unregister_raw removes it.
        poll.unregister_raw(number).unwrap();
        assert_eq!(poll.poll(Some(Duration::ZERO)).unwrap(), vec![(writer.as_raw_fd(), POLLOUT)]);
        // A number that was never open is reported the same way, as CPython does for 5000.
        assert!(!support::is_open(5000));
        poll.register(support::borrow_raw(5000), POLLIN).unwrap();
        assert!(poll.poll(Some(LONG)).unwrap().contains(&(5000, POLLNVAL)));
        drop(reader);
    });
}

#[test]
fn priority_data_on_tcp() {
    // Out-of-band data on a TCP socket is POLLPRI, select(2)'s exceptional condition, and
    // PRIORITY for both backends.
    let (client, server) = tcp_pair();
    let poll = Poll::new();
    poll.register(&server, POLLPRI).unwrap();
    assert_eq!(poll.poll(Some(Duration::ZERO)).unwrap(), vec![]);
    rustix::net::send(&client, b"!", SendFlags::OOB).unwrap();
    let ready = poll.poll(Some(LONG)).unwrap();
    assert_eq!(ready.len(), 1);
    assert!(ready[0].1.contains(POLLPRI), "{ready:?}");
    let none: [OwnedFd; 0] = [];
    let xlist = [server];
    let (r, w, x) = select(&none, &none, &xlist, Some(LONG)).unwrap();
    assert!(r.is_empty() && w.is_empty());
    assert_eq!(x.len(), 1);
    let backend = <Select as Backend>::new().unwrap();
    Backend::register(&backend, x[0].as_fd(), Interest::PRIORITY).unwrap();
    let mut events = EventList::with_capacity(4);
    assert_eq!(Backend::wait(&backend, &mut events, Some(LONG)).unwrap(), 1);
    assert_eq!(events.get(0).unwrap().readiness(), Readiness::PRIORITY);
    drop(client);
}

#[test]
fn tcp_listener_and_peer_shutdown() {
    let listener = listener();
    let poll = Poll::new();
    poll.register(&listener, POLLIN).unwrap();
    assert_eq!(poll.poll(Some(Duration::ZERO)).unwrap(), vec![]);
    let address = rustix::net::getsockname(&listener).unwrap();
    let client = tcp_socket();
    rustix::net::connect(&client, &address).unwrap();
    assert_eq!(poll.poll(Some(LONG)).unwrap(), vec![(listener.as_raw_fd(), POLLIN)]);
    let server = accept(&listener);
    poll.register(&server, PollFlags::PYTHON_DEFAULT | PollFlags::all()).unwrap();
    rustix::net::shutdown(&client, rustix::net::Shutdown::Write).unwrap();
    let ready = poll.poll(Some(LONG)).unwrap();
    let server_events = ready.iter().find(|&&(fd, _)| fd == server.as_raw_fd()).unwrap().1;
    assert!(server_events.contains(POLLIN | POLLOUT), "{server_events:?}");
    #[cfg(poll_rdhup)]
    assert!(server_events.contains(crate::POLLRDHUP), "{server_events:?}");
}

// ---------------------------------------------------------------------------------------------
// Poll: waits, timeouts, threads.

#[test]
fn timeouts_neither_early_nor_never() {
    let (reader, writer) = support::pipe().unwrap();
    let poll = Poll::new();
    poll.register(&reader, POLLIN).unwrap();
    // Zero: returns at once with nothing.
    let started = Instant::now();
    assert_eq!(poll.poll(Some(Duration::ZERO)).unwrap(), vec![]);
    assert!(started.elapsed() < LONG);
    // A few ms: never early.
    for timeout in [Duration::from_nanos(1), Duration::from_micros(1500), Duration::from_millis(20)]
    {
        let started = Instant::now();
        assert_eq!(poll.poll(Some(timeout)).unwrap(), vec![]);
        let waited = started.elapsed();
        assert!(waited >= timeout, "{timeout:?} returned after {waited:?}");
        // Rounded up to whole milliseconds: 1 ns waits at least 1 ms.
        assert!(waited >= Granularity::Millis.round_up(timeout), "{waited:?}");
        assert!(waited < LONG);
    }
    // None: released by a write from another thread.
    let writer_thread = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        support::write_all(&writer, b"x").unwrap();
        writer
    });
    let started = Instant::now();
    assert_eq!(poll.poll(None).unwrap(), vec![(reader.as_raw_fd(), POLLIN)]);
    assert!(started.elapsed() < LONG);
    drop(writer_thread.join().unwrap());
}

#[test]
fn empty_poll_sleeps_for_the_timeout() {
    let poll = Poll::new();
    let timeout = Duration::from_millis(30);
    let started = Instant::now();
    assert_eq!(poll.poll(Some(timeout)).unwrap(), vec![]);
    assert!(started.elapsed() >= timeout);
}

#[test]
fn signals_neither_surface_nor_shorten_a_poll_wait() {
    // CPython (PEP 475): a signal every few ms, with a handler that returns, during a 300 ms
    // wait: the wait returns empty after 300 ms.
    let (reader, _writer) = support::pipe().unwrap();
    let poll = Poll::new();
    poll.register(&reader, POLLIN).unwrap();
    let received = support::signals_received();
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let result = {
        let _interrupter = support::Interrupter::current(Duration::from_millis(5));
        poll.poll(Some(timeout))
    };
    let waited = started.elapsed();
    assert_eq!(result.unwrap(), vec![]);
    assert!(waited >= timeout, "returned early after {waited:?}");
    assert!(waited < LONG, "took {waited:?}");
    assert!(support::signals_received() > received, "no signal arrived during the wait");
}

#[test]
fn signals_during_an_unbounded_poll_still_deliver_the_event() {
    let (reader, writer) = support::pipe().unwrap();
    let poll = Arc::new(Poll::new());
    poll.register(&reader, POLLIN).unwrap();
    let waiter = {
        let poll = Arc::clone(&poll);
        thread::spawn(move || blocking_poll(&poll))
    };
    {
        let _interrupter = support::Interrupter::thread(&waiter, Duration::from_millis(5));
        thread::sleep(Duration::from_millis(100));
        support::write_all(&writer, b"x").unwrap();
        // Keep interrupting until the waiter has seen the write.
        while !waiter.is_finished() {
            thread::sleep(Duration::from_millis(5));
        }
    }
    assert_eq!(waiter.join().unwrap().unwrap(), vec![(reader.as_raw_fd(), POLLIN)]);
}

/// `poll.poll(None)` for a waiter thread, retried while a probe of [`until_waiting`] holds
/// the wait: on a loaded machine the waiter may start during a probe and be the one told
/// `ConcurrentWait`.
fn blocking_poll(poll: &Poll) -> select_core::Result<Vec<(RawFd, PollFlags)>> {
    loop {
        match poll.poll(None) {
            Err(Error::ConcurrentWait { .. }) => thread::sleep(Duration::from_millis(1)),
            result => return result,
        }
    }
}

/// Waits until `poll`'s wait is in progress on another thread: a zero-timeout wait fails with
/// the concurrent-wait error only then.
fn until_waiting(poll: &Poll) {
    let started = Instant::now();
    loop {
        match poll.poll(Some(Duration::ZERO)) {
            Err(Error::ConcurrentWait { object }) => {
                assert_eq!(object, "poll");
                return;
            }
            Ok(_) => {}
            Err(error) => panic!("{error}"),
        }
        assert!(started.elapsed() < LONG, "the other thread never started waiting");
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn registrations_change_while_a_wait_blocks() {
    // CPython's test_threaded_poll (bpo-8865): a thread blocks in poll(); the main thread
    // unregisters everything and registers a new fd; a second poll() is the concurrent-wait
    // error; a write to an old fd releases the blocked wait, which still used the old array.
    let pipes: Vec<(OwnedFd, OwnedFd)> = (0..4).map(|_| support::pipe().unwrap()).collect();
    let (new_reader, new_writer) = support::pipe().unwrap();
    let poll = Arc::new(Poll::new());
    for (reader, _) in &pipes {
        poll.register(reader, POLLIN).unwrap();
    }
    let waiter = {
        let poll = Arc::clone(&poll);
        thread::spawn(move || blocking_poll(&poll))
    };
    until_waiting(&poll);
    for (reader, _) in &pipes {
        poll.unregister(reader).unwrap();
    }
    poll.register(&new_reader, POLLIN).unwrap();
    assert!(matches!(poll.poll(Some(Duration::ZERO)), Err(Error::ConcurrentWait { .. })));
    let mut events = EventList::with_capacity(4);
    assert!(matches!(
        Backend::wait(&*poll, &mut events, Some(Duration::ZERO)),
        Err(Error::ConcurrentWait { object: "poll" })
    ));
    support::write_all(&pipes[2].1, b"x").unwrap();
    let released = waiter.join().unwrap().unwrap();
    assert_eq!(released, vec![(pipes[2].0.as_raw_fd(), POLLIN)]);
    // The next wait sees the new registrations only.
    support::write_all(&new_writer, b"y").unwrap();
    assert_eq!(poll.poll(Some(LONG)).unwrap(), vec![(new_reader.as_raw_fd(), POLLIN)]);
    assert_eq!(poll.array_len(), 1);
}

/// Runs `wait` on another thread while this one holds `guard`, the registrations' lock, and
/// returns its result; a wait that took the lock would block until the watchdog fires.
fn wait_beside_held_lock<G, T: Send + 'static>(
    guard: G,
    wait: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, result) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(wait());
    });
    let found = result
        .recv_timeout(Duration::from_secs(10))
        .expect("a steady-state wait blocked on the registrations' lock");
    drop(guard);
    found
}

#[test]
fn steady_state_waits_take_no_registration_lock() {
    let (reader, writer) = support::pipe().unwrap();
    support::write_all(&writer, b"x").unwrap();
    let poll = Arc::new(Poll::new());
    poll.register(&reader, POLLIN).unwrap();
    let select = Arc::new(Select::new());
    Backend::register(&*select, reader.as_fd(), Interest::READABLE).unwrap();
    // The first waits build the array and the sets (taking the lock once).
    assert_eq!(poll.poll(Some(Duration::ZERO)).unwrap().len(), 1);
    let mut events = EventList::with_capacity(4);
    assert_eq!(Backend::wait(&*select, &mut events, Some(Duration::ZERO)).unwrap(), 1);
    let waiter = Arc::clone(&poll);
    let found = wait_beside_held_lock(poll.lock_registrations(), move || {
        waiter.poll(Some(Duration::ZERO)).map(|ready| ready.len())
    });
    assert_eq!(found.unwrap(), 1);
    let waiter = Arc::clone(&select);
    let found = wait_beside_held_lock(select.lock_registrations(), move || {
        let mut events = EventList::with_capacity(4);
        Backend::wait(&*waiter, &mut events, Some(Duration::ZERO))
    });
    assert_eq!(found.unwrap(), 1);
}

#[test]
fn steady_state_waits_do_not_allocate_or_rebuild() {
    let pipes: Vec<(OwnedFd, OwnedFd)> = (0..8).map(|_| support::pipe().unwrap()).collect();
    let poll = Poll::new();
    for (reader, writer) in &pipes {
        poll.register(reader, POLLIN).unwrap();
        poll.register(writer, POLLOUT).unwrap();
    }
    let mut ready = Vec::with_capacity(32);
    let mut events = EventList::with_capacity(32);
    // The first wait builds the array.
    assert_eq!(poll.poll_into(&mut ready, Some(Duration::ZERO)).unwrap(), 8);
    assert_eq!(poll.array_len(), 16);
    let before = allocations();
    for _ in 0..100 {
        assert_eq!(poll.poll_into(&mut ready, Some(Duration::ZERO)).unwrap(), 8);
        assert_eq!(Backend::wait(&poll, &mut events, Some(Duration::from_millis(1))).unwrap(), 8);
    }
    assert_eq!(allocations() - before, 0, "steady-state waits allocated");
    // A change is picked up by the next wait (one rebuild, within the array's allocation).
    poll.unregister(&pipes[0].1).unwrap();
    assert_eq!(poll.poll_into(&mut ready, Some(Duration::ZERO)).unwrap(), 7);
    assert_eq!(poll.array_len(), 15);
}

#[test]
fn backend_contract_constants_and_close() {
    assert_eq!(Poll::KIND, BackendKind::Poll);
    assert_eq!(Poll::NAME, "poll");
    assert_eq!(
        Poll::CAPABILITIES,
        Capabilities::LEVEL | Capabilities::PRIORITY | Capabilities::REPORTS_INVALID
    );
    assert_eq!(Poll::FD_LIMIT, None);
    assert_eq!(Select::KIND, BackendKind::Select);
    assert_eq!(Select::CAPABILITIES, Capabilities::LEVEL | Capabilities::PRIORITY);
    assert_eq!(Select::FD_LIMIT, Some(FD_SETSIZE));

    let (reader, writer) = support::pipe().unwrap();
    let mut poll = <Poll as Backend>::new().unwrap();
    for interest in [Interest::EDGE, Interest::ONESHOT, Interest::EXCLUSIVE | Interest::READABLE] {
        assert!(matches!(
            Backend::register(&poll, reader.as_fd(), interest),
            Err(Error::Unsupported { backend: "poll", .. })
        ));
    }
    Backend::register(&poll, reader.as_fd(), Interest::READABLE).unwrap();
    assert_eq!(poll.mask(reader.as_raw_fd()), Some(POLLIN));
    let mut empty = EventList::with_capacity(0);
    assert!(matches!(
        Backend::wait(&poll, &mut empty, Some(Duration::ZERO)),
        Err(Error::InvalidArgument { .. })
    ));
    support::write_all(&writer, b"x").unwrap();
    let mut events = EventList::with_capacity(1);
    assert_eq!(Backend::wait(&poll, &mut events, Some(LONG)).unwrap(), 1);
    assert_eq!(events.get(0).unwrap().fd(), reader.as_raw_fd());
    assert_eq!(events.get(0).unwrap().readiness(), Readiness::READABLE);

    assert!(!poll.is_closed());
    Backend::close(&mut poll).unwrap();
    assert!(poll.is_closed());
    Backend::close(&mut poll).unwrap();
    let closed =
        |result: Result<usize, Error>| matches!(result, Err(Error::Closed { object: "poll" }));
    assert!(closed(poll.register(&reader, POLLIN).map(|()| 0)));
    assert!(closed(poll.modify(&reader, POLLIN).map(|()| 0)));
    assert!(closed(poll.unregister(&reader).map(|()| 0)));
    assert!(closed(poll.poll(Some(Duration::ZERO)).map(|_| 0)));
    assert!(closed(Backend::wait(&poll, &mut events, Some(Duration::ZERO))));
    assert!(poll.is_empty());
}

#[test]
fn capacity_limits_a_wait_and_the_rest_stays_ready() {
    let pipes: Vec<(OwnedFd, OwnedFd)> = (0..5).map(|_| support::pipe().unwrap()).collect();
    let poll = Poll::new();
    for (_, writer) in &pipes {
        Backend::register(&poll, writer.as_fd(), Interest::WRITABLE).unwrap();
    }
    let mut events = EventList::with_capacity(2);
    assert_eq!(Backend::wait(&poll, &mut events, Some(Duration::ZERO)).unwrap(), 2);
    let fds: Vec<RawFd> = events.iter().map(|event| event.fd()).collect();
    assert_eq!(fds, vec![pipes[0].1.as_raw_fd(), pipes[1].1.as_raw_fd()]);
}

// ---------------------------------------------------------------------------------------------
// select().

#[test]
fn select_keeps_order_and_duplicates() {
    let (r1, w1) = support::pipe().unwrap();
    let (r2, w2) = support::pipe().unwrap();
    // Nothing to read; both write ends writable, in input order, duplicates kept.
    let rlist = [&r2, &r1, &r2];
    let wlist = [&w2, &w1, &w2, &w2];
    let (r, w, x) = select(&rlist, &wlist, &[] as &[&OwnedFd], Some(Duration::ZERO)).unwrap();
    assert!(r.is_empty() && x.is_empty());
    let w: Vec<RawFd> = w.iter().map(|fd| fd.as_raw_fd()).collect();
    assert_eq!(w, vec![w2.as_raw_fd(), w1.as_raw_fd(), w2.as_raw_fd(), w2.as_raw_fd()]);
    support::write_all(&w2, b"x").unwrap();
    let (r, w, _) = select(&rlist, &[] as &[&OwnedFd], &[] as &[&OwnedFd], Some(LONG)).unwrap();
    assert!(w.is_empty());
    // The results are the items themselves.
    assert_eq!(r.len(), 2);
    assert!(std::ptr::eq(r[0], &rlist[0]) && std::ptr::eq(r[1], &rlist[2]));
    let _ = (&r1, &w1);
}

#[test]
fn select_with_empty_lists_sleeps() {
    let none: [OwnedFd; 0] = [];
    let timeout = Duration::from_millis(30);
    let started = Instant::now();
    let (r, w, x) = select(&none, &none, &none, Some(timeout)).unwrap();
    assert!(r.is_empty() && w.is_empty() && x.is_empty());
    assert!(started.elapsed() >= timeout);
    let started = Instant::now();
    select(&none, &none, &none, Some(Duration::ZERO)).unwrap();
    assert!(started.elapsed() < LONG);
}

#[test]
fn select_timeouts_neither_early_nor_never() {
    let (reader, writer) = support::pipe().unwrap();
    let rlist = [reader];
    let none: [OwnedFd; 0] = [];
    for timeout in [Duration::ZERO, Duration::from_nanos(1), Duration::from_millis(20)] {
        let started = Instant::now();
        let (r, _, _) = select(&rlist, &none, &none, Some(timeout)).unwrap();
        assert!(r.is_empty());
        let waited = started.elapsed();
        assert!(waited >= timeout && waited < LONG, "{timeout:?}: {waited:?}");
    }
    let writer_thread = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        support::write_all(&writer, b"x").unwrap();
        writer
    });
    let (r, _, _) = select(&rlist, &none, &none, None).unwrap();
    assert_eq!(r.len(), 1);
    drop(writer_thread.join().unwrap());
}

#[test]
fn signals_neither_surface_nor_shorten_a_select_wait() {
    let (reader, _writer) = support::pipe().unwrap();
    let none: [OwnedFd; 0] = [];
    let received = support::signals_received();
    let timeout = Duration::from_millis(300);
    for rlist in [&[reader][..], &[][..]] {
        let started = Instant::now();
        let result = {
            let _interrupter = support::Interrupter::current(Duration::from_millis(5));
            select(rlist, &none, &none, Some(timeout))
        };
        let waited = started.elapsed();
        let (r, w, x) = result.unwrap();
        assert!(r.is_empty() && w.is_empty() && x.is_empty(), "the inputs came back");
        assert!(waited >= timeout, "returned early after {waited:?}");
        assert!(waited < LONG, "took {waited:?}");
    }
    assert!(support::signals_received() > received, "no signal arrived during the waits");
}

#[test]
fn select_fd_range_and_list_length() {
    run_isolated(module_path!(), "select_fd_range_and_list_length", || {
        let (reader, writer) = support::pipe().unwrap();
        let none: [OwnedFd; 0] = [];
        // Descriptors at and past FD_SETSIZE need a descriptor limit above it (65536 on
        // 64-bit illumos is more than some hosts allow); where the limit is lower, no such
        // descriptor can exist and only the list-length rules below apply.
        if support::raise_fd_limit().unwrap() > u64::try_from(FD_SETSIZE).unwrap() {
            high_descriptors_at_the_set_limit(&writer);
        }
        // FD_SETSIZE entries (duplicates) are accepted; one more is too many. The count is
        // per list.
        let full = vec![&writer; FD_SETSIZE];
        let (_, w, _) = select(&none, &full, &none, Some(LONG)).unwrap();
        assert_eq!(w.len(), FD_SETSIZE);
        let readers = vec![&reader; FD_SETSIZE];
        select(&readers, &full, &full, Some(Duration::ZERO)).unwrap();
        let over = vec![&writer; FD_SETSIZE + 1];
        match select(&none, &over, &none, Some(Duration::ZERO)) {
            Err(Error::TooManyFds { count, limit }) => {
                assert_eq!((count, limit), (FD_SETSIZE + 1, FD_SETSIZE));
            }
            other => panic!("expected TooManyFds, got {other:?}"),
        }
    });
}

/// fd `FD_SETSIZE - 1` is accepted by `select()` and `Select`; fd `FD_SETSIZE` is refused by
/// both, naming the descriptor, and accepted by `Poll`.
fn high_descriptors_at_the_set_limit(writer: &OwnedFd) {
    let none: [OwnedFd; 0] = [];
    // The last descriptor a set holds is accepted and works.
    let last = dup_at_least(writer, setsize_fd() - 1);
    assert_eq!(last.as_raw_fd(), setsize_fd() - 1);
    let wlist = [&last];
    let (_, w, _) = select(&none, &wlist, &none, Some(LONG)).unwrap();
    assert_eq!(w.len(), 1);
    // One past it is refused, naming the descriptor, before any system call.
    let past = dup_at_least(writer, setsize_fd());
    assert_eq!(past.as_raw_fd(), setsize_fd());
    match select(&none, &[writer, &past], &none, Some(Duration::ZERO)) {
        Err(Error::FdOutOfRange { fd, limit }) => {
            assert_eq!((fd, limit), (setsize_fd(), FD_SETSIZE));
        }
        other => panic!("expected FdOutOfRange, got {other:?}"),
    }
    assert!(matches!(
        select(&[&past], &none, &none, Some(Duration::ZERO)),
        Err(Error::FdOutOfRange { .. })
    ));
    // The Select backend refuses the descriptor at registration.
    let backend = Select::new();
    Backend::register(&backend, last.as_fd(), Interest::WRITABLE).unwrap();
    match Backend::register(&backend, past.as_fd(), Interest::WRITABLE) {
        Err(Error::FdOutOfRange { fd, limit }) => {
            assert_eq!((fd, limit), (setsize_fd(), FD_SETSIZE));
        }
        other => panic!("expected FdOutOfRange, got {other:?}"),
    }
    let mut events = EventList::with_capacity(4);
    assert_eq!(Backend::wait(&backend, &mut events, Some(LONG)).unwrap(), 1);
    assert_eq!(events.get(0).unwrap().fd(), setsize_fd() - 1);
    // Poll has no such limit.
    let poll = Poll::new();
    poll.register(&past, POLLOUT).unwrap();
    assert_eq!(poll.poll(Some(LONG)).unwrap(), vec![(setsize_fd(), POLLOUT)]);
}

#[test]
fn select_on_a_closed_fd_is_ebadf() {
    run_isolated(module_path!(), "select_on_a_closed_fd_is_ebadf", || {
        let (reader, _writer) = support::pipe().unwrap();
        let closed = dup_at_least(&reader, 700);
        let number = closed.as_raw_fd();
        drop(closed);
        assert!(!support::is_open(number));
        let none: [OwnedFd; 0] = [];
        let rlist = [support::borrow_raw(number)];
        assert_eq!(errno(select(&rlist, &none, &none, Some(Duration::ZERO))), Errno::BADF);
        // The Select backend: a registered fd closed afterwards fails the wait with EBADF,
        // until unregister_raw removes it.
        let backend = Select::new();
        let doomed = dup_at_least(&reader, 700);
        let number = doomed.as_raw_fd();
        Backend::register(&backend, doomed.as_fd(), Interest::READABLE).unwrap();
        drop(doomed);
        let mut events = EventList::with_capacity(4);
        assert_eq!(errno(Backend::wait(&backend, &mut events, Some(Duration::ZERO))), Errno::BADF);
        backend.unregister_raw(number).unwrap();
        assert_eq!(Backend::wait(&backend, &mut events, Some(Duration::ZERO)).unwrap(), 0);
    });
}

#[test]
fn select_and_poll_leak_no_descriptor() {
    run_isolated(module_path!(), "select_and_poll_leak_no_descriptor", || {
        let before = support::count_open_fds();
        let (reader, writer) = support::pipe().unwrap();
        {
            let poll = Poll::new();
            poll.register(&reader, POLLIN).unwrap();
            poll.poll(Some(Duration::from_millis(1))).unwrap();
            let backend = Select::new();
            Backend::register(&backend, writer.as_fd(), Interest::WRITABLE).unwrap();
            let mut events = EventList::with_capacity(1);
            Backend::wait(&backend, &mut events, Some(Duration::ZERO)).unwrap();
            select(&[&reader], &[&writer], &[&reader], Some(Duration::ZERO)).unwrap();
        }
        drop((reader, writer));
        assert_eq!(support::count_open_fds(), before);
    });
}

// ---------------------------------------------------------------------------------------------
// The Select backend.

#[test]
fn select_backend_reports_in_registration_order() {
    let pipes: Vec<(OwnedFd, OwnedFd)> = (0..4).map(|_| support::pipe().unwrap()).collect();
    let backend = Select::new();
    for (reader, writer) in pipes.iter().rev() {
        Backend::register(&backend, reader.as_fd(), Interest::READABLE).unwrap();
        Backend::register(&backend, writer.as_fd(), Interest::WRITABLE | Interest::READABLE)
            .unwrap();
    }
    let mut events = EventList::with_capacity(16);
    assert_eq!(Backend::wait(&backend, &mut events, Some(Duration::ZERO)).unwrap(), 4);
    let fds: Vec<RawFd> = events.iter().map(|event| event.fd()).collect();
    assert_eq!(fds, pipes.iter().rev().map(|(_, w)| w.as_raw_fd()).collect::<Vec<_>>());
    assert!(events.iter().all(|event| event.readiness() == Readiness::WRITABLE));
    support::write_all(&pipes[1].1, b"x").unwrap();
    assert_eq!(Backend::wait(&backend, &mut events, Some(LONG)).unwrap(), 5);
    let readable: Vec<RawFd> = events
        .iter()
        .filter(|event| event.readiness().contains(Readiness::READABLE))
        .map(|event| event.fd())
        .collect();
    assert_eq!(readable, vec![pipes[1].0.as_raw_fd()]);
    // modify of an unregistered fd is ENOENT; unregister of one is NotRegistered.
    Backend::unregister(&backend, pipes[0].0.as_fd()).unwrap();
    assert_eq!(
        errno(Backend::modify(&backend, pipes[0].0.as_fd(), Interest::READABLE)),
        Errno::NOENT
    );
    assert!(matches!(
        Backend::unregister(&backend, pipes[0].0.as_fd()),
        Err(Error::NotRegistered { .. })
    ));
    assert!(matches!(
        Backend::register(&backend, pipes[0].0.as_fd(), Interest::EDGE),
        Err(Error::Unsupported { backend: "select", .. })
    ));
}

#[test]
fn select_backend_concurrency_and_close() {
    let (reader, writer) = support::pipe().unwrap();
    let (other_reader, other_writer) = support::pipe().unwrap();
    let backend = Arc::new(Select::new());
    Backend::register(&*backend, reader.as_fd(), Interest::READABLE).unwrap();
    let waiter = {
        let backend = Arc::clone(&backend);
        thread::spawn(move || {
            let mut events = EventList::with_capacity(4);
            // Retried if it starts while a probe below holds the wait (a loaded machine).
            let count = loop {
                match Backend::wait(&*backend, &mut events, None) {
                    Err(Error::ConcurrentWait { .. }) => thread::sleep(Duration::from_millis(1)),
                    result => break result?,
                }
            };
            Ok::<_, Error>((count, events.get(0)))
        })
    };
    let mut events = EventList::with_capacity(4);
    let started = Instant::now();
    loop {
        match Backend::wait(&*backend, &mut events, Some(Duration::ZERO)) {
            Err(Error::ConcurrentWait { object: "select" }) => break,
            Ok(_) => {}
            Err(error) => panic!("{error}"),
        }
        assert!(started.elapsed() < LONG);
        thread::sleep(Duration::from_millis(1));
    }
    // A registration made while the wait blocks is seen by the next wait.
    Backend::unregister(&*backend, reader.as_fd()).unwrap();
    Backend::register(&*backend, other_reader.as_fd(), Interest::READABLE).unwrap();
    support::write_all(&writer, b"x").unwrap();
    let (count, event) = waiter.join().unwrap().unwrap();
    assert_eq!(count, 1);
    assert_eq!(event.unwrap().fd(), reader.as_raw_fd());
    support::write_all(&other_writer, b"y").unwrap();
    assert_eq!(Backend::wait(&*backend, &mut events, Some(LONG)).unwrap(), 1);
    assert_eq!(events.get(0).unwrap().fd(), other_reader.as_raw_fd());

    let mut backend = Arc::into_inner(backend).unwrap();
    Backend::close(&mut backend).unwrap();
    Backend::close(&mut backend).unwrap();
    assert!(backend.is_closed());
    assert!(matches!(
        Backend::wait(&backend, &mut events, Some(Duration::ZERO)),
        Err(Error::Closed { object: "select" })
    ));
    assert!(matches!(
        Backend::register(&backend, reader.as_fd(), Interest::READABLE),
        Err(Error::Closed { object: "select" })
    ));
}

#[test]
fn select_backend_steady_state_does_not_allocate() {
    let pipes: Vec<(OwnedFd, OwnedFd)> = (0..8).map(|_| support::pipe().unwrap()).collect();
    let backend = Select::new();
    for (reader, writer) in &pipes {
        Backend::register(&backend, reader.as_fd(), Interest::READABLE).unwrap();
        Backend::register(&backend, writer.as_fd(), Interest::WRITABLE).unwrap();
    }
    let mut events = EventList::with_capacity(32);
    assert_eq!(Backend::wait(&backend, &mut events, Some(Duration::ZERO)).unwrap(), 8);
    let before = allocations();
    for _ in 0..100 {
        assert_eq!(
            Backend::wait(&backend, &mut events, Some(Duration::from_micros(10))).unwrap(),
            8
        );
    }
    assert_eq!(allocations() - before, 0, "steady-state select waits allocated");
}

#[test]
fn select_backend_empty_sleeps_and_signals_do_not_shorten() {
    let backend = Select::new();
    let mut events = EventList::with_capacity(1);
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let result = {
        let _interrupter = support::Interrupter::current(Duration::from_millis(5));
        Backend::wait(&backend, &mut events, Some(timeout))
    };
    assert_eq!(result.unwrap(), 0);
    let waited = started.elapsed();
    assert!(waited >= timeout && waited < LONG, "{waited:?}");
}

/// Select's `EBADF` retry, with fake calls: where `EBADF` comes after the call slept (the
/// first attempt sleeps 100 ms of a 200 ms wait, then fails), the retry waits only for what
/// remains of the original deadline, so the whole wait lasts about 200 ms, not 300 or 400.
#[test]
fn select_ebadf_retry_waits_only_for_the_remaining_time() {
    let timeout = Duration::from_millis(200);
    let mut slices: Vec<Option<Duration>> = Vec::new();
    let started = Instant::now();
    let mut work = 0_usize;
    let result = crate::select::wait_rebuilding(
        &mut work,
        Some(timeout),
        &mut select_core::timeout::keep_waiting,
        |attempts, slice| {
            slices.push(slice);
            *attempts += 1;
            if *attempts == 1 {
                thread::sleep(Duration::from_millis(100));
                Err(Errno::BADF)
            } else {
                thread::sleep(slice.unwrap_or(Duration::ZERO));
                Ok(0)
            }
        },
        |_| true,
    );
    let elapsed = started.elapsed();
    assert!(matches!(result, Ok(0)), "{result:?}");
    assert!(slices.len() >= 2, "{slices:?}");
    assert_eq!(slices[0], Some(timeout));
    let second = slices[1].expect("a finite wait retries with a finite slice");
    assert!(
        second <= Duration::from_millis(101),
        "the retry after a late EBADF must wait what remains (at most 100 ms), not {second:?}"
    );
    assert!(elapsed >= timeout, "never early: {elapsed:?}");
    assert!(elapsed < Duration::from_millis(295), "the wait lasted {elapsed:?}");
}

/// While another thread keeps changing registrations, every select(2) call may fail with
/// `EBADF`: a wait without timeout rebuilds a bounded number of times and then returns the
/// `EBADF`, instead of looping for as long as the churn lasts.
#[test]
fn select_ebadf_retry_is_bounded() {
    let (done, finished) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut calls = 0_usize;
        let result = crate::select::wait_rebuilding(
            &mut calls,
            None,
            &mut select_core::timeout::keep_waiting,
            |calls, _| {
                *calls += 1;
                Err(Errno::BADF)
            },
            |_| true,
        );
        let _ = done.send((result.map_err(|error| error.errno()), calls));
    });
    let (result, calls) = finished
        .recv_timeout(Duration::from_secs(10))
        .expect("the wait kept retrying EBADF for 10 s: the retry is unbounded");
    assert_eq!(result, Err(Some(Errno::BADF)));
    assert_eq!(calls, crate::select::MAX_REBUILDS + 1);
}

/// A zero-timeout wait that meets the `EBADF` race retries once with a zero timeout (it
/// reads no clock) and reports what that call finds.
#[test]
fn select_ebadf_retry_of_a_zero_timeout_stays_zero() {
    let mut slices = Vec::new();
    let mut work = ();
    let result = crate::select::wait_rebuilding(
        &mut work,
        Some(Duration::ZERO),
        &mut select_core::timeout::keep_waiting,
        |(), slice| {
            slices.push(slice);
            if slices.len() == 1 { Err(Errno::BADF) } else { Ok(3) }
        },
        |()| true,
    );
    assert!(matches!(result, Ok(3)), "{result:?}");
    assert_eq!(slices, [Some(Duration::ZERO), Some(Duration::ZERO)]);
}
