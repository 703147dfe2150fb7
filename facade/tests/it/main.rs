//! Black-box integration tests of the `select` facade: the `Selector` contract and the `Waker` on
//! the default backend, and one scenario run on every backend the target has.
//!
//! CI runs this binary a second time with `RUSTFLAGS='--cfg select_backend="poll"'` (and
//! `"select"`), so the contract is checked on the fallbacks too. No test names an operating
//! system: differences come from `Backend::CAPABILITIES` and `Backend::FD_LIMIT`.

mod differential;
mod echo;
mod selector;
#[cfg(unix)] // over poll(2), which the Windows build does not have
mod split_events;
mod support;
mod waker;
