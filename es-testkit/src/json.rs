//! Steps given as JSON: the form in which
//! [`PropertyCheck::paste_as_json`](crate::PropertyCheck::paste_as_json) prints a shrunk
//! failure, so that it compiles when pasted into a test. Events and commands are in their serde form (serde's externally tagged
//! enums by default: `{"Deposited":{"amount":5}}`).

use es_core::Aggregate;
use serde::de::DeserializeOwned;

use crate::{Scenario, Then, When};

/// `json` parsed as a `T`, or a panic that says what did not parse.
#[track_caller]
fn parsed<T: DeserializeOwned>(step: &str, what: &str, json: &str) -> T {
    match serde_json::from_str(json) {
        Ok(value) => value,
        Err(error) => panic!("{step} failed: {json} is not {what} in serde's JSON form: {error}"),
    }
}

impl<A: Aggregate> Scenario<A> {
    /// Like [`given`](Scenario::given), with the events as a JSON array in their serde form.
    ///
    /// # Panics
    ///
    /// When `events` is not such an array.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .given_json(r#"[{"Deposited":{"amount":10}},{"Withdrawn":{"amount":4}}]"#)
    ///     .when(Withdraw { amount: 6 })
    ///     .then_events([Withdrawn { amount: 6 }]);
    /// ```
    #[track_caller]
    pub fn given_json(self, events: &str) -> Self {
        let events: Vec<A::Event> = parsed("given_json", "an array of events", events);
        self.given(events)
    }

    /// Like [`when`](Scenario::when), with the command in its serde JSON form.
    ///
    /// # Panics
    ///
    /// When `command` is not a command in that form, or as [`when`](Scenario::when) does.
    ///
    /// ```
    /// use es_testkit::example::loan::{Loan, LoanError, LoanServices};
    ///
    /// es_testkit::Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .when_json(r#""Return""#)
    ///     .then_error(LoanError::NotLent);
    /// ```
    #[track_caller]
    pub fn when_json(self, command: &str) -> When<A>
    where
        A: PartialEq,
        A::Event: PartialEq,
        A::Command: DeserializeOwned,
    {
        let command = parsed("when_json", "a command", command);
        self.when(command)
    }
}

impl<A: Aggregate + PartialEq> Then<A>
where
    A::Event: PartialEq,
{
    /// Like [`when`](Then::when), with the command in its serde JSON form.
    ///
    /// # Panics
    ///
    /// When `command` is not a command in that form, or as [`when`](Then::when) does.
    ///
    /// ```
    /// use es_testkit::example::loan::{Loan, LoanServices};
    ///
    /// es_testkit::Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .when_json(r#""Lend""#)
    ///     .outcome()
    ///     .when_json(r#""Return""#)
    ///     .then_state_matches(|loan| loan.lent_at.is_none() && loan.fine == 0);
    /// ```
    #[track_caller]
    pub fn when_json(self, command: &str) -> When<A>
    where
        A::Command: DeserializeOwned,
    {
        let command = parsed("when_json", "a command", command);
        self.when(command)
    }
}
