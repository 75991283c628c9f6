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
//! The workloads live in [`workloads`] as plain async functions, each over the capability it
//! uses ([`EventWriter`](es_core::EventWriter), [`EventReader`](es_core::EventReader),
//! [`SnapshotStore`](es_core::SnapshotStore)), so a provider of your own can be measured the
//! same way. What they write is the small bank account of [`domain`], through [`fixtures`].

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod domain;
pub mod fixtures;
pub mod raw_sql;
pub mod workloads;
