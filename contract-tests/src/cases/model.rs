//! The model-based test as a case: random operation sequences compared with a reference model
//! (see [`crate::model`]).

use crate::{
    Outcome, StoreFactory,
    model::{ModelConfig, run_model},
};

/// Random sequences of appends (every expected-version kind, bad ones included), multi-appends,
/// re-sends, id reuse, stream reads, paged and filtered reads of the global order and stream
/// heads give the same answers as the reference.
pub async fn model_based_operations_match_reference<F: StoreFactory>(factory: &F) -> Outcome {
    if let Err(why) = run_model(factory, ModelConfig::default()).await {
        panic!("{why}");
    }
    Outcome::Passed
}
