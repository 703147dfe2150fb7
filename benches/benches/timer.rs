//! W6 timer precision (docs/ARCHITECTURE.md, `benches/`): how late a `wait(timeout T)` returns
//! when nothing becomes ready, for T in {50 µs, 200 µs, 1 ms, 5 ms}, on every row
//! `select_benches::visit_all` lists.
//!
//! Each row has one idle descriptor registered. The rows are interleaved as in the `wait`
//! bench: each round makes a few waits on every row in turn, in an order rotated between
//! rounds, so that the rows share the machine's moments alike. Each wait's lateness (elapsed
//! time less T, in nanoseconds; negative would be a shortened timeout) is written as one
//! figure of a `select_benches::rounds::Sample` (workload `W6`, case the requested timeout)
//! to the file `SELECT_BENCH_OUT` names (default `target/select-bench/timer.tsv`);
//! `SELECT_BENCH_QUICK` makes fewer waits.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use select_benches::rounds::{Sample, rotation, write_samples};
use select_benches::{Pairs, Row, Subject, Timeout, Visitor, raise_fd_limit, visit_all};

/// The requested timeouts and how the report names them.
const TIMEOUTS: [(Duration, &str); 4] = [
    (Duration::from_micros(50), "50 µs"),
    (Duration::from_micros(200), "200 µs"),
    (Duration::from_millis(1), "1 ms"),
    (Duration::from_millis(5), "5 ms"),
];

/// One row's measurement: `waits` waits of `timeout`, each wait's lateness in nanoseconds.
type Measure<'p> = Box<dyn FnMut(Duration, usize) -> Vec<f64> + 'p>;

/// Sets every row up with one idle descriptor.
struct Rows<'p> {
    pairs: std::slice::Iter<'p, Pairs>,
    rows: Vec<(&'static str, Measure<'p>)>,
}

impl<'p> Visitor for Rows<'p> {
    fn visit<S: Subject>(&mut self) {
        let pairs: &'p Pairs = self.pairs.next().expect("a pair per row");
        let mut row = S::open().expect("open row");
        row.add(pairs.reader(0)).expect("register");
        self.rows.push((
            S::NAME,
            Box::new(move |timeout, waits| {
                (0..waits)
                    .map(|_| {
                        let start = Instant::now();
                        let n = row.wait(Timeout::After(timeout), |_| {}).expect("wait");
                        let elapsed = start.elapsed();
                        assert_eq!(n, 0, "{}: an idle descriptor was reported ready", S::NAME);
                        #[expect(clippy::cast_precision_loss, reason = "nanoseconds of a wait")]
                        let late = elapsed.as_nanos() as f64 - timeout.as_nanos() as f64;
                        late
                    })
                    .collect()
            }),
        ));
    }
}

fn main() {
    let quick = std::env::var_os("SELECT_BENCH_QUICK").is_some();
    // 10 rounds of 20 waits: 200 waits per timeout; quick: 4 rounds of 5.
    let (rounds, waits) = if quick { (4, 5) } else { (10, 20) };
    let out = std::env::var_os("SELECT_BENCH_OUT").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/select-bench/timer.tsv"),
        PathBuf::from,
    );
    let _ = raise_fd_limit();
    let count = select_benches::rows().len();
    let pairs: Vec<Pairs> = (0..count).map(|_| Pairs::new(1).expect("socketpair")).collect();
    let mut rows = Rows { pairs: pairs.iter(), rows: Vec::new() };
    visit_all(&mut rows);
    let mut samples = Vec::new();
    for (timeout, label) in TIMEOUTS {
        let started = Instant::now();
        let mut late: Vec<Vec<f64>> = vec![Vec::new(); rows.rows.len()];
        for round in 0..rounds {
            for index in rotation(rows.rows.len(), round) {
                late[index].extend((rows.rows[index].1)(timeout, waits));
            }
        }
        for ((name, _), ns) in rows.rows.iter().zip(late) {
            samples.push(Sample {
                workload: "W6".to_owned(),
                case: label.to_owned(),
                row: (*name).to_owned(),
                ns,
            });
        }
        println!("W6 {label}: {:.1} s", started.elapsed().as_secs_f64());
    }
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).expect("create the samples' directory");
    }
    std::fs::write(&out, write_samples(&samples)).expect("write the samples");
    println!("wrote {}", out.display());
}
