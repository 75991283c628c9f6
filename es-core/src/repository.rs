//! Loading aggregates from a store: a verified snapshot + the tail, or a full replay.

use std::{fmt, marker::PhantomData, sync::Arc};

use futures_util::future::BoxFuture;
use serde::{Serialize, de::DeserializeOwned};
use tracing::Instrument;

use crate::{
    Aggregate, DomainEvent, Error, EventId, EventRef, EventStore, Payload, ReadStream,
    RecordedEvent, RetryPolicy, Snapshot, SnapshotStore, StreamId, Upcasters, Version,
};

/// An aggregate's state as loaded, with where the stream is.
///
/// ```
/// // The bank account of `es_testkit::example`.
/// use es_testkit::example::Account;
/// use es_core::{Loaded, Repository, StreamId};
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let accounts = Repository::<Account, _>::new(MemoryStore::new());
/// let fresh: Loaded<Account> = accounts.load(&StreamId::new("account-1")?).await?;
/// assert_eq!(fresh.version(), None);
/// # Ok::<(), es_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Loaded<A> {
    /// The state after every event of the stream.
    pub state: A,
    /// The stream's last event (`None`: no events yet).
    pub head: Option<EventRef>,
    /// The event the snapshot loading started from was taken at, when it started from one.
    pub snapshot: Option<EventRef>,
}

impl<A> Loaded<A> {
    /// The stream's version (`None`: no events yet).
    pub fn version(&self) -> Option<Version> {
        self.head.map(|head| head.version)
    }
}

type SaveFn<S> = for<'a> fn(&'a S, Snapshot) -> BoxFuture<'a, Result<(), Error>>;
type LoadFn<S> = for<'a> fn(&'a S, &'a StreamId) -> BoxFuture<'a, Result<Option<Snapshot>, Error>>;

/// How aggregate state is turned into a snapshot and back, and how the store keeps it; set by
/// [`Repository::with_snapshots`], which is where the serde and `SnapshotStore` bounds live.
pub(crate) struct SnapshotPolicy<A, S> {
    pub(crate) every: u64,
    encode: fn(&A) -> Result<Payload, Error>,
    decode: fn(&Payload) -> Result<A, Error>,
    save: SaveFn<S>,
    load: LoadFn<S>,
}

/// Loads aggregates from an [`EventStore`] and executes commands against them.
///
/// Loading replays the stream through the [`Upcasters`]; with
/// [`with_snapshots`](Repository::with_snapshots) (only for a [`SnapshotStore`]) it starts from
/// the kept snapshot and replays only the tail, which gives the same state as a full replay. A
/// snapshot whose event is no longer in the stream (deleted, or the stream recreated) or whose
/// state no longer decodes is refused with a warning and the stream replayed in full.
/// [`execute`](Repository::execute) is the command executor.
///
/// The store may be shared: `Repository::new(Arc::new(store))` and `Repository::new(&store)`
/// work as well as an owned store.
///
/// ```
/// // The bank account of `es_testkit::example`: a balance, `Deposit` and `Withdraw`.
/// use es_testkit::example::{Account, Command};
/// use es_core::{Repository, StreamId};
/// use memory_store::MemoryStore;
/// use std::sync::Arc;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let accounts = Repository::<Account, _>::new(Arc::new(MemoryStore::new())).with_snapshots(100);
/// let id = StreamId::new("account-1")?;
/// accounts.execute(&id, &Command::Deposit { amount: 30 }, &()).await?;
/// accounts.execute(&id, &Command::Deposit { amount: 12 }, &()).await?;
///
/// let loaded = accounts.load(&id).await?;
/// assert_eq!(loaded.state.balance, 42);
/// assert_eq!(loaded.version().map(|v| v.get()), Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct Repository<A: Aggregate, S> {
    pub(crate) store: S,
    pub(crate) upcasters: Arc<Upcasters>,
    pub(crate) snapshots: Option<SnapshotPolicy<A, S>>,
    pub(crate) retry: RetryPolicy,
    pub(crate) page_size: usize,
    _aggregate: PhantomData<fn() -> A>,
}

/// What a load found besides the state: the events an earlier delivery of the same command
/// stored (see [`CommandEnvelope`](crate::CommandEnvelope)).
pub(crate) struct Found<A> {
    pub(crate) loaded: Loaded<A>,
    pub(crate) earlier: Vec<RecordedEvent>,
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

    /// The upcasters events are read through.
    pub fn upcasters(&self) -> &Upcasters {
        &self.upcasters
    }

    /// Loads the aggregate of stream `id`: a verified snapshot + the tail when possible, else a
    /// full replay. A tombstoned stream is [`Error::StreamDeleted`].
    pub async fn load(&self, id: &StreamId) -> Result<Loaded<A>, Error> {
        Ok(self.load_watching(id, None).await?.loaded)
    }

    /// [`load`](Self::load), also collecting the run of events whose ids are derived from
    /// `key` (an earlier delivery of the same command).
    pub(crate) async fn load_watching(
        &self,
        id: &StreamId,
        key: Option<uuid::Uuid>,
    ) -> Result<Found<A>, Error> {
        let span = tracing::debug_span!("load", stream = %id, aggregate = A::NAME,
            version = tracing::field::Empty, events = tracing::field::Empty,
            snapshot = tracing::field::Empty);
        async {
            let mut found = Found {
                loaded: Loaded {
                    state: A::default(),
                    head: None,
                    snapshot: None,
                },
                earlier: Vec::new(),
            };
            let mut replayed = 0usize;
            let mut from = Version::FIRST;
            if let Some((state, at)) = self.load_snapshot(id).await? {
                match self.read_tail(id, at).await? {
                    Some((tail, full)) => {
                        found.loaded = Loaded {
                            state,
                            head: Some(at),
                            snapshot: Some(at),
                        };
                        replayed += self.fold(&mut found, tail, id, key)?;
                        match found.loaded.version().and_then(Version::next) {
                            Some(next) if full => from = next,
                            _ => return Ok(self.finish(found, replayed)),
                        }
                    }
                    None => tracing::warn!(stream = %id, snapshot = %at,
                        "snapshot refused: the event it was taken at is no longer in the stream (deleted or recreated); replaying the whole stream"),
                }
            }
            loop {
                let read = ReadStream::forward().from_version(from).limit(self.page_size);
                let page = self.store.read_stream(id, read).await?;
                let full = page.len() == self.page_size;
                replayed += self.fold(&mut found, page, id, key)?;
                match found.loaded.version().and_then(Version::next) {
                    Some(next) if full => from = next,
                    _ => break,
                }
            }
            Ok(self.finish(found, replayed))
        }
        .instrument(span)
        .await
    }

    fn finish(&self, found: Found<A>, replayed: usize) -> Found<A> {
        let span = tracing::Span::current();
        span.record("version", found.loaded.version().map_or(0, Version::get));
        span.record("events", replayed);
        span.record("snapshot", found.loaded.snapshot.is_some());
        found
    }

    /// Folds `events` into the state; returns how many.
    fn fold(
        &self,
        found: &mut Found<A>,
        events: Vec<RecordedEvent>,
        id: &StreamId,
        key: Option<uuid::Uuid>,
    ) -> Result<usize, Error> {
        let count = events.len();
        for recorded in events {
            let recorded = self.upcasters.upcast(recorded)?;
            found
                .loaded
                .state
                .apply(&A::Event::from_recorded(&recorded)?);
            found.loaded.head = Some(recorded.event_ref());
            if let Some(key) = key {
                let index = u32::try_from(found.earlier.len()).unwrap_or(u32::MAX);
                if recorded.id == EventId::derived(key, id, index) {
                    found.earlier.push(recorded);
                }
            }
        }
        Ok(count)
    }

    /// The kept snapshot, decoded; `None` without snapshots, without one kept, or when its
    /// state no longer decodes (a warning says so).
    async fn load_snapshot(&self, id: &StreamId) -> Result<Option<(A, EventRef)>, Error> {
        let Some(policy) = &self.snapshots else {
            return Ok(None);
        };
        let Some(snapshot) = (policy.load)(&self.store, id).await? else {
            return Ok(None);
        };
        match (policy.decode)(&snapshot.state) {
            Ok(state) => Ok(Some((state, snapshot.at))),
            Err(error) => {
                tracing::warn!(stream = %id, %error, "snapshot refused: its state does not decode; replaying the whole stream");
                Ok(None)
            }
        }
    }

    /// The events after the snapshot's event (and whether the page was full), read from the
    /// snapshot's own version so the store shows that event is still there; `None` when it is
    /// not.
    async fn read_tail(
        &self,
        id: &StreamId,
        at: EventRef,
    ) -> Result<Option<(Vec<RecordedEvent>, bool)>, Error> {
        let read = ReadStream::forward()
            .from_version(at.version)
            .limit(self.page_size);
        let mut page = self.store.read_stream(id, read).await?;
        let full = page.len() == self.page_size;
        match page.first() {
            Some(first) if first.id == at.id && first.version == at.version => {
                page.remove(0);
                Ok(Some((page, full)))
            }
            _ => Ok(None),
        }
    }

    /// Saves a snapshot of `state` at `head` if the policy asks for one after a move from
    /// `before`. A failure is logged, not returned: the events are stored already.
    pub(crate) async fn maybe_snapshot(
        &self,
        id: &StreamId,
        state: &A,
        before: Option<Version>,
        head: EventRef,
    ) {
        let Some(policy) = &self.snapshots else {
            return;
        };
        let before = before.map_or(0, Version::get);
        if before / policy.every == head.version.get() / policy.every {
            return;
        }
        let saved = match (policy.encode)(state) {
            Ok(state) => (policy.save)(&self.store, Snapshot::new(id.clone(), head, state)).await,
            Err(error) => Err(error),
        };
        if let Err(error) = saved {
            tracing::warn!(stream = %id, %error, "could not save snapshot");
        }
    }
}

impl<A: Aggregate, S: EventStore + SnapshotStore> Repository<A, S> {
    /// Saves a snapshot whenever a command takes the stream past a multiple of `every` events,
    /// and loads from the kept snapshot (verified against the stream, see the type's docs).
    /// Only a store that keeps snapshots ([`SnapshotStore`]) takes this setting.
    #[must_use]
    pub fn with_snapshots(mut self, every: u64) -> Self
    where
        A: Serialize + DeserializeOwned,
    {
        self.snapshots = Some(SnapshotPolicy {
            every: every.max(1),
            encode: |state| {
                Payload::from_value(state).map_err(|error| match error {
                    Error::InvalidPayload { reason, .. } => {
                        Error::invalid("snapshot state", reason)
                    }
                    other => other,
                })
            },
            decode: Payload::to_typed,
            save: |store, snapshot| Box::pin(store.save_snapshot(snapshot)),
            load: |store, id| Box::pin(store.load_snapshot(id)),
        });
        self
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
