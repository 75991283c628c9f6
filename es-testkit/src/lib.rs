//! # es-testkit: given-when-then scenarios and property checks for aggregates
//!
//! ```
//! use es_testkit::example::{Account, Command::*, Event::*};
//!
//! es_testkit::Scenario::<Account>::new()
//!     .given([Deposited { amount: 100 }])
//!     .when(Withdraw { amount: 30 })
//!     .then_events([Withdrawn { amount: 30 }]);
//! ```
//!
//! A test of an aggregate should read like the domain's sentence and, when it fails, explain
//! itself without a debugger: the failure prints the history, the command, the expected and
//! actual events and a diff that names the first differing event and field.
//!
//! The examples here, and those of `es-core` and `memory-store`, use the tiny bank account of
//! [`example`]: an [`Account`](example::Account) with a balance,
//! [`Command`](example::Command)`::{Deposit, Withdraw}`,
//! [`Event`](example::Event)`::{Deposited, Withdrawn}` and
//! [`AccountError::InsufficientFunds`](example::AccountError::InsufficientFunds).
//!
//! ## Writing scenarios
//!
//! [`Scenario`] is a typestate builder: `given` ([`given`](Scenario::given),
//! [`given_commands`](Scenario::given_commands), [`given_no_history`](Scenario::given_no_history))
//! → [`when`](Scenario::when) → `then_*` ([`then_events`](Then::then_events),
//! [`then_no_events`](Then::then_no_events), [`then_error`](Then::then_error),
//! [`then_error_matches`](Then::then_error_matches), [`then_state`](Then::then_state),
//! [`then_state_matches`](Then::then_state_matches), [`inspect_events`](Then::inspect_events)).
//! Assertions chain, and [`Then::when`] runs the next command on the state the step left.
//! It is synchronous and needs no runtime, so it works in `#[test]` and `#[tokio::test]` alike,
//! and costs about a microsecond.
//!
//! Errors are compared with `PartialEq` by [`then_error`](Then::then_error) (the typed error is
//! the contract of the aggregate); [`then_error_message`](Then::then_error_message) compares the
//! `Display` text and [`then_error_matches`](Then::then_error_matches) takes a predicate, for
//! errors without `PartialEq`.
//!
//! ## Built-in checks
//!
//! Every `when` also checks, silently when they hold: each emitted event survives a serde round
//! trip; its type name is listed in [`DomainEvent::EVENT_TYPES`](es_core::DomainEvent::EVENT_TYPES)
//! (readers filter the store by those names); replaying history + emitted events on a fresh
//! state gives the scenario's state; a rejected command changed nothing. Hence the bounds
//! `A: PartialEq` and `A::Event: PartialEq`.
//!
//! ## Services, time and ids
//!
//! The aggregate's services are given per scenario ([`Scenario::with_services`]). Time is a
//! step: build the scenario with [`Scenario::new_with_clock`] (its services get a
//! [`TestClock`] to read) or give it the clock with [`Scenario::with_clock`], then let time
//! pass with [`time_passes`](Scenario::time_passes) or set it with
//! [`time_is`](Scenario::time_is) before the first `when` and between any two steps
//! ([`Then::time_passes`], [`StoreThen::time_passes`]). A failure names the clock's time.
//! [`SequentialIds`] issues ids 1, 2, 3, ... so expected events can name them. The library
//! loan of [`example::loan`] is the domain of the examples about time:
//!
//! ```
//! use es_core::chrono::Duration;
//! use es_testkit::{Scenario, example::loan::{Loan, LoanCommand::*, LoanServices}};
//!
//! Scenario::<Loan>::new_with_clock(LoanServices::with_clock)
//!     .given_commands([Lend])
//!     .time_passes(Duration::days(15))
//!     .when(Return)
//!     .then_state_matches(|loan| loan.fine == 1);
//! ```
//!
//! ## Snapshots
//!
//! [`assert_events_snapshot!`] stores what a step produced as YAML with stable type names.
//!
//! ## Through a real store
//!
//! [`StoreScenario`] runs the same kind of scenario through an [`es_core::EventStore`] with
//! [`es_core::Repository`]: serialization, upcasting, snapshots and concurrency end to end. It
//! is async. [`StoreScenario::new`] uses a fresh memory store (feature `memory`, on by
//! default); [`StoreScenario::on`] and [`on_store`](StoreScenario::on_store) take any provider,
//! [`StoreScenario::on_factory`] a fresh store from any [`es_core::testing::StoreFactory`].
//!
//! ## Projections
//!
//! [`ProjectionScenario`] feeds events to a read model and compares the result.
//!
//! ## Property checks
//!
//! [`PropertyCheck`] takes a proptest strategy of commands (and optionally of histories) and
//! checks, for every generated sequence, the built-in checks plus snapshot + tail = full replay,
//! your own invariants after every step, and (with
//! [`through_store`](PropertyCheck::through_store), a memory store, or
//! [`through_store_factory`](PropertyCheck::through_store_factory), which takes any
//! [`es_core::testing::StoreFactory`]: PostgreSQL's, yours) gapless versions and the reloaded
//! state through a fresh store. With [`new_with_clock`](PropertyCheck::new_with_clock) and
//! [`time_steps`](PropertyCheck::time_steps) it interleaves generated time steps
//! ([`PropertyStep`]) with the commands, so rules that depend on time are reached and
//! shrunk. A failure is shrunk and printed as a scenario; with
//! [`paste_as_json`](PropertyCheck::paste_as_json) (or
//! [`paste_with`](PropertyCheck::paste_with)) that scenario compiles when pasted into a test
//! ([`Scenario::given_json`], [`Scenario::when_json`]). [`fake_data`] turns `fake` generators
//! into strategies.
//!
//! ## Features
//!
//! - `memory` (default): the memory store behind [`StoreScenario::new`] and
//!   [`PropertyCheck::through_store`]. Without it everything else works; give a store or a
//!   factory.
//!
//! ## What the compiler checks
//!
//! The capabilities of a store are traits, so a mistake about them is a compile error rather
//! than a surprise in a test. Each example below compiles, and the one after it, identical but
//! for one thing, does not.
//!
//! A repository loads through snapshots only when its store keeps them. A wrapper that reads
//! and writes through a memory store, and keeps snapshots too:
//!
//! ```
//! # use es_core::{AppendResult, Claims, EventRef, Page, ReadAll, ReadStream, RecordedEvent};
//! # use es_core::{Result, Snapshot, StreamAppend, StreamId, Subscribe, Subscription};
//! use es_core::{EventReader, EventWriter, Repository, SnapshotStore};
//! use es_testkit::example::Account;
//! use memory_store::MemoryStore;
//!
//! struct Wrapper(MemoryStore);
//! # impl EventReader for Wrapper {
//! #     fn claims(&self) -> Claims { self.0.claims() }
//! #     async fn read_stream(&self, s: &StreamId, r: ReadStream) -> Result<Vec<RecordedEvent>> { self.0.read_stream(s, r).await }
//! #     async fn stream_head(&self, s: &StreamId) -> Result<Option<EventRef>> { self.0.stream_head(s).await }
//! #     async fn read_all(&self, r: ReadAll) -> Result<Page> { self.0.read_all(r).await }
//! #     async fn subscribe(&self, r: Subscribe) -> Result<Subscription> { self.0.subscribe(r).await }
//! # }
//! # impl EventWriter for Wrapper {
//! #     async fn append(&self, a: StreamAppend) -> Result<AppendResult> { self.0.append(a).await }
//! #     async fn append_multi(&self, a: Vec<StreamAppend>) -> Result<Vec<AppendResult>> { self.0.append_multi(a).await }
//! # }
//! // impl EventReader for Wrapper { .. } and impl EventWriter for Wrapper { .. } forward to
//! // the memory store, and so does:
//! impl SnapshotStore for Wrapper {
//!     async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
//!         self.0.save_snapshot(snapshot).await
//!     }
//!     async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
//!         self.0.load_snapshot(stream).await
//!     }
//! }
//!
//! let accounts = Repository::<Account, _>::new(Wrapper(MemoryStore::new())).with_snapshots(10);
//! ```
//!
//! Without `impl SnapshotStore`, the same wrapper cannot be given snapshots:
//!
//! ```compile_fail,E0599
//! # use es_core::{AppendResult, Claims, EventRef, Page, ReadAll, ReadStream, RecordedEvent};
//! # use es_core::{Result, Snapshot, StreamAppend, StreamId, Subscribe, Subscription};
//! use es_core::{EventReader, EventWriter, Repository, SnapshotStore};
//! use es_testkit::example::Account;
//! use memory_store::MemoryStore;
//!
//! struct Wrapper(MemoryStore);
//! # impl EventReader for Wrapper {
//! #     fn claims(&self) -> Claims { self.0.claims() }
//! #     async fn read_stream(&self, s: &StreamId, r: ReadStream) -> Result<Vec<RecordedEvent>> { self.0.read_stream(s, r).await }
//! #     async fn stream_head(&self, s: &StreamId) -> Result<Option<EventRef>> { self.0.stream_head(s).await }
//! #     async fn read_all(&self, r: ReadAll) -> Result<Page> { self.0.read_all(r).await }
//! #     async fn subscribe(&self, r: Subscribe) -> Result<Subscription> { self.0.subscribe(r).await }
//! # }
//! # impl EventWriter for Wrapper {
//! #     async fn append(&self, a: StreamAppend) -> Result<AppendResult> { self.0.append(a).await }
//! #     async fn append_multi(&self, a: Vec<StreamAppend>) -> Result<Vec<AppendResult>> { self.0.append_multi(a).await }
//! # }
//! // impl EventReader for Wrapper { .. } and impl EventWriter for Wrapper { .. } as above,
//! // and no SnapshotStore.
//!
//! let accounts = Repository::<Account, _>::new(Wrapper(MemoryStore::new())).with_snapshots(10);
//! ```
//!
//! A wrapper implements every method of a capability, and the compiler says when one is
//! missing, so a forwarding wrapper cannot silently drop one. Every [`es_core::EventReader`]
//! method forwarded:
//!
//! ```
//! use es_core::{Claims, EventReader, EventRef, Page, ReadAll, ReadStream, RecordedEvent};
//! use es_core::{Result, StreamId, Subscribe, Subscription};
//! use memory_store::MemoryStore;
//!
//! struct Wrapper(MemoryStore);
//!
//! impl EventReader for Wrapper {
//!     fn claims(&self) -> Claims { self.0.claims() }
//!     async fn read_stream(&self, s: &StreamId, r: ReadStream) -> Result<Vec<RecordedEvent>> {
//!         self.0.read_stream(s, r).await
//!     }
//!     async fn stream_head(&self, s: &StreamId) -> Result<Option<EventRef>> {
//!         self.0.stream_head(s).await
//!     }
//!     async fn read_all(&self, r: ReadAll) -> Result<Page> { self.0.read_all(r).await }
//!     async fn subscribe(&self, r: Subscribe) -> Result<Subscription> {
//!         self.0.subscribe(r).await
//!     }
//! }
//! ```
//!
//! The same wrapper without `subscribe`:
//!
//! ```compile_fail,E0046
//! use es_core::{Claims, EventReader, EventRef, Page, ReadAll, ReadStream, RecordedEvent};
//! use es_core::{Result, StreamId, Subscribe, Subscription};
//! use memory_store::MemoryStore;
//!
//! struct Wrapper(MemoryStore);
//!
//! impl EventReader for Wrapper {
//!     fn claims(&self) -> Claims { self.0.claims() }
//!     async fn read_stream(&self, s: &StreamId, r: ReadStream) -> Result<Vec<RecordedEvent>> {
//!         self.0.read_stream(s, r).await
//!     }
//!     async fn stream_head(&self, s: &StreamId) -> Result<Option<EventRef>> {
//!         self.0.stream_head(s).await
//!     }
//!     async fn read_all(&self, r: ReadAll) -> Result<Page> { self.0.read_all(r).await }
//! }
//! ```

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![forbid(unsafe_code)]

mod checks;
pub mod example;
pub mod fake_data;
mod json;
mod projection;
mod property;
mod report;
mod scenario;
mod services;
mod snapshot;
mod step;
mod store;
mod then;
mod time;

pub use es_core::{Clock, IdSource, RandomIds, SystemClock, chrono};
pub use projection::ProjectionScenario;
pub use property::{PropertyCheck, PropertyFailure, PropertyStep};
pub use scenario::Scenario;
pub use services::{SequentialIds, TestClock};
pub use snapshot::{EventSnapshot, StepSnapshot, snapshot_events};
pub use step::{Then, When};
pub use store::{RaceOutcome, SnapshotsOff, SnapshotsOn, StoreRace, StoreScenario, StoreThen};

/// What the macros need; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use insta;

    /// Runs `future` to completion on a fresh current-thread runtime (for doc examples).
    ///
    /// # Panics
    ///
    /// When the runtime cannot start (out of threads or file descriptors).
    pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(future),
            Err(error) => panic!("could not start a tokio runtime for the example: {error}"),
        }
    }
}
