//! Real concurrency: many tasks racing on the same and on different streams, by `append` and by
//! `append_multi`, and readers racing writers.
//!
//! Every race is forced: the racing tasks meet at a start line and are released together, round
//! after round, so their calls overlap even on a store whose appends take a microsecond; where a
//! case checks "exactly one winner per version", every racer reads the version it expects before
//! the line. Every call is bounded: a store that deadlocks fails the case with a message.

mod streams;
mod winners;

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Instant,
};

use es_core::{
    EventReader, EventWriter, ExpectedVersion, PageState, ReadAll, RecordedEvent, StreamAppend,
    StreamId, Version,
};

pub use self::{
    streams::{concurrent_distinct_streams_all_stored, concurrent_multi_appends_all_or_nothing},
    winners::{
        concurrent_any_stores_every_event, concurrent_exact_one_winner_per_version,
        concurrent_no_stream_single_creator,
    },
};
use super::{
    race::{PATIENCE, StartLine, race_on, settled_call, spawn_guarded},
    support::{MAX_PAGES, OrFail, batch, describe, everything, fresh, settle, stream, whole},
    writers::{check_seen_exactly_once, race_writers},
};
use crate::{Outcome, StoreFactory};

pub use super::writers::RACERS;

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "racing writers and readers never lose, duplicate or half-show an event: one winner per expected version, every batch seen whole.";

/// A reader pages through `read_all` (from each page's checkpoint) while `RACERS` writers,
/// started with it, commit concurrently; afterwards it must have seen every event exactly once
/// in position order. A store whose `read_all` returns an event past a smaller position that is
/// not yet committed makes the reader step over that event for good, and fails here.
pub async fn read_all_tailing_never_skips_concurrent_commits<F: StoreFactory>(
    factory: &F,
) -> Outcome {
    let fresh = fresh(factory).await;
    let stop = Arc::new(AtomicBool::new(false));
    let start = StartLine::new(RACERS + 1);
    let reader = {
        let (reader, stop, start) = (fresh.reader.clone(), stop.clone(), start.clone());
        spawn_guarded(async move {
            let mut seen: Vec<RecordedEvent> = Vec::new();
            let mut request = ReadAll::from_beginning().limit(37);
            let mut stopped_at = None;
            start.go().await;
            for _ in 0..MAX_PAGES {
                // Read the flag before the page: a caught-up page read after the writers
                // stopped is final.
                let last_round = stop.load(Ordering::SeqCst);
                let page = reader
                    .read_all(request.clone())
                    .await
                    .or_fail("the tailing reader's read_all");
                if let (Some(last), Some(first)) = (seen.last(), page.events.first()) {
                    assert!(
                        first.position > last.position,
                        "read_all after a checkpoint returned {}, not after the last event read ({})",
                        describe(first),
                        describe(last)
                    );
                }
                let caught_up = page.state == PageState::CaughtUp;
                request = ReadAll::after(page.checkpoint).limit(37);
                seen.extend(page.events);
                if last_round && caught_up {
                    return seen;
                }
                if last_round {
                    let since = *stopped_at.get_or_insert_with(Instant::now);
                    assert!(
                        since.elapsed() < PATIENCE,
                        "the tailing reader did not catch up within {PATIENCE:?} after the writers stopped"
                    );
                }
                if caught_up {
                    tokio::task::yield_now().await;
                }
            }
            panic!("the tailing reader read {MAX_PAGES} pages without catching up");
        })
    };
    let written = race_writers(&fresh.store, RACERS, 12, start).await;
    // A replica must have everything before the reader's last, caught-up page counts as final.
    settle(&fresh, "the tailing reader's replica catching up").await;
    stop.store(true, Ordering::SeqCst);
    let seen = reader.join().await;
    let all = everything(&fresh.reader, "read_all").await;
    check_seen_exactly_once(&seen, &written, &all, "the tailing reader");
    Outcome::Passed
}

/// Events per stream per append in [`concurrent_readers_never_see_partial_batches`].
const BATCH: usize = 5;

/// Where one writer of [`concurrent_readers_never_see_partial_batches`] appends, and how.
fn partial_plan(writer: usize) -> (&'static str, Vec<StreamId>) {
    let multi = writer % 2 == 1;
    let named = |name: String| {
        if multi {
            vec![stream(&format!("{name}-m0")), stream(&format!("{name}-m1"))]
        } else {
            vec![stream(&name)]
        }
    };
    match writer % 6 / 2 {
        0 => ("any", named("whole-any".to_owned())),
        1 => ("exists", named("whole-exists".to_owned())),
        _ => ("exact", named(format!("whole-own-{writer}"))),
    }
}

/// Counts, per append, how many of its events `events` holds, and fails if that is neither
/// none nor all (`BATCH` per stream the append wrote).
fn assert_whole_appends(events: &[RecordedEvent], per_append: usize, what: &str) {
    let mut counts: HashMap<String, Vec<&RecordedEvent>> = HashMap::new();
    for event in events {
        let tag = serde_json::from_str::<serde_json::Value>(event.payload.as_str())
            .ok()
            .and_then(|v| v.get("tag").and_then(|t| t.as_str()).map(str::to_owned))
            .unwrap_or_default();
        counts.entry(tag).or_default().push(event);
    }
    for (tag, seen) in counts {
        let whole = if tag.starts_with("m:") && per_append > BATCH {
            per_append
        } else {
            BATCH
        };
        assert!(
            seen.len() == whole,
            "{what} showed {} of the {whole} events of one append (tag {tag}, e.g. {}): part of an append was visible",
            seen.len(),
            describe(seen[0])
        );
    }
}

/// Readers polling streams and `read_all`, started with `RACERS` writers that append batches of
/// 5 together round after round, never see part of an append, whatever its path: `Any` and
/// `StreamExists` on shared streams, `NoStream` then `Exact` on the writer's own, each by
/// `append` and by `append_multi` of two streams (5 events each, in opposite orders).
pub async fn concurrent_readers_never_see_partial_batches<F: StoreFactory>(factory: &F) -> Outcome {
    const ROUNDS: u64 = 4;
    const READERS: usize = 2;
    let fresh = fresh(factory).await;
    let store = fresh.store.clone();
    let mut watched: Vec<StreamId> = Vec::new();
    for (kind, streams) in (0..RACERS).map(partial_plan) {
        for s in streams {
            if watched.contains(&s) {
                continue;
            }
            if kind == "exists" {
                store
                    .append(StreamAppend::new(
                        s.clone(),
                        ExpectedVersion::NoStream,
                        batch(&format!("created-{s}"), BATCH),
                    ))
                    .await
                    .or_fail("creating a shared stream for StreamExists");
            }
            watched.push(s);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let start = StartLine::new(RACERS + READERS);
    let readers: Vec<_> = (0..READERS)
        .map(|n| {
            let (reader, stop, start, watched) = (
                fresh.reader.clone(),
                stop.clone(),
                start.clone(),
                watched.clone(),
            );
            spawn_guarded(async move {
                start.go().await;
                let mut looks = 0;
                while !stop.load(Ordering::SeqCst) || looks == 0 {
                    looks += 1;
                    if n == 0 {
                        let all = everything(&reader, "a reader's read_all").await;
                        assert_whole_appends(&all, 2 * BATCH, "read_all");
                    } else {
                        for s in &watched {
                            let read = whole(&reader, s, "a reader's read_stream").await;
                            assert_whole_appends(&read, BATCH, &format!("read_stream of {s}"));
                        }
                    }
                    tokio::task::yield_now().await;
                }
                looks
            })
        })
        .collect();
    let rounds = StartLine::new(RACERS);
    race_on(start, RACERS, |writer, start| {
        let (store, rounds) = (store.clone(), rounds.clone());
        async move {
            let (kind, streams) = partial_plan(writer);
            start.go().await;
            for round in 0..ROUNDS {
                let expected = match kind {
                    "any" => ExpectedVersion::Any,
                    "exists" => ExpectedVersion::StreamExists,
                    _ => ExpectedVersion::from_current(Version::new(round * BATCH as u64)),
                };
                let tag = format!(
                    "{}w{writer}-r{round}",
                    if streams.len() > 1 { "m:" } else { "" }
                );
                let mut parts: Vec<_> = streams
                    .iter()
                    .map(|s| StreamAppend::new(s.clone(), expected, batch(&tag, BATCH)))
                    .collect();
                if writer % 4 == 3 {
                    parts.reverse();
                }
                rounds.go().await;
                let what = format!("a racing append of 5 with {expected}");
                settled_call(&what, || async {
                    if parts.len() == 1 {
                        store.append(parts[0].clone()).await.map(|_| ())
                    } else {
                        store.append_multi(parts.clone()).await.map(|_| ())
                    }
                })
                .await
                .or_fail(&what);
            }
        }
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    for reader in readers {
        let looks = reader.join().await;
        assert!(looks > 0, "a reader never looked");
    }
    let all = everything(&store, "the final read_all").await;
    assert_whole_appends(&all, 2 * BATCH, "the final read_all");
    let created = 3 * BATCH;
    let appended: usize = (0..RACERS).map(|w| partial_plan(w).1.len() * BATCH).sum();
    assert_eq!(
        all.len(),
        created + appended * ROUNDS as usize,
        "the final read_all holds {} events; the racing appends stored {} and {created} were there before",
        all.len(),
        appended * ROUNDS as usize
    );
    Outcome::Passed
}
