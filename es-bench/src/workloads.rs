//! The workloads, as plain async functions over the capability each one uses: writing workloads
//! take an [`EventWriter`], reading ones an [`EventReader`], the snapshot set-up a
//! [`SnapshotStore`], and the ones that go through the [`Repository`] a full [`EventStore`].
//! Each returns how many events it moved, so a benchmark can report events per second.
//!
//! [`run`](crate::run) measures all of them against a store factory; they are public so that a
//! criterion bench, or a workload of your own, can call them one by one. Every workload once, on
//! the memory store:
//!
//! ```
//! use es_bench::{domain::Account, workloads};
//! use es_core::Repository;
//! use memory_store::MemoryStore;
//!
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! let store = MemoryStore::new();
//! assert_eq!(workloads::append_batches(&store, 3, 10).await?, 30);
//! assert_eq!(workloads::append_multi(&store, 2, 4).await?, 8);
//! assert_eq!(workloads::contended_commands(store.clone(), 2, 5).await?, 10);
//!
//! let stream = workloads::seed_stream(&store, 100).await?;
//! assert_eq!(workloads::read_stream(&store, &stream).await?, 100);
//! workloads::snapshot_before_tail(&store, &stream, 10).await?;
//! let repository = Repository::<Account, _>::new(store.clone()).with_snapshots(u64::MAX);
//! assert_eq!(workloads::rehydrate(&repository, &stream).await?, 100);
//!
//! // Everything so far: 30 + 8 + 10 + 100 events.
//! assert_eq!(workloads::read_all(&store, 64).await?, 148);
//! assert_eq!(workloads::catch_up(&store, 148).await?, 148);
//! # Ok::<(), es_core::Error>(())
//! # }).unwrap();
//! ```

use std::sync::Arc;

use es_core::{
    Aggregate, Error, EventReader, EventReaderExt, EventStore, EventWriter, EventWriterExt,
    ExecuteError, ExpectedVersion, PageState, Payload, ReadAll, Repository, RetryPolicy, Snapshot,
    SnapshotStore, StreamAppend, StreamId, Subscribe, SubscriptionItem, Version,
};

use crate::{
    domain::{Account, AccountCommand},
    fixtures::{deposit, deposits, fresh_stream},
};

/// Appends `iterations` batches of `batch` events to one fresh stream, each with
/// `Exact(version)` as a single writer would.
pub async fn append_batches<S: EventWriter>(
    store: &S,
    iterations: u64,
    batch: u64,
) -> Result<u64, Error> {
    let stream = fresh_stream("append")?;
    let mut version = None;
    for _ in 0..iterations {
        let events = deposits(batch)?;
        let written = store
            .append_events(&stream, ExpectedVersion::from_current(version), events)
            .await?;
        version = Some(written.last.version);
    }
    Ok(iterations * batch)
}

/// Appends one event to a new stream (`NoStream`), `iterations` times: how services that
/// start a stream per entity write.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = memory_store::MemoryStore::new();
/// assert_eq!(es_bench::workloads::append_to_new_streams(&store, 3).await.unwrap(), 3);
/// # });
/// ```
pub async fn append_to_new_streams<S: EventWriter>(
    store: &S,
    iterations: u64,
) -> Result<u64, Error> {
    for _ in 0..iterations {
        let stream = fresh_stream("new")?;
        store
            .append_events(&stream, ExpectedVersion::NoStream, [deposit(1)?])
            .await?;
    }
    Ok(iterations)
}

/// Appends one event to each of `streams` fresh streams at once, `iterations` times.
pub async fn append_multi<S: EventWriter>(
    store: &S,
    iterations: u64,
    streams: u64,
) -> Result<u64, Error> {
    let ids = (0..streams)
        .map(|_| fresh_stream("multi"))
        .collect::<Result<Vec<_>, _>>()?;
    for _ in 0..iterations {
        let appends = ids
            .iter()
            .map(|id| {
                Ok(StreamAppend::new(
                    id.clone(),
                    ExpectedVersion::Any,
                    [deposit(1)?],
                ))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        store.append_multi(appends).await?;
    }
    Ok(iterations * streams)
}

/// `writers` tasks execute deposit commands on one stream through the repository, which
/// decides on fresh state and retries conflicts, `commands` commands each in all. Every round of
/// [`CONTENTION_ROUND`] commands per writer moves to a fresh stream, so what is measured is
/// contention, not the replay of an ever longer stream. Returns the events committed (every
/// command commits exactly one); [`contend`] also counts the retries.
pub async fn contended_commands<S>(store: S, writers: u64, commands: u64) -> Result<u64, Error>
where
    S: EventStore + Clone + 'static,
{
    Ok(contend(store, writers, commands).await?.events)
}

/// What a contended run did: the events committed and the attempts beyond the first that the
/// executor needed for them (conflicts it decided again on).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Contended {
    /// Events committed: one per command.
    pub events: u64,
    /// Attempts beyond each command's first.
    pub retries: u64,
}

/// [`contended_commands`], counting the executor's retries. The writers are spawned tasks, so
/// on a multi-threaded runtime they race for real.
///
/// ```
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let store = memory_store::MemoryStore::new();
/// let run = es_bench::workloads::contend(store, 4, 8).await?;
/// assert_eq!(run.events, 32);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
pub async fn contend<S>(store: S, writers: u64, commands: u64) -> Result<Contended, Error>
where
    S: EventStore + Clone + 'static,
{
    let repository = Arc::new(
        Repository::<Account, S>::new(store).with_retry(RetryPolicy {
            max_attempts: 1_000,
            ..RetryPolicy::default()
        }),
    );
    let mut left = commands;
    let mut retries = 0;
    while left > 0 {
        let round = left.min(CONTENTION_ROUND);
        left -= round;
        let stream = fresh_stream("contended")?;
        let tasks: Vec<_> = (0..writers)
            .map(|_| {
                let (repository, stream) = (repository.clone(), stream.clone());
                tokio::spawn(async move {
                    let mut retries = 0;
                    for _ in 0..round {
                        let deposit = AccountCommand::Deposit { amount: 1 };
                        let executed =
                            repository
                                .execute(&stream, &deposit, &())
                                .await
                                .map_err(|error| match error {
                                    ExecuteError::Store(error) => error,
                                    other => Error::backend(other),
                                })?;
                        retries += u64::from(executed.attempts.saturating_sub(1));
                    }
                    Ok::<u64, Error>(retries)
                })
            })
            .collect();
        for task in tasks {
            retries += task.await.map_err(Error::backend)??;
        }
    }
    Ok(Contended {
        events: writers * commands,
        retries,
    })
}

/// Commands per writer before the contended workload moves to a fresh stream.
pub const CONTENTION_ROUND: u64 = 8;

/// Fills a fresh stream with `events` deposits (in batches of up to 1000) and returns its id.
pub async fn seed_stream<S: EventWriter>(store: &S, events: u64) -> Result<StreamId, Error> {
    seed_stream_in_batches(store, events, 1_000).await
}

/// Fills a fresh stream with `events` deposits in batches of up to `batch` (at least 1), for a
/// store that takes fewer than 1000 events per append; returns its id.
pub async fn seed_stream_in_batches<S: EventWriter>(
    store: &S,
    events: u64,
    batch: u64,
) -> Result<StreamId, Error> {
    let batch = batch.max(1);
    let stream = fresh_stream("seeded")?;
    let mut written = 0;
    while written < events {
        let batch = (events - written).min(batch);
        store
            .append_events(&stream, ExpectedVersion::Any, deposits(batch)?)
            .await?;
        written += batch;
    }
    Ok(stream)
}

/// Reads a whole stream, oldest first.
pub async fn read_stream<S: EventReader>(store: &S, stream: &StreamId) -> Result<u64, Error> {
    Ok(store.read_whole_stream(stream).await?.len() as u64)
}

/// Loads the aggregate through the repository (a snapshot + the tail when the repository was
/// given snapshots); returns the stream's version.
///
/// The repository, not this function, needs the full [`EventStore`]: [`Repository`] takes one
/// even to load.
pub async fn rehydrate<S: EventStore>(
    repository: &Repository<Account, S>,
    stream: &StreamId,
) -> Result<u64, Error> {
    let loaded = repository.load(stream).await?;
    Ok(loaded.version().map_or(0, Version::get))
}

/// Saves a snapshot of the stream's state `tail` events before its end, so that loading with
/// snapshots replays only `tail` events.
pub async fn snapshot_before_tail<S: EventReader + SnapshotStore>(
    store: &S,
    stream: &StreamId,
    tail: u64,
) -> Result<(), Error> {
    let events = store.read_whole_stream(stream).await?;
    let keep = events
        .len()
        .saturating_sub(usize::try_from(tail).unwrap_or(usize::MAX));
    let mut state = Account::default();
    for recorded in &events[..keep] {
        state.apply(&recorded.decode()?);
    }
    let Some(last) = events[..keep].last() else {
        return Ok(());
    };
    store
        .save_snapshot(Snapshot::new(
            stream.clone(),
            last.event_ref(),
            Payload::from_value(&state)?,
        ))
        .await
}

/// Pages through the global order from the beginning, `page` events at a time, each page read
/// after the previous one's checkpoint, until a page is caught up.
///
/// A page held back (a transaction that may still commit below it is open, which nothing in the
/// benchmarks leaves) is read again from the same checkpoint.
pub async fn read_all<S: EventReader>(store: &S, page: usize) -> Result<u64, Error> {
    let mut request = ReadAll::from_beginning().limit(page);
    let mut count = 0;
    loop {
        let read = store.read_all(request).await?;
        count += read.events.len() as u64;
        if read.state == PageState::CaughtUp {
            return Ok(count);
        }
        request = ReadAll::after(read.checkpoint).limit(page);
    }
}

/// Subscribes from the beginning and takes `events` events (all stored already: catch-up),
/// passing over the subscription's checkpoints. Fails if the subscription says it is caught up
/// before that many came, or ends.
pub async fn catch_up<S: EventReader>(store: &S, events: u64) -> Result<u64, Error> {
    let mut subscription = store.subscribe(Subscribe::from_beginning()).await?;
    let mut taken = 0;
    while taken < events {
        match subscription.next().await {
            Some(Ok(SubscriptionItem::Event { .. })) => taken += 1,
            Some(Ok(SubscriptionItem::CaughtUp(checkpoint))) => {
                return Err(short_catch_up(format!(
                    "the subscription caught up at {checkpoint} after {taken} of {events} events"
                )));
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error),
            None => {
                return Err(short_catch_up(format!(
                    "the subscription ended after {taken} of {events} events"
                )));
            }
        }
    }
    Ok(events)
}

fn short_catch_up(message: String) -> Error {
    Error::Backend {
        message: format!("{message}; does the store hold as many as the benchmark seeded?"),
        retryable: false,
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use memory_store::MemoryStore;

    use super::*;

    #[tokio::test]
    async fn read_all_and_catch_up_move_every_seeded_event() {
        let store = MemoryStore::new();
        for _ in 0..3 {
            seed_stream(&store, 5).await.unwrap();
        }
        assert_eq!(read_all(&store, 4).await.unwrap(), 15);
        assert_eq!(read_all(&store, 5).await.unwrap(), 15);
        assert_eq!(catch_up(&store, 15).await.unwrap(), 15);
        let short = catch_up(&store, 16).await.unwrap_err().to_string();
        assert!(
            short.contains("caught up") && short.contains("after 15 of 16"),
            "{short}"
        );
    }

    #[tokio::test]
    async fn rehydration_from_a_snapshot_replays_only_the_tail() {
        let store = MemoryStore::new();
        let stream = seed_stream(&store, 20).await.unwrap();
        snapshot_before_tail(&store, &stream, 3).await.unwrap();
        let repository = Repository::<Account, _>::new(store.clone()).with_snapshots(u64::MAX);
        assert_eq!(rehydrate(&repository, &stream).await.unwrap(), 20);
        let loaded = repository.load(&stream).await.unwrap();
        assert_eq!(loaded.snapshot.map(|at| at.version.get()), Some(17));
        assert_eq!(loaded.state.balance, (1..=20).sum::<u64>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn contended_commands_commit_one_event_per_command() {
        let store = MemoryStore::new();
        assert_eq!(contended_commands(store.clone(), 3, 10).await.unwrap(), 30);
        let stored = store
            .read_all_to_end(ReadAll::from_beginning())
            .await
            .unwrap();
        assert_eq!(stored.len(), 30);
    }
}
