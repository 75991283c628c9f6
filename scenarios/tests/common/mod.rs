//! The bank account's property check, shared by the memory run (`properties.rs`) and the
//! PostgreSQL run (`postgres.rs`), so both stores meet the same generated sequences.

use es_core::chrono::Duration;
use es_testkit::{PropertyCheck, fake_data::fake_with};
use fake::faker::name::en::Name;
use proptest::prelude::*;
use scenarios::{BankAccount, BankCommand, BankServices, DAILY_LIMIT};

/// Commands an account meets: mostly money moving, now and then an open or a close.
pub fn bank_command() -> impl Strategy<Value = BankCommand> {
    prop_oneof![
        1 => fake_with::<String, _>(Name()).prop_map(|owner| BankCommand::Open { owner }),
        4 => (0..300u64).prop_map(|amount| BankCommand::Deposit { amount }),
        4 => (0..300u64).prop_map(|amount| BankCommand::Withdraw { amount }),
        1 => Just(BankCommand::Close),
    ]
}

/// The account's promises, on a test clock that generated time steps move (up to two days
/// at a time), so that sequences cross midnight and the daily limit starts afresh.
pub fn bank_account_check() -> PropertyCheck<BankAccount> {
    PropertyCheck::<BankAccount>::new_with_clock(BankServices::with_clock)
        .time_steps((1..=48i64).prop_map(Duration::hours))
        .invariant("never more than the daily limit withdrawn", |account| {
            account
                .withdrawn_on
                .is_none_or(|(_, total)| total <= DAILY_LIMIT)
        })
        .invariant("a closed account is empty", |account| {
            !account.closed || account.balance == 0
        })
        .invariant("only an opened account has money", |account| {
            account.owner.is_some() || account.balance == 0
        })
        .paste_as_json()
        .paste_start("Scenario::<BankAccount>::new_with_clock(BankServices::with_clock)")
}
