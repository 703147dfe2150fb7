//! Python's `select` module for Rust.
