//! Command-line flags of `cargo xtask`.

// xflags generates `pub` items inside this private module; they are reachable only from this
// binary, which is what `unreachable_pub` would have us say, but the generated code cannot.
#![allow(unreachable_pub)]

xflags::xflags! {
    /// The project's own tasks.
    cmd xtask {
        /// Run every check in order (fmt, tidy, clippy, test, doc, cross, bench-check, python,
        /// package, msrv, minimal-versions), or one step by name.
        cmd ci {
            /// Run only this step.
            optional step: String
            /// Run every step even after a failure, then report all failures.
            optional --keep-going
            /// Do not run `rustup target add`, `rustup component add` or `rustup toolchain install`
            /// (they must be present).
            optional --skip-install
            /// Comma-separated targets for the `cross` step, instead of the full list.
            optional --targets targets: String
            /// With the `python` step: also run asyncio's selector event loop tests and
            /// `test_subprocess` against the Python module (several minutes).
            optional --large
        }
        /// Run cargo-mutants (installed when missing) over select-core, select-poll,
        /// select-epoll and the facade's selector, or over the packages and files given.
        /// Not part of `ci`: the full run takes hours. Results go to target/mutants.
        cmd mutants {
            /// Only mutate this package (repeatable); default: the four above.
            repeated --package package: String
            /// Only mutate files matching this glob (repeatable), e.g. crates/select-core/src/timeout.rs.
            repeated --file file: String
            /// Only mutants whose name matches this regex (cargo-mutants' --re).
            optional --re regex: String
            /// Give up on a mutant's tests after this many seconds (cargo-mutants' --timeout).
            optional --timeout seconds: u64
            /// Comma-separated packages whose tests run against each mutant (default:
            /// select-core,select-poll,select-epoll,select).
            optional --test-package packages: String
            /// Where cargo-mutants writes mutants.out (default: target/mutants), so two runs
            /// over different files can proceed at once.
            optional --output dir: String
            /// List the mutants instead of testing them.
            optional --list
        }
        /// Run the benchmarks (W1-W5 twice, W6, W7, instruction counts) and write
        /// docs/benchmarks.md and docs/img/scaling.png. Measured on 2 cores with nothing else
        /// running and the benches already compiled: 9 min 38 s, of which 5.5 minutes are the
        /// two runs of W1-W5 (half of each run is W4 at N = 10,000, where one poll(2)
        /// iteration of A = 1 takes about 0.18 s); a cold checkout adds about 5 minutes of
        /// compiling and 1.5 minutes to install gungraun-runner.
        cmd bench {
            /// A short run for a first look, written to target/select-bench/ (never over the
            /// committed docs). Measured: 9 min 17 s on 2 cores shared with other builds, of
            /// which about 5 minutes compiling, 2 min 45 s in the two runs of W1-W5 and 30 s
            /// of instruction counts; on a cold checkout (empty target dir) compiling takes a
            /// little longer, plus 1.5 minutes to install gungraun-runner the first time.
            optional --quick
            /// Only the instruction counts (installs valgrind and gungraun-runner when
            /// missing), written to target/select-bench/counts.md.
            optional --counts
        }
    }
}
