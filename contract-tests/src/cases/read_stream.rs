//! Reading one stream: missing streams, isolation, direction, start and limit.

use es_core::{EventStore, ExpectedVersion, ReadStream};

use super::support::{OrFail, assert_events, batch, stream, whole};
use crate::{Outcome, StoreFactory};

/// A stream nobody wrote to reads as empty (not an error) and has no version.
pub async fn read_stream_missing_is_empty<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let s = stream("never-written");
    store
        .append(&stream("other"), ExpectedVersion::Any, batch("o", 1))
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
    let store = factory.create().await;
    let (a, b) = (stream("iso-a"), stream("iso-b"));
    let (mut wrote_a, mut wrote_b) = (Vec::new(), Vec::new());
    for round in 0..3 {
        let ea = batch(&format!("a{round}"), 2);
        let eb = batch(&format!("b{round}"), 1);
        store
            .append(&a, ExpectedVersion::Any, ea.clone())
            .await
            .or_fail("appending to a");
        store
            .append(&b, ExpectedVersion::Any, eb.clone())
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
    super::support::assert_gapless(&read_b, "stream b");
    Outcome::Passed
}
