//! A bank account with a clock-dependent rule: withdrawals are limited per calendar day (UTC).

use std::sync::Arc;

use es_core::{
    Aggregate, DomainEvent,
    chrono::{DateTime, NaiveDate, Utc},
};
use es_core::{Clock, SystemClock};
use serde::{Deserialize, Serialize};

/// How much may be withdrawn from one account per calendar day (UTC).
pub const DAILY_LIMIT: u64 = 500;

/// What a bank account can be asked to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BankCommand {
    /// Open the account for `owner`.
    Open {
        /// Who owns it.
        owner: String,
    },
    /// Put money in.
    Deposit {
        /// How much, in cents; more than zero.
        amount: u64,
    },
    /// Take money out, within the balance and the daily limit.
    Withdraw {
        /// How much, in cents; more than zero.
        amount: u64,
    },
    /// Close the account; its balance must be zero.
    Close,
}

/// What can happen to a bank account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum BankEvent {
    /// The account was opened.
    Opened {
        /// Who owns it.
        owner: String,
    },
    /// Money came in.
    Deposited {
        /// How much.
        amount: u64,
    },
    /// Money went out at `at`; the time is in the event so replay never reads a clock.
    Withdrawn {
        /// How much.
        amount: u64,
        /// When, by the clock of the decision.
        at: DateTime<Utc>,
    },
    /// The account was closed.
    Closed,
}

impl DomainEvent for BankEvent {
    const EVENT_TYPES: &'static [&'static str] = &[
        "AccountOpened",
        "MoneyDeposited",
        "MoneyWithdrawn",
        "AccountClosed",
    ];

    fn event_type(&self) -> &'static str {
        match self {
            Self::Opened { .. } => "AccountOpened",
            Self::Deposited { .. } => "MoneyDeposited",
            Self::Withdrawn { .. } => "MoneyWithdrawn",
            Self::Closed => "AccountClosed",
        }
    }
}

/// Why a bank account refuses a command.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BankError {
    /// Only an opened account takes money.
    #[error("the account is not open; open it first")]
    NotOpen,
    /// An account opens once.
    #[error("the account is open already")]
    AlreadyOpen,
    /// Amounts are positive.
    #[error("the amount must be more than zero")]
    ZeroAmount,
    /// Not enough money.
    #[error("insufficient funds: balance {balance}, asked for {asked}")]
    InsufficientFunds {
        /// The balance.
        balance: u64,
        /// What was asked.
        asked: u64,
    },
    /// The daily withdrawal limit would be passed.
    #[error(
        "daily limit of {limit} reached: {withdrawn} withdrawn today, asked for {asked}; try again tomorrow"
    )]
    DailyLimit {
        /// The limit ([`DAILY_LIMIT`]).
        limit: u64,
        /// Withdrawn so far today.
        withdrawn: u64,
        /// What was asked.
        asked: u64,
    },
    /// Only an empty account closes.
    #[error("the balance is {balance}; withdraw it before closing")]
    NotEmpty {
        /// The balance.
        balance: u64,
    },
}

/// What the account's decisions need: a clock.
#[derive(Clone, Debug)]
pub struct BankServices {
    /// Where "today" comes from.
    pub clock: Arc<dyn Clock>,
}

impl BankServices {
    /// Services on the wall clock, for production.
    pub fn system() -> Self {
        Self {
            clock: Arc::new(SystemClock),
        }
    }

    /// Services on `clock`; tests pass an `es_testkit::TestClock` they keep a handle to.
    pub fn with_clock(clock: impl Clock + 'static) -> Self {
        Self {
            clock: Arc::new(clock),
        }
    }
}

impl Default for BankServices {
    /// The wall clock. Tests that care about time give a `TestClock` with
    /// [`with_clock`](BankServices::with_clock).
    fn default() -> Self {
        Self::system()
    }
}

/// A bank account: balance, and what was withdrawn on the last day with a withdrawal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BankAccount {
    /// The owner, once opened.
    pub owner: Option<String>,
    /// The balance, in cents.
    pub balance: u64,
    /// Whether it is closed.
    pub closed: bool,
    /// The day of the last withdrawal and the total withdrawn that day.
    pub withdrawn_on: Option<(NaiveDate, u64)>,
}

impl BankAccount {
    fn withdrawn_on(&self, day: NaiveDate) -> u64 {
        match self.withdrawn_on {
            Some((last, total)) if last == day => total,
            _ => 0,
        }
    }
}

impl Aggregate for BankAccount {
    const NAME: &'static str = "bank-account";
    type Command = BankCommand;
    type Event = BankEvent;
    type Error = BankError;
    type Services = BankServices;

    fn handle(
        &self,
        command: &BankCommand,
        services: &BankServices,
    ) -> Result<Vec<BankEvent>, BankError> {
        let open = self.owner.is_some() && !self.closed;
        match command {
            BankCommand::Open { .. } if self.owner.is_some() => Err(BankError::AlreadyOpen),
            BankCommand::Open { owner } => Ok(vec![BankEvent::Opened {
                owner: owner.clone(),
            }]),
            _ if !open => Err(BankError::NotOpen),
            BankCommand::Deposit { amount: 0 } | BankCommand::Withdraw { amount: 0 } => {
                Err(BankError::ZeroAmount)
            }
            BankCommand::Deposit { amount } => Ok(vec![BankEvent::Deposited { amount: *amount }]),
            BankCommand::Withdraw { amount } if *amount > self.balance => {
                Err(BankError::InsufficientFunds {
                    balance: self.balance,
                    asked: *amount,
                })
            }
            BankCommand::Withdraw { amount } => {
                let now = services.clock.now();
                let withdrawn = self.withdrawn_on(now.date_naive());
                if withdrawn + amount > DAILY_LIMIT {
                    return Err(BankError::DailyLimit {
                        limit: DAILY_LIMIT,
                        withdrawn,
                        asked: *amount,
                    });
                }
                Ok(vec![BankEvent::Withdrawn {
                    amount: *amount,
                    at: now,
                }])
            }
            BankCommand::Close if self.balance > 0 => Err(BankError::NotEmpty {
                balance: self.balance,
            }),
            BankCommand::Close => Ok(vec![BankEvent::Closed]),
        }
    }

    fn apply(&mut self, event: &BankEvent) {
        match event {
            BankEvent::Opened { owner } => self.owner = Some(owner.clone()),
            BankEvent::Deposited { amount } => self.balance += amount,
            BankEvent::Withdrawn { amount, at } => {
                self.balance -= amount;
                let day = at.date_naive();
                self.withdrawn_on = Some((day, self.withdrawn_on(day) + amount));
            }
            BankEvent::Closed => self.closed = true,
        }
    }
}
