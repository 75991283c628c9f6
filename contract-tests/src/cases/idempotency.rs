//! Idempotent re-sends: an exact re-send of stored events returns the original result and
//! stores nothing; any other reuse of a stored id is `DuplicateEventId`. The
//! `*_on_every_path` cases check both under every expectation kind and on every path.

mod every_path;
mod part_of_a_call;

pub use every_path::{resend_returns_original_on_every_path, reused_ids_rejected_on_every_path};
pub use part_of_a_call::multi_append_resending_part_of_the_call_rejected;

use es_core::{Error, EventWriter, EventWriterExt, ExpectedVersion, StreamAppend};

use super::support::{OrFail, assert_events, batch, event, everything, stream, whole};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "an exact re-send of stored events returns the original result and stores nothing; any other reuse of a stored id is DuplicateEventId.";

/// Re-sending a stored batch (same ids, same content, same stream and expectation) returns the
/// original result and stores nothing new, even though the expectation no longer holds.
pub async fn resend_of_stored_batch_returns_original<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("idem-resend");
    let events = batch("a", 3);
    let original = store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("the first send");
    for expected in [ExpectedVersion::NoStream, ExpectedVersion::Any] {
        let again = store
            .append_events(&s, expected, events.clone())
            .await
            .or_fail(&format!("an exact re-send with {expected} must succeed"));
        assert_eq!(again, original, "a re-send must return the original result");
    }
    assert_events(
        &whole(&store, &s, "read").await,
        &events,
        "the stream after re-sends",
    );
    assert_eq!(
        everything(&store, "read_all").await.len(),
        3,
        "a re-send stored events again"
    );
    Outcome::Passed
}

/// A re-send stays idempotent after other writers moved the stream and the store on.
pub async fn resend_after_later_writes_returns_original<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("idem-later");
    let events = batch("a", 2);
    let original = store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("first send");
    let later = batch("later", 2);
    store
        .append_events(&s, ExpectedVersion::Any, later.clone())
        .await
        .or_fail("a later write");
    store
        .append_events(&stream("idem-other"), ExpectedVersion::Any, batch("o", 1))
        .await
        .or_fail("another stream");
    let again = store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("the late re-send");
    assert_eq!(
        again, original,
        "a late re-send must return the original result"
    );
    let mut wanted = events;
    wanted.extend(later);
    assert_events(
        &whole(&store, &s, "read").await,
        &wanted,
        "the stream after the late re-send",
    );
    assert_eq!(everything(&store, "read_all").await.len(), 5);
    Outcome::Passed
}

/// A stored id sent again with different content is `DuplicateEventId` naming the id and the
/// stream that holds it; nothing is stored.
pub async fn reused_id_with_other_content_rejected<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("idem-changed");
    let original = event("Deposited", r#"{"amount":5}"#);
    store
        .append_events(&s, ExpectedVersion::Any, vec![original.clone()])
        .await
        .or_fail("first send");
    let changed = event("Deposited", r#"{"amount":500}"#).with_id(original.id);
    let result = store
        .append_events(&s, ExpectedVersion::Any, vec![changed])
        .await;
    assert!(
        matches!(&result, Err(Error::DuplicateEventId { id, stream }) if *id == original.id && *stream == s),
        "a stored id with new content must be DuplicateEventId, got {result:?}"
    );
    assert_events(&whole(&store, &s, "read").await, &[original], "the stream");
    Outcome::Passed
}

/// A stored id sent to another stream is `DuplicateEventId` naming the stream that holds it.
pub async fn reused_id_in_other_stream_rejected<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (home, other) = (stream("idem-home"), stream("idem-elsewhere"));
    let original = event("A", "{}");
    store
        .append_events(&home, ExpectedVersion::Any, vec![original.clone()])
        .await
        .or_fail("first send");
    let result = store
        .append_events(&other, ExpectedVersion::Any, vec![original.clone()])
        .await;
    assert!(
        matches!(&result, Err(Error::DuplicateEventId { id, stream }) if *id == original.id && *stream == home),
        "a stored id sent to another stream must be DuplicateEventId naming {home}, got {result:?}"
    );
    assert!(
        whole(&store, &other, "read").await.is_empty(),
        "the other stream got the event"
    );
    assert_eq!(everything(&store, "read_all").await.len(), 1);
    Outcome::Passed
}

/// A batch mixing a stored id with new events is not a re-send: `DuplicateEventId`, and none of
/// its new events is stored.
pub async fn reused_id_mixed_with_new_rejected<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("idem-mixed");
    let stored = batch("a", 2);
    store
        .append_events(&s, ExpectedVersion::Any, stored.clone())
        .await
        .or_fail("first send");
    for mixed in [
        vec![stored[0].clone(), stored[1].clone(), event("New", "1")],
        vec![event("New", "2"), stored[0].clone()],
        vec![stored[1].clone(), stored[0].clone()],
    ] {
        let result = store
            .append_events(&s, ExpectedVersion::Any, mixed.clone())
            .await;
        assert!(
            matches!(&result, Err(Error::DuplicateEventId { .. })),
            "a batch mixing stored ids with others ({} events) must be DuplicateEventId, got {result:?}",
            mixed.len()
        );
    }
    assert_events(
        &whole(&store, &s, "read").await,
        &stored,
        "the stream after rejected mixes",
    );
    assert_eq!(everything(&store, "read_all").await.len(), 2);
    Outcome::Passed
}

/// Re-sending a whole multi-stream append returns the original results and stores nothing.
pub async fn multi_append_resend_returns_original<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (a, b) = (stream("idem-multi-a"), stream("idem-multi-b"));
    let appends = vec![
        StreamAppend::new(a.clone(), ExpectedVersion::NoStream, batch("a", 2)),
        StreamAppend::new(b.clone(), ExpectedVersion::NoStream, batch("b", 1)),
    ];
    let original = store
        .append_multi(appends.clone())
        .await
        .or_fail("the first multi-append");
    let again = store
        .append_multi(appends.clone())
        .await
        .or_fail("re-sending the multi-append");
    assert_eq!(
        again, original,
        "a multi-append re-send must return the original results"
    );
    assert_events(
        &whole(&store, &a, "read a").await,
        &appends[0].events,
        "stream a",
    );
    assert_events(
        &whole(&store, &b, "read b").await,
        &appends[1].events,
        "stream b",
    );
    assert_eq!(everything(&store, "read_all").await.len(), 3);
    Outcome::Passed
}

/// A multi-append where one stream's part reuses a stored id (and the other part is new) is
/// `DuplicateEventId`, and neither part is stored.
pub async fn multi_append_reusing_stored_id_rejected<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (a, b) = (stream("idem-multi-reuse-a"), stream("idem-multi-reuse-b"));
    let stored = batch("a", 1);
    store
        .append_events(&a, ExpectedVersion::Any, stored.clone())
        .await
        .or_fail("the first send");
    let reused = event("Other", r#"{"other":true}"#).with_id(stored[0].id);
    let result = store
        .append_multi(vec![
            StreamAppend::new(b.clone(), ExpectedVersion::Any, batch("b", 2)),
            StreamAppend::new(a.clone(), ExpectedVersion::Any, vec![reused]),
        ])
        .await;
    assert!(
        matches!(&result, Err(Error::DuplicateEventId { id, .. }) if *id == stored[0].id),
        "a multi-append reusing a stored id must be DuplicateEventId, got {result:?}"
    );
    assert!(
        whole(&store, &b, "b").await.is_empty(),
        "the new part was stored"
    );
    assert_events(&whole(&store, &a, "a").await, &stored, "stream a");
    Outcome::Passed
}

/// Only a whole stored batch is an exact re-send: its first events alone, its last ones, or one
/// from its middle, are a reuse of stored ids (`DuplicateEventId`), not a re-send that "returns"
/// a result no append ever had; under every expectation kind, alone and as part of a
/// multi-stream append. The batch follows an event of another call, so a store must tell where
/// a batch begins from more than the stream's first version.
pub async fn resend_of_part_of_a_batch_rejected<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("idem-part");
    let lead = event("Lead", r#"{"n":0}"#);
    store
        .append_events(&s, ExpectedVersion::NoStream, [lead.clone()])
        .await
        .or_fail("the event before the batch");
    let events = batch("whole", 3);
    store
        .append_events(&s, super::support::exact(1), events.clone())
        .await
        .or_fail("the first send");
    let parts: [&[es_core::NewEvent]; 4] =
        [&events[..2], &events[1..], &events[..1], &events[1..2]];
    for part in parts {
        for expected in [
            ExpectedVersion::Any,
            ExpectedVersion::NoStream,
            ExpectedVersion::StreamExists,
            super::support::exact(1),
            super::support::exact(4),
        ] {
            let result = store.append_events(&s, expected, part.to_vec()).await;
            assert!(
                matches!(&result, Err(Error::DuplicateEventId { .. })),
                "re-sending {} of a stored batch of 3 with {expected} must be DuplicateEventId, got {result:?}",
                part.len()
            );
        }
        let multi = store
            .append_multi(vec![StreamAppend::new(
                s.clone(),
                ExpectedVersion::Any,
                part.to_vec(),
            )])
            .await;
        assert!(
            matches!(&multi, Err(Error::DuplicateEventId { .. })),
            "re-sending {} of a stored batch in a multi-append must be DuplicateEventId, got {multi:?}",
            part.len()
        );
    }
    let stored: Vec<_> = std::iter::once(lead).chain(events).collect();
    assert_events(
        &whole(&store, &s, "read").await,
        &stored,
        "the stream after partial re-sends",
    );
    assert_eq!(everything(&store, "read_all").await.len(), 4);
    Outcome::Passed
}
