//! A tiny aggregate for the cases that go through es-core's `Repository`: a ledger that
//! records amounts and refuses to go below zero.

use es_core::{Aggregate, DomainEvent};

/// What happens to a ledger.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LedgerEvent {
    /// An amount was added.
    Added {
        /// How much.
        amount: i64,
    },
}

impl DomainEvent for LedgerEvent {
    const EVENT_TYPES: &'static [&'static str] = &["Added"];

    fn event_type(&self) -> &'static str {
        "Added"
    }
}

/// What a ledger can be asked.
#[derive(Clone, Debug, PartialEq)]
pub enum LedgerCommand {
    /// Add `amount` (negative to take away).
    Add {
        /// How much.
        amount: i64,
    },
}

/// Why a ledger refuses.
#[derive(Debug, PartialEq, Eq)]
pub struct WouldGoNegative;

impl std::fmt::Display for WouldGoNegative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the ledger would go below zero")
    }
}

impl std::error::Error for WouldGoNegative {}

/// The ledger's state: the total and how many amounts made it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    /// The sum of all amounts.
    pub total: i64,
    /// How many amounts were added.
    pub entries: u64,
}

impl Aggregate for Ledger {
    const NAME: &'static str = "ledger";
    type Command = LedgerCommand;
    type Event = LedgerEvent;
    type Error = WouldGoNegative;
    type Services = ();

    fn handle(
        &self,
        command: &LedgerCommand,
        (): &(),
    ) -> Result<Vec<LedgerEvent>, WouldGoNegative> {
        let LedgerCommand::Add { amount } = *command;
        if self.total + amount < 0 {
            return Err(WouldGoNegative);
        }
        Ok(vec![LedgerEvent::Added { amount }])
    }

    fn apply(&mut self, event: &LedgerEvent) {
        let LedgerEvent::Added { amount } = *event;
        self.total += amount;
        self.entries += 1;
    }
}
