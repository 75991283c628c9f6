//! The provider: `PgStore` and its `EventStore` implementation.

use std::{fmt, str::FromStr, sync::Arc, time::Duration};

use es_core::{
    AppendResult, Checkpoint, CheckpointStore, Claims, EventReader, EventRef, EventWriter,
    ExpectedVersion, Page, ReadAll, ReadStream, RecordedEvent, Result, Snapshot, SnapshotStore,
    StreamAppend, StreamId, StreamLifecycle, Subscribe, Subscription,
    provider::{self, CatchUp, CommitSignal},
};
use parking_lot::Mutex;
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::{PgStoreConfig, PgStoreError, error::invariant, lifecycle, listen, read, snapshots};

/// How many events a subscription reads per page while catching up.
const SUBSCRIPTION_PAGE: usize = 1_000;

/// What the PostgreSQL store promises: the portable limits per append, up to 10,000 events per
/// call, payloads up to 1 MiB, read-your-writes through the same database, positions with gaps
/// (they come from transaction ids), filters done in SQL.
pub(crate) const CLAIMS: Claims = Claims::portable()
    .with_append_limits(1_000, 10_000)
    .with_max_payload_bytes(1 << 20)
    .with_filter_pushdown(true);

/// The PostgreSQL event store: every capability ([`EventReader`], [`EventWriter`],
/// [`SnapshotStore`], [`StreamLifecycle`], [`CheckpointStore`]), cheap to clone (clones share one
/// pool).
///
/// Appends are one statement and one round trip each, whatever the batch size, and appends
/// that arrive together from concurrent callers share one (see
/// [`PgStoreConfig::append_slots`]); reads of the global order never skip an event committed out of order; subscriptions wake on
/// `LISTEN/NOTIFY` and poll as a fallback.
///
/// ```no_run
/// use es_core::{EventWriterExt, ExpectedVersion, NewEvent, StreamId};
/// use postgres_store::{PgStore, PgStoreConfig};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let store = PgStore::connect(PgStoreConfig::new("postgres://postgres@localhost/app")).await?;
/// store.migrate().await?;
/// let stream = StreamId::new("order-9")?;
/// store.append_events(&stream, ExpectedVersion::NoStream,
///     [NewEvent::from_json("Placed", "{}")?]).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    schema: String,
    /// NOTIFY channel of this schema's commits.
    channel: String,
    /// Signalled on every notification (and on local appends) to wake subscriptions.
    commits: CommitSignal,
    listener: Mutex<Option<JoinHandle<()>>>,
    /// Notifies other processes after commits (appends no longer notify inside).
    notifier: crate::notify::Notifier,
    /// The write slots; appends that find them busy are coalesced.
    writer: Arc<crate::coalesce::Coalescer>,
    poll_interval: Duration,
    settle_timeout: Duration,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = self.listener.get_mut().take() {
            task.abort();
        }
    }
}

impl PgStore {
    /// Connects to the database `config` names (one connection is opened to check it).
    ///
    /// Fails with [`PgStoreError::InvalidSchema`], [`PgStoreError::InvalidUrl`] or
    /// [`PgStoreError::Connect`]. The tables must exist: see [`migrate`](Self::migrate).
    pub async fn connect(config: PgStoreConfig) -> Result<Self, PgStoreError> {
        let schema = config.validated_schema()?.to_owned();
        let options = PgConnectOptions::from_str(&config.url)
            .map_err(PgStoreError::InvalidUrl)?
            .options([("search_path", schema.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(config.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(PgStoreError::Connect)?;
        check_positions(&pool).await?;
        let channel = crate::notify::channel_for(&schema);
        Ok(Self {
            inner: Arc::new(Inner {
                notifier: crate::notify::Notifier::new(pool.clone(), channel.clone()),
                writer: crate::coalesce::Coalescer::new(pool.clone(), config.append_slots),
                channel,
                pool,
                schema,
                commits: CommitSignal::new(),
                listener: Mutex::new(None),
                poll_interval: config.poll_interval,
                settle_timeout: config.settle_timeout,
            }),
        })
    }

    /// Creates the schema and its tables, or brings them up to date; safe to run on every
    /// start and from several processes at once (the migrator takes a lock).
    pub async fn migrate(&self) -> Result<(), PgStoreError> {
        let mut migrator = sqlx::migrate!("./migrations");
        // The schema name was validated as a plain identifier in `connect`. The bookkeeping
        // table lands in it too, through the connection's search_path.
        migrator.create_schema(self.inner.schema.clone());
        migrator
            .run(&self.inner.pool)
            .await
            .map_err(PgStoreError::Migrate)
    }

    /// The connection pool, e.g. for a benchmark that measures raw inserts on the same
    /// database. Its connections have `search_path` set to [`schema`](Self::schema).
    pub fn pool(&self) -> &PgPool {
        &self.inner.pool
    }

    /// How many appends wait right now for one of the store's write slots (see
    /// [`PgStoreConfig::append_slots`]); they will be written together, in one statement.
    /// Zero whenever fewer appends run at once than there are slots.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), postgres_store::harness::HarnessError> {
    /// let store = postgres_store::harness::fresh_store().await?;
    /// assert_eq!(store.waiting_appends(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn waiting_appends(&self) -> usize {
        self.inner.writer.waiting()
    }

    /// The schema holding the tables.
    pub fn schema(&self) -> &str {
        &self.inner.schema
    }

    /// Closes the pool; later operations fail with `Error::Unavailable`.
    pub async fn close(&self) {
        self.inner.pool.close().await;
    }

    fn ensure_listener(&self) {
        let mut task = self.inner.listener.lock();
        if task.as_ref().is_none_or(JoinHandle::is_finished) {
            *task = Some(tokio::spawn(listen::run(
                self.inner.pool.clone(),
                self.inner.channel.clone(),
                self.inner.commits.clone(),
            )));
        }
    }
}

/// Refuses a store whose positions are ahead of the cluster's transaction ids (see
/// [`PgStoreError::PositionsAhead`]); a schema not migrated yet has nothing to check.
async fn check_positions(pool: &PgPool) -> Result<(), PgStoreError> {
    let migrated: bool = sqlx::query_scalar(crate::sql::HAS_EVENTS)
        .fetch_one(pool)
        .await?;
    if !migrated {
        return Ok(());
    }
    let (stored, next): (Option<i64>, i64) = sqlx::query_as(crate::sql::POSITIONS_AHEAD)
        .fetch_one(pool)
        .await?;
    match stored {
        Some(stored) if stored >= next => Err(PgStoreError::PositionsAhead { stored, next }),
        _ => Ok(()),
    }
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("schema", &self.inner.schema)
            .field("pool_size", &self.inner.pool.size())
            .finish_non_exhaustive()
    }
}

impl EventReader for PgStore {
    fn claims(&self) -> Claims {
        CLAIMS
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        read::read_stream(&self.inner.pool, stream, read).await
    }

    async fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        read::stream_head(&self.inner.pool, stream).await
    }

    async fn read_all(&self, request: ReadAll) -> Result<Page> {
        read::read_all(&self.inner.pool, request, self.inner.settle_timeout).await
    }

    async fn subscribe(&self, request: Subscribe) -> Result<Subscription> {
        let span = tracing::debug_span!("subscribe", start = ?request.start);
        let wake = self.inner.commits.listen();
        self.ensure_listener();
        CatchUp::new(self.clone(), request)
            .page_size(SUBSCRIPTION_PAGE)
            .wake_on(wake)
            .poll_every(self.inner.poll_interval)
            .begin()
            .instrument(span)
            .await
    }
}

/// Wakes this store's subscriptions, and other processes' through the notifier, when an
/// append ends in any way: stored, failed, or dropped by its caller after the statement was
/// sent. The server may have committed in each case (a reply lost, a future cancelled), and an
/// announcement of nothing costs a listener one read, so every end is announced.
struct Announce<'a>(&'a PgStore);

impl Drop for Announce<'_> {
    fn drop(&mut self) {
        self.0.inner.commits.notify();
        self.0.inner.notifier.poke();
    }
}

impl EventWriter for PgStore {
    async fn append(&self, append: StreamAppend) -> Result<AppendResult> {
        let span = tracing::debug_span!("append", stream = %append.stream,
            expected = %append.expected, events = append.events.len());
        async {
            provider::validate_batch(&append, &CLAIMS)?;
            let _announce = Announce(self);
            let result = self
                .inner
                .writer
                .append(vec![append])
                .await?
                .pop()
                .ok_or_else(|| invariant("an append returned no result"))?;
            Ok(result)
        }
        .instrument(span)
        .await
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        let span = tracing::debug_span!("append_multi", streams = appends.len());
        async {
            provider::validate_multi(&appends, &CLAIMS)?;
            let _announce = Announce(self);
            let results = self.inner.writer.append(appends).await?;
            Ok(results)
        }
        .instrument(span)
        .await
    }
}

impl SnapshotStore for PgStore {
    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        let span = tracing::debug_span!("save_snapshot", stream = %snapshot.stream_id, version = %snapshot.at.version);
        snapshots::save_snapshot(&self.inner.pool, &snapshot)
            .instrument(span)
            .await
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        let span = tracing::debug_span!("load_snapshot", stream = %stream);
        snapshots::load_snapshot(&self.inner.pool, stream)
            .instrument(span)
            .await
    }
}

impl StreamLifecycle for PgStore {
    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        let span = tracing::debug_span!("delete_stream", stream = %stream, %expected);
        lifecycle::delete(&self.inner.pool, stream, expected, false)
            .instrument(span)
            .await
    }

    async fn tombstone_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        let span = tracing::debug_span!("tombstone_stream", stream = %stream, %expected);
        lifecycle::delete(&self.inner.pool, stream, expected, true)
            .instrument(span)
            .await
    }
}

impl CheckpointStore for PgStore {
    async fn load_checkpoint(&self, name: &str) -> Result<Option<Checkpoint>> {
        snapshots::load_checkpoint(&self.inner.pool, name).await
    }

    async fn save_checkpoint(
        &self,
        name: &str,
        expected: Option<&Checkpoint>,
        checkpoint: Checkpoint,
    ) -> Result<()> {
        snapshots::save_checkpoint(&self.inner.pool, name, expected, &checkpoint).await
    }
}
