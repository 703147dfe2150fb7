//! The model-based property test: random sequences of operations on a few socketpairs, run
//! against a backend and against an in-memory model of what a wait must report: level-triggered
//! and (where declared) oneshot registrations, zero and small non-zero timeouts, and buffers
//! smaller than the ready set.

use std::collections::{BTreeMap, BTreeSet};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};
use rustix::io::Errno;
use select_core::{Backend, Capabilities, Error, EventBuffer, Interest, Readiness};

use crate::expectations::{ClosedWhileRegistered, expectation};
use crate::scenarios::merged;
use crate::support;

/// How many socketpairs a sequence works on; their first and second ends are the descriptors
/// `0..2 * PAIRS` of the operations.
pub const PAIRS: usize = 3;

/// The longest sequence generated.
pub const MAX_OPS: usize = 40;

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
}

impl Model {
    /// Marks the oneshot registrations among `reported` as spent.
    fn disarm(&mut self, reported: impl IntoIterator<Item = RawFd>) {
        for fd in reported {
            if self.registered.get(&fd).is_some_and(|i| i.contains(Interest::ONESHOT)) {
                self.disarmed.insert(fd);
            }
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
                let readable = interest.contains(Interest::READABLE) && self.pending.contains(&fd);
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

/// Runs `ops` on a fresh `B` and on the model, failing at the first divergence.
///
/// # Errors
///
/// A [`TestCaseError`] describing the first operation whose result, or the first wait whose
/// events, differ from the model.
pub fn run_sequence<B: Backend>(ops: &[Op]) -> Result<(), TestCaseError> {
    let backend = B::new().map_err(|e| TestCaseError::fail(format!("{}::new: {e}", B::NAME)))?;
    let closed = expectation::<B>().closed_while_registered;
    let rejects = B::CAPABILITIES.contains(Capabilities::REJECTS_DUPLICATES);
    let mut fds: Vec<OwnedFd> = Vec::with_capacity(2 * PAIRS);
    for _ in 0..PAIRS {
        let (a, b) = support::socketpair().map_err(|e| TestCaseError::fail(e.to_string()))?;
        fds.push(a);
        fds.push(b);
    }
    let mut model = Model::default();
    let mut events = B::Events::with_capacity(4 * PAIRS);
    for (step, &op) in ops.iter().enumerate() {
        let at =
            |what: String| TestCaseError::fail(format!("{} step {step} {op:?}: {what}", B::NAME));
        match op {
            Op::RegisterOneshot(..) if !B::CAPABILITIES.contains(Capabilities::ONESHOT) => {}
            Op::Register(i, interest) | Op::RegisterOneshot(i, interest) => {
                let fd = fds[i].as_raw_fd();
                let result = Backend::register(&backend, fds[i].as_fd(), interest);
                let duplicate = model.registered.contains_key(&fd) || model.stale.contains(&fd);
                match (result, duplicate && rejects) {
                    (Ok(()), false) => {
                        model.registered.insert(fd, interest);
                        // A backend that replaces duplicates replaces a stale entry too.
                        model.stale.remove(&fd);
                        model.disarmed.remove(&fd);
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
                match (result, model.registered.contains_key(&fd)) {
                    (Ok(()), true) => {
                        model.registered.insert(fd, interest);
                        model.disarmed.remove(&fd);
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
                let was_stale = model.stale.remove(&fd);
                model.disarmed.remove(&fd);
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
                support::write_all(&fds[i ^ 1], b"x").map_err(|e| at(e.to_string()))?;
                model.pending.insert(fds[i].as_raw_fd());
            }
            Op::ReadAll(i) => {
                support::drain(&fds[i]).map_err(|e| at(e.to_string()))?;
                model.pending.remove(&fds[i].as_raw_fd());
            }
            Op::CloseAndReopen(p) => {
                let old = [fds[2 * p].as_raw_fd(), fds[2 * p + 1].as_raw_fd()];
                // Placeholders hold the two slots while the old pair is closed, so that the new
                // pair gets the two numbers the old one freed.
                let placeholder = support::socketpair().map_err(|e| at(e.to_string()))?;
                drop(std::mem::replace(&mut fds[2 * p], placeholder.0));
                drop(std::mem::replace(&mut fds[2 * p + 1], placeholder.1));
                let (a, b) = support::socketpair().map_err(|e| at(e.to_string()))?;
                let new = [a.as_raw_fd(), b.as_raw_fd()];
                if new != old {
                    return Err(at(format!("reopened as {new:?} instead of {old:?}")));
                }
                // Swap the new pair in and close the placeholders, whose numbers are not in
                // the model.
                drop(std::mem::replace(&mut fds[2 * p], a));
                drop(std::mem::replace(&mut fds[2 * p + 1], b));
                for fd in old {
                    model.pending.remove(&fd);
                    model.disarmed.remove(&fd);
                    match closed {
                        ClosedWhileRegistered::ReportedInvalid
                        | ClosedWhileRegistered::WaitFailsBadf => {}
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
            }
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
