//! A tiny bank account, used by the examples in this crate's docs. Not part of the API.

use crate::{Aggregate, DomainEvent};

/// What can happen to an account.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Event {
    /// Money came in.
    Deposited {
        /// How much.
        amount: u64,
    },
    /// Money went out.
    Withdrawn {
        /// How much.
        amount: u64,
    },
}

impl DomainEvent for Event {
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
    /// Put money in.
    Deposit {
        /// How much.
        amount: u64,
    },
    /// Take money out.
    Withdraw {
        /// How much.
        amount: u64,
    },
}

/// Why an account refuses.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum AccountError {
    /// Not enough money.
    #[error("insufficient funds: balance {balance}, asked for {asked}")]
    InsufficientFunds {
        /// The balance.
        balance: u64,
        /// What was asked.
        asked: u64,
    },
}

/// The account's state.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// The balance.
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
