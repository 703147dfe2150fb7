//! One ready descriptor ([`Event`]) and the reusable buffers a wait fills ([`EventBuffer`]).

use std::fmt;
use std::os::fd::RawFd;

use crate::Readiness;

/// One descriptor a wait found ready, and how.
///
/// Python: one `(fd, eventmask)` tuple of `poll.poll()`/`epoll.poll()`, with the mask made
/// portable.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    fd: RawFd,
    readiness: Readiness,
}

impl Event {
    /// An event for `fd` with `readiness`.
    #[must_use]
    pub const fn new(fd: RawFd, readiness: Readiness) -> Event {
        Event { fd, readiness }
    }

    /// The registered descriptor number.
    #[must_use]
    pub const fn fd(&self) -> RawFd {
        self.fd
    }

    /// What the wait reported.
    #[must_use]
    pub const fn readiness(&self) -> Readiness {
        self.readiness
    }

    /// Whether a read would not block: [`Readiness::is_readable`], Python's rule.
    #[must_use]
    pub const fn is_readable(&self) -> bool {
        self.readiness.is_readable()
    }

    /// Whether a write would not block: [`Readiness::is_writable`], Python's rule.
    #[must_use]
    pub const fn is_writable(&self) -> bool {
        self.readiness.is_writable()
    }
}

/// A caller-owned, reusable buffer that a [`Backend::wait`](crate::Backend::wait) fills.
///
/// Each backend stores events in its kernel's own record type (an `epoll_event` array, a
/// `kevent` array), so a wait copies nothing and allocates nothing: the buffer's capacity,
/// fixed at creation, is the most events one wait returns (epoll's `maxevents`). A wait
/// replaces the previous contents.
pub trait EventBuffer: fmt::Debug + Send + Sync {
    /// What the capacity is called in errors: Python's name for it where Python has one
    /// (epoll's `maxevents`).
    const CAPACITY_NAME: &'static str = "event buffer capacity";

    /// A buffer that holds at most `capacity` events. Allocates once, here.
    ///
    /// A capacity of zero is accepted, and every wait into such a buffer fails with
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming it.
    fn with_capacity(capacity: usize) -> Self
    where
        Self: Sized;

    /// The most events one wait stores.
    fn capacity(&self) -> usize;

    /// How many events the last wait stored.
    fn len(&self) -> usize;

    /// Whether the last wait stored no event.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets the stored events, keeping the allocation.
    fn clear(&mut self);

    /// The event at `index`, translated to the portable form, or `None` past the end.
    fn get(&self, index: usize) -> Option<Event>;

    /// The stored events, in the order the kernel reported them.
    fn iter(&self) -> EventIter<'_, Self>
    where
        Self: Sized,
    {
        EventIter { buffer: self, index: 0 }
    }
}

/// The iterator of [`EventBuffer::iter`].
#[derive(Debug)]
pub struct EventIter<'a, B> {
    buffer: &'a B,
    index: usize,
}

impl<B: EventBuffer> Iterator for EventIter<'_, B> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        let event = self.buffer.get(self.index)?;
        self.index += 1;
        Some(event)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.buffer.len().saturating_sub(self.index);
        (left, Some(left))
    }
}

impl<B: EventBuffer> ExactSizeIterator for EventIter<'_, B> {}

/// An [`EventBuffer`] of portable [`Event`]s, for backends whose kernel call does not write
/// event records of its own (poll(2), select(2), /dev/poll write into the registration array).
#[derive(Clone, Debug, Default)]
pub struct EventList {
    events: Vec<Event>,
    capacity: usize,
}

impl EventList {
    /// Appends `event` if there is room, and returns whether there was.
    ///
    /// Never allocates: the vector was given its full capacity at creation.
    pub fn push(&mut self, event: Event) -> bool {
        if self.events.len() < self.capacity {
            self.events.push(event);
            true
        } else {
            false
        }
    }

    /// Whether the buffer holds `capacity` events.
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.events.len() >= self.capacity
    }

    /// The stored events as a slice.
    #[must_use]
    pub fn as_slice(&self) -> &[Event] {
        &self.events
    }
}

impl EventBuffer for EventList {
    fn with_capacity(capacity: usize) -> EventList {
        EventList { events: Vec::with_capacity(capacity), capacity }
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn len(&self) -> usize {
        self.events.len()
    }

    fn clear(&mut self) {
        self.events.clear();
    }

    fn get(&self, index: usize) -> Option<Event> {
        self.events.get(index).copied()
    }
}
