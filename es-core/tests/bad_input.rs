//! Every bad input is a typed error, and none of it is stored.

mod common;

use common::*;
use es_core::{
    Error, EventId, EventReader, EventWriter, EventWriterExt, ExpectedVersion, NewEvent, Payload,
    StreamAppend,
};
use memory_store::MemoryStore;

#[tokio::test]
async fn empty_append_is_rejected() {
    let store = MemoryStore::new();
    let outcome = store
        .append_events(&stream("s"), ExpectedVersion::Any, [])
        .await;
    assert!(
        matches!(outcome, Err(Error::EmptyAppend { .. })),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn batch_over_the_limit_is_rejected_and_at_the_limit_accepted() {
    let store = MemoryStore::new();
    let max = store.claims().max_events_per_append;
    assert_eq!(max, 1000, "the memory store claims the portable limit");
    let too_many = events(0..max as u64 + 1);
    match store
        .append_events(&stream("s"), ExpectedVersion::Any, too_many)
        .await
    {
        Err(Error::BatchTooLarge { len, max, .. }) => {
            assert_eq!((len, max), (1001, 1000));
        }
        other => panic!("expected BatchTooLarge, got {other:?}"),
    }
    assert!(everything(&store).await.is_empty());
    let at_limit = events(0..max as u64);
    let written = store
        .append_events(&stream("s"), ExpectedVersion::Any, at_limit)
        .await
        .expect("at the limit");
    assert_eq!(written.last.version.get(), 1000);
}

#[tokio::test]
async fn oversized_payload_is_rejected() {
    let store = MemoryStore::new();
    let max = store.claims().max_payload_bytes;
    // A JSON string of `max - 1` characters and its quotes: one byte over.
    let big = format!("\"{}\"", "x".repeat(max - 1));
    let big = NewEvent::from_json("Big", big).expect("valid json");
    let big_id = big.id;
    let outcome = store
        .append_events(&stream("s"), ExpectedVersion::Any, [event(0), big])
        .await;
    assert!(
        matches!(outcome, Err(Error::PayloadTooLarge { id, size, max: limit })
            if id == big_id && size == max + 1 && limit == max),
        "{outcome:?}"
    );
    assert!(
        everything(&store).await.is_empty(),
        "nothing of the batch is stored"
    );
}

#[tokio::test]
async fn id_twice_in_one_append_is_rejected() {
    let store = MemoryStore::new();
    let id = EventId::new();
    let batch = [event(0).with_id(id), event(1).with_id(id)];
    let outcome = store
        .append_events(&stream("s"), ExpectedVersion::Any, batch)
        .await;
    assert!(matches!(outcome, Err(Error::RepeatedEventId { id: repeated }) if repeated == id));
    assert!(everything(&store).await.is_empty());
}

#[tokio::test]
async fn multi_append_naming_a_stream_twice_or_none_is_rejected() {
    let store = MemoryStore::new();
    let twice = vec![
        StreamAppend::new(stream("a"), ExpectedVersion::Any, [event(0)]),
        StreamAppend::new(stream("a"), ExpectedVersion::Any, [event(1)]),
    ];
    assert!(matches!(
        store.append_multi(twice).await,
        Err(Error::InvalidMultiAppend { .. })
    ));
    assert!(matches!(
        store.append_multi(vec![]).await,
        Err(Error::InvalidMultiAppend { .. })
    ));
    assert!(everything(&store).await.is_empty());
}

#[test]
fn malformed_json_and_bad_names_are_typed_errors() {
    assert!(matches!(
        Payload::from_json("{\"open\": "),
        Err(Error::InvalidPayload {
            what: "payload",
            ..
        })
    ));
    assert!(matches!(
        NewEvent::from_json("", "{}"),
        Err(Error::InvalidEventType { .. })
    ));
    assert!(matches!(
        NewEvent::from_json("Ok", "[1,"),
        Err(Error::InvalidPayload {
            what: "payload",
            ..
        })
    ));
    assert!(matches!(
        es_core::StreamId::new("a\u{0}b"),
        Err(Error::InvalidStreamId { .. })
    ));
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Deposited {
        amount: u64,
    }
    // Valid JSON of the wrong shape is stored data that does not fit, not bad input.
    let wrong_shape = Payload::from_json(r#"{"amount":"lots"}"#).expect("valid json");
    match wrong_shape.to_typed::<Deposited>() {
        Err(error @ Error::Decode { .. }) => {
            assert_eq!(error.kind(), es_core::ErrorKind::Decode);
            assert!(error.to_string().contains("invalid type"), "{error}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}
