//! The whole conformance suite against a PostgreSQL store with ONE write slot, so that every
//! append that overlaps another is coalesced into a group: the racing cases (many writers on
//! one stream, on distinct streams, multi-stream appends, re-sends) run through groups.

use es_core::testing::{FactoryError, FreshStore, StoreFactory};
use postgres_store::{PgStore, PgStoreConfig, harness};

/// Fresh stores with one write slot; readers on a second pool, as in `contract.rs`.
#[derive(Clone, Copy, Debug, Default)]
struct OneSlot;

impl StoreFactory for OneSlot {
    type Store = PgStore;
    type Reader = PgStore;

    async fn create(&self) -> Result<FreshStore<PgStore, PgStore>, FactoryError> {
        let url = harness::fresh_database_url().await?;
        let store = PgStore::connect(PgStoreConfig::new(url.clone()).append_slots(1)).await?;
        let reader = PgStore::connect(PgStoreConfig::new(url).max_connections(4)).await?;
        Ok(FreshStore::with_reader(store, reader))
    }
}

contract_tests::event_store_suite!(OneSlot, [snapshots, lifecycle, checkpoints]);
