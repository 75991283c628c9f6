//! The outcome of a store-backed step, its built-in checks and its assertions.

use std::fmt;

use es_core::{
    Aggregate, EventStore, ExecuteError, Executed, Loaded, RecordedEvent, StreamId,
    chrono::{DateTime, Duration, Utc},
};

use super::{SnapshotsOff, StoreScenario, decode, describe, gapless};
use crate::{
    checks,
    report::{self, Context},
    snapshot::{StepSnapshot, snapshot_events},
};

/// What a command did when run through the store: assert on it like on a
/// [`Then`](crate::Then), look at the stored events, or run the next command.
///
/// ```
/// # use es_testkit::example::{Account, Command::*, Event::*, AccountError};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// es_testkit::StoreScenario::<Account>::new()
///     .when(Deposit { amount: 5 }).await
///     .then_events([Deposited { amount: 5 }])
///     .when(Withdraw { amount: 9 }).await
///     .then_error(AccountError::InsufficientFunds { balance: 5, asked: 9 })
///     .then_version(1);
/// # });
/// ```
pub struct StoreThen<A: Aggregate, S, P = SnapshotsOff> {
    scenario: StoreScenario<A, S, P>,
    history: Vec<A::Event>,
    /// The scenario clock's time when the command ran.
    now: Option<DateTime<Utc>>,
    command: A::Command,
    outcome: Result<Vec<A::Event>, ExecuteError<A::Error>>,
    state: A,
    recorded: Vec<RecordedEvent>,
    attempts: u32,
}

/// Makes the built-in checks of a store-backed step and keeps what it produced.
pub(super) fn finish<A, S, P>(
    scenario: StoreScenario<A, S, P>,
    (history, now): (Vec<A::Event>, Option<DateTime<Utc>>),
    command: A::Command,
    outcome: Result<Executed<A>, ExecuteError<A::Error>>,
    recorded: Vec<RecordedEvent>,
    reloaded: es_core::Result<Loaded<A>>,
) -> StoreThen<A, S, P>
where
    A: Aggregate + PartialEq,
    A::Event: PartialEq,
    S: EventStore + Clone,
{
    let context = Context {
        history: &history,
        command: &command,
        step: scenario.step,
        now,
    };
    let fail =
        |check: &str, why: String| -> ! { panic!("{}", checks::failed(check, &context, &why)) };
    if let Err(why) = gapless(&recorded) {
        fail("versions are gapless", why);
    }
    let stored = decode::<A>(&scenario.upcasters, &recorded)
        .unwrap_or_else(|why| fail("stored events read back", why));
    let loaded = reloaded.unwrap_or_else(|error| {
        fail(
            "the stream reloads",
            format!("loading stream {} failed: {error}", scenario.stream),
        )
    });
    let attempts = outcome.as_ref().map_or(0, |executed| executed.attempts);
    let outcome = outcome.map(|executed| {
        let tail = stored.get(history.len()..).unwrap_or_default();
        if let Some(mismatch) = report::mismatch(&executed.events, tail) {
            fail(
                "stored events read back as emitted",
                format!(
                    "the events read back from the store differ from the ones the aggregate emitted: {mismatch}\n{}",
                    report::diff(executed.events.as_slice(), tail)
                        .replace("-expected +actual", "-emitted +stored")
                ),
            );
        }
        if loaded.state != executed.state {
            fail(
                "a reload gives the executed state",
                report::diff(&executed.state, &loaded.state)
                    .replace("-expected +actual", "-executed +reloaded"),
            );
        }
        executed.events
    });
    if let Err(ExecuteError::Rejected(_)) = &outcome
        && stored.len() != history.len()
    {
        fail(
            "a rejected command stores nothing",
            format!(
                "the stream held {} before and {} after",
                report::count(history.len()),
                report::count(stored.len())
            ),
        );
    }
    if let Err(why) = checks::deterministic(&loaded.state, &stored, &[]) {
        fail("replay is deterministic", why);
    }
    StoreThen {
        scenario,
        history,
        now,
        command,
        outcome,
        state: loaded.state,
        recorded,
        attempts,
    }
}

impl<A: Aggregate, S: EventStore + Clone, P> StoreThen<A, S, P> {
    /// Runs another command on the same stream.
    pub async fn when(self, command: A::Command) -> StoreThen<A, S, P>
    where
        A: PartialEq,
        A::Event: PartialEq,
    {
        let mut scenario = self.scenario;
        scenario.step += 1;
        scenario.when(command).await
    }

    /// Lets time pass on the scenario's clock before the next [`when`](StoreThen::when) (see
    /// [`StoreScenario::with_clock`]).
    ///
    /// # Panics
    ///
    /// When the scenario has no clock.
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanServices};
    /// # es_testkit::__private::block_on(async {
    ///
    /// es_testkit::StoreScenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .when(Lend).await
    ///     .time_passes(Duration::days(16))
    ///     .when(Return).await
    ///     .then_state_matches(|loan| loan.fine == 2);
    /// # });
    /// ```
    #[track_caller]
    pub fn time_passes(self, by: Duration) -> Self {
        crate::time::pass(&self.scenario.clock, "time_passes", by);
        self
    }

    /// Sets the scenario's clock to `now` before the next [`when`](StoreThen::when).
    ///
    /// # Panics
    ///
    /// When the scenario has no clock.
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::{TestClock, example::loan::{Loan, LoanCommand::*, LoanServices}};
    /// # es_testkit::__private::block_on(async {
    ///
    /// es_testkit::StoreScenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .when(Lend).await
    ///     .time_is(TestClock::start() + Duration::days(15))
    ///     .when(Return).await
    ///     .then_state_matches(|loan| loan.fine == 1);
    /// # });
    /// ```
    #[track_caller]
    pub fn time_is(self, now: DateTime<Utc>) -> Self {
        crate::time::set(&self.scenario.clock, "time_is", now);
        self
    }

    /// Changes the services before the next [`when`](StoreThen::when).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// # es_testkit::__private::block_on(async {
    /// es_testkit::StoreScenario::<Account>::new()
    ///     .when(Deposit { amount: 2 }).await
    ///     .update_services(|()| {})
    ///     .when(Deposit { amount: 1 }).await
    ///     .then_state_matches(|account| account.balance == 3);
    /// # });
    /// ```
    pub fn update_services(mut self, update: impl FnOnce(&mut A::Services)) -> Self {
        update(&mut self.scenario.services);
        self
    }

    /// Asserts the command emitted (and stored) exactly `expected`, in order.
    #[track_caller]
    pub fn then_events(self, expected: impl IntoIterator<Item = A::Event>) -> Self
    where
        A::Event: PartialEq,
    {
        let expected: Vec<A::Event> = expected.into_iter().collect();
        let context = self.context();
        match &self.outcome {
            Ok(actual) => {
                if let Some(mismatch) = report::mismatch(&expected, actual) {
                    panic!(
                        "{}",
                        report::events_mismatch(
                            "then_events",
                            &context,
                            &expected,
                            actual,
                            &mismatch
                        )
                    );
                }
            }
            Err(error) => panic!(
                "{}",
                report::unexpected_error(
                    "then_events",
                    &context,
                    error,
                    &report::count(expected.len())
                )
            ),
        }
        self
    }

    /// Asserts the command was accepted and emitted nothing.
    #[track_caller]
    pub fn then_no_events(self) -> Self
    where
        A::Event: PartialEq,
    {
        self.then_events([])
    }

    /// Asserts the aggregate rejected the command with `expected`.
    #[track_caller]
    pub fn then_error(self, expected: A::Error) -> Self
    where
        A::Error: PartialEq,
    {
        let actual = self.rejection("then_error", &format!("the error {expected:?}"));
        if *actual != expected {
            panic!(
                "then_error failed: the command was rejected with a different error\n\n{}expected error:\n  {expected}\n  ({expected:?})\nactual error:\n  {actual}\n  ({actual:?})\n",
                self.context().situation(),
            );
        }
        self
    }

    /// Asserts the aggregate rejected the command with an error whose `Display` is `expected`.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// # es_testkit::__private::block_on(async {
    /// es_testkit::StoreScenario::<Account>::new()
    ///     .when(Withdraw { amount: 5 }).await
    ///     .then_error_message("insufficient funds: balance 0, asked for 5");
    /// # });
    /// ```
    #[track_caller]
    pub fn then_error_message(self, expected: &str) -> Self {
        let what = format!("an error saying {expected:?}");
        let actual = self.rejection("then_error_message", &what).to_string();
        if actual != expected {
            panic!(
                "{}",
                report::error_message_mismatch(&self.context(), expected, &actual)
            );
        }
        self
    }

    /// Asserts the aggregate rejected the command with an error satisfying `predicate`.
    #[track_caller]
    pub fn then_error_matches(self, predicate: impl FnOnce(&A::Error) -> bool) -> Self {
        let actual = self.rejection("then_error_matches", "an error matching the predicate");
        if !predicate(actual) {
            panic!(
                "then_error_matches failed: the error does not satisfy the predicate\n\n{}actual error:\n  {actual}\n  ({actual:?})\n",
                self.context().situation()
            );
        }
        self
    }

    /// Asserts the state reloaded from the store equals `expected`.
    #[track_caller]
    pub fn then_state(self, expected: A) -> Self
    where
        A: PartialEq,
    {
        if self.state != expected {
            panic!(
                "then_state failed: the state reloaded from the store differs\n\n{}{}",
                self.context().situation(),
                report::diff(&expected, &self.state)
            );
        }
        self
    }

    /// Asserts the state reloaded from the store satisfies `predicate`.
    #[track_caller]
    pub fn then_state_matches(self, predicate: impl FnOnce(&A) -> bool) -> Self {
        if !predicate(&self.state) {
            panic!(
                "then_state_matches failed: the state does not satisfy the predicate\n\n{}state:\n{:#?}\n",
                self.context().situation(),
                self.state
            );
        }
        self
    }

    /// Asserts the stream's version after the step (the number of events it holds).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// # es_testkit::__private::block_on(async {
    /// es_testkit::StoreScenario::<Account>::new()
    ///     .given([Deposited { amount: 1 }])
    ///     .when(Deposit { amount: 1 }).await
    ///     .then_version(2);
    /// # });
    /// ```
    #[track_caller]
    pub fn then_version(self, expected: u64) -> Self {
        let actual = self.recorded.last().map_or(0, |event| event.version.get());
        if actual != expected {
            panic!(
                "then_version failed: the stream is at version {actual}, expected {expected}\n\n{}",
                self.context().situation()
            );
        }
        self
    }

    /// Hands the stream's stored events (type-erased, with versions and metadata) to `inspect`.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// # es_testkit::__private::block_on(async {
    /// es_testkit::StoreScenario::<Account>::new()
    ///     .when(Deposit { amount: 1 }).await
    ///     .inspect_stored(|stored| assert_eq!(stored[0].event_type.as_str(), "Deposited"));
    /// # });
    /// ```
    pub fn inspect_stored(self, inspect: impl FnOnce(&[RecordedEvent])) -> Self {
        inspect(&self.recorded);
        self
    }

    /// The events the command emitted (empty when it was not executed).
    pub fn events(&self) -> &[A::Event] {
        self.outcome.as_deref().unwrap_or_default()
    }

    /// Why the command was not executed, if it was not.
    pub fn error(&self) -> Option<&ExecuteError<A::Error>> {
        self.outcome.as_ref().err()
    }

    /// The state reloaded from the store after the step.
    pub fn state(&self) -> &A {
        &self.state
    }

    /// How many attempts the executor needed (0 when the command was not executed).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The store the scenario runs on.
    pub fn store(&self) -> &S {
        &self.scenario.store
    }

    /// The stream the scenario runs on.
    pub fn stream(&self) -> &StreamId {
        &self.scenario.stream
    }

    /// A serializable view of the outcome for [`assert_events_snapshot!`](crate::assert_events_snapshot).
    pub fn snapshot(&self) -> StepSnapshot {
        match &self.outcome {
            Ok(events) => StepSnapshot::Events(snapshot_events(events)),
            Err(error) => StepSnapshot::Rejected(describe(error)),
        }
    }

    fn context(&self) -> Context<'_, A::Event, A::Command> {
        Context {
            history: &self.history,
            command: &self.command,
            step: self.scenario.step,
            now: self.now,
        }
    }

    #[track_caller]
    fn rejection(&self, assertion: &str, expected: &str) -> &A::Error {
        match &self.outcome {
            Err(ExecuteError::Rejected(error)) => error,
            Err(other) => panic!(
                "{assertion} failed: the store failed instead of the aggregate rejecting the command: {other}\n\n{}",
                self.context().situation()
            ),
            Ok(events) => panic!(
                "{}",
                report::unexpected_success(assertion, &self.context(), events, expected)
            ),
        }
    }
}

impl<A: Aggregate, S: fmt::Debug, P> fmt::Debug for StoreThen<A, S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreThen")
            .field("scenario", &self.scenario)
            .field("command", &self.command)
            .field("outcome", &self.outcome)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
