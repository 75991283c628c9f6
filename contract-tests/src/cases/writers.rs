//! A workload of racing writers, shared by the cases that check readers under concurrent
//! commits.

use std::collections::HashSet;

use es_core::{EventId, EventStore, EventWriterExt, ExpectedVersion, RecordedEvent, StreamAppend};

use super::{
    race::{StartLine, race_on, settled_call},
    support::{OrFail, assert_increasing, batch, stream},
};

/// How many tasks race in the concurrency cases.
pub const RACERS: usize = 16;

/// Races `writers` tasks that each append `rounds` times, all released together every round: to
/// their own stream, to one shared stream (`Any`), and every third round a multi-stream append,
/// so commits of different sizes and lock footprints interleave, and commits land out of
/// position order. The writers first meet the others on `start` (which has a place for each
/// writer and for every task that starts with them, such as a reader). Returns the ids every
/// writer stored, once all are done.
pub(crate) async fn race_writers<S: EventStore + Clone + 'static>(
    store: &S,
    writers: usize,
    rounds: usize,
    start: StartLine,
) -> Vec<EventId> {
    let each_round = StartLine::new(writers);
    let written = race_on(start, writers, |writer, start| {
        let (store, each_round) = (store.clone(), each_round.clone());
        async move {
            let own = stream(&format!("writer-{writer}"));
            let shared = stream("writers-shared");
            let mut ids = Vec::new();
            start.go().await;
            for round in 0..rounds {
                let tag = format!("w{writer}-r{round}");
                // Every fourth writer opens with a big batch: a slow transaction that takes
                // small positions and commits after faster ones that took larger positions.
                let size = if writer % 4 == 0 && round == 0 {
                    200
                } else {
                    1 + (writer + round) % 3
                };
                let events = batch(&tag, size);
                ids.extend(events.iter().map(|e| e.id));
                each_round.go().await;
                if round % 3 == 2 {
                    let other = batch(&format!("{tag}-m"), 1);
                    ids.extend(other.iter().map(|e| e.id));
                    let appends = vec![
                        StreamAppend::new(own.clone(), ExpectedVersion::Any, events),
                        StreamAppend::new(
                            stream(&format!("writer-{writer}-side")),
                            ExpectedVersion::Any,
                            other,
                        ),
                    ];
                    settled_call("a racing multi-append with Any", || {
                        store.append_multi(appends.clone())
                    })
                    .await
                    .or_fail("a racing multi-append with Any");
                } else {
                    let target = if round % 2 == 0 { &own } else { &shared };
                    settled_call("a racing append with Any", || {
                        store.append_events(target, ExpectedVersion::Any, events.clone())
                    })
                    .await
                    .or_fail("a racing append with Any");
                }
            }
            ids
        }
    })
    .await;
    written.into_iter().flatten().collect()
}

/// Asserts that a reader saw every written event exactly once, in strictly increasing
/// positions, and that what it saw agrees with a final `read_all`.
#[track_caller]
pub(crate) fn check_seen_exactly_once(
    seen: &[RecordedEvent],
    written: &[es_core::EventId],
    all: &[RecordedEvent],
    who: &str,
) {
    let seen_ids: Vec<_> = seen.iter().map(|e| e.id).collect();
    let unique: HashSet<_> = seen_ids.iter().copied().collect();
    assert_eq!(unique.len(), seen_ids.len(), "{who} saw an event twice");
    let written: HashSet<_> = written.iter().copied().collect();
    let missing: Vec<_> = written.difference(&unique).collect();
    assert!(
        missing.is_empty(),
        "{who} skipped {} of {} committed events (e.g. {:?}); a reader must never skip an event committed out of order",
        missing.len(),
        written.len(),
        missing.iter().take(3).collect::<Vec<_>>()
    );
    assert_eq!(unique.len(), written.len(), "{who} saw events nobody wrote");
    assert_increasing(seen, who);
    let all_ids: Vec<_> = all.iter().map(|e| e.id).collect();
    assert_eq!(
        seen_ids, all_ids,
        "{who} saw the events in another order than read_all holds them"
    );
}
