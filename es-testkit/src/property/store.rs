//! The store leg of a property case: the same sequence through a fresh store from a
//! [`StoreFactory`] and the repository, checking versions, what a reader sees and the reloaded
//! state.

use std::{
    future::Future,
    time::{Duration, Instant},
};

use es_core::{
    Aggregate, DomainEvent, EventReader, EventReaderExt, EventStore, EventWriterExt, ExecuteError,
    ExpectedVersion, Metadata, NewEvent, ReadConsistency, ReadStream, RecordedEvent, Repository,
    RetryPolicy, SnapshotStore, StreamId, testing::StoreFactory,
};
use serde::{Serialize, de::DeserializeOwned};

use super::PropertyStep;
use crate::TestClock;

/// A failure of the store leg: the index of the command after which it failed (`None`: the
/// history or the end), and why.
pub(crate) type StoreResult = Result<(), (Option<usize>, String)>;

/// One case for the store leg.
pub(crate) struct StoreCase<'a, A: Aggregate> {
    pub(crate) history: &'a [A::Event],
    pub(crate) steps: &'a [PropertyStep<A::Command>],
    /// The state the case ended in, in memory.
    pub(crate) expected: &'a A,
    /// Fresh services for the leg, and the clock they read (moved by the time steps).
    pub(crate) services: &'a A::Services,
    pub(crate) clock: Option<&'a TestClock>,
}

/// The store leg with the factory's types erased, so [`PropertyCheck`](super::PropertyCheck)
/// needs no type parameter for it.
pub(crate) type StoreLeg<A> = Box<dyn Fn(StoreCase<'_, A>) -> StoreResult + Send + Sync>;

/// Snapshots are taken this often, so that sequences of a few commands already load through
/// one.
const SNAPSHOT_EVERY: u64 = 3;

/// The store leg on stores from `factory`: each case gets a fresh store, on a runtime of its
/// own.
pub(crate) fn store_leg<A, F>(factory: F) -> StoreLeg<A>
where
    A: Aggregate + PartialEq + Serialize + DeserializeOwned,
    F: StoreFactory,
    F::Store: SnapshotStore,
{
    Box::new(move |case: StoreCase<'_, A>| {
        on_own_runtime(|| async {
            let fresh = factory.create().await.map_err(|error| {
                (
                    None,
                    format!("through the store: the store factory failed: {error}"),
                )
            })?;
            through_store(&fresh.store, &fresh.reader, case).await
        })
    })
}

/// Runs `run`'s future on a current-thread runtime of its own. Inside an async test that
/// runtime lives on a scoped thread, since a runtime cannot be started inside another.
fn on_own_runtime<Fut>(run: impl FnOnce() -> Fut + Send) -> StoreResult
where
    Fut: Future<Output = StoreResult>,
{
    let run = || match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => Err((
            None,
            format!("could not start a runtime for the store check: {error}"),
        )),
    };
    if tokio::runtime::Handle::try_current().is_err() {
        return run();
    }
    std::thread::scope(|scope| {
        scope
            .spawn(run)
            .join()
            .unwrap_or_else(|_| Err((None, "the store check panicked".to_owned())))
    })
}

async fn through_store<A, S, R>(store: &S, reader: &R, case: StoreCase<'_, A>) -> StoreResult
where
    A: Aggregate + PartialEq + Serialize + DeserializeOwned,
    S: EventStore + SnapshotStore + Clone,
    R: EventReader,
{
    let whole = |why: String| (None, format!("through the store: {why}"));
    let stream = StreamId::new("property-case").map_err(|e| whole(e.to_string()))?;
    let repository = Repository::<A, _>::new(store.clone())
        .with_snapshots(SNAPSHOT_EVERY)
        .with_retry(RetryPolicy::NEVER);
    if !case.history.is_empty() {
        let batch = case
            .history
            .iter()
            .map(|event| event.to_new_event(Metadata::default()))
            .collect::<Result<Vec<NewEvent>, _>>()
            .map_err(|e| whole(format!("a history event does not serialize: {e}")))?;
        store
            .append_events(&stream, ExpectedVersion::NoStream, batch)
            .await
            .map_err(|e| whole(format!("appending the history failed: {e}")))?;
    }
    let mut version = case.history.len() as u64;
    for (index, step) in case.steps.iter().enumerate() {
        let at = |why: String| (Some(index), format!("through the store: {why}"));
        let command = match step {
            PropertyStep::Command(command) => command,
            PropertyStep::TimePasses(by) => {
                match case.clock {
                    Some(clock) => clock.advance(*by),
                    None => return Err(at("a time step needs a clock to move".to_owned())),
                }
                continue;
            }
        };
        match repository.execute(&stream, command, case.services).await {
            Ok(executed) => match executed.appended {
                Some(appended) => {
                    let count = executed.events.len() as u64;
                    let (first, last) = (appended.first.version, appended.last.version);
                    if first.get() != version + 1 || last.get() != version + count {
                        return Err(at(format!(
                            "versions are not monotonic and gapless: the stream was at {version}, {count} events were stored at {first}..={last}"
                        )));
                    }
                    version += count;
                }
                None if executed.events.is_empty() => {}
                None => return Err(at("events were emitted but not stored".to_owned())),
            },
            Err(ExecuteError::Rejected(_)) => {}
            Err(other) => return Err(at(format!("the store failed: {other}"))),
        }
        let now = store
            .stream_version(&stream)
            .await
            .map_err(|e| at(e.to_string()))?
            .map_or(0, |v| v.get());
        if now != version {
            return Err(at(format!(
                "the stream is at version {now}, expected {version}"
            )));
        }
    }
    let recorded = read_settled(reader, &stream, version)
        .await
        .map_err(|e| whole(format!("the reader failed: {e}")))?;
    crate::store::gapless(&recorded).map_err(|why| whole(format!("the reader sees: {why}")))?;
    if recorded.len() as u64 != version {
        return Err(whole(format!(
            "the reader sees {} of stream {stream}, the writer stored {}",
            crate::report::count(recorded.len()),
            crate::report::count(usize::try_from(version).unwrap_or(usize::MAX))
        )));
    }
    let loaded = repository
        .load(&stream)
        .await
        .map_err(|e| whole(format!("reloading failed: {e}")))?;
    if loaded.state != *case.expected {
        return Err(whole(format!(
            "the state reloaded (snapshot at {:?} + tail) differs from the state in memory\n{}",
            loaded.snapshot.map(|at| at.version.get()),
            crate::report::diff(case.expected, &loaded.state)
                .replace("-expected +actual", "-in memory +reloaded")
        )));
    }
    Ok(())
}

/// The stream as `reader` sees it once it shows `version` events, waiting for at most as long
/// as the reader's claims allow a write to take to become visible.
async fn read_settled<R: EventReader>(
    reader: &R,
    stream: &StreamId,
    version: u64,
) -> es_core::Result<Vec<RecordedEvent>> {
    let patience = match reader.claims().consistency {
        ReadConsistency::Eventual { within } => within,
        _ => Duration::ZERO,
    };
    let started = Instant::now();
    loop {
        let recorded = reader.read_stream(stream, ReadStream::forward()).await?;
        let seen = recorded.last().map_or(0, |event| event.version.get());
        if seen >= version || started.elapsed() >= patience {
            return Ok(recorded);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
