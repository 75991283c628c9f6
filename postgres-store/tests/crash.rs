//! Crashes: PostgreSQL killed with SIGKILL mid-way through batched appends, and a database
//! that goes away under a store. Each test has a dedicated cluster, since it kills it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use es_core::{
    Error, EventReader, EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, ReadAll,
    StreamId,
};
use postgres_store::{PgStore, PgStoreConfig, harness::LocalCluster};

const BATCH: usize = 50;

async fn store_on(cluster: &LocalCluster) -> PgStore {
    let config = PgStoreConfig::new(cluster.url("postgres"))
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(2));
    let store = PgStore::connect(config).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

fn batch(i: usize) -> (StreamId, Vec<NewEvent>) {
    let stream = StreamId::new(format!("batch-{i}")).expect("id");
    let events = (0..BATCH)
        .map(|j| NewEvent::from_json("Written", format!("{{\"batch\":{i},\"n\":{j}}}")).expect("e"))
        .collect();
    (stream, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_keeps_every_acknowledged_batch_whole() {
    let cluster = tokio::task::spawn_blocking(LocalCluster::start_durable)
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("{e}"));
    let store = store_on(&cluster).await;

    // Writers append whole batches (one stream each) and record what was acknowledged.
    let acked: Arc<Mutex<HashMap<usize, Vec<es_core::EventId>>>> = Arc::default();
    let attempted = Arc::new(Mutex::new(Vec::<(usize, Vec<es_core::EventId>)>::new()));
    let mut writers = Vec::new();
    for w in 0..2 {
        let (store, acked, attempted) = (store.clone(), acked.clone(), attempted.clone());
        writers.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            for i in (w..).step_by(2).take(100_000) {
                let (stream, events) = batch(i);
                let ids: Vec<_> = events.iter().map(|e| e.id).collect();
                attempted.lock().expect("lock").push((i, ids.clone()));
                match store
                    .append_events(&stream, ExpectedVersion::NoStream, events)
                    .await
                {
                    Ok(_) => {
                        acked.lock().expect("lock").insert(i, ids);
                    }
                    Err(error) => {
                        errors.push(error);
                        break;
                    }
                }
            }
            errors
        }));
    }
    while acked.lock().expect("lock").len() < 40 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cluster.kill().expect("SIGKILL the postmaster");
    for writer in writers {
        let errors = writer.await.expect("writer task");
        assert_eq!(errors.len(), 1, "each writer stops at its first error");
        assert!(
            matches!(errors[0], Error::Unavailable { .. }),
            "a crashed server must surface as Unavailable, got {:?}",
            errors[0]
        );
    }
    store.close().await;

    let restart = tokio::task::spawn_blocking(move || {
        let mut cluster = cluster;
        cluster.start_server().map(|()| cluster)
    });
    let cluster = restart
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("{e}"));
    let store = store_on(&cluster).await;
    let stored = store
        .read_all_to_end(ReadAll::from_beginning().limit(10_000))
        .await
        .expect("read_all");
    let mut per_batch: HashMap<String, Vec<es_core::EventId>> = HashMap::new();
    for event in &stored {
        per_batch
            .entry(event.stream_id.as_str().to_owned())
            .or_default()
            .push(event.id);
    }

    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= 40);
    for (i, ids) in &acked {
        assert_eq!(
            per_batch.get(&format!("batch-{i}")),
            Some(ids),
            "acknowledged batch {i} is not stored whole and in order"
        );
    }
    // Batches in flight at the crash: all or nothing.
    for (i, ids) in attempted.lock().expect("lock").iter() {
        if let Some(found) = per_batch.get(&format!("batch-{i}")) {
            assert_eq!(found, ids, "batch {i} is partly stored");
        }
    }
    assert_eq!(
        per_batch.values().map(Vec::len).sum::<usize>(),
        stored.len()
    );
    assert!(per_batch.values().all(|ids| ids.len() == BATCH));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vanished_database_is_unavailable_not_a_panic() {
    let cluster = tokio::task::spawn_blocking(LocalCluster::start)
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("{e}"));
    let store = store_on(&cluster).await;
    let stream = StreamId::new("s").expect("id");
    store
        .append_events(
            &stream,
            ExpectedVersion::NoStream,
            vec![NewEvent::from_json("A", "1").expect("e")],
        )
        .await
        .expect("append while up");

    drop(cluster); // stops the server and removes its directory

    let append = store
        .append_events(
            &stream,
            ExpectedVersion::Any,
            vec![NewEvent::from_json("B", "2").expect("e")],
        )
        .await;
    assert!(
        matches!(append, Err(Error::Unavailable { .. })),
        "append: {append:?}"
    );
    let read = store.read_all(ReadAll::from_beginning().limit(10)).await;
    assert!(
        matches!(read, Err(Error::Unavailable { .. })),
        "read_all: {read:?}"
    );
    let version = store.stream_version(&stream).await;
    assert!(
        matches!(version, Err(Error::Unavailable { .. })),
        "stream_version: {version:?}"
    );

    let refused = PgStore::connect(PgStoreConfig::new("postgres://postgres@127.0.0.1:1/x")).await;
    assert!(matches!(
        refused,
        Err(postgres_store::PgStoreError::Connect(_))
    ));
}
