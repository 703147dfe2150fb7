//! The raw system calls: poll(2) over stored descriptor numbers and select(2) over
//! [`FdBits`] (WinSock's `select` on Windows); the only module allowed `unsafe`.
#![allow(unsafe_code)]

#[cfg(unix)]
use std::fmt;
#[cfg(unix)]
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

#[cfg(unix)]
use rustix::event::PollFd;
use rustix::event::Timespec;
use rustix::io::Errno;

#[cfg(unix)]
use crate::PollFlags;
#[cfg(unix)]
use crate::conv;
use crate::conv::FdBits;

/// A timeout slice as the `timespec` rustix takes. Slices come from
/// [`select_core::timeout::wait_with_retry`] and are at most 100,000,000 seconds, so the
/// seconds always fit; the saturation only keeps the conversion total, and makes no check
/// or error path in the wait.
#[inline]
fn timespec(timeout: Duration) -> Timespec {
    Timespec::try_from(timeout).unwrap_or(Timespec { tv_sec: i64::MAX, tv_nsec: 0 })
}

/// The `pollfd` array handed to poll(2), built from stored descriptor numbers.
///
/// Python's poll object stores plain integers, so a descriptor may be closed (or its number
/// reused) while it is registered; poll(2) then reports `POLLNVAL` (or the new file's
/// readiness). The array owns its allocation across waits: [`rebuild`](PollArray::rebuild)
/// reuses it, so steady-state waits allocate nothing.
#[cfg(unix)]
pub(crate) struct PollArray {
    /// The entries, each borrowing its descriptor for `'static`. These borrows never leave
    /// this module: they are created by `rebuild` and only ever read by `poll(2)` and by
    /// [`ready_from`](PollArray::ready_from), which turns them back into numbers.
    fds: Vec<PollFd<'static>>,
    /// Where the next bounded wait starts reading results: the first ready entry a full
    /// buffer left out last time, so no descriptor is starved. Zero after a rebuild.
    pub(crate) resume: usize,
    /// The registrations' generation the entries were built from ([`crate::Poll`]'s counter).
    pub(crate) generation: u64,
}

#[cfg(unix)]
impl fmt::Debug for PollArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollArray").field("len", &self.fds.len()).finish()
    }
}

#[cfg(unix)]
impl PollArray {
    /// An empty array.
    pub(crate) const fn new() -> PollArray {
        PollArray { fds: Vec::new(), resume: 0, generation: 0 }
    }

    /// How many entries the array holds.
    #[cfg(all(test, repository_tests))]
    pub(crate) fn len(&self) -> usize {
        self.fds.len()
    }

    /// Forgets every entry and frees the allocation.
    pub(crate) fn reset(&mut self) {
        self.fds = Vec::new();
        self.resume = 0;
    }

    /// Replaces the entries with `entries`, in order, reusing the allocation.
    pub(crate) fn rebuild(&mut self, entries: impl Iterator<Item = (RawFd, PollFlags)>) {
        self.fds.clear();
        self.resume = 0;
        for (fd, events) in entries {
            // SAFETY: `borrow_raw` requires `fd` to be open for `'static`, which a stored
            // number cannot promise. The borrow is sound to create anyway because of what is
            // done with it: it stays inside this private array, and the only consumers are
            // poll(2), which performs no I/O on the descriptors and reports a closed one as
            // `POLLNVAL` (a reused number merely reports the new file's readiness), and
            // `ready`, which reads the number back. No `BorrowedFd` or `PollFd` from this
            // array is ever handed out, so no I/O can be done through it.
            let fd = unsafe { BorrowedFd::borrow_raw(fd) };
            self.fds.push(PollFd::from_borrowed_fd(fd, conv::to_rustix(events)));
        }
    }

    /// `poll(fds, nfds, timeout)` once, with `timeout` already rounded to whole milliseconds
    /// (`None` blocks). Returns how many entries have non-zero `revents`.
    #[inline]
    pub(crate) fn poll(&mut self, timeout: Option<Duration>) -> Result<usize, Errno> {
        rustix::event::poll(&mut self.fds, timeout.map(timespec).as_ref())
    }

    /// The entries the last call reported, with every `revents` bit and their index in the
    /// array, in array order from `start`, wrapping around to the beginning.
    #[inline]
    pub(crate) fn ready_from(
        &self,
        start: usize,
    ) -> impl Iterator<Item = (usize, RawFd, PollFlags)> + '_ {
        let len = self.fds.len();
        let start = if start < len { start } else { 0 };
        // One pass over the indices from `start`, wrapping once; no chained iterators.
        (start..start + len).filter_map(move |position| {
            let index = if position < len { position } else { position - len };
            let entry = self.fds.get(index)?;
            let revents = conv::from_rustix(entry.revents());
            (!revents.is_empty()).then(|| (index, entry.as_fd().as_raw_fd(), revents))
        })
    }
}

/// `select(nfds, readfds, writefds, exceptfds, timeout)` once: waits on the descriptors in
/// the given sets (`None` passes a NULL set) and leaves in each set only the ready ones.
/// `timeout` is already rounded to whole microseconds (`None` blocks). Returns how many bits
/// are set across the three sets.
///
/// `nfds` is one more than the largest member and at most `FD_SETSIZE`; every member was
/// range-checked by [`conv::set_index`] when it was inserted.
pub(crate) fn select(
    nfds: usize,
    read: Option<&mut FdBits>,
    write: Option<&mut FdBits>,
    except: Option<&mut FdBits>,
    timeout: Option<Duration>,
) -> Result<usize, Errno> {
    debug_assert!(nfds <= crate::FD_SETSIZE);
    let timeout = timeout.map(timespec);
    let nfds_c = i32::try_from(nfds).map_err(|_| Errno::INVAL)?;
    imp::select(nfds_c, read, write, except, timeout.as_ref())
}

/// The three sets of a [`Select`](crate::Select) wait, as select(2) takes them: built from
/// the registrations when they change, copied into the call's buffers by each wait.
#[cfg(rustix_select)]
pub(crate) use imp::SelectSets;

/// The three sets of a [`Select`](crate::Select) wait: where rustix has no bit-array `fd_set`
/// to keep (illumos' libc sets, WinSock's counted lists), they are kept as [`FdBits`] and
/// converted by [`select`] on each call.
#[cfg(not(rustix_select))]
#[derive(Debug)]
pub(crate) struct SelectSets {
    sets: [FdBits; 3],
    nfds: usize,
}

#[cfg(not(rustix_select))]
impl SelectSets {
    /// Three empty sets.
    pub(crate) fn new() -> SelectSets {
        SelectSets { sets: [FdBits::new(), FdBits::new(), FdBits::new()], nfds: 0 }
    }

    /// Replaces the read, write and exceptional sets; `nfds` is one past their largest member.
    pub(crate) fn rebuild(&mut self, sets: [&FdBits; 3], nfds: usize) {
        for (kept, set) in self.sets.iter_mut().zip(sets) {
            kept.clone_from(set);
        }
        self.nfds = nfds;
    }

    /// One `select(nfds, read, write, except, timeout)` over copies of the sets (an empty set
    /// is passed as NULL); what each reported is left in `ready`, which is only meaningful
    /// when the call returns more than 0.
    pub(crate) fn select(
        &self,
        timeout: Option<Duration>,
        ready: &mut [FdBits; 3],
    ) -> Result<usize, Errno> {
        for (work, set) in ready.iter_mut().zip(&self.sets) {
            work.clone_from(set);
        }
        let [read, write, except] = ready;
        let [r, w, x] = &self.sets;
        select(
            self.nfds,
            (!r.is_empty()).then_some(read),
            (!w.is_empty()).then_some(write),
            (!x.is_empty()).then_some(except),
            timeout,
        )
    }
}

#[cfg(rustix_select)]
mod imp {
    //! select(2) through rustix, whose sets are arrays of `FdSetElement` words.

    use std::time::Duration;

    use rustix::event::{FdSetElement, FdSetIter, Timespec, fd_set_insert, fd_set_num_elements};
    use rustix::io::Errno;

    use crate::FD_SETSIZE;
    use crate::conv::FdBits;

    /// Words in one rustix set that holds `FD_SETSIZE` descriptors.
    const WORDS: usize = FD_SETSIZE.div_ceil(size_of::<FdSetElement>() * 8);

    /// One set in rustix's layout, filled from `bits`.
    fn kernel_set(bits: &FdBits) -> [FdSetElement; WORDS] {
        let mut set = [FdSetElement::default(); WORDS];
        for index in bits.iter() {
            // Members are below FD_SETSIZE, which fits a C int on every target.
            let fd = i32::try_from(index).unwrap_or(i32::MAX);
            fd_set_insert(&mut set, fd);
        }
        set
    }

    /// The three sets of a [`Select`](crate::Select) in rustix's (the kernel's) layout, kept
    /// across waits, and the buffers select(2) overwrites.
    pub(crate) struct SelectSets {
        sets: [[FdSetElement; WORDS]; 3],
        /// Which of the three sets have members: an empty one is passed as NULL.
        used: [bool; 3],
        nfds: i32,
        work: [[FdSetElement; WORDS]; 3],
    }

    impl std::fmt::Debug for SelectSets {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("SelectSets")
                .field("used", &self.used)
                .field("nfds", &self.nfds)
                .finish()
        }
    }

    impl SelectSets {
        /// Three empty sets.
        pub(crate) fn new() -> SelectSets {
            let empty = [FdSetElement::default(); WORDS];
            SelectSets { sets: [empty; 3], used: [false; 3], nfds: 0, work: [empty; 3] }
        }

        /// Replaces the read, write and exceptional sets, converted once here into the
        /// kernel's layout; `nfds` is one past their largest member (at most `FD_SETSIZE`).
        pub(crate) fn rebuild(&mut self, sets: [&FdBits; 3], nfds: usize) {
            for ((kept, used), set) in self.sets.iter_mut().zip(&mut self.used).zip(sets) {
                *kept = kernel_set(set);
                *used = !set.is_empty();
            }
            // At most FD_SETSIZE, which fits a C int on every target.
            self.nfds = i32::try_from(nfds).unwrap_or(i32::MAX);
        }

        /// One `select(nfds, read, write, except, timeout)`: the words of each set below
        /// `nfds` are copied once into the call's buffers (select(2) overwrites its
        /// arguments), an empty set is passed as NULL. When the call reports something, the
        /// members the kernel left in each buffer are put in `ready` (read word by word, only
        /// the ready ones); otherwise `ready` is left as it was. `ready` must be empty after
        /// a [`rebuild`](SelectSets::rebuild) (the caller empties it there).
        #[inline]
        pub(crate) fn select(
            &mut self,
            timeout: Option<Duration>,
            ready: &mut [FdBits; 3],
        ) -> Result<usize, Errno> {
            let len = fd_set_num_elements(0, self.nfds);
            let [r, w, x] = &mut self.work;
            let [rs, ws, xs] = &self.sets;
            let [ru, wu, xu] = self.used;
            let timeout = timeout.map(super::timespec);
            // SAFETY: rustix requires every descriptor in the sets to be open (I/O safety) and
            // each set to hold `fd_set_num_elements(nfds)` words: each slice is `len` words of
            // a set of `FD_SETSIZE` bits, and `nfds <= FD_SETSIZE`. The descriptors were open
            // when registered; one that was closed since is reported by select(2) as `EBADF`,
            // and a reused number only reports the new file's readiness: select(2) reads
            // readiness and performs no I/O on any descriptor.
            let count = unsafe {
                rustix::event::select(
                    self.nfds,
                    working(ru, r, rs, len),
                    working(wu, w, ws, len),
                    working(xu, x, xs, len),
                    timeout.as_ref(),
                )
            }?;
            if count > 0 {
                let nfds = usize::try_from(self.nfds).unwrap_or(0);
                // A set without members was passed as NULL and its `ready` set is empty
                // since the rebuild (which empties all three), so only used sets are read.
                for ((bits, set), used) in ready.iter_mut().zip(&self.work).zip(self.used) {
                    if used {
                        bits.clear_below(nfds);
                        for fd in FdSetIter::new(&set[..len]) {
                            if let Some(index) = crate::conv::set_index(fd) {
                                bits.insert(index);
                            }
                        }
                    }
                }
            }
            Ok(usize::try_from(count).unwrap_or(0))
        }
    }

    /// The first `len` words of `set` copied into `work`, for the call, or `None` (a NULL
    /// set) for a set without members.
    #[inline]
    fn working<'w>(
        used: bool,
        work: &'w mut [FdSetElement; WORDS],
        set: &[FdSetElement; WORDS],
        len: usize,
    ) -> Option<&'w mut [FdSetElement]> {
        used.then(|| {
            let work = &mut work[..len];
            work.copy_from_slice(&set[..len]);
            work
        })
    }

    /// Copies what the kernel left in `set` back into `bits`.
    fn read_back(set: &[FdSetElement], bits: &mut FdBits) {
        bits.clear();
        for fd in FdSetIter::new(set) {
            if let Some(index) = crate::conv::set_index(fd) {
                bits.insert(index);
            }
        }
    }

    pub(super) fn select(
        nfds: i32,
        read: Option<&mut FdBits>,
        write: Option<&mut FdBits>,
        except: Option<&mut FdBits>,
        timeout: Option<&Timespec>,
    ) -> Result<usize, Errno> {
        let len = fd_set_num_elements(0, nfds);
        let mut read_set = read.as_deref().map(kernel_set);
        let mut write_set = write.as_deref().map(kernel_set);
        let mut except_set = except.as_deref().map(kernel_set);
        // SAFETY: rustix requires every descriptor in the sets to be open (I/O safety) and
        // each set to hold `fd_set_num_elements(nfds)` words. The sets hold `FD_SETSIZE` bits
        // and `nfds <= FD_SETSIZE`, so the slices are long enough. The descriptors were open
        // when registered or are borrowed for this call; one that was closed since is
        // reported by select(2) as `EBADF`, and a reused number only reports the new file's
        // readiness: select(2) reads readiness and performs no I/O on any descriptor.
        let ready = unsafe {
            rustix::event::select(
                nfds,
                read_set.as_mut().map(|set| &mut set[..len]),
                write_set.as_mut().map(|set| &mut set[..len]),
                except_set.as_mut().map(|set| &mut set[..len]),
                timeout,
            )
        }?;
        for (set, bits) in [(read_set, read), (write_set, write), (except_set, except)] {
            if let (Some(set), Some(bits)) = (set, bits) {
                read_back(&set, bits);
            }
        }
        Ok(usize::try_from(ready).unwrap_or(0))
    }
}

#[cfg(all(unix, not(rustix_select)))]
mod imp {
    //! select(2) through libc with libc's own `fd_set`, where rustix has no `select`
    //! (illumos, Solaris and other Unix systems rustix leaves out). The system's `select`
    //! keeps its `FD_SETSIZE` limit there (65536 on 64-bit illumos), which is exactly the
    //! limit this crate enforces.

    use std::ptr;

    use rustix::event::Timespec;
    use rustix::io::Errno;

    use crate::conv::FdBits;

    /// One set in libc's layout, filled from `bits`.
    fn kernel_set(bits: &FdBits) -> libc::fd_set {
        // SAFETY: `fd_set` is an array of integers, for which all-zero is a valid value, and
        // it is the empty set (what `FD_ZERO` produces).
        let mut set: libc::fd_set = unsafe { std::mem::zeroed() };
        for index in bits.iter() {
            let fd = libc::c_int::try_from(index).unwrap_or(libc::c_int::MAX);
            // SAFETY: `set` is a valid, exclusively borrowed `fd_set`, and `fd` is below
            // `FD_SETSIZE` (every member was range-checked on insertion).
            unsafe { libc::FD_SET(fd, &mut set) };
        }
        set
    }

    /// Copies what the kernel left in `set` back into `bits` (only members of `bits` can be
    /// in `set`, since select(2) only clears bits).
    fn read_back(set: &libc::fd_set, bits: &mut FdBits) {
        let members = bits.clone();
        bits.clear();
        for index in members.iter() {
            let fd = libc::c_int::try_from(index).unwrap_or(libc::c_int::MAX);
            // SAFETY: `set` is a valid `fd_set` and `fd` is below `FD_SETSIZE`.
            if unsafe { libc::FD_ISSET(fd, set) } {
                bits.insert(index);
            }
        }
    }

    pub(super) fn select(
        nfds: i32,
        read: Option<&mut FdBits>,
        write: Option<&mut FdBits>,
        except: Option<&mut FdBits>,
        timeout: Option<&Timespec>,
    ) -> Result<usize, Errno> {
        let mut read_set = read.as_deref().map(kernel_set);
        let mut write_set = write.as_deref().map(kernel_set);
        let mut except_set = except.as_deref().map(kernel_set);
        let mut timeval = match timeout {
            Some(timeout) => Some(libc::timeval {
                tv_sec: libc::time_t::try_from(timeout.tv_sec).map_err(|_| Errno::INVAL)?,
                // Slices are whole microseconds, so this division is exact; the value is
                // below 1,000,000 and fits `suseconds_t`.
                tv_usec: libc::suseconds_t::try_from(timeout.tv_nsec / 1000)
                    .map_err(|_| Errno::INVAL)?,
            }),
            None => None,
        };
        let as_ptr =
            |set: &mut Option<libc::fd_set>| set.as_mut().map_or(ptr::null_mut(), ptr::from_mut);
        let (read_ptr, write_ptr, except_ptr) =
            (as_ptr(&mut read_set), as_ptr(&mut write_set), as_ptr(&mut except_set));
        let timeout_ptr = timeval.as_mut().map_or(ptr::null_mut(), ptr::from_mut);
        // SAFETY: each pointer is null or points to a live, exclusively borrowed `fd_set` /
        // `timeval` that outlives the call; `nfds <= FD_SETSIZE`, so the kernel reads and
        // writes only within the sets. select(2) performs no I/O on the descriptors: a closed
        // one is reported as `EBADF`.
        let ready = unsafe { libc::select(nfds, read_ptr, write_ptr, except_ptr, timeout_ptr) };
        if ready < 0 {
            return Err(
                Errno::from_io_error(&std::io::Error::last_os_error()).unwrap_or(Errno::INVAL)
            );
        }
        for (set, bits) in [(read_set, read), (write_set, write), (except_set, except)] {
            if let (Some(set), Some(bits)) = (set, bits) {
                read_back(&set, bits);
            }
        }
        Ok(usize::try_from(ready).unwrap_or(0))
    }
}

#[cfg(windows)]
mod imp {
    //! WinSock's `select` through rustix, whose Windows sets are WinSock's own `fd_set`
    //! layout: a count followed by that many sockets, in `FdSetElement` words. WinSock reads
    //! `fd_count` entries, so a set may hold more than `winsock2.h`'s default of 64; it holds
    //! [`FD_SETSIZE`] (512, as CPython builds it).

    use std::time::Duration;

    use rustix::event::{FdSetElement, FdSetIter, Timespec, fd_set_insert, fd_set_num_elements};
    use rustix::io::Errno;

    use crate::FD_SETSIZE;
    use crate::conv::FdBits;

    /// Words in one set of `FD_SETSIZE` sockets: one for `fd_count` (padded to a socket's
    /// alignment) and one per socket, since a `SOCKET` and an `FdSetElement` have the same
    /// size on both 32- and 64-bit Windows.
    pub(crate) const WORDS: usize = 1 + FD_SETSIZE;

    /// One set in WinSock's layout, filled from `bits`.
    fn kernel_set(bits: &FdBits) -> [FdSetElement; WORDS] {
        debug_assert!(fd_set_num_elements(FD_SETSIZE, 0) <= WORDS);
        let mut set = [FdSetElement::default(); WORDS];
        for socket in bits.iter() {
            fd_set_insert(&mut set, socket);
        }
        set
    }

    /// Copies what WinSock left in `set` (the ready members, moved to the front) back into
    /// `bits`.
    fn read_back(set: &[FdSetElement], bits: &mut FdBits) {
        bits.clear();
        for socket in FdSetIter::new(set) {
            bits.insert(socket);
        }
    }

    /// Sleeps for `timeout` (for ever with `None`): what select(2) does on Unix with three
    /// empty sets, which WinSock refuses with `WSAEINVAL`. Python passes that `WSAEINVAL`
    /// through; this crate sleeps instead, deliberately, so a [`crate::Select`] with nothing
    /// registered waits out its timeout on every platform, as the [`select_core::Backend`]
    /// contract requires, and `select(&[], &[], &[], t)` is the portable sleep it is on Unix.
    fn sleep(timeout: Option<&Timespec>) -> Result<usize, Errno> {
        match timeout {
            Some(timeout) => {
                let seconds = u64::try_from(timeout.tv_sec).map_err(|_| Errno::INVAL)?;
                let nanos = u32::try_from(timeout.tv_nsec).map_err(|_| Errno::INVAL)?;
                std::thread::sleep(Duration::new(seconds, nanos));
                Ok(0)
            }
            None => loop {
                std::thread::park();
            },
        }
    }

    pub(super) fn select(
        nfds: i32,
        read: Option<&mut FdBits>,
        write: Option<&mut FdBits>,
        except: Option<&mut FdBits>,
        timeout: Option<&Timespec>,
    ) -> Result<usize, Errno> {
        let members = [&read, &write, &except]
            .iter()
            .map(|set| set.as_deref().map_or(0, FdBits::len))
            .sum::<usize>();
        if members == 0 {
            return sleep(timeout);
        }
        let mut read_set = read.as_deref().map(kernel_set);
        let mut write_set = write.as_deref().map(kernel_set);
        let mut except_set = except.as_deref().map(kernel_set);
        // SAFETY: rustix requires every socket in the sets to be open (I/O safety) and each
        // set to hold `fd_set_num_elements(count)` words; each holds `WORDS`, enough for
        // `FD_SETSIZE` sockets, and no set has more members (`FdBits` holds at most that
        // many). The sockets were open when registered or are borrowed for this call; one
        // that was closed since makes WinSock fail with `WSAENOTSOCK`, and a reused handle
        // only reports the new socket's readiness: `select` reads readiness and performs no
        // I/O on any socket.
        let ready = unsafe {
            rustix::event::select(
                nfds,
                read_set.as_mut().map(|set| &mut set[..]),
                write_set.as_mut().map(|set| &mut set[..]),
                except_set.as_mut().map(|set| &mut set[..]),
                timeout,
            )
        }?;
        for (set, bits) in [(read_set, read), (write_set, write), (except_set, except)] {
            if let (Some(set), Some(bits)) = (set, bits) {
                read_back(&set, bits);
            }
        }
        Ok(usize::try_from(ready).unwrap_or(0))
    }
}

#[cfg(all(test, repository_tests))]
pub(crate) use counting::{CountingAllocator, allocations};

#[cfg(all(test, repository_tests))]
mod counting {
    //! The test binary's global allocator: the system allocator, counting the allocations
    //! each thread makes, which proves that steady-state waits do not allocate.

    // The thread-local's initializer is already `const`; clippy still flags it on targets whose
    // thread-local storage is emulated (OpenBSD, Solaris), where `thread_local!` expands
    // differently, and an attribute on the macro call itself is ignored.
    #![allow(clippy::missing_const_for_thread_local)]

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    /// The system allocator, counting allocations per thread.
    #[derive(Debug)]
    pub(crate) struct CountingAllocator;

    thread_local! {
        static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    }

    /// How many allocations the current thread has made so far.
    pub(crate) fn allocations() -> usize {
        ALLOCATIONS.with(Cell::get)
    }

    fn count_allocation() {
        // `try_with` fails only while the thread is being torn down; nothing is counted then.
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
    }

    // SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
    // `System`'s guarantees hold; the counter is a const-initialised thread-local `Cell`,
    // which never allocates.
    unsafe impl GlobalAlloc for CountingAllocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count_allocation();
            // SAFETY: the caller upholds `alloc`'s contract, which is passed on unchanged.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller upholds `dealloc`'s contract, which is passed on unchanged.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count_allocation();
            // SAFETY: the caller upholds `realloc`'s contract, which is passed on unchanged.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}
