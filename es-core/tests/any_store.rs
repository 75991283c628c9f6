//! A store chosen at run time: every capability it was built with, and a loud
//! `Error::Unsupported` for the rest.

mod common;

use common::*;
use es_core::{
    AnyStore, Checkpoint, CheckpointStore, Error, EventReaderExt, EventWriterExt, ExpectedVersion,
    Repository, SnapshotStore, StreamLifecycle,
};
use es_testkit::example::{Account, Command};
use memory_store::MemoryStore;

#[tokio::test]
async fn full_any_store_has_every_capability() {
    let store = AnyStore::full(MemoryStore::new());
    assert!(store.has_snapshots() && store.has_lifecycle() && store.has_checkpoints());
    let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(1);
    let id = stream("account-1");
    accounts
        .execute(&id, &Command::Deposit { amount: 5 }, &())
        .await
        .expect("deposit");
    let snapshot = store
        .load_snapshot(&id)
        .await
        .expect("load")
        .expect("a snapshot was taken");
    assert_eq!(snapshot.version().get(), 1);
    let loaded = accounts.load(&id).await.expect("load");
    assert_eq!(loaded.state.balance, 5);
    assert_eq!(loaded.snapshot, Some(snapshot.at));

    store
        .save_checkpoint("projector", None, Checkpoint::beginning())
        .await
        .expect("save checkpoint");
    assert_eq!(
        store.load_checkpoint("projector").await.expect("load"),
        Some(Checkpoint::beginning())
    );
    store
        .delete_stream(&id, ExpectedVersion::Any)
        .await
        .expect("delete");
    assert_eq!(store.stream_version(&id).await.expect("version"), None);
}

#[tokio::test]
async fn any_store_without_snapshots_says_so_loudly() {
    let store = AnyStore::new(MemoryStore::new());
    assert!(!store.has_snapshots() && !store.has_lifecycle() && !store.has_checkpoints());
    let id = stream("s");
    store
        .append_events(&id, ExpectedVersion::NoStream, events(0..1))
        .await
        .expect("reads and writes always work");
    assert_eq!(numbers(&read(&store, &id).await), vec![0]);

    match store.load_snapshot(&id).await {
        Err(
            error @ Error::Unsupported {
                capability: "snapshots",
            },
        ) => {
            assert_eq!(error.kind(), es_core::ErrorKind::Unsupported);
            assert_eq!(
                error.to_string(),
                "this store does not support snapshots; build the handle with that capability or use a provider that has it"
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let snapshot = es_core::Snapshot::new(
        id.clone(),
        read(&store, &id).await[0].event_ref(),
        es_core::Payload::from_json("{}").expect("json"),
    );
    assert!(matches!(
        store.save_snapshot(snapshot).await,
        Err(Error::Unsupported {
            capability: "snapshots"
        })
    ));
    assert!(matches!(
        store.delete_stream(&id, ExpectedVersion::Any).await,
        Err(Error::Unsupported {
            capability: "stream deletion"
        })
    ));
    assert!(matches!(
        store.tombstone_stream(&id, ExpectedVersion::Any).await,
        Err(Error::Unsupported {
            capability: "stream deletion"
        })
    ));
    assert!(matches!(
        store.load_checkpoint("projector").await,
        Err(Error::Unsupported {
            capability: "checkpoints"
        })
    ));
    assert_eq!(read(&store, &id).await.len(), 1, "nothing was deleted");
}

#[tokio::test]
async fn repository_with_snapshots_on_an_any_store_without_them_fails_loudly() {
    // AnyStore is always a SnapshotStore, so this compiles; the missing capability is an error
    // on load, never a silent full replay.
    let accounts =
        Repository::<Account, _>::new(AnyStore::new(MemoryStore::new())).with_snapshots(1);
    let id = stream("account-1");
    assert!(matches!(
        accounts.load(&id).await,
        Err(Error::Unsupported {
            capability: "snapshots"
        })
    ));
}
