//! Racing writers of their own streams, and racing transfers between two shared streams.

use es_core::{
    Error, EventReaderExt, EventWriter, EventWriterExt, ExpectedVersion, StreamAppend, Version,
};

use super::super::{
    race::{race, settled_call},
    support::{
        OrFail, assert_events, assert_gapless, assert_increasing, batch, event, everything,
        fresh_store, stream, whole,
    },
    writers::RACERS,
};
use crate::{Outcome, StoreFactory};

/// `RACERS` tasks each write their own stream, released together every round, with `NoStream`
/// and then `Exact`: none conflicts, every stream is complete and gapless, and `read_all` holds
/// every event once in increasing positions.
pub async fn concurrent_distinct_streams_all_stored<F: StoreFactory>(factory: &F) -> Outcome {
    let store = fresh_store(factory).await;
    const ROUNDS: u64 = 8;
    let written = race(RACERS, |racer, line| {
        let store = store.clone();
        async move {
            let s = stream(&format!("own-{racer}"));
            let mut mine = Vec::new();
            for round in 0..ROUNDS {
                let events = batch(&format!("o{racer}-{round}"), 2);
                let expected = ExpectedVersion::from_current(Version::new(round * 2));
                line.go().await;
                store
                    .append_events(&s, expected, events.clone())
                    .await
                    .or_fail(&format!("appending to my own stream with {expected}"));
                mine.extend(events);
            }
            (s, mine)
        }
    })
    .await;
    let mut total = 0;
    for (s, mine) in written {
        let read = whole(&store, &s, "reading my stream").await;
        assert_events(
            &read,
            &mine,
            &format!("stream {s} after racing distinct streams"),
        );
        total += mine.len();
    }
    let all = everything(&store, "read_all").await;
    assert_eq!(all.len(), total, "read_all after racing distinct streams");
    assert_increasing(&all, "read_all after racing distinct streams");
    Outcome::Passed
}

/// `RACERS` tasks, released together, race transfers between two shared streams with `Exact` on
/// both, even racers naming them `[from, to]` and odd ones `[to, from]` (a lock-order deadlock
/// must end in a conflict or a retry, never a hang): every multi-append lands whole or not at
/// all, so both streams hold the same sequence of transfers, gapless.
pub async fn concurrent_multi_appends_all_or_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = fresh_store(factory).await;
    let (a, b) = (stream("transfer-from"), stream("transfer-to"));
    const TRANSFERS: usize = 3;
    race(RACERS, |racer, line| {
        let (store, a, b) = (store.clone(), a.clone(), b.clone());
        async move {
            line.go().await;
            let (mut done, mut conflicts) = (0, 0);
            while done < TRANSFERS {
                let va = store.stream_version(&a).await.or_fail("version of a");
                let vb = store.stream_version(&b).await.or_fail("version of b");
                let tag = format!(r#"{{"transfer":"t{racer}-{done}"}}"#);
                let mut parts = vec![
                    StreamAppend::new(
                        a.clone(),
                        ExpectedVersion::from_current(va),
                        [event("Debited", &tag)],
                    ),
                    StreamAppend::new(
                        b.clone(),
                        ExpectedVersion::from_current(vb),
                        [event("Credited", &tag)],
                    ),
                ];
                if racer % 2 == 1 {
                    parts.reverse();
                }
                let result =
                    settled_call("a racing transfer", || store.append_multi(parts.clone())).await;
                match result {
                    Ok(_) => done += 1,
                    Err(Error::Conflict { .. }) => {
                        conflicts += 1;
                        assert!(
                            conflicts < 10_000,
                            "a racer conflicted 10000 times in a row"
                        );
                        tokio::task::yield_now().await;
                    }
                    Err(other) => panic!("a racing multi-append failed: {other}"),
                }
            }
        }
    })
    .await;
    let (ra, rb) = (whole(&store, &a, "a").await, whole(&store, &b, "b").await);
    assert_gapless(&ra, "the debited stream");
    assert_gapless(&rb, "the credited stream");
    assert_eq!(
        ra.len(),
        RACERS * TRANSFERS,
        "every transfer must debit exactly once"
    );
    assert_eq!(
        rb.len(),
        RACERS * TRANSFERS,
        "every transfer must credit exactly once"
    );
    for (debit, credit) in ra.iter().zip(&rb) {
        assert!(
            debit.payload.json_eq(&credit.payload),
            "{} and {} belong to different transfers ({} vs {}): a multi-append was split",
            super::super::support::describe(debit),
            super::super::support::describe(credit),
            debit.payload,
            credit.payload
        );
    }
    Outcome::Passed
}
