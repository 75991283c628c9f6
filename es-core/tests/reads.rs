//! Appends read back: versions, global order across streams, paging, directions.

mod common;

use common::*;
use es_core::{EventStore, EventStoreExt, ExpectedVersion, Position, ReadStream, Version};
use memory_store::MemoryStore;

#[tokio::test]
async fn append_returns_versions_and_positions_written() {
    let store = MemoryStore::new();
    let (a, b) = (stream("a"), stream("b"));
    let first = store
        .append(&a, ExpectedVersion::NoStream, events(0..3))
        .await
        .expect("a");
    let second = store
        .append(&b, ExpectedVersion::NoStream, events(3..5))
        .await
        .expect("b");
    assert_eq!(
        (first.first_version.get(), first.last_version.get()),
        (1, 3)
    );
    assert_eq!(
        (second.first_version.get(), second.last_version.get()),
        (1, 2)
    );
    assert!(first.first_position < first.last_position);
    assert!(first.last_position < second.first_position);
    let stored = read(&store, &a).await;
    assert_eq!(
        stored.first().map(|e| e.position),
        Some(first.first_position)
    );
    assert_eq!(stored.last().map(|e| e.position), Some(first.last_position));
}

#[tokio::test]
async fn read_all_is_global_order_across_streams() {
    let store = MemoryStore::new();
    for n in 0..9 {
        let id = stream(["x", "y", "z"][n as usize % 3]);
        store
            .append(&id, ExpectedVersion::Any, vec![event(n)])
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
        .append(&stream("s"), ExpectedVersion::Any, events(0..25))
        .await
        .expect("append");
    for page_size in [1, 2, 7, 25, 100] {
        let paged = store
            .read_all_to_end(Position::START, page_size)
            .await
            .expect("pages");
        assert_eq!(
            numbers(&paged),
            (0..25).collect::<Vec<_>>(),
            "page size {page_size}"
        );
    }
    let middle = everything(&store).await[10].position;
    let tail = store.read_all(middle, 3).await.expect("tail");
    assert_eq!(numbers(&tail), vec![10, 11, 12], "from is inclusive");
    assert!(
        store
            .read_all(Position::START, 0)
            .await
            .expect("zero")
            .is_empty()
    );
}

#[tokio::test]
async fn read_stream_directions_from_and_limits() {
    let store = MemoryStore::new();
    let id = stream("s");
    store
        .append(&id, ExpectedVersion::Any, events(1..11))
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
async fn missing_stream_reads_empty_without_version() {
    let store = MemoryStore::new();
    let ghost = stream("never-written");
    assert!(read(&store, &ghost).await.is_empty());
    assert_eq!(store.stream_version(&ghost).await.expect("version"), None);
}
