//! The model-based test: random sequences of operations run against a store and against a
//! reference model in the same order, comparing every answer.
//!
//! Operations ([`Op`]) are appends with every expected-version kind (many of them bound to
//! fail), empty appends and appends carrying an id twice, multi-stream appends, exact re-sends
//! of earlier appends, reuse of stored ids, stream reads forward and backward with a start and
//! a limit, `read_all` pages (whole, and a page after another page's checkpoint, filtered by
//! type or category), stream heads, and, for a store that deletes, soft deletes and tombstones.
//!
//! Compared: the outcome kind (written, re-sent, conflict with its stream/expected/actual,
//! which typed rejection), versions, event ids, types, payloads (by JSON meaning) and metadata.
//! Not compared: timestamps. Positions are compared by order, not value (a backend may leave
//! gaps): they must strictly increase in `read_all`, rise with each write, and never change.
//!
//! A failing sequence is shrunk (by proptest's value trees) to a short one before it is
//! reported; every attempt runs on a fresh store from the factory.
//!
//! [`concurrent`] runs random operations of several tasks at once instead, and checks the
//! recorded history against the model's invariants ([`run_model_concurrent`]).
//!
//! ```
//! use contract_tests::model::{run_model, ModelConfig};
//! use memory_store::MemoryStore;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let config = ModelConfig { cases: 4, max_ops: 20, ..ModelConfig::default() };
//! run_model(&|| async { MemoryStore::new() }, config).await.unwrap();
//! contract_tests::model::run_model_with_deletions(&|| async { MemoryStore::new() }, config)
//!     .await
//!     .unwrap();
//! # });
//! ```

mod answers;
pub mod concurrent;
mod ops;
mod reference;
mod run;

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use proptest::{
    strategy::{Strategy, ValueTree},
    test_runner::{Config, RngSeed, TestRunner},
};

use es_core::StreamLifecycle;

pub use concurrent::run_model_concurrent;
pub use ops::{Expect, Op, ReadFilter, STREAMS, op, ops};
pub use run::{Deleter, run_ops};

use crate::StoreFactory;

/// How much a model-based run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelConfig {
    /// How many random sequences to run (each on a fresh store).
    pub cases: u32,
    /// The longest sequence.
    pub max_ops: usize,
    /// The most sequences tried while shrinking a failure.
    pub max_shrink_runs: u32,
    /// The seed of the random sequences: the same seed gives the same sequences, so a run is
    /// reproducible and a failure can be replayed. A failure message names it.
    pub seed: u64,
}

/// The seed of [`ModelConfig::default`]: `ES_MODEL_SEED` when set (to replay a failure, or to
/// explore other sequences), else a fixed one, so the suite checks the same sequences on every
/// run and cannot pass or fail by luck.
pub fn default_seed() -> u64 {
    std::env::var("ES_MODEL_SEED")
        .ok()
        .and_then(|seed| seed.trim().parse().ok())
        .unwrap_or(0x00E5_C0DE)
}

/// A seed nobody chose: for tests that explore new sequences on every run (and print the seed
/// when they fail).
pub fn random_seed() -> u64 {
    fastrand::u64(..)
}

impl Default for ModelConfig {
    /// Small enough for a PostgreSQL run of a few seconds: 16 sequences of up to 40 steps.
    fn default() -> Self {
        Self {
            cases: 16,
            max_ops: 40,
            max_shrink_runs: 200,
            seed: default_seed(),
        }
    }
}

/// Runs `config.cases` random sequences (without deletions) against fresh stores from
/// `factory` and the reference.
///
/// Returns the shrunk failing sequence and what differed, or `Ok` when every answer agreed.
pub async fn run_model<F: StoreFactory>(factory: &F, config: ModelConfig) -> Result<(), String> {
    search(factory, config, |_| None, false).await
}

/// [`run_model`] with soft deletes and tombstones among the operations.
pub async fn run_model_with_deletions<F: StoreFactory>(
    factory: &F,
    config: ModelConfig,
) -> Result<(), String>
where
    F::Store: StreamLifecycle,
{
    search(factory, config, |store| Some(store as &dyn Deleter), true).await
}

/// The store as a deleter, when the run deletes.
type AsDeleter<S> = for<'a> fn(&'a S) -> Option<&'a dyn Deleter>;

async fn search<F: StoreFactory>(
    factory: &F,
    config: ModelConfig,
    deleter: AsDeleter<F::Store>,
    deletions: bool,
) -> Result<(), String> {
    let mut runner = TestRunner::new(Config {
        cases: config.cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(config.seed),
        ..Config::default()
    });
    let strategy = ops(config.max_ops, deletions);
    for case in 0..config.cases {
        let mut tree = strategy
            .new_tree(&mut runner)
            .map_err(|why| format!("cannot generate operations: {why}"))?;
        let Err(first) = attempt(factory, deleter, &tree.current()).await else {
            continue;
        };
        let mut smallest = (tree.current(), first);
        let mut failing = true;
        for _ in 0..config.max_shrink_runs {
            let moved = if failing {
                tree.simplify()
            } else {
                tree.complicate()
            };
            if !moved {
                break;
            }
            match attempt(factory, deleter, &tree.current()).await {
                Err(why) => {
                    smallest = (tree.current(), why);
                    failing = true;
                }
                Ok(()) => failing = false,
            }
        }
        let (ops, why) = smallest;
        let seed = config.seed;
        return Err(format!(
            "sequence {case} of seed {seed} disagreed with the reference model after shrinking to {} steps (replay with ES_MODEL_SEED={seed}):\n{why}\nsteps:\n{}",
            ops.len(),
            ops.iter()
                .enumerate()
                .map(|(i, op)| format!("  {i}: {op:?}\n"))
                .collect::<String>()
        ));
    }
    Ok(())
}

/// One sequence on a fresh store; a panic in the store counts as a difference.
async fn attempt<F: StoreFactory>(
    factory: &F,
    deleter: AsDeleter<F::Store>,
    ops: &[Op],
) -> Result<(), String> {
    let store = crate::cases::fresh_store(factory).await;
    match AssertUnwindSafe(run_ops(&store, deleter(&store), ops))
        .catch_unwind()
        .await
    {
        Ok(result) => result,
        Err(_) => Err("the run panicked".to_owned()),
    }
}
