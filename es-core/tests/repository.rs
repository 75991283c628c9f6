//! The repository and the command executor: loading, retries, upcasting, snapshots.

mod common;

use std::sync::atomic::Ordering;

use common::interfering::Interfering;
use common::*;
use es_core::doc_fixture::{Account, AccountError, Command, Event};
use es_core::{
    Aggregate, DomainEvent, EventShape, EventStore, ExecuteError, ExpectedVersion, Metadata,
    NewEvent, Repository, RetryPolicy, Upcasters,
};
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
    assert_eq!(
        executed.state.balance, 12,
        "decided on state that includes both rival deposits"
    );
    let stored = read(&accounts.store().inner, &id).await;
    assert_eq!(stored.len(), 3, "two rival events and exactly one of ours");
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
    let balance: u64 = read(&accounts.store().inner, &id).await.len() as u64;
    assert_eq!(balance, 3, "only the three rival events");
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
    assert_eq!(executed.appended.map(|a| a.last_version.get()), Some(1));
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
async fn execute_stamps_metadata_and_schema_version() {
    let accounts = Repository::<Account, _>::new(MemoryStore::new());
    let id = stream("account-1");
    let request = es_core::uuid::Uuid::now_v7();
    let metadata = Metadata::default()
        .with_correlation_id(request)
        .with_user_key("user", "ada");
    accounts
        .execute_with_metadata(&id, &deposit(5), &(), &metadata)
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
        snapshot.version.get(),
        8,
        "taken when crossing 4 and 8; the highest kept"
    );

    let from_snapshot = with.load(&id).await.expect("load");
    let replayed = without.load(&id).await.expect("load");
    assert_eq!(from_snapshot.snapshot_version.map(|v| v.get()), Some(8));
    assert_eq!(replayed.snapshot_version, None);
    assert_eq!(from_snapshot.state, replayed.state);
    assert_eq!(from_snapshot.version, replayed.version);
    assert_eq!(replayed.state.balance, 55);
}

#[tokio::test]
async fn stale_snapshot_shape_falls_back_to_full_replay() {
    let store = MemoryStore::new();
    let id = stream("account-1");
    let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(1);
    accounts
        .execute(&id, &deposit(7), &())
        .await
        .expect("deposit");
    store
        .save_snapshot(es_core::Snapshot {
            stream_id: id.clone(),
            version: es_core::Version::new(5).expect("5"),
            state: es_core::Payload::from_json(r#"{"old_shape":true}"#).expect("json"),
        })
        .await
        .expect("save");
    let loaded = accounts.load(&id).await.expect("load");
    assert_eq!((loaded.state.balance, loaded.snapshot_version), (7, None));
}

#[tokio::test]
async fn load_upcasts_old_event_shapes() {
    let store = MemoryStore::new();
    let id = stream("account-1");
    // Version 1 of "Deposited" stored cents under another key.
    let old = NewEvent::from_json("Deposited", r#"{"cents": 250}"#)
        .expect("json")
        .with_metadata(Metadata::default().with_schema_version(0));
    store
        .append(&id, ExpectedVersion::NoStream, vec![old])
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
    assert!(matches!(
        plain.load(&id).await,
        Err(es_core::Error::MalformedPayload(_))
    ));

    let upcasting = Repository::<Account, _>::new(store).with_upcasters(upcasters);
    let loaded = upcasting.load(&id).await.expect("upcast load");
    assert_eq!(
        loaded.state,
        Account::replay(&[Event::Deposited { amount: 250 }])
    );
}
