//! What a run measured: one entry per workload, as a markdown table.

use std::fmt;

use crate::interleaved::{Plan, UNSTABLE_SPREAD, median, spread};

/// Every workload of a run, in the order they ran, measured or skipped with the reason.
///
/// Its [`Display`](fmt::Display) is a markdown table: workload, events per second (the median
/// over the rounds), spread, rounds, retries, and a note that says when a figure is unstable
/// (spread above [`UNSTABLE_SPREAD`]) or why a workload did not run.
///
/// ```
/// use es_bench::{Entry, Plan, Report};
///
/// let mut report = Report::new("MyStore", Plan::SMOKE);
/// report.push(Entry::from_rates("append batches of 10", &[1_000.0, 1_020.0]));
/// report.push(Entry::from_rates("read a 10-event stream", &[500.0, 1_500.0]));
/// report.push(Entry::skipped("rehydrate from a snapshot + 10 events", "no snapshots"));
///
/// assert!(!report.entries()[0].is_unstable());
/// assert!(report.entries()[1].is_unstable());
/// let table = report.to_string();
/// assert!(table.contains("| append batches of 10 | 1,010 | ±1.0 % | 2 |"), "{table}");
/// assert!(table.contains("unstable"), "{table}");
/// assert!(table.contains("skipped: no snapshots"), "{table}");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    store: String,
    plan: Plan,
    entries: Vec<Entry>,
}

impl Report {
    /// An empty report of `store` (a name for the heading) measured with `plan`.
    pub fn new(store: impl Into<String>, plan: Plan) -> Self {
        Self {
            store: store.into(),
            plan,
            entries: Vec::new(),
        }
    }

    /// Adds an entry at the end.
    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// The store's name, as given to [`new`](Self::new) (the store's type name in a run).
    pub fn store(&self) -> &str {
        &self.store
    }

    /// The plan the figures were measured with.
    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// Every entry, in the order the workloads ran.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry of the workload named `workload`, if the run had one.
    pub fn get(&self, workload: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.workload == workload)
    }

    /// The entries whose figures are unstable.
    pub fn unstable(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|entry| entry.is_unstable())
    }

    /// The entries that were not measured.
    pub fn skipped(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|entry| entry.measured().is_none())
    }
}

/// One workload's line of a [`Report`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Entry {
    /// What was measured ("append batches of 10").
    pub workload: String,
    /// Its figures, or why there are none.
    pub outcome: Outcome,
    /// What the figures alone do not say (how a rate is counted), shown in the note column.
    pub note: Option<String>,
}

/// A workload's figures, or why it did not run.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// It ran every round.
    Measured(Measured),
    /// It did not run: the store lacks the capability, or claims a limit below what the
    /// workload needs.
    Skipped {
        /// Why, in a sentence that says what would make it run.
        reason: String,
    },
}

/// The figures of a measured workload.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Measured {
    /// Events per second: the median over the rounds.
    pub events_per_s: f64,
    /// Half the range of the rounds' rates over their median (`0.05` reads "±5 %").
    pub spread: f64,
    /// Events per second of each round, in the order they ran.
    pub rates: Vec<f64>,
    /// The executor's retries, for the workloads that go through it.
    pub retries: Option<Retries>,
}

/// How often the executor decided again because another writer got there first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retries {
    /// Attempts beyond each command's first, over all rounds.
    pub retries: u64,
    /// Commands executed over all rounds.
    pub commands: u64,
}

impl Entry {
    /// A measured workload from its rounds' events per second.
    pub fn from_rates(workload: impl Into<String>, rates: &[f64]) -> Self {
        Self {
            workload: workload.into(),
            outcome: Outcome::Measured(Measured {
                events_per_s: median(rates).unwrap_or(0.0),
                spread: spread(rates),
                rates: rates.to_vec(),
                retries: None,
            }),
            note: None,
        }
    }

    /// A workload that did not run, and why.
    pub fn skipped(workload: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            workload: workload.into(),
            outcome: Outcome::Skipped {
                reason: reason.into(),
            },
            note: None,
        }
    }

    /// With a note for the table.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// With the executor's retries (for a measured entry; a skipped one stays as it is).
    #[must_use]
    pub fn with_retries(mut self, retries: Retries) -> Self {
        if let Outcome::Measured(measured) = &mut self.outcome {
            measured.retries = Some(retries);
        }
        self
    }

    /// The figures, when the workload ran.
    pub fn measured(&self) -> Option<&Measured> {
        match &self.outcome {
            Outcome::Measured(measured) => Some(measured),
            Outcome::Skipped { .. } => None,
        }
    }

    /// Whether its rounds stray further than [`UNSTABLE_SPREAD`] from their median, so the
    /// figure should not be relied on.
    pub fn is_unstable(&self) -> bool {
        self.measured()
            .is_some_and(|measured| measured.spread > UNSTABLE_SPREAD)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "`{}`: {} rounds of at least {} ms per workload, a fresh store per workload.",
            self.store,
            self.plan.rounds,
            self.plan.per_side.as_millis()
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "| workload | events/s | spread | rounds | retries | note |"
        )?;
        writeln!(f, "|---|---:|---:|---:|---:|---|")?;
        for entry in &self.entries {
            match &entry.outcome {
                Outcome::Measured(measured) => {
                    let retries = measured.retries.map_or(String::new(), |r| {
                        format!(
                            "{} in {} commands",
                            thousands(r.retries),
                            thousands(r.commands)
                        )
                    });
                    let unstable = entry
                        .is_unstable()
                        .then_some("unstable: the rounds disagree, do not rely on this figure");
                    let note = [unstable, entry.note.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("; ");
                    writeln!(
                        f,
                        "| {} | {} | ±{:.1} % | {} | {retries} | {note} |",
                        entry.workload,
                        thousands(measured.events_per_s.round() as u64),
                        measured.spread * 100.0,
                        measured.rates.len(),
                    )?;
                }
                Outcome::Skipped { reason } => {
                    writeln!(
                        f,
                        "| {} | – | – | 0 | | skipped: {reason} |",
                        entry.workload
                    )?;
                }
            }
        }
        if self.unstable().next().is_some() {
            writeln!(f)?;
            writeln!(
                f,
                "Unstable: the rounds of those workloads stray more than ±{:.0} % from their median; \
                 run again on a quieter machine or with more rounds.",
                UNSTABLE_SPREAD * 100.0
            )?;
        }
        Ok(())
    }
}

/// `1234567` as `1,234,567`, for figures and workload names.
pub(crate) fn thousands(value: u64) -> String {
    if value < 1_000 {
        value.to_string()
    } else {
        format!("{},{:03}", thousands(value / 1_000), value % 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
