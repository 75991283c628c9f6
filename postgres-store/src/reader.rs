//! A read-only handle: for a hot standby, or any connection that must not write.

use std::{fmt, str::FromStr, sync::Arc, time::Duration};

use es_core::{
    Claims, EventReader, EventRef, Page, ReadAll, ReadConsistency, ReadStream, RecordedEvent,
    Result, StreamId, Subscribe, Subscription, provider::CatchUp,
};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use tracing::Instrument;

use crate::{PgStoreConfig, PgStoreError, read, store::CLAIMS};

/// How many events a subscription reads per page while catching up.
const SUBSCRIPTION_PAGE: usize = 1_000;

/// How far behind the primary a standby may be, as its readers claim.
pub(crate) const STANDBY_LAG: Duration = Duration::from_secs(2);

/// A read-only PostgreSQL event reader: it implements [`EventReader`] and nothing that writes,
/// so it can point at a hot standby. On a standby its claims say the reads are eventually
/// consistent (within 2 s); its global-order reads never skip an event, also while the primary
/// has transactions in flight. Subscriptions poll (a standby gets no notifications).
///
/// ```no_run
/// use es_core::{EventReader, ReadAll};
/// use postgres_store::{PgReader, PgStoreConfig};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let replica = PgReader::connect(PgStoreConfig::new("postgres://reader@replica/app")).await?;
/// let page = replica.read_all(ReadAll::from_beginning()).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PgReader {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    claims: Claims,
    poll_interval: Duration,
    settle_timeout: Duration,
}

impl PgReader {
    /// Connects to the database `config` names; finds out whether it is a standby.
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
        let standby: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
            .fetch_one(&pool)
            .await
            .map_err(PgStoreError::Connect)?;
        let claims = if standby {
            CLAIMS.with_consistency(ReadConsistency::Eventual {
                within: STANDBY_LAG,
            })
        } else {
            CLAIMS
        };
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                claims,
                poll_interval: config.poll_interval,
                settle_timeout: config.settle_timeout,
            }),
        })
    }

    /// Whether the event tables exist here (a standby shows them once it replayed them).
    pub async fn schema_ready(&self) -> bool {
        sqlx::query_scalar::<_, bool>("SELECT to_regclass('events') IS NOT NULL")
            .fetch_one(&self.inner.pool)
            .await
            .unwrap_or(false)
    }

    /// Whether this reader is on a standby.
    pub fn is_standby(&self) -> bool {
        self.inner.claims.consistency != ReadConsistency::ReadYourWrites
    }
}

impl fmt::Debug for PgReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgReader")
            .field("standby", &self.is_standby())
            .field("pool_size", &self.inner.pool.size())
            .finish_non_exhaustive()
    }
}

impl EventReader for PgReader {
    fn claims(&self) -> Claims {
        self.inner.claims
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
        CatchUp::new(self.clone(), request)
            .page_size(SUBSCRIPTION_PAGE)
            .poll_every(self.inner.poll_interval)
            .begin()
            .instrument(span)
            .await
    }
}
