//! A real PostgreSQL for tests and benchmarks, found or started without any setup.
//!
//! The harness looks for a server in this order:
//!
//! 1. **`DATABASE_URL`**, when set: a server you run. Each test gets a new database on it
//!    (`es_test_<pid>_<n>`, so the user needs `CREATEDB`), migrated from scratch. These
//!    databases are left behind for inspection; drop them when you like.
//! 2. **A throwaway cluster** from the PostgreSQL binaries on this machine (`initdb`, `pg_isready`,
//!    `pg_basebackup`, `postgres` on `PATH` or in `pg_config --bindir`): one per test process,
//!    reached through a private socket directory (TCP on loopback takes a random password), run
//!    as the `postgres` user when the tests run as root, with a cleared environment, its log in a
//!    file. Each test gets a database cloned from a migrated template (`CREATE DATABASE ...
//!    TEMPLATE`, a few milliseconds). The cluster and its directory are removed when the process
//!    ends, however it ends (see [`LocalCluster`]).
//! 3. **A container** (feature `docker`), when a Docker engine is reachable.
//!
//! Otherwise every call fails with one [`HarnessError::NoDatabase`] that names the three
//! ways. Never a silent skip.
//!
//! Readers on a hot standby ([`fresh_pair_on_standby`], [`StandbyFactory`]) use
//! `DATABASE_URL` with `DATABASE_STANDBY_URL` (a streaming replica of it) when both are set,
//! else a throwaway primary with a hot standby of its own.
//!
//! The contract suite, the test kit and the benchmarks take a [`PgFactory`] (a fresh database
//! and a second connection pool onto it for readers) or a [`StandbyFactory`] (readers on the
//! standby); both are `es_core::testing::StoreFactory`s.
//!
//! ```no_run
//! use es_core::{EventWriterExt, ExpectedVersion, NewEvent, StreamId};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let store = postgres_store::harness::fresh_store().await?;
//! let stream = StreamId::new("order-1")?;
//! store.append_events(&stream, ExpectedVersion::NoStream, [NewEvent::from_json("Placed", "{}")?]).await?;
//! # Ok(())
//! # }
//! ```

mod cluster;
#[cfg(feature = "docker")]
mod docker;
mod factory;

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::sync::OnceCell;

pub use cluster::LocalCluster;
pub use factory::{PgFactory, StandbyFactory};

use crate::{PgStore, PgStoreConfig, PgStoreError};

/// The template every fresh database is cloned from (throwaway cluster and container).
const TEMPLATE: &str = "es_template";

/// Why no database could be provided.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// None of the three ways to get a PostgreSQL worked.
    #[error(
        "no PostgreSQL for the tests. Provide one of:\n  \
         1. DATABASE_URL=postgres://user:password@host:port/database (a server you run; the user needs CREATEDB)\n  \
         2. the PostgreSQL server binaries (initdb, postgres, pg_isready) on PATH or in `pg_config --bindir` \
         (e.g. `apt-get install postgresql`): {local}\n  \
         3. `--features docker` with a running Docker engine: {docker}"
    )]
    NoDatabase {
        /// Why the local binaries could not be used.
        local: String,
        /// Why a container could not be used.
        docker: String,
    },

    /// The PostgreSQL binaries are not installed (or not where the harness looks).
    #[error(
        "no PostgreSQL binaries: initdb, postgres and pg_isready are neither on PATH nor in `pg_config --bindir`"
    )]
    NoBinaries,

    /// The throwaway cluster could not be started or controlled.
    #[error("throwaway PostgreSQL cluster failed: {0}")]
    Cluster(String),

    /// An earlier attempt in this process failed; the harness does not retry.
    #[error("{0}")]
    Earlier(String),

    /// No primary with a hot standby could be had.
    #[error(
        "no PostgreSQL with a hot standby for the tests. Provide one of:\n  \
         1. DATABASE_URL and DATABASE_STANDBY_URL (a streaming replica of it; the user needs CREATEDB on the primary)\n  \
         2. the PostgreSQL server binaries (initdb, postgres, pg_isready, pg_basebackup) on PATH or in `pg_config --bindir`: {local}"
    )]
    NoStandby {
        /// Why a throwaway primary and standby could not be started.
        local: String,
    },

    /// A database created on the primary did not appear on the standby in time.
    #[error(
        "database {database} did not reach the hot standby within {waited:?}; is it replaying?"
    )]
    StandbyBehind {
        /// The database.
        database: String,
        /// How long the harness waited.
        waited: std::time::Duration,
    },

    /// The server was found but refused an operation (e.g. CREATE DATABASE).
    #[error("PostgreSQL refused a harness operation: {0}")]
    Database(#[from] sqlx::Error),

    /// Connecting or migrating the store failed.
    #[error(transparent)]
    Store(#[from] PgStoreError),
}

/// Where the process's server came from.
enum Server {
    /// `DATABASE_URL`: databases are created and migrated one by one.
    External { admin_url: String },
    /// A throwaway cluster; lives as long as the process (the static is never dropped).
    Local {
        /// Taken by [`shutdown`] for an early, synchronous cleanup.
        cluster: parking_lot::Mutex<Option<LocalCluster>>,
        admin_url: String,
    },
    #[cfg(feature = "docker")]
    Docker {
        _container: Box<docker::Container>,
        admin_url: String,
    },
}

impl Server {
    fn admin_url(&self) -> &str {
        match self {
            Self::External { admin_url } | Self::Local { admin_url, .. } => admin_url,
            #[cfg(feature = "docker")]
            Self::Docker { admin_url, .. } => admin_url,
        }
    }

    fn has_template(&self) -> bool {
        !matches!(self, Self::External { .. })
    }
}

static SERVER: OnceCell<Result<Server, String>> = OnceCell::const_new();
static STANDBY_SERVER: OnceCell<Result<StandbyServer, String>> = OnceCell::const_new();
static NEXT_DATABASE: AtomicU64 = AtomicU64::new(1);

/// A primary with a hot standby, for the whole process.
enum StandbyServer {
    /// `DATABASE_URL` and `DATABASE_STANDBY_URL`.
    External {
        admin_url: String,
        standby_url: String,
    },
    /// A throwaway pair; lives as long as the process.
    Local {
        cluster: parking_lot::Mutex<Option<LocalCluster>>,
        admin_url: String,
        standby_url: String,
    },
}

impl StandbyServer {
    fn urls(&self) -> (&str, &str) {
        match self {
            Self::External {
                admin_url,
                standby_url,
            }
            | Self::Local {
                admin_url,
                standby_url,
                ..
            } => (admin_url, standby_url),
        }
    }
}

async fn standby_server() -> Result<&'static StandbyServer, HarnessError> {
    STANDBY_SERVER
        .get_or_init(|| async { find_standby().await.map_err(|e| e.to_string()) })
        .await
        .as_ref()
        .map_err(|message| HarnessError::Earlier(message.clone()))
}

async fn find_standby() -> Result<StandbyServer, HarnessError> {
    if let (Ok(admin_url), Ok(standby_url)) = (
        std::env::var("DATABASE_URL"),
        std::env::var("DATABASE_STANDBY_URL"),
    ) {
        tracing::info!("test databases with a standby: DATABASE_URL and DATABASE_STANDBY_URL");
        return Ok(StandbyServer::External {
            admin_url,
            standby_url,
        });
    }
    match tokio::task::spawn_blocking(LocalCluster::start_with_standby).await {
        Ok(Ok(cluster)) => {
            let admin_url = cluster.url("postgres");
            let standby_url = cluster
                .standby_url("postgres")
                .ok_or_else(|| HarnessError::Cluster("the standby did not start".into()))?;
            let server = StandbyServer::Local {
                cluster: parking_lot::Mutex::new(Some(cluster)),
                admin_url,
                standby_url,
            };
            prepare_template_at(server.urls().0).await?;
            Ok(server)
        }
        Ok(Err(error)) => Err(HarnessError::NoStandby {
            local: error.to_string(),
        }),
        Err(join) => Err(HarnessError::NoStandby {
            local: format!("the cluster start panicked: {join}"),
        }),
    }
}

async fn server() -> Result<&'static Server, HarnessError> {
    SERVER
        .get_or_init(|| async { find_server().await.map_err(|e| e.to_string()) })
        .await
        .as_ref()
        .map_err(|message| HarnessError::Earlier(message.clone()))
}

async fn find_server() -> Result<Server, HarnessError> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        tracing::info!("test database: DATABASE_URL");
        PgConnection::connect(&url)
            .await
            .map_err(|e| HarnessError::Store(PgStoreError::Connect(e)))?
            .close()
            .await?;
        return Ok(Server::External { admin_url: url });
    }
    let local = match tokio::task::spawn_blocking(LocalCluster::start).await {
        Ok(Ok(cluster)) => {
            tracing::info!(dir = %cluster.dir().display(), "test database: throwaway cluster");
            let admin_url = cluster.url("postgres");
            let server = Server::Local {
                cluster: parking_lot::Mutex::new(Some(cluster)),
                admin_url,
            };
            prepare_template(&server).await?;
            return Ok(server);
        }
        Ok(Err(error)) => error.to_string(),
        Err(join) => format!("the cluster start panicked: {join}"),
    };
    #[cfg(feature = "docker")]
    let docker = match docker::start().await {
        Ok((container, admin_url)) => {
            let server = Server::Docker {
                _container: Box::new(container),
                admin_url,
            };
            prepare_template(&server).await?;
            return Ok(server);
        }
        Err(error) => error,
    };
    #[cfg(not(feature = "docker"))]
    let docker = "the `docker` feature is off".to_owned();
    Err(HarnessError::NoDatabase { local, docker })
}

async fn prepare_template(server: &Server) -> Result<(), HarnessError> {
    prepare_template_at(server.admin_url()).await
}

async fn prepare_template_at(admin_url: &str) -> Result<(), HarnessError> {
    create_database(admin_url, TEMPLATE, None).await?;
    let store = PgStore::connect(PgStoreConfig::new(database_url(admin_url, TEMPLATE))).await?;
    store.migrate().await?;
    // No connection may remain on a template while it is cloned.
    store.close().await;
    Ok(())
}

async fn create_database(
    admin_url: &str,
    name: &str,
    template: Option<&str>,
) -> Result<(), HarnessError> {
    let mut admin = PgConnection::connect(admin_url)
        .await
        .map_err(|e| HarnessError::Store(PgStoreError::Connect(e)))?;
    // Identifiers cannot be bound; both names are made by this module from fixed text and
    // numbers, never from input.
    let statement = match template {
        Some(template) => format!(r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#),
        None => format!(r#"CREATE DATABASE "{name}""#),
    };
    sqlx::raw_sql(AssertSqlSafe(statement))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    Ok(())
}

/// Replaces the database name in a `postgres://` url.
fn database_url(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// Stops this process's throwaway cluster now and waits until its directory is gone.
///
/// Optional: the cluster is removed anyway when the process exits, but that happens just after
/// the exit. A program that checks for leftover servers right after it ends (a benchmark's
/// `main`, a CI step) can call this last. Later harness calls in this process then fail.
/// Does nothing for `DATABASE_URL` (or a container, which goes when the process ends).
pub fn shutdown() {
    if let Some(Ok(Server::Local { cluster, .. })) = SERVER.get() {
        drop(cluster.lock().take());
    }
    if let Some(Ok(StandbyServer::Local { cluster, .. })) = STANDBY_SERVER.get() {
        drop(cluster.lock().take());
    }
}

/// A store on a fresh, migrated database of a primary, and a read-only [`PgReader`](crate::PgReader)
/// on the same database on its hot standby (once the standby has replayed its creation).
pub async fn fresh_pair_on_standby() -> Result<(PgStore, crate::PgReader), HarnessError> {
    let server = standby_server().await?;
    let (admin_url, standby_url) = server.urls();
    let name = next_database_name();
    let local = matches!(server, StandbyServer::Local { .. });
    create_database(admin_url, &name, local.then_some(TEMPLATE)).await?;
    let store = PgStore::connect(PgStoreConfig::new(database_url(admin_url, &name))).await?;
    if !local {
        store.migrate().await?;
    }
    let reader_config = PgStoreConfig::new(database_url(standby_url, &name));
    let waited = std::time::Duration::from_secs(30);
    let started = std::time::Instant::now();
    loop {
        match crate::PgReader::connect(reader_config.clone()).await {
            Ok(reader) if reader.schema_ready().await => return Ok((store, reader)),
            Ok(_) | Err(PgStoreError::Connect(_)) if started.elapsed() < waited => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Ok(_) | Err(PgStoreError::Connect(_)) => {
                return Err(HarnessError::StandbyBehind {
                    database: name,
                    waited,
                });
            }
            Err(other) => return Err(other.into()),
        }
    }
}

/// The url of `database` on the primary of the standby pair (for tests that need a raw
/// connection beside the store).
pub async fn database_url_on_primary(database: &str) -> Result<String, HarnessError> {
    Ok(database_url(standby_server().await?.urls().0, database))
}

fn next_database_name() -> String {
    let n = NEXT_DATABASE.fetch_add(1, Ordering::Relaxed);
    format!("es_test_{}_{n}", std::process::id())
}

/// The url of a new, empty database with the event store schema (default schema name)
/// already migrated, on the server the harness found.
pub async fn fresh_database_url() -> Result<String, HarnessError> {
    let server = server().await?;
    let name = next_database_name();
    if server.has_template() {
        create_database(server.admin_url(), &name, Some(TEMPLATE)).await?;
    } else {
        create_database(server.admin_url(), &name, None).await?;
    }
    let url = database_url(server.admin_url(), &name);
    if !server.has_template() {
        let store = PgStore::connect(PgStoreConfig::new(url.clone())).await?;
        store.migrate().await?;
        store.close().await;
    }
    Ok(url)
}

/// A store on a fresh, migrated database, with the default configuration.
pub async fn fresh_store() -> Result<PgStore, HarnessError> {
    fresh_store_with(|config| config).await
}

/// A store on a fresh, migrated database, with the configuration adjusted by `configure`
/// (if it changes the schema, call [`PgStore::migrate`] before use).
pub async fn fresh_store_with(
    configure: impl FnOnce(PgStoreConfig) -> PgStoreConfig,
) -> Result<PgStore, HarnessError> {
    let url = fresh_database_url().await?;
    Ok(PgStore::connect(configure(PgStoreConfig::new(url))).await?)
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn database_url_replaces_only_the_database() {
        assert_eq!(
            database_url("postgres://u:p@h:5/app?sslmode=disable", "x"),
            "postgres://u:p@h:5/x?sslmode=disable"
        );
        assert_eq!(database_url("postgres://h", "x"), "postgres://h/x");
    }
}
