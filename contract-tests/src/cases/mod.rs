//! The contract cases, one module per promise. Every case is a public async function taking a
//! [`StoreFactory`](crate::StoreFactory); it panics with the broken promise when the store
//! breaks it, and returns [`Outcome`](crate::Outcome) otherwise.

pub mod append;
pub mod bad_input;
pub mod checkpoints;
pub mod claims;
pub mod concurrency;
pub mod deletion;
pub mod expected_version;
pub mod faults;
pub mod fixture;
pub mod idempotency;
pub mod model;
pub mod multi_stream;
pub mod payloads;
pub mod read_all;
pub mod read_stream;
pub mod snapshot_lifecycle;
pub mod snapshots;
pub mod subscriptions;

mod compare;
mod paths;
pub(crate) mod race;
mod render;
mod support;

pub(crate) use compare::mismatch;
pub(crate) use support::{describe, describe_result, fresh_store, read_all_pages};
mod writers;
