//! The shared conformance suite, run against this crate's backends.
