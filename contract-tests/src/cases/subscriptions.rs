//! Subscriptions (optional capability): catch-up from the start and from the middle, live
//! delivery, resuming, and no event skipped or repeated while writers commit out of order.

use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use es_core::{EventStore, ExpectedVersion, Position, RecordedEvent, Subscription};

use super::{
    read_all::interleaved,
    support::{OrFail, assert_events, assert_increasing, batch, everything, stream},
    writers::race_writers,
};
use crate::{Outcome, StoreFactory};

/// How long a subscriber waits for an event that must come.
const PATIENCE: Duration = Duration::from_secs(5);

macro_rules! needs_subscriptions {
    ($store:expr) => {
        if !$store.capabilities().subscriptions {
            return Outcome::NotApplicable("subscriptions");
        }
    };
}

/// Takes `count` events from the subscription, failing if one does not come in time.
async fn take(subscription: &mut Subscription, count: usize, what: &str) -> Vec<RecordedEvent> {
    let mut events = Vec::with_capacity(count);
    while events.len() < count {
        match tokio::time::timeout(PATIENCE, subscription.next()).await {
            Ok(Some(Ok(event))) => events.push(event),
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
    events
}

/// Asserts that nothing more arrives for a short while.
async fn assert_quiet(subscription: &mut Subscription, what: &str) {
    if let Ok(Some(extra)) =
        tokio::time::timeout(Duration::from_millis(150), subscription.next()).await
    {
        panic!("{what}: an unexpected extra event arrived: {extra:?}");
    }
}

/// A subscription from the start delivers every stored event in position order.
pub async fn subscribe_catch_up_from_start<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_subscriptions!(store);
    let written = interleaved(&store, 3).await;
    let mut subscription = store
        .subscribe(Position::START)
        .await
        .or_fail("subscribing");
    let got = take(
        &mut subscription,
        written.len(),
        "catching up from the start",
    )
    .await;
    assert_events(&got, &written, "catch-up from the start");
    assert_increasing(&got, "catch-up from the start");
    assert_quiet(&mut subscription, "after catching up").await;
    Outcome::Passed
}

/// A subscription from a position in the middle starts at that event (inclusive).
pub async fn subscribe_catch_up_from_middle<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_subscriptions!(store);
    let written = interleaved(&store, 3).await;
    let all = everything(&store, "read_all").await;
    let cut = all.len() / 2;
    let mut subscription = store
        .subscribe(all[cut].position)
        .await
        .or_fail("subscribing");
    let got = take(
        &mut subscription,
        written.len() - cut,
        "catching up from the middle",
    )
    .await;
    assert_events(
        &got,
        &written[cut..],
        "catch-up from the middle (inclusive)",
    );
    assert_quiet(&mut subscription, "after catching up from the middle").await;
    Outcome::Passed
}

/// Events appended after subscribing arrive live, in order, after the stored ones.
pub async fn subscribe_delivers_live_events<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_subscriptions!(store);
    let s = stream("live");
    let stored = batch("stored", 2);
    store
        .append(&s, ExpectedVersion::Any, stored.clone())
        .await
        .or_fail("before subscribing");
    let mut subscription = store
        .subscribe(Position::START)
        .await
        .or_fail("subscribing");
    let first = take(&mut subscription, 2, "the stored events").await;
    assert_events(&first, &stored, "the stored events");
    let mut live = Vec::new();
    for round in 0..3 {
        let events = batch(&format!("live{round}"), 1 + round);
        store
            .append(&s, ExpectedVersion::Any, events.clone())
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

/// A new subscription from the position after the last handled event resumes exactly there:
/// nothing repeated, nothing skipped.
pub async fn subscribe_resume_from_position<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_subscriptions!(store);
    let written = interleaved(&store, 2).await;
    let mut first = store
        .subscribe(Position::START)
        .await
        .or_fail("subscribing");
    let handled = take(&mut first, 4, "the first subscription").await;
    drop(first);
    let later = batch("later", 3);
    store
        .append(&stream("all-b"), ExpectedVersion::Any, later.clone())
        .await
        .or_fail("writing while away");
    let resume_at = handled[3].position.next();
    let mut second = store.subscribe(resume_at).await.or_fail("resubscribing");
    let mut wanted = written[4..].to_vec();
    wanted.extend(later);
    let rest = take(&mut second, wanted.len(), "the resumed subscription").await;
    assert_events(&rest, &wanted, "resuming after the last handled event");
    assert_quiet(&mut second, "after resuming").await;
    Outcome::Passed
}

/// A subscription from the position after the last event gets only events appended later.
pub async fn subscribe_from_head_gets_only_new_events<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_subscriptions!(store);
    interleaved(&store, 2).await;
    let all = everything(&store, "read_all").await;
    let Some(last) = all.last() else {
        panic!("nothing was written")
    };
    let mut subscription = store
        .subscribe(last.position.next())
        .await
        .or_fail("subscribing");
    assert_quiet(
        &mut subscription,
        "a subscription from the head before new writes",
    )
    .await;
    let fresh = batch("fresh", 2);
    store
        .append(&stream("head"), ExpectedVersion::Any, fresh.clone())
        .await
        .or_fail("appending after subscribing");
    let got = take(&mut subscription, 2, "a subscription from the head").await;
    assert_events(&got, &fresh, "a subscription from the head");
    Outcome::Passed
}

/// Two subscribers, one started before and one in the middle of a run of live writes, see the
/// same events in the same order.
pub async fn subscribers_agree_on_order<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    needs_subscriptions!(store);
    let mut early = store
        .subscribe(Position::START)
        .await
        .or_fail("subscribing early");
    let mut written = Vec::new();
    for round in 0..3 {
        let events = batch(&format!("first{round}"), 2);
        store
            .append(
                &stream(&format!("agree-{}", round % 2)),
                ExpectedVersion::Any,
                events.clone(),
            )
            .await
            .or_fail("writing");
        written.extend(events);
    }
    let mut late = store
        .subscribe(Position::START)
        .await
        .or_fail("subscribing late");
    for round in 0..3 {
        let events = batch(&format!("second{round}"), 1);
        store
            .append(
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
    let store = factory.create().await;
    needs_subscriptions!(store);
    let mut subscription = store
        .subscribe(Position::START)
        .await
        .or_fail("subscribing");
    // How many events the writers stored; 0 while they are still writing.
    let target = Arc::new(AtomicUsize::new(0));
    let collector = {
        let target = target.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut deadline = None;
            loop {
                match tokio::time::timeout(Duration::from_millis(50), subscription.next()).await {
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
                        tokio::time::timeout(Duration::from_millis(200), subscription.next()).await
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
    let written = race_writers(&store, super::concurrency::RACERS, 12).await;
    target.store(written.len(), Ordering::SeqCst);
    let seen = match collector.await {
        Ok(seen) => seen,
        Err(error) => panic!("the subscriber task failed: {error}"),
    };
    check_seen_exactly_once(
        &seen,
        &written,
        &everything(&store, "read_all").await,
        "the subscriber",
    );
    Outcome::Passed
}

/// Asserts that a reader saw every written event exactly once, in strictly increasing
/// positions, and that what it saw agrees with a final `read_all`.
#[track_caller]
pub(crate) fn check_seen_exactly_once(
    seen: &[RecordedEvent],
    written: &[es_core::EventId],
    all: &[RecordedEvent],
    who: &str,
) {
    let seen_ids: Vec<_> = seen.iter().map(|e| e.id).collect();
    let unique: HashSet<_> = seen_ids.iter().copied().collect();
    assert_eq!(unique.len(), seen_ids.len(), "{who} saw an event twice");
    let written: HashSet<_> = written.iter().copied().collect();
    let missing: Vec<_> = written.difference(&unique).collect();
    assert!(
        missing.is_empty(),
        "{who} skipped {} of {} committed events (e.g. {:?}); a reader must never skip an event committed out of order",
        missing.len(),
        written.len(),
        missing.iter().take(3).collect::<Vec<_>>()
    );
    assert_eq!(unique.len(), written.len(), "{who} saw events nobody wrote");
    assert_increasing(seen, who);
    let all_ids: Vec<_> = all.iter().map(|e| e.id).collect();
    assert_eq!(
        seen_ids, all_ids,
        "{who} saw the events in another order than read_all holds them"
    );
}
