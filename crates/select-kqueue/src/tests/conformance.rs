//! The shared conformance suite, run against this crate's backends.

select_conformance::conformance_suite!(kqueue, crate::Kqueue);
