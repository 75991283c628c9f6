//! The example domain for time: a library loan. A book is lent for [`LOAN_DAYS`] days; a
//! return after that owes a fine of 1 per whole day late. "Now" comes from the loan's services
//! ([`LoanServices`]), so a test moves time with a [`TestClock`](crate::TestClock) and the
//! time steps of [`Scenario`](crate::Scenario).
//!
//! ```
//! use es_core::chrono::Duration;
//! use es_testkit::{Scenario, example::loan::{Loan, LoanCommand::*, LoanServices}};
//!
//! Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
//!     .given_commands([Lend])
//!     .time_passes(Duration::days(16))
//!     .when(Return)
//!     .then_state_matches(|loan| loan.fine == 2);
//! ```

use std::{fmt, sync::Arc};

use es_core::{
    Aggregate, Clock, DomainEvent, SystemClock,
    chrono::{DateTime, Utc},
};

/// How many days a book may be kept without a fine.
pub const LOAN_DAYS: i64 = 14;

/// What can happen to a loan.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LoanEvent {
    /// The book went out (type name `"Lent"`); the time is in the event so replay reads no
    /// clock.
    Lent {
        /// When, by the clock of the decision.
        at: DateTime<Utc>,
    },
    /// The book came back (type name `"Returned"`).
    Returned {
        /// When, by the clock of the decision.
        at: DateTime<Utc>,
        /// Whole days kept past [`LOAN_DAYS`], the fine owed (0 when on time).
        fine: u64,
    },
}

impl DomainEvent for LoanEvent {
    const EVENT_TYPES: &'static [&'static str] = &["Lent", "Returned"];

    fn event_type(&self) -> &'static str {
        match self {
            Self::Lent { .. } => "Lent",
            Self::Returned { .. } => "Returned",
        }
    }
}

/// What a loan can be asked to do.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LoanCommand {
    /// Lend the book; refused while it is out.
    Lend,
    /// Take the book back; refused when it is not out.
    Return,
}

/// Why a loan refuses a command.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LoanError {
    /// The book is out already.
    #[error("the book is already lent; return it first")]
    AlreadyLent,
    /// The book is not out.
    #[error("the book is not lent; lend it first")]
    NotLent,
}

/// What a loan's decisions need: a clock.
#[derive(Clone)]
pub struct LoanServices {
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
}

impl LoanServices {
    /// Services on `clock`; tests pass a [`TestClock`](crate::TestClock) they keep a handle
    /// to (or let [`Scenario::new_with_clock`](crate::Scenario::new_with_clock) do it).
    pub fn with_clock(clock: impl Clock + 'static) -> Self {
        Self {
            clock: Arc::new(clock),
        }
    }
}

impl Default for LoanServices {
    /// The wall clock.
    fn default() -> Self {
        Self::with_clock(SystemClock)
    }
}

impl fmt::Debug for LoanServices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoanServices(now: {})", self.clock.now().to_rfc3339())
    }
}

/// A loan's state.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Loan {
    /// When the book went out, while it is out.
    pub lent_at: Option<DateTime<Utc>>,
    /// Whole days the last loan lasted, once returned.
    pub days_kept: i64,
    /// Fines owed over all loans.
    pub fine: u64,
}

/// The fine for a loan of `days_kept` whole days.
pub fn fine_for(days_kept: i64) -> u64 {
    u64::try_from(days_kept - LOAN_DAYS).unwrap_or(0)
}

impl Aggregate for Loan {
    const NAME: &'static str = "loan";
    type Command = LoanCommand;
    type Event = LoanEvent;
    type Error = LoanError;
    type Services = LoanServices;

    fn handle(
        &self,
        command: &LoanCommand,
        services: &LoanServices,
    ) -> Result<Vec<LoanEvent>, LoanError> {
        let at = services.clock.now();
        match (command, self.lent_at) {
            (LoanCommand::Lend, Some(_)) => Err(LoanError::AlreadyLent),
            (LoanCommand::Lend, None) => Ok(vec![LoanEvent::Lent { at }]),
            (LoanCommand::Return, None) => Err(LoanError::NotLent),
            (LoanCommand::Return, Some(lent_at)) => Ok(vec![LoanEvent::Returned {
                at,
                fine: fine_for((at - lent_at).num_days()),
            }]),
        }
    }

    fn apply(&mut self, event: &LoanEvent) {
        match event {
            LoanEvent::Lent { at } => self.lent_at = Some(*at),
            LoanEvent::Returned { at, fine } => {
                if let Some(lent_at) = self.lent_at.take() {
                    self.days_kept = (*at - lent_at).num_days();
                }
                self.fine += fine;
            }
        }
    }
}
