//! Read models fed by the domains' events.

use std::collections::BTreeMap;

use crate::{BankEvent, CartEvent};

/// Sales per item across every checked-out cart, as a shop's dashboard shows them.
///
/// ```
/// use scenarios::{CartEvent, SalesReport};
///
/// let mut report = SalesReport::default();
/// report.project(&CartEvent::ItemAdded { sku: "tea".into(), quantity: 2, unit_price: 350 });
/// report.project(&CartEvent::CheckedOut { total: 700 });
/// assert_eq!(report.units["tea"], 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SalesReport {
    /// Units sold per item (only carts that were checked out count).
    pub units: BTreeMap<String, u64>,
    /// Revenue in cents.
    pub revenue: u64,
    /// Checked-out carts.
    pub orders: u64,
    /// The cart being read (events of one cart arrive in order, one cart after the other).
    pending: BTreeMap<String, u64>,
}

impl SalesReport {
    /// Folds one cart event into the report.
    pub fn project(&mut self, event: &CartEvent) {
        match event {
            CartEvent::ItemAdded { sku, quantity, .. } => {
                *self.pending.entry(sku.clone()).or_default() += u64::from(*quantity);
            }
            CartEvent::ItemRemoved { sku } => {
                self.pending.remove(sku);
            }
            CartEvent::CheckedOut { total } => {
                for (sku, units) in std::mem::take(&mut self.pending) {
                    *self.units.entry(sku).or_default() += units;
                }
                self.revenue += total;
                self.orders += 1;
            }
        }
    }
}

/// One account's statement line: balance and counts, as a customer's app shows them.
///
/// ```
/// use scenarios::{AccountStatement, BankEvent};
///
/// let mut statement = AccountStatement::default();
/// statement.project(&BankEvent::Deposited { amount: 5 });
/// assert_eq!(statement.balance, 5);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountStatement {
    /// Who owns the account.
    pub owner: Option<String>,
    /// The balance in cents.
    pub balance: u64,
    /// How many deposits and withdrawals there were.
    pub movements: u32,
    /// Whether it is closed.
    pub closed: bool,
}

impl AccountStatement {
    /// Folds one bank event into the statement.
    pub fn project(&mut self, event: &BankEvent) {
        match event {
            BankEvent::Opened { owner } => self.owner = Some(owner.clone()),
            BankEvent::Deposited { amount } => {
                self.balance += amount;
                self.movements += 1;
            }
            BankEvent::Withdrawn { amount, .. } => {
                self.balance = self.balance.saturating_sub(*amount);
                self.movements += 1;
            }
            BankEvent::Closed => self.closed = true,
        }
    }
}
