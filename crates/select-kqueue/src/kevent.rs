//! [`KEvent`], one `struct kevent` (Python's `select.kevent`), and [`KqueueEvents`], the
//! reusable buffer of them that a wait fills.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::os::fd::AsFd;
use std::os::fd::AsRawFd;

use select_core::{Error, Event, EventBuffer, Result};

use crate::consts::{Filter, FilterFlags, Flags, KQ_EV_ADD, KQ_FILTER_READ};
use crate::conv;
use crate::sys::Record;

/// One kevent record: a change to apply or an event the kernel returned — Python's
/// `select.kevent`.
///
/// It is `repr(transparent)` over the target's `struct kevent`, so a `&[KEvent]` is passed
/// to `kevent(2)` as it is, with no copy and no allocation. The fields keep each system's
/// types ([`Filter`], [`Flags`], [`FilterFlags`]); `data` is read and written as `i64`, the
/// type Python gives it (`long long`), whatever the native width.
///
/// [`KEvent::new`] gives Python's defaults: filter [`KQ_FILTER_READ`], flags [`KQ_EV_ADD`],
/// `fflags`, `data` and `udata` zero.
///
/// # Equality and order
///
/// Two records are equal when the six fields `(ident, filter, flags, fflags, data, udata)`
/// are (FreeBSD's `ext` words are ignored, as Python ignores them), and [`Ord`] compares
/// that tuple lexicographically, each field in its own type: `filter` is signed (so
/// `KQ_FILTER_READ`, −1, sorts below 0) except on NetBSD, `data` is signed, and `udata` is
/// **unsigned**, as its C type `uintptr_t` is and as [`udata`](KEvent::udata) returns it.
/// CPython instead compares `udata` as a signed `intptr_t`, so values at or
/// above 2⁶³ sort below small ones there; [`KEvent::cmp_python`] reproduces that order for
/// code that must match CPython exactly. `Hash` agrees with `Eq` (CPython's kevent is
/// unhashable only because it defines comparison without a hash).
///
/// `Debug` prints Python's repr: `<select.kevent ident=3 filter=-1 flags=0x1 fflags=0x0
/// data=0x0 udata=0x0>`.
///
/// Python: `select.kevent(ident, filter=KQ_FILTER_READ, flags=KQ_EV_ADD, fflags=0, data=0,
/// udata=0)`.
///
/// # Examples
///
/// ```
/// use select_kqueue::{KEvent, KQ_EV_ADD, KQ_EV_ONESHOT, KQ_FILTER_READ, KQ_FILTER_WRITE};
///
/// let (reader, _writer) = rustix::pipe::pipe()?;
/// let read = KEvent::for_fd(&reader); // select.kevent(reader): Python's defaults
/// assert_eq!((read.filter(), read.flags()), (KQ_FILTER_READ, KQ_EV_ADD));
/// let write = read.with_filter(KQ_FILTER_WRITE).with_flags(KQ_EV_ADD | KQ_EV_ONESHOT).with_udata(7);
/// assert_eq!(write.ident(), read.ident());
/// assert_ne!(read, write);
/// assert!(format!("{read:?}").starts_with("<select.kevent ident=")); // Python's repr
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # References
///  - [Apple]
///  - [FreeBSD]
///  - [NetBSD]
///  - [OpenBSD]
///  - [DragonFly BSD]
///
/// [Apple]: https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/kevent.2.html
/// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=kevent&sektion=2
/// [NetBSD]: https://man.netbsd.org/kevent.2
/// [OpenBSD]: https://man.openbsd.org/kevent.2
/// [DragonFly BSD]: https://man.dragonflybsd.org/?command=kevent&section=2
#[repr(transparent)]
#[derive(Copy, Clone)]
pub struct KEvent(Record);

impl KEvent {
    /// A record for `ident` with Python's defaults: filter [`KQ_FILTER_READ`], flags
    /// [`KQ_EV_ADD`], `fflags`, `data` and `udata` zero.
    ///
    /// Python: `select.kevent(ident)`.
    #[must_use]
    pub fn new(ident: usize) -> KEvent {
        let mut record = Record::zeroed();
        record.0.ident = ident;
        record.0.filter = KQ_FILTER_READ;
        record.0.flags = KQ_EV_ADD;
        KEvent(record)
    }

    /// A record for the descriptor `fd` with Python's defaults (filter
    /// [`KQ_FILTER_READ`], flags [`KQ_EV_ADD`]).
    ///
    /// Python: `select.kevent(fileobj)`, whose ident comes from `fileobj.fileno()`.
    #[must_use]
    pub fn for_fd(fd: impl AsFd) -> KEvent {
        KEvent::new(conv::fd_ident(fd.as_fd().as_raw_fd()))
    }

    /// A record with every field given — Python's full `select.kevent(ident, filter, flags,
    /// fflags, data, udata)`.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] if `data` does not fit the native field, which happens only on
    /// 32-bit targets whose `data` is an `intptr_t` (Python raises `OverflowError` there
    /// too).
    ///
    /// # Examples
    ///
    /// ```
    /// use select_kqueue::{KEvent, KQ_EV_ADD, KQ_FILTER_TIMER};
    ///
    /// // A timer firing every 100 ms: select.kevent(1, KQ_FILTER_TIMER, KQ_EV_ADD, 0, 100, 0).
    /// let timer = KEvent::from_parts(1, KQ_FILTER_TIMER, KQ_EV_ADD, 0, 100, 0)?;
    /// assert_eq!((timer.ident(), timer.data()), (1, 100));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_parts(
        ident: usize,
        filter: Filter,
        flags: Flags,
        fflags: FilterFlags,
        data: i64,
        udata: usize,
    ) -> Result<KEvent> {
        KEvent::new(ident)
            .with_filter(filter)
            .with_flags(flags)
            .with_fflags(fflags)
            .with_udata(udata)
            .with_data(data)
    }

    /// The identifier: a descriptor, pid, signal number or any number, by filter.
    #[must_use]
    pub fn ident(&self) -> usize {
        self.0.0.ident
    }

    /// The filter (`KQ_FILTER_*`).
    #[must_use]
    pub fn filter(&self) -> Filter {
        self.0.0.filter
    }

    /// The flags (`KQ_EV_*`).
    #[must_use]
    pub fn flags(&self) -> Flags {
        self.0.0.flags
    }

    /// The filter-specific flags (`KQ_NOTE_*`).
    #[must_use]
    pub fn fflags(&self) -> FilterFlags {
        self.0.0.fflags
    }

    /// The filter-specific data: a byte count, an errno with `KQ_EV_ERROR`, a timer period.
    #[must_use]
    #[allow(
        clippy::useless_conversion,
        reason = "the native field is intptr_t on some systems and int64_t on others"
    )]
    pub fn data(&self) -> i64 {
        // Every system's `data` (`intptr_t` or `int64_t`) fits an `i64`.
        i64::try_from(self.0.0.data).unwrap_or(i64::MAX)
    }

    /// The opaque user value, returned unchanged with each event.
    #[must_use]
    pub fn udata(&self) -> usize {
        self.0.0.udata.addr()
    }

    /// Sets [`ident`](KEvent::ident).
    pub fn set_ident(&mut self, ident: usize) {
        self.0.0.ident = ident;
    }

    /// Sets [`filter`](KEvent::filter).
    pub fn set_filter(&mut self, filter: Filter) {
        self.0.0.filter = filter;
    }

    /// Sets [`flags`](KEvent::flags).
    pub fn set_flags(&mut self, flags: Flags) {
        self.0.0.flags = flags;
    }

    /// Sets [`fflags`](KEvent::fflags).
    pub fn set_fflags(&mut self, fflags: FilterFlags) {
        self.0.0.fflags = fflags;
    }

    /// Sets [`data`](KEvent::data).
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] if `data` does not fit the native field (only on 32-bit targets
    /// whose `data` is an `intptr_t`); the record is unchanged then.
    #[allow(
        clippy::useless_conversion,
        reason = "the native field is intptr_t on some systems and int64_t on others"
    )]
    pub fn set_data(&mut self, data: i64) -> Result<()> {
        self.0.0.data = data.try_into().map_err(|_| Error::Overflow {
            name: "kevent data",
            value: u128::from(data.unsigned_abs()),
            limit: "the target's intptr_t",
        })?;
        Ok(())
    }

    /// Sets [`udata`](KEvent::udata).
    pub fn set_udata(&mut self, udata: usize) {
        self.0.0.udata = std::ptr::without_provenance_mut(udata);
    }

    /// This record with [`filter`](KEvent::filter) replaced.
    #[must_use]
    pub fn with_filter(mut self, filter: Filter) -> KEvent {
        self.set_filter(filter);
        self
    }

    /// This record with [`flags`](KEvent::flags) replaced.
    #[must_use]
    pub fn with_flags(mut self, flags: Flags) -> KEvent {
        self.set_flags(flags);
        self
    }

    /// This record with [`fflags`](KEvent::fflags) replaced.
    #[must_use]
    pub fn with_fflags(mut self, fflags: FilterFlags) -> KEvent {
        self.set_fflags(fflags);
        self
    }

    /// This record with [`data`](KEvent::data) replaced.
    ///
    /// # Errors
    ///
    /// As [`set_data`](KEvent::set_data).
    pub fn with_data(mut self, data: i64) -> Result<KEvent> {
        self.set_data(data)?;
        Ok(self)
    }

    /// This record with [`udata`](KEvent::udata) replaced.
    #[must_use]
    pub fn with_udata(mut self, udata: usize) -> KEvent {
        self.set_udata(udata);
        self
    }

    /// The six compared fields, `udata` unsigned.
    fn key(&self) -> (usize, Filter, Flags, FilterFlags, i64, usize) {
        (self.ident(), self.filter(), self.flags(), self.fflags(), self.data(), self.udata())
    }

    /// Compares as CPython does: the tuple `(ident, filter, flags, fflags, data, udata)` with
    /// `udata` taken as a **signed** `intptr_t` ([bpo-31893](https://bugs.python.org/issue31893)).
    ///
    /// [`Ord`] differs only there: it compares `udata` unsigned, like its type.
    ///
    /// Python: `kevent.__lt__` and the other rich comparisons.
    #[must_use]
    pub fn cmp_python(&self, other: &KEvent) -> Ordering {
        let signed = |udata: usize| isize::from_ne_bytes(udata.to_ne_bytes());
        let (a, b) = (self.key(), other.key());
        (a.0, a.1, a.2, a.3, a.4, signed(a.5)).cmp(&(b.0, b.1, b.2, b.3, b.4, signed(b.5)))
    }
}

impl PartialEq for KEvent {
    fn eq(&self, other: &KEvent) -> bool {
        self.key() == other.key()
    }
}

impl Eq for KEvent {}

impl PartialOrd for KEvent {
    fn partial_cmp(&self, other: &KEvent) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KEvent {
    fn cmp(&self, other: &KEvent) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl Hash for KEvent {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Debug for KEvent {
    /// Python's repr: `<select.kevent ident=%zu filter=%d flags=0x%x fflags=0x%x data=0x%llx
    /// udata=%p>`, with `data` as the hex of its 64-bit two's complement.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<select.kevent ident={} filter={} flags={:#x} fflags={:#x} data={:#x} udata={:#x}>",
            self.ident(),
            self.filter(),
            self.flags(),
            self.fflags(),
            self.data(),
            self.udata()
        )
    }
}

/// The caller's reusable buffer of [`KEvent`]s that [`Kqueue::control`](crate::Kqueue::control)
/// and [`Backend::wait`](select_core::Backend::wait) fill: Python's `maxevents` made a value.
///
/// Its capacity, fixed at creation (the one allocation), is the `nevents` passed to
/// `kevent(2)`; the kernel writes its records straight into it, so a wait copies and
/// allocates nothing. A capacity of zero is allowed for `control` (apply changes only,
/// Python's `maxevents=0`); `Backend::wait` rejects it.
///
/// [`as_slice`](KqueueEvents::as_slice) gives the native records (with `EV_EOF`,
/// `EV_ERROR`, `fflags` and `data` as the kernel set them); [`EventBuffer::get`] gives the
/// portable form.
///
/// Python: the `maxevents` argument of `select.kqueue.control` and the list it returns.
#[derive(Clone)]
pub struct KqueueEvents {
    records: Box<[KEvent]>,
    len: usize,
}

impl KqueueEvents {
    /// The records the last wait stored, in the kernel's order.
    #[must_use]
    pub fn as_slice(&self) -> &[KEvent] {
        &self.records[..self.len]
    }

    /// The whole buffer for the kernel to fill, forgetting what it held.
    pub(crate) fn spare(&mut self) -> &mut [KEvent] {
        self.len = 0;
        &mut self.records
    }

    /// Records that the kernel stored `len` events.
    pub(crate) fn set_len(&mut self, len: usize) {
        self.len = len.min(self.records.len());
    }
}

impl fmt::Debug for KqueueEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KqueueEvents")
            .field("capacity", &self.records.len())
            .field("events", &self.as_slice())
            .finish()
    }
}

impl<'a> IntoIterator for &'a KqueueEvents {
    type Item = &'a KEvent;
    type IntoIter = std::slice::Iter<'a, KEvent>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl EventBuffer for KqueueEvents {
    /// `kevent(2)`'s `nevents` is a C `int`.
    const MAX_CAPACITY: usize = crate::conv::MAX_RECORDS;

    fn try_with_capacity(capacity: usize) -> select_core::Result<KqueueEvents> {
        let records = select_core::allocate_events(
            Self::CAPACITY_NAME,
            capacity,
            KEvent(Record::zeroed()),
            Self::MAX_CAPACITY,
            "a C int (2147483647)",
        )?;
        Ok(KqueueEvents { records: records.into_boxed_slice(), len: 0 })
    }

    fn capacity(&self) -> usize {
        self.records.len()
    }

    fn len(&self) -> usize {
        self.len
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    fn get(&self, index: usize) -> Option<Event> {
        let event = self.as_slice().get(index)?;
        Some(Event::new(conv::ident_fd(event.ident()), conv::readiness(event)))
    }
}
