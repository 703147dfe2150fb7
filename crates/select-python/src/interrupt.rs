//! Waits with the GIL released, and PEP 475 with Python's signal handlers.
//!
//! Every wait runs inside [`wait`]: the GIL is released for the whole system call, so other
//! Python threads run (and may register, or start a second, refused, `poll()`). When the
//! kernel reports `EINTR`, the crates call the hook given to their `*_interruptible` waits;
//! the hook takes the GIL back and runs the Python signal handlers
//! (`PyErr_CheckSignals`). If a handler raised, the hook stops the wait and the module raises
//! that exception, as CPython does; otherwise the crate retries with the time
//! that remains.

use std::ops::ControlFlow;

use pyo3::prelude::*;

use select_core::OnInterrupt;

use crate::convert::py_error;

/// Runs `wait` with the GIL released, handing it the hook that runs the signal handlers after
/// each `EINTR` (select-core's [`OnInterrupt`]: `Continue` retries the wait, `Break` ends it
/// with `Error::Interrupted`), and turns its error into the Python exception: the one a handler raised if it
/// stopped the wait, otherwise [`py_error`]'s.
pub(crate) fn wait<T, F>(py: Python<'_>, wait: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce(OnInterrupt<'_>) -> select_core::Result<T>,
{
    let mut raised: Option<PyErr> = None;
    let result = py.detach(|| {
        let mut on_interrupt = || {
            Python::attach(|py| match py.check_signals() {
                Ok(()) => ControlFlow::Continue(()),
                Err(error) => {
                    raised = Some(error);
                    ControlFlow::Break(())
                }
            })
        };
        wait(&mut on_interrupt)
    });
    result.map_err(|error| raised.take().unwrap_or_else(|| py_error(error)))
}
