//! Appends read back: versions, global order across streams, pages and checkpoints, directions.

mod common;

use common::*;
use es_core::{
    Checkpoint, EventReader, EventReaderExt, EventWriterExt, ExpectedVersion, PageState, ReadAll,
    ReadStream, Version,
};
use memory_store::MemoryStore;

#[tokio::test]
async fn append_returns_versions_and_positions_written() {
    let store = MemoryStore::new();
    let (a, b) = (stream("a"), stream("b"));
    let first = store
        .append_events(&a, ExpectedVersion::NoStream, events(0..3))
        .await
        .expect("a");
    let second = store
        .append_events(&b, ExpectedVersion::NoStream, events(3..5))
        .await
        .expect("b");
    assert_eq!(
        (first.first.version.get(), first.last.version.get()),
        (1, 3)
    );
    assert_eq!(
        (second.first.version.get(), second.last.version.get()),
        (1, 2)
    );
    assert!(first.first.position < first.last.position);
    assert!(first.last.position < second.first.position);
    let stored = read(&store, &a).await;
    assert_eq!(stored.first().map(|e| e.event_ref()), Some(first.first));
    assert_eq!(stored.last().map(|e| e.event_ref()), Some(first.last));
    assert_eq!(store.stream_head(&a).await.expect("head"), Some(first.last));
}

#[tokio::test]
async fn read_all_is_global_order_across_streams() {
    let store = MemoryStore::new();
    for n in 0..9 {
        let id = stream(["x", "y", "z"][n as usize % 3]);
        store
            .append_events(&id, ExpectedVersion::Any, [event(n)])
            .await
            .expect("append");
    }
    let all = everything(&store).await;
    assert_eq!(numbers(&all), (0..9).collect::<Vec<_>>());
    assert!(all.windows(2).all(|w| w[0].position < w[1].position));
    // Streams stay isolated: each holds only its own events, versions 1..=3.
    let y = read(&store, &stream("y")).await;
    assert_eq!(numbers(&y), vec![1, 4, 7]);
    assert_eq!(
        y.iter().map(|e| e.version.get()).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

#[tokio::test]
async fn read_all_pages_have_no_gaps_or_repeats() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("s"), ExpectedVersion::Any, events(0..25))
        .await
        .expect("append");
    for page_size in [1, 2, 7, 25, 100] {
        let paged = store
            .read_all_to_end(ReadAll::from_beginning().limit(page_size))
            .await
            .expect("pages");
        assert_eq!(
            numbers(&paged),
            (0..25).collect::<Vec<_>>(),
            "page size {page_size}"
        );
    }
}

#[tokio::test]
async fn read_all_resumes_just_after_a_page_checkpoint() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("s"), ExpectedVersion::Any, events(0..25))
        .await
        .expect("append");
    let first = store
        .read_all(ReadAll::from_beginning().limit(10))
        .await
        .expect("first page");
    assert_eq!(numbers(&first.events), (0..10).collect::<Vec<_>>());
    assert_eq!(
        first.state,
        PageState::More,
        "a full page says there is more"
    );
    let next = store
        .read_all(ReadAll::after(first.checkpoint.clone()).limit(3))
        .await
        .expect("next page");
    assert_eq!(
        numbers(&next.events),
        vec![10, 11, 12],
        "after is exclusive"
    );
    // A checkpoint survives being saved as text.
    let saved = Checkpoint::parse(&next.checkpoint.to_string()).expect("parse");
    let rest = store.read_all(ReadAll::after(saved)).await.expect("rest");
    assert_eq!(numbers(&rest.events), (13..25).collect::<Vec<_>>());
    assert!(rest.is_caught_up());
    let past_the_end = store
        .read_all(ReadAll::after(rest.checkpoint.clone()))
        .await
        .expect("past the end");
    assert!(past_the_end.events.is_empty() && past_the_end.is_caught_up());
    assert_eq!(past_the_end.checkpoint, rest.checkpoint);
}

#[tokio::test]
async fn read_all_of_zero_events_skips_nothing() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("s"), ExpectedVersion::Any, events(0..3))
        .await
        .expect("append");
    let empty = store
        .read_all(ReadAll::from_beginning().limit(0))
        .await
        .expect("zero");
    assert!(empty.events.is_empty());
    assert!(!empty.is_caught_up(), "three events are still to be read");
    let rest = store
        .read_all(ReadAll::after(empty.checkpoint))
        .await
        .expect("rest");
    assert_eq!(numbers(&rest.events), vec![0, 1, 2]);
}

#[tokio::test]
async fn read_all_from_head_sees_only_later_events() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("s"), ExpectedVersion::Any, events(0..3))
        .await
        .expect("before");
    let head = store.read_all(ReadAll::from_head()).await.expect("head");
    assert!(head.events.is_empty() && head.is_caught_up());
    assert_eq!(
        head.checkpoint,
        store.head_checkpoint().await.expect("head")
    );
    store
        .append_events(&stream("s"), ExpectedVersion::Any, events(3..5))
        .await
        .expect("after");
    let later = store
        .read_all_to_end(ReadAll::after(head.checkpoint))
        .await
        .expect("later");
    assert_eq!(numbers(&later), vec![3, 4]);
}

#[tokio::test]
async fn read_stream_directions_from_and_limits() {
    let store = MemoryStore::new();
    let id = stream("s");
    store
        .append_events(&id, ExpectedVersion::Any, events(1..11))
        .await
        .expect("append");
    let v = |n| Version::new(n).expect("non-zero");
    let cases = [
        (ReadStream::forward(), (1..=10).collect::<Vec<_>>()),
        (ReadStream::backward(), (1..=10).rev().collect()),
        (
            ReadStream::forward().from_version(v(4)).limit(3),
            vec![4, 5, 6],
        ),
        (
            ReadStream::backward().from_version(v(4)).limit(3),
            vec![4, 3, 2],
        ),
        (ReadStream::backward().limit(1), vec![10]),
        (ReadStream::forward().limit(0), vec![]),
        (ReadStream::forward().from_version(v(11)), vec![]),
        (
            ReadStream::backward().from_version(v(99)).limit(2),
            vec![10, 9],
        ),
    ];
    for (read, expected) in cases {
        let got = store.read_stream(&id, read).await.expect("read");
        assert_eq!(numbers(&got), expected, "{read:?}");
        assert!(
            got.iter()
                .all(|e| e.version.get() == numbers(std::slice::from_ref(e))[0])
        );
    }
}

#[tokio::test]
async fn missing_stream_reads_empty_without_head() {
    let store = MemoryStore::new();
    let ghost = stream("never-written");
    assert!(read(&store, &ghost).await.is_empty());
    assert_eq!(store.stream_head(&ghost).await.expect("head"), None);
    assert_eq!(store.stream_version(&ghost).await.expect("version"), None);
}
