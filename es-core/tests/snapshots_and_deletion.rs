//! Snapshots (the highest version wins) and stream deletion.

mod common;

use common::*;
use es_core::{Error, EventStore, ExpectedVersion, Payload, Snapshot, Version};
use memory_store::MemoryStore;

fn snapshot(name: &str, version: u64, state: &str) -> Snapshot {
    Snapshot {
        stream_id: stream(name),
        version: Version::new(version).expect("non-zero"),
        state: Payload::from_json(state).expect("json"),
    }
}

#[tokio::test]
async fn snapshot_of_highest_version_wins() {
    let store = MemoryStore::new();
    assert_eq!(store.load_snapshot(&stream("s")).await.expect("load"), None);
    store
        .save_snapshot(snapshot("s", 5, r#"{"at":5}"#))
        .await
        .expect("save 5");
    store
        .save_snapshot(snapshot("s", 3, r#"{"at":3}"#))
        .await
        .expect("save 3");
    assert_eq!(
        store.load_snapshot(&stream("s")).await.expect("load"),
        Some(snapshot("s", 5, r#"{"at":5}"#))
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
            .map(|s| s.version.get()),
        Some(8)
    );
    assert_eq!(
        store.load_snapshot(&stream("other")).await.expect("load"),
        None
    );
}

#[tokio::test]
async fn deleted_stream_reads_empty_and_starts_again() {
    let store = MemoryStore::new();
    let (gone, kept) = (stream("gone"), stream("kept"));
    let first = store
        .append(&gone, ExpectedVersion::Any, events(0..3))
        .await
        .expect("gone");
    store
        .append(&kept, ExpectedVersion::Any, events(3..4))
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
    store
        .delete_stream(&gone, ExpectedVersion::Exact(first.last_version))
        .await
        .expect("delete");

    assert!(read(&store, &gone).await.is_empty());
    assert_eq!(store.stream_version(&gone).await.expect("version"), None);
    assert_eq!(store.load_snapshot(&gone).await.expect("snapshot"), None);
    assert_eq!(
        numbers(&everything(&store).await),
        vec![3],
        "deleted events leave read_all"
    );

    let again = store
        .append(&gone, ExpectedVersion::NoStream, events(0..1))
        .await
        .expect("restart");
    assert_eq!(again.first_version, Version::FIRST);
    assert!(
        again.first_position > first.last_position,
        "positions are never reused"
    );
    // The deleted events' ids are free again (the re-used event(0) payload is a new event).
    assert_eq!(numbers(&read(&store, &gone).await), vec![0]);
}
