//! The conformance suite every backend crate runs against itself (not published).
//!
//! [`support`] holds the test helpers every backend crate may use: a signal that interrupts
//! blocked waits, descriptor counting and close-on-exec checks, the descriptor limit, and
//! non-blocking socketpair and pipe constructors.

#![deny(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod support;
mod sys;

#[cfg(test)]
mod tests;
