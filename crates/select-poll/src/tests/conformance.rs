//! The shared conformance suite, run against this crate's backends (`Select` alone on
//! Windows, where there is no `Poll`, with the suite's socket scenarios).

#[cfg(unix)]
select_conformance::conformance_suite!(poll, crate::Poll);
select_conformance::conformance_suite!(select, crate::Select);
