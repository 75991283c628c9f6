//! The snapshot setting of a store scenario as a type state: once it loads through
//! snapshots, only a store that keeps them can take over.

use es_core::{Aggregate, EventStore, Repository, SnapshotStore};
use serde::{Serialize, de::DeserializeOwned};

use super::{EnableSnapshots, SnapshotsOn, StoreScenario};

impl<A, S> StoreScenario<A, S, SnapshotsOn>
where
    A: Aggregate + Serialize + DeserializeOwned,
    S: EventStore + SnapshotStore + Clone,
{
    /// Runs the scenario on `store` instead, still loading through snapshots every as many
    /// events as [`with_snapshots`](StoreScenario::with_snapshots) said, so `store` must keep
    /// snapshots:
    ///
    /// ```
    /// # use es_testkit::example::{Account, Command::*};
    /// # use es_core::SnapshotStore as _;
    /// # es_testkit::__private::block_on(async {
    /// let store = memory_store::MemoryStore::new();
    /// let then = es_testkit::StoreScenario::<Account>::new()
    ///     .with_snapshots(1)
    ///     .on_store(store.clone())
    ///     .when(Deposit { amount: 1 }).await;
    /// let kept = store.load_snapshot(then.stream()).await.unwrap();
    /// assert_eq!(kept.map(|s| s.version().get()), Some(1));
    /// # });
    /// ```
    ///
    /// A store without them does not compile here:
    ///
    /// ```compile_fail,E0277
    /// # use es_testkit::example::Account;
    /// # use es_core::EventReader as _;
    /// # #[derive(Clone)] struct ReadWrite(memory_store::MemoryStore);
    /// # impl es_core::EventReader for ReadWrite {
    /// #     fn claims(&self) -> es_core::Claims { self.0.claims() }
    /// #     async fn read_stream(&self, s: &es_core::StreamId, r: es_core::ReadStream) -> es_core::Result<Vec<es_core::RecordedEvent>> { self.0.read_stream(s, r).await }
    /// #     async fn stream_head(&self, s: &es_core::StreamId) -> es_core::Result<Option<es_core::EventRef>> { self.0.stream_head(s).await }
    /// #     async fn read_all(&self, r: es_core::ReadAll) -> es_core::Result<es_core::Page> { self.0.read_all(r).await }
    /// #     async fn subscribe(&self, r: es_core::Subscribe) -> es_core::Result<es_core::Subscription> { self.0.subscribe(r).await }
    /// # }
    /// # impl es_core::EventWriter for ReadWrite {
    /// #     async fn append(&self, a: es_core::StreamAppend) -> es_core::Result<es_core::AppendResult> { es_core::EventWriter::append(&self.0, a).await }
    /// #     async fn append_multi(&self, a: Vec<es_core::StreamAppend>) -> es_core::Result<Vec<es_core::AppendResult>> { self.0.append_multi(a).await }
    /// # }
    /// // ReadWrite(MemoryStore) forwards reads and writes, but not snapshots.
    /// let _ = es_testkit::StoreScenario::<Account>::new()
    ///     .with_snapshots(10)
    ///     .on_store(ReadWrite(memory_store::MemoryStore::new()));
    /// ```
    pub fn on_store<S2: EventStore + SnapshotStore + Clone>(
        self,
        store: S2,
    ) -> StoreScenario<A, S2, SnapshotsOn> {
        let snapshots = self
            .snapshots
            .map(|(every, _)| (every, enable_snapshots::<A, S2> as EnableSnapshots<A, S2>));
        self.move_to(|_| store, snapshots)
    }
}

/// Where the serde and `SnapshotStore` bounds of a snapshot setting are met.
pub(super) fn enable_snapshots<A, S>(repository: Repository<A, S>, every: u64) -> Repository<A, S>
where
    A: Aggregate + Serialize + DeserializeOwned,
    S: EventStore + SnapshotStore,
{
    repository.with_snapshots(every)
}
