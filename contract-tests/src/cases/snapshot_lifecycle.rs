//! Snapshots across a stream's lifecycle (a store with both optional capabilities): deleting a
//! stream, softly or for good, takes its snapshot with it, so no snapshot of an old life is ever
//! handed out, while other streams keep theirs.

use es_core::{ErrorKind, Repository, SnapshotStore, StreamId, StreamLifecycle};

use super::{
    fixture::{Ledger, LedgerCommand},
    support::{OrFail, exact, fresh_store, stream},
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str =
    "deleting or tombstoning a stream takes its snapshot with it, and other streams keep theirs.";

/// Runs `Add` commands through a repository that snapshots every 2 events, and checks that the
/// store kept a snapshot (else the case would prove nothing).
async fn ledger_with_snapshot<S: es_core::EventStore + SnapshotStore>(
    store: &S,
    s: &StreamId,
    amounts: &[i64],
) {
    let ledger = Repository::<Ledger, _>::new(store).with_snapshots(2);
    for amount in amounts {
        ledger
            .execute(s, &LedgerCommand::Add { amount: *amount }, &())
            .await
            .unwrap_or_else(|e| panic!("executing Add {amount} on {s}: {e}"));
    }
    let kept = store.load_snapshot(s).await.or_fail("loading the snapshot");
    assert!(
        kept.is_some(),
        "the repository saves a snapshot every 2 events, but {s} has none"
    );
}

/// Checks that `other`'s snapshot is still kept after `deleting` another stream.
async fn assert_snapshot_stays<S: SnapshotStore>(store: &S, other: &StreamId, deleting: &str) {
    let kept = store
        .load_snapshot(other)
        .await
        .or_fail("loading the other stream's snapshot");
    assert!(
        kept.is_some(),
        "{deleting} one stream took another stream's snapshot ({other} has none)"
    );
}

/// After a soft delete the stream's snapshot is gone (another stream's stays), and the stream
/// written again loads the state of its new life only.
pub async fn delete_stream_drops_its_snapshot<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: SnapshotStore + StreamLifecycle,
{
    let store = fresh_store(factory).await;
    let (doomed, kept) = (stream("snapdel-doomed"), stream("snapdel-kept"));
    ledger_with_snapshot(&store, &doomed, &[10, 20, 30]).await;
    ledger_with_snapshot(&store, &kept, &[5, 5]).await;
    store
        .delete_stream(&doomed, exact(3))
        .await
        .or_fail("deleting");
    let left = store.load_snapshot(&doomed).await.or_fail("loading");
    assert_eq!(
        left, None,
        "a soft-deleted stream's snapshot survived its delete"
    );
    assert_snapshot_stays(&store, &kept, "deleting").await;
    let ledger = Repository::<Ledger, _>::new(&store).with_snapshots(2);
    ledger
        .execute(&doomed, &LedgerCommand::Add { amount: 7 }, &())
        .await
        .unwrap_or_else(|e| panic!("writing the deleted stream again: {e}"));
    let reborn = ledger.load(&doomed).await.or_fail("loading the new life");
    assert_eq!(
        reborn.state,
        Ledger {
            total: 7,
            entries: 1
        },
        "the stream written again after its delete must hold only its new life"
    );
    Outcome::Passed
}

/// After a tombstone the stream's snapshot is gone: loading it gives nothing or
/// `StreamDeleted`, never the old state; another stream's snapshot stays.
pub async fn tombstone_drops_its_snapshot<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: SnapshotStore + StreamLifecycle,
{
    let store = fresh_store(factory).await;
    let (doomed, kept) = (stream("snaptomb-doomed"), stream("snaptomb-kept"));
    ledger_with_snapshot(&store, &doomed, &[10, 20]).await;
    ledger_with_snapshot(&store, &kept, &[5, 5]).await;
    store
        .tombstone_stream(&doomed, exact(2))
        .await
        .or_fail("tombstoning");
    match store.load_snapshot(&doomed).await {
        Ok(None) => {}
        Err(error) if error.kind() == ErrorKind::StreamDeleted => {}
        Ok(Some(snapshot)) => {
            panic!("a tombstoned stream's snapshot survived: {snapshot:?}")
        }
        Err(error) => panic!("loading a tombstoned stream's snapshot failed: {error}"),
    }
    assert_snapshot_stays(&store, &kept, "tombstoning").await;
    Outcome::Passed
}
