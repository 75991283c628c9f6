//! Reading everything: one global order across streams, pages with no gaps or repeats.

use std::collections::HashSet;

use es_core::{EventStore, ExpectedVersion, NewEvent, Position};

use super::support::{OrFail, assert_events, assert_increasing, batch, everything, stream};
use crate::{Outcome, StoreFactory};

/// Writes three streams interleaved and returns every event in append order.
pub(crate) async fn interleaved<S: EventStore>(store: &S, rounds: usize) -> Vec<NewEvent> {
    let mut order = Vec::new();
    for round in 0..rounds {
        for name in ["all-a", "all-b", "all-c"] {
            let events = batch(&format!("{name}-{round}"), 1 + round % 3);
            store
                .append(&stream(name), ExpectedVersion::Any, events.clone())
                .await
                .or_fail("writing interleaved streams");
            order.extend(events);
        }
    }
    order
}

/// `read_all` returns events of every stream in the order they were appended.
pub async fn read_all_global_order_across_streams<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let written = interleaved(&store, 4).await;
    let all = store
        .read_all(Position::START, 1_000)
        .await
        .or_fail("read_all");
    assert_events(&all, &written, "read_all in append order");
    assert_increasing(&all, "read_all");
    Outcome::Passed
}

/// Paging through `read_all` with several page sizes sees every event exactly once, in order.
pub async fn read_all_paging_no_gaps_or_repeats<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let written = interleaved(&store, 5).await;
    for page_size in [
        1,
        2,
        3,
        7,
        written.len() - 1,
        written.len(),
        written.len() + 1,
    ] {
        let mut seen = Vec::new();
        let mut next = Position::START;
        loop {
            let page = store
                .read_all(next, page_size)
                .await
                .or_fail("reading a page");
            assert!(
                page.len() <= page_size,
                "a page of limit {page_size} returned {} events",
                page.len()
            );
            let Some(last) = page.last() else { break };
            next = last.position.next();
            let short = page.len() < page_size;
            seen.extend(page);
            if short {
                break;
            }
        }
        let ids: HashSet<_> = seen.iter().map(|e| e.id).collect();
        assert_eq!(
            ids.len(),
            seen.len(),
            "pages of {page_size} repeated an event"
        );
        assert_events(
            &seen,
            &written,
            &format!("paging with pages of {page_size}"),
        );
        assert_increasing(&seen, &format!("paging with pages of {page_size}"));
    }
    Outcome::Passed
}

/// An empty store reads as empty from the start, with any limit.
pub async fn read_all_empty_store_is_empty<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    for limit in [0, 1, 100, usize::MAX] {
        let all = store
            .read_all(Position::START, limit)
            .await
            .or_fail("read_all on an empty store");
        assert!(all.is_empty(), "an empty store returned {all:?}");
    }
    Outcome::Passed
}

/// Positions in `read_all` are those the appends returned, and every event read there is the
/// same as when read from its stream.
pub async fn read_all_agrees_with_appends_and_streams<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let mut results = Vec::new();
    for (n, name) in ["agree-a", "agree-b", "agree-a"].into_iter().enumerate() {
        let result = store
            .append(
                &stream(name),
                ExpectedVersion::Any,
                batch(&format!("{n}"), 2),
            )
            .await
            .or_fail("appending");
        results.push(result);
    }
    let all = everything(&store, "read_all").await;
    assert_eq!(all.len(), 6);
    for (pair, result) in all.chunks(2).zip(&results) {
        assert_eq!(
            pair[0].position, result.first_position,
            "first position of {result:?}"
        );
        assert_eq!(
            pair[1].position, result.last_position,
            "last position of {result:?}"
        );
        assert_eq!(
            pair[0].version, result.first_version,
            "first version of {result:?}"
        );
        assert_eq!(pair[0].stream_id, result.stream_id);
    }
    for event in &all {
        let from_stream =
            super::support::whole(&store, &event.stream_id, "reading the stream").await;
        let twin = from_stream.iter().find(|e| e.id == event.id);
        match twin {
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

/// Reading from a position in the middle includes the event at that position and nothing
/// before it.
pub async fn read_all_from_middle_inclusive<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let written = interleaved(&store, 3).await;
    let all = everything(&store, "read_all").await;
    for cut in [1, all.len() / 2, all.len() - 1] {
        let from = all[cut].position;
        let tail = store
            .read_all(from, 1_000)
            .await
            .or_fail("read_all from the middle");
        assert_events(
            &tail,
            &written[cut..],
            &format!("read_all from position {from} (inclusive)"),
        );
        // Starting just after the previous event (inside a gap, if the store has gaps) is the same.
        let after_previous = store
            .read_all(all[cut - 1].position.next(), 1_000)
            .await
            .or_fail("read_all after the previous");
        assert_events(
            &after_previous,
            &written[cut..],
            &format!(
                "read_all from just after position {}",
                all[cut - 1].position
            ),
        );
    }
    Outcome::Passed
}

/// A limit of 0 reads nothing; a limit of 1 reads exactly the next event.
pub async fn read_all_limits_zero_and_one<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let written = interleaved(&store, 2).await;
    let none = store
        .read_all(Position::START, 0)
        .await
        .or_fail("read_all with limit 0");
    assert!(none.is_empty(), "limit 0 returned {} events", none.len());
    let mut next = Position::START;
    let mut seen = Vec::new();
    for _ in 0..written.len() {
        let one = store
            .read_all(next, 1)
            .await
            .or_fail("read_all with limit 1");
        assert_eq!(
            one.len(),
            1,
            "limit 1 before the end must return exactly one event"
        );
        next = one[0].position.next();
        seen.extend(one);
    }
    assert!(
        store
            .read_all(next, 1)
            .await
            .or_fail("read past the end")
            .is_empty(),
        "reading past the last event must return nothing"
    );
    assert_events(&seen, &written, "reading one event at a time");
    Outcome::Passed
}

/// Reading from past the last position is empty; an unbounded limit reads everything.
pub async fn read_all_past_head_and_unbounded<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
    let written = interleaved(&store, 2).await;
    let unbounded = store
        .read_all(Position::START, usize::MAX)
        .await
        .or_fail("read_all with limit usize::MAX");
    assert_events(&unbounded, &written, "read_all with an unbounded limit");
    let Some(last) = unbounded.last() else {
        panic!("nothing was read")
    };
    let past = store
        .read_all(last.position.next(), 10)
        .await
        .or_fail("read_all past the head");
    assert!(past.is_empty(), "read_all past the head returned {past:?}");
    let far = store
        .read_all(Position::new(u64::MAX / 2), 10)
        .await
        .or_fail("read_all far past the head");
    assert!(
        far.is_empty(),
        "read_all far past the head returned {far:?}"
    );
    Outcome::Passed
}
