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
        /// Run the benchmarks and write docs/benchmarks.md and docs/img/scaling.png.
        cmd bench {
            /// A short run (under two minutes) for a first look.
            optional --quick
        }
    }
}
