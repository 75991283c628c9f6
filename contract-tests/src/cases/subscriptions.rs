//! Subscriptions: catch-up from the beginning and from a checkpoint, live delivery, resuming,
//! "caught up" marks, filtered subscriptions, and no event skipped or repeated while writers
//! commit out of order.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use es_core::{
    Checkpoint, EventFilter, EventReader, EventType, EventWriterExt, ExpectedVersion, ReadAll,
    RecordedEvent, Subscribe, Subscription, SubscriptionItem,
};

use super::{
    race::{StartLine, spawn_guarded},
    read_all::interleaved,
    support::{
        OrFail, assert_events, assert_increasing, batch, describe, event, everything, fresh,
        settle, stream,
    },
    writers::{RACERS, check_seen_exactly_once, race_writers},
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "a subscription delivers every matching event once, in the global order, from where it started, then live, and says when it is caught up.";

/// How long a subscriber waits for an item that must come.
const PATIENCE: Duration = Duration::from_secs(5);

/// The next item, failing if none comes in time or the subscription ends.
async fn next_item(subscription: &mut Subscription, what: &str) -> SubscriptionItem {
    match tokio::time::timeout(PATIENCE, subscription.next()).await {
        Ok(Some(Ok(item))) => item,
        Ok(Some(Err(error))) => panic!("{what}: the subscription failed: {error}"),
        Ok(None) => panic!("{what}: the subscription ended"),
        Err(_) => panic!("{what}: nothing arrived within {PATIENCE:?}"),
    }
}

/// Takes `count` events (and the checkpoint of the last) from the subscription, passing over
/// checkpoints and "caught up" marks, failing if one does not come in time.
async fn take_with_checkpoint(
    subscription: &mut Subscription,
    count: usize,
    what: &str,
) -> (Vec<RecordedEvent>, Option<Checkpoint>) {
    let mut events = Vec::with_capacity(count);
    let mut last = None;
    while events.len() < count {
        match tokio::time::timeout(PATIENCE, subscription.next()).await {
            Ok(Some(Ok(SubscriptionItem::Event { event, checkpoint }))) => {
                events.push(event);
                last = Some(checkpoint);
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(error))) => panic!(
                "{what}: the subscription failed after {} events: {error}",
                events.len()
            ),
            Ok(None) => panic!(
                "{what}: the subscription ended after {} of {count} events",
                events.len()
            ),
            Err(_) => panic!(
                "{what}: only {} of {count} events arrived within {PATIENCE:?}",
                events.len()
            ),
        }
    }
    (events, last)
}

/// Takes `count` events from the subscription.
async fn take(subscription: &mut Subscription, count: usize, what: &str) -> Vec<RecordedEvent> {
    take_with_checkpoint(subscription, count, what).await.0
}

/// Asserts that no further event arrives for a short while (checkpoints may).
async fn assert_quiet(subscription: &mut Subscription, what: &str) {
    let until = Instant::now() + Duration::from_millis(150);
    while let Ok(Some(item)) = tokio::time::timeout_at(until.into(), subscription.next()).await {
        if let Ok(SubscriptionItem::Event { event, .. }) = item {
            panic!(
                "{what}: an unexpected extra event arrived: {}",
                describe(&event)
            );
        }
    }
}

/// A subscription from the beginning delivers every stored event in position order.
pub async fn subscribe_catch_up_from_start<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 3).await;
    settle(&fresh, "the reader catching up").await;
    let mut subscription = fresh
        .reader
        .subscribe(Subscribe::from_beginning())
        .await
        .or_fail("subscribing");
    let got = take(
        &mut subscription,
        written.len(),
        "catching up from the beginning",
    )
    .await;
    assert_increasing(&got, "catch-up from the beginning");
    assert_events(&got, &written, "catch-up from the beginning");
    assert_quiet(&mut subscription, "after catching up").await;
    Outcome::Passed
}

/// A subscription after a page's checkpoint starts with the event right after it.
pub async fn subscribe_catch_up_after_checkpoint<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 3).await;
    settle(&fresh, "the reader catching up").await;
    let cut = written.len() / 2;
    let page = fresh
        .reader
        .read_all(ReadAll::from_beginning().limit(cut))
        .await
        .or_fail("reading the first half");
    let mut subscription = fresh
        .reader
        .subscribe(Subscribe::after(page.checkpoint))
        .await
        .or_fail("subscribing");
    let got = take(
        &mut subscription,
        written.len() - cut,
        "catching up after a checkpoint",
    )
    .await;
    assert_events(&got, &written[cut..], "catch-up after a checkpoint");
    assert_quiet(&mut subscription, "after catching up from the middle").await;
    Outcome::Passed
}

/// Events appended after subscribing arrive live, in order, after the stored ones.
pub async fn subscribe_delivers_live_events<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let s = stream("live");
    let stored = batch("stored", 2);
    fresh
        .store
        .append_events(&s, ExpectedVersion::Any, stored.clone())
        .await
        .or_fail("before subscribing");
    settle(&fresh, "the reader catching up").await;
    let mut subscription = fresh
        .reader
        .subscribe(Subscribe::from_beginning())
        .await
        .or_fail("subscribing");
    let first = take(&mut subscription, 2, "the stored events").await;
    assert_events(&first, &stored, "the stored events");
    let mut live = Vec::new();
    for round in 0..3 {
        let events = batch(&format!("live{round}"), 1 + round);
        fresh
            .store
            .append_events(&s, ExpectedVersion::Any, events.clone())
            .await
            .or_fail("appending live");
        let got = take(&mut subscription, events.len(), "a live append").await;
        assert_events(&got, &events, "a live append");
        live.extend(got);
    }
    assert_increasing(&live, "live events");
    assert!(first[1].position < live[0].position);
    Outcome::Passed
}

/// A new subscription after the checkpoint of the last handled event resumes exactly there:
/// nothing repeated, nothing skipped.
pub async fn subscribe_resume_from_checkpoint<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 2).await;
    settle(&fresh, "the reader catching up").await;
    let mut first = fresh
        .reader
        .subscribe(Subscribe::from_beginning())
        .await
        .or_fail("subscribing");
    let (handled, checkpoint) = take_with_checkpoint(&mut first, 4, "the first subscription").await;
    assert_events(&handled, &written[..4], "the first subscription");
    drop(first);
    let later = batch("later", 3);
    fresh
        .store
        .append_events(&stream("all-b"), ExpectedVersion::Any, later.clone())
        .await
        .or_fail("writing while away");
    let Some(checkpoint) = checkpoint else {
        panic!("an event came without a checkpoint")
    };
    let mut second = fresh
        .reader
        .subscribe(Subscribe::after(checkpoint))
        .await
        .or_fail("resubscribing");
    let mut wanted = written[4..].to_vec();
    wanted.extend(later);
    let rest = take(&mut second, wanted.len(), "the resumed subscription").await;
    assert_events(&rest, &wanted, "resuming after the last handled event");
    assert_quiet(&mut second, "after resuming").await;
    Outcome::Passed
}

/// A subscription from the head gets only events appended later.
pub async fn subscribe_from_head_gets_only_new_events<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    interleaved(&fresh.store, 2).await;
    settle(&fresh, "the reader catching up").await;
    let mut subscription = fresh
        .reader
        .subscribe(Subscribe::from_head())
        .await
        .or_fail("subscribing");
    assert_quiet(
        &mut subscription,
        "a subscription from the head before new writes",
    )
    .await;
    let new = batch("fresh", 2);
    fresh
        .store
        .append_events(&stream("head"), ExpectedVersion::Any, new.clone())
        .await
        .or_fail("appending after subscribing");
    let got = take(&mut subscription, 2, "a subscription from the head").await;
    assert_events(&got, &new, "a subscription from the head");
    Outcome::Passed
}

/// A subscription says it is caught up once it has delivered every stored event (and not
/// before), and again after delivering live events; the mark's checkpoint resumes after them.
pub async fn subscribe_reports_caught_up<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 2).await;
    settle(&fresh, "the reader catching up").await;
    let mut subscription = fresh
        .reader
        .subscribe(Subscribe::from_beginning())
        .await
        .or_fail("subscribing");
    let mut delivered = Vec::new();
    let caught_up = loop {
        match next_item(&mut subscription, "catching up").await {
            SubscriptionItem::Event { event, .. } => delivered.push(event),
            SubscriptionItem::CaughtUp(checkpoint) => break checkpoint,
            _ => {}
        }
    };
    assert_events(
        &delivered,
        &written,
        "the events before the first \"caught up\"",
    );
    let live = batch("after-caught-up", 2);
    fresh
        .store
        .append_events(&stream("caught"), ExpectedVersion::Any, live.clone())
        .await
        .or_fail("appending live");
    let mut more = Vec::new();
    let again = loop {
        match next_item(&mut subscription, "delivering live events").await {
            SubscriptionItem::Event { event, .. } => more.push(event),
            SubscriptionItem::CaughtUp(checkpoint) => break checkpoint,
            _ => {}
        }
    };
    assert_events(
        &more,
        &live,
        "the live events before the next \"caught up\"",
    );
    assert!(
        again > caught_up,
        "\"caught up\" did not move after live events ({caught_up} then {again})"
    );
    let after = fresh
        .reader
        .read_all(ReadAll::after(again))
        .await
        .or_fail("reading after the last caught-up checkpoint");
    assert!(
        after.events.is_empty(),
        "the caught-up checkpoint does not cover what was delivered"
    );
    Outcome::Passed
}

/// A filtered subscription delivers only matching events, and while it passes over others it
/// still hands out checkpoints that resume after them.
pub async fn subscribe_filtered_skips_with_checkpoints<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let wanted = event("Wanted", r#"{"n":1}"#);
    fresh
        .store
        .append_events(&stream("filter-a"), ExpectedVersion::Any, batch("noise", 5))
        .await
        .or_fail("writing noise");
    fresh
        .store
        .append_events(&stream("filter-b"), ExpectedVersion::Any, [wanted.clone()])
        .await
        .or_fail("writing the match");
    settle(&fresh, "the reader catching up").await;
    let filter = EventFilter::all().with_event_types([match EventType::new("Wanted") {
        Ok(t) => t,
        Err(error) => panic!("the suite's event type is invalid: {error}"),
    }]);
    let mut subscription = fresh
        .reader
        .subscribe(Subscribe::from_beginning().filter(filter.clone()))
        .await
        .or_fail("subscribing with a filter");
    let got = take(&mut subscription, 1, "the filtered subscription").await;
    assert_events(&got, &[wanted], "the filtered subscription");
    let checkpoint = loop {
        match next_item(&mut subscription, "the filtered subscription catching up").await {
            SubscriptionItem::CaughtUp(checkpoint) => break checkpoint,
            SubscriptionItem::Event { event, .. } => {
                panic!("the filter let through {}", describe(&event))
            }
            _ => {}
        }
    };
    fresh
        .store
        .append_events(
            &stream("filter-a"),
            ExpectedVersion::Any,
            batch("more-noise", 3),
        )
        .await
        .or_fail("writing more noise");
    settle(&fresh, "the reader catching up").await;
    let mut resumed = fresh
        .reader
        .subscribe(Subscribe::after(checkpoint.clone()).filter(filter))
        .await
        .or_fail("resubscribing");
    let moved = loop {
        match next_item(&mut resumed, "the resumed filtered subscription").await {
            SubscriptionItem::Event { event, .. } => {
                panic!("the filter let through {}", describe(&event))
            }
            SubscriptionItem::CaughtUp(cp) | SubscriptionItem::Checkpoint(cp)
                if cp > checkpoint =>
            {
                break cp;
            }
            _ => {}
        }
    };
    assert!(
        moved > checkpoint,
        "skipping non-matching events must move the checkpoint"
    );
    Outcome::Passed
}

/// Two subscribers, one started before and one in the middle of a run of live writes, see the
/// same events in the same order.
pub async fn subscribers_agree_on_order<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let mut early = fresh
        .reader
        .subscribe(Subscribe::from_beginning())
        .await
        .or_fail("subscribing early");
    let mut written = Vec::new();
    for round in 0..3 {
        let events = batch(&format!("first{round}"), 2);
        store
            .append_events(
                &stream(&format!("agree-{}", round % 2)),
                ExpectedVersion::Any,
                events.clone(),
            )
            .await
            .or_fail("writing");
        written.extend(events);
    }
    let mut late = fresh
        .reader
        .subscribe(Subscribe::from_beginning())
        .await
        .or_fail("subscribing late");
    for round in 0..3 {
        let events = batch(&format!("second{round}"), 1);
        store
            .append_events(
                &stream(&format!("agree-{}", round % 2)),
                ExpectedVersion::Any,
                events.clone(),
            )
            .await
            .or_fail("writing");
        written.extend(events);
    }
    let a = take(&mut early, written.len(), "the early subscriber").await;
    let b = take(&mut late, written.len(), "the late subscriber").await;
    assert_events(&a, &written, "the early subscriber");
    assert_events(&b, &written, "the late subscriber");
    let (pa, pb): (Vec<_>, Vec<_>) = (
        a.iter().map(|e| e.position).collect(),
        b.iter().map(|e| e.position).collect(),
    );
    assert_eq!(pa, pb, "two subscribers saw different positions");
    Outcome::Passed
}

/// A subscriber that starts before 16 writers race (single and multi-stream appends, of
/// different sizes) sees every committed event exactly once, in position order. A store whose
/// reads can return an event past a smaller position that commits later makes the subscriber
/// skip that event for good, and fails here.
pub async fn subscribe_no_skip_under_concurrent_writers<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let store = &fresh.store;
    let mut subscription = fresh
        .reader
        .subscribe(Subscribe::from_beginning())
        .await
        .or_fail("subscribing");
    // How many events the writers stored; 0 while they are still writing.
    let target = Arc::new(AtomicUsize::new(0));
    let start = StartLine::new(RACERS + 1);
    let collector = {
        let (target, start) = (target.clone(), start.clone());
        spawn_guarded(async move {
            let mut seen = Vec::new();
            let mut deadline = None;
            start.go().await;
            loop {
                match tokio::time::timeout(Duration::from_millis(50), subscription.next_event())
                    .await
                {
                    Ok(Some(Ok(event))) => seen.push(event),
                    Ok(Some(Err(error))) => panic!("the subscription failed: {error}"),
                    Ok(None) => panic!("the subscription ended"),
                    Err(_) => {}
                }
                let wanted = target.load(Ordering::SeqCst);
                if wanted == 0 {
                    continue;
                }
                if seen.len() >= wanted {
                    // Give a repeated or invented event a moment to show up too.
                    if let Ok(Some(Ok(extra))) =
                        tokio::time::timeout(Duration::from_millis(200), subscription.next_event())
                            .await
                    {
                        seen.push(extra);
                    }
                    return seen;
                }
                let deadline = *deadline.get_or_insert_with(|| Instant::now() + PATIENCE);
                if Instant::now() > deadline {
                    return seen;
                }
            }
        })
    };
    // The subscriber is listening already; it and the writers start together.
    let written = race_writers(store, RACERS, 12, start).await;
    target.store(written.len(), Ordering::SeqCst);
    let seen = collector.join().await;
    check_seen_exactly_once(
        &seen,
        &written,
        &everything(&fresh.reader, "read_all").await,
        "the subscriber",
    );
    Outcome::Passed
}
