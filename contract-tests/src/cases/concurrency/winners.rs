//! Racing writers on shared streams, by `append` and by `append_multi` (whose racers name the
//! two streams in opposite orders, so a store that locks streams in call order deadlocks and
//! fails the case instead of hanging it): exactly one winner per version where the expectation
//! names one, and every event stored where it does not.

use std::{collections::HashSet, fmt};

use es_core::{
    AppendResult, Error, EventReaderExt, EventStore, EventWriter, ExpectedVersion, NewEvent,
    StreamAppend, StreamId,
};

use super::super::{
    race::{race, settled_call},
    support::{
        OrFail, assert_acknowledged, assert_gapless, assert_increasing, batch, describe_result,
        fresh_store, stream, whole,
    },
    writers::RACERS,
};
use crate::{Outcome, StoreFactory};

/// How many rounds each racer runs: every round releases all racers together.
const ROUNDS: u64 = 12;

/// How the racers send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    /// `append` to the first stream.
    Append,
    /// `append_multi` to both streams, even racers naming them `[x, y]` and odd ones `[y, x]`.
    Multi,
}

const WAYS: [Way; 2] = [Way::Append, Way::Multi];

impl fmt::Display for Way {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Append => "append",
            Self::Multi => "append_multi (racers naming the streams in opposite orders)",
        })
    }
}

impl Way {
    /// The streams the racers write, named after `case`.
    fn streams(self, case: &str) -> Vec<StreamId> {
        let count = if self == Self::Multi { 2 } else { 1 };
        (0..count)
            .map(|n| stream(&format!("{case}-{self:?}-{n}")))
            .collect()
    }

    /// Racer `racer`'s call: one part per stream, each with its expectation and `size` events.
    fn parts(
        self,
        racer: usize,
        streams: &[StreamId],
        expected: &[ExpectedVersion],
        tag: &str,
        size: usize,
    ) -> Vec<StreamAppend> {
        let mut parts: Vec<_> = streams
            .iter()
            .zip(expected)
            .map(|(s, e)| StreamAppend::new(s.clone(), *e, batch(&format!("{tag}-{s}"), size)))
            .collect();
        if racer % 2 == 1 {
            parts.reverse();
        }
        parts
    }

    /// Sends `parts` this way (a retryable backend error, such as a deadlock victim's, is sent
    /// again; every call is bounded).
    async fn send<S: EventWriter>(
        self,
        store: &S,
        parts: &[StreamAppend],
    ) -> es_core::Result<Vec<AppendResult>> {
        settled_call(&format!("a racing {self}"), || async {
            match self {
                Self::Append => Ok(vec![store.append(parts[0].clone()).await?]),
                Self::Multi => store.append_multi(parts.to_vec()).await,
            }
        })
        .await
    }
}

/// One racer's call in one round and what the store answered.
#[derive(Debug)]
struct Attempt {
    round: u64,
    parts: Vec<StreamAppend>,
    result: es_core::Result<Vec<AppendResult>>,
}

/// The versions of `streams` now, as the expectations a decider that just read them would send.
async fn current<S: EventReaderExt>(store: &S, streams: &[StreamId]) -> Vec<ExpectedVersion> {
    let mut expected = Vec::new();
    for s in streams {
        let version = store
            .stream_version(s)
            .await
            .or_fail("a racer reading the version");
        expected.push(ExpectedVersion::from_current(version));
    }
    expected
}

/// Checks one contested round: exactly one attempt won, at the versions after the ones every
/// racer expected, and every other one got a conflict that names one of its streams, its
/// expectation there and the winner's version.
#[track_caller]
fn one_winner<'a>(attempts: &[&'a Attempt], what: &str) -> &'a Attempt {
    let won: Vec<_> = attempts.iter().filter(|a| a.result.is_ok()).collect();
    let told: Vec<String> = won
        .iter()
        .flat_map(|a| a.result.iter().flatten().map(describe_result))
        .collect();
    assert_eq!(
        won.len(),
        1,
        "{what}: {} of {} racers won [{}]; exactly one may",
        won.len(),
        attempts.len(),
        told.join("; ")
    );
    let winner = won[0];
    let results = winner.result.as_ref().ok().into_iter().flatten();
    for (part, result) in winner.parts.iter().zip(results) {
        let after = match part.expected {
            ExpectedVersion::Exact(v) => v.get(),
            _ => 0,
        };
        assert_eq!(
            (result.stream_id.clone(), result.first.version.get()),
            (part.stream.clone(), after + 1),
            "{what}: the winner expecting {} on {} was told {}",
            part.expected,
            part.stream,
            describe_result(result)
        );
    }
    for attempt in attempts.iter().filter(|a| a.result.is_err()) {
        let Err(Error::Conflict {
            stream,
            expected,
            actual,
        }) = &attempt.result
        else {
            panic!(
                "{what}: a losing racer must get a conflict, got {:?}",
                attempt.result
            );
        };
        let part = attempt.parts.iter().find(|p| p.stream == *stream);
        let won_there = winner
            .result
            .iter()
            .flatten()
            .find(|r| r.stream_id == *stream)
            .map(|r| r.last.version);
        assert!(
            part.is_some_and(|p| p.expected == *expected) && *actual == won_there,
            "{what}: a loser's conflict says stream {stream}, expected {expected}, actual {actual:?}; \
             it must name one of its streams, its expectation there and the winner's version ({won_there:?}, told [{}])",
            told.join("; ")
        );
    }
    winner
}

/// Checks that `s` holds exactly the winners' events, each where its result said.
async fn holds_exactly<S: EventStore>(
    store: &S,
    s: &StreamId,
    winners: &[(AppendResult, Vec<NewEvent>)],
    what: &str,
) {
    let read = whole(store, s, what).await;
    assert_gapless(&read, what);
    assert_increasing(&read, what);
    for (result, events) in winners.iter().filter(|(r, _)| r.stream_id == *s) {
        assert_acknowledged(&read, result, events, what);
    }
    let wanted: usize = winners
        .iter()
        .filter(|(r, _)| r.stream_id == *s)
        .map(|(_, e)| e.len())
        .sum();
    assert_eq!(
        read.len(),
        wanted,
        "{what}: stream {s} holds {} events, the acknowledged appends stored {wanted}",
        read.len()
    );
}

/// The winners' results with the events of each.
fn won(attempts: &[&Attempt]) -> Vec<(AppendResult, Vec<NewEvent>)> {
    attempts
        .iter()
        .filter_map(|a| a.result.as_ref().ok().map(|r| (a, r)))
        .flat_map(|(a, results)| {
            results.iter().map(|r| {
                let part = a.parts.iter().find(|p| p.stream == r.stream_id);
                (
                    r.clone(),
                    part.map(|p| p.events.clone()).unwrap_or_default(),
                )
            })
        })
        .collect()
}

/// `RACERS` tasks race for each version, `ROUNDS` times, by `append` and by `append_multi`:
/// each racer reads the versions, all are released together, and each sends `Exact` (`NoStream`
/// in the first round). Exactly one wins each round, at the next version; every loser gets a
/// conflict naming the winner's version; the streams hold exactly the winners' events, gapless.
pub async fn concurrent_exact_one_winner_per_version<F: StoreFactory>(factory: &F) -> Outcome {
    let store = fresh_store(factory).await;
    for way in WAYS {
        let streams = way.streams("race-exact");
        let attempts = race(RACERS, |racer, line| {
            let (store, streams) = (store.clone(), streams.clone());
            async move {
                let mut mine = Vec::new();
                for round in 0..ROUNDS {
                    // Read before the line, so every racer expects the version the round starts
                    // at and all of them contend for the next one.
                    let expected = current(&store, &streams).await;
                    let parts =
                        way.parts(racer, &streams, &expected, &format!("r{round}-{racer}"), 1);
                    line.go().await;
                    let result = way.send(&store, &parts).await;
                    mine.push(Attempt {
                        round,
                        parts,
                        result,
                    });
                    // Nobody reads the next round's versions before every racer is done.
                    line.go().await;
                }
                mine
            }
        })
        .await;
        let attempts: Vec<&Attempt> = attempts.iter().flatten().collect();
        for round in 0..ROUNDS {
            let this: Vec<_> = attempts
                .iter()
                .copied()
                .filter(|a| a.round == round)
                .collect();
            one_winner(
                &this,
                &format!("{way}, round {round} (all expecting the same versions)"),
            );
        }
        let winners = won(&attempts);
        for s in &streams {
            holds_exactly(&store, s, &winners, &format!("{way}: the raced stream {s}")).await;
        }
    }
    Outcome::Passed
}

/// `RACERS` tasks race to create the same streams with `NoStream`, by `append` and by
/// `append_multi`, on new streams `ROUNDS` times: exactly one creates them; every other gets a
/// conflict naming the creator's version.
pub async fn concurrent_no_stream_single_creator<F: StoreFactory>(factory: &F) -> Outcome {
    let store = fresh_store(factory).await;
    for way in WAYS {
        let attempts = race(RACERS, |racer, line| {
            let store = store.clone();
            async move {
                let mut mine = Vec::new();
                for round in 0..ROUNDS {
                    let streams = way.streams(&format!("race-create-{round}"));
                    let expected = vec![ExpectedVersion::NoStream; streams.len()];
                    let parts = way.parts(racer, &streams, &expected, &format!("c{racer}"), 2);
                    line.go().await;
                    let result = way.send(&store, &parts).await;
                    mine.push(Attempt {
                        round,
                        parts,
                        result,
                    });
                }
                mine
            }
        })
        .await;
        let attempts: Vec<&Attempt> = attempts.iter().flatten().collect();
        for round in 0..ROUNDS {
            let this: Vec<_> = attempts
                .iter()
                .copied()
                .filter(|a| a.round == round)
                .collect();
            let what = format!("{way}, round {round} (all creating with NoStream)");
            one_winner(&this, &what);
            let winners = won(&this);
            for s in way.streams(&format!("race-create-{round}")) {
                holds_exactly(&store, &s, &winners, &format!("{what}: stream {s}")).await;
            }
        }
    }
    Outcome::Passed
}

/// `RACERS` tasks append together, `ROUNDS` times, with `Any` (streams new at first) and with
/// `StreamExists` (streams created before), by `append` and by `append_multi`: every call
/// succeeds, every acknowledged event is stored once at the versions it was told, the streams
/// are gapless with positions rising, and each racer's events keep its order.
pub async fn concurrent_any_stores_every_event<F: StoreFactory>(factory: &F) -> Outcome {
    let store = fresh_store(factory).await;
    for expected in [ExpectedVersion::Any, ExpectedVersion::StreamExists] {
        for way in WAYS {
            let case = format!(
                "race-{}",
                if expected == ExpectedVersion::Any {
                    "any"
                } else {
                    "exists"
                }
            );
            let streams = way.streams(&case);
            let mut acknowledged = Vec::new();
            if expected == ExpectedVersion::StreamExists {
                for s in &streams {
                    let first = batch("created", 1);
                    let result = store
                        .append(StreamAppend::new(
                            s.clone(),
                            ExpectedVersion::NoStream,
                            first.clone(),
                        ))
                        .await
                        .or_fail("creating the stream");
                    acknowledged.push((result, first));
                }
            }
            let attempts = race(RACERS, |racer, line| {
                let (store, streams) = (store.clone(), streams.clone());
                async move {
                    let mut mine = Vec::new();
                    for round in 0..ROUNDS {
                        let expected = vec![expected; streams.len()];
                        let size = 1 + (racer + round as usize) % 2;
                        let parts = way.parts(
                            racer,
                            &streams,
                            &expected,
                            &format!("w{racer}-{round}"),
                            size,
                        );
                        line.go().await;
                        let result = way.send(&store, &parts).await;
                        mine.push(Attempt {
                            round,
                            parts,
                            result,
                        });
                    }
                    mine
                }
            })
            .await;
            let what = format!("racing {way} with {expected}");
            for attempt in attempts.iter().flatten() {
                if let Err(error) = &attempt.result {
                    panic!(
                        "{what}: round {} failed, and {expected} never conflicts here: {error}",
                        attempt.round
                    );
                }
            }
            let flat: Vec<&Attempt> = attempts.iter().flatten().collect();
            acknowledged.extend(won(&flat));
            for s in &streams {
                holds_exactly(&store, s, &acknowledged, &format!("{what}: stream {s}")).await;
                let read = whole(&store, s, &what).await;
                let ids: HashSet<_> = read.iter().map(|e| e.id).collect();
                assert_eq!(
                    ids.len(),
                    read.len(),
                    "{what}: an event of {s} was stored twice"
                );
                for mine in &attempts {
                    let sent: Vec<_> = mine
                        .iter()
                        .flat_map(|a| a.parts.iter().filter(|p| p.stream == *s))
                        .flat_map(|p| p.events.iter().map(|e| e.id))
                        .collect();
                    let order: Vec<_> = read
                        .iter()
                        .map(|e| e.id)
                        .filter(|id| sent.contains(id))
                        .collect();
                    assert_eq!(
                        order, sent,
                        "{what}: a racer's events are stored out of its order in {s}"
                    );
                }
            }
        }
    }
    Outcome::Passed
}
