//! Stream lifecycle (optional capability), with KurrentDB's semantics: a soft-deleted stream
//! reads as empty, can be written again with `NoStream`, continues its numbering and keeps its
//! ids reserved; a tombstoned stream refuses every later read and write. Deletes racing appends
//! have a case of their own, [`delete_racing_appends_keeps_streams_consistent`].

mod racing;

pub use racing::delete_racing_appends_keeps_streams_consistent;

use es_core::{
    Error, EventReader, EventReaderExt, EventWriter, EventWriterExt, ExpectedVersion, ReadStream,
    StreamId, StreamLifecycle,
};

use super::support::{
    OrFail, assert_conflict, assert_events, assert_versions_from, batch, event, everything, exact,
    fresh, settled, stream, version, whole,
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "a soft-deleted stream reads empty, continues its numbering and keeps its ids reserved; a tombstoned stream refuses every read and write.";

/// After a soft delete the stream reads empty both ways, has no head, and its events are gone
/// from `read_all`; other streams are untouched.
pub async fn delete_stream_reads_empty<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let (doomed, kept) = (stream("del-doomed"), stream("del-kept"));
    let kept_events = batch("k", 2);
    store
        .append_events(&kept, ExpectedVersion::Any, kept_events[..1].to_vec())
        .await
        .or_fail("kept 1");
    store
        .append_events(&doomed, ExpectedVersion::Any, batch("d", 3))
        .await
        .or_fail("doomed");
    store
        .append_events(&kept, ExpectedVersion::Any, kept_events[1..].to_vec())
        .await
        .or_fail("kept 2");
    store
        .delete_stream(&doomed, exact(3))
        .await
        .or_fail("deleting at the right version");
    for read in [ReadStream::forward(), ReadStream::backward()] {
        let events = settled(&fresh)
            .await
            .read_stream(&doomed, read)
            .await
            .or_fail("reading the deleted stream");
        assert!(
            events.is_empty(),
            "a deleted stream read with {read:?} returned {} events",
            events.len()
        );
    }
    assert_eq!(
        settled(&fresh)
            .await
            .stream_head(&doomed)
            .await
            .or_fail("head"),
        None,
        "a deleted stream has no head"
    );
    let all = everything(settled(&fresh).await, "read_all").await;
    assert_events(
        &all,
        &kept_events,
        "read_all after deletion holds only the other stream",
    );
    assert_events(
        &whole(settled(&fresh).await, &kept, "kept").await,
        &kept_events,
        "the other stream",
    );
    Outcome::Passed
}

/// A soft-deleted stream takes `NoStream` (and refuses `StreamExists` and the old `Exact` with
/// "no stream"), and its next events continue the numbering after the deleted ones, at
/// positions after every old one, so (stream, version) never names two events.
pub async fn delete_stream_continues_numbering<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let s = stream("del-restart");
    let old = store
        .append_events(&s, ExpectedVersion::NoStream, batch("old", 4))
        .await
        .or_fail("first life");
    store
        .delete_stream(&s, ExpectedVersion::Any)
        .await
        .or_fail("deleting");
    let exists = store
        .append_events(&s, ExpectedVersion::StreamExists, batch("x", 1))
        .await;
    assert_conflict(
        exists,
        &s,
        ExpectedVersion::StreamExists,
        None,
        "StreamExists on a deleted stream",
    );
    let stale = store.append_events(&s, exact(4), batch("x", 1)).await;
    assert_conflict(
        stale,
        &s,
        exact(4),
        None,
        "Exact(old version) on a deleted stream",
    );
    let reborn = batch("new", 2);
    let second = store
        .append_events(&s, ExpectedVersion::NoStream, reborn.clone())
        .await
        .or_fail("NoStream after deletion");
    assert_eq!(
        (second.first.version, second.last.version),
        (version(5), version(6)),
        "a deleted stream continues its numbering (4 events deleted: the next is version 5)"
    );
    assert!(
        second.first.position > old.last.position,
        "position {} was reused after deletion (old last {})",
        second.first.position,
        old.last.position
    );
    let read = whole(settled(&fresh).await, &s, "read").await;
    assert_events(&read, &reborn, "the reborn stream");
    assert_versions_from(&read, 5, "the reborn stream");
    assert_eq!(
        settled(&fresh)
            .await
            .stream_version(&s)
            .await
            .or_fail("version"),
        Some(version(6))
    );
    let older = settled(&fresh)
        .await
        .read_stream(&s, ReadStream::forward().from_version(version(2)))
        .await
        .or_fail("reading from a deleted version");
    assert_events(
        &older,
        &reborn,
        "reading the reborn stream from a deleted version",
    );
    let next = store
        .append_events(&s, exact(6), batch("next", 1))
        .await
        .or_fail("Exact on the reborn stream");
    assert_eq!(next.first.version, version(7));
    assert_eq!(
        everything(settled(&fresh).await, "read_all").await.len(),
        3,
        "read_all holds only the reborn events"
    );
    Outcome::Passed
}

/// A deleted event's id stays taken: an exact re-send of the deleted batch returns the original
/// result and stores nothing; the id with other content is `DuplicateEventId`.
pub async fn delete_stream_keeps_ids_reserved<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let s = stream("del-ids");
    let events = batch("kept-ids", 2);
    let original = store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("first send");
    store.delete_stream(&s, exact(2)).await.or_fail("deleting");
    let resent = store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("re-sending a deleted batch");
    assert_eq!(
        resent, original,
        "a re-send of a deleted batch must return its original result"
    );
    assert!(
        whole(settled(&fresh).await, &s, "read").await.is_empty(),
        "a re-send of a deleted batch stored it again"
    );
    let changed = event("Other", r#"{"changed":true}"#).with_id(events[0].id);
    let result = store
        .append_events(
            &stream("del-ids-elsewhere"),
            ExpectedVersion::Any,
            [changed],
        )
        .await;
    assert!(
        matches!(&result, Err(Error::DuplicateEventId { id, .. }) if *id == events[0].id),
        "the id of a deleted event must stay taken, got {result:?}"
    );
    assert!(
        everything(settled(&fresh).await, "read_all")
            .await
            .is_empty()
    );
    Outcome::Passed
}

/// Deleting with a failed expectation is a conflict and deletes nothing.
pub async fn delete_stream_conflict_keeps_stream<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let s = stream("del-conflict");
    let events = batch("a", 2);
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("creating");
    let stale = store.delete_stream(&s, exact(1)).await;
    assert_conflict(
        stale,
        &s,
        exact(1),
        Some(version(2)),
        "deleting at a stale version",
    );
    let none = store.delete_stream(&s, ExpectedVersion::NoStream).await;
    assert_conflict(
        none,
        &s,
        ExpectedVersion::NoStream,
        Some(version(2)),
        "deleting expecting no stream",
    );
    assert_events(
        &whole(settled(&fresh).await, &s, "read").await,
        &events,
        "the stream after failed deletions",
    );
    assert_eq!(everything(settled(&fresh).await, "read_all").await.len(), 2);
    Outcome::Passed
}

/// `Any` on a soft-deleted stream continues it after the deleted versions.
pub async fn delete_stream_then_any_continues<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let s = stream("del-any");
    let old = store
        .append_events(&s, ExpectedVersion::Any, batch("old", 2))
        .await
        .or_fail("first life");
    store.delete_stream(&s, exact(2)).await.or_fail("deleting");
    let reborn = batch("new", 1);
    let written = store
        .append_events(&s, ExpectedVersion::Any, reborn.clone())
        .await
        .or_fail("Any on a deleted stream");
    assert_eq!(
        written.first.version,
        version(3),
        "Any on a deleted stream continues its numbering"
    );
    assert!(
        written.first.position > old.last.position,
        "a position was reused after deletion"
    );
    assert_events(
        &whole(settled(&fresh).await, &s, "read").await,
        &reborn,
        "the continued stream",
    );
    Outcome::Passed
}

/// Deleting a stream that never existed: `Any` and `NoStream` hold (and nothing changes),
/// `StreamExists` and `Exact` conflict; the stream can be created afterwards at version 1.
pub async fn delete_missing_stream<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let s = stream("del-missing");
    for expected in [ExpectedVersion::Any, ExpectedVersion::NoStream] {
        store
            .delete_stream(&s, expected)
            .await
            .or_fail(&format!("deleting a missing stream with {expected}"));
    }
    for expected in [ExpectedVersion::StreamExists, exact(1)] {
        let result = store.delete_stream(&s, expected).await;
        assert_conflict(result, &s, expected, None, "deleting a missing stream");
    }
    let created = store
        .append_events(&s, ExpectedVersion::NoStream, batch("new", 1))
        .await
        .or_fail("creating it after");
    assert_eq!(created.first.version, version(1));
    Outcome::Passed
}

/// A tombstoned stream is gone for good: reads, its head and appends of every kind fail with
/// `StreamDeleted`, and so does deleting it again; its events leave `read_all`.
pub async fn tombstone_refuses_reads_and_writes<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let (s, other) = (stream("del-tomb"), stream("del-tomb-other"));
    store
        .append_events(&s, ExpectedVersion::NoStream, batch("a", 2))
        .await
        .or_fail("creating");
    let kept = batch("kept", 1);
    store
        .append_events(&other, ExpectedVersion::NoStream, kept.clone())
        .await
        .or_fail("another stream");
    store
        .tombstone_stream(&s, exact(2))
        .await
        .or_fail("tombstoning");
    let read = settled(&fresh)
        .await
        .read_stream(&s, ReadStream::forward())
        .await;
    assert!(
        is_deleted(&read, &s),
        "reading a tombstoned stream must be StreamDeleted, got {read:?}"
    );
    let head = settled(&fresh).await.stream_head(&s).await;
    assert!(
        is_deleted(&head, &s),
        "the head of a tombstoned stream must be StreamDeleted, got {head:?}"
    );
    for expected in [
        ExpectedVersion::Any,
        ExpectedVersion::NoStream,
        ExpectedVersion::StreamExists,
        exact(2),
    ] {
        let result = store.append_events(&s, expected, batch("late", 1)).await;
        assert!(
            is_deleted(&result, &s),
            "appending with {expected} to a tombstoned stream must be StreamDeleted, got {result:?}"
        );
    }
    let multi = store
        .append_multi(vec![
            es_core::StreamAppend::new(other.clone(), ExpectedVersion::Any, batch("m", 1)),
            es_core::StreamAppend::new(s.clone(), ExpectedVersion::Any, batch("m", 1)),
        ])
        .await;
    assert!(
        is_deleted(&multi, &s),
        "a multi-append touching a tombstoned stream must be StreamDeleted, got {multi:?}"
    );
    for result in [
        store.delete_stream(&s, ExpectedVersion::Any).await,
        store.tombstone_stream(&s, ExpectedVersion::Any).await,
    ] {
        assert!(
            is_deleted(&result, &s),
            "deleting a tombstoned stream again must be StreamDeleted, got {result:?}"
        );
    }
    assert_events(
        &everything(settled(&fresh).await, "read_all").await,
        &kept,
        "read_all after a tombstone holds only the other stream",
    );
    Outcome::Passed
}

/// Tombstoning with a failed expectation is a conflict and leaves the stream as it was.
pub async fn tombstone_conflict_keeps_stream<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let s = stream("del-tomb-conflict");
    let events = batch("a", 3);
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("creating");
    let stale = store.tombstone_stream(&s, exact(2)).await;
    assert_conflict(
        stale,
        &s,
        exact(2),
        Some(version(3)),
        "tombstoning at a stale version",
    );
    let more = batch("b", 1);
    store
        .append_events(&s, exact(3), more.clone())
        .await
        .or_fail("appending after the failed tombstone");
    let mut all = events;
    all.extend(more);
    assert_events(
        &whole(settled(&fresh).await, &s, "read").await,
        &all,
        "the stream",
    );
    Outcome::Passed
}

/// Whether `result` is `StreamDeleted` naming `stream`.
fn is_deleted<T>(result: &es_core::Result<T>, stream: &StreamId) -> bool {
    matches!(result, Err(Error::StreamDeleted { stream: s }) if s == stream)
}

/// The model-based test with soft deletes and tombstones among the operations: every answer
/// agrees with the reference model (see [`crate::model`]).
pub async fn model_with_deletions_matches_reference<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: StreamLifecycle,
{
    if let Err(why) =
        crate::model::run_model_with_deletions(factory, crate::model::ModelConfig::default()).await
    {
        panic!("{why}");
    }
    Outcome::Passed
}
