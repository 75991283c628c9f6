//! Store-backed scenarios: the same given-when-then, run through a real [`EventStore`] and
//! [`Repository`], so serialization, upcasting, snapshots and concurrency are checked end to end.

use std::{fmt, marker::PhantomData};

use es_core::{
    Aggregate, DomainEvent, EventStore, EventWriterExt, ExecuteError, ExpectedVersion, Metadata,
    NewEvent, ReadStream, RecordedEvent, Repository, RetryPolicy, SnapshotStore, StreamId,
    Upcasters, testing::StoreFactory, uuid::Uuid,
};
#[cfg(feature = "memory")]
use memory_store::MemoryStore;
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    TestClock,
    time::{self, ScenarioClock},
};

mod race;
mod snapshots;
mod then;

pub use race::{RaceOutcome, StoreRace};
use snapshots::enable_snapshots;
pub use then::StoreThen;

type EnableSnapshots<A, S> = fn(Repository<A, S>, u64) -> Repository<A, S>;

/// Type state of a [`StoreScenario`] that loads without snapshots: any [`EventStore`] serves it.
#[derive(Debug)]
pub enum SnapshotsOff {}

/// Type state of a [`StoreScenario`] that loads through snapshots
/// ([`with_snapshots`](StoreScenario::with_snapshots)): only a [`SnapshotStore`] serves it,
/// also after [`on_store`](StoreScenario::on_store).
#[derive(Debug)]
pub enum SnapshotsOn {}

/// Defines the scenario type, with the memory store as its default store when there is one.
macro_rules! store_scenario {
    ($($default:tt)*) => {
        /// A scenario run through a real event store: the history is appended to a stream, the
        /// command goes through [`Repository::execute`], and the outcome is read back from the
        /// store.
        ///
        /// Besides the `then_*` assertions of [`StoreThen`], every `when` checks: versions of
        /// the stream run 1, 2, 3, ... without gaps; the stored events read back (through the
        /// upcasters) equal the events the aggregate emitted; a reload gives the state the
        /// executor computed, which equals a replay of history + events; a rejected command
        /// stored nothing.
        ///
        /// The store is a fresh memory store with [`new`](StoreScenario::new) (feature
        /// `memory`, on by default), or the one given to [`on`](StoreScenario::on) or
        /// [`on_store`](StoreScenario::on_store). Each scenario uses its own stream
        /// (`<aggregate>-<uuid>`), so a shared database is fine. The last type parameter says
        /// whether it loads through snapshots ([`SnapshotsOff`], [`SnapshotsOn`]), so that
        /// only a store that keeps snapshots can serve a scenario that uses them.
        ///
        /// ```
        /// use es_testkit::example::{Account, Command::*, Event::*};
        /// use es_testkit::StoreScenario;
        ///
        /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        /// StoreScenario::<Account>::new()
        ///     .given([Deposited { amount: 100 }])
        ///     .when(Withdraw { amount: 30 }).await
        ///     .then_events([Withdrawn { amount: 30 }])
        ///     .then_version(2);
        /// # });
        /// ```
        #[must_use = "a store scenario does nothing until `when(...).await`"]
        pub struct StoreScenario<A: Aggregate, S $($default)*, P = SnapshotsOff> {
            pub(crate) store: S,
            pub(crate) stream: StreamId,
            pub(crate) services: A::Services,
            pub(crate) clock: ScenarioClock,
            pub(crate) upcasters: Upcasters,
            pub(crate) snapshots: Option<(u64, EnableSnapshots<A, S>)>,
            pub(crate) retry: RetryPolicy,
            /// Events to append before the command (raw, so old shapes can be given).
            pub(crate) given: Vec<NewEvent>,
            pub(crate) step: usize,
            pub(crate) snapshot_state: PhantomData<fn() -> P>,
        }
    };
}

#[cfg(feature = "memory")]
store_scenario!(= MemoryStore);
#[cfg(not(feature = "memory"))]
store_scenario!();

#[cfg(feature = "memory")]
impl<A: Aggregate> StoreScenario<A, MemoryStore> {
    /// A scenario on a fresh [`MemoryStore`], with default services (feature `memory`).
    pub fn new() -> Self
    where
        A::Services: Default,
    {
        Self::new_with_services(A::Services::default())
    }

    /// A scenario on a fresh [`MemoryStore`] whose aggregate decides with `services` (feature
    /// `memory`).
    pub fn new_with_services(services: A::Services) -> Self {
        Self::on_with_services(MemoryStore::new(), services)
    }

    /// A scenario on a fresh memory store and a fresh [`TestClock`]: `services` gets the
    /// clock to read, the scenario keeps a handle for its time steps (see
    /// [`Scenario::new_with_clock`](crate::Scenario::new_with_clock)).
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanServices};
    /// # es_testkit::__private::block_on(async {
    ///
    /// es_testkit::StoreScenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .when(Lend).await
    ///     .time_passes(Duration::days(20))
    ///     .when(Return).await
    ///     .then_state_matches(|loan| loan.fine == 6 && loan.days_kept == 20);
    /// # });
    /// ```
    pub fn new_with_clock(services: impl FnOnce(TestClock) -> A::Services) -> Self {
        Self::on_with_clock(MemoryStore::new(), services)
    }
}

#[cfg(feature = "memory")]
impl<A: Aggregate> Default for StoreScenario<A, MemoryStore>
where
    A::Services: Default,
{
    fn default() -> Self {
        Self::new()
    }
}

fn unreachable_stream() -> StreamId {
    // A UUID's text is 36 printable bytes: StreamId::new accepts it.
    unreachable!("a UUID is always a valid stream id")
}

impl<A: Aggregate, S: EventStore + Clone> StoreScenario<A, S> {
    /// A scenario on `store` (PostgreSQL, your own provider, or a store you keep a handle to),
    /// with default services.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// # es_testkit::__private::block_on(async {
    /// let store = memory_store::MemoryStore::new();
    /// es_testkit::StoreScenario::<Account, _>::on(store.clone())
    ///     .when(Deposit { amount: 1 }).await
    ///     .then_version(1);
    /// # });
    /// ```
    pub fn on(store: S) -> Self
    where
        A::Services: Default,
    {
        Self::on_with_services(store, A::Services::default())
    }

    /// A scenario on `store` whose aggregate decides with `services`.
    pub fn on_with_services(store: S, services: A::Services) -> Self {
        let stream = format!("{}-{}", A::NAME, Uuid::now_v7());
        // "<name>-<uuid>" is printable and far below the length limit; the fallback keeps
        // library code free of `expect` should the aggregate's name be odd.
        let stream = StreamId::new(&stream)
            .or_else(|_| StreamId::new(Uuid::now_v7().to_string()))
            .unwrap_or_else(|_| unreachable_stream());
        Self {
            store,
            stream,
            services,
            clock: None,
            upcasters: Upcasters::new(),
            snapshots: None,
            retry: RetryPolicy::default(),
            given: Vec::new(),
            step: 1,
            snapshot_state: PhantomData,
        }
    }

    /// On a fresh store from `factory` (any [`StoreFactory`]: the memory store's closure,
    /// `postgres_store::harness::PgFactory`, your provider's), with default services. The
    /// scenario writes and reads through the factory's store.
    ///
    /// # Panics
    ///
    /// When the factory cannot make a store, with its error.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// use memory_store::MemoryStore;
    /// # es_testkit::__private::block_on(async {
    ///
    /// let factory = || async { MemoryStore::new() };
    /// es_testkit::StoreScenario::<Account, _>::on_factory(&factory).await
    ///     .when(Deposit { amount: 4 }).await
    ///     .then_events([Deposited { amount: 4 }])
    ///     .then_version(1);
    /// # });
    /// ```
    pub async fn on_factory<F>(factory: &F) -> Self
    where
        F: StoreFactory<Store = S>,
        A::Services: Default,
    {
        match factory.create().await {
            Ok(fresh) => Self::on(fresh.store),
            Err(error) => {
                panic!("on_factory failed: the store factory could not make a store: {error}")
            }
        }
    }

    /// On `store`, with a fresh [`TestClock`] given to `services` and kept for the time steps
    /// (see [`new_with_clock`](StoreScenario::new_with_clock)).
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanServices};
    /// use memory_store::MemoryStore;
    /// # es_testkit::__private::block_on(async {
    ///
    /// es_testkit::StoreScenario::<Loan, _>::on_with_clock(MemoryStore::new(), LoanServices::with_clock)
    ///     .when(Lend).await
    ///     .time_passes(Duration::days(3))
    ///     .when(Return).await
    ///     .then_version(2);
    /// # });
    /// ```
    pub fn on_with_clock(store: S, services: impl FnOnce(TestClock) -> A::Services) -> Self {
        let clock = TestClock::new();
        Self::on_with_services(store, services(clock.clone())).with_clock(clock)
    }

    /// Runs the scenario on `store` instead: any [`EventStore`] while the scenario loads
    /// without snapshots. After [`with_snapshots`](StoreScenario::with_snapshots) only a
    /// [`SnapshotStore`] is taken, and the snapshot setting stays: it is never dropped because
    /// the store changed.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// # es_testkit::__private::block_on(async {
    /// let store = memory_store::MemoryStore::new();
    /// es_testkit::StoreScenario::<Account>::new()
    ///     .on_store(store.clone())
    ///     .when(Deposit { amount: 1 }).await
    ///     .then_version(1);
    /// # });
    /// ```
    pub fn on_store<S2: EventStore + Clone>(self, store: S2) -> StoreScenario<A, S2> {
        self.move_to(|_| store, None)
    }
}

impl<A: Aggregate, S: EventStore + Clone, P> StoreScenario<A, S, P> {
    /// The same scenario on the store `store` makes of this one's, with `snapshots` as its
    /// setting.
    fn move_to<S2, P2>(
        self,
        store: impl FnOnce(S) -> S2,
        snapshots: Option<(u64, EnableSnapshots<A, S2>)>,
    ) -> StoreScenario<A, S2, P2> {
        StoreScenario {
            store: store(self.store),
            stream: self.stream,
            services: self.services,
            clock: self.clock,
            upcasters: self.upcasters,
            snapshots,
            retry: self.retry,
            given: self.given,
            step: self.step,
            snapshot_state: PhantomData,
        }
    }

    /// Loads through snapshots taken every `every` events (see
    /// [`Repository::with_snapshots`]), so the reload checks snapshot + tail. Only a store
    /// that keeps snapshots ([`SnapshotStore`]) takes this setting; after it,
    /// [`on_store`](StoreScenario::on_store) takes only such stores and keeps the setting.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// # es_testkit::__private::block_on(async {
    /// es_testkit::StoreScenario::<Account>::new()
    ///     .with_snapshots(2)
    ///     .given([Deposited { amount: 1 }, Deposited { amount: 2 }])
    ///     .when(Deposit { amount: 3 }).await
    ///     .then_state(Account { balance: 6 });
    /// # });
    /// ```
    pub fn with_snapshots(self, every: u64) -> StoreScenario<A, S, SnapshotsOn>
    where
        S: SnapshotStore,
        A: Serialize + DeserializeOwned,
    {
        self.move_to(|store| store, Some((every, enable_snapshots::<A, S>)))
    }

    /// Uses stream `stream` instead of a fresh `<aggregate>-<uuid>` one.
    pub fn on_stream(mut self, stream: StreamId) -> Self {
        self.stream = stream;
        self
    }

    /// Replaces the services the aggregate decides with.
    pub fn with_services(mut self, services: A::Services) -> Self {
        self.services = services;
        self
    }

    /// Gives the scenario the [`TestClock`] its services read (a clone of it), so that
    /// [`time_passes`](StoreScenario::time_passes) and [`time_is`](StoreScenario::time_is)
    /// move it, before the first `when` and between any two steps.
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::{StoreScenario, TestClock};
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanServices};
    /// # es_testkit::__private::block_on(async {
    ///
    /// let clock = TestClock::new();
    /// StoreScenario::<Loan>::new_with_services(LoanServices::with_clock(clock.clone()))
    ///     .with_clock(clock)
    ///     .when(Lend).await
    ///     .then_version(1)
    ///     .time_passes(Duration::days(18))
    ///     .when(Return).await
    ///     .then_state_matches(|loan| loan.fine == 4);
    /// # });
    /// ```
    pub fn with_clock(mut self, clock: TestClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Lets time pass on the scenario's clock before the next `when` (a negative duration
    /// turns it back).
    ///
    /// # Panics
    ///
    /// When the scenario has no clock ([`with_clock`](StoreScenario::with_clock) or
    /// [`new_with_clock`](StoreScenario::new_with_clock) give it one).
    ///
    /// ```
    /// use es_core::chrono::Duration;
    /// use es_testkit::{StoreScenario, TestClock};
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanEvent::*, LoanServices};
    /// # es_testkit::__private::block_on(async {
    ///
    /// StoreScenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .given([Lent { at: TestClock::start() }])
    ///     .time_passes(Duration::days(15))
    ///     .when(Return).await
    ///     .then_events([Returned { at: TestClock::start() + Duration::days(15), fine: 1 }]);
    /// # });
    /// ```
    #[track_caller]
    pub fn time_passes(self, by: es_core::chrono::Duration) -> Self {
        time::pass(&self.clock, "time_passes", by);
        self
    }

    /// Sets the scenario's clock to `now` before the next `when`.
    ///
    /// # Panics
    ///
    /// When the scenario has no clock.
    ///
    /// ```
    /// use es_core::chrono::{Duration, TimeZone, Utc};
    /// use es_testkit::StoreScenario;
    /// use es_testkit::example::loan::{Loan, LoanCommand::*, LoanEvent::*, LoanServices};
    /// # es_testkit::__private::block_on(async {
    ///
    /// let lent = Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap();
    /// StoreScenario::<Loan>::new_with_clock(LoanServices::with_clock)
    ///     .given([Lent { at: lent }])
    ///     .time_is(lent + Duration::days(14))
    ///     .when(Return).await
    ///     .then_state_matches(|loan| loan.fine == 0);
    /// # });
    /// ```
    #[track_caller]
    pub fn time_is(self, now: es_core::chrono::DateTime<es_core::chrono::Utc>) -> Self {
        time::set(&self.clock, "time_is", now);
        self
    }

    /// Reads events through `upcasters`, as the application would.
    pub fn with_upcasters(mut self, upcasters: Upcasters) -> Self {
        self.upcasters = upcasters;
        self
    }

    /// How the executor retries conflicts.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Adds events to the stream's history (serialized as the application would store them).
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// # es_testkit::__private::block_on(async {
    /// es_testkit::StoreScenario::<Account>::new()
    ///     .given([Deposited { amount: 10 }])
    ///     .when(Withdraw { amount: 10 }).await
    ///     .then_events([Withdrawn { amount: 10 }]);
    /// # });
    /// ```
    ///
    /// # Panics
    ///
    /// When an event does not serialize.
    #[track_caller]
    pub fn given(mut self, events: impl IntoIterator<Item = A::Event>) -> Self {
        for event in events {
            match event.to_new_event(Metadata::default()) {
                Ok(new) => self.given.push(new),
                Err(error) => panic!("given failed: event {event:?} does not serialize: {error}"),
            }
        }
        self
    }

    /// Adds raw stored events to the history, e.g. old shapes the upcasters must bring up to
    /// date.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// use es_core::{EventShape, Metadata, NewEvent, Upcasters};
    /// use serde_json::json;
    ///
    /// // Version 1 of "Deposited" was {"cents": n}.
    /// let old = NewEvent::from_json("Deposited", r#"{"cents":50}"#)?;
    /// let upcasters = Upcasters::new().register("Deposited", 1, |old| Ok(EventShape {
    ///     schema_version: 2,
    ///     payload: json!({ "Deposited": { "amount": old.payload["cents"] } }),
    ///     ..old
    /// }));
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// es_testkit::StoreScenario::<Account>::new()
    ///     .with_upcasters(upcasters)
    ///     .given_stored([old])
    ///     .when(Withdraw { amount: 50 }).await
    ///     .then_events([Withdrawn { amount: 50 }]);
    /// # });
    /// # Ok::<(), es_core::Error>(())
    /// ```
    pub fn given_stored(mut self, events: impl IntoIterator<Item = NewEvent>) -> Self {
        self.given.extend(events);
        self
    }

    pub(crate) fn repository(&self) -> Repository<A, S> {
        let repository = Repository::new(self.store.clone())
            .with_upcasters(self.upcasters.clone())
            .with_retry(self.retry);
        match self.snapshots {
            Some((every, enable)) => enable(repository, every),
            None => repository,
        }
    }

    /// Appends the given events and returns the typed history of the stream, read back
    /// through the upcasters.
    pub(crate) async fn prepare(&mut self) -> Vec<A::Event> {
        if !self.given.is_empty() {
            let given = std::mem::take(&mut self.given);
            // NoStream: a history is the whole stream, so a stream with events already is a
            // mistake (reused stream id), not something to append to.
            let appended = self
                .store
                .append_events(&self.stream, ExpectedVersion::NoStream, given)
                .await;
            if let Err(error) = appended {
                panic!(
                    "given failed: appending the history to stream {} failed: {error}; give each scenario a fresh stream",
                    self.stream
                );
            }
        }
        let recorded = self.read_back().await;
        match decode::<A>(&self.upcasters, &recorded) {
            Ok(events) => events,
            Err(why) => panic!("given failed: {why}"),
        }
    }

    pub(crate) async fn read_back(&self) -> Vec<RecordedEvent> {
        match self
            .store
            .read_stream(&self.stream, ReadStream::forward())
            .await
        {
            Ok(recorded) => recorded,
            Err(error) => panic!("reading stream {} back failed: {error}", self.stream),
        }
    }

    /// Executes `command` through the repository and reads the outcome back from the store.
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*, Event::*};
    /// # es_testkit::__private::block_on(async {
    /// let then = es_testkit::StoreScenario::<Account>::new()
    ///     .when(Deposit { amount: 4 }).await;
    /// assert_eq!(then.events(), [Deposited { amount: 4 }]);
    /// # });
    /// ```
    ///
    /// # Panics
    ///
    /// When the given history cannot be stored or read back (e.g. an upcaster fails), or a
    /// built-in check fails. A command the aggregate rejects, or a store error, is an outcome
    /// for the `then_*` steps, not a panic.
    pub async fn when(mut self, command: A::Command) -> StoreThen<A, S, P>
    where
        A: PartialEq,
        A::Event: PartialEq,
    {
        let history = self.prepare().await;
        let now = time::now(&self.clock);
        let repository = self.repository();
        let outcome = repository
            .execute(&self.stream, &command, &self.services)
            .await;
        let recorded = self.read_back().await;
        let reloaded = repository.load(&self.stream).await;
        then::finish(self, (history, now), command, outcome, recorded, reloaded)
    }
}

/// Reads recorded events as the application does: upcast, then deserialize.
pub(crate) fn decode<A: Aggregate>(
    upcasters: &Upcasters,
    recorded: &[RecordedEvent],
) -> Result<Vec<A::Event>, String> {
    recorded
        .iter()
        .map(|event| {
            upcasters
                .upcast(event.clone())
                .and_then(|event| A::Event::from_recorded(&event))
                .map_err(|error| {
                    format!(
                        "stored event {} (version {}, schema {}) does not read back: {error}\n  payload: {}",
                        event.event_type,
                        event.version,
                        event.metadata.schema_version,
                        event.payload.as_str()
                    )
                })
        })
        .collect()
}

/// Versions of a stream must run 1, 2, 3, ... without gaps.
pub(crate) fn gapless(recorded: &[RecordedEvent]) -> Result<(), String> {
    for (index, event) in recorded.iter().enumerate() {
        let want = index as u64 + 1;
        if event.version.get() != want {
            return Err(format!(
                "stream versions are not gapless: event #{index} has version {}, expected {want}",
                event.version
            ));
        }
    }
    Ok(())
}

/// What an execute error means for the messages.
pub(crate) fn describe<E: std::error::Error>(error: &ExecuteError<E>) -> String {
    match error {
        ExecuteError::Rejected(inner) => inner.to_string(),
        other => format!("the store failed: {other}"),
    }
}

impl<A: Aggregate, S: fmt::Debug, P> fmt::Debug for StoreScenario<A, S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreScenario")
            .field("aggregate", &A::NAME)
            .field("store", &self.store)
            .field("stream", &self.stream)
            .field("snapshot_every", &self.snapshots.map(|(every, _)| every))
            .field("given", &self.given.len())
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}
