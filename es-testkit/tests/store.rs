//! Store-backed scenarios: the repository, the memory store, upcasting, snapshots and racing
//! writers, end to end.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use es_core::{EventShape, NewEvent, SnapshotStore, StreamId, Upcasters};
use es_testkit::{
    StoreScenario,
    example::{Account, AccountError, Command::*, Event::*},
};
use memory_store::MemoryStore;
use serde_json::json;

#[tokio::test]
async fn store_scenario_stores_and_reloads() {
    let then = StoreScenario::<Account>::new()
        .given([Deposited { amount: 100 }])
        .when(Withdraw { amount: 30 })
        .await
        .then_events([Withdrawn { amount: 30 }])
        .then_state(Account { balance: 70 })
        .then_version(2)
        .inspect_stored(|stored| {
            assert_eq!(stored[1].event_type.as_str(), "Withdrawn");
            assert_eq!(stored[1].payload.as_str(), r#"{"Withdrawn":{"amount":30}}"#);
        });
    assert_eq!(then.attempts(), 1);
}

#[tokio::test]
async fn rejected_command_stores_nothing() {
    StoreScenario::<Account>::new()
        .given([Deposited { amount: 5 }])
        .when(Withdraw { amount: 30 })
        .await
        .then_error(AccountError::InsufficientFunds {
            balance: 5,
            asked: 30,
        })
        .then_version(1);
}

#[tokio::test]
async fn chained_steps_through_the_store_with_snapshots() {
    let store = MemoryStore::new();
    let stream = StreamId::new("account-chained").unwrap();
    StoreScenario::<Account>::new()
        .on_store(store.clone())
        .on_stream(stream.clone())
        .with_snapshots(2)
        .given([Deposited { amount: 1 }, Deposited { amount: 2 }])
        .when(Deposit { amount: 3 })
        .await
        .then_events([Deposited { amount: 3 }])
        .when(Deposit { amount: 4 })
        .await
        .then_state(Account { balance: 10 })
        .then_version(4);
    let snapshot = store
        .load_snapshot(&stream)
        .await
        .unwrap()
        .expect("a snapshot");
    assert_eq!(snapshot.version().get(), 4);
}

#[tokio::test]
async fn on_store_after_with_snapshots_keeps_them() {
    let store = MemoryStore::new();
    let then = StoreScenario::<Account>::new()
        .with_snapshots(2)
        .on_store(store.clone())
        .given([Deposited { amount: 1 }])
        .when(Deposit { amount: 2 })
        .await
        .then_state(Account { balance: 3 });
    let snapshot = store
        .load_snapshot(then.stream())
        .await
        .unwrap()
        .expect("the setting survived the change of store");
    assert_eq!(snapshot.version().get(), 2);
}

#[tokio::test]
async fn scenario_on_a_given_store_uses_it() {
    let store = MemoryStore::new();
    let then = StoreScenario::<Account, _>::on(store.clone())
        .when(Deposit { amount: 2 })
        .await
        .then_version(1);
    let stored = es_core::EventReaderExt::read_whole_stream(&store, then.stream())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn old_event_shapes_are_upcast_on_the_way_in() {
    // Version 1 of "Deposited" stored {"cents": n} at the top level.
    let old = NewEvent::from_json("Deposited", r#"{"cents":50}"#).unwrap();
    let upcasters = Upcasters::new().register("Deposited", 1, |old| {
        Ok(EventShape {
            schema_version: 2,
            payload: json!({ "Deposited": { "amount": old.payload["cents"] } }),
            ..old
        })
    });
    StoreScenario::<Account>::new()
        .with_upcasters(upcasters)
        .given_stored([old])
        .when(Withdraw { amount: 50 })
        .await
        .then_events([Withdrawn { amount: 50 }])
        .then_state(Account { balance: 0 });
}

#[tokio::test]
async fn missing_upcaster_is_reported_as_unreadable_history() {
    let old = NewEvent::from_json("Deposited", r#"{"cents":50}"#).unwrap();
    let scenario = StoreScenario::<Account>::new()
        .given_stored([old])
        .when(Withdraw { amount: 50 });
    let message = tokio::spawn(scenario)
        .await
        .expect_err("an old shape without an upcaster cannot be read")
        .into_panic();
    let message = message.downcast_ref::<String>().expect("a text panic");
    assert!(message.contains("stored event Deposited (version 1, schema 1) does not read back"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_withdrawals_never_overdraw() {
    StoreScenario::<Account>::new()
        .given([Deposited { amount: 10 }])
        .when_racing((0..8).map(|_| Withdraw { amount: 3 }))
        .await
        .then_accepted(3)
        .then_state_matches(|account| account.balance == 1);
}

#[tokio::test]
async fn store_mismatch_message_is_readable() {
    let scenario = async {
        let _ = StoreScenario::<Account>::new()
            .given([Deposited { amount: 100 }])
            .when(Withdraw { amount: 40 })
            .await
            .then_events([Withdrawn { amount: 30 }]);
    };
    let panic = tokio::spawn(scenario)
        .await
        .expect_err("the scenario must fail")
        .into_panic();
    let message = panic.downcast_ref::<String>().expect("a text panic");
    assert!(
        message.contains("event #0 (Withdrawn) differs at field `amount`: expected 30, got 40")
    );
    insta::assert_snapshot!(message);
}
