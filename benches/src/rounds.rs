//! Interleaved rounds: how every wall-clock ratio of `docs/benchmarks.md` is measured.
//!
//! One [`Case`] is one cell of a workload (W2 at N = 1000, say) with every row that takes part
//! in it, each already set up and holding its own registrations. [`Case::run`] first warms
//! every row up and sizes its measurement (how many operations fill [`Plan::target`]), then
//! runs [`Plan::rounds`] rounds; each round measures every row once, in an order rotated by
//! one row per round, so that each row is measured first, in the middle and last equally often
//! and the rows of one ratio are always milliseconds apart, never seconds. A ratio is then
//! taken *within* a round (row / raw of that same round) and the median over the rounds is
//! reported with its min-max spread.
//!
//! The result of a run is written as tab-separated text by [`write_samples`] and read back by
//! [`read_samples`] (the `report` binary), one line per row of a case with one figure per
//! round.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// How long each measurement of a run takes, and how many rounds it has.
#[derive(Copy, Clone, Debug)]
pub struct Plan {
    /// How many rounds; each measures every row of a case once.
    pub rounds: usize,
    /// How long one measurement of one row should take (its operation count is sized for it
    /// once, after the warm-up; a single operation longer than this is one operation).
    pub target: Duration,
    /// How long each row runs before it is sized.
    pub warm_up: Duration,
}

impl Plan {
    /// The plan of a full run: 11 rounds of 40 ms measurements.
    pub const FULL: Plan =
        Plan { rounds: 11, target: Duration::from_millis(40), warm_up: Duration::from_millis(100) };

    /// The plan of `--quick`: 5 rounds of 5 ms measurements, for a first look.
    pub const QUICK: Plan =
        Plan { rounds: 5, target: Duration::from_millis(5), warm_up: Duration::from_millis(10) };
}

/// One row's measurement: runs the operation `iters` times and returns the time it took.
type Measure<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// The rows of one cell of a workload, each ready to be measured.
pub struct Case<'a> {
    rows: Vec<(&'static str, Measure<'a>)>,
}

impl std::fmt::Debug for Case<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.rows.iter().map(|(name, _)| *name).collect();
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

    /// Adds a row whose measurement is `measure`: it runs the operation `iters` times and
    /// returns how long that took, so setup left out of the timing stays out.
    pub fn add(&mut self, row: &'static str, measure: impl FnMut(u64) -> Duration + 'a) {
        self.rows.push((row, Box::new(measure)));
    }

    /// Adds a row whose operation is `op`, timed around the whole loop of `iters` calls.
    pub fn add_op(&mut self, row: &'static str, mut op: impl FnMut() + 'a) {
        self.add(row, move |iters| {
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

    /// Warms up and sizes every row, then measures them in `plan.rounds` rotated rounds.
    /// Returns each row's nanoseconds per operation, one figure per round, in the order the
    /// rows were added.
    pub fn run(mut self, workload: &str, case: &str, plan: &Plan) -> Vec<Sample> {
        let iters: Vec<u64> =
            self.rows.iter_mut().map(|(_, measure)| size(measure.as_mut(), plan)).collect();
        let mut ns = vec![Vec::with_capacity(plan.rounds); self.rows.len()];
        for round in 0..plan.rounds {
            for index in rotation(self.rows.len(), round) {
                let elapsed = (self.rows[index].1)(iters[index]);
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                ns[index].push(elapsed.as_nanos() as f64 / iters[index] as f64);
            }
        }
        self.rows
            .iter()
            .zip(ns)
            .map(|((row, _), ns)| Sample {
                workload: workload.to_owned(),
                case: case.to_owned(),
                row: (*row).to_owned(),
                ns,
            })
            .collect()
    }
}

/// The order in which round `round` measures `rows` rows: the rows rotated left by `round`.
pub fn rotation(rows: usize, round: usize) -> impl Iterator<Item = usize> {
    (0..rows).map(move |j| (round + j) % rows.max(1))
}

/// Runs `measure` for at least `plan.warm_up`, doubling the operation count, and returns the
/// count that makes one measurement last about `plan.target` (at least 1).
fn size(measure: &mut dyn FnMut(u64) -> Duration, plan: &Plan) -> u64 {
    let mut iters = 1_u64;
    let mut spent = Duration::ZERO;
    loop {
        let elapsed = measure(iters);
        spent += elapsed;
        if spent >= plan.warm_up || iters >= 1 << 40 {
            let per_op = elapsed.as_nanos().max(1) / u128::from(iters);
            let wanted = plan.target.as_nanos() / per_op.max(1);
            return u64::try_from(wanted).unwrap_or(u64::MAX).max(1);
        }
        iters *= 2;
    }
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

    #[test]
    fn rounds_interleave_the_rows() {
        let order = std::cell::RefCell::new(Vec::new());
        let mut case = Case::new();
        case.add("a", |_| {
            order.borrow_mut().push('a');
            Duration::from_micros(10)
        });
        case.add("b", |_| {
            order.borrow_mut().push('b');
            Duration::from_micros(10)
        });
        let plan = Plan { rounds: 3, target: Duration::from_micros(10), warm_up: Duration::ZERO };
        let samples = case.run("W0", "", &plan);
        // One sizing call each, then a, b / b, a / a, b.
        assert_eq!(order.borrow().iter().collect::<String>(), "ababbaab");
        assert_eq!(samples.len(), 2);
        assert!(samples.iter().all(|s| s.ns.len() == 3));
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
