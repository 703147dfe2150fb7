//! W1-W5 (`shared/bench/WORKLOADS.md`) for every row `select_benches::visit_all` lists.
//!
//! Benchmark ids are `W1/<row>`, `W2/<row>/<N>`, `W3/<row>`, `W4/<row>/n<N>-a<A>` and
//! `W5/<row>` (one wait reporting 256 descriptors; the report divides by 256), where
//! `<row>` is the subject's name (`B::NAME` for a backend of ours). `cargo xtask bench` reads
//! criterion's `estimates.json` for each of them. Setting `SELECT_BENCH_QUICK` shortens every
//! measurement for a first look (`cargo xtask bench --quick`).

use std::hint::black_box;
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, measurement::WallTime};
use select_benches::{
    Chain, ManyReady, Pairs, Subject, Visitor, add_all, churn, fits, idle_wait, pairs_that_fit,
    ping_pong_setup, raise_fd_limit, round_trip, visit_all,
};

/// W2's registered-descriptor counts.
const IDLE_SIZES: [usize; 4] = [10, 100, 1000, 10_000];
/// W3's descriptor count.
const CHURN_FDS: usize = 10_000;
/// W4's active pair counts and extra writes.
const CHAIN_ACTIVE: [usize; 2] = [1, 100];
const CHAIN_WRITES: usize = 100;
/// W5's descriptor count, all ready.
const MANY_READY: usize = 256;

/// How long each measurement runs.
#[derive(Copy, Clone, Debug)]
struct Settings {
    quick: bool,
    fd_limit: u64,
}

impl Settings {
    /// Applies the durations and sample count to a group; W4 asks for 25 samples (its median
    /// of 25) in flat sampling, since one iteration can take a tenth of a second with poll(2).
    fn apply(self, group: &mut BenchmarkGroup<'_, WallTime>, chain: bool) {
        if self.quick {
            group.warm_up_time(Duration::from_millis(50));
            group.measurement_time(Duration::from_millis(200));
            group.sample_size(10);
            group.nresamples(10_000);
        } else {
            group.warm_up_time(Duration::from_millis(500));
            group.measurement_time(Duration::from_secs(2));
            group.sample_size(if chain { 25 } else { 50 });
            group.nresamples(20_000);
        }
        if chain {
            group.sampling_mode(SamplingMode::Flat);
        }
    }
}

/// W1: ping-pong on one socketpair, ns per round trip.
struct PingPong<'a, 'c> {
    group: &'a mut BenchmarkGroup<'c, WallTime>,
}

impl Visitor for PingPong<'_, '_> {
    fn visit<S: Subject>(&mut self) {
        let pairs = Pairs::new(1).expect("socketpair");
        if !fits::<S>(&pairs) {
            return;
        }
        let mut row = S::open().expect("open row");
        ping_pong_setup(&mut row, &pairs).expect("register");
        self.group.bench_function(S::NAME, |b| {
            b.iter(|| round_trip(&mut row, &pairs).expect("round trip"));
        });
    }
}

/// W2: `wait(0)` against N idle descriptors, ns per wait.
struct IdleScan<'a, 'c> {
    group: &'a mut BenchmarkGroup<'c, WallTime>,
    settings: Settings,
}

impl Visitor for IdleScan<'_, '_> {
    fn visit<S: Subject>(&mut self) {
        for n in IDLE_SIZES {
            if pairs_that_fit(n / 2, self.settings.fd_limit) < n / 2 {
                continue;
            }
            let pairs = Pairs::new(n / 2).expect("socketpairs");
            if !fits::<S>(&pairs) {
                continue;
            }
            let mut row = S::open().expect("open row");
            add_all(&mut row, &pairs).expect("register");
            self.group.bench_with_input(BenchmarkId::new(S::NAME, n), &n, |b, _| {
                b.iter(|| black_box(idle_wait(&mut row).expect("wait")));
            });
        }
    }
}

/// W3: register then unregister each of 10,000 descriptors, ns per pair of calls.
struct Churn<'a, 'c> {
    group: &'a mut BenchmarkGroup<'c, WallTime>,
    settings: Settings,
}

impl Visitor for Churn<'_, '_> {
    fn visit<S: Subject>(&mut self) {
        let wanted = CHURN_FDS / 2;
        if pairs_that_fit(wanted, self.settings.fd_limit) < wanted {
            return;
        }
        let pairs = Pairs::new(wanted).expect("socketpairs");
        if !fits::<S>(&pairs) {
            return;
        }
        let fds: Vec<BorrowedFd<'_>> = pairs.all().collect();
        let mut row = S::open().expect("open row");
        self.group.bench_function(S::NAME, |b| {
            b.iter_custom(|iters| {
                // Each iteration is one register+unregister pair, done in batches of up to
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
        });
    }
}

/// W4: libevent's chain benchmark, time per iteration.
struct ChainBench<'a, 'c> {
    group: &'a mut BenchmarkGroup<'c, WallTime>,
    settings: Settings,
}

impl Visitor for ChainBench<'_, '_> {
    fn visit<S: Subject>(&mut self) {
        let largest = pairs_that_fit(10_000, self.settings.fd_limit);
        for n in [100, 1000, largest] {
            let pairs = Pairs::new(n).expect("socketpairs");
            if !fits::<S>(&pairs) {
                continue;
            }
            let mut row = S::open().expect("open row");
            let chain = Chain::new(&mut row, &pairs).expect("register");
            for active in CHAIN_ACTIVE {
                let id = BenchmarkId::new(S::NAME, format!("n{n}-a{active}"));
                self.group.bench_function(id, |b| {
                    b.iter(|| chain.iteration(&mut row, active, CHAIN_WRITES).expect("chain"));
                });
            }
        }
    }
}

/// W5: 256 descriptors all ready, one wait and every result looked up, time per wait (the
/// report divides by 256 for ns per ready event). Edge-only rows (mio) have no W5.
struct ManyReadyBench<'a, 'c> {
    group: &'a mut BenchmarkGroup<'c, WallTime>,
}

impl Visitor for ManyReadyBench<'_, '_> {
    fn visit<S: Subject>(&mut self) {
        if S::EDGE_ONLY {
            return;
        }
        let pairs = Pairs::new(MANY_READY).expect("socketpairs");
        if !fits::<S>(&pairs) {
            return;
        }
        let mut row = S::open().expect("open row");
        let many = ManyReady::new(&mut row, &pairs).expect("register");
        self.group.bench_function(S::NAME, |b| {
            b.iter(|| black_box(many.iteration(&mut row).expect("many ready")));
        });
    }
}

fn main() {
    let settings = Settings {
        quick: std::env::var_os("SELECT_BENCH_QUICK").is_some(),
        fd_limit: raise_fd_limit(),
    };
    let mut criterion = Criterion::default().configure_from_args();

    let mut group = criterion.benchmark_group("W1");
    settings.apply(&mut group, false);
    visit_all(&mut PingPong { group: &mut group });
    group.finish();

    let mut group = criterion.benchmark_group("W2");
    settings.apply(&mut group, false);
    visit_all(&mut IdleScan { group: &mut group, settings });
    group.finish();

    let mut group = criterion.benchmark_group("W3");
    settings.apply(&mut group, false);
    visit_all(&mut Churn { group: &mut group, settings });
    group.finish();

    let mut group = criterion.benchmark_group("W4");
    settings.apply(&mut group, true);
    visit_all(&mut ChainBench { group: &mut group, settings });
    group.finish();

    let mut group = criterion.benchmark_group("W5");
    settings.apply(&mut group, false);
    visit_all(&mut ManyReadyBench { group: &mut group });
    group.finish();

    criterion.final_summary();
}
