//! Multi-stream appends are all or nothing.

mod common;

use common::*;
use es_core::{
    Error, EventReaderExt, EventWriter, EventWriterExt, ExpectedVersion, StreamAppend, Version,
};
use memory_store::MemoryStore;

#[tokio::test]
async fn multi_append_writes_every_stream_in_order() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("b"), ExpectedVersion::Any, events(0..2))
        .await
        .expect("seed");
    let results = store
        .append_multi(vec![
            StreamAppend::new(stream("a"), ExpectedVersion::NoStream, events(10..12)),
            StreamAppend::new(
                stream("b"),
                ExpectedVersion::Exact(Version::new(2).expect("2")),
                events(12..13),
            ),
        ])
        .await
        .expect("multi");
    assert_eq!(results.len(), 2);
    assert_eq!(
        (results[0].stream_id.as_str(), results[0].last.version.get()),
        ("a", 2)
    );
    assert_eq!(
        (results[1].stream_id.as_str(), results[1].last.version.get()),
        ("b", 3)
    );
    assert!(results[0].last.position < results[1].first.position);
    assert_eq!(numbers(&read(&store, &stream("b")).await), vec![0, 1, 12]);
}

#[tokio::test]
async fn multi_append_with_one_failed_expectation_stores_nothing() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("b"), ExpectedVersion::Any, events(0..2))
        .await
        .expect("seed");
    let before = everything(&store).await;
    let outcome = store
        .append_multi(vec![
            StreamAppend::new(stream("a"), ExpectedVersion::NoStream, events(10..12)),
            StreamAppend::new(stream("b"), ExpectedVersion::NoStream, events(12..13)),
        ])
        .await;
    match outcome {
        Err(Error::Conflict {
            stream: s, actual, ..
        }) => {
            assert_eq!(s, stream("b"));
            assert_eq!(actual, Version::new(2));
        }
        other => panic!("expected a conflict on b, got {other:?}"),
    }
    assert_eq!(everything(&store).await, before);
    assert_eq!(
        store.stream_version(&stream("a")).await.expect("version"),
        None
    );
}
