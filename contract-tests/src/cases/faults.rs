//! Faults: with slow calls, lost acknowledgements and failed calls (see
//! [`FaultyStore`]), es-core's `Repository::execute` retries and idempotent
//! re-sends keep the data exact: nothing lost, nothing stored twice.

use std::{collections::HashSet, time::Duration};

use es_core::{
    Error, EventStore, EventWriter, EventWriterExt, ExpectedVersion, Repository, RetryPolicy,
    StreamAppend, StreamId,
};

use super::{
    fixture::{Ledger, LedgerCommand},
    support::{OrFail, assert_events, assert_gapless, batch, everything, stream, whole},
};
use crate::{FaultyStore, Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "through slow calls, lost acknowledgements and failed calls, retries and re-sends store every command's events exactly once.";

/// Patient enough that faults and racing writers cannot exhaust it.
const PATIENT: RetryPolicy = RetryPolicy {
    max_attempts: 1_000,
    base_delay: Duration::from_micros(200),
    max_delay: Duration::from_millis(5),
};

/// Runs `amounts` as commands one after another and checks the ledger and the stream.
async fn execute_all<S: EventStore + Clone>(
    faulty: &FaultyStore<S>,
    s: &StreamId,
    amounts: &[i64],
) {
    let ledger = Repository::<Ledger, _>::new(faulty.clone()).with_retry(PATIENT);
    for &amount in amounts {
        if let Err(error) = ledger.execute(s, &LedgerCommand::Add { amount }, &()).await {
            panic!("executing Add {amount} through faults failed: {error}");
        }
    }
}

/// Checks that stream `s` holds exactly one event per command: gapless, no id twice, and the
/// right total.
async fn assert_exact<S: EventStore + Clone>(store: &S, s: &StreamId, commands: usize, total: i64) {
    let read = whole(store, s, "reading the ledger").await;
    assert_gapless(&read, "the ledger stream");
    let ids: HashSet<_> = read.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), read.len(), "an event was stored twice");
    assert_eq!(
        read.len(),
        commands,
        "{commands} commands stored {} events: a lost acknowledgement duplicated or lost one",
        read.len()
    );
    let state = Repository::<Ledger, _>::new(store.clone())
        .load(s)
        .await
        .or_fail("loading the ledger");
    assert_eq!(state.state.total, total, "the ledger's total is wrong");
}

/// Every second write's acknowledgement is lost: the executor re-sends the same events and
/// each command is stored exactly once.
pub async fn executor_dropped_acks_store_once<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let faulty = FaultyStore::new(store.clone()).drop_ack_every(2);
    let s = stream("faults-dropped");
    let amounts = [5, 7, -3, 1, 10, -2, 4, 4, 1, 6];
    execute_all(&faulty, &s, &amounts).await;
    assert!(
        faulty.dropped_acks() >= 4,
        "the fault injector dropped only {} acknowledgements",
        faulty.dropped_acks()
    );
    assert_exact(&store, &s, amounts.len(), amounts.iter().sum()).await;
    Outcome::Passed
}

/// Every third write fails before it reaches the store: the executor retries and each command
/// is stored exactly once.
pub async fn executor_injected_failures_store_once<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let faulty = FaultyStore::new(store.clone()).fail_every(3);
    let s = stream("faults-failed");
    let amounts = [3, 3, 3, -1, 8, 2, -5, 9, 1];
    execute_all(&faulty, &s, &amounts).await;
    assert!(
        faulty.injected_failures() >= 3,
        "the fault injector failed only {} writes",
        faulty.injected_failures()
    );
    assert_exact(&store, &s, amounts.len(), amounts.iter().sum()).await;
    Outcome::Passed
}

/// `RACERS` executors, released together, race on one stream through delays, lost
/// acknowledgements and failures: every command is stored exactly once.
pub async fn executor_racing_through_faults_stores_once<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let faulty = FaultyStore::new(store.clone())
        .with_delay(Duration::from_millis(1))
        .drop_ack_every(3)
        .fail_every(7);
    let s = stream("faults-racing");
    const EACH: usize = 3;
    let racers = super::writers::RACERS;
    let sums = super::race::race(racers, |racer, line| {
        let (faulty, s) = (faulty.clone(), s.clone());
        async move {
            let amounts: Vec<i64> = (0..EACH).map(|n| (racer * 10 + n) as i64).collect();
            line.go().await;
            execute_all(&faulty, &s, &amounts).await;
            amounts.iter().sum::<i64>()
        }
    })
    .await;
    // Faults come by count (every third write loses its ack, every seventh fails), so with 48
    // commands and their retries both kinds are certain.
    assert!(
        faulty.dropped_acks() > 0 && faulty.injected_failures() > 0,
        "no fault was injected"
    );
    assert_exact(&store, &s, racers * EACH, sums.iter().sum()).await;
    Outcome::Passed
}

/// A writer whose append and multi-append acknowledgements were lost re-sends the same events
/// and gets the original results; the events are stored once.
pub async fn resend_after_lost_ack_returns_original<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let lossy = FaultyStore::new(store.clone()).drop_ack_every(1);
    let (a, b) = (stream("lost-ack-a"), stream("lost-ack-b"));
    let events = batch("a", 3);
    let lost = lossy
        .append_events(&a, ExpectedVersion::NoStream, events.clone())
        .await;
    assert!(
        matches!(lost, Err(Error::Unavailable { .. })),
        "the injector must drop the ack, got {lost:?}"
    );
    let resent = store
        .append_events(&a, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail("re-sending after a lost ack");
    assert_eq!(
        (resent.first.version.get(), resent.last.version.get()),
        (1, 3),
        "the re-send must return the original versions"
    );

    let appends = vec![
        StreamAppend::new(a.clone(), super::support::exact(3), batch("a2", 1)),
        StreamAppend::new(b.clone(), ExpectedVersion::NoStream, batch("b", 2)),
    ];
    let lost = lossy.append_multi(appends.clone()).await;
    assert!(
        matches!(lost, Err(Error::Unavailable { .. })),
        "the injector must drop the ack, got {lost:?}"
    );
    let resent = store
        .append_multi(appends.clone())
        .await
        .or_fail("re-sending a multi-append after a lost ack");
    assert_eq!(resent[0].first.version.get(), 4);
    assert_eq!(resent[1].last.version.get(), 2);

    let mut wanted = events;
    wanted.extend(appends[0].events.clone());
    assert_events(
        &whole(&store, &a, "a").await,
        &wanted,
        "stream a after re-sends",
    );
    assert_events(
        &whole(&store, &b, "b").await,
        &appends[1].events,
        "stream b after re-sends",
    );
    assert_eq!(
        everything(&store, "read_all").await.len(),
        6,
        "a re-send after a lost ack stored events twice"
    );
    Outcome::Passed
}
