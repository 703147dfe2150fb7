//! Turns criterion's estimates into docs/benchmarks.md and docs/img/scaling.png.
fn main() {}
