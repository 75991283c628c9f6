//! Catch-up subscriptions: stored events first, then live ones, none skipped or repeated.

mod common;

use std::time::Duration;

use common::*;
use es_core::{EventStore, ExpectedVersion, Position, RecordedEvent, Subscription};
use memory_store::MemoryStore;

async fn take(subscription: &mut Subscription, n: usize) -> Vec<RecordedEvent> {
    let mut seen = Vec::with_capacity(n);
    while seen.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(5), subscription.next())
            .await
            .expect("an event within 5 s")
            .expect("subscription still open")
            .expect("no error");
        seen.push(next);
    }
    seen
}

#[tokio::test]
async fn subscription_catches_up_then_goes_live() {
    let store = MemoryStore::new();
    store
        .append(&stream("a"), ExpectedVersion::Any, events(0..5))
        .await
        .expect("seed");
    let mut subscription = store.subscribe(Position::START).await.expect("subscribe");
    assert_eq!(
        numbers(&take(&mut subscription, 5).await),
        vec![0, 1, 2, 3, 4]
    );

    let writer = store.clone();
    let live = tokio::spawn(async move {
        for n in 5..8 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            writer
                .append(&stream("b"), ExpectedVersion::Any, vec![event(n)])
                .await
                .expect("live");
        }
    });
    assert_eq!(numbers(&take(&mut subscription, 3).await), vec![5, 6, 7]);
    live.await.expect("writer");
}

#[tokio::test]
async fn subscription_from_the_middle_resumes_after_last_seen() {
    let store = MemoryStore::new();
    store
        .append(&stream("a"), ExpectedVersion::Any, events(0..6))
        .await
        .expect("seed");
    let all = everything(&store).await;
    let last_handled = all[2].position;
    let mut resumed = store
        .subscribe(last_handled.next())
        .await
        .expect("subscribe");
    assert_eq!(numbers(&take(&mut resumed, 3).await), vec![3, 4, 5]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscription_sees_every_concurrent_event_once_in_order() {
    let store = MemoryStore::new();
    let mut subscription = store.subscribe(Position::START).await.expect("subscribe");
    let writers: Vec<_> = (0..16u64)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..20 {
                    let id = stream(&format!("writer-{w}"));
                    store
                        .append(&id, ExpectedVersion::Any, vec![event(w * 100 + n)])
                        .await
                        .expect("append");
                }
            })
        })
        .collect();
    let seen = take(&mut subscription, 320).await;
    for writer in writers {
        writer.await.expect("writer");
    }
    assert!(
        seen.windows(2).all(|w| w[0].position < w[1].position),
        "position order, no repeats"
    );
    let mut got = numbers(&seen);
    got.sort_unstable();
    let mut expected: Vec<u64> = (0..16)
        .flat_map(|w| (0..20).map(move |n| w * 100 + n))
        .collect();
    expected.sort_unstable();
    assert_eq!(got, expected, "every event exactly once");
}
