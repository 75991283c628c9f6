//! Append and read back: what goes in comes out, with the versions and positions promised.

use es_core::{EventStore, ExpectedVersion, Version};

use super::support::{OrFail, assert_events, batch, event, stream, whole};
use crate::{Outcome, StoreFactory};

/// One event appended to a new stream reads back identical, at version 1.
pub async fn append_single_event_reads_back<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("append-single");
    let opened = event("Opened", r#"{"owner":"ada"}"#);
    store
        .append(&s, ExpectedVersion::NoStream, vec![opened.clone()])
        .await
        .or_fail("appending one event to a new stream");
    let read = whole(&store, &s, "reading the stream back").await;
    assert_events(&read, &[opened], "the stream read back");
    assert_eq!(
        read[0].version,
        Version::FIRST,
        "a stream's first event has version 1"
    );
    assert_eq!(read[0].stream_id, s, "the event names its stream");
    Outcome::Passed
}

/// A batch reads back whole and in the order it was given, versions 1..=n.
pub async fn append_batch_reads_back_in_order<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("append-batch");
    let events = batch("b", 10);
    store
        .append(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("appending a batch of 10");
    let read = whole(&store, &s, "reading the batch back").await;
    assert_events(&read, &events, "the batch read back");
    super::support::assert_gapless(&read, "the batch read back");
    Outcome::Passed
}

/// The append result names the stream, the first and last versions and positions of the
/// batch, and they agree with what is read back.
pub async fn append_returns_versions_and_positions<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("append-result");
    let first = store
        .append(&s, ExpectedVersion::NoStream, batch("one", 3))
        .await
        .or_fail("appending the first batch");
    let second = store
        .append(&s, ExpectedVersion::Any, batch("two", 2))
        .await
        .or_fail("appending the second batch");
    assert_eq!(first.stream_id, s, "the result names the stream");
    assert_eq!(
        (first.first_version.get(), first.last_version.get()),
        (1, 3)
    );
    assert_eq!(
        (second.first_version.get(), second.last_version.get()),
        (4, 5)
    );
    assert!(
        first.first_position.get() >= 1,
        "real positions start at 1; position 0 is before every event"
    );
    assert!(
        first.first_position < first.last_position,
        "positions rise within a batch"
    );
    assert!(
        first.last_position < second.first_position,
        "a later append gets larger positions"
    );
    let read = whole(&store, &s, "reading the stream").await;
    assert_eq!(
        read[0].position, first.first_position,
        "first position agrees"
    );
    assert_eq!(
        read[2].position, first.last_position,
        "last position agrees"
    );
    assert_eq!(
        read[3].position, second.first_position,
        "second batch first position"
    );
    assert_eq!(
        read[4].position, second.last_position,
        "second batch last position"
    );
    Outcome::Passed
}
