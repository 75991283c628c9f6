//! Loading aggregates from a store: snapshot + tail when the store keeps snapshots.

use std::{fmt, marker::PhantomData, sync::Arc};

use serde::{Serialize, de::DeserializeOwned};
use tracing::Instrument;

use crate::{
    Aggregate, DomainEvent, Error, EventStore, Payload, ReadStream, RetryPolicy, Snapshot,
    StreamId, Upcasters, Version,
};

/// An aggregate's state as loaded, with the version it is at.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded<A> {
    /// The state after every event of the stream.
    pub state: A,
    /// The stream's version (`None`: no events yet).
    pub version: Option<Version>,
    /// The snapshot's version, when loading started from one.
    pub snapshot_version: Option<Version>,
}

/// How aggregate state is turned into a snapshot and back; set by
/// [`Repository::with_snapshots`], which is where the serde bounds live.
pub(crate) struct SnapshotPolicy<A> {
    pub(crate) every: u64,
    pub(crate) encode: fn(&A) -> Result<Payload, Error>,
    pub(crate) decode: fn(&Payload) -> Result<A, Error>,
}

/// Loads aggregates from an [`EventStore`] and executes commands against them.
///
/// Loading replays the stream through the [`Upcasters`]; with
/// [`with_snapshots`](Repository::with_snapshots) on a store that keeps snapshots, it starts
/// from the latest snapshot and replays only the tail, which gives the same state as a full
/// replay. [`execute`](Repository::execute) is the command executor.
///
/// ```
/// # use es_core::doc_fixture::*;
/// use es_core::{Repository, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let accounts = Repository::<Account, _>::new(MemoryStore::new()).with_snapshots(100);
/// let id = StreamId::new("account-1")?;
/// accounts.execute(&id, &Command::Deposit { amount: 30 }, &()).await?;
/// accounts.execute(&id, &Command::Deposit { amount: 12 }, &()).await?;
///
/// let loaded = accounts.load(&id).await?;
/// assert_eq!(loaded.state.balance, 42);
/// assert_eq!(loaded.version.map(|v| v.get()), Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct Repository<A: Aggregate, S> {
    pub(crate) store: S,
    pub(crate) upcasters: Arc<Upcasters>,
    pub(crate) snapshots: Option<SnapshotPolicy<A>>,
    pub(crate) retry: RetryPolicy,
    pub(crate) page_size: usize,
    _aggregate: PhantomData<fn() -> A>,
}

impl<A: Aggregate, S: EventStore> Repository<A, S> {
    /// A repository over `store`, with no upcasters, no snapshots and the default retry policy.
    pub fn new(store: S) -> Self {
        Self {
            store,
            upcasters: Arc::new(Upcasters::new()),
            snapshots: None,
            retry: RetryPolicy::default(),
            page_size: 1_000,
            _aggregate: PhantomData,
        }
    }

    /// Applies `upcasters` to every event read.
    #[must_use]
    pub fn with_upcasters(mut self, upcasters: Upcasters) -> Self {
        self.upcasters = Arc::new(upcasters);
        self
    }

    /// Saves a snapshot whenever a command takes the stream past a multiple of `every` events,
    /// and loads from the latest snapshot. Ignored (full replay) when the store does not keep
    /// snapshots; a snapshot that no longer deserializes is skipped in favour of a full replay.
    #[must_use]
    pub fn with_snapshots(mut self, every: u64) -> Self
    where
        A: Serialize + DeserializeOwned,
    {
        self.snapshots = Some(SnapshotPolicy {
            every: every.max(1),
            encode: |state| Payload::from_value(state),
            decode: Payload::to_typed,
        });
        self
    }

    /// Sets how [`execute`](Repository::execute) retries conflicts and lost acknowledgements.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The store underneath.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Loads the aggregate of stream `id`: snapshot + tail when possible, else a full replay.
    pub async fn load(&self, id: &StreamId) -> Result<Loaded<A>, Error> {
        let span = tracing::debug_span!("load", stream = %id, aggregate = A::NAME,
            version = tracing::field::Empty, events = tracing::field::Empty);
        async {
            let mut loaded = self.load_snapshot(id).await?;
            let mut from = Version::after(loaded.version, 1);
            let mut replayed = 0usize;
            loop {
                let read = ReadStream::forward()
                    .from_version(from)
                    .limit(self.page_size);
                let page = self.store.read_stream(id, read).await?;
                let full = page.len() == self.page_size;
                for recorded in page {
                    let recorded = self.upcasters.upcast(recorded)?;
                    loaded.state.apply(&A::Event::from_recorded(&recorded)?);
                    loaded.version = Some(recorded.version);
                    from = recorded.version.next();
                    replayed += 1;
                }
                if !full {
                    break;
                }
            }
            let span = tracing::Span::current();
            span.record("version", loaded.version.map_or(0, Version::get));
            span.record("events", replayed);
            Ok(loaded)
        }
        .instrument(span)
        .await
    }

    async fn load_snapshot(&self, id: &StreamId) -> Result<Loaded<A>, Error> {
        let empty = Loaded {
            state: A::default(),
            version: None,
            snapshot_version: None,
        };
        let Some(policy) = &self.snapshots else {
            return Ok(empty);
        };
        if !self.store.capabilities().snapshots {
            return Ok(empty);
        }
        let Some(snapshot) = self.store.load_snapshot(id).await? else {
            return Ok(empty);
        };
        match (policy.decode)(&snapshot.state) {
            Ok(state) => Ok(Loaded {
                state,
                version: Some(snapshot.version),
                snapshot_version: Some(snapshot.version),
            }),
            Err(error) => {
                tracing::warn!(stream = %id, %error, "snapshot does not deserialize; replaying the whole stream");
                Ok(empty)
            }
        }
    }

    /// Saves a snapshot of `state` at `version` if the policy asks for one after a move from
    /// `before`. A failure is logged, not returned: the events are stored already.
    pub(crate) async fn maybe_snapshot(
        &self,
        id: &StreamId,
        state: &A,
        before: Option<Version>,
        version: Version,
    ) {
        let Some(policy) = &self.snapshots else {
            return;
        };
        let before = before.map_or(0, Version::get);
        if !self.store.capabilities().snapshots
            || before / policy.every == version.get() / policy.every
        {
            return;
        }
        let saved = match (policy.encode)(state) {
            Ok(state) => {
                let snapshot = Snapshot {
                    stream_id: id.clone(),
                    version,
                    state,
                };
                self.store.save_snapshot(snapshot).await
            }
            Err(error) => Err(error),
        };
        if let Err(error) = saved {
            tracing::warn!(stream = %id, %error, "could not save snapshot");
        }
    }
}

impl<A: Aggregate, S: fmt::Debug> fmt::Debug for Repository<A, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repository")
            .field("aggregate", &A::NAME)
            .field("store", &self.store)
            .field("upcasters", &self.upcasters)
            .field("snapshot_every", &self.snapshots.as_ref().map(|p| p.every))
            .field("retry", &self.retry)
            .finish()
    }
}
