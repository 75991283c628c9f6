//! The example domain: a tiny bank account, used by the examples in the docs of this crate, of
//! `es-core` and of `memory-store`, and by their tests and benchmarks.
//!
//! An [`Account`] has a balance; [`Command::Deposit`] always succeeds and
//! [`Command::Withdraw`] is refused with [`AccountError::InsufficientFunds`] when it asks for
//! more than the balance. Events are stored as `"Deposited"` and `"Withdrawn"`, in serde's
//! externally tagged form (`{"Deposited":{"amount":5}}`). It has no services (`()`).
//!
//! It is small on purpose: a doc example should show the API, not a domain. Your own tests
//! deserve your own aggregate.
//!
//! Examples about time use [`loan`]: a library loan whose rule reads a clock.
//!
//! ```
//! use es_testkit::{Scenario, example::{Account, AccountError, Command::*, Event::*}};
//!
//! Scenario::<Account>::new()
//!     .given([Deposited { amount: 10 }])
//!     .when(Withdraw { amount: 15 })
//!     .then_error(AccountError::InsufficientFunds { balance: 10, asked: 15 });
//! ```

use es_core::{Aggregate, DomainEvent};

pub mod loan;

/// What can happen to an account.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Event {
    /// Money came in (type name `"Deposited"`).
    Deposited {
        /// How much.
        amount: u64,
    },
    /// Money went out (type name `"Withdrawn"`).
    Withdrawn {
        /// How much.
        amount: u64,
    },
}

impl DomainEvent for Event {
    const EVENT_TYPES: &'static [&'static str] = &["Deposited", "Withdrawn"];

    fn event_type(&self) -> &'static str {
        match self {
            Self::Deposited { .. } => "Deposited",
            Self::Withdrawn { .. } => "Withdrawn",
        }
    }
}

/// What an account can be asked to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Put money in; always accepted.
    Deposit {
        /// How much.
        amount: u64,
    },
    /// Take money out; refused when it is more than the balance.
    Withdraw {
        /// How much.
        amount: u64,
    },
}

/// Why an account refuses a command.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AccountError {
    /// A withdrawal asked for more than the balance.
    #[error("insufficient funds: balance {balance}, asked for {asked}")]
    InsufficientFunds {
        /// The balance when it was asked.
        balance: u64,
        /// What was asked for.
        asked: u64,
    },
}

/// The account's state: what its events add up to.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// Deposits minus withdrawals.
    pub balance: u64,
}

impl Aggregate for Account {
    const NAME: &'static str = "account";
    type Command = Command;
    type Event = Event;
    type Error = AccountError;
    type Services = ();

    fn handle(&self, command: &Command, (): &()) -> Result<Vec<Event>, AccountError> {
        match *command {
            Command::Deposit { amount } => Ok(vec![Event::Deposited { amount }]),
            Command::Withdraw { amount } if amount > self.balance => {
                Err(AccountError::InsufficientFunds {
                    balance: self.balance,
                    asked: amount,
                })
            }
            Command::Withdraw { amount } => Ok(vec![Event::Withdrawn { amount }]),
        }
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::Deposited { amount } => self.balance += amount,
            Event::Withdrawn { amount } => self.balance -= amount,
        }
    }
}
