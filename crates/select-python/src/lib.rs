//! CPython's `select` module, rebuilt on the `select-*` crates with PyO3: a drop-in
//! replacement that passes CPython's own test files unmodified.
//!
//! ```sh
//! cargo xtask ci python    # builds, installs in target/ci-python/site, runs CPython's tests
//! PYTHONPATH=target/ci-python/site python3 -c 'import select; print(select._select_rs)'
//! ```
//!
//! The module converts; the crates do the work: `select()` and `poll` call select-poll,
//! `epoll` calls select-epoll, `kqueue` and `kevent` select-kqueue, `devpoll` select-devpoll.
//! The crate's README says how to build and install the module by hand, and what differs from
//! CPython and why.

#![cfg(unix)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
// PyO3's macros expand to items the workspace's lints would flag; the module's own code is
// held to them everywhere else.
#![allow(unreachable_pub, missing_docs)]

mod convert;
#[cfg(devpoll)]
mod devpoll;
#[cfg(linux_kernel)]
mod epoll;
mod interrupt;
#[cfg(kqueue)]
mod kqueue;
mod poll;
mod select;
mod sys;

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;

/// The module's docstring, CPython's.
const DOC: &str = "This module supports asynchronous I/O on multiple file descriptors.\n\n\
                   *** IMPORTANT NOTICE ***\n\
                   On Windows, only sockets are supported; on Unix, all file descriptors.";

/// The module `select`.
#[pymodule(name = "select", gil_used = true)]
fn select_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("__doc__", DOC)?;
    // The runner checks this to be sure the module under test is this one.
    module.add("_select_rs", env!("CARGO_PKG_VERSION"))?;
    module.add("error", py.get_type::<PyOSError>())?;
    module.add("PIPE_BUF", select_core::PIPE_BUF)?;
    module.add_function(wrap_pyfunction!(select::select, module)?)?;
    module.add_function(wrap_pyfunction!(poll::new_poll, module)?)?;
    add_poll_constants(module)?;
    #[cfg(linux_kernel)]
    {
        module.add_class::<epoll::EpollObject>()?;
        add_epoll_constants(module)?;
    }
    #[cfg(devpoll)]
    module.add_function(wrap_pyfunction!(devpoll::new_devpoll, module)?)?;
    #[cfg(kqueue)]
    {
        module.add_class::<kqueue::KqueueObject>()?;
        module.add_class::<kqueue::KEventObject>()?;
        add_kqueue_constants(module)?;
    }
    Ok(())
}

/// The `KQ_*` constants every kqueue system defines: CPython's list and the user
/// filter, receipt and dispatch flags and user notes, with the target's values (a filter is
/// negative where `filter` is a `short`).
#[cfg(kqueue)]
fn add_kqueue_constants(module: &Bound<'_, PyModule>) -> PyResult<()> {
    use select_kqueue::*;
    for (name, filter) in [
        ("KQ_FILTER_READ", KQ_FILTER_READ),
        ("KQ_FILTER_WRITE", KQ_FILTER_WRITE),
        ("KQ_FILTER_AIO", KQ_FILTER_AIO),
        ("KQ_FILTER_VNODE", KQ_FILTER_VNODE),
        ("KQ_FILTER_PROC", KQ_FILTER_PROC),
        ("KQ_FILTER_SIGNAL", KQ_FILTER_SIGNAL),
        ("KQ_FILTER_TIMER", KQ_FILTER_TIMER),
        ("KQ_FILTER_USER", KQ_FILTER_USER),
    ] {
        module.add(name, filter)?;
    }
    for (name, flag) in [
        ("KQ_EV_ADD", KQ_EV_ADD),
        ("KQ_EV_DELETE", KQ_EV_DELETE),
        ("KQ_EV_ENABLE", KQ_EV_ENABLE),
        ("KQ_EV_DISABLE", KQ_EV_DISABLE),
        ("KQ_EV_ONESHOT", KQ_EV_ONESHOT),
        ("KQ_EV_CLEAR", KQ_EV_CLEAR),
        ("KQ_EV_RECEIPT", KQ_EV_RECEIPT),
        ("KQ_EV_DISPATCH", KQ_EV_DISPATCH),
        ("KQ_EV_EOF", KQ_EV_EOF),
        ("KQ_EV_ERROR", KQ_EV_ERROR),
        ("KQ_EV_SYSFLAGS", KQ_EV_SYSFLAGS),
        ("KQ_EV_FLAG1", KQ_EV_FLAG1),
    ] {
        module.add(name, flag)?;
    }
    for (name, note) in [
        ("KQ_NOTE_LOWAT", KQ_NOTE_LOWAT),
        ("KQ_NOTE_DELETE", KQ_NOTE_DELETE),
        ("KQ_NOTE_WRITE", KQ_NOTE_WRITE),
        ("KQ_NOTE_EXTEND", KQ_NOTE_EXTEND),
        ("KQ_NOTE_ATTRIB", KQ_NOTE_ATTRIB),
        ("KQ_NOTE_LINK", KQ_NOTE_LINK),
        ("KQ_NOTE_RENAME", KQ_NOTE_RENAME),
        ("KQ_NOTE_REVOKE", KQ_NOTE_REVOKE),
        ("KQ_NOTE_EXIT", KQ_NOTE_EXIT),
        ("KQ_NOTE_FORK", KQ_NOTE_FORK),
        ("KQ_NOTE_EXEC", KQ_NOTE_EXEC),
        ("KQ_NOTE_PDATAMASK", KQ_NOTE_PDATAMASK),
        ("KQ_NOTE_TRACK", KQ_NOTE_TRACK),
        ("KQ_NOTE_CHILD", KQ_NOTE_CHILD),
        ("KQ_NOTE_TRACKERR", KQ_NOTE_TRACKERR),
        ("KQ_NOTE_TRIGGER", KQ_NOTE_TRIGGER),
        ("KQ_NOTE_FFNOP", KQ_NOTE_FFNOP),
        ("KQ_NOTE_FFAND", KQ_NOTE_FFAND),
        ("KQ_NOTE_FFOR", KQ_NOTE_FFOR),
        ("KQ_NOTE_FFCOPY", KQ_NOTE_FFCOPY),
        ("KQ_NOTE_FFCTRLMASK", KQ_NOTE_FFCTRLMASK),
        ("KQ_NOTE_FFLAGSMASK", KQ_NOTE_FFLAGSMASK),
    ] {
        module.add(name, note)?;
    }
    // CPython exports `~NOTE_PDATAMASK` as the (negative) C int it is.
    module.add("KQ_NOTE_PCTRLMASK", i32::from_ne_bytes(KQ_NOTE_PCTRLMASK.to_ne_bytes()))?;
    Ok(())
}

/// The `POLL*` constants this target defines, as CPython exports them.
fn add_poll_constants(module: &Bound<'_, PyModule>) -> PyResult<()> {
    use select_poll::*;
    for (name, flag) in [
        ("POLLIN", POLLIN),
        ("POLLPRI", POLLPRI),
        ("POLLOUT", POLLOUT),
        ("POLLERR", POLLERR),
        ("POLLHUP", POLLHUP),
        ("POLLNVAL", POLLNVAL),
        ("POLLRDNORM", POLLRDNORM),
        ("POLLRDBAND", POLLRDBAND),
        ("POLLWRNORM", POLLWRNORM),
        ("POLLWRBAND", POLLWRBAND),
        #[cfg(linux_kernel)]
        ("POLLMSG", POLLMSG),
        #[cfg(poll_rdhup)]
        ("POLLRDHUP", POLLRDHUP),
    ] {
        module.add(name, flag.bits())?;
    }
    Ok(())
}

/// The `EPOLL*` constants, all positive (`EPOLLET` is 2147483648).
#[cfg(linux_kernel)]
fn add_epoll_constants(module: &Bound<'_, PyModule>) -> PyResult<()> {
    use select_epoll::*;
    for (name, flag) in [
        ("EPOLLIN", EPOLLIN),
        ("EPOLLOUT", EPOLLOUT),
        ("EPOLLPRI", EPOLLPRI),
        ("EPOLLERR", EPOLLERR),
        ("EPOLLHUP", EPOLLHUP),
        ("EPOLLET", EPOLLET),
        ("EPOLLONESHOT", EPOLLONESHOT),
        ("EPOLLEXCLUSIVE", EPOLLEXCLUSIVE),
        ("EPOLLRDHUP", EPOLLRDHUP),
        ("EPOLLRDNORM", EPOLLRDNORM),
        ("EPOLLRDBAND", EPOLLRDBAND),
        ("EPOLLWRNORM", EPOLLWRNORM),
        ("EPOLLWRBAND", EPOLLWRBAND),
        ("EPOLLMSG", EPOLLMSG),
        ("EPOLLWAKEUP", EPOLLWAKEUP),
    ] {
        module.add(name, flag.bits())?;
    }
    module.add("EPOLL_CLOEXEC", EPOLL_CLOEXEC)?;
    Ok(())
}
