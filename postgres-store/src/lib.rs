//! # postgres-store
//!
//! The PostgreSQL provider (sqlx) and the harness that finds or starts a real PostgreSQL for tests and benchmarks. Filled by the postgres-store issue.

#![deny(missing_docs)]
