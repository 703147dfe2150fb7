//! W1-W4 benchmarks.
fn main() {}
