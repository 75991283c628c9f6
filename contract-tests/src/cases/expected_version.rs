//! Optimistic concurrency: every expected-version kind against new and existing streams. A
//! failed expectation is a typed conflict that carries expected and actual and stores nothing.

use es_core::{EventStore, ExpectedVersion};

use super::support::{
    OrFail, assert_conflict, assert_events, batch, everything, exact, stream, version, whole,
};
use crate::{Outcome, StoreFactory};

/// `NoStream` on a stream with no events succeeds.
pub async fn append_no_stream_on_new_stream_succeeds<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("ev-no-stream-new");
    let events = batch("a", 2);
    let written = store
        .append(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("NoStream on a new stream");
    assert_eq!(written.last_version, version(2));
    assert_events(&whole(&store, &s, "read").await, &events, "the new stream");
    Outcome::Passed
}

/// `NoStream` on an existing stream conflicts (expected NoStream, actual its version) and
/// stores nothing.
pub async fn append_no_stream_conflict_stores_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("ev-no-stream-existing");
    let original = batch("a", 2);
    store
        .append(&s, ExpectedVersion::NoStream, original.clone())
        .await
        .or_fail("creating the stream");
    let late = store
        .append(&s, ExpectedVersion::NoStream, batch("late", 3))
        .await;
    assert_conflict(
        late,
        &s,
        ExpectedVersion::NoStream,
        Some(version(2)),
        "NoStream on an existing stream",
    );
    assert_events(
        &whole(&store, &s, "read").await,
        &original,
        "the stream after the conflict",
    );
    assert_eq!(
        everything(&store, "read_all").await.len(),
        2,
        "read_all after the conflict holds only the original events"
    );
    Outcome::Passed
}

/// `Exact(v)` with a stale version conflicts with the real version and stores nothing.
pub async fn append_exact_conflict_stores_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("ev-exact-stale");
    let original = batch("a", 3);
    store
        .append(&s, ExpectedVersion::NoStream, original.clone())
        .await
        .or_fail("creating the stream");
    let stale = store.append(&s, exact(2), batch("stale", 2)).await;
    assert_conflict(
        stale,
        &s,
        exact(2),
        Some(version(3)),
        "Exact(2) on a stream at version 3",
    );
    assert_events(
        &whole(&store, &s, "read").await,
        &original,
        "the stream after the conflict",
    );
    assert_eq!(
        everything(&store, "read_all").await.len(),
        3,
        "read_all after the conflict holds only the original events"
    );
    assert_eq!(
        store.stream_version(&s).await.or_fail("stream_version"),
        Some(version(3))
    );
    Outcome::Passed
}
