//! `select.devpoll()` objects over select-devpoll's [`DevPoll`].

use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use select_devpoll::{DEFAULT_EVENTMASK, DevPoll, DevPollEvents, DevPollFlags};

use crate::convert::{self, MILLISECONDS, Round, fildes, lock, py_error};
use crate::interrupt;
use crate::sys::borrow_number;

/// `select.devpoll()`: a new /dev/poll object. Python: `select.devpoll()`.
#[pyfunction(name = "devpoll")]
pub(crate) fn new_devpoll() -> PyResult<DevPollObject> {
    let devpoll = DevPoll::new().map_err(py_error)?;
    Ok(DevPollObject { devpoll: Mutex::new(Some(Arc::new(devpoll))), spare: Mutex::new(None) })
}

/// A /dev/poll object: descriptors registered with the kernel's `/dev/poll` device, waited
/// for with `ioctl(DP_POLL)`.
///
/// Python: the objects `select.devpoll()` returns (not instantiable, no context manager, no
/// `fromfd`, as in CPython).
#[pyclass(module = "select", name = "devpoll", frozen)]
pub(crate) struct DevPollObject {
    /// As `EpollObject`'s: each call clones the `Arc` out of the lock.
    devpoll: Mutex<Option<Arc<DevPoll>>>,
    /// The result buffer of the last wait, reused by the next.
    spare: Mutex<Option<DevPollEvents>>,
}

impl DevPollObject {
    fn instance(&self) -> PyResult<Arc<DevPoll>> {
        lock(&self.devpoll)
            .clone()
            .ok_or_else(|| PyValueError::new_err("I/O operation on closed devpoll object"))
    }

    fn close_instance(&self) -> select_core::Result<()> {
        let Some(devpoll) = lock(&self.devpoll).take() else { return Ok(()) };
        match Arc::try_unwrap(devpoll) {
            Ok(mut devpoll) => devpoll.close(),
            Err(_shared) => Ok(()),
        }
    }
}

impl Drop for DevPollObject {
    fn drop(&mut self) {
        let _ = self.close_instance();
    }
}

/// The mask argument, or Python's default (`POLLIN | POLLPRI | POLLOUT`).
fn mask(eventmask: Option<&Bound<'_, PyAny>>) -> PyResult<DevPollFlags> {
    match eventmask {
        None => Ok(DEFAULT_EVENTMASK),
        // The 16-bit pattern, in the C `short` of `struct pollfd`.
        Some(mask) => {
            let bits = convert::unsigned_short(mask)?.to_ne_bytes();
            Ok(DevPollFlags::from_bits_retain(i16::from_ne_bytes(bits)))
        }
    }
}

#[pymethods]
impl DevPollObject {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn refuse(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Err(PyTypeError::new_err("cannot create 'select.devpoll' instances"))
    }

    /// Register a file descriptor with the polling object.
    #[pyo3(signature = (fd, eventmask = None, /))]
    fn register(
        &self,
        fd: &Bound<'_, PyAny>,
        eventmask: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let fd = fildes(fd)?;
        let mask = mask(eventmask)?;
        self.instance()?.register(borrow_number(fd), mask).map_err(py_error)
    }

    /// Modify a possible already registered file descriptor.
    #[pyo3(signature = (fd, eventmask = None, /))]
    fn modify(&self, fd: &Bound<'_, PyAny>, eventmask: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let fd = fildes(fd)?;
        let mask = mask(eventmask)?;
        self.instance()?.modify(borrow_number(fd), Some(mask)).map_err(py_error)
    }

    /// Remove a file descriptor being tracked by the polling object.
    #[pyo3(signature = (fd, /))]
    fn unregister(&self, fd: &Bound<'_, PyAny>) -> PyResult<()> {
        let fd = fildes(fd)?;
        self.instance()?.unregister_raw(fd).map_err(py_error)
    }

    /// Polls the set of registered file descriptors.
    #[pyo3(signature = (timeout = None, /))]
    fn poll<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let devpoll = self.instance()?;
        // Milliseconds rounded up; unlike poll.poll, only -1 means forever.
        let timeout = match timeout.filter(|timeout| !timeout.is_none()) {
            None => None,
            Some(timeout) => {
                let nanos = convert::nanoseconds(
                    timeout,
                    MILLISECONDS,
                    Round::Up,
                    "timeout must be an integer or None",
                )?;
                let millis = convert::divide(nanos, MILLISECONDS, Round::Up);
                if !(-1..=i64::from(i32::MAX)).contains(&millis) {
                    return Err(PyOverflowError::new_err("timeout is too large"));
                }
                if millis == -1 { None } else { Some(convert::duration(nanos)) }
            }
        };
        let mut events = lock(&self.spare).take().unwrap_or_else(|| devpoll.events());
        let waited = interrupt::wait(py, |on_interrupt| {
            devpoll.poll_interruptible(&mut events, timeout, on_interrupt)
        });
        let result = waited.and_then(|_| {
            // Not masked with 0xFFFF, unlike poll.poll (CPython's devpoll does not).
            PyList::new(py, events.native().map(|(fd, revents)| (fd, revents.bits())))
        });
        *lock(&self.spare) = Some(events);
        result
    }

    /// Close the devpoll file descriptor. Further operations on the devpoll object will
    /// raise an exception.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.close_instance()).map_err(py_error)
    }

    /// True if the devpoll object is closed.
    #[getter]
    fn closed(&self) -> bool {
        lock(&self.devpoll).is_none()
    }

    /// Return the file descriptor.
    fn fileno(&self) -> PyResult<i32> {
        self.instance()?.fileno().map_err(py_error)
    }
}
