//! Unit tests and properties of the pure parts: timeout rounding, the retry loop, the flag
//! algebra, errors and event buffers.

use std::cell::Cell;
use std::io;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rustix::io::Errno;

use crate::timeout::{Granularity, WaitRule, keep_waiting, millis_i32, wait_with_retry};
use crate::{Capabilities, Error, Event, EventBuffer, EventList, Interest, Readiness};

const ALL_GRANULARITIES: [Granularity; 3] =
    [Granularity::Millis, Granularity::Micros, Granularity::Nanos];

#[test]
fn round_up_examples() {
    let ms = Granularity::Millis;
    assert_eq!(ms.round_up(Duration::from_nanos(1)), Duration::from_millis(1));
    assert_eq!(ms.round_up(Duration::from_micros(100)), Duration::from_millis(1));
    assert_eq!(ms.round_up(Duration::from_micros(1500)), Duration::from_millis(2));
    assert_eq!(ms.round_up(Duration::from_millis(7)), Duration::from_millis(7));
    assert_eq!(ms.round_up(Duration::ZERO), Duration::ZERO);
    assert_eq!(ms.round_up(Duration::new(1, 999_999_999)), Duration::from_secs(2));
    assert_eq!(Granularity::Micros.round_up(Duration::from_nanos(1)), Duration::from_micros(1));
    assert_eq!(Granularity::Micros.round_up(Duration::from_nanos(100)), Duration::from_micros(1));
    assert_eq!(Granularity::Nanos.round_up(Duration::from_nanos(3)), Duration::from_nanos(3));
    assert_eq!(ms.round_up(Duration::MAX), Duration::MAX);
}

#[test]
fn millis_i32_clamps_and_blocks() {
    assert_eq!(millis_i32(None), -1);
    assert_eq!(millis_i32(Some(Duration::ZERO)), 0);
    assert_eq!(millis_i32(Some(Duration::from_nanos(1))), 1);
    assert_eq!(millis_i32(Some(Duration::from_millis(i32::MAX as u64))), i32::MAX);
    assert_eq!(millis_i32(Some(Duration::from_millis(i32::MAX as u64 + 1))), i32::MAX);
    assert_eq!(millis_i32(Some(Duration::MAX)), i32::MAX);
}

#[test]
fn slice_is_clamped_to_the_longest_wait() {
    let rule = WaitRule::MILLIS_INT;
    assert_eq!(rule.slice(Duration::MAX), rule.longest);
    assert_eq!(rule.slice(Duration::from_secs(86_400 * 365)), rule.longest);
    assert_eq!(rule.slice(Duration::from_nanos(10)), Duration::from_millis(1));
}

proptest! {
    #[test]
    fn round_up_never_shortens_and_adds_less_than_a_unit(secs in any::<u64>(), nanos in 0u32..1_000_000_000) {
        let timeout = Duration::new(secs, nanos);
        for granularity in ALL_GRANULARITIES {
            let rounded = granularity.round_up(timeout);
            prop_assert!(rounded >= timeout);
            if rounded != Duration::MAX {
                prop_assert!(rounded - timeout < Duration::from_nanos(u64::from(granularity.nanos())));
                prop_assert_eq!(rounded.subsec_nanos() % granularity.nanos(), 0);
            }
        }
    }

    #[test]
    fn round_up_is_monotonic(a in any::<u64>(), b in any::<u64>()) {
        let (small, large) = (Duration::from_nanos(a.min(b)), Duration::from_nanos(a.max(b)));
        for granularity in ALL_GRANULARITIES {
            prop_assert!(granularity.round_up(small) <= granularity.round_up(large));
        }
    }

    #[test]
    fn slice_never_exceeds_longest_nor_shortens_below_it(secs in any::<u64>(), nanos in 0u32..1_000_000_000) {
        let remaining = Duration::new(secs, nanos);
        let rule = WaitRule::MILLIS_INT;
        let slice = rule.slice(remaining);
        prop_assert!(slice <= rule.longest);
        prop_assert!(slice >= remaining.min(rule.longest));
    }

    #[test]
    fn millis_i32_never_rounds_down(nanos in any::<u64>()) {
        let timeout = Duration::from_nanos(nanos);
        let millis = millis_i32(Some(timeout));
        prop_assert!(millis >= 0);
        if millis < i32::MAX {
            prop_assert!(Duration::from_millis(u64::try_from(millis).unwrap()) >= timeout);
        }
    }

    #[test]
    fn interest_algebra_holds(a in any::<u8>(), b in any::<u8>()) {
        let (a, b) = (Interest::from_bits_truncate(a), Interest::from_bits_truncate(b));
        prop_assert_eq!(a | b, b | a);
        prop_assert_eq!((a | b) & a, a);
        prop_assert_eq!(a - b, a & !b);
        prop_assert_eq!((a & Interest::CONDITIONS) | (a & Interest::MODES), a);
        // Asking for more never needs fewer capabilities (LEVEL aside, which EDGE replaces).
        let needed = (a | b).required_capabilities() - Capabilities::LEVEL;
        prop_assert!(needed.contains(a.required_capabilities() - Capabilities::LEVEL));
    }
}

#[test]
fn required_capabilities_follow_the_modes() {
    assert_eq!(Interest::READABLE.required_capabilities(), Capabilities::LEVEL);
    assert_eq!((Interest::READABLE | Interest::EDGE).required_capabilities(), Capabilities::EDGE);
    assert_eq!(
        (Interest::WRITABLE | Interest::ONESHOT | Interest::PRIORITY).required_capabilities(),
        Capabilities::LEVEL | Capabilities::ONESHOT | Capabilities::PRIORITY
    );
    assert_eq!(
        Interest::EXCLUSIVE.required_capabilities(),
        Capabilities::LEVEL | Capabilities::EXCLUSIVE
    );
}

/// [`wait_with_retry`] with the hook that always continues, its error reduced to the errno
/// (`None` for an error that is not an errno), so results compare with `assert_eq!`.
fn retry(
    timeout: Option<Duration>,
    call: impl FnMut(Option<Duration>) -> Result<usize, Errno>,
) -> Result<usize, Option<Errno>> {
    wait_with_retry(timeout, WaitRule::MILLIS_INT, &mut keep_waiting, call)
        .map_err(|error| error.errno())
}

#[test]
fn the_interrupt_hook_runs_once_per_eintr_and_break_ends_the_wait() {
    for timeout in [None, Some(Duration::ZERO), Some(Duration::from_secs(60))] {
        let (mut calls, mut hooks) = (0, 0);
        let start = Instant::now();
        let result = wait_with_retry(
            timeout,
            WaitRule::MILLIS_INT,
            &mut || {
                hooks += 1;
                if hooks < 3 { ControlFlow::Continue(()) } else { ControlFlow::Break(()) }
            },
            |_| {
                calls += 1;
                Err(Errno::INTR)
            },
        );
        if timeout == Some(Duration::ZERO) {
            // One call, one hook that continues: the deadline has passed, nothing is ready.
            assert!(matches!(result, Ok(0)), "{timeout:?}: {result:?}");
            assert_eq!((calls, hooks), (1, 1), "{timeout:?}");
        } else {
            assert!(matches!(result, Err(Error::Interrupted)), "{timeout:?}: {result:?}");
            assert_eq!((calls, hooks), (3, 3), "the hook runs after each EINTR: {timeout:?}");
            assert!(start.elapsed() < Duration::from_secs(30), "Break stops the wait at once");
        }
    }
}

#[test]
fn a_zero_timeout_wait_stopped_by_the_hook_fails_with_interrupted() {
    let mut hooks = 0;
    let result = wait_with_retry(
        Some(Duration::ZERO),
        WaitRule::MILLIS_INT,
        &mut || {
            hooks += 1;
            ControlFlow::Break(())
        },
        |_| Err(Errno::INTR),
    );
    assert!(matches!(result, Err(Error::Interrupted)), "{result:?}");
    assert_eq!(hooks, 1);
    let io = io::Error::from(Error::Interrupted);
    assert_eq!(io.kind(), io::ErrorKind::Interrupted);
    assert!(io.to_string().contains("interrupt hook stopped the wait"), "{io}");
}

#[test]
fn the_hook_is_not_called_without_eintr() {
    let mut hooks = 0;
    let mut on_interrupt = || {
        hooks += 1;
        ControlFlow::Break(())
    };
    let timeout = Some(Duration::from_millis(5));
    let results = [
        wait_with_retry(timeout, WaitRule::MILLIS_INT, &mut on_interrupt, |_| Ok(0)).ok(),
        wait_with_retry(None, WaitRule::MILLIS_INT, &mut on_interrupt, |_| Ok(2)).ok(),
        wait_with_retry(timeout, WaitRule::MILLIS_INT, &mut on_interrupt, |_| Err(Errno::BADF))
            .ok(),
    ];
    assert_eq!(results, [Some(0), Some(2), None]);
    assert_eq!(hooks, 0);
}

#[test]
fn a_continuing_hook_keeps_the_full_timeout() {
    let timeout = Duration::from_millis(30);
    let start = Instant::now();
    let mut hooks = 0;
    let result = wait_with_retry(
        Some(timeout),
        WaitRule::MILLIS_INT,
        &mut || {
            hooks += 1;
            ControlFlow::Continue(())
        },
        |_| {
            std::thread::sleep(Duration::from_millis(3));
            Err(Errno::INTR)
        },
    );
    assert!(matches!(result, Ok(0)), "{result:?}");
    assert!(start.elapsed() >= timeout, "never early: {:?}", start.elapsed());
    assert!(hooks >= 2, "{hooks}");
}

#[test]
fn retry_blocks_through_eintr_when_there_is_no_timeout() {
    let calls = Cell::new(0);
    let result = retry(None, |slice| {
        assert_eq!(slice, None);
        calls.set(calls.get() + 1);
        if calls.get() < 3 { Err(Errno::INTR) } else { Ok(2) }
    });
    assert_eq!(result, Ok(2));
    assert_eq!(calls.get(), 3);
}

#[test]
fn zero_timeout_makes_one_call_and_treats_eintr_as_a_timeout() {
    let calls = Cell::new(0);
    let result = retry(Some(Duration::ZERO), |slice| {
        assert_eq!(slice, Some(Duration::ZERO));
        calls.set(calls.get() + 1);
        Err(Errno::INTR)
    });
    assert_eq!((result, calls.get()), (Ok(0), 1));
}

#[test]
fn retry_recomputes_the_remaining_time_and_stops_at_the_deadline() {
    let timeout = Duration::from_millis(30);
    let start = Instant::now();
    let mut slices = Vec::new();
    let result = retry(Some(timeout), |slice: Option<Duration>| {
        let slice = slice.expect("a finite timeout gives finite slices");
        slices.push(slice);
        // Pretend a signal arrives after 5 ms of every wait.
        std::thread::sleep(Duration::from_millis(5));
        Err(Errno::INTR)
    });
    assert_eq!(result, Ok(0), "past the deadline, EINTR becomes an empty result");
    assert!(start.elapsed() >= timeout, "the wait never ends before its timeout");
    assert!(slices.len() >= 2, "EINTR was retried: {slices:?}");
    assert_eq!(slices[0], timeout);
    assert!(slices.windows(2).all(|w| w[1] < w[0]), "each retry waits for less: {slices:?}");
    assert!(slices.iter().all(|s| s.subsec_nanos() % 1_000_000 == 0), "whole ms: {slices:?}");
}

#[test]
fn an_early_empty_return_is_waited_again() {
    // A clamped slice that runs out (here: a call that returns at once) is re-waited until
    // the deadline, so a wait is never shortened.
    let timeout = Duration::from_millis(20);
    let start = Instant::now();
    let calls = Cell::new(0);
    let result = retry(Some(timeout), |_| {
        calls.set(calls.get() + 1);
        Ok(0)
    });
    assert_eq!(result, Ok(0));
    assert!(start.elapsed() >= timeout);
    assert!(calls.get() > 1);
}

#[test]
fn errors_other_than_eintr_and_events_end_the_wait() {
    let result = retry(Some(Duration::from_secs(5)), |_| Err(Errno::BADF));
    assert_eq!(result, Err(Some(Errno::BADF)));
    let result = retry(Some(Duration::from_secs(5)), |_| Ok(4));
    assert_eq!(result, Ok(4));
}

#[test]
fn errors_name_the_offending_value_and_map_to_io_errors() {
    let error = Error::InvalidArgument { name: "maxevents", expected: "greater than 0", value: -2 };
    assert_eq!(error.to_string(), "maxevents must be greater than 0, got -2");
    assert_eq!(io::Error::from(error).kind(), io::ErrorKind::InvalidInput);

    let error = Error::FdOutOfRange { fd: 1024, limit: 1024 };
    assert!(error.to_string().contains("1024"));
    assert!(error.to_string().starts_with("filedescriptor out of range in select()"));

    assert_eq!(
        Error::Closed { object: "epoll" }.to_string(),
        "I/O operation on closed epoll object"
    );
    assert_eq!(
        Error::ConcurrentWait { object: "poll" }.to_string(),
        "concurrent poll() invocation"
    );

    let not_registered = io::Error::from(Error::NotRegistered { fd: 4999 });
    assert_eq!(not_registered.kind(), io::ErrorKind::NotFound);
    assert!(not_registered.to_string().contains("4999"));

    let os = io::Error::from(Error::Os(Errno::NOENT));
    assert_eq!(os.raw_os_error(), Some(Errno::NOENT.raw_os_error()));
    assert_eq!(Error::Os(Errno::EXIST).errno(), Some(Errno::EXIST));
    assert_eq!(
        io::Error::from(Error::ConcurrentWait { object: "poll" }).kind(),
        io::ErrorKind::ResourceBusy
    );
}

#[test]
fn negative_descriptors_are_named_in_the_error() {
    assert!(crate::check_fd(0).is_ok());
    let error = crate::check_fd(-5).unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { name: "fd", value: -5, .. }), "{error:?}");
    assert!(error.to_string().contains("-5"), "{error}");
}

#[test]
fn event_list_is_bounded_and_reusable() {
    let mut list = EventList::with_capacity(2);
    assert_eq!((list.capacity(), list.len(), list.is_empty()), (2, 0, true));
    assert!(list.push(Event::new(3, Readiness::READABLE)));
    assert!(list.push(Event::new(4, Readiness::WRITABLE | Readiness::HANGUP)));
    assert!(!list.push(Event::new(5, Readiness::READABLE)), "a full list refuses");
    assert!(list.is_full());
    let fds: Vec<_> = list.iter().map(|e| e.fd()).collect();
    assert_eq!(fds, [3, 4]);
    assert_eq!(list.iter().len(), 2);
    let second = list.get(1).unwrap();
    assert!(second.is_readable() && second.is_writable());
    list.clear();
    assert!(list.is_empty() && list.capacity() == 2 && list.get(0).is_none());
}

#[test]
fn readiness_rule_is_python_s_selectors_rule() {
    // selectors.py: `if event & ~POLLIN: events |= EVENT_WRITE` and `if event & ~POLLOUT:
    // events |= EVENT_READ`, except that urgent data and a read hang-up say nothing about
    // the writing side.
    let table = [
        (Readiness::READABLE, true, false),
        (Readiness::WRITABLE, false, true),
        (Readiness::ERROR, true, true),
        (Readiness::HANGUP, true, true),
        (Readiness::INVALID, true, true),
        (Readiness::PRIORITY, true, false),
        (Readiness::READ_HANGUP, true, false),
        (Readiness::empty(), false, false),
    ];
    for (readiness, readable, writable) in table {
        assert_eq!(readiness.is_readable(), readable, "{readiness:?}");
        assert_eq!(readiness.is_writable(), writable, "{readiness:?}");
        let event = Event::new(3, readiness);
        assert_eq!((event.is_readable(), event.is_writable()), (readable, writable));
    }
    // Every bit is covered by the table above.
    let covered = table.iter().fold(Readiness::empty(), |all, row| all | row.0);
    assert_eq!(covered, Readiness::all());
}

#[test]
fn a_cloned_event_list_keeps_its_reserved_capacity() {
    let mut events = EventList::with_capacity(64);
    assert!(events.push(Event::new(3, Readiness::READABLE)));
    let mut copy = events.clone();
    assert_eq!(copy.as_slice(), events.as_slice());
    assert_eq!(copy.capacity(), 64);
    // Filling the copy up to its capacity must not grow (reallocate) its storage.
    let before = copy.as_slice().as_ptr();
    while copy.push(Event::new(4, Readiness::WRITABLE)) {}
    assert_eq!(copy.len(), 64);
    assert_eq!(copy.as_slice().as_ptr(), before, "the clone reallocated while filling");
}

#[test]
fn event_lists_too_large_to_allocate_are_errors_naming_the_capacity() {
    for huge in [usize::MAX, usize::MAX / 2, 1 << 62] {
        match EventList::try_with_capacity(huge) {
            Err(error @ Error::OutOfMemory { value, .. }) => {
                assert_eq!(value, huge);
                assert!(error.to_string().contains(&huge.to_string()), "{error}");
                assert_eq!(io::Error::from(error).kind(), io::ErrorKind::OutOfMemory);
            }
            other => panic!("{huge}: {other:?}"),
        }
    }
    let result = std::panic::catch_unwind(|| EventList::with_capacity(usize::MAX));
    let message = result.expect_err("with_capacity panics where try_with_capacity fails");
    let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains(&usize::MAX.to_string()), "{message}");
}

#[test]
fn allocate_events_refuses_a_capacity_past_the_mechanism_limit_without_truncating() {
    let max = usize::try_from(i32::MAX).unwrap();
    match crate::allocate_events("maxevents", (1 << 32) + 7, 0_u8, max, "a C int") {
        Err(error @ Error::Overflow { value, .. }) => {
            assert_eq!(value, (1 << 32) + 7);
            assert!(error.to_string().contains("4294967303"), "{error}");
        }
        other => panic!("{:?}", other.map(|records| records.len())),
    }
    // The limit itself is accepted (shown on a small one: INT_MAX records would take 2 GiB).
    let records = crate::allocate_events("maxevents", 5, 0_u8, 5, "5").map(|r| r.len());
    assert_eq!(records.ok(), Some(5));
}

#[test]
fn backend_kinds_display_python_names() {
    use crate::BackendKind;
    let kinds = [
        (BackendKind::Select, "select"),
        (BackendKind::Poll, "poll"),
        (BackendKind::Epoll, "epoll"),
        (BackendKind::Kqueue, "kqueue"),
        (BackendKind::DevPoll, "devpoll"),
    ];
    for (kind, name) in kinds {
        assert_eq!(kind.name(), name);
        assert_eq!(kind.to_string(), name);
    }
}

/// A [`Mechanism`](crate::Mechanism) without system calls, generic over what it declares, that
/// answers every unchecked call with a value the checked path must not let through when the
/// capability is missing, and counts how often its work was reached.
mod fake {
    use std::ops::ControlFlow;
    use std::os::fd::{AsFd, BorrowedFd, RawFd};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::Duration;

    use crate::{
        BackendKind, Capabilities, Checked, EventList, Interest, Mechanism, Result, UserEvent,
        UserTrigger,
    };

    /// A descriptor to hand out without a system call: standard input, borrowed for ever.
    pub(super) static STDIN: std::sync::LazyLock<std::io::Stdin> =
        std::sync::LazyLock::new(std::io::stdin);

    #[derive(Debug)]
    pub(super) struct Trigger;
    impl AsFd for Trigger {
        fn as_fd(&self) -> BorrowedFd<'_> {
            STDIN.as_fd()
        }
    }
    impl UserTrigger for Trigger {
        fn trigger(&self) -> Result<()> {
            Ok(())
        }
    }

    #[derive(Debug)]
    pub(super) struct Fake<const CAPS: u16> {
        pub(super) closed: AtomicBool,
        pub(super) reached: AtomicUsize,
    }

    impl<const CAPS: u16> Fake<CAPS> {
        fn work(&self) {
            self.reached.fetch_add(1, Ordering::Relaxed);
        }
    }

    impl<const CAPS: u16> Mechanism for Fake<CAPS> {
        const KIND: BackendKind = BackendKind::Poll;
        const CAPABILITIES: Capabilities = Capabilities::from_bits_retain(CAPS);
        const FD_LIMIT: Option<usize> = Some(8);
        type Events = EventList;

        fn new() -> Result<Self> {
            Ok(Fake { closed: AtomicBool::new(false), reached: AtomicUsize::new(0) })
        }
        fn is_closed(&self) -> bool {
            self.closed.load(Ordering::Relaxed)
        }
        fn close(&mut self) -> Result<()> {
            self.work();
            self.closed.store(true, Ordering::Relaxed);
            Ok(())
        }
        fn register_unchecked(&self, _: BorrowedFd<'_>, _: Interest, _: Checked) -> Result<()> {
            self.work();
            Ok(())
        }
        fn modify_unchecked(&self, _: BorrowedFd<'_>, _: Interest, _: Checked) -> Result<()> {
            self.work();
            Ok(())
        }
        fn unregister_raw_unchecked(&self, _: RawFd, _: Checked) -> Result<()> {
            self.work();
            Ok(())
        }
        fn wait_unchecked(
            &self,
            _: &mut EventList,
            _: Option<Duration>,
            _: &mut dyn FnMut() -> ControlFlow<()>,
            _: Checked,
        ) -> Result<usize> {
            self.work();
            Ok(0)
        }
        fn user_event_unchecked(&self, _: Checked) -> Result<Option<UserEvent>> {
            self.work();
            Ok(Some(UserEvent::new(7, Box::new(Trigger))))
        }
        fn kernel_fd_unchecked(&self, _: Checked) -> Option<BorrowedFd<'_>> {
            self.work();
            Some(STDIN.as_fd())
        }
    }
}

#[test]
fn the_checked_path_answers_for_capabilities_a_mechanism_lacks() {
    use std::sync::atomic::Ordering;

    use crate::Backend;
    const NONE: u16 = Capabilities::LEVEL.bits();
    const BOTH: u16 = Capabilities::LEVEL
        .union(Capabilities::USER_EVENT)
        .union(Capabilities::KERNEL_OBJECT)
        .bits();
    let lacking = <fake::Fake<NONE> as Backend>::new().unwrap();
    assert!(lacking.user_event().unwrap().is_none());
    assert!(lacking.kernel_fd().unwrap().is_none());
    assert_eq!(lacking.reached.load(Ordering::Relaxed), 0, "the mechanism was reached");
    let having = <fake::Fake<BOTH> as Backend>::new().unwrap();
    assert_eq!(having.user_event().unwrap().map(|event| event.token()), Some(7));
    assert!(having.kernel_fd().unwrap().is_some());
    assert_eq!(having.reached.load(Ordering::Relaxed), 2);
}

#[test]
fn the_checked_path_runs_closed_then_arguments_then_the_mechanism() {
    use std::os::fd::AsFd;
    use std::sync::atomic::Ordering;

    use crate::Backend;
    const LEVEL: u16 = Capabilities::LEVEL.bits();
    let mut backend = <fake::Fake<LEVEL> as Backend>::new().unwrap();
    let fd = fake::STDIN.as_fd();
    let unknown = Interest::from_bits_retain(0x40);
    let mut empty = EventList::with_capacity(0);
    let mut one = EventList::with_capacity(1);
    // Open: each bad argument is named, and the mechanism is not reached.
    assert!(matches!(
        backend.register(fd, unknown),
        Err(Error::InvalidArgument { value: 0x40, .. })
    ));
    assert!(matches!(backend.modify(fd, Interest::EDGE), Err(Error::Unsupported { .. })));
    assert!(matches!(backend.unregister_raw(-3), Err(Error::InvalidArgument { value: -3, .. })));
    assert!(matches!(backend.wait(&mut empty, None), Err(Error::InvalidArgument { value: 0, .. })));
    assert_eq!(backend.reached.load(Ordering::Relaxed), 0);
    // Good arguments reach it.
    backend.register(fd, Interest::empty()).unwrap();
    backend.modify(fd, Interest::READABLE).unwrap();
    backend.unregister(fd).unwrap();
    backend.unregister_raw(0).unwrap();
    assert_eq!(backend.wait(&mut one, Some(Duration::ZERO)).unwrap(), 0);
    assert_eq!(backend.reached.load(Ordering::Relaxed), 5);
    // Closed: every call is Closed before any argument check, and nothing is reached; a
    // second close succeeds without reaching the mechanism.
    backend.close().unwrap();
    assert_eq!(backend.reached.load(Ordering::Relaxed), 6);
    let closed =
        |result: crate::Result<()>| matches!(result, Err(Error::Closed { object: "poll" }));
    assert!(closed(backend.register(fd, unknown)));
    assert!(closed(backend.modify(fd, Interest::EDGE)));
    assert!(closed(backend.unregister(fd)));
    assert!(closed(backend.unregister_raw(-3)));
    assert!(closed(backend.wait(&mut empty, None).map(drop)));
    assert!(closed(backend.user_event().map(drop)));
    assert!(closed(backend.kernel_fd().map(drop)));
    backend.close().unwrap();
    assert_eq!(backend.reached.load(Ordering::Relaxed), 6);
}

#[test]
fn a_longer_test_clamp_never_lengthens_a_slice() {
    let longest = WaitRule::MILLIS_INT.longest;
    let long = Duration::from_secs(u64::MAX / 4);
    let slice =
        crate::timeout::with_longest_slice(longest * 2, || WaitRule::MILLIS_INT.slice(long));
    assert_eq!(slice, longest);
    let slice = crate::timeout::with_longest_slice(Duration::from_millis(5), || {
        WaitRule::MILLIS_INT.slice(long)
    });
    assert_eq!(slice, Duration::from_millis(5));
    assert_eq!(WaitRule::MILLIS_INT.slice(long), longest, "the test clamp is restored");
}
