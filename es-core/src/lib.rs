//! # es-core: a small reference event-sourcing core
//!
//! The types and traits the rest of the toolkit is written against. No database code lives
//! here: storage providers (`memory-store`, `postgres-store`, or your own) implement the
//! capability traits, and the scenario tester, the contract suite and the benchmarks use them.
//!
//! The examples use the bank account of [`es_testkit::example`](../es_testkit/example/index.html):
//! an `Account` with a balance, `Command::Deposit`/`Withdraw` and `Event::Deposited`/`Withdrawn`.
//!
//! ```
//! use es_core::{Error, EventReader, EventWriterExt, ExpectedVersion, NewEvent, ReadStream, StreamId};
//! use memory_store::MemoryStore;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let store = MemoryStore::new();
//! let account = StreamId::new("account-7")?;
//!
//! // A new stream: expect that it does not exist yet.
//! store.append_events(&account, ExpectedVersion::NoStream,
//!     [NewEvent::from_json("Opened", r#"{"owner":"ada"}"#)?]).await?;
//!
//! // A writer that also saw "no stream" loses the race with a typed conflict.
//! let late = store.append_events(&account, ExpectedVersion::NoStream,
//!     [NewEvent::from_json("Opened", r#"{"owner":"bob"}"#)?]).await;
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
//! - **Streams and versions.** A [`StreamId`] names a stream, and its [`Category`] is the text
//!   before the first `-`. The first event has [`Version`] 1 and a stream with no events has no
//!   version. Every stored event also has a [`Position`] in the global order: compare
//!   positions, never compute with them. An [`EventRef`] (version, position, id) says where a
//!   stream is.
//! - **Optimistic concurrency.** Every append states an [`ExpectedVersion`]; a mismatch is
//!   [`Error::Conflict`] and stores nothing.
//! - **Type-erased events.** Stores see [`NewEvent`] and [`RecordedEvent`]: an [`EventId`],
//!   an [`EventType`] name, a JSON [`Payload`] validated once, and [`Metadata`]. Re-sending a
//!   batch with the same ids is idempotent.
//! - **Errors you can branch on.** [`Error::kind`] and [`Error::is_retryable`].
//!
//! ## The contract, by capability
//!
//! - [`EventReader`]: read a stream, its head, the global order in [`Page`]s from a
//!   [`Checkpoint`] (with an [`EventFilter`] by type and category), and [`Subscription`]s that
//!   say when they are caught up. A read-only handle (a replica) is only this.
//! - [`EventWriter`]: [`append`](EventWriter::append) a [`StreamAppend`] and
//!   [`append_multi`](EventWriter::append_multi) several atomically. [`EventStore`] is both.
//! - Optional: [`SnapshotStore`], [`StreamLifecycle`] (soft delete and tombstones, as in
//!   KurrentDB), [`CheckpointStore`] (where projections keep their place).
//! - [`Claims`]: each provider's limits and guarantees, checked by the contract suite.
//! - `&S`, `Arc<S>` and `Box<S>` are stores wherever `S` is; [`AnyStore`] holds a store chosen at
//!   run time. [`EventReaderExt`] and [`EventWriterExt`] add conveniences.
//! - [`provider`]: what providers need (input checks with their limits, the catch-up
//!   subscription, the commit signal). [`testing`] (feature `testing`): one [`StoreFactory`](testing::StoreFactory)
//!   for the contract suite, the test kit and the benchmarks.
//!
//! ## The typed layer
//!
//! - [`DomainEvent`]: a serde type with a stable name per variant, all names declared.
//! - [`Aggregate`]: a pure, synchronous decider (`handle` decides, `apply` evolves).
//! - [`Repository`]: loads an aggregate (a verified snapshot + the tail when the store keeps
//!   snapshots) and [executes](Repository::execute) commands, retrying per [`RetryPolicy`];
//!   [`execute_together`](Repository::execute_together) commits several aggregates at once.
//! - [`CommandEnvelope`]: metadata and an idempotency key, so a redelivered command stores
//!   nothing twice.
//! - [`Upcasters`]: bring old event shapes up to date on read.
//! - [`Clock`] and [`IdSource`]: what decisions need from outside, injected through
//!   [`Aggregate::Services`] (`es-testkit` has controllable ones for tests).
//!
//! ## Limits
//!
//! [`limits`] is the portable floor every provider accepts; each states its own in [`Claims`].
//!
//! ## Observability
//!
//! Providers open `tracing` spans on append and read; [`Repository`] opens `load` and
//! `execute` spans with the stream, versions and counts as fields.

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod aggregate;
mod any_store;
mod append;
mod category;
mod checkpoint;
mod claims;
mod envelope;
mod error;
mod event;
mod event_id;
mod event_type;
mod executor;
mod ext;
mod json;
pub mod limits;
mod metadata;
mod payload;
mod position;
pub mod provider;
mod read;
mod repository;
mod services;
mod snapshot;
mod store;
mod stream_id;
mod subscription;
#[cfg(feature = "testing")]
pub mod testing;
mod upcast;
mod version;

pub use aggregate::{Aggregate, DomainEvent};
pub use any_store::AnyStore;
pub use append::{AppendResult, StreamAppend};
pub use category::Category;
pub use checkpoint::Checkpoint;
pub use claims::{Claims, Idempotency, PositionDensity, ReadConsistency};
pub use envelope::CommandEnvelope;
pub use error::{Error, ErrorKind, Result};
pub use event::{NewEvent, RecordedEvent};
pub use event_id::EventId;
pub use event_type::EventType;
pub use executor::{ExecuteError, Executed, RetryPolicy};
pub use ext::{EventReaderExt, EventWriterExt, HELD_BACK_PATIENCE};
pub use metadata::Metadata;
pub use payload::Payload;
pub use position::{EventRef, Position};
pub use read::{
    DEFAULT_PAGE, Direction, EventFilter, Page, PageState, ReadAll, ReadStream, Start, Subscribe,
};
pub use repository::{Loaded, Repository};
pub use services::{Clock, IdSource, RandomIds, SystemClock};
pub use snapshot::Snapshot;
pub use store::{
    CheckpointStore, EventReader, EventStore, EventWriter, SnapshotStore, StreamLifecycle,
};
pub use stream_id::StreamId;
pub use subscription::{Subscription, SubscriptionItem};
pub use upcast::{EventShape, Upcasters};
pub use version::{ExpectedVersion, Version};

/// Re-exported so providers and users name the same versions.
pub use chrono;
/// Re-exported so providers and users name the same versions.
pub use uuid;
