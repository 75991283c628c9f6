//! # memory-store: the in-memory event store
//!
//! The embedded default provider of the toolkit: complete (subscriptions, snapshots,
//! multi-stream append, soft and hard deletion, checkpoints), thread-safe, and fast (an append of
//! one event costs about a microsecond). It is also the reference that the contract suite and the model-based
//! tests compare other providers with, so it favours plain, obviously correct code: one lock
//! around the whole state, every append checked and written under it.
//!
//! ```
//! use es_core::{EventReader, EventWriterExt, ExpectedVersion, NewEvent, ReadAll, StreamId};
//! use memory_store::MemoryStore;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let store = MemoryStore::new();
//! let cart = StreamId::new("cart-1")?;
//! store.append_events(&cart, ExpectedVersion::NoStream,
//!     [NewEvent::from_json("ItemAdded", r#"{"sku":"tea"}"#)?]).await?;
//!
//! let page = store.read_all(ReadAll::from_beginning().limit(100)).await?;
//! assert_eq!(page.events.len(), 1);
//! # Ok::<(), es_core::Error>(())
//! # }).unwrap();
//! ```
//!
//! Cloning a [`MemoryStore`] gives another handle to the same events.

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod state;
mod store;

pub use store::MemoryStore;
