//! Append and read back: what goes in comes out, with the versions and positions promised.

use es_core::{Error, EventStore, ExpectedVersion, Version, limits::MAX_EVENTS_PER_APPEND};

use super::support::{
    OrFail, assert_events, assert_gapless, assert_increasing, batch, event, everything, stream,
    whole,
};
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

/// Versions continue across appends without gaps, whatever the batch sizes, and
/// `stream_version` follows them.
pub async fn append_continues_versions_across_batches<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("append-continues");
    let mut written = Vec::new();
    for (round, size) in [1usize, 4, 2, 1].into_iter().enumerate() {
        let events = batch(&format!("r{round}"), size);
        let result = store
            .append(&s, ExpectedVersion::Any, events.clone())
            .await
            .or_fail("appending a batch");
        written.extend(events);
        assert_eq!(
            result.last_version.get(),
            written.len() as u64,
            "after {} events the stream must be at version {}",
            written.len(),
            written.len()
        );
        assert_eq!(
            store.stream_version(&s).await.or_fail("stream_version"),
            Version::new(written.len() as u64),
            "stream_version after an append is the append's last version"
        );
    }
    let read = whole(&store, &s, "reading the stream").await;
    assert_events(&read, &written, "the stream");
    assert_gapless(&read, "the stream");
    Outcome::Passed
}

/// A batch of exactly `MAX_EVENTS_PER_APPEND` events, each with a 1 KiB payload, is stored
/// whole with consecutive versions and rising positions.
pub async fn append_max_batch_at_limit_stores_all<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("append-max-batch");
    let filler = "x".repeat(1_024);
    let events: Vec<_> = (0..MAX_EVENTS_PER_APPEND)
        .map(|n| event("Filled", &format!(r#"{{"n":{n},"fill":"{filler}"}}"#)))
        .collect();
    let result = store
        .append(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("appending a batch of exactly the limit");
    assert_eq!(result.last_version.get(), MAX_EVENTS_PER_APPEND as u64);
    let read = whole(&store, &s, "reading the big batch").await;
    assert_events(&read, &events, "the batch at the limit");
    assert_gapless(&read, "the batch at the limit");
    assert_increasing(&read, "the batch at the limit");
    assert_eq!(read[0].position, result.first_position);
    assert_eq!(
        read[MAX_EVENTS_PER_APPEND - 1].position,
        result.last_position
    );
    Outcome::Passed
}

/// An append with no events is `EmptyAppend` and stores nothing (not even the stream).
pub async fn append_empty_batch_rejected_stores_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("append-empty");
    for expected in [ExpectedVersion::Any, ExpectedVersion::NoStream] {
        let result = store.append(&s, expected, Vec::new()).await;
        assert!(
            matches!(&result, Err(Error::EmptyAppend { stream }) if *stream == s),
            "an empty append with {expected} must be EmptyAppend naming the stream, got {result:?}"
        );
    }
    assert_eq!(
        store.stream_version(&s).await.or_fail("stream_version"),
        None
    );
    assert!(
        everything(&store, "read_all").await.is_empty(),
        "an empty append stored something"
    );
    Outcome::Passed
}

/// A batch one over the limit is `BatchTooLarge` and stores nothing.
pub async fn append_over_batch_limit_rejected_stores_nothing<F: StoreFactory>(
    factory: &F,
) -> Outcome {
    let store = factory.create().await;
    let s = stream("append-too-many");
    let result = store
        .append(
            &s,
            ExpectedVersion::Any,
            batch("big", MAX_EVENTS_PER_APPEND + 1),
        )
        .await;
    assert!(
        matches!(&result, Err(Error::BatchTooLarge { len, max, .. })
            if *len == MAX_EVENTS_PER_APPEND + 1 && *max == MAX_EVENTS_PER_APPEND),
        "a batch over the limit must be BatchTooLarge with its size and the limit, got {result:?}"
    );
    assert!(
        everything(&store, "read_all").await.is_empty(),
        "a rejected batch stored events"
    );
    Outcome::Passed
}
