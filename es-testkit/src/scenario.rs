//! The given-when-then builder: [`Scenario`] (given) → [`When`] (the command ran) →
//! [`Then`] (assertions, chainable, and the next `when`).

use std::fmt;

use es_core::{
    Aggregate,
    chrono::{DateTime, Duration, Utc},
};

use crate::{
    TestClock, checks,
    report::Context,
    step::{Step, Then, When},
    time::{self, ScenarioClock},
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
    clock: ScenarioClock,
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
            clock: None,
            history: Vec::new(),
            state: A::default(),
        }
    }

    /// A scenario on a fresh [`TestClock`] (2024-01-01T09:00:00Z): `services` gets the clock
    /// to read, and the scenario keeps a handle to move it with
    /// [`time_passes`](Scenario::time_passes) and [`time_is`](Scenario::time_is), before the
    /// first `when` and between any two steps.
    ///
    /// The library loan of [`example::loan`](crate::example::loan) fines a return after 14
    /// days; its services are a clock:
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::{Scenario, example::loan::{Loan, LoanCommand::*, LoanServices}};
    ///
    /// Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .given_commands([Lend])
    ///     .time_passes(Duration::days(14))
    ///     .when(Return)
    ///     .then_state_matches(|loan| loan.fine == 0)
    ///     .when(Lend)
    ///     .then_state_matches(|loan| loan.lent_at.is_some())
    ///     .time_passes(Duration::days(20))
    ///     .when(Return)
    ///     .then_state_matches(|loan| loan.fine == 6);
    /// ```
    pub fn new_with_clock(services: impl FnOnce(TestClock) -> A::Services) -> Self {
        let clock = TestClock::new();
        Self::new_with_services(services(clock.clone())).with_clock(clock)
    }

    /// Gives the scenario the [`TestClock`] its services read (a clone of it), so that time
    /// steps move it.
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::{Scenario, TestClock};
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanServices};
    ///
    /// let clock = TestClock::new();
    /// Scenario::<Loan>::new_with_services(LoanServices::with_clock(clock.clone()))
    ///     .with_clock(clock)
    ///     .given_commands([Lend])
    ///     .time_passes(Duration::days(15))
    ///     .when(Return)
    ///     .then_state_matches(|loan| loan.fine == 1);
    /// ```
    pub fn with_clock(mut self, clock: TestClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Lets time pass on the scenario's clock before the next `given_commands` or `when`
    /// (a negative duration turns it back).
    ///
    /// # Panics
    ///
    /// When the scenario has no clock ([`new_with_clock`](Scenario::new_with_clock) or
    /// [`with_clock`](Scenario::with_clock) give it one).
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanEvent::*, LoanServices};
    ///
    /// let lent = es_testkit::TestClock::start(); // where the scenario's clock starts
    /// es_testkit::Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .given([Lent { at: lent }])
    ///     .time_passes(Duration::days(17))
    ///     .when(Return)
    ///     .then_events([Returned { at: lent + Duration::days(17), fine: 3 }]);
    /// ```
    #[track_caller]
    pub fn time_passes(self, by: Duration) -> Self {
        time::pass(&self.clock, "time_passes", by);
        self
    }

    /// Sets the scenario's clock to `now` before the next `given_commands` or `when`.
    ///
    /// # Panics
    ///
    /// When the scenario has no clock.
    ///
    /// ```
    /// use es_core::chrono::{Duration, TimeZone, Utc};
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanEvent::*, LoanServices};
    ///
    /// let lent = Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap();
    /// es_testkit::Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .given([Lent { at: lent }])
    ///     .time_is(lent + Duration::days(30))
    ///     .when(Return)
    ///     .then_state_matches(|loan| loan.fine == 16 && loan.days_kept == 30);
    /// ```
    #[track_caller]
    pub fn time_is(self, now: DateTime<Utc>) -> Self {
        time::set(&self.clock, "time_is", now);
        self
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
                        now: time::now(&self.clock),
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
        let Self {
            services,
            clock,
            history,
            state,
        } = self;
        When(run(state, history, (services, clock), command, 1))
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
            clock,
            mut history,
            outcome,
            state,
            step,
            ..
        } = self.0;
        if let Ok(events) = outcome {
            history.extend(events);
        }
        When(run(state, history, (services, clock), command, step + 1))
    }
}

/// Decides, evolves, and makes the built-in checks.
#[track_caller]
fn run<A>(
    mut state: A,
    history: Vec<A::Event>,
    (services, clock): (A::Services, ScenarioClock),
    command: A::Command,
    step: usize,
) -> Step<A>
where
    A: Aggregate + PartialEq,
    A::Event: PartialEq,
{
    let now = time::now(&clock);
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
            now,
        };
        panic!("{}", checks::failed(name, &context, &why));
    }
    Step {
        services,
        clock,
        now,
        history,
        command,
        outcome,
        state,
        step,
    }
}
