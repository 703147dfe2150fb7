//! Black-box integration tests of the `select` facade.
