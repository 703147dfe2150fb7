//! Every `EVFILT_*`, `EV_*` and `NOTE_*` constant the target's `<sys/event.h>` defines, under
//! Python's names (`KQ_FILTER_*`, `KQ_EV_*`, `KQ_NOTE_*`), with values from `libc`.
//!
//! Python exports the filters READ, WRITE, AIO, VNODE, PROC, SIGNAL, TIMER and (where defined)
//! NETDEV; the flags; and the LOWAT, vnode, process and network-device notes. This module
//! exports all of those the target has plus every other filter, flag and note `libc` defines
//! for it (USER, EXCEPT, EMPTY, the timer units, ...), each gated on the systems that have it.
//! `EVFILT_NETDEV` and its `NOTE_LINK*` notes are not exported: FreeBSD removed them in 8.0
//! and no supported system defines them.
//!
//! Filters have the type [`Filter`], flags [`Flags`], notes [`FilterFlags`]: the field types
//! of [`KEvent`](crate::KEvent) on the target.

// The field types of `struct kevent`: defined here, below every module that uses them.

/// The type of [`KEvent::filter`](crate::KEvent::filter): `short` (`i16`) on macOS, iOS,
/// FreeBSD, OpenBSD and DragonFly BSD; `uint32_t` on NetBSD.
#[cfg(not(netbsd))]
pub type Filter = i16;
/// The type of [`KEvent::filter`](crate::KEvent::filter): `short` (`i16`) on macOS, iOS,
/// FreeBSD, OpenBSD and DragonFly BSD; `uint32_t` on NetBSD.
#[cfg(netbsd)]
pub type Filter = u32;

/// The type of [`KEvent::flags`](crate::KEvent::flags): `unsigned short` (`u16`) on macOS,
/// iOS, FreeBSD, OpenBSD and DragonFly BSD; `uint32_t` on NetBSD.
#[cfg(not(netbsd))]
pub type Flags = u16;
/// The type of [`KEvent::flags`](crate::KEvent::flags): `unsigned short` (`u16`) on macOS,
/// iOS, FreeBSD, OpenBSD and DragonFly BSD; `uint32_t` on NetBSD.
#[cfg(netbsd)]
pub type Flags = u32;

/// The type of [`KEvent::fflags`](crate::KEvent::fflags): `unsigned int` (`u32`) everywhere.
pub type FilterFlags = u32;

// Filters: what an event watches.

/// `EVFILT_READ`: Readable data or an end of stream on a descriptor; `data` is the byte count (or the listen backlog).
///
/// Python: `select.KQ_FILTER_READ`.
pub const KQ_FILTER_READ: Filter = libc::EVFILT_READ;

/// `EVFILT_WRITE`: Room to write on a descriptor; `data` is the space available.
///
/// Python: `select.KQ_FILTER_WRITE`.
pub const KQ_FILTER_WRITE: Filter = libc::EVFILT_WRITE;

/// `EVFILT_AIO`: Completion of an asynchronous I/O request.
///
/// Python: `select.KQ_FILTER_AIO`.
pub const KQ_FILTER_AIO: Filter = libc::EVFILT_AIO;

/// `EVFILT_VNODE`: Changes to a file, selected by the `KQ_NOTE_*` vnode notes in `fflags`.
///
/// Python: `select.KQ_FILTER_VNODE`.
pub const KQ_FILTER_VNODE: Filter = libc::EVFILT_VNODE;

/// `EVFILT_PROC`: Events of a process (`ident` is its pid), selected by the `KQ_NOTE_*` process notes.
///
/// Python: `select.KQ_FILTER_PROC`.
pub const KQ_FILTER_PROC: Filter = libc::EVFILT_PROC;

/// `EVFILT_SIGNAL`: Delivery attempts of a signal (`ident` is its number); `data` counts them.
///
/// Python: `select.KQ_FILTER_SIGNAL`.
pub const KQ_FILTER_SIGNAL: Filter = libc::EVFILT_SIGNAL;

/// `EVFILT_TIMER`: A timer (`ident` is any number) firing every `data` units (milliseconds unless a `KQ_NOTE_*SECONDS` note says otherwise).
///
/// Python: `select.KQ_FILTER_TIMER`.
pub const KQ_FILTER_TIMER: Filter = libc::EVFILT_TIMER;

/// `EVFILT_USER`: A user event (`ident` is any number), triggered from user space with `KQ_NOTE_TRIGGER`.
///
/// Defined for every kqueue target, but OpenBSD's kernel has it only from 7.8 and NetBSD's
/// from 10.0: older kernels refuse it with `EINVAL`, and `Backend::user_event` then returns
/// `None`.
///
/// Python: `select.KQ_FILTER_USER`.
pub const KQ_FILTER_USER: Filter = libc::EVFILT_USER;

/// `EVFILT_FS`: File system events (mounts, unmounts).
///
/// Python: `select.KQ_FILTER_FS`.
#[cfg(any(apple, freebsd, dragonfly, netbsd))]
pub const KQ_FILTER_FS: Filter = libc::EVFILT_FS;

/// `EVFILT_EXCEPT`: Exceptional conditions on a descriptor, such as out-of-band data (`KQ_NOTE_OOB`).
///
/// Python: `select.KQ_FILTER_EXCEPT`.
#[cfg(any(apple, dragonfly, openbsd))]
pub const KQ_FILTER_EXCEPT: Filter = libc::EVFILT_EXCEPT;

/// `EVFILT_EMPTY`: A descriptor's send buffer became empty.
///
/// Python: `select.KQ_FILTER_EMPTY`.
#[cfg(any(freebsd, netbsd))]
pub const KQ_FILTER_EMPTY: Filter = libc::EVFILT_EMPTY;

/// `EVFILT_MACHPORT`: Messages on a Mach port set.
///
/// Python: `select.KQ_FILTER_MACHPORT`.
#[cfg(apple)]
pub const KQ_FILTER_MACHPORT: Filter = libc::EVFILT_MACHPORT;

/// `EVFILT_VM`: Virtual memory pressure (`KQ_NOTE_VM_*`).
///
/// Python: `select.KQ_FILTER_VM`.
#[cfg(apple)]
pub const KQ_FILTER_VM: Filter = libc::EVFILT_VM;

/// `EVFILT_PROCDESC`: Events of a process descriptor (`pdfork(2)`).
///
/// Python: `select.KQ_FILTER_PROCDESC`.
#[cfg(freebsd)]
pub const KQ_FILTER_PROCDESC: Filter = libc::EVFILT_PROCDESC;

/// `EVFILT_LIO`: Completion of a list of asynchronous I/O requests (`lio_listio(2)`).
///
/// Python: `select.KQ_FILTER_LIO`.
#[cfg(freebsd)]
pub const KQ_FILTER_LIO: Filter = libc::EVFILT_LIO;

/// `EVFILT_SENDFILE`: Completion of a `sendfile(2)` transfer.
///
/// Python: `select.KQ_FILTER_SENDFILE`.
#[cfg(freebsd)]
pub const KQ_FILTER_SENDFILE: Filter = libc::EVFILT_SENDFILE;

/// `EVFILT_DEVICE`: Device changes, such as a display being attached.
///
/// Python: `select.KQ_FILTER_DEVICE`.
#[cfg(openbsd)]
pub const KQ_FILTER_DEVICE: Filter = libc::EVFILT_DEVICE;

// Flags: actions on an event, and conditions the kernel returns.

/// `EV_ADD`: Add the event to the queue, or modify it if it is there (implies `KQ_EV_ENABLE`).
///
/// Python: `select.KQ_EV_ADD`.
pub const KQ_EV_ADD: Flags = libc::EV_ADD;

/// `EV_DELETE`: Remove the event from the queue.
///
/// Python: `select.KQ_EV_DELETE`.
pub const KQ_EV_DELETE: Flags = libc::EV_DELETE;

/// `EV_ENABLE`: Let the event be reported again after `KQ_EV_DISABLE` or `KQ_EV_DISPATCH`.
///
/// Python: `select.KQ_EV_ENABLE`.
pub const KQ_EV_ENABLE: Flags = libc::EV_ENABLE;

/// `EV_DISABLE`: Keep the event in the queue but stop reporting it.
///
/// Python: `select.KQ_EV_DISABLE`.
pub const KQ_EV_DISABLE: Flags = libc::EV_DISABLE;

/// `EV_ONESHOT`: Report the event once, then delete it.
///
/// Python: `select.KQ_EV_ONESHOT`.
pub const KQ_EV_ONESHOT: Flags = libc::EV_ONESHOT;

/// `EV_CLEAR`: Reset the event's state after it is reported (edge-triggered).
///
/// Python: `select.KQ_EV_CLEAR`.
pub const KQ_EV_CLEAR: Flags = libc::EV_CLEAR;

/// `EV_RECEIPT`: Answer this change with a receipt (`KQ_EV_ERROR` set, `data` the errno or 0) instead of reporting pending events.
///
/// Python: `select.KQ_EV_RECEIPT`.
pub const KQ_EV_RECEIPT: Flags = libc::EV_RECEIPT;

/// `EV_DISPATCH`: Disable the event after it is reported, until `KQ_EV_ENABLE`.
///
/// Python: `select.KQ_EV_DISPATCH`.
pub const KQ_EV_DISPATCH: Flags = libc::EV_DISPATCH;

/// `EV_FLAG1`: A flag whose meaning is specific to the filter.
///
/// Python: `select.KQ_EV_FLAG1`.
pub const KQ_EV_FLAG1: Flags = libc::EV_FLAG1;

/// `EV_ERROR`: Returned: the change failed, and `data` holds the errno (or, with `KQ_EV_RECEIPT`, 0 for success).
///
/// Python: `select.KQ_EV_ERROR`.
pub const KQ_EV_ERROR: Flags = libc::EV_ERROR;

/// `EV_EOF`: Returned: the filter found an end-of-file condition; `fflags` may hold an errno.
///
/// Python: `select.KQ_EV_EOF`.
pub const KQ_EV_EOF: Flags = libc::EV_EOF;

/// `EV_SYSFLAGS`: The flags reserved for the system.
///
/// Python: `select.KQ_EV_SYSFLAGS`.
///
/// `libc` marks it deprecated on OpenBSD because its value changed between releases; it is
/// exported anyway, as Python exports it, with the value of `libc`'s ABI baseline.
#[allow(deprecated, reason = "Python exports it; see the note above")]
pub const KQ_EV_SYSFLAGS: Flags = libc::EV_SYSFLAGS;

/// `EV_UDATA_SPECIFIC`: The event is identified by `udata` as well as `ident` and `filter`.
///
/// Python: `select.KQ_EV_UDATA_SPECIFIC`.
#[cfg(apple)]
pub const KQ_EV_UDATA_SPECIFIC: Flags = libc::EV_UDATA_SPECIFIC;

/// `EV_DISPATCH2`: `KQ_EV_DISPATCH` combined with `KQ_EV_UDATA_SPECIFIC`.
///
/// Python: `select.KQ_EV_DISPATCH2`.
#[cfg(apple)]
pub const KQ_EV_DISPATCH2: Flags = libc::EV_DISPATCH2;

/// `EV_VANISHED`: Report a registration whose source vanished (with `KQ_EV_DISPATCH2`).
///
/// Python: `select.KQ_EV_VANISHED`.
#[cfg(apple)]
pub const KQ_EV_VANISHED: Flags = libc::EV_VANISHED;

/// `EV_FLAG0`: A filter-specific flag (the same bit as `KQ_EV_POLL`).
///
/// Python: `select.KQ_EV_FLAG0`.
#[cfg(apple)]
pub const KQ_EV_FLAG0: Flags = libc::EV_FLAG0;

/// `EV_POLL`: Returned: the event came from a `poll(2)` emulation.
///
/// Python: `select.KQ_EV_POLL`.
#[cfg(apple)]
pub const KQ_EV_POLL: Flags = libc::EV_POLL;

/// `EV_OOBAND`: Returned: out-of-band data is pending (the same bit as `KQ_EV_FLAG1`).
///
/// Python: `select.KQ_EV_OOBAND`.
#[cfg(apple)]
pub const KQ_EV_OOBAND: Flags = libc::EV_OOBAND;

/// `EV_FORCEONESHOT`: Make an existing event oneshot, so it is reported once more and deleted.
///
/// Python: `select.KQ_EV_FORCEONESHOT`.
#[cfg(freebsd)]
pub const KQ_EV_FORCEONESHOT: Flags = libc::EV_FORCEONESHOT;

/// `EV_KEEPUDATA`: Do not change `udata` when modifying the event.
///
/// Python: `select.KQ_EV_KEEPUDATA`.
#[cfg(freebsd)]
pub const KQ_EV_KEEPUDATA: Flags = libc::EV_KEEPUDATA;

/// `EV_DROP`: Reserved for the kernel: drop the event.
///
/// Python: `select.KQ_EV_DROP`.
#[cfg(freebsd)]
pub const KQ_EV_DROP: Flags = libc::EV_DROP;

/// `EV_FLAG2`: A second flag whose meaning is specific to the filter.
///
/// Python: `select.KQ_EV_FLAG2`.
#[cfg(freebsd)]
pub const KQ_EV_FLAG2: Flags = libc::EV_FLAG2;

/// `EV_NODATA`: Returned: the end of file condition was reached with no data left.
///
/// Python: `select.KQ_EV_NODATA`.
#[cfg(dragonfly)]
pub const KQ_EV_NODATA: Flags = libc::EV_NODATA;

/// `EV_HUP`: Returned: the peer hung up completely.
///
/// Python: `select.KQ_EV_HUP`.
#[cfg(dragonfly)]
pub const KQ_EV_HUP: Flags = libc::EV_HUP;

// Notes: filter-specific flags in `fflags`.

/// `NOTE_TRIGGER`: `KQ_FILTER_USER`: trigger the event.
///
/// Python: `select.KQ_NOTE_TRIGGER`.
pub const KQ_NOTE_TRIGGER: FilterFlags = libc::NOTE_TRIGGER;

/// `NOTE_FFNOP`: `KQ_FILTER_USER`: ignore the input `fflags`.
///
/// Python: `select.KQ_NOTE_FFNOP`.
pub const KQ_NOTE_FFNOP: FilterFlags = libc::NOTE_FFNOP;

/// `NOTE_FFAND`: `KQ_FILTER_USER`: AND the input `fflags` into the event's.
///
/// Python: `select.KQ_NOTE_FFAND`.
pub const KQ_NOTE_FFAND: FilterFlags = libc::NOTE_FFAND;

/// `NOTE_FFOR`: `KQ_FILTER_USER`: OR the input `fflags` into the event's.
///
/// Python: `select.KQ_NOTE_FFOR`.
pub const KQ_NOTE_FFOR: FilterFlags = libc::NOTE_FFOR;

/// `NOTE_FFCOPY`: `KQ_FILTER_USER`: copy the input `fflags` into the event's.
///
/// Python: `select.KQ_NOTE_FFCOPY`.
pub const KQ_NOTE_FFCOPY: FilterFlags = libc::NOTE_FFCOPY;

/// `NOTE_FFCTRLMASK`: `KQ_FILTER_USER`: the mask of the control bits (`KQ_NOTE_FF*`).
///
/// Python: `select.KQ_NOTE_FFCTRLMASK`.
pub const KQ_NOTE_FFCTRLMASK: FilterFlags = libc::NOTE_FFCTRLMASK;

/// `NOTE_FFLAGSMASK`: `KQ_FILTER_USER`: the mask of the user-defined flag bits.
///
/// Python: `select.KQ_NOTE_FFLAGSMASK`.
pub const KQ_NOTE_FFLAGSMASK: FilterFlags = libc::NOTE_FFLAGSMASK;

/// `NOTE_LOWAT`: `KQ_FILTER_READ`/`KQ_FILTER_WRITE`: `data` is the low-water mark.
///
/// Python: `select.KQ_NOTE_LOWAT`.
pub const KQ_NOTE_LOWAT: FilterFlags = libc::NOTE_LOWAT;

/// `NOTE_DELETE`: `KQ_FILTER_VNODE`: the file was unlinked.
///
/// Python: `select.KQ_NOTE_DELETE`.
pub const KQ_NOTE_DELETE: FilterFlags = libc::NOTE_DELETE;

/// `NOTE_WRITE`: `KQ_FILTER_VNODE`: the file was written.
///
/// Python: `select.KQ_NOTE_WRITE`.
pub const KQ_NOTE_WRITE: FilterFlags = libc::NOTE_WRITE;

/// `NOTE_EXTEND`: `KQ_FILTER_VNODE`: the file was extended.
///
/// Python: `select.KQ_NOTE_EXTEND`.
pub const KQ_NOTE_EXTEND: FilterFlags = libc::NOTE_EXTEND;

/// `NOTE_ATTRIB`: `KQ_FILTER_VNODE`: the file's attributes changed.
///
/// Python: `select.KQ_NOTE_ATTRIB`.
pub const KQ_NOTE_ATTRIB: FilterFlags = libc::NOTE_ATTRIB;

/// `NOTE_LINK`: `KQ_FILTER_VNODE`: the file's link count changed.
///
/// Python: `select.KQ_NOTE_LINK`.
pub const KQ_NOTE_LINK: FilterFlags = libc::NOTE_LINK;

/// `NOTE_RENAME`: `KQ_FILTER_VNODE`: the file was renamed.
///
/// Python: `select.KQ_NOTE_RENAME`.
pub const KQ_NOTE_RENAME: FilterFlags = libc::NOTE_RENAME;

/// `NOTE_REVOKE`: `KQ_FILTER_VNODE`: access to the file was revoked.
///
/// Python: `select.KQ_NOTE_REVOKE`.
pub const KQ_NOTE_REVOKE: FilterFlags = libc::NOTE_REVOKE;

/// `NOTE_EXIT`: `KQ_FILTER_PROC`: the process exited.
///
/// Python: `select.KQ_NOTE_EXIT`.
pub const KQ_NOTE_EXIT: FilterFlags = libc::NOTE_EXIT;

/// `NOTE_FORK`: `KQ_FILTER_PROC`: the process forked.
///
/// Python: `select.KQ_NOTE_FORK`.
pub const KQ_NOTE_FORK: FilterFlags = libc::NOTE_FORK;

/// `NOTE_EXEC`: `KQ_FILTER_PROC`: the process executed a new image.
///
/// Python: `select.KQ_NOTE_EXEC`.
pub const KQ_NOTE_EXEC: FilterFlags = libc::NOTE_EXEC;

/// `NOTE_PDATAMASK`: `KQ_FILTER_PROC`: the mask of the data bits (a pid).
///
/// Python: `select.KQ_NOTE_PDATAMASK`.
pub const KQ_NOTE_PDATAMASK: FilterFlags = libc::NOTE_PDATAMASK;

/// `NOTE_PCTRLMASK`: `KQ_FILTER_PROC`: the mask of the control bits.
///
/// Python: `select.KQ_NOTE_PCTRLMASK`.
///
/// `libc` marks it deprecated on FreeBSD because its value changed between releases; it is
/// exported anyway, as Python exports it, with the value of `libc`'s ABI baseline.
#[allow(deprecated, reason = "Python exports it; see the note above")]
pub const KQ_NOTE_PCTRLMASK: FilterFlags = libc::NOTE_PCTRLMASK;

/// `NOTE_TRACK`: `KQ_FILTER_PROC`: follow the process across forks.
///
/// Python: `select.KQ_NOTE_TRACK`.
pub const KQ_NOTE_TRACK: FilterFlags = libc::NOTE_TRACK;

/// `NOTE_TRACKERR`: `KQ_FILTER_PROC`, returned: a forked child could not be tracked.
///
/// Python: `select.KQ_NOTE_TRACKERR`.
pub const KQ_NOTE_TRACKERR: FilterFlags = libc::NOTE_TRACKERR;

/// `NOTE_CHILD`: `KQ_FILTER_PROC`, returned: the event is for a tracked child; `data` is the parent's pid.
///
/// Python: `select.KQ_NOTE_CHILD`.
pub const KQ_NOTE_CHILD: FilterFlags = libc::NOTE_CHILD;

/// `NOTE_OOB`: `KQ_FILTER_READ`/`KQ_FILTER_EXCEPT`: out-of-band data is pending.
///
/// Python: `select.KQ_NOTE_OOB`.
#[cfg(any(apple, dragonfly, openbsd))]
pub const KQ_NOTE_OOB: FilterFlags = libc::NOTE_OOB;

/// `NOTE_SECONDS`: `KQ_FILTER_TIMER`: `data` is in seconds.
///
/// Python: `select.KQ_NOTE_SECONDS`.
#[cfg(any(apple, freebsd, netbsd))]
pub const KQ_NOTE_SECONDS: FilterFlags = libc::NOTE_SECONDS;

/// `NOTE_USECONDS`: `KQ_FILTER_TIMER`: `data` is in microseconds.
///
/// Python: `select.KQ_NOTE_USECONDS`.
#[cfg(any(apple, freebsd, netbsd))]
pub const KQ_NOTE_USECONDS: FilterFlags = libc::NOTE_USECONDS;

/// `NOTE_NSECONDS`: `KQ_FILTER_TIMER`: `data` is in nanoseconds.
///
/// Python: `select.KQ_NOTE_NSECONDS`.
#[cfg(any(apple, freebsd, netbsd))]
pub const KQ_NOTE_NSECONDS: FilterFlags = libc::NOTE_NSECONDS;

/// `NOTE_MSECONDS`: `KQ_FILTER_TIMER`: `data` is in milliseconds (the default).
///
/// Python: `select.KQ_NOTE_MSECONDS`.
#[cfg(any(freebsd, netbsd))]
pub const KQ_NOTE_MSECONDS: FilterFlags = libc::NOTE_MSECONDS;

/// `NOTE_ABSTIME`: `KQ_FILTER_TIMER`: `data` is an absolute time.
///
/// Python: `select.KQ_NOTE_ABSTIME`.
#[cfg(any(freebsd, netbsd))]
pub const KQ_NOTE_ABSTIME: FilterFlags = libc::NOTE_ABSTIME;

/// `NOTE_NONE`: `KQ_FILTER_VNODE`: no condition (a placeholder).
///
/// Python: `select.KQ_NOTE_NONE`.
#[cfg(apple)]
pub const KQ_NOTE_NONE: FilterFlags = libc::NOTE_NONE;

/// `NOTE_FUNLOCK`: `KQ_FILTER_VNODE`: the file was unlocked.
///
/// Python: `select.KQ_NOTE_FUNLOCK`.
#[cfg(apple)]
pub const KQ_NOTE_FUNLOCK: FilterFlags = libc::NOTE_FUNLOCK;

/// `NOTE_LEASE_DOWNGRADE`: `KQ_FILTER_VNODE`: a lease on the file is to be downgraded.
///
/// Python: `select.KQ_NOTE_LEASE_DOWNGRADE`.
#[cfg(apple)]
pub const KQ_NOTE_LEASE_DOWNGRADE: FilterFlags = libc::NOTE_LEASE_DOWNGRADE;

/// `NOTE_LEASE_RELEASE`: `KQ_FILTER_VNODE`: a lease on the file is to be released.
///
/// Python: `select.KQ_NOTE_LEASE_RELEASE`.
#[cfg(apple)]
pub const KQ_NOTE_LEASE_RELEASE: FilterFlags = libc::NOTE_LEASE_RELEASE;

/// `NOTE_SIGNAL`: `KQ_FILTER_PROC`: the process received a signal.
///
/// Python: `select.KQ_NOTE_SIGNAL`.
#[cfg(apple)]
pub const KQ_NOTE_SIGNAL: FilterFlags = libc::NOTE_SIGNAL;

/// `NOTE_EXITSTATUS`: `KQ_FILTER_PROC`: report the exit status in `data` with `KQ_NOTE_EXIT`.
///
/// Python: `select.KQ_NOTE_EXITSTATUS`.
#[cfg(apple)]
pub const KQ_NOTE_EXITSTATUS: FilterFlags = libc::NOTE_EXITSTATUS;

/// `NOTE_EXIT_DETAIL`: `KQ_FILTER_PROC`: report why the process exited with `KQ_NOTE_EXIT`.
///
/// Python: `select.KQ_NOTE_EXIT_DETAIL`.
#[cfg(apple)]
pub const KQ_NOTE_EXIT_DETAIL: FilterFlags = libc::NOTE_EXIT_DETAIL;

/// `NOTE_EXIT_DETAIL_MASK`: `KQ_FILTER_PROC`: the mask of the exit-detail bits in `data`.
///
/// Python: `select.KQ_NOTE_EXIT_DETAIL_MASK`.
#[cfg(apple)]
pub const KQ_NOTE_EXIT_DETAIL_MASK: FilterFlags = libc::NOTE_EXIT_DETAIL_MASK;

/// `NOTE_EXIT_DECRYPTFAIL`: `KQ_FILTER_PROC`, exit detail: decrypting the image failed.
///
/// Python: `select.KQ_NOTE_EXIT_DECRYPTFAIL`.
#[cfg(apple)]
pub const KQ_NOTE_EXIT_DECRYPTFAIL: FilterFlags = libc::NOTE_EXIT_DECRYPTFAIL;

/// `NOTE_EXIT_MEMORY`: `KQ_FILTER_PROC`, exit detail: killed for memory pressure.
///
/// Python: `select.KQ_NOTE_EXIT_MEMORY`.
#[cfg(apple)]
pub const KQ_NOTE_EXIT_MEMORY: FilterFlags = libc::NOTE_EXIT_MEMORY;

/// `NOTE_EXIT_CSERROR`: `KQ_FILTER_PROC`, exit detail: a code-signing error.
///
/// Python: `select.KQ_NOTE_EXIT_CSERROR`.
#[cfg(apple)]
pub const KQ_NOTE_EXIT_CSERROR: FilterFlags = libc::NOTE_EXIT_CSERROR;

/// `NOTE_VM_PRESSURE`: `KQ_FILTER_VM`: the system is under memory pressure.
///
/// Python: `select.KQ_NOTE_VM_PRESSURE`.
#[cfg(apple)]
pub const KQ_NOTE_VM_PRESSURE: FilterFlags = libc::NOTE_VM_PRESSURE;

/// `NOTE_VM_PRESSURE_TERMINATE`: `KQ_FILTER_VM`: the process will be terminated for memory pressure.
///
/// Python: `select.KQ_NOTE_VM_PRESSURE_TERMINATE`.
#[cfg(apple)]
pub const KQ_NOTE_VM_PRESSURE_TERMINATE: FilterFlags = libc::NOTE_VM_PRESSURE_TERMINATE;

/// `NOTE_VM_PRESSURE_SUDDEN_TERMINATE`: `KQ_FILTER_VM`: the process will be terminated at once for memory pressure.
///
/// Python: `select.KQ_NOTE_VM_PRESSURE_SUDDEN_TERMINATE`.
#[cfg(apple)]
pub const KQ_NOTE_VM_PRESSURE_SUDDEN_TERMINATE: FilterFlags =
    libc::NOTE_VM_PRESSURE_SUDDEN_TERMINATE;

/// `NOTE_VM_ERROR`: `KQ_FILTER_VM`: a virtual memory error occurred.
///
/// Python: `select.KQ_NOTE_VM_ERROR`.
#[cfg(apple)]
pub const KQ_NOTE_VM_ERROR: FilterFlags = libc::NOTE_VM_ERROR;

/// `NOTE_ABSOLUTE`: `KQ_FILTER_TIMER`: `data` is an absolute time.
///
/// Python: `select.KQ_NOTE_ABSOLUTE`.
#[cfg(apple)]
pub const KQ_NOTE_ABSOLUTE: FilterFlags = libc::NOTE_ABSOLUTE;

/// `NOTE_LEEWAY`: `KQ_FILTER_TIMER`: the extension fields hold a leeway.
///
/// Python: `select.KQ_NOTE_LEEWAY`.
#[cfg(apple)]
pub const KQ_NOTE_LEEWAY: FilterFlags = libc::NOTE_LEEWAY;

/// `NOTE_CRITICAL`: `KQ_FILTER_TIMER`: the timer is critical and gets no leeway.
///
/// Python: `select.KQ_NOTE_CRITICAL`.
#[cfg(apple)]
pub const KQ_NOTE_CRITICAL: FilterFlags = libc::NOTE_CRITICAL;

/// `NOTE_BACKGROUND`: `KQ_FILTER_TIMER`: the timer may be deferred freely.
///
/// Python: `select.KQ_NOTE_BACKGROUND`.
#[cfg(apple)]
pub const KQ_NOTE_BACKGROUND: FilterFlags = libc::NOTE_BACKGROUND;

/// `NOTE_MACH_CONTINUOUS_TIME`: `KQ_FILTER_TIMER`: use the continuous clock, which advances during sleep.
///
/// Python: `select.KQ_NOTE_MACH_CONTINUOUS_TIME`.
#[cfg(apple)]
pub const KQ_NOTE_MACH_CONTINUOUS_TIME: FilterFlags = libc::NOTE_MACH_CONTINUOUS_TIME;

/// `NOTE_MACHTIME`: `KQ_FILTER_TIMER`: `data` is in Mach absolute-time units.
///
/// Python: `select.KQ_NOTE_MACHTIME`.
#[cfg(apple)]
pub const KQ_NOTE_MACHTIME: FilterFlags = libc::NOTE_MACHTIME;

/// `NOTE_FILE_POLL`: `KQ_FILTER_READ`/`KQ_FILTER_WRITE` on files: behave like `poll(2)`.
///
/// Python: `select.KQ_NOTE_FILE_POLL`.
#[cfg(freebsd)]
pub const KQ_NOTE_FILE_POLL: FilterFlags = libc::NOTE_FILE_POLL;

/// `NOTE_OPEN`: `KQ_FILTER_VNODE`: the file was opened.
///
/// Python: `select.KQ_NOTE_OPEN`.
#[cfg(freebsd)]
pub const KQ_NOTE_OPEN: FilterFlags = libc::NOTE_OPEN;

/// `NOTE_CLOSE`: `KQ_FILTER_VNODE`: a descriptor of the file that could not write was closed.
///
/// Python: `select.KQ_NOTE_CLOSE`.
#[cfg(freebsd)]
pub const KQ_NOTE_CLOSE: FilterFlags = libc::NOTE_CLOSE;

/// `NOTE_CLOSE_WRITE`: `KQ_FILTER_VNODE`: a descriptor of the file that could write was closed.
///
/// Python: `select.KQ_NOTE_CLOSE_WRITE`.
#[cfg(freebsd)]
pub const KQ_NOTE_CLOSE_WRITE: FilterFlags = libc::NOTE_CLOSE_WRITE;

/// `NOTE_READ`: `KQ_FILTER_VNODE`: the file was read.
///
/// Python: `select.KQ_NOTE_READ`.
#[cfg(freebsd)]
pub const KQ_NOTE_READ: FilterFlags = libc::NOTE_READ;

/// `NOTE_EOF`: `KQ_FILTER_READ`: report end of file on a regular file.
///
/// Python: `select.KQ_NOTE_EOF`.
#[cfg(openbsd)]
pub const KQ_NOTE_EOF: FilterFlags = libc::NOTE_EOF;

/// `NOTE_TRUNCATE`: `KQ_FILTER_VNODE`: the file was truncated.
///
/// Python: `select.KQ_NOTE_TRUNCATE`.
#[cfg(openbsd)]
pub const KQ_NOTE_TRUNCATE: FilterFlags = libc::NOTE_TRUNCATE;

/// `NOTE_CHANGE`: `KQ_FILTER_DEVICE`: the device changed.
///
/// Python: `select.KQ_NOTE_CHANGE`.
#[cfg(openbsd)]
pub const KQ_NOTE_CHANGE: FilterFlags = libc::NOTE_CHANGE;
