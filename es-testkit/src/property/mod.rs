//! Property-based invariant checks: proptest generates command sequences, the kit checks the
//! aggregate's promises after every step and shrinks a failure to a minimal scenario.

use std::fmt;

use es_core::{Aggregate, SnapshotStore, chrono::Duration, testing::StoreFactory};
use proptest::{
    collection::vec,
    strategy::{BoxedStrategy, Just, Strategy},
    test_runner::{Config, TestCaseError, TestError, TestRng, TestRunner},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{TestClock, time::ScenarioClock};

mod case;
mod paste;
mod step;
mod store;

use paste::Paste;
pub use step::PropertyStep;
use store::{StoreLeg, store_leg};

/// Fresh services for a case, with the clock they read when the check has one.
pub(crate) type ServicesFor<A> =
    Box<dyn Fn() -> (<A as Aggregate>::Services, ScenarioClock) + Send + Sync>;

/// With time steps, about one generated step in three lets time pass.
const COMMAND_WEIGHT: u32 = 2;
const TIME_WEIGHT: u32 = 1;

pub(crate) type Invariant<A> = (String, Box<dyn Fn(&A) -> bool + Send + Sync>);

/// Checks an aggregate's promises on generated command sequences.
///
/// For every sequence (optionally after a generated history) it checks, step by step:
/// a rejected command changes nothing; every emitted event survives a serde round trip and has
/// a type name listed in [`EVENT_TYPES`](es_core::DomainEvent::EVENT_TYPES); your
/// [`invariant`](PropertyCheck::invariant)s hold after every step; and at the end: a replay of
/// all events gives the same state (determinism); a snapshot at any point (state serialized and
/// deserialized) plus the tail gives the same state as a full replay. With
/// [`through_store`](PropertyCheck::through_store) (a memory store) or
/// [`through_store_factory`](PropertyCheck::through_store_factory) (any provider) the sequence
/// also runs through a fresh store and the [`Repository`](es_core::Repository) with snapshots,
/// checking that versions are monotonic and gapless, that a reader sees what was written and
/// that the reloaded state matches.
///
/// A failing sequence is shrunk by proptest (commands removed, then each command simplified
/// as its strategy allows) and printed as a readable scenario.
///
/// ```
/// use es_testkit::example::{Account, Command};
/// use es_testkit::PropertyCheck;
/// use proptest::prelude::*;
///
/// let command = prop_oneof![
///     (1..100u64).prop_map(|amount| Command::Deposit { amount }),
///     (1..100u64).prop_map(|amount| Command::Withdraw { amount }),
/// ];
/// PropertyCheck::<Account>::new()
///     .invariant("balance stays below a million", |a| a.balance < 1_000_000)
///     .cases(64)
///     .run(command);
/// ```
#[must_use = "a property check does nothing until `run` or `check`"]
pub struct PropertyCheck<A: Aggregate> {
    pub(crate) services: ServicesFor<A>,
    pub(crate) invariants: Vec<Invariant<A>>,
    cases: u32,
    max_commands: usize,
    deterministic: bool,
    pub(crate) through_store: Option<StoreLeg<A>>,
    time_steps: Option<BoxedStrategy<Duration>>,
    pub(crate) paste: Paste<A>,
}

impl<A> PropertyCheck<A>
where
    A: Aggregate + Clone + PartialEq + Serialize + DeserializeOwned,
    A::Event: Clone + PartialEq,
    A::Command: Clone,
{
    /// A check with default services, 256 cases of up to 20 commands.
    pub fn new() -> Self
    where
        A::Services: Default,
    {
        Self::with_services_and_clock(Box::new(|| (A::Services::default(), None)), "new")
    }

    /// A check whose every case decides with fresh services from `services`.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command};
    /// # use proptest::prelude::*;
    /// es_testkit::PropertyCheck::<Account>::new_with_services(|| ())
    ///     .cases(8)
    ///     .run((1..9u64).prop_map(|amount| Command::Deposit { amount }));
    /// ```
    pub fn new_with_services(services: impl Fn() -> A::Services + Send + Sync + 'static) -> Self {
        Self::with_services_and_clock(Box::new(move || (services(), None)), "new_with_services")
    }

    /// A check whose every case runs on a fresh [`TestClock`] (at [`TestClock::start`]),
    /// given to `services` to read. With [`time_steps`](PropertyCheck::time_steps), generated
    /// time steps move it between commands.
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::example::loan::{Loan, LoanCommand, LoanServices, fine_for};
    /// use proptest::prelude::*;
    ///
    /// let command = prop_oneof![Just(LoanCommand::Lend), Just(LoanCommand::Return)];
    /// es_testkit::PropertyCheck::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .time_steps((1..40i64).prop_map(Duration::days))
    ///     .invariant("the fine is one per day late", |loan| {
    ///         loan.lent_at.is_some() || loan.days_kept == 0 || loan.fine >= fine_for(loan.days_kept)
    ///     })
    ///     .cases(32)
    ///     .run(command);
    /// ```
    pub fn new_with_clock(
        services: impl Fn(TestClock) -> A::Services + Send + Sync + 'static,
    ) -> Self {
        Self::with_services_and_clock(
            Box::new(move || {
                let clock = TestClock::new();
                (services(clock.clone()), Some(clock))
            }),
            "new_with_clock",
        )
    }

    fn with_services_and_clock(services: ServicesFor<A>, made_with: &'static str) -> Self {
        Self {
            services,
            invariants: Vec::new(),
            cases: 256,
            max_commands: 20,
            deterministic: false,
            through_store: None,
            time_steps: None,
            paste: Paste::debug(made_with),
        }
    }

    /// Interleaves time steps drawn from `by` with the generated commands: about one step in
    /// three moves the case's clock on by a generated duration. Time-dependent rules (due dates, expiries, daily limits) are reached, and a
    /// failure is shrunk in its time steps like in its commands (fewer, shorter). Needs a
    /// clock: [`new_with_clock`](PropertyCheck::new_with_clock).
    ///
    /// Without a clock to move, [`run`](PropertyCheck::run) panics and
    /// [`check`](PropertyCheck::check) fails before the first case, saying so.
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::example::loan::{Loan, LoanCommand, LoanServices};
    /// use proptest::prelude::*;
    ///
    /// es_testkit::PropertyCheck::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .time_steps((1..48i64).prop_map(Duration::hours))
    ///     .invariant("a loan is never kept a negative time", |loan| loan.days_kept >= 0)
    ///     .cases(16)
    ///     .run(prop_oneof![Just(LoanCommand::Lend), Just(LoanCommand::Return)]);
    /// ```
    pub fn time_steps(
        mut self,
        by: impl Strategy<Value = Duration> + Send + Sync + 'static,
    ) -> Self {
        self.time_steps = Some(by.boxed());
        self
    }

    /// Adds an invariant, checked after the history and after every command; a failure names
    /// it.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command};
    /// # use proptest::prelude::*;
    /// es_testkit::PropertyCheck::<Account>::new()
    ///     .invariant("balance below a billion", |account| account.balance < 1_000_000_000)
    ///     .cases(16)
    ///     .run((1..100u64).prop_map(|amount| Command::Deposit { amount }));
    /// ```
    pub fn invariant(
        mut self,
        name: impl Into<String>,
        holds: impl Fn(&A) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.invariants.push((name.into(), Box::new(holds)));
        self
    }

    /// How many sequences to generate (default 256).
    pub fn cases(mut self, cases: u32) -> Self {
        self.cases = cases;
        self
    }

    /// The longest sequence [`run`](PropertyCheck::run) generates (default 20 steps; time
    /// steps, when there are any, count as steps).
    pub fn max_commands(mut self, max: usize) -> Self {
        self.max_commands = max;
        self
    }

    /// Uses a fixed random seed, so every run generates the same sequences (for tests that
    /// assert on the shrunk failure).
    pub fn deterministic(mut self) -> Self {
        self.deterministic = true;
        self
    }

    /// Also runs every sequence through a fresh memory store and the repository (with
    /// snapshots every 3 events), checking gapless versions, what a reader sees and the
    /// reloaded state. Costs more per case. Works in sync and async tests alike. Feature
    /// `memory` (on by default); for another provider use
    /// [`through_store_factory`](PropertyCheck::through_store_factory).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command};
    /// # use proptest::prelude::*;
    /// es_testkit::PropertyCheck::<Account>::new()
    ///     .through_store()
    ///     .cases(8)
    ///     .run((1..100u64).prop_map(|amount| Command::Withdraw { amount }));
    /// ```
    #[cfg(feature = "memory")]
    pub fn through_store(self) -> Self {
        self.through_store_factory(|| async { memory_store::MemoryStore::new() })
    }

    /// Like [`through_store`](PropertyCheck::through_store), on stores from `factory`: every
    /// generated sequence (shrunk ones included) runs on a fresh store from
    /// [`create`](StoreFactory::create), through the factory's store for writes and its
    /// reader for the read back (waited on for as long as the reader's
    /// [`Claims::consistency`](es_core::Claims::consistency) allows). The store must keep
    /// snapshots ([`SnapshotStore`]): the leg loads through them. A factory that fails fails
    /// the case, with its error.
    ///
    /// Each case runs on a current-thread runtime of its own (on a thread of its own inside
    /// an async test), so the factory must make stores that work on any runtime.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command};
    /// # use proptest::prelude::*;
    /// use memory_store::MemoryStore;
    ///
    /// es_testkit::PropertyCheck::<Account>::new()
    ///     .through_store_factory(|| async { MemoryStore::new() })
    ///     .cases(8)
    ///     .run((1..100u64).prop_map(|amount| Command::Deposit { amount }));
    /// ```
    pub fn through_store_factory<F>(mut self, factory: F) -> Self
    where
        F: StoreFactory,
        F::Store: SnapshotStore,
    {
        self.through_store = Some(store_leg::<A, F>(factory));
        self
    }

    /// Checks sequences of up to [`max_commands`](PropertyCheck::max_commands) commands drawn
    /// from `command`, on a fresh aggregate.
    ///
    /// # Panics
    ///
    /// With the minimal failing scenario, when a check fails.
    #[track_caller]
    pub fn run(self, command: impl Strategy<Value = A::Command>) {
        if let Err(failure) = self.check(command) {
            panic!("{failure}");
        }
    }

    /// Like [`run`](PropertyCheck::run), after a history drawn from `history`.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command, Event};
    /// # use proptest::prelude::*;
    /// let history = prop::collection::vec((1..50u64).prop_map(|amount| Event::Deposited { amount }), 1..5);
    /// es_testkit::PropertyCheck::<Account>::new()
    ///     .invariant("history leaves money", |a| a.balance > 0)
    ///     .cases(16)
    ///     .run_with_history(history, (1..9u64).prop_map(|amount| Command::Deposit { amount }));
    /// ```
    #[track_caller]
    pub fn run_with_history(
        self,
        history: impl Strategy<Value = Vec<A::Event>>,
        command: impl Strategy<Value = A::Command>,
    ) {
        if let Err(failure) = self.check_with_history(history, command) {
            panic!("{failure}");
        }
    }

    /// Like [`run`](PropertyCheck::run), returning the shrunk failure instead of panicking.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command};
    /// # use proptest::prelude::*;
    /// let failure = es_testkit::PropertyCheck::<Account>::new()
    ///     .invariant("balance below 100", |a| a.balance < 100)
    ///     .deterministic()
    ///     .check((1..60u64).prop_map(|amount| Command::Deposit { amount }))
    ///     .unwrap_err();
    /// assert!(failure.reason.contains("balance below 100"));
    /// assert!(failure.commands().len() >= 2); // no single deposit reaches 100
    /// ```
    pub fn check(
        self,
        command: impl Strategy<Value = A::Command>,
    ) -> Result<(), PropertyFailure<A>> {
        self.check_with_history(Just(Vec::new()), command)
    }

    /// Like [`check`](PropertyCheck::check), after a history drawn from `history`.
    pub fn check_with_history(
        self,
        history: impl Strategy<Value = Vec<A::Event>>,
        command: impl Strategy<Value = A::Command>,
    ) -> Result<(), PropertyFailure<A>> {
        if self.time_steps.is_some() && (self.services)().1.is_none() {
            return Err(PropertyFailure::without_a_case(
                "property check failed",
                "time steps need a clock to move: build the check with `PropertyCheck::new_with_clock`",
            ));
        }
        let Some(by) = self.time_steps.clone() else {
            let steps = vec(
                command.prop_map(PropertyStep::Command),
                0..=self.max_commands,
            );
            return self.check_steps(history, steps);
        };
        // Steps of their own, not attached to a command: proptest then removes and shortens
        // time steps and commands independently while it shrinks.
        let step = proptest::prop_oneof![
            COMMAND_WEIGHT => command.prop_map(PropertyStep::Command),
            TIME_WEIGHT => by.prop_map(PropertyStep::TimePasses),
        ];
        let steps = vec(step, 0..=self.max_commands);
        self.check_steps(history, steps)
    }

    /// The most general form: histories from `history`, whole command sequences from
    /// `commands` (for sequences whose commands depend on each other).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command};
    /// # use proptest::prelude::*;
    /// // Withdraw exactly what was deposited.
    /// let pairs = (1..100u64).prop_map(|amount| {
    ///     vec![Command::Deposit { amount }, Command::Withdraw { amount }]
    /// });
    /// es_testkit::PropertyCheck::<Account>::new()
    ///     .invariant("ends empty", |a| a.balance < 100)
    ///     .cases(16)
    ///     .check_sequences(Just(Vec::new()), pairs)
    ///     .unwrap();
    /// ```
    pub fn check_sequences(
        self,
        history: impl Strategy<Value = Vec<A::Event>>,
        commands: impl Strategy<Value = Vec<A::Command>>,
    ) -> Result<(), PropertyFailure<A>> {
        let steps =
            commands.prop_map(|commands| commands.into_iter().map(PropertyStep::Command).collect());
        self.check_steps(history, steps)
    }

    /// Like [`check_sequences`](PropertyCheck::check_sequences), with whole step sequences:
    /// commands and time steps as `steps` draws them (needs
    /// [`new_with_clock`](PropertyCheck::new_with_clock) when it draws time steps).
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::{PropertyStep::*, example::loan::{Loan, LoanCommand::*, LoanServices}};
    /// use proptest::prelude::*;
    ///
    /// // Lend, keep it some days, return: the fine is what the days past 14 say.
    /// let loans = (0..30i64).prop_map(|days| {
    ///     vec![Command(Lend), TimePasses(Duration::days(days)), Command(Return)]
    /// });
    /// es_testkit::PropertyCheck::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .invariant("fined only past 14 days", |loan| loan.fine == (loan.days_kept - 14).max(0) as u64)
    ///     .cases(16)
    ///     .check_steps(Just(Vec::new()), loans)
    ///     .unwrap();
    /// ```
    pub fn check_steps(
        self,
        history: impl Strategy<Value = Vec<A::Event>>,
        steps: impl Strategy<Value = Vec<PropertyStep<A::Command>>>,
    ) -> Result<(), PropertyFailure<A>> {
        let config = Config {
            cases: self.cases,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = if self.deterministic {
            let rng = TestRng::deterministic_rng(config.rng_algorithm);
            TestRunner::new_with_rng(config, rng)
        } else {
            TestRunner::new(config)
        };
        let outcome = runner.run(&(history, steps), |(history, steps)| {
            self.run_case(&history, &steps, false)
                .map_err(|failure| TestCaseError::fail(failure.reason))
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(TestError::Fail(_, (history, steps))) => {
                // Run the minimal case again, this time keeping a trace to print.
                let failure = match self.run_case(&history, &steps, true) {
                    Err(failure) => failure,
                    Ok(()) => case::CaseFailure {
                        step: None,
                        reason: "the case failed under proptest but passes when run again; the aggregate or its services are not deterministic".to_owned(),
                        trace: Vec::new(),
                        state: None,
                    },
                };
                Err(PropertyFailure::new(&self.paste, history, steps, failure))
            }
            Err(TestError::Abort(reason)) => Err(PropertyFailure::without_a_case(
                "property check aborted",
                &reason.to_string(),
            )),
        }
    }
}

impl<A> Default for PropertyCheck<A>
where
    A: Aggregate + Clone + PartialEq + Serialize + DeserializeOwned,
    A::Event: Clone + PartialEq,
    A::Command: Clone,
    A::Services: Default,
{
    fn default() -> Self {
        Self::new()
    }
}

/// The minimal failing sequence a [`PropertyCheck`] found, with a readable report
/// (its `Display`).
pub struct PropertyFailure<A: Aggregate> {
    /// The history the commands ran after.
    pub history: Vec<A::Event>,
    /// The shrunk sequence: commands and time steps, in order.
    pub steps: Vec<PropertyStep<A::Command>>,
    /// Which check failed and why.
    pub reason: String,
    /// The index in [`steps`](PropertyFailure::steps) (the same as in
    /// [`commands`](PropertyFailure::commands) when there are no time steps) of the command
    /// after which it failed (`None`: after the history, or at the end of the sequence).
    pub failed_step: Option<usize>,
    report: String,
}

impl<A: Aggregate> PropertyFailure<A> {
    /// A failure that no generated case shows: the check could not run.
    fn without_a_case(headline: &str, reason: &str) -> Self {
        Self {
            report: format!("{headline}: {reason}"),
            reason: reason.to_owned(),
            failed_step: None,
            history: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// The commands of the shrunk sequence: its [`steps`](PropertyFailure::steps) without the
    /// time steps.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command};
    /// # use proptest::prelude::*;
    /// let failure = es_testkit::PropertyCheck::<Account>::new()
    ///     .invariant("balance below 100", |a| a.balance < 100)
    ///     .deterministic()
    ///     .check((1..60u64).prop_map(|amount| Command::Deposit { amount }))
    ///     .unwrap_err();
    /// assert_eq!(failure.commands().len(), failure.steps.len()); // no time steps here
    /// ```
    pub fn commands(&self) -> Vec<A::Command>
    where
        A::Command: Clone,
    {
        self.steps
            .iter()
            .filter_map(PropertyStep::command)
            .cloned()
            .collect()
    }
}

impl<A: Aggregate> fmt::Display for PropertyFailure<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report)
    }
}

impl<A: Aggregate> fmt::Debug for PropertyFailure<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report)
    }
}

impl<A: Aggregate> fmt::Debug for PropertyCheck<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.invariants.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("PropertyCheck")
            .field("aggregate", &A::NAME)
            .field("invariants", &names)
            .field("cases", &self.cases)
            .field("max_commands", &self.max_commands)
            .field("through_store", &self.through_store.is_some())
            .field("time_steps", &self.time_steps.is_some())
            .finish_non_exhaustive()
    }
}
