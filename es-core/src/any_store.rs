//! A store chosen at run time: one type for every provider, with the optional capabilities it
//! was built with.

use std::{fmt, sync::Arc};

use futures_util::future::BoxFuture;

use crate::{
    AppendResult, Checkpoint, CheckpointStore, Claims, Error, EventReader, EventRef, EventStore,
    EventWriter, ExpectedVersion, Page, ReadAll, ReadStream, RecordedEvent, Result, Snapshot,
    SnapshotStore, StreamAppend, StreamId, StreamLifecycle, Subscribe, Subscription,
};

/// The object-safe mirror of [`EventStore`], with boxed futures.
trait DynEvents: Send + Sync {
    fn claims(&self) -> Claims;
    fn read_stream<'a>(
        &'a self,
        stream: &'a StreamId,
        read: ReadStream,
    ) -> BoxFuture<'a, Result<Vec<RecordedEvent>>>;
    fn stream_head<'a>(&'a self, stream: &'a StreamId) -> BoxFuture<'a, Result<Option<EventRef>>>;
    fn read_all(&self, request: ReadAll) -> BoxFuture<'_, Result<Page>>;
    fn subscribe(&self, request: Subscribe) -> BoxFuture<'_, Result<Subscription>>;
    fn append(&self, append: StreamAppend) -> BoxFuture<'_, Result<AppendResult>>;
    fn append_multi(&self, appends: Vec<StreamAppend>) -> BoxFuture<'_, Result<Vec<AppendResult>>>;
}

impl<S: EventStore> DynEvents for S {
    fn claims(&self) -> Claims {
        EventReader::claims(self)
    }
    fn read_stream<'a>(
        &'a self,
        stream: &'a StreamId,
        read: ReadStream,
    ) -> BoxFuture<'a, Result<Vec<RecordedEvent>>> {
        Box::pin(EventReader::read_stream(self, stream, read))
    }
    fn stream_head<'a>(&'a self, stream: &'a StreamId) -> BoxFuture<'a, Result<Option<EventRef>>> {
        Box::pin(EventReader::stream_head(self, stream))
    }
    fn read_all(&self, request: ReadAll) -> BoxFuture<'_, Result<Page>> {
        Box::pin(EventReader::read_all(self, request))
    }
    fn subscribe(&self, request: Subscribe) -> BoxFuture<'_, Result<Subscription>> {
        Box::pin(EventReader::subscribe(self, request))
    }
    fn append(&self, append: StreamAppend) -> BoxFuture<'_, Result<AppendResult>> {
        Box::pin(EventWriter::append(self, append))
    }
    fn append_multi(&self, appends: Vec<StreamAppend>) -> BoxFuture<'_, Result<Vec<AppendResult>>> {
        Box::pin(EventWriter::append_multi(self, appends))
    }
}

trait DynSnapshots: Send + Sync {
    fn save(&self, snapshot: Snapshot) -> BoxFuture<'_, Result<()>>;
    fn load<'a>(&'a self, stream: &'a StreamId) -> BoxFuture<'a, Result<Option<Snapshot>>>;
}

impl<S: SnapshotStore> DynSnapshots for S {
    fn save(&self, snapshot: Snapshot) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.save_snapshot(snapshot))
    }
    fn load<'a>(&'a self, stream: &'a StreamId) -> BoxFuture<'a, Result<Option<Snapshot>>> {
        Box::pin(self.load_snapshot(stream))
    }
}

trait DynLifecycle: Send + Sync {
    fn delete<'a>(
        &'a self,
        stream: &'a StreamId,
        expected: ExpectedVersion,
    ) -> BoxFuture<'a, Result<()>>;
    fn tombstone<'a>(
        &'a self,
        stream: &'a StreamId,
        expected: ExpectedVersion,
    ) -> BoxFuture<'a, Result<()>>;
}

impl<S: StreamLifecycle> DynLifecycle for S {
    fn delete<'a>(
        &'a self,
        stream: &'a StreamId,
        expected: ExpectedVersion,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.delete_stream(stream, expected))
    }
    fn tombstone<'a>(
        &'a self,
        stream: &'a StreamId,
        expected: ExpectedVersion,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.tombstone_stream(stream, expected))
    }
}

trait DynCheckpoints: Send + Sync {
    fn load<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<Checkpoint>>>;
    fn save<'a>(
        &'a self,
        name: &'a str,
        expected: Option<&'a Checkpoint>,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'a, Result<()>>;
}

impl<S: CheckpointStore> DynCheckpoints for S {
    fn load<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<Checkpoint>>> {
        Box::pin(self.load_checkpoint(name))
    }
    fn save<'a>(
        &'a self,
        name: &'a str,
        expected: Option<&'a Checkpoint>,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.save_checkpoint(name, expected, checkpoint))
    }
}

/// An event store chosen at run time: every provider behind one type, so a program can pick
/// memory or PostgreSQL from its configuration and hand the result to a [`Repository`](crate::Repository).
///
/// It is always an [`EventStore`]. The optional capabilities are what it was built with
/// ([`with_snapshots`](Self::with_snapshots), [`with_lifecycle`](Self::with_lifecycle),
/// [`with_checkpoints`](Self::with_checkpoints), or all at once with [`full`](Self::full)); a
/// capability it was not given answers [`Error::Unsupported`], loudly, never a silent fallback.
/// Cloning is cheap (a reference count); every call costs one boxed future.
///
/// ```
/// // The bank account of `es_testkit::example`: a balance, `Deposit` and `Withdraw`.
/// use es_testkit::example::{Account, Command};
/// use es_core::{AnyStore, EventReaderExt, Repository, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let configured = "memory";
/// let store = match configured {
///     "memory" => AnyStore::full(MemoryStore::new()),
///     other => panic!("no provider named {other}"),
/// };
/// let accounts = Repository::<Account, _>::new(store.clone()).with_snapshots(10);
/// let id = StreamId::new("account-1")?;
/// accounts.execute(&id, &Command::Deposit { amount: 5 }, &()).await?;
/// assert_eq!(store.stream_version(&id).await?.map(|v| v.get()), Some(1));
/// assert!(store.has_snapshots());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct AnyStore {
    events: Arc<dyn DynEvents>,
    snapshots: Option<Arc<dyn DynSnapshots>>,
    lifecycle: Option<Arc<dyn DynLifecycle>>,
    checkpoints: Option<Arc<dyn DynCheckpoints>>,
    name: &'static str,
}

impl AnyStore {
    /// `store` with no optional capability.
    pub fn new<S: EventStore + 'static>(store: S) -> Self {
        Self {
            events: Arc::new(store),
            snapshots: None,
            lifecycle: None,
            checkpoints: None,
            name: std::any::type_name::<S>(),
        }
    }

    /// `store` with every optional capability.
    pub fn full<S>(store: S) -> Self
    where
        S: EventStore + SnapshotStore + StreamLifecycle + CheckpointStore + Clone + 'static,
    {
        Self::new(store.clone())
            .with_snapshots(store.clone())
            .with_lifecycle(store.clone())
            .with_checkpoints(store)
    }

    /// Keeps snapshots in `store` (usually a clone of the event store's handle).
    #[must_use]
    pub fn with_snapshots<S: SnapshotStore + 'static>(mut self, store: S) -> Self {
        self.snapshots = Some(Arc::new(store));
        self
    }

    /// Deletes streams through `store`.
    #[must_use]
    pub fn with_lifecycle<S: StreamLifecycle + 'static>(mut self, store: S) -> Self {
        self.lifecycle = Some(Arc::new(store));
        self
    }

    /// Keeps checkpoints in `store`.
    #[must_use]
    pub fn with_checkpoints<S: CheckpointStore + 'static>(mut self, store: S) -> Self {
        self.checkpoints = Some(Arc::new(store));
        self
    }

    /// Whether it keeps snapshots.
    pub fn has_snapshots(&self) -> bool {
        self.snapshots.is_some()
    }

    /// Whether it deletes streams.
    pub fn has_lifecycle(&self) -> bool {
        self.lifecycle.is_some()
    }

    /// Whether it keeps checkpoints.
    pub fn has_checkpoints(&self) -> bool {
        self.checkpoints.is_some()
    }
}

impl fmt::Debug for AnyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyStore")
            .field("store", &self.name)
            .field("snapshots", &self.has_snapshots())
            .field("lifecycle", &self.has_lifecycle())
            .field("checkpoints", &self.has_checkpoints())
            .finish()
    }
}

fn unsupported(capability: &'static str) -> Error {
    Error::Unsupported { capability }
}

impl EventReader for AnyStore {
    fn claims(&self) -> Claims {
        self.events.claims()
    }
    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        self.events.read_stream(stream, read).await
    }
    async fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        self.events.stream_head(stream).await
    }
    async fn read_all(&self, request: ReadAll) -> Result<Page> {
        self.events.read_all(request).await
    }
    async fn subscribe(&self, request: Subscribe) -> Result<Subscription> {
        self.events.subscribe(request).await
    }
}

impl EventWriter for AnyStore {
    async fn append(&self, append: StreamAppend) -> Result<AppendResult> {
        self.events.append(append).await
    }
    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        self.events.append_multi(appends).await
    }
}

impl SnapshotStore for AnyStore {
    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        match &self.snapshots {
            Some(store) => store.save(snapshot).await,
            None => Err(unsupported("snapshots")),
        }
    }
    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        match &self.snapshots {
            Some(store) => store.load(stream).await,
            None => Err(unsupported("snapshots")),
        }
    }
}

impl StreamLifecycle for AnyStore {
    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        match &self.lifecycle {
            Some(store) => store.delete(stream, expected).await,
            None => Err(unsupported("stream deletion")),
        }
    }
    async fn tombstone_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        match &self.lifecycle {
            Some(store) => store.tombstone(stream, expected).await,
            None => Err(unsupported("stream deletion")),
        }
    }
}

impl CheckpointStore for AnyStore {
    async fn load_checkpoint(&self, name: &str) -> Result<Option<Checkpoint>> {
        match &self.checkpoints {
            Some(store) => store.load(name).await,
            None => Err(unsupported("checkpoints")),
        }
    }
    async fn save_checkpoint(
        &self,
        name: &str,
        expected: Option<&Checkpoint>,
        checkpoint: Checkpoint,
    ) -> Result<()> {
        match &self.checkpoints {
            Some(store) => store.save(name, expected, checkpoint).await,
            None => Err(unsupported("checkpoints")),
        }
    }
}
