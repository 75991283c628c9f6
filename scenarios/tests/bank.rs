//! The bank account, told as given-when-then scenarios.

use es_core::chrono::Duration;
use es_testkit::{Clock, Scenario, TestClock, assert_events_snapshot};
use scenarios::{BankAccount, BankCommand::*, BankError, BankEvent::*, BankServices, DAILY_LIMIT};

fn opened_with(amount: u64) -> [scenarios::BankEvent; 2] {
    [
        Opened {
            owner: "ada".into(),
        },
        Deposited { amount },
    ]
}

#[test]
fn deposit_into_an_open_account() {
    Scenario::<BankAccount>::new()
        .given(opened_with(100))
        .when(Deposit { amount: 30 })
        .then_events([Deposited { amount: 30 }]);
}

#[test]
fn withdrawal_is_stamped_with_the_clock() {
    let clock = TestClock::new();
    Scenario::<BankAccount>::new()
        .with_services(BankServices::with_clock(clock.clone()))
        .given(opened_with(100))
        .when(Withdraw { amount: 30 })
        .then_events([Withdrawn {
            amount: 30,
            at: clock.now(),
        }]);
}

#[test]
fn closed_account_takes_no_money() {
    Scenario::<BankAccount>::new()
        .given_commands([
            Open {
                owner: "ada".into(),
            },
            Close,
        ])
        .when(Deposit { amount: 1 })
        .then_error(BankError::NotOpen);
}

#[test]
fn overdraft_is_refused() {
    Scenario::<BankAccount>::new()
        .given(opened_with(20))
        .when(Withdraw { amount: 30 })
        .then_error(BankError::InsufficientFunds {
            balance: 20,
            asked: 30,
        })
        .then_state_matches(|account| account.balance == 20);
}

#[test]
fn daily_limit_resets_the_next_day() {
    let clock = TestClock::new();
    Scenario::<BankAccount>::new()
        .with_services(BankServices::with_clock(clock.clone()))
        .given(opened_with(2_000))
        .when(Withdraw { amount: 400 })
        .then_events([Withdrawn {
            amount: 400,
            at: clock.now(),
        }])
        .when(Withdraw { amount: 200 })
        .then_error(BankError::DailyLimit {
            limit: DAILY_LIMIT,
            withdrawn: 400,
            asked: 200,
        })
        .update_services(|_| clock.advance(Duration::days(1)))
        .when(Withdraw { amount: 200 })
        .then_events([Withdrawn {
            amount: 200,
            at: clock.now(),
        }])
        .then_state_matches(|account| account.balance == 1_400);
}

#[test]
fn only_an_empty_account_closes() {
    Scenario::<BankAccount>::new()
        .given(opened_with(5))
        .when(Close)
        .then_error_matches(|e| matches!(e, BankError::NotEmpty { balance: 5 }));
}

#[test]
fn opening_events_snapshot() {
    let then = Scenario::<BankAccount>::new()
        .given_no_history()
        .when(Open {
            owner: "grace".into(),
        })
        .outcome();
    assert_events_snapshot!(then);
}
