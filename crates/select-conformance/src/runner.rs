//! Runs each scenario in a child process of its own, so that counting the process's open
//! descriptors before and after it is exact even while other tests run in parallel threads.

#[cfg(unix)]
use std::collections::BTreeSet;
use std::io::Read;
#[cfg(unix)]
use std::os::fd::RawFd;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

#[cfg(unix)]
use crate::support;

/// The environment variable that marks the child process; its value is the test's name.
const CHILD: &str = "SELECT_CONFORMANCE_CHILD";

/// How long a child may run before it is killed and the test fails.
const CHILD_DEADLINE: Duration = Duration::from_secs(120);

/// Runs `scenario` isolated: in the parent test process, re-runs this test binary filtered to
/// this one test (`module_path` is the test's `module_path!()`, `name` its function name) and
/// fails if the child fails; in that child, runs `scenario` and then fails if the process has
/// a different set of open descriptors than before.
///
/// # Panics
///
/// If the scenario fails, leaks a descriptor, or the child cannot be run.
pub fn run_isolated(module_path: &str, name: &str, scenario: impl FnOnce()) {
    // The test harness names tests by their path without the crate's name.
    let test = match module_path.split_once("::") {
        Some((_crate, rest)) => format!("{rest}::{name}"),
        None => name.to_owned(),
    };
    if std::env::var_os(CHILD).is_some_and(|value| value == test.as_str()) {
        run_counted(&test, scenario);
    } else {
        run_child(&test);
    }
}

/// Runs `scenario` and compares the open descriptors before and after.
#[cfg(unix)]
pub(crate) fn run_counted(test: &str, scenario: impl FnOnce()) {
    let before = support::open_fds();
    scenario();
    let after = support::open_fds();
    let leaked: BTreeSet<RawFd> = after.difference(&before).copied().collect();
    let lost: BTreeSet<RawFd> = before.difference(&after).copied().collect();
    assert!(
        leaked.is_empty() && lost.is_empty(),
        "{test}: descriptors {leaked:?} were left open and {lost:?} were closed by the scenario \
         (open before: {before:?})"
    );
}

/// Runs `scenario`. Windows has no `/dev/fd` to list open handles, so no leak check is made
/// there; the scenario still runs alone in its own process.
#[cfg(windows)]
pub(crate) fn run_counted(_test: &str, scenario: impl FnOnce()) {
    scenario();
}

/// Re-runs this test binary for `test` alone and fails with its output if it fails.
fn run_child(test: &str) {
    let exe = std::env::current_exe().expect("the path of the running test binary");
    let mut child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{test}: cannot start the child test process: {error}"));
    // Both pipes are read on their own threads, so a chatty child never blocks on a full pipe.
    let stdout = child.stdout.take().map(read_all);
    let stderr = child.stderr.take().map(read_all);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child test process") {
            break Some(status);
        }
        if started.elapsed() > CHILD_DEADLINE {
            // The child is ours; kill it so the failure is reported instead of hanging CI.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    let collect = |reader: Option<thread::JoinHandle<String>>| {
        reader.map(|reader| reader.join().unwrap_or_default()).unwrap_or_default()
    };
    let (stdout, stderr) = (collect(stdout), collect(stderr));
    match status {
        Some(status) if status.success() && stdout.contains("1 passed") => {}
        Some(status) => panic!(
            "{test} failed in its child process ({status}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        ),
        None => panic!(
            "{test} did not finish within {CHILD_DEADLINE:?}:\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        ),
    }
}

/// Reads `pipe` to its end on a new thread.
fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}
