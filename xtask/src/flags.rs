//! Command-line flags of `cargo xtask`.

// xflags generates `pub` items inside this private module; they are reachable only from this
// binary, which is what `unreachable_pub` would have us say, but the generated code cannot.
#![allow(unreachable_pub)]

xflags::xflags! {
    /// The project's own tasks.
    cmd xtask {
        /// Run every check in order (fmt, tidy, clippy, test, doc, cross, bench-check), or one
        /// step by name.
        cmd ci {
            /// Run only this step.
            optional step: String
            /// Run every step even after a failure, then report all failures.
            optional --keep-going
            /// Do not run `rustup target add` / `rustup component add` (they must be present).
            optional --skip-install
            /// Comma-separated targets for the `cross` step, instead of the full list.
            optional --targets targets: String
        }
        /// Run the benchmarks (W1-W4 twice, W6, W7, instruction counts) and write
        /// docs/benchmarks.md and docs/img/scaling.png.
        cmd bench {
            /// A short run for a first look, written to target/select-bench/ (never over the
            /// committed docs). On a cold checkout (empty target dir) it takes about 5 minutes,
            /// 4 of them compiling (measured: 4 min 34 s on 2 cores shared with other builds),
            /// plus 1.5 minutes to install gungraun-runner the first time.
            optional --quick
            /// Only the instruction counts (installs valgrind and gungraun-runner when
            /// missing), written to target/select-bench/counts.md.
            optional --counts
        }
    }
}
