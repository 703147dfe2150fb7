//! `select.select()` over select-poll's [`select()`](select_poll::select).

use std::os::fd::{AsFd, BorrowedFd, RawFd};

use pyo3::PyTypeInfo;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use select_poll::FD_SETSIZE;

use crate::convert::{self, Round, SECONDS, fildes};
use crate::interrupt;
use crate::sys::borrow_number;

/// One list item handed to the crate: its descriptor, and where it sits in its list so the
/// result can return the item itself.
struct Entry {
    fd: BorrowedFd<'static>,
    index: usize,
}

impl AsFd for Entry {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd
    }
}

/// One of the three lists: the objects (kept to be returned) and their entries.
struct Converted<'py> {
    objects: Vec<Bound<'py, PyAny>>,
    entries: Vec<Entry>,
}

/// Converts one argument, as CPython's `seq2set` does: any iterable, lists read live, so a `fileno()`
/// that shrinks the list ends the iteration early ([bpo-16230](https://bugs.python.org/issue16230)); each item through the
/// descriptor converter, then the `FD_SETSIZE` checks, item by item.
fn convert_list<'py>(list: &Bound<'py, PyAny>) -> PyResult<Converted<'py>> {
    let mut converted = Converted { objects: Vec::new(), entries: Vec::new() };
    let mut add = |item: Bound<'py, PyAny>| -> PyResult<()> {
        if converted.entries.len() >= FD_SETSIZE {
            return Err(PyValueError::new_err("too many file descriptors in select()"));
        }
        let fd: RawFd = fildes(&item)?;
        if usize::try_from(fd).map_or(true, |fd| fd >= FD_SETSIZE) {
            return Err(PyValueError::new_err("filedescriptor out of range in select()"));
        }
        let index = converted.objects.len();
        converted.entries.push(Entry { fd: borrow_number(fd), index });
        converted.objects.push(item);
        Ok(())
    };
    if let Ok(list) = list.cast::<PyList>() {
        let mut position = 0;
        while position < list.len() {
            add(list.get_item(position)?)?;
            position += 1;
        }
    } else if let Ok(tuple) = list.cast::<PyTuple>() {
        for item in tuple.iter() {
            add(item)?;
        }
    } else {
        // As `PySequence_Fast`: only a TypeError (not iterable) gets the message; an
        // exception the iteration itself raises propagates.
        let py = list.py();
        let sequence = PyList::type_object(py).call1((list,)).map_err(|error| {
            if error.is_instance_of::<PyTypeError>(py) {
                PyTypeError::new_err("arguments 1-3 must be sequences")
            } else {
                error
            }
        })?;
        for item in sequence.cast::<PyList>()?.iter() {
            add(item)?;
        }
    }
    Ok(converted)
}

/// Wait until one or more file descriptors are ready for some kind of I/O.
///
/// Python: `select.select(rlist, wlist, xlist, timeout=None, /)`.
#[pyfunction]
#[pyo3(signature = (rlist, wlist, xlist, timeout = None, /))]
pub(crate) fn select<'py>(
    py: Python<'py>,
    rlist: &Bound<'py, PyAny>,
    wlist: &Bound<'py, PyAny>,
    xlist: &Bound<'py, PyAny>,
    timeout: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    // The timeout first, then the lists in order, as CPython processes them.
    let timeout = match timeout.filter(|timeout| !timeout.is_none()) {
        None => None,
        Some(timeout) => {
            let nanos = convert::nanoseconds(
                timeout,
                SECONDS,
                Round::Up,
                "timeout must be a float or None",
            )?;
            if nanos < 0 {
                return Err(PyValueError::new_err("timeout must be non-negative"));
            }
            Some(convert::duration(nanos))
        }
    };
    let read = convert_list(rlist)?;
    let write = convert_list(wlist)?;
    let except = convert_list(xlist)?;
    let (r, w, x) = (&read.entries[..], &write.entries[..], &except.entries[..]);
    let ready = interrupt::wait(py, |on_interrupt| {
        let (r, w, x) = select_poll::select_interruptible(r, w, x, timeout, on_interrupt)?;
        let indices =
            |ready: Vec<&Entry>| ready.iter().map(|entry| entry.index).collect::<Vec<_>>();
        Ok((indices(r), indices(w), indices(x)))
    })?;
    let result = |list: &Converted<'py>, ready: Vec<usize>| {
        PyList::new(py, ready.into_iter().map(|index| &list.objects[index]))
    };
    PyTuple::new(py, [result(&read, ready.0)?, result(&write, ready.1)?, result(&except, ready.2)?])
}
