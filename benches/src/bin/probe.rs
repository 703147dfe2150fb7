//! The program the structural tests run under `strace(1)`: one backend, one operation, N times.
//!
//! `probe <backend> <op> <count>`, where `<backend>` is a `Backend::NAME` from
//! `select::for_each_backend!` and `<op>` is one of:
//!
//! - `wait`: registers both ends of 500 socketpairs, makes one readable, then waits (timeout 0)
//!   `count` times, each wait reporting that one event;
//! - `timed-wait`: registers the same 1000 descriptors, none ready, then waits `count` times
//!   with a timeout of 1.5 ms, each wait timing out;
//! - `register`, `modify`, `unregister`: registers the first `count` (at most 1000) descriptors of the
//!   same 1000, then (for `modify`) modifies each once or (for `unregister`) unregisters each once;
//! - `select`: as `wait`, through a `Selector` over the backend, reading each key back;
//! - `selector-register`, `selector-modify-data`: registers the first `count` descriptors with a
//!   `Selector`, then (for `selector-modify-data`) modifies each one's data only, which must make
//!   no system call.
//!
//! The setup is the same whatever `count` is, so the difference between two runs with different
//! counts is exactly the cost of the extra operations; the tests compare such differences.

use std::os::fd::BorrowedFd;
use std::process::ExitCode;
use std::time::Duration;

use select::{Ready, Selector};
use select_benches::{CAPACITY, Pairs};
use select_core::{Backend, EventBuffer, Interest};

/// The timeout of each `timed-wait`: not a whole number of milliseconds.
const TIMED_WAIT: Duration = Duration::from_micros(1500);

/// Socketpairs created on every run, whatever the operation and count.
const POOL_PAIRS: usize = 500;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, op, count] = args.as_slice() else {
        eprintln!(
            "usage: probe <backend> <wait|timed-wait|register|modify|unregister|select|\
             selector-register|selector-modify-data> <count>"
        );
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("probe: count {count:?} is not a number");
        return ExitCode::from(2);
    };
    macro_rules! try_backend {
        ($backend:ty) => {
            if <$backend as Backend>::NAME == name {
                return match run::<$backend>(op, count) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(message) => {
                        eprintln!("probe {name} {op} {count}: {message}");
                        ExitCode::FAILURE
                    }
                };
            }
        };
    }
    select::for_each_backend!(try_backend);
    eprintln!("probe: this host has no backend named {name:?}");
    ExitCode::from(2)
}

fn run<B: Backend>(op: &str, count: usize) -> Result<(), String> {
    let _ = select_benches::raise_fd_limit();
    let pairs = Pairs::new(POOL_PAIRS).map_err(|e| format!("socketpair: {e}"))?;
    let fds: Vec<BorrowedFd<'_>> = pairs.all().collect();
    if op.starts_with("select") {
        return run_selector::<B>(&pairs, &fds, op, count);
    }
    let backend = B::new().map_err(|e| format!("new: {e}"))?;
    let register = |fds: &[BorrowedFd<'_>]| -> Result<(), String> {
        fds.iter()
            .try_for_each(|&fd| backend.register(fd, Interest::READABLE))
            .map_err(|e| format!("register: {e}"))
    };
    match op {
        "wait" => {
            register(&fds)?;
            rustix::io::write(pairs.writer(0), &[1]).map_err(|e| format!("write: {e}"))?;
            let mut events = B::Events::with_capacity(CAPACITY);
            for _ in 0..count {
                let n = backend
                    .wait(&mut events, Some(Duration::ZERO))
                    .map_err(|e| format!("wait: {e}"))?;
                if n != 1 {
                    return Err(format!("a wait reported {n} events instead of 1"));
                }
            }
        }
        "timed-wait" => {
            register(&fds)?;
            let mut events = B::Events::with_capacity(CAPACITY);
            for _ in 0..count {
                let n = backend
                    .wait(&mut events, Some(TIMED_WAIT))
                    .map_err(|e| format!("wait: {e}"))?;
                if n != 0 {
                    return Err(format!("a wait on idle descriptors reported {n} events"));
                }
            }
        }
        "register" | "modify" | "unregister" => {
            let chosen = fds.get(..count).ok_or_else(|| format!("at most {} fds", fds.len()))?;
            register(chosen)?;
            for &fd in chosen {
                match op {
                    "modify" => backend
                        .modify(fd, Interest::READABLE | Interest::WRITABLE)
                        .map_err(|e| format!("modify: {e}"))?,
                    "unregister" => {
                        backend.unregister(fd).map_err(|e| format!("unregister: {e}"))?;
                    }
                    _ => {}
                }
            }
        }
        _ => return Err(format!("unknown operation {op:?}")),
    }
    Ok(())
}

/// The `Selector` operations: `select`, `selector-register`, `selector-modify-data`.
fn run_selector<B: Backend>(
    pairs: &Pairs,
    fds: &[BorrowedFd<'_>],
    op: &str,
    count: usize,
) -> Result<(), String> {
    let backend = B::new().map_err(|e| format!("new: {e}"))?;
    let mut selector: Selector<B, usize> =
        Selector::with_backend_and_capacity(backend, CAPACITY).map_err(|e| format!("new: {e}"))?;
    let mut register = |fds: &[BorrowedFd<'_>]| -> Result<(), String> {
        fds.iter().enumerate().try_for_each(|(index, &fd)| {
            selector
                .register(fd, Interest::READABLE, index)
                .map(|_| ())
                .map_err(|e| format!("register: {e}"))
        })
    };
    match op {
        "select" => {
            register(fds)?;
            rustix::io::write(pairs.writer(0), &[1]).map_err(|e| format!("write: {e}"))?;
            let mut ready = Ready::new();
            for _ in 0..count {
                let n = selector
                    .select(&mut ready, Some(Duration::ZERO))
                    .map_err(|e| format!("select: {e}"))?;
                let keys = ready.iter().filter(|event| selector.key_of(event).is_some()).count();
                if (n, keys) != (1, 1) {
                    return Err(format!(
                        "a select reported {n} descriptors and {keys} keys instead of 1"
                    ));
                }
            }
        }
        "selector-register" | "selector-modify-data" => {
            let chosen = fds.get(..count).ok_or_else(|| format!("at most {} fds", fds.len()))?;
            register(chosen)?;
            if op == "selector-modify-data" {
                for (index, &fd) in chosen.iter().enumerate() {
                    selector
                        .modify(fd, Interest::READABLE, index + 1)
                        .map_err(|e| format!("modify: {e}"))?;
                }
            }
        }
        _ => return Err(format!("unknown operation {op:?}")),
    }
    Ok(())
}
