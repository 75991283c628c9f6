//! Stream deletion (optional capability): a deleted stream reads empty, has no version, starts
//! again at version 1, and its events leave `read_all`; positions are never reused.

use es_core::{EventStore, ExpectedVersion, Payload, ReadStream, Snapshot};

use super::support::{
    OrFail, assert_conflict, assert_events, batch, everything, exact, stream, version, whole,
};
use crate::{Outcome, StoreFactory};

macro_rules! needs_deletion {
    ($store:expr) => {
        if !$store.capabilities().delete_stream {
            return Outcome::NotApplicable("stream deletion");
        }
    };
}

/// After deletion the stream reads empty both ways, has no version, and its events are gone
/// from `read_all`; other streams are untouched.
pub async fn delete_stream_reads_empty<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_deletion!(store);
    let (doomed, kept) = (stream("del-doomed"), stream("del-kept"));
    let kept_events = batch("k", 2);
    store
        .append(&kept, ExpectedVersion::Any, kept_events[..1].to_vec())
        .await
        .or_fail("kept 1");
    store
        .append(&doomed, ExpectedVersion::Any, batch("d", 3))
        .await
        .or_fail("doomed");
    store
        .append(&kept, ExpectedVersion::Any, kept_events[1..].to_vec())
        .await
        .or_fail("kept 2");
    store
        .delete_stream(&doomed, exact(3))
        .await
        .or_fail("deleting at the right version");
    for read in [ReadStream::forward(), ReadStream::backward()] {
        let events = store
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
        store.stream_version(&doomed).await.or_fail("version"),
        None,
        "a deleted stream has no version"
    );
    let all = everything(&store, "read_all").await;
    assert_events(
        &all,
        &kept_events,
        "read_all after deletion holds only the other stream",
    );
    assert_events(
        &whole(&store, &kept, "kept").await,
        &kept_events,
        "the other stream",
    );
    Outcome::Passed
}

/// A deleted stream starts again at version 1 (`NoStream` holds, `StreamExists` and the old
/// `Exact` conflict), and its new events get positions after every old one.
pub async fn delete_stream_restarts_at_version_one<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_deletion!(store);
    let s = stream("del-restart");
    let old = store
        .append(&s, ExpectedVersion::NoStream, batch("old", 4))
        .await
        .or_fail("first life");
    store
        .delete_stream(&s, ExpectedVersion::Any)
        .await
        .or_fail("deleting");
    let exists = store
        .append(&s, ExpectedVersion::StreamExists, batch("x", 1))
        .await;
    assert_conflict(
        exists,
        &s,
        ExpectedVersion::StreamExists,
        None,
        "StreamExists on a deleted stream",
    );
    let stale = store.append(&s, exact(4), batch("x", 1)).await;
    assert_conflict(
        stale,
        &s,
        exact(4),
        None,
        "Exact(old version) on a deleted stream",
    );
    let reborn = batch("new", 2);
    let second = store
        .append(&s, ExpectedVersion::NoStream, reborn.clone())
        .await
        .or_fail("NoStream after deletion");
    assert_eq!(
        (second.first_version, second.last_version),
        (version(1), version(2)),
        "a deleted stream restarts at version 1"
    );
    assert!(
        second.first_position > old.last_position,
        "position {} was reused after deletion (old last {})",
        second.first_position,
        old.last_position
    );
    assert_events(
        &whole(&store, &s, "read").await,
        &reborn,
        "the reborn stream",
    );
    assert_events(
        &everything(&store, "read_all").await,
        &reborn,
        "read_all holds only the reborn events",
    );
    Outcome::Passed
}

/// Deleting with a failed expectation is a conflict and deletes nothing.
pub async fn delete_stream_conflict_keeps_stream<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_deletion!(store);
    let s = stream("del-conflict");
    let events = batch("a", 2);
    store
        .append(&s, ExpectedVersion::NoStream, events.clone())
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
        &whole(&store, &s, "read").await,
        &events,
        "the stream after failed deletions",
    );
    assert_eq!(everything(&store, "read_all").await.len(), 2);
    Outcome::Passed
}

/// Deletion takes the stream's snapshot with it.
pub async fn delete_stream_drops_snapshot<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_deletion!(store);
    let s = stream("del-snap");
    let events = batch("a", 2);
    store
        .append(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("creating");
    let snapshots = store.capabilities().snapshots;
    if snapshots {
        let state = Payload::from_json(r#"{"n":2}"#).or_fail("snapshot json");
        store
            .save_snapshot(Snapshot {
                stream_id: s.clone(),
                version: version(2),
                state,
            })
            .await
            .or_fail("saving a snapshot");
    }
    store
        .delete_stream(&s, ExpectedVersion::StreamExists)
        .await
        .or_fail("deleting");
    if snapshots {
        let left = store.load_snapshot(&s).await.or_fail("loading");
        assert_eq!(left, None, "a deleted stream's snapshot survived");
    }
    let reborn = batch("b", 1);
    store
        .append(&s, ExpectedVersion::NoStream, reborn.clone())
        .await
        .or_fail("restarting the stream");
    assert_events(
        &whole(&store, &s, "read").await,
        &reborn,
        "the restarted stream",
    );
    Outcome::Passed
}

/// `Any` on a deleted stream starts it again at version 1, after every old position.
pub async fn delete_stream_then_any_starts_at_one<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_deletion!(store);
    let s = stream("del-any");
    let old = store
        .append(&s, ExpectedVersion::Any, batch("old", 2))
        .await
        .or_fail("first life");
    store.delete_stream(&s, exact(2)).await.or_fail("deleting");
    let reborn = batch("new", 1);
    let written = store
        .append(&s, ExpectedVersion::Any, reborn.clone())
        .await
        .or_fail("Any on a deleted stream");
    assert_eq!(
        written.first_version,
        version(1),
        "Any on a deleted stream restarts at version 1"
    );
    assert!(
        written.first_position > old.last_position,
        "a position was reused after deletion"
    );
    assert_events(
        &whole(&store, &s, "read").await,
        &reborn,
        "the restarted stream",
    );
    Outcome::Passed
}
