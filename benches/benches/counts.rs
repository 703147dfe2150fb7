//! Instruction counts under callgrind (gungraun): one steady-state wait and one
//! register+unregister, for every row `select_benches::visit_all` lists.
//!
//! Each benchmark sets its row up (8 registered descriptors: both ends of 4 socketpairs, for
//! reading), makes a few uncounted waits so the row is in steady state, then calls one of the
//! `measured_*` functions once. Only what runs inside that call is counted (callgrind's
//! `--toggle-collect`, gungraun's custom entry point), so setup, warm-up and teardown are
//! left out; the system call itself is one instruction, since callgrind counts user space.
//!
//! - `wait_idle`: one `wait(timeout 0)`, nothing ready;
//! - `wait_ready`: the same with one descriptor ready (its event is read back out);
//! - `churn`: one register and one unregister of a ninth descriptor;
//! - `wait_many`: W5's wait instead, 256 descriptors registered and all ready (one byte
//!   pending each, never read), every event read back out: where a `Selector` row's
//!   per-event bookkeeping shows against our `Backend` row. Edge-only rows (mio) have none.
//!
//! The benchmarks of each function are numbered in the order of `select_benches::rows()`
//! (for `wait_many`, of its rows that are not edge-only), which the report uses to name them. Run with
//! `cargo xtask bench --counts` (which installs valgrind and `gungraun-runner` first).

// gungraun's macros generate public modules, constants and functions without docs.
#![allow(missing_docs)]

use std::hint::black_box;
use std::os::fd::BorrowedFd;

use gungraun::{
    Callgrind, EntryPoint, LibraryBenchmarkConfig, library_benchmark, library_benchmark_group, main,
};
use select_benches::{
    ManyReady, Pairs, Row, Subject, Timeout, Visitor, add_all, raise_fd_limit, rows, visit_all,
};

/// Uncounted waits (or register+unregister pairs) before the counted one.
const WARM_UP: usize = 16;

/// What one benchmark counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Op {
    /// One wait, nothing ready.
    WaitIdle,
    /// One wait, one descriptor ready.
    WaitReady,
    /// One register and one unregister.
    Churn,
    /// One wait, 256 descriptors ready.
    WaitMany,
}

/// How many descriptors `wait_many` has ready (W5's count).
const MANY_READY: usize = 256;

/// The counted wait.
#[inline(never)]
fn measured_wait<'fd, R: Row<'fd>>(row: &mut R) -> usize {
    row.wait(Timeout::Zero, |fd| {
        black_box(fd);
    })
    .expect("wait")
}

/// The counted register+unregister.
#[inline(never)]
fn measured_churn<'fd, R: Row<'fd>>(row: &mut R, fd: BorrowedFd<'fd>) {
    row.add(fd).expect("register");
    row.delete(fd).expect("unregister");
}

/// Sets up the row named `name`, warms it up and runs `op` once, counted.
struct Run {
    index: usize,
    op: Op,
    seen: usize,
}

impl Visitor for Run {
    fn visit<S: Subject>(&mut self) {
        self.seen += 1;
        if self.seen - 1 != self.index {
            return;
        }
        if self.op == Op::WaitMany {
            let _ = raise_fd_limit();
            let pairs = Pairs::new(MANY_READY).expect("socketpairs");
            let mut row = S::open().expect("open row");
            let many = ManyReady::new(&mut row, &pairs).expect("register");
            for _ in 0..WARM_UP {
                many.iteration(&mut row).expect("wait");
            }
            let found = measured_wait(&mut row);
            assert_eq!(found, MANY_READY, "{} found {found} ready", S::NAME);
            return;
        }
        let pairs = Pairs::new(4).expect("socketpairs");
        let extra = Pairs::new(1).expect("socketpair");
        let mut row = S::open().expect("open row");
        add_all(&mut row, &pairs).expect("register");
        if self.op == Op::Churn {
            for _ in 0..WARM_UP {
                row.add(extra.reader(0)).expect("register");
                row.delete(extra.reader(0)).expect("unregister");
            }
            measured_churn(&mut row, extra.reader(0));
            return;
        }
        // A byte is written before each wait and read after it, so that edge-triggered rows
        // (mio) see a new edge each time, as level-triggered rows see the byte.
        let ready = self.op == Op::WaitReady;
        let wanted = usize::from(ready);
        let mut byte = [0_u8; 1];
        for round in 0..=WARM_UP {
            if ready {
                rustix::io::write(pairs.writer(0), &[1]).expect("write");
            }
            let found = if round == WARM_UP {
                measured_wait(&mut row)
            } else {
                row.wait(Timeout::Zero, |_| {}).expect("wait")
            };
            assert_eq!(found, wanted, "{} found {found} ready", S::NAME);
            if ready {
                rustix::io::read(pairs.reader(0), &mut byte).expect("read");
            }
        }
    }
}

/// Runs `op` on row number `index` of `rows()`.
fn run(index: usize, op: Op) {
    visit_all(&mut Run { index, op, seen: 0 });
}

/// Every row's index in `rows()`.
fn indices() -> std::ops::Range<usize> {
    0..rows().len()
}

/// The index in `rows()` of every row that is not edge-only (W5 needs level-triggered reports).
fn level_indices() -> impl Iterator<Item = usize> {
    rows().into_iter().enumerate().filter(|(_, row)| !row.edge_only).map(|(index, _)| index)
}

/// Counts only inside the `measured_*` functions.
fn config() -> LibraryBenchmarkConfig {
    let mut config = LibraryBenchmarkConfig::default();
    config.tool(Callgrind::default().entry_point(EntryPoint::Custom("*measured_*".to_owned())));
    config
}

#[library_benchmark(config = config())]
#[benches::row(iter = indices())]
fn wait_idle(index: usize) {
    run(index, Op::WaitIdle);
}

#[library_benchmark(config = config())]
#[benches::row(iter = indices())]
fn wait_ready(index: usize) {
    run(index, Op::WaitReady);
}

#[library_benchmark(config = config())]
#[benches::row(iter = indices())]
fn churn(index: usize) {
    run(index, Op::Churn);
}

#[library_benchmark(config = config())]
#[benches::row(iter = level_indices())]
fn wait_many(index: usize) {
    run(index, Op::WaitMany);
}

library_benchmark_group!(name = counts, benchmarks = [wait_idle, wait_ready, churn, wait_many]);

main!(library_benchmark_groups = counts);
