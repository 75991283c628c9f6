//! Events and streams the workloads write: deposits of the [`domain`](crate::domain) account.
//!
//! ```
//! use es_bench::fixtures::{deposit, deposits, fresh_stream};
//!
//! assert_eq!(deposit(5)?.payload.as_str(), r#"{"Deposited":{"amount":5}}"#);
//! assert_eq!(deposits(3)?.len(), 3);
//! assert_ne!(fresh_stream("append")?, fresh_stream("append")?);
//! # Ok::<(), es_core::Error>(())
//! ```

use es_core::{DomainEvent, Error, EventId, Metadata, NewEvent, StreamId};

use crate::domain::AccountEvent;

/// A deposit of `amount`, serialized as the typed layer would store it.
pub fn deposit(amount: u64) -> Result<NewEvent, Error> {
    AccountEvent::Deposited { amount }.to_new_event(Metadata::default())
}

/// `count` deposits of 1, 2, 3, ...
pub fn deposits(count: u64) -> Result<Vec<NewEvent>, Error> {
    (1..=count).map(deposit).collect()
}

/// A stream id no other run of this process used.
pub fn fresh_stream(prefix: &str) -> Result<StreamId, Error> {
    StreamId::new(format!("{prefix}-{}", EventId::new()))
}
