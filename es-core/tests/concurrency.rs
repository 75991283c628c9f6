//! Many writers racing on one stream: nothing lost, nothing duplicated, versions gapless, exactly
//! one winner per version.

mod common;

use std::{collections::BTreeMap, sync::Arc};

use common::*;
use es_core::{Error, EventReaderExt, EventWriterExt, ExpectedVersion, Version};
use memory_store::MemoryStore;
use tokio::sync::Barrier;

const WRITERS: u64 = 16;
const ROUNDS: u64 = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_any_writers_lose_nothing() {
    let store = MemoryStore::new();
    let id = stream("hot");
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (store, id) = (store.clone(), id.clone());
            tokio::spawn(async move {
                for n in 0..ROUNDS {
                    store
                        .append_events(&id, ExpectedVersion::Any, [event(w * 1000 + n)])
                        .await
                        .expect("Any never conflicts");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer");
    }
    let stored = read(&store, &id).await;
    let versions: Vec<u64> = stored.iter().map(|e| e.version.get()).collect();
    assert_eq!(
        versions,
        (1..=WRITERS * ROUNDS).collect::<Vec<_>>(),
        "gapless versions"
    );
    let mut got = numbers(&stored);
    got.sort_unstable();
    got.dedup();
    assert_eq!(
        got.len() as u64,
        WRITERS * ROUNDS,
        "nothing lost or duplicated"
    );
}

/// Every round, all writers read the stream's version, wait until all have read it, and only
/// then append with that version: every round is a race of all writers for one version, on a
/// loaded machine too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_exact_writers_have_one_winner_per_version() {
    let store = MemoryStore::new();
    let id = stream("contended");
    let barrier = Arc::new(Barrier::new(WRITERS as usize));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (store, id, barrier) = (store.clone(), id.clone(), barrier.clone());
            tokio::spawn(async move {
                let mut won = Vec::new();
                let mut conflicts = 0u64;
                for n in 0..ROUNDS {
                    // The previous round's appends are done before anyone reads.
                    barrier.wait().await;
                    let current = store.stream_version(&id).await.expect("version");
                    assert_eq!(current, Version::new(n), "one winner per earlier round");
                    // Everyone has read before anyone appends.
                    barrier.wait().await;
                    let expected = ExpectedVersion::from_current(current);
                    match store
                        .append_events(&id, expected, [event(w * 1000 + n)])
                        .await
                    {
                        Ok(written) => won.push((written.last.version, w * 1000 + n)),
                        Err(Error::Conflict { actual, .. }) => {
                            assert_eq!(
                                actual,
                                Version::new(n + 1),
                                "the conflict reports the winner's version"
                            );
                            conflicts += 1;
                        }
                        Err(other) => panic!("unexpected error {other}"),
                    }
                }
                (won, conflicts)
            })
        })
        .collect();
    let mut winners: BTreeMap<Version, u64> = BTreeMap::new();
    let mut conflicts = 0;
    for task in tasks {
        let (won, lost) = task.await.expect("writer");
        conflicts += lost;
        for (version, n) in won {
            assert!(
                winners.insert(version, n).is_none(),
                "two winners for version {version}"
            );
        }
    }
    let stored = read(&store, &id).await;
    let by_version: BTreeMap<Version, u64> = stored
        .iter()
        .map(|e| e.version)
        .zip(numbers(&stored))
        .collect();
    assert_eq!(
        by_version, winners,
        "exactly the winners are stored, at the versions they won"
    );
    let versions: Vec<u64> = winners.keys().map(|v| v.get()).collect();
    assert_eq!(
        versions,
        (1..=ROUNDS).collect::<Vec<_>>(),
        "one winner per round, gapless"
    );
    assert_eq!(
        conflicts,
        (WRITERS - 1) * ROUNDS,
        "every other writer of every round conflicted"
    );
}
