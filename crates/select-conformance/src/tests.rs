//! Tests of the suite itself: the support helpers, and a deliberately broken backend that
//! the suite must catch.

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use rustix::io::Errno;

use crate::support;

#[test]
fn interrupter_makes_a_blocked_poll_fail_with_eintr() {
    let (a, _b) = support::socketpair().unwrap();
    let received = support::signals_received();
    let _interrupter = support::Interrupter::current(Duration::from_millis(1));
    let started = Instant::now();
    let mut fds = [PollFd::new(&a, PollFlags::IN)];
    let timeout = rustix::event::Timespec { tv_sec: 5, tv_nsec: 0 };
    let result = rustix::event::poll(&mut fds, Some(&timeout));
    assert_eq!(result, Err(Errno::INTR), "SA_RESTART must be off");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(support::signals_received() > received);
}

#[test]
fn interrupter_targets_another_thread() {
    let (a, _b) = support::socketpair().unwrap();
    let waiter = std::thread::spawn(move || {
        let mut fds = [PollFd::new(&a, PollFlags::IN)];
        let timeout = rustix::event::Timespec { tv_sec: 10, tv_nsec: 0 };
        rustix::event::poll(&mut fds, Some(&timeout))
    });
    let interrupter = support::Interrupter::thread(&waiter, Duration::from_millis(2));
    while !waiter.is_finished() {
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(interrupter);
    assert_eq!(waiter.join().unwrap(), Err(Errno::INTR));
}

#[test]
fn socketpair_and_pipe_are_cloexec_and_nonblocking() {
    let (a, b) = support::socketpair().unwrap();
    let (r, w) = support::pipe().unwrap();
    for fd in [&a, &b, &r, &w] {
        assert!(support::is_cloexec(fd).unwrap());
        assert!(support::open_fds().contains(&fd.as_raw_fd()));
    }
    assert_eq!(support::drain(&a).unwrap(), 0, "an empty non-blocking read is EAGAIN");
    support::write_all(&b, b"xyz").unwrap();
    assert_eq!(support::drain(&a).unwrap(), 3);
    assert!(support::fill(&w).unwrap() > 0);
}

#[test]
fn closed_numbers_are_not_open() {
    let (a, b) = support::socketpair().unwrap();
    let number = a.as_raw_fd();
    assert!(support::is_open(number));
    drop(a);
    drop(b);
    // Another thread may reuse the number at once, so only check the answer is consistent.
    let open = support::is_open(number);
    assert_eq!(support::is_cloexec(support::borrow_raw(number)).is_ok(), open);
}

#[test]
fn fd_limit_is_raised_to_the_hard_limit() {
    let soft = support::raise_fd_limit().unwrap();
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    if let (Some(current), Some(hard)) = (limit.current, limit.maximum) {
        assert_eq!((soft, current), (hard, hard));
    }
}
