//! poll(2) and select(2) backends: every Unix.
#![cfg(unix)]
