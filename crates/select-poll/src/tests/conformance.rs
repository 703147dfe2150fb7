//! The shared conformance suite, run against this crate's backends.

select_conformance::conformance_suite!(poll, crate::Poll);
select_conformance::conformance_suite!(select, crate::Select);
