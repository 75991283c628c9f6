//! Optimistic concurrency: every expected-version kind against new and existing streams. A
//! failed expectation is a typed conflict that carries expected and actual and stores nothing.

use es_core::{EventReaderExt, EventWriterExt, ExpectedVersion, StreamAppend, Version};

use super::{
    paths::{KINDS, PATHS, send},
    support::{
        OrFail, assert_conflict, assert_events, batch, everything, exact, stream, version, whole,
    },
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "an append whose expected version does not hold is a typed conflict naming expected and actual, and stores nothing.";

/// `NoStream` on a stream with no events succeeds.
pub async fn append_no_stream_on_new_stream_succeeds<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-no-stream-new");
    let events = batch("a", 2);
    let written = store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("NoStream on a new stream");
    assert_eq!(written.last.version, version(2));
    assert_events(&whole(&store, &s, "read").await, &events, "the new stream");
    Outcome::Passed
}

/// `NoStream` on an existing stream conflicts (expected NoStream, actual its version) and
/// stores nothing.
pub async fn append_no_stream_conflict_stores_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-no-stream-existing");
    let original = batch("a", 2);
    store
        .append_events(&s, ExpectedVersion::NoStream, original.clone())
        .await
        .or_fail("creating the stream");
    let late = store
        .append_events(&s, ExpectedVersion::NoStream, batch("late", 3))
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
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-exact-stale");
    let original = batch("a", 3);
    store
        .append_events(&s, ExpectedVersion::NoStream, original.clone())
        .await
        .or_fail("creating the stream");
    let stale = store.append_events(&s, exact(2), batch("stale", 2)).await;
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

/// `Any` appends to a new stream and to an existing one alike.
pub async fn append_any_on_new_and_existing_succeeds<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-any");
    let mut events = batch("one", 1);
    let first = store
        .append_events(&s, ExpectedVersion::Any, events.clone())
        .await
        .or_fail("Any on a new stream");
    assert_eq!(first.first.version, version(1));
    let more = batch("two", 2);
    let second = store
        .append_events(&s, ExpectedVersion::Any, more.clone())
        .await
        .or_fail("Any on an existing stream");
    assert_eq!(
        (second.first.version, second.last.version),
        (version(2), version(3))
    );
    events.extend(more);
    assert_events(&whole(&store, &s, "read").await, &events, "the stream");
    Outcome::Passed
}

/// `StreamExists` appends to a stream with events.
pub async fn append_stream_exists_on_existing_succeeds<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-exists");
    let mut events = batch("one", 2);
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("creating");
    let more = batch("two", 1);
    let written = store
        .append_events(&s, ExpectedVersion::StreamExists, more.clone())
        .await
        .or_fail("StreamExists on an existing stream");
    assert_eq!(written.first.version, version(3));
    events.extend(more);
    assert_events(&whole(&store, &s, "read").await, &events, "the stream");
    Outcome::Passed
}

/// `StreamExists` on a stream with no events conflicts (actual: no stream) and creates nothing.
pub async fn append_stream_exists_conflict_stores_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-exists-missing");
    let result = store
        .append_events(&s, ExpectedVersion::StreamExists, batch("a", 2))
        .await;
    assert_conflict(
        result,
        &s,
        ExpectedVersion::StreamExists,
        None,
        "StreamExists on a new stream",
    );
    assert!(
        whole(&store, &s, "read").await.is_empty(),
        "the rejected append created the stream"
    );
    assert_eq!(
        store.stream_version(&s).await.or_fail("stream_version"),
        None
    );
    assert!(
        everything(&store, "read_all").await.is_empty(),
        "the rejected append is in read_all"
    );
    Outcome::Passed
}

/// `Exact(v)` with the stream's current version succeeds and continues at `v + 1`.
pub async fn append_exact_matching_version_succeeds<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-exact");
    let mut events = batch("a", 3);
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("creating");
    for round in 0..3u64 {
        let more = batch(&format!("r{round}"), 1);
        let written = store
            .append_events(&s, exact(3 + round), more.clone())
            .await
            .or_fail("Exact at the current version");
        assert_eq!(written.first.version, version(4 + round));
        events.extend(more);
    }
    assert_events(&whole(&store, &s, "read").await, &events, "the stream");
    Outcome::Passed
}

/// `Exact(v)` beyond the stream's version conflicts and stores nothing (no gap is opened).
pub async fn append_exact_ahead_conflict_stores_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-exact-ahead");
    let original = batch("a", 2);
    store
        .append_events(&s, ExpectedVersion::NoStream, original.clone())
        .await
        .or_fail("creating");
    let ahead = store.append_events(&s, exact(5), batch("ahead", 1)).await;
    assert_conflict(
        ahead,
        &s,
        exact(5),
        Some(version(2)),
        "Exact(5) on a stream at version 2",
    );
    assert_events(
        &whole(&store, &s, "read").await,
        &original,
        "the stream after the conflict",
    );
    assert_eq!(everything(&store, "read_all").await.len(), 2);
    Outcome::Passed
}

/// `Exact(v)` on a stream with no events conflicts (actual: no stream) and creates nothing.
pub async fn append_exact_on_new_stream_conflicts<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-exact-new");
    let result = store.append_events(&s, exact(1), batch("a", 1)).await;
    assert_conflict(result, &s, exact(1), None, "Exact(1) on a new stream");
    assert_eq!(
        store.stream_version(&s).await.or_fail("stream_version"),
        None
    );
    assert!(
        everything(&store, "read_all").await.is_empty(),
        "the rejected append is in read_all"
    );
    Outcome::Passed
}

/// A conflicting batch of many events stores none of them, and the stream goes on normally
/// afterwards at the version it had.
pub async fn conflict_then_retry_continues_gapless<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("ev-retry");
    let mut events = batch("a", 2);
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("creating");
    let rejected = store.append_events(&s, exact(1), batch("stale", 5)).await;
    assert_conflict(rejected, &s, exact(1), Some(version(2)), "a stale batch");
    let retry = batch("retry", 2);
    let written = store
        .append_events(&s, exact(2), retry.clone())
        .await
        .or_fail("retrying at the real version");
    assert_eq!(
        (written.first.version, written.last.version),
        (version(3), version(4))
    );
    events.extend(retry);
    let read = whole(&store, &s, "read").await;
    assert_events(&read, &events, "the stream after conflict and retry");
    super::support::assert_gapless(&read, "the stream after conflict and retry");
    Outcome::Passed
}

/// Every failing expectation (`NoStream` on an existing stream, `StreamExists` on a missing one,
/// `Exact` behind, ahead and on a missing stream) on every path (`append`, `append_multi` of the
/// stream alone, and with another stream's part before or after it) is a conflict naming the
/// stream, the expectation and the real version, and stores nothing of the call: not in either
/// stream, not in `read_all`, not even its ids (the very same events append fine afterwards).
pub async fn conflicts_store_nothing_on_every_path<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let mut case = 0;
    let mut stored = Vec::new();
    for kind in KINDS {
        for existing in [0, 2] {
            let current = Version::new(existing);
            for expected in kind.failing(current) {
                for path in PATHS {
                    case += 1;
                    let s = stream(&format!("conflict-path-{case}"));
                    let other = stream(&format!("conflict-path-{case}-other"));
                    if existing > 0 {
                        let first = batch(&format!("first-{case}"), existing as usize);
                        store
                            .append_events(&s, ExpectedVersion::NoStream, first.clone())
                            .await
                            .or_fail("creating the stream");
                        stored.extend(first);
                    }
                    let what = format!("{expected} on a stream at {current:?} by {path}");
                    let before = ids(&everything(&store, &what).await);
                    let (events, companion) = (batch(&format!("c{case}"), 3), batch("o", 2));
                    let result = send(
                        &store,
                        path,
                        StreamAppend::new(s.clone(), expected, events.clone()),
                        StreamAppend::new(other.clone(), ExpectedVersion::Any, companion.clone()),
                    )
                    .await;
                    assert_conflict(result, &s, expected, current, &what);
                    assert_eq!(
                        whole(&store, &s, &what).await.len() as u64,
                        existing,
                        "{what}: the conflicting append stored events in its stream"
                    );
                    assert!(
                        whole(&store, &other, &what).await.is_empty(),
                        "{what}: the other stream's part of a conflicting multi-append was stored"
                    );
                    assert_eq!(
                        store.stream_version(&s).await.or_fail(&what),
                        current,
                        "{what}: the conflict moved the stream's head"
                    );
                    assert_eq!(
                        ids(&everything(&store, &what).await),
                        before,
                        "{what}: read_all changed although the append conflicted"
                    );
                    let again = send(
                        &store,
                        path,
                        StreamAppend::new(s.clone(), ExpectedVersion::Any, events.clone()),
                        StreamAppend::new(other.clone(), ExpectedVersion::Any, companion.clone()),
                    )
                    .await
                    .or_fail(&format!(
                        "{what}: appending the very events of the conflicting append with Any (a conflict must store nothing, not even its ids)"
                    ));
                    assert_eq!(
                        (again.0.first.version.get(), again.0.last.version.get()),
                        (existing + 1, existing + 3),
                        "{what}: the events appended after the conflict got the wrong versions"
                    );
                    assert_events(
                        &whole(&store, &s, &what).await[existing as usize..],
                        &events,
                        &format!("{what}, then the same events with Any"),
                    );
                    stored.extend(events);
                    if path.has_companion() {
                        stored.extend(companion);
                    }
                }
            }
        }
    }
    let all = everything(&store, "read_all at the end").await;
    assert_eq!(
        all.len(),
        stored.len(),
        "read_all holds {} events; the appends that did not conflict stored {}",
        all.len(),
        stored.len()
    );
    Outcome::Passed
}

fn ids(events: &[es_core::RecordedEvent]) -> Vec<es_core::EventId> {
    events.iter().map(|e| e.id).collect()
}
