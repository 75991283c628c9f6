//! The model-based test as a case: random operation sequences compared with a reference model
//! (see [`crate::model`]).

use crate::{
    Outcome, StoreFactory,
    model::{ModelConfig, run_model, run_model_concurrent},
};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "any sequence of operations, alone or from racing tasks, leaves the store as the reference model says.";

/// Random sequences of appends (every expected-version kind, bad ones included), multi-appends,
/// re-sends, id reuse, stream reads, paged and filtered reads of the global order and stream
/// heads give the same answers as the reference.
pub async fn model_based_operations_match_reference<F: StoreFactory>(factory: &F) -> Outcome {
    if let Err(why) = run_model(factory, ModelConfig::default()).await {
        panic!("{why}");
    }
    Outcome::Passed
}

/// Several tasks at once, each batch of operations starting together at a start line, issue
/// random appends of every expectation kind, multi-appends in random stream orders, exact
/// re-sends (also of calls another task sends at the same moment), stream reads, heads and
/// paged `read_all`s on a few shared streams; the recorded history keeps the model's invariants
/// (see [`crate::model::concurrent`]): every acknowledged event stored once where it was told,
/// gapless streams, real conflict versions, `read_all` consistent with every stream, re-sends
/// answered with the original result.
pub async fn model_concurrent_operations_keep_history<F: StoreFactory>(factory: &F) -> Outcome {
    if let Err(why) = run_model_concurrent(factory, ModelConfig::default()).await {
        panic!("{why}");
    }
    Outcome::Passed
}
