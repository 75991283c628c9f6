//! Multi-stream appends: every stream's expectation holds and all are written, or nothing is.

use es_core::{EventWriter, EventWriterExt, ExpectedVersion, StreamAppend};

use super::support::{
    OrFail, assert_conflict, assert_events, assert_increasing, batch, everything, exact, stream,
    version, whole,
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "a multi-stream append writes every stream when every expectation holds, and nothing when one fails.";

/// A multi-append writes every stream; results come back in the order of the appends with the
/// right versions, and positions in `read_all` follow that order.
pub async fn multi_append_writes_every_stream<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (a, b, c) = (stream("multi-a"), stream("multi-b"), stream("multi-c"));
    store
        .append_events(&b, ExpectedVersion::NoStream, batch("b0", 2))
        .await
        .or_fail("creating b");
    let appends = vec![
        StreamAppend::new(c.clone(), ExpectedVersion::NoStream, batch("c", 1)),
        StreamAppend::new(a.clone(), ExpectedVersion::Any, batch("a", 3)),
        StreamAppend::new(b.clone(), exact(2), batch("b", 2)),
    ];
    let results = store
        .append_multi(appends.clone())
        .await
        .or_fail("the multi-append");
    assert_eq!(results.len(), 3, "one result per stream");
    let got: Vec<_> = results
        .iter()
        .map(|r| (r.stream_id.clone(), r.first.version, r.last.version))
        .collect();
    assert_eq!(
        got,
        vec![
            (c.clone(), version(1), version(1)),
            (a.clone(), version(1), version(3)),
            (b.clone(), version(3), version(4))
        ],
        "results in the order of the appends, with their versions"
    );
    assert_events(
        &whole(&store, &c, "c").await,
        &appends[0].events,
        "stream c",
    );
    assert_events(
        &whole(&store, &a, "a").await,
        &appends[1].events,
        "stream a",
    );
    let b_events = whole(&store, &b, "b").await;
    assert_events(&b_events[2..], &appends[2].events, "stream b's new events");
    let all = everything(&store, "read_all").await;
    assert_eq!(all.len(), 8);
    assert_increasing(&all, "read_all after a multi-append");
    for result in &results {
        let first = all
            .iter()
            .find(|e| e.stream_id == result.stream_id && e.version == result.first.version);
        assert_eq!(
            first.map(|e| e.position),
            Some(result.first.position),
            "first position of {}",
            result.stream_id
        );
    }
    Outcome::Passed
}

/// When one stream's expectation fails, the conflict names that stream and nothing of any
/// stream is stored.
pub async fn multi_append_conflict_stores_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (a, b, c) = (
        stream("multi-x-a"),
        stream("multi-x-b"),
        stream("multi-x-c"),
    );
    let existing = batch("b0", 1);
    store
        .append_events(&b, ExpectedVersion::NoStream, existing.clone())
        .await
        .or_fail("creating b");
    for failing in [0usize, 1, 2] {
        let mut appends = vec![
            StreamAppend::new(a.clone(), ExpectedVersion::NoStream, batch("a", 2)),
            StreamAppend::new(b.clone(), exact(1), batch("b", 1)),
            StreamAppend::new(c.clone(), ExpectedVersion::Any, batch("c", 2)),
        ];
        let wrong = match failing {
            0 => ExpectedVersion::StreamExists,
            1 => exact(7),
            _ => ExpectedVersion::StreamExists,
        };
        appends[failing].expected = wrong;
        let actual = if failing == 1 { Some(version(1)) } else { None };
        let stream_id = appends[failing].stream.clone();
        let result = store.append_multi(appends).await;
        assert_conflict(
            result,
            &stream_id,
            wrong,
            actual,
            &format!("a multi-append whose part {failing} fails"),
        );
        assert!(
            whole(&store, &a, "a").await.is_empty(),
            "stream a was written by a failed multi-append"
        );
        assert!(
            whole(&store, &c, "c").await.is_empty(),
            "stream c was written by a failed multi-append"
        );
        assert_events(
            &whole(&store, &b, "b").await,
            &existing,
            "stream b after a failed multi-append",
        );
        assert_eq!(
            everything(&store, "read_all").await.len(),
            1,
            "read_all after a failed multi-append"
        );
    }
    Outcome::Passed
}

/// A multi-append of one stream behaves like a plain append.
pub async fn multi_append_single_stream_like_append<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("multi-one");
    let events = batch("a", 3);
    let results = store
        .append_multi(vec![StreamAppend::new(
            s.clone(),
            ExpectedVersion::NoStream,
            events.clone(),
        )])
        .await
        .or_fail("a one-stream multi-append");
    assert_eq!(results.len(), 1);
    assert_eq!(
        (results[0].first.version, results[0].last.version),
        (version(1), version(3))
    );
    assert_events(&whole(&store, &s, "read").await, &events, "the stream");
    let again = store
        .append_multi(vec![StreamAppend::new(
            s.clone(),
            ExpectedVersion::NoStream,
            batch("b", 1),
        )])
        .await;
    assert_conflict(
        again,
        &s,
        ExpectedVersion::NoStream,
        Some(version(3)),
        "a conflicting one-stream multi-append",
    );
    Outcome::Passed
}
