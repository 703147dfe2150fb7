//! The caller's interrupt hook ([`Backend::wait_interruptible`]): real signals, delivered
//! without `SA_RESTART`, interrupt a blocked wait; the hook is called after each `EINTR`;
//! `Break` ends the wait at once with [`Error::Interrupted`], and `Continue` keeps waiting the
//! whole remaining time.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use select_core::{Backend, Error, EventBuffer, Interest};

use crate::scenarios::{EVENTUALLY, new_backend, pair, register};
use crate::support;

/// How often the interrupter signals the waiting thread.
const SIGNAL_PERIOD: Duration = Duration::from_millis(5);

/// How soon a wait whose hook breaks must have returned: hundreds of signal periods, and half
/// the timeout of the finite wait that checks it.
const PROMPT: Duration = Duration::from_secs(3);

/// A blocked wait (no timeout, and a long one) interrupted by a signal calls the hook, and a
/// hook that breaks ends the wait with [`Error::Interrupted`] well before its timeout.
pub fn interrupt_hook_breaks<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, _b) = pair();
    register(&backend, &a, Interest::READABLE);
    // The finite wait comes first, so a backend that ignores the hook fails in seconds rather
    // than at the runner's deadline.
    for timeout in [Some(PROMPT * 2), None] {
        let received = support::signals_received();
        let interrupter = support::Interrupter::current(SIGNAL_PERIOD);
        let mut events = B::Events::with_capacity(8);
        let mut hooks = 0_usize;
        let started = Instant::now();
        let result = backend.wait_interruptible(&mut events, timeout, &mut || {
            hooks += 1;
            ControlFlow::Break(())
        });
        let elapsed = started.elapsed();
        drop(interrupter);
        assert!(
            matches!(result, Err(Error::Interrupted)),
            "{}: wait_interruptible({timeout:?}) whose hook breaks returned {result:?}",
            B::NAME
        );
        assert_eq!(hooks, 1, "{}: the hook runs once, then the wait stops", B::NAME);
        assert!(support::signals_received() > received, "{}: no signal arrived", B::NAME);
        assert!(
            elapsed < PROMPT,
            "{}: wait_interruptible({timeout:?}) stopped by its hook after {elapsed:?}",
            B::NAME
        );
        assert_eq!(events.len(), 0, "{}: an interrupted wait stores no event", B::NAME);
    }
}

/// A hook that continues keeps the wait going for the whole remaining time: under a signal
/// every 5 ms, a 300 ms wait calls the hook and returns nothing, never early, and within
/// seconds; a wait released by an event still reports it.
pub fn interrupt_hook_continues<B: Backend>() {
    let backend = new_backend::<B>();
    let (a, b) = pair();
    register(&backend, &a, Interest::READABLE);
    let timeout = Duration::from_millis(300);
    let interrupter = support::Interrupter::current(SIGNAL_PERIOD);
    let mut events = B::Events::with_capacity(8);
    let mut hooks = 0_usize;
    let started = Instant::now();
    let result = backend.wait_interruptible(&mut events, Some(timeout), &mut || {
        hooks += 1;
        ControlFlow::Continue(())
    });
    let elapsed = started.elapsed();
    assert!(matches!(result, Ok(0)), "{}: {result:?}", B::NAME);
    assert!(hooks > 0, "{}: no EINTR reached the hook in {elapsed:?}", B::NAME);
    assert!(elapsed >= timeout, "{}: returned early, after {elapsed:?}", B::NAME);
    assert!(elapsed < EVENTUALLY, "{}: returned late, after {elapsed:?}", B::NAME);

    // Ready descriptors are still reported through the hook's retries.
    support::write_all(&b, b"x").unwrap();
    let result = backend
        .wait_interruptible(&mut events, Some(EVENTUALLY), &mut || ControlFlow::Continue(()));
    drop(interrupter);
    assert!(matches!(result, Ok(1)), "{}: {result:?}", B::NAME);
}
