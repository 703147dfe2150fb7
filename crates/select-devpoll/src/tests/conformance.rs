//! The shared conformance suite, run against this crate's backends (declared by `tests.rs`
//! only where the real device exists).

select_conformance::conformance_suite!(devpoll, crate::DevPoll);
