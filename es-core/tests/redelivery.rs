//! A command in an envelope with an idempotency key: a second delivery (a process manager that
//! crashed after acting and re-issues the command) stores nothing and says it was redelivered.

mod common;

use common::*;
use es_core::{CommandEnvelope, EventId, Repository, SnapshotStore};
use es_testkit::example::{Account, Command, Event};
use memory_store::MemoryStore;

fn keyed_deposit(amount: u64, key: es_core::uuid::Uuid) -> CommandEnvelope<Command> {
    CommandEnvelope::new(Command::Deposit { amount }).with_idempotency_key(key)
}

#[tokio::test]
async fn redelivered_command_stores_its_events_once() {
    let store = MemoryStore::new();
    let accounts = Repository::<Account, _>::new(store.clone());
    let id = stream("account-1");
    let key = es_core::uuid::Uuid::now_v7();

    let first = accounts
        .execute_envelope(&id, &keyed_deposit(5, key), &())
        .await
        .expect("first delivery");
    assert!(!first.redelivered);
    assert_eq!(first.events, vec![Event::Deposited { amount: 5 }]);
    // Meanwhile the account moves on.
    accounts
        .execute(&id, &Command::Deposit { amount: 1 }, &())
        .await
        .expect("another command");

    // The process manager crashed before recording that it acted, and sends it again.
    let again = accounts
        .execute_envelope(&id, &keyed_deposit(5, key), &())
        .await
        .expect("second delivery");
    assert!(again.redelivered, "the second delivery is recognised");
    assert_eq!(again.events, first.events, "the first delivery's events");
    assert_eq!(
        again.appended, first.appended,
        "where the first delivery stored them"
    );
    assert_eq!(
        again.state.balance, 6,
        "the state as stored, not deposited twice"
    );

    let stored = read(&store, &id).await;
    assert_eq!(stored.len(), 2, "stored once");
    assert_eq!(
        stored[0].id,
        EventId::derived(key, &id, 0),
        "ids derive from the key"
    );
}

#[tokio::test]
async fn redelivery_from_before_the_snapshot_stores_nothing() {
    let store = MemoryStore::new();
    // A snapshot after every event: the second delivery's load starts after the first one's
    // events and cannot see them.
    let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(1);
    let id = stream("account-1");
    let key = es_core::uuid::Uuid::now_v7();

    let first = accounts
        .execute_envelope(&id, &keyed_deposit(5, key), &())
        .await
        .expect("first delivery");
    let first_at = first.appended.as_ref().expect("stored").last;
    let loaded = accounts.load(&id).await.expect("load");
    assert_eq!(
        loaded.snapshot,
        Some(first_at),
        "the load starts after the delivery"
    );

    let again = accounts
        .execute_envelope(&id, &keyed_deposit(5, key), &())
        .await
        .expect("second delivery");
    assert!(
        again.redelivered,
        "recognised although the load did not see it"
    );
    assert_eq!(
        again.appended, first.appended,
        "the redelivery reports where the first delivery stored its events"
    );
    assert_eq!(again.state.balance, 5, "not deposited twice");
    let stored = read(&store, &id).await;
    assert_eq!(stored.len(), 1, "stored once");
    let kept = store.load_snapshot(&id).await.expect("load").expect("kept");
    assert_eq!(
        kept.at, first_at,
        "the snapshot still describes the first delivery"
    );
    assert_eq!(accounts.load(&id).await.expect("load").state.balance, 5);
}

#[tokio::test]
async fn redelivery_from_before_the_snapshot_after_later_commands_stores_nothing() {
    let store = MemoryStore::new();
    let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(1);
    let id = stream("account-1");
    let key = es_core::uuid::Uuid::now_v7();
    accounts
        .execute_envelope(&id, &keyed_deposit(5, key), &())
        .await
        .expect("first delivery");
    accounts
        .execute(&id, &Command::Withdraw { amount: 2 }, &())
        .await
        .expect("a later command");

    let again = accounts
        .execute_envelope(&id, &keyed_deposit(5, key), &())
        .await
        .expect("second delivery");
    assert!(again.redelivered);
    assert_eq!(again.state.balance, 3);
    assert_eq!(read(&store, &id).await.len(), 2, "stored once");
    assert_eq!(accounts.load(&id).await.expect("load").state.balance, 3);
}

#[tokio::test]
async fn another_key_is_another_command() {
    let store = MemoryStore::new();
    let accounts = Repository::<Account, _>::new(store.clone());
    let id = stream("account-1");
    for _ in 0..2 {
        let fresh = accounts
            .execute_envelope(&id, &keyed_deposit(5, es_core::uuid::Uuid::now_v7()), &())
            .await
            .expect("deposit");
        assert!(!fresh.redelivered);
    }
    assert_eq!(accounts.load(&id).await.expect("load").state.balance, 10);
}
