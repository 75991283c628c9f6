//! Several aggregates in one unit of work: a transfer withdraws and deposits, or neither.

mod common;

use std::sync::atomic::Ordering;

use common::interfering::Interfering;
use common::*;
use es_core::{CommandEnvelope, DomainEvent, ExecuteError, Repository, StreamId};
use es_testkit::example::{Account, AccountError, Command, Event};
use memory_store::MemoryStore;

fn transfer(a: &StreamId, b: &StreamId, amount: u64) -> Vec<(StreamId, CommandEnvelope<Command>)> {
    vec![
        (
            a.clone(),
            CommandEnvelope::new(Command::Withdraw { amount }),
        ),
        (b.clone(), CommandEnvelope::new(Command::Deposit { amount })),
    ]
}

fn account_events(stored: &[es_core::RecordedEvent]) -> Vec<Event> {
    stored
        .iter()
        .map(|e| Event::from_recorded(e).expect("an account event"))
        .collect()
}

#[tokio::test]
async fn transfer_stores_both_sides() {
    let store = MemoryStore::new();
    let accounts = Repository::<Account, _>::new(store.clone());
    let (a, b) = (stream("account-a"), stream("account-b"));
    accounts
        .execute(&a, &Command::Deposit { amount: 10 }, &())
        .await
        .expect("fund a");

    let executed = accounts
        .execute_together(&transfer(&a, &b, 4), &())
        .await
        .expect("transfer");

    assert_eq!(executed.len(), 2, "one result per command, in order");
    assert_eq!(executed[0].events, vec![Event::Withdrawn { amount: 4 }]);
    assert_eq!(executed[1].events, vec![Event::Deposited { amount: 4 }]);
    assert_eq!(
        (executed[0].state.balance, executed[1].state.balance),
        (6, 4)
    );
    assert!(executed.iter().all(|e| e.attempts == 1 && !e.redelivered));
    let (on_a, on_b) = (read(&store, &a).await, read(&store, &b).await);
    assert_eq!(
        account_events(&on_a),
        vec![
            Event::Deposited { amount: 10 },
            Event::Withdrawn { amount: 4 }
        ]
    );
    assert_eq!(account_events(&on_b), vec![Event::Deposited { amount: 4 }]);
    assert_eq!(
        executed[0].appended.as_ref().map(|r| r.last),
        on_a.last().map(|e| e.event_ref())
    );
    assert_eq!(
        executed[1].appended.as_ref().map(|r| r.last),
        on_b.last().map(|e| e.event_ref())
    );
}

#[tokio::test]
async fn transfer_refused_by_one_side_stores_neither() {
    let store = MemoryStore::new();
    let accounts = Repository::<Account, _>::new(store.clone());
    let (a, b) = (stream("account-a"), stream("account-b"));
    accounts
        .execute(&a, &Command::Deposit { amount: 2 }, &())
        .await
        .expect("fund a");
    let before = everything(&store).await;

    match accounts.execute_together(&transfer(&a, &b, 5), &()).await {
        Err(ExecuteError::Rejected(AccountError::InsufficientFunds {
            balance: 2,
            asked: 5,
        })) => {}
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(everything(&store).await, before, "neither side was stored");
    assert!(read(&store, &b).await.is_empty());
}

#[tokio::test]
async fn transfer_decides_again_when_a_side_moves_before_the_commit() {
    let store = Interfering::default();
    let (a, b) = (stream("account-a"), stream("account-b"));
    let accounts = Repository::<Account, _>::new(store);
    accounts
        .execute(&a, &Command::Deposit { amount: 10 }, &())
        .await
        .expect("fund a");
    // Between the load and the commit of the first attempt, a rival deposits 1 to b.
    accounts
        .store()
        .multi_rivals
        .lock()
        .expect("lock")
        .push_back(b.clone());

    let executed = accounts
        .execute_together(&transfer(&a, &b, 4), &())
        .await
        .expect("transfer");

    assert_eq!(
        accounts.store().multi_appends_seen.load(Ordering::SeqCst),
        2,
        "the first commit conflicted on b, the second held"
    );
    assert!(executed.iter().all(|e| e.attempts == 2));
    assert_eq!(
        (executed[0].state.balance, executed[1].state.balance),
        (6, 5),
        "b decided again on state with the rival's deposit"
    );
    let inner = &accounts.store().inner;
    assert_eq!(
        account_events(&read(inner, &a).await),
        vec![
            Event::Deposited { amount: 10 },
            Event::Withdrawn { amount: 4 }
        ],
        "a's withdrawal stored exactly once"
    );
    assert_eq!(
        account_events(&read(inner, &b).await),
        vec![
            Event::Deposited { amount: 1 },
            Event::Deposited { amount: 4 }
        ],
        "the rival's deposit, then b's side stored exactly once"
    );
}
