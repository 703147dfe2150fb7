//! Interleaved rounds: how every wall-clock ratio of `docs/benchmarks.md` is measured.
//!
//! One [`Case`] is one cell of a workload (W2 at N = 1000, say) with every row that takes part
//! in it, each already set up and holding its own registrations. [`Case::run`] runs
//! [`Plan::rounds`] rounds; each round measures every row once, in an order rotated by one row
//! per round, so that each row is measured first, in the middle and last equally often and
//! the rows of one ratio are always milliseconds apart, never seconds. A ratio is then taken
//! *within* a round (row / raw of that same round) and the median over the rounds is reported
//! with its min-max spread.
//!
//! Criterion does the measuring inside a round: each (round, row) is one criterion benchmark
//! (`bench_function` with `iter_custom`, so a row's untimed setup stays out of the timing) with
//! a short warm-up, ten equal samples (flat sampling) and no plots. Its id is
//! `<workload> <case>/<row>/round-<NN>`, so its results land in
//! `<criterion home>/<workload> <case>/<row>/round-<NN>/new/`; [`read_criterion`] reads each
//! one's median back from `estimates.json` (and its id from `benchmark.json`) with serde_json.
//!
//! The cases where one operation takes milliseconds (poll(2) over 10,000 descriptors) are
//! measured without criterion instead, in passes of short turns with the rows grouped by
//! mechanism and shuffled ([`Case::run_turns`], which says why).
//!
//! Results that do not come from criterion (those passes, and W6's lateness of each single
//! wait) are written as tab-separated text by [`write_samples`] and read back by
//! [`read_samples`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode};

/// The file, in a run's criterion directory, that holds what [`Case::run_turns`] measured
/// (as [`write_samples`] writes it).
pub const TURNS_FILE: &str = "turns.tsv";

/// Samples per criterion benchmark: criterion's minimum.
const SAMPLES: usize = 10;

/// Bootstrap resamples per criterion benchmark. Only the median of the ten samples is read
/// back, not criterion's confidence intervals, so this is kept small: 1001 is the smallest
/// count criterion does not print a warning for.
const RESAMPLES: usize = 1001;

/// How long each measurement of a run takes, and how many rounds it has.
#[derive(Copy, Clone, Debug)]
pub struct Plan {
    /// How many rounds; each measures every row of a case once.
    pub rounds: usize,
    /// Criterion's warm-up of one row in one round (timed operations only).
    pub warm_up: Duration,
    /// Criterion's measurement time of one row in one round, spread over its ten samples (a
    /// sample is at least one operation, so a slow operation takes longer).
    pub measurement: Duration,
    /// For [`Case::run_turns`]: how many passes over the rows it makes, each giving every row
    /// one turn (a pass is that case's round).
    pub passes: usize,
    /// For [`Case::run_turns`]: the shortest timed part of one turn (a turn is at least one
    /// operation, so a slow operation takes longer).
    pub turn: Duration,
}

impl Plan {
    /// The plan of a full run: 11 rounds, each row warmed up for 10 ms and measured for 40 ms
    /// by criterion, or in 33 passes of turns of at least 25 ms each.
    pub const FULL: Plan = Plan {
        rounds: 11,
        warm_up: Duration::from_millis(10),
        measurement: Duration::from_millis(40),
        passes: 33,
        turn: Duration::from_millis(25),
    };

    /// The plan of `--quick`: 5 rounds of 2 ms warm-ups and 5 ms measurements, or 9 passes of
    /// turns of at least 1 ms, for a first look.
    pub const QUICK: Plan = Plan {
        rounds: 5,
        warm_up: Duration::from_millis(2),
        measurement: Duration::from_millis(5),
        passes: 9,
        turn: Duration::from_millis(1),
    };

    /// A criterion runner for this plan: no plots; its results go to `$CRITERION_HOME` (or
    /// `target/criterion`), as criterion decides.
    #[must_use]
    pub fn criterion(&self) -> Criterion {
        Criterion::default()
            .warm_up_time(self.warm_up)
            .measurement_time(self.measurement)
            .sample_size(SAMPLES)
            .nresamples(RESAMPLES)
            .without_plots()
    }
}

/// One row's measurement in a case.
pub trait Measure {
    /// Called, untimed, before the row's measurement in each round (W4 registers its
    /// descriptors here, so that rows can take turns on one set).
    fn enter(&mut self) {}

    /// Runs the operation `iters` times and returns the time it took, leaving out any setup.
    fn measure(&mut self, iters: u64) -> Duration;

    /// Called, untimed, after the row's measurement in each round.
    fn leave(&mut self) {}
}

impl<F: FnMut(u64) -> Duration> Measure for F {
    fn measure(&mut self, iters: u64) -> Duration {
        self(iters)
    }
}

/// The rows of one cell of a workload, each ready to be measured.
pub struct Case<'a> {
    /// Each row's name, its mechanism (`Subject::MECHANISM`) and its measurement.
    rows: Vec<(&'static str, &'static str, Box<dyn Measure + 'a>)>,
}

impl std::fmt::Debug for Case<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.rows.iter().map(|(name, ..)| *name).collect();
        f.debug_struct("Case").field("rows", &names).finish()
    }
}

impl Default for Case<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// What one row measured in a run of one case: nanoseconds per operation, one per round.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The workload (`W1`, `W2`, ...).
    pub workload: String,
    /// The case within the workload (`""`, `1000`, `n100-a1`, ...).
    pub case: String,
    /// The row's name (`Subject::NAME`).
    pub row: String,
    /// Nanoseconds per operation in each round, in round order.
    pub ns: Vec<f64>,
}

impl<'a> Case<'a> {
    /// A case with no rows yet.
    #[must_use]
    pub fn new() -> Case<'a> {
        Case { rows: Vec::new() }
    }

    /// Adds a row measured by `measure`, whose kernel mechanism is `mechanism` (rows of one
    /// mechanism take their turns together in [`run_turns`](Case::run_turns)).
    pub fn add(&mut self, row: &'static str, mechanism: &'static str, measure: impl Measure + 'a) {
        self.rows.push((row, mechanism, Box::new(measure)));
    }

    /// Adds a row whose operation is `op`, timed around the whole loop of `iters` calls.
    pub fn add_op(
        &mut self,
        row: &'static str,
        mechanism: &'static str,
        mut op: impl FnMut() + 'a,
    ) {
        self.add(row, mechanism, move |iters| {
            let start = Instant::now();
            for _ in 0..iters {
                op();
            }
            start.elapsed()
        });
    }

    /// How many rows the case has.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the case has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Measures every row with `criterion` in `plan.rounds` rotated rounds, as the criterion
    /// group `<workload> <case>` (or `<workload>` for an empty case), one benchmark per round
    /// and row ([`round_id`]). The results are criterion's files; [`read_criterion`] reads
    /// them back.
    pub fn run(mut self, criterion: &mut Criterion, workload: &str, case: &str, plan: &Plan) {
        let name = if case.is_empty() { workload.to_owned() } else { format!("{workload} {case}") };
        let mut group = criterion.benchmark_group(name);
        group
            .warm_up_time(plan.warm_up)
            .measurement_time(plan.measurement)
            .sample_size(SAMPLES)
            .nresamples(RESAMPLES)
            // Ten samples of equal size: an operation longer than a tenth of the measurement
            // time (W4 on poll(2) at N = 10,000) costs ten runs, not linear sampling's 55.
            .sampling_mode(SamplingMode::Flat);
        for round in 0..plan.rounds {
            for index in rotation(self.rows.len(), round) {
                let (row, _, measure) = &mut self.rows[index];
                measure.enter();
                group.bench_function(BenchmarkId::new(*row, round_id(round)), |bencher| {
                    bencher.iter_custom(|iters| measure.measure(iters));
                });
                measure.leave();
            }
        }
        group.finish();
    }

    /// Measures every row in `plan.passes` passes, without criterion, and returns what each
    /// row measured: one figure per pass, which is that case's round.
    ///
    /// This is for the cases where one operation takes milliseconds (poll(2) over 10,000
    /// descriptors): there a shared machine's speed was seen to change threefold from one
    /// criterion measurement to the next, some tens of milliseconds apart, so the rows of one
    /// ratio must be measured closer together than criterion's 50 ms per row allows, and many
    /// more times. A pass gives every row one turn, the rows of one mechanism one after
    /// another, after an untimed turn of one of them: a turn of an epoll row (registering
    /// 10,000 descriptors, then freeing the registrations) left the next poll(2) row 1.5-3×
    /// slower for longer than its turn, while after a poll(2) row it ran at the same speed
    /// every time. The groups, and the rows within each, come in shuffled orders (a seeded
    /// permutation per pass), so that no row always follows the same one. A turn is the row's
    /// [`Measure::enter`], an untimed warm-up of a quarter of its operations (at least one),
    /// its timed operations (as many as last at least [`Plan::turn`], found from a first
    /// untimed turn of each row) and [`Measure::leave`]. A ratio within a pass compares
    /// operations a second or two apart at most.
    pub fn run_turns(mut self, workload: &str, case: &str, plan: &Plan) -> Vec<Sample> {
        let turn_ns = plan.turn.as_secs_f64() * 1e9;
        // One untimed turn per row, one operation long, to size every later turn.
        let ops: Vec<u64> = self
            .rows
            .iter_mut()
            .map(|(_, _, measure)| {
                measure.enter();
                measure.measure(1);
                let once = measure.measure(1).as_secs_f64() * 1e9;
                measure.leave();
                operations_per_turn(turn_ns, once)
            })
            .collect();
        let mut ns: Vec<Vec<f64>> = vec![Vec::with_capacity(plan.passes); self.rows.len()];
        let mut mechanisms: Vec<&'static str> = self.rows.iter().map(|(_, m, _)| *m).collect();
        mechanisms.sort_unstable();
        mechanisms.dedup();
        for pass in 0..plan.passes {
            let order = shuffled(self.rows.len(), pass);
            for group in shuffled(mechanisms.len(), pass).into_iter().map(|g| mechanisms[g]) {
                let members: Vec<usize> =
                    order.iter().copied().filter(|&i| self.rows[i].1 == group).collect();
                // An untimed turn of the group's first row absorbs what the rows of another
                // mechanism left behind.
                let flush = members.first().map(|&i| (i, false));
                for (index, timed) in flush.into_iter().chain(members.iter().map(|&i| (i, true))) {
                    let measure = &mut self.rows[index].2;
                    let ops = ops[index];
                    measure.enter();
                    measure.measure((ops / 4).max(1));
                    let took = measure.measure(ops);
                    measure.leave();
                    if timed {
                        #[allow(clippy::cast_precision_loss)] // ops is far below 2^52
                        ns[index].push(took.as_secs_f64() * 1e9 / ops as f64);
                    }
                }
            }
        }
        self.rows
            .iter()
            .zip(ns)
            .map(|((row, ..), ns)| Sample {
                workload: workload.to_owned(),
                case: case.to_owned(),
                row: (*row).to_owned(),
                ns,
            })
            .collect()
    }
}

/// The order of pass `pass` of [`Case::run_turns`] over `rows` rows: a permutation drawn from
/// a generator seeded with the pass number (so every run uses the same orders), so that no
/// row always follows the same row. With the rotated order of [`rotation`] each row always
/// follows the same one, and a row's figure was seen to depend on which: `poll` at 10,000
/// descriptors waited 1.10-1.28× as long as `raw-poll` with the rows in one order and
/// 0.83× with them reversed.
fn shuffled(rows: usize, pass: usize) -> Vec<usize> {
    // SplitMix64: small, and good enough to shuffle a dozen rows.
    let mut state = (pass as u64).wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut order: Vec<usize> = (0..rows).collect();
    // Fisher-Yates.
    for i in (1..rows).rev() {
        #[allow(clippy::cast_possible_truncation)] // the remainder is at most `i`
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// How many operations of `once_ns` each make a turn of at least `turn_ns`: at least one.
fn operations_per_turn(turn_ns: f64, once_ns: f64) -> u64 {
    if once_ns >= turn_ns || once_ns <= 0.0 {
        return 1;
    }
    // Truncation is intended: the quotient is positive and well inside u64.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let ops = (turn_ns / once_ns).ceil() as u64;
    ops.max(1)
}

/// The parameter of round `round`'s benchmark ids: `round-00`, `round-01`, ...
#[must_use]
pub fn round_id(round: usize) -> String {
    format!("round-{round:02}")
}

/// Reads back every (round, row) median that [`Case::run`] left in the criterion directory
/// `dir` (its `new/benchmark.json` for the id, `new/estimates.json` for the median of the ten
/// samples, in nanoseconds per operation). Returns one [`Sample`] per case and row, its rounds
/// in order, the cases sorted by workload and then by the numbers in the case name.
///
/// # Errors
///
/// A file that cannot be read or parsed, an id that is not `<workload> [case]/<row>/round-<NN>`,
/// or a row whose rounds are not numbered 0, 1, 2, ... without a gap.
pub fn read_criterion(dir: &Path) -> Result<Vec<Sample>, String> {
    let mut files = Vec::new();
    find_benchmarks(dir, &mut files);
    let mut found: BTreeMap<(String, String, String), BTreeMap<usize, f64>> = BTreeMap::new();
    for file in files {
        let json = |path: &Path| -> Result<serde_json::Value, String> {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("read {}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        };
        let id = json(&file)?;
        let bad = || format!("{}: not a benchmark of `Case::run`: {id}", file.display());
        let group = id["group_id"].as_str().ok_or_else(bad)?;
        let row = id["function_id"].as_str().ok_or_else(bad)?;
        let round = id["value_str"]
            .as_str()
            .and_then(|value| value.strip_prefix("round-"))
            .and_then(|round| round.parse::<usize>().ok())
            .ok_or_else(bad)?;
        let (workload, case) = group.split_once(' ').unwrap_or((group, ""));
        let estimates = file.with_file_name("estimates.json");
        let median = json(&estimates)?["median"]["point_estimate"]
            .as_f64()
            .ok_or_else(|| format!("{}: no median point estimate", estimates.display()))?;
        found
            .entry((workload.to_owned(), case.to_owned(), row.to_owned()))
            .or_default()
            .insert(round, median);
    }
    let mut samples = Vec::new();
    for ((workload, case, row), rounds) in found {
        if rounds.keys().copied().ne(0..rounds.len()) {
            return Err(format!(
                "{}: `{workload} {case}` row `{row}` has rounds {:?}, not 0 to {}",
                dir.display(),
                rounds.keys().collect::<Vec<_>>(),
                rounds.len() - 1
            ));
        }
        samples.push(Sample { workload, case, row, ns: rounds.into_values().collect() });
    }
    sort_samples(&mut samples);
    Ok(samples)
}

/// Sorts samples by workload, then by the numbers in the case name, so that cases sort by
/// size rather than as text (and the samples of [`Case::run_turns`] fall in among
/// [`read_criterion`]'s).
pub fn sort_samples(samples: &mut [Sample]) {
    samples.sort_by_cached_key(|s| (s.workload.clone(), numbers_in(&s.case), s.case.clone()));
}

/// Every `new/benchmark.json` below `dir` (criterion's `base` copies are skipped).
fn find_benchmarks(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "new") {
            let file = path.join("benchmark.json");
            if file.is_file() {
                found.push(file);
            }
        } else if path.file_name().is_some_and(|name| name != "base" && name != "change") {
            find_benchmarks(&path, found);
        }
    }
}

/// The numbers in a case name, in order: `n1000-a100` → `[1000, 100]`, so that cases sort
/// by size rather than as text.
fn numbers_in(case: &str) -> Vec<u64> {
    case.split(|c: char| !c.is_ascii_digit()).filter_map(|digits| digits.parse().ok()).collect()
}

/// The order in which round `round` measures `rows` rows: the rows rotated left by `round`.
pub fn rotation(rows: usize, round: usize) -> impl Iterator<Item = usize> {
    (0..rows).map(move |j| (round + j) % rows.max(1))
}

/// The median of `values` (the mean of the middle two for an even count), `None` if empty.
#[must_use]
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[mid]),
        _ => Some(f64::midpoint(sorted[mid - 1], sorted[mid])),
    }
}

/// A ratio's median and min-max over the rounds.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Spread {
    /// The median ratio.
    pub median: f64,
    /// The smallest ratio of any round.
    pub min: f64,
    /// The largest ratio of any round.
    pub max: f64,
}

/// The ratio `row / base` in each round (both measured in the same round), as a median and
/// its spread; `None` if the runs have no rounds in common or a base figure is not positive.
#[must_use]
pub fn ratio(row: &[f64], base: &[f64]) -> Option<Spread> {
    if row.is_empty() || row.len() != base.len() || base.iter().any(|&b| b <= 0.0) {
        return None;
    }
    let ratios: Vec<f64> = row.iter().zip(base).map(|(r, b)| r / b).collect();
    Some(Spread {
        median: median(&ratios)?,
        min: ratios.iter().copied().fold(f64::INFINITY, f64::min),
        max: ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}

/// The samples as text: one line per row, `workload \t case \t row \t ns,ns,...`.
#[must_use]
pub fn write_samples(samples: &[Sample]) -> String {
    let mut out = String::new();
    for sample in samples {
        let ns: Vec<String> = sample.ns.iter().map(|ns| format!("{ns:.3}")).collect();
        let _ =
            writeln!(out, "{}\t{}\t{}\t{}", sample.workload, sample.case, sample.row, ns.join(","));
    }
    out
}

/// Reads what [`write_samples`] wrote.
///
/// # Errors
///
/// The line number and text of a line that is not four tab-separated fields with numbers in
/// the last.
pub fn read_samples(text: &str) -> Result<Vec<Sample>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(number, line)| {
            let bad =
                || format!("line {}: {line:?} is not `workload\\tcase\\trow\\tns,...`", number + 1);
            let fields: Vec<&str> = line.split('\t').collect();
            let [workload, case, row, ns] = fields.as_slice() else { return Err(bad()) };
            let ns = ns
                .split(',')
                .map(|value| value.parse::<f64>().map_err(|_| bad()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Sample {
                workload: (*workload).to_owned(),
                case: (*case).to_owned(),
                row: (*row).to_owned(),
                ns,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_takes_every_position_once_in_as_many_rounds() {
        let rows = 4;
        for position in 0..rows {
            let mut seen: Vec<usize> =
                (0..rows).map(|round| rotation(rows, round).nth(position).unwrap()).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..rows).collect::<Vec<_>>(), "position {position}");
        }
    }

    /// A row whose operation takes 100 ns (plus a little jitter in the time it reports), that
    /// writes its name to `order` each time its measurement in a round begins.
    struct Fake<'o> {
        name: char,
        order: &'o std::cell::RefCell<String>,
        calls: u64,
    }

    impl Measure for Fake<'_> {
        fn enter(&mut self) {
            self.order.borrow_mut().push(self.name);
        }

        fn measure(&mut self, iters: u64) -> Duration {
            // Criterion ends its warm-up by the real time spent, so the fake takes it.
            let start = Instant::now();
            while start.elapsed() < Duration::from_nanos(100 * iters) {
                std::hint::spin_loop();
            }
            self.calls += 1;
            Duration::from_nanos(100 * iters + self.calls % 3)
        }
    }

    #[test]
    fn criterion_measures_the_rows_in_rotated_rounds_and_its_medians_read_back() {
        let dir =
            std::env::temp_dir().join(format!("select-benches-rounds-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let order = std::cell::RefCell::new(String::new());
        let mut case = Case::new();
        case.add("a", "x", Fake { name: 'a', order: &order, calls: 0 });
        case.add("b", "x", Fake { name: 'b', order: &order, calls: 0 });
        let plan = Plan {
            rounds: 3,
            warm_up: Duration::from_micros(50),
            measurement: Duration::from_micros(100),
            ..Plan::QUICK
        };
        let mut criterion = plan.criterion().output_directory(&dir);
        case.run(&mut criterion, "W0", "n10-a2", &plan);
        assert_eq!(*order.borrow(), "abbaab", "a, b / b, a / a, b");
        let samples = read_criterion(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        let samples = samples.unwrap();
        let rows: Vec<(&str, &str, &str)> = samples
            .iter()
            .map(|s| (s.workload.as_str(), s.case.as_str(), s.row.as_str()))
            .collect();
        assert_eq!(rows, [("W0", "n10-a2", "a"), ("W0", "n10-a2", "b")]);
        for sample in &samples {
            assert_eq!(sample.ns.len(), 3, "{sample:?}");
            assert!(sample.ns.iter().all(|ns| (ns - 100.0).abs() < 1.0), "{sample:?}");
        }
    }

    #[test]
    fn turns_group_the_rows_by_mechanism_and_give_one_figure_per_pass() {
        let order = std::cell::RefCell::new(String::new());
        let mut case = Case::new();
        case.add("a", "poll", Fake { name: 'a', order: &order, calls: 0 });
        case.add("b", "epoll", Fake { name: 'b', order: &order, calls: 0 });
        case.add("c", "poll", Fake { name: 'c', order: &order, calls: 0 });
        let plan = Plan { passes: 4, turn: Duration::from_micros(20), ..Plan::QUICK };
        let samples = case.run_turns("W2", "10000", &plan);
        let order = order.borrow();
        // One sizing turn per row, then each pass: per group (`epoll`, `poll`, shuffled), an
        // untimed turn of its first row, then every row of the group.
        let (sizing, passes) = order.split_at(3);
        assert_eq!(sizing, "abc");
        let mut expected = String::new();
        for pass in 0..4 {
            let rows: Vec<char> =
                shuffled(3, pass).into_iter().map(|i| ['a', 'b', 'c'][i]).collect();
            for group in shuffled(2, pass) {
                let members: String =
                    rows.iter().filter(|&&r| (r == 'b') == (group == 0)).collect();
                expected.push(members.chars().next().unwrap());
                expected.push_str(&members);
            }
        }
        assert_eq!(passes, expected);
        let rows: Vec<&str> = samples.iter().map(|s| s.row.as_str()).collect();
        assert_eq!(rows, ["a", "b", "c"]);
        for sample in &samples {
            assert_eq!((sample.workload.as_str(), sample.case.as_str()), ("W2", "10000"));
            assert_eq!(sample.ns.len(), 4, "{sample:?}");
            assert!(sample.ns.iter().all(|ns| (ns - 100.0).abs() < 1.0), "{sample:?}");
        }
    }

    #[test]
    fn shuffled_passes_are_permutations_that_vary_each_rows_predecessor() {
        let rows = 10;
        let mut predecessors: Vec<std::collections::BTreeSet<usize>> =
            vec![std::collections::BTreeSet::new(); rows];
        for pass in 0..20 {
            let order = shuffled(rows, pass);
            assert_eq!(order, shuffled(rows, pass), "the same order in every run");
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..rows).collect::<Vec<_>>(), "pass {pass}: {order:?}");
            for pair in order.windows(2) {
                predecessors[pair[1]].insert(pair[0]);
            }
        }
        // Rotation gives each row one predecessor; twenty shuffles give each several.
        assert!(predecessors.iter().all(|p| p.len() >= 4), "{predecessors:?}");
        assert!(shuffled(0, 0).is_empty() && shuffled(1, 7) == [0]);
    }

    #[test]
    fn a_turn_lasts_at_least_its_time_and_one_operation() {
        assert_eq!(operations_per_turn(2_000_000.0, 75.0), 26_667);
        assert_eq!(operations_per_turn(2_000_000.0, 1_400_000.0), 2);
        assert_eq!(operations_per_turn(2_000_000.0, 170_000_000.0), 1);
        assert_eq!(operations_per_turn(2_000_000.0, 0.0), 1);
    }

    #[test]
    fn a_missing_round_is_an_error_naming_the_row() {
        let dir = std::env::temp_dir().join(format!("select-benches-gap-{}", std::process::id()));
        for round in [0, 2] {
            let new = dir.join("W2 10").join("epoll").join(round_id(round)).join("new");
            std::fs::create_dir_all(&new).unwrap();
            let id = format!(
                r#"{{"group_id":"W2 10","function_id":"epoll","value_str":"{}"}}"#,
                round_id(round)
            );
            std::fs::write(new.join("benchmark.json"), id).unwrap();
            std::fs::write(new.join("estimates.json"), r#"{"median":{"point_estimate":5.0}}"#)
                .unwrap();
        }
        let result = read_criterion(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        let error = result.unwrap_err();
        assert!(error.contains("`W2 10` row `epoll` has rounds [0, 2]"), "{error}");
    }

    #[test]
    fn cases_sort_by_their_numbers() {
        assert_eq!(numbers_in("n1000-a100"), [1000, 100]);
        assert!(numbers_in("100") < numbers_in("1000"));
        assert!(numbers_in("") < numbers_in("10"));
    }

    #[test]
    fn ratios_are_taken_within_a_round() {
        // The machine slowed down by 2x in round 2 for both rows: the ratio does not move.
        let spread = ratio(&[110.0, 220.0, 110.0], &[100.0, 200.0, 100.0]).unwrap();
        assert!((spread.median - 1.1).abs() < 1e-9);
        assert!((spread.max - spread.min).abs() < 1e-9);
        assert_eq!(ratio(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
    }

    #[test]
    fn samples_survive_the_text_format() {
        let samples = vec![Sample {
            workload: "W2".into(),
            case: "1000".into(),
            row: "raw-epoll".into(),
            ns: vec![1.5, 2.25],
        }];
        assert_eq!(read_samples(&write_samples(&samples)).unwrap(), samples);
        let error = read_samples("W2\t1000\tepoll\tfast").unwrap_err();
        assert!(error.contains("line 1"), "{error}");
    }
}
