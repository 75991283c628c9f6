//! Positions are `(xid << 20) + n` in a bigint: they run out once a cluster's transaction ids
//! pass 2^43, and a logical restore into a new cluster (whose xids start low) would put stored
//! positions above every new one. Neither may go silent.

use es_core::{Error, EventReader, EventWriterExt, ExpectedVersion, NewEvent, ReadAll, StreamId};
use postgres_store::{PgStore, PgStoreConfig, PgStoreError, harness::LocalCluster};

fn event() -> NewEvent {
    NewEvent::from_json("Happened", "{}").expect("event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhausted_positions_are_a_typed_error_and_store_nothing() {
    let mut cluster = tokio::task::spawn_blocking(LocalCluster::start)
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("{e}"));
    let store = PgStore::connect(PgStoreConfig::new(cluster.url("postgres")))
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    store.close().await;
    // Transaction ids from 2^11 << 32 = 2^43 on: their positions no longer fit a bigint.
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop_server()?;
        cluster.set_xid_epoch(1 << 11)?;
        cluster.start_server().map(|()| cluster)
    })
    .await
    .expect("join")
    .unwrap_or_else(|e| panic!("{e}"));
    let store = PgStore::connect(PgStoreConfig::new(cluster.url("postgres")))
        .await
        .expect("connect after raising the epoch");
    let s = StreamId::new("account-1").expect("id");
    for expected in [ExpectedVersion::NoStream, ExpectedVersion::Any] {
        let result = store.append_events(&s, expected, [event()]).await;
        match result {
            Err(Error::Backend {
                message,
                retryable: false,
                ..
            }) => assert!(
                message.contains("positions are exhausted"),
                "the error must say positions are exhausted: {message}"
            ),
            other => panic!(
                "an append past the last position must fail with a typed error, got {other:?}"
            ),
        }
    }
    let page = store
        .read_all(ReadAll::from_beginning())
        .await
        .expect("read_all");
    assert!(
        page.events.is_empty(),
        "an append past the last position stored {:?}",
        page.events
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_above_the_clusters_transaction_ids_are_refused_at_connect() {
    let url = postgres_store::harness::fresh_database_url()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = PgStore::connect(PgStoreConfig::new(url.clone()))
        .await
        .expect("connect");
    // What a logical restore into a new cluster leaves: stored positions made by transaction
    // ids far above the ones this cluster hands out now.
    sqlx::query(
        "INSERT INTO events (position, stream_id, version, event_id, event_type, payload, metadata) \
         VALUES (((pg_current_xact_id()::text::int8 + 1000000000) << 20) + 1, 'restored-1', 1, \
                 gen_random_uuid(), 'Restored', '{}', '{}')",
    )
    .execute(store.pool())
    .await
    .expect("the restored row");
    store.close().await;
    match PgStore::connect(PgStoreConfig::new(url)).await {
        Err(PgStoreError::PositionsAhead { .. }) => {}
        other => panic!(
            "connecting to a store whose positions are ahead of the cluster must fail, got {other:?}"
        ),
    }
}
