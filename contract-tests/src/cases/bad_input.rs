//! Bad input gets a typed error and stores nothing; good input at the edges of the limits is
//! kept exactly.

use es_core::{
    Error, EventReaderExt, EventType, EventWriter, EventWriterExt, ExpectedVersion, NewEvent,
    StreamAppend, StreamId,
    limits::{MAX_EVENT_TYPE_BYTES, MAX_STREAM_ID_BYTES},
};

use super::support::{OrFail, assert_events, batch, event, everything, stream, whole};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "bad input is refused with a typed error and stores nothing, and input at the edges of the limits is kept exactly.";

/// Invalid stream ids and event type names are rejected with their typed errors before they
/// can reach a store, both when built and when deserialized; the store stays empty.
pub async fn invalid_ids_and_types_rejected_typed<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    for bad in [
        String::new(),
        "x".repeat(MAX_STREAM_ID_BYTES + 1),
        "a\nb".into(),
        "nul\0".into(),
    ] {
        let built = StreamId::new(&bad);
        assert!(
            matches!(built, Err(Error::InvalidStreamId { .. })),
            "stream id {bad:?} gave {built:?}"
        );
        let json = serde_json::to_string(&bad).or_fail_json();
        assert!(
            serde_json::from_str::<StreamId>(&json).is_err(),
            "stream id {bad:?} deserialized"
        );
    }
    for bad in [
        String::new(),
        " padded".into(),
        "x".repeat(MAX_EVENT_TYPE_BYTES + 1),
        "bell\u{7}".into(),
    ] {
        let built = EventType::new(&bad);
        assert!(
            matches!(built, Err(Error::InvalidEventType { .. })),
            "event type {bad:?} gave {built:?}"
        );
    }
    assert!(matches!(
        NewEvent::from_json("Ok", "{not json"),
        Err(Error::InvalidPayload { .. })
    ));
    assert!(everything(&store, "read_all").await.is_empty());
    Outcome::Passed
}

trait OrFailJson {
    fn or_fail_json(self) -> String;
}

impl OrFailJson for Result<String, serde_json::Error> {
    fn or_fail_json(self) -> String {
        match self {
            Ok(text) => text,
            Err(error) => panic!("the suite could not serialize a string: {error}"),
        }
    }
}

/// Stream ids at the byte limit (ASCII, 2-byte and 4-byte characters) are stored and read back
/// exactly, and ids that differ only in case, spacing or Unicode normalisation are different
/// streams.
pub async fn stream_ids_at_limit_kept_exactly<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let names = [
        "x".repeat(MAX_STREAM_ID_BYTES),
        "é".repeat(MAX_STREAM_ID_BYTES / 2),
        "𝄞".repeat(MAX_STREAM_ID_BYTES / 4),
        "case".into(),
        "CASE".into(),
        "case ".into(),
        "caf\u{e9}".into(),
        "cafe\u{301}".into(),
    ];
    for (n, name) in names.iter().enumerate() {
        let s = stream(name);
        store
            .append_events(&s, ExpectedVersion::NoStream, batch(&format!("{n}"), 1))
            .await
            .or_fail(&format!("appending to stream {name:?}"));
    }
    let all = everything(&store, "read_all").await;
    assert_eq!(all.len(), names.len(), "distinct stream ids were merged");
    for (name, event) in names.iter().zip(&all) {
        assert_eq!(
            event.stream_id.as_str(),
            name,
            "a stream id came back changed"
        );
        let read = whole(&store, &stream(name), "reading by id").await;
        assert_eq!(
            read.len(),
            1,
            "stream {name:?} must hold exactly its own event"
        );
        assert_eq!(read[0].id, event.id);
    }
    Outcome::Passed
}

/// Event type names at the byte limit and with Unicode are stored and read back exactly.
pub async fn event_types_at_limit_kept_exactly<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let types = [
        "T".repeat(MAX_EVENT_TYPE_BYTES),
        "😀".repeat(MAX_EVENT_TYPE_BYTES / 4),
        "Account Opened (v2)".into(),
        "accountopened".into(),
        "AccountOpened".into(),
    ];
    let events: Vec<_> = types.iter().map(|t| event(t, "{}")).collect();
    let s = stream("types");
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("appending");
    let read = whole(&store, &s, "reading").await;
    assert_events(&read, &events, "event types at the limit");
    Outcome::Passed
}

/// The same id twice in one append is `RepeatedEventId` and stores nothing.
pub async fn repeated_id_in_one_append_rejected<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("repeated");
    let first = event("A", "1");
    let twin = event("B", "2").with_id(first.id);
    let result = store
        .append_events(
            &s,
            ExpectedVersion::Any,
            vec![first.clone(), event("C", "3"), twin],
        )
        .await;
    assert!(
        matches!(&result, Err(Error::RepeatedEventId { id }) if *id == first.id),
        "an id twice in one append must be RepeatedEventId naming it, got {result:?}"
    );
    assert!(
        everything(&store, "read_all").await.is_empty(),
        "part of a rejected batch was stored"
    );
    Outcome::Passed
}

/// Malformed multi-stream appends (no stream, a stream twice, an empty batch, an id in two
/// streams) get their typed errors and store nothing.
pub async fn invalid_multi_append_rejected<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (a, b) = (stream("multi-bad-a"), stream("multi-bad-b"));
    let none = store.append_multi(Vec::new()).await;
    assert!(
        matches!(none, Err(Error::InvalidMultiAppend { .. })),
        "no stream at all gave {none:?}"
    );

    let twice = store
        .append_multi(vec![
            StreamAppend::new(a.clone(), ExpectedVersion::Any, batch("1", 1)),
            StreamAppend::new(a.clone(), ExpectedVersion::Any, batch("2", 1)),
        ])
        .await;
    assert!(
        matches!(twice, Err(Error::InvalidMultiAppend { .. })),
        "a stream twice gave {twice:?}"
    );

    let empty = store
        .append_multi(vec![
            StreamAppend::new(a.clone(), ExpectedVersion::Any, batch("1", 1)),
            StreamAppend::new(b.clone(), ExpectedVersion::Any, Vec::new()),
        ])
        .await;
    assert!(
        matches!(&empty, Err(Error::EmptyAppend { stream }) if *stream == b),
        "an empty batch gave {empty:?}"
    );

    let shared = event("Shared", "{}");
    let across = store
        .append_multi(vec![
            StreamAppend::new(a.clone(), ExpectedVersion::Any, vec![shared.clone()]),
            StreamAppend::new(b.clone(), ExpectedVersion::Any, vec![shared.clone()]),
        ])
        .await;
    assert!(
        matches!(&across, Err(Error::RepeatedEventId { id }) if *id == shared.id),
        "an id in two streams gave {across:?}"
    );

    assert!(
        everything(&store, "read_all").await.is_empty(),
        "a rejected multi-append stored events"
    );
    assert_eq!(store.stream_version(&a).await.or_fail("version"), None);
    Outcome::Passed
}
