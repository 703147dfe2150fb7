//! CPython's `select` module, rebuilt on the `select-*` crates with PyO3: a drop-in
//! replacement that passes CPython's own test files unmodified.
//!
//! ```sh
//! cargo build -p select-python --release
//! mkdir -p site && cp target/release/libselect_python.so \
//!     site/select$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
//! PYTHONPATH=site python3 -c 'import select; print(select.__file__, select._select_rs)'
//! ```
//!
//! The module converts; the crates do the work: `select()` and `poll` call select-poll,
//! `epoll` calls select-epoll. The crate's README says what differs from CPython and why.

#![cfg(unix)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
// PyO3's macros expand to items the workspace's lints would flag; the module's own code is
// held to them everywhere else.
#![allow(unreachable_pub, missing_docs)]

mod convert;
#[cfg(linux_kernel)]
mod epoll;
mod interrupt;
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
    Ok(())
}

/// The `POLL*` constants this target defines (spec §7).
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

/// The `EPOLL*` constants (spec §7), all positive (`EPOLLET` is 2147483648).
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
