//! Tests of `Kqueue` and `KEvent` on real kernel objects, written to run in the CI workflow's
//! macOS, FreeBSD, NetBSD, OpenBSD and DragonFly BSD jobs (kqueue does not exist on the Linux
//! machine where they were written, so there they were only compiled and linted for the
//! kqueue targets). Tests that need `EVFILT_USER` return early on the OpenBSD and NetBSD
//! releases without it (see `kernel_has_evfilt_user`).

mod conformance;

use std::cmp::Ordering;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use select_conformance::support;
use select_core::{Backend, Error, EventBuffer, Interest, Readiness};

use crate::{
    KEvent, KQ_EV_ADD, KQ_EV_CLEAR, KQ_EV_DELETE, KQ_EV_DISPATCH, KQ_EV_ENABLE, KQ_EV_EOF,
    KQ_EV_ERROR, KQ_EV_ONESHOT, KQ_EV_RECEIPT, KQ_FILTER_READ, KQ_FILTER_TIMER, KQ_FILTER_USER,
    KQ_FILTER_WRITE, KQ_NOTE_TRIGGER, Kqueue, KqueueEvents, conv, sys,
};

/// A generous bound for "returns eventually".
const EVENTUALLY: Duration = Duration::from_secs(10);

/// `(ident, filter)` of the stored events, sorted, for comparisons that ignore kernel order.
fn idents_and_filters(events: &KqueueEvents) -> Vec<(usize, crate::Filter)> {
    let mut pairs: Vec<_> = events.as_slice().iter().map(|e| (e.ident(), e.filter())).collect();
    pairs.sort_unstable();
    pairs
}

fn is_closed_error<T>(result: &select_core::Result<T>) -> bool {
    matches!(result, Err(Error::Closed { object: "kqueue" }))
}

// ---- KEvent: defaults, accessors, order, repr -------------------------------------------

#[test]
fn kevent_has_python_defaults() {
    let event = KEvent::new(42);
    assert_eq!(event.ident(), 42);
    assert_eq!(event.filter(), KQ_FILTER_READ);
    assert_eq!(event.flags(), KQ_EV_ADD);
    assert_eq!(event.fflags(), 0);
    assert_eq!(event.data(), 0);
    assert_eq!(event.udata(), 0);
}

#[test]
fn kevent_fields_round_trip() {
    let event = KEvent::from_parts(
        7,
        KQ_FILTER_WRITE,
        KQ_EV_ADD | KQ_EV_CLEAR,
        0xffff_ffff,
        -1,
        usize::MAX,
    )
    .expect("data -1 fits every target");
    assert_eq!(event.ident(), 7);
    assert_eq!(event.filter(), KQ_FILTER_WRITE);
    assert_eq!(event.flags(), KQ_EV_ADD | KQ_EV_CLEAR);
    assert_eq!(event.fflags(), 0xffff_ffff);
    assert_eq!(event.data(), -1);
    assert_eq!(event.udata(), usize::MAX);
}

#[test]
fn kevent_for_fd_uses_the_descriptor_number() {
    let (a, _b) = support::socketpair().expect("socketpair");
    let event = KEvent::for_fd(&a);
    assert_eq!(event.ident(), usize::try_from(a.as_raw_fd()).expect("fd is not negative"));
    assert_eq!(event, KEvent::new(event.ident()));
}

#[test]
fn kevent_equality_and_order_follow_the_tuple() {
    let base = KEvent::new(1);
    assert_eq!(base, KEvent::new(1));
    assert!(base < KEvent::new(2));
    assert!(KEvent::new(2) > base);
    // Later fields decide only when earlier ones are equal.
    assert!(base.with_fflags(1) > base);
    assert!(KEvent::new(0).with_fflags(9) < base);
    assert!(base.with_data(-5).expect("fits") < base);
    assert!(base.with_udata(1) > base);
    assert_ne!(base, base.with_udata(1));
    // Ord compares udata unsigned, CPython signed.
    let high = base.with_udata(usize::MAX);
    let low = base.with_udata(1);
    assert_eq!(high.cmp(&low), Ordering::Greater);
    assert_eq!(high.cmp_python(&low), Ordering::Less);
    assert_eq!(high.cmp_python(&high), Ordering::Equal);
    assert_eq!(base.with_data(3).expect("fits").cmp_python(&base), Ordering::Greater);
}

#[test]
fn kevent_debug_is_pythons_repr() {
    let event = KEvent::new(5).with_fflags(0x10).with_udata(0xabc);
    let repr = format!("{event:?}");
    assert_eq!(
        repr,
        format!(
            "<select.kevent ident=5 filter={} flags=0x1 fflags=0x10 data=0x0 udata=0xabc>",
            KQ_FILTER_READ
        )
    );
    let negative = KEvent::new(0).with_data(-1).expect("fits");
    assert!(format!("{negative:?}").contains("data=0xffffffffffffffff"), "{negative:?}");
}

// ---- conv: pure mappings ------------------------------------------------------------------

#[test]
fn registration_changes_cover_every_transition() {
    let mut out = [KEvent::new(0); 4];
    let both = Interest::READABLE | Interest::WRITABLE;
    let n = conv::changes(3, None, Some(both), &mut out);
    assert_eq!(n, 2);
    assert_eq!(
        (out[0].filter(), out[0].flags()),
        (KQ_FILTER_READ, KQ_EV_ADD | KQ_EV_ENABLE | KQ_EV_RECEIPT)
    );
    assert_eq!(out[1].filter(), KQ_FILTER_WRITE);
    assert!(out.iter().take(n).all(|change| change.ident() == 3));

    // Dropping WRITABLE deletes the write filter (and re-adds the read filter unchanged).
    let n = conv::changes(3, Some(both), Some(Interest::READABLE), &mut out);
    assert_eq!(n, 2);
    assert_eq!(out[0].filter(), KQ_FILTER_READ);
    assert_eq!(out[0].flags() & KQ_EV_ADD, KQ_EV_ADD);
    assert_eq!((out[1].filter(), out[1].flags()), (KQ_FILTER_WRITE, KQ_EV_DELETE | KQ_EV_RECEIPT));

    // The same interest again is added again, which re-arms a oneshot registration.
    let oneshot = Interest::READABLE | Interest::ONESHOT;
    let n = conv::changes(3, Some(oneshot), Some(oneshot), &mut out);
    assert_eq!(n, 1);
    assert_eq!(
        out[0].flags() & (KQ_EV_ADD | KQ_EV_ENABLE | KQ_EV_DISPATCH),
        KQ_EV_ADD | KQ_EV_ENABLE | KQ_EV_DISPATCH
    );

    // A new delivery mode deletes and re-adds, since modes apply only at creation.
    let edge = Interest::READABLE | Interest::EDGE;
    let n = conv::changes(3, Some(Interest::READABLE), Some(edge), &mut out);
    assert_eq!(n, 2);
    assert_eq!(out[0].flags(), KQ_EV_DELETE | KQ_EV_RECEIPT);
    assert_eq!(out[1].flags() & KQ_EV_CLEAR, KQ_EV_CLEAR);

    // Unregistering deletes every registered filter.
    assert_eq!(conv::changes(3, Some(both), None, &mut out), 2);
    assert!(out.iter().take(2).all(|change| change.flags() & KQ_EV_DELETE != 0));
}

#[test]
fn delivery_modes_map_to_clear_and_dispatch() {
    assert_eq!(conv::add_flags(Interest::READABLE) & (KQ_EV_CLEAR | KQ_EV_DISPATCH), 0);
    assert_eq!(conv::add_flags(Interest::READABLE | Interest::EDGE) & KQ_EV_CLEAR, KQ_EV_CLEAR);
    let oneshot = conv::add_flags(Interest::READABLE | Interest::ONESHOT);
    assert_eq!(oneshot & KQ_EV_DISPATCH, KQ_EV_DISPATCH);
    assert_eq!(oneshot & KQ_EV_ONESHOT, 0);
}

#[test]
fn readiness_and_receipts_map_from_records() {
    let read = KEvent::new(4);
    assert_eq!(conv::readiness(&read), Readiness::READABLE);
    let write_eof = KEvent::new(4).with_filter(KQ_FILTER_WRITE).with_flags(KQ_EV_EOF);
    assert_eq!(conv::readiness(&write_eof), Readiness::WRITABLE | Readiness::HANGUP);
    let failed =
        KEvent::new(4).with_flags(KQ_EV_ERROR).with_data(i64::from(libc::EBADF)).expect("fits");
    assert_eq!(conv::receipt_errno(&failed), Some(libc::EBADF));
    assert!(conv::readiness(&failed).contains(Readiness::ERROR));
    assert_eq!(conv::receipt_errno(&KEvent::new(4).with_flags(KQ_EV_ERROR)), None);
    assert_eq!(conv::receipt_errno(&read), None);
    assert_eq!(conv::readiness(&KEvent::new(4).with_filter(KQ_FILTER_TIMER)), Readiness::empty());
}

#[test]
fn timespec_is_exact() {
    let ts = conv::timespec(Duration::new(12, 345_678_901));
    assert_eq!((ts.tv_sec, ts.tv_nsec), (12, 345_678_901));
    let ts = conv::timespec(Duration::from_nanos(1));
    assert_eq!((ts.tv_sec, ts.tv_nsec), (0, 1));
}

// ---- Kqueue: descriptor life cycle ----------------------------------------------------------

#[test]
fn new_kqueue_is_open_and_cloexec() {
    let kq = Kqueue::new().expect("kqueue");
    assert!(!kq.is_closed());
    let fd = kq.fileno().expect("open");
    assert!(fd >= 0);
    assert_eq!(kq.as_fd().as_raw_fd(), fd);
    assert!(support::is_cloexec(&kq).expect("fcntl"));
}

#[test]
fn closed_kqueue_reports_closed_everywhere() {
    let mut kq = Kqueue::new().expect("kqueue");
    let (a, _b) = support::socketpair().expect("socketpair");
    kq.close().expect("close");
    assert!(kq.is_closed());
    assert!(is_closed_error(&kq.fileno()));
    let mut events = KqueueEvents::with_capacity(1);
    assert!(is_closed_error(&kq.control(&[], &mut events, Some(Duration::ZERO))));
    assert!(is_closed_error(&kq.control(&[KEvent::for_fd(&a)], &mut events, None)));
    assert!(is_closed_error(&Backend::register(&kq, a.as_fd(), Interest::READABLE)));
    assert!(is_closed_error(&Backend::modify(&kq, a.as_fd(), Interest::READABLE)));
    assert!(is_closed_error(&Backend::unregister(&kq, a.as_fd())));
    assert!(is_closed_error(&Backend::wait(&kq, &mut events, Some(Duration::ZERO))));
    // The closed check comes before any argument check.
    assert!(is_closed_error(&Backend::register(&kq, a.as_fd(), Interest::PRIORITY)));
    assert!(is_closed_error(&Backend::modify(&kq, a.as_fd(), Interest::PRIORITY)));
    let mut no_room = KqueueEvents::with_capacity(0);
    assert!(is_closed_error(&Backend::wait(&kq, &mut no_room, Some(Duration::ZERO))));
    // Closing again succeeds and does nothing.
    kq.close().expect("second close");
    assert!(Backend::close(&mut kq).is_ok());
}

#[test]
fn forked_child_sees_the_kqueue_closed_and_keeps_its_number() {
    let kq = Kqueue::new().expect("kqueue");
    let mut in_child = Kqueue::new().expect("kqueue");
    let number = in_child.fileno().expect("open");
    let (probe, _peer) = support::socketpair().expect("socketpair");
    let mut events = KqueueEvents::with_capacity(1);

    let child_ok = sys::in_forked_child(|| {
        let closed_view = kq.is_closed()
            && in_child.is_closed()
            && is_closed_error(&kq.fileno())
            && is_closed_error(&kq.control(&[], &mut events, Some(Duration::ZERO)))
            && is_closed_error(&Backend::register(&kq, probe.as_fd(), Interest::READABLE));
        // The kqueue is not inherited, so the child may put something else at its number;
        // closing the object must leave that descriptor alone.
        let _reused = rustix::io::fcntl_dupfd_cloexec(&probe, number);
        let closed_quietly = in_child.close().is_ok() && support::is_open(number);
        closed_view && closed_quietly
    })
    .expect("fork and wait");
    assert!(child_ok, "the child saw an open kqueue or lost a descriptor");

    // The parent is unaffected.
    assert!(!kq.is_closed() && !in_child.is_closed());
    assert_eq!(in_child.fileno().expect("open"), number);
    let mut events = KqueueEvents::with_capacity(1);
    assert_eq!(kq.control(&[], &mut events, Some(Duration::ZERO)).expect("control"), 0);
}

// ---- control: changes, events, timeouts ----------------------------------------------------

#[test]
fn write_then_read_events_through_two_objects_sharing_one_kqueue() {
    let kq = Kqueue::new().expect("kqueue");
    let shared = Kqueue::from_fd(rustix::io::dup(&kq).expect("dup"));
    let (a, b) = support::socketpair().expect("socketpair");
    let (ia, ib) = (KEvent::for_fd(&a).ident(), KEvent::for_fd(&b).ident());
    let mut events = KqueueEvents::with_capacity(4);

    let writes = [
        KEvent::for_fd(&a).with_filter(KQ_FILTER_WRITE).with_flags(KQ_EV_ADD | KQ_EV_ENABLE),
        KEvent::for_fd(&b).with_filter(KQ_FILTER_WRITE).with_flags(KQ_EV_ADD | KQ_EV_ENABLE),
    ];
    assert_eq!(kq.control(&writes, &mut KqueueEvents::with_capacity(0), None).expect("add"), 0);
    let reads = [
        KEvent::for_fd(&a).with_flags(KQ_EV_ADD | KQ_EV_ENABLE),
        KEvent::for_fd(&b).with_flags(KQ_EV_ADD | KQ_EV_ENABLE),
    ];
    assert_eq!(shared.control(&reads, &mut KqueueEvents::with_capacity(0), None).expect("add"), 0);

    // Both ends are writable, neither readable, seen through either object.
    let n = shared.control(&[], &mut events, Some(EVENTUALLY)).expect("wait");
    assert_eq!(n, 2);
    assert_eq!(idents_and_filters(&events), {
        let mut v = vec![(ia, KQ_FILTER_WRITE), (ib, KQ_FILTER_WRITE)];
        v.sort_unstable();
        v
    });

    support::write_all(&b, b"foo").expect("write");
    support::write_all(&a, b"bar!").expect("write");
    let n = kq.control(&[], &mut events, Some(EVENTUALLY)).expect("wait");
    assert_eq!(n, 4);
    let read_a = events.as_slice().iter().find(|e| e.ident() == ia && e.filter() == KQ_FILTER_READ);
    let read_b = events.as_slice().iter().find(|e| e.ident() == ib && e.filter() == KQ_FILTER_READ);
    // `data` carries the number of bytes waiting.
    assert_eq!(read_a.expect("a readable").data(), 3);
    assert_eq!(read_b.expect("b readable").data(), 4);
    assert!(events.as_slice().iter().all(|e| e.flags() & KQ_EV_ERROR == 0));

    // The portable view agrees.
    let portable: Vec<_> = events.iter().collect();
    assert!(
        portable
            .iter()
            .any(|e| e.fd() == a.as_raw_fd() && e.readiness().contains(Readiness::READABLE))
    );

    // EV_DELETE removes the read filters: only writes remain.
    let deletes =
        [KEvent::for_fd(&a).with_flags(KQ_EV_DELETE), KEvent::for_fd(&b).with_flags(KQ_EV_DELETE)];
    assert_eq!(kq.control(&deletes, &mut events, Some(Duration::ZERO)).expect("delete"), 2);
    assert!(events.as_slice().iter().all(|e| e.filter() == KQ_FILTER_WRITE));
}

#[test]
fn zero_timeout_returns_at_once_with_nothing() {
    let kq = Kqueue::new().expect("kqueue");
    let mut events = KqueueEvents::with_capacity(8);
    let start = Instant::now();
    assert_eq!(kq.control(&[], &mut events, Some(Duration::ZERO)).expect("control"), 0);
    assert!(events.is_empty());
    assert!(start.elapsed() < EVENTUALLY);
}

#[test]
fn a_timeout_is_waited_in_full() {
    let kq = Kqueue::new().expect("kqueue");
    let mut events = KqueueEvents::with_capacity(1);
    let timeout = Duration::from_millis(50);
    let start = Instant::now();
    assert_eq!(kq.control(&[], &mut events, Some(timeout)).expect("control"), 0);
    assert!(start.elapsed() >= timeout);
}

#[test]
fn zero_capacity_applies_changes_and_returns_at_once() {
    let kq = Kqueue::new().expect("kqueue");
    let (a, b) = support::socketpair().expect("socketpair");
    support::write_all(&b, b"x").expect("write");
    let start = Instant::now();
    let n =
        kq.control(&[KEvent::for_fd(&a)], &mut KqueueEvents::with_capacity(0), None).expect("add");
    assert_eq!(n, 0);
    assert!(start.elapsed() < EVENTUALLY);
    let mut events = KqueueEvents::with_capacity(2);
    assert_eq!(kq.control(&[], &mut events, Some(Duration::ZERO)).expect("wait"), 1);
}

#[test]
fn failed_changes_come_back_as_ev_error_events() {
    let kq = Kqueue::new().expect("kqueue");
    let mut events = KqueueEvents::with_capacity(2);
    // A number far above any open descriptor: the kernel rejects it with EBADF.
    let bad = KEvent::new(1_000_000);
    assert_eq!(kq.control(&[bad], &mut events, Some(Duration::ZERO)).expect("control"), 1);
    let event = events.as_slice()[0];
    assert_eq!(event.flags() & KQ_EV_ERROR, KQ_EV_ERROR);
    assert_eq!(event.data(), i64::from(libc::EBADF));
    // With no room for the error, the call itself fails.
    let result = kq.control(&[bad], &mut KqueueEvents::with_capacity(0), None);
    assert_eq!(result.map_err(|e| e.errno()).err(), Some(Some(rustix::io::Errno::BADF)));
}

#[test]
fn a_timer_fires() {
    let kq = Kqueue::new().expect("kqueue");
    let timer = KEvent::new(11)
        .with_filter(KQ_FILTER_TIMER)
        .with_flags(KQ_EV_ADD | KQ_EV_ONESHOT)
        .with_data(20)
        .expect("fits");
    let mut events = KqueueEvents::with_capacity(2);
    let start = Instant::now();
    let n = kq.control(&[timer], &mut events, Some(EVENTUALLY)).expect("control");
    assert_eq!(n, 1);
    assert!(start.elapsed() < EVENTUALLY);
    let event = events.as_slice()[0];
    assert_eq!((event.ident(), event.filter()), (11, KQ_FILTER_TIMER));
    assert!(event.data() >= 1, "the timer expired at least once: {event:?}");
}

/// Whether the running kernel has `EVFILT_USER`, asked directly with a registration on a
/// fresh kqueue. Only OpenBSD (before 7.8) and NetBSD (before 10) may lack it: anywhere else a
/// refusal fails the test, so the tests that need the filter cannot be skipped there.
fn kernel_has_evfilt_user() -> bool {
    let kq = Kqueue::new().expect("kqueue");
    let add = KEvent::new(1).with_filter(KQ_FILTER_USER).with_flags(KQ_EV_ADD);
    match kq.control(&[add], &mut KqueueEvents::with_capacity(0), Some(Duration::ZERO)) {
        Ok(_) => true,
        Err(Error::Os(rustix::io::Errno::INVAL)) if cfg!(any(openbsd, netbsd)) => false,
        Err(error) => panic!("registering an EVFILT_USER event failed: {error}"),
    }
}

#[test]
fn user_event_is_none_exactly_where_the_kernel_lacks_evfilt_user() {
    let has = kernel_has_evfilt_user();
    let kq = Kqueue::new().expect("kqueue");
    let user = Backend::user_event(&kq).expect("a missing filter is Ok(None), not an error");
    assert_eq!(user.is_some(), has, "user_event must follow the kernel");
    assert_eq!(crate::user::kernel_has_user_filter(), Some(has), "the answer is remembered");
    // The remembered answer gives the same result, and the kqueue still works either way.
    let again = Backend::user_event(&kq).expect("user_event again");
    assert_eq!(again.is_some(), has);
    let (a, b) = support::socketpair().expect("socketpair");
    Backend::register(&kq, a.as_fd(), Interest::READABLE).expect("register");
    support::write_all(&b, b"x").expect("write");
    let mut events = KqueueEvents::with_capacity(4);
    assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
}

#[test]
fn only_einval_means_the_kernel_lacks_evfilt_user() {
    use rustix::io::Errno;
    assert!(crate::user::means_no_user_filter(&Error::Os(Errno::INVAL)));
    for errno in [Errno::BADF, Errno::NOMEM, Errno::MFILE, Errno::NOENT] {
        assert!(!crate::user::means_no_user_filter(&Error::Os(errno)), "{errno:?}");
    }
    assert!(!crate::user::means_no_user_filter(&Error::Closed { object: "kqueue" }));
}

#[test]
fn a_user_event_is_triggered() {
    if !kernel_has_evfilt_user() {
        return;
    }
    let kq = Kqueue::new().expect("kqueue");
    let mut events = KqueueEvents::with_capacity(2);
    let add = KEvent::new(7).with_filter(KQ_FILTER_USER).with_flags(KQ_EV_ADD | KQ_EV_CLEAR);
    assert_eq!(kq.control(&[add], &mut events, Some(Duration::ZERO)).expect("add"), 0);
    let trigger =
        KEvent::new(7).with_filter(KQ_FILTER_USER).with_flags(0).with_fflags(KQ_NOTE_TRIGGER);
    let n = kq.control(&[trigger], &mut events, Some(EVENTUALLY)).expect("trigger");
    assert_eq!(n, 1);
    assert_eq!((events.as_slice()[0].ident(), events.as_slice()[0].filter()), (7, KQ_FILTER_USER));
    // EV_CLEAR: reported once per trigger.
    assert_eq!(kq.control(&[], &mut events, Some(Duration::ZERO)).expect("wait"), 0);
}

#[test]
fn backend_user_event_triggers_coalesce_until_a_wait_reports_them() {
    if !kernel_has_evfilt_user() {
        return;
    }
    let kq = Kqueue::new().expect("kqueue");
    let user = Backend::user_event(&kq).expect("user_event").expect("kqueue has EVFILT_USER");
    let duplicate = support::borrow_raw(user.token());
    assert!(
        support::is_cloexec(duplicate).expect("fcntl"),
        "the event's duplicate is close-on-exec"
    );
    // Two triggers before any wait coalesce into one report (no waiter can consume the
    // first one in between, as a blocked wait in another thread could).
    user.trigger().expect("trigger");
    user.trigger().expect("trigger again");
    let mut events = KqueueEvents::with_capacity(4);
    assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
    let reported = events.iter().collect::<Vec<_>>();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(reported[0].fd(), user.token());
    assert!(reported[0].readiness().contains(Readiness::READABLE));
    // EV_CLEAR re-armed it: nothing is pending now, and a new trigger is reported again.
    assert_eq!(Backend::wait(&kq, &mut events, Some(Duration::ZERO)).expect("wait"), 0);
    user.trigger().expect("trigger");
    assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
    // Dropping the event deletes it from the kqueue: triggering its ident now finds nothing.
    // (Checking that the duplicate's number is closed could be fooled by a parallel test
    // reusing the number; the kqueue's answer cannot.)
    let ident = conv::fd_ident(user.token());
    drop(user);
    let trigger =
        KEvent::new(ident).with_filter(KQ_FILTER_USER).with_flags(0).with_fflags(KQ_NOTE_TRIGGER);
    let result = kq.control(&[trigger], &mut KqueueEvents::with_capacity(0), Some(Duration::ZERO));
    assert_eq!(result.err().and_then(|e| e.errno()), Some(rustix::io::Errno::NOENT));
}

#[test]
fn backend_user_event_releases_a_blocked_wait_in_another_thread() {
    if !kernel_has_evfilt_user() {
        return;
    }
    let kq = Arc::new(Kqueue::new().expect("kqueue"));
    let user = Backend::user_event(&*kq).expect("user_event").expect("kqueue has EVFILT_USER");
    let waiter = {
        let kq = Arc::clone(&kq);
        std::thread::spawn(move || {
            let mut events = KqueueEvents::with_capacity(4);
            let n = Backend::wait(&*kq, &mut events, Some(EVENTUALLY)).expect("wait");
            events.iter().take(n).map(|event| event.fd()).collect::<Vec<_>>()
        })
    };
    // Whether the trigger lands before or during the wait, the wait reports it once.
    std::thread::sleep(Duration::from_millis(50));
    let start = Instant::now();
    user.trigger().expect("trigger");
    let reported = waiter.join().expect("waiter");
    assert!(start.elapsed() < EVENTUALLY, "the wait was not released by the trigger");
    assert_eq!(reported, vec![user.token()]);
}

#[test]
fn a_failed_register_leaves_nothing_registered() {
    if !kernel_has_evfilt_user() {
        return;
    }
    let kq = Kqueue::new().expect("kqueue");
    // A kqueue descriptor is readable while it has a pending event, and supports no
    // EVFILT_WRITE: registering it for both adds EVFILT_READ and fails EVFILT_WRITE.
    let inner = Kqueue::new().expect("inner kqueue");
    let add = KEvent::new(5).with_filter(KQ_FILTER_USER).with_flags(KQ_EV_ADD);
    let trigger =
        KEvent::new(5).with_filter(KQ_FILTER_USER).with_flags(0).with_fflags(KQ_NOTE_TRIGGER);
    let mut none = KqueueEvents::with_capacity(0);
    inner.control(&[add, trigger], &mut none, Some(Duration::ZERO)).expect("pending event");
    let result = Backend::register(&kq, inner.as_fd(), Interest::READABLE | Interest::WRITABLE);
    assert!(result.as_ref().err().and_then(Error::errno).is_some(), "{result:?}");
    // The EVFILT_READ that the kernel accepted was deleted again: no wait reports the
    // (readable) descriptor, and the registry does not know it.
    let mut events = KqueueEvents::with_capacity(4);
    assert_eq!(Backend::wait(&kq, &mut events, Some(Duration::ZERO)).expect("wait"), 0);
    assert_eq!(
        Backend::unregister(&kq, inner.as_fd()).err().and_then(|e| e.errno()),
        Some(rustix::io::Errno::NOENT)
    );
    // A plain READABLE registration then works and reports it.
    Backend::register(&kq, inner.as_fd(), Interest::READABLE).expect("register");
    assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
    assert_eq!(events.iter().next().map(|event| event.fd()), Some(inner.fileno().expect("fd")));
    // A failed modify unregisters the descriptor, in the kernel and in the registry alike.
    let result = Backend::modify(&kq, inner.as_fd(), Interest::READABLE | Interest::WRITABLE);
    assert!(result.as_ref().err().and_then(Error::errno).is_some(), "{result:?}");
    assert_eq!(Backend::wait(&kq, &mut events, Some(Duration::ZERO)).expect("wait"), 0);
    assert_eq!(
        Backend::unregister(&kq, inner.as_fd()).err().and_then(|e| e.errno()),
        Some(rustix::io::Errno::NOENT)
    );
    Backend::register(&kq, inner.as_fd(), Interest::READABLE).expect("register again");
    assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
}

#[test]
fn control_iter_takes_any_number_of_changes() {
    let kq = Kqueue::new().expect("kqueue");
    let (a, b) = support::socketpair().expect("socketpair");
    let mut events = KqueueEvents::with_capacity(4);
    // More changes than fit the stack buffer; re-adding one filter is idempotent.
    let changes = (0..40).map(|_| KEvent::for_fd(&a));
    assert_eq!(kq.control_iter(changes, &mut events, Some(Duration::ZERO)).expect("add"), 0);
    support::write_all(&b, b"hi").expect("write");
    let n = kq.control_iter(std::iter::empty(), &mut events, Some(EVENTUALLY)).expect("wait");
    assert_eq!(n, 1);
    assert_eq!(events.as_slice()[0].data(), 2);
}

#[test]
fn eintr_is_retried_until_the_deadline() {
    let kq = Arc::new(Kqueue::new().expect("kqueue"));
    support::install_interrupt_handler();
    let before = support::signals_received();
    let timeout = Duration::from_millis(400);
    let waiter = {
        let kq = Arc::clone(&kq);
        std::thread::spawn(move || {
            let mut events = KqueueEvents::with_capacity(1);
            let start = Instant::now();
            let result = kq.control(&[], &mut events, Some(timeout));
            (result.map_err(|e| e.to_string()), start.elapsed())
        })
    };
    let interrupter = support::Interrupter::thread(&waiter, Duration::from_millis(20));
    while !waiter.is_finished() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let sent = interrupter.sent();
    drop(interrupter);
    let (result, elapsed) = waiter.join().expect("waiter thread");
    assert_eq!(result, Ok(0));
    assert!(elapsed >= timeout, "returned early after {elapsed:?}");
    assert!(sent > 0 && support::signals_received() > before, "no signal arrived");
}

// ---- the portable Backend -------------------------------------------------------------------

#[test]
fn backend_registration_errors_follow_the_contract() {
    let kq = <Kqueue as Backend>::new().expect("kqueue");
    let (a, _b) = support::socketpair().expect("socketpair");
    let enoent = Some(rustix::io::Errno::NOENT);
    assert_eq!(
        Backend::modify(&kq, a.as_fd(), Interest::READABLE).err().and_then(|e| e.errno()),
        enoent
    );
    assert_eq!(Backend::unregister(&kq, a.as_fd()).err().and_then(|e| e.errno()), enoent);
    Backend::register(&kq, a.as_fd(), Interest::READABLE).expect("register");
    assert_eq!(
        Backend::register(&kq, a.as_fd(), Interest::READABLE).err().and_then(|e| e.errno()),
        Some(rustix::io::Errno::EXIST)
    );
    assert!(matches!(
        Backend::register(&kq, a.as_fd(), Interest::PRIORITY),
        Err(Error::Unsupported { backend: "kqueue", .. })
    ));
    Backend::unregister(&kq, a.as_fd()).expect("unregister");
    let mut empty = KqueueEvents::with_capacity(0);
    assert!(matches!(
        Backend::wait(&kq, &mut empty, Some(Duration::ZERO)),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn backend_level_edge_and_oneshot() {
    let kq = Kqueue::new().expect("kqueue");
    let (a, b) = support::socketpair().expect("socketpair");
    let mut events = KqueueEvents::with_capacity(4);
    support::write_all(&b, b"data").expect("write");

    // Level: reported on every wait while data is waiting.
    Backend::register(&kq, a.as_fd(), Interest::READABLE).expect("register");
    for _ in 0..2 {
        assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
        let event = events.get(0).expect("one event");
        assert_eq!(event.fd(), a.as_raw_fd());
        assert!(event.readiness().contains(Readiness::READABLE));
    }

    // Edge: reported once, then not until new data arrives.
    Backend::modify(&kq, a.as_fd(), Interest::READABLE | Interest::EDGE).expect("modify");
    assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
    assert_eq!(Backend::wait(&kq, &mut events, Some(Duration::ZERO)).expect("wait"), 0);

    // Oneshot: reported once, re-armed by modify, and still unregisterable.
    Backend::modify(&kq, a.as_fd(), Interest::READABLE | Interest::ONESHOT).expect("modify");
    assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
    assert_eq!(Backend::wait(&kq, &mut events, Some(Duration::ZERO)).expect("wait"), 0);
    Backend::modify(&kq, a.as_fd(), Interest::READABLE | Interest::ONESHOT).expect("re-arm");
    assert_eq!(Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait"), 1);
    Backend::unregister(&kq, a.as_fd()).expect("unregister");
    assert_eq!(Backend::wait(&kq, &mut events, Some(Duration::ZERO)).expect("wait"), 0);
}

#[test]
fn backend_reports_hangup_as_eof() {
    let kq = Kqueue::new().expect("kqueue");
    let (a, b) = support::socketpair().expect("socketpair");
    Backend::register(&kq, a.as_fd(), Interest::READABLE | Interest::WRITABLE).expect("register");
    drop(b);
    let mut events = KqueueEvents::with_capacity(4);
    let n = Backend::wait(&kq, &mut events, Some(EVENTUALLY)).expect("wait");
    assert!(n >= 1);
    assert!(events.iter().any(|e| e.readiness().contains(Readiness::READABLE | Readiness::HANGUP)));
}

#[test]
fn capabilities_are_as_documented() {
    use select_core::Capabilities as C;
    let expected = C::LEVEL
        | C::EDGE
        | C::ONESHOT
        | C::KERNEL_OBJECT
        | C::CONCURRENT_WAITS
        | C::REJECTS_DUPLICATES
        | C::USER_EVENT;
    assert_eq!(Kqueue::CAPABILITIES, expected);
    assert_eq!(Kqueue::FD_LIMIT, None);
    assert_eq!(Kqueue::NAME, "kqueue");
}
