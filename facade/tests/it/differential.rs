//! One scenario on every backend the target has (through `for_each_backend!`): they must agree on
//! which descriptors are ready and how.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use select::{Backend, Interest, Ready, Selector};

use crate::support::{self, EVENTUALLY, socketpair};

/// What one backend reported: Python's `events` of each ready key, by name.
type Report = BTreeMap<&'static str, Interest>;

/// The scenario: a socket with data (watched for reading), a socket without data (watched for
/// reading only, so not ready), a socket watched for both (writable only), a socket whose peer
/// closed (watched for reading), and a socket registered then unregistered.
fn scenario<B: Backend>() -> Report {
    let (with_data, mut peer) = socketpair();
    let (idle, _idle_peer) = socketpair();
    let (both, _both_peer) = socketpair();
    let (hung_up, hung_up_peer) = socketpair();
    let (gone, _gone_peer) = socketpair();
    peer.write_all(b"data").unwrap();
    drop(hung_up_peer);

    let mut selector: Selector<B, &'static str> = Selector::with_new_backend().unwrap();
    selector.register(&with_data, Interest::READABLE, "with_data").unwrap();
    selector.register(&idle, Interest::READABLE, "idle").unwrap();
    selector.register(&both, Interest::READABLE | Interest::WRITABLE, "both").unwrap();
    selector.register(&hung_up, Interest::READABLE, "hung_up").unwrap();
    selector.register(&gone, Interest::WRITABLE, "gone").unwrap();
    selector.unregister(&gone).unwrap();

    let mut report = Report::new();
    // Unix sockets deliver at once, so one select sees everything; wait a little in case a
    // backend reports the descriptors over two calls.
    let mut ready = Ready::new();
    for timeout in [EVENTUALLY, Duration::from_millis(20)] {
        selector.select(&mut ready, Some(timeout)).unwrap();
        for event in &ready {
            let key = selector.key_of(event).unwrap();
            *report.entry(*key.data()).or_insert(Interest::empty()) |= event.events();
        }
        if report.len() == 3 {
            break;
        }
    }
    report
}

#[test]
fn every_backend_agrees_on_readiness() {
    let _fds = support::shared();
    let mut reports: Vec<(&'static str, Report)> = Vec::new();
    macro_rules! run {
        ($backend:ty) => {
            reports.push((<$backend as Backend>::NAME, scenario::<$backend>()));
        };
    }
    select::for_each_backend!(run);

    let expected = Report::from([
        ("with_data", Interest::READABLE),
        ("both", Interest::WRITABLE),
        ("hung_up", Interest::READABLE),
    ]);
    assert!(reports.len() >= 2, "poll and select exist on every Unix: {reports:?}");
    assert!(reports.iter().any(|(name, _)| *name == select::DEFAULT_BACKEND.name()));
    for (name, report) in &reports {
        assert_eq!(report, &expected, "{name} disagrees");
    }
}
