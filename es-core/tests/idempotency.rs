//! Re-sending a batch after a lost acknowledgement stores nothing twice.

mod common;

use common::*;
use es_core::{Error, EventWriter, EventWriterExt, ExpectedVersion, StreamAppend};
use memory_store::MemoryStore;

#[tokio::test]
async fn resend_of_stored_batch_returns_original_result() {
    let store = MemoryStore::new();
    let id = stream("s");
    let batch = events(0..3);
    let original = store
        .append_events(&id, ExpectedVersion::NoStream, batch.clone())
        .await
        .expect("first");
    store
        .append_events(&id, ExpectedVersion::Any, events(3..4))
        .await
        .expect("later event");

    // The expectation no longer holds, but an exact re-send is recognised before it is checked.
    let again = store
        .append_events(&id, ExpectedVersion::NoStream, batch)
        .await
        .expect("re-send");
    assert_eq!(again, original);
    assert_eq!(numbers(&read(&store, &id).await), vec![0, 1, 2, 3]);
}

#[tokio::test]
async fn reuse_of_stored_id_in_another_batch_is_rejected() {
    let store = MemoryStore::new();
    let id = stream("s");
    let stored = events(0..2);
    store
        .append_events(&id, ExpectedVersion::Any, stored.clone())
        .await
        .expect("first");
    let before = everything(&store).await;

    let cases = [
        (
            "same id, other stream",
            stream("other"),
            vec![stored[0].clone()],
        ),
        (
            "same id, other payload",
            id.clone(),
            vec![event(9).with_id(stored[0].id)],
        ),
        (
            "stored id after a new one",
            id.clone(),
            vec![event(5), stored[1].clone()],
        ),
        (
            "ids out of order",
            id.clone(),
            vec![stored[1].clone(), stored[0].clone()],
        ),
    ];
    for (what, target, batch) in cases {
        match store
            .append_events(&target, ExpectedVersion::Any, batch)
            .await
        {
            Err(Error::DuplicateEventId { stream, .. }) => assert_eq!(stream, id, "{what}"),
            other => panic!("{what}: expected DuplicateEventId, got {other:?}"),
        }
        assert_eq!(everything(&store).await, before, "{what} stored something");
    }
}

#[tokio::test]
async fn resend_of_multi_append_returns_original_results() {
    let store = MemoryStore::new();
    let call = vec![
        StreamAppend::new(stream("a"), ExpectedVersion::NoStream, events(0..2)),
        StreamAppend::new(stream("b"), ExpectedVersion::NoStream, events(2..3)),
    ];
    let original = store.append_multi(call.clone()).await.expect("first");
    let again = store.append_multi(call.clone()).await.expect("re-send");
    assert_eq!(again, original);
    assert_eq!(everything(&store).await.len(), 3);

    // Half a re-send (one part stored, one part new) is not a re-send.
    let mixed = vec![
        call[0].clone(),
        StreamAppend::new(stream("c"), ExpectedVersion::Any, events(7..8)),
    ];
    assert!(matches!(
        store.append_multi(mixed).await,
        Err(Error::DuplicateEventId { .. })
    ));
    assert_eq!(everything(&store).await.len(), 3);
}
