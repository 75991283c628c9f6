//! The repository and the command executor: loading, retries, upcasting, snapshots, shared
//! store handles.

mod common;

use std::sync::{Arc, atomic::Ordering};

use common::interfering::Interfering;
use common::*;
use es_core::{
    Aggregate, CommandEnvelope, DomainEvent, Error, EventRef, EventShape, EventWriterExt,
    ExecuteError, ExpectedVersion, Metadata, NewEvent, Payload, Repository, RetryPolicy, Snapshot,
    SnapshotStore, StreamLifecycle, Upcasters, Version,
};
use es_testkit::example::{Account, AccountError, Command, Event};
use memory_store::MemoryStore;
use serde_json::json;

fn deposit(amount: u64) -> Command {
    Command::Deposit { amount }
}

#[tokio::test]
async fn execute_retries_a_conflict_and_decides_on_fresh_state() {
    let store = Interfering::default();
    store.rival_writes.store(2, Ordering::SeqCst);
    let accounts = Repository::<Account, _>::new(store);
    let id = stream("account-1");

    let executed = accounts
        .execute(&id, &deposit(10), &())
        .await
        .expect("executed");

    assert_eq!(executed.attempts, 3, "two conflicts, then success");
    assert!(!executed.redelivered);
    assert_eq!(
        executed.state.balance, 12,
        "decided on state that includes both rival deposits"
    );
    let stored = read(&accounts.store().inner, &id).await;
    assert_eq!(stored.len(), 3, "two rival events and exactly one of ours");
    assert_eq!(
        executed.appended.map(|a| a.last),
        stored.last().map(|e| e.event_ref())
    );
    assert_eq!(accounts.load(&id).await.expect("load").state.balance, 12);
}

#[tokio::test]
async fn execute_gives_up_after_max_attempts_storing_nothing_of_its_own() {
    let store = Interfering::default();
    store.rival_writes.store(100, Ordering::SeqCst);
    let accounts = Repository::<Account, _>::new(store).with_retry(RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    });
    let id = stream("account-1");
    match accounts.execute(&id, &deposit(10), &()).await {
        Err(ExecuteError::TooManyConflicts { attempts, stream }) => {
            assert_eq!((attempts, stream), (3, id.clone()));
        }
        other => panic!("expected TooManyConflicts, got {other:?}"),
    }
    let stored = read(&accounts.store().inner, &id).await;
    assert_eq!(stored.len(), 3, "only the three rival events");
}

#[tokio::test]
async fn execute_resends_after_lost_ack_without_duplicating() {
    let store = Interfering::default();
    store.lost_acks.store(2, Ordering::SeqCst);
    let accounts = Repository::<Account, _>::new(store);
    let id = stream("account-1");
    let executed = accounts
        .execute(&id, &deposit(5), &())
        .await
        .expect("executed");
    assert_eq!(executed.attempts, 3);
    assert_eq!(
        accounts.store().appends_seen.load(Ordering::SeqCst),
        3,
        "sent three times"
    );
    let stored = read(&accounts.store().inner, &id).await;
    assert_eq!(stored.len(), 1, "stored once");
    assert_eq!(executed.appended.map(|a| a.last.version.get()), Some(1));
}

#[tokio::test]
async fn rejected_command_stores_nothing() {
    let accounts = Repository::<Account, _>::new(MemoryStore::new());
    let id = stream("account-1");
    accounts
        .execute(&id, &deposit(5), &())
        .await
        .expect("deposit");
    match accounts
        .execute(&id, &Command::Withdraw { amount: 9 }, &())
        .await
    {
        Err(ExecuteError::Rejected(AccountError::InsufficientFunds {
            balance: 5,
            asked: 9,
        })) => {}
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(read(accounts.store(), &id).await.len(), 1);
}

#[tokio::test]
async fn execute_envelope_stamps_metadata_and_schema_version() {
    let accounts = Repository::<Account, _>::new(MemoryStore::new());
    let id = stream("account-1");
    let request = es_core::uuid::Uuid::now_v7();
    let metadata = Metadata::default()
        .with_correlation_id(request)
        .with_user_key("user", "ada");
    let envelope = CommandEnvelope::new(deposit(5)).with_metadata(metadata.clone());
    accounts
        .execute_envelope(&id, &envelope, &())
        .await
        .expect("deposit");
    let stored = read(accounts.store(), &id).await;
    assert_eq!(
        stored[0].metadata,
        metadata.with_schema_version(Event::SCHEMA_VERSION)
    );
    assert_eq!(stored[0].event_type.as_str(), "Deposited");
}

#[tokio::test]
async fn repository_over_a_shared_arc_store() {
    let store = Arc::new(MemoryStore::new());
    let accounts = Repository::<Account, _>::new(Arc::clone(&store)).with_snapshots(2);
    let id = stream("account-1");
    for amount in [1, 2, 3] {
        accounts
            .execute(&id, &deposit(amount), &())
            .await
            .expect("deposit");
    }
    // The caller's handle sees what the repository wrote, snapshot included.
    assert_eq!(
        numbers_of_deposits(&read(&*store, &id).await),
        vec![1, 2, 3]
    );
    let snapshot = store.load_snapshot(&id).await.expect("load").expect("kept");
    assert_eq!(snapshot.version().get(), 2);
    let loaded = accounts.load(&id).await.expect("load");
    assert_eq!(
        (loaded.state.balance, loaded.snapshot),
        (6, Some(snapshot.at))
    );
}

#[tokio::test]
async fn repository_over_a_borrowed_store() {
    let store = MemoryStore::new();
    let id = stream("account-1");
    {
        let accounts = Repository::<Account, _>::new(&store).with_snapshots(1);
        accounts
            .execute(&id, &deposit(4), &())
            .await
            .expect("deposit");
        assert_eq!(accounts.load(&id).await.expect("load").state.balance, 4);
    }
    // The repository only borrowed it: the store is still ours, with the event and snapshot.
    assert_eq!(read(&store, &id).await.len(), 1);
    assert!(store.load_snapshot(&id).await.expect("load").is_some());
}

fn numbers_of_deposits(events: &[es_core::RecordedEvent]) -> Vec<u64> {
    events
        .iter()
        .map(
            |e| match Event::from_recorded(e).expect("an account event") {
                Event::Deposited { amount } | Event::Withdrawn { amount } => amount,
            },
        )
        .collect()
}

#[tokio::test]
async fn snapshot_plus_tail_equals_full_replay() {
    let store = MemoryStore::new();
    let with = Repository::<Account, _>::new(store.clone()).with_snapshots(4);
    let without = Repository::<Account, _>::new(store.clone());
    let id = stream("account-1");
    for amount in 1..=10 {
        with.execute(&id, &deposit(amount), &())
            .await
            .expect("deposit");
    }
    let snapshot = store
        .load_snapshot(&id)
        .await
        .expect("load")
        .expect("a snapshot was taken");
    assert_eq!(
        snapshot.version().get(),
        8,
        "taken when crossing 4 and 8; the highest kept"
    );
    assert_eq!(
        Some(snapshot.at),
        read(&store, &id).await.get(7).map(|e| e.event_ref()),
        "taken at the event of version 8"
    );

    let from_snapshot = with.load(&id).await.expect("load");
    let replayed = without.load(&id).await.expect("load");
    assert_eq!(from_snapshot.snapshot.map(|at| at.version.get()), Some(8));
    assert_eq!(replayed.snapshot, None);
    assert_eq!(from_snapshot.state, replayed.state);
    assert_eq!(from_snapshot.head, replayed.head);
    assert_eq!(from_snapshot.version(), Version::new(10));
    assert_eq!(replayed.state.balance, 55);
}

#[tokio::test]
async fn stale_snapshot_shape_falls_back_to_full_replay() {
    let store = MemoryStore::new();
    let id = stream("account-1");
    let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(1);
    let executed = accounts
        .execute(&id, &deposit(7), &())
        .await
        .expect("deposit");
    let head = executed.appended.expect("stored").last;
    // A snapshot at the right event, in a shape the state no longer has.
    store
        .save_snapshot(Snapshot::new(
            id.clone(),
            head,
            Payload::from_json(r#"{"old_shape":true}"#).expect("json"),
        ))
        .await
        .expect("save");
    let loaded = accounts.load(&id).await.expect("load");
    assert_eq!((loaded.state.balance, loaded.snapshot), (7, None));
}

#[tokio::test]
async fn snapshot_of_an_event_not_in_the_stream_is_refused() {
    let store = MemoryStore::new();
    let id = stream("account-1");
    let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(100);
    accounts
        .execute(&id, &deposit(7), &())
        .await
        .expect("deposit");
    let stored = read(&store, &id).await;
    let real = stored[0].event_ref();
    let forged = [
        // A version the stream does not have.
        EventRef::new(Version::new(5).expect("5"), real.position, real.id),
        // The right version, but another event (another life of the stream).
        EventRef::new(real.version, real.position, es_core::EventId::new()),
    ];
    for at in forged {
        store
            .save_snapshot(Snapshot::new(
                id.clone(),
                at,
                Payload::from_value(&Account { balance: 1_000 }).expect("json"),
            ))
            .await
            .expect("save");
        let loaded = accounts.load(&id).await.expect("load");
        assert_eq!(
            (loaded.state.balance, loaded.snapshot),
            (7, None),
            "snapshot at {at} was used"
        );
    }
}

#[tokio::test]
async fn snapshot_from_before_a_delete_never_returns() {
    let store = MemoryStore::new();
    let id = stream("account-1");
    let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(1);
    accounts
        .execute(&id, &deposit(50), &())
        .await
        .expect("deposit");
    let old = store.load_snapshot(&id).await.expect("load").expect("kept");
    store
        .delete_stream(&id, ExpectedVersion::Any)
        .await
        .expect("delete");
    // Bring the old life's snapshot back, as a store with a lagging snapshot table might.
    store.save_snapshot(old).await.expect("save");
    let fresh = accounts.load(&id).await.expect("load");
    assert_eq!((fresh.state.balance, fresh.head), (0, None));
    accounts
        .execute(&id, &deposit(3), &())
        .await
        .expect("deposit again");
    let loaded = accounts.load(&id).await.expect("load");
    assert_eq!(loaded.state.balance, 3, "the deleted deposit stays deleted");
    assert_eq!(
        loaded.version(),
        Version::new(2),
        "versions continue after the delete"
    );
}

#[tokio::test]
async fn tombstoned_stream_cannot_be_loaded_or_executed() {
    let store = MemoryStore::new();
    let id = stream("account-1");
    let accounts = Repository::<Account, _>::new(store.clone());
    accounts
        .execute(&id, &deposit(5), &())
        .await
        .expect("deposit");
    store
        .tombstone_stream(&id, ExpectedVersion::Any)
        .await
        .expect("tombstone");
    assert!(matches!(
        accounts.load(&id).await,
        Err(Error::StreamDeleted { stream }) if stream == id
    ));
    assert!(matches!(
        accounts.execute(&id, &deposit(1), &()).await,
        Err(ExecuteError::Store(Error::StreamDeleted { .. }))
    ));
}

#[tokio::test]
async fn load_upcasts_old_event_shapes() {
    let store = MemoryStore::new();
    let id = stream("account-1");
    // Version 0 of "Deposited" stored cents under another key.
    let old = NewEvent::from_json("Deposited", r#"{"cents": 250}"#)
        .expect("json")
        .with_metadata(Metadata::default().with_schema_version(0));
    store
        .append_events(&id, ExpectedVersion::NoStream, [old])
        .await
        .expect("seed");
    let upcasters = Upcasters::new().register("Deposited", 0, |old| {
        Ok(EventShape {
            schema_version: 1,
            payload: json!({ "Deposited": { "amount": old.payload["cents"] } }),
            ..old
        })
    });

    let plain = Repository::<Account, _>::new(store.clone());
    match plain.load(&id).await {
        Err(Error::Decode {
            stream,
            version,
            event_type,
            schema_version,
            ..
        }) => {
            assert_eq!(stream, Some(id.clone()));
            assert_eq!(version, Some(Version::FIRST));
            assert_eq!(event_type.as_ref().map(|t| t.as_str()), Some("Deposited"));
            assert_eq!(schema_version, Some(0));
        }
        other => panic!("expected a decode error naming the event, got {other:?}"),
    }

    let upcasting = Repository::<Account, _>::new(store).with_upcasters(upcasters);
    let loaded = upcasting.load(&id).await.expect("upcast load");
    assert_eq!(
        loaded.state,
        Account::replay(&[Event::Deposited { amount: 250 }])
    );
}
