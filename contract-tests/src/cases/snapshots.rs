//! Snapshots (optional capability): save and load, the highest version wins (the same version
//! replaces), and snapshot + tail gives the same state as a full replay.

use es_core::{
    EventId, EventRef, Payload, Position, Repository, Snapshot, SnapshotStore, StreamId,
};

use super::{
    fixture::{Ledger, LedgerCommand},
    support::{OrFail, fresh_store, stream, version},
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "the snapshot with the highest version is kept per stream, tied to its event, and snapshot plus tail equals a full replay.";

/// A snapshot of `stream_id` at version `at` (of an event the store need not hold: a snapshot
/// store keeps what it is given; loaders check it against the stream).
fn snapshot(stream_id: &StreamId, at: u64, json: &str) -> Snapshot {
    let event = EventRef::new(version(at), Position::new(at), EventId::new());
    Snapshot::new(
        stream_id.clone(),
        event,
        Payload::from_json(json).or_fail("the suite's snapshot JSON"),
    )
}

/// A saved snapshot loads back equal; a stream without one loads `None`.
pub async fn snapshot_save_and_load<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: SnapshotStore,
{
    let store = fresh_store(factory).await;
    let s = stream("snap");
    assert_eq!(
        store
            .load_snapshot(&s)
            .await
            .or_fail("loading a missing snapshot"),
        None
    );
    let saved = snapshot(&s, 3, r#"{"total":42,"name":"𝄞\u0000"}"#);
    store.save_snapshot(saved.clone()).await.or_fail("saving");
    let loaded = store
        .load_snapshot(&s)
        .await
        .or_fail("loading")
        .unwrap_or_else(|| panic!("a saved snapshot loaded as None"));
    assert_eq!(
        (loaded.stream_id.clone(), loaded.at),
        (s.clone(), saved.at),
        "the snapshot must come back naming the event it was taken at"
    );
    assert!(
        loaded.state.json_eq(&saved.state),
        "the snapshot state changed: {} became {}",
        saved.state,
        loaded.state
    );
    Outcome::Passed
}

/// The snapshot of the highest version wins, whatever order they are saved in.
pub async fn snapshot_highest_version_wins<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: SnapshotStore,
{
    let store = fresh_store(factory).await;
    let s = stream("snap-latest");
    for (at, json) in [
        (5, r#"{"v":5}"#),
        (3, r#"{"v":3}"#),
        (9, r#"{"v":9}"#),
        (7, r#"{"v":7}"#),
    ] {
        store
            .save_snapshot(snapshot(&s, at, json))
            .await
            .or_fail("saving");
    }
    let kept = store.load_snapshot(&s).await.or_fail("loading");
    assert_eq!(
        kept.as_ref().map(Snapshot::version),
        Some(version(9)),
        "the highest version must win, got {kept:?}"
    );
    let replaced = snapshot(&s, 9, r#"{"v":"nine again"}"#);
    store
        .save_snapshot(replaced.clone())
        .await
        .or_fail("saving at the same version");
    let kept = store
        .load_snapshot(&s)
        .await
        .or_fail("loading")
        .unwrap_or_else(|| panic!("lost"));
    assert_eq!(
        (kept.at, kept.state.to_string()),
        (replaced.at, replaced.state.to_string()),
        "a snapshot of the same version must replace the kept one"
    );
    Outcome::Passed
}

/// Snapshots belong to their stream.
pub async fn snapshots_isolated_per_stream<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: SnapshotStore,
{
    let store = fresh_store(factory).await;
    let (a, b) = (stream("snap-a"), stream("snap-b"));
    store
        .save_snapshot(snapshot(&a, 2, r#""a""#))
        .await
        .or_fail("saving a");
    store
        .save_snapshot(snapshot(&b, 1, r#""b""#))
        .await
        .or_fail("saving b");
    let la = store
        .load_snapshot(&a)
        .await
        .or_fail("a")
        .map(|s| (s.version(), s.state.to_string()));
    let lb = store
        .load_snapshot(&b)
        .await
        .or_fail("b")
        .map(|s| (s.version(), s.state.to_string()));
    assert_eq!(la, Some((version(2), r#""a""#.to_owned())));
    assert_eq!(lb, Some((version(1), r#""b""#.to_owned())));
    assert_eq!(
        store.load_snapshot(&stream("snap-c")).await.or_fail("c"),
        None
    );
    Outcome::Passed
}

/// Loading through es-core's `Repository` from snapshot + tail gives the same state and
/// version as a full replay.
pub async fn snapshot_plus_tail_equals_full_replay<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: SnapshotStore,
{
    let store = fresh_store(factory).await;
    let s = stream("snap-ledger");
    let with = Repository::<Ledger, _>::new(store.clone()).with_snapshots(4);
    for amount in [10, -3, 7, 1, -5, 20, 2, 2, -1, 4, 8] {
        with.execute(&s, &LedgerCommand::Add { amount }, &())
            .await
            .unwrap_or_else(|e| panic!("executing Add {amount}: {e}"));
    }
    let kept = store
        .load_snapshot(&s)
        .await
        .or_fail("loading the snapshot");
    assert_eq!(
        kept.as_ref().map(Snapshot::version),
        Some(version(8)),
        "the repository saves a snapshot every 4 events"
    );
    let loaded = with.load(&s).await.or_fail("loading with snapshots");
    assert_eq!(
        loaded.snapshot.map(|at| at.version),
        Some(version(8)),
        "loading must start from the snapshot"
    );
    let replayed = Repository::<Ledger, _>::new(store.clone())
        .load(&s)
        .await
        .or_fail("full replay");
    assert_eq!(
        loaded.state, replayed.state,
        "snapshot + tail differs from a full replay"
    );
    assert_eq!(loaded.head, replayed.head);
    assert_eq!(
        replayed.state,
        Ledger {
            total: 45,
            entries: 11
        }
    );
    Outcome::Passed
}

/// A snapshot is tied to the event it was taken at: one that names another event at its version
/// (a snapshot of an earlier life of the stream, kept across a delete, or saved after one) is
/// refused when loading, and the aggregate is replayed in full, so old state never mixes with
/// new events.
pub async fn snapshot_of_another_event_is_refused<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: SnapshotStore,
{
    let store = fresh_store(factory).await;
    let s = stream("snap-orphan");
    let ledger = Repository::<Ledger, _>::new(store.clone()).with_snapshots(1_000);
    for amount in [10, 20, 30] {
        ledger
            .execute(&s, &LedgerCommand::Add { amount }, &())
            .await
            .unwrap_or_else(|e| panic!("executing Add {amount}: {e}"));
    }
    let stream_events = super::support::whole(&store, &s, "reading the ledger").await;
    let real = stream_events[1].event_ref();
    // The same version and position, another event: what an earlier life of the stream left.
    let orphan = Snapshot::new(
        s.clone(),
        EventRef::new(real.version, real.position, EventId::new()),
        Payload::from_json(r#"{"total":1000000,"entries":2}"#).or_fail("the suite's state"),
    );
    store
        .save_snapshot(orphan)
        .await
        .or_fail("saving the orphan");
    let loaded = ledger.load(&s).await.or_fail("loading past the orphan");
    assert_eq!(
        loaded.snapshot, None,
        "a snapshot naming another event than the stream's was used"
    );
    assert_eq!(
        loaded.state,
        Ledger {
            total: 60,
            entries: 3
        },
        "the state must be a full replay"
    );
    let genuine = Snapshot::new(
        s.clone(),
        real,
        Payload::from_json(r#"{"total":30,"entries":2}"#).or_fail("the suite's state"),
    );
    store
        .save_snapshot(genuine)
        .await
        .or_fail("saving the genuine snapshot");
    let loaded = ledger
        .load(&s)
        .await
        .or_fail("loading from the genuine snapshot");
    assert_eq!(
        loaded.snapshot,
        Some(real),
        "the genuine snapshot must be used"
    );
    assert_eq!(loaded.state.total, 60);
    Outcome::Passed
}
