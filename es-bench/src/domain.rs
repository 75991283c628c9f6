//! The benchmarks' domain: a bank account that takes deposits, nothing more.
//!
//! It is the smallest aggregate that still goes through every part of the typed layer a user's
//! would: commands decided on loaded state, events serialized with a stable type name, state
//! folded on load and kept in snapshots. A deposit is stored as type `"Deposited"` with the
//! payload `{"Deposited":{"amount":5}}` (serde's externally tagged form), so the figures are
//! for small events.
//!
//! ```
//! use es_bench::domain::{Account, AccountCommand, AccountEvent};
//! use es_core::{Aggregate, DomainEvent};
//!
//! let account = Account::default();
//! let events = account.handle(&AccountCommand::Deposit { amount: 5 }, &()).unwrap();
//! assert_eq!(events, [AccountEvent::Deposited { amount: 5 }]);
//! assert_eq!(Account::replay(&events).balance, 5);
//!
//! let stored = events[0].to_new_event(Default::default())?;
//! assert_eq!(stored.event_type.as_str(), "Deposited");
//! assert_eq!(stored.payload.as_str(), r#"{"Deposited":{"amount":5}}"#);
//! # Ok::<(), es_core::Error>(())
//! ```

use es_core::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

/// What can happen to an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountEvent {
    /// Money came in (type name `"Deposited"`).
    Deposited {
        /// How much, in cents.
        amount: u64,
    },
}

impl DomainEvent for AccountEvent {
    const EVENT_TYPES: &'static [&'static str] = &["Deposited"];

    fn event_type(&self) -> &'static str {
        match self {
            Self::Deposited { .. } => "Deposited",
        }
    }
}

/// What an account can be asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountCommand {
    /// Put money in; refused when the amount is zero.
    Deposit {
        /// How much, in cents.
        amount: u64,
    },
}

/// Why an account refuses a command.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// A deposit of nothing.
    #[error("the amount must be more than zero")]
    ZeroAmount,
}

/// The account's state: the sum of its deposits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// What the deposits add up to, in cents.
    pub balance: u64,
}

impl Aggregate for Account {
    const NAME: &'static str = "account";
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Error = AccountError;
    type Services = ();

    fn handle(&self, command: &AccountCommand, (): &()) -> Result<Vec<AccountEvent>, AccountError> {
        match *command {
            AccountCommand::Deposit { amount: 0 } => Err(AccountError::ZeroAmount),
            AccountCommand::Deposit { amount } => Ok(vec![AccountEvent::Deposited { amount }]),
        }
    }

    fn apply(&mut self, event: &AccountEvent) {
        match event {
            AccountEvent::Deposited { amount } => self.balance += amount,
        }
    }
}
