//! Append and read back: what goes in comes out, with the versions and positions promised.

use es_core::{
    Error, EventId, EventReader, EventReaderExt, EventRef, EventWriter, EventWriterExt,
    ExpectedVersion, Position, StreamAppend, Version,
};

use super::{
    paths::{KINDS, PATHS, send},
    support::{
        OrFail, assert_events, assert_gapless, assert_increasing, batch, event, everything, exact,
        stream, version, whole,
    },
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "an acknowledged append is stored whole, in the order given, at the versions and positions it reports, and reads back identical.";

/// One event appended to a new stream reads back identical, at version 1.
pub async fn append_single_event_reads_back<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("append-single");
    let opened = event("Opened", r#"{"owner":"ada"}"#);
    store
        .append_events(&s, ExpectedVersion::NoStream, vec![opened.clone()])
        .await
        .or_fail("appending one event to a new stream");
    let read = whole(&store, &s, "reading the stream back").await;
    assert_events(&read, &[opened], "the stream read back");
    assert_eq!(
        read[0].version,
        Version::FIRST,
        "a stream's first event has version 1"
    );
    assert_eq!(read[0].stream_id, s, "the event names its stream");
    Outcome::Passed
}

/// A batch reads back whole and in the order it was given, versions 1..=n.
pub async fn append_batch_reads_back_in_order<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("append-batch");
    let events = batch("b", 10);
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("appending a batch of 10");
    let read = whole(&store, &s, "reading the batch back").await;
    assert_events(&read, &events, "the batch read back");
    assert_gapless(&read, "the batch read back");
    Outcome::Passed
}

/// The append result names the stream, the first and last versions and positions of the
/// batch, and they agree with what is read back.
pub async fn append_returns_versions_and_positions<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("append-result");
    let first = store
        .append_events(&s, ExpectedVersion::NoStream, batch("one", 3))
        .await
        .or_fail("appending the first batch");
    let second = store
        .append_events(&s, ExpectedVersion::Any, batch("two", 2))
        .await
        .or_fail("appending the second batch");
    assert_eq!(first.stream_id, s, "the result names the stream");
    assert_eq!(
        (first.first.version.get(), first.last.version.get()),
        (1, 3)
    );
    assert_eq!(
        (second.first.version.get(), second.last.version.get()),
        (4, 5)
    );
    assert!(
        first.first.position < first.last.position,
        "positions rise within a batch"
    );
    assert!(
        first.last.position < second.first.position,
        "a later append gets larger positions"
    );
    let read = whole(&store, &s, "reading the stream").await;
    assert_gapless(&read, "the stream read back");
    assert_eq!(
        read[0].position, first.first.position,
        "first position agrees"
    );
    assert_eq!(
        read[2].position, first.last.position,
        "last position agrees"
    );
    assert_eq!(
        read[3].position, second.first.position,
        "second batch first position"
    );
    assert_eq!(
        read[4].position, second.last.position,
        "second batch last position"
    );
    Outcome::Passed
}

/// Versions continue across appends without gaps, whatever the batch sizes, and
/// `stream_version` follows them.
pub async fn append_continues_versions_across_batches<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("append-continues");
    let mut written = Vec::new();
    for (round, size) in [1usize, 4, 2, 1].into_iter().enumerate() {
        let events = batch(&format!("r{round}"), size);
        let result = store
            .append_events(&s, ExpectedVersion::Any, events.clone())
            .await
            .or_fail("appending a batch");
        written.extend(events);
        assert_eq!(
            result.last.version.get(),
            written.len() as u64,
            "after {} events the stream must be at version {}",
            written.len(),
            written.len()
        );
        assert_eq!(
            store.stream_version(&s).await.or_fail("stream_version"),
            Version::new(written.len() as u64),
            "stream_version after an append is the append's last version"
        );
    }
    let read = whole(&store, &s, "reading the stream").await;
    assert_events(&read, &written, "the stream");
    assert_gapless(&read, "the stream");
    Outcome::Passed
}

/// A batch of exactly the store's claimed `max_events_per_append` events, each with a 1 KiB
/// payload, is stored whole with consecutive versions and rising positions.
pub async fn append_max_batch_at_limit_stores_all<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let claims = store.claims();
    let max_batch = claims.max_events_per_append.min(claims.max_events_per_call);
    assert!(
        max_batch >= es_core::limits::MAX_EVENTS_PER_APPEND,
        "the store claims {max_batch} events per append, below the portable floor of {}",
        es_core::limits::MAX_EVENTS_PER_APPEND
    );
    let s = stream("append-max-batch");
    let filler = "x".repeat(1_024);
    let events: Vec<_> = (0..max_batch)
        .map(|n| event("Filled", &format!(r#"{{"n":{n},"fill":"{filler}"}}"#)))
        .collect();
    let result = store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("appending a batch of exactly the limit");
    assert_eq!(result.last.version.get(), max_batch as u64);
    let read = whole(&store, &s, "reading the big batch").await;
    assert_events(&read, &events, "the batch at the limit");
    assert_gapless(&read, "the batch at the limit");
    assert_increasing(&read, "the batch at the limit");
    assert_eq!(read[0].event_ref(), result.first);
    assert_eq!(read[max_batch - 1].event_ref(), result.last);
    Outcome::Passed
}

/// An append with no events is `EmptyAppend` and stores nothing (not even the stream).
pub async fn append_empty_batch_rejected_stores_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("append-empty");
    for expected in [ExpectedVersion::Any, ExpectedVersion::NoStream] {
        let result = store.append_events(&s, expected, Vec::new()).await;
        assert!(
            matches!(&result, Err(Error::EmptyAppend { stream }) if *stream == s),
            "an empty append with {expected} must be EmptyAppend naming the stream, got {result:?}"
        );
    }
    assert_eq!(
        store.stream_version(&s).await.or_fail("stream_version"),
        None
    );
    assert!(
        everything(&store, "read_all").await.is_empty(),
        "an empty append stored something"
    );
    Outcome::Passed
}

/// A batch one over the store's claimed limit is `BatchTooLarge` naming size and limit, and
/// stores nothing.
pub async fn append_over_batch_limit_rejected_stores_nothing<F: StoreFactory>(
    factory: &F,
) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let claims = store.claims();
    let max_batch = claims.max_events_per_append.min(claims.max_events_per_call);
    let s = stream("append-too-many");
    let result = store
        .append_events(&s, ExpectedVersion::Any, batch("big", max_batch + 1))
        .await;
    assert!(
        matches!(&result, Err(Error::BatchTooLarge { len, max, .. })
            if *len == max_batch + 1 && *max == max_batch),
        "a batch over the limit must be BatchTooLarge with its size and the limit, got {result:?}"
    );
    assert!(
        everything(&store, "read_all").await.is_empty(),
        "a rejected batch stored events"
    );
    Outcome::Passed
}

/// `stream_head` names the stream's last event (version, position and id, as read back), and
/// there is none for a stream without events.
pub async fn stream_head_names_the_last_event<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = super::support::fresh(factory).await;
    let s = stream("append-head");
    assert_eq!(
        fresh
            .reader
            .stream_head(&s)
            .await
            .or_fail("the head of a new stream"),
        None,
        "a stream without events has no head"
    );
    let written = fresh
        .store
        .append_events(&s, ExpectedVersion::NoStream, batch("h", 3))
        .await
        .or_fail("appending");
    fresh
        .store
        .append_events(
            &stream("append-head-other"),
            ExpectedVersion::Any,
            batch("o", 1),
        )
        .await
        .or_fail("appending elsewhere");
    let reader = super::support::settled(&fresh).await;
    let head = reader.stream_head(&s).await.or_fail("the head");
    let read = whole(reader, &s, "reading the stream").await;
    assert_gapless(&read, "the stream read back");
    assert_eq!(
        head,
        read.last().map(es_core::RecordedEvent::event_ref),
        "the head must be the last event read back"
    );
    assert_eq!(
        head,
        Some(written.last),
        "the head must be the append's last event"
    );
    Outcome::Passed
}

/// An append may carry the stream's head as a hint only beside `Exact` of the same version: any
/// other hint is `InvalidAppend` and stores nothing; a right hint appends as usual.
pub async fn append_head_hint_must_match_expectation<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("append-hint");
    let first = store
        .append_events(&s, ExpectedVersion::NoStream, batch("a", 2))
        .await
        .or_fail("creating");
    let wrong = EventRef::new(version(1), Position::new(1), EventId::new());
    for (expected, hint) in [
        (exact(2), wrong),
        (ExpectedVersion::Any, first.last),
        (ExpectedVersion::NoStream, first.last),
    ] {
        let result = store
            .append(StreamAppend::new(s.clone(), expected, batch("b", 1)).with_head(Some(hint)))
            .await;
        assert!(
            matches!(&result, Err(Error::InvalidAppend { stream, .. }) if *stream == s),
            "a head hint at {} beside {expected} must be InvalidAppend, got {result:?}",
            hint.version
        );
    }
    assert_eq!(
        whole(&store, &s, "read").await.len(),
        2,
        "a rejected hinted append stored events"
    );
    let hinted = store
        .append(StreamAppend::new(s.clone(), exact(2), batch("c", 1)).with_head(Some(first.last)))
        .await
        .or_fail("an append with the right head hint");
    assert_eq!(hinted.first.version, version(3));
    Outcome::Passed
}

/// Every append is all or nothing, under every kind of expectation and on every path
/// (`append`, `append_multi` alone and with another stream's part before or after): a batch that
/// fails at its last event (an id already stored) stores none of its events, nor the other
/// stream's part; a multi-append whose other part conflicts stores none of this part; a batch
/// that succeeds is stored whole, in its order, at the versions after the stream's head, its
/// events side by side in `read_all`, and the result names its first and last event.
pub async fn appends_all_or_nothing_on_every_path<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let taken = batch("taken", 1);
    store
        .append_events(
            &stream("atomic-taken"),
            ExpectedVersion::NoStream,
            taken.clone(),
        )
        .await
        .or_fail("storing the event whose id is reused");
    let mut good_batches = Vec::new();
    let mut case = 0;
    for kind in KINDS {
        for path in PATHS {
            case += 1;
            let (s, other) = (
                stream(&format!("atomic-{case}")),
                stream(&format!("atomic-{case}-other")),
            );
            let existing = if kind.needs_events() { 2 } else { 0 };
            if existing > 0 {
                store
                    .append_events(&s, ExpectedVersion::NoStream, batch("first", existing))
                    .await
                    .or_fail("preparing the stream");
            }
            let current = Version::new(existing as u64);
            let Some(expected) = kind.holding(current) else {
                panic!("the suite prepared {s} at {current:?}, where {kind:?} cannot hold");
            };
            let what = format!("a batch of 4 with {expected} by {path}");
            let mut late = batch(&format!("late-{case}"), 3);
            late.push(taken[0].clone());
            let result = send(
                &store,
                path,
                StreamAppend::new(s.clone(), expected, late),
                StreamAppend::new(other.clone(), ExpectedVersion::Any, batch("o", 2)),
            )
            .await;
            assert!(
                matches!(&result, Err(Error::DuplicateEventId { id, .. }) if *id == taken[0].id),
                "{what} whose last event reuses a stored id must be DuplicateEventId, got {result:?}"
            );
            assert_untouched(
                &store,
                &s,
                existing,
                &other,
                &format!("{what} failing at its last event"),
            )
            .await;
            if path.has_companion() {
                let result = send(
                    &store,
                    path,
                    StreamAppend::new(s.clone(), expected, batch(&format!("lost-{case}"), 4)),
                    StreamAppend::new(other.clone(), ExpectedVersion::StreamExists, batch("o", 1)),
                )
                .await;
                assert!(
                    matches!(&result, Err(Error::Conflict { stream, .. }) if *stream == other),
                    "{what} beside a part that conflicts must be that part's conflict, got {result:?}"
                );
                assert_untouched(
                    &store,
                    &s,
                    existing,
                    &other,
                    &format!("{what} beside a conflicting part"),
                )
                .await;
            }
            let good = batch(&format!("good-{case}"), 4);
            let companion = batch(&format!("good-{case}-other"), 2);
            let (written, beside) = send(
                &store,
                path,
                StreamAppend::new(s.clone(), expected, good.clone()),
                StreamAppend::new(other.clone(), ExpectedVersion::Any, companion.clone()),
            )
            .await
            .or_fail(&what);
            let read = whole(&store, &s, &what).await;
            assert_gapless(&read, &what);
            assert_events(
                &read[existing..],
                &good,
                &format!("{what}: the stream's new events"),
            );
            let (first, last) = (&read[existing], &read[read.len() - 1]);
            assert_eq!(
                (written.stream_id.clone(), written.first, written.last),
                (s.clone(), first.event_ref(), last.event_ref()),
                "{what}: the result must name the batch's first and last events ({} and {})",
                super::support::describe(first),
                super::support::describe(last)
            );
            let companions = whole(&store, &other, &what).await;
            match beside {
                Some(beside) => {
                    assert_events(&companions, &companion, &format!("{what}: the other part"));
                    assert_eq!(
                        beside.last,
                        companions[1].event_ref(),
                        "{what}: the other part's result"
                    );
                }
                None => assert!(
                    companions.is_empty(),
                    "{what}: the other stream was written"
                ),
            }
            good_batches.push((what, read[existing..].to_vec()));
        }
    }
    let all = everything(&store, "read_all after the appends").await;
    assert_increasing(&all, "read_all after the appends");
    for (what, events) in good_batches {
        let Some(at) = all.iter().position(|e| e.id == events[0].id) else {
            panic!(
                "{what}: {} is missing from read_all",
                super::support::describe(&events[0])
            );
        };
        let side_by_side: Vec<_> = all[at..].iter().take(events.len()).map(|e| e.id).collect();
        let wanted: Vec<_> = events.iter().map(|e| e.id).collect();
        assert_eq!(
            side_by_side,
            wanted,
            "{what}: read_all must hold the batch's events side by side and in order from {}",
            super::support::describe(&events[0])
        );
    }
    Outcome::Passed
}

/// Asserts that a failed call left `s` with its `existing` events and `other` empty.
async fn assert_untouched<S: EventReader>(
    store: &S,
    s: &es_core::StreamId,
    existing: usize,
    other: &es_core::StreamId,
    what: &str,
) {
    let read = whole(store, s, what).await;
    assert_eq!(
        read.len(),
        existing,
        "{what}: stored part of the batch (the stream holds {} events, {existing} before; last {})",
        read.len(),
        read.last()
            .map_or_else(String::new, super::support::describe)
    );
    let companions = whole(store, other, what).await;
    assert!(
        companions.is_empty(),
        "{what}: the other stream's part was stored ({})",
        companions
            .first()
            .map_or_else(String::new, super::support::describe)
    );
}
