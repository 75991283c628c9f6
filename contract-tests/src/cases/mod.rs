//! The contract cases, one module per promise. Every case is a public async function taking a
//! [`StoreFactory`](crate::StoreFactory); it panics with the broken promise when the store
//! breaks it, and returns [`Outcome`](crate::Outcome) otherwise.

pub mod append;
pub mod concurrency;
pub mod expected_version;
pub mod read_all;
pub mod read_stream;

mod support;
