//! # benches: the same workloads against every provider
//!
//! Criterion benchmarks that run one set of workloads against every storage provider, so that
//! providers can be compared and a change's cost seen. Throughput is reported in events per
//! second (criterion's `elem/s`).
//!
//! ```text
//! cargo bench -p benches                 # everything
//! cargo bench -p benches -- append       # only the append workloads
//! cargo bench -p benches -- --test       # one pass of each, as a smoke test
//! ```
//!
//! PostgreSQL runs whenever one can be reached or started (see `postgres_store::harness`); next
//! to it, [`raw_sql`] measures plain sqlx statements on the same database in the same run, the
//! limit the provider is compared with.
//!
//! The workloads, their domain and the interleaved measurement live in the `es-bench` crate,
//! which has no database dependency; they are re-exported here under their old paths
//! ([`workloads`], [`domain`], [`fixtures`], [`interleaved`]).
//!
//! ## Benchmark your own store
//!
//! Use `es-bench`, not this crate (which brings sqlx and PostgreSQL with it): a provider adds
//! `es-bench` as a dev-dependency, a `[[bench]]` target with `harness = false`, and one line,
//!
//! ```no_run
//! # use memory_store::MemoryStore as MyStore;
//! es_bench::bench_main!(|| async { MyStore::new() });
//! ```
//!
//! which runs every workload against fresh stores from that factory and writes a markdown
//! table to `target/bench-report/`. `es_bench::run` does the same from code, and es-bench's
//! README shows the whole set-up.

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod raw_sql;
pub mod report;

pub use es_bench::{domain, fixtures, interleaved, workloads};
