//! Benchmark workloads shared by the criterion benches and `cargo xtask bench`.
