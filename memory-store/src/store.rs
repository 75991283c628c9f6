use std::{fmt, sync::Arc};

use es_core::{
    AppendResult, Capabilities, EventStore, ExpectedVersion, NewEvent, Position, ReadStream,
    RecordedEvent, Result, Snapshot, StreamAppend, StreamId, Subscription, Version, validate_batch,
    validate_multi,
};
use parking_lot::RwLock;
use tokio::sync::watch;

use crate::state::State;

/// How many events a subscription reads per page while catching up.
const SUBSCRIPTION_PAGE: usize = 1_024;

/// The in-memory [`EventStore`]: every capability, thread-safe, cheap to clone (clones share
/// the same events).
///
/// ```
/// use es_core::{EventStore, ExpectedVersion, NewEvent, StreamId, Version};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let stream = StreamId::new("order-9")?;
/// store.append(&stream, ExpectedVersion::Any, vec![NewEvent::from_json("Placed", "{}")?]).await?;
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
    /// The global head position, bumped after every commit to wake subscriptions.
    head: watch::Sender<u64>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                state: RwLock::new(State::default()),
                head: watch::Sender::new(0),
            }),
        }
    }

    /// Wakes subscriptions; called after the lock is released so a woken reader sees the commit.
    fn announce(&self, head: Position) {
        self.inner.head.send_replace(head.get());
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
            .field("head", &*self.inner.head.borrow())
            .finish()
    }
}

impl EventStore for MemoryStore {
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }

    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        let _span =
            tracing::debug_span!("append", stream = %stream, %expected, events = events.len())
                .entered();
        validate_batch(stream, &events)?;
        let (result, head) = {
            let mut state = self.inner.state.write();
            let result = state.append(stream, expected, events)?;
            (result, state.head())
        };
        self.announce(head);
        Ok(result)
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        let _span = tracing::debug_span!("append_multi", streams = appends.len()).entered();
        validate_multi(&appends)?;
        let (results, head) = {
            let mut state = self.inner.state.write();
            let results = state.append_multi(appends)?;
            (results, state.head())
        };
        self.announce(head);
        Ok(results)
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        let _span =
            tracing::debug_span!("read_stream", stream = %stream, limit = read.limit).entered();
        Ok(self.inner.state.read().read_stream(stream, read))
    }

    async fn read_all(&self, from: Position, limit: usize) -> Result<Vec<RecordedEvent>> {
        let _span = tracing::debug_span!("read_all", %from, limit).entered();
        Ok(self.inner.state.read().read_all(from, limit))
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<Option<Version>> {
        Ok(self.inner.state.read().stream_version(stream))
    }

    async fn subscribe(&self, from: Position) -> Result<Subscription> {
        Ok(Subscription::catch_up(
            self.clone(),
            from,
            SUBSCRIPTION_PAGE,
            self.inner.head.subscribe(),
            None,
        ))
    }

    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        self.inner.state.write().save_snapshot(snapshot);
        Ok(())
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        Ok(self.inner.state.read().load_snapshot(stream))
    }

    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        self.inner.state.write().delete_stream(stream, expected)
    }
}
