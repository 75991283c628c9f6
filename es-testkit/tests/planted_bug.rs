//! The property checks find a planted bug in a small cart and shrink the failure to the
//! shortest sequence that shows it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;

use es_core::{Aggregate, DomainEvent};
use es_testkit::PropertyCheck;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

const MAX_LINES: usize = 3;

#[derive(Clone, Debug, PartialEq)]
enum CartCommand {
    Add { sku: u8 },
    Remove { sku: u8 },
    Checkout,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum CartEvent {
    Added { sku: u8 },
    Removed { sku: u8 },
    CheckedOut,
}

impl DomainEvent for CartEvent {
    const EVENT_TYPES: &'static [&'static str] = &["ItemAdded", "ItemRemoved", "CheckedOut"];

    fn event_type(&self) -> &'static str {
        match self {
            Self::Added { .. } => "ItemAdded",
            Self::Removed { .. } => "ItemRemoved",
            Self::CheckedOut => "CheckedOut",
        }
    }
}

#[derive(Debug, PartialEq, thiserror::Error)]
enum CartError {
    #[error("the cart holds {MAX_LINES} lines already")]
    Full,
    #[error("item {0} is not in the cart")]
    NotInCart(u8),
    #[error("the cart is checked out")]
    CheckedOut,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Cart {
    lines: BTreeMap<u8, u32>,
    checked_out: bool,
}

impl Aggregate for Cart {
    const NAME: &'static str = "cart";
    type Command = CartCommand;
    type Event = CartEvent;
    type Error = CartError;
    type Services = ();

    fn handle(&self, command: &CartCommand, (): &()) -> Result<Vec<CartEvent>, CartError> {
        if self.checked_out {
            return Err(CartError::CheckedOut);
        }
        match *command {
            CartCommand::Add { sku } if self.lines.contains_key(&sku) => {
                Ok(vec![CartEvent::Added { sku }])
            }
            // The planted bug: `>` lets a fourth line in (it should be `>=`).
            CartCommand::Add { .. } if self.lines.len() > MAX_LINES => Err(CartError::Full),
            CartCommand::Add { sku } => Ok(vec![CartEvent::Added { sku }]),
            CartCommand::Remove { sku } if !self.lines.contains_key(&sku) => {
                Err(CartError::NotInCart(sku))
            }
            CartCommand::Remove { sku } => Ok(vec![CartEvent::Removed { sku }]),
            CartCommand::Checkout => Ok(vec![CartEvent::CheckedOut]),
        }
    }

    fn apply(&mut self, event: &CartEvent) {
        match event {
            CartEvent::Added { sku } => *self.lines.entry(*sku).or_default() += 1,
            CartEvent::Removed { sku } => {
                self.lines.remove(sku);
            }
            CartEvent::CheckedOut => self.checked_out = true,
        }
    }
}

fn cart_command() -> impl Strategy<Value = CartCommand> {
    prop_oneof![
        6 => (0..8u8).prop_map(|sku| CartCommand::Add { sku }),
        2 => (0..8u8).prop_map(|sku| CartCommand::Remove { sku }),
        1 => Just(CartCommand::Checkout),
    ]
}

#[test]
fn planted_bug_is_found_and_shrunk_to_four_adds() {
    let failure = PropertyCheck::<Cart>::new()
        .invariant("at most 3 lines", |cart| cart.lines.len() <= MAX_LINES)
        .max_commands(30)
        .deterministic()
        .check(cart_command())
        .expect_err("the planted bug lets a fourth line in");

    // The shortest way to a fourth line: four adds of different items, nothing else.
    assert_eq!(failure.commands().len(), 4, "{failure}");
    let mut skus: Vec<u8> = failure
        .commands()
        .iter()
        .map(|command| match command {
            CartCommand::Add { sku } => *sku,
            other => panic!("only adds are needed, found {other:?}\n{failure}"),
        })
        .collect();
    skus.sort_unstable();
    skus.dedup();
    assert_eq!(skus.len(), 4, "{failure}");
    assert_eq!(failure.failed_step, Some(3));
    assert!(
        failure
            .to_string()
            .contains("invariant `at most 3 lines` does not hold")
    );
    insta::assert_snapshot!(failure.to_string());
}

#[test]
fn planted_bug_also_found_without_a_fixed_seed() {
    let failure = PropertyCheck::<Cart>::new()
        .invariant("at most 3 lines", |cart| cart.lines.len() <= MAX_LINES)
        .max_commands(30)
        .check(cart_command())
        .expect_err("the planted bug lets a fourth line in");
    assert_eq!(failure.commands().len(), 4, "{failure}");
}
