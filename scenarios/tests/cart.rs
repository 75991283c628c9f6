//! The shopping cart, told as given-when-then scenarios.

use es_testkit::Scenario;
use scenarios::{Cart, CartCommand::*, CartError, CartEvent::*, MAX_LINES, PriceList};

fn prices() -> PriceList {
    PriceList::of([("tea", 350), ("cake", 420), ("jam", 275)])
}

fn added(sku: &str, quantity: u32, unit_price: u64) -> scenarios::CartEvent {
    ItemAdded {
        sku: sku.into(),
        quantity,
        unit_price,
    }
}

#[test]
fn item_is_added_at_the_listed_price() {
    Scenario::<Cart>::new()
        .with_services(prices())
        .when(AddItem {
            sku: "tea".into(),
            quantity: 2,
        })
        .then_events([added("tea", 2, 350)])
        .then_state_matches(|cart| cart.total == 700);
}

#[test]
fn unknown_item_is_refused() {
    Scenario::<Cart>::new()
        .with_services(prices())
        .when(AddItem {
            sku: "caviar".into(),
            quantity: 1,
        })
        .then_error(CartError::UnknownItem {
            sku: "caviar".into(),
        });
}

#[test]
fn a_new_price_reprices_the_line() {
    Scenario::<Cart>::new()
        .given([added("tea", 2, 300)])
        .with_services(prices())
        .when(AddItem {
            sku: "tea".into(),
            quantity: 1,
        })
        .then_events([added("tea", 1, 350)])
        .then_state_matches(|cart| cart.total == 3 * 350 && cart.total_matches_lines());
}

#[test]
fn full_cart_refuses_a_new_item_but_takes_more_of_one() {
    let skus: Vec<String> = (0..MAX_LINES).map(|i| format!("item-{i}")).collect();
    let prices = PriceList::of(skus.iter().map(|s| (s.as_str(), 100)).chain([("tea", 350)]));
    Scenario::<Cart>::new()
        .with_services(prices)
        .given(skus.iter().map(|sku| added(sku, 1, 100)))
        .when(AddItem {
            sku: "tea".into(),
            quantity: 1,
        })
        .then_error(CartError::Full)
        .when(AddItem {
            sku: "item-0".into(),
            quantity: 1,
        })
        .then_events([added("item-0", 1, 100)]);
}

#[test]
fn checkout_pays_the_total_and_freezes_the_cart() {
    Scenario::<Cart>::new()
        .with_services(prices())
        .given([added("tea", 2, 350), added("jam", 1, 275)])
        .when(CheckOut)
        .then_events([CheckedOut { total: 975 }])
        .when(RemoveItem { sku: "tea".into() })
        .then_error(CartError::CheckedOut);
}

#[test]
fn empty_cart_cannot_check_out() {
    Scenario::<Cart>::new()
        .given_no_history()
        .when(CheckOut)
        .then_error(CartError::Empty);
}
