//! Real concurrency: many tasks racing on the same and on different streams.

use std::collections::HashSet;

use es_core::{Error, EventStore, ExpectedVersion, Version};

use super::support::{assert_gapless, batch, stream, whole};
use crate::{Outcome, StoreFactory};

/// How many tasks race in each case.
pub const RACERS: usize = 16;

/// `RACERS` tasks race to append at each version with `Exact`: exactly one wins each version,
/// every loser gets a conflict, and the stream ends gapless with only the winners' events.
pub async fn concurrent_exact_one_winner_per_version<F: StoreFactory>(factory: &F) -> Outcome {
    let store = factory.create().await;
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
                let result = store.append(&s, expected, events.clone()).await;
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
                        written.first_version.get(),
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
