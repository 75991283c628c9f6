//! Helpers shared by the cases: fixtures, and checks whose failures say which promise broke.

use std::{fmt::Debug, time::Duration};

use es_core::{
    Checkpoint, Error, EventReader, EventReaderExt, ExpectedVersion, NewEvent, PageState, ReadAll,
    RecordedEvent, Start, StreamId, Version,
    testing::{FreshStore, StoreFactory},
};

pub(crate) use super::{
    compare::assert_events,
    render::{describe, runs},
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

/// A fresh store and its reader from the factory, or a failure that says why there is none.
pub(crate) async fn fresh<F: StoreFactory>(factory: &F) -> FreshStore<F::Store, F::Reader> {
    match factory.create().await {
        Ok(fresh) => fresh,
        Err(error) => panic!("the store factory could not make a fresh store: {error}"),
    }
}

/// A fresh store from the factory (its writer handle).
pub(crate) async fn fresh_store<F: StoreFactory>(factory: &F) -> F::Store {
    fresh(factory).await.store
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

/// The most pages a case reads before it calls the store broken (a store whose pages never end).
pub(crate) const MAX_PAGES: usize = 100_000;

/// How long a pager waits out held-back pages before it calls the store stuck.
pub(crate) const HELD_BACK_LIMIT: Duration = Duration::from_secs(10);

/// Everything in the store, read in pages so no provider needs an unbounded query.
pub(crate) async fn everything<R: EventReader>(reader: &R, what: &str) -> Vec<RecordedEvent> {
    match read_all_pages(reader, ReadAll::from_beginning().limit(500)).await {
        Ok((events, _)) => events,
        Err(why) => panic!("{what}: {why}"),
    }
}

/// Pages through `read_all` from `request.start` until a page is caught up, checking every page
/// on the way (bounded: a page over its limit, a start that goes backwards, a full page that
/// does not move, too many pages, or held back for too long fail with a message). Returns the
/// events and the last checkpoint.
pub(crate) async fn read_all_pages<R: EventReader>(
    reader: &R,
    request: ReadAll,
) -> Result<(Vec<RecordedEvent>, Checkpoint), String> {
    let mut events: Vec<RecordedEvent> = Vec::new();
    let mut request = request;
    let mut held_since = None;
    for _ in 0..MAX_PAGES {
        let page = reader.read_all(request.clone()).await.map_err(|e| {
            format!(
                "read_all({:?}, limit {}) failed: {e}",
                request.start, request.limit
            )
        })?;
        if page.events.len() > request.limit {
            return Err(format!(
                "read_all with limit {} returned {} events",
                request.limit,
                page.events.len()
            ));
        }
        if let Some(why) = out_of_order(&page.events) {
            return Err(format!("read_all returned a page in the {why}"));
        }
        if let (Some(last), Some(next)) = (events.last(), page.events.first())
            && next.position <= last.position
        {
            return Err(format!(
                "wrong order across pages: {} came after {}; pages must continue strictly after their checkpoint",
                describe(next),
                describe(last)
            ));
        }
        if let Start::After(before) = &request.start
            && page
                .checkpoint
                .partial_cmp(before)
                .is_some_and(|o| o.is_lt())
        {
            return Err(format!(
                "a page's checkpoint {} is before its start {before}; checkpoints never go back",
                page.checkpoint
            ));
        }
        let stuck = page.events.is_empty()
            && request.start == Start::After(page.checkpoint.clone())
            && page.state == PageState::More;
        if stuck {
            return Err(format!(
                "read_all said More but returned nothing and did not move past {}; a reader would loop forever",
                page.checkpoint
            ));
        }
        events.extend(page.events);
        match page.state {
            PageState::CaughtUp => return Ok((events, page.checkpoint)),
            PageState::More => held_since = None,
            _ => {
                let since = *held_since.get_or_insert_with(std::time::Instant::now);
                if since.elapsed() > HELD_BACK_LIMIT {
                    return Err(format!(
                        "read_all stayed held back at {} for {HELD_BACK_LIMIT:?} with no writer running",
                        page.checkpoint
                    ));
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        request.start = Start::After(page.checkpoint);
    }
    Err(format!(
        "read_all did not reach the end within {MAX_PAGES} pages"
    ))
}

/// The whole stream, oldest first.
pub(crate) async fn whole<R: EventReader>(
    reader: &R,
    stream: &StreamId,
    what: &str,
) -> Vec<RecordedEvent> {
    reader.read_whole_stream(stream).await.or_fail(what)
}

/// Asserts that positions strictly increase; a failure names the first pair out of order and
/// the positions in the order they came.
#[track_caller]
pub(crate) fn assert_increasing(events: &[RecordedEvent], what: &str) {
    if let Some(why) = out_of_order(events) {
        panic!("{what}: {why}");
    }
}

/// Why `events` are not in strictly increasing positions, or `None` when they are.
fn out_of_order(events: &[RecordedEvent]) -> Option<String> {
    let pair = events
        .windows(2)
        .find(|pair| pair[0].position >= pair[1].position)?;
    let came: Vec<u64> = events.iter().map(|e| e.position.get()).collect();
    Some(format!(
        "wrong order: positions must strictly increase, but {} came after {}; \
         positions came in the order {}",
        describe(&pair[1]),
        describe(&pair[0]),
        runs(&came, "@")
    ))
}

/// Asserts that a stream holds versions 1..=n with no gap, in order.
#[track_caller]
pub(crate) fn assert_gapless(events: &[RecordedEvent], what: &str) {
    assert_versions_from(events, 1, what);
}

/// Asserts that a stream's events have versions `first`, `first + 1`, ... with no gap, in order;
/// a failure names the first event out of place and the versions in the order they came.
#[track_caller]
pub(crate) fn assert_versions_from(events: &[RecordedEvent], first: u64, what: &str) {
    let misplaced = events
        .iter()
        .enumerate()
        .find(|(index, event)| event.version.get() != first + *index as u64);
    if let Some((index, event)) = misplaced {
        let came: Vec<u64> = events.iter().map(|e| e.version.get()).collect();
        let wanted: Vec<u64> = (first..first + events.len() as u64).collect();
        panic!(
            "{what}: versions out of order or with gaps: expected {} in that order, came {}; \
             event {index} ({}) should be v{}",
            runs(&wanted, "v"),
            runs(&came, "v"),
            describe(event),
            first + index as u64
        );
    }
}

/// Waits until `fresh.reader` sees everything `fresh.store` holds, when the reader claims only
/// eventual consistency (a replica), for as long as it claims (plus a second); returns at once
/// for a read-your-writes reader. Cases that read through the reader after writing call it first.
pub(crate) async fn settle<S: EventReader, R: EventReader>(fresh: &FreshStore<S, R>, what: &str) {
    let es_core::ReadConsistency::Eventual { within } = fresh.reader.claims().consistency else {
        return;
    };
    let wanted: Vec<_> = everything(&fresh.store, what)
        .await
        .iter()
        .map(|e| e.id)
        .collect();
    let deadline = std::time::Instant::now() + within + Duration::from_secs(1);
    loop {
        let seen: Vec<_> = everything(&fresh.reader, what)
            .await
            .iter()
            .map(|e| e.id)
            .collect();
        if seen == wanted {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: the reader, which claims to catch up within {within:?}, still sees {} of {} events",
            seen.len(),
            wanted.len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `fresh.reader`, once it sees everything the store holds (see [`settle`]).
pub(crate) async fn settled<S: EventReader, R: EventReader>(fresh: &FreshStore<S, R>) -> &R {
    settle(fresh, "the reader catching up").await;
    &fresh.reader
}

/// One line naming what an append reported: `stream v1..v3 @pos 0..2 ids=…1a2b3c4d..…5e6f7a8b`.
pub(crate) fn describe_result(result: &es_core::AppendResult) -> String {
    format!(
        "{} v{}..v{} @pos {}..{} ids={}..{}",
        result.stream_id,
        result.first.version,
        result.last.version,
        result.first.position,
        result.last.position,
        super::render::short_id(&result.first.id),
        super::render::short_id(&result.last.id)
    )
}

/// Asserts that an acknowledged append's `events` sit in `read` (a whole stream, oldest first)
/// exactly where `result` said: at versions `first..=last`, in order, with the first and last
/// positions it reported.
#[track_caller]
pub(crate) fn assert_acknowledged(
    read: &[RecordedEvent],
    result: &es_core::AppendResult,
    events: &[NewEvent],
    what: &str,
) {
    let told = describe_result(result);
    let start = read.first().map_or(0, |first| {
        result
            .first
            .version
            .get()
            .saturating_sub(first.version.get())
    });
    let at: Vec<&RecordedEvent> = read
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(events.len())
        .collect();
    let lost = at.len() < events.len()
        || at.iter().zip(events).enumerate().any(|(n, (stored, new))| {
            !stored.matches(new) || stored.version.get() != result.first.version.get() + n as u64
        });
    assert!(
        !lost,
        "{what}: an acknowledged append ({told}) is not in its stream where it was told to be; \
         there the stream holds [{}]; an acknowledged event must be stored once, at the version it was given",
        at.iter()
            .map(|e| describe(e))
            .collect::<Vec<_>>()
            .join("; ")
    );
    assert_eq!(
        (at[0].event_ref(), at[at.len() - 1].event_ref()),
        (result.first, result.last),
        "{what}: the append was told {told}, but its events are stored as {} and {}",
        describe(at[0]),
        describe(at[at.len() - 1])
    );
}
