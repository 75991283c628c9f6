//! Reading everything: one global order across streams, pages with no gaps or repeats.

use std::collections::HashSet;

use es_core::{EventStore, ExpectedVersion, NewEvent, Position};

use super::support::{OrFail, assert_events, assert_increasing, batch, stream};
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
