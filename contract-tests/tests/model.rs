//! The model-based test itself: it agrees with a correct store over many sequences, and it
//! shrinks a broken store's failure to a short, readable sequence.

mod broken;

use broken::{Broken, Flaw};
use contract_tests::model::{
    ModelConfig, run_model, run_model_concurrent, run_model_with_deletions,
};
use memory_store::MemoryStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_agrees_with_reference_over_many_sequences() {
    // New sequences on every run (the suite's own model case always checks the same ones).
    let config = ModelConfig {
        cases: 300,
        max_ops: 60,
        seed: contract_tests::model::random_seed(),
        ..ModelConfig::default()
    };
    if let Err(why) = run_model(&|| async { MemoryStore::new() }, config).await {
        panic!("{why}");
    }
    if let Err(why) = run_model_with_deletions(&|| async { MemoryStore::new() }, config).await {
        panic!("with deletions: {why}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_store_failure_is_shrunk_to_a_few_steps() {
    let config = ModelConfig {
        cases: 64,
        max_ops: 40,
        ..ModelConfig::default()
    };
    let failure = run_model(
        &|| async { Broken::new(Flaw::IgnoresExpectedVersion) },
        config,
    )
    .await;
    let Err(why) = failure else {
        panic!("64 random sequences never caught a store that ignores expected versions");
    };
    let steps = why.lines().filter(|line| line.starts_with("  ")).count();
    assert!(
        steps <= 4,
        "the failure was not shrunk (still {steps} steps):\n{why}"
    );
    assert!(
        why.contains("Conflict"),
        "the failure does not say what differed:\n{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_keeps_the_concurrent_invariants_over_many_cases() {
    let config = ModelConfig {
        cases: 200,
        seed: contract_tests::model::random_seed(),
        ..ModelConfig::default()
    };
    if let Err(why) = run_model_concurrent(&|| async { MemoryStore::new() }, config).await {
        panic!("{why}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_racing_appends_break_the_concurrent_model_with_the_seed_named() {
    let failure = run_model_concurrent(
        &|| async { Broken::new(Flaw::LosesRacingAppends) },
        ModelConfig::default(),
    )
    .await;
    let Err(why) = failure else {
        panic!("the concurrent model never caught a store that loses racing appends");
    };
    assert!(
        why.contains("of seed 0x"),
        "the failure does not name its seed:\n{why}"
    );
    assert!(
        why.contains("acknowledged") && why.contains("shrunk to: batch 0"),
        "the failure does not say what broke, or how it shrank:\n{why}"
    );
}
