//! Events and streams the workloads write: small, realistic payloads.

use es_core::{
    DomainEvent, Error, EventId, NewEvent, StreamId,
    doc_fixture::{Account, Event},
};

/// A deposit of `amount`, as the typed layer would serialize it (about 60 bytes of JSON).
pub fn deposit(amount: u64) -> Result<NewEvent, Error> {
    Event::Deposited { amount }.to_new_event(Default::default())
}

/// `count` deposits of 1, 2, 3, ...
pub fn deposits(count: u64) -> Result<Vec<NewEvent>, Error> {
    (1..=count).map(deposit).collect()
}

/// A stream id no other run of this process used.
pub fn fresh_stream(prefix: &str) -> Result<StreamId, Error> {
    StreamId::new(format!("{prefix}-{}", EventId::new()))
}

/// The aggregate the rehydration workloads load.
pub type BenchAggregate = Account;
