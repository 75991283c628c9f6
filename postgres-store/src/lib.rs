//! # postgres-store: the PostgreSQL event store and a test harness that needs no Docker
//!
//! [`PgStore`] implements every capability of es-core ([`EventReader`](es_core::EventReader),
//! [`EventWriter`](es_core::EventWriter), [`SnapshotStore`](es_core::SnapshotStore),
//! [`StreamLifecycle`](es_core::StreamLifecycle), [`CheckpointStore`](es_core::CheckpointStore))
//! on PostgreSQL with sqlx: every append is one statement and one round trip (a plain `INSERT`
//! when the expected version is known, else `INSERT ... SELECT FROM unnest(...)`), expected
//! versions are enforced by `UNIQUE (stream_id, version)`, positions are derived from the
//! writing transaction's id (no sequence, no lock), reads of the global order never skip an
//! event committed out of order (a page held back by an in-flight writer says so), deletes are
//! serialised with the appends of their stream by a row lock on its head, and subscriptions
//! wake on `LISTEN/NOTIFY`.
//!
//! ```no_run
//! use es_core::{EventReader, EventWriterExt, ExpectedVersion, NewEvent, ReadStream, StreamId};
//! use postgres_store::{PgStore, PgStoreConfig};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let config = PgStoreConfig::new("postgres://postgres@localhost/app").schema("shop");
//! let store = PgStore::connect(config).await?;
//! store.migrate().await?; // creates schema `shop` with tables `events`, `snapshots`, `checkpoints`
//!
//! let cart = StreamId::new("cart-1")?;
//! store.append_events(&cart, ExpectedVersion::NoStream,
//!     [NewEvent::from_json("ItemAdded", r#"{"sku":"A1"}"#)?]).await?;
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
//! event_id, event_type, payload and metadata as `json`, recorded_at, and `deleted`: deleted
//! events stay, marked, so numbering continues and ids stay reserved), table `snapshots` (the
//! state and the event it was taken at) and table `checkpoints`.

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod append;
mod coalesce;
mod config;
mod error;
pub mod harness;
mod lifecycle;
mod listen;
mod notify;
#[cfg(test)]
mod plans;
mod read;
mod reader;
mod rows;
mod snapshots;
mod sparse;
mod sql;
mod store;

pub use config::PgStoreConfig;
pub use error::PgStoreError;
pub use reader::PgReader;
pub use store::PgStore;
