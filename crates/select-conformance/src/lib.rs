//! The conformance suite every backend crate runs against itself (not published).
//!
//! One suite, generic over [`select_core::Backend`], checks every rule of the backend
//! contract on real kernel objects (socketpairs, pipes, TCP on 127.0.0.1):
//!
//! - [`scenarios`]: one plain `pub fn name<B: Backend>()` per rule (readiness, timeouts,
//!   edge and oneshot, many descriptors, closing, close-on-exec, duplicates, unsupported
//!   interests, buffer capacity, concurrent waits);
//! - [`model`]: a model-based property test (proptest) comparing random sequences of
//!   register (level, oneshot, edge), modify, unregister, write, read, close-and-reopen, a
//!   peer closed alone, `dup`, and waits (zero, 1.5 ms, buffers smaller than the ready set)
//!   with an in-memory model of readiness;
//! - [`faults`]: a signal every millisecond during two seconds of waits, four threads
//!   registering while another waits, and waits on a closed backend;
//! - [`arguments`]: the order of select-core's checks (closed first, then the arguments),
//!   negative numbers, unknown interest bits, buffer sizes, capabilities against methods;
//! - [`waits`]: system calls per wait (counted through select-core's seam), the clamp path,
//!   "not late", two waiters at once, descriptor 0, `EXCLUSIVE` reaching the kernel;
//! - [`interrupts`]: the caller's interrupt hook of `wait_interruptible` under real signals;
//! - [`support`]: helpers any backend crate's own tests may use.
//!
//! # Design choices
//!
//! - **Differences come from capabilities.** Scenarios branch on `B::CAPABILITIES`,
//!   `B::KIND` and `B::FD_LIMIT`, never on the operating system. What capabilities cannot
//!   say (what a wait does with a descriptor closed while registered) is in one table,
//!   [`expectations::EXPECTATIONS`], with the documented reason for every row.
//! - **One child process per scenario.** [`conformance_suite!`] stamps out one `#[test]` per
//!   scenario; each re-runs the test binary filtered to itself ([`run_isolated`]), so the
//!   set of open descriptors is compared exactly before and after every scenario while the
//!   crate's other tests run in parallel, and descriptor numbers are reused predictably.
//! - **Failing sequences are kept.** The model test records shrunk failures in this crate's
//!   `proptest-regressions/model.txt`, which is committed; `PROPTEST_CASES` sets how many
//!   sequences run per backend (256 by default).
//!
//! # Where it ran
//!
//! On Linux (x86_64) against `select-poll`'s `Poll` and `Select` and `select-epoll`'s
//! `Epoll`. The kqueue and /dev/poll invocations are type-checked by cross-target clippy
//! only; running them needs a BSD, macOS or illumos host.

#![deny(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod arguments;
pub mod expectations;
pub mod faults;
pub mod interrupts;
pub mod model;
pub mod readiness;
mod runner;
pub mod scenarios;
pub mod support;
mod sys;
pub mod waits;

pub use runner::run_isolated;

/// Stamps out the whole suite for one backend: `conformance_suite!(module, Type)` declares
/// `mod module` with one `#[test]` per scenario, each run in a child process of its own with
/// a descriptor-leak check.
///
/// ```ignore
/// select_conformance::conformance_suite!(epoll, crate::Epoll);
/// ```
#[macro_export]
macro_rules! conformance_suite {
    ($module:ident, $backend:ty) => {
        mod $module {
            $crate::__conformance_tests! {
                $backend;
                scenarios: level_readiness, write_readiness, peer_close_hangup_and_error,
                    unregistered_never_reported, modify_changes_reported, timeouts,
                    no_timeout_released_by_another_thread, edge_triggered, oneshot, many_fds,
                    closed_while_registered, fd_number_reused, close_on_exec,
                    duplicate_registration, unsupported_interest, buffer_capacity,
                    close_then_closed, concurrent_wait, user_event, no_starvation;
                faults: signal_storm, registration_during_waits, wait_after_close;
                readiness: pipe_eof, peer_closed, reader_closed;
                interrupts: interrupt_hook_breaks, interrupt_hook_continues;
                arguments: closed_before_bad_arguments, negative_unregister_raw, interest_bits,
                    buffer_sizes, capabilities_agree_with_methods;
                waits: one_call_per_wait, clamped_waits_are_split, not_early_not_late,
                    two_waiters_at_once, descriptor_zero, exclusive_reaches_the_kernel;
                model: model_matches;
            }
        }
    };
}

/// The body of [`conformance_suite!`]: one `#[test]` per named function of each module.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($backend:ty; $($module:ident: $($name:ident),+ ;)+) => {
        $($(
            #[test]
            fn $name() {
                $crate::run_isolated(
                    module_path!(),
                    stringify!($name),
                    $crate::$module::$name::<$backend>,
                );
            }
        )+)+
    };
}

#[cfg(test)]
mod tests;
