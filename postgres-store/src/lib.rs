//! # postgres-store: the PostgreSQL event store and a test harness that needs no Docker
//!
//! [`PgStore`] implements [`es_core::EventStore`] on PostgreSQL with sqlx: every append is one
//! statement and one round trip (a plain `INSERT` when the expected version is known, else
//! `INSERT ... SELECT FROM unnest(...)`), expected versions are enforced by
//! `UNIQUE (stream_id, version)`, positions are derived from the writing transaction's id (no
//! sequence, no lock), reads of the global order never skip an event committed out of order,
//! and subscriptions wake on `LISTEN/NOTIFY`.
//!
//! ```no_run
//! use es_core::{EventStore, ExpectedVersion, NewEvent, ReadStream, StreamId};
//! use postgres_store::{PgStore, PgStoreConfig};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let config = PgStoreConfig::new("postgres://postgres@localhost/app").schema("shop");
//! let store = PgStore::connect(config).await?;
//! store.migrate().await?; // creates schema `shop` with tables `events` and `snapshots`
//!
//! let cart = StreamId::new("cart-1")?;
//! store.append(&cart, ExpectedVersion::NoStream,
//!     vec![NewEvent::from_json("ItemAdded", r#"{"sku":"A1"}"#)?]).await?;
//! assert_eq!(store.read_stream(&cart, ReadStream::forward()).await?.len(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! ## Tests and benchmarks
//!
//! [`harness`] finds a real PostgreSQL: `DATABASE_URL`, else a throwaway cluster started from
//! the local PostgreSQL binaries, else (feature `docker`) a container. A fresh, migrated store
//! per test is one call:
//!
//! ```no_run
//! # async fn example() -> Result<(), postgres_store::harness::HarnessError> {
//! let store = postgres_store::harness::fresh_store().await?;
//! # Ok(())
//! # }
//! ```
//!
//! ## Schema
//!
//! See `migrations/`: table `events` (position as `(xid << 20) + n`, stream_id, version,
//! event_id, event_type, payload and metadata as `json`, recorded_at) and table `snapshots`.

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod append;
mod config;
mod error;
pub mod harness;
mod listen;
mod read;
mod sql;
mod store;

pub use config::PgStoreConfig;
pub use error::PgStoreError;
pub use store::PgStore;
