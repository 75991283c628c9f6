//! Catch-up subscriptions: stored events first, then live ones, none skipped or repeated, and a
//! mark when caught up.

mod common;

use std::time::Duration;

use common::*;
use es_core::{
    EventReader, EventReaderExt, EventWriterExt, ExpectedVersion, ReadAll, RecordedEvent,
    Subscribe, Subscription, SubscriptionItem,
};
use memory_store::MemoryStore;

async fn take(subscription: &mut Subscription, n: usize) -> Vec<RecordedEvent> {
    let mut seen = Vec::with_capacity(n);
    while seen.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(5), subscription.next_event())
            .await
            .expect("an event within 5 s")
            .expect("subscription still open")
            .expect("no error");
        seen.push(next);
    }
    seen
}

async fn next_item(subscription: &mut Subscription) -> SubscriptionItem {
    tokio::time::timeout(Duration::from_secs(5), subscription.next())
        .await
        .expect("an item within 5 s")
        .expect("subscription still open")
        .expect("no error")
}

#[tokio::test]
async fn subscription_catches_up_then_goes_live() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("a"), ExpectedVersion::Any, events(0..5))
        .await
        .expect("seed");
    let mut subscription = store
        .subscribe(Subscribe::from_beginning())
        .await
        .expect("subscribe");
    let mut stored = Vec::new();
    let caught_up = loop {
        match next_item(&mut subscription).await {
            SubscriptionItem::Event { event, .. } => stored.push(event),
            SubscriptionItem::CaughtUp(checkpoint) => break checkpoint,
            SubscriptionItem::Checkpoint(_) => {}
            other => panic!("unexpected item {other:?}"),
        }
    };
    assert_eq!(
        numbers(&stored),
        vec![0, 1, 2, 3, 4],
        "stored events before the mark"
    );
    assert_eq!(
        caught_up,
        store.head_checkpoint().await.expect("head"),
        "caught up at the head"
    );

    let writer = store.clone();
    let live = tokio::spawn(async move {
        for n in 5..8 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            writer
                .append_events(&stream("b"), ExpectedVersion::Any, [event(n)])
                .await
                .expect("live");
        }
    });
    assert_eq!(numbers(&take(&mut subscription, 3).await), vec![5, 6, 7]);
    live.await.expect("writer");
}

#[tokio::test]
async fn subscription_after_a_checkpoint_resumes_there() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("a"), ExpectedVersion::Any, events(0..6))
        .await
        .expect("seed");
    let handled = store
        .read_all(ReadAll::from_beginning().limit(3))
        .await
        .expect("first page");
    assert_eq!(numbers(&handled.events), vec![0, 1, 2]);
    let mut resumed = store
        .subscribe(Subscribe::after(handled.checkpoint))
        .await
        .expect("subscribe");
    assert_eq!(numbers(&take(&mut resumed, 3).await), vec![3, 4, 5]);
}

#[tokio::test]
async fn subscription_resumes_after_an_event_checkpoint() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("a"), ExpectedVersion::Any, events(0..4))
        .await
        .expect("seed");
    let mut first = store
        .subscribe(Subscribe::from_beginning())
        .await
        .expect("subscribe");
    // Handle two events, keeping the checkpoint that came with the second.
    let mut kept = None;
    let mut handled = Vec::new();
    while handled.len() < 2 {
        if let SubscriptionItem::Event { event, checkpoint } = next_item(&mut first).await {
            handled.push(event);
            kept = Some(checkpoint);
        }
    }
    drop(first);
    assert_eq!(numbers(&handled), vec![0, 1]);
    let mut resumed = store
        .subscribe(Subscribe::after(kept.expect("a checkpoint")))
        .await
        .expect("resubscribe");
    assert_eq!(numbers(&take(&mut resumed, 2).await), vec![2, 3]);
}

#[tokio::test]
async fn subscription_from_head_skips_stored_events() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("a"), ExpectedVersion::Any, events(0..3))
        .await
        .expect("seed");
    let head = store.head_checkpoint().await.expect("head");
    let mut live = store
        .subscribe(Subscribe::from_head())
        .await
        .expect("subscribe");
    match next_item(&mut live).await {
        SubscriptionItem::CaughtUp(at) => assert_eq!(at, head, "nothing stored is delivered"),
        other => panic!("expected to be caught up at the head, got {other:?}"),
    }
    store
        .append_events(&stream("a"), ExpectedVersion::Any, events(3..4))
        .await
        .expect("live");
    assert_eq!(numbers(&take(&mut live, 1).await), vec![3]);
}

/// "From the head" is the head when `subscribe` returned, not when the subscription is first
/// polled: an event committed in between is "committed later" and must be delivered.
#[tokio::test]
async fn subscription_from_head_starts_when_subscribe_returns() {
    let store = MemoryStore::new();
    store
        .append_events(&stream("a"), ExpectedVersion::Any, events(0..3))
        .await
        .expect("seed");
    let mut live = store
        .subscribe(Subscribe::from_head())
        .await
        .expect("subscribe");
    store
        .append_events(&stream("a"), ExpectedVersion::Any, events(3..4))
        .await
        .expect("committed after subscribe returned");
    assert_eq!(numbers(&take(&mut live, 1).await), vec![3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscription_sees_every_concurrent_event_once_in_order() {
    let store = MemoryStore::new();
    let mut subscription = store
        .subscribe(Subscribe::from_beginning())
        .await
        .expect("subscribe");
    let writers: Vec<_> = (0..16u64)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..20 {
                    let id = stream(&format!("writer-{w}"));
                    store
                        .append_events(&id, ExpectedVersion::Any, [event(w * 100 + n)])
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

/// A filtered subscription that has said "caught up" still reports progress when events it
/// skips are appended later: a checkpoint past them, so a runner resuming from its last
/// checkpoint does not scan them again. (Without it, whether the skipped events moved the
/// checkpoint depended on whether they were committed before or after the first caught-up read.)
#[tokio::test]
async fn caught_up_filtered_subscription_reports_skipped_progress() {
    use es_core::{EventFilter, EventType, EventWriterExt, ExpectedVersion, NewEvent};

    let store = MemoryStore::new();
    let wanted = EventFilter::all().with_event_types([EventType::new("Wanted").expect("type")]);
    let mut subscription = store
        .subscribe(Subscribe::from_beginning().filter(wanted))
        .await
        .expect("subscribe");
    let SubscriptionItem::CaughtUp(first) = next_item(&mut subscription).await else {
        panic!("an empty store's subscription must start caught up");
    };
    store
        .append_events(
            &stream("noise-1"),
            ExpectedVersion::Any,
            [NewEvent::from_json("Noise", "{}").expect("event")],
        )
        .await
        .expect("append noise");
    match next_item(&mut subscription).await {
        SubscriptionItem::Checkpoint(moved) => {
            assert!(moved > first, "{moved} is not past {first}")
        }
        other => panic!("skipped events after caught up must move the checkpoint, got {other:?}"),
    }
}
