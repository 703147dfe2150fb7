//! One system call per wait in steady state and at most one per register, modify and
//! unregister, for every backend of ours on the host, counted with `strace(1)`.
//!
//! The `probe` binary of this package does one operation N times on a fixed set of
//! descriptors; its setup does not depend on N. Running it twice, with N and N + 1000, the
//! difference between the two system-call counts is exactly what the extra 1000 operations
//! cost, so the process's own start-up calls (the standard library's, the socketpairs') cancel
//! out. Without strace the test fails with a hint instead of skipping: CI installs it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Command;

use select_core::Backend;

/// The system calls that wait for readiness, under every name the kernel and libc use.
const WAIT_CALLS: [&str; 9] = [
    "poll",
    "ppoll",
    "select",
    "_newselect",
    "pselect6",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "kevent",
];

/// Runs `probe <backend> <op> <count>` under strace and counts its system calls by name.
fn count_syscalls(backend: &str, op: &str, count: usize) -> HashMap<String, usize> {
    let log: PathBuf = std::env::temp_dir()
        .join(format!("select-benches-strace-{}-{backend}-{op}-{count}.txt", std::process::id()));
    let status = Command::new("strace")
        .args(["-f", "-qq", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_probe"))
        .args([backend, op, &count.to_string()])
        .status();
    let status = match status {
        Ok(status) => status,
        Err(e) => panic!(
            "cannot run strace ({e}): the structural tests need it. Install it \
             (`apt-get install strace`, `dnf install strace`); CI installs it in .ci/run"
        ),
    };
    let text = std::fs::read_to_string(&log).expect("read the strace log");
    let _ = std::fs::remove_file(&log);
    assert!(
        status.success(),
        "probe {backend} {op} {count} failed under strace ({status}):\n{text}"
    );
    let mut counts = HashMap::new();
    for line in text.lines() {
        // Lines look like `1234  epoll_ctl(3, ...) = 0`; skip `<... resumed>`, `+++`, `---`.
        let call = line.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
        let Some((name, _)) = call.split_once('(') else { continue };
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            *counts.entry(name.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// The difference in system calls, by name, between `count + 1000` operations and `count`
/// operations, signed and only where it is not zero, so that a call made fewer times in the
/// longer run cannot hide an extra call of another name.
fn extra_calls(backend: &str, op: &str, count: usize) -> BTreeMap<String, i64> {
    let low = count_syscalls(backend, op, count);
    let high = count_syscalls(backend, op, count + 1000);
    let as_signed = |n: usize| i64::try_from(n).expect("a system-call count fits in i64");
    let mut extra = BTreeMap::new();
    for name in low.keys().chain(high.keys()) {
        let difference = as_signed(high.get(name).copied().unwrap_or(0))
            - as_signed(low.get(name).copied().unwrap_or(0));
        if difference != 0 {
            extra.insert(name.clone(), difference);
        }
    }
    extra
}

/// Every backend of ours on the host, by name.
fn backends() -> Vec<&'static str> {
    let mut names = Vec::new();
    macro_rules! name {
        ($backend:ty) => {
            names.push(<$backend as Backend>::NAME);
        };
    }
    select::for_each_backend!(name);
    assert!(!names.is_empty(), "select::for_each_backend! listed no backend");
    names
}

#[test]
fn one_system_call_per_wait() {
    let mut failures = Vec::new();
    for backend in backends() {
        let extra = extra_calls(backend, "wait", 10);
        // Exactly one wait call more per extra wait, and every other call as often as before.
        let exact = extra.len() == 1
            && extra.iter().all(|(name, &n)| WAIT_CALLS.contains(&name.as_str()) && n == 1000);
        if !exact {
            failures.push(format!(
                "{backend}: 1000 more waits changed the system calls by {extra:?}, not by one \
                 wait call each"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn at_most_one_system_call_per_registration_change() {
    let mut failures = Vec::new();
    for backend in backends() {
        let register = extra_calls(backend, "register", 0);
        let total: i64 = register.values().sum();
        if total > 1000 || register.values().any(|&n| n < 0) {
            failures.push(format!(
                "{backend}: 1000 registers changed the system calls by {register:?}"
            ));
        }
        for op in ["modify", "unregister"] {
            // These runs register as many descriptors as they change, so the registers'
            // share is taken off, name by name.
            let mut own = extra_calls(backend, op, 0);
            for (name, &n) in &register {
                *own.entry(name.clone()).or_insert(0) -= n;
            }
            own.retain(|_, n| *n != 0);
            let total: i64 = own.values().sum();
            if total > 1000 || own.values().any(|&n| n < 0) {
                failures.push(format!("{backend}: 1000 {op} calls changed the system calls by {own:?} beyond their registers'"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn one_system_call_per_selector_select() {
    let mut failures = Vec::new();
    for backend in backends() {
        let extra = extra_calls(backend, "select", 10);
        let exact = extra.len() == 1
            && extra.iter().all(|(name, &n)| WAIT_CALLS.contains(&name.as_str()) && n == 1000);
        if !exact {
            failures.push(format!(
                "{backend}: 1000 more Selector selects changed the system calls by {extra:?}, \
                 not by one wait call each"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_data_only_selector_modify_makes_no_system_call() {
    let mut failures = Vec::new();
    for backend in backends() {
        let register = count_syscalls(backend, "selector-register", 1000);
        let modify = count_syscalls(backend, "selector-modify-data", 1000);
        let mut names: Vec<&String> = register.keys().chain(modify.keys()).collect();
        names.sort();
        names.dedup();
        let changed: BTreeMap<&String, (usize, usize)> = names
            .into_iter()
            .map(|name| {
                let count =
                    |counts: &HashMap<String, usize>| counts.get(name).copied().unwrap_or(0);
                (name, (count(&register), count(&modify)))
            })
            .filter(|(_, (before, after))| before != after)
            .collect();
        if !changed.is_empty() {
            failures.push(format!(
                "{backend}: 1000 data-only modifies changed the system calls (before, after): \
                 {changed:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
