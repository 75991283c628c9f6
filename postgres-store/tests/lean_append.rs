//! The lean statements for appends whose expected version is known (`Exact`, `NoStream`):
//! edge cases of the version arithmetic and of the positions they write.

use es_core::{
    Error, EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, StreamId, Version,
};
use postgres_store::harness;

fn events(n: usize) -> Vec<NewEvent> {
    (0..n)
        .map(|i| NewEvent::from_json("E", format!("{{\"i\":{i}}}")).expect("event"))
        .collect()
}

#[tokio::test]
async fn huge_and_ahead_expectations_conflict_and_store_nothing() {
    let store = harness::fresh_store()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = StreamId::new("s").expect("id");
    store
        .append_events(&s, ExpectedVersion::NoStream, events(2))
        .await
        .expect("first");
    for v in [3, 1_000, u64::MAX, i64::MAX.unsigned_abs(), (1 << 62) + 7] {
        for n in [1, 3] {
            let expected = ExpectedVersion::Exact(Version::new(v).expect("v"));
            let result = store.append_events(&s, expected, events(n)).await;
            assert!(
                matches!(result, Err(Error::Conflict { actual, .. }) if actual == Version::new(2)),
                "Exact({v}) with {n} events: {result:?}"
            );
        }
    }
    assert_eq!(store.stream_version(&s).await.expect("v"), Version::new(2));
}

#[tokio::test]
async fn positions_of_one_call_are_consecutive_and_grow_across_calls() {
    let store = harness::fresh_store()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = StreamId::new("s").expect("id");
    let first = store
        .append_events(&s, ExpectedVersion::NoStream, events(1))
        .await
        .expect("one");
    assert_eq!(first.first.position, first.last.position);
    let second = store
        .append_events(&s, ExpectedVersion::Exact(first.last.version), events(5))
        .await
        .expect("batch");
    assert_eq!(second.first.version.get(), 2);
    assert_eq!(second.last.version.get(), 6);
    assert_eq!(
        second.last.position.get() - second.first.position.get(),
        4,
        "one statement numbers its rows 1..n"
    );
    assert!(second.first.position > first.last.position);
    let third = store
        .append_events(&s, ExpectedVersion::Any, events(2))
        .await
        .expect("any");
    assert!(third.first.position > second.last.position);
    assert_eq!(third.first.version.get(), 7);
}
