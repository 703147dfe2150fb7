//! One ready descriptor ([`Event`]) and the reusable buffers a wait fills ([`EventBuffer`]).

use crate::platform::RawFd;
use std::fmt;

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

    /// The largest capacity the mechanism can take in one wait: `INT_MAX` for the calls
    /// whose event count is a C `int` (epoll's `maxevents`, kqueue's `nevents`).
    const MAX_CAPACITY: usize = usize::MAX;

    /// A buffer that holds at most `capacity` events. Allocates once, here.
    ///
    /// A capacity of zero is accepted, and every wait into such a buffer fails with
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming it.
    ///
    /// Python: `maxevents` of `epoll.poll` and `kqueue.control`.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`](crate::Error::Overflow) naming a capacity above
    /// [`MAX_CAPACITY`](EventBuffer::MAX_CAPACITY), never truncated;
    /// [`Error::OutOfMemory`](crate::Error::OutOfMemory) naming it when the allocation fails
    /// (never an abort). Implementations allocate through [`allocate_events`].
    fn try_with_capacity(capacity: usize) -> crate::Result<Self>
    where
        Self: Sized;

    /// [`try_with_capacity`](EventBuffer::try_with_capacity) for a capacity known to be
    /// reasonable, as [`Vec::with_capacity`] is for [`Vec::try_reserve_exact`].
    ///
    /// # Panics
    ///
    /// With the error of `try_with_capacity`, naming the capacity, if it fails. Use
    /// `try_with_capacity` for a capacity that comes from outside the program.
    #[must_use]
    fn with_capacity(capacity: usize) -> Self
    where
        Self: Sized,
    {
        Self::try_with_capacity(capacity).unwrap_or_else(|error| panic!("{error}"))
    }

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

/// A vector of `capacity` copies of `fill`, for an [`EventBuffer`]'s storage: the one place
/// every buffer allocates, so a capacity the buffer cannot take is an error naming it, never
/// a truncation, a panic or an abort.
///
/// # Errors
///
/// [`Error::Overflow`](crate::Error::Overflow) naming `name` and `capacity` when it exceeds
/// `max` (`max_words` says what `max` is: `"a C int (2147483647)"`);
/// [`Error::OutOfMemory`](crate::Error::OutOfMemory) when the allocation fails.
///
/// # Examples
///
/// ```
/// use select_core::{Error, allocate_events};
///
/// let records = allocate_events("maxevents", 4, 0_u64, i32::MAX as usize, "a C int")?;
/// assert_eq!(records.len(), 4);
/// let too_big = allocate_events("maxevents", 1 << 32, 0_u64, i32::MAX as usize, "a C int");
/// assert!(matches!(too_big, Err(Error::Overflow { value: 4294967296, .. })));
/// let huge = allocate_events("maxevents", usize::MAX / 2, 0_u64, usize::MAX, "usize");
/// assert!(matches!(huge, Err(Error::OutOfMemory { .. })));
/// # Ok::<(), select_core::Error>(())
/// ```
pub fn allocate_events<T: Clone>(
    name: &'static str,
    capacity: usize,
    fill: T,
    max: usize,
    max_words: &'static str,
) -> crate::Result<Vec<T>> {
    if capacity > max {
        return Err(crate::Error::Overflow { name, value: capacity as u128, limit: max_words });
    }
    let mut records = Vec::new();
    records
        .try_reserve_exact(capacity)
        .map_err(|_| crate::Error::OutOfMemory { name, value: capacity })?;
    records.resize(capacity, fill);
    Ok(records)
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
///
/// A clone keeps the full capacity reserved, so a wait into it does not allocate either.
/// There is no `Default`: a buffer without capacity is one every wait rejects, and a default
/// capacity would hide an allocation.
///
/// ```compile_fail
/// let events = select_core::EventList::default();
/// ```
#[derive(Debug)]
pub struct EventList {
    events: Vec<Event>,
    capacity: usize,
}

impl EventList {
    /// Appends `event` if there is room, and returns whether there was.
    ///
    /// Never allocates: the vector was given its full capacity at creation.
    #[inline]
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

impl Clone for EventList {
    /// A copy with the same events and the same capacity reserved (a derived `clone` would
    /// reserve only the events' length, so the next wait into the copy would allocate).
    fn clone(&self) -> EventList {
        let mut events = Vec::with_capacity(self.capacity);
        events.extend_from_slice(&self.events);
        EventList { events, capacity: self.capacity }
    }
}

impl EventBuffer for EventList {
    fn try_with_capacity(capacity: usize) -> crate::Result<EventList> {
        let mut events = Vec::new();
        events.try_reserve_exact(capacity).map_err(|_| crate::Error::OutOfMemory {
            name: Self::CAPACITY_NAME,
            value: capacity,
        })?;
        Ok(EventList { events, capacity })
    }

    #[inline]
    fn capacity(&self) -> usize {
        self.capacity
    }

    #[inline]
    fn len(&self) -> usize {
        self.events.len()
    }

    #[inline]
    fn clear(&mut self) {
        self.events.clear();
    }

    #[inline]
    fn get(&self, index: usize) -> Option<Event> {
        self.events.get(index).copied()
    }
}
