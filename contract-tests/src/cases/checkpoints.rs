//! Checkpoints (optional capability): where readers of the global order keep their place,
//! saved with compare-and-set so that two runners of one projection cannot both move it.

use es_core::{Checkpoint, CheckpointStore, Error, Position};

use super::support::{OrFail, fresh_store};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "a checkpoint is saved and loaded by name, moved only by compare-and-set, and names are validated.";

fn at(position: u64) -> Checkpoint {
    Checkpoint::after(Position::new(position))
}

/// A saved checkpoint loads back equal; a name never saved loads `None`.
pub async fn checkpoint_save_and_load<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: CheckpointStore,
{
    let store = fresh_store(factory).await;
    assert_eq!(
        store
            .load_checkpoint("orders-view")
            .await
            .or_fail("loading a missing checkpoint"),
        None
    );
    store
        .save_checkpoint("orders-view", None, at(7))
        .await
        .or_fail("saving the first checkpoint");
    assert_eq!(
        store
            .load_checkpoint("orders-view")
            .await
            .or_fail("loading"),
        Some(at(7))
    );
    store
        .save_checkpoint("orders-view", Some(&at(7)), at(42))
        .await
        .or_fail("moving the checkpoint on");
    assert_eq!(
        store
            .load_checkpoint("orders-view")
            .await
            .or_fail("loading"),
        Some(at(42)),
        "a moved checkpoint must load at its new place"
    );
    Outcome::Passed
}

/// A save whose expectation is not what is saved fails with `CheckpointConflict` naming what
/// is there, and changes nothing: a runner that lost its lease cannot move the checkpoint.
pub async fn checkpoint_compare_and_set<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: CheckpointStore,
{
    let store = fresh_store(factory).await;
    store
        .save_checkpoint("cas", None, at(5))
        .await
        .or_fail("saving the first checkpoint");
    for (expected, what) in [
        (None, "expecting no checkpoint where one is saved"),
        (Some(at(4)), "expecting an older checkpoint"),
        (Some(at(6)), "expecting a newer checkpoint"),
    ] {
        let result = store.save_checkpoint("cas", expected.as_ref(), at(9)).await;
        match result {
            Err(Error::CheckpointConflict { name, actual, .. }) => {
                assert_eq!(
                    name, "cas",
                    "{what}: the conflict names the wrong checkpoint"
                );
                assert_eq!(
                    actual.as_deref(),
                    Some("p:5"),
                    "{what}: the conflict must say what is saved"
                );
            }
            other => panic!("{what}: expected CheckpointConflict, got {other:?}"),
        }
        assert_eq!(
            store.load_checkpoint("cas").await.or_fail("loading"),
            Some(at(5)),
            "{what}: a failed compare-and-set moved the checkpoint"
        );
    }
    let fresh_name = store.save_checkpoint("cas-new", Some(&at(1)), at(2)).await;
    assert!(
        matches!(
            &fresh_name,
            Err(Error::CheckpointConflict { actual: None, .. })
        ),
        "expecting a checkpoint where none is saved must conflict with actual none, got {fresh_name:?}"
    );
    Outcome::Passed
}

/// Checkpoints of different names are independent.
pub async fn checkpoints_isolated_by_name<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: CheckpointStore,
{
    let store = fresh_store(factory).await;
    store
        .save_checkpoint("view-a", None, at(3))
        .await
        .or_fail("saving a");
    store
        .save_checkpoint("view-b", None, at(8))
        .await
        .or_fail("saving b");
    store
        .save_checkpoint("view-a", Some(&at(3)), at(4))
        .await
        .or_fail("moving a");
    assert_eq!(
        store.load_checkpoint("view-a").await.or_fail("a"),
        Some(at(4))
    );
    assert_eq!(
        store.load_checkpoint("view-b").await.or_fail("b"),
        Some(at(8))
    );
    assert_eq!(store.load_checkpoint("view-c").await.or_fail("c"), None);
    Outcome::Passed
}

/// Names follow the rules of stream ids: an empty or control-character name is rejected with a
/// typed error and nothing is saved.
pub async fn checkpoint_names_validated<F: StoreFactory>(factory: &F) -> Outcome
where
    F::Store: CheckpointStore,
{
    let store = fresh_store(factory).await;
    for bad in ["", "tab\there", &"x".repeat(256)] {
        let saved = store.save_checkpoint(bad, None, at(1)).await;
        assert!(
            matches!(saved, Err(Error::InvalidStreamId { .. })),
            "checkpoint name {bad:?} was not rejected: {saved:?}"
        );
        let loaded = store.load_checkpoint(bad).await;
        assert!(
            matches!(loaded, Err(Error::InvalidStreamId { .. })),
            "loading checkpoint name {bad:?} was not rejected: {loaded:?}"
        );
    }
    let unicode = "projection-𝄞";
    store
        .save_checkpoint(unicode, None, at(2))
        .await
        .or_fail("a unicode name");
    assert_eq!(
        store.load_checkpoint(unicode).await.or_fail("loading"),
        Some(at(2))
    );
    Outcome::Passed
}
