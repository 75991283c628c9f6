//! # es-bench: benchmark your own event store
//!
//! Every workload of the toolkit's benchmarks, run against any [`EventStore`](es_core::EventStore)
//! through its [`StoreFactory`](es_core::testing::StoreFactory), reported as events per second
//! with their spread over the rounds. No database driver comes with it: a provider crate adds
//! this one as a dev-dependency and writes one line.
//!
//! ## Benchmark your own store
//!
//! In the provider's `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! es-bench = "0.1"
//!
//! [[bench]]
//! name = "my_store"
//! harness = false
//! ```
//!
//! and `benches/my_store.rs`, with the same factory the contract suite takes:
//!
//! ```no_run
//! # use memory_store::MemoryStore as MyStore;
//! es_bench::bench_main!(|| async { MyStore::new() });
//! ```
//!
//! `cargo bench --bench my_store` runs every workload ([`Plan::FULL`]: 6 rounds of at least
//! 1 s each, a few minutes), prints a markdown table and writes it to
//! `target/bench-report/my_store.md`; `cargo bench --bench my_store -- --test` is a smoke run
//! ([`Plan::SMOKE`], into `my_store-smoke.md`) that shows everything runs, not what it costs.
//! A store that implements [`SnapshotStore`](es_core::SnapshotStore) is measured with
//! snapshots too; one that does not gets those rows marked skipped, with the reason.
//!
//! This crate's own `benches/memory.rs` is that file for the memory store.
//!
//! ## From code
//!
//! The macro is a `main` around [`run`] and [`run_with_snapshots`], which return a [`Report`]
//! to print, keep or compare:
//!
//! ```
//! use std::time::Duration;
//!
//! use es_bench::Plan;
//!
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! let factory = || async { memory_store::MemoryStore::new() };
//! let tiny = Plan { rounds: 2, per_side: Duration::from_millis(1) };
//! let report = es_bench::run_with_snapshots(&factory, tiny).await?;
//! for entry in report.entries() {
//!     assert!(entry.measured().is_some(), "{} did not run", entry.workload);
//! }
//! println!("{report}"); // a markdown table
//! # Ok::<(), es_bench::Error>(())
//! # }).unwrap();
//! ```
//!
//! ## The pieces
//!
//! - [`workloads`]: each workload as a plain async function over the capability it uses, for a
//!   criterion bench or a measurement of your own;
//! - [`domain`] and [`fixtures`]: the small bank account they write;
//! - [`interleaved`]: rates over rounds, medians, spreads, and rounds that alternate a store
//!   with the limit it is compared with.
//!
//! ## Reading the figures
//!
//! Each workload runs on a fresh store of its own, `plan.rounds` times for at least
//! `plan.per_side`; its figure is the median of those rounds' rates, with the spread (half the
//! range over the median). A spread above [`interleaved::UNSTABLE_SPREAD`] is flagged
//! "unstable" in the table: the machine was too busy for that figure to mean much.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod domain;
mod error;
pub mod fixtures;
pub mod interleaved;
mod report;
mod run;
pub mod workloads;

#[doc(hidden)]
pub mod __private;

pub use error::{Error, Result};
pub use interleaved::Plan;
pub use report::{Entry, Measured, Outcome, Report, Retries};
pub use run::{run, run_with_snapshots};

/// Generates the `main` of a `harness = false` bench target that runs every workload against
/// the stores `factory` makes (any [`StoreFactory`](es_core::testing::StoreFactory), the same
/// one `contract_tests::event_store_suite!` takes).
///
/// The store's type decides whether the snapshot workloads run ([`run_with_snapshots`]) or
/// are reported as skipped because it is no [`SnapshotStore`](es_core::SnapshotStore) ([`run`]).
/// The `main` reads `--test` from the command line (smoke plan, else the full one), runs on a
/// multi-threaded tokio runtime, prints the [`Report`] and writes it to
/// `target/bench-report/<bench name>.md` (`<bench name>-smoke.md` for `--test`). It exits
/// with a failure, naming the workload, when the store fails.
///
/// ```no_run
/// // benches/my_store.rs, with `[[bench]] name = "my_store", harness = false`
/// es_bench::bench_main!(|| async { memory_store::MemoryStore::new() });
/// ```
#[macro_export]
macro_rules! bench_main {
    ($factory:expr $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            #[allow(unused_imports)]
            use $crate::__private::{HasSnapshots as _, LacksSnapshots as _};
            let factory = $factory;
            let probe = $crate::__private::Probe(&factory);
            $crate::__private::main(::core::env!("CARGO_CRATE_NAME"), |plan| {
                (&probe).bench(plan)
            })
        }
    };
}
