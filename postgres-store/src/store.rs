//! The provider: `PgStore` and its `EventStore` implementation.

use std::{fmt, str::FromStr, sync::Arc, time::Duration};

use es_core::{
    AppendResult, Capabilities, Error, EventStore, ExpectedVersion, NewEvent, Payload, Position,
    ReadStream, RecordedEvent, Result, Snapshot, StreamAppend, StreamId, Subscription, Version,
    validate_batch, validate_multi,
};
use parking_lot::Mutex;
use sqlx::{
    PgPool, Row,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use tokio::{sync::watch, task::JoinHandle};
use tracing::Instrument;

use crate::{
    PgStoreConfig, PgStoreError, append,
    error::{invariant, store_error},
    listen, read, sql,
};

/// How many events a subscription reads per page while catching up.
const SUBSCRIPTION_PAGE: usize = 1_000;

/// The PostgreSQL [`EventStore`]: every capability (snapshots, subscriptions, stream deletion),
/// cheap to clone (clones share one pool).
///
/// Appends are one statement and one round trip each, whatever the batch size; reads of the
/// global order never skip an event committed out of order; subscriptions wake on
/// `LISTEN/NOTIFY` and poll as a fallback.
///
/// ```no_run
/// use es_core::{EventStore, ExpectedVersion, NewEvent, StreamId};
/// use postgres_store::{PgStore, PgStoreConfig};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let store = PgStore::connect(PgStoreConfig::new("postgres://postgres@localhost/app")).await?;
/// store.migrate().await?;
/// let stream = StreamId::new("order-9")?;
/// store.append(&stream, ExpectedVersion::NoStream,
///     vec![NewEvent::from_json("Placed", "{}")?]).await?;
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
    /// NOTIFY channel of this schema's appends.
    target: append::Target,
    /// Bumped on every notification (and on local appends) to wake subscriptions.
    wake: watch::Sender<u64>,
    listener: Mutex<Option<JoinHandle<()>>>,
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
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                target: append::Target::for_schema(&schema),
                schema,
                wake: watch::Sender::new(0),
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
                self.inner.target.channel.clone(),
                self.inner.wake.clone(),
            )));
        }
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

impl EventStore for PgStore {
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }

    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult> {
        let span =
            tracing::debug_span!("append", stream = %stream, %expected, events = events.len());
        async {
            validate_batch(stream, &events)?;
            let appends = [StreamAppend {
                stream: stream.clone(),
                expected,
                events,
            }];
            let result = append::append(&self.inner.pool, &self.inner.target, &appends)
                .await?
                .pop()
                .ok_or_else(|| invariant("an append returned no result"))?;
            listen::bump(&self.inner.wake);
            Ok(result)
        }
        .instrument(span)
        .await
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        let span = tracing::debug_span!("append_multi", streams = appends.len());
        async {
            validate_multi(&appends)?;
            let results = append::append(&self.inner.pool, &self.inner.target, &appends).await?;
            listen::bump(&self.inner.wake);
            Ok(results)
        }
        .instrument(span)
        .await
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        let span = tracing::debug_span!("read_stream", stream = %stream, limit = read.limit);
        read::read_stream(&self.inner.pool, stream, read)
            .instrument(span)
            .await
    }

    async fn read_all(&self, from: Position, limit: usize) -> Result<Vec<RecordedEvent>> {
        let span = tracing::debug_span!("read_all", %from, limit);
        read::read_all(&self.inner.pool, from, limit, self.inner.settle_timeout)
            .instrument(span)
            .await
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<Option<Version>> {
        let span = tracing::debug_span!("stream_version", stream = %stream);
        async {
            let head: Option<i64> = sqlx::query_scalar(sql::STREAM_VERSION)
                .bind(stream.as_str())
                .fetch_one(&self.inner.pool)
                .await
                .map_err(store_error)?;
            Ok(head.and_then(|v| Version::new(v.unsigned_abs())))
        }
        .instrument(span)
        .await
    }

    async fn subscribe(&self, from: Position) -> Result<Subscription> {
        let _span = tracing::debug_span!("subscribe", %from).entered();
        let wake = self.inner.wake.subscribe();
        self.ensure_listener();
        Ok(Subscription::catch_up(
            self.clone(),
            from,
            SUBSCRIPTION_PAGE,
            wake,
            Some(self.inner.poll_interval),
        ))
    }

    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        let span = tracing::debug_span!("save_snapshot", stream = %snapshot.stream_id, version = %snapshot.version);
        async {
            sqlx::query(sql::SAVE_SNAPSHOT)
                .bind(snapshot.stream_id.as_str())
                .bind(append::to_i64(snapshot.version.get()))
                .bind(snapshot.state.as_str())
                .execute(&self.inner.pool)
                .await
                .map_err(store_error)?;
            Ok(())
        }
        .instrument(span)
        .await
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        let span = tracing::debug_span!("load_snapshot", stream = %stream);
        async {
            let row = sqlx::query(sql::LOAD_SNAPSHOT)
                .bind(stream.as_str())
                .fetch_optional(&self.inner.pool)
                .await
                .map_err(store_error)?;
            let Some(row) = row else { return Ok(None) };
            let version: i64 = row.try_get("version").map_err(store_error)?;
            let state: String = row.try_get("state").map_err(store_error)?;
            Ok(Some(Snapshot {
                stream_id: stream.clone(),
                version: Version::new(version.unsigned_abs())
                    .ok_or_else(|| invariant("a snapshot version is 0"))?,
                state: Payload::from_json(state)?,
            }))
        }
        .instrument(span)
        .await
    }

    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        let span = tracing::debug_span!("delete_stream", stream = %stream, %expected);
        async {
            let (kind, exact) = append::kind(expected);
            let row = sqlx::query(sql::DELETE_STREAM)
                .bind(stream.as_str())
                .bind(kind)
                .bind(exact)
                .fetch_one(&self.inner.pool)
                .await
                .map_err(store_error)?;
            let head: Option<i64> = row.try_get("head").map_err(store_error)?;
            let actual = head.and_then(|v| Version::new(v.unsigned_abs()));
            if expected.accepts(actual) {
                Ok(())
            } else {
                Err(Error::Conflict {
                    stream: stream.clone(),
                    expected,
                    actual,
                })
            }
        }
        .instrument(span)
        .await
    }
}
