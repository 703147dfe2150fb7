//! W1-W4 (`shared/bench/WORKLOADS.md`) for every row `select_benches::visit_all` lists,
//! measured in interleaved rounds (`select_benches::rounds`).
//!
//! Each workload is a [`Visitor`] that sets one row up and adds its measurement to a
//! [`Case`]; once every row of a case is set up, the case runs its rounds. Cases are named
//! `W1`, `W2 <N>`, `W3` and `W4 n<N>-a<A>`. The samples (nanoseconds per operation, one per
//! round) go to the file named by `SELECT_BENCH_OUT` (default
//! `target/select-bench/samples.tsv`), which the `report` binary reads; `SELECT_BENCH_QUICK`
//! selects the short plan (`cargo xtask bench --quick`).
//!
//! No row's writes may wake another row's epoll, so rows that exchange data never watch the
//! same descriptors at the same time: in W1 each row has a socketpair of its own (rows limited
//! by `FD_SETSIZE` get theirs first, so they have the lowest numbers); in W4, whose 10,000
//! socketpairs per row would not fit the descriptor limit eight times over, the rows share one
//! set and each registers it for its own measurement only (the registration is not timed).
//! Rows of idle or registration-only cases (W2, W3) share one set throughout, since an idle
//! descriptor costs the other rows nothing.

use std::hint::black_box;
use std::os::fd::BorrowedFd;
use std::path::PathBuf;
use std::time::Instant;

use select_benches::rounds::{Case, Plan, Sample, write_samples};
use select_benches::{
    Chain, Pairs, Subject, Visitor, add_all, churn, fits, idle_wait, pairs_that_fit,
    ping_pong_setup, raise_fd_limit, round_trip, rows, visit_all,
};

/// W2's registered-descriptor counts.
const IDLE_SIZES: [usize; 4] = [10, 100, 1000, 10_000];
/// W3's descriptor count.
const CHURN_FDS: usize = 10_000;
/// W4's largest pair count, active pair counts and extra writes.
const CHAIN_LARGEST: usize = 10_000;
const CHAIN_ACTIVE: [usize; 2] = [1, 100];
const CHAIN_WRITES: usize = 100;

/// `count` socketpairs for each row of [`rows`], in the visit order; the rows limited by
/// `FD_SETSIZE` are given theirs first, so their descriptors have the lowest numbers.
fn pairs_per_row(count: usize) -> Vec<Pairs> {
    let rows = rows();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows[i].fd_limit.unwrap_or(usize::MAX));
    let mut made: Vec<Option<Pairs>> = (0..rows.len()).map(|_| None).collect();
    for i in order {
        made[i] = Some(Pairs::new(count).expect("socketpairs"));
    }
    made.into_iter().flatten().collect()
}

/// W1: ping-pong on one socketpair per row, ns per round trip.
struct PingPong<'p> {
    pairs: std::slice::Iter<'p, Pairs>,
    case: Case<'p>,
}

impl<'p> Visitor for PingPong<'p> {
    fn visit<S: Subject>(&mut self) {
        let pairs: &'p Pairs = self.pairs.next().expect("a pair per row");
        if !fits::<S>(pairs) {
            return;
        }
        let mut row = S::open().expect("open row");
        ping_pong_setup(&mut row, pairs).expect("register");
        self.case.add_op(S::NAME, move || round_trip(&mut row, pairs).expect("round trip"));
    }
}

/// W2: `wait(0)` against N idle descriptors shared by every row, ns per wait.
struct IdleScan<'p> {
    pairs: &'p Pairs,
    case: Case<'p>,
}

impl<'p> Visitor for IdleScan<'p> {
    fn visit<S: Subject>(&mut self) {
        if !fits::<S>(self.pairs) {
            return;
        }
        let mut row = S::open().expect("open row");
        add_all(&mut row, self.pairs).expect("register");
        self.case.add_op(S::NAME, move || {
            black_box(idle_wait(&mut row).expect("wait"));
        });
    }
}

/// W3: register then unregister each of 10,000 shared descriptors, ns per pair of calls.
struct Churn<'p> {
    fds: &'p [BorrowedFd<'p>],
    max_fd: &'p Pairs,
    case: Case<'p>,
}

impl<'p> Visitor for Churn<'p> {
    fn visit<S: Subject>(&mut self) {
        if !fits::<S>(self.max_fd) {
            return;
        }
        let mut row = S::open().expect("open row");
        let fds = self.fds;
        self.case.add(S::NAME, move |iters| {
            // Each operation is one register+unregister pair, done in batches of up to
            // 10,000 so the set really grows to 10,000 descriptors.
            let mut left = usize::try_from(iters).unwrap_or(usize::MAX);
            let start = Instant::now();
            while left > 0 {
                let batch = left.min(fds.len());
                churn(&mut row, &fds[..batch]).expect("churn");
                left -= batch;
            }
            start.elapsed()
        });
    }
}

/// W4: libevent's chain benchmark on N socketpairs shared by the rows, time per iteration.
struct ChainBench<'p> {
    pairs: &'p Pairs,
    active: usize,
    case: Case<'p>,
}

impl<'p> Visitor for ChainBench<'p> {
    fn visit<S: Subject>(&mut self) {
        let pairs = self.pairs;
        if !fits::<S>(pairs) {
            return;
        }
        let mut row = S::open().expect("open row");
        let active = self.active;
        self.case.add(S::NAME, move |iters| {
            // Registered for this measurement only, so no other row's chain wakes this one.
            let chain = Chain::new(&mut row, pairs).expect("register");
            let start = Instant::now();
            for _ in 0..iters {
                black_box(chain.iteration(&mut row, active, CHAIN_WRITES).expect("chain"));
            }
            let elapsed = start.elapsed();
            chain.release(&mut row).expect("unregister");
            elapsed
        });
    }
}

/// Runs `case` and reports its progress.
fn run_case(samples: &mut Vec<Sample>, case: Case<'_>, workload: &str, id: &str, plan: &Plan) {
    let started = Instant::now();
    let rows = case.len();
    samples.extend(case.run(workload, id, plan));
    println!("{workload} {id}: {rows} rows, {:.1} s", started.elapsed().as_secs_f64());
}

fn main() {
    let plan =
        if std::env::var_os("SELECT_BENCH_QUICK").is_some() { Plan::QUICK } else { Plan::FULL };
    let out = std::env::var_os("SELECT_BENCH_OUT").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/select-bench/samples.tsv"),
        PathBuf::from,
    );
    // `cargo bench` passes `--bench`; a filter argument selects workloads by prefix.
    let filter: Vec<String> =
        std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    let wanted = |workload: &str| filter.is_empty() || filter.iter().any(|f| f == workload);
    let fd_limit = raise_fd_limit();
    let mut samples = Vec::new();

    if wanted("W1") {
        let pairs = pairs_per_row(1);
        let mut visitor = PingPong { pairs: pairs.iter(), case: Case::new() };
        visit_all(&mut visitor);
        run_case(&mut samples, visitor.case, "W1", "", &plan);
    }

    if wanted("W2") {
        for n in IDLE_SIZES {
            if pairs_that_fit(n / 2, fd_limit) < n / 2 {
                continue;
            }
            let pairs = Pairs::new(n / 2).expect("socketpairs");
            let mut visitor = IdleScan { pairs: &pairs, case: Case::new() };
            visit_all(&mut visitor);
            run_case(&mut samples, visitor.case, "W2", &n.to_string(), &plan);
        }
    }

    if wanted("W3") {
        let wanted = CHURN_FDS / 2;
        if pairs_that_fit(wanted, fd_limit) == wanted {
            let pairs = Pairs::new(wanted).expect("socketpairs");
            let fds: Vec<BorrowedFd<'_>> = pairs.all().collect();
            let mut visitor = Churn { fds: &fds, max_fd: &pairs, case: Case::new() };
            visit_all(&mut visitor);
            run_case(&mut samples, visitor.case, "W3", "", &plan);
        }
    }

    if wanted("W4") {
        for n in [100, 1000, pairs_that_fit(CHAIN_LARGEST, fd_limit)] {
            let pairs = Pairs::new(n).expect("socketpairs");
            for active in CHAIN_ACTIVE {
                let mut visitor = ChainBench { pairs: &pairs, active, case: Case::new() };
                visit_all(&mut visitor);
                run_case(&mut samples, visitor.case, "W4", &format!("n{n}-a{active}"), &plan);
            }
        }
    }

    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).expect("create the samples' directory");
    }
    std::fs::write(&out, write_samples(&samples)).expect("write the samples");
    println!("wrote {}", out.display());
}
