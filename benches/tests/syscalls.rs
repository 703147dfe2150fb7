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

/// Runs `probe <backend> <op> <count>` under strace (with `extra` strace options, such as a
/// fault injection) and returns its log.
fn strace_log(backend: &str, op: &str, count: usize, extra: &[&str]) -> String {
    let log: PathBuf = std::env::temp_dir().join(format!(
        "select-benches-strace-{}-{backend}-{op}-{count}-{}.txt",
        std::process::id(),
        extra.len()
    ));
    let status = Command::new("strace")
        .args(["-f", "-qq"])
        .args(extra)
        .arg("-o")
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
        "probe {backend} {op} {count} failed under strace {extra:?} ({status}):\n{text}"
    );
    text
}

/// The system call a line of an strace log shows, if it shows one: `epoll_ctl` for
/// `1234  epoll_ctl(3, ...) = 0`; `None` for `<... resumed>`, `+++` and `---` lines.
fn call_name(line: &str) -> Option<&str> {
    let call = line.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
    let (name, _) = call.split_once('(')?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// Runs `probe <backend> <op> <count>` under strace and counts its system calls by name.
fn count_syscalls(backend: &str, op: &str, count: usize, extra: &[&str]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for name in strace_log(backend, op, count, extra).lines().filter_map(call_name) {
        *counts.entry(name.to_owned()).or_insert(0) += 1;
    }
    counts
}

/// The difference in system calls, by name, between `count + more` operations and `count`
/// operations, signed and only where it is not zero, so that a call made fewer times in the
/// longer run cannot hide an extra call of another name.
fn extra_calls_of(
    backend: &str,
    op: &str,
    count: usize,
    more: usize,
    extra: &[&str],
) -> BTreeMap<String, i64> {
    let low = count_syscalls(backend, op, count, extra);
    let high = count_syscalls(backend, op, count + more, extra);
    let as_signed = |n: usize| i64::try_from(n).expect("a system-call count fits in i64");
    let mut difference = BTreeMap::new();
    for name in low.keys().chain(high.keys()) {
        let change = as_signed(high.get(name).copied().unwrap_or(0))
            - as_signed(low.get(name).copied().unwrap_or(0));
        if change != 0 {
            difference.insert(name.clone(), change);
        }
    }
    difference
}

/// [`extra_calls_of`] for 1000 more operations, traced plainly.
fn extra_calls(backend: &str, op: &str, count: usize) -> BTreeMap<String, i64> {
    extra_calls_of(backend, op, count, 1000, &[])
}

/// Whether `extra` is exactly `more` calls of one waiting system call and nothing else.
fn one_wait_call_each(extra: &BTreeMap<String, i64>, more: i64) -> bool {
    extra.len() == 1
        && extra.iter().all(|(name, &n)| WAIT_CALLS.contains(&name.as_str()) && n == more)
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
        if !one_wait_call_each(&extra, 1000) {
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

/// The extra timed waits of [`one_system_call_per_wait_with_a_timeout`] (each takes 1.5 ms).
const TIMED_WAITS: usize = 200;

#[test]
fn one_system_call_per_wait_with_a_timeout() {
    // A 1.5 ms timeout is not a whole number of milliseconds: still one call per wait, which
    // no wait that ends by its timeout may split or repeat.
    let mut failures = Vec::new();
    for backend in backends() {
        let extra = extra_calls_of(backend, "timed-wait", 3, TIMED_WAITS, &[]);
        if !one_wait_call_each(&extra, i64::try_from(TIMED_WAITS).unwrap()) {
            failures.push(format!(
                "{backend}: {TIMED_WAITS} more 1.5 ms waits changed the system calls by \
                 {extra:?}, not by one wait call each"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The lines of `log` that call `name`.
fn calls_of<'a>(log: &'a str, name: &str) -> Vec<&'a str> {
    log.lines().filter(|line| call_name(line) == Some(name)).collect()
}

#[test]
fn epoll_waits_pass_the_timeout_to_the_nanosecond() {
    // Linux 5.11+: `epoll_pwait2` with the 1.5 ms as a timespec, not rounded to 2 ms.
    if !backends().contains(&"epoll") {
        return;
    }
    let log = strace_log("epoll", "timed-wait", 3, &[]);
    let pwait2 = calls_of(&log, "epoll_pwait2");
    assert_eq!(pwait2.len(), 3, "three waits, three epoll_pwait2 calls:\n{log}");
    for line in pwait2 {
        assert!(line.contains("{tv_sec=0, tv_nsec=1500000}"), "not 1.5 ms to the ns: {line}");
    }
    assert!(calls_of(&log, "epoll_pwait").is_empty(), "no millisecond wait:\n{log}");
}

#[test]
fn epoll_zero_timeout_waits_skip_epoll_pwait2() {
    // A zero timeout is exact in milliseconds: `epoll_pwait(.., 0, ..)` (or `epoll_wait`),
    // with no timespec for the kernel to copy in, as CPython's `epoll.poll(0)` does.
    if !backends().contains(&"epoll") {
        return;
    }
    let log = strace_log("epoll", "wait", 10, &[]);
    assert!(calls_of(&log, "epoll_pwait2").is_empty(), "a zero timeout used epoll_pwait2:\n{log}");
    let waits: Vec<&str> =
        ["epoll_pwait", "epoll_wait"].iter().flat_map(|name| calls_of(&log, name)).collect();
    assert_eq!(waits.len(), 10, "ten waits, ten millisecond calls:\n{log}");
    for line in waits {
        assert!(line.contains(", 0"), "not a zero-millisecond wait: {line}");
    }
}

#[test]
fn without_epoll_pwait2_epoll_falls_back_to_whole_milliseconds() {
    // A kernel before 5.11 (ENOSYS) or a seccomp profile that refuses the unknown call
    // (EPERM), simulated by strace's fault injection: the first wait finds out and falls
    // back; every wait after it is one `epoll_pwait` with the timeout rounded up to 2 ms.
    if !backends().contains(&"epoll") {
        return;
    }
    for errno in ["ENOSYS", "EPERM"] {
        let inject = format!("inject=epoll_pwait2:error={errno}");
        let options = ["-e", inject.as_str()];
        let log = strace_log("epoll", "timed-wait", 3, &options);
        assert_eq!(calls_of(&log, "epoll_pwait2").len(), 1, "{errno}: tried once:\n{log}");
        let pwait = calls_of(&log, "epoll_pwait");
        assert_eq!(pwait.len(), 3, "{errno}: one epoll_pwait per wait:\n{log}");
        for line in pwait {
            assert!(
                line.contains(", 1024, 2, "),
                "{errno}: 1.5 ms is not rounded up to 2 ms: {line}"
            );
        }
        for (op, count, more) in [("wait", 10, 1000), ("timed-wait", 3, TIMED_WAITS)] {
            let extra = extra_calls_of("epoll", op, count, more, &options);
            let expected =
                BTreeMap::from([("epoll_pwait".to_owned(), i64::try_from(more).unwrap())]);
            assert_eq!(extra, expected, "{errno}: {more} more {op} calls");
        }
    }
}

#[test]
fn one_system_call_per_selector_select() {
    let mut failures = Vec::new();
    for backend in backends() {
        let extra = extra_calls(backend, "select", 10);
        if !one_wait_call_each(&extra, 1000) {
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
        let register = count_syscalls(backend, "selector-register", 1000, &[]);
        let modify = count_syscalls(backend, "selector-modify-data", 1000, &[]);
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
