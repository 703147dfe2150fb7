//! W1-W5 (docs/ARCHITECTURE.md, `benches/`) for every row `select_benches::visit_all` lists,
//! measured in interleaved rounds (`select_benches::rounds`), criterion measuring inside each;
//! the cases of about 10,000 descriptors (W2 at N = 10,000, W4 at its largest N) are measured
//! in turns of a few milliseconds instead (`Case::run_turns`), written to
//! `$CRITERION_HOME/turns.tsv`.
//!
//! Each workload is a [`Visitor`] that sets one row up and adds its measurement to a
//! [`Case`]; once every row of a case is set up, the case runs its rounds. Criterion groups are
//! named `W1`, `W2 <N>`, `W3`, `W4 n<N>-a<A>` and `W5` (one wait reporting 256 descriptors;
//! the report divides by 256), each benchmark `<row>/round-<NN>`. Criterion writes its results
//! under `$CRITERION_HOME` (`cargo xtask bench` sets one per run; default `target/criterion`),
//! which the `report` binary reads; `SELECT_BENCH_QUICK` selects the short plan
//! (`cargo xtask bench --quick`). Arguments that do not start with `--` select workloads by
//! name (`cargo bench -p select-benches --bench wait -- W5`).
//!
//! No row's writes may wake another row's epoll, so rows that exchange data never watch the
//! same descriptors at the same time: in W1 each row has a socketpair of its own (rows limited
//! by `FD_SETSIZE` get theirs first, so they have the lowest numbers); in W4, whose 10,000
//! socketpairs per row would not fit the descriptor limit eight times over, the rows share one
//! set and each registers it for its own measurement in a round only (the registration is not
//! timed). Rows of idle, registration-only or never-read cases (W2, W3, W5) share one set
//! throughout, since a descriptor no row reads or writes costs the other rows nothing.

use std::hint::black_box;
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use criterion::Criterion;
use select_benches::rounds::{Case, Measure, Plan, Sample, TURNS_FILE, median, write_samples};
use select_benches::{
    Chain, ManyReady, Pairs, Row, Subject, Visitor, add_all, churn, fits, idle_wait,
    pairs_that_fit, ping_pong_setup, raise_fd_limit, round_trip, rows, visit_all,
};

/// W2's registered-descriptor counts.
const IDLE_SIZES: [usize; 4] = [10, 100, 1000, 10_000];
/// W3's descriptor count.
const CHURN_FDS: usize = 10_000;
/// The descriptor count from which a case is measured in turns ([`Case::run_turns`]) rather
/// than by criterion: W2 at N = 10,000 and W4 at its largest N, where one poll(2) takes
/// milliseconds.
const SLOW_CASE_FDS: usize = 10_000;

/// W4's largest pair count, active pair counts and extra writes.
const CHAIN_LARGEST: usize = 10_000;
const CHAIN_ACTIVE: [usize; 2] = [1, 100];
const CHAIN_WRITES: usize = 100;
/// W5's descriptor count, all ready.
const MANY_READY: usize = 256;

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
        self.case.add_op(S::NAME, S::MECHANISM, move || {
            round_trip(&mut row, pairs).expect("round trip")
        });
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
        self.case.add_op(S::NAME, S::MECHANISM, move || {
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
        self.case.add(S::NAME, S::MECHANISM, move |iters| {
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
        let row = S::open().expect("open row");
        self.case.add(
            S::NAME,
            S::MECHANISM,
            ChainRow { row, pairs, chain: None, active: self.active },
        );
    }
}

/// One row of W4: its descriptors are registered, untimed, for its own measurement in each
/// round only (`enter` and `leave`), so no other row's chain wakes this one.
struct ChainRow<'p, R> {
    row: R,
    pairs: &'p Pairs,
    chain: Option<Chain<'p>>,
    active: usize,
}

impl<'p, R: Row<'p>> Measure for ChainRow<'p, R> {
    fn enter(&mut self) {
        self.chain = Some(Chain::new(&mut self.row, self.pairs).expect("register"));
    }

    fn measure(&mut self, iters: u64) -> Duration {
        let chain = self.chain.as_ref().expect("registered in enter");
        let start = Instant::now();
        for _ in 0..iters {
            black_box(chain.iteration(&mut self.row, self.active, CHAIN_WRITES).expect("chain"));
        }
        start.elapsed()
    }

    fn leave(&mut self) {
        if let Some(chain) = self.chain.take() {
            chain.release(&mut self.row).expect("unregister");
        }
    }
}

/// W5: 256 descriptors all ready, shared by the rows, one wait and every result looked up,
/// time per wait (the report divides by 256 for ns per ready event). Edge-only rows (mio)
/// have no W5.
struct ManyReadyBench<'p> {
    pairs: &'p Pairs,
    case: Case<'p>,
}

impl<'p> Visitor for ManyReadyBench<'p> {
    fn visit<S: Subject>(&mut self) {
        if S::EDGE_ONLY || !fits::<S>(self.pairs) {
            return;
        }
        let mut row = S::open().expect("open row");
        let many = ManyReady::new(&mut row, self.pairs).expect("register");
        self.case.add_op(S::NAME, S::MECHANISM, move || {
            black_box(many.iteration(&mut row).expect("many ready"));
        });
    }
}

/// Where the measurements of the slow cases go: `turns.tsv` in `$CRITERION_HOME`, beside
/// criterion's results, which the report reads with them.
struct Runner<'c> {
    criterion: &'c mut Criterion,
    plan: Plan,
    turns: Vec<Sample>,
}

impl Runner<'_> {
    /// Runs `case`, by criterion or, when `slow`, in turns, and reports its progress.
    fn run(&mut self, case: Case<'_>, workload: &str, id: &str, slow: bool) {
        let started = Instant::now();
        let rows = case.len();
        if slow {
            let samples = case.run_turns(workload, id, &self.plan);
            for sample in &samples {
                let ns = median(&sample.ns).unwrap_or(f64::NAN);
                println!("{workload} {id}/{}: median {ns:.1} ns per operation", sample.row);
            }
            self.turns.extend(samples);
        } else {
            case.run(self.criterion, workload, id, &self.plan);
        }
        println!("{workload} {id}: {rows} rows, {:.1} s", started.elapsed().as_secs_f64());
    }

    /// Writes the slow cases' measurements to `$CRITERION_HOME/turns.tsv`; without
    /// `CRITERION_HOME` (a bare `cargo bench`), their medians printed by [`Runner::run`] are
    /// all there is.
    fn finish(self) {
        let Some(home) = std::env::var_os("CRITERION_HOME") else { return };
        if self.turns.is_empty() {
            return;
        }
        let path = std::path::Path::new(&home).join(TURNS_FILE);
        std::fs::create_dir_all(&home).expect("create $CRITERION_HOME");
        std::fs::write(&path, write_samples(&self.turns))
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

fn main() {
    let plan =
        if std::env::var_os("SELECT_BENCH_QUICK").is_some() { Plan::QUICK } else { Plan::FULL };
    // `cargo bench` passes `--bench`; other arguments name the workloads to run.
    let filter: Vec<String> =
        std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    let wanted = |workload: &str| filter.is_empty() || filter.iter().any(|f| f == workload);
    let fd_limit = raise_fd_limit();
    let mut criterion = plan.criterion();
    let mut runner = Runner { criterion: &mut criterion, plan, turns: Vec::new() };

    if wanted("W1") {
        let pairs = pairs_per_row(1);
        let mut visitor = PingPong { pairs: pairs.iter(), case: Case::new() };
        visit_all(&mut visitor);
        runner.run(visitor.case, "W1", "", false);
    }

    if wanted("W2") {
        for n in IDLE_SIZES {
            if pairs_that_fit(n / 2, fd_limit) < n / 2 {
                continue;
            }
            let pairs = Pairs::new(n / 2).expect("socketpairs");
            let mut visitor = IdleScan { pairs: &pairs, case: Case::new() };
            visit_all(&mut visitor);
            runner.run(visitor.case, "W2", &n.to_string(), n >= SLOW_CASE_FDS);
        }
    }

    if wanted("W3") {
        let wanted = CHURN_FDS / 2;
        if pairs_that_fit(wanted, fd_limit) == wanted {
            let pairs = Pairs::new(wanted).expect("socketpairs");
            let fds: Vec<BorrowedFd<'_>> = pairs.all().collect();
            let mut visitor = Churn { fds: &fds, max_fd: &pairs, case: Case::new() };
            visit_all(&mut visitor);
            runner.run(visitor.case, "W3", "", false);
        }
    }

    if wanted("W4") {
        for n in [100, 1000, pairs_that_fit(CHAIN_LARGEST, fd_limit)] {
            let pairs = Pairs::new(n).expect("socketpairs");
            for active in CHAIN_ACTIVE {
                let mut visitor = ChainBench { pairs: &pairs, active, case: Case::new() };
                visit_all(&mut visitor);
                let slow = n * 2 >= SLOW_CASE_FDS;
                runner.run(visitor.case, "W4", &format!("n{n}-a{active}"), slow);
            }
        }
    }

    if wanted("W5") {
        let pairs = Pairs::new(MANY_READY).expect("socketpairs");
        let mut visitor = ManyReadyBench { pairs: &pairs, case: Case::new() };
        visit_all(&mut visitor);
        runner.run(visitor.case, "W5", "", false);
    }
    runner.finish();
}
