//! `select.poll()` objects over select-poll's [`Poll`].

use std::os::fd::RawFd;
use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use select_poll::{Poll, PollFlags};

use crate::convert::{self, MILLISECONDS, Round, fildes, lock, py_error};
use crate::interrupt;
use crate::sys::borrow_number;

/// `select.poll()`: a new poll object. Python: `select.poll()`.
#[pyfunction(name = "poll")]
pub(crate) fn new_poll() -> PollObject {
    PollObject { poll: Poll::new(), spare: Mutex::new(Vec::new()) }
}

/// A poll object: registered descriptors and their masks, in registration order, waited for
/// with `poll(2)`.
///
/// Python: the objects `select.poll()` returns (the type is not in the module's namespace and
/// cannot be instantiated, as in CPython).
#[pyclass(module = "select", name = "poll", frozen)]
pub(crate) struct PollObject {
    poll: Poll,
    /// The ready list of the last wait, reused by the next one, so a steady-state wait
    /// allocates nothing but its result list (a second, concurrent `poll()` fails before it
    /// needs one).
    spare: Mutex<Vec<(RawFd, PollFlags)>>,
}

/// The mask argument of `register` and `modify`, or Python's default.
fn mask(eventmask: Option<&Bound<'_, PyAny>>) -> PyResult<PollFlags> {
    match eventmask {
        None => Ok(PollFlags::PYTHON_DEFAULT),
        Some(mask) => Ok(PollFlags::from_bits_retain(convert::unsigned_short(mask)?)),
    }
}

#[pymethods]
impl PollObject {
    /// Refuses `type(select.poll())()`, with CPython's message.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn refuse(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Err(PyTypeError::new_err("cannot create 'select.poll' instances"))
    }

    /// Register a file descriptor with the polling object.
    #[pyo3(
        signature = (fd, eventmask = None, /),
        text_signature = "($self, fd, eventmask=select.POLLIN | select.POLLPRI | select.POLLOUT, /)"
    )]
    fn register(
        &self,
        fd: &Bound<'_, PyAny>,
        eventmask: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let fd = fildes(fd)?;
        let mask = mask(eventmask)?;
        self.poll.register(borrow_number(fd), mask).map_err(py_error)
    }

    /// Modify an already registered file descriptor.
    #[pyo3(signature = (fd, eventmask, /))]
    fn modify(&self, fd: &Bound<'_, PyAny>, eventmask: &Bound<'_, PyAny>) -> PyResult<()> {
        let fd = fildes(fd)?;
        let mask = mask(Some(eventmask))?;
        self.poll.modify(borrow_number(fd), mask).map_err(py_error)
    }

    /// Remove a file descriptor being tracked by the polling object.
    #[pyo3(signature = (fd, /))]
    fn unregister(&self, fd: &Bound<'_, PyAny>) -> PyResult<()> {
        let fd = fildes(fd)?;
        self.poll.unregister_raw(fd).map_err(py_error)
    }

    /// Polls the set of registered file descriptors.
    ///
    /// Returns a list containing any descriptors that have events or errors to report, as
    /// (fd, event) tuples.
    #[pyo3(signature = (timeout = None, /))]
    fn poll<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let timeout = convert::millisecond_timeout(timeout, MILLISECONDS, Round::Up)?;
        let poll = &self.poll;
        let mut ready = std::mem::take(&mut *lock(&self.spare));
        let waited = interrupt::wait(py, |on_interrupt| {
            poll.poll_into_interruptible(&mut ready, timeout, on_interrupt)
        });
        // CPython masks revents with 0xFFFF; PollFlags is 16 bits already.
        let result = waited.and_then(|_| {
            convert::list(py, ready.iter().map(|&(fd, revents)| (fd, revents.bits())))
        });
        *lock(&self.spare) = ready;
        result
    }
}
