//! Every bad input is a typed error, and none of it is stored.

mod common;

use common::*;
use es_core::{
    Error, EventId, EventStore, ExpectedVersion, NewEvent, Payload, StreamAppend, limits,
};
use memory_store::MemoryStore;

#[tokio::test]
async fn empty_append_is_rejected() {
    let store = MemoryStore::new();
    let outcome = store
        .append(&stream("s"), ExpectedVersion::Any, vec![])
        .await;
    assert!(
        matches!(outcome, Err(Error::EmptyAppend { .. })),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn batch_over_the_limit_is_rejected_and_at_the_limit_accepted() {
    let store = MemoryStore::new();
    let too_many = events(0..limits::MAX_EVENTS_PER_APPEND as u64 + 1);
    match store
        .append(&stream("s"), ExpectedVersion::Any, too_many)
        .await
    {
        Err(Error::BatchTooLarge { len, max, .. }) => {
            assert_eq!((len, max), (1001, 1000));
        }
        other => panic!("expected BatchTooLarge, got {other:?}"),
    }
    assert!(everything(&store).await.is_empty());
    let at_limit = events(0..limits::MAX_EVENTS_PER_APPEND as u64);
    let written = store
        .append(&stream("s"), ExpectedVersion::Any, at_limit)
        .await
        .expect("at the limit");
    assert_eq!(written.last_version.get(), 1000);
}

#[tokio::test]
async fn oversized_payload_is_rejected() {
    let store = MemoryStore::new();
    let big = format!("\"{}\"", "x".repeat(limits::MAX_PAYLOAD_BYTES));
    let big = NewEvent::from_json("Big", big).expect("valid json");
    let outcome = store
        .append(&stream("s"), ExpectedVersion::Any, vec![event(0), big])
        .await;
    assert!(
        matches!(outcome, Err(Error::PayloadTooLarge { .. })),
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
    let batch = vec![event(0).with_id(id), event(1).with_id(id)];
    let outcome = store
        .append(&stream("s"), ExpectedVersion::Any, batch)
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
        Err(Error::MalformedPayload(_))
    ));
    assert!(matches!(
        NewEvent::from_json("", "{}"),
        Err(Error::InvalidEventType { .. })
    ));
    assert!(matches!(
        NewEvent::from_json("Ok", "[1,"),
        Err(Error::MalformedPayload(_))
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
    let wrong_shape = Payload::from_json(r#"{"amount":"lots"}"#).expect("valid json");
    assert!(matches!(
        wrong_shape.to_typed::<Deposited>(),
        Err(Error::MalformedPayload(_))
    ));
}

#[tokio::test]
async fn unsupported_capability_error_says_what_to_check() {
    // A provider that implements only the required methods gets Unsupported for the rest.
    struct Minimal(MemoryStore);
    impl EventStore for Minimal {
        fn capabilities(&self) -> es_core::Capabilities {
            es_core::Capabilities::NONE
        }
        async fn append(
            &self,
            s: &es_core::StreamId,
            e: ExpectedVersion,
            ev: Vec<NewEvent>,
        ) -> es_core::Result<es_core::AppendResult> {
            self.0.append(s, e, ev).await
        }
        async fn append_multi(
            &self,
            a: Vec<StreamAppend>,
        ) -> es_core::Result<Vec<es_core::AppendResult>> {
            self.0.append_multi(a).await
        }
        async fn read_stream(
            &self,
            s: &es_core::StreamId,
            r: es_core::ReadStream,
        ) -> es_core::Result<Vec<es_core::RecordedEvent>> {
            self.0.read_stream(s, r).await
        }
        async fn read_all(
            &self,
            f: es_core::Position,
            l: usize,
        ) -> es_core::Result<Vec<es_core::RecordedEvent>> {
            self.0.read_all(f, l).await
        }
        async fn stream_version(
            &self,
            s: &es_core::StreamId,
        ) -> es_core::Result<Option<es_core::Version>> {
            self.0.stream_version(s).await
        }
    }
    let store = Minimal(MemoryStore::new());
    let message = store
        .load_snapshot(&stream("s"))
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        message.as_deref(),
        Some(
            "this store does not support snapshots; check `EventStore::capabilities()` before calling it"
        )
    );
    assert!(matches!(
        store.subscribe(es_core::Position::START).await,
        Err(Error::Unsupported {
            capability: "subscriptions"
        })
    ));
}
