//! Property checks with the domains' own invariants, over generated command sequences.

mod common;

use es_testkit::{PropertyCheck, fake_data::fake_with};
use fake::faker::name::en::Name;
use proptest::prelude::*;
use scenarios::{BankAccount, BankEvent, Cart, CartCommand, MAX_LINES, PriceList};

#[test]
fn bank_account_keeps_its_promises() {
    common::bank_account_check()
        .through_store()
        .cases(64)
        .run(common::bank_command());
}

#[test]
fn bank_account_after_any_opened_history() {
    let history = (
        fake_with::<String, _>(Name()),
        prop::collection::vec(1..1_000u64, 0..5),
    )
        .prop_map(|(owner, deposits)| {
            std::iter::once(BankEvent::Opened { owner })
                .chain(
                    deposits
                        .into_iter()
                        .map(|amount| BankEvent::Deposited { amount }),
                )
                .collect::<Vec<_>>()
        });
    PropertyCheck::<BankAccount>::new()
        .invariant("an account with history has an owner", |account| {
            account.owner.is_some()
        })
        .cases(64)
        .run_with_history(history, common::bank_command());
}

fn prices() -> PriceList {
    PriceList::of([
        ("a", 100),
        ("b", 250),
        ("c", 75),
        ("d", 990),
        ("e", 5),
        ("f", 12),
        ("g", 1),
    ])
}

fn cart_command() -> impl Strategy<Value = CartCommand> {
    let sku = prop::sample::select(vec!["a", "b", "c", "d", "e", "f", "g", "unknown"])
        .prop_map(String::from);
    prop_oneof![
        6 => (sku.clone(), 0..4u32).prop_map(|(sku, quantity)| CartCommand::AddItem { sku, quantity }),
        2 => sku.prop_map(|sku| CartCommand::RemoveItem { sku }),
        1 => Just(CartCommand::CheckOut),
    ]
}

#[test]
fn cart_total_is_always_the_sum_of_its_lines() {
    PropertyCheck::<Cart>::new_with_services(prices)
        .invariant("total is the sum of the lines", Cart::total_matches_lines)
        .invariant("at most MAX_LINES items", |cart| {
            cart.lines.len() <= MAX_LINES
        })
        .through_store()
        .max_commands(30)
        .cases(64)
        .run(cart_command());
}
