//! Reading one stream: missing streams, isolation, direction, start and limit.

use es_core::{EventReader, EventReaderExt, EventWriterExt, ExpectedVersion, ReadStream};

use super::{
    render::{describe, list},
    support::{OrFail, assert_events, assert_gapless, batch, runs, stream, version, whole},
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "a stream reads back exactly its own events, oldest first forward and newest first backward, from the version asked and no more than the limit.";

/// Reading forward gives the stream oldest first: versions 1, 2, 3, ... in the order appended,
/// across several appends. It comes first among its promise's cases, so a store that reads
/// streams in another order hears it here, in those words, before the cases it breaks on the way.
pub async fn read_stream_forward_in_version_order<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("rs-forward");
    let mut written = Vec::new();
    for (round, size) in [3, 1, 2].into_iter().enumerate() {
        let events = batch(&format!("forward-{round}"), size);
        store
            .append_events(&s, ExpectedVersion::Any, events.clone())
            .await
            .or_fail("appending to the stream");
        written.extend(events);
    }
    let read = store
        .read_stream(&s, ReadStream::forward())
        .await
        .or_fail("reading forward");
    let came: Vec<u64> = read.iter().map(|e| e.version.get()).collect();
    assert!(
        came.windows(2).all(|pair| pair[0] < pair[1]),
        "wrong order: a forward read must give the oldest event first, versions rising: \
         expected {} in that order, came {}\n  read ({}):{}",
        runs(&(1..=written.len() as u64).collect::<Vec<_>>(), "v"),
        runs(&came, "v"),
        read.len(),
        list(&read, |_, event| describe(event))
    );
    assert_gapless(&read, "the stream read forward");
    assert_events(&read, &written, "the stream read forward");
    Outcome::Passed
}

/// A stream nobody wrote to reads as empty (not an error) and has no version.
pub async fn read_stream_missing_is_empty<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("never-written");
    store
        .append_events(&stream("other"), ExpectedVersion::Any, batch("o", 1))
        .await
        .or_fail("writing another stream");
    for read in [
        ReadStream::forward(),
        ReadStream::backward(),
        ReadStream::forward().limit(1),
    ] {
        let events = store
            .read_stream(&s, read)
            .await
            .or_fail("reading a missing stream");
        assert!(
            events.is_empty(),
            "a missing stream read with {read:?} gave {events:?}"
        );
    }
    assert_eq!(
        store.stream_version(&s).await.or_fail("stream_version"),
        None,
        "a missing stream has no version"
    );
    Outcome::Passed
}

/// Events of one stream never show up in another, whatever the interleaving of appends.
pub async fn read_stream_isolates_streams<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (a, b) = (stream("iso-a"), stream("iso-b"));
    let (mut wrote_a, mut wrote_b) = (Vec::new(), Vec::new());
    for round in 0..3 {
        let ea = batch(&format!("a{round}"), 2);
        let eb = batch(&format!("b{round}"), 1);
        store
            .append_events(&a, ExpectedVersion::Any, ea.clone())
            .await
            .or_fail("appending to a");
        store
            .append_events(&b, ExpectedVersion::Any, eb.clone())
            .await
            .or_fail("appending to b");
        wrote_a.extend(ea);
        wrote_b.extend(eb);
    }
    let read_a = whole(&store, &a, "reading a").await;
    let read_b = whole(&store, &b, "reading b").await;
    assert_events(&read_a, &wrote_a, "stream a");
    assert_events(&read_b, &wrote_b, "stream b");
    assert!(
        read_a.iter().all(|e| e.stream_id == a),
        "stream a holds events naming another stream"
    );
    assert_gapless(&read_b, "stream b");
    Outcome::Passed
}

/// Writes ten events to one stream and returns the stream and the events.
async fn ten<S: es_core::EventStore>(
    store: &S,
    name: &str,
) -> (es_core::StreamId, Vec<es_core::NewEvent>) {
    let s = stream(name);
    let events = batch(name, 10);
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("writing ten events");
    (s, events)
}

/// Reading backwards gives the newest first.
pub async fn read_stream_backward_newest_first<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (s, events) = ten(&store, "rs-backward").await;
    let read = store
        .read_stream(&s, ReadStream::backward())
        .await
        .or_fail("reading backward");
    let reversed: Vec<_> = events.iter().rev().cloned().collect();
    assert_events(&read, &reversed, "the stream read backward");
    assert_eq!(
        read[0].version,
        version(10),
        "backward starts at the last version"
    );
    Outcome::Passed
}

/// Reading forward from a version in the middle starts there (inclusive).
pub async fn read_stream_from_middle_forward<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (s, events) = ten(&store, "rs-mid-fwd").await;
    let read = store
        .read_stream(&s, ReadStream::forward().from_version(version(4)))
        .await
        .or_fail("reading forward from 4");
    assert_events(&read, &events[3..], "forward from version 4 (inclusive)");
    let limited = store
        .read_stream(&s, ReadStream::forward().from_version(version(4)).limit(3))
        .await
        .or_fail("reading 3 forward from 4");
    assert_events(&limited, &events[3..6], "3 events forward from version 4");
    Outcome::Passed
}

/// Reading backward from a version in the middle starts there (inclusive) and goes down.
pub async fn read_stream_from_middle_backward<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (s, events) = ten(&store, "rs-mid-back").await;
    let read = store
        .read_stream(&s, ReadStream::backward().from_version(version(4)).limit(3))
        .await
        .or_fail("reading 3 backward from 4");
    let wanted: Vec<_> = events[1..4].iter().rev().cloned().collect();
    assert_events(
        &read,
        &wanted,
        "3 events backward from version 4 (inclusive): 4, 3, 2",
    );
    let to_start = store
        .read_stream(&s, ReadStream::backward().from_version(version(2)))
        .await
        .or_fail("reading backward from 2");
    let wanted: Vec<_> = events[..2].iter().rev().cloned().collect();
    assert_events(&to_start, &wanted, "backward from version 2: 2, 1");
    Outcome::Passed
}

/// A limit of 0 reads nothing, in either direction, from anywhere.
pub async fn read_stream_limit_zero_is_empty<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (s, _) = ten(&store, "rs-limit-0").await;
    for read in [
        ReadStream::forward().limit(0),
        ReadStream::backward().limit(0),
        ReadStream::forward().from_version(version(5)).limit(0),
    ] {
        let events = store
            .read_stream(&s, read)
            .await
            .or_fail("reading with limit 0");
        assert!(
            events.is_empty(),
            "{read:?} returned {} events",
            events.len()
        );
    }
    Outcome::Passed
}

/// A limit of 1 reads exactly the first (forward) or last (backward) event.
pub async fn read_stream_limit_one<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (s, events) = ten(&store, "rs-limit-1").await;
    let first = store
        .read_stream(&s, ReadStream::forward().limit(1))
        .await
        .or_fail("first");
    assert_events(&first, &events[..1], "forward with limit 1");
    let last = store
        .read_stream(&s, ReadStream::backward().limit(1))
        .await
        .or_fail("last");
    assert_events(&last, &events[9..], "backward with limit 1");
    Outcome::Passed
}

/// Reading forward from past the last version is empty; backward from past it starts at the
/// last event.
pub async fn read_stream_from_past_end<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (s, events) = ten(&store, "rs-past-end").await;
    let forward = store
        .read_stream(&s, ReadStream::forward().from_version(version(11)))
        .await
        .or_fail("forward from 11");
    assert!(
        forward.is_empty(),
        "forward from version 11 of 10 returned {forward:?}"
    );
    let backward = store
        .read_stream(
            &s,
            ReadStream::backward().from_version(version(50)).limit(2),
        )
        .await
        .or_fail("backward from 50");
    let wanted: Vec<_> = events[8..].iter().rev().cloned().collect();
    assert_events(&backward, &wanted, "backward from version 50 of 10");
    Outcome::Passed
}

/// Paging through a stream forward (from the version after the last one read) and backward
/// both give every event exactly once.
pub async fn read_stream_pages_equal_whole<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (s, events) = ten(&store, "rs-pages").await;
    let mut forward = Vec::new();
    let mut from = version(1);
    for _ in 0..=events.len() {
        let page = store
            .read_stream(&s, ReadStream::forward().from_version(from).limit(3))
            .await
            .or_fail("reading a forward page");
        let Some(next) = page.last().and_then(|last| last.version.next()) else {
            break;
        };
        from = next;
        forward.extend(page);
    }
    assert_events(&forward, &events, "forward pages of 3");
    let mut backward = Vec::new();
    let mut from = Some(version(10));
    for _ in 0..=events.len() {
        let Some(start) = from else { break };
        let page = store
            .read_stream(&s, ReadStream::backward().from_version(start).limit(4))
            .await
            .or_fail("reading a backward page");
        let Some(last) = page.last() else { break };
        from = es_core::Version::new(last.version.get() - 1);
        backward.extend(page);
    }
    let wanted: Vec<_> = events.iter().rev().cloned().collect();
    assert_events(&backward, &wanted, "backward pages of 4");
    Outcome::Passed
}
