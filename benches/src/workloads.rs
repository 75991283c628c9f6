//! The workloads, as plain async functions over any store. Each returns how many events it
//! moved, so a benchmark can report events per second.

use std::sync::Arc;

use es_core::{
    Aggregate, Error, EventStore, ExpectedVersion, Position, ReadStream, Repository, Snapshot,
    StreamAppend, StreamId, Version,
};

use crate::fixtures::{BenchAggregate, deposit, deposits, fresh_stream};

/// Appends `iterations` batches of `batch` events to one fresh stream, each with
/// `Exact(version)` as a single writer would.
pub async fn append_batches<S: EventStore>(
    store: &S,
    iterations: u64,
    batch: u64,
) -> Result<u64, Error> {
    let stream = fresh_stream("append")?;
    let mut version = None;
    for _ in 0..iterations {
        let events = deposits(batch)?;
        let written = store
            .append(&stream, ExpectedVersion::from_current(version), events)
            .await?;
        version = Some(written.last_version);
    }
    Ok(iterations * batch)
}

/// Appends one event to each of `streams` fresh streams at once, `iterations` times.
pub async fn append_multi<S: EventStore>(
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
/// command commits exactly one).
pub async fn contended_commands<S>(store: S, writers: u64, commands: u64) -> Result<u64, Error>
where
    S: EventStore + Clone + 'static,
{
    let repository = Arc::new(Repository::<BenchAggregate, S>::new(store).with_retry(
        es_core::RetryPolicy {
            max_attempts: 1_000,
            ..Default::default()
        },
    ));
    let mut left = commands;
    while left > 0 {
        let round = left.min(CONTENTION_ROUND);
        left -= round;
        let stream = fresh_stream("contended")?;
        let tasks: Vec<_> = (0..writers)
            .map(|_| {
                let (repository, stream) = (repository.clone(), stream.clone());
                tokio::spawn(async move {
                    for _ in 0..round {
                        let deposit = es_core::doc_fixture::Command::Deposit { amount: 1 };
                        repository
                            .execute(&stream, &deposit, &())
                            .await
                            .map_err(|e| Error::Backend {
                                message: e.to_string(),
                                source: None,
                            })?;
                    }
                    Ok::<(), Error>(())
                })
            })
            .collect();
        for task in tasks {
            task.await.map_err(Error::backend)??;
        }
    }
    Ok(writers * commands)
}

/// Commands per writer before the contended workload moves to a fresh stream.
pub const CONTENTION_ROUND: u64 = 8;

/// Fills a fresh stream with `events` deposits (in batches of up to 1000) and returns its id.
pub async fn seed_stream<S: EventStore>(store: &S, events: u64) -> Result<StreamId, Error> {
    let stream = fresh_stream("seeded")?;
    let mut written = 0;
    while written < events {
        let batch = (events - written).min(1_000);
        store
            .append(&stream, ExpectedVersion::Any, deposits(batch)?)
            .await?;
        written += batch;
    }
    Ok(stream)
}

/// Reads a whole stream, oldest first.
pub async fn read_stream<S: EventStore>(store: &S, stream: &StreamId) -> Result<u64, Error> {
    Ok(store
        .read_stream(stream, ReadStream::forward())
        .await?
        .len() as u64)
}

/// Loads the aggregate through the repository (snapshot + tail when `snapshots`).
pub async fn rehydrate<S: EventStore>(
    repository: &Repository<BenchAggregate, S>,
    stream: &StreamId,
) -> Result<u64, Error> {
    let loaded = repository.load(stream).await?;
    Ok(loaded.version.map_or(0, Version::get))
}

/// Saves a snapshot of the stream's state `tail` events before its end, so that loading with
/// snapshots replays only `tail` events.
pub async fn snapshot_before_tail<S: EventStore>(
    store: &S,
    stream: &StreamId,
    tail: u64,
) -> Result<(), Error> {
    let events = store.read_stream(stream, ReadStream::forward()).await?;
    let keep = events
        .len()
        .saturating_sub(usize::try_from(tail).unwrap_or(usize::MAX));
    let mut state = BenchAggregate::default();
    for recorded in &events[..keep] {
        state.apply(&recorded.payload.to_typed()?);
    }
    let Some(last) = events[..keep].last() else {
        return Ok(());
    };
    store
        .save_snapshot(Snapshot {
            stream_id: stream.clone(),
            version: last.version,
            state: es_core::Payload::from_value(&state)?,
        })
        .await
}

/// Pages through everything from the start.
pub async fn read_all<S: EventStore>(store: &S, page: usize) -> Result<u64, Error> {
    let mut next = Position::START;
    let mut count = 0;
    loop {
        let events = store.read_all(next, page).await?;
        let Some(last) = events.last() else {
            return Ok(count);
        };
        next = last.position.next();
        count += events.len() as u64;
        if events.len() < page {
            return Ok(count);
        }
    }
}

/// Subscribes from the start and takes `events` events (all stored already: catch-up).
pub async fn catch_up<S: EventStore>(store: &S, events: u64) -> Result<u64, Error> {
    let mut subscription = store.subscribe(Position::START).await?;
    for _ in 0..events {
        match subscription.next().await {
            Some(event) => drop(event?),
            None => {
                return Err(Error::Backend {
                    message: "subscription ended before catching up".into(),
                    source: None,
                });
            }
        }
    }
    Ok(events)
}
