//! The scenarios: one plain function per rule of the [`Backend`] contract, generic over the
//! backend, each failing with a message that names the backend and what it did.
//!
//! Every scenario creates its own backend and descriptors and closes all of them before it
//! returns; [`conformance_suite!`](crate::conformance_suite) runs each one in a child process
//! and checks that no descriptor was left open.

use std::collections::{BTreeMap, BTreeSet};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::thread;
use std::time::{Duration, Instant};

use rustix::io::Errno;
use select_core::{Backend, Capabilities, Error, Event, EventBuffer, Interest, Readiness};

use crate::expectations::{ClosedWhileRegistered, expectation};
use crate::support;

/// The longest any scenario waits for something that must happen ("eventually").
pub const EVENTUALLY: Duration = Duration::from_secs(10);

/// A short, nonzero timeout for waits that must report nothing new.
const SHORT: Duration = Duration::from_millis(20);

/// Creates a backend, failing the test with the error if it cannot.
pub(crate) fn new_backend<B: Backend>() -> B {
    B::new().unwrap_or_else(|error| panic!("{}::new() failed: {error}", B::NAME))
}

/// A non-blocking, close-on-exec socketpair, failing the test if it cannot be made.
pub(crate) fn pair() -> (OwnedFd, OwnedFd) {
    support::socketpair().expect("socketpair")
}

/// Registers `fd`, failing the test with the error if the backend refuses.
pub(crate) fn register<B: Backend>(backend: &B, fd: impl AsFd, interest: Interest) {
    let fd = fd.as_fd();
    Backend::register(backend, fd, interest).unwrap_or_else(|error| {
        panic!("{}: register({}, {interest:?}) failed: {error}", B::NAME, fd.as_raw_fd())
    });
}

/// One wait with `timeout` into a buffer of `capacity`; returns the events it stored, after
/// checking that the returned count matches the buffer.
pub(crate) fn wait<B: Backend>(
    backend: &B,
    capacity: usize,
    timeout: Option<Duration>,
) -> Vec<Event> {
    let mut events = B::Events::with_capacity(capacity);
    wait_into(backend, &mut events, timeout)
}

/// One wait into `events`; returns the events it stored.
pub(crate) fn wait_into<B: Backend>(
    backend: &B,
    events: &mut B::Events,
    timeout: Option<Duration>,
) -> Vec<Event> {
    let count = backend
        .wait(events, timeout)
        .unwrap_or_else(|error| panic!("{}: wait({timeout:?}) failed: {error}", B::NAME));
    assert_eq!(
        count,
        events.len(),
        "{}: wait returned {count} but stored {}",
        B::NAME,
        events.len()
    );
    assert!(count <= events.capacity(), "{}: wait stored more than the capacity", B::NAME);
    events.iter().collect()
}

/// Waits (up to [`EVENTUALLY`]) until a wait reports `fd`, and returns its readiness.
fn wait_for<B: Backend>(backend: &B, fd: RawFd) -> Readiness {
    let started = Instant::now();
    loop {
        let events = wait(backend, 64, Some(Duration::from_millis(100)));
        if let Some(event) = events.iter().find(|event| event.fd() == fd) {
            return event.readiness();
        }
        assert!(started.elapsed() < EVENTUALLY, "{}: fd {fd} was never reported", B::NAME);
    }
}

/// The readiness reported for `fd` by one wait with `timeout`, if any.
fn reported<B: Backend>(backend: &B, fd: RawFd, timeout: Duration) -> Option<Readiness> {
    merged::<B>(&wait(backend, 64, Some(timeout))).get(&fd).copied()
}

/// The events of one wait merged by descriptor: a mechanism with one filter per condition
/// (kqueue) may report readable and writable as two events for one descriptor, but no
/// condition may be reported twice for the same descriptor in one wait. The status bits
/// (a hang-up, an error) may come with each: kqueue sets `EV_EOF` on both filters of a
/// socket whose peer closed.
pub(crate) fn merged<B: Backend>(events: &[Event]) -> BTreeMap<RawFd, Readiness> {
    let conditions = Readiness::READABLE | Readiness::WRITABLE | Readiness::PRIORITY;
    let mut merged = BTreeMap::new();
    for event in events {
        let readiness: &mut Readiness = merged.entry(event.fd()).or_insert(Readiness::empty());
        assert!(
            !readiness.intersects(event.readiness() & conditions),
            "{}: fd {} reported twice with {:?} in one wait: {events:?}",
            B::NAME,
            event.fd(),
            event.readiness()
        );
        *readiness |= event.readiness();
    }
    merged
}

/// The descriptor numbers in `events`.
fn fds(events: &[Event]) -> BTreeSet<RawFd> {
    events.iter().map(Event::fd).collect()
}

/// Asserts that `result` is [`Error::Closed`].
fn assert_closed<B: Backend, T: std::fmt::Debug>(what: &str, result: select_core::Result<T>) {
    assert!(
        matches!(result, Err(Error::Closed { .. })),
        "{}: {what} after close must fail with Error::Closed, got {result:?}",
        B::NAME
    );
}

/// Level-triggered read readiness: reported while data is pending, on every wait, and no
/// longer once it has been read.
pub fn level_readiness<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE);
    let fd = a.as_raw_fd();
    assert_eq!(reported(&backend, fd, Duration::ZERO), None, "{}: idle fd reported", B::NAME);
    support::write_all(&b, b"ping").unwrap();
    for round in 0..3 {
        let readiness = reported(&backend, fd, SHORT)
            .unwrap_or_else(|| panic!("{}: readable fd not reported (wait {round})", B::NAME));
        assert!(readiness.contains(Readiness::READABLE), "{}: got {readiness:?}", B::NAME);
        assert!(!readiness.contains(Readiness::WRITABLE), "{}: not asked for writable", B::NAME);
    }
    assert_eq!(support::drain(&a).unwrap(), 4);
    assert_eq!(reported(&backend, fd, SHORT), None, "{}: drained fd still reported", B::NAME);
}

/// Write readiness: an idle socket is writable; a full one is not; it becomes writable again
/// once the peer reads.
pub fn write_readiness<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::WRITABLE);
    let fd = a.as_raw_fd();
    let readiness = reported(&backend, fd, Duration::ZERO)
        .unwrap_or_else(|| panic!("{}: idle socket not reported writable", B::NAME));
    assert_eq!(readiness, Readiness::WRITABLE, "{}: only writable was asked for", B::NAME);
    assert!(support::fill(&a).unwrap() > 0);
    assert_eq!(reported(&backend, fd, SHORT), None, "{}: full socket reported", B::NAME);
    support::drain(&b).unwrap();
    assert!(wait_for(&backend, fd).contains(Readiness::WRITABLE));
}

/// A peer that closes makes the descriptor readable (end of stream) with a hangup where the
/// mechanism reports one; a peer that resets a TCP connection makes it readable with the error
/// pending.
pub fn peer_close_hangup_and_error<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE);
    drop(b);
    let readiness = wait_for(&backend, a.as_raw_fd());
    assert!(
        readiness.intersects(Readiness::READABLE | Readiness::HANGUP | Readiness::READ_HANGUP),
        "{}: a closed peer must be reported readable or hung up, got {readiness:?}",
        B::NAME
    );
    assert_eq!(support::drain(&a), Ok(0), "end of stream");
    backend.unregister(a.as_fd()).unwrap();

    // A reset connection: the peer closes with SO_LINGER set to zero, which sends RST.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    drop(listener);
    client.set_nonblocking(true).unwrap();
    register(&backend, &client, Interest::READABLE);
    rustix::net::sockopt::set_socket_linger(&server, Some(Duration::ZERO)).unwrap();
    drop(server);
    let readiness = wait_for(&backend, client.as_raw_fd());
    assert!(
        readiness.intersects(
            Readiness::READABLE | Readiness::HANGUP | Readiness::READ_HANGUP | Readiness::ERROR
        ),
        "{}: a reset connection must be reported readable, hung up or in error, got {readiness:?}",
        B::NAME
    );
    assert_eq!(
        rustix::io::read(&client, &mut [0_u8; 8]),
        Err(Errno::CONNRESET),
        "the reset is pending on the socket"
    );
    backend.unregister(client.as_fd()).unwrap();
}

/// A descriptor unregistered before a wait is never reported by it, while the others still
/// are; unregistering twice fails.
pub fn unregistered_never_reported<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    let (c, d) = pair();
    register(&backend, &a, Interest::READABLE | Interest::WRITABLE);
    register(&backend, &c, Interest::READABLE | Interest::WRITABLE);
    support::write_all(&b, b"x").unwrap();
    support::write_all(&d, b"x").unwrap();
    backend.unregister(a.as_fd()).unwrap();
    for _ in 0..3 {
        let events = wait(&backend, 64, Some(SHORT));
        assert_eq!(fds(&events), BTreeSet::from([c.as_raw_fd()]), "{}: {events:?}", B::NAME);
    }
    let again = backend.unregister(a.as_fd());
    assert!(
        matches!(again, Err(Error::NotRegistered { fd }) if fd == a.as_raw_fd())
            || matches!(again, Err(Error::Os(Errno::NOENT))),
        "{}: unregistering twice must fail with NotRegistered or ENOENT, got {again:?}",
        B::NAME
    );
    let raw = backend.unregister_raw(a.as_raw_fd());
    assert!(
        matches!(raw, Err(Error::NotRegistered { fd }) if fd == a.as_raw_fd())
            || matches!(raw, Err(Error::Os(Errno::NOENT))),
        "{}: unregister_raw of an open, unregistered number must fail the same way, got {raw:?}",
        B::NAME
    );
    // By number, too, the registration goes and the wait no longer reports it.
    backend.unregister_raw(c.as_raw_fd()).unwrap();
    assert!(wait(&backend, 64, Some(SHORT)).is_empty(), "{}", B::NAME);
    assert!(matches!(
        backend.unregister_raw(-1),
        Err(Error::InvalidArgument { .. }
            | Error::NotRegistered { fd: -1 }
            | Error::Os(Errno::NOENT))
    ));
}

/// `modify` replaces what is reported; `modify` of an unregistered descriptor fails with
/// `ENOENT`.
pub fn modify_changes_reported<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    let fd = a.as_raw_fd();
    register(&backend, &a, Interest::READABLE);
    assert_eq!(reported(&backend, fd, Duration::ZERO), None, "{}: idle fd reported", B::NAME);
    backend.modify(a.as_fd(), Interest::WRITABLE).unwrap();
    assert_eq!(reported(&backend, fd, Duration::ZERO), Some(Readiness::WRITABLE), "{}", B::NAME);
    backend.modify(a.as_fd(), Interest::READABLE).unwrap();
    assert_eq!(reported(&backend, fd, SHORT), None, "{}: modify back to readable", B::NAME);
    backend.unregister(a.as_fd()).unwrap();
    let (c, _d) = pair();
    let result = backend.modify(c.as_fd(), Interest::READABLE);
    assert!(
        matches!(result, Err(Error::Os(Errno::NOENT))),
        "{}: modify of an unregistered fd must fail with ENOENT, got {result:?}",
        B::NAME
    );
}

/// A zero timeout returns at once; short timeouts never return early (rounded up, never
/// down); no events means a count of zero.
pub fn timeouts<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    register(&backend, &a, Interest::READABLE);
    let started = Instant::now();
    assert!(wait(&backend, 8, Some(Duration::ZERO)).is_empty());
    assert!(started.elapsed() < EVENTUALLY, "{}: a zero timeout blocked", B::NAME);
    for timeout in [
        Duration::from_nanos(1),
        Duration::from_micros(1500),
        Duration::from_millis(5),
        Duration::from_millis(30),
    ] {
        let started = Instant::now();
        let events = wait(&backend, 8, Some(timeout));
        let elapsed = started.elapsed();
        assert!(events.is_empty(), "{}: {events:?}", B::NAME);
        assert!(elapsed >= timeout, "{}: wait({timeout:?}) returned after {elapsed:?}", B::NAME);
        assert!(elapsed < EVENTUALLY, "{}: wait({timeout:?}) took {elapsed:?}", B::NAME);
    }
}

/// A wait without timeout blocks until another thread makes a descriptor ready.
pub fn no_timeout_released_by_another_thread<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE);
    let delay = Duration::from_millis(50);
    let started = Instant::now();
    let events = thread::scope(|scope| {
        scope.spawn(|| {
            thread::sleep(delay);
            support::write_all(&b, b"wake").unwrap();
        });
        wait(&backend, 8, None)
    });
    assert!(started.elapsed() >= delay, "{}: returned before the write", B::NAME);
    assert_eq!(fds(&events), BTreeSet::from([a.as_raw_fd()]), "{}: {events:?}", B::NAME);
}

/// When more descriptors are ready than the buffer holds, successive waits report every one
/// of them: none is starved by those registered before it.
pub fn no_starvation<B: Backend>() {
    let backend = new_backend::<B>();
    let pairs: Vec<_> = (0..10).map(|_| pair()).collect();
    for (a, b) in &pairs {
        register(&backend, a, Interest::READABLE);
        support::write_all(b, b"x").unwrap();
    }
    let all: BTreeSet<RawFd> = pairs.iter().map(|(a, _)| a.as_raw_fd()).collect();
    let mut seen = BTreeSet::new();
    // Four waits of three suffice when the backend rotates; twice that is allowed.
    for _ in 0..8 {
        let events = wait(&backend, 3, Some(EVENTUALLY));
        assert!(events.len() <= 3, "{}: more events than the buffer holds", B::NAME);
        seen.extend(fds(&events));
        if seen == all {
            return;
        }
    }
    panic!("{}: 10 ready, room for 3: eight waits reported only {seen:?}", B::NAME);
}

/// A backend with [`Capabilities::USER_EVENT`] has a user event wherever the running kernel
/// supports one, whose triggers coalesce into one report of its token, and which releases a
/// blocked wait; the others have none.
pub fn user_event<B: Backend>() {
    let backend = new_backend::<B>();
    let user = backend
        .user_event()
        .unwrap_or_else(|error| panic!("{}: user_event failed: {error}", B::NAME));
    if !B::CAPABILITIES.contains(Capabilities::USER_EVENT) {
        assert!(user.is_none(), "{}: no USER_EVENT capability, yet a user event", B::NAME);
        return;
    }
    // USER_EVENT says the mechanism has a user event where the running kernel supports it,
    // which kqueue finds out at run time (OpenBSD before 7.8 and NetBSD before 10 lack
    // EVFILT_USER): `None` is allowed, and select-kqueue's own tests check that it comes
    // exactly where the kernel refuses the filter.
    let Some(user) = user else { return };
    // Two triggers before a wait: one report, and the event is re-armed after it.
    user.trigger().unwrap();
    user.trigger().unwrap();
    let events = wait(&backend, 8, Some(EVENTUALLY));
    assert_eq!(fds(&events), BTreeSet::from([user.token()]), "{}: {events:?}", B::NAME);
    assert_eq!(events.len(), 1, "{}: triggers must coalesce: {events:?}", B::NAME);
    assert!(events[0].readiness().contains(Readiness::READABLE), "{}: {events:?}", B::NAME);
    assert!(wait(&backend, 8, Some(Duration::ZERO)).is_empty(), "{}: reported twice", B::NAME);
    // A blocked wait is released by a trigger from another thread.
    let delay = Duration::from_millis(50);
    let started = Instant::now();
    let events = thread::scope(|scope| {
        scope.spawn(|| {
            thread::sleep(delay);
            user.trigger().unwrap();
        });
        wait(&backend, 8, None)
    });
    assert!(started.elapsed() >= delay, "{}: returned before the trigger", B::NAME);
    assert_eq!(fds(&events), BTreeSet::from([user.token()]), "{}: {events:?}", B::NAME);
}

/// Edge-triggered registrations report a transition once; without the capability,
/// [`Interest::EDGE`] is rejected.
pub fn edge_triggered<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    let interest = Interest::READABLE | Interest::EDGE;
    if !B::CAPABILITIES.contains(Capabilities::EDGE) {
        let result = Backend::register(&backend, a.as_fd(), interest);
        assert!(matches!(result, Err(Error::Unsupported { .. })), "{}: {result:?}", B::NAME);
        return;
    }
    let fd = a.as_raw_fd();
    register(&backend, &a, interest);
    support::write_all(&b, b"1").unwrap();
    assert!(wait_for(&backend, fd).contains(Readiness::READABLE));
    assert_eq!(reported(&backend, fd, SHORT), None, "{}: edge reported twice", B::NAME);
    support::write_all(&b, b"2").unwrap();
    assert!(wait_for(&backend, fd).contains(Readiness::READABLE), "{}: new edge", B::NAME);
    assert_eq!(reported(&backend, fd, SHORT), None, "{}: edge reported twice", B::NAME);
}

/// Oneshot registrations report once and are re-armed by `modify`; without the capability,
/// [`Interest::ONESHOT`] is rejected.
pub fn oneshot<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    let interest = Interest::READABLE | Interest::ONESHOT;
    if !B::CAPABILITIES.contains(Capabilities::ONESHOT) {
        let result = Backend::register(&backend, a.as_fd(), interest);
        assert!(matches!(result, Err(Error::Unsupported { .. })), "{}: {result:?}", B::NAME);
        return;
    }
    let fd = a.as_raw_fd();
    register(&backend, &a, interest);
    support::write_all(&b, b"1").unwrap();
    assert!(wait_for(&backend, fd).contains(Readiness::READABLE));
    assert_eq!(reported(&backend, fd, SHORT), None, "{}: oneshot fired twice", B::NAME);
    backend.modify(a.as_fd(), interest).unwrap();
    assert!(wait_for(&backend, fd).contains(Readiness::READABLE), "{}: re-armed", B::NAME);
    assert_eq!(reported(&backend, fd, SHORT), None, "{}: oneshot fired twice", B::NAME);
}

/// Many descriptors: 10,000 for a backend without [`Backend::FD_LIMIT`], every number below
/// the limit otherwise (and the first number past it is rejected with
/// [`Error::FdOutOfRange`]). Readiness of a sample of them is reported exactly.
pub fn many_fds<B: Backend>() {
    let soft = support::raise_fd_limit().expect("raising RLIMIT_NOFILE");
    let backend = new_backend::<B>();
    let headroom = 64;
    let soft = usize::try_from(soft).unwrap_or(usize::MAX);
    let wanted = match B::FD_LIMIT {
        // Enough pairs that the highest number reaches past the limit.
        Some(limit) => limit + 2,
        None => 10_000,
    };
    let wanted = wanted.min(soft.saturating_sub(headroom));
    assert!(wanted >= 1000, "{}: RLIMIT_NOFILE ({soft}) is too low for the test", B::NAME);
    let mut pairs = Vec::with_capacity(wanted / 2);
    let mut registered = Vec::new();
    while pairs.len() * 2 < wanted {
        let (a, b) = pair();
        for fd in [&a, &b] {
            let number = usize::try_from(fd.as_raw_fd()).unwrap();
            match B::FD_LIMIT {
                Some(limit) if number >= limit => {
                    let result = Backend::register(&backend, fd.as_fd(), Interest::READABLE);
                    assert!(
                        matches!(result, Err(Error::FdOutOfRange { fd: f, limit: l })
                            if f == fd.as_raw_fd() && l == limit),
                        "{}: fd {number} is past the limit {limit}: {result:?}",
                        B::NAME
                    );
                }
                _ => {
                    register(&backend, fd, Interest::READABLE);
                    registered.push(fd.as_raw_fd());
                }
            }
        }
        pairs.push((a, b));
    }
    if B::FD_LIMIT.is_none() {
        assert!(registered.len() >= 10_000.min(wanted), "{}: {}", B::NAME, registered.len());
    }
    // Make every 97th pair's first end readable, among those registered.
    let registered_set: BTreeSet<RawFd> = registered.iter().copied().collect();
    let mut expected = BTreeSet::new();
    for (a, b) in pairs.iter().step_by(97) {
        if registered_set.contains(&a.as_raw_fd()) {
            support::write_all(b, b"x").unwrap();
            expected.insert(a.as_raw_fd());
        }
    }
    let events = wait(&backend, registered.len(), Some(Duration::from_secs(1)));
    assert_eq!(fds(&events), expected, "{}: with {} registered", B::NAME, registered.len());
    drop(backend);
}

/// What happens to a descriptor closed while registered, as [`expectation`] documents per
/// backend: reported as invalid, forgotten, a wait failing with `EBADF`, or (/dev/poll) at
/// most reported as invalid.
pub fn closed_while_registered<B: Backend>() {
    let expected = expectation::<B>();
    let backend = new_backend::<B>();
    let (a, b) = pair();
    let (c, d) = pair();
    register(&backend, &a, Interest::READABLE);
    register(&backend, &c, Interest::READABLE);
    support::write_all(&d, b"x").unwrap();
    let closed = a.as_raw_fd();
    drop(a);
    drop(b);
    let mut events = B::Events::with_capacity(8);
    let result = backend.wait(&mut events, Some(SHORT));
    let context =
        format!("{} ({:?}: {})", B::NAME, expected.closed_while_registered, expected.reason);
    match expected.closed_while_registered {
        ClosedWhileRegistered::ReportedInvalid => {
            result.unwrap_or_else(|error| panic!("{context}: wait failed: {error}"));
            let events: Vec<Event> = events.iter().collect();
            let invalid = events.iter().find(|event| event.fd() == closed);
            assert!(
                invalid.is_some_and(|event| event.readiness().contains(Readiness::INVALID)),
                "{context}: the closed fd must be reported INVALID: {events:?}"
            );
            assert!(fds(&events).contains(&c.as_raw_fd()), "{context}: {events:?}");
        }
        ClosedWhileRegistered::Forgotten | ClosedWhileRegistered::ForgottenUntilUnregistered => {
            result.unwrap_or_else(|error| panic!("{context}: wait failed: {error}"));
            let events: Vec<Event> = events.iter().collect();
            assert_eq!(fds(&events), BTreeSet::from([c.as_raw_fd()]), "{context}");
        }
        ClosedWhileRegistered::WaitFailsBadf => {
            assert!(matches!(result, Err(Error::Os(Errno::BADF))), "{context}: {result:?}");
        }
        ClosedWhileRegistered::MaybeReportedInvalid => {
            result.unwrap_or_else(|error| panic!("{context}: wait failed: {error}"));
            let events: Vec<Event> = events.iter().collect();
            assert!(fds(&events).contains(&c.as_raw_fd()), "{context}: {events:?}");
            let others: Vec<&Event> =
                events.iter().filter(|event| event.fd() != c.as_raw_fd()).collect();
            assert!(
                others
                    .iter()
                    .all(|event| event.fd() == closed
                        && event.readiness().contains(Readiness::INVALID)),
                "{context}: only the closed fd, and only as INVALID, may be reported: {events:?}"
            );
        }
    }
    // Removing the registration by number works without the descriptor, on every backend:
    // where the registration is still held under the number it goes, and where the kernel
    // already forgot it this succeeds too. Afterwards the backend is healthy again.
    backend.unregister_raw(closed).unwrap_or_else(|error| {
        panic!("{context}: unregister_raw of the closed number failed: {error}")
    });
    let events = wait(&backend, 8, Some(SHORT));
    assert_eq!(fds(&events), BTreeSet::from([c.as_raw_fd()]), "{context}: after cleanup");
}

/// A descriptor number reused after close (unregister, close, open again under the same
/// number) starts unregistered, can be registered again, and reports the new object's
/// readiness only.
pub fn fd_number_reused<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    let number = a.as_raw_fd();
    register(&backend, &a, Interest::READABLE);
    support::write_all(&b, b"old").unwrap();
    assert!(wait_for(&backend, number).contains(Readiness::READABLE));
    backend.unregister(a.as_fd()).unwrap();
    drop(a);
    drop(b);
    let (c, d) = pair();
    assert_eq!(c.as_raw_fd(), number, "the lowest free number is reused (scenario isolated)");
    assert_eq!(reported(&backend, number, SHORT), None, "{}: reused number reported", B::NAME);
    register(&backend, &c, Interest::READABLE);
    assert_eq!(reported(&backend, number, SHORT), None, "{}: new object is idle", B::NAME);
    support::write_all(&d, b"new").unwrap();
    assert!(wait_for(&backend, number).contains(Readiness::READABLE));
    assert_eq!(support::drain(&c), Ok(3));
}

/// Every descriptor the backend creates is close-on-exec, and all of them are closed by
/// `close` and by drop.
pub fn close_on_exec<B: Backend>() {
    let before = support::open_fds();
    let mut backend = new_backend::<B>();
    // Some backends open their object lazily; one registration and one wait make them do it.
    let (a, _b) = pair();
    let pair_fds: BTreeSet<RawFd> = [a.as_raw_fd(), _b.as_raw_fd()].into();
    register(&backend, &a, Interest::READABLE);
    let _ = wait(&backend, 8, Some(Duration::ZERO));
    let created: BTreeSet<RawFd> = support::open_fds()
        .difference(&before)
        .copied()
        .filter(|fd| !pair_fds.contains(fd))
        .collect();
    if B::CAPABILITIES.contains(Capabilities::KERNEL_OBJECT) {
        assert!(!created.is_empty(), "{}: declares KERNEL_OBJECT but opened nothing", B::NAME);
    }
    for &fd in &created {
        assert_eq!(
            support::is_cloexec(support::borrow_raw(fd)),
            Ok(true),
            "{}: descriptor {fd} created by the backend is not close-on-exec",
            B::NAME
        );
    }
    backend.close().unwrap();
    let after: BTreeSet<RawFd> = support::open_fds().difference(&before).copied().collect();
    assert_eq!(after, pair_fds, "{}: close left {created:?} open", B::NAME);
    for _ in 0..100 {
        drop(new_backend::<B>());
    }
    let after: BTreeSet<RawFd> = support::open_fds().difference(&before).copied().collect();
    assert_eq!(after, pair_fds, "{}: drop left descriptors open", B::NAME);
}

/// Registering a descriptor twice fails where [`Capabilities::REJECTS_DUPLICATES`] is
/// declared, and replaces the registration (one event, the new interest) otherwise.
pub fn duplicate_registration<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    let fd = a.as_raw_fd();
    register(&backend, &a, Interest::READABLE);
    let second = Backend::register(&backend, a.as_fd(), Interest::WRITABLE);
    if B::CAPABILITIES.contains(Capabilities::REJECTS_DUPLICATES) {
        assert!(
            matches!(second, Err(Error::AlreadyRegistered { fd: f }) if f == fd)
                || matches!(second, Err(Error::Os(Errno::EXIST))),
            "{}: a duplicate must fail with AlreadyRegistered or EEXIST, got {second:?}",
            B::NAME
        );
        assert_eq!(reported(&backend, fd, SHORT), None, "{}: the first interest stays", B::NAME);
    } else {
        second.unwrap_or_else(|error| panic!("{}: a duplicate must replace: {error}", B::NAME));
        assert_eq!(
            reported(&backend, fd, Duration::ZERO),
            Some(Readiness::WRITABLE),
            "{}",
            B::NAME
        );
    }
}

/// Every interest the backend cannot deliver is rejected with [`Error::Unsupported`] by
/// `register` and by `modify`, never weakened; the supported basic interests are accepted.
pub fn unsupported_interest<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    let (c, _d) = pair();
    register(&backend, &c, Interest::READABLE);
    for bits in 0..=Interest::all().bits() {
        let interest = Interest::from_bits_truncate(bits);
        if B::CAPABILITIES.contains(interest.required_capabilities()) {
            continue;
        }
        let registered = Backend::register(&backend, a.as_fd(), interest);
        assert!(
            matches!(registered, Err(Error::Unsupported { interest: i, .. }) if i == interest),
            "{}: register({interest:?}) must be Unsupported, got {registered:?}",
            B::NAME
        );
        let modified = backend.modify(c.as_fd(), interest);
        assert!(
            matches!(modified, Err(Error::Unsupported { interest: i, .. }) if i == interest),
            "{}: modify({interest:?}) must be Unsupported, got {modified:?}",
            B::NAME
        );
    }
    // A rejected registration left nothing behind.
    assert_eq!(reported(&backend, a.as_raw_fd(), Duration::ZERO), None, "{}", B::NAME);
    for interest in
        [Interest::READABLE, Interest::WRITABLE, Interest::READABLE | Interest::WRITABLE]
    {
        register(&backend, &a, interest);
        backend.unregister(a.as_fd()).unwrap();
    }
}

/// A buffer of capacity zero is rejected with [`Error::InvalidArgument`]; a small buffer
/// receives at most its capacity.
pub fn buffer_capacity<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    let (c, _d) = pair();
    register(&backend, &a, Interest::WRITABLE);
    register(&backend, &c, Interest::WRITABLE);
    let mut empty = B::Events::with_capacity(0);
    let result = backend.wait(&mut empty, Some(Duration::ZERO));
    assert!(
        matches!(result, Err(Error::InvalidArgument { value: 0, .. })),
        "{}: a zero-capacity buffer must be InvalidArgument, got {result:?}",
        B::NAME
    );
    let events = wait(&backend, 1, Some(Duration::ZERO));
    assert_eq!(events.len(), 1, "{}: capacity 1 with two ready fds", B::NAME);
    let mut events = B::Events::with_capacity(4);
    assert_eq!(wait_into(&backend, &mut events, Some(Duration::ZERO)).len(), 2);
    // The next wait replaces what the buffer held.
    backend.unregister(a.as_fd()).unwrap();
    assert_eq!(wait_into(&backend, &mut events, Some(Duration::ZERO)).len(), 1);
}

/// After `close`, every operation fails with [`Error::Closed`], and closing again succeeds.
pub fn close_then_closed<B: Backend>() {
    let mut backend = new_backend::<B>();
    let (a, _b) = pair();
    register(&backend, &a, Interest::READABLE);
    assert!(!backend.is_closed());
    backend.close().unwrap_or_else(|error| panic!("{}: close failed: {error}", B::NAME));
    assert!(backend.is_closed());
    assert_closed::<B, _>("register", Backend::register(&backend, a.as_fd(), Interest::READABLE));
    assert_closed::<B, _>("modify", backend.modify(a.as_fd(), Interest::READABLE));
    assert_closed::<B, _>("unregister", backend.unregister(a.as_fd()));
    let mut events = B::Events::with_capacity(8);
    assert_closed::<B, _>("wait", backend.wait(&mut events, Some(Duration::ZERO)));
    assert_closed::<B, _>("wait(None)", backend.wait(&mut events, None));
    backend.close().unwrap_or_else(|error| panic!("{}: a second close failed: {error}", B::NAME));
    assert!(backend.is_closed());
}

/// A second wait while one is blocked fails with [`Error::ConcurrentWait`] without
/// [`Capabilities::CONCURRENT_WAITS`], and succeeds with it.
pub fn concurrent_wait<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE);
    let concurrent = B::CAPABILITIES.contains(Capabilities::CONCURRENT_WAITS);
    thread::scope(|scope| {
        let blocked = scope.spawn(|| {
            // On a loaded machine this thread may start while a probe below holds the wait;
            // then it is the one told ConcurrentWait, and it simply tries again.
            let mut events = B::Events::with_capacity(8);
            loop {
                match backend.wait(&mut events, None) {
                    Err(Error::ConcurrentWait { .. }) if !concurrent => {
                        thread::sleep(Duration::from_millis(1));
                    }
                    Ok(_) => break events.iter().collect::<Vec<_>>(),
                    Err(error) => panic!("{}: the blocked wait failed: {error}", B::NAME),
                }
            }
        });
        // Releases the blocked wait even if an assertion below fails, so the scope can end.
        let _release = ReleaseOnDrop(&b);
        let started = Instant::now();
        let mut saw_busy = false;
        // Probe until the other thread is seen waiting (without the capability), or for a
        // while (with it: every probe must succeed).
        let probing = if concurrent { Duration::from_millis(300) } else { EVENTUALLY };
        while started.elapsed() < probing {
            thread::sleep(Duration::from_millis(10));
            let mut events = B::Events::with_capacity(8);
            match backend.wait(&mut events, Some(Duration::from_millis(5))) {
                Ok(0) => {}
                Err(Error::ConcurrentWait { .. }) if !concurrent => {
                    saw_busy = true;
                    break;
                }
                other => panic!("{}: a second wait returned {other:?}", B::NAME),
            }
        }
        assert!(
            concurrent || saw_busy,
            "{}: without CONCURRENT_WAITS a second wait must fail with ConcurrentWait",
            B::NAME
        );
        drop(_release);
        let events = blocked.join().unwrap();
        assert_eq!(fds(&events), BTreeSet::from([a.as_raw_fd()]), "{}", B::NAME);
    });
}

/// Writes a byte to the socket when dropped, also while unwinding from a failed assertion.
struct ReleaseOnDrop<'a>(&'a OwnedFd);

impl Drop for ReleaseOnDrop<'_> {
    fn drop(&mut self) {
        let _ = support::write_all(self.0, b"go");
    }
}
