//! A slow transaction holds a smaller position while a faster one with a larger position commits
//! first: readers of the global order must wait for the slow one, never skip it.

use std::time::Duration;

use es_core::{
    EventReader, EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, PageState, ReadAll,
    StreamId, Subscribe,
};
mod common;

use postgres_store::harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_all_and_subscriptions_wait_for_an_earlier_position() {
    let url = harness::fresh_database_url()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = postgres_store::PgStore::connect(postgres_store::PgStoreConfig::new(url.clone()))
        .await
        .expect("connect");
    let mut subscription = store
        .subscribe(Subscribe::from_beginning())
        .await
        .expect("subscribe");

    // The slow writer: an append left uncommitted, holding the smaller position.
    let mut slow = common::connect(&url).await;
    let (tx, slow_position) = common::uncommitted_event(&mut slow, "slow").await;

    // The fast writer commits a larger position first.
    let fast = store
        .append_events(
            &StreamId::new("fast").expect("id"),
            ExpectedVersion::NoStream,
            vec![NewEvent::from_json("Fast", "{}").expect("event")],
        )
        .await
        .expect("fast append");
    assert!(fast.first.position.get() > slow_position.unsigned_abs());

    // The fast event is committed and visible, yet a reader must not return it: returning it
    // would move the reader past the slow writer's smaller position.
    let early = store
        .read_all(ReadAll::from_beginning().limit(100))
        .await
        .expect("read_all");
    assert!(
        early.events.is_empty(),
        "read_all returned {:?} while position {slow_position} was still in flight",
        early.events.iter().map(|e| e.position).collect::<Vec<_>>()
    );
    assert_eq!(
        early.state,
        PageState::HeldBack,
        "a page held back by an in-flight writer must say so, not look like the end"
    );
    let nothing_yet =
        tokio::time::timeout(Duration::from_millis(600), subscription.next_event()).await;
    assert!(
        nothing_yet.is_err(),
        "the subscription delivered an event past an in-flight position"
    );

    tx.commit().await.expect("slow commit");

    let all = store
        .read_all_to_end(ReadAll::from_beginning().limit(100))
        .await
        .expect("read_all");
    let positions: Vec<u64> = all.iter().map(|e| e.position.get()).collect();
    assert_eq!(
        positions,
        vec![slow_position.unsigned_abs(), fast.first.position.get()]
    );
    assert_eq!(all[0].stream_id.as_str(), "slow");

    for expected in &positions {
        let event = tokio::time::timeout(Duration::from_secs(5), subscription.next_event())
            .await
            .expect("the subscription woke up")
            .expect("not ended")
            .expect("no error");
        assert_eq!(event.position.get(), *expected);
    }
}

#[tokio::test]
async fn batch_positions_increase_with_versions() {
    let store = harness::fresh_store()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stream = StreamId::new("big").expect("id");
    let events: Vec<NewEvent> = (0..1000)
        .map(|i| NewEvent::from_json("N", format!("{{\"i\":{i}}}")).expect("event"))
        .collect();
    let written = store
        .append_events(&stream, ExpectedVersion::NoStream, events)
        .await
        .expect("append");
    assert_eq!(written.last.version.get(), 1000);
    let read = store
        .read_stream(&stream, es_core::ReadStream::forward())
        .await
        .expect("read");
    assert_eq!(read.len(), 1000);
    for (i, pair) in read.windows(2).enumerate() {
        assert!(
            pair[0].position < pair[1].position,
            "positions out of version order at {i}"
        );
        assert_eq!(pair[1].payload.to_value().expect("json")["i"], i + 1);
    }
    assert_eq!(read[0].position, written.first.position);
    assert_eq!(read[999].position, written.last.position);
}

#[tokio::test]
async fn schemas_are_configurable_and_isolated() {
    let url = harness::fresh_database_url()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let config = postgres_store::PgStoreConfig::new(url);
    let a = postgres_store::PgStore::connect(config.clone().schema("tenant_a"))
        .await
        .expect("a");
    let b = postgres_store::PgStore::connect(config.clone().schema("tenant_b"))
        .await
        .expect("b");
    assert_eq!((a.schema(), b.schema()), ("tenant_a", "tenant_b"));
    a.migrate().await.expect("migrate a");
    b.migrate().await.expect("migrate b");
    a.migrate().await.expect("migrating twice is harmless");
    let stream = StreamId::new("s").expect("id");
    a.append_events(
        &stream,
        ExpectedVersion::NoStream,
        vec![NewEvent::from_json("A", "1").expect("e")],
    )
    .await
    .expect("append a");
    assert_eq!(
        a.stream_version(&stream).await.expect("v"),
        es_core::Version::new(1)
    );
    assert_eq!(b.stream_version(&stream).await.expect("v"), None);
    let bad = postgres_store::PgStore::connect(config.schema("x; drop table events")).await;
    assert!(matches!(
        bad,
        Err(postgres_store::PgStoreError::InvalidSchema(_))
    ));
}

/// The position an append returns is not a place to resume: an earlier transaction may still
/// commit below it. The head checkpoint (a read's safe place) is: taken while the slow writer is
/// in flight, a reader from it still gets the slow event once it commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_from_the_head_checkpoint_not_from_an_append_position() {
    let url = harness::fresh_database_url()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = postgres_store::PgStore::connect(postgres_store::PgStoreConfig::new(url.clone()))
        .await
        .expect("connect");
    let mut slow = common::connect(&url).await;
    let (tx, slow_position) = common::uncommitted_event(&mut slow, "slow").await;
    let fast = store
        .append_events(
            &StreamId::new("fast").expect("id"),
            ExpectedVersion::NoStream,
            vec![NewEvent::from_json("Fast", "{}").expect("event")],
        )
        .await
        .expect("fast append");
    let head = store.head_checkpoint().await.expect("the head checkpoint");
    let unsafe_resume = es_core::Checkpoint::after(fast.last.position);
    tx.commit().await.expect("slow commit");

    let after_head = store
        .read_all_to_end(ReadAll::after(head))
        .await
        .expect("read after the head checkpoint");
    assert!(
        after_head
            .iter()
            .any(|e| e.position.get() == slow_position.unsigned_abs()),
        "a reader resuming from the head checkpoint missed the event committed after it"
    );
    let after_append = store
        .read_all_to_end(ReadAll::after(unsafe_resume))
        .await
        .expect("read after the append's position");
    assert!(
        after_append
            .iter()
            .all(|e| e.position.get() != slow_position.unsigned_abs()),
        "resuming after an append's own position would skip the slower, earlier event: it is not a checkpoint"
    );
}
