//! The same store-backed scenarios on PostgreSQL: serialization, the executor and racing
//! writers against a real database (the harness finds or starts one; see postgres-store).

mod common;

use es_testkit::{Clock, StoreScenario, TestClock};
use postgres_store::{PgStore, harness};
use scenarios::{BankAccount, BankCommand::*, BankError, BankEvent::*, BankServices};

async fn store() -> PgStore {
    harness::fresh_store()
        .await
        .unwrap_or_else(|error| panic!("{error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_account_round_trips_through_postgres() {
    let clock = TestClock::new();
    StoreScenario::<BankAccount, _>::on(store().await)
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
        .then_error(BankError::DailyLimit {
            limit: 500,
            withdrawn: 300,
            asked: 300,
        })
        .then_version(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_withdrawals_on_postgres_respect_the_daily_limit() {
    StoreScenario::<BankAccount, _>::on(store().await)
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

#[test]
fn bank_account_keeps_its_promises_on_postgres() {
    // The same check as `properties.rs` runs on the memory store; here every generated
    // sequence (time steps included) also goes through a fresh PostgreSQL database.
    common::bank_account_check()
        .through_store_factory(harness::PgFactory)
        .cases(24)
        .run(common::bank_command());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_limit_starts_afresh_the_next_day_on_postgres() {
    let clock = TestClock::new();
    StoreScenario::<BankAccount, _>::on_factory(&harness::PgFactory)
        .await
        .with_services(BankServices::with_clock(clock.clone()))
        .with_clock(clock.clone())
        .given([
            Opened {
                owner: "ada".into(),
            },
            Deposited { amount: 900 },
        ])
        .when(Withdraw { amount: 500 })
        .await
        .then_version(3)
        .when(Withdraw { amount: 1 })
        .await
        .then_error_message(
            "daily limit of 500 reached: 500 withdrawn today, asked for 1; try again tomorrow",
        )
        .time_passes(es_testkit::chrono::Duration::days(1))
        .when(Withdraw { amount: 400 })
        .await
        .then_events([Withdrawn {
            amount: 400,
            at: clock.now(),
        }])
        .then_state_matches(|account| account.balance == 0);
}
