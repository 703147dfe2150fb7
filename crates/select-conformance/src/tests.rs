//! Tests of the suite itself: the support helpers, and a deliberately broken backend that
//! the suite must catch.

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use rustix::io::Errno;

use crate::support;

#[test]
fn interrupter_makes_a_blocked_poll_fail_with_eintr() {
    let (a, _b) = support::socketpair().unwrap();
    let received = support::signals_received();
    let _interrupter = support::Interrupter::current(Duration::from_millis(1));
    let started = Instant::now();
    let mut fds = [PollFd::new(&a, PollFlags::IN)];
    let timeout = rustix::event::Timespec { tv_sec: 5, tv_nsec: 0 };
    let result = rustix::event::poll(&mut fds, Some(&timeout));
    assert_eq!(result, Err(Errno::INTR), "SA_RESTART must be off");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(support::signals_received() > received);
}

#[test]
fn interrupter_targets_another_thread() {
    let (a, _b) = support::socketpair().unwrap();
    let waiter = std::thread::spawn(move || {
        let mut fds = [PollFd::new(&a, PollFlags::IN)];
        let timeout = rustix::event::Timespec { tv_sec: 10, tv_nsec: 0 };
        rustix::event::poll(&mut fds, Some(&timeout))
    });
    let interrupter = support::Interrupter::thread(&waiter, Duration::from_millis(2));
    while !waiter.is_finished() {
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(interrupter);
    assert_eq!(waiter.join().unwrap(), Err(Errno::INTR));
}

#[test]
fn socketpair_and_pipe_are_cloexec_and_nonblocking() {
    let (a, b) = support::socketpair().unwrap();
    let (r, w) = support::pipe().unwrap();
    for fd in [&a, &b, &r, &w] {
        assert!(support::is_cloexec(fd).unwrap());
        assert!(support::open_fds().contains(&fd.as_raw_fd()));
    }
    assert_eq!(support::drain(&a).unwrap(), 0, "an empty non-blocking read is EAGAIN");
    support::write_all(&b, b"xyz").unwrap();
    assert_eq!(support::drain(&a).unwrap(), 3);
    assert!(support::fill(&w).unwrap() > 0);
}

#[test]
fn closed_numbers_are_not_open() {
    // No process can open this many descriptors, so the number is closed in every thread.
    assert!(!support::is_open(std::os::fd::RawFd::MAX));
    // In a child process of its own no other test can reuse the number between the close and
    // the check, so the answer must change from open to closed.
    crate::run_isolated(module_path!(), "closed_numbers_are_not_open", || {
        let (a, b) = support::socketpair().unwrap();
        let number = a.as_raw_fd();
        assert!(support::is_open(number));
        drop(a);
        drop(b);
        assert!(!support::is_open(number), "fd {number} is still open after its close");
        let result = support::is_cloexec(support::borrow_raw(number));
        assert_eq!(result, Err(Errno::BADF));
    });
}

#[test]
fn fd_limit_is_raised_as_far_as_the_kernel_allows() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let before = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    let soft = support::raise_fd_limit().unwrap();
    let after = getrlimit(Resource::Nofile);
    assert_eq!(Some(soft), after.current, "the value returned is the limit in force");
    assert!(soft >= before, "the limit was lowered from {before} to {soft}");
    match after.maximum {
        // Stopping short of the hard limit is only right if the kernel refuses it.
        Some(hard) if soft < hard => {
            let result =
                setrlimit(Resource::Nofile, Rlimit { current: Some(hard), maximum: Some(hard) });
            assert_eq!(result, Err(Errno::INVAL), "{soft} is below the hard limit {hard}");
        }
        Some(hard) => assert_eq!(soft, hard),
        None => {}
    }
}

/// A wrapper that breaks a real backend in one chosen way, to show that the suite notices.
mod broken {
    use std::os::fd::{BorrowedFd, RawFd};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use select_core::{
        Backend, BackendKind, Capabilities, Checked, EventBuffer, EventList, Interest, Mechanism,
        Readiness, Result,
    };

    /// Which contract rule the wrapper breaks.
    pub(super) trait Fault: Send + Sync + std::fmt::Debug + 'static {
        /// Whether the first event ever reported is silently dropped.
        const DROP_FIRST_EVENT: bool = false;
        /// Whether `unregister` reports success without unregistering.
        const IGNORE_UNREGISTER: bool = false;
        /// Whether events carrying a hang-up are silently dropped.
        const HIDE_HANGUP: bool = false;
        /// Whether the wrapper declares [`Capabilities::EDGE`] and registers edge interests
        /// level-triggered.
        const EDGE_AS_LEVEL: bool = false;
    }

    /// Drops every event that carries [`Readiness::HANGUP`].
    #[derive(Debug)]
    pub(super) struct HideHangup;
    impl Fault for HideHangup {
        const HIDE_HANGUP: bool = true;
    }

    /// Accepts [`Interest::EDGE`] and ignores it.
    #[derive(Debug)]
    pub(super) struct EdgeAsLevel;
    impl Fault for EdgeAsLevel {
        const EDGE_AS_LEVEL: bool = true;
    }

    /// Drops the first event the wrapped backend reports.
    #[derive(Debug)]
    pub(super) struct DropFirstEvent;
    impl Fault for DropFirstEvent {
        const DROP_FIRST_EVENT: bool = true;
    }

    /// Answers `Ok` to `unregister` and keeps watching the descriptor.
    #[derive(Debug)]
    pub(super) struct IgnoreUnregister;
    impl Fault for IgnoreUnregister {
        const IGNORE_UNREGISTER: bool = true;
    }

    /// `B` with fault `F`.
    #[derive(Debug)]
    pub(super) struct Broken<B, F> {
        inner: B,
        dropped: AtomicBool,
        fault: std::marker::PhantomData<F>,
    }

    impl<B: Backend, F: Fault> Mechanism for Broken<B, F> {
        const KIND: BackendKind = B::KIND;
        const CAPABILITIES: Capabilities = if F::EDGE_AS_LEVEL {
            B::CAPABILITIES.union(Capabilities::EDGE)
        } else {
            B::CAPABILITIES
        };
        const FD_LIMIT: Option<usize> = B::FD_LIMIT;
        type Events = EventList;

        fn new() -> Result<Self> {
            Ok(Broken {
                inner: B::new()?,
                dropped: AtomicBool::new(false),
                fault: Default::default(),
            })
        }

        fn register_unchecked(
            &self,
            fd: BorrowedFd<'_>,
            interest: Interest,
            _: Checked,
        ) -> Result<()> {
            if F::EDGE_AS_LEVEL {
                return self.inner.register(fd, interest.difference(Interest::EDGE));
            }
            self.inner.register(fd, interest)
        }

        fn modify_unchecked(
            &self,
            fd: BorrowedFd<'_>,
            interest: Interest,
            _: Checked,
        ) -> Result<()> {
            self.inner.modify(fd, interest)
        }

        fn unregister_unchecked(&self, fd: BorrowedFd<'_>, _: Checked) -> Result<()> {
            if F::IGNORE_UNREGISTER {
                return Ok(());
            }
            self.inner.unregister(fd)
        }

        fn unregister_raw_unchecked(&self, fd: RawFd, _: Checked) -> Result<()> {
            if F::IGNORE_UNREGISTER {
                return Ok(());
            }
            self.inner.unregister_raw(fd)
        }

        fn wait_unchecked(
            &self,
            events: &mut EventList,
            timeout: Option<Duration>,
            on_interrupt: &mut dyn FnMut() -> std::ops::ControlFlow<()>,
            _: Checked,
        ) -> Result<usize> {
            let mut inner = B::Events::with_capacity(events.capacity());
            self.inner.wait_interruptible(&mut inner, timeout, on_interrupt)?;
            events.clear();
            for event in inner.iter() {
                if F::DROP_FIRST_EVENT && !self.dropped.swap(true, Ordering::Relaxed) {
                    continue;
                }
                if F::HIDE_HANGUP && event.readiness().contains(Readiness::HANGUP) {
                    continue;
                }
                events.push(event);
            }
            Ok(events.len())
        }

        fn close(&mut self) -> Result<()> {
            self.inner.close()
        }

        fn is_closed(&self) -> bool {
            self.inner.is_closed()
        }
    }
}

/// poll(2) posing as /dev/poll, to run the suite's `MaybeReportedInvalid` paths (the
/// devpoll row) on every host: poll keeps a closed descriptor's registration by number, as
/// /dev/poll does, and this wrapper hides poll's `POLLNVAL` reports, which /dev/poll may not
/// make. What poll reports for a reused number (the new object's readiness) is within what
/// the row leaves unspecified.
mod posing {
    use std::ops::ControlFlow;
    use std::os::fd::{BorrowedFd, RawFd};
    use std::time::Duration;

    use select_core::{
        Backend, BackendKind, Capabilities, Checked, EventBuffer, EventList, Interest, Mechanism,
        Readiness, Result,
    };
    use select_poll::Poll;

    #[derive(Debug)]
    pub(super) struct PosingAsDevPoll(Poll);

    impl Mechanism for PosingAsDevPoll {
        const KIND: BackendKind = BackendKind::DevPoll;
        const CAPABILITIES: Capabilities =
            <Poll as Backend>::CAPABILITIES.difference(Capabilities::REPORTS_INVALID);
        const FD_LIMIT: Option<usize> = <Poll as Backend>::FD_LIMIT;
        type Events = EventList;

        fn new() -> Result<Self> {
            Ok(PosingAsDevPoll(<Poll as Backend>::new()?))
        }

        fn register_unchecked(
            &self,
            fd: BorrowedFd<'_>,
            interest: Interest,
            _: Checked,
        ) -> Result<()> {
            Backend::register(&self.0, fd, interest)
        }

        fn modify_unchecked(
            &self,
            fd: BorrowedFd<'_>,
            interest: Interest,
            _: Checked,
        ) -> Result<()> {
            Backend::modify(&self.0, fd, interest)
        }

        fn unregister_unchecked(&self, fd: BorrowedFd<'_>, _: Checked) -> Result<()> {
            Backend::unregister(&self.0, fd)
        }

        fn unregister_raw_unchecked(&self, fd: RawFd, _: Checked) -> Result<()> {
            Backend::unregister_raw(&self.0, fd)
        }

        fn wait_unchecked(
            &self,
            events: &mut EventList,
            timeout: Option<Duration>,
            on_interrupt: &mut dyn FnMut() -> ControlFlow<()>,
            _: Checked,
        ) -> Result<usize> {
            let mut inner = <Poll as Backend>::Events::with_capacity(events.capacity());
            Backend::wait_interruptible(&self.0, &mut inner, timeout, on_interrupt)?;
            events.clear();
            for event in inner.iter() {
                if !event.readiness().contains(Readiness::INVALID) {
                    events.push(event);
                }
            }
            Ok(events.len())
        }

        fn close(&mut self) -> Result<()> {
            Backend::close(&mut self.0)
        }

        fn is_closed(&self) -> bool {
            Backend::is_closed(&self.0)
        }
    }
}

type DropsFirst = broken::Broken<select_poll::Poll, broken::DropFirstEvent>;
type IgnoresUnregister = broken::Broken<select_poll::Poll, broken::IgnoreUnregister>;
type HidesHangup = broken::Broken<select_poll::Poll, broken::HideHangup>;
type EdgeAsLevel = broken::Broken<select_poll::Poll, broken::EdgeAsLevel>;

/// The shrunk failing sequence of the model test on `B`, which must fail.
fn minimal_failure<B: select_core::Backend>(what: &str) -> Vec<crate::model::Op> {
    match crate::model::check::<B>(quick_config()) {
        Err(proptest::test_runner::TestError::Fail(_, ops)) => ops,
        Err(other) => panic!("{what}: expected a failing sequence, got {other}"),
        Ok(()) => panic!("the model test must catch {what}"),
    }
}

/// Whether `scenario` fails (panics).
fn fails(scenario: fn()) -> bool {
    std::panic::catch_unwind(scenario).is_err()
}

/// The model-test configuration for broken backends: few cases, nothing persisted (a broken
/// backend's failures are not regressions of a real one).
fn quick_config() -> proptest::test_runner::Config {
    proptest::test_runner::Config { cases: 64, ..crate::model::config(false) }
}

#[test]
fn the_real_backend_passes_what_the_broken_ones_fail() {
    crate::run_isolated(
        module_path!(),
        "the_real_backend_passes_what_the_broken_ones_fail",
        || {
            crate::scenarios::level_readiness::<select_poll::Poll>();
            crate::scenarios::unregistered_never_reported::<select_poll::Poll>();
            crate::model::check::<select_poll::Poll>(quick_config()).unwrap();
        },
    );
}

#[test]
fn the_devpoll_row_holds_for_a_backend_that_does_not_report_closed_descriptors() {
    use posing::PosingAsDevPoll;
    crate::run_isolated(
        module_path!(),
        "the_devpoll_row_holds_for_a_backend_that_does_not_report_closed_descriptors",
        || {
            assert_eq!(
                crate::expectations::expectation::<PosingAsDevPoll>().closed_while_registered,
                crate::expectations::ClosedWhileRegistered::MaybeReportedInvalid
            );
            crate::scenarios::closed_while_registered::<PosingAsDevPoll>();
            crate::scenarios::fd_number_reused::<PosingAsDevPoll>();
            crate::model::check::<PosingAsDevPoll>(quick_config()).unwrap();
        },
    );
}

#[test]
fn a_backend_dropping_its_first_event_is_caught() {
    crate::run_isolated(module_path!(), "a_backend_dropping_its_first_event_is_caught", || {
        assert!(fails(crate::scenarios::level_readiness::<DropsFirst>));
        assert!(fails(crate::scenarios::write_readiness::<DropsFirst>));
        let error = crate::model::check::<DropsFirst>(quick_config())
            .expect_err("the model test must catch a dropped event");
        let minimal = match error {
            proptest::test_runner::TestError::Fail(_, ops) => ops,
            other => panic!("expected a failing sequence, got {other}"),
        };
        // Shrinking leaves a registration (of a descriptor or of a `dup`), perhaps the write
        // that made it ready, and the wait that lost its event.
        // Shrinking stops at a local minimum, which may keep one repeated registration
        // (`[Register(0), Register(0), Write(0), Wait]` was seen once in 35 runs).
        assert!(minimal.len() <= 4, "not shrunk: {minimal:?}");
        assert!(
            minimal
                .iter()
                .any(|op| matches!(op, crate::model::Op::Register(..) | crate::model::Op::Dup(..))),
            "{minimal:?}"
        );
        assert!(
            matches!(
                minimal.last(),
                Some(
                    crate::model::Op::Wait
                        | crate::model::Op::WaitShort
                        | crate::model::Op::WaitSmall(..)
                )
            ),
            "the last step is the wait that lost its event: {minimal:?}"
        );
    });
}

#[test]
fn a_backend_ignoring_unregister_is_caught() {
    crate::run_isolated(module_path!(), "a_backend_ignoring_unregister_is_caught", || {
        assert!(fails(crate::scenarios::unregistered_never_reported::<IgnoresUnregister>));
        let error = crate::model::check::<IgnoresUnregister>(quick_config())
            .expect_err("the model test must catch an ignored unregister");
        assert!(matches!(error, proptest::test_runner::TestError::Fail(..)), "{error}");
    });
}

#[test]
fn a_backend_hiding_hang_ups_is_caught() {
    crate::run_isolated(module_path!(), "a_backend_hiding_hang_ups_is_caught", || {
        let minimal = minimal_failure::<HidesHangup>("hidden hang-ups");
        // Only a closed peer hangs up: closed alone, or with its descriptor while a dup
        // of that descriptor stays registered.
        assert!(
            minimal.iter().any(|op| matches!(
                op,
                crate::model::Op::ClosePeer(..) | crate::model::Op::CloseOriginal(..)
            )),
            "only a closed peer hangs up: {minimal:?}"
        );
    });
}

#[test]
fn a_backend_ignoring_edge_is_caught() {
    crate::run_isolated(module_path!(), "a_backend_ignoring_edge_is_caught", || {
        let minimal = minimal_failure::<EdgeAsLevel>("an edge registration reported as level");
        assert!(
            minimal.iter().any(|op| matches!(op, crate::model::Op::RegisterEdge(..))),
            "{minimal:?}"
        );
    });
}

#[test]
fn a_leaked_descriptor_is_caught() {
    crate::run_isolated(module_path!(), "a_leaked_descriptor_is_caught", || {
        let mut leaked = None;
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::runner::run_counted("leaky", || {
                let (reader, writer) = support::pipe().unwrap();
                drop(writer);
                leaked = Some(reader);
            });
        }));
        assert!(caught.is_err(), "the runner must report the descriptor left open");
        drop(leaked);
    });
}
