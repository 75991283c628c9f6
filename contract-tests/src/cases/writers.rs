//! A workload of racing writers, shared by the cases that check readers under concurrent
//! commits.

use es_core::{EventId, EventStore, ExpectedVersion, StreamAppend};

use super::support::{OrFail, batch, stream};

/// Starts `writers` tasks that each append `rounds` times: to their own stream, to one shared
/// stream (`Any`), and every third round a multi-stream append, so commits of different sizes
/// and lock footprints interleave, and commits land out of position order. Returns the ids every writer stored, once all are done.
pub(crate) async fn race_writers<S: EventStore + Clone + 'static>(
    store: &S,
    writers: usize,
    rounds: usize,
) -> Vec<EventId> {
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let own = stream(&format!("writer-{writer}"));
            let shared = stream("writers-shared");
            let mut ids = Vec::new();
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
                if round % 3 == 2 {
                    let other = batch(&format!("{tag}-m"), 1);
                    ids.extend(other.iter().map(|e| e.id));
                    store
                        .append_multi(vec![
                            StreamAppend::new(own.clone(), ExpectedVersion::Any, events),
                            StreamAppend::new(
                                stream(&format!("writer-{writer}-side")),
                                ExpectedVersion::Any,
                                other,
                            ),
                        ])
                        .await
                        .or_fail("a racing multi-append with Any");
                } else {
                    let target = if round % 2 == 0 { &own } else { &shared };
                    store
                        .append(target, ExpectedVersion::Any, events)
                        .await
                        .or_fail("a racing append with Any");
                }
                if round % 4 == 0 {
                    tokio::task::yield_now().await;
                }
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        match task.await {
            Ok(written) => ids.extend(written),
            Err(error) => panic!("a writer task failed: {error}"),
        }
    }
    ids
}
