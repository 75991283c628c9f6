//! The step types: [`When`] (a command has run) and [`Then`] (asserted at least once), both
//! around the [`Step`] that holds what the command ran on and what came out. The builder in
//! `scenario.rs` makes them; the assertions in `then.rs` read them.

use std::fmt;

use es_core::Aggregate;

use crate::{report::Context, time::ScenarioClock};

/// One executed step: what it ran on and what came out.
pub(crate) struct Step<A: Aggregate> {
    pub(crate) services: A::Services,
    /// The clock the services read, when the scenario was given one.
    pub(crate) clock: ScenarioClock,
    /// The clock's time when the command ran.
    pub(crate) now: Option<es_core::chrono::DateTime<es_core::chrono::Utc>>,
    /// Events before this step's command.
    pub(crate) history: Vec<A::Event>,
    pub(crate) command: A::Command,
    pub(crate) outcome: Result<Vec<A::Event>, A::Error>,
    /// The state after the command.
    pub(crate) state: A,
    pub(crate) step: usize,
}

impl<A: Aggregate> Step<A> {
    pub(crate) fn context(&self) -> Context<'_, A::Event, A::Command> {
        Context {
            history: &self.history,
            command: &self.command,
            step: self.step,
            now: self.now,
        }
    }
}

impl<A: Aggregate> fmt::Debug for Step<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step")
            .field("history", &self.history)
            .field("command", &self.command)
            .field("outcome", &self.outcome)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A command has run; assert on what it did with a `then_*` step.
///
/// Each `then_*` returns a [`Then`], on which further assertions and the next
/// [`when`](Then::when) chain.
///
/// ```
/// # use es_testkit::example::{Account, Command::*, Event::*};
/// es_testkit::Scenario::<Account>::new()
///     .when(Deposit { amount: 3 })
///     .then_events([Deposited { amount: 3 }])
///     .then_state_matches(|account| account.balance == 3);
/// ```
#[must_use = "a `when` without a `then_*` step asserts nothing beyond the built-in checks"]
pub struct When<A: Aggregate>(pub(crate) Step<A>);

impl<A: Aggregate> fmt::Debug for When<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("When").field(&self.0).finish()
    }
}

/// The outcome of a step, after at least one assertion: assert more, look at it, or run the
/// next command on the state it produced.
///
/// ```
/// # use es_testkit::example::{Account, Command::*, Event::*};
/// es_testkit::Scenario::<Account>::new()
///     .when(Deposit { amount: 3 })
///     .then_events([Deposited { amount: 3 }])
///     .when(Withdraw { amount: 2 })
///     .then_events([Withdrawn { amount: 2 }])
///     .then_state_matches(|account| account.balance == 1);
/// ```
pub struct Then<A: Aggregate>(pub(crate) Step<A>);

impl<A: Aggregate> fmt::Debug for Then<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Then").field(&self.0).finish()
    }
}
