//! The Selector merges the events a backend reports apart for one descriptor into one result,
//! as kqueue does (`EVFILT_READ` and `EVFILT_WRITE` come as two records). No backend that runs
//! on Linux splits its events, so a stand-in over poll(2) does it here.

use std::io::Write;
use std::ops::ControlFlow;
use std::os::fd::{BorrowedFd, RawFd};
use std::time::Duration;

use select::backends::Poll;
use select::{Backend, Event, EventBuffer, EventList, Interest, Readiness, Ready, Selector};
use select_core::{BackendKind, Capabilities, Checked, Mechanism, Result};

use crate::support::{self, EVENTUALLY, socketpair};

/// poll(2) reporting each descriptor's reading and writing readiness as two events, the
/// writing one first, as a kqueue may.
#[derive(Debug)]
struct SplitsEvents(Poll);

impl Mechanism for SplitsEvents {
    const KIND: BackendKind = BackendKind::Kqueue;
    const CAPABILITIES: Capabilities = <Poll as Backend>::CAPABILITIES;
    const FD_LIMIT: Option<usize> = <Poll as Backend>::FD_LIMIT;
    type Events = EventList;

    fn new() -> Result<Self> {
        Ok(SplitsEvents(<Poll as Backend>::new()?))
    }

    fn register_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        Backend::register(&self.0, fd, interest)
    }

    fn modify_unchecked(&self, fd: BorrowedFd<'_>, interest: Interest, _: Checked) -> Result<()> {
        Backend::modify(&self.0, fd, interest)
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
            let writing = event.readiness() & Readiness::WRITABLE;
            let rest = event.readiness() - Readiness::WRITABLE;
            for part in [writing, rest] {
                if !part.is_empty() {
                    events.push(Event::new(event.fd(), part));
                }
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

#[test]
fn events_reported_apart_for_one_descriptor_are_merged_into_one_result() {
    let _fds = support::shared();
    let (a, mut b) = socketpair();
    b.write_all(b"x").unwrap();
    let mut selector: Selector<SplitsEvents, &str> = Selector::with_new_backend().unwrap();
    selector.register(&a, Interest::READABLE | Interest::WRITABLE, "a").unwrap();
    let mut ready = Ready::new();
    assert_eq!(selector.select(&mut ready, Some(EVENTUALLY)).unwrap(), 1, "{ready:?}");
    let event = ready.iter().next().unwrap();
    assert_eq!(event.readiness(), Readiness::READABLE | Readiness::WRITABLE, "{event:?}");
    assert!(event.is_readable() && event.is_writable());
    assert_eq!(selector.key_of(event).map(|key| *key.data()), Some("a"));
}
