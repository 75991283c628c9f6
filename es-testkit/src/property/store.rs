//! The store leg of a property case: the same sequence through a memory store and the
//! repository, checking versions and the reloaded state.

use es_core::{
    Aggregate, DomainEvent, EventStore, ExecuteError, ExpectedVersion, Metadata, NewEvent,
    ReadStream, Repository, RetryPolicy, StreamId,
};
use memory_store::MemoryStore;
use serde::{Serialize, de::DeserializeOwned};

use super::PropertyCheck;

type StoreResult = Result<(), (Option<usize>, String)>;

impl<A> PropertyCheck<A>
where
    A: Aggregate + Clone + PartialEq + Serialize + DeserializeOwned,
    A::Event: Clone + PartialEq,
    A::Command: Clone,
{
    /// Runs the case through a store on a runtime of its own. Inside an async test the
    /// runtime lives on a scoped thread, since a runtime cannot be started inside another.
    pub(crate) fn store_case(
        &self,
        history: &[A::Event],
        commands: &[A::Command],
        expected: &A,
    ) -> StoreResult {
        let run = || match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(self.through_memory_store(history, commands, expected)),
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

    async fn through_memory_store(
        &self,
        history: &[A::Event],
        commands: &[A::Command],
        expected: &A,
    ) -> StoreResult {
        let whole = |why: String| (None, why);
        let store = MemoryStore::new();
        let stream = StreamId::new("property-case").map_err(|e| whole(e.to_string()))?;
        let repository = Repository::<A, _>::new(store.clone())
            .with_snapshots(3)
            .with_retry(RetryPolicy::NEVER);
        if !history.is_empty() {
            let batch = history
                .iter()
                .map(|event| event.to_new_event(Metadata::default()))
                .collect::<Result<Vec<NewEvent>, _>>()
                .map_err(|e| whole(format!("a history event does not serialize: {e}")))?;
            store
                .append(&stream, ExpectedVersion::NoStream, batch)
                .await
                .map_err(|e| whole(format!("appending the history failed: {e}")))?;
        }
        let services = (self.services)();
        let mut version = history.len() as u64;
        for (index, command) in commands.iter().enumerate() {
            let at = |why: String| (Some(index), format!("through the store: {why}"));
            match repository.execute(&stream, command, &services).await {
                Ok(executed) => match executed.appended {
                    Some(appended) => {
                        let count = executed.events.len() as u64;
                        if appended.first_version.get() != version + 1
                            || appended.last_version.get() != version + count
                        {
                            return Err(at(format!(
                                "versions are not monotonic and gapless: the stream was at {version}, {count} events were stored at {}..={}",
                                appended.first_version, appended.last_version
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
        let recorded = store
            .read_stream(&stream, ReadStream::forward())
            .await
            .map_err(|e| whole(e.to_string()))?;
        crate::store::gapless(&recorded)
            .map_err(|why| whole(format!("through the store: {why}")))?;
        let loaded = repository
            .load(&stream)
            .await
            .map_err(|e| whole(format!("through the store: reloading failed: {e}")))?;
        if loaded.state != *expected {
            return Err(whole(format!(
                "through the store: the state reloaded (snapshot at {:?} + tail) differs from the state in memory\n{}",
                loaded.snapshot_version.map(|v| v.get()),
                crate::report::diff(expected, &loaded.state)
                    .replace("-expected +actual", "-in memory +reloaded")
            )));
        }
        Ok(())
    }
}
