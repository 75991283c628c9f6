//! # contract-tests: the conformance suite every event store must pass
//!
//! One line in a provider's tests proves that the provider keeps every promise of the
//! [`EventStore`](es_core::EventStore) contract, including the hard ones: racing writers,
//! readers that must not skip events committed out of order, all-or-nothing multi-stream
//! appends, idempotent re-sends.
//!
//! ## Plugging a store in
//!
//! In your crate's `tests/contract.rs`:
//!
//! ```
//! contract_tests::event_store_suite!(
//!     || async { memory_store::MemoryStore::new() },
//!     [snapshots, lifecycle, checkpoints]
//! );
//! ```
//!
//! This expands into one `#[test]` per case, named `<promise>::<case>` (for example
//! `expected_version::append_exact_conflict_stores_nothing`), each on a fresh store from the
//! factory, on a multi-threaded tokio runtime where the case races tasks. The core cases always
//! run; the bracketed list names the optional capabilities the store implements
//! ([`SnapshotStore`](es_core::SnapshotStore) as `snapshots`,
//! [`StreamLifecycle`](es_core::StreamLifecycle) as `lifecycle`,
//! [`CheckpointStore`](es_core::CheckpointStore) as `checkpoints`), and the compiler checks the
//! claim. Cases of a section left out still show up, as ignored tests that say why.
//!
//! A factory is any [`StoreFactory`]: an async closure, or a type whose
//! [`create`](StoreFactory::create) also gives a second handle for readers (another connection
//! pool, a replica), which the cases about readers use.
//!
//! ## Every case is a plain function
//!
//! Each case is a public async function in [`cases`], usable without the macro:
//!
//! ```
//! use contract_tests::{cases, Outcome};
//! use memory_store::MemoryStore;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let factory = || async { MemoryStore::new() };
//! let outcome = cases::expected_version::append_exact_conflict_stores_nothing(&factory).await;
//! assert_eq!(outcome, Outcome::Passed);
//! # });
//! ```
//!
//! A failing case panics with a message that says what went wrong and lists the events involved,
//! one line each (`stream-a v3 @pos 17 type=Deposited id=…1a2b3c4d`); when it got the events it
//! wanted in another order it says `same events, wrong order`. Run by the macros, or by
//! [`CaseInfo::run`], the message also leads with the broken promise (the case's module) and
//! states it in a sentence, with the case and the line where it failed:
//!
//! ```text
//! broken promise `read_stream`: wrong order: a forward read must give the oldest event first, versions rising: expected v1..=v6 in that order, came v6..=v1
//!   promise: a stream reads back exactly its own events, oldest first forward and newest first backward, from the version asked and no more than the limit.
//!   case: read_stream::read_stream_forward_in_version_order, failed at contract-tests/src/cases/read_stream.rs:34:5
//!   read (6):
//!     rs-forward v6 @pos 6 type=Numbered id=…1ad02721
//!     ...
//! ```
//!
//! The first case of a promise about order checks only the order, so a store that reads in the
//! wrong order hears it from that case first.
//!
//! ## What it checks
//!
//! One module of [`cases`] per promise. Core: [`append`](cases::append),
//! [`expected_version`](cases::expected_version), [`read_stream`](cases::read_stream),
//! [`read_all`](cases::read_all) (pages, checkpoints, filters), [`payloads`](cases::payloads),
//! [`bad_input`](cases::bad_input), [`idempotency`](cases::idempotency),
//! [`multi_stream`](cases::multi_stream), [`subscriptions`](cases::subscriptions),
//! [`concurrency`](cases::concurrency) (racing tasks, released together at a start line),
//! [`faults`](cases::faults) (lost acknowledgements and failures through [`FaultyStore`]) and
//! [`model`](cases::model) (random operation sequences compared with a reference model, and
//! random operations of several tasks at once whose history must keep the model's invariants;
//! see [`model`]). The promises about appends are checked under every expectation kind and by
//! `append` and `append_multi` alike (the `*_on_every_path` cases). Optional:
//! [`snapshots`](cases::snapshots), [`deletion`](cases::deletion) (soft delete and tombstones),
//! [`checkpoints`](cases::checkpoints). [`CASES`] lists them all; limits come from the store's
//! [`Claims`](es_core::Claims).
//!
//! ## A report instead of tests
//!
//! [`run_suite!`] runs every case and returns a [`Report`] whose
//! [`to_markdown`](Report::to_markdown) is the conformance matrix (case, promise, result).

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod capabilities;
pub mod cases;
mod factory;
mod failure;
mod faulty;
pub mod model;
mod outcome;
mod report;
mod suite;

#[doc(hidden)]
pub mod __private;

pub use factory::{FactoryError, FreshStore, StoreFactory};
pub use faulty::FaultyStore;
pub use outcome::Outcome;
pub use report::{CASES, CaseInfo, CaseReport, CaseResult, Report};
