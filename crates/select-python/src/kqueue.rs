//! `select.kqueue` and `select.kevent` over select-kqueue's [`Kqueue`] and [`KEvent`].

use std::cmp::Ordering;
use std::sync::{Arc, Mutex};

use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PyTuple, PyType};
use select_core::EventBuffer;
use select_kqueue::{Filter, FilterFlags, Flags, KEvent, Kqueue, KqueueEvents};

use crate::convert::{self, Round, SECONDS, bitwise_u64, fildes, lock, os_error, py_error};
use crate::interrupt;
use crate::sys::adopt_number;

/// `EBADF`, for `fromfd` of a negative number other than -1.
const EBADF: i32 = 9;

/// kevent(ident, filter=KQ_FILTER_READ, flags=KQ_EV_ADD, fflags=0, data=0, udata=0)
///
/// This object is the equivalent of the struct kevent for the C API. udata is an integer.
///
/// Python: `select.kevent`.
#[pyclass(module = "select", name = "kevent")]
pub(crate) struct KEventObject {
    event: KEvent,
}

/// `ident` (CPython 3.11 to 3.13): an int as a `size_t`, anything else through the
/// descriptor converter.
fn ident(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    if obj.is_instance_of::<PyInt>() {
        if obj.lt(0)? {
            return Err(PyOverflowError::new_err("can't convert negative value to size_t"));
        }
        return obj
            .extract()
            .map_err(|_| PyOverflowError::new_err("Python int too large to convert to C size_t"));
    }
    let fd = fildes(obj)?;
    Ok(usize::try_from(fd).unwrap_or_default())
}

/// `filter`: a range-checked `short` (a bitwise `uint32_t` on NetBSD).
#[cfg(not(netbsd))]
fn filter(obj: &Bound<'_, PyAny>) -> PyResult<Filter> {
    obj.extract()
}

/// `filter`: a bitwise `uint32_t` on NetBSD.
#[cfg(netbsd)]
fn filter(obj: &Bound<'_, PyAny>) -> PyResult<Filter> {
    #[allow(clippy::cast_possible_truncation, reason = "bitwise, as CPython's `I`")]
    Ok(bitwise_u64(obj)? as Filter)
}

/// `flags`: bitwise, the width of the target's field (no overflow check, [bpo-11973](https://bugs.python.org/issue11973)).
fn flags(obj: &Bound<'_, PyAny>) -> PyResult<Flags> {
    #[allow(clippy::cast_possible_truncation, reason = "bitwise, as CPython's `H`/`I`")]
    Ok(bitwise_u64(obj)? as Flags)
}

/// `fflags`: a bitwise `unsigned int`.
fn fflags(obj: &Bound<'_, PyAny>) -> PyResult<FilterFlags> {
    #[allow(clippy::cast_possible_truncation, reason = "bitwise, as CPython's `I`")]
    Ok(bitwise_u64(obj)? as FilterFlags)
}

/// `udata`: a bitwise unsigned pointer-sized integer; 3.11 to 3.13 want a real int.
fn udata(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    if !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "udata must be int, not {}",
            obj.get_type().name()?
        )));
    }
    #[allow(clippy::cast_possible_truncation, reason = "bitwise, as CPython's `K`")]
    Ok(bitwise_u64(obj)? as usize)
}

#[pymethods]
impl KEventObject {
    #[new]
    #[pyo3(signature = (ident, filter = None, flags = None, fflags = None, data = None, udata = None))]
    fn new(
        ident: &Bound<'_, PyAny>,
        filter: Option<&Bound<'_, PyAny>>,
        flags: Option<&Bound<'_, PyAny>>,
        fflags: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        udata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<KEventObject> {
        let mut event = KEvent::new(self::ident(ident)?);
        let mut object = KEventObject { event };
        if let Some(filter) = filter {
            object.set_filter(filter)?;
        }
        if let Some(flags) = flags {
            object.set_flags(flags)?;
        }
        if let Some(fflags) = fflags {
            object.set_fflags(fflags)?;
        }
        if let Some(data) = data {
            object.set_data(data)?;
        }
        if let Some(udata) = udata {
            object.set_udata(udata)?;
        }
        event = object.event;
        Ok(KEventObject { event })
    }

    #[getter]
    fn ident(&self) -> usize {
        self.event.ident()
    }

    #[setter]
    fn set_ident(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.event.set_ident(ident(value)?);
        Ok(())
    }

    #[getter]
    fn filter(&self) -> Filter {
        self.event.filter()
    }

    #[setter]
    fn set_filter(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.event.set_filter(filter(value)?);
        Ok(())
    }

    #[getter]
    fn flags(&self) -> Flags {
        self.event.flags()
    }

    #[setter]
    fn set_flags(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.event.set_flags(flags(value)?);
        Ok(())
    }

    #[getter]
    fn fflags(&self) -> FilterFlags {
        self.event.fflags()
    }

    #[setter]
    fn set_fflags(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.event.set_fflags(fflags(value)?);
        Ok(())
    }

    #[getter]
    fn data(&self) -> i64 {
        self.event.data()
    }

    #[setter]
    fn set_data(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let data: i64 =
            value.extract().map_err(|_| PyOverflowError::new_err("int too big to convert"))?;
        self.event.set_data(data).map_err(py_error)
    }

    #[getter]
    fn udata(&self) -> usize {
        self.event.udata()
    }

    #[setter]
    fn set_udata(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.event.set_udata(udata(value)?);
        Ok(())
    }

    fn __repr__(&self) -> String {
        let event = &self.event;
        // data as its 64-bit two's complement, udata as a pointer (always 0x-prefixed).
        let data = u64::from_ne_bytes(event.data().to_ne_bytes());
        format!(
            "<select.kevent ident={} filter={} flags={:#x} fflags={:#x} data={:#x} udata={:#x}>",
            event.ident(),
            event.filter(),
            event.flags(),
            event.fflags(),
            data,
            event.udata()
        )
    }

    /// CPython's tuple-wise comparison with `udata` signed ([bpo-31893](https://bugs.python.org/issue31893)); anything but a
    /// kevent is `NotImplemented`. With no `__hash__`, kevents are unhashable, as in CPython.
    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<KEventObject>() else {
            return Ok(py.NotImplemented());
        };
        let ordering: Ordering = self.event.cmp_python(&other.borrow().event);
        Ok(op.matches(ordering).into_pyobject(py)?.to_owned().into_any().unbind())
    }
}

/// select.kqueue()
///
/// Kqueue syscall wrapper.
///
/// Python: `select.kqueue`.
#[pyclass(module = "select", name = "kqueue", frozen)]
pub(crate) struct KqueueObject {
    /// As `EpollObject`'s: each call clones the `Arc` out of the lock, so `close` never waits
    /// for a blocked `control`.
    kqueue: Mutex<Option<Arc<Kqueue>>>,
}

impl KqueueObject {
    fn wrap(kqueue: Kqueue) -> KqueueObject {
        KqueueObject { kqueue: Mutex::new(Some(Arc::new(kqueue))) }
    }

    /// The instance, or `ValueError: I/O operation on closed kqueue object` (also in a
    /// forked child: kqueues are not inherited).
    fn instance(&self) -> PyResult<Arc<Kqueue>> {
        lock(&self.kqueue)
            .clone()
            .filter(|kqueue| !kqueue.is_closed())
            .ok_or_else(|| PyValueError::new_err("I/O operation on closed kqueue object"))
    }

    fn close_instance(&self) -> select_core::Result<()> {
        let Some(kqueue) = lock(&self.kqueue).take() else { return Ok(()) };
        match Arc::try_unwrap(kqueue) {
            Ok(mut kqueue) => kqueue.close(),
            Err(_shared) => Ok(()),
        }
    }
}

impl Drop for KqueueObject {
    fn drop(&mut self) {
        let _ = self.close_instance();
    }
}

/// `control`'s changelist: `None`, or an iterable of kevents, copied by value.
fn changes(changelist: &Bound<'_, PyAny>) -> PyResult<Vec<KEvent>> {
    if changelist.is_none() {
        return Ok(Vec::new());
    }
    let items =
        changelist.try_iter().map_err(|_| PyTypeError::new_err("changelist is not iterable"))?;
    let mut changes = Vec::new();
    for item in items {
        let item = item?;
        let event = item.cast::<KEventObject>().map_err(|_| {
            PyTypeError::new_err("changelist must be an iterable of select.kevent objects")
        })?;
        changes.push(event.borrow().event);
    }
    Ok(changes)
}

#[pymethods]
impl KqueueObject {
    #[new]
    fn new() -> PyResult<KqueueObject> {
        Kqueue::new().map(KqueueObject::wrap).map_err(py_error)
    }

    /// Create a kqueue object from a given control fd.
    #[classmethod]
    #[pyo3(signature = (fd, /))]
    fn fromfd(_cls: &Bound<'_, PyType>, fd: i32) -> PyResult<KqueueObject> {
        match fd {
            -1 => KqueueObject::new(),
            fd if fd < 0 => Err(os_error(EBADF)),
            fd => Ok(KqueueObject::wrap(Kqueue::from_fd(adopt_number(fd)))),
        }
    }

    /// Close the kqueue control file descriptor.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.close_instance()).map_err(py_error)
    }

    /// True if the kqueue handler is closed.
    #[getter]
    fn closed(&self) -> bool {
        lock(&self.kqueue).as_ref().is_none_or(|kqueue| kqueue.is_closed())
    }

    /// Return the kqueue control file descriptor.
    fn fileno(&self) -> PyResult<i32> {
        self.instance()?.fileno().map_err(py_error)
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().instance()?;
        Ok(slf)
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(slf: &Bound<'_, Self>, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        slf.call_method0(pyo3::intern!(slf.py(), "close"))?;
        Ok(())
    }

    /// Calls the kernel kevent function.
    ///
    /// changelist must be an iterable of kevent objects describing the changes to be made
    /// to the kernel's watch list or None. maxevents is the maximum number of events that
    /// the kernel will return. timeout is the maximum time to wait in seconds, or else None
    /// to wait forever.
    #[pyo3(signature = (changelist, maxevents, timeout = None, /))]
    fn control<'py>(
        &self,
        py: Python<'py>,
        changelist: &Bound<'py, PyAny>,
        maxevents: i32,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        // The order of CPython's checks.
        let kqueue = self.instance()?;
        let Ok(capacity) = usize::try_from(maxevents) else {
            return Err(PyValueError::new_err(format!(
                "Length of eventlist must be 0 or positive, got {maxevents}"
            )));
        };
        let timeout = match timeout.filter(|timeout| !timeout.is_none()) {
            None => None,
            Some(timeout) => {
                let nanos =
                    convert::nanoseconds(timeout, SECONDS, Round::Up, "").map_err(|_| {
                        let name = timeout.get_type().name().map(|n| n.to_string());
                        PyTypeError::new_err(format!(
                            "timeout argument must be a number or None, got {}",
                            name.unwrap_or_default()
                        ))
                    })?;
                if nanos < 0 {
                    return Err(PyValueError::new_err("timeout must be positive or None"));
                }
                Some(convert::duration(nanos))
            }
        };
        let changes = changes(changelist)?;
        let mut events = KqueueEvents::with_capacity(capacity);
        interrupt::wait(py, |on_interrupt| {
            kqueue.control_interruptible(&changes, &mut events, timeout, on_interrupt)
        })?;
        let objects = events
            .as_slice()
            .iter()
            .map(|event| Py::new(py, KEventObject { event: *event }))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, objects)
    }
}
