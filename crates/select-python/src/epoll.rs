//! `select.epoll` over select-epoll's [`Epoll`].

use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyType};
use select_epoll::{DEFAULT_MAXEVENTS, EPOLL_CLOEXEC, Epoll, EpollEvents, EpollFlags};

use crate::convert::{self, Round, SECONDS, fildes, lock, os_error, py_error};
use crate::interrupt;
use crate::sys::{adopt_number, borrow_number};

/// `EBADF`, for `fromfd` of a negative number other than -1.
const EBADF: i32 = 9;

/// select.epoll(sizehint=-1, flags=0)
///
/// Returns an epolling object.
///
/// sizehint must be a positive integer or -1 for the default size. flags is deprecated and
/// ignored: the descriptor is always close-on-exec.
///
/// Python: `select.epoll`.
#[pyclass(module = "select", name = "epoll", frozen)]
pub(crate) struct EpollObject {
    /// The instance and the spare event buffer, behind one lock so that a wait takes it
    /// twice: once for both, once to put the buffer back.
    state: Mutex<State>,
}

struct State {
    /// The epoll instance, `None` once closed. Each operation clones the `Arc` out of the
    /// lock and releases the lock before it runs, so a wait never holds it; `close` takes the
    /// instance out, and closes it at once unless a wait on another thread still holds a
    /// clone (then the last clone closes it when that wait returns: a wait never sees its
    /// descriptor closed under it, which CPython's [gh-121544](https://github.com/python/cpython/issues/121544) race allows).
    epoll: Option<Arc<Epoll>>,
    /// The event buffer of the last wait, reused by the next one of the same `maxevents`, so
    /// a steady-state wait allocates nothing but its result list. Concurrent waits each
    /// allocate their own.
    spare: Option<EpollEvents>,
}

/// `ValueError: I/O operation on closed epoll object`.
fn closed() -> PyErr {
    PyValueError::new_err("I/O operation on closed epoll object")
}

/// The mask argument of `register` and `modify`: 32 bits, taken bitwise.
fn mask(eventmask: &Bound<'_, PyAny>) -> PyResult<EpollFlags> {
    Ok(EpollFlags::from_bits_retain(convert::bitwise_u32(eventmask)?))
}

impl EpollObject {
    fn wrap(epoll: Epoll) -> EpollObject {
        EpollObject { state: Mutex::new(State { epoll: Some(Arc::new(epoll)), spare: None }) }
    }

    /// The instance, or `ValueError: I/O operation on closed epoll object`.
    fn instance(&self) -> PyResult<Arc<Epoll>> {
        lock(&self.state).epoll.clone().ok_or_else(closed)
    }

    fn close_instance(&self) -> select_core::Result<()> {
        let Some(epoll) = lock(&self.state).epoll.take() else { return Ok(()) };
        match Arc::try_unwrap(epoll) {
            Ok(mut epoll) => epoll.close(),
            // A wait on another thread holds it; the descriptor closes when that wait ends.
            Err(_shared) => Ok(()),
        }
    }
}

impl Drop for EpollObject {
    fn drop(&mut self) {
        // As CPython's deallocation: close, and ignore the error (nobody is left to see it).
        let _ = self.close_instance();
    }
}

#[pymethods]
impl EpollObject {
    #[new]
    #[pyo3(signature = (sizehint = -1, flags = 0))]
    fn new(sizehint: i32, flags: i32) -> PyResult<EpollObject> {
        if sizehint != -1 && sizehint <= 0 {
            // CPython's message says "negative" for 0 too (a quirk kept on purpose).
            return Err(PyValueError::new_err("negative sizehint"));
        }
        if flags != 0 && u32::try_from(flags) != Ok(EPOLL_CLOEXEC) {
            return Err(PyOSError::new_err("invalid flags"));
        }
        Epoll::new().map(EpollObject::wrap).map_err(py_error)
    }

    /// Create an epoll object from a given control fd.
    ///
    /// The object takes ownership of the descriptor. As in CPython, -1 creates a new epoll
    /// object.
    #[classmethod]
    #[pyo3(signature = (fd, /))]
    fn fromfd(_cls: &Bound<'_, PyType>, fd: i32) -> PyResult<EpollObject> {
        match fd {
            -1 => Epoll::new().map(EpollObject::wrap).map_err(py_error),
            // CPython raises an OSError with whatever errno was left over (a quirk kept on purpose);
            // EBADF says what is wrong.
            fd if fd < 0 => Err(os_error(EBADF)),
            fd => Ok(EpollObject::wrap(Epoll::from_fd(adopt_number(fd)))),
        }
    }

    /// Close the epoll control file descriptor.
    ///
    /// Further operations on the epoll object will raise an exception.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.close_instance()).map_err(py_error)
    }

    /// True if the epoll handler is closed.
    #[getter]
    fn closed(&self) -> bool {
        lock(&self.state).epoll.is_none()
    }

    /// Return the epoll control file descriptor.
    fn fileno(&self) -> PyResult<i32> {
        self.instance()?.fileno().map_err(py_error)
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().instance()?;
        Ok(slf)
    }

    #[pyo3(signature = (_exc_type = None, _exc_value = None, _exc_tb = None, /))]
    fn __exit__(
        slf: &Bound<'_, Self>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc_value: Option<&Bound<'_, PyAny>>,
        _exc_tb: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        slf.call_method0(pyo3::intern!(slf.py(), "close"))?;
        Ok(())
    }

    /// Registers a new fd or raises an OSError if the fd is already registered.
    ///
    /// fd is the target file descriptor of the operation; eventmask is a bit set composed of
    /// the various EPOLL constants. The epoll interface supports all file descriptors that
    /// support poll.
    #[pyo3(
        signature = (fd, eventmask = None),
        text_signature = "($self, /, fd, eventmask=select.EPOLLIN | select.EPOLLPRI | select.EPOLLOUT)"
    )]
    fn register(
        &self,
        fd: &Bound<'_, PyAny>,
        eventmask: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let fd = fildes(fd)?;
        let mask = match eventmask {
            None => EpollFlags::PYTHON_DEFAULT,
            Some(eventmask) => mask(eventmask)?,
        };
        self.instance()?.register(borrow_number(fd), mask).map_err(py_error)
    }

    /// Modify event mask for a registered file descriptor.
    #[pyo3(signature = (fd, eventmask))]
    fn modify(&self, fd: &Bound<'_, PyAny>, eventmask: &Bound<'_, PyAny>) -> PyResult<()> {
        let fd = fildes(fd)?;
        let mask = mask(eventmask)?;
        self.instance()?.modify(borrow_number(fd), mask).map_err(py_error)
    }

    /// Remove a registered file descriptor from the epoll object.
    #[pyo3(signature = (fd))]
    fn unregister(&self, fd: &Bound<'_, PyAny>) -> PyResult<()> {
        let fd = fildes(fd)?;
        self.instance()?.unregister(borrow_number(fd)).map_err(py_error)
    }

    /// Wait for events on the epoll file descriptor.
    ///
    /// timeout is the maximum time to wait in seconds (as float); a timeout of None or -1
    /// makes poll wait indefinitely. maxevents is the maximum number of events returned; -1
    /// means 1023 (FD_SETSIZE - 1), as in CPython. Returns a list containing any descriptors
    /// that have events to report, as (fd, events) 2-tuples.
    #[pyo3(signature = (timeout = None, maxevents = -1))]
    fn poll<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
        maxevents: i32,
    ) -> PyResult<Bound<'py, PyList>> {
        // The closed check, then the timeout, then maxevents, CPython's order.
        let (epoll, spare) = {
            let mut state = lock(&self.state);
            let epoll = state.epoll.clone().ok_or_else(closed)?;
            (epoll, state.spare.take())
        };
        let timeout = convert::millisecond_timeout(timeout, SECONDS, Round::Ceiling)?;
        let capacity = match maxevents {
            -1 => DEFAULT_MAXEVENTS,
            n if n < 1 => {
                return Err(PyValueError::new_err(format!(
                    "maxevents must be greater than 0, got {n}"
                )));
            }
            n => usize::try_from(n).unwrap_or(DEFAULT_MAXEVENTS),
        };
        let mut events = spare
            .filter(|events| events.capacity() == capacity)
            .unwrap_or_else(|| EpollEvents::with_capacity(capacity));
        let waited = interrupt::wait(py, |on_interrupt| {
            epoll.poll_interruptible(&mut events, timeout, on_interrupt)
        });
        let result = waited
            .and_then(|_| convert::list(py, events.iter().map(|(fd, flags)| (fd, flags.bits()))));
        lock(&self.state).spare = Some(events);
        result
    }
}
