//! Python's argument rules, as CPython's `selectmodule.c` and `pytime.c` apply them: the
//! descriptor converter, the time converter with its rounding modes, the mask converters, and
//! the mapping of the crates' errors onto Python's exceptions.
//!
//! Each function names the CPython function whose rules it follows.

use std::os::fd::RawFd;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use pyo3::exceptions::{
    PyInterruptedError, PyKeyError, PyOSError, PyOverflowError, PyRuntimeError, PyTypeError,
    PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt, PyList};
use pyo3::{PyErr, intern};

/// Python's descriptor converter (`PyObject_AsFileDescriptor`): an `int` (a `bool`
/// included), or the `int` its `fileno()` returns; never negative.
///
/// # Errors
///
/// `TypeError` for anything else (`argument must be an int, or have a fileno() method.`) or a
/// `fileno()` returning a non-integer; `OverflowError` beyond a C `int`; `ValueError` for a
/// negative number, naming it; whatever `fileno()` raised.
pub(crate) fn fildes(obj: &Bound<'_, PyAny>) -> PyResult<RawFd> {
    let fd: RawFd = if obj.is_instance_of::<PyInt>() {
        obj.extract()?
    } else {
        let py = obj.py();
        match obj.getattr_opt(intern!(py, "fileno"))? {
            Some(method) => {
                let number = method.call0()?;
                if !number.is_instance_of::<PyInt>() {
                    return Err(PyTypeError::new_err("fileno() returned a non-integer"));
                }
                number.extract()?
            }
            None => {
                return Err(PyTypeError::new_err(
                    "argument must be an int, or have a fileno() method.",
                ));
            }
        }
    };
    if fd < 0 {
        return Err(PyValueError::new_err(format!(
            "file descriptor cannot be a negative integer ({fd})"
        )));
    }
    Ok(fd)
}

/// How a time conversion rounds: CPython's `_PyTime_ROUND_UP` (away from zero, the
/// `_PyTime_ROUND_TIMEOUT` of every timeout) and `_PyTime_ROUND_CEILING` (towards +∞).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Round {
    /// Away from zero.
    Up,
    /// Towards +∞ (epoll's milliseconds).
    #[cfg_attr(not(linux_kernel), allow(dead_code, reason = "only epoll rounds this way"))]
    Ceiling,
}

/// One second in nanoseconds, the unit of `select()` and `epoll.poll()` timeouts.
pub(crate) const SECONDS: i64 = 1_000_000_000;
/// One millisecond in nanoseconds, the unit of `poll.poll()` timeouts.
pub(crate) const MILLISECONDS: i64 = 1_000_000;

/// Python's time converter (`_PyTime_FromObject`): `obj`, counted in `unit`
/// nanoseconds, as signed 64-bit nanoseconds rounded with `round`.
///
/// A float is multiplied as a double and rounded; anything else is an integer through
/// `__index__` and multiplied exactly.
///
/// # Errors
///
/// `ValueError: Invalid value NaN (not a number)`; `OverflowError: timestamp out of range
/// for platform time_t` for a float outside ±2⁶³ ns (±inf included); `OverflowError:
/// timestamp too large to convert to C PyTime_t` for an integer that does not fit;
/// `TypeError` with `type_message` (each caller's own) for anything else.
pub(crate) fn nanoseconds(
    obj: &Bound<'_, PyAny>,
    unit: i64,
    round: Round,
    type_message: &'static str,
) -> PyResult<i64> {
    let too_large = || PyOverflowError::new_err("timestamp too large to convert to C PyTime_t");
    // The common case first, an `int` itself: one exact type comparison and one conversion
    // (the subclass test of `cast` below walks the type's bases, a cost on every wait).
    if obj.is_exact_instance_of::<PyInt>() {
        return match obj.extract::<i64>() {
            Ok(count) => count.checked_mul(unit).ok_or_else(too_large),
            Err(error) if error.is_instance_of::<PyOverflowError>(obj.py()) => Err(too_large()),
            Err(error) => Err(error),
        };
    }
    if let Ok(float) = obj.cast::<PyFloat>() {
        let value = float.value();
        if value.is_nan() {
            return Err(PyValueError::new_err("Invalid value NaN (not a number)"));
        }
        #[allow(clippy::cast_precision_loss, reason = "CPython multiplies as a double too")]
        let scaled = round_float(value * unit as f64, round);
        // 2⁶³ as a double; every finite double in [-2⁶³, 2⁶³) converts exactly below.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if !(-LIMIT..LIMIT).contains(&scaled) {
            return Err(PyOverflowError::new_err("timestamp out of range for platform time_t"));
        }
        #[allow(clippy::cast_possible_truncation, reason = "range-checked just above")]
        return Ok(scaled as i64);
    }
    let count: i64 = match obj.extract() {
        Ok(count) => count,
        Err(error) if error.is_instance_of::<PyOverflowError>(obj.py()) => return Err(too_large()),
        Err(error) if error.is_instance_of::<PyTypeError>(obj.py()) => {
            return Err(PyTypeError::new_err(type_message));
        }
        Err(error) => return Err(error),
    };
    count.checked_mul(unit).ok_or_else(too_large)
}

fn round_float(value: f64, round: Round) -> f64 {
    match round {
        Round::Up if value >= 0.0 => value.ceil(),
        Round::Up => value.floor(),
        Round::Ceiling => value.ceil(),
    }
}

/// `nanos / unit`, rounded with `round` (CPython's `_PyTime_Divide`).
pub(crate) fn divide(nanos: i64, unit: i64, round: Round) -> i64 {
    let (quotient, remainder) = (nanos / unit, nanos % unit);
    match round {
        Round::Up if remainder > 0 => quotient + 1,
        Round::Up if remainder < 0 => quotient - 1,
        Round::Ceiling if remainder > 0 => quotient + 1,
        _ => quotient,
    }
}

/// A non-negative count of nanoseconds as the crates' timeout.
pub(crate) fn duration(nanos: i64) -> Duration {
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(0))
}

/// A millisecond timeout of `poll.poll` and `epoll.poll`: `None` blocks;
/// otherwise the value (in `unit`) is converted to nanoseconds rounding up, then to whole
/// milliseconds rounding with `millis_round`, which must fit a C `int`; a negative count of
/// milliseconds blocks too.
///
/// # Errors
///
/// Those of [`nanoseconds`] (with `TypeError: timeout must be an integer or None`), and
/// `OverflowError: timeout is too large` outside a C `int` of milliseconds.
pub(crate) fn millisecond_timeout(
    timeout: Option<&Bound<'_, PyAny>>,
    unit: i64,
    millis_round: Round,
) -> PyResult<Option<Duration>> {
    let Some(timeout) = timeout.filter(|timeout| !timeout.is_none()) else { return Ok(None) };
    let nanos = nanoseconds(timeout, unit, Round::Up, "timeout must be an integer or None")?;
    let millis = divide(nanos, MILLISECONDS, millis_round);
    if i32::try_from(millis).is_err() {
        return Err(PyOverflowError::new_err("timeout is too large"));
    }
    // A negative count of milliseconds is "forever". With `Round::Ceiling` (epoll) a negative
    // timeout above -1 ms becomes 0 ms and returns at once, as in CPython (a quirk kept on purpose).
    Ok(if millis < 0 { None } else { Some(duration(nanos)) })
}

/// Locks `mutex`, taking the guard even if a thread panicked while it held the lock, rather
/// than panicking in turn. Every object of the module locks its state this way.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The list of `(fd, events)` tuples a wait returns; the empty list (an idle wait's) without
/// the iterator machinery.
///
/// # Errors
///
/// Python's, if an object cannot be created (out of memory).
pub(crate) fn list<'py, I, T>(py: Python<'py>, ready: I) -> PyResult<Bound<'py, PyList>>
where
    I: ExactSizeIterator<Item = (RawFd, T)>,
    T: IntoPyObject<'py>,
{
    if ready.len() == 0 {
        return Ok(PyList::empty(py));
    }
    PyList::new(py, ready)
}

/// A 16-bit `poll` mask (CPython 3.11's unsigned-short converter).
///
/// # Errors
///
/// `TypeError` for a non-integer; `ValueError: value must be positive` for a negative one;
/// `OverflowError` above 65535.
pub(crate) fn unsigned_short(obj: &Bound<'_, PyAny>) -> PyResult<u16> {
    if !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err("an integer is required"));
    }
    let value: i128 = match obj.extract() {
        Ok(value) => value,
        Err(error) if error.is_instance_of::<PyOverflowError>(obj.py()) => {
            return if obj.lt(0)? {
                Err(PyValueError::new_err("value must be positive"))
            } else {
                Err(PyOverflowError::new_err("Python int too large to convert to C unsigned long"))
            };
        }
        Err(error) => return Err(error),
    };
    if value < 0 {
        return Err(PyValueError::new_err("value must be positive"));
    }
    u16::try_from(value)
        .map_err(|_| PyOverflowError::new_err("Python int too large for C unsigned short"))
}

/// A 32-bit mask taken bitwise, without a range check (CPython's `unsigned int(bitwise=True)`):
/// any integer or `__index__` object, reduced modulo 2³².
///
/// # Errors
///
/// `TypeError` for an object that is not an integer.
#[cfg(linux_kernel)]
pub(crate) fn bitwise_u32(obj: &Bound<'_, PyAny>) -> PyResult<u32> {
    #[allow(clippy::cast_possible_truncation, reason = "mod 2³²")]
    Ok(bitwise_u64(obj)? as u32)
}

/// An integer or `__index__` object reduced modulo 2⁶⁴ (CPython's bitwise converters, which
/// callers narrow further).
///
/// # Errors
///
/// `TypeError` for an object that is not an integer.
#[cfg(any(linux_kernel, kqueue))]
pub(crate) fn bitwise_u64(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    if let Ok(value) = obj.extract::<i64>() {
        return Ok(u64::from_ne_bytes(value.to_ne_bytes()));
    }
    let py = obj.py();
    let index = py.import(intern!(py, "operator"))?.call_method1(intern!(py, "index"), (obj,))?;
    index.bitand(u64::MAX)?.extract()
}

/// The Python exception for one of the crates' errors, with CPython's
/// messages where its tests read them.
pub(crate) fn py_error(error: select_core::Error) -> PyErr {
    use select_core::Error;
    match error {
        Error::Os(errno) => os_error(errno.raw_os_error()),
        Error::NotRegistered { fd } => PyKeyError::new_err(fd),
        Error::ConcurrentWait { object } => {
            PyRuntimeError::new_err(format!("concurrent {object}() invocation"))
        }
        Error::FdOutOfRange { .. } => {
            PyValueError::new_err("filedescriptor out of range in select()")
        }
        Error::TooManyFds { .. } => PyValueError::new_err("too many file descriptors in select()"),
        Error::Overflow { .. } => PyOverflowError::new_err(error.to_string()),
        Error::ShortWrite { .. } => PyOSError::new_err(error.to_string()),
        // Only reached if a hook stopped a wait without saying why; the module's own hook
        // always keeps the handler's exception (see `interrupt::wait`).
        Error::Interrupted => PyInterruptedError::new_err(error.to_string()),
        // Closed objects, bad arguments, and whatever a later version of the crates adds.
        other => PyValueError::new_err(other.to_string()),
    }
}

/// `OSError(errno, strerror)`, which Python turns into the errno's subclass
/// (`FileNotFoundError` for `ENOENT`, ...).
pub(crate) fn os_error(errno: i32) -> PyErr {
    let message = std::io::Error::from_raw_os_error(errno).to_string();
    // std appends " (os error N)"; Python's strerror is the text alone.
    let strerror = match message.rfind(" (os error ") {
        Some(end) => message[..end].to_owned(),
        None => message,
    };
    PyOSError::new_err((errno, strerror))
}
