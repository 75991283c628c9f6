//! A multi-stream call that re-sends some of its parts and adds new ones.

use es_core::{Error, EventWriter, EventWriterExt, ExpectedVersion, StreamAppend};

use super::super::support::{OrFail, assert_events, batch, everything, exact, stream, whole};
use crate::{Outcome, StoreFactory};

/// A multi-stream append in which one part is an exact re-send of a stored append and another
/// part is new is not a re-send of one call: it is `DuplicateEventId` and stores nothing, under
/// every expectation kind for the re-sent part and with it first or last in the call. (Writing
/// the new part and "returning" the old one would answer a call that was never made; writing
/// both would store the re-sent events twice.)
pub async fn multi_append_resending_part_of_the_call_rejected<F: StoreFactory>(
    factory: &F,
) -> Outcome {
    let store = super::super::support::fresh_store(factory).await;
    let (old, new) = (stream("idem-part-call-old"), stream("idem-part-call-new"));
    let stored = batch("stored", 2);
    store
        .append_events(&old, ExpectedVersion::NoStream, stored.clone())
        .await
        .or_fail("the first send");
    for expected in [
        ExpectedVersion::Any,
        ExpectedVersion::NoStream,
        ExpectedVersion::StreamExists,
        exact(2),
    ] {
        for resent_first in [true, false] {
            let tag = format!("{expected}-{resent_first}");
            let mut parts = vec![
                StreamAppend::new(old.clone(), expected, stored.clone()),
                StreamAppend::new(new.clone(), ExpectedVersion::Any, batch(&tag, 1)),
            ];
            if !resent_first {
                parts.reverse();
            }
            let result = store.append_multi(parts).await;
            assert!(
                matches!(&result, Err(Error::DuplicateEventId { .. })),
                "a multi-append re-sending the stored part (with {expected}, {}) next to a new \
                 part must be DuplicateEventId, got {result:?}",
                if resent_first { "first" } else { "last" }
            );
        }
    }
    assert!(
        whole(&store, &new, "read the new stream").await.is_empty(),
        "the new part of a refused call was stored"
    );
    assert_events(
        &whole(&store, &old, "read the re-sent stream").await,
        &stored,
        "the re-sent stream",
    );
    assert_eq!(everything(&store, "read_all").await.len(), 2);
    Outcome::Passed
}
