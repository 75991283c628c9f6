use std::{fmt, sync::Arc};

use es_core::{
    AppendResult, Checkpoint, CheckpointStore, Claims, Clock, EventReader, EventRef, EventWriter,
    ExpectedVersion, Page, PositionDensity, ReadAll, ReadStream, RecordedEvent, Result, Snapshot,
    SnapshotStore, StreamAppend, StreamId, StreamLifecycle, Subscribe, Subscription, SystemClock,
    provider::{self, CatchUp, CommitSignal},
};
use parking_lot::RwLock;

use crate::state::State;

/// How many events a subscription reads per page while catching up.
const SUBSCRIPTION_PAGE: usize = 1_024;

/// What the memory store promises: the portable limits per append, up to 10,000 events per
/// call, payloads up to 1 MiB, consecutive positions, filters applied in the store.
const CLAIMS: Claims = Claims::portable()
    .with_append_limits(1_000, 10_000)
    .with_max_payload_bytes(1 << 20)
    .with_positions(PositionDensity::Dense)
    .with_filter_pushdown(true);

/// The in-memory event store: every capability ([`EventReader`], [`EventWriter`],
/// [`SnapshotStore`], [`StreamLifecycle`], [`CheckpointStore`]), thread-safe, cheap to clone
/// (clones share the same events).
///
/// ```
/// use es_core::{EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, StreamId, Version};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let stream = StreamId::new("order-9")?;
/// store.append_events(&stream, ExpectedVersion::Any, [NewEvent::from_json("Placed", "{}")?]).await?;
/// assert_eq!(store.stream_version(&stream).await?, Version::new(1));
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<State>,
    /// Wakes subscriptions after every commit.
    commits: CommitSignal,
    /// Stamps `recorded_at`.
    clock: Arc<dyn Clock>,
}

impl MemoryStore {
    /// An empty store that stamps events with the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty store that stamps `recorded_at` from `clock` (a test clock makes recorded
    /// times part of what a test controls).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use es_core::{Clock, EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, StreamId};
    /// use es_testkit::TestClock;
    /// use memory_store::MemoryStore;
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let clock = TestClock::new();
    /// let store = MemoryStore::with_clock(Arc::new(clock.clone()));
    /// let s = StreamId::new("order-1")?;
    /// store.append_events(&s, ExpectedVersion::Any, [NewEvent::from_json("Placed", "{}")?]).await?;
    /// assert_eq!(store.read_whole_stream(&s).await?[0].recorded_at, clock.now());
    /// # Ok::<(), es_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: RwLock::new(State::default()),
                commits: CommitSignal::new(),
                clock,
            }),
        }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("events", &self.inner.state.read().head())
            .finish()
    }
}

impl EventReader for MemoryStore {
    fn claims(&self) -> Claims {
        CLAIMS
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        let _span =
            tracing::debug_span!("read_stream", stream = %stream, limit = read.limit).entered();
        self.inner.state.read().read_stream(stream, read)
    }

    async fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        self.inner.state.read().stream_head(stream)
    }

    async fn read_all(&self, request: ReadAll) -> Result<Page> {
        let _span = tracing::debug_span!("read_all", start = ?request.start, limit = request.limit)
            .entered();
        self.inner.state.read().read_all(&request)
    }

    async fn subscribe(&self, request: Subscribe) -> Result<Subscription> {
        CatchUp::new(self.clone(), request)
            .page_size(SUBSCRIPTION_PAGE)
            .wake_on(self.inner.commits.listen())
            .begin()
            .await
    }
}

impl EventWriter for MemoryStore {
    async fn append(&self, append: StreamAppend) -> Result<AppendResult> {
        let _span = tracing::debug_span!("append", stream = %append.stream,
            expected = %append.expected, events = append.events.len())
        .entered();
        provider::validate_batch(&append, &CLAIMS)?;
        let now = self.inner.clock.now();
        let result = self.inner.state.write().append(append, now)?;
        // After the lock is released, so a woken reader sees the commit.
        self.inner.commits.notify();
        Ok(result)
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        let _span = tracing::debug_span!("append_multi", streams = appends.len()).entered();
        provider::validate_multi(&appends, &CLAIMS)?;
        let now = self.inner.clock.now();
        let results = self.inner.state.write().append_multi(appends, now)?;
        self.inner.commits.notify();
        Ok(results)
    }
}

impl SnapshotStore for MemoryStore {
    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        self.inner.state.write().save_snapshot(snapshot);
        Ok(())
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        Ok(self.inner.state.read().load_snapshot(stream))
    }
}

impl StreamLifecycle for MemoryStore {
    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        let _span = tracing::debug_span!("delete_stream", stream = %stream, %expected).entered();
        self.inner
            .state
            .write()
            .delete_stream(stream, expected, false)
    }

    async fn tombstone_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        let _span = tracing::debug_span!("tombstone_stream", stream = %stream, %expected).entered();
        self.inner
            .state
            .write()
            .delete_stream(stream, expected, true)
    }
}

impl CheckpointStore for MemoryStore {
    async fn load_checkpoint(&self, name: &str) -> Result<Option<Checkpoint>> {
        provider::validate_checkpoint_name(name)?;
        Ok(self.inner.state.read().load_checkpoint(name))
    }

    async fn save_checkpoint(
        &self,
        name: &str,
        expected: Option<&Checkpoint>,
        checkpoint: Checkpoint,
    ) -> Result<()> {
        provider::validate_checkpoint_name(name)?;
        self.inner
            .state
            .write()
            .save_checkpoint(name, expected, checkpoint)
    }
}
