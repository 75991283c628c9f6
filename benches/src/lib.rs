//! # benches
//!
//! Criterion benchmarks that run the same workloads (appends, contention, reads, rehydration, read-all, subscriptions) against every provider. Run them with `cargo bench`.

#![deny(missing_docs)]
