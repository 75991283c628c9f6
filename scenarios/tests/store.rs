//! The domains through a real store: the memory store, the repository and the executor.

use es_testkit::{Clock, StoreScenario, TestClock};
use scenarios::{
    BankAccount, BankCommand::*, BankEvent::*, BankServices, Cart, CartCommand, CartEvent,
    PriceList,
};

#[tokio::test]
async fn bank_account_round_trips_through_the_store() {
    let clock = TestClock::new();
    StoreScenario::<BankAccount>::new()
        .with_services(BankServices::with_clock(clock.clone()))
        .with_snapshots(2)
        .given([
            Opened {
                owner: "ada".into(),
            },
            Deposited { amount: 900 },
        ])
        .when(Withdraw { amount: 300 })
        .await
        .then_events([Withdrawn {
            amount: 300,
            at: clock.now(),
        }])
        .when(Withdraw { amount: 300 })
        .await
        .then_error_matches(|e| {
            matches!(e, scenarios::BankError::DailyLimit { withdrawn: 300, .. })
        })
        .then_version(3)
        .inspect_stored(|stored| assert_eq!(stored[2].event_type.as_str(), "MoneyWithdrawn"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_withdrawals_respect_the_daily_limit() {
    StoreScenario::<BankAccount>::new()
        .given([
            Opened {
                owner: "ada".into(),
            },
            Deposited { amount: 2_000 },
        ])
        .when_racing((0..6).map(|_| Withdraw { amount: 150 }))
        .await
        .then_accepted(3)
        .then_state_matches(|account| account.balance == 2_000 - 450);
}

#[tokio::test]
async fn cart_checks_out_through_the_store() {
    StoreScenario::<Cart>::new()
        .with_services(PriceList::of([("tea", 350)]))
        .when(CartCommand::AddItem {
            sku: "tea".into(),
            quantity: 2,
        })
        .await
        .then_events([CartEvent::ItemAdded {
            sku: "tea".into(),
            quantity: 2,
            unit_price: 350,
        }])
        .when(CartCommand::CheckOut)
        .await
        .then_events([CartEvent::CheckedOut { total: 700 }])
        .then_state_matches(|cart| cart.checked_out);
}
