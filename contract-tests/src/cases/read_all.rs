//! Reading everything: one global order across streams, in pages that say where they stopped,
//! filtered by event type and category, resumable from a checkpoint.

use std::collections::HashSet;

use es_core::{
    Category, Checkpoint, EventFilter, EventReader, EventType, EventWriterExt, ExpectedVersion,
    NewEvent, Page, PageState, Position, ReadAll, RecordedEvent, testing::FreshStore,
};

use super::support::{
    OrFail, assert_events, assert_increasing, batch, event, everything, fresh, read_all_pages,
    settle, stream, whole,
};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "read_all returns every event of every stream once, in strictly increasing positions, in pages that resume exactly after their checkpoint and honour the filter.";

/// Writes three streams interleaved and returns every event in append order.
pub(crate) async fn interleaved<S: EventWriterExt>(store: &S, rounds: usize) -> Vec<NewEvent> {
    let mut order = Vec::new();
    for round in 0..rounds {
        for name in ["all-a", "all-b", "all-c"] {
            let events = batch(&format!("{name}-{round}"), 1 + round % 3);
            store
                .append_events(&stream(name), ExpectedVersion::Any, events.clone())
                .await
                .or_fail("writing interleaved streams");
            order.extend(events);
        }
    }
    order
}

/// Pages through everything with pages of `limit`, failing on any page the suite's pager finds
/// wrong.
async fn paged<R: EventReader>(reader: &R, limit: usize, what: &str) -> Vec<RecordedEvent> {
    match read_all_pages(reader, ReadAll::from_beginning().limit(limit)).await {
        Ok((events, _)) => events,
        Err(why) => panic!("{what}: {why}"),
    }
}

/// An empty store reads as an empty, caught-up page from the beginning, with any limit.
pub async fn read_all_empty_store_is_caught_up<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    for limit in [0, 1, 100, usize::MAX] {
        let page = fresh
            .reader
            .read_all(ReadAll::from_beginning().limit(limit))
            .await
            .or_fail("read_all on an empty store");
        assert!(
            page.events.is_empty(),
            "an empty store returned {:?}",
            page.events
        );
        assert_eq!(
            page.state,
            PageState::CaughtUp,
            "an empty store read with limit {limit} must be caught up"
        );
    }
    Outcome::Passed
}

/// `read_all` returns events of every stream in the order they were appended.
pub async fn read_all_global_order_across_streams<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 4).await;
    settle(&fresh, "the reader catching up").await;
    let page = fresh
        .reader
        .read_all(ReadAll::from_beginning().limit(1_000))
        .await
        .or_fail("read_all");
    assert_increasing(&page.events, "read_all (order across streams)");
    assert_events(&page.events, &written, "read_all in append order");
    assert_eq!(
        page.state,
        PageState::CaughtUp,
        "a page holding everything is caught up"
    );
    Outcome::Passed
}

/// Paging through `read_all` from each page's checkpoint, with several page sizes, sees every
/// event exactly once, in order; a full page says `More` and the last one `CaughtUp`.
pub async fn read_all_paging_no_gaps_or_repeats<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 5).await;
    settle(&fresh, "the reader catching up").await;
    for page_size in [
        1,
        2,
        3,
        7,
        written.len() - 1,
        written.len(),
        written.len() + 1,
    ] {
        let what = format!("paging with pages of {page_size}");
        let seen = paged(&fresh.reader, page_size, &what).await;
        assert_increasing(&seen, &what);
        let ids: HashSet<_> = seen.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), seen.len(), "{what}: an event came twice");
        assert_events(&seen, &written, &what);
    }
    let first = fresh
        .reader
        .read_all(ReadAll::from_beginning().limit(2))
        .await
        .or_fail("a first page of 2");
    assert_eq!(
        (first.events.len(), first.state),
        (2, PageState::More),
        "a full page with more behind it must say More"
    );
    Outcome::Passed
}

/// Positions in `read_all` are those the appends returned, and every event read there is the
/// same as when read from its stream.
pub async fn read_all_agrees_with_appends_and_streams<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let mut results = Vec::new();
    for (n, name) in ["agree-a", "agree-b", "agree-a"].into_iter().enumerate() {
        let result = fresh
            .store
            .append_events(
                &stream(name),
                ExpectedVersion::Any,
                batch(&format!("{n}"), 2),
            )
            .await
            .or_fail("appending");
        results.push(result);
    }
    settle(&fresh, "the reader catching up").await;
    let all = everything(&fresh.reader, "read_all").await;
    assert_eq!(all.len(), 6);
    for (pair, result) in all.chunks(2).zip(&results) {
        assert_eq!(
            pair[0].event_ref(),
            result.first,
            "first event of {result:?}"
        );
        assert_eq!(pair[1].event_ref(), result.last, "last event of {result:?}");
        assert_eq!(pair[0].stream_id, result.stream_id);
    }
    for event in &all {
        let from_stream = whole(&fresh.reader, &event.stream_id, "reading the stream").await;
        match from_stream.iter().find(|e| e.id == event.id) {
            Some(twin) => {
                assert_eq!(
                    (twin.version, twin.position),
                    (event.version, event.position),
                    "read_all and read_stream disagree on {}",
                    event.id
                );
                assert!(
                    twin.payload.json_eq(&event.payload)
                        && twin.event_type == event.event_type
                        && twin.metadata == event.metadata,
                    "read_all and read_stream disagree on the content of {}",
                    event.id
                );
            }
            None => panic!(
                "event {} is in read_all but not in its stream {}",
                event.id, event.stream_id
            ),
        }
    }
    Outcome::Passed
}

/// Reading after a page's checkpoint continues with exactly the next event, for a cut at every
/// point; the checkpoint's text reads back to the same place.
pub async fn read_all_after_checkpoint_resumes_exactly<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 3).await;
    settle(&fresh, "the reader catching up").await;
    for cut in [1, written.len() / 2, written.len() - 1] {
        let head = fresh
            .reader
            .read_all(ReadAll::from_beginning().limit(cut))
            .await
            .or_fail("a first page");
        assert_events(
            &head.events,
            &written[..cut],
            &format!("the first {cut} events"),
        );
        let tail = fresh
            .reader
            .read_all(ReadAll::after(head.checkpoint.clone()).limit(1_000))
            .await
            .or_fail("read_all after a checkpoint");
        assert_events(
            &tail.events,
            &written[cut..],
            &format!("read_all after the checkpoint of the first {cut} events"),
        );
        let reparsed =
            Checkpoint::parse(&head.checkpoint.to_string()).or_fail("parsing a checkpoint");
        let again = fresh
            .reader
            .read_all(ReadAll::after(reparsed).limit(1_000))
            .await
            .or_fail("read_all after a re-parsed checkpoint");
        assert_events(
            &again.events,
            &written[cut..],
            "read_all after a checkpoint read back from text",
        );
    }
    let end = fresh
        .reader
        .read_all(ReadAll::from_beginning().limit(1_000))
        .await
        .or_fail("everything");
    let past = fresh
        .reader
        .read_all(ReadAll::after(end.checkpoint.clone()))
        .await
        .or_fail("read_all after the last checkpoint");
    assert!(
        past.events.is_empty(),
        "read_all after the end returned {:?}",
        past.events
    );
    assert_eq!(past.state, PageState::CaughtUp);
    Outcome::Passed
}

/// A limit of 0 reads nothing; a limit of 1 reads exactly the next event, every time.
pub async fn read_all_limits_zero_and_one<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 2).await;
    settle(&fresh, "the reader catching up").await;
    let none = fresh
        .reader
        .read_all(ReadAll::from_beginning().limit(0))
        .await
        .or_fail("read_all with limit 0");
    assert!(
        none.events.is_empty(),
        "limit 0 returned {} events",
        none.events.len()
    );
    assert_ne!(
        none.state,
        PageState::CaughtUp,
        "limit 0 on a store with events is not caught up"
    );
    let mut request = ReadAll::from_beginning().limit(1);
    let mut seen = Vec::new();
    for _ in 0..written.len() {
        let one = fresh
            .reader
            .read_all(request.clone())
            .await
            .or_fail("read_all with limit 1");
        assert_eq!(
            one.events.len(),
            1,
            "limit 1 before the end must return exactly one event"
        );
        request = ReadAll::after(one.checkpoint).limit(1);
        seen.extend(one.events);
    }
    let last = fresh
        .reader
        .read_all(request)
        .await
        .or_fail("read past the end");
    assert!(
        last.events.is_empty(),
        "reading past the last event must return nothing"
    );
    assert_eq!(last.state, PageState::CaughtUp);
    assert_events(&seen, &written, "reading one event at a time");
    Outcome::Passed
}

/// A fresh store with interleaved streams written and settled, and the page read from its head.
async fn head_after_writes<F: StoreFactory>(
    factory: &F,
) -> (FreshStore<F::Store, F::Reader>, Page) {
    let fresh = fresh(factory).await;
    interleaved(&fresh.store, 2).await;
    settle(&fresh, "the reader catching up").await;
    let head = fresh
        .reader
        .read_all(ReadAll::from_head())
        .await
        .or_fail("read_all from the head");
    (fresh, head)
}

/// Reading from the head gives an empty, caught-up page whose checkpoint sees only events
/// appended afterwards.
pub async fn read_all_from_head_sees_only_later_events<F: StoreFactory>(factory: &F) -> Outcome {
    let (fresh, head) = head_after_writes(factory).await;
    assert!(
        head.events.is_empty(),
        "a read from the head returned stored events"
    );
    assert_eq!(head.state, PageState::CaughtUp);
    let later = batch("later", 2);
    fresh
        .store
        .append_events(&stream("all-later"), ExpectedVersion::Any, later.clone())
        .await
        .or_fail("appending after the head was read");
    settle(&fresh, "the reader catching up").await;
    let rest = match read_all_pages(&fresh.reader, ReadAll::after(head.checkpoint)).await {
        Ok((events, _)) => events,
        Err(why) => panic!("reading after the head: {why}"),
    };
    assert_events(&rest, &later, "read_all after the head's checkpoint");
    Outcome::Passed
}

/// A caught-up read never moves its reader back: after a checkpoint past the head (one saved
/// from a replica that is ahead of this one, say) the page is empty and caught up, and its
/// checkpoint is not behind where the reader already was (the head, say, from which it would
/// read again).
pub async fn read_all_past_the_head_keeps_its_place<F: StoreFactory>(factory: &F) -> Outcome {
    let (fresh, head) = head_after_writes(factory).await;
    let position = head
        .checkpoint
        .to_position_number()
        .or_fail("the head's checkpoint as a position");
    let ahead = Checkpoint::after(Position::new(position + 1_000));
    let page = fresh
        .reader
        .read_all(ReadAll::after(ahead.clone()))
        .await
        .or_fail("read_all after a checkpoint past the head");
    assert!(
        page.events.is_empty(),
        "a read past the head returned stored events: {page:?}"
    );
    assert_eq!(page.state, PageState::CaughtUp, "a read past the head");
    let resumed = page
        .checkpoint
        .to_position_number()
        .or_fail("the page's checkpoint as a position");
    // Moving on is fine (on PostgreSQL the safe bound advances with the whole cluster's
    // transactions); moving back is not.
    assert!(
        resumed >= position + 1_000,
        "a read after {ahead:?}, past the head {:?}, moved the reader back to {:?}",
        head.checkpoint,
        page.checkpoint
    );
    Outcome::Passed
}

/// A checkpoint written out as text and read back resumes at the same place, and a checkpoint
/// taken after everything resumes with nothing.
pub async fn read_all_checkpoints_survive_text<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = interleaved(&fresh.store, 2).await;
    settle(&fresh, "the reader catching up").await;
    let page = fresh
        .reader
        .read_all(ReadAll::from_beginning().limit(3))
        .await
        .or_fail("a first page");
    let text = serde_json::to_string(&page.checkpoint).unwrap_or_default();
    let back: Checkpoint = match serde_json::from_str(&text) {
        Ok(checkpoint) => checkpoint,
        Err(error) => panic!("checkpoint {text} does not deserialize: {error}"),
    };
    assert_eq!(back, page.checkpoint, "a checkpoint changed through serde");
    let rest = match read_all_pages(&fresh.reader, ReadAll::after(back)).await {
        Ok((events, _)) => events,
        Err(why) => panic!("resuming from a deserialized checkpoint: {why}"),
    };
    assert_events(
        &rest,
        &written[3..],
        "resuming from a deserialized checkpoint",
    );
    Outcome::Passed
}

/// Two streams of two categories with two event types each: a filter by type returns exactly
/// the events of those types, in order, from both streams.
pub async fn read_all_filter_by_event_type<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = mixed(&fresh.store).await;
    settle(&fresh, "the reader catching up").await;
    let wanted: Vec<_> = written
        .iter()
        .filter(|(_, e)| e.event_type.as_str() == "Deposited")
        .map(|(_, e)| e.clone())
        .collect();
    let filter = EventFilter::all().with_event_types([event_type("Deposited")]);
    for limit in [1, 2, 100] {
        let got = filtered(&fresh.reader, filter.clone(), limit).await;
        assert_events(
            &got,
            &wanted,
            &format!("read_all filtered by type, pages of {limit}"),
        );
    }
    Outcome::Passed
}

/// A filter by category returns exactly the events of streams in it (`account-1` is in
/// `account`; `accounting-1` and `account` are not).
pub async fn read_all_filter_by_category<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let written = mixed(&fresh.store).await;
    settle(&fresh, "the reader catching up").await;
    let wanted: Vec<_> = written
        .iter()
        .filter(|(s, _)| s.as_str() == "account-1" || s.as_str() == "account-2")
        .map(|(_, e)| e.clone())
        .collect();
    let accounts = match Category::new("account") {
        Ok(category) => category,
        Err(error) => panic!("the suite's category is invalid: {error}"),
    };
    let by_category = EventFilter::all().with_categories([accounts.clone()]);
    for limit in [1, 3, 100] {
        let got = filtered(&fresh.reader, by_category.clone(), limit).await;
        assert_events(
            &got,
            &wanted,
            &format!("read_all filtered by category, pages of {limit}"),
        );
    }
    let both = EventFilter::all()
        .with_categories([accounts])
        .with_event_types([event_type("Withdrawn")]);
    let wanted_both: Vec<_> = written
        .iter()
        .filter(|(s, e)| {
            (s.as_str() == "account-1" || s.as_str() == "account-2")
                && e.event_type.as_str() == "Withdrawn"
        })
        .map(|(_, e)| e.clone())
        .collect();
    let got = filtered(&fresh.reader, both, 2).await;
    assert_events(&got, &wanted_both, "read_all filtered by category and type");
    Outcome::Passed
}

/// A filtered read whose events all fail the filter still moves its checkpoint past them, so a
/// reader that resumes there does not scan them again, and sees a later match.
pub async fn read_all_filter_matching_nothing_advances<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    interleaved(&fresh.store, 3).await;
    settle(&fresh, "the reader catching up").await;
    let nothing = EventFilter::all().with_event_types([event_type("NeverWritten")]);
    let (found, checkpoint) = match read_all_pages(
        &fresh.reader,
        ReadAll::from_beginning().limit(2).filter(nothing.clone()),
    )
    .await
    {
        Ok(result) => result,
        Err(why) => panic!("a filtered read matching nothing: {why}"),
    };
    assert!(
        found.is_empty(),
        "a filter matching nothing returned {found:?}"
    );
    assert!(
        checkpoint > Checkpoint::beginning(),
        "a filtered read over events it skipped must move its checkpoint, it stayed at {checkpoint}"
    );
    let later = event("NeverWritten", r#"{"at":"last"}"#);
    fresh
        .store
        .append_events(&stream("all-late"), ExpectedVersion::Any, [later.clone()])
        .await
        .or_fail("appending a match");
    settle(&fresh, "the reader catching up").await;
    let page = fresh
        .reader
        .read_all(ReadAll::after(checkpoint).limit(1).filter(nothing))
        .await
        .or_fail("the filtered read resumed");
    assert_events(
        &page.events,
        &[later],
        "the filtered read resumed after its checkpoint",
    );
    Outcome::Passed
}

fn event_type(name: &str) -> EventType {
    match EventType::new(name) {
        Ok(t) => t,
        Err(error) => panic!("the suite's event type {name:?} is invalid: {error}"),
    }
}

/// Deposits and withdrawals on `account-1`, `account-2`, `accounting-1` and `account`, in
/// one interleaved order; returns (stream, event) in append order.
async fn mixed<S: EventWriterExt>(store: &S) -> Vec<(es_core::StreamId, NewEvent)> {
    let mut written = Vec::new();
    for round in 0..3 {
        for name in ["account-1", "accounting-1", "account-2", "account"] {
            let kind = if (round + name.len()) % 2 == 0 {
                "Deposited"
            } else {
                "Withdrawn"
            };
            let e = event(kind, &format!(r#"{{"round":{round},"stream":"{name}"}}"#));
            store
                .append_events(&stream(name), ExpectedVersion::Any, [e.clone()])
                .await
                .or_fail("writing the mixed streams");
            written.push((stream(name), e));
        }
    }
    written
}

/// Every event passing `filter`, in pages of `limit`.
async fn filtered<R: EventReader>(
    reader: &R,
    filter: EventFilter,
    limit: usize,
) -> Vec<RecordedEvent> {
    match read_all_pages(
        reader,
        ReadAll::from_beginning().limit(limit).filter(filter),
    )
    .await
    {
        Ok((events, _)) => events,
        Err(why) => panic!("a filtered read_all: {why}"),
    }
}
