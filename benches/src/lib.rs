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
//!
//! ## Benchmark your own store
//!
//! A provider crate measures its store with a criterion bench of its own that calls the
//! workloads. This file is `benches/my_store.rs`; the provider's `Cargo.toml` (where `es-core`
//! is a dependency already: the store implements its traits) adds
//!
//! ```toml
//! [dev-dependencies]
//! benches = { git = "https://example.org/es-toolkit.git", package = "benches" }
//! criterion = "0.8"
//! tokio = { version = "1", features = ["rt-multi-thread"] }
//!
//! [[bench]]
//! name = "my_store"
//! harness = false
//! ```
//!
//! and `cargo bench --bench my_store` runs it (`-- --test` for one pass of each).
//!
//! ```no_run
//! use std::time::Instant;
//!
//! use benches::{domain::Account, workloads};
//! use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
//! use es_core::Repository;
//! // Stands in for your store: any `EventWriter` for the appends, `EventReader` for the reads,
//! // a full `EventStore` for the repository.
//! use memory_store::MemoryStore as MyStore;
//!
//! fn my_store(c: &mut Criterion) {
//!     let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
//!     let store = MyStore::new();
//!
//!     // Each workload returns how many events it moved; time `iters` runs of it.
//!     let mut group = c.benchmark_group("append");
//!     group.throughput(Throughput::Elements(10));
//!     group.bench_function(BenchmarkId::new("batch-10", "my-store"), |b| {
//!         b.iter_custom(|iters| {
//!             let start = Instant::now();
//!             rt.block_on(workloads::append_batches(&store, iters, 10)).expect("append");
//!             start.elapsed()
//!         });
//!     });
//!     group.finish();
//!
//!     // Seed once, outside the measurement, then read and rehydrate the same stream.
//!     let stream = rt.block_on(workloads::seed_stream(&store, 1_000)).expect("seed");
//!     let repository = Repository::<Account, _>::new(store.clone());
//!     let mut group = c.benchmark_group("read");
//!     group.throughput(Throughput::Elements(1_000));
//!     group.bench_function(BenchmarkId::new("stream-1000", "my-store"), |b| {
//!         b.iter(|| rt.block_on(workloads::read_stream(&store, &stream)).expect("read"));
//!     });
//!     group.bench_function(BenchmarkId::new("rehydrate-1000", "my-store"), |b| {
//!         b.iter(|| rt.block_on(workloads::rehydrate(&repository, &stream)).expect("load"));
//!     });
//!     group.finish();
//! }
//!
//! criterion_group!(store_benches, my_store);
//! criterion_main!(store_benches);
//! ```
//!
//! The other workloads take the same shape: [`workloads::append_multi`],
//! [`workloads::contended_commands`], [`workloads::read_all`], [`workloads::catch_up`], and
//! [`workloads::snapshot_before_tail`] to set up [`workloads::rehydrate`] from a snapshot (on a
//! repository made [`with_snapshots`](es_core::Repository::with_snapshots)). This crate's own
//! `benches/stores.rs` runs them all against memory and PostgreSQL.

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod domain;
pub mod fixtures;
pub mod interleaved;
pub mod raw_sql;
pub mod report;
pub mod workloads;
