//! Why a benchmark run stopped.

use std::{io, path::PathBuf};

use es_core::testing::FactoryError;

/// Why a benchmark run stopped. A run stops at the first failure, naming the workload, so a
/// broken store is never reported as a slow one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store factory could not make a fresh store for a workload.
    #[error(
        "the store factory could not make a store for workload `{workload}`: {source}; check that the backend is reachable"
    )]
    Factory {
        /// The workload that wanted the store.
        workload: String,
        /// What the factory said.
        #[source]
        source: FactoryError,
    },
    /// The store failed while a workload ran (or while it was seeded).
    #[error(
        "workload `{workload}` failed: {source}; the contract suite (contract-tests) says which promise the store breaks"
    )]
    Workload {
        /// The workload that failed.
        workload: String,
        /// The store's error.
        #[source]
        source: es_core::Error,
    },
    /// A reader handle did not see the seeded events within the time the store claims.
    #[error(
        "workload `{workload}`: the reader did not see the seeded events within {waited_ms} ms; the store's claims (ReadConsistency) promise less than it delivers"
    )]
    NotVisible {
        /// The workload that waited.
        workload: String,
        /// How long it waited, in milliseconds.
        waited_ms: u128,
    },
    /// No tokio runtime could be started for the run (`bench_main!`).
    #[error("cannot start a tokio runtime for the benchmark: {0}")]
    Runtime(#[source] io::Error),
    /// The report could not be written (`bench_main!`).
    #[error("cannot write the report to {}: {source}", path.display())]
    Write {
        /// The file it tried to write.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: io::Error,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
