//! # es-testkit: given-when-then scenarios and property checks for aggregates
//!
//! ```
//! # use es_core::doc_fixture::{Account, Command::*, Event::*};
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
//! trip; replaying history + emitted events on a fresh state gives the scenario's state; a
//! rejected command changed nothing. Hence the bounds `A: PartialEq` and `A::Event: PartialEq`.
//!
//! ## Services, time and ids
//!
//! The aggregate's services are given per scenario ([`Scenario::with_services`]). [`TestClock`]
//! stands still until advanced (between steps with [`Then::update_services`] or a kept clone);
//! [`SequentialIds`] issues ids 1, 2, 3, ... so expected events can name them.
//!
//! ## Snapshots
//!
//! [`assert_events_snapshot!`] stores what a step produced as YAML with stable type names.
//!
//! ## Through a real store
//!
//! [`StoreScenario`] runs the same kind of scenario through an [`es_core::EventStore`] (memory
//! by default, any provider given) with [`es_core::Repository`]: serialization, upcasting,
//! snapshots and concurrency end to end. It is async.
//!
//! ## Projections
//!
//! [`ProjectionScenario`] feeds events to a read model and compares the result.
//!
//! ## Property checks
//!
//! [`PropertyCheck`] takes a proptest strategy of commands (and optionally of histories) and
//! checks, for every generated sequence, the built-in checks plus snapshot + tail = full replay,
//! gapless versions through a store and your own invariants after every step. A failure is
//! shrunk and printed as a readable scenario. [`fake_data`] turns `fake` generators into
//! strategies.

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![forbid(unsafe_code)]

mod checks;
pub mod fake_data;
mod projection;
mod property;
mod report;
mod scenario;
mod services;
mod snapshot;
mod store;
mod then;

pub use es_core::{Clock, IdSource, RandomIds, SystemClock};
pub use projection::ProjectionScenario;
pub use property::{PropertyCheck, PropertyFailure};
pub use scenario::{Scenario, Then, When};
pub use services::{SequentialIds, TestClock};
pub use snapshot::{EventSnapshot, StepSnapshot, snapshot_events};
pub use store::{RaceOutcome, StoreRace, StoreScenario, StoreThen};

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
