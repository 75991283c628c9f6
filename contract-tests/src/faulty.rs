//! A store wrapper that injects the faults real backends have: slow calls, lost
//! acknowledgements and failed calls.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use es_core::{
    AppendResult, Claims, Error, EventReader, EventRef, EventWriter, ExpectedVersion, Page,
    ReadAll, ReadStream, RecordedEvent, Result, Snapshot, SnapshotStore, StreamAppend, StreamId,
    StreamLifecycle, Subscribe, Subscription,
};

/// Wraps a store and injects faults into its writes, deterministically by count:
///
/// - a random delay of up to [`with_delay`](FaultyStore::with_delay) before every call;
/// - a dropped acknowledgement on every n-th write ([`drop_ack_every`](FaultyStore::drop_ack_every)):
///   the write reaches the inner store and is committed, but the caller gets
///   [`Error::Unavailable`], as when a connection dies before the commit's answer arrives;
/// - an injected failure on every n-th write ([`fail_every`](FaultyStore::fail_every)): the
///   caller gets [`Error::Unavailable`] and nothing reaches the inner store.
///
/// Writes are `append` and `append_multi`; reads, snapshots and deletions only get the delay.
/// It offers each capability the wrapped store has, and no other. Clones share the counters.
///
/// ```
/// use contract_tests::FaultyStore;
/// use es_core::{Error, EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let inner = MemoryStore::new();
/// let store = FaultyStore::new(inner.clone()).drop_ack_every(1);
/// let stream = StreamId::new("account-1")?;
/// let events = vec![NewEvent::from_json("Deposited", r#"{"amount":1}"#)?];
/// let lost = store.append_events(&stream, ExpectedVersion::NoStream, events.clone()).await;
/// assert!(matches!(lost, Err(Error::Unavailable { .. })));
/// // It was committed all the same; re-sending the same events is safe.
/// assert_eq!(inner.read_whole_stream(&stream).await?.len(), 1);
/// assert!(inner.append_events(&stream, ExpectedVersion::NoStream, events).await.is_ok());
/// assert_eq!(store.dropped_acks(), 1);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct FaultyStore<S> {
    inner: S,
    max_delay: Duration,
    drop_ack_every: u64,
    fail_every: u64,
    counters: Arc<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    writes: AtomicU64,
    dropped_acks: AtomicU64,
    injected: AtomicU64,
}

/// What to do with one write.
enum Fault {
    None,
    DropAck,
    Fail,
}

impl<S> FaultyStore<S> {
    /// Wraps `inner` with no faults yet.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            max_delay: Duration::ZERO,
            drop_ack_every: 0,
            fail_every: 0,
            counters: Arc::default(),
        }
    }

    /// Delays every call by a random time of up to `max`.
    #[must_use]
    pub fn with_delay(mut self, max: Duration) -> Self {
        self.max_delay = max;
        self
    }

    /// Commits every `n`-th write but answers [`Error::Unavailable`] (0: never).
    #[must_use]
    pub fn drop_ack_every(mut self, n: u64) -> Self {
        self.drop_ack_every = n;
        self
    }

    /// Fails every `n`-th write with [`Error::Unavailable`] before it reaches the store (0:
    /// never). A write picked by both rules fails.
    #[must_use]
    pub fn fail_every(mut self, n: u64) -> Self {
        self.fail_every = n;
        self
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// How many acknowledgements were dropped so far.
    pub fn dropped_acks(&self) -> u64 {
        self.counters.dropped_acks.load(Ordering::SeqCst)
    }

    /// How many writes were failed before reaching the store so far.
    pub fn injected_failures(&self) -> u64 {
        self.counters.injected.load(Ordering::SeqCst)
    }

    async fn delay(&self) {
        if !self.max_delay.is_zero() {
            let nanos = u64::try_from(self.max_delay.as_nanos()).unwrap_or(u64::MAX);
            tokio::time::sleep(Duration::from_nanos(fastrand::u64(0..=nanos))).await;
        }
    }

    fn next_fault(&self) -> Fault {
        let n = self.counters.writes.fetch_add(1, Ordering::SeqCst) + 1;
        if n.checked_rem(self.fail_every) == Some(0) {
            self.counters.injected.fetch_add(1, Ordering::SeqCst);
            Fault::Fail
        } else if n.checked_rem(self.drop_ack_every) == Some(0) {
            Fault::DropAck
        } else {
            Fault::None
        }
    }

    async fn write<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        self.delay().await;
        match self.next_fault() {
            Fault::None => call.await,
            Fault::Fail => Err(unavailable(
                "injected failure: the write never reached the store",
            )),
            Fault::DropAck => {
                let result = call.await;
                if result.is_ok() {
                    self.counters.dropped_acks.fetch_add(1, Ordering::SeqCst);
                    Err(unavailable(
                        "injected lost acknowledgement: the write was committed",
                    ))
                } else {
                    result
                }
            }
        }
    }
}

fn unavailable(message: &str) -> Error {
    Error::Unavailable {
        message: message.to_owned(),
        source: None,
    }
}

impl<S: EventReader> EventReader for FaultyStore<S> {
    fn claims(&self) -> Claims {
        self.inner.claims()
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        self.delay().await;
        self.inner.read_stream(stream, read).await
    }

    async fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        self.delay().await;
        self.inner.stream_head(stream).await
    }

    async fn read_all(&self, request: ReadAll) -> Result<Page> {
        self.delay().await;
        self.inner.read_all(request).await
    }

    async fn subscribe(&self, request: Subscribe) -> Result<Subscription> {
        self.inner.subscribe(request).await
    }
}

impl<S: EventWriter> EventWriter for FaultyStore<S> {
    async fn append(&self, append: StreamAppend) -> Result<AppendResult> {
        self.write(self.inner.append(append)).await
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        self.write(self.inner.append_multi(appends)).await
    }
}

impl<S: SnapshotStore> SnapshotStore for FaultyStore<S> {
    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        self.delay().await;
        self.inner.save_snapshot(snapshot).await
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        self.delay().await;
        self.inner.load_snapshot(stream).await
    }
}

impl<S: StreamLifecycle> StreamLifecycle for FaultyStore<S> {
    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        self.delay().await;
        self.inner.delete_stream(stream, expected).await
    }

    async fn tombstone_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        self.delay().await;
        self.inner.tombstone_stream(stream, expected).await
    }
}
