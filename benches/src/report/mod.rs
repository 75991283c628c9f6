//! The benchmark report: every workload over memory and PostgreSQL, PostgreSQL interleaved with
//! the raw limit (see [`crate::interleaved`]), as a table, a markdown file and an SVG plot.
//!
//! `cargo bench -p benches --bench report` runs it in full (6 rounds of 1 s per side, about ten
//! minutes with the growth curve's million events) and writes `target/bench-report/report.md`,
//! `concurrency.svg` and `growth.svg`; `-- --test` runs a smoke pass (2 rounds of 20 ms, the
//! growth curve at 10,000 events only) into `smoke.md`, `smoke.svg` and `smoke-growth.svg`, to
//! show that it runs.
//!
//! ```
//! use benches::report::{Row, render};
//!
//! let row = Row::compared("append 1 event, new stream", "postgres", &[(900.0, 1000.0), (1100.0, 1000.0)]);
//! assert!((row.ratio.unwrap() - 1.0).abs() < 1e-9);
//! assert!(render::markdown_table(&[row]).contains("| append 1 event, new stream | postgres |"));
//! ```

use crate::interleaved::{Round, UNSTABLE_SPREAD, median, spread};

pub mod catch_up;
pub mod contention;
pub mod growth;
pub mod latency;
pub mod machine;
pub mod memory;
pub mod pgbench;
pub mod postgres;
pub mod reads;
pub mod render;
pub mod repeat;

/// The name of the multi-stream append workload over `streams` streams.
///
/// ```
/// assert_eq!(
///     benches::report::multi_workload(2),
///     "append 1 event to each of 2 streams at once"
/// );
/// ```
pub fn multi_workload(streams: u64) -> String {
    format!("append 1 event to each of {streams} streams at once")
}

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
    /// Where the row sits on the growth curve, for its plot.
    pub growth: Option<Growth>,
    /// What the figures alone do not say (retries, why there is no raw limit); shown in the
    /// table's note column.
    pub note: Option<String>,
}

/// A point of the growth curve: one workload measured with a given number of events already in
/// the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Growth {
    /// The workload without the table size (the plot's series, with the provider).
    pub workload: String,
    /// Events in the table while it was measured.
    pub table_events: u64,
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
            growth: None,
            note: None,
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
            growth: None,
            note: None,
        }
    }

    /// The same row, marked as a concurrency workload of `writers` writers.
    pub fn with_writers(mut self, writers: usize) -> Self {
        self.writers = Some(writers);
        self
    }

    /// The same row, marked as a point of the growth curve.
    pub fn with_growth(mut self, workload: &str, table_events: u64) -> Self {
        self.growth = Some(Growth {
            workload: workload.to_owned(),
            table_events,
        });
        self
    }

    /// The same row with a note for the table.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Whether the figure moved too much over the rounds to be read as one number.
    pub fn unstable(&self) -> bool {
        self.spread > UNSTABLE_SPREAD
    }
}
