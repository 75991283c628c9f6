//! The given-when-then builder: [`Scenario`] (given) → [`When`] (the command ran) →
//! [`Then`] (assertions, chainable, and the next `when`).

use std::fmt;

use es_core::Aggregate;

use crate::{
    checks,
    report::Context,
    step::{Step, Then, When},
};

/// A given-when-then test of one aggregate, run synchronously (no runtime needed, so it also
/// works inside `#[tokio::test]`).
///
/// Start with [`new`](Scenario::new), give a history ([`given`](Scenario::given),
/// [`given_commands`](Scenario::given_commands) or
/// [`given_no_history`](Scenario::given_no_history)), run a command with
/// [`when`](Scenario::when) and assert on the outcome with the `then_*` methods of [`When`].
///
/// Every `when` also checks, silently when they hold, that each emitted event survives a serde
/// round trip, that its type name is listed in
/// [`DomainEvent::EVENT_TYPES`](es_core::DomainEvent::EVENT_TYPES), that replaying history +
/// emitted events on a fresh state gives the scenario's state, and that a rejected command
/// changed nothing. That is why the aggregate and its events must be `PartialEq`.
///
/// ```
/// use es_testkit::example::{Account, Command::*, Event::*};
/// use es_testkit::Scenario;
///
/// Scenario::<Account>::new()
///     .given([Deposited { amount: 100 }])
///     .when(Withdraw { amount: 30 })
///     .then_events([Withdrawn { amount: 30 }]);
/// ```
#[must_use = "a scenario asserts nothing until `when` and a `then_*` step"]
pub struct Scenario<A: Aggregate> {
    services: A::Services,
    history: Vec<A::Event>,
    state: A,
}

impl<A: Aggregate> Scenario<A> {
    /// A scenario with default services and no history yet.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .given_no_history()
    ///     .when(Deposit { amount: 5 })
    ///     .then_events([Deposited { amount: 5 }]);
    /// ```
    pub fn new() -> Self
    where
        A::Services: Default,
    {
        Self::new_with_services(A::Services::default())
    }

    /// A scenario whose aggregate decides with `services` (for services without a default).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new_with_services(())
    ///     .when(Deposit { amount: 5 })
    ///     .then_events([Deposited { amount: 5 }]);
    /// ```
    pub fn new_with_services(services: A::Services) -> Self {
        Self {
            services,
            history: Vec::new(),
            state: A::default(),
        }
    }

    /// Replaces the services the aggregate decides with (a [`TestClock`](crate::TestClock), a
    /// price list, ...). Keep a clone of a shared handle to change it between steps.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .with_services(())
    ///     .when(Deposit { amount: 5 })
    ///     .then_events([Deposited { amount: 5 }]);
    /// ```
    pub fn with_services(mut self, services: A::Services) -> Self {
        self.services = services;
        self
    }

    /// Adds events to the history, in order. May be called more than once.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .given([Deposited { amount: 10 }])
    ///     .given([Withdrawn { amount: 4 }])
    ///     .when(Withdraw { amount: 6 })
    ///     .then_events([Withdrawn { amount: 6 }]);
    /// ```
    pub fn given(mut self, events: impl IntoIterator<Item = A::Event>) -> Self {
        for event in events {
            self.state.apply(&event);
            self.history.push(event);
        }
        self
    }

    /// States that the aggregate has no history: the command meets a fresh state.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, AccountError};
    /// es_testkit::Scenario::<Account>::new()
    ///     .given_no_history()
    ///     .when(Withdraw { amount: 1 })
    ///     .then_error(AccountError::InsufficientFunds { balance: 0, asked: 1 });
    /// ```
    pub fn given_no_history(self) -> Self {
        self
    }

    /// Builds the history by running commands, each on the state the previous ones left.
    ///
    /// # Panics
    ///
    /// When a command is rejected: a history must be something that can happen.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .given_commands([Deposit { amount: 10 }, Withdraw { amount: 3 }])
    ///     .when(Withdraw { amount: 7 })
    ///     .then_events([Withdrawn { amount: 7 }]);
    /// ```
    #[track_caller]
    pub fn given_commands(mut self, commands: impl IntoIterator<Item = A::Command>) -> Self {
        for (index, command) in commands.into_iter().enumerate() {
            match self.state.handle(&command, &self.services) {
                Ok(events) => {
                    self = self.given(events);
                }
                Err(error) => {
                    let context = Context {
                        history: &self.history,
                        command: &command,
                        step: 1,
                    };
                    panic!(
                        "given_commands failed: given command #{index} was rejected: {error}\n\n{}a history must be something that can happen; fix the command or give events instead",
                        context.situation()
                    );
                }
            }
        }
        self
    }

    /// Runs `command` on the state the history produced and makes the built-in checks.
    ///
    /// # Panics
    ///
    /// When a built-in check fails: an emitted event does not survive a serde round trip or
    /// has a type name its `EVENT_TYPES` does not list, replay is not deterministic, or a
    /// rejected command changed the state.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// let then = es_testkit::Scenario::<Account>::new()
    ///     .given([Deposited { amount: 10 }])
    ///     .when(Deposit { amount: 1 })
    ///     .then_events([Deposited { amount: 1 }]);
    /// assert_eq!(then.state().balance, 11);
    /// ```
    #[track_caller]
    pub fn when(self, command: A::Command) -> When<A>
    where
        A: PartialEq,
        A::Event: PartialEq,
    {
        When(run(self.state, self.history, self.services, command, 1))
    }
}

impl<A: Aggregate> Default for Scenario<A>
where
    A::Services: Default,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<A: Aggregate> fmt::Debug for Scenario<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("aggregate", &A::NAME)
            .field("history", &self.history)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<A: Aggregate + PartialEq> Then<A>
where
    A::Event: PartialEq,
{
    /// Runs another command on the state this step produced (its events join the history).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// es_testkit::Scenario::<Account>::new()
    ///     .when(Deposit { amount: 3 })
    ///     .then_events([Deposited { amount: 3 }])
    ///     .when(Deposit { amount: 4 })
    ///     .then_state_matches(|account| account.balance == 7);
    /// ```
    #[track_caller]
    pub fn when(self, command: A::Command) -> When<A> {
        let Step {
            services,
            mut history,
            outcome,
            state,
            step,
            ..
        } = self.0;
        if let Ok(events) = outcome {
            history.extend(events);
        }
        When(run(state, history, services, command, step + 1))
    }
}

/// Decides, evolves, and makes the built-in checks.
#[track_caller]
fn run<A>(
    mut state: A,
    history: Vec<A::Event>,
    services: A::Services,
    command: A::Command,
    step: usize,
) -> Step<A>
where
    A: Aggregate + PartialEq,
    A::Event: PartialEq,
{
    let outcome = state.handle(&command, &services);
    let check = match &outcome {
        Ok(events) => {
            for event in events {
                state.apply(event);
            }
            checks::round_trip(events)
                .map_err(|why| ("every event survives a serde round trip", why))
                .and_then(|()| {
                    checks::declared(events).map_err(|why| ("every event type is declared", why))
                })
                .and_then(|()| {
                    checks::deterministic(&state, &history, events)
                        .map_err(|why| ("replay is deterministic", why))
                })
        }
        Err(_) => checks::unchanged(&state, &history)
            .map_err(|why| ("a rejected command changes nothing", why)),
    };
    if let Err((name, why)) = check {
        let context = Context {
            history: &history,
            command: &command,
            step,
        };
        panic!("{}", checks::failed(name, &context, &why));
    }
    Step {
        services,
        history,
        command,
        outcome,
        state,
        step,
    }
}
