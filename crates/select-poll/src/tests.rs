//! Tests for select-poll: poll objects, select() and the Select backend on real descriptors.
mod conformance;
