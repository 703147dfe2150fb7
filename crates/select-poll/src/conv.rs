//! Pure conversions: portable [`Interest`] and [`Readiness`] to and from the `POLL*` bits and
//! select(2)'s three sets, the select(2) timeout rule, and the descriptor bitmap the select
//! code works on.

use std::time::Duration;

use select_core::timeout::{Granularity, WaitRule};
use select_core::{Interest, RawFd, Readiness};

use crate::FD_SETSIZE;
#[cfg(unix)]
use crate::PollFlags;

/// How select(2) takes its timeout: a `struct timeval`, so whole microseconds.
///
/// The longest slice is 100,000,000 seconds (about 3.17 years): macOS rejects any larger
/// `tv_sec` with `EINVAL` (its select(2) man page), and it fits a 32-bit `time_t`, so the
/// same rule is valid on every target. A longer timeout is waited in slices of this length by
/// [`select_core::timeout::wait_with_retry`], never shortened and never turned into "forever".
pub(crate) const SELECT_RULE: WaitRule =
    WaitRule { granularity: Granularity::Micros, longest: Duration::from_secs(100_000_000) };

/// A C `short` `POLL*` value as the 16-bit pattern the kernel reads and writes.
///
/// CPython stores the mask "as a C short, keeping the 16-bit pattern" and masks `revents`
/// with `0xFFFF`; reinterpreting the bytes is exactly that, without a sign-changing cast.
#[cfg(unix)]
pub(crate) const fn short_bits(raw: libc::c_short) -> u16 {
    u16::from_ne_bytes(raw.to_ne_bytes())
}

/// rustix's raw `PollFlags` type: `u16` on its Linux backend, `c_short` on its libc backend.
/// Both are converted bit for bit.
#[cfg(unix)]
pub(crate) trait RawPollBits: Copy {
    /// The raw value with the bit pattern of `bits`.
    fn from_bits16(bits: u16) -> Self;
    /// The bit pattern of the raw value.
    fn to_bits16(self) -> u16;
}

#[cfg(unix)]
impl RawPollBits for u16 {
    fn from_bits16(bits: u16) -> u16 {
        bits
    }
    fn to_bits16(self) -> u16 {
        self
    }
}

#[cfg(unix)]
impl RawPollBits for i16 {
    fn from_bits16(bits: u16) -> i16 {
        i16::from_ne_bytes(bits.to_ne_bytes())
    }
    fn to_bits16(self) -> u16 {
        u16::from_ne_bytes(self.to_ne_bytes())
    }
}

/// Our [`PollFlags`] as rustix's, every bit kept.
#[cfg(unix)]
pub(crate) fn to_rustix(flags: PollFlags) -> rustix::event::PollFlags {
    rustix::event::PollFlags::from_bits_retain(RawPollBits::from_bits16(flags.bits()))
}

/// rustix's `PollFlags` as ours, every bit kept (CPython's `revents & 0xFFFF`).
#[cfg(unix)]
#[inline]
pub(crate) fn from_rustix(flags: rustix::event::PollFlags) -> PollFlags {
    PollFlags::from_bits_retain(flags.bits().to_bits16())
}

/// The `POLL*` mask that waits for `interest`'s conditions: `READABLE` is `POLLIN`, `WRITABLE`
/// is `POLLOUT`, `PRIORITY` is `POLLPRI`. Delivery modes have no `POLL*` bit; the backend
/// rejects them before converting.
#[cfg(unix)]
pub(crate) fn poll_flags(interest: Interest) -> PollFlags {
    let mut flags = PollFlags::empty();
    if interest.contains(Interest::READABLE) {
        flags |= PollFlags::IN;
    }
    if interest.contains(Interest::WRITABLE) {
        flags |= PollFlags::OUT;
    }
    if interest.contains(Interest::PRIORITY) {
        flags |= PollFlags::PRI;
    }
    flags
}

/// The conditions a `POLL*` mask waits for: the inverse of [`poll_flags`] on `POLLIN`,
/// `POLLOUT` and `POLLPRI`; other bits ask for nothing portable and are ignored.
#[cfg(unix)]
pub(crate) fn interest(flags: PollFlags) -> Interest {
    let mut interest = Interest::empty();
    if flags.contains(PollFlags::IN) {
        interest |= Interest::READABLE;
    }
    if flags.contains(PollFlags::OUT) {
        interest |= Interest::WRITABLE;
    }
    if flags.contains(PollFlags::PRI) {
        interest |= Interest::PRIORITY;
    }
    interest
}

/// What a `revents` value means portably.
///
/// `POLLIN`/`POLLRDNORM` are readable, `POLLPRI`/`POLLRDBAND` priority, `POLLOUT`/
/// `POLLWRNORM`/`POLLWRBAND` writable, `POLLERR` error, `POLLHUP` hang-up, `POLLRDHUP` read
/// hang-up (where defined), `POLLNVAL` invalid. Other bits have no portable meaning and are
/// dropped here; [`Poll::poll`](crate::Poll::poll) reports them unchanged.
#[cfg(unix)]
#[inline]
pub(crate) fn readiness(revents: PollFlags) -> Readiness {
    let mut readiness = Readiness::empty();
    if revents.intersects(PollFlags::IN | PollFlags::RDNORM) {
        readiness |= Readiness::READABLE;
    }
    if revents.intersects(PollFlags::PRI | PollFlags::RDBAND) {
        readiness |= Readiness::PRIORITY;
    }
    if revents.intersects(PollFlags::OUT | PollFlags::WRNORM | PollFlags::WRBAND) {
        readiness |= Readiness::WRITABLE;
    }
    if revents.contains(PollFlags::ERR) {
        readiness |= Readiness::ERROR;
    }
    if revents.contains(PollFlags::HUP) {
        readiness |= Readiness::HANGUP;
    }
    #[cfg(poll_rdhup)]
    if revents.contains(PollFlags::RDHUP) {
        readiness |= Readiness::READ_HANGUP;
    }
    if revents.contains(PollFlags::NVAL) {
        readiness |= Readiness::INVALID;
    }
    readiness
}

/// Whether a registration for writing also watches the exceptional set. On Windows it does:
/// WinSock reports a failed non-blocking `connect` in the exceptional set, never in the
/// write set, so Python's `selectors.SelectSelector` calls `select(r, w, w)` there and reports
/// what lands in the third set as writable. select(2) on Unix marks such a socket writable.
pub(crate) const WRITERS_IN_EXCEPT_SET: bool = cfg!(windows);

/// What select(2) found for one descriptor registered for `interest`: in the read set is
/// readable, in the write set writable, in the exceptional set priority (out-of-band data is
/// select(2)'s only exceptional condition on sockets) and, where writers also watch that set
/// ([`WRITERS_IN_EXCEPT_SET`]), writable with an error for a registration for writing (a
/// failed `connect`).
#[inline]
pub(crate) fn select_readiness(
    interest: Interest,
    read: bool,
    write: bool,
    except: bool,
) -> Readiness {
    let mut readiness = Readiness::empty();
    if read {
        readiness |= Readiness::READABLE;
    }
    if write {
        readiness |= Readiness::WRITABLE;
    }
    if except {
        if interest.contains(Interest::PRIORITY) {
            readiness |= Readiness::PRIORITY;
        }
        if WRITERS_IN_EXCEPT_SET && interest.contains(Interest::WRITABLE) {
            readiness |= Readiness::WRITABLE | Readiness::ERROR;
        }
    }
    readiness
}

/// What one member of a select(2) set is keyed by: its index in the bitmap on Unix (the
/// descriptor number itself), the socket itself on Windows.
#[cfg(unix)]
pub(crate) type SetKey = usize;
/// See the Unix definition.
#[cfg(windows)]
pub(crate) type SetKey = RawFd;

/// The highest descriptor number plus one a set can hold, as [`select_core::Backend::FD_LIMIT`]
/// says it: `FD_SETSIZE` on Unix, none on Windows (where the limit is a count).
#[cfg(unix)]
pub(crate) const NUMBER_LIMIT: Option<usize> = Some(FD_SETSIZE);
/// See the Unix definition.
#[cfg(windows)]
pub(crate) const NUMBER_LIMIT: Option<usize> = None;

/// `fd` as an index into a select(2) set, or `None` outside `0..FD_SETSIZE`.
#[cfg(unix)]
pub(crate) fn set_index(fd: RawFd) -> Option<SetKey> {
    usize::try_from(fd).ok().filter(|&index| index < FD_SETSIZE)
}

/// `fd` as a member of a WinSock set: any socket can be one (the limit is a count).
#[cfg(windows)]
#[allow(clippy::unnecessary_wraps, reason = "the Unix version can fail; callers share code")]
pub(crate) fn set_index(fd: RawFd) -> Option<SetKey> {
    Some(fd)
}

/// The `nfds` argument a set holding `key` needs at least: one past it on Unix. WinSock
/// ignores `nfds`, so it is 0 there.
#[cfg(unix)]
pub(crate) const fn bound(key: SetKey) -> usize {
    key + 1
}

/// See the Unix definition.
#[cfg(windows)]
pub(crate) const fn bound(_key: SetKey) -> usize {
    0
}

/// How many 64-bit words hold `FD_SETSIZE` bits.
#[cfg(unix)]
const WORDS: usize = FD_SETSIZE.div_ceil(64);

/// A set of descriptors below `FD_SETSIZE`, one bit each: select(2)'s `fd_set`, kept in our
/// own layout so the same code serves rustix's and libc's set types.
#[cfg(unix)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FdBits {
    words: [u64; WORDS],
}

#[cfg(unix)]
impl FdBits {
    /// The empty set.
    pub(crate) const fn new() -> FdBits {
        FdBits { words: [0; WORDS] }
    }

    /// Empties the set.
    pub(crate) fn clear(&mut self) {
        self.words.fill(0);
    }

    /// Empties the part of the set below `nfds`, all a set of members below `nfds` uses.
    #[cfg(rustix_select)]
    #[inline]
    pub(crate) fn clear_below(&mut self, nfds: usize) {
        let words = nfds.div_ceil(64).min(WORDS);
        self.words[..words].fill(0);
    }

    /// Adds `index` (a descriptor already checked by [`set_index`]).
    #[inline]
    pub(crate) fn insert(&mut self, index: usize) {
        self.words[index / 64] |= 1 << (index % 64);
    }

    /// Whether `index` is in the set; descriptors outside the range never are.
    #[inline]
    pub(crate) fn contains(&self, index: usize) -> bool {
        self.words.get(index / 64).is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|&word| word == 0)
    }

    /// The members, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(word_index, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                // `trailing_zeros` of a non-zero u64 is below 64, so it fits a usize.
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(word_index * 64 + bit)
            })
        })
    }
}

/// A set of at most `FD_SETSIZE` sockets, kept sorted: WinSock's `fd_set` is a counted list
/// of sockets, whatever their numbers, so membership is a search, not a bit.
#[cfg(windows)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FdBits {
    len: usize,
    sockets: [RawFd; FD_SETSIZE],
}

#[cfg(windows)]
impl FdBits {
    /// The empty set.
    pub(crate) const fn new() -> FdBits {
        FdBits { len: 0, sockets: [0; FD_SETSIZE] }
    }

    /// Empties the set.
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Adds `socket` unless it is a member already (WinSock's `FD_SET` skips duplicates too).
    /// Callers check the count first: a full set ignores a new member.
    pub(crate) fn insert(&mut self, socket: SetKey) {
        let members = &self.sockets[..self.len];
        if let Err(position) = members.binary_search(&socket) {
            if self.len < FD_SETSIZE {
                self.sockets.copy_within(position..self.len, position + 1);
                self.sockets[position] = socket;
                self.len += 1;
            }
        }
    }

    /// Whether `socket` is in the set.
    pub(crate) fn contains(&self, socket: SetKey) -> bool {
        self.sockets[..self.len].binary_search(&socket).is_ok()
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many sockets the set holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The members, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = SetKey> + '_ {
        self.sockets[..self.len].iter().copied()
    }
}
