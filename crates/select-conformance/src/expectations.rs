//! The one table of documented differences between backends that their capabilities do not
//! express, each with its reason.

use select_core::{Backend, BackendKind, Capabilities};

/// What a wait does with a registration whose descriptor was closed without unregistering it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClosedWhileRegistered {
    /// The wait reports the number with [`Readiness::INVALID`](select_core::Readiness::INVALID)
    /// (poll(2)'s `POLLNVAL`) until it is unregistered; the registration is kept by number.
    /// Declared by [`Capabilities::REPORTS_INVALID`].
    ReportedInvalid,
    /// The kernel drops the registration when the descriptor closes; the wait never reports
    /// the number again and a descriptor that later gets the number starts unregistered.
    Forgotten,
    /// The kernel drops the registration and the wait never reports the number again, but the
    /// backend's own list of registrations keeps the number until it is unregistered:
    /// registering a descriptor that later gets the number fails as a duplicate, `unregister`
    /// succeeds, and what `modify` does to such a stale entry is unspecified (callers must
    /// unregister before closing, as Python's `selectors` requires).
    ForgottenUntilUnregistered,
    /// The wait fails with `EBADF`, as select(2) does; the registration is kept by number.
    WaitFailsBadf,
    /// The wait may report the number with
    /// [`Readiness::INVALID`](select_core::Readiness::INVALID) or not at all, and the backend
    /// keeps the number until it is unregistered (which succeeds). Once the number is reused,
    /// what a wait reports for it is unspecified until it is registered again or
    /// unregistered; registering it again is not a duplicate and replaces the registration.
    MaybeReportedInvalid,
}

/// What a wait does with a registration whose descriptor was closed while a `dup` of it keeps
/// its open file description open.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClosedWithDupOpen {
    /// Registrations are kept by number: the duplicate changes nothing, and
    /// [`ClosedWhileRegistered`] says what happens.
    ByNumber,
    /// Registrations are kept by (number, description): the registration lives on while the
    /// description is open, and the wait reports the description's readiness under the
    /// closed number; `modify` and `unregister` of the number (open again on another
    /// description) fail with `ENOENT`, and the registration ends when the last descriptor
    /// of the description closes.
    KeptForDescription,
}

/// One row of [`EXPECTATIONS`].
#[derive(Copy, Clone, Debug)]
pub struct Expectation {
    /// The backend the row is about.
    pub kind: BackendKind,
    /// What its wait does with a descriptor closed while registered.
    pub closed_while_registered: ClosedWhileRegistered,
    /// What its wait does with a descriptor closed while registered and while a `dup` of it
    /// stays open.
    pub closed_with_dup_open: ClosedWithDupOpen,
    /// Why: the documented kernel behaviour behind `closed_with_dup_open`.
    pub closed_with_dup_open_reason: &'static str,
    /// Why: the documented kernel behaviour behind the row.
    pub reason: &'static str,
}

/// The documented behaviour of each backend where [`Capabilities`] does not decide it.
///
/// A row says [`ClosedWhileRegistered::ReportedInvalid`] exactly when its backend declares
/// [`Capabilities::REPORTS_INVALID`]; [`expectation`] checks that.
pub const EXPECTATIONS: &[Expectation] = &[
    Expectation {
        kind: BackendKind::Poll,
        closed_while_registered: ClosedWhileRegistered::ReportedInvalid,
        closed_with_dup_open: ClosedWithDupOpen::ByNumber,
        closed_with_dup_open_reason: "poll(2) names a number in each pollfd and examines whatever \
                 description the number has at each call",
        reason: "poll(2) reports POLLNVAL in revents for a pollfd whose descriptor is not open",
    },
    Expectation {
        kind: BackendKind::Select,
        closed_while_registered: ClosedWhileRegistered::WaitFailsBadf,
        closed_with_dup_open: ClosedWithDupOpen::ByNumber,
        closed_with_dup_open_reason: "select(2) names numbers in its sets and examines whatever \
                 description each has at each call",
        reason: "select(2) fails with EBADF when a set holds a descriptor that is not open, \
                 and Python's select.select raises OSError(EBADF)",
    },
    Expectation {
        kind: BackendKind::Epoll,
        closed_while_registered: ClosedWhileRegistered::Forgotten,
        closed_with_dup_open: ClosedWithDupOpen::KeptForDescription,
        closed_with_dup_open_reason: "epoll(7) Q6: an interest-list entry is keyed by number and \
                 open file description, and stays while the description is open, so a closed \
                 number whose description a dup keeps open is still reported, and EPOLL_CTL_DEL of \
                 the number cannot reach it",
        reason: "epoll(7): closing the last descriptor of an open file description removes it \
                 from every epoll interest list (closed_with_dup_open says what happens when a \
                 dup keeps the description open)",
    },
    Expectation {
        kind: BackendKind::Kqueue,
        closed_while_registered: ClosedWhileRegistered::ForgottenUntilUnregistered,
        closed_with_dup_open: ClosedWithDupOpen::ByNumber,
        closed_with_dup_open_reason: "kqueue(2): knotes are attached to the number, and close() of \
                 the number removes them whatever other descriptors share the description",
        reason: "kqueue(2): calling close() on a descriptor removes every kevent attached to it, \
                 while select-kqueue's registry (which makes duplicates EEXIST and modify of an \
                 unknown descriptor ENOENT, as epoll does) keeps the number until unregister",
    },
    Expectation {
        kind: BackendKind::DevPoll,
        closed_while_registered: ClosedWhileRegistered::MaybeReportedInvalid,
        closed_with_dup_open: ClosedWithDupOpen::ByNumber,
        closed_with_dup_open_reason: "illumos keeps /dev/poll's entries by number (pd_fd, and the \
                 fpollinfo list of the number's uf_entry that close of the number cleans), so \
                 closed_while_registered applies whatever other descriptors share the file",
        reason: "illumos devpoll.c: closing a descriptor does not notify /dev/poll \
                 (pollhead_clean only unlinks the entry), DP_POLL examines only entries \
                 marked since and reports POLLNVAL for a closed one it examines, and an \
                 entry written while its number was closed has no file and is skipped \
                 (`if (pdp->pd_fp == NULL) continue;`); select-devpoll writes registrations \
                 at the next wait and keeps the number until unregister",
    },
];

/// The row for `B`.
///
/// # Panics
///
/// If `B` has no row (add one when adding a backend), or if its row and its
/// [`Capabilities::REPORTS_INVALID`] declaration disagree.
#[must_use]
pub fn expectation<B: Backend>() -> Expectation {
    let row =
        EXPECTATIONS.iter().find(|row| row.kind == B::KIND).copied().unwrap_or_else(|| {
            panic!("no row for {} in select_conformance::EXPECTATIONS", B::NAME)
        });
    assert_eq!(
        row.closed_while_registered == ClosedWhileRegistered::ReportedInvalid,
        B::CAPABILITIES.contains(Capabilities::REPORTS_INVALID),
        "{}: the expectations table says {:?} ({}), which disagrees with the declared \
         capabilities {:?}",
        B::NAME,
        row.closed_while_registered,
        row.reason,
        B::CAPABILITIES,
    );
    row
}
