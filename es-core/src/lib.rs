//! # es-core: a small reference event-sourcing core
//!
//! The types and traits the rest of the toolkit is written against. No database code lives
//! here: storage providers (`memory-store`, `postgres-store`, or your own) implement
//! [`EventStore`], and the scenario tester, the contract suite and the benchmarks use it.
//!
//! ```
//! use es_core::{EventStore, ExpectedVersion, NewEvent, ReadStream, StreamId, Error};
//! use memory_store::MemoryStore;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let store = MemoryStore::new();
//! let account = StreamId::new("account-7")?;
//!
//! // A new stream: expect that it does not exist yet.
//! store.append(&account, ExpectedVersion::NoStream,
//!     vec![NewEvent::from_json("Opened", r#"{"owner":"ada"}"#)?]).await?;
//!
//! // A writer that read version 0 (no stream) loses the race with a typed conflict.
//! let late = store.append(&account, ExpectedVersion::NoStream,
//!     vec![NewEvent::from_json("Opened", r#"{"owner":"bob"}"#)?]).await;
//! assert!(matches!(late, Err(Error::Conflict { .. })));
//!
//! let events = store.read_stream(&account, ReadStream::forward()).await?;
//! assert_eq!(events.len(), 1);
//! # Ok::<(), es_core::Error>(())
//! # }).unwrap();
//! ```
//!
//! ## The model
//!
//! - **Streams and versions.** A [`StreamId`] names a stream; its first event has
//!   [`Version`] 1 and a stream with no events has no version. Every stored event also has a
//!   global [`Position`], strictly increasing across the store.
//! - **Optimistic concurrency.** Every append states an [`ExpectedVersion`]; a mismatch is
//!   [`Error::Conflict`] and stores nothing.
//! - **Type-erased events.** Stores see [`NewEvent`] and [`RecordedEvent`]: an [`EventId`]
//!   (UUID v7), an [`EventType`] name, a JSON [`Payload`] validated once, and [`Metadata`].
//!   Re-sending a batch with the same ids is idempotent.
//! - **The store contract.** [`EventStore`]: append (one stream or [several atomically](
//!   EventStore::append_multi)), read a stream, read everything in global order, subscribe,
//!   and the optional snapshots and stream deletion. [`EventStoreExt`] adds conveniences.
//!
//! ## The typed layer
//!
//! - [`DomainEvent`]: a serde type with a stable name per variant.
//! - [`Aggregate`]: a pure, synchronous decider (`handle` decides, `apply` evolves).
//! - [`Repository`]: loads an aggregate (snapshot + tail when the store keeps snapshots) and
//!   [executes](Repository::execute) commands, retrying conflicts per [`RetryPolicy`].
//! - [`Upcasters`]: bring old event shapes up to date on read.
//! - [`Clock`] and [`IdSource`]: what decisions need from outside, injected through
//!   [`Aggregate::Services`] (`es-testkit` has controllable ones for tests).
//!
//! ## Limits
//!
//! See [`limits`]: every provider rejects the same bad input with the same typed [`Error`].
//!
//! ## Observability
//!
//! Providers open `tracing` spans on append and read; [`Repository`] opens `load` and
//! `execute` spans with the stream, versions and counts as fields.

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod aggregate;
#[doc(hidden)]
pub mod doc_fixture;
mod error;
mod event;
mod event_id;
mod event_type;
mod executor;
mod ext;
pub mod limits;
mod metadata;
mod payload;
mod repository;
mod services;
mod store;
mod stream_id;
mod subscription;
mod upcast;
mod version;

pub use aggregate::{Aggregate, DomainEvent};
pub use error::{Error, Result};
pub use event::{NewEvent, RecordedEvent};
pub use event_id::EventId;
pub use event_type::EventType;
pub use executor::{ExecuteError, Executed, RetryPolicy};
pub use ext::EventStoreExt;
pub use metadata::Metadata;
pub use payload::Payload;
pub use repository::{Loaded, Repository};
pub use services::{Clock, IdSource, RandomIds, SystemClock};
pub use store::{
    AppendResult, Capabilities, Direction, EventStore, ReadStream, Snapshot, StreamAppend,
    validate_batch, validate_multi,
};
pub use stream_id::StreamId;
pub use subscription::Subscription;
pub use upcast::{EventShape, Upcasters};
pub use version::{ExpectedVersion, Position, Version};

/// Re-exported so providers and users name the same versions.
pub use chrono;
/// Re-exported so providers and users name the same versions.
pub use uuid;
