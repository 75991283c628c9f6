//! Snapshots (the highest version wins) and stream deletion: a soft delete continues the
//! numbering and keeps ids reserved; a tombstone ends the stream for good.

mod common;

use common::*;
use es_core::{
    Error, EventId, EventReader, EventReaderExt, EventRef, EventWriterExt, ExpectedVersion,
    Payload, Position, Snapshot, SnapshotStore, StreamLifecycle, Version,
};
use memory_store::MemoryStore;

fn snapshot(name: &str, version: u64, state: &str) -> Snapshot {
    // The store keeps whatever it is given; checking the event is the loader's job.
    let at = EventRef::new(
        Version::new(version).expect("non-zero"),
        Position::new(version),
        EventId::new(),
    );
    Snapshot::new(stream(name), at, Payload::from_json(state).expect("json"))
}

#[tokio::test]
async fn snapshot_of_highest_version_wins() {
    let store = MemoryStore::new();
    assert_eq!(store.load_snapshot(&stream("s")).await.expect("load"), None);
    let five = snapshot("s", 5, r#"{"at":5}"#);
    store.save_snapshot(five.clone()).await.expect("save 5");
    store
        .save_snapshot(snapshot("s", 3, r#"{"at":3}"#))
        .await
        .expect("save 3");
    assert_eq!(
        store.load_snapshot(&stream("s")).await.expect("load"),
        Some(five)
    );
    let replaced = snapshot("s", 5, r#"{"at":"5 again"}"#);
    store
        .save_snapshot(replaced.clone())
        .await
        .expect("save 5 again");
    assert_eq!(
        store.load_snapshot(&stream("s")).await.expect("load"),
        Some(replaced),
        "one of the same version is replaced"
    );
    store
        .save_snapshot(snapshot("s", 8, r#"{"at":8}"#))
        .await
        .expect("save 8");
    assert_eq!(
        store
            .load_snapshot(&stream("s"))
            .await
            .expect("load")
            .map(|s| s.version().get()),
        Some(8)
    );
    assert_eq!(
        store.load_snapshot(&stream("other")).await.expect("load"),
        None
    );
}

#[tokio::test]
async fn soft_deleted_stream_reads_empty_and_continues_its_versions() {
    let store = MemoryStore::new();
    let (gone, kept) = (stream("gone"), stream("kept"));
    let first = store
        .append_events(&gone, ExpectedVersion::Any, events(0..3))
        .await
        .expect("gone");
    store
        .append_events(&kept, ExpectedVersion::Any, events(3..4))
        .await
        .expect("kept");
    store
        .save_snapshot(snapshot("gone", 3, "{}"))
        .await
        .expect("snapshot");

    let stale = store
        .delete_stream(&gone, ExpectedVersion::Exact(Version::FIRST))
        .await;
    assert!(
        matches!(stale, Err(Error::Conflict { .. })),
        "delete honours the expectation"
    );
    assert_eq!(
        read(&store, &gone).await.len(),
        3,
        "a refused delete deletes nothing"
    );
    store
        .delete_stream(&gone, ExpectedVersion::Exact(first.last.version))
        .await
        .expect("delete");

    assert!(read(&store, &gone).await.is_empty());
    assert_eq!(store.stream_head(&gone).await.expect("head"), None);
    assert_eq!(store.load_snapshot(&gone).await.expect("snapshot"), None);
    assert_eq!(
        numbers(&everything(&store).await),
        vec![3],
        "deleted events leave read_all"
    );

    let again = store
        .append_events(&gone, ExpectedVersion::NoStream, events(7..8))
        .await
        .expect("written again");
    assert_eq!(
        again.first.version.get(),
        4,
        "versions continue where they were, so (stream, version) never names two events"
    );
    assert!(
        again.first.position > first.last.position,
        "positions are never reused"
    );
    let now = read(&store, &gone).await;
    assert_eq!(numbers(&now), vec![7]);
    assert_eq!(now[0].version.get(), 4);
    assert_eq!(
        store.stream_version(&gone).await.expect("version"),
        Version::new(4)
    );
}

#[tokio::test]
async fn soft_deleted_ids_stay_reserved() {
    let store = MemoryStore::new();
    let gone = stream("gone");
    let batch = events(0..2);
    store
        .append_events(&gone, ExpectedVersion::NoStream, batch.clone())
        .await
        .expect("append");
    store
        .delete_stream(&gone, ExpectedVersion::Any)
        .await
        .expect("delete");
    let reused = event(9).with_id(batch[0].id);
    for target in [gone.clone(), stream("elsewhere")] {
        match store
            .append_events(&target, ExpectedVersion::Any, [reused.clone()])
            .await
        {
            Err(Error::DuplicateEventId { id, stream }) => {
                assert_eq!((id, stream), (batch[0].id, gone.clone()));
            }
            other => panic!("a deleted event's id was given away to {target}: {other:?}"),
        }
    }
    assert!(everything(&store).await.is_empty(), "nothing was stored");
}

#[tokio::test]
async fn tombstoned_stream_refuses_every_read_and_write() {
    let store = MemoryStore::new();
    let (gone, kept) = (stream("gone"), stream("kept"));
    store
        .append_events(&gone, ExpectedVersion::Any, events(0..2))
        .await
        .expect("gone");
    store
        .append_events(&kept, ExpectedVersion::Any, events(2..3))
        .await
        .expect("kept");
    store
        .save_snapshot(snapshot("gone", 2, "{}"))
        .await
        .expect("snapshot");
    let stale = store
        .tombstone_stream(&gone, ExpectedVersion::NoStream)
        .await;
    assert!(
        matches!(stale, Err(Error::Conflict { .. })),
        "a tombstone honours the expectation"
    );
    store
        .tombstone_stream(&gone, ExpectedVersion::Exact(Version::new(2).expect("2")))
        .await
        .expect("tombstone");

    let deleted = |outcome: &es_core::Result<_>| matches!(outcome, Err(Error::StreamDeleted { stream }) if *stream == gone);
    assert!(deleted(&store.read_whole_stream(&gone).await.map(|_| ())));
    assert!(deleted(&store.stream_head(&gone).await.map(|_| ())));
    for expected in [
        ExpectedVersion::Any,
        ExpectedVersion::NoStream,
        ExpectedVersion::StreamExists,
    ] {
        let outcome = store.append_events(&gone, expected, [event(9)]).await;
        assert!(deleted(&outcome.map(|_| ())), "append with {expected}");
    }
    assert!(deleted(
        &store.delete_stream(&gone, ExpectedVersion::Any).await
    ));
    assert_eq!(store.load_snapshot(&gone).await.expect("snapshot"), None);
    assert_eq!(
        numbers(&everything(&store).await),
        vec![2],
        "tombstoned events leave read_all; other streams stay"
    );
}

/// A snapshot claiming the last possible version (a forged or corrupt one) is refused, never a
/// panic in the version arithmetic: the aggregate loads by full replay.
#[tokio::test]
async fn snapshot_at_the_last_version_is_refused_without_panic() {
    use es_core::Repository;
    use es_testkit::example::{Account, Command};

    let store = MemoryStore::new();
    let id = stream("account-max");
    let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(100);
    accounts
        .execute(&id, &Command::Deposit { amount: 5 }, &())
        .await
        .expect("deposit");
    store
        .save_snapshot(snapshot("account-max", u64::MAX, r#"{"balance":1000000}"#))
        .await
        .expect("save the forged snapshot");
    let loaded = accounts.load(&id).await.expect("load");
    assert_eq!(
        loaded.snapshot, None,
        "a snapshot past the stream's head was used"
    );
    assert_eq!(loaded.state.balance, 5);
    assert_eq!(loaded.version(), Version::new(1));
}
