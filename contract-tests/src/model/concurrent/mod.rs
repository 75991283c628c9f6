//! The model-based test with concurrency: several tasks issue random operations at once, and
//! the recorded history is checked against the model's invariants.
//!
//! A run is up to [`MAX_BATCHES`] batches; in each, [`TASKS`] tasks meet at a start line and
//! then each runs its own random operations one after another ([`ConcurrentOp`]): appends of
//! every expectation kind (and `Exact` of the head just read, so tasks contend for versions),
//! multi-stream appends naming the streams in random orders, exact re-sends of earlier calls and
//! of calls another task is sending at the same moment, stream reads, stream heads and `read_all`
//! paged to the end. Every call is recorded with its answer; then the history and the store's
//! end state must show that:
//!
//! - every acknowledged event is present exactly once, at the version (and positions) it was
//!   told, and nothing else is stored;
//! - every stream is gapless from version 1, and each acknowledged append met its expectation
//!   (`NoStream` at 1, `Exact(v)` at `v + 1`);
//! - every conflict's `actual` was a real version of that stream at some point, no older than
//!   what was acknowledged before the call began;
//! - `read_all` paged from the beginning holds exactly the acknowledged events, in every
//!   stream's order, and every `read_all` during the run was a beginning of that order;
//! - every send of one call answered the same (an exact re-send returns the original result),
//!   and none conflicted after the call was acknowledged.
//!
//! ## Seeds and regressions
//!
//! Case `i` of a run is generated from a seed derived from [`ModelConfig::seed`] (fixed by
//! default, `ES_MODEL_SEED` to change it); every failure message names that case seed. A failing
//! case is shrunk (each candidate is tried twice, races being races) and its case seed and shrunk
//! steps are appended, proptest style, to `proptest-regressions/model_concurrent.txt` under the
//! crate being tested (`CARGO_MANIFEST_DIR` at run time): a line `cc 0x<seed> # <steps>`. Every
//! run replays the seeds in that file first, before it generates new cases. Check the file in.
//! Nothing is written when the crate being tested is `contract-tests` itself, whose own tests
//! run deliberately broken stores.
//!
//! ```
//! use contract_tests::model::{run_model_concurrent, ModelConfig};
//! use memory_store::MemoryStore;
//!
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! let config = ModelConfig { cases: 2, max_ops: 24, ..ModelConfig::default() };
//! run_model_concurrent(&|| async { MemoryStore::new() }, config).await.unwrap();
//! # });
//! ```

mod check;
mod history;
mod plan;

use std::{
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
};

use futures_util::FutureExt;
use proptest::{
    strategy::{Strategy, ValueTree},
    test_runner::{Config, RngSeed, TestRunner},
};

pub use plan::{Batches, ConcurrentOp, MAX_BATCHES, TASKS, batches};

use super::ModelConfig;
use crate::StoreFactory;

/// The regression file, relative to the tested crate.
const REGRESSIONS: &str = "proptest-regressions/model_concurrent.txt";

/// How often a shrinking candidate runs before it counts as passing: a race may not recur.
const TRIES: usize = 2;

/// Runs the seeds of the regression file, then `config.cases` new concurrent cases, each on a
/// fresh store from `factory`; see the [module](self) for what is checked.
///
/// Returns the shrunk failing case (its seed, steps and what broke), after persisting it, or
/// `Ok` when every history kept the invariants.
pub async fn run_model_concurrent<F: StoreFactory>(
    factory: &F,
    config: ModelConfig,
) -> Result<(), String> {
    let file = regression_file();
    let mut seeds: Vec<(u64, String)> = file
        .as_deref()
        .map(persisted_seeds)
        .unwrap_or_default()
        .into_iter()
        .map(|seed| (seed, format!("a regression seed from {REGRESSIONS}")))
        .collect();
    seeds.extend((0..config.cases).map(|case| {
        (
            case_seed(config.seed, case),
            format!("case {case} of ES_MODEL_SEED={}", config.seed),
        )
    }));
    let per_task = (config.max_ops / (TASKS * MAX_BATCHES)).max(2);
    for (seed, origin) in seeds {
        let mut runner = TestRunner::new(Config {
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(seed),
            ..Config::default()
        });
        let mut tree = batches(per_task)
            .new_tree(&mut runner)
            .map_err(|why| format!("cannot generate operations: {why}"))?;
        let Err(first) = attempt(factory, &tree.current()).await else {
            continue;
        };
        let mut smallest = (tree.current(), first);
        let mut failing = true;
        let hung = smallest.1.contains("did not finish within");
        for _ in 0..config.max_shrink_runs.min(100) {
            if hung {
                // Every try would wait out the bound again; report it as found.
                break;
            }
            let moved = if failing {
                tree.simplify()
            } else {
                tree.complicate()
            };
            if !moved {
                break;
            }
            failing = false;
            for _ in 0..TRIES {
                if let Err(why) = attempt(factory, &tree.current()).await {
                    smallest = (tree.current(), why);
                    failing = true;
                    break;
                }
            }
        }
        let (batches, why) = smallest;
        let steps = plan::OneLine(&batches).to_string();
        let kept = match file.as_deref() {
            Some(path) => persist(path, seed, &steps),
            None => "not persisted: the crate being tested is contract-tests itself".to_owned(),
        };
        return Err(format!(
            "the concurrent model case of seed {seed:#018x} ({origin}) broke an invariant ({kept}):\n{why}\nshrunk to: {steps}"
        ));
    }
    Ok(())
}

/// The seed of case `case` of a run seeded `seed` (splitmix64, so neighbouring cases differ).
fn case_seed(seed: u64, case: u32) -> u64 {
    let mut z = seed.wrapping_add(
        u64::from(case)
            .wrapping_add(1)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The regression file of the crate being tested, unless that crate is this one.
fn regression_file() -> Option<PathBuf> {
    let tested = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let tested = PathBuf::from(tested);
    if tested == Path::new(env!("CARGO_MANIFEST_DIR")) {
        return None;
    }
    Some(tested.join(REGRESSIONS))
}

/// Every `cc 0x<seed>` line of the file (none when there is no file).
fn persisted_seeds(path: &Path) -> Vec<u64> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("cc "))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter_map(|hex| u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok())
        .collect()
}

/// Appends `seed` with its shrunk steps to the regression file (once); says where it went.
fn persist(path: &Path, seed: u64, steps: &str) -> String {
    use std::io::Write;
    if persisted_seeds(path).contains(&seed) {
        return format!("already in {}", path.display());
    }
    let header = "# Seeds of concurrent model cases that failed (contract-tests' \
                  model_concurrent_operations_keep_history).\n# Each is replayed before new \
                  cases are generated; check this file in so that everyone replays them.\n";
    let new = !path.exists();
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
        })
        .and_then(|mut file| {
            if new {
                file.write_all(header.as_bytes())?;
            }
            writeln!(file, "cc {seed:#018x} # shrinks to {steps}")
        });
    match written {
        Ok(()) => format!("persisted in {}", path.display()),
        Err(error) => format!("could not be persisted in {}: {error}", path.display()),
    }
}

/// One case on a fresh store; a panic (a hang past the bound included) counts as a failure.
async fn attempt<F: StoreFactory>(factory: &F, batches: &Batches) -> Result<(), String> {
    let store = crate::cases::fresh_store(factory).await;
    let plan = plan::Plan::new(batches);
    let run = AssertUnwindSafe(history::run(&store, &plan))
        .catch_unwind()
        .await;
    match run {
        Ok(Ok((history, end))) => check::check(&plan, &history, &end),
        Ok(Err(why)) => Err(why),
        Err(panic) => Err(panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "the run panicked".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persisted_seed_is_read_back_once_with_its_steps() {
        let dir = std::env::temp_dir().join(format!("model-concurrent-{}", fastrand::u64(..)));
        let path = dir.join(REGRESSIONS);
        assert!(persisted_seeds(&path).is_empty(), "no file, no seeds");
        assert!(persist(&path, 0xABCD, "batch 0: task 0 [ReadAll]; ").starts_with("persisted"));
        assert!(persist(&path, 0xABCD, "again").starts_with("already"));
        assert!(persist(&path, 7, "other").starts_with("persisted"));
        assert_eq!(persisted_seeds(&path), vec![0xABCD, 7]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# Seeds of concurrent model cases"),
            "{text}"
        );
        assert!(
            text.contains("cc 0x000000000000abcd # shrinks to batch 0: task 0 [ReadAll];"),
            "{text}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn case_seeds_differ_and_repeat() {
        assert_eq!(case_seed(1, 0), case_seed(1, 0));
        assert_ne!(case_seed(1, 0), case_seed(1, 1));
        assert_ne!(case_seed(1, 0), case_seed(2, 0));
    }

    #[test]
    fn the_suite_itself_persists_nothing() {
        // Its own tests run deliberately broken stores, whose failures are no regressions.
        assert_eq!(regression_file(), None);
    }
}
