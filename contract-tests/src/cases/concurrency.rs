//! Real concurrency: many tasks racing on the same and on different streams.

use std::collections::HashSet;

use es_core::{
    Error, EventReader, EventReaderExt, EventWriter, EventWriterExt, ExpectedVersion, Version,
};

use super::support::{OrFail, assert_gapless, batch, stream, whole};
use crate::{Outcome, StoreFactory};

pub use super::writers::RACERS;

/// `RACERS` tasks race to append at each version with `Exact`: exactly one wins each version,
/// every loser gets a conflict, and the stream ends gapless with only the winners' events.
pub async fn concurrent_exact_one_winner_per_version<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("race-exact");
    const ROUNDS: u64 = 5;
    let mut winners = Vec::new();
    for round in 0..ROUNDS {
        let expected = ExpectedVersion::from_current(Version::new(round));
        let mut tasks = Vec::new();
        for racer in 0..RACERS {
            let (store, s) = (store.clone(), s.clone());
            let events = batch(&format!("r{round}-{racer}"), 1);
            tasks.push(tokio::spawn(async move {
                let result = store.append_events(&s, expected, events.clone()).await;
                (result, events)
            }));
        }
        let mut won = 0;
        for task in tasks {
            let (result, events) = match task.await {
                Ok(pair) => pair,
                Err(error) => panic!("a racing task panicked: {error}"),
            };
            match result {
                Ok(written) => {
                    won += 1;
                    assert_eq!(
                        written.first.version.get(),
                        round + 1,
                        "the winner wrote the wrong version"
                    );
                    winners.extend(events);
                }
                Err(Error::Conflict { .. }) => {}
                Err(other) => panic!("a loser must get a conflict, got {other}"),
            }
        }
        assert_eq!(
            won, 1,
            "round {round}: {won} of {RACERS} writers won with {expected}; exactly one may"
        );
    }
    let read = whole(&store, &s, "reading the raced stream").await;
    assert_gapless(&read, "the raced stream");
    super::support::assert_events(
        &read,
        &winners,
        "the raced stream holds exactly the winners",
    );
    let ids: HashSet<_> = read.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), ROUNDS as usize);
    Outcome::Passed
}

fn joined<T>(result: Result<T, tokio::task::JoinError>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("a racing task failed: {error}"),
    }
}

/// `RACERS` tasks race to create the same stream with `NoStream`: exactly one creates it.
pub async fn concurrent_no_stream_single_creator<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("race-create");
    let tasks: Vec<_> = (0..RACERS)
        .map(|racer| {
            let (store, s) = (store.clone(), s.clone());
            let events = batch(&format!("c{racer}"), 2);
            tokio::spawn(async move {
                (
                    store
                        .append_events(&s, ExpectedVersion::NoStream, events.clone())
                        .await,
                    events,
                )
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match joined(task.await) {
            (Ok(_), events) => winners.push(events),
            (Err(Error::Conflict { .. }), _) => {}
            (Err(other), _) => panic!("a losing creator must get a conflict, got {other}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "{} of {RACERS} creators won with NoStream; exactly one may",
        winners.len()
    );
    super::support::assert_events(
        &whole(&store, &s, "read").await,
        &winners[0],
        "the created stream",
    );
    Outcome::Passed
}

/// `RACERS` tasks append to one stream with `Any`: every event is stored exactly once, the
/// stream is gapless, and each writer's events keep their order.
pub async fn concurrent_any_stores_every_event<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("race-any");
    const ROUNDS: usize = 8;
    let tasks: Vec<_> = (0..RACERS)
        .map(|racer| {
            let (store, s) = (store.clone(), s.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                for round in 0..ROUNDS {
                    let events = batch(&format!("w{racer}-{round}"), 1 + round % 2);
                    store
                        .append_events(&s, ExpectedVersion::Any, events.clone())
                        .await
                        .or_fail("a racing append with Any");
                    mine.extend(events.into_iter().map(|e| e.id));
                }
                mine
            })
        })
        .collect();
    let mut by_writer = Vec::new();
    for task in tasks {
        by_writer.push(joined(task.await));
    }
    let read = whole(&store, &s, "reading the raced stream").await;
    assert_gapless(&read, "the stream raced with Any");
    let ids: HashSet<_> = read.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), read.len(), "an event was stored twice");
    let total: usize = by_writer.iter().map(Vec::len).sum();
    assert_eq!(
        read.len(),
        total,
        "{} events stored, {total} appended with Any: some were lost",
        read.len()
    );
    for mine in &by_writer {
        let order: Vec<_> = read
            .iter()
            .filter(|e| mine.contains(&e.id))
            .map(|e| e.id)
            .collect();
        assert_eq!(
            &order, mine,
            "a writer's events are stored out of its order"
        );
    }
    super::support::assert_increasing(&read, "the stream raced with Any");
    Outcome::Passed
}

/// `RACERS` tasks each write their own stream with `Exact`: none conflicts, every stream is
/// complete and gapless, and `read_all` holds every event once in increasing positions.
pub async fn concurrent_distinct_streams_all_stored<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    const ROUNDS: u64 = 6;
    let tasks: Vec<_> = (0..RACERS)
        .map(|racer| {
            let store = store.clone();
            tokio::spawn(async move {
                let s = stream(&format!("own-{racer}"));
                let mut mine = Vec::new();
                for round in 0..ROUNDS {
                    let events = batch(&format!("o{racer}-{round}"), 2);
                    let expected = ExpectedVersion::from_current(Version::new(round * 2));
                    store
                        .append_events(&s, expected, events.clone())
                        .await
                        .or_fail("appending to my own stream");
                    mine.extend(events);
                }
                (s, mine)
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        let (s, mine) = joined(task.await);
        let read = whole(&store, &s, "reading my stream").await;
        super::support::assert_events(&read, &mine, &format!("stream {s}"));
        total += mine.len();
    }
    let all = super::support::everything(&store, "read_all").await;
    assert_eq!(all.len(), total, "read_all after racing distinct streams");
    super::support::assert_increasing(&all, "read_all after racing distinct streams");
    Outcome::Passed
}

/// `RACERS` tasks race multi-stream appends over two shared streams, each with `Exact` on both:
/// every multi-append lands whole or not at all, so both streams hold the same sequence of
/// transfers, gapless.
pub async fn concurrent_multi_appends_all_or_nothing<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let (a, b) = (stream("transfer-from"), stream("transfer-to"));
    const TRANSFERS: usize = 3;
    let tasks: Vec<_> = (0..RACERS)
        .map(|racer| {
            let (store, a, b) = (store.clone(), a.clone(), b.clone());
            tokio::spawn(async move {
                let (mut done, mut conflicts) = (0, 0);
                while done < TRANSFERS {
                    let va = store.stream_version(&a).await.or_fail("version of a");
                    let vb = store.stream_version(&b).await.or_fail("version of b");
                    let tag = format!(r#"{{"transfer":"t{racer}-{done}"}}"#);
                    let result = store
                        .append_multi(vec![
                            es_core::StreamAppend::new(
                                a.clone(),
                                ExpectedVersion::from_current(va),
                                [super::support::event("Debited", &tag)],
                            ),
                            es_core::StreamAppend::new(
                                b.clone(),
                                ExpectedVersion::from_current(vb),
                                [super::support::event("Credited", &tag)],
                            ),
                        ])
                        .await;
                    match result {
                        Ok(_) => done += 1,
                        Err(Error::Conflict { .. }) => {
                            conflicts += 1;
                            if conflicts > 10_000 {
                                panic!("a racer conflicted 10000 times in a row");
                            }
                            tokio::task::yield_now().await;
                        }
                        Err(other) => panic!("a racing multi-append failed: {other}"),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        joined(task.await);
    }
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
            "version {} of the two streams belongs to different transfers: {} vs {}: a multi-append was split",
            debit.version,
            debit.payload,
            credit.payload
        );
    }
    Outcome::Passed
}

/// A reader pages through `read_all` (from each page's checkpoint) while `RACERS` writers
/// commit concurrently; afterwards it must have seen every event exactly once in position
/// order. A store whose `read_all` returns an event past a smaller position that is not yet
/// committed makes the reader step over that event for good, and fails here.
pub async fn read_all_tailing_never_skips_concurrent_commits<F: StoreFactory>(
    factory: &F,
) -> Outcome {
    let fresh = super::support::fresh(factory).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (reader, stop) = (fresh.reader.clone(), stop.clone());
        tokio::spawn(async move {
            let mut seen: Vec<es_core::RecordedEvent> = Vec::new();
            let mut request = es_core::ReadAll::from_beginning().limit(37);
            loop {
                // Read the flag before the page: a caught-up page read after the writers
                // stopped is final.
                let last_round = stop.load(std::sync::atomic::Ordering::SeqCst);
                let page = reader
                    .read_all(request.clone())
                    .await
                    .or_fail("the tailing reader's read_all");
                if let (Some(last), Some(first)) = (seen.last(), page.events.first()) {
                    assert!(
                        first.position > last.position,
                        "read_all after a checkpoint returned {}, not after the last event read ({})",
                        super::support::describe(first),
                        super::support::describe(last)
                    );
                }
                let caught_up = page.state == es_core::PageState::CaughtUp;
                request = es_core::ReadAll::after(page.checkpoint).limit(37);
                seen.extend(page.events);
                if last_round && caught_up {
                    return seen;
                }
                if caught_up {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let written = super::writers::race_writers(&fresh.store, RACERS, 12).await;
    // A replica must have everything before the reader's last, caught-up page counts as final.
    super::support::settle(&fresh, "the tailing reader's replica catching up").await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = joined(reader.await);
    let all = super::support::everything(&fresh.reader, "read_all").await;
    super::writers::check_seen_exactly_once(&seen, &written, &all, "the tailing reader");
    Outcome::Passed
}

/// Readers polling a stream and `read_all` while `RACERS` writers append batches of 5 never
/// see part of a batch: an append becomes visible whole or not at all.
pub async fn concurrent_readers_never_see_partial_batches<F: StoreFactory>(factory: &F) -> Outcome {
    const BATCH: usize = 5;
    let fresh = super::support::fresh(factory).await;
    let store = fresh.store.clone();
    let s = stream("race-whole-batches");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (store, s, stop) = (fresh.reader.clone(), s.clone(), stop.clone());
        tokio::spawn(async move {
            let mut looks = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) || looks == 0 {
                looks += 1;
                let read = whole(&store, &s, "a reader's read_stream").await;
                assert!(
                    read.len() % BATCH == 0,
                    "a reader saw {} events of a stream written in batches of {BATCH}: part of an append was visible",
                    read.len()
                );
                let all = super::support::everything(&store, "a reader's read_all").await;
                assert!(
                    all.len() % BATCH == 0,
                    "read_all showed {} events of batches of {BATCH}: part of an append was visible",
                    all.len()
                );
                tokio::task::yield_now().await;
            }
            looks
        })
    };
    let writers: Vec<_> = (0..RACERS)
        .map(|racer| {
            let (store, s) = (store.clone(), s.clone());
            tokio::spawn(async move {
                for round in 0..3 {
                    store
                        .append_events(
                            &s,
                            ExpectedVersion::Any,
                            batch(&format!("w{racer}-{round}"), BATCH),
                        )
                        .await
                        .or_fail("a racing batch append");
                }
            })
        })
        .collect();
    for writer in writers {
        joined(writer.await);
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let looks = joined(reader.await);
    assert!(looks > 0, "the reader never looked");
    assert_eq!(
        whole(&store, &s, "the final read").await.len(),
        RACERS * 3 * BATCH
    );
    Outcome::Passed
}
