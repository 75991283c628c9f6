//! A shopping cart priced from a price list, with an invariant: the total is always the sum of
//! its lines, and a cart holds at most [`MAX_LINES`] different items.

use std::{collections::BTreeMap, sync::Arc};

use es_core::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

/// The most different items one cart may hold.
pub const MAX_LINES: usize = 5;

/// What a cart can be asked to do.
#[derive(Clone, Debug, PartialEq)]
pub enum CartCommand {
    /// Add `quantity` of `sku` at today's price.
    AddItem {
        /// The item.
        sku: String,
        /// How many; more than zero.
        quantity: u32,
    },
    /// Take `sku` out of the cart entirely.
    RemoveItem {
        /// The item.
        sku: String,
    },
    /// Pay; the cart must not be empty.
    CheckOut,
}

/// What can happen to a cart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CartEvent {
    /// Items were added at `unit_price` (the price is in the event, so replay needs no price
    /// list).
    ItemAdded {
        /// The item.
        sku: String,
        /// How many.
        quantity: u32,
        /// The price of one, in cents, when added.
        unit_price: u64,
    },
    /// An item was taken out.
    ItemRemoved {
        /// The item.
        sku: String,
    },
    /// The cart was paid.
    CheckedOut {
        /// What was paid, in cents.
        total: u64,
    },
}

impl DomainEvent for CartEvent {
    const EVENT_TYPES: &'static [&'static str] =
        &["CartItemAdded", "CartItemRemoved", "CartCheckedOut"];

    fn event_type(&self) -> &'static str {
        match self {
            Self::ItemAdded { .. } => "CartItemAdded",
            Self::ItemRemoved { .. } => "CartItemRemoved",
            Self::CheckedOut { .. } => "CartCheckedOut",
        }
    }
}

/// Why a cart refuses a command.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CartError {
    /// The item is not on the price list.
    #[error("{sku} is not for sale; pick an item from the price list")]
    UnknownItem {
        /// The item.
        sku: String,
    },
    /// Quantities are positive.
    #[error("the quantity must be more than zero")]
    ZeroQuantity,
    /// The cart holds [`MAX_LINES`] different items already.
    #[error("the cart holds {MAX_LINES} different items already; remove one first")]
    Full,
    /// The item is not in the cart.
    #[error("{sku} is not in the cart")]
    NotInCart {
        /// The item.
        sku: String,
    },
    /// An empty cart cannot be paid.
    #[error("the cart is empty; add an item first")]
    Empty,
    /// A paid cart does not change.
    #[error("the cart is checked out; start a new one")]
    CheckedOut,
}

/// Today's prices, in cents; shared, so clones are cheap.
#[derive(Clone, Debug, Default)]
pub struct PriceList(pub Arc<BTreeMap<String, u64>>);

impl PriceList {
    /// A price list of `(sku, price)` pairs.
    ///
    /// ```
    /// let prices = scenarios::PriceList::of([("tea", 350), ("cake", 420)]);
    /// assert_eq!(prices.price("tea"), Some(350));
    /// ```
    pub fn of<'a>(prices: impl IntoIterator<Item = (&'a str, u64)>) -> Self {
        Self(Arc::new(
            prices
                .into_iter()
                .map(|(sku, p)| (sku.to_owned(), p))
                .collect(),
        ))
    }

    /// The price of one `sku`, if it is for sale.
    pub fn price(&self, sku: &str) -> Option<u64> {
        self.0.get(sku).copied()
    }
}

/// One line of a cart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// How many.
    pub quantity: u32,
    /// The price of one, in cents.
    pub unit_price: u64,
}

/// A shopping cart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cart {
    /// The lines, by item.
    pub lines: BTreeMap<String, Line>,
    /// The sum of quantity × unit price over the lines, kept up to date by `apply`.
    pub total: u64,
    /// Whether it is paid.
    pub checked_out: bool,
}

impl Cart {
    /// The invariant: `total` is the sum of the lines.
    ///
    /// ```
    /// assert!(scenarios::Cart::default().total_matches_lines());
    /// ```
    pub fn total_matches_lines(&self) -> bool {
        let sum: u64 = self
            .lines
            .values()
            .map(|l| u64::from(l.quantity) * l.unit_price)
            .sum();
        sum == self.total
    }
}

impl Aggregate for Cart {
    const NAME: &'static str = "cart";
    type Command = CartCommand;
    type Event = CartEvent;
    type Error = CartError;
    type Services = PriceList;

    fn handle(
        &self,
        command: &CartCommand,
        prices: &PriceList,
    ) -> Result<Vec<CartEvent>, CartError> {
        if self.checked_out {
            return Err(CartError::CheckedOut);
        }
        match command {
            CartCommand::AddItem { quantity: 0, .. } => Err(CartError::ZeroQuantity),
            CartCommand::AddItem { sku, quantity } => {
                let unit_price = prices
                    .price(sku)
                    .ok_or_else(|| CartError::UnknownItem { sku: sku.clone() })?;
                if !self.lines.contains_key(sku) && self.lines.len() >= MAX_LINES {
                    return Err(CartError::Full);
                }
                Ok(vec![CartEvent::ItemAdded {
                    sku: sku.clone(),
                    quantity: *quantity,
                    unit_price,
                }])
            }
            CartCommand::RemoveItem { sku } if !self.lines.contains_key(sku) => {
                Err(CartError::NotInCart { sku: sku.clone() })
            }
            CartCommand::RemoveItem { sku } => {
                Ok(vec![CartEvent::ItemRemoved { sku: sku.clone() }])
            }
            CartCommand::CheckOut if self.lines.is_empty() => Err(CartError::Empty),
            CartCommand::CheckOut => Ok(vec![CartEvent::CheckedOut { total: self.total }]),
        }
    }

    fn apply(&mut self, event: &CartEvent) {
        match event {
            CartEvent::ItemAdded {
                sku,
                quantity,
                unit_price,
            } => {
                let line = self.lines.entry(sku.clone()).or_default();
                // A later add re-prices the whole line at the newer price.
                self.total -= u64::from(line.quantity) * line.unit_price;
                line.quantity += quantity;
                line.unit_price = *unit_price;
                self.total += u64::from(line.quantity) * line.unit_price;
            }
            CartEvent::ItemRemoved { sku } => {
                if let Some(line) = self.lines.remove(sku) {
                    self.total -= u64::from(line.quantity) * line.unit_price;
                }
            }
            CartEvent::CheckedOut { .. } => self.checked_out = true,
        }
    }
}
