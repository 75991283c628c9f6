//! The harness as `es_core::testing::StoreFactory`s: what the contract suite, the test kit and
//! the benchmarks take.

use es_core::testing::{FactoryError, FreshStore, StoreFactory};

use crate::{PgReader, PgStore, PgStoreConfig};

/// Fresh PostgreSQL stores for tests: a new, migrated database each, and a second connection
/// pool onto it for readers (so a store whose readers only see what went through the writer's own
/// pool is caught).
///
/// ```no_run
/// contract_tests::event_store_suite!(
///     postgres_store::harness::PgFactory,
///     [snapshots, lifecycle, checkpoints]
/// );
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct PgFactory;

impl StoreFactory for PgFactory {
    type Store = PgStore;
    type Reader = PgStore;

    async fn create(&self) -> Result<FreshStore<PgStore, PgStore>, FactoryError> {
        let url = super::fresh_database_url().await?;
        let store = PgStore::connect(PgStoreConfig::new(url.clone())).await?;
        let reader = PgStore::connect(PgStoreConfig::new(url).max_connections(4)).await?;
        Ok(FreshStore::with_reader(store, reader))
    }
}

/// Fresh PostgreSQL stores whose readers are on a hot standby: writes go to a new database on
/// the primary, reads through a [`PgReader`] on the standby (eventually consistent, as its claims
/// say).
///
/// ```no_run
/// contract_tests::event_store_suite!(
///     postgres_store::harness::StandbyFactory,
///     [snapshots, lifecycle, checkpoints]
/// );
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct StandbyFactory;

impl StoreFactory for StandbyFactory {
    type Store = PgStore;
    type Reader = PgReader;

    async fn create(&self) -> Result<FreshStore<PgStore, PgReader>, FactoryError> {
        let (store, reader) = super::fresh_pair_on_standby().await?;
        Ok(FreshStore::with_reader(store, reader))
    }
}
