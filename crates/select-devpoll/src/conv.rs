//! Pure logic of /dev/poll: the `pollfd` records written to the device, when they are written,
//! and the mapping between portable [`Interest`]/[`Readiness`] and `POLL*` bits.
//!
//! Nothing here makes a system call: every write goes through a closure the caller passes
//! (`sys::write` on illumos and Solaris, a recording fake in the unit tests). That is why this
//! module, unlike the device type, compiles and is unit-tested on every host, Linux included.

use std::collections::HashSet;
use std::os::fd::RawFd;

use rustix::io::Errno;
use select_core::{Error, Interest, Readiness, Result};

/// `POLLREMOVE` as raw bits: a record whose `events` is exactly this removes `fd` from the set.
///
/// illumos `usr/src/uts/common/sys/poll.h` (`#define POLLREMOVE 0x0800`, "remove a cached poll
/// fd from /dev/poll"), the same value in Solaris 8's `sys/poll.h`; `poll(4D)`/`poll(7D)`.
pub(crate) const POLLREMOVE_BITS: u16 = 0x0800;

/// How many records one registration appends (see [`Changes::replace`]).
pub(crate) const REPLACE_RECORDS: usize = 3;

/// The most descriptors one wait reports, whatever `RLIMIT_NOFILE` says: an unlimited (or
/// very large) limit would otherwise make `DevPoll::events` allocate gigabytes (8 bytes a
/// record, up to `INT_MAX` records). Ready descriptors beyond it are reported by later waits.
pub(crate) const MAX_FDS_CAP: usize = 65_536;

/// `DevPoll::max_fds` for a soft `RLIMIT_NOFILE` of `soft_limit` (`None`: unlimited): the
/// limit, at most [`MAX_FDS_CAP`], which an unlimited limit counts as.
pub(crate) fn max_fds(soft_limit: Option<u64>) -> usize {
    soft_limit
        .map_or(MAX_FDS_CAP, |limit| usize::try_from(limit).unwrap_or(usize::MAX).min(MAX_FDS_CAP))
}

/// The size of one `struct pollfd` record: `int fd; short events; short revents;`.
pub(crate) const RECORD_SIZE: usize = 8;

// The encoding below must match the C layout the device reads. `libc::pollfd` describes it on
// every Unix, so this check runs on Linux too; the field types and order are the same on
// illumos and Solaris (`sys/poll.h`).
const _: () = {
    assert!(std::mem::size_of::<libc::pollfd>() == RECORD_SIZE);
    assert!(std::mem::offset_of!(libc::pollfd, fd) == 0);
    assert!(std::mem::offset_of!(libc::pollfd, events) == 4);
    assert!(std::mem::offset_of!(libc::pollfd, revents) == 6);
};

/// The raw bits of a `libc` `POLL*` constant (a C `short`), as the unsigned mask Python uses.
const fn bits(flag: libc::c_short) -> u16 {
    u16::from_ne_bytes(flag.to_ne_bytes())
}

/// The default event mask of `register` and `modify`: `POLLIN | POLLPRI | POLLOUT`.
pub(crate) const DEFAULT_BITS: u16 = bits(libc::POLLIN) | bits(libc::POLLPRI) | bits(libc::POLLOUT);

/// One `struct pollfd` record in the byte order the device reads: `fd`, `events`, and a zero
/// `revents`, each in native byte order.
pub(crate) fn encode(fd: RawFd, events: u16) -> [u8; RECORD_SIZE] {
    let mut record = [0; RECORD_SIZE];
    record[..4].copy_from_slice(&fd.to_ne_bytes());
    record[4..6].copy_from_slice(&events.to_ne_bytes());
    record
}

/// The `fd` and `events` of one record made by [`encode`].
fn decode(record: &[u8]) -> (RawFd, u16) {
    let mut fd = [0; 4];
    fd.copy_from_slice(&record[..4]);
    let mut events = [0; 2];
    events.copy_from_slice(&record[4..6]);
    (RawFd::from_ne_bytes(fd), u16::from_ne_bytes(events))
}

/// The `POLL*` bits a portable interest asks for. Delivery modes are not mapped: `DevPoll`
/// declares no capability for them, so `check_interest` rejects them before this runs.
pub(crate) fn interest_bits(interest: Interest) -> u16 {
    let mut events = 0;
    if interest.contains(Interest::READABLE) {
        events |= bits(libc::POLLIN);
    }
    if interest.contains(Interest::WRITABLE) {
        events |= bits(libc::POLLOUT);
    }
    if interest.contains(Interest::PRIORITY) {
        events |= bits(libc::POLLPRI);
    }
    events
}

/// The portable view of the `revents` bits one wait reported.
///
/// `POLLRDHUP` exists on illumos but not on Solaris, and no [`Interest`] asks for it, so it is
/// left in the native bits only.
pub(crate) fn readiness(revents: u16) -> Readiness {
    const TABLE: [(libc::c_short, Readiness); 10] = [
        (libc::POLLIN, Readiness::READABLE),
        (libc::POLLRDNORM, Readiness::READABLE),
        (libc::POLLRDBAND, Readiness::READABLE),
        (libc::POLLOUT, Readiness::WRITABLE),
        (libc::POLLWRNORM, Readiness::WRITABLE),
        (libc::POLLWRBAND, Readiness::WRITABLE),
        (libc::POLLPRI, Readiness::PRIORITY),
        (libc::POLLERR, Readiness::ERROR),
        (libc::POLLHUP, Readiness::HANGUP),
        (libc::POLLNVAL, Readiness::INVALID),
    ];
    let mut readiness = Readiness::empty();
    for (flag, portable) in TABLE {
        if revents & bits(flag) != 0 {
            readiness |= portable;
        }
    }
    readiness
}

/// The pending-record buffer: registrations waiting to be written to the device, and the set
/// of descriptors this object believes registered.
///
/// Every operation is all-or-nothing: it first makes room for all the records it appends
/// (writing the pending ones if they would not fit), then appends them. If that write fails,
/// the operation appends nothing and leaves the set unchanged. The buffer is written in one
/// `write` per flush, so a batch never exceeds [`capacity`](Changes::capacity) records.
#[derive(Debug)]
pub(crate) struct Changes {
    /// Encoded records, `RECORD_SIZE` bytes each, in the order the operations made them.
    bytes: Vec<u8>,
    /// The most records one write carries (at least [`REPLACE_RECORDS`], so every operation
    /// fits).
    capacity: usize,
    /// The descriptors registered, as far as the records written or pending say.
    registered: HashSet<RawFd>,
}

impl Changes {
    /// An empty buffer that writes at most `capacity` records at a time (raised to
    /// [`REPLACE_RECORDS`], the most one operation appends). Allocates the buffer once, here.
    pub(crate) fn new(capacity: usize) -> Changes {
        let capacity = capacity.max(REPLACE_RECORDS);
        Changes {
            bytes: Vec::with_capacity(capacity * RECORD_SIZE),
            capacity,
            registered: HashSet::new(),
        }
    }

    /// The most records one write carries.
    #[cfg(all(test, repository_tests))]
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many records wait to be written.
    pub(crate) fn pending_records(&self) -> usize {
        self.bytes.len() / RECORD_SIZE
    }

    /// The encoded records waiting to be written.
    #[cfg(all(test, repository_tests))]
    pub(crate) fn pending(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether `fd` is registered, as far as this object knows.
    pub(crate) fn is_registered(&self, fd: RawFd) -> bool {
        self.registered.contains(&fd)
    }

    /// Python's `devpoll.register(fd, events)`, made well defined: appends the three
    /// records of [`replace`](Changes::replace), so the new mask replaces whatever the device
    /// held for the number (as `poll.register` does) instead of being OR'ed into it.
    ///
    /// `events == POLLREMOVE` is an unregistration, as it is for the device.
    pub(crate) fn register<W>(&mut self, fd: RawFd, events: u16, write: W) -> Result<()>
    where
        W: FnMut(&[u8]) -> Result<usize, Errno>,
    {
        if events == POLLREMOVE_BITS {
            self.unregister(fd, write)?;
            return Ok(());
        }
        self.replace(fd, events, write)
    }

    /// Python's `devpoll.modify(fd, events)`: the records of [`replace`](Changes::replace),
    /// whether or not `fd` was registered (Python checks nothing; the `Backend` trait checks
    /// first).
    pub(crate) fn modify<W>(&mut self, fd: RawFd, events: u16, write: W) -> Result<()>
    where
        W: FnMut(&[u8]) -> Result<usize, Errno>,
    {
        self.register(fd, events, write)
    }

    /// Appends `{fd, 0}`, `{fd, POLLREMOVE}`, `{fd, events}`: the one sequence that leaves
    /// the device polling `fd` for exactly `events`, whatever it held for the number before.
    ///
    /// The driver (illumos `devpoll.c`, `dpwrite`) keeps one record per number. An addition
    /// ORs its mask into the record (`pd_events |= events`) and, if the number is open,
    /// attaches the open file to it (`pd_fp`); a `POLLREMOVE` clears the mask only of a
    /// record with a file attached, and does nothing to a file-less one. A record is
    /// file-less when an addition was written while its number was not open, which the
    /// batching makes ordinary: register, close before the next wait. Its mask then stays
    /// behind, so remove-then-add would poll a later descriptor with that number for
    /// old | new. The first, empty record attaches the file the number names now (it ORs
    /// nothing in), so the `POLLREMOVE` that follows clears the record in every case, and
    /// the last record sets exactly `events`. If the number is not open when the records are
    /// written, all three leave a file-less record, which the driver's poll loop skips
    /// (`if (pdp->pd_fp == NULL) continue;`) and the next `replace` resets.
    ///
    /// The three records always travel in one write, and the driver applies a write while
    /// no wait runs (`DP_WRITER_PRESENT`), so no wait sees the intermediate states.
    fn replace<W>(&mut self, fd: RawFd, events: u16, write: W) -> Result<()>
    where
        W: FnMut(&[u8]) -> Result<usize, Errno>,
    {
        self.make_room(REPLACE_RECORDS, write)?;
        self.push(fd, 0);
        self.push(fd, POLLREMOVE_BITS);
        self.push(fd, events);
        self.registered.insert(fd);
        Ok(())
    }

    /// Python's `devpoll.unregister(fd)`: appends `{fd, POLLREMOVE}` and returns whether
    /// `fd` was registered as far as this object knew.
    ///
    /// The record is appended even for a descriptor this object does not list, as Python
    /// does (the device ignores a removal of a descriptor it does not poll): the set can be
    /// wrong about the device, for example after a dropped batch, and a removal must never
    /// be skipped because of it.
    pub(crate) fn unregister<W>(&mut self, fd: RawFd, write: W) -> Result<bool>
    where
        W: FnMut(&[u8]) -> Result<usize, Errno>,
    {
        self.make_room(1, write)?;
        self.push(fd, POLLREMOVE_BITS);
        Ok(self.registered.remove(&fd))
    }

    /// Writes every pending record, in one `write` (retried after `EINTR`, which the device
    /// returns only before it has applied anything).
    ///
    /// - A complete write empties the buffer.
    /// - A short write keeps every record the device did not take whole, so nothing is lost:
    ///   the next flush writes them again. It fails with [`Error::ShortWrite`], because the
    ///   device never writes short and a caller must hear about it.
    /// - Any other error drops the batch and is returned. The device may have applied a
    ///   prefix of it, and keeping it would make one bad record fail every later wait (the
    ///   errors are per object, such as `EACCES` after `fork` and `EINVAL` once
    ///   `RLIMIT_NOFILE` is below the batch size, or per record, from a driver's poll
    ///   routine). Python drops the batch too. Every descriptor whose `POLLREMOVE` is
    ///   dropped goes back into the registered set: the device may still poll it, and it
    ///   must stay possible to unregister it (a descriptor whose addition is dropped stays
    ///   in the set for the same reason: the device may have applied it).
    ///
    /// Makes no call when nothing is pending.
    pub(crate) fn flush<W>(&mut self, mut write: W) -> Result<()>
    where
        W: FnMut(&[u8]) -> Result<usize, Errno>,
    {
        while !self.bytes.is_empty() {
            match write(&self.bytes) {
                Ok(written) if written >= self.bytes.len() => self.bytes.clear(),
                Ok(written) => {
                    let attempted = self.bytes.len();
                    let whole = written - written % RECORD_SIZE;
                    self.bytes.drain(..whole);
                    return Err(Error::ShortWrite { object: "devpoll", written, attempted });
                }
                Err(Errno::INTR) => {}
                Err(errno) => {
                    for record in self.bytes.chunks_exact(RECORD_SIZE) {
                        let (fd, events) = decode(record);
                        if events == POLLREMOVE_BITS {
                            self.registered.insert(fd);
                        }
                    }
                    self.bytes.clear();
                    return Err(Error::Os(errno));
                }
            }
        }
        Ok(())
    }

    /// Forgets every registration and pending record (after `close`).
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.registered.clear();
    }

    /// Writes the pending records first if `records` more would not fit.
    fn make_room<W>(&mut self, records: usize, write: W) -> Result<()>
    where
        W: FnMut(&[u8]) -> Result<usize, Errno>,
    {
        if self.pending_records() + records > self.capacity {
            self.flush(write)?;
        }
        Ok(())
    }

    /// Appends one record; `make_room` has made sure it fits, so this never reallocates.
    fn push(&mut self, fd: RawFd, events: u16) {
        debug_assert!(self.pending_records() < self.capacity);
        self.bytes.extend_from_slice(&encode(fd, events));
    }
}
