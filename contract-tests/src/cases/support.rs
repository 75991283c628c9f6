//! Helpers shared by the cases: fixtures, and checks whose failures say which promise broke.

use std::fmt::Debug;

use es_core::{
    Error, EventStore, EventStoreExt, ExpectedVersion, NewEvent, Position, RecordedEvent, StreamId,
    Version,
};

/// Turns a store error into a failure that says what the case was doing.
pub(crate) trait OrFail<T> {
    /// The value, or a panic naming `what` and the error.
    fn or_fail(self, what: &str) -> T;
}

impl<T> OrFail<T> for es_core::Result<T> {
    #[track_caller]
    fn or_fail(self, what: &str) -> T {
        match self {
            Ok(value) => value,
            Err(error) => panic!("{what}: the store answered an error: {error} ({error:?})"),
        }
    }
}

/// A valid stream id (cases only use literal, valid names).
#[track_caller]
pub(crate) fn stream(name: &str) -> StreamId {
    match StreamId::new(name) {
        Ok(id) => id,
        Err(error) => panic!("the suite's own stream name {name:?} is invalid: {error}"),
    }
}

/// A version from a literal number of at least 1.
#[track_caller]
pub(crate) fn version(n: u64) -> Version {
    match Version::new(n) {
        Some(v) => v,
        None => panic!("the suite used version 0, which does not exist"),
    }
}

/// `Exact(n)`.
#[track_caller]
pub(crate) fn exact(n: u64) -> ExpectedVersion {
    ExpectedVersion::Exact(version(n))
}

/// An event from a literal type name and JSON text.
#[track_caller]
pub(crate) fn event(event_type: &str, json: &str) -> NewEvent {
    match NewEvent::from_json(event_type, json) {
        Ok(event) => event,
        Err(error) => panic!("the suite's own event {event_type} {json} is invalid: {error}"),
    }
}

/// `count` distinct small events tagged with `tag`, numbered from 0.
pub(crate) fn batch(tag: &str, count: usize) -> Vec<NewEvent> {
    (0..count)
        .map(|n| event("Numbered", &format!(r#"{{"tag":"{tag}","n":{n}}}"#)))
        .collect()
}

/// Asserts that `actual` holds exactly the events of `expected`, in order (payloads compared by
/// JSON meaning).
#[track_caller]
pub(crate) fn assert_events(actual: &[RecordedEvent], expected: &[NewEvent], what: &str) {
    for (index, (recorded, new)) in actual.iter().zip(expected).enumerate() {
        assert!(
            recorded.matches(new),
            "{what}: event {index} differs\n  stored: id {} type {} payload {} metadata {:?}\n  \
             wanted: id {} type {} payload {} metadata {:?}",
            recorded.id,
            recorded.event_type,
            recorded.payload,
            recorded.metadata,
            new.id,
            new.event_type,
            new.payload,
            new.metadata,
        );
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "{what}: {} events read back, {} expected",
        actual.len(),
        expected.len()
    );
}

/// Asserts that `result` is a conflict on `stream` carrying `expected` and `actual`.
#[track_caller]
pub(crate) fn assert_conflict<T: Debug>(
    result: es_core::Result<T>,
    stream: &StreamId,
    expected: ExpectedVersion,
    actual: Option<Version>,
    what: &str,
) {
    match result {
        Err(Error::Conflict {
            stream: s,
            expected: e,
            actual: a,
        }) => {
            assert_eq!(&s, stream, "{what}: the conflict names the wrong stream");
            assert_eq!(
                e, expected,
                "{what}: the conflict carries the wrong expectation"
            );
            assert_eq!(
                a, actual,
                "{what}: the conflict carries the wrong actual version"
            );
        }
        other => panic!(
            "{what}: expected a version conflict (expected {expected}, actual {actual:?}), got {other:?}"
        ),
    }
}

/// Everything in the store, read in pages so no provider needs an unbounded query.
pub(crate) async fn everything<S: EventStore>(store: &S, what: &str) -> Vec<RecordedEvent> {
    match read_all_pages(store, Position::START, 500).await {
        Ok(events) => events,
        Err(why) => panic!("{what}: {why}"),
    }
}

/// Pages through `read_all` from `from` to the end, failing (instead of looping forever) when
/// a page does not move forward.
pub(crate) async fn read_all_pages<S: EventStore>(
    store: &S,
    from: Position,
    page_size: usize,
) -> Result<Vec<RecordedEvent>, String> {
    let mut events = Vec::new();
    let mut next = from;
    loop {
        let page = store
            .read_all(next, page_size)
            .await
            .map_err(|e| format!("read_all({next}, {page_size}) failed: {e}"))?;
        if page.len() > page_size {
            return Err(format!(
                "read_all({next}, {page_size}) returned {} events",
                page.len()
            ));
        }
        if let Some(early) = page.iter().find(|e| e.position < next) {
            return Err(format!(
                "read_all({next}, {page_size}) returned an event at position {}, before the start",
                early.position
            ));
        }
        let Some(last) = page.last() else {
            return Ok(events);
        };
        next = last.position.next();
        let done = page.len() < page_size;
        events.extend(page);
        if done {
            return Ok(events);
        }
    }
}

/// The whole stream, oldest first.
pub(crate) async fn whole<S: EventStore>(
    store: &S,
    stream: &StreamId,
    what: &str,
) -> Vec<RecordedEvent> {
    store.read_whole_stream(stream).await.or_fail(what)
}

/// Asserts that positions strictly increase.
#[track_caller]
pub(crate) fn assert_increasing(events: &[RecordedEvent], what: &str) {
    for pair in events.windows(2) {
        assert!(
            pair[0].position < pair[1].position,
            "{what}: position {} ({} v{}) is followed by position {} ({} v{}); positions must strictly increase",
            pair[0].position,
            pair[0].stream_id,
            pair[0].version,
            pair[1].position,
            pair[1].stream_id,
            pair[1].version,
        );
    }
}

/// Asserts that a stream holds versions 1..=n with no gap, in order.
#[track_caller]
pub(crate) fn assert_gapless(events: &[RecordedEvent], what: &str) {
    for (index, event) in events.iter().enumerate() {
        assert_eq!(
            event.version.get(),
            index as u64 + 1,
            "{what}: event {index} has version {}; versions must run 1, 2, 3... without gaps",
            event.version
        );
    }
}
