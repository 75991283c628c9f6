//! The assertions of a step: `then_events`, `then_error`, `then_state` and their friends.

use std::fmt;

use es_core::Aggregate;

use crate::{
    report,
    snapshot::{StepSnapshot, snapshot_outcome},
    step::{Then, When},
};

impl<A: Aggregate> Then<A> {
    /// Asserts the command emitted exactly `expected`, in order.
    ///
    /// # Panics
    ///
    /// With the history, the command, both event lists and a diff naming the first differing
    /// event and field, when they differ or the command was rejected.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Deposit { amount: 3 })
    ///     .then_events([Deposited { amount: 3 }])
    ///     .then_events([Deposited { amount: 3 }]);
    /// ```
    #[track_caller]
    pub fn then_events(self, expected: impl IntoIterator<Item = A::Event>) -> Self
    where
        A::Event: PartialEq,
    {
        let expected: Vec<A::Event> = expected.into_iter().collect();
        self.assert_events("then_events", &expected);
        self
    }

    /// Asserts the command was accepted and emitted nothing.
    ///
    /// ```
    /// # use es_testkit::example::*;
    /// # #[derive(Debug, Default, PartialEq)] struct Idle;
    /// # impl es_core::Aggregate for Idle { const NAME: &'static str = "idle";
    /// #   type Command = (); type Event = Event; type Error = AccountError; type Services = ();
    /// #   fn handle(&self, _: &(), _: &()) -> Result<Vec<Event>, AccountError> { Ok(vec![]) }
    /// #   fn apply(&mut self, _: &Event) {} }
    /// es_testkit::Scenario::<Idle>::new().when(()).then_no_events();
    /// ```
    #[track_caller]
    pub fn then_no_events(self) -> Self
    where
        A::Event: PartialEq,
    {
        self.assert_events("then_no_events", &[]);
        self
    }

    /// Asserts the command was rejected with `expected` (compared with `PartialEq`; use
    /// [`then_error_matches`](Then::then_error_matches) or
    /// [`then_error_message`](Then::then_error_message) for errors without it).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*, AccountError};
    /// es_testkit::Scenario::<Account>::new()
    ///     .given([Deposited { amount: 2 }])
    ///     .when(Withdraw { amount: 5 })
    ///     .then_error(AccountError::InsufficientFunds { balance: 2, asked: 5 });
    /// ```
    #[track_caller]
    pub fn then_error(self, expected: A::Error) -> Self
    where
        A::Error: PartialEq,
    {
        let what = format!("the error {expected:?}");
        let actual = self.rejection("then_error", &what);
        if *actual != expected {
            panic!(
                "then_error failed: the command was rejected with a different error\n\n{}expected error:\n  {expected}\n  ({expected:?})\nactual error:\n  {actual}\n  ({actual:?})\n{}",
                self.0.context().situation(),
                report::diff(&expected, actual)
            );
        }
        self
    }

    /// Asserts the command was rejected with an error whose `Display` is `expected`.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Withdraw { amount: 5 })
    ///     .then_error_message("insufficient funds: balance 0, asked for 5");
    /// ```
    #[track_caller]
    pub fn then_error_message(self, expected: &str) -> Self {
        let what = format!("an error saying {expected:?}");
        let actual = self.rejection("then_error_message", &what).to_string();
        if actual != expected {
            panic!(
                "{}",
                report::error_message_mismatch(&self.0.context(), expected, &actual)
            );
        }
        self
    }

    /// Asserts the command was rejected with an error that satisfies `predicate`.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, AccountError};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Withdraw { amount: 5 })
    ///     .then_error_matches(|e| matches!(e, AccountError::InsufficientFunds { asked: 5, .. }));
    /// ```
    #[track_caller]
    pub fn then_error_matches(self, predicate: impl FnOnce(&A::Error) -> bool) -> Self {
        let actual = self.rejection("then_error_matches", "an error matching the predicate");
        if !predicate(actual) {
            panic!(
                "then_error_matches failed: the error does not satisfy the predicate\n\n{}actual error:\n  {actual}\n  ({actual:?})\n",
                self.0.context().situation()
            );
        }
        self
    }

    /// Asserts the state after the command equals `expected`.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Deposit { amount: 3 })
    ///     .then_state(Account { balance: 3 });
    /// ```
    #[track_caller]
    pub fn then_state(self, expected: A) -> Self
    where
        A: PartialEq,
    {
        if self.0.state != expected {
            panic!(
                "then_state failed: the state after the command differs\n\n{}{}",
                self.0.context().situation(),
                report::diff(&expected, &self.0.state)
            );
        }
        self
    }

    /// Asserts the state after the command satisfies `predicate`.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Deposit { amount: 3 })
    ///     .then_state_matches(|account| account.balance > 0);
    /// ```
    #[track_caller]
    pub fn then_state_matches(self, predicate: impl FnOnce(&A) -> bool) -> Self {
        if !predicate(&self.0.state) {
            panic!(
                "then_state_matches failed: the state does not satisfy the predicate\n\n{}state:\n{:#?}\n",
                self.0.context().situation(),
                self.0.state
            );
        }
        self
    }

    /// Hands the emitted events (empty when the command was rejected) to `inspect`, for checks
    /// the other steps cannot express.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Deposit { amount: 3 })
    ///     .inspect_events(|events| assert_eq!(events.len(), 1));
    /// ```
    pub fn inspect_events(self, inspect: impl FnOnce(&[A::Event])) -> Self {
        inspect(self.events());
        self
    }

    /// Lets time pass on the scenario's clock before the next [`when`](Then::when) (see
    /// [`Scenario::new_with_clock`](crate::Scenario::new_with_clock)).
    ///
    /// # Panics
    ///
    /// When the scenario has no clock.
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanError, LoanServices};
    ///
    /// es_testkit::Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .when(Lend)
    ///     .then_state_matches(|loan| loan.lent_at.is_some())
    ///     .time_passes(Duration::days(15))
    ///     .when(Return)
    ///     .then_state_matches(|loan| loan.fine == 1)
    ///     .when(Return)
    ///     .then_error(LoanError::NotLent);
    /// ```
    #[track_caller]
    pub fn time_passes(self, by: es_core::chrono::Duration) -> Self {
        crate::time::pass(&self.0.clock, "time_passes", by);
        self
    }

    /// Sets the scenario's clock to `now` before the next [`when`](Then::when).
    ///
    /// # Panics
    ///
    /// When the scenario has no clock.
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::{TestClock, example::loan::{Loan, LoanCommand::*, LoanServices}};
    ///
    /// es_testkit::Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .when(Lend)
    ///     .then_state_matches(|loan| loan.lent_at == Some(TestClock::start()))
    ///     .time_is(TestClock::start() + Duration::days(24))
    ///     .when(Return)
    ///     .then_state_matches(|loan| loan.fine == 10);
    /// ```
    #[track_caller]
    pub fn time_is(self, now: es_core::chrono::DateTime<es_core::chrono::Utc>) -> Self {
        crate::time::set(&self.0.clock, "time_is", now);
        self
    }

    /// Changes the services before the next [`when`](Then::when) (for a clock of the
    /// scenario, [`time_passes`](Then::time_passes) is shorter).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Deposit { amount: 3 })
    ///     .then_state_matches(|a| a.balance == 3)
    ///     .update_services(|()| {})
    ///     .when(Deposit { amount: 1 })
    ///     .then_state_matches(|a| a.balance == 4);
    /// ```
    pub fn update_services(mut self, update: impl FnOnce(&mut A::Services)) -> Self {
        update(&mut self.0.services);
        self
    }

    /// The events the command emitted (empty when it was rejected).
    pub fn events(&self) -> &[A::Event] {
        self.0.outcome.as_deref().unwrap_or_default()
    }

    /// The error the command was rejected with, if it was.
    pub fn error(&self) -> Option<&A::Error> {
        self.0.outcome.as_ref().err()
    }

    /// The state after the command.
    pub fn state(&self) -> &A {
        &self.0.state
    }

    /// The events before the command.
    pub fn history(&self) -> &[A::Event] {
        &self.0.history
    }

    /// A serializable view of the outcome for insta (see
    /// [`assert_events_snapshot!`](crate::assert_events_snapshot)).
    pub fn snapshot(&self) -> StepSnapshot {
        snapshot_outcome(&self.0.outcome)
    }

    #[track_caller]
    fn assert_events(&self, assertion: &str, expected: &[A::Event])
    where
        A::Event: PartialEq,
    {
        let context = self.0.context();
        match &self.0.outcome {
            Ok(actual) => {
                if let Some(mismatch) = report::mismatch(expected, actual) {
                    if assertion == "then_no_events" {
                        panic!(
                            "{assertion} failed: expected no events, got {}\n\n{}emitted:\n{}",
                            report::count(actual.len()),
                            context.situation(),
                            listed(actual)
                        )
                    }
                    panic!(
                        "{}",
                        report::events_mismatch(assertion, &context, expected, actual, &mismatch)
                    );
                }
            }
            Err(error) => {
                let what = if expected.is_empty() {
                    "no events".to_owned()
                } else {
                    report::count(expected.len())
                };
                panic!(
                    "{}",
                    report::unexpected_error(assertion, &context, error, &what)
                );
            }
        }
    }

    #[track_caller]
    fn rejection(&self, assertion: &str, expected: &str) -> &A::Error {
        match &self.0.outcome {
            Err(error) => error,
            Ok(events) => panic!(
                "{}",
                report::unexpected_success(assertion, &self.0.context(), events, expected)
            ),
        }
    }
}

fn listed<E: fmt::Debug>(events: &[E]) -> String {
    let mut out = String::new();
    report::list(&mut out, events);
    out
}

/// `When` forwards every assertion to `Then`, so the first assertion ends the `#[must_use]`.
impl<A: Aggregate> When<A> {
    /// See [`Then::then_events`].
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Deposit { amount: 3 })
    ///     .then_events([Deposited { amount: 3 }]);
    /// ```
    #[track_caller]
    pub fn then_events(self, expected: impl IntoIterator<Item = A::Event>) -> Then<A>
    where
        A::Event: PartialEq,
    {
        Then(self.0).then_events(expected)
    }

    /// See [`Then::then_no_events`].
    #[track_caller]
    pub fn then_no_events(self) -> Then<A>
    where
        A::Event: PartialEq,
    {
        Then(self.0).then_no_events()
    }

    /// See [`Then::then_error`].
    #[track_caller]
    pub fn then_error(self, expected: A::Error) -> Then<A>
    where
        A::Error: PartialEq,
    {
        Then(self.0).then_error(expected)
    }

    /// See [`Then::then_error_message`].
    #[track_caller]
    pub fn then_error_message(self, expected: &str) -> Then<A> {
        Then(self.0).then_error_message(expected)
    }

    /// See [`Then::then_error_matches`].
    #[track_caller]
    pub fn then_error_matches(self, predicate: impl FnOnce(&A::Error) -> bool) -> Then<A> {
        Then(self.0).then_error_matches(predicate)
    }

    /// See [`Then::then_state`].
    #[track_caller]
    pub fn then_state(self, expected: A) -> Then<A>
    where
        A: PartialEq,
    {
        Then(self.0).then_state(expected)
    }

    /// See [`Then::then_state_matches`].
    #[track_caller]
    pub fn then_state_matches(self, predicate: impl FnOnce(&A) -> bool) -> Then<A> {
        Then(self.0).then_state_matches(predicate)
    }

    /// See [`Then::inspect_events`].
    pub fn inspect_events(self, inspect: impl FnOnce(&[A::Event])) -> Then<A> {
        Then(self.0).inspect_events(inspect)
    }

    /// Ends the step without an assertion (the built-in checks already ran), e.g. to snapshot
    /// it with [`assert_events_snapshot!`](crate::assert_events_snapshot).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// let then = es_testkit::Scenario::<Account>::new().when(Deposit { amount: 3 }).outcome();
    /// assert_eq!(then.events().len(), 1);
    /// ```
    pub fn outcome(self) -> Then<A> {
        Then(self.0)
    }
}
