//! The model-based property test: random sequences of operations on a few socketpairs, run
//! against a backend and against an in-memory model of what a wait must report: level-triggered
//! and (where declared) oneshot and edge-triggered registrations, zero and small non-zero
//! timeouts, buffers smaller than the ready set, a peer closed alone (hang-up) and `dup`ed
//! descriptors registered beside their originals.

use std::collections::{BTreeMap, BTreeSet};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};
use rustix::io::Errno;
use select_core::{Backend, Capabilities, Error, EventBuffer, Interest, Readiness};

use crate::expectations::{ClosedWhileRegistered, ClosedWithDupOpen, expectation};
use crate::scenarios::merged;
use crate::support;

/// How many socketpairs a sequence works on; their first and second ends are the descriptors
/// `0..2 * PAIRS` of the operations.
pub const PAIRS: usize = 3;

/// The longest sequence generated.
pub const MAX_OPS: usize = 40;

/// The lowest number a `dup` takes: far above the pairs' numbers, so that a duplicate never
/// takes a number that [`Op::CloseAndReopen`] expects the reopened pair to get.
const DUP_FLOOR: RawFd = 100;

/// Where failing sequences are recorded, inside this crate, to be committed.
const REGRESSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/model.txt");

/// One step of a sequence. Descriptors are named by index: `2 * p` and `2 * p + 1` are the
/// two ends of pair `p`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `register(fd, interest)`.
    Register(usize, Interest),
    /// `modify(fd, interest)`.
    Modify(usize, Interest),
    /// `unregister(fd)`.
    Unregister(usize),
    /// Writes a byte to the peer of `fd`, making `fd` readable.
    Write(usize),
    /// Reads everything pending on `fd`.
    ReadAll(usize),
    /// Closes both ends of a pair without unregistering them and opens a new pair, which gets
    /// the same two numbers.
    CloseAndReopen(usize),
    /// `wait(timeout = 0)`, compared with the model.
    Wait,
    /// `wait(timeout = 1.5 ms)`: the same report as `Wait`, and with nothing ready it returns
    /// after its timeout, never before.
    WaitShort,
    /// Waits with a buffer of this capacity (1 or 2), smaller than the ready set can be:
    /// each wait reports only what the model allows, and within a bounded number of waits
    /// every ready descriptor is reported.
    WaitSmall(usize),
    /// `register(fd, condition | ONESHOT)` with one condition, on backends with
    /// [`Capabilities::ONESHOT`] (one condition, so every mechanism disarms the same way):
    /// reported once, then silent until `modify` re-arms it.
    RegisterOneshot(usize, Interest),
    /// `register(fd, READABLE | EDGE)` on backends with [`Capabilities::EDGE`]: reported once
    /// per readiness transition (a write to its peer, or the peer closing, after the last
    /// report, or data pending at `register`), not on every wait.
    ///
    /// Only `READABLE`: every edge mechanism re-reports a socket when new data arrives
    /// (epoll's `EPOLLET` queues the item on each wake-up of the socket, kqueue's `EV_CLEAR`
    /// re-activates the knote on each `sowakeup`) and drops a queued report whose data was
    /// read before the wait (both re-examine the socket when they deliver), but writability
    /// edges differ: epoll re-reports `EPOLLOUT` on every wake-up of the socket, including a
    /// read by the peer, while `EV_CLEAR` on `EVFILT_WRITE` reports only when the space
    /// changes, so the model could not predict them exactly on both.
    RegisterEdge(usize),
    /// Closes the peer of `fd` alone (its last descriptor), leaving `fd` open and perhaps
    /// registered: `fd` is then readable (the end of the stream) on every later wait, and
    /// still writable (a write fails at once). The peer's number is taken over at once by one
    /// end of a new pair (`dup2`), so the peer's slot behaves as a descriptor closed while
    /// registered and reopened, as in [`Op::CloseAndReopen`].
    ClosePeer(usize),
    /// Registers a `dup` of `fd` (a second number for the same open file description) with
    /// this interest: the duplicate is reported under its own number with the readiness of
    /// the description, and unregistering either number leaves the other registered. At most
    /// one duplicate per descriptor; it is unregistered and closed by [`Op::DropDup`], and
    /// before its original's peer is closed; [`Op::CloseOriginal`] closes the original while
    /// it stays open.
    Dup(usize, Interest),
    /// Unregisters the duplicate of `fd` and closes it.
    DropDup(usize),
    /// With a duplicate of `fd` open, closes `fd` and its peer without unregistering them and
    /// reopens the pair with the same numbers (as [`Op::CloseAndReopen`]): the duplicate
    /// alone keeps `fd`'s description open, now hung up. Where the backend keys
    /// registrations by description ([`ClosedWithDupOpen::KeptForDescription`], epoll), the
    /// registration of `fd`'s number lives on and reports the duplicate's readiness until
    /// the duplicate closes; elsewhere the number follows [`ClosedWhileRegistered`].
    CloseOriginal(usize),
}

/// The interests the model covers: the level-triggered conditions every backend supports.
fn interest() -> impl Strategy<Value = Interest> {
    prop_oneof![
        Just(Interest::READABLE),
        Just(Interest::WRITABLE),
        Just(Interest::READABLE | Interest::WRITABLE),
    ]
}

/// A random operation.
pub fn op() -> impl Strategy<Value = Op> {
    let fd = 0..2 * PAIRS;
    prop_oneof![
        3 => (fd.clone(), interest()).prop_map(|(fd, i)| Op::Register(fd, i)),
        2 => (fd.clone(), interest()).prop_map(|(fd, i)| Op::Modify(fd, i)),
        2 => fd.clone().prop_map(Op::Unregister),
        3 => fd.clone().prop_map(Op::Write),
        2 => fd.clone().prop_map(Op::ReadAll),
        1 => (0..PAIRS).prop_map(Op::CloseAndReopen),
        4 => Just(Op::Wait),
        1 => Just(Op::WaitShort),
        2 => (1..=2_usize).prop_map(Op::WaitSmall),
        2 => (fd.clone(), prop_oneof![Just(Interest::READABLE), Just(Interest::WRITABLE)])
            .prop_map(|(fd, condition)| Op::RegisterOneshot(fd, condition | Interest::ONESHOT)),
        2 => fd.clone().prop_map(Op::RegisterEdge),
        1 => fd.clone().prop_map(Op::ClosePeer),
        1 => (fd.clone(), interest()).prop_map(|(fd, i)| Op::Dup(fd, i)),
        1 => fd.clone().prop_map(Op::DropDup),
        1 => fd.prop_map(Op::CloseOriginal),
    ]
}

/// A random sequence of up to [`MAX_OPS`] operations.
pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op(), 1..=MAX_OPS)
}

/// The model: registrations by descriptor number, and which descriptors have data pending.
#[derive(Debug, Default)]
struct Model {
    registered: BTreeMap<RawFd, Interest>,
    /// Numbers closed while registered on a backend that keeps them listed until
    /// `unregister`: with [`ClosedWhileRegistered::ForgottenUntilUnregistered`] never
    /// reported and a duplicate for `register`; with
    /// [`ClosedWhileRegistered::MaybeReportedInvalid`] reported or not (the wait's report
    /// for them is not compared) and replaced by `register`; removed by `unregister`.
    stale: BTreeSet<RawFd>,
    pending: BTreeSet<RawFd>,
    /// Oneshot registrations that have reported their event and wait for `modify`.
    disarmed: BTreeSet<RawFd>,
    /// Edge registrations with a readiness transition not reported yet.
    edge_armed: BTreeSet<RawFd>,
    /// Descriptors whose peer was closed: readable (end of stream) for good.
    hung: BTreeSet<RawFd>,
    /// The registered duplicates, each with the number of its original (and each ghost with
    /// its duplicate, whose readiness it reports).
    dup_of: BTreeMap<RawFd, RawFd>,
    /// With [`ClosedWithDupOpen::KeptForDescription`]: registrations whose number was closed
    /// while a duplicate (the value) keeps the description open. They report the
    /// duplicate's readiness under the closed number, `modify` and `unregister` of the number
    /// fail with `ENOENT` (the kernel looks up the number's new description), and the model
    /// does not register the number again while they last (the wait would report it twice).
    ghosts: BTreeMap<RawFd, RawFd>,
}

impl Model {
    /// Marks the oneshot registrations among `reported` as spent, and the edge registrations
    /// among them as reported.
    fn disarm(&mut self, reported: impl IntoIterator<Item = RawFd>) {
        for fd in reported {
            if self.registered.get(&fd).is_some_and(|i| i.contains(Interest::ONESHOT)) {
                self.disarmed.insert(fd);
            }
            self.edge_armed.remove(&fd);
        }
    }

    /// Whether a read of `fd` (or of the original of the duplicate `fd`) would not block.
    fn readable(&self, fd: RawFd) -> bool {
        let source = self.dup_of.get(&fd).copied().unwrap_or(fd);
        self.pending.contains(&source) || self.hung.contains(&source)
    }

    /// A readiness transition of `fd`: an edge registration of it has something to report.
    fn transition(&mut self, fd: RawFd) {
        if self.ghosts.contains_key(&fd) {
            // A transition of the number's new description, not of the ghost's.
            return;
        }
        if self.registered.get(&fd).is_some_and(|i| i.contains(Interest::EDGE)) {
            self.edge_armed.insert(fd);
        }
    }

    /// What a level-triggered wait must report: `(fd, readable, writable)` for every
    /// registration with a condition that holds. Sockets in the model are never full, so
    /// they are always writable.
    fn expected(&self) -> BTreeSet<(RawFd, bool, bool)> {
        self.registered
            .iter()
            .filter(|(fd, _)| !self.disarmed.contains(fd))
            .map(|(&fd, &interest)| {
                let edge = interest.contains(Interest::EDGE);
                let readable = interest.contains(Interest::READABLE)
                    && self.readable(fd)
                    && (!edge || self.edge_armed.contains(&fd));
                (fd, readable, interest.contains(Interest::WRITABLE))
            })
            .filter(|&(_, readable, writable)| readable || writable)
            .collect()
    }
}

/// What `events` reports, merged per descriptor, as `(fd, readable, writable)`.
fn reported<B: Backend>(events: &B::Events) -> BTreeSet<(RawFd, bool, bool)> {
    let stored: Vec<_> = events.iter().collect();
    merged::<B>(&stored)
        .into_iter()
        .map(|(fd, r)| (fd, r.contains(Readiness::READABLE), r.contains(Readiness::WRITABLE)))
        .collect()
}

/// Closes both ends of pair `p` and opens a new pair with the same two numbers, which it
/// returns.
fn reopen(fds: &mut [OwnedFd], p: usize) -> Result<[RawFd; 2], String> {
    let old = [fds[2 * p].as_raw_fd(), fds[2 * p + 1].as_raw_fd()];
    // Placeholders hold the two slots while the old pair is closed, so that the new pair gets
    // the two numbers the old one freed.
    let placeholder = support::socketpair().map_err(|e| e.to_string())?;
    drop(std::mem::replace(&mut fds[2 * p], placeholder.0));
    drop(std::mem::replace(&mut fds[2 * p + 1], placeholder.1));
    let (a, b) = support::socketpair().map_err(|e| e.to_string())?;
    let new = [a.as_raw_fd(), b.as_raw_fd()];
    if new != old {
        return Err(format!("reopened as {new:?} instead of {old:?}"));
    }
    // Swap the new pair in and close the placeholders, whose numbers are not in the model.
    drop(std::mem::replace(&mut fds[2 * p], a));
    drop(std::mem::replace(&mut fds[2 * p + 1], b));
    Ok(old)
}

/// Unregisters and closes the duplicate of descriptor `i`, if it has one.
fn drop_dup<B: Backend>(
    backend: &B,
    dups: &mut [Option<OwnedFd>],
    model: &mut Model,
    i: usize,
) -> Result<(), String> {
    let Some(dup) = dups[i].take() else { return Ok(()) };
    let fd = dup.as_raw_fd();
    backend.unregister(dup.as_fd()).map_err(|e| format!("unregister of the dup {fd}: {e}"))?;
    model.registered.remove(&fd);
    model.disarmed.remove(&fd);
    model.edge_armed.remove(&fd);
    model.dup_of.remove(&fd);
    model.pending.remove(&fd);
    model.hung.remove(&fd);
    // Closing the last descriptor of the description ends the registrations kept for it.
    if let Some(number) = model.ghosts.iter().find(|&(_, &d)| d == fd).map(|(&n, _)| n) {
        model.ghosts.remove(&number);
        model.dup_of.remove(&number);
        model.registered.remove(&number);
        model.disarmed.remove(&number);
        model.edge_armed.remove(&number);
    }
    Ok(())
}

/// What happens in the model to a registration of `fd` whose descriptor was closed (and its
/// number taken by a new descriptor) without unregistering it.
fn closed_in_model(model: &mut Model, closed: ClosedWhileRegistered, fd: RawFd) {
    model.pending.remove(&fd);
    model.hung.remove(&fd);
    if model.ghosts.contains_key(&fd) {
        // The registration belongs to the description the duplicate keeps open.
        return;
    }
    model.disarmed.remove(&fd);
    model.edge_armed.remove(&fd);
    match closed {
        ClosedWhileRegistered::ReportedInvalid | ClosedWhileRegistered::WaitFailsBadf => {}
        ClosedWhileRegistered::Forgotten => {
            model.registered.remove(&fd);
        }
        ClosedWhileRegistered::ForgottenUntilUnregistered
        | ClosedWhileRegistered::MaybeReportedInvalid => {
            if model.registered.remove(&fd).is_some() {
                model.stale.insert(fd);
            }
        }
    }
}

/// Runs `ops` on a fresh `B` and on the model, failing at the first divergence.
///
/// # Errors
///
/// A [`TestCaseError`] describing the first operation whose result, or the first wait whose
/// events, differ from the model.
pub fn run_sequence<B: Backend>(ops: &[Op]) -> Result<(), TestCaseError> {
    let backend = B::new().map_err(|e| TestCaseError::fail(format!("{}::new: {e}", B::NAME)))?;
    let closed = expectation::<B>().closed_while_registered;
    let with_dup = expectation::<B>().closed_with_dup_open;
    let rejects = B::CAPABILITIES.contains(Capabilities::REJECTS_DUPLICATES);
    let mut fds: Vec<OwnedFd> = Vec::with_capacity(2 * PAIRS);
    for _ in 0..PAIRS {
        let (a, b) = support::socketpair().map_err(|e| TestCaseError::fail(e.to_string()))?;
        fds.push(a);
        fds.push(b);
    }
    // A closed peer's replacement: the other end of the pair whose first end took its number.
    let mut peers: Vec<Option<OwnedFd>> = (0..2 * PAIRS).map(|_| None).collect();
    let mut dups: Vec<Option<OwnedFd>> = (0..2 * PAIRS).map(|_| None).collect();
    let mut model = Model::default();
    let mut events = B::Events::with_capacity(4 * PAIRS);
    for (step, &op) in ops.iter().enumerate() {
        let at =
            |what: String| TestCaseError::fail(format!("{} step {step} {op:?}: {what}", B::NAME));
        match op {
            Op::RegisterOneshot(..) if !B::CAPABILITIES.contains(Capabilities::ONESHOT) => {}
            Op::RegisterEdge(..) if !B::CAPABILITIES.contains(Capabilities::EDGE) => {}
            Op::Register(..) | Op::RegisterOneshot(..) | Op::RegisterEdge(..) => {
                let (i, interest) = match op {
                    Op::RegisterEdge(i) => (i, Interest::READABLE | Interest::EDGE),
                    Op::Register(i, interest) | Op::RegisterOneshot(i, interest) => (i, interest),
                    _ => unreachable!("matched above"),
                };
                let fd = fds[i].as_raw_fd();
                if model.ghosts.contains_key(&fd) {
                    continue;
                }
                let result = Backend::register(&backend, fds[i].as_fd(), interest);
                let duplicate = model.registered.contains_key(&fd) || model.stale.contains(&fd);
                match (result, duplicate && rejects) {
                    (Ok(()), false) => {
                        model.registered.insert(fd, interest);
                        // A backend that replaces duplicates replaces a stale entry too.
                        model.stale.remove(&fd);
                        model.disarmed.remove(&fd);
                        // Readiness at registration is the first transition an edge
                        // registration reports.
                        model.edge_armed.remove(&fd);
                        if model.readable(fd) {
                            model.transition(fd);
                        }
                    }
                    // The contract names the two errors a rejected duplicate may be.
                    (Err(Error::Os(Errno::EXIST)), true) => {}
                    (Err(Error::AlreadyRegistered { fd: f }), true) if f == fd => {}
                    (result, should_fail) => {
                        return Err(at(format!("got {result:?}, model says fail={should_fail}")));
                    }
                }
            }
            Op::Modify(i, interest) => {
                let fd = fds[i].as_raw_fd();
                if model.stale.contains(&fd) {
                    // Unspecified for a stale entry (see ForgottenUntilUnregistered): skipped.
                    continue;
                }
                let result = backend.modify(fds[i].as_fd(), interest);
                let registered =
                    model.registered.contains_key(&fd) && !model.ghosts.contains_key(&fd);
                match (result, registered) {
                    (Ok(()), true) => {
                        model.registered.insert(fd, interest);
                        model.disarmed.remove(&fd);
                        model.edge_armed.remove(&fd);
                    }
                    // Python's `modify` of an unregistered descriptor is `ENOENT`.
                    (Err(Error::Os(Errno::NOENT)), false) => {}
                    (result, registered) => {
                        return Err(at(format!("got {result:?}, registered={registered}")));
                    }
                }
            }
            Op::Unregister(i) => {
                let fd = fds[i].as_raw_fd();
                let result = backend.unregister(fds[i].as_fd());
                if model.ghosts.contains_key(&fd) {
                    match result {
                        Err(Error::Os(Errno::NOENT)) => continue,
                        result => {
                            return Err(at(format!("got {result:?}, a ghost is not unregistered")));
                        }
                    }
                }
                let was_stale = model.stale.remove(&fd);
                model.disarmed.remove(&fd);
                model.edge_armed.remove(&fd);
                match (result, model.registered.remove(&fd).is_some() || was_stale) {
                    // Python's `KeyError`, or the kernel's `ENOENT` where it keeps the list.
                    (Ok(()), true) | (Err(Error::Os(Errno::NOENT)), false) => {}
                    (Err(Error::NotRegistered { fd: f }), false) if f == fd => {}
                    (result, registered) => {
                        return Err(at(format!("got {result:?}, registered={registered}")));
                    }
                }
            }
            Op::Write(i) => {
                let fd = fds[i].as_raw_fd();
                if model.hung.contains(&fd) {
                    // The peer is closed: nothing to write with.
                    continue;
                }
                let peer = peers[i].as_ref().unwrap_or(&fds[i ^ 1]);
                support::write_all(peer, b"x").map_err(|e| at(e.to_string()))?;
                model.pending.insert(fd);
                model.transition(fd);
            }
            Op::ReadAll(i) => {
                support::drain(&fds[i]).map_err(|e| at(e.to_string()))?;
                model.pending.remove(&fds[i].as_raw_fd());
            }
            Op::CloseAndReopen(p) => {
                for i in [2 * p, 2 * p + 1] {
                    drop_dup(&backend, &mut dups, &mut model, i).map_err(at)?;
                }
                let old = reopen(&mut fds, p).map_err(at)?;
                peers[2 * p] = None;
                peers[2 * p + 1] = None;
                for fd in old {
                    closed_in_model(&mut model, closed, fd);
                }
            }
            Op::ClosePeer(i) => {
                let p = i / 2;
                if peers[2 * p].is_some() || peers[2 * p + 1].is_some() {
                    // One end of this pair was closed already.
                    continue;
                }
                // A duplicate of the peer would keep its description open.
                drop_dup(&backend, &mut dups, &mut model, i ^ 1).map_err(at)?;
                // Linux resets the connection (`ECONNRESET` on the survivor, an error
                // condition) when a unix socket closes with unread data; the model covers the
                // orderly close, so the peer reads what it was sent first.
                support::drain(&fds[i ^ 1]).map_err(|e| at(e.to_string()))?;
                let (a, b) = support::socketpair().map_err(|e| at(e.to_string()))?;
                // dup2 closes the peer's description (its last descriptor), which hangs up
                // `fd`, and gives its number to `a` at once.
                rustix::io::dup2(&a, &mut fds[i ^ 1]).map_err(|e| at(format!("dup2: {e}")))?;
                rustix::io::fcntl_setfd(&fds[i ^ 1], rustix::io::FdFlags::CLOEXEC)
                    .map_err(|e| at(format!("F_SETFD: {e}")))?;
                drop(a);
                // The new peer moves out of the pairs' numbers, for CloseAndReopen.
                let b = rustix::io::fcntl_dupfd_cloexec(&b, DUP_FLOOR)
                    .map_err(|e| at(format!("F_DUPFD_CLOEXEC: {e}")))?;
                peers[i ^ 1] = Some(b);
                closed_in_model(&mut model, closed, fds[i ^ 1].as_raw_fd());
                let fd = fds[i].as_raw_fd();
                model.hung.insert(fd);
                model.transition(fd);
            }
            Op::Dup(i, interest) => {
                if dups[i].is_some() {
                    continue;
                }
                let dup = rustix::io::fcntl_dupfd_cloexec(&fds[i], DUP_FLOOR)
                    .map_err(|e| at(format!("F_DUPFD_CLOEXEC: {e}")))?;
                let fd = dup.as_raw_fd();
                Backend::register(&backend, dup.as_fd(), interest)
                    .map_err(|e| at(format!("register of the dup {fd}: {e}")))?;
                dups[i] = Some(dup);
                model.registered.insert(fd, interest);
                model.dup_of.insert(fd, fds[i].as_raw_fd());
            }
            Op::CloseOriginal(i) => {
                let p = i / 2;
                let live_dup = dups[i]
                    .as_ref()
                    .map(AsRawFd::as_raw_fd)
                    .filter(|d| model.dup_of.get(d) == Some(&fds[i].as_raw_fd()));
                let Some(d) = live_dup else { continue };
                if peers[2 * p].is_some() || peers[2 * p + 1].is_some() {
                    continue;
                }
                // Only the duplicate keeps a description of the pair open: its peer closes,
                // after it reads what it was sent (see ClosePeer).
                drop_dup(&backend, &mut dups, &mut model, i ^ 1).map_err(at)?;
                support::drain(&fds[i ^ 1]).map_err(|e| at(e.to_string()))?;
                let number = fds[i].as_raw_fd();
                reopen(&mut fds, p).map_err(at)?;
                // The duplicate now stands alone: the end of a pair whose peer closed.
                model.dup_of.remove(&d);
                if model.pending.contains(&number) {
                    model.pending.insert(d);
                }
                model.hung.insert(d);
                model.transition(d);
                closed_in_model(&mut model, closed, fds[i ^ 1].as_raw_fd());
                let kept = with_dup == ClosedWithDupOpen::KeptForDescription
                    && model.registered.contains_key(&number);
                if kept {
                    model.pending.remove(&number);
                    model.hung.remove(&number);
                    model.dup_of.insert(number, d);
                    model.ghosts.insert(number, d);
                    // The peer's close is a transition of the description.
                    if model.registered.get(&number).is_some_and(|i| i.contains(Interest::EDGE)) {
                        model.edge_armed.insert(number);
                    }
                } else {
                    closed_in_model(&mut model, closed, number);
                }
            }
            Op::DropDup(i) => drop_dup(&backend, &mut dups, &mut model, i).map_err(at)?,
            Op::Wait | Op::WaitShort => {
                let timeout = Duration::from_micros(if op == Op::Wait { 0 } else { 1500 });
                let started = std::time::Instant::now();
                let count = backend
                    .wait(&mut events, Some(timeout))
                    .map_err(|e| at(format!("wait failed: {e}")))?;
                let got: BTreeSet<(RawFd, bool, bool)> = reported::<B>(&events)
                    .into_iter()
                    // What a wait reports for a stale number is unspecified there.
                    .filter(|(fd, ..)| {
                        closed != ClosedWhileRegistered::MaybeReportedInvalid
                            || !model.stale.contains(fd)
                    })
                    .collect();
                let expected = model.expected();
                if count != events.len() || got != expected {
                    return Err(at(format!(
                        "wait reported {got:?} ({count} events), the model expects {expected:?}"
                    )));
                }
                if count == 0 && started.elapsed() < timeout {
                    return Err(at(format!(
                        "an empty wait returned after {:?}",
                        started.elapsed()
                    )));
                }
                model.disarm(got.iter().map(|&(fd, ..)| fd));
            }
            Op::WaitSmall(capacity) => {
                let mut small = B::Events::with_capacity(capacity);
                let expected = model.expected();
                let mut seen: BTreeMap<RawFd, (bool, bool)> = BTreeMap::new();
                // Each descriptor may take two events (kqueue reports reading and writing
                // apart), and a few more waits allow for a rotation that starts anywhere.
                let bound = 2 * expected.len() / capacity + 3;
                for _ in 0..bound {
                    let count = backend
                        .wait(&mut small, Some(Duration::ZERO))
                        .map_err(|e| at(format!("wait failed: {e}")))?;
                    if count > capacity || count != small.len() {
                        return Err(at(format!("{count} events in a buffer of {capacity}")));
                    }
                    let allowed = model.expected();
                    for (fd, readable, writable) in reported::<B>(&small) {
                        if closed == ClosedWhileRegistered::MaybeReportedInvalid
                            && model.stale.contains(&fd)
                        {
                            // What a wait reports for a stale number is unspecified there.
                            continue;
                        }
                        let fits = allowed
                            .iter()
                            .any(|&(f, r, w)| f == fd && (r || !readable) && (w || !writable));
                        if !fits {
                            return Err(at(format!(
                                "a small wait reported {:?}, the model allows {allowed:?}",
                                (fd, readable, writable)
                            )));
                        }
                        let entry = seen.entry(fd).or_default();
                        *entry = (entry.0 || readable, entry.1 || writable);
                    }
                    let fds: Vec<RawFd> =
                        reported::<B>(&small).iter().map(|&(fd, ..)| fd).collect();
                    model.disarm(fds);
                }
                let missed: Vec<_> = expected
                    .iter()
                    .filter(|&&(fd, r, w)| {
                        seen.get(&fd).is_none_or(|&(sr, sw)| (r && !sr) || (w && !sw))
                    })
                    .collect();
                if !missed.is_empty() {
                    return Err(at(format!(
                        "{bound} waits of capacity {capacity} never reported {missed:?} of {expected:?}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The proptest configuration: `PROPTEST_CASES` sequences (256 by default), failures
/// recorded in this crate's `proptest-regressions/model.txt` when `persist` is set.
#[must_use]
pub fn config(persist: bool) -> Config {
    let cases =
        std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(256);
    Config {
        cases,
        failure_persistence: if persist {
            Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS)))
        } else {
            None
        },
        // The sequences use real descriptors; forking is not needed and stays off.
        ..Config::default()
    }
}

/// Runs the model test on `B` with `config`; `Err` holds the shrunk failing sequence.
///
/// # Errors
///
/// The [`TestError`] of the runner, with the minimal failing sequence.
pub fn check<B: Backend>(config: Config) -> Result<(), TestError<Vec<Op>>> {
    let mut runner = TestRunner::new(config);
    runner.run(&ops(), |ops| run_sequence::<B>(&ops))
}

/// The model test as a scenario: fails with the shrunk sequence on any divergence.
pub fn model_matches<B: Backend>() {
    if let Err(error) = check::<B>(config(true)) {
        panic!("{}: the backend diverged from the model: {error}", B::NAME);
    }
}
