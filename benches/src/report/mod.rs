//! The benchmark report: every workload over memory and PostgreSQL, PostgreSQL interleaved with
//! the raw limit (see [`crate::interleaved`]), as a table, a markdown file and an SVG plot.
//!
//! `cargo bench -p benches --bench report` runs it in full (5 rounds of 1 s per side, a few
//! minutes) and writes `target/bench-report/report.md` and `concurrency.svg`;
//! `-- --test` runs a smoke pass (2 rounds of 20 ms) into `smoke.md`, to show that it runs.
//!
//! ```
//! use benches::report::{Row, render};
//!
//! let row = Row::compared("append 1 event, new stream", "postgres", &[(900.0, 1000.0), (1100.0, 1000.0)]);
//! assert!((row.ratio.unwrap() - 1.0).abs() < 1e-9);
//! assert!(render::markdown_table(&[row]).contains("| append 1 event, new stream | postgres |"));
//! ```

use crate::interleaved::{Round, UNSTABLE_SPREAD, median, spread};

pub mod latency;
pub mod machine;
pub mod memory;
pub mod postgres;
pub mod render;

/// The name of the concurrency workload with `writers` writers.
///
/// ```
/// assert_eq!(benches::report::writers_workload(1), "1 writer, 1 event per append to new streams");
/// assert_eq!(benches::report::writers_workload(4), "4 writers, 1 event per append to new streams");
/// ```
pub fn writers_workload(writers: usize) -> String {
    let plural = if writers == 1 { "" } else { "s" };
    format!("{writers} writer{plural}, 1 event per append to new streams")
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What was measured.
    pub workload: String,
    /// Which store.
    pub provider: String,
    /// The provider's events per second (median over the rounds).
    pub events_per_s: f64,
    /// The raw limit's events per second (median), where one exists.
    pub raw_per_s: Option<f64>,
    /// Median over the rounds of provider / raw in the same round.
    pub ratio: Option<f64>,
    /// Spread of the ratio (or of the rate, without a raw limit) over the rounds: half the
    /// range over the median.
    pub spread: f64,
    /// How many rounds.
    pub rounds: usize,
    /// The writers of a concurrency workload, for the plot.
    pub writers: Option<usize>,
}

impl Row {
    /// A row from interleaved (provider, raw) events-per-second pairs.
    pub fn compared(workload: &str, provider: &str, pairs: &[(f64, f64)]) -> Self {
        let rounds: Vec<Round> = pairs
            .iter()
            .map(|&(provider, raw)| Round { provider, raw })
            .collect();
        Self::from_rounds(workload, provider, &rounds)
    }

    /// A row from interleaved rounds.
    pub fn from_rounds(workload: &str, provider: &str, rounds: &[Round]) -> Self {
        let ratios: Vec<f64> = rounds.iter().map(Round::ratio).collect();
        let p: Vec<f64> = rounds.iter().map(|r| r.provider).collect();
        let r: Vec<f64> = rounds.iter().map(|r| r.raw).collect();
        Self {
            workload: workload.to_owned(),
            provider: provider.to_owned(),
            events_per_s: median(&p).unwrap_or(0.0),
            raw_per_s: median(&r),
            ratio: median(&ratios),
            spread: spread(&ratios),
            rounds: rounds.len(),
            writers: None,
        }
    }

    /// A row of a provider without a raw limit (the memory store).
    pub fn alone(workload: &str, provider: &str, rates: &[f64]) -> Self {
        Self {
            workload: workload.to_owned(),
            provider: provider.to_owned(),
            events_per_s: median(rates).unwrap_or(0.0),
            raw_per_s: None,
            ratio: None,
            spread: spread(rates),
            rounds: rates.len(),
            writers: None,
        }
    }

    /// The same row, marked as a concurrency workload of `writers` writers.
    pub fn with_writers(mut self, writers: usize) -> Self {
        self.writers = Some(writers);
        self
    }

    /// Whether the figure moved too much over the rounds to be read as one number.
    pub fn unstable(&self) -> bool {
        self.spread > UNSTABLE_SPREAD
    }
}
